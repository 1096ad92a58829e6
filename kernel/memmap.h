/*
 * The memory map a partition's guest is told about: one builder for
 * the Multiboot1 memory map (kernel/loader.c) and the Linux e820 table
 * (kernel/linux.c), so that both say the same of the same RAM.  The
 * regions are those a PC's BIOS reports through INT 15h E820 (ACPI 6.5
 * §15, "System Address Map Interfaces"): conventional memory below the
 * EBDA, the reserved legacy area up to 1 MiB, extended memory up to the
 * APIC window, the window itself reserved, and memory above 4 GiB.
 * Pure, and small enough to live in this header: it only describes the
 * guest-physical map of vdev/layout.h; where the loaders put it and how
 * they encode it is theirs.
 */
#ifndef KERNEL_MEMMAP_H
#define KERNEL_MEMMAP_H

#include "kernel/mb2.h"
#include "lib/types.h"
#include "vdev/layout.h"

#define MEMMAP_MAX 6 /* regions a partition's map has at most */

/* The end of the usable RAM that starts at 1 MiB: min(mem, GUEST_APIC_WINDOW). */
static inline u64 memmap_high_end(u64 mem)
{
	return mem < GUEST_APIC_WINDOW ? mem : GUEST_APIC_WINDOW;
}

/*
 * Fill out with the map of a partition of mem bytes of RAM (a multiple
 * of 2 MiB, at least 2 MiB), in ascending order, and return how many
 * regions it has.  RAM is usable [0, GUEST_LOW_RAM_END) and [1 MiB,
 * min(mem, GUEST_APIC_WINDOW)), and [4 GiB, mem) when mem is larger;
 * the EBDA, [GUEST_LEGACY_START, 1 MiB) (where the firmware tables
 * live) and, once mem reaches it, [GUEST_APIC_WINDOW, 4 GiB) are
 * reserved.  RAM under the APIC window is not offered at all.
 */
static inline u32 memmap_build(u64 mem, struct mem_region out[MEMMAP_MAX])
{
	u32 n = 0;

	out[n++] = (struct mem_region){ 0, GUEST_LOW_RAM_END, MEM_USABLE };
	out[n++] = (struct mem_region){ GUEST_EBDA, GUEST_LEGACY_START - GUEST_EBDA, MEM_RESERVED };
	out[n++] = (struct mem_region){ GUEST_LEGACY_START, GUEST_HIGH_RAM - GUEST_LEGACY_START,
					MEM_RESERVED };
	out[n++] = (struct mem_region){ GUEST_HIGH_RAM, memmap_high_end(mem) - GUEST_HIGH_RAM,
					MEM_USABLE };
	if (mem >= GUEST_APIC_WINDOW)
		out[n++] = (struct mem_region){ GUEST_APIC_WINDOW, GUEST_4G - GUEST_APIC_WINDOW,
						MEM_RESERVED };
	if (mem > GUEST_4G)
		out[n++] = (struct mem_region){ GUEST_4G, mem - GUEST_4G, MEM_USABLE };
	return n;
}

#endif
