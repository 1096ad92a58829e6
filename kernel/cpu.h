/*
 * Per-CPU state: each physical CPU has a struct percpu reached through
 * GS, with its own GDT, TSS and interrupt stacks.  cpu_setup() gives a
 * CPU its descriptor tables; smp.c calls it on every application
 * processor.
 */
#ifndef KERNEL_CPU_H
#define KERNEL_CPU_H

#include "kernel/types.h"

struct vcpu;

#define MAX_CPUS 64
#define KSTACK_SIZE 16384
#define IST_STACK_SIZE 8192

/* Interrupt stack table slots (TSS.IST1..3); SDM 3A §6.14.5. */
#define IST_NMI 1
#define IST_DF 2
#define IST_MC 3

struct tss {
	u32 reserved0;
	u64 rsp[3];
	u64 reserved1;
	u64 ist[7];
	u64 reserved2;
	u16 reserved3;
	u16 iomap_base;
} PACKED;
_Static_assert(sizeof(struct tss) == 104, "64-bit TSS (SDM 3A §8.7)");

struct percpu {
	struct percpu *self; /* %gs:0, so this_cpu() is one load */
	u32 index;	     /* 0 = boot CPU */
	u32 apic_id;
	u64 stack_top;
	volatile bool online;
	/* The running partition must give up this CPU at its next exit (slice over, yield). */
	volatile bool need_resched;
	struct vcpu *vcpu_loaded; /* whose VMCS/VMCB is current here (backends' business) */
	u64 gdt[6] __attribute__((aligned(16)));
	struct tss tss __attribute__((aligned(16)));
};

extern struct percpu percpus[MAX_CPUS];
extern u32 cpus_online;

static inline struct percpu *this_cpu(void)
{
	struct percpu *p;
	__asm__ volatile("movq %%gs:0, %0" : "=r"(p));
	return p;
}

/*
 * Load this CPU's GDT, TSS, IDT and GS base.  ist is the base of
 * 3 * IST_STACK_SIZE bytes of stacks.
 */
void cpu_setup(struct percpu *c, u32 index, u32 apic_id, u8 *ist);
/* Stop this CPU for good (interrupts off, halt loop). */
NORETURN void cpu_stop(void);

#endif
