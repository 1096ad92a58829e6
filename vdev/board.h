/*
 * The board of a partition's small PC: its devices side by side, one
 * lock over them all, and what the glue (kernel/platform.c) notes while
 * it holds that lock.  Only a layout: the models are in their own files
 * here, and kernel/platform.c wires them to the partition's vCPUs.  A
 * header of its own so that the partition can hold its board without
 * knowing the glue, which sits above it.
 */
#ifndef VDEV_BOARD_H
#define VDEV_BOARD_H

#include "lib/spinlock.h"
#include "lib/types.h"
#include "vdev/i8042.h"
#include "vdev/ioapic.h"
#include "vdev/pci.h"
#include "vdev/pic.h"
#include "vdev/pit.h"
#include "vdev/pm.h"
#include "vdev/rtc.h"

struct vboard {
	struct spinlock lock; /* every device of the board, and its vCPUs' local APICs */
	struct vioapic ioapic;
	struct vpic pic;
	struct vpit pit;
	struct vrtc rtc;
	struct vpm pm;
	struct vi8042 kbc;
	struct vpci pci;
	u16 lines;   /* ISA interrupt lines 0-15 as last driven */
	u32 wake;    /* under the lock: vCPUs (bit = index) to wake once it is dropped */
	int request; /* under the lock: VPM_POWER_OFF or VPM_RESET asked by a device */
	bool live;   /* reset for the current life: its devices count time */
	u64 now;     /* under the lock: the latest time the devices were given */
};

#endif
