/*
 * The scheduler, round-robin edition: the boot CPU runs each runnable
 * partition for one time slice (or until it yields, halts or stops),
 * then the next.  The slice ends by a LAPIC one-shot interrupt, which
 * forces an exit.  Console input from COM1 goes to the first running
 * partition.  When no partition is left the machine idles, or powers
 * off with exit_when_done.
 */
#include "kernel/sched.h"
#include "drivers/lapic.h"
#include "drivers/power.h"
#include "drivers/uart.h"
#include "kernel/console.h"
#include "kernel/cpu.h"
#include "kernel/partition.h"
#include "kernel/trap.h"
#include "kernel/virt.h"
#include "kernel/x86.h"

static void timer_irq(struct trap_frame *f)
{
	(void)f;
	this_cpu()->need_resched = true; /* the guest stops at this exit */
}

static void poll_input(void)
{
	int b;
	struct partition *target = NULL;

	for (u32 i = 0; i < MAX_PARTITIONS && !target; i++)
		if (partitions[i].state == PARTITION_RUNNABLE)
			target = &partitions[i];
	while ((b = uart_getc(UART_COM1)) >= 0)
		if (target)
			pconsole_push_input(&target->console, (u8)b);
}

/* Exits are handled inside vcpu_run(); it returns when the slice ends or p stops. */
static void run_slice(struct partition *p)
{
	this_cpu()->need_resched = false;
	lapic_timer_oneshot_ns(SCHED_SLICE_NS, VEC_TIMER);
	virt->vcpu_run(&p->vcpu);
	lapic_timer_stop();
}

void sched_run(bool exit_when_done)
{
	u32 next = 0;

	trap_set_handler(VEC_TIMER, timer_irq);
	for (;;) {
		struct partition *p = NULL;

		poll_input();
		for (u32 n = 0; n < MAX_PARTITIONS && !p; n++) {
			struct partition *c = &partitions[(next + n) % MAX_PARTITIONS];
			if (c->state == PARTITION_RUNNABLE) {
				p = c;
				next = (u32)(c - partitions) + 1;
			}
		}
		if (!p)
			break;
		run_slice(p);
	}
	klog("all partitions stopped");
	if (exit_when_done)
		power_off();
	for (;;)
		irq_enable_and_halt();
}
