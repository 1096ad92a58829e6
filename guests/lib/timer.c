/*
 * Guest time on cloison: the SET_TIMER hypercall (docs/hypercalls.md)
 * raises a virtual interrupt at a deadline in hypervisor nanoseconds;
 * HLT waits for it without spinning.  For 32-bit guests this file also
 * brings the descriptor tables an interrupt needs (cloison starts a
 * partition with GDTR and IDTR empty) and builds sleep_ns() and a
 * periodic tick on them.  The interrupt needs no acknowledgement: a
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

#define SEL_CODE 0x08
#define GATE_INTR32 0x8e /* present, DPL 0, 32-bit interrupt gate (SDM 3A §6.11) */

struct __attribute__((packed)) table_ptr {
	uint16_t limit;
	uint32_t base;
};

struct gate {
	uint16_t offset_low;
	uint16_t selector;
	uint8_t zero;
	uint8_t type;
	uint16_t offset_high;
};
_Static_assert(sizeof(struct gate) == 8, "32-bit IDT gate (SDM 3A §6.11)");

struct frame; /* what the CPU pushed; only passed along */

/* Flat 4 GiB code (0x08) and data (0x10), the Multiboot start state. */
static const uint64_t gdt[] = { 0, 0x00cf9a000000ffffull, 0x00cf92000000ffffull };
static struct gate idt[TIMER_VECTOR + 1];

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
	struct table_ptr g = { sizeof(gdt) - 1, (uint32_t)(uintptr_t)gdt };
	struct table_ptr i = { sizeof(idt) - 1, (uint32_t)(uintptr_t)idt };
	uint32_t a = (uint32_t)(uintptr_t)on_timer;

	idt[TIMER_VECTOR] =
		(struct gate){ (uint16_t)a, SEL_CODE, 0, GATE_INTR32, (uint16_t)(a >> 16) };
	__asm__ volatile("lgdt %0\n\t"
			 "ljmp $0x08, $1f\n"
			 "1:\tmovl $0x10, %%eax\n\t"
			 "movl %%eax, %%ds\n\tmovl %%eax, %%es\n\tmovl %%eax, %%ss\n\t"
			 "movl %%eax, %%fs\n\tmovl %%eax, %%gs\n\t"
			 "lidt %1"
			 :
			 : "m"(g), "m"(i)
			 : "eax", "memory");
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
