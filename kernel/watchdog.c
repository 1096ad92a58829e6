/*
 * The slice watchdog.  A guest's slice ends with the LAPIC timer's
 * interrupt, which exits the guest whatever its own IF says (VMX
 * external-interrupt exiting; SVM V_INTR_MASKING with the INTR
 * intercept).  Under Bochs 2.7 it does not: a guest whose IF is clear
 * is never interrupted by the host, on either backend, and a plain
 * `cli; 1: jmp 1b` keeps its CPU for good (docs/hardware.md has the
 * evidence).  So cloison does not rely on that interrupt alone:
 *
 * - VMX has the preemption timer, which counts down while the guest
 *   runs and exits it at the slice's end (vmx/vmx.c).
 * - Elsewhere this watchdog runs: PIT channel 0 ticks WATCHDOG_HZ times
 *   a second, and the I/O APIC delivers each tick to the boot CPU as an
 *   NMI, which no guest can mask and which exits any guest (the NMI
 *   intercept).  At its next look (watchdog_poll) the boot CPU sends an
 *   NMI to every other CPU still in a guest more than WATCHDOG_GRACE_NS
 *   past its slice's end.  An NMI's exit is an interrupt exit: the slice
 *   is over, so the guest leaves.
 *
 * The NMI handler only notes the tick: it may come at any point of the
 * hypervisor's own code, where nothing else is safe.
 */
#include "kernel/watchdog.h"
#include "drivers/ioapic.h"
#include "drivers/lapic.h"
#include "drivers/timer.h"
#include "kernel/console.h"
#include "kernel/cpu.h"
#include "kernel/trap.h"
#include "kernel/virt.h"
#include "lib/lib.h"

#define ISA_IRQ_PIT 0

static volatile bool due;  /* a tick came; the boot CPU has not looked yet */
static volatile u64 ticks; /* ticks seen by the boot CPU */

/* Every NMI that is not a panic's comes here (kernel/trap.c): on the boot CPU, a tick. */
static void on_nmi(struct trap_frame *f)
{
	(void)f;
	if (this_cpu()->index == 0) {
		ticks++;
		due = true;
	}
}

void watchdog_start(void)
{
	u64 before;

	if (!virt)
		return;
	if (virt->slice_timer()) {
		klog("slices: the VMX preemption timer ends them in any guest");
		return;
	}
	trap_set_handler(EXC_NMI, on_nmi);
	if (!ioapic_route_isa(ISA_IRQ_PIT, IOAPIC_NMI, percpus[0].apic_id)) {
		klog("slices: no watchdog (the PIT's IRQ has no route); a guest that never exits "
		     "may keep its CPU where the timer cannot interrupt it");
		return;
	}
	before = ticks;
	timer_pit_periodic(WATCHDOG_HZ);
	udelay(3 * 1000000 / WATCHDOG_HZ); /* three ticks' time */
	if (ticks == before) {
		klog("slices: no watchdog (the PIT does not tick here)");
		return;
	}
	klog("slices: a %u Hz NMI watchdog (PIT, IRQ 0) ends them in any guest", WATCHDOG_HZ);
}

void watchdog_poll(void)
{
	u64 now, grace;

	if (!due)
		return;
	due = false;
	now = rdtsc();
	grace = mul_div_u64(WATCHDOG_GRACE_NS, tsc_hz, 1000000000ull);
	for (u32 c = 1; c < MAX_CPUS; c++) {
		struct percpu *p = &percpus[c];

		if (p->online && p->in_guest && (s64)(now - p->slice_end) > (s64)grace)
			lapic_send_nmi(p->apic_id);
	}
}
