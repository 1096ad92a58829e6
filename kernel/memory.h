/*
 * The hypervisor's view of physical memory: the global frame pool built
 * from the boot memory map, with everything that must never be handed
 * out reserved.  frame.c holds the allocator itself.
 */
#ifndef KERNEL_MEMORY_H
#define KERNEL_MEMORY_H

#include "kernel/frame.h"
#include "lib/types.h"

struct boot_info;

extern struct frame_pool frames;
/* Highest physical address of RAM in the memory map (exclusive). */
extern u64 memory_top;

void memory_init(const struct boot_info *bi);
/* One zeroed frame (physical address); panics when memory is exhausted. */
u64 frame_alloc_zeroed_or_panic(void);
/* One zeroed frame, or 0 when memory is exhausted. */
u64 frame_alloc_zeroed(void);

#endif
