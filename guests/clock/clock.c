/*
 * clock: guest time through SET_TIMER.  It sleeps three times for 20 ms
 * (each sleep must last at least that long and take only a few HLTs,
 * since HLT blocks the vCPU until the timer's interrupt), then runs a
 * 10 ms periodic tick until five ticks have come (at least 50 ms), and
 * checks that a vector below 32 is refused.  Each check prints one ok
 * or FAIL line; it exits with the number of failures.
 */
#include "guests/lib/guest.h"

#define MS 1000000ull
#define SLEEP_NS (20 * MS)
#define TICK_NS (10 * MS)
#define TICKS 5
#define MAX_HALTS 4 /* a sleep ends at the first interrupt; a little slack */

static volatile unsigned beats;

static void on_tick(void)
{
	beats++;
}

int guest_main(unsigned magic, unsigned info)
{
	int failures = 0;
	uint64_t t0;
	(void)magic, (void)info;

	if (!hv_present()) {
		printf("clock: needs cloison's SET_TIMER; nothing to do natively\n");
		return 0;
	}
	timer_init();
	for (int i = 0; i < 3; i++) {
		unsigned halts;
		t0 = hv_time_ns();
		halts = sleep_ns(SLEEP_NS);
		failures += guest_check("clock", "sleep lasts its time",
					hv_time_ns() - t0 >= SLEEP_NS, 1);
		failures += guest_check("clock", "sleep halts, not spins", halts <= MAX_HALTS, 1);
	}
	t0 = hv_time_ns();
	tick_start(TICK_NS, on_tick);
	while (beats < TICKS)
		__asm__ volatile("hlt");
	tick_stop();
	failures += guest_check("clock", "five ticks", beats >= TICKS, 1);
	failures += guest_check("clock", "ticks are 10 ms apart",
				hv_time_ns() - t0 >= TICKS * TICK_NS, 1);
	failures += guest_check("clock", "vector 5 refused", hv_set_timer(1, 5), -EINVAL);
	printf("clock: %d failures\n", failures);
	return failures;
}
