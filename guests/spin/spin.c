/*
 * spin: a CPU-bound partition for the scheduler's fairness tests.  It
 * asks for the time in a loop (each call is an exit, so it never halts)
 * until SPIN_NS (2 s) of hypervisor time have passed since it started, then
 * exits 0.  The hypervisor's accounting line at its stop says what share
 * of the CPU it got (tests/boot/fairness.scenario).
 */
#include "guests/lib/guest.h"

#define SPIN_NS 2000000000ull /* 2 s */

int guest_main(unsigned magic, unsigned info)
{
	uint64_t t0, n = 0;
	(void)magic, (void)info;

	if (!hv_present()) {
		printf("spin: needs cloison's TIME; nothing to do natively\n");
		return 0;
	}
	t0 = hv_time_ns();
	while (hv_time_ns() - t0 < SPIN_NS)
		n++;
	printf("spin: %llu calls\n", (unsigned long long)n);
	return 0;
}
