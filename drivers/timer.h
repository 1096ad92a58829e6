/*
 * Time for the hypervisor: calibrates the TSC and the LAPIC timer
 * against a fixed-frequency reference (the ACPI PM timer, or the PIT
 * where there is none) and offers delays and a nanosecond clock.
 */
#ifndef DRIVERS_TIMER_H
#define DRIVERS_TIMER_H

#include "lib/types.h"

extern u64 tsc_hz;

/*
 * Measure TSC and LAPIC timer rates; call on the boot CPU after
 * lapic_enable().  vector: what the (masked) timer is programmed with.
 */
void timer_calibrate(u8 vector);
/* Nanoseconds since timer_calibrate(). */
u64 time_ns(void);
/*
 * The wall clock: seconds since 1970 (UTC, as the machine's RTC keeps
 * it), from what timer_set_wall_clock() was told at boot.
 */
u64 timer_wall_clock(void);
void timer_set_wall_clock(u64 epoch_seconds);
/* time_ns() when the TSC reads tsc (0 for a TSC before the calibration). */
u64 timer_tsc_to_ns(u64 tsc);
void udelay(u64 us);
/* Make PIT channel 0 (ISA IRQ 0) tick hz times a second (8254 mode 2). */
void timer_pit_periodic(u32 hz);

#endif
