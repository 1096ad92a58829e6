/*
 * Per-CPU state: each physical CPU has a struct percpu reached through
 * GS, with its own GDT, TSS and interrupt stacks.  cpu_setup() gives a
 * CPU its descriptor tables; smp.c calls it on every application
 * processor, and loads the shared IDT (trap_load()) right after.
 */
#ifndef KERNEL_CPU_H
#define KERNEL_CPU_H

#include "lib/types.h"
#include "lib/x86.h"

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
	/*
	 * TSC value at which the running guest's slice ends: it leaves this
	 * CPU at its first exit from then on.  cpu_end_slice() sets it to
	 * now (the slice timer fired, the guest yielded or halted).  Checked at
	 * every exit, so that a guest that exits often leaves on time even if
	 * the timer's interrupt waits (as under Bochs, docs/scheduling.md).
	 */
	volatile u64 slice_end;
	volatile bool in_guest;	  /* running a vCPU: kernel/sched.c run(), for the watchdog */
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
 * A field of this CPU's struct percpu, read with one GS-relative load.
 * The value's type drops the field's qualifiers (a cast does): a volatile
 * local would be stored to the stack and read back.
 */
#define this_cpu_read(field)                                                                       \
	({                                                                                         \
		__typeof__((__typeof__(((struct percpu *)0)->field))0) v_;                         \
		__asm__ volatile("mov %%gs:%c1, %0"                                                \
				 : "=r"(v_)                                                        \
				 : "i"(__builtin_offsetof(struct percpu, field)));                 \
		v_;                                                                                \
	})

/* End the running guest's slice at its next exit. */
static inline void cpu_end_slice(void)
{
	this_cpu()->slice_end = rdtsc();
}

/*
 * Is the running guest's slice over?  Compared in 32 bits, wrap-safe:
 * slice_end is never more than one slice (10 ms, far below 2^31 TSC
 * ticks) away from the time of the check.
 */
static inline bool cpu_slice_over(void)
{
	return (s32)((u32)rdtsc() - (u32)this_cpu_read(slice_end)) >= 0;
}

/*
 * Load this CPU's GDT, TSS and GS base.  ist is the base of
 * 3 * IST_STACK_SIZE bytes of stacks.  The caller loads the IDT next
 * (trap_load()).
 */
void cpu_setup(struct percpu *c, u32 index, u32 apic_id, u8 *ist);

#endif
