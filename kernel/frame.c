/*
 * The physical frame allocator: a bitmap with a search hint for single
 * frames and an aligned first-fit search for contiguous runs.  All state
 * changes happen under the pool's lock, so any CPU may allocate.
 */
#include "kernel/frame.h"
#include "lib/lib.h"

#define BITS 64

static bool test(const struct frame_pool *p, u64 f)
{
	return p->bitmap[f / BITS] >> (f % BITS) & 1;
}

static void set_free(struct frame_pool *p, u64 f)
{
	if (!test(p, f)) {
		p->bitmap[f / BITS] |= 1ull << (f % BITS);
		p->free_frames++;
	}
}

static void set_used(struct frame_pool *p, u64 f)
{
	if (test(p, f)) {
		p->bitmap[f / BITS] &= ~(1ull << (f % BITS));
		p->free_frames--;
	}
}

u64 frame_bitmap_bytes(u64 top)
{
	u64 frames = ALIGN_UP(top, FRAME_SIZE) >> FRAME_SHIFT;
	return ALIGN_UP(frames, BITS) / 8;
}

void frame_pool_init(struct frame_pool *p, u64 *bitmap, u64 top)
{
	p->bitmap = bitmap;
	p->nframes = ALIGN_UP(top, FRAME_SIZE) >> FRAME_SHIFT;
	p->free_frames = 0;
	p->hint = 0;
	p->lock = (struct spinlock)SPINLOCK_INIT;
	memset(bitmap, 0, frame_bitmap_bytes(top));
}

void frame_pool_release(struct frame_pool *p, u64 base, u64 len)
{
	u64 first = ALIGN_UP(base, FRAME_SIZE) >> FRAME_SHIFT;
	u64 last = (base + len < base ? UINT64_MAX : base + len) >> FRAME_SHIFT;
	u64 flags;

	if (ALIGN_UP(base, FRAME_SIZE) < base)
		return; /* base is in the last frame of the address space: no whole frame */
	flags = spin_lock_irqsave(&p->lock);
	/* Frame 0 stays reserved so that 0 can mean "no frame". */
	for (u64 f = MAX(first, 1); f < last && f < p->nframes; f++)
		set_free(p, f);
	spin_unlock_irqrestore(&p->lock, flags);
}

void frame_pool_reserve(struct frame_pool *p, u64 base, u64 len)
{
	if (len == 0)
		return;
	u64 first = base >> FRAME_SHIFT;
	u64 end = base + len < base ? UINT64_MAX : base + len;
	u64 last = ALIGN_UP(end, FRAME_SIZE) >> FRAME_SHIFT;
	if (end > UINT64_MAX - FRAME_SIZE)
		last = p->nframes;
	u64 flags = spin_lock_irqsave(&p->lock);

	for (u64 f = first; f < last && f < p->nframes; f++)
		set_used(p, f);
	spin_unlock_irqrestore(&p->lock, flags);
}

u64 frame_alloc(struct frame_pool *p)
{
	u64 words = ALIGN_UP(p->nframes, BITS) / BITS;
	u64 flags = spin_lock_irqsave(&p->lock);
	u64 found = 0;

	for (u64 i = 0; i < words && !found; i++) {
		u64 w = (p->hint + i) % words;
		if (p->bitmap[w]) {
			u64 f = w * BITS + (u64)__builtin_ctzll(p->bitmap[w]);
			set_used(p, f);
			p->hint = w;
			found = f << FRAME_SHIFT;
		}
	}
	spin_unlock_irqrestore(&p->lock, flags);
	return found;
}

/* Index of the first used frame in [f, f+n), or f+n if all are free. */
static u64 first_used(const struct frame_pool *p, u64 f, u64 n)
{
	for (u64 i = f; i < f + n; i++) {
		if (i % BITS == 0 && i + BITS <= f + n && p->bitmap[i / BITS] == ~0ull) {
			i += BITS - 1; /* whole word free: skip it */
			continue;
		}
		if (!test(p, i))
			return i;
	}
	return f + n;
}

u64 frame_alloc_run(struct frame_pool *p, u64 n, u64 align)
{
	u64 step = MAX(align >> FRAME_SHIFT, 1);
	u64 found = 0;

	if (n == 0 || (step & (step - 1)))
		return 0;
	u64 flags = spin_lock_irqsave(&p->lock);
	if (n <= p->free_frames) {
		for (u64 f = step; f + n <= p->nframes && f + n > f;) {
			u64 used = first_used(p, f, n);
			if (used == f + n) {
				for (u64 i = f; i < f + n; i++)
					set_used(p, i);
				found = f << FRAME_SHIFT;
				break;
			}
			f = ALIGN_UP(used + 1, step); /* next aligned start past the hole */
		}
	}
	spin_unlock_irqrestore(&p->lock, flags);
	return found;
}

int frame_free(struct frame_pool *p, u64 phys, u64 n)
{
	u64 f = phys >> FRAME_SHIFT;

	if (!IS_ALIGNED(phys, FRAME_SIZE) || f == 0 || f + n > p->nframes || f + n < f)
		return -EINVAL;
	u64 flags = spin_lock_irqsave(&p->lock);
	for (u64 i = f; i < f + n; i++) {
		if (test(p, i)) {
			spin_unlock_irqrestore(&p->lock, flags);
			return -EINVAL; /* double free */
		}
	}
	for (u64 i = f; i < f + n; i++)
		set_free(p, i);
	spin_unlock_irqrestore(&p->lock, flags);
	return 0;
}

bool frame_is_free(const struct frame_pool *p, u64 phys)
{
	u64 f = phys >> FRAME_SHIFT;
	return f < p->nframes && test(p, f);
}

u64 frame_find_gap(const struct phys_range *usable, u32 nusable, const struct phys_range *reserved,
		   u32 nreserved, u64 size, u64 limit)
{
	for (u32 i = 0; i < nusable; i++) {
		u64 a = ALIGN_UP(MAX(usable[i].base, FRAME_SIZE), FRAME_SIZE);
		u64 end = usable[i].base + usable[i].len;

		while (a + size <= end && a + size <= limit && a + size > a) {
			u32 j;
			for (j = 0; j < nreserved; j++)
				if (ranges_overlap(a, size, reserved[j].base, reserved[j].len))
					break;
			if (j == nreserved)
				return a;
			/* Skip past the reservation in the way. */
			u64 next = ALIGN_UP(reserved[j].base + reserved[j].len, FRAME_SIZE);
			if (next <= a)
				break; /* it runs to the top of the address space */
			a = next;
		}
	}
	return 0;
}
