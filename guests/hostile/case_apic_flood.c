/*
 * Case "apic-flood" (class 20 of the catalog): interrupts from the
 * partition's own devices as fast as they can come, on the heartbeat's
 * CPU.  Each costs cloison an exit or two (the ICR or EOI write, the
 * injection, a timer of its own to follow the device's), so the question
 * is whether the heartbeat beside it still gets its beats:
 *   phase 1, from 0.9 s to 1.6 s after its start: IPIs, as fast as the
 *     loop can write the ICR: to itself by shorthand, and broadcast (to
 *     APIC id 0xff and by the "all including self" shorthand), each
 *     handled and acknowledged by EOI;
 *   phase 2, from 1.6 s to 2.6 s: the local APIC timer periodic with
 *     the shortest period there is (initial count 1, divide by 1), the
 *     PIT's counter 0 at its fastest rate (mode 2, count 1) and the RTC's
 *     periodic interrupt at 8192 Hz, both routed through the I/O APIC,
 *     on top of the IPIs.  The guest may spend all its time in handlers
 *     then; the first handler past 2.6 s turns every source off.
 * Checks: in phase 1 every IPI sent came exactly once; in phase 2 each
 * source delivered; once all is off, nothing more comes.  The heartbeat
 * must keep its beats (the scenario checks it, as for catalog-sched).
 */
#include "guests/hostile/apic.h"
#include "guests/hostile/hostile.h"

#define MS 1000000ull
#define V_TIMER 0x58
#define V_PIT 0x59
#define V_RTC 0x5a
#define V_SELF 0x60
#define V_BROADCAST 0x61
#define PHASE1_MS 900
#define PHASE2_MS 1600
#define END_MS 2600
#define RTC_8192HZ 0x23 /* register A: divider 010 (32.768 kHz), rate 3 */

struct frame;
static volatile uint32_t n_timer, n_pit, n_rtc, n_self, n_broadcast;
static volatile bool stopped;
static uint64_t stop_tsc;

static void stop_sources(void)
{
	stopped = true;
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
	lapic_write(LAPIC_TIMER_INITIAL, 0);
	ioapic_route(IOAPIC_PIN_PIT, V_PIT, true);
	ioapic_route(IOAPIC_PIN_RTC, V_RTC, true);
	outb(PIT_CONTROL, PIT_CH0_MODE0); /* a new mode and no count: counter 0 waits */
	rtc_write(RTC_REG_B, rtc_read(RTC_REG_B) & ~RTC_B_PIE);
	(void)rtc_read(RTC_REG_C);
}

static void stop_when_due(void)
{
	if (!stopped && rdtsc() >= stop_tsc)
		stop_sources();
}

__attribute__((interrupt)) static void on_timer(struct frame *f)
{
	(void)f;
	n_timer++;
	stop_when_due();
	lapic_eoi();
}

__attribute__((interrupt)) static void on_pit(struct frame *f)
{
	(void)f;
	n_pit++;
	stop_when_due();
	lapic_eoi();
}

__attribute__((interrupt)) static void on_rtc(struct frame *f)
{
	(void)f;
	n_rtc++;
	(void)rtc_read(RTC_REG_C); /* acknowledges the RTC's interrupt */
	stop_when_due();
	lapic_eoi();
}

__attribute__((interrupt)) static void on_self(struct frame *f)
{
	(void)f;
	n_self++;
	lapic_eoi();
}

__attribute__((interrupt)) static void on_broadcast(struct frame *f)
{
	(void)f;
	n_broadcast++;
	lapic_eoi();
}

static uint64_t tsc_per_ms;

/* The TSC when TIME will read hostile_t0 + ms. */
static uint64_t tsc_at(uint64_t ms)
{
	uint64_t now = hv_time_ns(), c = rdtsc(), at = hostile_t0 + ms * MS;

	return at <= now ? c : c + hdiv((at - now) * tsc_per_ms, MS);
}

static void wait_until(uint64_t ms)
{
	while (hv_time_ns() - hostile_t0 < ms * MS)
		sleep_ns(10 * MS);
}

/* IPIs until the TSC reaches end (or the sources were stopped): how many of each were sent. */
static void ipis(uint64_t end, uint32_t *self, uint32_t *broadcast)
{
	lapic_write(LAPIC_ICR_HIGH, 0xffu << ICR_DEST_SHIFT);
	while (rdtsc() < end && !stopped) {
		for (unsigned i = 0; i < 16; i++) {
			lapic_write(LAPIC_ICR_LOW, ICR_SELF | V_SELF);
			lapic_write(LAPIC_ICR_LOW, V_BROADCAST); /* physical, to 0xff */
			lapic_write(LAPIC_ICR_LOW, ICR_ALL | V_BROADCAST);
		}
		*self += 16;
		*broadcast += 32;
	}
}

static int phase1(void)
{
	uint32_t self = 0, broadcast = 0;
	uint64_t t0;
	int failures = 0;

	wait_until(PHASE1_MS);
	t0 = hv_time_ns();
	sti();
	ipis(tsc_at(PHASE2_MS), &self, &broadcast);
	cli();
	hsay("phase 1: %u self and %u broadcast IPIs sent in %u ms, %u and %u taken", self,
	     broadcast, hms(hv_time_ns() - t0), n_self, n_broadcast);
	failures += hcheck("phase 1: every self IPI came, once", n_self, self);
	failures += hcheck("phase 1: every broadcast IPI came, once", n_broadcast, broadcast);
	return failures;
}

static int phase2(void)
{
	uint32_t self = 0, broadcast = 0, before, after;
	uint64_t t0 = hv_time_ns();
	int failures = 0;

	n_self = n_broadcast = 0;
	stop_tsc = tsc_at(END_MS);
	lapic_write(LAPIC_TIMER_DCR, DCR_DIVIDE_1);
	lapic_write(LAPIC_LVT_TIMER, LVT_PERIODIC | V_TIMER);
	lapic_write(LAPIC_TIMER_INITIAL, 1);
	ioapic_route(IOAPIC_PIN_PIT, V_PIT, false);
	pit_program(PIT_CH0_MODE2, 1);
	ioapic_route(IOAPIC_PIN_RTC, V_RTC, false);
	rtc_write(RTC_REG_A, RTC_8192HZ);
	rtc_write(RTC_REG_B, rtc_read(RTC_REG_B) | RTC_B_PIE);
	(void)rtc_read(RTC_REG_C);
	sti();
	ipis(stop_tsc, &self, &broadcast);
	cli();
	if (!stopped)
		stop_sources();
	hsay("phase 2: %u ms: %u APIC timer, %u PIT, %u RTC interrupts; IPIs %u+%u sent, %u+%u "
	     "taken",
	     hms(hv_time_ns() - t0), n_timer, n_pit, n_rtc, self, broadcast, n_self, n_broadcast);
	failures += hcheck("phase 2: the APIC timer at its shortest period fired", n_timer > 0, 1);
	failures += hcheck("phase 2: the PIT at its fastest rate came through the I/O APIC",
			   n_pit > 0, 1);
	failures += hcheck("phase 2: the RTC's 8192 Hz interrupt came", n_rtc > 0, 1);
	sleep_ns(20 * MS); /* what was pending when the sources stopped */
	before = n_timer + n_pit + n_rtc + n_self + n_broadcast;
	sleep_ns(50 * MS);
	after = n_timer + n_pit + n_rtc + n_self + n_broadcast;
	failures += hcheck("once every source is off, no interrupt comes", after - before, 0);
	return failures;
}

int case_apic_flood(unsigned magic, unsigned info)
{
	uint64_t t, c;
	int failures = 0;
	(void)magic, (void)info;

	cpu_setup();
	desc_set_handler(V_TIMER, (void *)on_timer);
	desc_set_handler(V_PIT, (void *)on_pit);
	desc_set_handler(V_RTC, (void *)on_rtc);
	desc_set_handler(V_SELF, (void *)on_self);
	desc_set_handler(V_BROADCAST, (void *)on_broadcast);
	lapic_write(LAPIC_SVR, SVR_ENABLE | 0xff);
	t = hv_time_ns(), c = rdtsc();
	sleep_ns(50 * MS);
	tsc_per_ms = hdiv((rdtsc() - c) * MS, hv_time_ns() - t);
	failures += phase1();
	failures += phase2();
	return failures;
}
