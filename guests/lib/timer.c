/*
 * Guest time on cloison: the SET_TIMER hypercall (docs/hypercalls.md)
 * raises a virtual interrupt at a deadline in hypervisor nanoseconds;
 * HLT waits for it without spinning.  For 32-bit guests this file also
 * sets up the descriptor tables an interrupt needs (guests/lib/desc.c)
 * and builds sleep_ns() and a periodic tick on them.  The interrupt needs no acknowledgement: a
 * partition has no interrupt controller.
 */
#include "guests/lib/guest.h"

int hv_set_timer(uint64_t deadline_ns, uint8_t vector)
{
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

	hv_set_timer(deadline, TIMER_VECTOR);
	while (hv_time_ns() < deadline) {
		__asm__ volatile("sti; hlt; cli" ::: "memory"); /* STI's shadow covers HLT */
		halts++;
	}
	return halts;
}

void tick_start(uint64_t period_ns, void (*fn)(void))
{
	tick_fn = fn;
	tick_period = period_ns;
	tick_next = hv_time_ns() + period_ns;
	hv_set_timer(tick_next, TIMER_VECTOR);
	__asm__ volatile("sti");
}

void tick_stop(void)
{
	__asm__ volatile("cli");
	tick_period = 0;
	hv_set_timer(0, TIMER_VECTOR);
}

#endif
