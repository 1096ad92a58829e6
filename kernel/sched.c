/*
 * The scheduler: every CPU that could turn virtualization on runs its
 * own loop over its own run queue (kernel/runq.c holds the policy:
 * weights, caps, pinning).  Each partition is placed on one CPU when it
 * starts and stays there.  A CPU runs the entity runq_pick() chooses
 * for the slice it says, with the LAPIC timer in one-shot mode; exits
 * are handled inside vcpu_run(), which returns when the slice ends
 * (percpu slice_end), the guest yields or halts, or it stops.  A halted
 * vCPU is blocked until its next event: its SET_TIMER deadline (which
 * raises the timer interrupt) or console input (sched_wake).  A CPU
 * with nothing to run halts until its queue's next event or a kick.
 *
 * Work across CPUs goes through the kick IPI (VEC_IPI_KICK): the CPU
 * that wakes a partition, places one on another CPU's queue, or stops
 * the last partition kicks the CPUs concerned; a kicked CPU ends the
 * running guest's slice and looks at its queue again.  Typed input
 * comes with COM1's interrupt on the boot CPU (kernel/console.c), which
 * hands each byte to the console multiplexer and wakes the partition
 * that has the focus; where COM1 has no interrupt, the boot CPU polls it
 * at least every SCHED_IDLE_POLL_NS.  Once no partition is left, the
 * boot CPU says so and powers off with exit_when_done.
 */
#include "kernel/sched.h"
#include "drivers/lapic.h"
#include "drivers/power.h"
#include "drivers/timer.h"
#include "kernel/console.h"
#include "kernel/cpu.h"
#include "kernel/exit.h"
#include "kernel/partition.h"
#include "kernel/runq.h"
#include "kernel/spec.h"
#include "kernel/trap.h"
#include "kernel/virt.h"
#include "kernel/watchdog.h"
#include "kernel/xstate.h"
#include "lib/format.h"
#include "lib/lib.h"
#include "lib/spinlock.h"
#include "lib/x86.h"

/* One CPU's queue; its lock covers every runq_* call that names it. */
static struct cpu_sched {
	struct spinlock lock;
	struct runq rq;
	volatile bool ready; /* virtualization is on: partitions may be placed here */
	volatile bool done;  /* its loop ended: no partition is left */
	bool requests;	     /* some partition on it has SCHED_REQ_* bits (sched_request) */
} cpu_sched[MAX_CPUS];

static volatile bool go;     /* the APs may turn virtualization on */
static volatile bool placed; /* every partition is on a queue: all CPUs run */

/* The slice timer and the kick IPI: the guest (if any) leaves at this exit. */
static void end_slice_irq(struct trap_frame *f)
{
	(void)f;
	cpu_end_slice();
}

/*
 * Make CPU cpu look at its queue now.  On this CPU, that ends the slice
 * of the guest whose exit (an interrupt) is being handled, if any.
 */
static void kick(u32 cpu)
{
	if (cpu != this_cpu()->index)
		lapic_send_ipi(percpus[cpu].apic_id, VEC_IPI_KICK);
	else
		cpu_end_slice();
}

static void kick_all(void)
{
	for (u32 c = 0; c < MAX_CPUS; c++)
		if (cpu_sched[c].ready)
			kick(c);
}

void sched_wake(struct partition *p)
{
	struct runq *q = __atomic_load_n(&p->entity.rq, __ATOMIC_ACQUIRE);
	struct cpu_sched *cs;
	bool now;
	u64 flags;

	if (!q)
		return; /* not placed yet, or stopped */
	cs = container_of(q, struct cpu_sched, rq);
	flags = spin_lock_irqsave(&cs->lock);
	now = p->entity.rq == q && !p->paused && runq_wake(&p->entity, time_ns());
	spin_unlock_irqrestore(&cs->lock, flags);
	if (now)
		kick(q->cpu);
}

void sched_request(struct partition *p, u32 req)
{
	struct runq *q = __atomic_load_n(&p->entity.rq, __ATOMIC_ACQUIRE);
	struct cpu_sched *cs;
	u32 old, want;

	if (!q)
		return; /* not placed yet, or stopped */
	cs = container_of(q, struct cpu_sched, rq);
	/* A pause or a resume replaces an earlier one not yet acted on: the last word counts. */
	old = __atomic_load_n(&p->requests, __ATOMIC_RELAXED);
	do
		want = req & (SCHED_REQ_PAUSE | SCHED_REQ_RESUME)
			       ? (old & ~(SCHED_REQ_PAUSE | SCHED_REQ_RESUME)) | req
			       : old | req;
	while (!__atomic_compare_exchange_n(&p->requests, &old, want, false, __ATOMIC_RELEASE,
					    __ATOMIC_RELAXED));
	__atomic_store_n(&cs->requests, true, __ATOMIC_RELEASE);
	kick(q->cpu);
}

static bool com1_irq; /* COM1 interrupts the boot CPU: it need not poll */

/* A typed byte goes to the console multiplexer; the partition with the focus wakes. */
static void input_byte(u8 byte)
{
	struct pconsole *c = pconsole_input(byte);

	if (c)
		sched_wake(container_of(c, struct partition, console));
}

/*
 * Does p have an event to run for?  Its timer's deadline raises the
 * timer interrupt; a halted vCPU wakes for a pending interrupt or input.
 */
static bool has_event(struct partition *p, u64 now)
{
	struct vcpu *v = &p->vcpu;

	if (p->work)
		return true; /* scrubbing, loading: kernel/partition.c */
	if (v->timer_deadline && now >= v->timer_deadline) {
		v->timer_deadline = 0;
		v->pending_irq = VIRQ_PENDING | v->timer_vector;
	}
	if (v->halted && (v->pending_irq || pconsole_has_input(&p->console)))
		v->halted = false;
	return !v->halted;
}

/* When a halted p wakes by itself: its timer's deadline (input wakes it through sched_wake). */
static u64 wake_time(const struct partition *p)
{
	return p->vcpu.timer_deadline ? p->vcpu.timer_deadline : RUNQ_NEVER;
}

/*
 * Run p for at most slice_ns (less if its timer is due sooner): its
 * pending work if it has any (partition_work), otherwise its guest.
 */
static void run(struct partition *p, u64 now, u64 slice_ns)
{
	u64 d = p->vcpu.timer_deadline;

	if (d)
		slice_ns = MIN(slice_ns, d > now ? d - now : 0);
	slice_ns = MAX(slice_ns, SCHED_MIN_SLICE_NS);
	this_cpu()->slice_end = rdtsc() + mul_div_u64(slice_ns, tsc_hz, 1000000000ull);
	if (p->work) {
		lapic_timer_oneshot_ns(slice_ns, VEC_TIMER);
		partition_work(p);
		lapic_timer_stop();
		return;
	}
	exit_deliver_pending(&p->vcpu);
	if (xstate_switch_to(&p->vcpu))
		spec_switch(); /* another partition ran here last: no state of it may leak */
	lapic_timer_oneshot_ns(slice_ns, VEC_TIMER);
	this_cpu()->in_guest = true;
	virt->vcpu_run(&p->vcpu);
	this_cpu()->in_guest = false;
	lapic_timer_stop();
}

/*
 * Halt this CPU until `until` (a queue's next event, or RUNQ_NEVER), an
 * interrupt or a kick; with poll, wake at least every poll period.
 * Interrupts stay off from the caller's look at its queue to the HLT,
 * so a kick sent in between wakes the HLT instead of being lost.
 */
static void idle(u64 now, u64 until, bool poll)
{
	if (poll)
		until = MIN(until, now + SCHED_IDLE_POLL_NS);
	if (until != RUNQ_NEVER)
		lapic_timer_oneshot_ns(MAX(until > now ? until - now : 0, SCHED_MIN_SLICE_NS),
				       VEC_TIMER);
	irq_enable_and_halt();
	irq_disable();
	lapic_timer_stop();
}

/*
 * Accounting, once p has stopped: its CPU time, what share of its life
 * on a CPU that was (in tenths of a percent), its slices and its exits,
 * then its exits by reason.
 */
static void report(const struct partition *p, u64 now)
{
	u64 life = now - p->placed_ns, ran = p->entity.cpu_ns, exits = 0;
	u64 permille = life ? mul_div_u64(ran, 1000, life) : 0;
	char by[256];
	size_t len = 0;

	for (u32 k = 0; k < EXIT_KIND_COUNT; k++) {
		exits += p->vcpu.exits[k];
		if (p->vcpu.exits[k] && len < sizeof(by)) /* a cut list is still a list */
			len += format(by + len, sizeof(by) - len, "%s%s %llu", len ? ", " : "",
				      exit_kind_name((enum exit_kind)k),
				      (unsigned long long)p->vcpu.exits[k]);
	}
	console_hold(); /* the two lines together */
	klog("partition %s: ran %llu ms of %llu ms (%llu.%llu%%), %llu slices, %llu exits",
	     p->cfg.name, (unsigned long long)(ran / 1000000), (unsigned long long)(life / 1000000),
	     (unsigned long long)(permille / 10), (unsigned long long)(permille % 10),
	     (unsigned long long)p->entity.runs, (unsigned long long)exits);
	if (exits)
		klog("partition %s: exits by reason: %s", p->cfg.name, by);
	console_release();
}

/*
 * Put p, just started, on the queue of a ready CPU it may use, and kick
 * that CPU.  The loads compared are read without the queues' locks:
 * placement is a heuristic, and only the chosen queue is changed.
 */
static bool place(struct partition *p)
{
	struct runq *qs[MAX_CPUS];
	struct cpu_sched *cs;
	u64 ready = 0, flags;
	int cpu;

	for (u32 c = 0; c < MAX_CPUS; c++) {
		qs[c] = &cpu_sched[c].rq;
		if (cpu_sched[c].ready)
			ready |= 1ull << c;
	}
	runq_entity_init(&p->entity, p->cfg.weight, p->cfg.cap, p->cfg.cpus, p);
	cpu = runq_place(qs, MAX_CPUS, ready, &p->entity);
	if (cpu < 0) {
		partition_abandon(p, "none of its CPUs can run partitions");
		return false;
	}
	cs = &cpu_sched[cpu];
	p->placed_ns = time_ns();
	klog("partition %s: on cpu %d (weight %u, cap %u%%)", p->cfg.name, cpu, p->cfg.weight,
	     p->cfg.cap);
	flags = spin_lock_irqsave(&cs->lock);
	runq_add(&cs->rq, &p->entity, p->placed_ns);
	spin_unlock_irqrestore(&cs->lock, flags);
	kick((u32)cpu);
	return true;
}

/*
 * stopped has stopped: start those waiting for it (after=), and place
 * them.  Called once per stop, by the CPU that saw it: once placed, a
 * successor may run and stop on another CPU, which starts its own.
 */
static void start_successors(const struct partition *stopped)
{
	struct partition *p;

	while ((p = partition_waiting_for(stopped)))
		if (partition_start(p) < 0 || !place(p))
			start_successors(p); /* it never ran: only this CPU knows it stopped */
}

/*
 * p, of this CPU's queue, has stopped: take it off the queue, print its
 * accounting, and start those waiting for it.
 */
static void retire(struct cpu_sched *cs, struct partition *p, u64 now)
{
	u64 flags = spin_lock_irqsave(&cs->lock);

	runq_remove(&p->entity);
	spin_unlock_irqrestore(&cs->lock, flags);
	report(p, now);
	start_successors(p);
}

/*
 * Act on the requests for partitions of this CPU's queue: pause and
 * resume under the queue's lock; stops after it, one at a time (the
 * stopped partition then scrubs its RAM in its own slices).
 */
static void handle_requests(struct cpu_sched *cs)
{
	struct partition *stops[MAX_PARTITIONS];
	u32 nstops = 0;
	u64 now = time_ns(), flags = spin_lock_irqsave(&cs->lock);

	for (struct runq_entity *e = cs->rq.head; e; e = e->next) {
		struct partition *p = e->owner;
		u32 req = __atomic_exchange_n(&p->requests, 0, __ATOMIC_ACQUIRE);

		if (p->state != PARTITION_RUNNABLE) {
			continue; /* already stopping */
		} else if (req & SCHED_REQ_STOP) {
			stops[nstops++] = p;
		} else if ((req & SCHED_REQ_PAUSE) && !p->paused) {
			p->paused = true;
			runq_block(e, RUNQ_NEVER);
			klog("partition %s: paused", p->cfg.name);
		} else if ((req & SCHED_REQ_RESUME) && p->paused) {
			p->paused = false;
			runq_wake(e, now);
			klog("partition %s: resumed", p->cfg.name);
		}
	}
	spin_unlock_irqrestore(&cs->lock, flags);
	for (u32 i = 0; i < nstops; i++) {
		partition_stop(stops[i], "on request");
		/* Its scrub is its own work: wake it for that, paused or halted. */
		flags = spin_lock_irqsave(&cs->lock);
		stops[i]->paused = false;
		runq_wake(&stops[i]->entity, time_ns());
		spin_unlock_irqrestore(&cs->lock, flags);
	}
}

static bool selftest_remote; /* selftest=remote (kernel/options.h) */

/*
 * selftest=remote, run by the boot CPU's loop: the first partition placed
 * on another CPU is paused 100 ms after scheduling starts, resumed 300 ms
 * later and stopped 300 ms after that, each through sched_request().
 * tests/boot/remote.scenario checks what follows.
 */
static void selftest_remote_step(void)
{
	static const struct {
		u64 at_ms;
		u32 req;
		const char *what;
	} steps[] = { { 100, SCHED_REQ_PAUSE, "pause" },
		      { 400, SCHED_REQ_RESUME, "resume" },
		      { 700, SCHED_REQ_STOP, "stop" } };
	static struct partition *target;
	static u64 start;
	static u32 next;
	u64 now = time_ns();
	struct runq *q;

	if (!start) {
		start = now;
		for (u32 i = 0; i < MAX_PARTITIONS && !target; i++) {
			struct runq *on = partitions[i].entity.rq;
			if (partitions[i].state == PARTITION_RUNNABLE && on && on->cpu != 0)
				target = &partitions[i];
		}
		if (!target)
			klog("selftest: no partition on another CPU than cpu 0");
	}
	if (!target || next == ARRAY_SIZE(steps) || now - start < steps[next].at_ms * 1000000)
		return;
	q = target->entity.rq;
	if (!q) {
		klog("selftest: partition %s stopped before the %s request", target->cfg.name,
		     steps[next].what);
		target = NULL;
		return;
	}
	klog("selftest: cpu 0 asks cpu %u to %s partition %s", q->cpu, steps[next].what,
	     target->cfg.name);
	sched_request(target, steps[next].req);
	next++;
}

/*
 * The loop of one CPU; returns once no partition is left anywhere.
 *
 * since is the CPU's last accounting point: each run is charged from
 * there to its end, so the loop's own work before it (taking interrupts,
 * the pick, the switch) is charged too, and every moment of the CPU goes
 * to some partition but its halts and the stops (their lines, the
 * successors' start), which move since past them.  Charged from its pick
 * only, a partition that yields in a tight loop got about twice the CPU
 * time it was charged (docs/scheduling.md, "How a run is charged").
 */
static void cpu_loop(struct cpu_sched *cs, bool bsp)
{
	u64 since = time_ns();

	for (;;) {
		struct runq_entity *e;
		struct partition *p;
		u64 now, end, slice, flags;

		/*
		 * Take any interrupt waiting now: a slice timer that fired just
		 * after its guest left at a slice_end check, a kick that came
		 * while this loop was busy.  Taken inside the next guest, it would
		 * end that guest's slice at its first exit.
		 */
		irq_window();
		watchdog_poll();
		if (bsp) {
			if (!com1_irq)
				console_service(); /* no interrupt: poll */
			if (selftest_remote)
				selftest_remote_step();
		}
		if (__atomic_exchange_n(&cs->requests, false, __ATOMIC_ACQUIRE)) {
			handle_requests(cs);
			since = time_ns();
		}
		if (!partition_count_running()) {
			kick_all(); /* their loops end too */
			return;
		}
		now = time_ns();
		flags = spin_lock_irqsave(&cs->lock);
		e = runq_pick(&cs->rq, now, &slice);
		if (!e) {
			u64 next = runq_next_event(&cs->rq);
			spin_unlock_irqrestore(&cs->lock, flags);
			idle(now, next, bsp && (!com1_irq || selftest_remote));
			since = time_ns();
			continue;
		}
		spin_unlock_irqrestore(&cs->lock, flags);
		p = e->owner;
		if (p->state == PARTITION_STOPPING ||
		    (p->state == PARTITION_RUNNABLE && !p->paused && has_event(p, now)))
			run(p, now, slice);
		end = time_ns();
		flags = spin_lock_irqsave(&cs->lock);
		runq_charge(e, end, end - since);
		since = end;
		if (p->state == PARTITION_RUNNABLE && (p->paused || !has_event(p, end))) {
			/* Under the lock: sched_wake() sees it blocked, or this sees the input. */
			runq_block(e, p->paused ? RUNQ_NEVER : wake_time(p));
		}
		spin_unlock_irqrestore(&cs->lock, flags);
		if (p->state == PARTITION_STOPPED) {
			retire(cs, p, end);
			since = time_ns();
		}
	}
}

/*
 * Put every partition started at boot on a queue, and start those
 * waiting for one that could not start or be placed.  No CPU runs a
 * partition yet, so nothing stops meanwhile.
 */
static void place_all(void)
{
	for (u32 i = 0; i < MAX_PARTITIONS; i++) {
		struct partition *p = &partitions[i];

		if (p->state == PARTITION_RUNNABLE && !p->entity.rq && place(p))
			continue; /* a successor started on the way is placed already */
		if (p->state == PARTITION_STOPPED)
			start_successors(p);
	}
	/*
	 * Their lives on a CPU start together, now that the CPUs may run
	 * them: not while this CPU was still printing the placement lines of
	 * the others (about 5 ms a line at 115200 baud), which would count
	 * as time they did not get in their accounting lines.
	 */
	u64 start = time_ns();
	for (u32 i = 0; i < MAX_PARTITIONS; i++)
		if (partitions[i].state == PARTITION_RUNNABLE)
			partitions[i].placed_ns = start;
}

void sched_ap_main(void)
{
	struct percpu *c = this_cpu();
	struct cpu_sched *cs = &cpu_sched[c->index];

	runq_init(&cs->rq, c->index); /* before go: the BSP may place partitions once ready */
	while (!__atomic_load_n(&go, __ATOMIC_ACQUIRE))
		__asm__ volatile("pause");
	xstate_cpu_init();
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

void sched_start_cpus(void)
{
	cpu_sched[0].ready = virt != NULL;
	__atomic_store_n(&go, true, __ATOMIC_RELEASE);
	wait_for_aps(false, SCHED_AP_WAIT_NS);
}

void sched_run(bool exit_when_done, bool selftest, bool report_pools)
{
	struct cpu_sched *bsp = &cpu_sched[0];

	selftest_remote = selftest;
	trap_set_handler(VEC_TIMER, end_slice_irq);
	trap_set_handler(VEC_IPI_KICK, end_slice_irq);
	com1_irq = console_use_irq(percpus[0].apic_id, input_byte);
	watchdog_start();
	runq_init(&bsp->rq, 0);
	place_all();
	__atomic_store_n(&placed, true, __ATOMIC_RELEASE);
	cpu_loop(bsp, true);
	/* The last lines of the other CPUs come before this one. */
	wait_for_aps(true, SCHED_AP_WAIT_NS);
	klog("all partitions stopped");
	if (report_pools)
		partition_report_pools();
	if (exit_when_done) {
		console_sync();
		power_off();
	}
	for (;;)
		irq_enable_and_halt();
}
