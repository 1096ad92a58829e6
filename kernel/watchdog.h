/*
 * The slice watchdog (kernel/watchdog.c): the guarantee that a guest
 * leaves its CPU at the end of its slice even when it never exits and
 * the slice timer's interrupt cannot get it out.
 */
#ifndef KERNEL_WATCHDOG_H
#define KERNEL_WATCHDOG_H

#include "lib/types.h"

#define WATCHDOG_HZ 100		     /* PIT ticks (NMIs to the boot CPU) a second */
#define WATCHDOG_GRACE_NS 2000000ull /* a CPU this far past its slice's end gets an NMI */

/* On the boot CPU once the scheduler starts: say how slices end, start the watchdog if needed. */
void watchdog_start(void);
/*
 * In the exit and scheduler paths of any CPU: if a watchdog tick came,
 * send an NMI to every other CPU still in a guest past its slice.
 */
void watchdog_poll(void);

#endif
