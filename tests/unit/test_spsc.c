/*
 * Unit tests of lib/spsc.h, the single-producer single-consumer
 * byte ring of a partition's console input: first on one thread (fill,
 * drain, a full ring refuses and counts instead of overwriting, the
 * free-running indices across their wrap at 2^32), then with a producer
 * thread and a consumer thread running at once for a few million bytes.
 * The bytes come from a generator whose value depends on the position,
 * so a byte lost, seen twice, seen out of order or made up shows as a
 * mismatch at the first place it happens.
 */
/* unit-sources: */
#include "tests/unit/unit.h"

#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/spsc.h"

#define RING 64 /* as a partition's console input (kernel/pconsole.h) */
#define BYTES 4000000u

/* Byte number i of the stream: a hash of i, so neighbours and repeats differ. */
static u8 stream(u32 i)
{
	u32 x = i * 0x9e3779b1u;

	x ^= x >> 15;
	x *= 0x85ebca6bu;
	x ^= x >> 13;
	return (u8)x;
}

static void test_one_thread(void **state)
{
	(void)state;
	u8 buf[RING];
	struct spsc_ring r;

	spsc_init(&r, buf, RING);
	assert_false(spsc_ready(&r));
	assert_int_equal(spsc_pop(&r), -1);

	/* Fill it: RING bytes fit, the next ones are refused and counted. */
	for (u32 i = 0; i < RING; i++)
		assert_true(spsc_push(&r, stream(i)));
	for (u32 i = 0; i < 10; i++)
		assert_false(spsc_push(&r, 0xee));
	assert_int_equal(r.dropped, 10);
	/* Nothing was overwritten: the first RING bytes come out, in order. */
	for (u32 i = 0; i < RING; i++) {
		assert_true(spsc_ready(&r));
		assert_int_equal(spsc_pop(&r), stream(i));
	}
	assert_false(spsc_ready(&r));
	assert_int_equal(spsc_pop(&r), -1);

	/* Every byte value comes out as it went in (0xff is not -1). */
	for (u32 b = 0; b < 256; b++) {
		assert_true(spsc_push(&r, (u8)b));
		assert_int_equal(spsc_pop(&r), b);
	}

	/* Around the wrap of the indices at 2^32. */
	spsc_init(&r, buf, RING);
	r.head = r.tail = 0xffffffffu - 20;
	for (u32 i = 0; i < RING; i++)
		assert_true(spsc_push(&r, stream(i)));
	assert_false(spsc_push(&r, 0));
	for (u32 i = 0; i < RING; i++)
		assert_int_equal(spsc_pop(&r), stream(i));
	assert_int_equal(spsc_pop(&r), -1);
	assert_int_equal(r.dropped, 1);
}

/* ---- two threads ---------------------------------------------------------- */

struct run {
	struct spsc_ring ring;
	u8 buf[RING];
	bool retry;	    /* the producer retries a refused byte (else it moves on) */
	u8 *accepted;	    /* the bytes the ring took, in order (retry off) */
	u32 naccepted;	    /* their number; the producer's */
	u32 refused;	    /* pushes that returned false; the producer's */
	volatile bool done; /* the producer has finished */
	u8 *seen;	    /* what the consumer popped, in order */
	u32 nseen;	    /* its number; the consumer's */
	bool too_many;	    /* the consumer popped more than was produced */
	bool pauses;	    /* the consumer sleeps now and then, so that the ring fills */
};

static void *producer(void *arg)
{
	struct run *r = arg;

	for (u32 i = 0; i < BYTES; i++) {
		u8 b = stream(i);
		if (spsc_push(&r->ring, b)) {
			if (!r->retry)
				r->accepted[r->naccepted++] = b;
			continue;
		}
		r->refused++;
		if (r->retry) {
			i--;
			sched_yield();
		}
	}
	__atomic_store_n(&r->done, true, __ATOMIC_RELEASE);
	return NULL;
}

/* (cmocka's checks may not run on this thread: what it finds, the main thread checks.) */
static void *consumer(void *arg)
{
	struct run *r = arg;
	const struct timespec ms = { .tv_nsec = 1000000 };

	for (;;) {
		int b = spsc_pop(&r->ring);
		if (b >= 0) {
			if (r->nseen == BYTES) {
				r->too_many = true;
				break;
			}
			r->seen[r->nseen++] = (u8)b;
			if (r->pauses && r->nseen % (BYTES / 40) == 0)
				nanosleep(&ms, NULL); /* the producer fills the ring meanwhile */
			continue;
		}
		/* Empty: done only if it is still empty after the producer said so. */
		if (__atomic_load_n(&r->done, __ATOMIC_ACQUIRE) && !spsc_ready(&r->ring))
			break;
	}
	return NULL;
}

static struct run *two_threads(bool retry, bool pauses)
{
	struct run *r = calloc(1, sizeof(*r));
	pthread_t p, c;

	assert_non_null(r);
	spsc_init(&r->ring, r->buf, RING);
	r->retry = retry;
	r->pauses = pauses;
	r->accepted = malloc(BYTES);
	r->seen = malloc(BYTES);
	assert_non_null(r->accepted);
	assert_non_null(r->seen);
	assert_int_equal(pthread_create(&c, NULL, consumer, r), 0);
	assert_int_equal(pthread_create(&p, NULL, producer, r), 0);
	assert_int_equal(pthread_join(p, NULL), 0);
	assert_int_equal(pthread_join(c, NULL), 0);
	assert_false(r->too_many);
	return r;
}

static void free_run(struct run *r)
{
	free(r->accepted);
	free(r->seen);
	free(r);
}

/* The producer retries what the ring refuses: the consumer sees every byte, in order. */
static void test_two_threads_every_byte(void **state)
{
	(void)state;
	struct run *r = two_threads(true, true);

	assert_int_equal(r->nseen, BYTES);
	for (u32 i = 0; i < BYTES; i++)
		if (r->seen[i] != stream(i))
			fail_msg("byte %u: got %02x, want %02x", i, r->seen[i], stream(i));
	/* It was full at times (the consumer pauses), and each refusal was counted. */
	assert_int_equal(r->ring.dropped, r->refused);
	assert_true(r->refused > 0);
	free_run(r);
}

/*
 * The producer never waits: what the ring refuses is gone, counted, and
 * the consumer sees exactly the bytes it took, in order.  Without a
 * pause in the consumer, so that both race as hard as they can.
 */
static void test_two_threads_drops(void **state)
{
	(void)state;
	struct run *r = two_threads(false, false);

	assert_int_equal(r->naccepted + r->refused, BYTES);
	assert_int_equal(r->ring.dropped, r->refused);
	assert_int_equal(r->nseen, r->naccepted);
	assert_memory_equal(r->seen, r->accepted, r->naccepted);
	free_run(r);

	/* With pauses in the consumer the ring fills: drops are certain. */
	r = two_threads(false, true);
	assert_int_equal(r->naccepted + r->refused, BYTES);
	assert_int_equal(r->ring.dropped, r->refused);
	assert_true(r->refused > 0);
	assert_int_equal(r->nseen, r->naccepted);
	assert_memory_equal(r->seen, r->accepted, r->naccepted);
	free_run(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_thread),
		cmocka_unit_test(test_two_threads_every_byte),
		cmocka_unit_test(test_two_threads_drops),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
