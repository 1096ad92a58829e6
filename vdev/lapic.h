/*
 * The local APIC of one vCPU (Intel SDM vol. 3A chapter 11), in xAPIC
 * mode (a 4 KiB MMIO page at IA32_APIC_BASE) and x2APIC mode (MSRs
 * 0x800-0x8ff), with its timer in one-shot, periodic and TSC-deadline
 * modes.  A pure model: registers in struct vlapic, accesses as calls.
 *
 * What it leaves to the caller:
 *  - time: the model never reads a clock; every call that depends on it
 *    takes now, the guest's TSC.  The caller asks vlapic_timer_deadline()
 *    when to come back and calls vlapic_timer_update() then;
 *  - the CPU: vlapic_pending() says which vector to inject,
 *    vlapic_accept() that it was injected; CR8 is kept in step through
 *    vlapic_set_tpr() / vlapic_tpr();
 *  - the other vCPUs and the I/O APIC: IPIs leave through the ipi hook,
 *    level-triggered EOIs through the eoi hook; the caller resolves
 *    destinations with vlapic_match_dest() and delivers with
 *    vlapic_set_irq() (or its own NMI/INIT/SIPI/SMI handling);
 *  - locking: nothing here is thread-safe, the caller holds a lock.
 *    Hooks are called last in an access, with the model consistent, so
 *    a hook may call back into the same vlapic (an IPI to all including
 *    self, an I/O APIC that re-asserts a level line on EOI).
 */
#ifndef VDEV_LAPIC_H
#define VDEV_LAPIC_H

#include "lib/types.h"

#define VLAPIC_MSR_TSC_DEADLINE 0x6e0u /* IA32_TSC_DEADLINE */
#define VLAPIC_MSR_X2APIC_FIRST 0x800u /* x2APIC registers: 0x800 + MMIO offset / 16 */
#define VLAPIC_MSR_X2APIC_LAST 0x8ffu
#define VLAPIC_VERSION 0x14u   /* integrated APIC, as Linux's "modern APIC" test wants */
#define VLAPIC_NR_LVT 6	       /* timer, thermal, perf, LINT0, LINT1, error: max LVT 5 */
#define VLAPIC_BROADCAST 0xffu /* xAPIC physical (and flat logical) broadcast */
#define VLAPIC_X2_BROADCAST 0xffffffffu

/* ICR delivery modes (SDM §11.6.1), as the ipi hook gets them. */
enum vlapic_delivery {
	VLAPIC_DM_FIXED = 0,
	VLAPIC_DM_LOWEST = 1,
	VLAPIC_DM_SMI = 2,
	VLAPIC_DM_NMI = 4,
	VLAPIC_DM_INIT = 5,
	VLAPIC_DM_STARTUP = 6,
	/* INIT with trigger level and level de-assert: not an ICR code, the model's decoding. */
	VLAPIC_DM_INIT_DEASSERT = 8,
};

/* ICR destination shorthands (SDM §11.6.1, bits 19:18). */
enum vlapic_shorthand {
	VLAPIC_SH_NONE = 0,
	VLAPIC_SH_SELF = 1,
	VLAPIC_SH_ALL = 2, /* all including self */
	VLAPIC_SH_ALL_BUT_SELF = 3,
};

/* One IPI the guest asked for through the ICR, decoded. */
struct vlapic_ipi {
	u8 vector;	    /* fixed, lowest priority: the vector; startup: the page */
	u8 mode;	    /* enum vlapic_delivery */
	u8 shorthand;	    /* enum vlapic_shorthand */
	bool logical;	    /* destination mode logical (else physical) */
	bool level_assert;  /* ICR bit 14 */
	bool level_trigger; /* ICR bit 15 */
	u32 dest; /* 8 bits in xAPIC mode, 32 in x2APIC mode; meaningless with a shorthand */
};

struct vlapic_hooks {
	/* EOI of a level-triggered vector (its TMR bit was set): the I/O APIC clears remote IRR. */
	void (*eoi)(void *ctx, u8 vector);
	/* An ICR write, except fixed IPIs to self, which the model pends itself. */
	void (*ipi)(void *ctx, const struct vlapic_ipi *m);
	void *ctx;
};

struct vlapic {
	/* Fixed by the caller at reset. */
	u32 id; /* the x2APIC id; the xAPIC id is its low 8 bits */
	u64 tsc_hz;
	u64 timer_hz; /* what the timer counts before its divider */
	struct vlapic_hooks hooks;

	u64 base; /* IA32_APIC_BASE */
	u32 tpr;
	u32 svr;
	u32 ldr; /* xAPIC mode; x2APIC derives its LDR from id */
	u32 dfr;
	u32 esr;	 /* what ESR reads: latched at the last ESR write */
	u32 esr_pending; /* errors since the last ESR write */
	u32 icr_low;
	u32 icr_high; /* xAPIC: destination in bits 31:24; x2APIC: the 32-bit destination */
	u32 isr[8];
	u32 tmr[8];
	u32 irr[8];
	u32 lvt[VLAPIC_NR_LVT];

	/* The timer (SDM §11.5.4). */
	u32 timer_initial;
	u32 timer_dcr;
	bool timer_armed; /* one-shot or periodic count in progress */
	u64 timer_start;  /* TSC when the count (re)started */
	u64 timer_done;	  /* input ticks of the current period already counted at timer_start */
	u64 timer_next;	  /* TSC of the next expiry while armed */
	u64 tsc_deadline; /* IA32_TSC_DEADLINE while armed in TSC-deadline mode, else 0 */
};

/*
 * Power-on state (SDM §11.4.7.1): enabled in xAPIC mode at
 * GUEST_LAPIC_BASE, software-disabled, every LVT masked.  tsc_hz is what
 * now counts per second, timer_hz what the timer counts per second
 * before its divider (both non-zero).  h may be NULL: no hooks.
 */
void vlapic_reset(struct vlapic *l, u32 apic_id, bool bsp, u64 tsc_hz, u64 timer_hz,
		  const struct vlapic_hooks *h);
/* An INIT (SDM §11.4.7.3): registers as at power-on; id, IA32_APIC_BASE and the mode stay. */
void vlapic_init_signal(struct vlapic *l);

/*
 * xAPIC MMIO: a 32-bit access at offset (from the APIC base) in the
 * page.  Registers sit at 16-byte aligned offsets; an access at any
 * other offset reads 0 and writes nothing.  A reserved register reads 0,
 * ignores writes and sets "illegal register address" in ESR.  In x2APIC
 * mode, or while the APIC is disabled, the page reads all-ones and
 * ignores writes.
 */
u32 vlapic_mmio_read(struct vlapic *l, u32 offset, u64 now);
void vlapic_mmio_write(struct vlapic *l, u32 offset, u32 value, u64 now);

/* Does the model answer this MSR: IA32_APIC_BASE (0x1b), IA32_TSC_DEADLINE, 0x800-0x8ff? */
bool vlapic_owns_msr(u32 msr);
/* RDMSR / WRMSR of an MSR it owns: 0, or -1 when the guest gets #GP (nothing changed). */
int vlapic_msr_read(struct vlapic *l, u32 msr, u64 now, u64 *value);
int vlapic_msr_write(struct vlapic *l, u32 msr, u64 value, u64 now);

/* IA32_APIC_BASE: globally enabled (bit 11); in x2APIC mode (bit 10). */
bool vlapic_enabled(const struct vlapic *l);
bool vlapic_x2apic(const struct vlapic *l);

/*
 * A fixed interrupt from outside (I/O APIC, another vCPU's IPI): sets
 * its IRR bit, and its TMR bit when level-triggered (cleared when edge).
 * Returns false, with nothing pended, for a vector below 16 (ESR
 * "received illegal vector") or while the APIC is disabled, globally or
 * by software.
 */
bool vlapic_set_irq(struct vlapic *l, u8 vector, bool level_triggered);
/* The vector the CPU should take now (SDM §11.8.3.1), or -1. */
int vlapic_pending(const struct vlapic *l);
/* The CPU took vector (what vlapic_pending() said): IRR -> ISR. */
void vlapic_accept(struct vlapic *l, u8 vector);

/* The whole 8-bit TPR; CR8 is TPR[7:4] (SDM §11.8.6). */
void vlapic_set_tpr(struct vlapic *l, u8 tpr);
u8 vlapic_tpr(const struct vlapic *l);

/*
 * The TSC value at which the timer next expires, or 0 when it is not
 * running.  Reported even while the timer's LVT is masked (it runs, its
 * expiry pends nothing).
 */
u64 vlapic_timer_deadline(const struct vlapic *l);
/* Expire the timer if its deadline is at or before now. */
void vlapic_timer_update(struct vlapic *l, u64 now);

/*
 * Is this APIC a destination of dest (SDM §11.6.2): physical: its id or
 * the broadcast; logical: flat or cluster model after DFR and LDR in
 * xAPIC mode, the cluster model in x2APIC mode.  dest is 8 bits in xAPIC
 * mode, 32 in x2APIC mode.  False while the APIC is globally disabled.
 */
bool vlapic_match_dest(const struct vlapic *l, u32 dest, bool logical);

/*
 * Does the 8259's INTR reach this CPU: LVT LINT0 unmasked in ExtINT
 * mode (virtual wire), or the APIC globally disabled (LINT0 is then the
 * CPU's INTR pin: SDM vol. 3A, "External Interrupts")?
 */
bool vlapic_lint0_extint(const struct vlapic *l);

#endif
