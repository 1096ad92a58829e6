/*
 * Power-off and reboot: ACPI first (S5 through PM1x_CNT, the FADT reset
 * register), then the emulators' own exits where one is detected, and
 * the legacy keyboard-controller reset.
 */
#ifndef DRIVERS_POWER_H
#define DRIVERS_POWER_H

#include "lib/types.h"

enum host_platform {
	PLATFORM_HARDWARE, /* or an emulator we do not recognise */
	PLATFORM_QEMU,
	PLATFORM_BOCHS,
};

/* Detect the emulator (after acpi_init); prints nothing. */
enum host_platform power_detect_platform(void);
/* The caller first lets the console's buffered lines out (console_sync). */
NORETURN void power_off(void);
NORETURN void power_reboot(void);

#endif
