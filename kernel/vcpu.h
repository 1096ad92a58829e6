/*
 * A virtual CPU: the guest's general registers (saved and restored by
 * the vendor's world-switch stub), the vendor's control structure
 * (VMCS or VMCB) and the vendor-neutral names of the guest registers
 * that kernel/ may read and write through the vendor contract.
 */
#ifndef KERNEL_VCPU_H
#define KERNEL_VCPU_H

#include "kernel/types.h"

struct partition;

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
	VREG_CR3,
	VREG_CR4, /* as the guest sees it */
	VREG_EFER,
	VREG_CS_BASE,
	VREG_CS_SEL,
	VREG_CS_ATTR, /* in the VMX access-rights layout: type 0-3, S 4, DPL 5-6, P 7, L 13, D 14, G
			 15 */
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

#define VIRQ_PENDING 0x100u
#define VCPU_EXIT_KINDS 16 /* room for every enum exit_kind (kernel/exit.h checks) */

struct vcpu {
	struct guest_regs regs; /* first: the stubs address it at offset 0 */
	struct partition *partition;
	u32 id;			    /* VPID on VMX (never 0) */
	void *vmcs;		    /* VMCS or VMCB (virtual address) */
	u64 vmcs_phys;		    /* its physical address */
	u64 host_save_phys;	    /* SVM: where VMSAVE keeps this vCPU's host state */
	bool launched;		    /* VMX: VMLAUNCH done, use VMRESUME */
	u32 last_cpu;		    /* index of the CPU it last ran on */
	u64 exits[VCPU_EXIT_KINDS]; /* VM exits taken, by enum exit_kind */
	/* Guest time (SET_TIMER hypercall, docs/hypercalls.md). */
	u64 timer_deadline; /* time_ns() at which to raise timer_vector; 0: none */
	u8 timer_vector;
	u16 pending_irq; /* VIRQ_PENDING | vector: waiting for the guest to take it */
	bool halted;	 /* executed HLT: runs again at its next event */
};

#endif
