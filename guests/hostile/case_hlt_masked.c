/*
 * Case "hlt-masked" (class 16 of the catalog): HLT with interrupts off
 * while the local APIC has an interrupt for the CPU, as an OS parks a
 * CPU (Linux's stop_this_cpu() and its offline loop).  On hardware such
 * a HLT ends only for NMI, SMI, INIT or a reset (SDM 3A §9.1.2 on HLT,
 * and the HLT entry of SDM 2): a maskable interrupt waits in IRR.  A
 * hypervisor that wakes it for the pending interrupt makes the guest's
 * `cli; hlt` loop spin at full speed, the interrupt never taken.
 *
 * The case runs its local APIC timer periodic every 100 µs with IF
 * clear, asks cloison's SET_TIMER for an interrupt 200 ms ahead (which
 * by the hypercall's contract does wake a HLT with IF clear,
 * docs/hypercalls.md), and counts how often `cli; hlt` returns before
 * TIME passes that deadline: it must be at most once (the SET_TIMER
 * wake-up itself, which may come a little before TIME shows the
 * deadline).  Then it masks the timer, takes the pending interrupts
 * with IF set and exits with its failures.
 */
#include "guests/hostile/apic.h"
#include "guests/hostile/hostile.h"

#define MS 1000000ull
#define V_PERIODIC 0x53
#define V_WAKE 0x54
/*
 * Long enough for a wrong wake-up to show under a loaded QEMU, whose CPU
 * thread may be off the host's CPUs for tens of milliseconds at a time:
 * a period missed then pends once, and wakes the HLT at most once.
 */
#define WAIT_MS 200

struct frame;
static volatile uint32_t ticks, wakes_taken;

__attribute__((interrupt)) static void on_tick(struct frame *f)
{
	(void)f;
	ticks++;
	lapic_eoi();
}

__attribute__((interrupt)) static void on_wake(struct frame *f)
{
	(void)f;
	wakes_taken++; /* SET_TIMER's vector: no EOI (docs/hypercalls.md) */
}

int case_hlt_masked(unsigned magic, unsigned info)
{
	uint64_t deadline;
	uint32_t returns = 0, ticks_before;
	int failures = 0;
	(void)magic, (void)info;

	cpu_setup();
	desc_set_handler(V_PERIODIC, (void *)on_tick);
	desc_set_handler(V_WAKE, (void *)on_wake);
	lapic_write(LAPIC_SVR, SVR_ENABLE | 0xff);
	lapic_write(LAPIC_TIMER_DCR, DCR_DIVIDE_1);
	/* 100 µs at the 25 MHz APIC timer clock of leaf 0x40000010 EBX (docs/platform.md). */
	lapic_write(LAPIC_LVT_TIMER, LVT_PERIODIC | V_PERIODIC);
	lapic_write(LAPIC_TIMER_INITIAL, 2500);
	ticks_before = ticks;
	deadline = hv_time_ns() + WAIT_MS * MS;
	if (hv_set_timer(deadline, V_WAKE) < 0) {
		hsay("FAIL: SET_TIMER refused");
		return 1;
	}
	while (hv_time_ns() < deadline && returns < 1000) {
		__asm__ volatile("cli; hlt" ::: "memory");
		returns++;
	}
	hsay("cli; hlt returned %u times in %u ms with the APIC timer pending", returns, WAIT_MS);
	failures += hcheck("cli; hlt stays halted while only a masked interrupt waits",
			   returns <= 1, 1);
	failures += hcheck("no interrupt was taken with IF clear", ticks - ticks_before, 0);
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | V_PERIODIC);
	sti();
	__asm__ volatile("nop; nop" ::: "memory");
	cli();
	failures += hcheck("with IF set, the pending timer interrupt is taken",
			   ticks > ticks_before, 1);
	return failures;
}
