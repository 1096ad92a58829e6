/*
 * The hypervisor's final page tables (4-level paging, SDM 3A §4.5).
 *
 * One generic mapper installs the largest leaf that fits (1 GiB where
 * CPUID says the CPU has it, else 2 MiB, else 4 KiB) and splits a large
 * leaf when a smaller mapping must go inside it, as the uncached LAPIC
 * page must.  RAM is identity-mapped RW+NX; the image is mapped at
 * KERNEL_VMA with text RX, rodata R and data RW+NX.  CR0.WP makes the
 * read-only mappings binding for the hypervisor too.
 */
#include "kernel/paging.h"
#include "kernel/console.h"
#include "kernel/memory.h"
#include "kernel/panic.h"
#include "lib/lib.h"
#include "lib/x86.h"

extern const char _text_start[], _text_end[], _rodata_start[], _rodata_end[];
extern const char _data_start[], _data_end[];

#define MAX_EARLY_MMIO 8

u64 paging_cr3;
static bool have_1g;
static struct {
	u64 phys, size;
} early_mmio[MAX_EARLY_MMIO];
static u32 nearly_mmio;

static u64 *table(u64 entry)
{
	return phys_to_virt(entry & PTE_ADDR_MASK);
}

/* Replace a large leaf by a table of 512 smaller leaves with the same rights. */
static void split(u64 *entry, u64 child_size)
{
	u64 t = frame_alloc_zeroed_or_panic();
	u64 *child = phys_to_virt(t);
	u64 base = *entry & PTE_ADDR_MASK & ~(child_size * 512 - 1);
	u64 flags = *entry & ~PTE_ADDR_MASK;

	if (child_size == FRAME_SIZE)
		flags &= ~PTE_PS;
	for (u64 i = 0; i < 512; i++)
		child[i] = (base + i * child_size) | flags;
	*entry = t | PTE_P | PTE_W;
}

static void map(u64 *pml4, u64 va, u64 pa, u64 size, u64 flags)
{
	static const u64 level_size[] = { GiB(512), GiB(1), MiB(2), KiB(4) };

	while (size) {
		u64 *t = pml4;
		for (int level = 0;; level++) {
			u64 *e = &t[(va >> (39 - 9 * level)) & 511];
			u64 ls = level_size[level];
			bool leaf_ok = (level == 3) || (level == 2) || (level == 1 && have_1g);

			if (leaf_ok && IS_ALIGNED(va | pa, ls) && size >= ls) {
				*e = pa | flags | (level < 3 ? PTE_PS : 0);
				va += ls, pa += ls, size -= ls;
				break;
			}
			if (!(*e & PTE_P))
				*e = frame_alloc_zeroed_or_panic() | PTE_P | PTE_W;
			else if (*e & PTE_PS)
				split(e, level_size[level + 1]);
			t = table(*e);
		}
	}
}

static void map_image_part(u64 *pml4, const char *start, const char *end, u64 flags)
{
	map(pml4, (u64)start, virt_to_phys(start), ALIGN_UP((u64)(end - start), FRAME_SIZE), flags);
}

void paging_init(u64 top)
{
	u64 *pml4;

	have_1g = cpuid(0x80000001, 0).edx & CPUID81_EDX_PAGE1G;
	paging_cr3 = frame_alloc_zeroed_or_panic();
	pml4 = phys_to_virt(paging_cr3);

	/* RAM and the 32-bit MMIO hole: identity, read/write, never executable. */
	top = ALIGN_UP(MAX(top, GiB(4)), have_1g ? GiB(1) : MiB(2));
	map(pml4, 0, 0, top, PTE_P | PTE_W | PTE_NX);
	for (u32 i = 0; i < nearly_mmio; i++)
		map(pml4, early_mmio[i].phys, early_mmio[i].phys, early_mmio[i].size,
		    PTE_P | PTE_W | PTE_PCD | PTE_PWT | PTE_NX);

	/* The image, W^X. */
	map_image_part(pml4, _text_start, _text_end, PTE_P | PTE_G);
	map_image_part(pml4, _rodata_start, _rodata_end, PTE_P | PTE_G | PTE_NX);
	map_image_part(pml4, _data_start, _data_end, PTE_P | PTE_W | PTE_G | PTE_NX);

	write_cr0(read_cr0() | CR0_WP);
	write_cr3(paging_cr3);
	klog("paging: RAM identity-mapped with %s pages, image W^X", have_1g ? "1 GiB" : "2 MiB");
}

void *paging_map_mmio(u64 phys, u64 size)
{
	u64 base = ALIGN_DOWN(phys, FRAME_SIZE);
	size = ALIGN_UP(phys + size, FRAME_SIZE) - base;

	if (!paging_cr3) { /* before paging_init: the boot map covers 4 GiB */
		BUG_ON(nearly_mmio == MAX_EARLY_MMIO || phys + size > GiB(4));
		early_mmio[nearly_mmio].phys = base;
		early_mmio[nearly_mmio++].size = size;
	} else {
		map(phys_to_virt(paging_cr3), base, base, size,
		    PTE_P | PTE_W | PTE_PCD | PTE_PWT | PTE_NX);
		for (u64 a = base; a < base + size; a += FRAME_SIZE)
			invlpg(a);
	}
	return phys_to_virt(phys);
}
