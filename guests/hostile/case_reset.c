/*
 * Case "reset" (class 22 of the catalog): a partition that resets or
 * powers off its own small PC, as an OS does at reboot and shutdown.
 * By variant:
 *   kbc  the i8042 command 0xFE, which pulses the reset line (port 0x64);
 *   cf9  the reset value 0x06 that the FADT names, to the reset register
 *        at port 0xcf9;
 *   init an INIT IPI from the local APIC to itself, the bootstrap
 *        processor (a real one would start over in the firmware);
 *   s5   SLP_TYP = 5 (\_S5) with SLP_EN in PM1a control (port 0x604).
 * A reset starts the partition again, under on_crash=stop too (it is no
 * crash: "reset by its guest"), with its RAM scrubbed and the image
 * loaded again; power-off ends it with exit code 0.
 *
 * Nothing of a life survives into the next, so a life tells which it is
 * by the clock: TIME counts from the hypervisor's start, across resets.
 * A life that starts before FIRST_LIFE_END_MS of TIME is the first: it
 * writes a pattern into its RAM, waits until then and resets.  A life
 * that starts later is the second: it checks that the pattern is gone
 * and exits 0.  (A first life that starts too late says so and fails.)
 */
#include "guests/hostile/apic.h"
#include "guests/hostile/cpu.h"
#include "guests/hostile/hostile.h"

#define MS 1000000ull
#define FIRST_LIFE_END_MS 2000 /* cloison starts partitions well before this */
#define POWER_OFF_MS 1200      /* after the start: in the heartbeat's beating time */
#define PATTERN 0x7e5e7e5eu
#define PATTERN_AT 0x180000u
#define PM1A_CNT 0x604
#define SLP_TYP_S5 (5u << PM1_SLP_TYP_SHIFT) /* cloison's \_S5 */

static int power_off(void)
{
	while (hv_time_ns() - hostile_t0 < POWER_OFF_MS * MS)
		sleep_ns(20 * MS);
	hsay("powering off through S5 next");
	outw(PM1A_CNT, SLP_TYP_S5 | PM1_SLP_EN);
	sleep_ns(100 * MS);
	hsay("FAIL: still running after SLP_EN with SLP_TYP 5");
	return 1;
}

static int first_life(const char *v)
{
	*(volatile uint32_t *)PATTERN_AT = PATTERN;
	while (hv_time_ns() < FIRST_LIFE_END_MS * MS)
		sleep_ns(20 * MS);
	if (str_same(v, "init")) {
		hsay("sending INIT to itself next");
		lapic_write(LAPIC_SVR, SVR_ENABLE | 0xff);
		lapic_ipi(0, ICR_INIT | ICR_ASSERT);
	} else {
		hsay("resetting through port %s next",
		     str_same(v, "kbc") ? "0x64 (0xfe)" : "0xcf9 (0x06)");
		if (str_same(v, "kbc"))
			outb(0x64, 0xfe);
		else
			outb(0xcf9, 0x06);
	}
	sleep_ns(100 * MS);
	hsay("FAIL: still running after the reset");
	return 1;
}

int case_reset(unsigned magic, unsigned info)
{
	const char *v = hostile_variant;
	uint32_t started = hms(hostile_t0);
	(void)magic, (void)info;

	timer_init();
	if (str_same(v, "s5"))
		return power_off();
	if (!str_same(v, "kbc") && !str_same(v, "cf9") && !str_same(v, "init")) {
		hsay("FAIL: variant '%s': want kbc, cf9, init or s5", v);
		return 1;
	}
	if (started < FIRST_LIFE_END_MS - 500) {
		hsay("first life, started at %u ms", started);
		return first_life(v);
	}
	if (started < FIRST_LIFE_END_MS) {
		hsay("FAIL: started at %u ms, too close to %u ms to tell its lives apart", started,
		     FIRST_LIFE_END_MS);
		return 1;
	}
	hsay("second life, started at %u ms", started);
	return hcheck("the first life's RAM was scrubbed by the reset",
		      *(volatile uint32_t *)PATTERN_AT, 0);
}
