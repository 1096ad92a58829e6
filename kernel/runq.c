/*
 * Scheduling policy (see runq.h and docs/scheduling.md): weighted fair
 * queueing by virtual runtime on each CPU's queue, caps as a budget per
 * 100 ms period of the entity's own (counted from when it joined its
 * queue), pinning by CPU bitmap, placement by load.  Pure
 * arithmetic on the caller's structures and the caller's clock; the
 * caller locks, programs timers and runs vCPUs.
 *
 * Virtual runtimes are u64 counts that may wrap: they are only ever
 * compared by the sign of their difference.  A new queue starts 2^30
 * below the wrap (about a second of CPU time at the default weight),
 * so every simulated run of the unit tests crosses it.
 */
#include "kernel/runq.h"

#define VRUNTIME_START ((u64) - (1ull << 30))

/* a < b for virtual runtimes, modulo 2^64. */
static bool vbefore(u64 a, u64 b)
{
	return (s64)(a - b) < 0;
}

/* ran_ns of real time as virtual time: ran_ns * 256 / weight, no overflow. */
static u64 weighted(u64 ran_ns, u32 weight)
{
	/* lab 7: real time as virtual time: the heavier, the slower it passes */
	return MIN(ran_ns, RUNQ_CHARGE_MAX_NS) * RUNQ_WEIGHT_DEFAULT / weight;
	/* lab 7: end */
}

static bool capped(const struct runq_entity *e)
{
	return e->cap < RUNQ_CAP_NONE;
}

static u64 budget_ns(const struct runq_entity *e)
{
	return RUNQ_CAP_PERIOD_NS * e->cap / 100;
}

/*
 * The index of e's cap period holding now_ns.  Periods are e's own,
 * counted from when it joined its queue: one aligned on the clock would
 * give a newcomer a whole budget in whatever was left of the current
 * period (docs/scheduling.md, "Caps").
 */
static u64 period_of(const struct runq_entity *e, u64 now_ns)
{
	return now_ns > e->cap_start ? (now_ns - e->cap_start) / RUNQ_CAP_PERIOD_NS : 0;
}

static u64 period_start(const struct runq_entity *e, u64 now_ns)
{
	return e->cap_start + period_of(e, now_ns) * RUNQ_CAP_PERIOD_NS;
}

static u64 period_end(const struct runq_entity *e, u64 now_ns)
{
	return period_start(e, now_ns) + RUNQ_CAP_PERIOD_NS;
}

/*
 * Move e's cap accounting to the period holding now_ns.  Time used
 * beyond the budget (a slice that ended late, a long exit) is debt: each
 * period that begins pays one budget of it, however much there is, so a
 * capped partition never gets more than its cap over time.
 */
static void cap_roll(struct runq_entity *e, u64 now_ns)
{
	u64 p = period_of(e, now_ns), budget = budget_ns(e), gone;

	if (p <= e->cap_period)
		return;
	gone = p - e->cap_period;
	/* gone * budget cannot overflow while it is at most cap_used_ns. */
	e->cap_used_ns = gone <= e->cap_used_ns / budget ? e->cap_used_ns - gone * budget : 0;
	e->cap_period = p;
}

/*
 * Count a run from start_ns to now_ns against e's cap, period by period:
 * the part in each period counts there (whole periods in between are
 * used in full), so a run that crosses boundaries is neither free nor
 * charged twice.
 */
static void cap_charge(struct runq_entity *e, u64 start_ns, u64 now_ns)
{
	u64 end1 = period_end(e, start_ns), last;

	cap_roll(e, start_ns);
	if (now_ns <= end1) {
		e->cap_used_ns += now_ns - start_ns;
		return;
	}
	e->cap_used_ns += end1 - start_ns;
	last = period_start(e, now_ns);
	if (last > end1) {
		u64 full = (last - end1) / RUNQ_CAP_PERIOD_NS;
		cap_roll(e, end1);
		e->cap_used_ns +=
			RUNQ_CAP_PERIOD_NS + (full - 1) * (RUNQ_CAP_PERIOD_NS - budget_ns(e));
		e->cap_period += full - 1;
	}
	cap_roll(e, now_ns);
	e->cap_used_ns += now_ns - last;
}

/* Budget left in the current period (RUNQ_NEVER when uncapped). */
static u64 budget_left(struct runq_entity *e, u64 now_ns)
{
	if (!capped(e))
		return RUNQ_NEVER;
	cap_roll(e, now_ns);
	return e->cap_used_ns < budget_ns(e) ? budget_ns(e) - e->cap_used_ns : 0;
}

static bool pickable(const struct runq_entity *e)
{
	return e->state == RUNQ_RUNNABLE && !e->throttled_until;
}

/* Back in the race after blocking or throttling: no credit for the time away. */
static void rejoin(struct runq_entity *e)
{
	if (vbefore(e->vruntime, e->rq->min_vruntime))
		e->vruntime = e->rq->min_vruntime;
}

static void make_runnable(struct runq_entity *e)
{
	e->state = RUNQ_RUNNABLE;
	e->wake_ns = RUNQ_NEVER;
	if (!e->throttled_until)
		rejoin(e);
}

/* min_vruntime follows the smallest pickable virtual runtime, forward only. */
static void update_min(struct runq *q)
{
	struct runq_entity *low = NULL;

	for (struct runq_entity *e = q->head; e; e = e->next)
		if (pickable(e) && (!low || vbefore(e->vruntime, low->vruntime)))
			low = e;
	if (low && vbefore(q->min_vruntime, low->vruntime))
		q->min_vruntime = low->vruntime;
}

/* Wake entities whose deadline has come; end throttling whose period is over. */
static void release(struct runq *q, u64 now_ns)
{
	for (struct runq_entity *e = q->head; e; e = e->next) {
		if (e->state == RUNQ_BLOCKED && e->wake_ns <= now_ns)
			make_runnable(e);
		if (e->throttled_until && e->throttled_until <= now_ns) {
			if (budget_left(e, now_ns)) {
				e->throttled_until = 0;
				if (e->state == RUNQ_RUNNABLE)
					rejoin(e);
			} else {
				e->throttled_until = period_end(e, now_ns);
			}
		}
	}
}

/* Lowest virtual runtime; on a tie, whoever has waited longest. */
static struct runq_entity *lowest(const struct runq *q)
{
	struct runq_entity *best = NULL;

	for (struct runq_entity *e = q->head; e; e = e->next) {
		if (!pickable(e))
			continue;
		if (!best || vbefore(e->vruntime, best->vruntime) ||
		    (e->vruntime == best->vruntime && e->last_ran_ns < best->last_ran_ns))
			best = e;
	}
	return best;
}

static bool allowed(const struct runq_entity *e, u32 cpu)
{
	return !e->cpus || (cpu < 64 && (e->cpus >> cpu) & 1);
}

void runq_init(struct runq *q, u32 cpu)
{
	*q = (struct runq){ .cpu = cpu, .min_vruntime = VRUNTIME_START };
}

int runq_entity_init(struct runq_entity *e, u32 weight, u32 cap, u64 cpus, void *owner)
{
	if (weight < 1 || weight > RUNQ_WEIGHT_MAX || cap < 1 || cap > RUNQ_CAP_NONE)
		return -EINVAL;
	*e = (struct runq_entity){
		.weight = weight,
		.cap = cap,
		.cpus = cpus,
		.owner = owner,
		.state = RUNQ_STOPPED,
		.wake_ns = RUNQ_NEVER,
	};
	return 0;
}

int runq_place(struct runq *const *qs, u32 n, u64 online, const struct runq_entity *e)
{
	int best = -ENODEV;

	for (u32 i = 0; i < n && i < 64; i++) {
		const struct runq *q = qs[i];

		if (!q || !((online >> i) & 1) || !allowed(e, q->cpu))
			continue;
		if (best < 0 || q->load < qs[best]->load ||
		    (q->load == qs[best]->load && q->nr < qs[best]->nr))
			best = (int)i;
	}
	return best;
}

int runq_add(struct runq *q, struct runq_entity *e, u64 now_ns)
{
	struct runq_entity **tail = &q->head;

	if (e->rq || e->state != RUNQ_STOPPED || !allowed(e, q->cpu))
		return -EINVAL;
	while (*tail)
		tail = &(*tail)->next;
	*tail = e;
	e->next = NULL;
	e->rq = q;
	e->state = RUNQ_RUNNABLE;
	e->wake_ns = RUNQ_NEVER;
	e->vruntime = q->min_vruntime;
	e->throttled_until = 0;
	e->cap_start = now_ns;
	e->cap_period = 0;
	e->cap_used_ns = 0;
	q->nr++;
	q->load += e->weight;
	return 0;
}

void runq_remove(struct runq_entity *e)
{
	struct runq *q = e->rq;

	if (!q)
		return;
	for (struct runq_entity **p = &q->head; *p; p = &(*p)->next) {
		if (*p == e) {
			*p = e->next;
			break;
		}
	}
	if (q->curr == e)
		q->curr = NULL;
	q->nr--;
	q->load -= e->weight;
	e->next = NULL;
	e->rq = NULL;
	e->state = RUNQ_STOPPED;
}

struct runq_entity *runq_pick(struct runq *q, u64 now_ns, u64 *slice_ns)
{
	/* lab 7: who runs next, and for how long */
	struct runq_entity *e;
	u64 slice = RUNQ_SLICE_NS, next, left;

	release(q, now_ns);
	for (;;) {
		e = lowest(q);
		q->curr = e;
		if (!e)
			return NULL;
		left = budget_left(e, now_ns);
		if (left)
			break;
		e->throttled_until = period_end(e, now_ns); /* debt from a late slice */
		e->throttles++;
	}
	next = runq_next_event(q);
	if (next != RUNQ_NEVER)
		slice = MIN(slice, next > now_ns ? next - now_ns : 0);
	slice = MIN(MAX(slice, RUNQ_MIN_SLICE_NS), left);
	q->curr_since = now_ns;
	*slice_ns = slice;
	return e;
	/* lab 7: end */
}

void runq_charge(struct runq_entity *e, u64 now_ns, u64 ran_ns)
{
	/* lab 7: charge a run: virtual time by weight, and the cap */
	struct runq *q = e->rq;

	ran_ns = MIN(ran_ns, RUNQ_CHARGE_MAX_NS);
	e->vruntime += weighted(ran_ns, e->weight);
	e->cpu_ns += ran_ns;
	e->runs++;
	e->last_ran_ns = now_ns;
	if (capped(e)) {
		cap_charge(e, now_ns - MIN(ran_ns, now_ns), now_ns);
		if (e->cap_used_ns >= budget_ns(e) && !e->throttled_until) {
			e->throttled_until = period_end(e, now_ns);
			e->throttles++;
		}
	}
	if (q) {
		if (q->curr == e)
			q->curr = NULL;
		update_min(q);
	}
	/* lab 7: end */
}

void runq_block(struct runq_entity *e, u64 wake_ns)
{
	if (e->state != RUNQ_RUNNABLE)
		return;
	e->state = RUNQ_BLOCKED;
	e->wake_ns = wake_ns;
	if (e->rq)
		update_min(e->rq);
}

bool runq_wake(struct runq_entity *e, u64 now_ns)
{
	struct runq *q = e->rq;
	const struct runq_entity *c;

	if (!q || e->state != RUNQ_BLOCKED)
		return false;
	make_runnable(e);
	if (e->throttled_until)
		return false; /* nothing to run before its period ends anyway */
	c = q->curr;
	if (!c)
		return true;
	return vbefore(e->vruntime + RUNQ_WAKE_GRAN_NS,
		       c->vruntime + weighted(now_ns - MIN(q->curr_since, now_ns), c->weight));
}

u64 runq_next_event(const struct runq *q)
{
	u64 next = RUNQ_NEVER;

	for (const struct runq_entity *e = q->head; e; e = e->next) {
		if (e->state == RUNQ_BLOCKED)
			next = MIN(next, e->wake_ns);
		if (e->throttled_until)
			next = MIN(next, e->throttled_until);
	}
	return next;
}
