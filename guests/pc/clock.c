/*
 * The TSC's rate, measured twice against the PC's fixed clocks and
 * compared with what cloison's CPUID leaf 0x40000010 says: once against
 * the ACPI PM timer (3.579545 MHz, 24 bits, at the FADT's port) and once
 * with the PIT's counter 2 gated through port 0x61, the way Linux
 * calibrates the TSC (a mode 0 count, then polling OUT in bit 5).  The
 * vCPU (or the emulator under it) can be away at any moment, so each
 * reading is bracketed by two RDTSCs, a measurement whose brackets are
 * wide is taken again, and the lowest of a few good ones is kept.
 */
#include "guests/pc/pc.h"

#define PM_TIMER_HZ 3579545u
#define PM_TIMER_MASK 0xffffffu
#define PIT_LATCH 59659u /* 50 ms of PIT input clock */
#define TRIES 3
#define PIT_TRIES 40   /* a busy host may take the emulator away from many tries in a row */
#define BRACKET_US 300 /* a wider bracket around a reading: the vCPU was away */
#define TOLERANCE_PERCENT 2

/* A PM timer reading and the TSC at it: of a few, the one with the narrowest bracket. */
static void pm_sample(uint16_t port, uint32_t *pm, uint64_t *tsc)
{
	uint64_t best = ~0ull;

	for (int i = 0; i < 5; i++) {
		uint64_t a = rdtsc();
		uint32_t v = inl(port) & PM_TIMER_MASK;
		uint64_t b = rdtsc();
		if (b - a < best) {
			best = b - a;
			*pm = v;
			*tsc = a + (b - a) / 2;
		}
	}
}

/* TSC kHz over about 50 ms of PM timer; 0 if it does not count. */
static uint32_t tsc_khz_by_pm_timer(uint16_t port)
{
	uint32_t p0 = 0, p1 = 0, ticks;
	uint64_t t0 = 0, t1 = 0;

	pm_sample(port, &p0, &t0);
	do {
		pm_sample(port, &p1, &t1);
		ticks = (p1 - p0) & PM_TIMER_MASK;
		if (t1 - t0 > pc_ms(1000))
			return 0; /* the PM timer does not count */
	} while (ticks < PM_TIMER_HZ / 20);
	return (uint32_t)div64_32((t1 - t0) * (PM_TIMER_HZ / 1000), ticks, NULL);
}

/*
 * TSC ticks in PIT_LATCH counts of counter 2 in mode 0, or 0 when OUT
 * never rose or either end could not be pinned down to BRACKET_US: the
 * count starts inside the MSB write, OUT rises between the last read
 * that saw it low and the first that sees it high.
 */
static uint64_t pit2_window(bool *low_at_start)
{
	uint64_t s0, s1, prev, a, b, limit;
	uint8_t v = inb(PORT_B);

	outb(PORT_B, (uint8_t)((v & ~PORT_B_SPEAKER) | PORT_B_GATE2));
	outb(PIT_CONTROL, PIT_CH2_MODE0); /* mode 0: OUT goes low */
	outb(PIT_COUNTER2, PIT_LATCH & 0xff);
	s0 = rdtsc();
	outb(PIT_COUNTER2, PIT_LATCH >> 8); /* counting starts */
	s1 = rdtsc();
	*low_at_start = !(inb(PORT_B) & PORT_B_OUT2);
	limit = s1 + pc_ms(1000);
	a = b = rdtsc();
	do {
		prev = a;
		a = rdtsc();
		v = inb(PORT_B);
		b = rdtsc();
		if (b > limit)
			return 0;
	} while (!(v & PORT_B_OUT2));
	if (pc_us(s1 - s0) > BRACKET_US || pc_us(b - prev) > BRACKET_US)
		return 0;
	return (b + prev) / 2 - (s0 + s1) / 2;
}

void clock_checks(void)
{
	uint32_t khz_pm = 0, khz_pit, want = pc_tsc_khz, slack;
	uint64_t best = ~0ull;
	bool low = true, l;

	for (int i = 0, good = 0; i < PIT_TRIES && good < TRIES; i++) {
		uint64_t w = pit2_window(&l);
		low = low && l;
		if (w) {
			good++;
			if (w < best)
				best = w;
		}
	}
	pc_check("pit: counter 2 OUT low while counting (port 0x61 bit 5)", low, 1);
	if (pc_verdict("pit: counter 2 OUT rises at the end of the count", best != ~0ull,
		       "OUT never rose in time, or every try was interrupted"))
		return;
	khz_pit = (uint32_t)div64_32(best * PIT_HZ, PIT_LATCH * 1000u, NULL);
	if (!hv_present()) /* no leaf to compare with: the PIT's measure sets the rate */
		pc_tsc_khz = want = khz_pit;
	slack = want / 100 * TOLERANCE_PERCENT;
	pc_within("pit: counter 2 measures the TSC kHz of cpuid 0x40000010 (2%)", khz_pit,
		  want - slack, want + slack);

	if (pc_acpi.pm_tmr) {
		for (int i = 0; i < TRIES; i++) {
			uint32_t k = tsc_khz_by_pm_timer(pc_acpi.pm_tmr);
			if (k && (!khz_pm || k < khz_pm))
				khz_pm = k;
		}
	}
	pc_within("acpi pm timer measures the TSC kHz of cpuid 0x40000010 (2%)", khz_pm,
		  want - slack, want + slack);
}
