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
#include "kernel/platform.h"
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

void sched_wake_vcpu(struct vcpu *v)
{
	struct runq *q = __atomic_load_n(&v->entity.rq, __ATOMIC_ACQUIRE);
	struct cpu_sched *cs;
	bool now;
	u64 flags;

	if (!q)
		return; /* not placed yet, or stopped */
	cs = container_of(q, struct cpu_sched, rq);
	flags = spin_lock_irqsave(&cs->lock);
	/* A stopping partition's vCPUs must run to leave, paused or not. */
	if (v->paused && v->partition->state != PARTITION_RUNNABLE)
		v->paused = false;
	now = v->entity.rq == q && !v->paused && runq_wake(&v->entity, time_ns());
	spin_unlock_irqrestore(&cs->lock, flags);
	if (now)
		kick(q->cpu);
}

void sched_end_slice_at(u64 tsc)
{
	struct percpu *c = this_cpu();
	u64 now = rdtsc();

	/*
	 * Unsigned: the guest picks tsc (IA32_TSC_DEADLINE takes any 64-bit
	 * value), and a wrap-safe comparison would take one 2^63 ahead for a
	 * time in the past, and move the slice's end out of reach.  A slice
	 * ends sooner, never later, and not before now, so slice_end stays
	 * within one slice of the time: what cpu_slice_over() counts on.
	 */
	if (tsc >= c->slice_end)
		return; /* not sooner than it ends anyway */
	c->slice_end = tsc > now ? tsc : now;
	/* The host timer's interrupt makes the exit that sees it, even in a guest that never exits.
	 */
	lapic_timer_oneshot_ns(tsc > now ? mul_div_u64(tsc - now, 1000000000ull, tsc_hz) : 0,
			       VEC_TIMER);
}

void sched_notify_vcpu(struct vcpu *v)
{
	struct runq *q = __atomic_load_n(&v->entity.rq, __ATOMIC_ACQUIRE);

	if (q && q->cpu != this_cpu()->index && __atomic_load_n(&v->in_guest, __ATOMIC_SEQ_CST))
		lapic_send_ipi(percpus[q->cpu].apic_id, VEC_IPI_NOTIFY); /* its exit looks */
	sched_wake_vcpu(v);
}

void sched_wake(struct partition *p)
{
	for (u32 i = 0; i < p->nvcpus; i++)
		sched_wake_vcpu(&p->vcpus[i]);
}

/*
 * Every vCPU of p but self (may be NULL) looks at p again: it stopped,
 * or has work.  One in its guest on another CPU leaves it at once.
 */
static void wake_others(struct partition *p, const struct vcpu *self)
{
	for (u32 i = 0; i < p->nvcpus; i++)
		if (&p->vcpus[i] != self)
			sched_notify_vcpu(&p->vcpus[i]);
}

void sched_request(struct partition *p, u32 req)
{
	for (u32 i = 0; i < p->nvcpus; i++) {
		struct vcpu *v = &p->vcpus[i];
		struct runq *q = __atomic_load_n(&v->entity.rq, __ATOMIC_ACQUIRE);
		u32 old, want;

		if (!q)
			continue; /* not placed yet, or gone */
		/* A pause or a resume replaces an earlier one not yet acted on: the last word
		 * counts. */
		old = __atomic_load_n(&v->requests, __ATOMIC_RELAXED);
		do
			want = req & (SCHED_REQ_PAUSE | SCHED_REQ_RESUME)
				       ? (old & ~(SCHED_REQ_PAUSE | SCHED_REQ_RESUME)) | req
				       : old | req;
		while (!__atomic_compare_exchange_n(&v->requests, &old, want, false,
						    __ATOMIC_RELEASE, __ATOMIC_RELAXED));
		__atomic_store_n(&container_of(q, struct cpu_sched, rq)->requests, true,
				 __ATOMIC_RELEASE);
		kick(q->cpu);
	}
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
 * No vCPU of p but vCPU 0 is in the guest, so that vCPU 0 may do p's
 * work (a stop: they have all left their CPUs; a restart: they wait).
 */
static bool others_out(struct partition *p)
{
	if (p->state != PARTITION_RUNNABLE)
		return __atomic_load_n(&p->vcpus_retired, __ATOMIC_ACQUIRE) == p->nvcpus - 1;
	for (u32 i = 1; i < p->nvcpus; i++)
		if (__atomic_load_n(&p->vcpus[i].in_guest, __ATOMIC_SEQ_CST))
			return false;
	return true;
}

/*
 * May v do its partition's pending work (scrubbing, loading, freeing:
 * kernel/partition.c)?  Only vCPU 0, and only once the others are out:
 * one CPU does it, and no vCPU runs the guest meanwhile.  Both the pick
 * (has_event) and run() ask, since the work may come in between.
 */
static bool does_the_work(struct vcpu *v)
{
	return v->index == 0 && others_out(v->partition);
}

/*
 * Does v have an event to run for?  Its timer's deadline raises the
 * timer interrupt; a halted vCPU wakes for a pending interrupt or input.
 * The partition's work (scrubbing, loading: kernel/partition.c) is vCPU
 * 0's, once the others are out; meanwhile they do not run.
 */
static bool has_event(struct vcpu *v, u64 now)
{
	struct partition *p = v->partition;

	if (p->state != PARTITION_RUNNABLE || p->work)
		return does_the_work(v);
	if (v->timer_deadline && now >= v->timer_deadline) {
		v->timer_deadline = 0;
		v->pending_irq = VIRQ_PENDING | v->timer_vector;
	}
	if (v->wait_sipi)
		return v->init_pending || v->sipi_pending;
	if (v->halted && (v->cut_irq || v->pending_irq || pconsole_has_input(&p->console) ||
			  platform_irq_waiting(v, v->halted_if)))
		v->halted = false;
	return !v->halted;
}

/* time_ns() at guest TSC value tsc (0: never). */
static u64 tsc_to_ns(u64 tsc)
{
	return tsc ? timer_tsc_to_ns(tsc) : RUNQ_NEVER;
}

/*
 * When v's next timer event comes, in time_ns(): its SET_TIMER deadline
 * or a device's (kernel/platform.c); RUNQ_NEVER if none.  A halted v
 * wakes by itself then (input and IPIs wake it through sched_wake).
 */
static u64 wake_time(struct vcpu *v)
{
	return MIN(v->timer_deadline ? v->timer_deadline : RUNQ_NEVER,
		   tsc_to_ns(platform_deadline(v)));
}

/*
 * Run v for at most slice_ns (less if its timer is due sooner): its
 * partition's pending work if it has any (partition_work, vCPU 0 only),
 * otherwise its guest.
 */
static void run(struct vcpu *v, u64 now, u64 slice_ns)
{
	struct partition *p = v->partition;
	u64 d = wake_time(v);

	if (d != RUNQ_NEVER)
		slice_ns = MIN(slice_ns, d > now ? d - now : 0);
	slice_ns = MAX(slice_ns, SCHED_MIN_SLICE_NS);
	this_cpu()->slice_end = rdtsc() + mul_div_u64(slice_ns, tsc_hz, 1000000000ull);
	if (p->state != PARTITION_RUNNABLE || p->work) {
		/*
		 * The work is vCPU 0's alone, once the others are out
		 * (does_the_work).  Any vCPU gets here when the work came after it
		 * was picked: then it only looks again (let_go or a block, in the
		 * caller's loop).
		 */
		if (!does_the_work(v))
			return;
		if (p->state != PARTITION_RUNNABLE && !v->retired)
			partition_vcpu_retire(
				v); /* on its own CPU, before the work frees the rest */
		else if (p->state == PARTITION_RUNNABLE)
			partition_vcpu_sync(v); /* a restart: back to the entry state first */
		lapic_timer_oneshot_ns(slice_ns, VEC_TIMER);
		partition_work(p, platform_reset);
		lapic_timer_stop();
		if (p->state != PARTITION_RUNNABLE)
			wake_others(p, v); /* its loading failed: the others must leave too */
		return;
	}
	partition_vcpu_sync(v);
	if (platform_take_signals(v)) {
		wake_others(p, v); /* an INIT to vCPU 0 reset the partition: the others must look */
		return;
	}
	if (v->wait_sipi)
		return; /* a vCPU but 0, before its STARTUP */
	/*
	 * Say "in the guest", then look at the partition again: a CPU that
	 * stops or restarts it changes the partition first and then reads
	 * in_guest (others_out), so one of the two sees the other.
	 */
	__atomic_store_n(&v->in_guest, true, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&p->state, __ATOMIC_SEQ_CST) != PARTITION_RUNNABLE || p->work ||
	    v->life != p->life || v->wait_sipi) {
		/* (A new life that came and was loaded meanwhile reset it to wait for STARTUP.) */
		__atomic_store_n(&v->in_guest, false, __ATOMIC_SEQ_CST);
		wake_others(p, v); /* vCPU 0 may have seen it in the guest and wait for it */
		return;
	}
	platform_deliver(v);
	if (xstate_switch_to(v))
		spec_switch(); /* another partition ran here last: no state of it may leak */
	lapic_timer_oneshot_ns(slice_ns, VEC_TIMER);
	this_cpu()->in_guest = true;
	virt->vcpu_run(v);
	this_cpu()->in_guest = false;
	lapic_timer_stop();
	__atomic_store_n(&v->in_guest, false, __ATOMIC_SEQ_CST);
	if (p->state != PARTITION_RUNNABLE || p->work)
		wake_others(p, v); /* it stopped or restarts: the others must look */
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
	u64 life = now - p->placed_ns, ran = 0, runs = 0, exits = 0, permille;
	char by[256];
	size_t len = 0;

	for (u32 i = 0; i < p->nvcpus; i++) {
		ran += p->vcpus[i].entity.cpu_ns;
		runs += p->vcpus[i].entity.runs;
	}
	permille = life ? mul_div_u64(ran, 1000, life) : 0;
	for (u32 k = 0; k < EXIT_KIND_COUNT; k++) {
		u64 n = 0;

		for (u32 i = 0; i < p->nvcpus; i++)
			n += p->vcpus[i].exits[k];
		exits += n;
		if (n && len < sizeof(by)) /* a cut list is still a list */
			len += format(by + len, sizeof(by) - len, "%s%s %llu", len ? ", " : "",
				      exit_kind_name((enum exit_kind)k), (unsigned long long)n);
	}
	console_hold(); /* the two lines together */
	klog("partition %s: ran %llu ms of %llu ms (%llu.%llu%%), %llu slices, %llu exits",
	     p->cfg.name, (unsigned long long)(ran / 1000000), (unsigned long long)(life / 1000000),
	     (unsigned long long)(permille / 10), (unsigned long long)(permille % 10),
	     (unsigned long long)runs, (unsigned long long)exits);
	if (exits)
		klog("partition %s: exits by reason: %s", p->cfg.name, by);
	console_release();
}

/*
 * The share of one of n vCPUs: the partition's weight and cap split
 * evenly (docs/scheduling.md), a cap of 100% staying "no ceiling".
 */
static u32 split_weight(u32 weight, u32 n)
{
	return MAX(weight / n, 1u);
}

static u32 split_cap(u32 cap, u32 n)
{
	return cap == CONFIG_CAP_NONE ? cap : MAX(cap / n, 1u);
}

/*
 * Put each vCPU of p, just started, on the queue of a ready CPU it may
 * use, and kick that CPU.  The loads compared are read without the
 * queues' locks: placement is a heuristic, and only the chosen queue is
 * changed.  All vCPUs may use the same CPUs, so either all find one or
 * vCPU 0 finds none.
 */
static bool place(struct partition *p)
{
	struct runq *qs[MAX_CPUS];
	u32 weight = split_weight(p->cfg.weight, p->nvcpus), cap = split_cap(p->cfg.cap, p->nvcpus);
	u64 ready = 0;

	for (u32 c = 0; c < MAX_CPUS; c++) {
		qs[c] = &cpu_sched[c].rq;
		if (cpu_sched[c].ready)
			ready |= 1ull << c;
	}
	p->placed_ns = time_ns();
	for (u32 i = 0; i < p->nvcpus; i++) {
		struct vcpu *v = &p->vcpus[i];
		struct cpu_sched *cs;
		u64 flags;
		int cpu;

		runq_entity_init(&v->entity, weight, cap, p->cfg.cpus, v);
		cpu = runq_place(qs, MAX_CPUS, ready, &v->entity);
		if (cpu < 0) {
			partition_abandon(p, "none of its CPUs can run partitions");
			return false;
		}
		cs = &cpu_sched[cpu];
		if (p->nvcpus == 1)
			klog("partition %s: on cpu %d (weight %u, cap %u%%)", p->cfg.name, cpu,
			     p->cfg.weight, p->cfg.cap);
		else
			klog("partition %s: vcpu %u on cpu %d (weight %u, cap %u%%)", p->cfg.name,
			     i, cpu, weight, cap);
		flags = spin_lock_irqsave(&cs->lock);
		runq_add(&cs->rq, &v->entity, p->placed_ns);
		spin_unlock_irqrestore(&cs->lock, flags);
		kick((u32)cpu);
	}
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
 * v's partition, whose vCPU 0 v is, has stopped: take v off this CPU's
 * queue, print the accounting, and start those waiting for it.
 */
static void retire(struct cpu_sched *cs, struct vcpu *v, u64 now)
{
	u64 flags = spin_lock_irqsave(&cs->lock);

	runq_remove(&v->entity);
	spin_unlock_irqrestore(&cs->lock, flags);
	report(v->partition, now);
	start_successors(v->partition);
}

/*
 * v, a vCPU other than 0 of a partition that is stopping, leaves this
 * CPU for good: its VMCS or VMCB and FPU state are freed here, where
 * they were loaded, and vCPU 0 is told, which frees the rest once all
 * have left.
 */
static void let_go(struct cpu_sched *cs, struct vcpu *v)
{
	struct partition *p = v->partition;
	u64 flags;

	partition_vcpu_retire(v);
	flags = spin_lock_irqsave(&cs->lock);
	runq_remove(&v->entity);
	spin_unlock_irqrestore(&cs->lock, flags);
	__atomic_add_fetch(&p->vcpus_retired, 1, __ATOMIC_RELEASE);
	sched_wake_vcpu(&p->vcpus[0]);
}

/*
 * Act on the requests for partitions of this CPU's queue: pause and
 * resume under the queue's lock; stops after it, one at a time (the
 * stopped partition then scrubs its RAM in its own slices).
 */
static void handle_requests(struct cpu_sched *cs)
{
	struct vcpu *stops[MAX_PARTITIONS * PARTITION_VCPUS_MAX];
	u32 nstops = 0;
	u64 now = time_ns(), flags = spin_lock_irqsave(&cs->lock);

	for (struct runq_entity *e = cs->rq.head; e; e = e->next) {
		struct vcpu *v = e->owner;
		struct partition *p = v->partition;
		u32 req = __atomic_exchange_n(&v->requests, 0, __ATOMIC_ACQUIRE);

		if (p->state != PARTITION_RUNNABLE) {
			continue; /* already stopping */
		} else if (req & SCHED_REQ_STOP) {
			stops[nstops++] = v;
		} else if ((req & SCHED_REQ_PAUSE) && !v->paused) {
			v->paused = true;
			runq_block(e, RUNQ_NEVER);
			if (v->index == 0)
				klog("partition %s: paused", p->cfg.name);
		} else if ((req & SCHED_REQ_RESUME) && v->paused) {
			v->paused = false;
			runq_wake(e, now);
			if (v->index == 0)
				klog("partition %s: resumed", p->cfg.name);
		}
	}
	spin_unlock_irqrestore(&cs->lock, flags);
	for (u32 i = 0; i < nstops; i++) {
		if (stops[i]->index == 0)
			partition_stop(stops[i]->partition, "on request");
		/* Its leaving and the scrub are its own work: wake it for them, paused or halted.
		 */
		flags = spin_lock_irqsave(&cs->lock);
		stops[i]->paused = false;
		runq_wake(&stops[i]->entity, time_ns());
		spin_unlock_irqrestore(&cs->lock, flags);
		wake_others(stops[i]->partition, stops[i]);
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
			struct runq *on = partitions[i].vcpus[0].entity.rq;
			if (partitions[i].state == PARTITION_RUNNABLE && on && on->cpu != 0)
				target = &partitions[i];
		}
		if (!target)
			klog("selftest: no partition on another CPU than cpu 0");
	}
	if (!target || next == ARRAY_SIZE(steps) || now - start < steps[next].at_ms * 1000000)
		return;
	q = target->vcpus[0].entity.rq;
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
		struct vcpu *v;
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
		v = e->owner;
		p = v->partition;
		if (v->index && p->state != PARTITION_RUNNABLE) {
			end = time_ns();
			flags = spin_lock_irqsave(&cs->lock);
			runq_charge(e, end, end - since);
			spin_unlock_irqrestore(&cs->lock, flags);
			let_go(cs, v);
			since = time_ns();
			continue;
		}
		/*
		 * Its devices' timers first, outside the queue's lock: they may
		 * wake others.  Not again after the run: a timer that fell due
		 * meanwhile makes wake_time() a time past, so it is picked again
		 * at once and ticked then.
		 */
		platform_tick(v);
		if (!v->paused && has_event(v, now))
			run(v, now, slice);
		end = time_ns();
		flags = spin_lock_irqsave(&cs->lock);
		runq_charge(e, end, end - since);
		since = end;
		if (v->index && p->state != PARTITION_RUNNABLE) {
			/* It stopped its partition itself: it leaves now, not once woken. */
			spin_unlock_irqrestore(&cs->lock, flags);
			let_go(cs, v);
			since = time_ns();
			continue;
		}
		if (p->state != PARTITION_STOPPED && (v->paused || !has_event(v, end))) {
			/* Under the lock: sched_wake() sees it blocked, or this sees the input. */
			runq_block(e, v->paused ? RUNQ_NEVER : wake_time(v));
		}
		spin_unlock_irqrestore(&cs->lock, flags);
		if (p->state == PARTITION_STOPPED) {
			retire(cs, v, end);
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

		if (p->state == PARTITION_RUNNABLE && !p->vcpus[0].entity.rq && place(p))
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
