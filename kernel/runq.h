/*
 * Scheduling policy: one run queue per physical CPU and the arithmetic
 * that decides who runs next and for how long (weights, caps, pinning,
 * blocking).  Pure: no hardware, no clock, no locks, no globals.  Every
 * time is a nanosecond count the caller passes in (now_ns), so host
 * unit tests can simulate a CPU with fake time.
 *
 * What the caller (kernel/sched.c) owns: the clock, the LAPIC timer,
 * IPIs, running a vCPU, the lock around each queue (hold the queue's
 * lock around every call that names it), and exit counters by reason
 * (exit.c knows the kinds; this file only sees CPU time).
 *
 * The algorithm is described in docs/scheduling.md.
 */
#ifndef KERNEL_RUNQ_H
#define KERNEL_RUNQ_H

#include "lib/types.h"

#define RUNQ_WEIGHT_DEFAULT 256u
#define RUNQ_WEIGHT_MAX 65535u
#define RUNQ_CAP_NONE 100u /* cap in percent of one CPU; 100 = uncapped */

#define RUNQ_SLICE_NS 10000000ull	/* 10 ms: the longest slice */
#define RUNQ_MIN_SLICE_NS 100000ull	/* 100 us: shortest slice not forced by a cap */
#define RUNQ_CAP_PERIOD_NS 100000000ull /* 100 ms: caps are budgets per period */
#define RUNQ_WAKE_GRAN_NS 1000000ull	/* 1 ms: a woken entity preempts one this far ahead */
#define RUNQ_CHARGE_MAX_NS (1ull << 40) /* about 18 min: longer charges are clipped */

#define RUNQ_NEVER UINT64_MAX /* no deadline / no event */

enum runq_state {
	RUNQ_STOPPED, /* on no queue */
	RUNQ_RUNNABLE,
	RUNQ_BLOCKED, /* until wake_ns, or until runq_wake() */
};

struct runq;

/* One schedulable vCPU. */
struct runq_entity {
	/* Parameters (runq_entity_init). */
	u32 weight;  /* 1..65535 */
	u32 cap;     /* percent of one CPU, 1..100 */
	u64 cpus;    /* bit n = may run on CPU n; 0 = any */
	void *owner; /* the caller's vCPU or partition; unused here */

	/* State. */
	enum runq_state state;
	struct runq *rq; /* the queue it is on, NULL when stopped */
	struct runq_entity *next;
	u64 vruntime;	     /* weighted ns; compared modulo 2^64 */
	u64 wake_ns;	     /* BLOCKED: when to wake by itself (RUNQ_NEVER: only runq_wake) */
	u64 throttled_until; /* 0, or: out of cap budget until this period start */
	u64 cap_start;	     /* when its first cap period began (runq_add) */
	u64 cap_period;	     /* index of the period cap_used counts in, from cap_start */
	u64 cap_used_ns;     /* CPU time used in that period (may exceed the budget) */
	u64 last_ran_ns;     /* end of the last run: ties go to whoever waited longest */

	/* Accounting. */
	u64 cpu_ns;    /* total CPU time charged */
	u64 runs;      /* slices run */
	u64 throttles; /* times the cap stopped it */
};

/* The run queue of one physical CPU. */
struct runq {
	u32 cpu;
	u32 nr;			  /* entities on it, in any state */
	u64 load;		  /* sum of their weights */
	u64 min_vruntime;	  /* never moves backward (modulo 2^64) */
	struct runq_entity *head; /* every entity on this queue */
	struct runq_entity *curr; /* picked and not yet charged, or NULL */
	u64 curr_since;		  /* now_ns when curr was picked */
};

/* An empty queue for CPU cpu. */
void runq_init(struct runq *q, u32 cpu);
/* A stopped entity; -EINVAL for a weight outside 1..65535 or a cap outside 1..100. */
int runq_entity_init(struct runq_entity *e, u32 weight, u32 cap, u64 cpus, void *owner);

/*
 * Placement: the CPU for e among the queues qs[0..n) whose bit is set
 * in online and which e may use: the least load (sum of weights), then
 * the fewest entities, then the lowest index.  -ENODEV if none.  Reads
 * only q->load and q->nr.  Placement happens once; nothing rebalances.
 */
int runq_place(struct runq *const *qs, u32 n, u64 online, const struct runq_entity *e);

/*
 * Put a stopped entity on q at now_ns, runnable, with the queue's
 * minimum virtual runtime (no head start, no debt).  Its cap periods
 * count from now_ns, so its first one is a whole period.  -EINVAL if e
 * may not run on q->cpu or is already on a queue.
 */
int runq_add(struct runq *q, struct runq_entity *e, u64 now_ns);
/* Take e off its queue for good (the partition stopped); it becomes STOPPED. */
void runq_remove(struct runq_entity *e);

/*
 * The entity to run now, or NULL to idle.  Wakes blocked entities whose
 * deadline has come and ends throttling whose period is over, first.
 * The chosen one becomes q->curr; *slice_ns gets how long to program
 * the timer for: the default slice, cut to the entity's cap budget and
 * to the queue's next event (see runq_next_event), but at least
 * RUNQ_MIN_SLICE_NS unless the budget is smaller.  Nothing when NULL.
 */
struct runq_entity *runq_pick(struct runq *q, u64 now_ns, u64 *slice_ns);
/*
 * After e ran for ran_ns ending at now_ns: advance its virtual runtime
 * by ran_ns * 256 / weight, count it against its cap (throttling it if
 * the budget is spent) and in its accounting.  Clears q->curr.  What
 * a run covers is the caller's to say: kernel/sched.c charges it from
 * the end of the run before, its own work between them included.
 */
void runq_charge(struct runq_entity *e, u64 now_ns, u64 ran_ns);
/* e halted: not picked until wake_ns (RUNQ_NEVER: until runq_wake). */
void runq_block(struct runq_entity *e, u64 wake_ns);
/*
 * An event for blocked e (an interrupt, a kick).  Returns true if the
 * CPU of e's queue should reschedule now: it idles, or e is ahead of
 * the running entity by more than RUNQ_WAKE_GRAN_NS of weighted time.
 * Then send that CPU an IPI (or just loop, if it is this one).
 */
bool runq_wake(struct runq_entity *e, u64 now_ns);
/*
 * The earliest time something changes on q by itself: a blocked
 * entity's deadline or the end of a throttling.  RUNQ_NEVER if none.
 * An idle CPU programs its timer for it and halts.
 */
u64 runq_next_event(const struct runq *q);

#endif
