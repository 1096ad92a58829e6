/*
 * The local APIC of the boot vCPU, from the guest's side (SDM 3A
 * chapter 11).  First in xAPIC mode, the registers at 0xfee00000 read
 * and written with plain 32-bit MOVs: IA32_APIC_BASE, the id and version
 * registers, the software enable in SVR, the timer's rate against the
 * TSC and its one-shot and periodic modes, TPR holding back a lower
 * class, and an illegal vector reported in ESR and through LVT error.
 * Then (x2apic_checks, run last) x2APIC mode, entered through
 * IA32_APIC_BASE: the id, version and LDR MSRs, the timer through MSRs,
 * the TSC-deadline mode, the SELF IPI register.  The helpers at the top
 * reach the registers in whichever mode the APIC is, for the other files
 * and the interrupt handlers.
 */
#include "guests/pc/pc.h"

#define TIMER_MS 10    /* one-shot length */
#define PERIOD_MS 2    /* periodic period */
#define PERIODS 10     /* periods counted */
#define BRACKET_US 500 /* a TSC bracket wider than this was interrupted: measure again */

uint32_t pc_apic_timer_khz;
static bool x2;
static volatile unsigned timer_fired, low_fired, errors_fired, illegal_fired;
static volatile uint64_t timer_tsc; /* TSC when the timer interrupt last came */

uint32_t lapic_read(uint32_t reg)
{
	return x2 ? (uint32_t)rdmsr(X2APIC_MSR(reg)) : mmio_read32(LAPIC_BASE + reg);
}

void lapic_write(uint32_t reg, uint32_t v)
{
	if (x2)
		wrmsr(X2APIC_MSR(reg), v);
	else
		mmio_write32(LAPIC_BASE + reg, v);
}

void lapic_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}

void lapic_enable(void)
{
	lapic_write(LAPIC_SVR, SVR_ENABLE | VEC_SPURIOUS);
}

struct frame;

__attribute__((interrupt)) static void on_timer(struct frame *f)
{
	(void)f;
	timer_tsc = rdtsc();
	timer_fired++;
	lapic_eoi();
}

__attribute__((interrupt)) static void on_low(struct frame *f)
{
	(void)f;
	low_fired++;
	lapic_eoi();
}

__attribute__((interrupt)) static void on_error(struct frame *f)
{
	(void)f;
	errors_fired++;
	lapic_eoi();
}

/* Vector 3 arriving as an interrupt: the APIC let an illegal vector through. */
__attribute__((interrupt)) static void on_illegal(struct frame *f)
{
	(void)f;
	illegal_fired++;
	lapic_eoi();
}

/* Is vector pending in IRR? */
static bool in_irr(uint8_t vector)
{
	return lapic_read(LAPIC_IRR + (vector / 32u) * 16u) & (1u << (vector % 32u));
}

/*
 * Timer input counts per millisecond, over about 50 ms of TSC: the
 * count starts at the initial-count write and is read once later; each
 * access is bracketed by RDTSC, and a wide bracket (a preemption) means
 * measuring again.
 */
static uint32_t timer_khz_measured(void)
{
	for (int tries = 0; tries < 5; tries++) {
		uint64_t a0, b0, a1, b1;
		uint32_t left;

		lapic_write(LAPIC_LVT_TIMER, VEC_TIMER | LVT_MASKED);
		lapic_write(LAPIC_TIMER_DCR, DCR_DIVIDE_1);
		a0 = rdtsc();
		lapic_write(LAPIC_TIMER_INITIAL, 0xffffffffu);
		b0 = rdtsc();
		pc_spin_ms(50);
		a1 = rdtsc();
		left = lapic_read(LAPIC_TIMER_CURRENT);
		b1 = rdtsc();
		lapic_write(LAPIC_TIMER_INITIAL, 0);
		if (pc_us(b0 - a0) > BRACKET_US || pc_us(b1 - a1) > BRACKET_US)
			continue;
		/* counts / ms = counts * TSC kHz / TSC ticks */
		return (uint32_t)div64_32((uint64_t)(0xffffffffu - left) * pc_tsc_khz,
					  (uint32_t)div64_32(a1 + b1 - a0 - b0, 2, NULL), NULL);
	}
	return 0;
}

static void timer_rate(void)
{
	uint32_t a = 0, b = 0, c, d, got = timer_khz_measured();

	if (hv_present())
		cpuid(HV_LEAF_TIMING, &a, &b, &c, &d);
	pc_apic_timer_khz = b ? b : got;
	pc_within("lapic: timer counts at the kHz of cpuid 0x40000010 EBX (2%)", got,
		  pc_apic_timer_khz - pc_apic_timer_khz / 50,
		  pc_apic_timer_khz + pc_apic_timer_khz / 50);
}

static void one_shot(void)
{
	uint64_t t0;
	unsigned before = timer_fired;

	lapic_write(LAPIC_TIMER_DCR, DCR_DIVIDE_1);
	lapic_write(LAPIC_LVT_TIMER, VEC_TIMER);
	t0 = rdtsc();
	lapic_write(LAPIC_TIMER_INITIAL, TIMER_MS * pc_apic_timer_khz);
	if (pc_verdict("lapic: timer one-shot fires", pc_wait(&timer_fired, before + 1, 1000),
		       "no interrupt in 1 s"))
		return;
	pc_within("lapic: timer one-shot lasts its 10 ms (us)", pc_us(timer_tsc - t0),
		  TIMER_MS * 1000, TIMER_MS * 1000 * 20);
	pc_wait(&timer_fired, before + 2, 3 * TIMER_MS);
	pc_check("lapic: timer one-shot fires once", timer_fired - before, 1);
	pc_check("lapic: timer current count 0 after one-shot", lapic_read(LAPIC_TIMER_CURRENT), 0);
}

static void periodic(void)
{
	uint64_t t0;
	unsigned before = timer_fired, after;

	lapic_write(LAPIC_LVT_TIMER, VEC_TIMER | LVT_PERIODIC);
	t0 = rdtsc();
	lapic_write(LAPIC_TIMER_INITIAL, PERIOD_MS * pc_apic_timer_khz);
	pc_wait(&timer_fired, before + PERIODS, 100 * PERIOD_MS * PERIODS);
	lapic_write(LAPIC_LVT_TIMER, VEC_TIMER | LVT_PERIODIC | LVT_MASKED);
	lapic_write(LAPIC_TIMER_INITIAL, 0);
	if (pc_check("lapic: timer periodic, 10 interrupts", timer_fired - before >= PERIODS, 1))
		return;
	pc_within("lapic: timer periodic, 10 periods of 2 ms (us)", pc_us(timer_tsc - t0),
		  PERIODS * PERIOD_MS * 1000, PERIODS * PERIOD_MS * 1000 * 10);
	after = timer_fired;
	pc_wait(&timer_fired, after + 1, 5 * PERIOD_MS);
	pc_check("lapic: timer stopped by initial count 0", timer_fired - after, 0);
}

/* TPR 0x50 holds back vector 0x45 (class 4) in IRR; TPR 0 lets it through (SDM 3A §11.8.3). */
static void priority(void)
{
	lapic_write(LAPIC_TPR, 0x50);
	lapic_write(LAPIC_ICR_HIGH, 0);
	lapic_write(LAPIC_ICR_LOW, VEC_LOW | ICR_ASSERT | ICR_SELF);
	pc_check("lapic: TPR 0x50 holds back a self IPI of vector 0x45", pc_wait(&low_fired, 1, 20),
		 false);
	pc_check("lapic: vector 0x45 waits in IRR", in_irr(VEC_LOW), 1);
	lapic_write(LAPIC_TPR, 0);
	pc_check("lapic: TPR 0 lets vector 0x45 in", pc_wait(&low_fired, 1, 100), true);
	pc_verdict("lapic: vector 0x45 taken once, then out of IRR",
		   low_fired == 1 && !in_irr(VEC_LOW), "taken %u times, IRR bit %d", low_fired,
		   in_irr(VEC_LOW));
}

/* A self IPI with vector 3 is refused: ESR "send illegal vector", LVT error raised (§11.5.3). */
static void error_status(void)
{
	uint32_t esr;

	desc_set_handler(3, (void *)on_illegal);
	lapic_write(LAPIC_LVT_ERROR, VEC_ERROR);
	lapic_write(LAPIC_ESR, 0);
	lapic_write(LAPIC_ICR_LOW, 3 | ICR_ASSERT | ICR_SELF);
	lapic_write(LAPIC_ESR, 0); /* latch the errors since the last write */
	esr = lapic_read(LAPIC_ESR);
	pc_verdict("lapic: ESR says send illegal vector", esr & ESR_SEND_ILLEGAL_VECTOR, "ESR 0x%x",
		   esr);
	pc_check("lapic: LVT error interrupt", pc_wait(&errors_fired, 1, 100), true);
	pc_check("lapic: vector 3 not delivered", illegal_fired, 0);
	lapic_write(LAPIC_ESR, 0);
	pc_check("lapic: ESR clear after two writes", lapic_read(LAPIC_ESR), 0);
	lapic_write(LAPIC_LVT_ERROR, VEC_ERROR | LVT_MASKED);
}

void lapic_checks(void)
{
	uint32_t v;

	desc_set_handler(VEC_TIMER, (void *)on_timer);
	desc_set_handler(VEC_LOW, (void *)on_low);
	desc_set_handler(VEC_ERROR, (void *)on_error);
	pc_check("lapic: IA32_APIC_BASE (0xfee00000, enabled, BSP, xAPIC)", rdmsr(MSR_APIC_BASE),
		 LAPIC_BASE | APIC_BASE_EN | APIC_BASE_BSP);
	pc_check("lapic: id register of vCPU 0", lapic_read(LAPIC_ID) >> 24, 0);
	v = lapic_read(LAPIC_VERSION);
	pc_verdict("lapic: version 0x1x, integrated, max LVT >= 5",
		   (v & 0xf0) == 0x10 && ((v >> 16) & 0xff) >= 5, "version register 0x%x", v);
	lapic_enable();
	pc_check("lapic: SVR enable reads back", lapic_read(LAPIC_SVR) & 0x1ff,
		 SVR_ENABLE | VEC_SPURIOUS);
	timer_rate();
	one_shot();
	periodic();
	priority();
	error_status();
}

/* ---- x2APIC ------------------------------------------------------------------ */

static void x2_timer(void)
{
	unsigned before = timer_fired;
	uint64_t t0;

	lapic_write(LAPIC_TIMER_DCR, DCR_DIVIDE_1);
	lapic_write(LAPIC_LVT_TIMER, VEC_TIMER);
	lapic_write(LAPIC_TIMER_INITIAL, 5 * pc_apic_timer_khz);
	pc_check("x2apic: timer one-shot through MSRs 0x832/0x838 fires",
		 pc_wait(&timer_fired, before + 1, 1000), true);
	pc_check("x2apic: current count MSR 0x839 is 0 after", lapic_read(LAPIC_TIMER_CURRENT), 0);

	/* SDM 3A §11.5.4.1: TSC-deadline mode fires once at the deadline, then reads 0. */
	before = timer_fired;
	lapic_write(LAPIC_LVT_TIMER, VEC_TIMER | LVT_TSC_DEADLINE);
	t0 = rdtsc();
	wrmsr(MSR_TSC_DEADLINE, t0 + pc_ms(TIMER_MS));
	if (pc_check("x2apic: TSC deadline fires", pc_wait(&timer_fired, before + 1, 1000), true))
		return;
	pc_verdict("x2apic: TSC deadline not before its time", timer_tsc >= t0 + pc_ms(TIMER_MS),
		   "%u us early", pc_us(t0 + pc_ms(TIMER_MS) - timer_tsc));
	pc_check("x2apic: IA32_TSC_DEADLINE reads 0 once fired", rdmsr(MSR_TSC_DEADLINE), 0);
	pc_wait(&timer_fired, before + 2, 3 * TIMER_MS);
	pc_check("x2apic: TSC deadline fires once", timer_fired - before, 1);
	lapic_write(LAPIC_LVT_TIMER, VEC_TIMER | LVT_MASKED);
}

void x2apic_checks(void)
{
	uint32_t version = lapic_read(LAPIC_VERSION);
	unsigned before;

	wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | APIC_BASE_EXTD);
	x2 = true;
	pc_check("x2apic: enabled through IA32_APIC_BASE", rdmsr(MSR_APIC_BASE),
		 LAPIC_BASE | APIC_BASE_EN | APIC_BASE_EXTD | APIC_BASE_BSP);
	pc_check("x2apic: id MSR 0x802 of vCPU 0", rdmsr(0x802), 0);
	pc_check("x2apic: version MSR 0x803 as in xAPIC mode", rdmsr(0x803), version);
	pc_check("x2apic: logical id MSR 0x80d (cluster 0, bit 0)", lapic_read(LAPIC_LDR), 1);
	pc_check("x2apic: SVR kept across the switch", lapic_read(LAPIC_SVR) & 0x1ff,
		 SVR_ENABLE | VEC_SPURIOUS);
	x2_timer();
	before = low_fired;
	wrmsr(X2APIC_MSR(LAPIC_SELF_IPI), VEC_LOW);
	pc_check("x2apic: SELF IPI MSR 0x83f", pc_wait(&low_fired, before + 1, 100), true);
}
