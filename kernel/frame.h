/*
 * Physical frame allocator: one bit per 4 KiB frame (set = free).
 *
 * It hands out single frames and contiguous, aligned runs (2 MiB runs
 * back guest RAM).  The pool starts with every frame in use; memory.c
 * releases the usable parts of the memory map and reserves what must
 * never be handed out.  Pure logic with host unit tests: the caller
 * provides the bitmap storage.  Address 0 means "no frame".
 */
#ifndef KERNEL_FRAME_H
#define KERNEL_FRAME_H

#include "lib/spinlock.h"
#include "lib/types.h"

#define FRAME_SHIFT 12
#define FRAME_SIZE (1ull << FRAME_SHIFT)
#define FRAMES_PER_2M 512

struct frame_pool {
	u64 *bitmap;
	u64 nframes;	 /* frames covered: [0, nframes * FRAME_SIZE) */
	u64 free_frames; /* frames currently free */
	u64 hint;	 /* bitmap word where the next single-frame search starts */
	struct spinlock lock;
};

/* Bytes of bitmap needed to cover physical [0, top). */
u64 frame_bitmap_bytes(u64 top);
void frame_pool_init(struct frame_pool *p, u64 *bitmap, u64 top);
/* Mark the whole frames inside [base, base+len) free. */
void frame_pool_release(struct frame_pool *p, u64 base, u64 len);
/* Mark every frame touching [base, base+len) in use. */
void frame_pool_reserve(struct frame_pool *p, u64 base, u64 len);
/* One frame, or 0 when none is left. */
u64 frame_alloc(struct frame_pool *p);
/* n contiguous frames starting at a multiple of align (a power of two, in bytes), or 0. */
u64 frame_alloc_run(struct frame_pool *p, u64 n, u64 align);
/* Return frames; -EINVAL if any of them was not allocated (nothing is changed then). */
int frame_free(struct frame_pool *p, u64 phys, u64 n);
bool frame_is_free(const struct frame_pool *p, u64 phys);

struct phys_range {
	u64 base, len;
};

/*
 * First page-aligned address a in a usable range with [a, a+size) below
 * limit and clear of every reserved range; 0 if there is none.
 */
u64 frame_find_gap(const struct phys_range *usable, u32 nusable, const struct phys_range *reserved,
		   u32 nreserved, u64 size, u64 limit);

#endif
