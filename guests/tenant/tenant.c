/*
 * tenant: one of many small partitions for the scale test
 * (tests/boot/scale.scenario).  It fills 256 KiB of its RAM with a
 * pattern made from its partition id, sleeps 200 ms with SET_TIMER (so
 * that all the tenants of a CPU sit on its run queue at once), then
 * checks that every word of the pattern is still its own: a partition
 * whose RAM another one could reach would find a foreign word.  Prints
 * "tenant N: ok" or a FAIL line and exits with the number of failures.
 */
#include "guests/lib/guest.h"

#define WORDS (256 * 1024 / 4)
#define NAP_NS 200000000ull /* 200 ms */

static uint32_t pattern[WORDS];

static uint32_t word(uint32_t id, uint32_t i)
{
	return (id << 24) ^ (i * 2654435761u);
}

int guest_main(unsigned magic, unsigned info)
{
	uint32_t id, a, c, d, bad = 0;
	(void)magic, (void)info;

	if (!hv_present()) {
		printf("tenant: needs cloison; nothing to do natively\n");
		return 0;
	}
	cpuid(0x40000001, &a, &id, &c, &d);
	for (uint32_t i = 0; i < WORDS; i++)
		pattern[i] = word(id, i);
	timer_init();
	sleep_ns(NAP_NS);
	for (uint32_t i = 0; i < WORDS; i++)
		bad += pattern[i] != word(id, i);
	if (bad) {
		printf("tenant %u: FAIL: %u of %u words changed while it slept\n", id, bad, WORDS);
		return 1;
	}
	printf("tenant %u: ok\n", id);
	return 0;
}
