/*
 * The MC146818A real-time clock and CMOS RAM a partition sees at ports
 * 0x70 (index) and 0x71 (data).  The clock starts from the host's wall
 * clock and counts on from the guest's TSC; a guest that sets the time
 * moves only its own clock (an offset kept here), never the host's.
 *
 * Like vdev/pit.h, the model never reads a clock and raises no
 * interrupt itself: every call takes now (the guest's TSC value), and
 * vrtc_update() says when the interrupt line (ISA IRQ 8) rises.  Not
 * thread-safe: the caller holds the partition's device lock.
 */
#ifndef VDEV_RTC_H
#define VDEV_RTC_H

#include "lib/types.h"

#define VRTC_PORT_INDEX 0x70
#define VRTC_PORT_DATA 0x71
#define VRTC_BYTES 128
#define VRTC_CLOCK_REGS 10 /* seconds .. year */

struct vrtc {
	u64 tsc_hz;
	u8 index;	    /* register selected by port 0x70 (bits 0-6) */
	bool nmi_off;	    /* port 0x70 bit 7: kept, otherwise ignored */
	u8 a, b, c;	    /* registers A (without UIP), B, C */
	u8 ram[VRTC_BYTES]; /* the alarm registers and the plain bytes 0x0e-0x7f */

	/*
	 * The clock while it runs: it reads upd_secs (seconds since 1970)
	 * from upd_tsc on, one more each tsc_hz later, and upd_secs - 1 in
	 * the second before.  Updates happen at upd_tsc + k * tsc_hz.
	 */
	u64 upd_tsc, upd_secs;
	/*
	 * While SET or a divider reset stops updates, the clock's bytes
	 * are plain storage (held, with the century byte last), decoded
	 * when it runs again; held_secs is the time when it stopped, kept
	 * if the guest leaves no valid date there.
	 */
	u8 held[VRTC_CLOCK_REGS + 1];
	u64 held_secs;
	u64 chain_tsc; /* the divider chain runs from here: periodic ticks count from it */
	u64 seen;      /* register C holds the flags of events up to here */
	bool edge;     /* the interrupt line rose; vrtc_update has not said so yet */
};

/*
 * Power-on at now: the clock reads epoch_seconds (the host's wall clock)
 * and updates one second later; A = 0x26, B = 0x02 (BCD, 24-hour), no
 * interrupt enabled.  tsc_hz is the guest's TSC rate, nonzero.
 */
void vrtc_reset(struct vrtc *r, u64 epoch_seconds, u64 tsc_hz, u64 now);
/* Ports 0x70 (reads 0xff) and 0x71; any other port reads 0xff. */
u8 vrtc_read(struct vrtc *r, u16 port, u64 now);
void vrtc_write(struct vrtc *r, u16 port, u8 value, u64 now);
/*
 * TSC value of the next rise of the interrupt line, 0 if none is coming
 * (no interrupt enabled, or the line is still up because register C was
 * not read).  A value <= now means vrtc_update() has one to report.
 */
u64 vrtc_next_irq(const struct vrtc *r, u64 now);
/* True once per rise of the interrupt line: the caller raises IRQ 8 (an edge). */
bool vrtc_update(struct vrtc *r, u64 now);
/* The partition's wall clock at now, in seconds since 1970 (for the caller's own use). */
u64 vrtc_epoch(const struct vrtc *r, u64 now);

#endif
