/*
 * A single-producer single-consumer byte ring, for bytes handed from
 * one CPU to another without a lock: a partition's console input, which
 * the boot CPU puts in (COM1's interrupt) and the CPU running the
 * partition takes out.  Exactly one CPU may push and exactly one may
 * pop (or look); the two may be different CPUs at the same time.
 *
 * head and tail run free (they wrap at 2^32, and the size is a power of
 * two, so index % size stays right across the wrap).  Each is written
 * by its own side only: the producer fills the slot, then publishes it
 * with a release store of head; the consumer reads head with acquire,
 * so it sees the byte, takes it, then frees the slot with a release
 * store of tail, which the producer reads with acquire before it
 * writes that slot again.  A full ring refuses the byte (and counts
 * it): it never overwrites one the consumer has not taken.
 * Unit-tested with two threads in tests/unit/test_spsc.c.
 */
#ifndef LIB_SPSC_H
#define LIB_SPSC_H

#include "lib/types.h"

struct spsc_ring {
	u8 *buf;
	u32 size;    /* a power of two */
	u32 head;    /* bytes ever pushed; the producer's */
	u32 tail;    /* bytes ever popped; the consumer's */
	u64 dropped; /* bytes refused because the ring was full; the producer's */
};

/* Before either side uses it: buf holds size bytes, size a power of two. */
static inline void spsc_init(struct spsc_ring *r, u8 *buf, u32 size)
{
	*r = (struct spsc_ring){ .buf = buf, .size = size };
}

/* Producer: put b in; false (b dropped and counted) when the ring is full. */
static inline bool spsc_push(struct spsc_ring *r, u8 b)
{
	u32 head = r->head;

	if (head - __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE) == r->size) {
		r->dropped++;
		return false;
	}
	r->buf[head % r->size] = b;
	__atomic_store_n(&r->head, head + 1, __ATOMIC_RELEASE);
	return true;
}

/* Consumer: is a byte waiting? */
static inline bool spsc_ready(const struct spsc_ring *r)
{
	return __atomic_load_n(&r->head, __ATOMIC_ACQUIRE) != r->tail;
}

/* Consumer: the next byte, or -1 when none is waiting. */
static inline int spsc_pop(struct spsc_ring *r)
{
	u32 tail = r->tail;
	int b;

	if (!spsc_ready(r))
		return -1;
	b = r->buf[tail % r->size];
	__atomic_store_n(&r->tail, tail + 1, __ATOMIC_RELEASE);
	return b;
}

#endif
