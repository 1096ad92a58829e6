/*
 * The local APIC a vCPU sees (Intel SDM vol. 3A chapter 11): the
 * register file of the xAPIC page and of the x2APIC MSRs, interrupt
 * priority (IRR, ISR, TMR, TPR, PPR, EOI), error reporting, the ICR
 * turned into decoded IPIs, and the timer in its three modes, kept as
 * "when did it start, when does it next expire" in guest TSC values.
 * Injecting into the CPU, delivering IPIs and reading the clock are the
 * caller's (vdev/lapic.h says how).
 *
 * Where the SDM leaves a choice, or the model is smaller than hardware:
 *  - the APIC id is read-only in xAPIC mode too (writes are ignored, as
 *    on processors that do not let software change it);
 *  - IA32_APIC_BASE accepts only GUEST_LAPIC_BASE as the base: writing
 *    another one is refused with #GP, as are reserved bits; the BSP bit
 *    keeps the value reset gave it;
 *  - APR and the remote read register read 0; delivery status (ICR, LVT)
 *    always reads idle and LVT remote IRR 0: the model sends at once and
 *    does not deliver LINT0/LINT1 itself;
 *  - no CMCI LVT and no EOI-broadcast suppression (version 0x14, max LVT
 *    entry 5, SVR bit 12 reserved);
 *  - fixed IPIs with the "self" shorthand, and the x2APIC SELF IPI
 *    register, are pended here; every other IPI, "all including self"
 *    too, goes to the ipi hook;
 *  - while software-disabled the APIC refuses new fixed interrupts, but
 *    what IRR already holds stays deliverable (SDM §11.4.7.2: held);
 *  - the timer mode 11b (reserved) counts like one-shot;
 *  - in x2APIC mode, WRMSR with a reserved bit set raises #GP (SDM
 *    §11.12.1.3); in xAPIC mode reserved bits are dropped, and an access
 *    to a reserved register sets ESR "illegal register address".
 */
#include "vdev/lapic.h"
#include "lib/lib.h"
#include "lib/x86.h"
#include "vdev/layout.h"

/* Register offsets in the xAPIC page (SDM §11.4.1, table 11-1). */
#define APIC_ID 0x020
#define APIC_VERSION 0x030
#define APIC_TPR 0x080
#define APIC_APR 0x090
#define APIC_PPR 0x0a0
#define APIC_EOI 0x0b0
#define APIC_RRD 0x0c0
#define APIC_LDR 0x0d0
#define APIC_DFR 0x0e0
#define APIC_SVR 0x0f0
#define APIC_ISR 0x100 /* ISR, TMR, IRR: 8 registers each, 16 bytes apart */
#define APIC_TMR 0x180
#define APIC_IRR 0x200
#define APIC_ESR 0x280
#define APIC_ICR_LOW 0x300
#define APIC_ICR_HIGH 0x310
#define APIC_LVT_FIRST 0x320 /* the LVTs, 16 bytes apart, in the order of enum lvt */
#define APIC_TIMER_INITIAL 0x380
#define APIC_TIMER_CURRENT 0x390
#define APIC_TIMER_DCR 0x3e0
#define APIC_SELF_IPI 0x3f0 /* x2APIC only */
#define APIC_PAGE 0x1000
#define APIC_REG_ALIGN 0xfu /* registers sit at 16-byte aligned offsets */
#define ALL_ONES 0xffffffffu

/* An x2APIC register is MSR 0x800 + its xAPIC offset / 16 (SDM §11.12.1.2, table 11-6). */
#define X2APIC_MSR(offset) (VLAPIC_MSR_X2APIC_FIRST + ((offset) >> 4))
#define X2APIC_OFFSET(msr) (((msr)-VLAPIC_MSR_X2APIC_FIRST) << 4)

enum lvt { LVT_TIMER, LVT_THERMAL, LVT_PERF, LVT_LINT0, LVT_LINT1, LVT_ERROR };

_Static_assert(X2APIC_MSR(APIC_TPR) == 0x808, "x2APIC TPR is MSR 0x808");
_Static_assert(X2APIC_MSR(APIC_ICR_LOW) == 0x830, "x2APIC ICR is MSR 0x830");
_Static_assert(X2APIC_MSR(APIC_LVT_FIRST + 16 * LVT_ERROR) == 0x837, "LVT error is MSR 0x837");
_Static_assert(X2APIC_MSR(APIC_TIMER_DCR) == 0x83e, "x2APIC DCR is MSR 0x83e");
_Static_assert(X2APIC_MSR(APIC_SELF_IPI) == 0x83f, "x2APIC SELF IPI is MSR 0x83f");
_Static_assert(APIC_LVT_FIRST + 16 * VLAPIC_NR_LVT == APIC_TIMER_INITIAL, "six LVTs");
_Static_assert(APIC_ISR + 8 * 16 == APIC_TMR && APIC_TMR + 8 * 16 == APIC_IRR,
	       "ISR, TMR, IRR are 256 bits each");

/* Version register (SDM §11.4.8): version, max LVT entry; bit 24 (EOI suppression) clear. */
#define VERSION_VALUE (VLAPIC_VERSION | (u32)(VLAPIC_NR_LVT - 1) << 16)

#define TPR_BITS 0xffu
#define CLASS(vector) ((vector)&0xf0) /* priority class: a vector's upper 4 bits (§11.8.3) */
#define XAPIC_ID(id) ((id)&0xffu)     /* the xAPIC id is the x2APIC id's low 8 bits */
#define XAPIC_ID_SHIFT 24	      /* in ID and ICR high: bits 31:24 */
#define LDR_XAPIC_ID 0xff000000u      /* xAPIC logical id, bits 31:24 (SDM §11.6.2.2) */
#define LDR_XAPIC_SHIFT 24
#define FLAT_CLUSTER(mda) ((mda) >> 4) /* cluster model: cluster in bits 7:4 of the 8-bit id */
#define FLAT_MEMBERS 0xfu	       /* and one bit per member in bits 3:0 */
#define X2_CLUSTER(ldr) ((ldr) >> 16)  /* logical x2APIC id: cluster in bits 31:16 */
#define X2_MEMBERS 0xffffu	       /* and one bit per member in bits 15:0 */
#define DFR_MODEL 0xf0000000u	       /* model: 1111b flat, 0000b cluster */
#define DFR_FLAT 0xf0000000u
#define DFR_ONES 0x0fffffffu /* the rest reads as ones */
#define ICR_HIGH_DEST 0xff000000u

/* Spurious-interrupt vector register (SDM §11.9, figure 11-23). */
#define SVR_VECTOR 0xffu
#define SVR_ENABLE (1u << 8)   /* APIC software enable */
#define SVR_NO_FOCUS (1u << 9) /* focus processor checking off */
#define SVR_BITS (SVR_VECTOR | SVR_ENABLE | SVR_NO_FOCUS)
#define SVR_RESET 0xffu

/* LVT entries (SDM §11.5.1, figure 11-8). */
#define LVT_VECTOR 0xffu
#define LVT_DM (7u << 8) /* delivery mode */
#define LVT_DM_EXTINT (7u << 8)
#define LVT_BUSY (1u << 12)	  /* delivery status: read-only, always idle here */
#define LVT_POLARITY (1u << 13)	  /* LINT0/1: active low */
#define LVT_REMOTE_IRR (1u << 14) /* LINT0/1: read-only, always 0 here */
#define LVT_LEVEL (1u << 15)	  /* LINT0/1: level-triggered */
#define LVT_MASKED (1u << 16)
#define LVT_TIMER_MODE (3u << 17) /* timer only */
#define TIMER_PERIODIC (1u << 17)
#define TIMER_TSC_DEADLINE (2u << 17)

/* What each LVT keeps of a write. */
static const u32 lvt_bits[VLAPIC_NR_LVT] = {
	[LVT_TIMER] = LVT_VECTOR | LVT_MASKED | LVT_TIMER_MODE,
	[LVT_THERMAL] = LVT_VECTOR | LVT_DM | LVT_MASKED,
	[LVT_PERF] = LVT_VECTOR | LVT_DM | LVT_MASKED,
	[LVT_LINT0] = LVT_VECTOR | LVT_DM | LVT_POLARITY | LVT_LEVEL | LVT_MASKED,
	[LVT_LINT1] = LVT_VECTOR | LVT_DM | LVT_POLARITY | LVT_LEVEL | LVT_MASKED,
	[LVT_ERROR] = LVT_VECTOR | LVT_MASKED,
};

/* ESR bits (SDM §11.5.3, figure 11-9). */
#define ESR_SEND_ILLEGAL_VECTOR (1u << 5)
#define ESR_RECV_ILLEGAL_VECTOR (1u << 6)
#define ESR_ILLEGAL_REGISTER (1u << 7)

/* ICR (SDM §11.6.1, figure 11-12; x2APIC: §11.12.9). */
#define ICR_VECTOR 0xffu
#define ICR_DM_SHIFT 8
#define ICR_DM (7u << ICR_DM_SHIFT)
#define ICR_LOGICAL (1u << 11)
#define ICR_ASSERT (1u << 14)
#define ICR_LEVEL (1u << 15)
#define ICR_SHORTHAND_SHIFT 18
#define ICR_SHORTHAND (3u << ICR_SHORTHAND_SHIFT)
#define ICR_BITS (ICR_VECTOR | ICR_DM | ICR_LOGICAL | ICR_ASSERT | ICR_LEVEL | ICR_SHORTHAND)
/* x2APIC ICR bits that must be 0; bit 12 (no delivery status any more) is ignored. */
#define X2_ICR_RESERVED (0xfff00000ull | 3ull << 16 | 1ull << 13)

/* Divide configuration (SDM §11.5.4, figure 11-10): bits 3 and 1:0. */
#define DCR_BITS 0xbu

#define SELF_IPI_VECTOR 0xffu
#define FIRST_LEGAL_VECTOR 16 /* 0-15 are illegal (SDM §11.5.2) */
#define APIC_BASE_ADDRESS (~(u64)0xfff)

/* ---- state helpers ----------------------------------------------------------- */

bool vlapic_enabled(const struct vlapic *l)
{
	return l->base & APIC_BASE_EN;
}

bool vlapic_x2apic(const struct vlapic *l)
{
	return l->base & APIC_BASE_EXTD;
}

static bool sw_enabled(const struct vlapic *l)
{
	return l->svr & SVR_ENABLE;
}

static void vec_set(u32 *bits, u8 v)
{
	bits[v >> 5] |= 1u << (v & 31);
}

static void vec_clear(u32 *bits, u8 v)
{
	bits[v >> 5] &= ~(1u << (v & 31));
}

static bool vec_test(const u32 *bits, u8 v)
{
	return bits[v >> 5] & (1u << (v & 31));
}

/* The highest vector set, or -1. */
static int vec_highest(const u32 *bits)
{
	for (int i = 7; i >= 0; i--)
		if (bits[i])
			return i * 32 + 31 - __builtin_clz(bits[i]);
	return -1;
}

/* SDM §11.12.10.2: the logical x2APIC id is cluster id[19:4] in bits 31:16, bit id[3:0] below. */
static u32 x2apic_ldr(u32 id)
{
	return ((id >> 4) & 0xffffu) << 16 | 1u << (id & 0xf);
}

/* SDM §11.8.3.1: PPR is TPR when TPR's class is at least the highest in-service one. */
static u8 ppr(const struct vlapic *l)
{
	int isrv = vec_highest(l->isr);
	u8 isr_class = isrv < 0 ? 0 : (u8)CLASS(isrv);
	u8 tpr = (u8)l->tpr;

	return CLASS(tpr) >= isr_class ? tpr : isr_class;
}

/* Accept a fixed interrupt into IRR; TMR says whether it was level-triggered (SDM §11.8.4). */
static void pend(struct vlapic *l, u8 vector, bool level)
{
	vec_set(l->irr, vector);
	if (level)
		vec_set(l->tmr, vector);
	else
		vec_clear(l->tmr, vector);
}

/*
 * SDM §11.5.3: an error is collected for the next ESR write and signalled
 * through LVT error.  An illegal error vector pends nothing.
 */
static void error(struct vlapic *l, u32 esr_bits)
{
	u32 lvt = l->lvt[LVT_ERROR];

	l->esr_pending |= esr_bits;
	if (!(lvt & LVT_MASKED) && (lvt & LVT_VECTOR) >= FIRST_LEGAL_VECTOR)
		pend(l, lvt & LVT_VECTOR, false);
}

bool vlapic_set_irq(struct vlapic *l, u8 vector, bool level_triggered)
{
	if (!vlapic_enabled(l) || !sw_enabled(l))
		return false;
	if (vector < FIRST_LEGAL_VECTOR) {
		error(l, ESR_RECV_ILLEGAL_VECTOR);
		return false;
	}
	pend(l, vector, level_triggered);
	return true;
}

int vlapic_pending(const struct vlapic *l)
{
	int v;

	if (!vlapic_enabled(l))
		return -1;
	v = vec_highest(l->irr);
	if (v < 0 || CLASS(v) <= CLASS(ppr(l)))
		return -1;
	return v;
}

void vlapic_accept(struct vlapic *l, u8 vector)
{
	vec_clear(l->irr, vector);
	vec_set(l->isr, vector);
}

void vlapic_set_tpr(struct vlapic *l, u8 tpr)
{
	l->tpr = tpr;
}

u8 vlapic_tpr(const struct vlapic *l)
{
	return (u8)l->tpr;
}

/* SDM §11.8.5: EOI retires the highest in-service vector; a level-triggered one reaches the I/O
 * APIC. */
static void eoi(struct vlapic *l)
{
	int v = vec_highest(l->isr);

	if (v < 0)
		return;
	vec_clear(l->isr, (u8)v);
	if (vec_test(l->tmr, (u8)v) && l->hooks.eoi)
		l->hooks.eoi(l->hooks.ctx, (u8)v);
}

/* ---- the timer (SDM §11.5.4) -------------------------------------------------- */

static u32 timer_mode(const struct vlapic *l)
{
	return l->lvt[LVT_TIMER] & LVT_TIMER_MODE;
}

/* DCR bits 3,1:0: 000b divides by 2, 001b by 4, ... 110b by 128, 111b by 1. */
static u32 timer_divisor(const struct vlapic *l)
{
	u32 code = (l->timer_dcr >> 1 & 4) | (l->timer_dcr & 3);

	return 1u << ((code + 1) & 7);
}

/* Timer input ticks in one period: at most 2^32 * 128. */
static u64 period_ticks(const struct vlapic *l)
{
	return (u64)l->timer_initial * timer_divisor(l);
}

/* TSC ticks that n timer input ticks take, and back; both round down. */
static u64 tsc_of(const struct vlapic *l, u64 ticks)
{
	return mul_div_u64(ticks, l->tsc_hz, l->timer_hz);
}

static u64 ticks_of(const struct vlapic *l, u64 tsc)
{
	return mul_div_u64(tsc, l->timer_hz, l->tsc_hz);
}

static u64 add_sat(u64 a, u64 b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

/* Input ticks counted into the current period at now (one-shot: capped at the period). */
static u64 ticks_into_period(const struct vlapic *l, u64 now)
{
	u64 t = add_sat(l->timer_done,
			ticks_of(l, now > l->timer_start ? now - l->timer_start : 0));
	u64 p = period_ticks(l);

	return timer_mode(l) == TIMER_PERIODIC ? t % p : MIN(t, p);
}

/* Count (again) from now, with done input ticks of the period already behind. */
static void timer_start(struct vlapic *l, u64 now, u64 done)
{
	l->timer_armed = true;
	l->timer_start = now;
	l->timer_done = done;
	l->timer_next = add_sat(now, tsc_of(l, period_ticks(l) - done));
}

/*
 * Periodic: the first period end strictly after now, in phase with
 * timer_start (ends fall done ticks short of whole periods after it).
 */
static u64 next_period_end(const struct vlapic *l, u64 now)
{
	u64 e = now - l->timer_start; /* now >= timer_next >= timer_start */
	u64 p = period_ticks(l);
	u64 t = ticks_of(l, e + 1); /* the fewest ticks that take more than e TSC ticks */
	u64 k;

	if (tsc_of(l, t) < e + 1)
		t++;
	k = add_sat(t, l->timer_done + p - 1) / p;
	return add_sat(l->timer_start, tsc_of(l, k * p - l->timer_done));
}

static void timer_stop(struct vlapic *l)
{
	l->timer_armed = false;
	l->tsc_deadline = 0;
}

void vlapic_timer_update(struct vlapic *l, u64 now)
{
	u32 lvt = l->lvt[LVT_TIMER];

	if (timer_mode(l) == TIMER_TSC_DEADLINE) {
		if (!l->tsc_deadline || now < l->tsc_deadline)
			return;
		l->tsc_deadline = 0; /* SDM §11.5.4.1: fires once, then reads 0 */
	} else {
		if (!l->timer_armed || now < l->timer_next)
			return;
		if (timer_mode(l) == TIMER_PERIODIC)
			l->timer_next = next_period_end(l, now); /* missed periods pend once */
		else
			l->timer_armed = false;
	}
	if (lvt & LVT_MASKED)
		return;
	if ((lvt & LVT_VECTOR) < FIRST_LEGAL_VECTOR)
		error(l, ESR_RECV_ILLEGAL_VECTOR);
	else
		pend(l, lvt & LVT_VECTOR, false);
}

u64 vlapic_timer_deadline(const struct vlapic *l)
{
	if (timer_mode(l) == TIMER_TSC_DEADLINE)
		return l->tsc_deadline;
	if (!l->timer_armed)
		return 0;
	/* 0 says "not running"; TSC 0 is in the past for a running guest anyway. */
	return l->timer_next ? l->timer_next : 1;
}

static u32 timer_current(const struct vlapic *l, u64 now)
{
	u64 t;

	if (!l->timer_armed) /* stopped, expired one-shot, TSC-deadline mode (§11.5.4.1) */
		return 0;
	t = ticks_into_period(l, now);
	if (t >= period_ticks(l))
		return 0;
	return l->timer_initial - (u32)(t / timer_divisor(l));
}

/* Writing the initial count restarts the count; 0 stops it.  Ignored in TSC-deadline mode. */
static void write_timer_initial(struct vlapic *l, u32 count, u64 now)
{
	if (timer_mode(l) == TIMER_TSC_DEADLINE)
		return;
	l->timer_initial = count;
	timer_stop(l);
	if (count)
		timer_start(l, now, 0);
}

/* A new divider applies from now on: the counts already done stay done. */
static void write_timer_dcr(struct vlapic *l, u32 dcr, u64 now)
{
	u64 counted = l->timer_armed ? ticks_into_period(l, now) / timer_divisor(l) : 0;

	l->timer_dcr = dcr & DCR_BITS;
	if (l->timer_armed)
		timer_start(l, now, counted * timer_divisor(l));
}

static void write_lvt(struct vlapic *l, enum lvt i, u32 value)
{
	value &= lvt_bits[i];
	if (!sw_enabled(l))
		value |= LVT_MASKED; /* SDM §11.4.7.2: no unmasking while software-disabled */
	if (i == LVT_TIMER && ((value ^ l->lvt[i]) & LVT_TIMER_MODE)) {
		/*
		 * SDM §11.5.4.1: a write that changes the timer mode disarms
		 * the timer.  The initial count goes too, so that both count
		 * registers read 0, as for any stopped timer.
		 */
		timer_stop(l);
		l->timer_initial = 0;
	}
	l->lvt[i] = value;
}

static void write_tsc_deadline(struct vlapic *l, u64 deadline, u64 now)
{
	if (timer_mode(l) != TIMER_TSC_DEADLINE)
		return;		    /* SDM §11.5.4.1: ignored in the other modes */
	l->tsc_deadline = deadline; /* 0 disarms */
	vlapic_timer_update(l, now);
}

/* ---- IPIs (SDM §11.6) ---------------------------------------------------------- */

static void send_ipi(struct vlapic *l, u32 icr, u32 dest)
{
	struct vlapic_ipi m = {
		.vector = (u8)(icr & ICR_VECTOR),
		.mode = (u8)((icr & ICR_DM) >> ICR_DM_SHIFT),
		.shorthand = (u8)((icr & ICR_SHORTHAND) >> ICR_SHORTHAND_SHIFT),
		.logical = icr & ICR_LOGICAL,
		.level_assert = icr & ICR_ASSERT,
		.level_trigger = icr & ICR_LEVEL,
		.dest = dest,
	};

	switch (m.mode) {
	case VLAPIC_DM_FIXED:
	case VLAPIC_DM_LOWEST:
		if (m.vector < FIRST_LEGAL_VECTOR) {
			error(l, ESR_SEND_ILLEGAL_VECTOR);
			return;
		}
		if (m.mode == VLAPIC_DM_FIXED && m.shorthand == VLAPIC_SH_SELF) {
			vlapic_set_irq(l, m.vector, false);
			return;
		}
		break;
	case VLAPIC_DM_INIT:
		if (m.level_trigger && !m.level_assert)
			m.mode = VLAPIC_DM_INIT_DEASSERT;
		break;
	case VLAPIC_DM_SMI:
	case VLAPIC_DM_NMI:
	case VLAPIC_DM_STARTUP:
		break;
	default: /* 011b and 111b are reserved: nothing is sent */
		return;
	}
	if (l->hooks.ipi)
		l->hooks.ipi(l->hooks.ctx, &m);
}

/* SDM §11.12.11: the x2APIC SELF IPI register, a fixed edge-triggered IPI to this APIC. */
static void self_ipi(struct vlapic *l, u8 vector)
{
	if (vector < FIRST_LEGAL_VECTOR)
		error(l, ESR_SEND_ILLEGAL_VECTOR);
	else
		vlapic_set_irq(l, vector, false);
}

bool vlapic_match_dest(const struct vlapic *l, u32 dest, bool logical)
{
	u32 ldr;

	if (!vlapic_enabled(l))
		return false;
	if (vlapic_x2apic(l)) {
		/* SDM §11.12.10: 0xffffffff is the broadcast; logical is the cluster model. */
		if (dest == VLAPIC_X2_BROADCAST)
			return true;
		if (!logical)
			return dest == l->id;
		ldr = x2apic_ldr(l->id);
		return X2_CLUSTER(dest) == X2_CLUSTER(ldr) && (dest & ldr & X2_MEMBERS);
	}
	dest = XAPIC_ID(dest);
	if (!logical) /* SDM §11.6.2.1 */
		return dest == VLAPIC_BROADCAST || dest == XAPIC_ID(l->id);
	ldr = l->ldr >> LDR_XAPIC_SHIFT;
	if ((l->dfr & DFR_MODEL) == DFR_FLAT) /* SDM §11.6.2.2: flat, a bitwise AND */
		return dest & ldr;
	/* Cluster: the cluster in bits 7:4 and a member bit below; all ones reaches everyone. */
	return dest == VLAPIC_BROADCAST ||
	       (FLAT_CLUSTER(dest) == FLAT_CLUSTER(ldr) && (dest & ldr & FLAT_MEMBERS));
}

bool vlapic_lint0_extint(const struct vlapic *l)
{
	u32 lvt = l->lvt[LVT_LINT0];

	if (!vlapic_enabled(l))
		return true;
	return !(lvt & LVT_MASKED) && (lvt & LVT_DM) == LVT_DM_EXTINT;
}

/* ---- the register file ------------------------------------------------------------ */

/* Index of offset in a block of n registers 16 bytes apart from first, or -1. */
static int block_index(u32 offset, u32 first, u32 n)
{
	return offset >= first && offset < first + 16 * n ? (int)((offset - first) >> 4) : -1;
}

static void write_svr(struct vlapic *l, u32 value)
{
	l->svr = value & SVR_BITS;
	if (sw_enabled(l))
		return;
	for (int i = 0; i < VLAPIC_NR_LVT;
	     i++) /* SDM §11.4.7.2: software disable masks every LVT */
		l->lvt[i] |= LVT_MASKED;
}

/*
 * Read the register at offset (16-byte aligned, in the page): 0, or -1
 * when the current mode has no register there.  The x2APIC ICR is
 * 64 bits wide; every other register 32.
 */
static int reg_read(struct vlapic *l, u32 offset, u64 now, u64 *value)
{
	bool x2 = vlapic_x2apic(l);
	int i;

	switch (offset) {
	case APIC_ID: /* SDM §11.4.6; x2APIC: §11.12.1.3 */
		*value = x2 ? l->id : XAPIC_ID(l->id) << XAPIC_ID_SHIFT;
		return 0;
	case APIC_VERSION:
		*value = VERSION_VALUE;
		return 0;
	case APIC_TPR:
		*value = l->tpr;
		return 0;
	case APIC_PPR:
		*value = ppr(l);
		return 0;
	case APIC_APR: /* neither APR nor the remote read register exist in x2APIC mode */
	case APIC_RRD:
	case APIC_EOI: /* write-only: reads 0 in xAPIC mode, #GP in x2APIC mode */
		*value = 0;
		return x2 ? -1 : 0;
	case APIC_LDR:
		*value = x2 ? x2apic_ldr(l->id) : l->ldr;
		return 0;
	case APIC_DFR:
		*value = l->dfr;
		return x2 ? -1 : 0;
	case APIC_SVR:
		*value = l->svr;
		return 0;
	case APIC_ESR:
		*value = l->esr;
		return 0;
	case APIC_ICR_LOW: /* delivery status (bit 12) always idle */
		*value = x2 ? (u64)l->icr_high << 32 | l->icr_low : l->icr_low;
		return 0;
	case APIC_ICR_HIGH:
		*value = l->icr_high;
		return x2 ? -1 : 0;
	case APIC_TIMER_INITIAL:
		*value = l->timer_initial;
		return 0;
	case APIC_TIMER_CURRENT:
		*value = timer_current(l, now);
		return 0;
	case APIC_TIMER_DCR:
		*value = l->timer_dcr;
		return 0;
	}
	if ((i = block_index(offset, APIC_ISR, 8)) >= 0)
		*value = l->isr[i];
	else if ((i = block_index(offset, APIC_TMR, 8)) >= 0)
		*value = l->tmr[i];
	else if ((i = block_index(offset, APIC_IRR, 8)) >= 0)
		*value = l->irr[i];
	else if ((i = block_index(offset, APIC_LVT_FIRST, VLAPIC_NR_LVT)) >= 0)
		*value = l->lvt[i];
	else
		return -1; /* reserved, CMCI, SELF IPI (write-only in x2APIC, absent in xAPIC) */
	return 0;
}

/* Registers that only read: writes are ignored in xAPIC mode, #GP in x2APIC mode. */
static bool read_only(u32 offset)
{
	switch (offset) {
	case APIC_ID:
	case APIC_VERSION:
	case APIC_PPR:
	case APIC_TIMER_CURRENT:
		return true;
	}
	return block_index(offset, APIC_ISR, 3 * 8) >= 0; /* ISR, TMR, IRR */
}

/* In x2APIC mode, the bits a write to a 32-bit register may set (SDM §11.12.1.3). */
static u32 x2apic_writable(u32 offset)
{
	int i = block_index(offset, APIC_LVT_FIRST, VLAPIC_NR_LVT);

	if (i >= 0) /* read-only status bits are not reserved: reading back and writing is fine */
		return lvt_bits[i] | LVT_BUSY |
		       (i == LVT_LINT0 || i == LVT_LINT1 ? LVT_REMOTE_IRR : 0);
	switch (offset) {
	case APIC_TPR:
		return TPR_BITS;
	case APIC_SVR:
		return SVR_BITS;
	case APIC_TIMER_INITIAL:
		return ALL_ONES;
	case APIC_TIMER_DCR:
		return DCR_BITS;
	case APIC_SELF_IPI:
		return SELF_IPI_VECTOR;
	}
	return 0; /* EOI, ESR: only 0 may be written */
}

/*
 * Write the register at offset: 0, or -1 when the current mode has no
 * such writable register or (x2APIC) the value sets reserved bits.
 * Read-only registers in xAPIC mode ignore the write and return 0.
 */
static int reg_write(struct vlapic *l, u32 offset, u64 value, u64 now)
{
	bool x2 = vlapic_x2apic(l);
	u32 v = (u32)value;
	int i;

	if (read_only(offset))
		return x2 ? -1 : 0;
	if (x2 && offset == APIC_ICR_LOW) {
		if (value & X2_ICR_RESERVED)
			return -1;
	} else if (x2) {
		switch (offset) {
		case APIC_APR:
		case APIC_RRD:
		case APIC_LDR: /* read-only in x2APIC mode */
		case APIC_DFR:
		case APIC_ICR_HIGH:
			return -1;
		}
		if (value & ~(u64)x2apic_writable(offset))
			return -1;
	}

	switch (offset) {
	case APIC_TPR:
		l->tpr = v & TPR_BITS;
		return 0;
	case APIC_APR:
	case APIC_RRD:
		return 0;
	case APIC_EOI: /* xAPIC: any value */
		eoi(l);
		return 0;
	case APIC_LDR:
		l->ldr = v & LDR_XAPIC_ID;
		return 0;
	case APIC_DFR:
		l->dfr = (v & DFR_MODEL) | DFR_ONES;
		return 0;
	case APIC_SVR:
		write_svr(l, v);
		return 0;
	case APIC_ESR: /* SDM §11.5.3: the write latches the errors since the previous one */
		l->esr = l->esr_pending;
		l->esr_pending = 0;
		return 0;
	case APIC_ICR_LOW:
		l->icr_low = v & ICR_BITS;
		if (x2)
			l->icr_high = (u32)(value >> 32);
		send_ipi(l, l->icr_low, x2 ? l->icr_high : l->icr_high >> XAPIC_ID_SHIFT);
		return 0;
	case APIC_ICR_HIGH:
		l->icr_high = v & ICR_HIGH_DEST;
		return 0;
	case APIC_TIMER_INITIAL:
		write_timer_initial(l, v, now);
		return 0;
	case APIC_TIMER_DCR:
		write_timer_dcr(l, v, now);
		return 0;
	case APIC_SELF_IPI:
		if (!x2)
			return -1;
		self_ipi(l, (u8)(v & SELF_IPI_VECTOR));
		return 0;
	}
	if ((i = block_index(offset, APIC_LVT_FIRST, VLAPIC_NR_LVT)) >= 0) {
		write_lvt(l, (enum lvt)i, v);
		return 0;
	}
	return -1;
}

/* ---- the two interfaces ------------------------------------------------------------ */

u32 vlapic_mmio_read(struct vlapic *l, u32 offset, u64 now)
{
	u64 v;

	if (!vlapic_enabled(l) || vlapic_x2apic(l))
		return ALL_ONES; /* SDM §11.12.2: the page is not the APIC's then */
	if (offset >= APIC_PAGE || (offset & APIC_REG_ALIGN))
		return 0;
	vlapic_timer_update(l, now);
	if (reg_read(l, offset, now, &v) < 0) {
		error(l, ESR_ILLEGAL_REGISTER);
		return 0;
	}
	return (u32)v;
}

void vlapic_mmio_write(struct vlapic *l, u32 offset, u32 value, u64 now)
{
	if (!vlapic_enabled(l) || vlapic_x2apic(l) || offset >= APIC_PAGE ||
	    (offset & APIC_REG_ALIGN))
		return;
	vlapic_timer_update(l, now);
	if (reg_write(l, offset, value, now) < 0)
		error(l, ESR_ILLEGAL_REGISTER);
}

bool vlapic_owns_msr(u32 msr)
{
	return msr == MSR_IA32_APIC_BASE || msr == VLAPIC_MSR_TSC_DEADLINE ||
	       (msr >= VLAPIC_MSR_X2APIC_FIRST && msr <= VLAPIC_MSR_X2APIC_LAST);
}

int vlapic_msr_read(struct vlapic *l, u32 msr, u64 now, u64 *value)
{
	*value = 0;
	vlapic_timer_update(l, now);
	if (msr == MSR_IA32_APIC_BASE) {
		*value = l->base;
		return 0;
	}
	if (msr == VLAPIC_MSR_TSC_DEADLINE) {
		*value = l->tsc_deadline; /* 0 unless armed in TSC-deadline mode */
		return 0;
	}
	/* SDM §11.12.2: the x2APIC MSRs exist in x2APIC mode only. */
	if (!vlapic_x2apic(l) || msr < VLAPIC_MSR_X2APIC_FIRST || msr > VLAPIC_MSR_X2APIC_LAST)
		return -1;
	return reg_read(l, X2APIC_OFFSET(msr), now, value) < 0 ? -1 : 0;
}

/* Power-on register state (SDM §11.4.7.1); the id, IA32_APIC_BASE and the caller's setup stay. */
static void registers_reset(struct vlapic *l)
{
	struct vlapic keep = *l;

	*l = (struct vlapic){
		.id = keep.id,
		.tsc_hz = keep.tsc_hz,
		.timer_hz = keep.timer_hz,
		.hooks = keep.hooks,
		.base = keep.base,
		.svr = SVR_RESET,
		.dfr = DFR_FLAT | DFR_ONES,
	};
	for (int i = 0; i < VLAPIC_NR_LVT; i++)
		l->lvt[i] = LVT_MASKED;
}

/*
 * IA32_APIC_BASE (SDM §11.4.4, and the state machine of §11.12.5.1):
 * disabled, xAPIC and x2APIC; EXTD without EN is invalid, x2APIC goes
 * back to xAPIC only through disabled, disabled goes to x2APIC only
 * through xAPIC.  Disabling loses the register state (§11.4.3).
 */
static int write_apic_base(struct vlapic *l, u64 value)
{
	bool en = value & APIC_BASE_EN, extd = value & APIC_BASE_EXTD;
	bool was_en = vlapic_enabled(l), was_x2 = vlapic_x2apic(l);

	if ((value & ~(APIC_BASE_BSP | APIC_BASE_EXTD | APIC_BASE_EN)) != GUEST_LAPIC_BASE)
		return -1; /* reserved bits, or a base the model does not move to */
	if ((extd && !en) || (was_x2 && en && !extd) || (!was_en && extd))
		return -1;
	l->base = (l->base & APIC_BASE_BSP) | (value & ~APIC_BASE_BSP);
	if (was_en && !en)
		registers_reset(l);
	return 0;
}

int vlapic_msr_write(struct vlapic *l, u32 msr, u64 value, u64 now)
{
	vlapic_timer_update(l, now);
	if (msr == MSR_IA32_APIC_BASE)
		return write_apic_base(l, value);
	if (msr == VLAPIC_MSR_TSC_DEADLINE) {
		write_tsc_deadline(l, value, now);
		return 0;
	}
	if (!vlapic_x2apic(l) || msr < VLAPIC_MSR_X2APIC_FIRST || msr > VLAPIC_MSR_X2APIC_LAST)
		return -1;
	return reg_write(l, X2APIC_OFFSET(msr), value, now);
}

void vlapic_reset(struct vlapic *l, u32 apic_id, bool bsp, u64 tsc_hz, u64 timer_hz,
		  const struct vlapic_hooks *h)
{
	*l = (struct vlapic){
		.id = apic_id,
		.tsc_hz = tsc_hz,
		.timer_hz = timer_hz,
		.base = GUEST_LAPIC_BASE | APIC_BASE_EN | (bsp ? APIC_BASE_BSP : 0),
	};
	if (h)
		l->hooks = *h;
	registers_reset(l);
}

void vlapic_init_signal(struct vlapic *l)
{
	registers_reset(l); /* SDM §11.4.7.3; in x2APIC mode it stays (§11.12.5.1) */
}
