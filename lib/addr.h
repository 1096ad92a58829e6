/*
 * The hypervisor's address space in two lines: RAM is identity-mapped
 * (a physical address is its own virtual address), and the image also
 * runs in the higher half at KERNEL_VMA (boot/boot.h).  kernel/paging.c
 * builds the tables that make this true.
 */
#ifndef LIB_ADDR_H
#define LIB_ADDR_H

#include "boot/boot.h"
#include "lib/types.h"

static inline void *phys_to_virt(u64 phys)
{
	/* Hide the constant from GCC, which would warn about small "pointers". */
	__asm__("" : "+r"(phys));
	return (void *)(uintptr_t)phys;
}

static inline u64 virt_to_phys(const void *v)
{
	u64 a = (u64)(uintptr_t)v;
	return a >= KERNEL_VMA ? a - KERNEL_VMA : a;
}

#endif
