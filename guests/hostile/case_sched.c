/*
 * Scheduler abuse (class 16 of the catalog): partitions that try to
 * keep their CPU, and one that measures what they leave it.
 *   cli-spin     interrupts off, a tight loop that only reads the TSC
 *   sti-spin     the same with interrupts on
 *   cli-loop     interrupts off, a counting loop that looks at the TSC
 *                once every 65536 turns
 *   hlt-cli      HLT with interrupts off: it never wakes, and must not
 *                cost its CPU anything; it never ends either
 *   yield-storm  YIELD as fast as it can
 *   deadline-spin  sti-spin, having set its local APIC timer (masked)
 *                to a TSC deadline that a wrap-safe comparison takes
 *                for one in the past, the slice's end out of reach
 * None of them exits while it spins (RDTSC does not exit), but the
 * yielder, whose every YIELD exits and which watches TIME.  Each first
 * sleeps until SETTLE_NS after its start (the heartbeat started beside
 * it beats from its second second on: the spinning must fall among the
 * beats, not in the quiet second before them), then keeps at it for
 * SPIN_NS of TSC time, then exits 0 (but hlt-cli).
 *
 * "share" is the neighbour, a CPU-bound partition of the same weight on
 * the same CPU: after SETTLE_NS + 100 ms it reads the TSC in a tight
 * loop for SHARE_NS and counts the time between two reads as its own
 * when the gap is under GAP_NS (longer gaps are slices that went to
 * someone else), then prints its share of the wall time.  Its variant
 * says what it must get: "half" 50 % +- 2 points (beside a spinner),
 * "least" at least 48 % (beside a yielder), "most" at least 90 %
 * (beside a partition halted for good); what follows ("half2") only
 * tells partitions apart.  The heartbeat beside both (the scenario) must
 * keep all its beats.
 *
 * "idle" only sleeps two seconds and exits: a scenario with a partition
 * that never stops (hlt-cli) starts it after the others and stops the
 * machine when it has; the two seconds leave room for partitions of the
 * same scenario that were held up.
 */
#include "guests/hostile/apic.h"
#include "guests/hostile/hostile.h"

#define MS 1000000ull
#define SETTLE_NS (1100 * MS)
#define SPIN_NS (1200 * MS)
#define SHARE_NS (1000 * MS)
#define GAP_NS 200000ull /* 200 us */

/*
 * A TSC value and the TIME that goes with it: of a few TIME calls, the
 * one the TSC brackets most tightly (under an emulator the host may take
 * the CPU away between two instructions).
 */
static void tsc_and_time(uint64_t *tsc, uint64_t *ns)
{
	uint64_t best = ~0ull;

	for (int i = 0; i < 5; i++) {
		uint64_t c0 = rdtsc(), t = hv_time_ns(), c1 = rdtsc();
		if (c1 - c0 < best) {
			best = c1 - c0;
			*tsc = c0 + (c1 - c0) / 2;
			*ns = t;
		}
	}
}

/* TSC ticks per millisecond, from two such pairs 20 ms apart. */
static uint64_t tsc_per_ms(void)
{
	uint64_t c0, t0, c1, t1;

	tsc_and_time(&c0, &t0);
	sleep_ns(20 * MS);
	tsc_and_time(&c1, &t1);
	return hdiv((c1 - c0) * MS, t1 - t0);
}

/*
 * Sleep until SETTLE_NS after the start, then the TSC value SPIN_NS from
 * now; *per_ms: TSC ticks per millisecond.
 */
static uint64_t settle_per(uint64_t *per_ms)
{
	uint64_t now;

	*per_ms = tsc_per_ms();
	now = hv_time_ns();
	if (now - hostile_t0 < SETTLE_NS)
		sleep_ns(SETTLE_NS - (now - hostile_t0));
	return rdtsc() + *per_ms * (SPIN_NS / MS);
}

static uint64_t settle(void)
{
	uint64_t per_ms;

	return settle_per(&per_ms);
}

int case_cli_spin(unsigned magic, unsigned info)
{
	uint64_t end;
	(void)magic, (void)info;

	cpu_setup();
	end = settle();
	hsay("spinning with interrupts off, without exits");
	cli();
	while (rdtsc() < end)
		;
	sti();
	hsay("done spinning");
	return 0;
}

int case_sti_spin(unsigned magic, unsigned info)
{
	uint64_t end;
	(void)magic, (void)info;

	cpu_setup();
	end = settle();
	hsay("spinning with interrupts on, without exits");
	sti();
	while (rdtsc() < end)
		;
	cli();
	hsay("done spinning");
	return 0;
}

int case_cli_loop(unsigned magic, unsigned info)
{
	uint64_t end;
	uint32_t turns = 0;
	(void)magic, (void)info;

	cpu_setup();
	end = settle();
	hsay("counting with interrupts off, without exits");
	cli();
	do
		for (unsigned i = 0; i < 65536; i++)
			__asm__ volatile("incl %0" : "+r"(turns));
	while (rdtsc() < end);
	sti();
	hsay("done counting");
	return 0;
}

int case_hlt_cli(unsigned magic, unsigned info)
{
	(void)magic, (void)info;

	cpu_setup();
	settle();
	hsay("halting with interrupts off, for good");
	__asm__ volatile("cli; 1: hlt; jmp 1b" ::: "memory");
	return 1;
}

int case_yield_storm(unsigned magic, unsigned info)
{
	uint64_t n = 0, t0;
	(void)magic, (void)info;

	cpu_setup();
	settle();
	t0 = hv_time_ns();
	hsay("yielding as fast as it can");
	do
		for (unsigned i = 0; i < 64; i++, n++)
			hv_call(HC_YIELD, 0, 0, 0, 0);
	while (hv_time_ns() - t0 < SPIN_NS);
	hsay("%u yields in %u ms", (uint32_t)n, hms(hv_time_ns() - t0));
	return 0;
}

/*
 * IA32_TSC_DEADLINE takes any 64-bit value.  This one's high half is
 * 2^32 - 1 (then one lower at each rewrite, every 100 ms): 2^63 and more
 * ahead of now, which a wrap-safe (signed) comparison of TSC values
 * takes for the past; its low half 2^31 - 1 ahead of now's, the farthest
 * a 32-bit comparison sees as the future.  Had the hypervisor let such a
 * deadline set its slice's end, the spinner would keep its CPU.  It
 * measures its share while "share" does (from 100 ms into the spin, for
 * SHARE_NS) the same way: about half, and at most 55 %.
 */
int case_deadline_spin(unsigned magic, unsigned info)
{
	uint64_t per_ms, gap, end, from, to, last, ran = 0, rewrite = 0, permille;
	uint32_t high = 0xffffffffu;
	(void)magic, (void)info;

	cpu_setup();
	end = settle_per(&per_ms);
	gap = hdiv(per_ms * GAP_NS, MS);
	lapic_write(LAPIC_SVR, SVR_ENABLE | 0xff);
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | LVT_TSC_DEADLINE | 0x53);
	hsay("spinning with interrupts on, its timer's deadline out of reach");
	last = rdtsc();
	from = last + 100 * per_ms;
	to = from + per_ms * (SHARE_NS / MS);
	sti();
	while (last < end) {
		uint64_t c = rdtsc();

		if (c - last < gap && last >= from && c <= to)
			ran += c - last;
		last = c;
		if (c >= rewrite) {
			wrmsr(MSR_TSC_DEADLINE,
			      (uint64_t)high-- << 32 | (uint32_t)(c + 0x7fffffffu));
			rewrite = c + 100 * per_ms;
		}
	}
	cli();
	wrmsr(MSR_TSC_DEADLINE, 0);
	permille = hdiv(ran * 1000, to - from);
	hsay("done spinning: ran %u.%u%% of %u ms", (unsigned)permille / 10,
	     (unsigned)permille % 10, (unsigned)(SHARE_NS / MS));
	return hcheck("share is at most 55%", permille <= 550, 1);
}

int case_share(unsigned magic, unsigned info)
{
	uint64_t per_ms, gap, c0, last, ran = 0, t0, now = 0, permille;
	unsigned lo, hi;
	(void)magic, (void)info;

	if (hprefix(hostile_variant, "half"))
		lo = 480, hi = 520;
	else if (hprefix(hostile_variant, "least"))
		lo = 480, hi = 1000;
	else if (hprefix(hostile_variant, "most"))
		lo = 900, hi = 1000;
	else {
		hsay("FAIL: variant '%s': want half, least or most", hostile_variant);
		return 1;
	}
	cpu_setup();
	per_ms = tsc_per_ms();
	gap = hdiv(per_ms * GAP_NS, MS);
	if (hv_time_ns() - hostile_t0 < SETTLE_NS + 100 * MS)
		sleep_ns(SETTLE_NS + 100 * MS - (hv_time_ns() - hostile_t0));
	t0 = hv_time_ns();
	c0 = last = rdtsc();
	do {
		for (unsigned i = 0; i < 4096; i++) {
			uint64_t c = rdtsc();
			if (c - last < gap)
				ran += c - last;
			last = c;
		}
		now = hv_time_ns();
	} while (now - t0 < SHARE_NS);
	permille = hdiv(ran * 1000, last - c0);
	hsay("ran %u.%u%% of %u ms", (unsigned)permille / 10, (unsigned)permille % 10,
	     hms(now - t0));
	return hcheck(lo == 900	   ? "share is at least 90%"
		      : hi == 1000 ? "share is at least 48%"
				   : "share is 50% +- 2 points",
		      permille >= lo && permille <= hi, 1);
}

int case_idle(unsigned magic, unsigned info)
{
	(void)magic, (void)info;
	cpu_setup();
	sleep_ns(2000 * MS);
	return 0;
}
