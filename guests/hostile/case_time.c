/*
 * Case "time" (class 14 of the catalog): the clocks a partition has.
 *   - 10^6 RDTSC in a row never go back;
 *   - 1000 TIME calls never go back;
 *   - SET_TIMER with a deadline in the past (1 ns, and 1 ms ago) fires at
 *     once: the interrupt comes as soon as STI lets it, before the
 *     guest's first TIME call after the STI has returned (counted in
 *     calls, not in time, so a neighbour's slice in between does not
 *     count against it);
 *   - far in the future (100 s), and 2^64 - 1, it does not fire within
 *     30 ms; deadline 0 cancels an armed timer (returns 0, no interrupt);
 *   - vectors below 32 and above 255 get -22 (EINVAL); 32 and 255 are
 *     taken.
 */
#include "guests/hostile/cpu.h"
#include "guests/hostile/hostile.h"

#define MS 1000000ull
#define RDTSCS 1000000u

/*
 * Wait up to ns with IF set for COUNT_VECTOR's interrupt; how long it
 * took, or ~0.  *calls: the TIME calls that returned before it was seen.
 */
static uint64_t wait_for_irq_calls(uint32_t n, uint64_t t0, uint64_t ns, uint32_t *calls)
{
	uint64_t t;

	*calls = 0;
	sti();
	do {
		t = hv_time_ns();
		if (count_irqs != n) {
			cli();
			return t - t0;
		}
		++*calls;
	} while (t - t0 < ns);
	cli();
	return ~0ull;
}

static uint64_t wait_for_irq(uint32_t n, uint64_t t0, uint64_t ns)
{
	uint32_t calls;

	return wait_for_irq_calls(n, t0, ns, &calls);
}

static int clocks(void)
{
	uint64_t prev = rdtsc(), now, t0, t1 = 0;
	uint32_t back = 0;
	int failures = 0;

	t0 = hv_time_ns();
	for (unsigned i = 0; i < RDTSCS; i++) {
		now = rdtsc();
		back += now < prev;
		prev = now;
	}
	hsay("%u RDTSC in %u ms", RDTSCS, hms(hv_time_ns() - t0));
	failures += hcheck("RDTSC never went back", back, 0);
	back = 0;
	for (unsigned i = 0; i < 1000; i++) {
		t0 = hv_time_ns();
		back += t0 < t1;
		t1 = t0;
	}
	failures += hcheck("TIME never went back", back, 0);
	return failures;
}

static int past(const char *what, uint64_t deadline_from_now_ago, bool absolute_one)
{
	uint32_t n, calls;
	uint64_t t0, took;
	char line[80];
	int failures = 0;

	cli();
	n = count_irqs;
	t0 = hv_time_ns();
	failures += hcheck(
		what, hv_set_timer(absolute_one ? 1 : t0 - deadline_from_now_ago, COUNT_VECTOR), 0);
	took = wait_for_irq_calls(n, t0, 100 * MS, &calls);
	format(line, sizeof(line), "%s fires at once after STI", what);
	failures += hcheck(line, took != ~0ull && calls == 0, 1);
	if (took == ~0ull || calls)
		hsay("%s: fired after %u TIME calls, %d us", what, calls,
		     took == ~0ull ? -1 : (int)hdiv(took, 1000));
	return failures;
}

static int never(const char *what, uint64_t deadline)
{
	uint32_t n;
	uint64_t t0;
	char line[80];
	int failures = 0;

	cli();
	n = count_irqs;
	t0 = hv_time_ns();
	failures += hcheck(what, hv_set_timer(deadline, COUNT_VECTOR), 0);
	format(line, sizeof(line), "%s does not fire within 30 ms", what);
	failures += hcheck(line, wait_for_irq(n, t0, 30 * MS) == ~0ull, 1);
	hv_set_timer(0, COUNT_VECTOR);
	return failures;
}

static int cancel(void)
{
	uint32_t n;
	uint64_t t0;
	int failures = 0;

	cli();
	n = count_irqs;
	t0 = hv_time_ns();
	hv_set_timer(t0 + 20 * MS, COUNT_VECTOR);
	failures += hcheck("SET_TIMER 0 cancels", hv_set_timer(0, COUNT_VECTOR), 0);
	failures +=
		hcheck("a cancelled timer does not fire", wait_for_irq(n, t0, 30 * MS) == ~0ull, 1);
	return failures;
}

static int vectors(void)
{
	static const uint32_t bad[] = { 0, 2, 8, 31, 256, 0x1040, 0xffffffffu };
	int failures = 0;

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char what[48];
		format(what, sizeof(what), "vector %u gets -22", bad[i]);
		/* The deadline far away: a vector taken by mistake must not fire meanwhile. */
		failures += hcheck(what, (int32_t)hv_call(HC_SET_TIMER, 0, 0x7fffffffu, bad[i], 0),
				   -EINVAL);
	}
	failures += hcheck("vector 32 taken", hv_set_timer(~0ull >> 1, 32), 0);
	failures += hcheck("vector 255 taken", hv_set_timer(~0ull >> 1, 255), 0);
	hv_set_timer(0, COUNT_VECTOR);
	return failures;
}

int case_time(unsigned magic, unsigned info)
{
	int failures = 0;
	(void)magic, (void)info;

	cpu_setup();
	failures += clocks();
	failures += past("deadline 1 ns", 0, true);
	failures += past("deadline 1 ms ago", 1 * MS, false);
	failures += never("deadline in 100 s", hv_time_ns() + 100000 * MS);
	failures += never("deadline 2^64-1", ~0ull);
	failures += cancel();
	failures += vectors();
	return failures;
}
