/*
 * A minimal test-and-set spinlock for the few structures shared between
 * CPUs (the console, the frame allocator).  Interrupts are saved and
 * disabled while the lock is held, so an interrupt handler on the same
 * CPU can never deadlock against its own interrupted code.
 */
#ifndef LIB_SPINLOCK_H
#define LIB_SPINLOCK_H

#include "lib/types.h"

struct spinlock {
	volatile u32 locked;
};

#define SPINLOCK_INIT                                                                              \
	{                                                                                          \
		0                                                                                  \
	}

#ifdef CLOISON_HOST_TEST
/* Host unit tests are single-threaded: the lock only records nesting. */
static inline u64 spin_lock_irqsave(struct spinlock *l)
{
	l->locked = 1;
	return 0;
}
static inline void spin_unlock_irqrestore(struct spinlock *l, u64 f)
{
	(void)f;
	l->locked = 0;
}
static inline bool spin_trylock_irqsave(struct spinlock *l, u64 *f)
{
	*f = 0;
	l->locked = 1;
	return true;
}
#else
#include "lib/x86.h"

static inline bool spin_try(struct spinlock *l)
{
	return __atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE) == 0;
}

static inline u64 spin_lock_irqsave(struct spinlock *l)
{
	u64 flags = read_rflags();
	irq_disable();
	while (!spin_try(l))
		while (l->locked)
			cpu_relax();
	return flags;
}

static inline bool spin_trylock_irqsave(struct spinlock *l, u64 *flags)
{
	*flags = read_rflags();
	irq_disable();
	if (spin_try(l))
		return true;
	if (*flags & RFLAGS_IF)
		irq_enable();
	return false;
}

static inline void spin_unlock_irqrestore(struct spinlock *l, u64 flags)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
	if (flags & RFLAGS_IF)
		irq_enable();
}
#endif

#endif
