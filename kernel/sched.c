/*
 * The scheduler, round-robin edition: the boot CPU runs each ready
 * partition for one time slice (or until it yields, halts or stops),
 * then the next.  A partition that halted waits for its next event (its
 * SET_TIMER deadline, a pending interrupt, console input); while none is
 * ready the CPU halts until the earliest deadline.  The slice ends by a
 * LAPIC one-shot interrupt, which forces an exit.  Console input from
 * COM1 goes to the console multiplexer (kernel/conmux.c), which hands it
 * to the partition with the input focus.  When no partition is left the
 * machine powers off with exit_when_done, or idles.  (kernel/runq.c holds
 * the weighted, capped, per-CPU policy that will replace this loop.)
 */
#include "kernel/sched.h"
#include "drivers/lapic.h"
#include "drivers/power.h"
#include "drivers/timer.h"
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

/* Typed bytes go to the console multiplexer, which routes them to the input focus. */
static void poll_input(void)
{
	int b;

	while ((b = uart_getc(UART_COM1)) >= 0)
		pconsole_input((u8)b);
}

/*
 * Is p ready to run?  A halted vCPU wakes at its next event: its timer's
 * deadline (which raises the timer interrupt), a pending interrupt, or
 * console input.
 */
static bool ready(struct partition *p, u64 now)
{
	struct vcpu *v = &p->vcpu;

	if (p->state != PARTITION_RUNNABLE)
		return false;
	if (v->timer_deadline && now >= v->timer_deadline) {
		v->timer_deadline = 0;
		v->pending_irq = VIRQ_PENDING | v->timer_vector;
	}
	if (v->halted && (v->pending_irq || pconsole_has_input(&p->console)))
		v->halted = false;
	return !v->halted;
}

/* Nanoseconds until p's timer is due, or `limit` if that is later or it has none. */
static u64 until_deadline(const struct partition *p, u64 now, u64 limit)
{
	u64 d = p->vcpu.timer_deadline;

	if (p->state != PARTITION_RUNNABLE || !d)
		return limit;
	return d <= now ? 0 : MIN(d - now, limit);
}

/* Exits are handled inside vcpu_run(); it returns when the slice ends or p stops. */
static void run_slice(struct partition *p)
{
	u64 slice = until_deadline(p, time_ns(), SCHED_SLICE_NS);

	this_cpu()->need_resched = false;
	exit_deliver_pending(&p->vcpu);
	lapic_timer_oneshot_ns(MAX(slice, SCHED_MIN_SLICE_NS), VEC_TIMER);
	virt->vcpu_run(&p->vcpu);
	lapic_timer_stop();
}

/*
 * Nothing is ready but some partitions are halted: halt this CPU until
 * the earliest timer deadline, or one input poll period at most.
 */
static void idle(u64 now)
{
	u64 wait = SCHED_IDLE_POLL_NS;

	for (u32 i = 0; i < MAX_PARTITIONS; i++)
		wait = until_deadline(&partitions[i], now, wait);
	lapic_timer_oneshot_ns(MAX(wait, SCHED_MIN_SLICE_NS), VEC_TIMER);
	irq_enable_and_halt();
	irq_disable();
	lapic_timer_stop();
}

void sched_run(bool exit_when_done)
{
	u32 next = 0;

	trap_set_handler(VEC_TIMER, timer_irq);
	for (;;) {
		struct partition *p = NULL;
		bool alive = false;
		u64 now = time_ns();

		poll_input();
		for (u32 n = 0; n < MAX_PARTITIONS && !p; n++) {
			struct partition *c = &partitions[(next + n) % MAX_PARTITIONS];
			alive |= c->state == PARTITION_RUNNABLE;
			if (ready(c, now)) {
				p = c;
				next = (u32)(c - partitions) + 1;
			}
		}
		if (p)
			run_slice(p);
		else if (alive)
			idle(now);
		else
			break;
	}
	klog("all partitions stopped");
	if (exit_when_done)
		power_off();
	for (;;)
		irq_enable_and_halt();
}
