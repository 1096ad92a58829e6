/*
 * Guest time.  On cloison the SET_TIMER hypercall (docs/hypercalls.md)
 * raises a virtual interrupt at a deadline in hypervisor nanoseconds, and
 * HLT waits for it without spinning.  The interrupt does not go through
 * the partition's local APIC, so its handler sends no EOI.  For 32-bit
 * guests this file also sets up the descriptor tables an interrupt needs
 * (guests/lib/desc.c) and builds sleep_ns() and a periodic tick on them.
 *
 * Without cloison (under qemu -kernel, or on a PC) there is no timer
 * interrupt to wait for: the BIOS's own tick arrives at a vector the
 * SDK's IDT leaves empty.  There the clock is the TSC, its rate measured
 * once against the PIT's counter 2 as Linux measures it (tsc_time_ns()),
 * sleep_ns() spins on it with interrupts off, and SET_TIMER and the tick
 * answer -ENOSYS.
 */
#include "guests/lib/guest.h"
#include "guests/lib/pcdev.h"

#define CAL_PIT_COUNT (PIT_HZ / 100) /* 10 ms of the PIT's input clock */
#define CAL_NS 10000000u	     /* the same 10 ms */
#define CAL_POLLS 10000000u	     /* reads of port B before a PIT that never ends is given up */

static uint32_t tsc_per_cal; /* TSC ticks in CAL_NS; 0 until measured */
static uint64_t tsc_zero;    /* the TSC when it was: tsc_time_ns() counts from there */

/* Counter 2 in mode 0, gated on with the speaker off: OUT rises once the count has run out. */
static void tsc_calibrate(void)
{
	uint8_t b = inb(PORT_B);
	uint32_t polls = 0;
	uint64_t t0, d;

	outb(PORT_B, (uint8_t)((b & ~PORT_B_SPEAKER) | PORT_B_GATE2));
	outb(PIT_CONTROL, PIT_CH2_MODE0);
	outb(PIT_COUNTER2, CAL_PIT_COUNT & 0xff);
	t0 = rdtsc();
	outb(PIT_COUNTER2, CAL_PIT_COUNT >> 8); /* counting starts */
	while (!(inb(PORT_B) & PORT_B_OUT2) && ++polls < CAL_POLLS)
		;
	d = rdtsc() - t0;
	tsc_per_cal = d > 0xffffffffu ? 0xffffffffu : d ? (uint32_t)d : 1;
	tsc_zero = rdtsc();
}

uint64_t tsc_time_ns(void)
{
	uint32_t r;
	uint64_t q;

	if (!tsc_per_cal)
		tsc_calibrate();
	q = div64_32(rdtsc() - tsc_zero, tsc_per_cal, &r);
	return q * CAL_NS + div64_32((uint64_t)r * CAL_NS, tsc_per_cal, NULL);
}

int hv_set_timer(uint64_t deadline_ns, uint8_t vector)
{
	if (!hv_present())
		return -ENOSYS; /* nothing would raise the vector */
#ifdef __x86_64__
	return (int)hv_call(HC_SET_TIMER, deadline_ns, 0, vector, 0);
#else
	/* Outside 64-bit mode the deadline travels in ECX:EBX. */
	return (int)hv_call(HC_SET_TIMER, (uint32_t)deadline_ns, (uint32_t)(deadline_ns >> 32),
			    vector, 0);
#endif
}

#ifndef __x86_64__

struct frame; /* what the CPU pushed; only passed along */

static volatile uint64_t ticks;
static uint64_t tick_period, tick_next;
static void (*tick_fn)(void);

__attribute__((interrupt)) static void on_timer(struct frame *f)
{
	(void)f;
	ticks++;
	if (tick_period) {
		tick_next += tick_period;
		hv_set_timer(tick_next, TIMER_VECTOR);
	}
	if (tick_fn)
		tick_fn();
}

void timer_init(void)
{
	desc_init();
	desc_set_handler(TIMER_VECTOR, (void *)on_timer);
}

uint64_t timer_ticks(void)
{
	return ticks;
}

unsigned sleep_ns(uint64_t ns)
{
	uint64_t deadline = hv_time_ns() + ns;
	unsigned halts = 0;

	if (!hv_present()) { /* no timer to end a HLT: spin */
		while (hv_time_ns() < deadline)
			__asm__ volatile("pause");
		return 0;
	}
	hv_set_timer(deadline, TIMER_VECTOR);
	while (hv_time_ns() < deadline) {
		__asm__ volatile("sti; hlt; cli" ::: "memory"); /* STI's shadow covers HLT */
		halts++;
	}
	return halts;
}

int tick_start(uint64_t period_ns, void (*fn)(void))
{
	if (!hv_present())
		return -ENOSYS; /* no timer: interrupts stay off */
	tick_fn = fn;
	tick_period = period_ns;
	tick_next = hv_time_ns() + period_ns;
	hv_set_timer(tick_next, TIMER_VECTOR);
	__asm__ volatile("sti");
	return 0;
}

void tick_stop(void)
{
	__asm__ volatile("cli");
	tick_period = 0;
	hv_set_timer(0, TIMER_VECTOR);
}

#endif
