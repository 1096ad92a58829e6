/*
 * The scheduler: every CPU that could turn virtualization on runs its
 * own loop over its own run queue (kernel/runq.c holds the policy:
 * weights, caps, pinning).  Each partition is placed on one CPU when
 * scheduling starts and stays there.  A CPU runs the entity runq_pick()
 * chooses for the slice it says, with the LAPIC timer in one-shot mode;
 * exits are handled inside vcpu_run(), which returns when the slice
 * ends (percpu slice_end), the guest yields or halts, or it stops.  A
 * halted vCPU is blocked until its next event: its SET_TIMER deadline
 * (which raises the timer interrupt), or, checked every poll period,
 * console input.  A CPU with nothing to run halts until its queue's next
 * event.  The boot CPU also polls COM1 for typed input (kernel/conmux.c
 * routes it) and, once no partition is left, says so and powers off
 * with exit_when_done.
 */
#include "kernel/sched.h"
#include "drivers/lapic.h"
#include "drivers/power.h"
#include "drivers/timer.h"
#include "drivers/uart.h"
#include "kernel/console.h"
#include "kernel/cpu.h"
#include "kernel/lib.h"
#include "kernel/partition.h"
#include "kernel/runq.h"
#include "kernel/spinlock.h"
#include "kernel/trap.h"
#include "kernel/virt.h"
#include "kernel/x86.h"

/* One CPU's queue; its lock covers every runq_* call that names it. */
static struct cpu_sched {
	struct spinlock lock;
	struct runq rq;
	volatile bool ready; /* virtualization is on: partitions may be placed here */
	volatile bool done;  /* its loop ended: no partition is left */
} cpu_sched[MAX_CPUS];

static volatile bool go;     /* the APs may turn virtualization on */
static volatile bool placed; /* every partition is on a queue: all CPUs run */

static void timer_irq(struct trap_frame *f)
{
	(void)f;
	cpu_end_slice(); /* the guest stops at this exit */
}

/* Typed bytes go to the console multiplexer, which routes them to the input focus. */
static void poll_input(void)
{
	int b;

	while ((b = uart_getc(UART_COM1)) >= 0)
		pconsole_input((u8)b);
}

/*
 * Does p have an event to run for?  Its timer's deadline raises the
 * timer interrupt; a halted vCPU wakes for a pending interrupt or input.
 */
static bool has_event(struct partition *p, u64 now)
{
	struct vcpu *v = &p->vcpu;

	if (v->timer_deadline && now >= v->timer_deadline) {
		v->timer_deadline = 0;
		v->pending_irq = VIRQ_PENDING | v->timer_vector;
	}
	if (v->halted && (v->pending_irq || pconsole_has_input(&p->console)))
		v->halted = false;
	return !v->halted;
}

/* When a halted p must be looked at again: its deadline, or the next input poll. */
static u64 wake_time(const struct partition *p, u64 now)
{
	u64 poll = now + SCHED_IDLE_POLL_NS, d = p->vcpu.timer_deadline;

	return d && d < poll ? d : poll;
}

/* Run p for at most slice_ns (less if its timer is due sooner). */
static void run(struct partition *p, u64 now, u64 slice_ns)
{
	u64 d = p->vcpu.timer_deadline;

	if (d)
		slice_ns = MIN(slice_ns, d > now ? d - now : 0);
	slice_ns = MAX(slice_ns, SCHED_MIN_SLICE_NS);
	this_cpu()->slice_end = rdtsc() + mul_div_u64(slice_ns, tsc_hz, 1000000000ull);
	exit_deliver_pending(&p->vcpu);
	lapic_timer_oneshot_ns(slice_ns, VEC_TIMER);
	virt->vcpu_run(&p->vcpu);
	lapic_timer_stop();
}

/*
 * Halt this CPU until `until` (a queue's next event, or RUNQ_NEVER), at
 * most one poll period: the BSP polls COM1, and every CPU checks whether
 * any partition is left.
 */
static void idle(u64 now, u64 until)
{
	u64 wait = MIN(until > now ? until - now : 0, SCHED_IDLE_POLL_NS);

	lapic_timer_oneshot_ns(MAX(wait, SCHED_MIN_SLICE_NS), VEC_TIMER);
	irq_enable_and_halt();
	irq_disable();
	lapic_timer_stop();
}

/*
 * Accounting, once p has stopped: its CPU time, what share of its life
 * on a CPU that was (in tenths of a percent), its slices and its exits.
 */
static void report(const struct partition *p, u64 now)
{
	u64 life = now - p->placed_ns, ran = p->entity.cpu_ns;
	u64 permille = life ? mul_div_u64(ran, 1000, life) : 0;

	klog("partition %s: ran %llu ms of %llu ms (%llu.%llu%%), %llu slices, %llu exits",
	     p->cfg.name, (unsigned long long)(ran / 1000000), (unsigned long long)(life / 1000000),
	     (unsigned long long)(permille / 10), (unsigned long long)(permille % 10),
	     (unsigned long long)p->entity.runs, (unsigned long long)p->vcpu.exits);
}

/* The loop of one CPU; returns once no partition is left anywhere. */
static void cpu_loop(struct cpu_sched *cs, bool bsp)
{
	for (;;) {
		struct runq_entity *e;
		struct partition *p;
		u64 now, end, slice, flags;

		if (bsp)
			poll_input();
		if (!partition_count_running())
			return;
		now = time_ns();
		flags = spin_lock_irqsave(&cs->lock);
		e = runq_pick(&cs->rq, now, &slice);
		if (!e) {
			u64 next = runq_next_event(&cs->rq);
			spin_unlock_irqrestore(&cs->lock, flags);
			idle(now, next);
			continue;
		}
		spin_unlock_irqrestore(&cs->lock, flags);
		p = e->owner;
		if (p->state == PARTITION_RUNNABLE && has_event(p, now))
			run(p, now, slice);
		end = time_ns();
		flags = spin_lock_irqsave(&cs->lock);
		runq_charge(e, end, end - now);
		if (p->state != PARTITION_RUNNABLE) {
			runq_remove(e);
			report(p, end);
		} else if (p->vcpu.halted)
			runq_block(e, wake_time(p, end));
		spin_unlock_irqrestore(&cs->lock, flags);
	}
}

/* Put every running partition on the queue of a ready CPU it may use. */
static void place_all(void)
{
	struct runq *qs[MAX_CPUS];
	u64 ready = 0;

	for (u32 c = 0; c < MAX_CPUS; c++) {
		qs[c] = &cpu_sched[c].rq;
		if (cpu_sched[c].ready)
			ready |= 1ull << c;
	}
	for (u32 i = 0; i < MAX_PARTITIONS; i++) {
		struct partition *p = &partitions[i];
		int cpu;

		if (p->state != PARTITION_RUNNABLE)
			continue;
		runq_entity_init(&p->entity, p->cfg.weight, p->cfg.cap, p->cfg.cpus, p);
		cpu = runq_place(qs, MAX_CPUS, ready, &p->entity);
		if (cpu < 0) {
			partition_abandon(p, "none of its CPUs can run partitions");
			continue;
		}
		p->placed_ns = time_ns();
		runq_add(qs[cpu], &p->entity, p->placed_ns);
		klog("partition %s: on cpu %d (weight %u, cap %u%%)", p->cfg.name, cpu,
		     p->cfg.weight, p->cfg.cap);
	}
}

void sched_ap_main(void)
{
	struct percpu *c = this_cpu();
	struct cpu_sched *cs = &cpu_sched[c->index];

	while (!__atomic_load_n(&go, __ATOMIC_ACQUIRE))
		__asm__ volatile("pause");
	runq_init(&cs->rq, c->index);
	if (virt && virt->cpu_enable() == 0)
		__atomic_store_n(&cs->ready, true, __ATOMIC_RELEASE);
	else
		__atomic_store_n(&cs->done, true, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&placed, __ATOMIC_ACQUIRE))
		__asm__ volatile("pause");
	if (cs->ready)
		cpu_loop(cs, false);
	__atomic_store_n(&cs->done, true, __ATOMIC_RELEASE);
	for (;;)
		irq_enable_and_halt();
}

/* Wait (at most ns) until every online AP is ready (or done), or done. */
static void wait_for_aps(bool done_flag, u64 ns)
{
	u64 until = time_ns() + ns;

	for (u32 c = 1; c < MAX_CPUS; c++) {
		if (!percpus[c].online)
			continue;
		while (time_ns() < until &&
		       !(done_flag ? cpu_sched[c].done : cpu_sched[c].ready || cpu_sched[c].done))
			__asm__ volatile("pause");
	}
}

void sched_run(bool exit_when_done)
{
	struct cpu_sched *bsp = &cpu_sched[0];

	trap_set_handler(VEC_TIMER, timer_irq);
	runq_init(&bsp->rq, 0);
	bsp->ready = virt != NULL;
	__atomic_store_n(&go, true, __ATOMIC_RELEASE);
	wait_for_aps(false, SCHED_AP_WAIT_NS);
	place_all();
	__atomic_store_n(&placed, true, __ATOMIC_RELEASE);
	cpu_loop(bsp, true);
	/* The last lines of the other CPUs come before this one. */
	wait_for_aps(true, SCHED_AP_WAIT_NS);
	klog("all partitions stopped");
	if (exit_when_done)
		power_off();
	for (;;)
		irq_enable_and_halt();
}
