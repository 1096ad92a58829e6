/*
 * Case "apic-timer" (class 16 of the catalog): a guest that arms its
 * local APIC timer and then spins without a single exit, interrupts
 * enabled, waiting for it.  The timer is one-shot in TSC-deadline mode
 * (SDM 3A §11.5.4.1): IA32_TSC_DEADLINE = now + 1 ms of TSC ticks (the
 * TSC's kHz from CPUID leaf 0x40000010, docs/platform.md).  cloison
 * raises a device timer between slices, so a timer armed during a slice
 * must end the slice when it falls due; otherwise it comes at the
 * slice's end, up to 10 ms late.  20 times; the handler takes RDTSC,
 * and the line says how late the worst came, in microseconds of TSC
 * time.  Bochs' TSC counts instructions, so there the scenario holds it
 * under 5 ms; QEMU's follows the host, and is only printed.  A timer
 * that comes before its deadline, or not within 100 ms, is a FAIL.
 */
#include "guests/hostile/apic.h"
#include "guests/hostile/hostile.h"

#define ROUNDS 20
#define V_DEADLINE 0x52

struct frame;
static volatile uint32_t fired;
static volatile uint64_t fired_at;

__attribute__((interrupt)) static void on_deadline(struct frame *f)
{
	(void)f;
	fired_at = rdtsc();
	fired++;
	lapic_eoi();
}

int case_apic_timer(unsigned magic, unsigned info)
{
	uint32_t r[4], khz, early = 0, missed = 0;
	uint64_t worst = 0;
	(void)magic, (void)info;

	cpu_setup();
	cpuid(1, &r[0], &r[1], &r[2], &r[3]);
	if (hcheck("CPUID 1 offers the TSC-deadline timer", !!(r[2] & CPUID1_ECX_TSC_DEADLINE), 1))
		return 1;
	cpuid(0x40000010, &r[0], &r[1], &r[2], &r[3]);
	khz = r[0];
	if (hcheck("CPUID 0x40000010 gives the TSC's frequency", khz != 0, 1))
		return 1;
	desc_set_handler(V_DEADLINE, (void *)on_deadline);
	lapic_write(LAPIC_SVR, SVR_ENABLE | 0xff);
	lapic_write(LAPIC_LVT_TIMER, LVT_TSC_DEADLINE | V_DEADLINE);
	for (uint32_t k = 0; k < ROUNDS; k++) {
		uint32_t before = fired;
		uint64_t deadline = rdtsc() + khz, give_up = deadline + 100ull * khz;

		wrmsr(MSR_TSC_DEADLINE, deadline);
		sti();
		while (fired == before && rdtsc() < give_up)
			__asm__ volatile("pause");
		cli();
		if (fired == before) {
			missed++;
			continue;
		}
		if (fired_at < deadline)
			early++;
		else if (fired_at - deadline > worst)
			worst = fired_at - deadline;
	}
	hsay("%u one-shot timers of 1 ms (TSC deadline), worst %u us late", ROUNDS,
	     (uint32_t)hdiv(worst * 1000, khz));
	return hcheck("timers that never came (100 ms)", missed, 0) +
	       hcheck("timers that came before their deadline", early, 0);
}
