/*
 * Running partitions.  For now: round-robin on the boot CPU with a
 * fixed time slice from the LAPIC timer in one-shot mode.
 */
#ifndef KERNEL_SCHED_H
#define KERNEL_SCHED_H

#include "kernel/types.h"

#define SCHED_SLICE_NS 10000000ull     /* 10 ms */
#define SCHED_MIN_SLICE_NS 20000ull    /* the shortest one-shot programmed: 20 us */
#define SCHED_IDLE_POLL_NS 10000000ull /* an idle CPU polls COM1 this often */

/* Run partitions until none is left; never returns. */
NORETURN void sched_run(bool exit_when_done);

#endif
