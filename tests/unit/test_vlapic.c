/*
 * Unit tests of vdev/lapic.c, the local APIC a vCPU sees, driven as a
 * guest would drive it (MMIO offsets and MSR numbers from the SDM, not
 * from the model's own tables) with a pretend caller behind the hooks:
 * reset values, the xAPIC and x2APIC register maps and their #GP rules,
 * IA32_APIC_BASE transitions, interrupt priority and EOI, ESR, the timer
 * in its three modes against a pretend TSC, the ICR decoded into the
 * ipi hook, and destination matching.
 */
/* unit-sources: vdev/lapic.c */
#include "tests/unit/unit.h"

#include <string.h>

#include "vdev/lapic.h"

/* xAPIC offsets (SDM vol. 3A table 11-1). */
#define ID 0x020
#define VER 0x030
#define TPR 0x080
#define APR 0x090
#define PPR 0x0a0
#define EOI 0x0b0
#define LDR 0x0d0
#define DFR 0x0e0
#define SVR 0x0f0
#define ISR0 0x100
#define TMR0 0x180
#define IRR0 0x200
#define ESR 0x280
#define CMCI 0x2f0
#define ICR_LO 0x300
#define ICR_HI 0x310
#define LVT_TIMER 0x320
#define LVT_THERMAL 0x330
#define LVT_PERF 0x340
#define LVT_LINT0 0x350
#define LVT_LINT1 0x360
#define LVT_ERROR 0x370
#define TIMER_INIT 0x380
#define TIMER_CUR 0x390
#define TIMER_DCR 0x3e0
#define SELF_IPI 0x3f0

#define MSR_BASE 0x1b
#define MSR_DEADLINE 0x6e0
#define X2(offset) (0x800u + ((offset) >> 4))

#define BASE_BSP 0x100ull
#define BASE_X2 0x400ull
#define BASE_EN 0x800ull
#define LAPIC 0xfee00000ull

#define MASKED 0x10000u
#define PERIODIC 0x20000u
#define DEADLINE_MODE 0x40000u
#define SVR_ON 0x100u

/* The pretend machine: 3 TSC ticks per timer input tick. */
#define TSC_HZ 3000000000ull
#define TIMER_HZ 1000000000ull

static struct vlapic l;
static u64 now;

/* What the hooks saw. */
static u8 eois[16];
static unsigned neoi;
static struct vlapic_ipi ipis[16];
static unsigned nipi;
static bool repend_on_eoi; /* the eoi hook re-asserts the line, as a still-high I/O APIC pin */

static void on_eoi(void *ctx, u8 vector)
{
	assert_ptr_equal(ctx, &l);
	if (neoi < 16)
		eois[neoi++] = vector;
	if (repend_on_eoi)
		vlapic_set_irq(&l, vector, true);
}

static void on_ipi(void *ctx, const struct vlapic_ipi *m)
{
	assert_ptr_equal(ctx, &l);
	if (nipi < 16)
		ipis[nipi++] = *m;
}

static const struct vlapic_hooks hooks = { .eoi = on_eoi, .ipi = on_ipi, .ctx = &l };

static void reset_as(u32 id, bool bsp)
{
	vlapic_reset(&l, id, bsp, TSC_HZ, TIMER_HZ, &hooks);
}

static int setup(void **state)
{
	(void)state;
	reset_as(3, true);
	now = 1000;
	neoi = nipi = 0;
	repend_on_eoi = false;
	memset(ipis, 0, sizeof(ipis));
	return 0;
}

static u32 rd(u32 offset)
{
	return vlapic_mmio_read(&l, offset, now);
}

static void wr(u32 offset, u32 value)
{
	vlapic_mmio_write(&l, offset, value, now);
}

static u64 mrd(u32 msr)
{
	u64 v = 0xdead;

	assert_int_equal(vlapic_msr_read(&l, msr, now, &v), 0);
	return v;
}

static void mwr(u32 msr, u64 value)
{
	assert_int_equal(vlapic_msr_write(&l, msr, value, now), 0);
}

static bool msr_faults(u32 msr)
{
	u64 v;

	return vlapic_msr_read(&l, msr, now, &v) < 0;
}

static bool wrmsr_faults(u32 msr, u64 value)
{
	return vlapic_msr_write(&l, msr, value, now) < 0;
}

static void enable(void)
{
	wr(SVR, SVR_ON | 0xff);
}

static void to_x2apic(void)
{
	mwr(MSR_BASE, LAPIC | BASE_EN | BASE_X2 | BASE_BSP);
	assert_true(vlapic_x2apic(&l));
}

static bool irr_has(u8 v)
{
	return rd(IRR0 + (v >> 5) * 16) & (1u << (v & 31));
}

/* The CPU takes what the APIC offers: the vector, or -1. */
static int take(void)
{
	int v = vlapic_pending(&l);

	if (v >= 0)
		vlapic_accept(&l, (u8)v);
	return v;
}

/* Latch ESR and read it (the write-then-read protocol of SDM §11.5.3). */
static u32 esr(void)
{
	wr(ESR, 0);
	return rd(ESR);
}

/* ---- reset and INIT ------------------------------------------------------------- */

static void test_reset_values(void **state)
{
	(void)state;
	assert_int_equal(rd(ID), 3u << 24);
	assert_int_equal(rd(VER),
			 0x00050014); /* version 0x14, max LVT entry 5, no EOI suppression */
	assert_int_equal(rd(TPR), 0);
	assert_int_equal(rd(PPR), 0);
	assert_int_equal(rd(LDR), 0);
	assert_int_equal(rd(DFR), 0xffffffff);
	assert_int_equal(rd(SVR), 0xff);
	for (u32 i = 0; i < 8; i++) {
		assert_int_equal(rd(ISR0 + 16 * i), 0);
		assert_int_equal(rd(TMR0 + 16 * i), 0);
		assert_int_equal(rd(IRR0 + 16 * i), 0);
	}
	assert_int_equal(rd(ESR), 0);
	assert_int_equal(rd(ICR_LO), 0);
	assert_int_equal(rd(ICR_HI), 0);
	for (u32 off = LVT_TIMER; off <= LVT_ERROR; off += 16)
		assert_int_equal(rd(off), MASKED);
	assert_int_equal(rd(TIMER_INIT), 0);
	assert_int_equal(rd(TIMER_CUR), 0);
	assert_int_equal(rd(TIMER_DCR), 0);
	assert_int_equal(mrd(MSR_BASE), LAPIC | BASE_EN | BASE_BSP);
	assert_true(vlapic_enabled(&l));
	assert_false(vlapic_x2apic(&l));
	assert_int_equal(vlapic_timer_deadline(&l), 0);
	assert_int_equal(vlapic_pending(&l), -1);

	reset_as(7, false); /* an AP: no BSP bit */
	assert_int_equal(mrd(MSR_BASE), LAPIC | BASE_EN);
	assert_int_equal(rd(ID), 7u << 24);
}

static void test_init_keeps_id_and_mode(void **state)
{
	(void)state;
	reset_as(0x123, false);
	to_x2apic();
	mwr(X2(SVR), SVR_ON | 0xff);
	mwr(X2(TPR), 0x40);
	mwr(X2(LVT_LINT0), 0x700);
	mwr(X2(TIMER_INIT), 1000);
	vlapic_set_irq(&l, 0x80, false);

	vlapic_init_signal(&l);
	assert_true(vlapic_x2apic(&l)); /* SDM §11.12.5.1: INIT keeps x2APIC mode */
	assert_int_equal(mrd(MSR_BASE), LAPIC | BASE_EN | BASE_X2);
	assert_int_equal(mrd(X2(ID)), 0x123);
	assert_int_equal(mrd(X2(TPR)), 0);
	assert_int_equal(mrd(X2(SVR)), 0xff);
	assert_int_equal(mrd(X2(LVT_LINT0)), MASKED);
	assert_int_equal(mrd(X2(TIMER_INIT)), 0);
	assert_int_equal(mrd(X2(IRR0 + 0x40)), 0);
	assert_int_equal(vlapic_timer_deadline(&l), 0);
}

/* ---- the xAPIC page ----------------------------------------------------------- */

static void test_xapic_register_writes(void **state)
{
	(void)state;
	enable();
	assert_int_equal(rd(SVR), 0x1ff);
	wr(TPR, 0xffffffff);
	assert_int_equal(rd(TPR), 0xff);
	wr(LDR, 0x12345678);
	assert_int_equal(rd(LDR), 0x12000000);
	wr(DFR, 0);
	assert_int_equal(rd(DFR), 0x0fffffff); /* cluster model; the rest reads ones */
	wr(SVR, 0xffffffff);
	assert_int_equal(rd(SVR), 0x3ff); /* vector, enable, focus; no EOI suppression */
	wr(ICR_HI, 0xffffffff);
	assert_int_equal(rd(ICR_HI), 0xff000000);
	wr(TIMER_DCR, 0xff);
	assert_int_equal(rd(TIMER_DCR), 0xb);
	wr(LVT_LINT0, 0xffffffff);
	assert_int_equal(rd(LVT_LINT0), 0x1a7ff); /* no delivery status, no remote IRR */
	wr(LVT_LINT1, 0xffffffff);
	assert_int_equal(rd(LVT_LINT1), 0x1a7ff);
	wr(LVT_THERMAL, 0xffffffff);
	assert_int_equal(rd(LVT_THERMAL), 0x107ff);
	wr(LVT_PERF, 0xffffffff);
	assert_int_equal(rd(LVT_PERF), 0x107ff);
	wr(LVT_ERROR, 0xffffffff);
	assert_int_equal(rd(LVT_ERROR), 0x100ff);
	wr(LVT_TIMER, 0xffffffff);
	assert_int_equal(rd(LVT_TIMER), 0x700ff);
	/* Read-only registers keep their value; write-only EOI reads 0; APR reads 0. */
	wr(ID, 0x55000000);
	assert_int_equal(rd(ID), 3u << 24);
	wr(VER, 0);
	assert_int_equal(rd(VER), 0x00050014);
	wr(PPR, 0xff);
	assert_int_equal(rd(PPR), 0xff); /* it is TPR, 0xff */
	assert_int_equal(rd(EOI), 0);
	assert_int_equal(rd(APR), 0);
	assert_int_equal(esr(), 0); /* none of that was an error */
}

static void test_xapic_reserved_offsets(void **state)
{
	(void)state;
	enable();
	/* Not a register's first dword: reads 0, writes nothing, no error. */
	wr(TPR + 4, 0x55);
	assert_int_equal(rd(TPR + 4), 0);
	assert_int_equal(rd(TPR), 0);
	assert_int_equal(esr(), 0);
	/* Reserved registers: CMCI (max LVT 5), SELF IPI (x2APIC only), past the map. */
	assert_int_equal(rd(CMCI), 0);
	assert_int_equal(esr(), 0x80);
	wr(SELF_IPI, 0x40);
	assert_false(irr_has(0x40));
	assert_int_equal(esr(), 0x80);
	assert_int_equal(rd(0x400), 0);
	assert_int_equal(esr(), 0x80);
	assert_int_equal(esr(), 0);
}

static void test_mmio_outside_xapic_mode(void **state)
{
	(void)state;
	enable();
	wr(TPR, 0x20);
	to_x2apic();
	assert_int_equal(rd(TPR), 0xffffffff); /* the page is not the APIC's */
	assert_int_equal(rd(ID), 0xffffffff);
	wr(TPR, 0x30);
	assert_int_equal(mrd(X2(TPR)), 0x20);
	mwr(MSR_BASE, LAPIC);
	assert_false(vlapic_enabled(&l));
	assert_int_equal(rd(SVR), 0xffffffff);
}

/* ---- x2APIC MSRs ----------------------------------------------------------------- */

static void test_x2apic_register_map(void **state)
{
	(void)state;
	reset_as(0x123, true);
	to_x2apic();
	mwr(X2(SVR), SVR_ON | 0xff);
	assert_int_equal(mrd(0x802), 0x123); /* the full id */
	assert_int_equal(mrd(0x803), 0x00050014);
	assert_int_equal(mrd(0x80d), 0x00120008); /* cluster 0x12, member bit 3 */
	mwr(0x808, 0x35);
	assert_int_equal(mrd(0x808), 0x35);
	assert_int_equal(mrd(0x80a), 0x35);
	assert_int_equal(mrd(0x80f), 0x1ff);
	vlapic_set_irq(&l, 0x61, true);
	assert_int_equal(mrd(0x823), 1u << 1); /* IRR bits 96-127 */
	assert_int_equal(mrd(0x81b), 1u << 1); /* TMR */
	assert_int_equal(take(), 0x61);
	assert_int_equal(mrd(0x813), 1u << 1); /* ISR */
	assert_int_equal(mrd(0x823), 0);
	mwr(0x832, 0x20);
	assert_int_equal(mrd(0x832), 0x20);
	mwr(0x835, 0x700);
	assert_int_equal(mrd(0x835), 0x700);
	mwr(0x837, 0xfe);
	assert_int_equal(mrd(0x837), 0xfe);
	mwr(0x83e, 0xb);
	assert_int_equal(mrd(0x83e), 0xb);
	mwr(0x838, 500);
	assert_int_equal(mrd(0x838), 500);
	assert_int_equal(mrd(0x839), 500);
	mwr(0x828, 0);
	assert_int_equal(mrd(0x828), 0);
	mwr(0x80b, 0); /* EOI */
	assert_int_equal(mrd(0x813), 0);
}

static void test_x2apic_gp_rules(void **state)
{
	(void)state;
	to_x2apic();
	/* Write-only registers do not read. */
	assert_true(msr_faults(X2(EOI)));
	assert_true(msr_faults(X2(SELF_IPI)));
	/* Read-only registers do not write. */
	static const u32 ro[] = { X2(ID),   X2(VER),	     X2(PPR),  X2(LDR),
				  X2(ISR0), X2(TMR0 + 0x70), X2(IRR0), X2(TIMER_CUR) };
	for (unsigned i = 0; i < sizeof(ro) / sizeof(ro[0]); i++)
		assert_true(wrmsr_faults(ro[i], 0));
	/* MSRs with no register: reserved, APR, remote read, DFR, CMCI, ICR high. */
	static const u32 none[] = { 0x800, 0x801, 0x804, 0x809, 0x80c, 0x80e,
				    0x82f, 0x831, 0x83a, 0x840, 0x8ff };
	for (unsigned i = 0; i < sizeof(none) / sizeof(none[0]); i++) {
		assert_true(msr_faults(none[i]));
		assert_true(wrmsr_faults(none[i], 0));
	}
	/* EOI and ESR take only 0. */
	assert_true(wrmsr_faults(X2(EOI), 1));
	assert_true(wrmsr_faults(X2(ESR), 1));
	/* Reserved bits (SDM §11.12.1.3), and nothing changes. */
	mwr(X2(TPR), 0x20);
	assert_true(wrmsr_faults(X2(TPR), 0x120));
	assert_true(wrmsr_faults(X2(TPR), 1ull << 32 | 0x30));
	assert_int_equal(mrd(X2(TPR)), 0x20);
	assert_true(wrmsr_faults(X2(SVR), 0x1000 | 0x1ff)); /* EOI suppression is not offered */
	assert_int_equal(mrd(X2(SVR)), 0xff);
	assert_true(wrmsr_faults(X2(TIMER_DCR), 0x4));
	assert_true(wrmsr_faults(X2(LVT_ERROR), 0x700)); /* no delivery mode in LVT error */
	assert_true(wrmsr_faults(X2(SELF_IPI), 0x140));
	assert_true(wrmsr_faults(X2(ICR_LO), 1ull << 13 | 0x40));
	assert_true(wrmsr_faults(X2(ICR_LO), 1ull << 20 | 0x40));
	assert_int_equal(nipi, 0);
	/* ICR bit 12 (delivery status in xAPIC) is ignored; LVT read-back values are writable. */
	mwr(X2(ICR_LO), 1ull << 12 | 0x40);
	assert_int_equal(nipi, 1);
	mwr(X2(LVT_LINT0), mrd(X2(LVT_LINT0)) | 0x5000);
}

static void test_x2apic_msrs_only_in_x2apic_mode(void **state)
{
	(void)state;
	assert_true(msr_faults(X2(ID)));
	assert_true(msr_faults(X2(TPR)));
	assert_true(wrmsr_faults(X2(TPR), 0));
	assert_true(vlapic_owns_msr(0x1b));
	assert_true(vlapic_owns_msr(0x6e0));
	assert_true(vlapic_owns_msr(0x800));
	assert_true(vlapic_owns_msr(0x8ff));
	assert_false(vlapic_owns_msr(0x900));
	assert_false(vlapic_owns_msr(0x10));
}

/* ---- IA32_APIC_BASE --------------------------------------------------------------- */

static void test_apic_base_transitions(void **state)
{
	(void)state;
	/* xAPIC: reserved bits, a moved base, EXTD without EN. */
	assert_true(wrmsr_faults(MSR_BASE, LAPIC | BASE_EN | 1));
	assert_true(wrmsr_faults(MSR_BASE, LAPIC | BASE_EN | 0x200));
	assert_true(wrmsr_faults(MSR_BASE, 0xfed00000 | BASE_EN));
	assert_true(wrmsr_faults(MSR_BASE, LAPIC | 1ull << 40 | BASE_EN));
	assert_true(wrmsr_faults(MSR_BASE, LAPIC | BASE_X2));
	assert_int_equal(mrd(MSR_BASE), LAPIC | BASE_EN | BASE_BSP);
	/* The BSP bit is the model's. */
	mwr(MSR_BASE, LAPIC | BASE_EN);
	assert_int_equal(mrd(MSR_BASE), LAPIC | BASE_EN | BASE_BSP);
	/* xAPIC -> x2APIC; x2APIC -> xAPIC is illegal; x2APIC -> disabled. */
	to_x2apic();
	assert_true(wrmsr_faults(MSR_BASE, LAPIC | BASE_EN));
	assert_true(wrmsr_faults(MSR_BASE, LAPIC | BASE_X2));
	assert_true(vlapic_x2apic(&l));
	mwr(MSR_BASE, LAPIC | BASE_EN | BASE_X2); /* rewriting the same state is fine */
	mwr(MSR_BASE, LAPIC);
	assert_false(vlapic_enabled(&l));
	assert_false(vlapic_x2apic(&l));
	/* disabled -> x2APIC is illegal; disabled -> xAPIC -> x2APIC is the way. */
	assert_true(wrmsr_faults(MSR_BASE, LAPIC | BASE_EN | BASE_X2));
	assert_false(vlapic_enabled(&l));
	mwr(MSR_BASE, LAPIC | BASE_EN);
	assert_true(vlapic_enabled(&l));
	assert_false(vlapic_x2apic(&l));
	to_x2apic();
}

static void test_disable_loses_state(void **state)
{
	(void)state;
	enable();
	wr(TPR, 0x20);
	wr(LDR, 0x01000000);
	wr(LVT_LINT0, 0x700);
	wr(TIMER_INIT, 1000);
	vlapic_set_irq(&l, 0x80, false);
	mwr(MSR_BASE, LAPIC);
	/* Disabled: no interrupts, no destination, the 8259 reaches the CPU directly. */
	assert_false(vlapic_set_irq(&l, 0x81, false));
	assert_int_equal(vlapic_pending(&l), -1);
	assert_false(vlapic_match_dest(&l, 3, false));
	assert_false(vlapic_match_dest(&l, 0xff, false));
	assert_true(vlapic_lint0_extint(&l));
	assert_int_equal(vlapic_timer_deadline(&l), 0);
	/* Enabled again: the power-on state, same id. */
	mwr(MSR_BASE, LAPIC | BASE_EN);
	assert_int_equal(rd(ID), 3u << 24);
	assert_int_equal(rd(TPR), 0);
	assert_int_equal(rd(LDR), 0);
	assert_int_equal(rd(SVR), 0xff);
	assert_int_equal(rd(LVT_LINT0), MASKED);
	assert_int_equal(rd(TIMER_INIT), 0);
	assert_false(irr_has(0x80));
}

/* ---- priority, EOI ------------------------------------------------------------------- */

static void test_tpr_masks_classes(void **state)
{
	(void)state;
	enable();
	assert_true(vlapic_set_irq(&l, 0x51, false));
	vlapic_set_tpr(&l, 0x50);
	assert_int_equal(rd(TPR), 0x50);
	assert_int_equal(vlapic_pending(&l), -1); /* same class as TPR: held */
	wr(TPR, 0x4f);
	assert_int_equal(vlapic_tpr(&l), 0x4f);
	assert_int_equal(vlapic_pending(&l), 0x51);
	vlapic_set_tpr(&l, 0x60);
	assert_int_equal(vlapic_pending(&l), -1);
	vlapic_set_tpr(&l, 0);
	assert_int_equal(take(), 0x51);
	assert_int_equal(vlapic_pending(&l), -1);
}

static void test_ppr(void **state)
{
	(void)state;
	enable();
	vlapic_set_irq(&l, 0x25, false);
	assert_int_equal(take(), 0x25);
	wr(TPR, 0x35);
	assert_int_equal(rd(PPR), 0x35); /* TPR's class is higher: all of TPR */
	wr(TPR, 0x15);
	assert_int_equal(rd(PPR), 0x20); /* the in-service class, low bits 0 */
	wr(TPR, 0x2a);
	assert_int_equal(rd(PPR), 0x2a); /* same class: TPR */
	wr(EOI, 0);
	assert_int_equal(rd(PPR), 0x2a);
}

static void test_nesting_and_eoi_order(void **state)
{
	(void)state;
	enable();
	vlapic_set_irq(&l, 0x40, false);
	assert_int_equal(take(), 0x40);
	assert_int_equal(rd(ISR0 + 0x20), 1u << 0); /* ISR bits 64-95 */
	vlapic_set_irq(&l, 0x45, false);
	assert_int_equal(vlapic_pending(&l), -1); /* same class waits */
	vlapic_set_irq(&l, 0x61, false);
	assert_int_equal(take(), 0x61); /* a higher class preempts */
	assert_int_equal(rd(PPR), 0x60);
	assert_int_equal(vlapic_pending(&l), -1);
	wr(EOI, 0); /* retires 0x61, the highest in service */
	assert_int_equal(rd(ISR0 + 0x30), 0);
	assert_int_equal(rd(ISR0 + 0x20), 1u << 0);
	assert_int_equal(vlapic_pending(&l), -1); /* 0x40 still in service */
	wr(EOI, 0);
	assert_int_equal(take(), 0x45);
	wr(EOI, 0);
	assert_int_equal(rd(ISR0 + 0x20), 0);
	wr(EOI, 0); /* nothing in service: nothing happens */
	assert_int_equal(neoi, 0);
}

static void test_highest_first(void **state)
{
	(void)state;
	enable();
	vlapic_set_irq(&l, 0x30, false);
	vlapic_set_irq(&l, 0x90, false);
	vlapic_set_irq(&l, 0x9f, false);
	vlapic_set_irq(&l, 0x50, false);
	assert_int_equal(take(), 0x9f);
	assert_int_equal(vlapic_pending(&l), -1); /* 0x90 waits for 0x9f's class */
	wr(EOI, 0);
	assert_int_equal(take(), 0x90);
	wr(EOI, 0);
	assert_int_equal(take(), 0x50);
	wr(EOI, 0);
	assert_int_equal(take(), 0x30);
	wr(EOI, 0);
	assert_int_equal(take(), -1);
}

static void test_level_eoi_hook(void **state)
{
	(void)state;
	enable();
	vlapic_set_irq(&l, 0x70, true);
	vlapic_set_irq(&l, 0x71, false);
	assert_int_equal(rd(TMR0 + 0x30), 1u << 16);
	assert_int_equal(take(), 0x71);
	wr(EOI, 0);
	assert_int_equal(neoi, 0); /* edge: the I/O APIC hears nothing */
	assert_int_equal(take(), 0x70);
	wr(EOI, 0);
	assert_int_equal(neoi, 1);
	assert_int_equal(eois[0], 0x70);
	/* An edge interrupt on the same vector clears its TMR bit. */
	vlapic_set_irq(&l, 0x70, false);
	assert_int_equal(rd(TMR0 + 0x30), 0);
	assert_int_equal(take(), 0x70);
	wr(EOI, 0);
	assert_int_equal(neoi, 1);
}

static void test_eoi_hook_may_reassert(void **state)
{
	(void)state;
	enable();
	repend_on_eoi = true;
	vlapic_set_irq(&l, 0x70, true);
	assert_int_equal(take(), 0x70);
	wr(EOI, 0);
	assert_int_equal(neoi, 1);
	assert_int_equal(rd(ISR0 + 0x30), 0);
	assert_int_equal(vlapic_pending(&l), 0x70); /* pended again by the hook, deliverable */
}

static void test_software_disabled_refuses_fixed(void **state)
{
	(void)state;
	assert_false(vlapic_set_irq(&l, 0x40, false)); /* SVR enable clear at reset */
	assert_false(irr_has(0x40));
	enable();
	assert_true(vlapic_set_irq(&l, 0x40, false));
	wr(SVR, 0xff);
	assert_int_equal(vlapic_pending(&l), 0x40); /* held, still deliverable */
	assert_false(vlapic_set_irq(&l, 0x50, false));
}

/* ---- errors ---------------------------------------------------------------------------- */

static void test_illegal_vector(void **state)
{
	(void)state;
	enable();
	assert_false(vlapic_set_irq(&l, 15, false));
	assert_int_equal(rd(IRR0), 0);
	assert_int_equal(vlapic_pending(&l), -1);
	assert_int_equal(esr(), 0x40); /* received illegal vector */
	assert_true(vlapic_set_irq(&l, 16, false));
	assert_int_equal(rd(IRR0), 1u << 16);
	assert_int_equal(esr(), 0);
}

static void test_esr_write_latch(void **state)
{
	(void)state;
	enable();
	vlapic_set_irq(&l, 3, false);
	assert_int_equal(rd(ESR), 0); /* not latched yet */
	wr(ESR, 0x12345678);	      /* the value written does not matter */
	assert_int_equal(rd(ESR), 0x40);
	assert_int_equal(rd(ESR), 0x40); /* reading does not clear */
	wr(ICR_LO, 0x05);		 /* send illegal vector, after the latch */
	assert_int_equal(rd(ESR), 0x40);
	wr(ESR, 0);
	assert_int_equal(rd(ESR), 0x20);
	wr(ESR, 0);
	assert_int_equal(rd(ESR), 0);
}

static void test_error_lvt_interrupt(void **state)
{
	(void)state;
	enable();
	wr(LVT_ERROR, 0xfe);
	vlapic_set_irq(&l, 2, false);
	assert_int_equal(vlapic_pending(&l), 0xfe);
	assert_int_equal(take(), 0xfe);
	wr(EOI, 0);
	wr(LVT_ERROR, MASKED | 0xfe);
	rd(CMCI);
	assert_int_equal(vlapic_pending(&l), -1);
	assert_int_equal(esr(), 0xc0); /* both errors collected */
}

static void test_lvt_masked_while_software_disabled(void **state)
{
	(void)state;
	wr(LVT_TIMER, 0x20); /* software-disabled since reset */
	assert_int_equal(rd(LVT_TIMER), MASKED | 0x20);
	wr(LVT_LINT0, 0x700);
	assert_int_equal(rd(LVT_LINT0), MASKED | 0x700);
	enable();
	wr(LVT_TIMER, 0x20);
	wr(LVT_LINT0, 0x700);
	wr(LVT_ERROR, 0xfe);
	assert_int_equal(rd(LVT_TIMER), 0x20);
	wr(SVR, 0xff); /* software disable masks them all */
	for (u32 off = LVT_TIMER; off <= LVT_ERROR; off += 16)
		assert_true(rd(off) & MASKED);
	assert_int_equal(rd(LVT_LINT0), MASKED | 0x700);
	enable(); /* and they stay masked */
	assert_int_equal(rd(LVT_TIMER), MASKED | 0x20);
}

/* ---- the timer ----------------------------------------------------------------------- */

static void test_timer_one_shot(void **state)
{
	(void)state;
	enable();
	wr(LVT_TIMER, 0x30);
	wr(TIMER_INIT, 1000); /* divide by 2 (DCR 0): 2000 ticks, 6000 TSC */
	assert_int_equal(vlapic_timer_deadline(&l), 1000 + 6000);
	assert_int_equal(rd(TIMER_CUR), 1000);
	now += 5;
	assert_int_equal(rd(TIMER_CUR), 1000); /* 1 tick and a bit: not one count yet */
	now += 1;
	assert_int_equal(rd(TIMER_CUR), 999);
	now = 1000 + 3000;
	assert_int_equal(rd(TIMER_CUR), 500);
	now = 1000 + 5999;
	vlapic_timer_update(&l, now);
	assert_false(irr_has(0x30));
	now = 1000 + 6000;
	vlapic_timer_update(&l, now);
	assert_true(irr_has(0x30));
	assert_int_equal(vlapic_timer_deadline(&l), 0); /* one-shot: stopped */
	assert_int_equal(rd(TIMER_CUR), 0);
	assert_int_equal(rd(TIMER_INIT), 1000);
	assert_int_equal(take(), 0x30);
	wr(EOI, 0);
	now += 100000;
	vlapic_timer_update(&l, now);
	assert_false(irr_has(0x30));
}

static void test_timer_periodic_keeps_phase(void **state)
{
	(void)state;
	enable();
	wr(TIMER_DCR, 0xb); /* divide by 1: 100 counts = 300 TSC */
	wr(LVT_TIMER, PERIODIC | 0x31);
	wr(TIMER_INIT, 100);
	assert_int_equal(vlapic_timer_deadline(&l), 1300);
	now = 1310; /* late by 10 */
	vlapic_timer_update(&l, now);
	assert_true(irr_has(0x31));
	assert_int_equal(vlapic_timer_deadline(&l), 1600); /* the phase stays, not 1610 */
	assert_int_equal(take(), 0x31);
	wr(EOI, 0);
	/* Missed 1600, 1900, 2200 and 2500: one interrupt, the next period end after now. */
	now = 2550;
	vlapic_timer_update(&l, now);
	assert_int_equal(take(), 0x31);
	assert_int_equal(take(), -1);
	wr(EOI, 0);
	assert_int_equal(vlapic_timer_deadline(&l), 2800);
	/* Current count reloads: 1650 TSC after the start = 550 counts = 5 periods and 50. */
	now = 2650;
	assert_int_equal(rd(TIMER_CUR), 50);
	/* Exactly on a period end. */
	now = 2800;
	vlapic_timer_update(&l, now);
	assert_true(irr_has(0x31));
	assert_int_equal(vlapic_timer_deadline(&l), 3100);
}

static void test_timer_every_divider(void **state)
{
	(void)state;
	static const struct {
		u32 dcr, divide;
	} div[] = { { 0x0, 2 },	 { 0x1, 4 },  { 0x2, 8 },   { 0x3, 16 },
		    { 0x8, 32 }, { 0x9, 64 }, { 0xa, 128 }, { 0xb, 1 } };

	enable();
	wr(LVT_TIMER, 0x30);
	for (unsigned i = 0; i < sizeof(div) / sizeof(div[0]); i++) {
		wr(TIMER_DCR, div[i].dcr);
		wr(TIMER_INIT, 10);
		assert_int_equal(vlapic_timer_deadline(&l), now + 10 * div[i].divide * 3);
		now += div[i].divide * 3; /* one count */
		assert_int_equal(rd(TIMER_CUR), 9);
		now += div[i].divide * 3 * 9;
		vlapic_timer_update(&l, now);
		assert_true(irr_has(0x30));
		assert_int_equal(take(), 0x30);
		wr(EOI, 0);
	}
}

static void test_timer_long_count_no_overflow(void **state)
{
	(void)state;
	/* 10 GHz TSC, 25 MHz timer: 400 TSC ticks per timer tick; 2^32 * 128 * 10^10 overflows 64
	 * bits. */
	vlapic_reset(&l, 0, true, 10000000000ull, 25000000ull, &hooks);
	enable();
	wr(LVT_TIMER, 0x30);
	wr(TIMER_DCR, 0xa); /* divide by 128 */
	wr(TIMER_INIT, 0xffffffff);
	assert_int_equal(vlapic_timer_deadline(&l), now + 0xffffffffull * 128 * 400);
	now += 0x80000000ull * 128 * 400;
	assert_int_equal(rd(TIMER_CUR), 0x7fffffff);
	now += 0x7fffffffull * 128 * 400 - 1;
	assert_int_equal(rd(TIMER_CUR), 1);
	vlapic_timer_update(&l, now);
	assert_false(irr_has(0x30));
	now += 1;
	vlapic_timer_update(&l, now);
	assert_true(irr_has(0x30));
}

static void test_timer_uneven_ratio(void **state)
{
	(void)state;
	/* 7 TSC ticks for every 3 timer ticks: the deadline rounds down, counts do not drift. */
	vlapic_reset(&l, 0, true, 7000000ull, 3000000ull, &hooks);
	enable();
	wr(TIMER_DCR, 0xb);
	wr(LVT_TIMER, PERIODIC | 0x30);
	wr(TIMER_INIT, 1);
	assert_int_equal(vlapic_timer_deadline(&l), now + 2); /* 7/3 TSC */
	now += 2;
	vlapic_timer_update(&l, now);
	assert_int_equal(vlapic_timer_deadline(&l), 1000 + 4); /* 14/3 */
	now += 2;
	vlapic_timer_update(&l, now);
	assert_int_equal(vlapic_timer_deadline(&l), 1000 + 7); /* 21/3: exact, no drift */
	now = 1000 + 700;				       /* period 300 ends at exactly 700 */
	vlapic_timer_update(&l, now);
	assert_int_equal(vlapic_timer_deadline(&l), 1000 + 702); /* 301 * 7 / 3 */
}

static void test_timer_zero_and_restart(void **state)
{
	(void)state;
	enable();
	wr(LVT_TIMER, 0x30);
	wr(TIMER_INIT, 1000);
	now += 3000;
	wr(TIMER_INIT, 1000); /* restart from now */
	assert_int_equal(vlapic_timer_deadline(&l), now + 6000);
	assert_int_equal(rd(TIMER_CUR), 1000);
	wr(TIMER_INIT, 0); /* stop */
	assert_int_equal(vlapic_timer_deadline(&l), 0);
	assert_int_equal(rd(TIMER_CUR), 0);
	now += 100000;
	vlapic_timer_update(&l, now);
	assert_false(irr_has(0x30));
}

static void test_timer_masked_fires_nothing(void **state)
{
	(void)state;
	enable();
	wr(LVT_TIMER, MASKED | 0x30);
	wr(TIMER_INIT, 10);
	assert_int_equal(vlapic_timer_deadline(&l), now + 60); /* runs, reported */
	now += 60;
	vlapic_timer_update(&l, now);
	assert_false(irr_has(0x30));
	assert_int_equal(vlapic_timer_deadline(&l), 0);
	assert_int_equal(rd(TIMER_CUR), 0);
	wr(LVT_TIMER, 0x30); /* unmasking later does not bring the lost expiry back */
	vlapic_timer_update(&l, now);
	assert_false(irr_has(0x30));
}

static void test_timer_mode_switch_disarms(void **state)
{
	(void)state;
	enable();
	wr(LVT_TIMER, 0x30);
	wr(TIMER_INIT, 1000);
	wr(LVT_TIMER, 0x31); /* same mode, new vector: keeps counting */
	assert_int_equal(vlapic_timer_deadline(&l), 1000 + 6000);
	now += 600;
	wr(LVT_TIMER, PERIODIC | 0x31); /* one-shot -> periodic */
	assert_int_equal(vlapic_timer_deadline(&l), 0);
	assert_int_equal(rd(TIMER_CUR), 0);
	assert_int_equal(rd(TIMER_INIT), 0);
	now += 100000;
	vlapic_timer_update(&l, now);
	assert_false(irr_has(0x31));
	/* An armed TSC deadline goes when leaving TSC-deadline mode. */
	wr(LVT_TIMER, DEADLINE_MODE | 0x31);
	mwr(MSR_DEADLINE, now + 50);
	wr(LVT_TIMER, 0x31);
	assert_int_equal(vlapic_timer_deadline(&l), 0);
	wr(LVT_TIMER, DEADLINE_MODE | 0x31);
	assert_int_equal(mrd(MSR_DEADLINE), 0);
	now += 100;
	vlapic_timer_update(&l, now);
	assert_false(irr_has(0x31));
}

static void test_timer_divider_change_midway(void **state)
{
	(void)state;
	enable();
	wr(LVT_TIMER, 0x30);
	wr(TIMER_INIT, 100); /* divide by 2: 6 TSC per count */
	now += 300;	     /* 50 counts */
	assert_int_equal(rd(TIMER_CUR), 50);
	wr(TIMER_DCR, 0x1); /* divide by 4 from now: 12 TSC per count */
	assert_int_equal(rd(TIMER_CUR), 50);
	assert_int_equal(vlapic_timer_deadline(&l), now + 50 * 12);
	now += 120;
	assert_int_equal(rd(TIMER_CUR), 40);
}

static void test_tsc_deadline(void **state)
{
	(void)state;
	enable();
	wr(LVT_TIMER, DEADLINE_MODE | 0x32);
	assert_int_equal(vlapic_timer_deadline(&l), 0);
	mwr(MSR_DEADLINE, 5000);
	assert_int_equal(mrd(MSR_DEADLINE), 5000);
	assert_int_equal(vlapic_timer_deadline(&l), 5000);
	wr(TIMER_INIT, 10); /* ignored in this mode, current count reads 0 */
	assert_int_equal(rd(TIMER_INIT), 0);
	assert_int_equal(rd(TIMER_CUR), 0);
	assert_int_equal(vlapic_timer_deadline(&l), 5000);
	now = 4999;
	vlapic_timer_update(&l, now);
	assert_false(irr_has(0x32));
	now = 5000;
	vlapic_timer_update(&l, now);
	assert_true(irr_has(0x32));
	assert_int_equal(mrd(MSR_DEADLINE), 0); /* fired: disarmed */
	assert_int_equal(vlapic_timer_deadline(&l), 0);
	assert_int_equal(take(), 0x32);
	wr(EOI, 0);
	now += 10000;
	vlapic_timer_update(&l, now);
	assert_false(irr_has(0x32)); /* once */
	/* Writing 0 disarms. */
	mwr(MSR_DEADLINE, now + 10);
	mwr(MSR_DEADLINE, 0);
	assert_int_equal(vlapic_timer_deadline(&l), 0);
	now += 20;
	vlapic_timer_update(&l, now);
	assert_false(irr_has(0x32));
	/* A deadline already past fires at once. */
	mwr(MSR_DEADLINE, now - 1);
	assert_true(irr_has(0x32));
	assert_int_equal(mrd(MSR_DEADLINE), 0);
}

static void test_tsc_deadline_msr_in_other_modes(void **state)
{
	(void)state;
	enable();
	wr(LVT_TIMER, 0x32); /* one-shot */
	mwr(MSR_DEADLINE, now + 10);
	assert_int_equal(mrd(MSR_DEADLINE), 0);
	assert_int_equal(vlapic_timer_deadline(&l), 0);
	now += 20;
	vlapic_timer_update(&l, now);
	assert_false(irr_has(0x32));
}

/* ---- IPIs ----------------------------------------------------------------------------- */

static void test_icr_decode_xapic(void **state)
{
	(void)state;
	static const struct {
		u32 icr;
		u8 mode;
	} modes[] = {
		{ 0x00040, VLAPIC_DM_FIXED },	{ 0x00141, VLAPIC_DM_LOWEST },
		{ 0x00200, VLAPIC_DM_SMI },	{ 0x00400, VLAPIC_DM_NMI },
		{ 0x0c500, VLAPIC_DM_INIT },	{ 0x08500, VLAPIC_DM_INIT_DEASSERT },
		{ 0x0069a, VLAPIC_DM_STARTUP },
	};

	enable();
	wr(ICR_HI, 0x05000000);
	for (unsigned i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		wr(ICR_LO, modes[i].icr);
		assert_int_equal(nipi, i + 1);
		assert_int_equal(ipis[i].mode, modes[i].mode);
		assert_int_equal(ipis[i].vector, modes[i].icr & 0xff);
		assert_int_equal(ipis[i].dest, 5);
		assert_int_equal(ipis[i].shorthand, VLAPIC_SH_NONE);
		assert_false(ipis[i].logical);
		assert_int_equal(ipis[i].level_assert, !!(modes[i].icr & 0x4000));
		assert_int_equal(ipis[i].level_trigger, !!(modes[i].icr & 0x8000));
		assert_int_equal(rd(ICR_LO), modes[i].icr); /* delivery status: idle */
	}
	/* Logical destination, shorthands. */
	nipi = 0;
	wr(ICR_HI, 0x0f000000);
	wr(ICR_LO, 0x00840);
	assert_true(ipis[0].logical);
	assert_int_equal(ipis[0].dest, 0x0f);
	wr(ICR_LO, 0x80041);
	assert_int_equal(ipis[1].shorthand, VLAPIC_SH_ALL);
	wr(ICR_LO, 0xc0042);
	assert_int_equal(ipis[2].shorthand, VLAPIC_SH_ALL_BUT_SELF);
	wr(ICR_LO, 0xc0400);
	assert_int_equal(ipis[3].shorthand, VLAPIC_SH_ALL_BUT_SELF);
	assert_int_equal(ipis[3].mode, VLAPIC_DM_NMI);
	assert_int_equal(nipi, 4);
	/* Reserved delivery modes send nothing. */
	wr(ICR_LO, 0x00340);
	wr(ICR_LO, 0x00740);
	assert_int_equal(nipi, 4);
}

static void test_icr_self_is_local(void **state)
{
	(void)state;
	enable();
	wr(ICR_LO, 0x40043); /* fixed, self */
	assert_int_equal(nipi, 0);
	assert_true(irr_has(0x43));
	assert_int_equal(rd(TMR0 + 0x20), 0); /* edge */
	wr(ICR_LO, 0x40400);		      /* NMI to self: the caller's */
	assert_int_equal(nipi, 1);
	assert_int_equal(ipis[0].shorthand, VLAPIC_SH_SELF);
}

static void test_icr_illegal_vector(void **state)
{
	(void)state;
	enable();
	wr(ICR_LO, 0x0000f);
	wr(ICR_LO, 0x0010e); /* lowest priority too */
	assert_int_equal(nipi, 0);
	assert_int_equal(esr(), 0x20); /* send illegal vector */
	wr(ICR_LO, 0x00400);	       /* NMI: the vector does not matter */
	assert_int_equal(nipi, 1);
	assert_int_equal(esr(), 0);
}

static void test_icr_x2apic_one_msr(void **state)
{
	(void)state;
	reset_as(0x123, true);
	to_x2apic();
	mwr(X2(SVR), SVR_ON | 0xff);
	mwr(X2(ICR_LO), 0x12345678ull << 32 | 0x840);
	assert_int_equal(nipi, 1);
	assert_int_equal(ipis[0].dest, 0x12345678);
	assert_true(ipis[0].logical);
	assert_int_equal(ipis[0].vector, 0x40);
	assert_int_equal(mrd(X2(ICR_LO)), 0x12345678ull << 32 | 0x840);
	mwr(X2(ICR_LO), 0xffffffffull << 32 | 0xc500); /* INIT assert to all */
	assert_int_equal(ipis[1].mode, VLAPIC_DM_INIT);
	assert_int_equal(ipis[1].dest, 0xffffffff);
	/* The SELF IPI register: fixed, edge, this APIC, never the hook. */
	mwr(X2(SELF_IPI), 0x55);
	assert_int_equal(nipi, 2);
	assert_int_equal(mrd(X2(IRR0 + 0x20)), 1u << 21);
	mwr(X2(SELF_IPI), 5);
	assert_int_equal(mrd(X2(IRR0)), 0);
	mwr(X2(ESR), 0);
	assert_int_equal(mrd(X2(ESR)), 0x20);
}

/* ---- destinations ---------------------------------------------------------------------- */

static void test_match_physical(void **state)
{
	(void)state;
	assert_true(vlapic_match_dest(&l, 3, false));
	assert_false(vlapic_match_dest(&l, 4, false));
	assert_true(vlapic_match_dest(&l, 0xff, false));
	reset_as(0x123, true);
	assert_true(vlapic_match_dest(&l, 0x23, false)); /* xAPIC: the low 8 bits */
	to_x2apic();
	assert_true(vlapic_match_dest(&l, 0x123, false));
	assert_false(vlapic_match_dest(&l, 0x23, false));
	assert_false(vlapic_match_dest(&l, 0xff, false));
	assert_true(vlapic_match_dest(&l, 0xffffffff, false));
}

static void test_match_logical_flat(void **state)
{
	(void)state;
	assert_false(vlapic_match_dest(&l, 0xff, true)); /* no logical id yet */
	wr(LDR, 0x04000000);
	assert_true(vlapic_match_dest(&l, 0x04, true));
	assert_true(vlapic_match_dest(&l, 0x06, true));
	assert_false(vlapic_match_dest(&l, 0x03, true));
	assert_true(vlapic_match_dest(&l, 0xff, true));
	assert_false(vlapic_match_dest(&l, 0x04, false)); /* physical is the id */
}

static void test_match_logical_cluster(void **state)
{
	(void)state;
	wr(DFR, 0x0fffffff);
	wr(LDR, 0x21000000); /* cluster 2, member bit 0 */
	assert_true(vlapic_match_dest(&l, 0x21, true));
	assert_true(vlapic_match_dest(&l, 0x23, true));
	assert_false(vlapic_match_dest(&l, 0x31, true)); /* other cluster */
	assert_false(vlapic_match_dest(&l, 0x22, true)); /* other member */
	assert_false(vlapic_match_dest(&l, 0x01, true)); /* flat would match */
	assert_true(vlapic_match_dest(&l, 0xff, true));	 /* broadcast */
}

static void test_match_logical_x2apic_cluster(void **state)
{
	(void)state;
	reset_as(0x123, true);
	to_x2apic();
	assert_true(vlapic_match_dest(&l, 0x00120008, true));
	assert_true(vlapic_match_dest(&l, 0x0012000c, true));
	assert_false(vlapic_match_dest(&l, 0x00130008, true));
	assert_false(vlapic_match_dest(&l, 0x00120004, true));
	assert_false(vlapic_match_dest(&l, 0x123, true));
	assert_true(vlapic_match_dest(&l, 0xffffffff, true));
	reset_as(0x1f, true);
	to_x2apic();
	assert_int_equal(mrd(X2(LDR)), 0x00018000);
	assert_true(vlapic_match_dest(&l, 0x00018000, true));
}

static void test_lint0_extint(void **state)
{
	(void)state;
	assert_false(vlapic_lint0_extint(&l)); /* masked at reset */
	enable();
	wr(LVT_LINT0, 0x700);
	assert_true(vlapic_lint0_extint(&l));
	wr(LVT_LINT0, MASKED | 0x700);
	assert_false(vlapic_lint0_extint(&l));
	wr(LVT_LINT0, 0x400); /* NMI */
	assert_false(vlapic_lint0_extint(&l));
	wr(LVT_LINT0, 0x700);
	wr(SVR, 0xff); /* software disable masks it */
	assert_false(vlapic_lint0_extint(&l));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_reset_values, setup),
		cmocka_unit_test_setup(test_init_keeps_id_and_mode, setup),
		cmocka_unit_test_setup(test_xapic_register_writes, setup),
		cmocka_unit_test_setup(test_xapic_reserved_offsets, setup),
		cmocka_unit_test_setup(test_mmio_outside_xapic_mode, setup),
		cmocka_unit_test_setup(test_x2apic_register_map, setup),
		cmocka_unit_test_setup(test_x2apic_gp_rules, setup),
		cmocka_unit_test_setup(test_x2apic_msrs_only_in_x2apic_mode, setup),
		cmocka_unit_test_setup(test_apic_base_transitions, setup),
		cmocka_unit_test_setup(test_disable_loses_state, setup),
		cmocka_unit_test_setup(test_tpr_masks_classes, setup),
		cmocka_unit_test_setup(test_ppr, setup),
		cmocka_unit_test_setup(test_nesting_and_eoi_order, setup),
		cmocka_unit_test_setup(test_highest_first, setup),
		cmocka_unit_test_setup(test_level_eoi_hook, setup),
		cmocka_unit_test_setup(test_eoi_hook_may_reassert, setup),
		cmocka_unit_test_setup(test_software_disabled_refuses_fixed, setup),
		cmocka_unit_test_setup(test_illegal_vector, setup),
		cmocka_unit_test_setup(test_esr_write_latch, setup),
		cmocka_unit_test_setup(test_error_lvt_interrupt, setup),
		cmocka_unit_test_setup(test_lvt_masked_while_software_disabled, setup),
		cmocka_unit_test_setup(test_timer_one_shot, setup),
		cmocka_unit_test_setup(test_timer_periodic_keeps_phase, setup),
		cmocka_unit_test_setup(test_timer_every_divider, setup),
		cmocka_unit_test_setup(test_timer_long_count_no_overflow, setup),
		cmocka_unit_test_setup(test_timer_uneven_ratio, setup),
		cmocka_unit_test_setup(test_timer_zero_and_restart, setup),
		cmocka_unit_test_setup(test_timer_masked_fires_nothing, setup),
		cmocka_unit_test_setup(test_timer_mode_switch_disarms, setup),
		cmocka_unit_test_setup(test_timer_divider_change_midway, setup),
		cmocka_unit_test_setup(test_tsc_deadline, setup),
		cmocka_unit_test_setup(test_tsc_deadline_msr_in_other_modes, setup),
		cmocka_unit_test_setup(test_icr_decode_xapic, setup),
		cmocka_unit_test_setup(test_icr_self_is_local, setup),
		cmocka_unit_test_setup(test_icr_illegal_vector, setup),
		cmocka_unit_test_setup(test_icr_x2apic_one_msr, setup),
		cmocka_unit_test_setup(test_match_physical, setup),
		cmocka_unit_test_setup(test_match_logical_flat, setup),
		cmocka_unit_test_setup(test_match_logical_cluster, setup),
		cmocka_unit_test_setup(test_match_logical_x2apic_cluster, setup),
		cmocka_unit_test_setup(test_lint0_extint, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
