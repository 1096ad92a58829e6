/*
 * Starting the application processors (SDM 3A §8.4.4, MP initialisation
 * with INIT-SIPI-SIPI).  The trampoline in boot/trampoline.S is copied
 * to TRAMPOLINE_PHYS and reads struct trampoline_params at its end.
 */
#ifndef KERNEL_SMP_H
#define KERNEL_SMP_H

#include "lib/types.h"

struct trampoline_params {
	u64 cr3;   /* boot page tables (below 4 GiB) */
	u64 efer;  /* EFER value to load (LME, NXE) */
	u64 stack; /* top of the AP's kernel stack */
	u64 entry; /* 64-bit C entry point */
	u64 arg;   /* its argument: the struct percpu */
};

/* Start every CPU the MADT lists; prints "cpus: N online". */
void smp_init(void);

#endif
