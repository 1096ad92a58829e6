/*
 * The panic path: for broken invariants in the hypervisor itself.  It
 * prints the CPU, the cause and the registers, stops every CPU with an
 * NMI and halts.  It never reboots.
 */
#ifndef KERNEL_PANIC_H
#define KERNEL_PANIC_H

#include "lib/types.h"

struct trap_frame;

NORETURN void panic(const char *fmt, ...) PRINTF_LIKE(1, 2);
NORETURN void panic_frame(const struct trap_frame *f, const char *fmt, ...) PRINTF_LIKE(2, 3);
/*
 * True once another CPU has panicked: this one stops when it sees it (an
 * NMI).  The reporting CPU itself goes on through NMIs (the watchdog's
 * keep coming) until its report is out.
 */
bool panic_elsewhere(void);

#define BUG_ON(cond)                                                                               \
	do {                                                                                       \
		if (cond)                                                                          \
			panic("%s:%d: BUG_ON(%s)", __FILE__, __LINE__, #cond);                     \
	} while (0)

#endif
