/*
 * A virtual CPU: the guest's general registers (saved and restored by
 * the vendor's world-switch stub), the vendor's control structure
 * (VMCS or VMCB) and the vendor-neutral names of the guest registers
 * that kernel/ may read and write through the vendor contract.
 */
#ifndef KERNEL_VCPU_H
#define KERNEL_VCPU_H

#include "kernel/runq.h"
#include "lib/types.h"
#include "lib/x86.h"
#include "vdev/lapic.h"

struct partition;

/*
 * Initial state of a vCPU: 32-bit protected mode, paging off, flat 4 GiB
 * segments, interrupts off; the other general registers zero.  The
 * fields left zero give the Multiboot state (Multiboot 0.6.96 §3.2: CS
 * 0x08, data 0x10, no GDT); the Linux 32-bit boot protocol sets all of
 * them (kernel/linux.c).
 */
struct vcpu_boot_state {
	u32 eip;
	u32 eax;
	u32 ebx;
	u32 esi;
	u16 cs;	      /* 0: VCPU_BOOT_CS */
	u16 ds;	      /* DS, ES, SS, FS and GS; 0: VCPU_BOOT_DS */
	u32 gdt_base; /* GDTR, guest-physical; 0 with gdt_limit 0: none */
	u16 gdt_limit;
	/*
	 * Real mode instead, as a STARTUP IPI leaves a CPU (SDM 3A §10.4.4):
	 * CS = cs with base cs * 16, IP = eip, every segment a 64 KiB one,
	 * CR0.PE clear; the fields above but eip and cs do not count.
	 */
	bool real;
};

#define VCPU_BOOT_CS 0x08
#define VCPU_BOOT_DS 0x10

static inline u16 vcpu_boot_cs(const struct vcpu_boot_state *s)
{
	return s->cs ? s->cs : VCPU_BOOT_CS;
}

static inline u16 vcpu_boot_ds(const struct vcpu_boot_state *s)
{
	return s->ds ? s->ds : VCPU_BOOT_DS;
}

/* General registers, in the order the world-switch stubs save them. */
struct guest_regs {
	u64 rax, rcx, rdx, rbx, rsp_unused, rbp, rsi, rdi;
	u64 r8, r9, r10, r11, r12, r13, r14, r15;
};

/* Registers held by the vendor structure, reached through virt->get/set. */
enum vreg {
	VREG_RIP,
	VREG_RSP,
	VREG_RFLAGS,
	VREG_CR0, /* as the guest sees it (read shadow on VMX) */
	/*
	 * Set only: the CR0 the guest reads, without changing the CR0 the CPU
	 * runs with (VMX: the read shadow alone).  After a MOV to CR0 that
	 * exited because of a bit the host owns, the common handler sets this
	 * and lets the guest run the instruction again: it no longer exits,
	 * and the CPU itself does the rest (paging, long mode, PDPTEs).
	 */
	VREG_CR0_SHADOW,
	VREG_CR3,
	VREG_CR4, /* as the guest sees it */
	VREG_EFER,
	VREG_CS_BASE,
	VREG_CS_SEL,
	VREG_CS_ATTR, /* in the VMX access-rights layout: type 0-3, S 4, DPL 5-6, P 7, L 13, D 14, G
			 15 */
	VREG_ES_BASE,
	VREG_SS_BASE,
	VREG_DS_BASE,
	VREG_FS_BASE,
	VREG_GS_BASE,
	VREG_KERNEL_GS_BASE,
	VREG_SYSENTER_CS,
	VREG_SYSENTER_ESP,
	VREG_SYSENTER_EIP,
	VREG_STAR,
	VREG_LSTAR,
	VREG_CSTAR,
	VREG_SFMASK,
	VREG_PAT,
	VREG_CPL, /* read only: the current privilege level, 0-3 */
	VREG_TPR, /* CR8: the task priority, 0-15 (never the host's) */
	VREG_DR6, /* the debug status register */
	VREG_CR2, /* the page-fault linear address */
	VREG_COUNT,
};

/* Segment attribute bits of VREG_CS_ATTR (VMX access-rights layout, SDM 3C §25.4.1). */
#define SEG_ATTR_TYPE 0xfu
#define SEG_ATTR_S (1u << 4)
#define SEG_ATTR_P (1u << 7)
#define SEG_ATTR_L (1u << 13)
#define SEG_ATTR_D (1u << 14)
#define SEG_ATTR_G (1u << 15)
#define SEG_ATTR_UNUSABLE (1u << 16)

/* Guest execution mode, decided from CR0.PE, EFER.LMA and CS.L/D. */
enum guest_mode {
	GUEST_REAL,
	GUEST_PROTECTED16,
	GUEST_PROTECTED32,
	GUEST_LONG64,
};

/*
 * The mode code runs in, from CR0, EFER (LMA) and CS's attributes in the
 * VMX layout (SEG_ATTR_L, SEG_ATTR_D); virtual-8086 code is 16-bit.
 */
static inline enum guest_mode guest_mode_of(u64 cr0, u64 efer, u64 cs_attr)
{
	if (!(cr0 & CR0_PE))
		return GUEST_REAL;
	if ((efer & EFER_LMA) && (cs_attr & SEG_ATTR_L))
		return GUEST_LONG64;
	return (cs_attr & SEG_ATTR_D) ? GUEST_PROTECTED32 : GUEST_PROTECTED16;
}

#define VIRQ_PENDING 0x100u
#define VCPU_EXIT_KINDS 20 /* room for every enum exit_kind (kernel/vmexit.h checks) */

/*
 * Register state the VMCS or VMCB does not switch, kept per vCPU by
 * kernel/xstate.c and loaded on a CPU only while that vCPU owns it:
 * the x87/SSE/AVX registers (an XSAVE or FXSAVE image), XCR0, and the
 * debug address registers DR0-DR3.
 */
struct vcpu_xstate {
	u8 *area;  /* XSAVE/FXSAVE image, 64-byte aligned (one frame) */
	u64 xcr0;  /* as the guest set it with XSETBV; 1 at reset */
	u64 dr[4]; /* DR0-DR3 */
};

struct vcpu {
	struct guest_regs regs; /* first: the stubs address it at offset 0 */
	struct partition *partition;
	u32 index;	    /* its place in the partition: 0 boots, the others wait for SIPI */
	u32 id;		    /* VPID on VMX (never 0) */
	void *vmcs;	    /* VMCS or VMCB (virtual address) */
	u64 vmcs_phys;	    /* its physical address */
	u64 host_save_phys; /* SVM: where VMSAVE keeps this vCPU's host state */
	bool launched;	    /* VMX: VMLAUNCH done, use VMRESUME */
	u8 tpr;		    /* VMX: the guest's CR8 (SVM keeps it in the VMCB) */
	bool lme_deferred;  /* SVM: EFER.LME set by the guest, not yet in the VMCB */
	u32 last_cpu;	    /* index of the CPU it last ran on */
	u64 exits[VCPU_EXIT_KINDS]; /* VM exits taken, by enum exit_kind */
	/* Guest time (SET_TIMER hypercall, docs/hypercalls.md). */
	u64 timer_deadline; /* time_ns() at which to raise timer_vector; 0: none */
	u8 timer_vector;
	u16 pending_irq; /* VIRQ_PENDING | vector: waiting for the guest to take it */
	u16 cut_irq;	 /* VIRQ_PENDING | vector: an interrupt whose delivery an exit cut short */
	bool halted;	 /* executed HLT: runs again at its next event */
	bool halted_if;	 /* RFLAGS.IF at that HLT: a device's interrupt wakes it only then */
	struct vcpu_xstate xstate;

	/*
	 * Scheduling (kernel/sched.c).  A vCPU stays on the CPU it was placed
	 * on, and everything that touches its VMCS or VMCB happens there:
	 * other CPUs ask through requests and the kick IPI.
	 */
	struct runq_entity entity; /* its place in its CPU's run queue */
	u32 requests;		   /* SCHED_REQ_* from other CPUs, for its own CPU */
	bool paused;		   /* blocked by a pause request until a resume request */
	bool in_guest;		   /* between its CPU's last look at the partition and the exit */
	bool retired;		   /* the partition stopped: its VMCS and FPU state are gone */
	u32 life;		   /* the partition's life it was last reset for */

	/* Its local APIC and the signals it takes (kernel/platform.c, under the platform lock). */
	struct vlapic lapic;
	bool irq_check;	   /* something changed that may give it an interrupt to take */
	bool wait_sipi;	   /* after the load or an INIT, a vCPU but 0 waits for STARTUP */
	bool init_pending; /* an INIT IPI came: its CPU resets it */
	bool sipi_pending; /* a STARTUP IPI came while it waited: start at sipi_vector:0000 */
	u8 sipi_vector;
};

#endif
