/*
 * Unit tests of kernel/runq.c, the scheduling policy, on simulated CPUs
 * with fake time: a CPU-bound entity always runs its whole slice, an
 * idle CPU jumps to the queue's next event.  Shares: weights 1:3 (and
 * 256:768) give 25/75; a cap of 20 % alone gives 20 % and idles the
 * rest, next to a competitor still 20 %, and a cap above the fair share
 * changes nothing; debt from a late slice is paid in the next period;
 * cap periods are the entity's own, so over a 2 s life that starts and
 * ends anywhere in the clock's periods cap=20 stays within 0.8 points.
 * Pinning and placement by load; 16 entities on one CPU all progress
 * with a bounded wait; blocked entities are not picked before their
 * deadline and are at it; a wake preempts or not; weights 1 and 65535
 * and the longest charge do not overflow, and virtual runtimes wrap
 * (every queue starts just below 2^64).  The measured shares are
 * printed (cmocka's print_message) for docs/scheduling.md.
 */
/* unit-sources: kernel/runq.c */
#include <stdio.h>

#include "tests/unit/unit.h"

#include "kernel/runq.h"

#define MS(x) ((u64)(x)*1000000ull)
#define SEC(x) ((u64)(x)*1000000000ull)

static struct runq q0, q1;
static struct runq_entity ents[16];
static bool jitter; /* see ran_for() */
static u64 rng;

/* Two empty queues, CPUs 0 and 1. */
static void reset_queues(void)
{
	runq_init(&q0, 0);
	runq_init(&q1, 1);
	rng = 1;
}

static int setup(void **state)
{
	(void)state;
	jitter = false;
	reset_queues();
	return 0;
}

static int setup_jitter(void **state)
{
	(void)state;
	jitter = true;
	reset_queues();
	return 0;
}

/* A stopped entity with these parameters (asserts they are valid). */
static struct runq_entity *entity(unsigned i, u32 weight, u32 cap, u64 cpus)
{
	assert_int_equal(runq_entity_init(&ents[i], weight, cap, cpus, NULL), 0);
	return &ents[i];
}

static struct runq_entity *added_at(unsigned i, u32 weight, u32 cap, struct runq *q, u64 now)
{
	struct runq_entity *e = entity(i, weight, cap, 0);
	assert_int_equal(runq_add(q, e, now), 0);
	return e;
}

/* Added at time 0. */
static struct runq_entity *added(unsigned i, u32 weight, u32 cap, struct runq *q)
{
	return added_at(i, weight, cap, q, 0);
}

/*
 * With jitter on, runs do not last exactly the slice the policy gave: a
 * quarter end up to 200 us late (the timer's exit comes after the
 * deadline), a quarter end early anywhere in the second half (the
 * guest yielded).  A fixed linear congruential sequence, so the
 * results are the same on every run.
 */
static u64 ran_for(u64 slice)
{
	u64 r;

	if (!jitter)
		return slice;
	rng = rng * 6364136223846793005ull + 1442695040888963407ull;
	r = rng >> 33;
	if (r % 4 == 0)
		return slice + r % 200000;
	if (r % 4 == 1)
		return slice / 2 + r % (slice / 2) + 1;
	return slice;
}

/*
 * Run q from *now to end with CPU-bound entities; returns the idle time.
 * never, if set, must never be picked.
 */
static u64 run_cpu(struct runq *q, u64 *now, u64 end, const struct runq_entity *never)
{
	u64 idle = 0, slice;

	while (*now < end) {
		struct runq_entity *e = runq_pick(q, *now, &slice);

		if (!e) {
			u64 next = runq_next_event(q);
			u64 until = next > end ? end : next;

			assert_true(until > *now); /* idling must make progress */
			idle += until - *now;
			*now = until;
			continue;
		}
		assert_ptr_equal(e->rq, q);
		assert_ptr_not_equal(e, never);
		assert_true(slice > 0 && slice <= RUNQ_SLICE_NS);
		slice = ran_for(slice);
		*now += slice;
		runq_charge(e, *now, slice);
	}
	return idle;
}

static double pct(u64 part, u64 whole)
{
	return 100.0 * (double)part / (double)whole;
}

/* |measured - want| <= tolerance percentage points, with the numbers on failure. */
static void assert_share(const char *what, double measured, double want, double tolerance)
{
	print_message("      %-46s %6.2f %% (want %g +- %g)\n", what, measured, want, tolerance);
	assert_true(measured >= want - tolerance && measured <= want + tolerance);
}

static void test_entity_limits(void **state)
{
	(void)state;
	struct runq_entity e;

	assert_int_equal(runq_entity_init(&e, 0, 100, 0, NULL), -EINVAL);
	assert_int_equal(runq_entity_init(&e, 65536, 100, 0, NULL), -EINVAL);
	assert_int_equal(runq_entity_init(&e, 256, 0, 0, NULL), -EINVAL);
	assert_int_equal(runq_entity_init(&e, 256, 101, 0, NULL), -EINVAL);
	assert_int_equal(runq_entity_init(&e, 1, 1, 0, NULL), 0);
	assert_int_equal(runq_entity_init(&e, 65535, 100, ~0ull, &e), 0);
	assert_int_equal(e.state, RUNQ_STOPPED);
	assert_ptr_equal(e.owner, &e);
}

static const char *describe(char *buf, size_t size, const struct runq_entity *e,
			    const struct runq_entity *other)
{
	snprintf(buf, size, "%sweight %u cap %u next to %u cap %u", jitter ? "jitter: " : "",
		 e->weight, e->cap, other->weight, other->cap);
	return buf;
}

/*
 * a (weight wa, cap ca) and b (wb, cb) alone on CPU 0 for 10 s: a gets
 * want_a percent, b the rest, and the CPU never idles.
 */
static struct runq_entity *pair(u32 wa, u32 ca, u32 wb, u32 cb, double want_a)
{
	struct runq_entity *a = added(0, wa, ca, &q0);
	struct runq_entity *b = added(1, wb, cb, &q0);
	u64 now = 0, start = q0.min_vruntime;
	char what[64];

	assert_int_equal(run_cpu(&q0, &now, SEC(10), NULL), 0);
	assert_share(describe(what, sizeof(what), a, b), pct(a->cpu_ns, now), want_a, 1);
	assert_share(describe(what, sizeof(what), b, a), pct(b->cpu_ns, now), 100 - want_a, 1);
	assert_int_equal(a->cpu_ns + b->cpu_ns, now);
	/* The queue started below 2^64 and wrapped on the way: comparisons survived it. */
	assert_true(q0.min_vruntime < start);
	return a;
}

/* cap=20 alone on CPU 0 for 10 s: 20 % run, the rest idle. */
static void cap_alone(void)
{
	struct runq_entity *a = added(0, 256, 20, &q0);
	u64 now = 0, idle = run_cpu(&q0, &now, SEC(10), NULL);

	assert_share(jitter ? "jitter: cap=20 alone" : "cap=20 alone", pct(a->cpu_ns, now), 20, 1);
	assert_share(jitter ? "jitter: idle next to it" : "idle next to it", pct(idle, now), 80, 1);
	assert_int_equal(a->throttles, 100); /* once per 100 ms period */
}

static void test_weights_1_3(void **state)
{
	pair(1, 100, 3, 100, 25);
	setup(state);
	pair(256, 100, 768, 100, 25);
}

static void test_cap_alone(void **state)
{
	(void)state;
	cap_alone();
}

static void test_cap_with_competitor(void **state)
{
	(void)state;
	pair(256, 20, 256, 100, 20);
}

/* A cap is a ceiling, not a reservation: above the fair share it does nothing. */
static void test_cap_above_fair_share(void **state)
{
	(void)state;
	assert_int_equal(pair(256, 60, 256, 100, 50)->throttles, 0);
}

/* A slice that ended 15 ms past the budget: that debt comes off the next period. */
static void test_cap_debt(void **state)
{
	(void)state;
	struct runq_entity *a = added(0, 256, 20, &q0);
	u64 slice;

	assert_ptr_equal(runq_pick(&q0, 0, &slice), a);
	assert_int_equal(slice, RUNQ_SLICE_NS);
	runq_charge(a, MS(35), MS(35)); /* the exit came late */
	assert_int_equal(a->throttles, 1);
	assert_null(runq_pick(&q0, MS(35), &slice));
	assert_int_equal(runq_next_event(&q0), MS(100));
	assert_ptr_equal(runq_pick(&q0, MS(100), &slice), a);
	assert_int_equal(slice, MS(5)); /* 20 budget - 15 debt */
	runq_charge(a, MS(105), MS(5));
	assert_null(runq_pick(&q0, MS(105), &slice));
	/* Two periods later nothing is owed. */
	assert_ptr_equal(runq_pick(&q0, MS(200), &slice), a);
	assert_int_equal(slice, RUNQ_SLICE_NS);
}

/*
 * cap=10 and every run lasts 50 ms whatever slice it was given (a guest
 * whose exits are long): all of the debt is paid back, period after
 * period, so over 10 s it gets 10 %, not the 50 % it took when only one
 * budget of debt was carried.  One run of 500 ms is 50 budgets: nothing
 * more until 5 s.
 */
static void test_cap_long_runs(void **state)
{
	(void)state;
	struct runq_entity *a = added(0, 256, 10, &q0);
	u64 now = 0, slice, idle = 0;

	while (now < MS(10000)) {
		if (!runq_pick(&q0, now, &slice)) {
			u64 next = runq_next_event(&q0);
			idle += next - now;
			now = next;
			continue;
		}
		now += MS(50);
		runq_charge(a, now, MS(50));
	}
	assert_share("cap=10, runs of 50 ms", pct(a->cpu_ns, now), 10, 0.6);
	assert_true(idle > 0);

	setup(state);
	a = added(0, 256, 10, &q0);
	assert_ptr_equal(runq_pick(&q0, 0, &slice), a);
	runq_charge(a, MS(500), MS(500)); /* one exit of 500 ms: 50 budgets of 10 ms */
	for (u64 t = MS(500); t < MS(5000); t += MS(100))
		assert_null(runq_pick(&q0, t, &slice));
	assert_ptr_equal(runq_pick(&q0, MS(5000), &slice), a);
}

/* A run that crosses a period boundary counts in each period for its part. */
static void test_cap_split_at_boundary(void **state)
{
	(void)state;
	struct runq_entity *a = added(0, 256, 20, &q0);
	u64 slice;

	assert_ptr_equal(runq_pick(&q0, MS(95), &slice), a);
	runq_charge(a, MS(105), MS(10));
	assert_int_equal(a->cap_used_ns, MS(5)); /* 5 ms before 100 went to the old period */
	assert_ptr_equal(runq_pick(&q0, MS(105), &slice), a);
	assert_int_equal(slice, RUNQ_SLICE_NS);
	runq_charge(a, MS(115), MS(10));
	assert_ptr_equal(runq_pick(&q0, MS(115), &slice), a);
	assert_int_equal(slice, MS(5));
}

/* Periods are the entity's own: one added at 30 ms has its first budget until 130 ms. */
static void test_cap_periods_own(void **state)
{
	(void)state;
	struct runq_entity *a = added_at(0, 256, 20, &q0, MS(30));
	u64 now = MS(30), slice;

	assert_ptr_equal(runq_pick(&q0, now, &slice), a);
	now += slice;
	runq_charge(a, now, slice);
	assert_ptr_equal(runq_pick(&q0, now, &slice), a);
	assert_int_equal(slice, MS(10)); /* nothing was reset at 100 ms of the clock */
	now += slice;
	runq_charge(a, now, slice);
	assert_null(runq_pick(&q0, now, &slice));
	assert_int_equal(runq_next_event(&q0), MS(130));
	assert_null(runq_pick(&q0, MS(129), &slice));
	assert_ptr_equal(runq_pick(&q0, MS(130), &slice), a);
	/* A run across its period boundary (230 ms) is split there. */
	runq_charge(a, MS(135), MS(5));
	assert_ptr_equal(runq_pick(&q0, MS(225), &slice), a);
	runq_charge(a, MS(235), MS(10));
	assert_int_equal(a->cap_used_ns, MS(5));
}

/*
 * A CPU-bound cap=20 entity that lives `life` from `start`, as
 * guests/spin does on the boot lanes: it joins at start, runs whatever
 * it is given and stops at the first moment it runs at or after
 * start + life (if it is throttled then, 1 us into its next run).
 * Returns its CPU time over its life, in percent.
 */
static double capped_life(u64 start, u64 life)
{
	struct runq_entity *a, *e;
	u64 now = start, slice, ran, left;

	reset_queues();
	a = added_at(0, 256, 20, &q0, start);
	for (;;) {
		e = runq_pick(&q0, now, &slice);
		if (!e) {
			now = runq_next_event(&q0);
			continue;
		}
		ran = ran_for(slice);
		left = start + life > now ? start + life - now : 0;
		if (ran >= left)
			break;
		now += ran;
		runq_charge(e, now, ran);
	}
	ran = MAX(left, 1000);
	now += ran;
	runq_charge(e, now, ran);
	return pct(a->cpu_ns, now - start);
}

/*
 * cap=20 over lives of 2 s to 2.1 s that start and end anywhere in the
 * clock's 100 ms periods.  The share is exactly 20 % over whole periods
 * of the entity's; what is left is the end: a life that stops just after
 * the budget of its last period was spent has had 20 ms of that period
 * in a stretch shorter than 100 ms, at most 16 ms (0.8 points of 2 s)
 * more than 20 %.
 */
static void cap_lives(void)
{
	const char *tag = jitter ? "jitter: " : "";
	double lo = 100, hi = 0, s;
	char what[64];

	for (unsigned k = 0; k < 15; k++) {
		for (unsigned j = 0; j < 12; j++) {
			s = capped_life(SEC(1) + k * MS(7) + 123456, SEC(2) + j * MS(9) + 654321);
			lo = MIN(lo, s);
			hi = MAX(hi, s);
		}
	}
	snprintf(what, sizeof(what), "%scap=20 over 2 s lives, lowest", tag);
	assert_share(what, lo, 20, 1);
	snprintf(what, sizeof(what), "%scap=20 over 2 s lives, highest", tag);
	assert_share(what, hi, 20, 1);
	assert_true(hi <= 20.0 + 100.0 * MS(16) / SEC(2) + 0.05);
}

static void test_cap_lives(void **state)
{
	(void)state;
	cap_lives();
}

static void test_pinning(void **state)
{
	(void)state;
	struct runq *qs[2] = { &q0, &q1 };
	struct runq_entity *p = entity(0, 256, 100, 1ull << 1);
	struct runq_entity *a = entity(1, 256, 100, 0);
	struct runq_entity *b = entity(2, 256, 100, 0);
	u64 now = 0;

	assert_int_equal(runq_place(qs, 2, 3, p), 1);
	assert_int_equal(runq_place(qs, 2, 1, p), -ENODEV); /* CPU 1 offline */
	assert_int_equal(runq_add(&q0, p, 0), -EINVAL);
	assert_int_equal(runq_add(&q1, p, 0), 0);
	assert_int_equal(runq_add(&q1, p, 0), -EINVAL); /* already on a queue */
	assert_int_equal(runq_place(qs, 2, 3, a), 0);
	assert_int_equal(runq_add(&q0, a, 0), 0);
	assert_int_equal(runq_place(qs, 2, 3, b), 0); /* tie: lowest CPU */
	assert_int_equal(runq_add(&q0, b, 0), 0);

	run_cpu(&q0, &now, SEC(1), p);
	now = 0;
	run_cpu(&q1, &now, SEC(1), a);
	assert_int_equal(p->cpu_ns, SEC(1));
	assert_int_equal(a->cpu_ns + b->cpu_ns, SEC(1));
}

static void test_place_by_load(void **state)
{
	(void)state;
	struct runq *qs[2] = { &q0, &q1 };
	u32 on[2] = { 0, 0 };

	for (unsigned i = 0; i < 3; i++) {
		struct runq_entity *e = entity(i, 256, 100, 0);
		int cpu = runq_place(qs, 2, 3, e);

		assert_true(cpu == 0 || cpu == 1);
		assert_int_equal(runq_add(qs[cpu], e, 0), 0);
		on[cpu]++;
	}
	assert_int_equal(on[0], 2);
	assert_int_equal(on[1], 1);
	assert_int_equal(q0.load, 512);
	assert_int_equal(q1.load, 256);

	/* By weight, not by count: a 512 on CPU 1 balances two 256s on CPU 0. */
	setup(NULL);
	assert_int_equal(runq_add(&q1, entity(0, 512, 100, 0), 0), 0);
	assert_int_equal(runq_place(qs, 2, 3, entity(1, 256, 100, 0)), 0);
	assert_int_equal(runq_add(&q0, &ents[1], 0), 0);
	assert_int_equal(runq_place(qs, 2, 3, entity(2, 256, 100, 0)), 0);
	assert_int_equal(runq_add(&q0, &ents[2], 0), 0);
	/* Equal load: the CPU with fewer entities. */
	assert_int_equal(runq_place(qs, 2, 3, entity(3, 256, 100, 0)), 1);
	/* Removal gives the load back. */
	runq_remove(&ents[0]);
	assert_int_equal(q1.load, 0);
	assert_int_equal(q1.nr, 0);
	assert_int_equal(ents[0].state, RUNQ_STOPPED);
	assert_null(ents[0].rq);
	runq_remove(&ents[1]);
	assert_int_equal(q0.load, 256);
	assert_ptr_equal(q0.head, &ents[2]);
	assert_int_equal(runq_place(qs, 2, 3, &ents[3]), 1);
}

static void test_sixteen_no_starvation(void **state)
{
	(void)state;
	u64 now = 0, slice, last_end[16] = { 0 }, worst_wait = 0;

	for (unsigned i = 0; i < 16; i++)
		added(i, 256, 100, &q0);
	while (now < SEC(10)) {
		struct runq_entity *e = runq_pick(&q0, now, &slice);
		unsigned i = (unsigned)(e - ents);

		assert_non_null(e);
		worst_wait = MAX(worst_wait, now - last_end[i]);
		now += slice;
		runq_charge(e, now, slice);
		last_end[i] = now;
	}
	for (unsigned i = 0; i < 16; i++) {
		double s = pct(ents[i].cpu_ns, now);
		if (i == 0 || i == 15)
			assert_share(i ? "16 equal, the last" : "16 equal, the first", s, 6.25,
				     0.5);
		else
			assert_true(s >= 5.75 && s <= 6.75);
	}
	/* Nobody waits longer than the other 15 running one slice each. */
	assert_true(worst_wait <= 15 * RUNQ_SLICE_NS);
}

static void test_block_until_deadline(void **state)
{
	(void)state;
	struct runq_entity *a = added(0, 256, 100, &q0);
	struct runq_entity *b = added(1, 256, 100, &q0);
	struct runq_entity *e;
	u64 now = 0, slice;

	runq_block(b, MS(55));
	assert_int_equal(runq_next_event(&q0), MS(55));
	while (now < MS(55)) {
		assert_ptr_equal(runq_pick(&q0, now, &slice), a);
		assert_true(now + slice <= MS(55)); /* the slice ends at the deadline */
		now += slice;
		runq_charge(a, now, slice);
	}
	assert_int_equal(now, MS(55));
	assert_ptr_equal(runq_pick(&q0, now, &slice), b);
	now += slice;
	runq_charge(b, now, slice);

	/* Blocked with no deadline: only runq_wake brings it back. */
	runq_block(b, RUNQ_NEVER);
	assert_int_equal(runq_next_event(&q0), RUNQ_NEVER);
	run_cpu(&q0, &now, now + SEC(1), b);
	e = runq_pick(&q0, now, &slice);
	assert_ptr_equal(e, a);
	assert_false(runq_wake(b, now)); /* a just started: no preemption */
	assert_false(runq_wake(b, now)); /* not blocked any more: nothing */
	runq_charge(a, now + slice, slice);
	now += slice;
	assert_ptr_equal(runq_pick(&q0, now, &slice), b);
	runq_charge(b, now + MS(1), MS(1));
	now += MS(1);

	/* A wake while the other has run for a while preempts it. */
	runq_block(b, RUNQ_NEVER);
	assert_ptr_equal(runq_pick(&q0, now, &slice), a);
	assert_true(runq_wake(b, now + MS(5)));
}

static void test_idle_until_event(void **state)
{
	(void)state;
	struct runq_entity *a = added(0, 256, 100, &q0);
	u64 slice;

	runq_block(a, MS(30));
	assert_null(runq_pick(&q0, 0, &slice));
	assert_null(q0.curr);
	assert_int_equal(runq_next_event(&q0), MS(30));
	assert_null(runq_pick(&q0, MS(30) - 1, &slice));
	assert_ptr_equal(runq_pick(&q0, MS(30), &slice), a);
	assert_ptr_equal(q0.curr, a);
	runq_charge(a, MS(31), MS(1));
	assert_null(q0.curr);

	runq_block(a, RUNQ_NEVER);
	assert_null(runq_pick(&q0, MS(31), &slice));
	assert_true(runq_wake(a, MS(40))); /* the CPU idles: kick it */
	assert_ptr_equal(runq_pick(&q0, MS(40), &slice), a);
}

/* A new entity starts at the queue's minimum: no head start, no starving the others. */
static void test_late_joiner(void **state)
{
	(void)state;
	struct runq_entity *a = added(0, 256, 100, &q0);
	struct runq_entity *b;
	u64 now = 0;

	run_cpu(&q0, &now, SEC(5), NULL);
	b = added_at(1, 256, 100, &q0, now);
	run_cpu(&q0, &now, SEC(6), NULL);
	assert_share("late joiner's share of 1 s", pct(b->cpu_ns, SEC(1)), 50, 1);
	assert_int_equal(a->cpu_ns, SEC(5) + SEC(1) / 2);
}

static void test_extreme_weights(void **state)
{
	(void)state;
	struct runq_entity *a = added(0, 1, 100, &q0);
	struct runq_entity *b = added(1, 65535, 100, &q0);
	u64 now = 0, v, slice;

	/* Exact virtual time per 10 ms slice at both ends of the range. */
	assert_ptr_equal(runq_pick(&q0, now, &slice), a);
	v = a->vruntime;
	now += slice;
	runq_charge(a, now, slice);
	assert_int_equal(a->vruntime - v, RUNQ_SLICE_NS * 256);
	assert_ptr_equal(runq_pick(&q0, now, &slice), b);
	v = b->vruntime;
	now += slice;
	runq_charge(b, now, slice);
	assert_int_equal(b->vruntime - v, RUNQ_SLICE_NS * 256 / 65535);

	run_cpu(&q0, &now, SEC(100), NULL);
	assert_share("weight 65535 against 1", pct(b->cpu_ns, now), 100.0 * 65535 / 65536, 0.1);
	assert_int_equal(a->cpu_ns + b->cpu_ns, now);

	/* The longest charge is clipped; weight 1 multiplies it by 256 without overflow. */
	v = a->vruntime;
	runq_charge(a, UINT64_MAX, UINT64_MAX);
	assert_int_equal(a->vruntime - v, RUNQ_CHARGE_MAX_NS * 256);
	assert_true(RUNQ_CHARGE_MAX_NS * 256 / 256 == RUNQ_CHARGE_MAX_NS);
}

/* The share tests again with runs that end early and late. */
static void test_shares_with_jitter(void **state)
{
	pair(1, 100, 3, 100, 25);
	setup_jitter(state);
	cap_alone();
	setup_jitter(state);
	pair(256, 20, 256, 100, 20);
	setup_jitter(state);
	cap_lives();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_entity_limits, setup),
		cmocka_unit_test_setup(test_weights_1_3, setup),
		cmocka_unit_test_setup(test_cap_alone, setup),
		cmocka_unit_test_setup(test_cap_with_competitor, setup),
		cmocka_unit_test_setup(test_cap_above_fair_share, setup),
		cmocka_unit_test_setup(test_cap_debt, setup),
		cmocka_unit_test_setup(test_cap_split_at_boundary, setup),
		cmocka_unit_test_setup(test_cap_long_runs, setup),
		cmocka_unit_test_setup(test_cap_periods_own, setup),
		cmocka_unit_test_setup(test_cap_lives, setup),
		cmocka_unit_test_setup(test_pinning, setup),
		cmocka_unit_test_setup(test_place_by_load, setup),
		cmocka_unit_test_setup(test_sixteen_no_starvation, setup),
		cmocka_unit_test_setup(test_block_until_deadline, setup),
		cmocka_unit_test_setup(test_idle_until_event, setup),
		cmocka_unit_test_setup(test_late_joiner, setup),
		cmocka_unit_test_setup(test_extreme_weights, setup),
		cmocka_unit_test_setup(test_shares_with_jitter, setup_jitter),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
