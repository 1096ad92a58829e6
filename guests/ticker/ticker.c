/*
 * ticker: the demo's clock (iso/grub.cfg).  A periodic SET_TIMER tick
 * once a second; at each tick it prints the time since it started and
 * halts again, so it costs the CPU nearly nothing between ticks.  After
 * TICKS ticks it exits 0.
 */
#include "guests/lib/guest.h"

#define SECOND 1000000000ull
#define TICKS 10

static volatile unsigned ticks;

static void on_tick(void)
{
	ticks++;
}

/* Whole milliseconds since t0, without a 64-bit division (none in 32-bit freestanding code). */
static unsigned ms_since(uint64_t t0)
{
	uint64_t ns = hv_time_ns() - t0;
	unsigned ms = 0;

	for (; ns >= 1000000; ns -= 1000000)
		ms++;
	return ms;
}

int guest_main(unsigned magic, unsigned info)
{
	unsigned shown = 0;
	uint64_t t0;
	(void)magic, (void)info;

	if (!hv_present()) {
		printf("ticker: needs cloison's SET_TIMER; nothing to do natively\n");
		return 0;
	}
	timer_init();
	t0 = hv_time_ns();
	tick_start(SECOND, on_tick);
	while (shown < TICKS) {
		__asm__ volatile("sti; hlt; cli");
		if (ticks == shown)
			continue;
		shown = ticks;
		printf("tick %u: %u ms since start\n", shown, ms_since(t0));
	}
	tick_stop();
	return 0;
}
