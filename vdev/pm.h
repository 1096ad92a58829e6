/*
 * The ACPI fixed hardware of a partition (ACPI 6.4 §4.8): the PM1a event
 * block (status and enable), the PM1a control block, the PM timer, and
 * the reset register that the FADT names.  The firmware tables
 * (vdev/firmware.c) tell the guest where these are; this model keeps
 * their state.  Nothing here raises the SCI: no event that the platform
 * generates is modelled, so the status bits only change when the guest
 * clears them.  What a write asks of the platform (power off, reset) is
 * returned to the caller, which carries it out; the model itself never
 * stops anything.  Not thread-safe: the caller holds the partition's
 * device lock.
 */
#ifndef VDEV_PM_H
#define VDEV_PM_H

#include "lib/types.h"

/* What a guest write asks the platform to do (also returned by vdev/i8042.c). */
enum vpm_request {
	VPM_NONE = 0,
	VPM_POWER_OFF, /* SLP_EN with SLP_TYP = \_S5: the partition is to end */
	VPM_RESET,     /* a reset line was pulled: the partition is to restart */
};

#define VPM_TIMER_HZ 3579545u /* ACPI §4.8.3.3: the PM timer's frequency */

struct vpm {
	u64 tsc_hz;	/* the guest TSC's frequency */
	u64 timer_base; /* guest TSC at which the PM timer read 0 */
	u16 status;	/* PM1a status: the sticky bits not yet cleared */
	u16 enable;	/* PM1a enable */
	u16 control;	/* PM1a control: the bits that are kept (BM_RLD, SLP_TYP) */
	u8 reset_ctl;	/* the reset register's kept bits */
};

/* Power-on state: WAK_STS set, nothing enabled, the PM timer at 0 at TSC now. */
void vpm_reset(struct vpm *pm, u64 tsc_hz, u64 now);
/* An IN of size 1, 2 or 4 at port; bytes of ports that are not the model's read 0xff. */
u32 vpm_read(struct vpm *pm, u16 port, u32 size, u64 now);
/* An OUT of size 1, 2 or 4 at port; returns VPM_NONE, VPM_POWER_OFF or VPM_RESET. */
int vpm_write(struct vpm *pm, u16 port, u32 size, u32 value, u64 now);
/* Is port one of the model's (the PM1a blocks, the PM timer, the reset register)? */
bool vpm_claims(u16 port);

#endif
