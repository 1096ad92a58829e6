/*
 * Builds the global frame pool from the boot memory map.  Usable RAM is
 * released into the pool; then everything that must stay untouched is
 * reserved: low memory (firmware data, the AP trampoline), the
 * hypervisor image, the boot information, the modules (future guest
 * images) and the ACPI tables.  The pool's own bitmap is carved from
 * the first free gap below 4 GiB (what the boot page tables map).
 */
#include "kernel/memory.h"
#include "drivers/acpi.h"
#include "kernel/console.h"
#include "kernel/mb2.h"
#include "kernel/panic.h"
#include "lib/addr.h"
#include "lib/lib.h"

#define LOW_MEMORY_END MiB(1)
#define MAX_PHYS GiB(1024) /* bitmap of 32 MiB; RAM above is ignored */
#define MAX_RESERVED (8 + BOOT_MAX_MODULES + ARRAY_SIZE(acpi.tables))

extern const char _image_start_phys[], _image_end_phys[];

struct frame_pool frames;
u64 memory_top;

void memory_init(const struct boot_info *bi)
{
	struct phys_range usable[BOOT_MAX_MMAP], resv[MAX_RESERVED];
	u32 nusable = 0, nresv = 0;
	u64 bitmap_phys, bitmap_bytes;

	if (bi->nmmap == 0)
		panic("boot: no memory information from the loader; cannot continue");
	for (u32 i = 0; i < bi->nmmap; i++) {
		const struct mem_region *r = &bi->mmap[i];
		if (r->type != MEM_USABLE)
			continue;
		u64 end = MIN(r->base + r->len, MAX_PHYS);
		if (r->base >= end)
			continue;
		usable[nusable++] = (struct phys_range){ r->base, end - r->base };
		memory_top = MAX(memory_top, end);
	}
	if (mb2_usable_bytes(bi) > memory_top && memory_top == MAX_PHYS)
		klog("memory: RAM above %llu GiB is ignored", (unsigned long long)(MAX_PHYS >> 30));

	resv[nresv++] = (struct phys_range){ 0, LOW_MEMORY_END };
	resv[nresv++] = (struct phys_range){ (u64)_image_start_phys,
					     (u64)_image_end_phys - (u64)_image_start_phys };
	resv[nresv++] = (struct phys_range){ bi->mbi_phys, bi->mbi_size };
	for (u32 i = 0; i < bi->nmodules; i++)
		resv[nresv++] = (struct phys_range){ bi->modules[i].start,
						     bi->modules[i].end - bi->modules[i].start };
	for (u32 i = 0; i < acpi.ntables; i++)
		resv[nresv++] = (struct phys_range){ acpi.tables[i].base, acpi.tables[i].len };

	bitmap_bytes = ALIGN_UP(frame_bitmap_bytes(memory_top), FRAME_SIZE);
	bitmap_phys = frame_find_gap(usable, nusable, resv, nresv, bitmap_bytes, GiB(4));
	if (!bitmap_phys)
		panic("memory: no room below 4 GiB for the frame bitmap (%llu KiB)",
		      (unsigned long long)(bitmap_bytes >> 10));
	resv[nresv++] = (struct phys_range){ bitmap_phys, bitmap_bytes };

	frame_pool_init(&frames, phys_to_virt(bitmap_phys), memory_top);
	for (u32 i = 0; i < nusable; i++)
		frame_pool_release(&frames, usable[i].base, usable[i].len);
	/* Entries of other types may overlap usable ones on odd firmware. */
	for (u32 i = 0; i < bi->nmmap; i++)
		if (bi->mmap[i].type != MEM_USABLE)
			frame_pool_reserve(&frames, bi->mmap[i].base, bi->mmap[i].len);
	for (u32 i = 0; i < nresv; i++)
		frame_pool_reserve(&frames, resv[i].base, resv[i].len);

	klog("memory: %llu MiB usable", (unsigned long long)(mb2_usable_bytes(bi) >> 20));
}

u64 frame_alloc_zeroed(void)
{
	u64 f = frame_alloc(&frames);
	if (f)
		memset(phys_to_virt(f), 0, FRAME_SIZE);
	return f;
}

u64 frame_alloc_zeroed_or_panic(void)
{
	u64 f = frame_alloc_zeroed();
	if (!f)
		panic("memory: out of physical frames");
	return f;
}
