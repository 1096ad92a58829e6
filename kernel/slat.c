/*
 * The SLAT builder.  A 4-level radix tree indexed by guest-physical
 * address bits 47:39, 38:30, 29:21 and 20:12 (SDM 3C §29.3.2 for EPT,
 * APM Vol. 2 §15.25 for NPT).  Leaves are 1 GiB, 2 MiB or 4 KiB,
 * whichever is the largest that the alignment of both addresses and
 * the remaining size allow.  Entry bits come from the backend.
 */
#include "kernel/slat.h"
#include "kernel/paging.h"
#include "kernel/virt.h"

#define ADDR_MASK 0x000ffffffffff000ull
#define LEVELS 4

static const u64 level_size[LEVELS] = { GiB(512), GiB(1), MiB(2), KiB(4) };

static u64 *table_of(u64 entry)
{
	return phys_to_virt(entry & ADDR_MASK);
}

static unsigned index_of(u64 gpa, int depth)
{
	return (gpa >> (39 - 9 * depth)) & 511;
}

int slat_init(struct slat *s, bool allow_1g)
{
	s->root = slat_alloc_table();
	s->tables = s->root ? 1 : 0;
	s->allow_1g = allow_1g;
	return s->root ? 0 : -ENOMEM;
}

int slat_map(struct slat *s, const struct slat_format *f, u64 gpa, u64 hpa, u64 size)
{
	/* lab 4: map [gpa, gpa + size) to hpa with the largest leaves that fit */
	if (!IS_ALIGNED(gpa | hpa | size, KiB(4)) || gpa + size < gpa || gpa + size > GiB(512))
		return -EINVAL;
	while (size) {
		u64 *t = phys_to_virt(s->root);
		for (int depth = 0;; depth++) {
			u64 *e = &t[index_of(gpa, depth)];
			u64 ls = level_size[depth];
			bool leaf_ok = depth == 3 || depth == 2 || (depth == 1 && s->allow_1g);

			if (leaf_ok && IS_ALIGNED(gpa | hpa, ls) && size >= ls) {
				if (f->present(*e))
					return -EINVAL; /* never remap: callers map each range once
							 */
				*e = f->leaf(hpa, 3 - depth);
				gpa += ls, hpa += ls, size -= ls;
				break;
			}
			if (!f->present(*e)) {
				u64 n = slat_alloc_table();
				if (!n)
					return -ENOMEM;
				s->tables++;
				*e = f->table(n);
			} else if (f->large(*e)) {
				return -EINVAL;
			}
			t = table_of(*e);
		}
	}
	return 0;
	/* lab 4: end */
}

int slat_translate(const struct slat *s, const struct slat_format *f, u64 gpa, u64 *hpa)
{
	/* lab 4: walk the tables from the root to the leaf that maps gpa */
	const u64 *t = phys_to_virt(s->root);

	if (gpa >= GiB(512))
		return -EFAULT;
	for (int depth = 0; depth < LEVELS; depth++) {
		u64 e = t[index_of(gpa, depth)];
		if (!f->present(e))
			return -EFAULT;
		if (depth == 3 || (depth > 0 && f->large(e))) {
			u64 ls = level_size[depth];
			*hpa = (e & ADDR_MASK & ~(ls - 1)) | (gpa & (ls - 1));
			return 0;
		}
		t = table_of(e);
	}
	return -EFAULT;
	/* lab 4: end */
}

static void free_level(struct slat *s, const struct slat_format *f, u64 table, int depth)
{
	u64 *t = phys_to_virt(table);

	if (depth < 3)
		for (int i = 0; i < 512; i++)
			if (f->present(t[i]) && !(depth > 0 && f->large(t[i])))
				free_level(s, f, t[i] & ADDR_MASK, depth + 1);
	slat_free_table(table);
	s->tables--;
}

void slat_destroy(struct slat *s, const struct slat_format *f)
{
	if (s->root)
		free_level(s, f, s->root, 0);
	s->root = 0;
}
