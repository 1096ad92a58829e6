/*
 * The machine's own CMOS real-time clock (an MC146818A or a chipset's
 * copy of it at ports 0x70/0x71), read once at boot for the wall clock
 * that partitions' RTCs start from.  The hypervisor never writes the
 * time, and keeps no clock of its own: the caller turns the seconds
 * into whatever it needs (vdev/rtc.c counts on from them).
 *
 * cmos_decode() is the pure part (register bytes to a date), apart so
 * that it can be tested on the host; cmos_read_epoch() does the port
 * I/O around it.
 */
#ifndef DRIVERS_CMOS_H
#define DRIVERS_CMOS_H

#include "lib/date.h"
#include "lib/types.h"

/* The clock registers as read, in the chip's own encoding (register B says which). */
struct cmos_time {
	u8 second, minute, hour, day, month, year;
	u8 century; /* CMOS byte 0x32 */
	u8 status_b;
};

/*
 * Decode raw into a date: BCD or binary and the 12- or 24-hour clock as
 * status_b says; the century byte when it is plausible (19, 20 or 21
 * and a year that lib/date.h covers), else 20xx.  -EIO when a field is
 * not a valid number or the date does not exist.
 */
int cmos_decode(const struct cmos_time *raw, struct date *out);

/*
 * Read the host RTC: wait for no update in progress, read the clock
 * twice until two reads agree, decode.  Seconds since 1970 in *out, or
 * -EIO when the RTC looks absent (always updating, never steady) or
 * reads nonsense.  Boot CPU only, once; it takes up to about two
 * milliseconds plus a few port reads.
 */
int cmos_read_epoch(u64 *out);

#endif
