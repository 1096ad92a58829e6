/*
 * What a trap is before kernel/trap.c sees it: the vector numbers of the
 * CPU's exceptions and of the hypervisor's own interrupts, and the
 * register frame kernel/traps.S pushes.  Header only, so that the
 * console (which routes COM1 to its vector) and the panic path (which
 * prints a frame) need nothing of the IDT or the dispatcher above them.
 */
#ifndef KERNEL_TRAPFRAME_H
#define KERNEL_TRAPFRAME_H

#include "lib/types.h"

/* Exception vectors (SDM 3A §6.3.1). */
#define EXC_DE 0
#define EXC_DB 1
#define EXC_NMI 2
#define EXC_BP 3
#define EXC_UD 6
#define EXC_DF 8
#define EXC_TS 10
#define EXC_NP 11
#define EXC_SS 12
#define EXC_GP 13
#define EXC_PF 14
#define EXC_AC 17
#define EXC_MC 18

/* Interrupt vectors of the hypervisor itself. */
#define VEC_TIMER 0x20	    /* LAPIC timer */
#define VEC_COM1 0x30	    /* COM1, through the I/O APIC */
#define VEC_IPI_KICK 0xf0   /* wake a CPU to look at its work */
#define VEC_IPI_NOTIFY 0xf1 /* make a CPU leave its guest, which then takes an interrupt */
#define VEC_SPURIOUS 0xff   /* LAPIC spurious vector (no EOI) */

/* Pushed by traps.S: general registers, then what the CPU pushed. */
struct trap_frame {
	u64 r15, r14, r13, r12, r11, r10, r9, r8;
	u64 rbp, rdi, rsi, rdx, rcx, rbx, rax;
	u64 vector;
	u64 error; /* the CPU's error code, or 0 */
	u64 rip, cs, rflags, rsp, ss;
};
_Static_assert(sizeof(struct trap_frame) == 22 * 8, "traps.S pushes 22 quadwords");

#endif
