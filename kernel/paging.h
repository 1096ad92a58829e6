/*
 * The hypervisor's own page tables (not the guests': those are SLAT,
 * built elsewhere).  RAM is identity-mapped with the largest pages the
 * CPU allows, read/write and never executable; the image is mapped in
 * the higher half with 4 KiB pages, W^X per section; MMIO is mapped
 * uncached on request.
 */
#ifndef KERNEL_PAGING_H
#define KERNEL_PAGING_H

#include "lib/addr.h"
#include "lib/types.h"

/* Page-table entry bits (SDM 3A §4.5, table 4-19 and following). */
#define PTE_P (1ull << 0)   /* present */
#define PTE_W (1ull << 1)   /* writable */
#define PTE_U (1ull << 2)   /* user (never set by the hypervisor) */
#define PTE_PWT (1ull << 3) /* write-through */
#define PTE_PCD (1ull << 4) /* cache disable */
#define PTE_A (1ull << 5)   /* accessed */
#define PTE_D (1ull << 6)   /* dirty */
#define PTE_PS (1ull << 7)  /* large page (in PDPTE/PDE) */
#define PTE_G (1ull << 8)   /* global */
#define PTE_NX (1ull << 63) /* no execute (needs EFER.NXE) */
#define PTE_ADDR_MASK 0x000ffffffffff000ull

/* Physical address of the hypervisor's PML4 (after paging_init). */
extern u64 paging_cr3;

/* Build the final tables covering physical [0, top) and switch to them. */
void paging_init(u64 top);
/* Map [phys, phys+size) uncached at its identity address and return it. */
void *paging_map_mmio(u64 phys, u64 size);

#endif
