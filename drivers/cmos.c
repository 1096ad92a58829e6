/*
 * The host's CMOS RTC (MC146818A datasheet; PC chipsets keep its
 * register map).  Port 0x70 selects a register, port 0x71 reads it; bit
 * 7 of the index is the chipset's NMI mask, which is written as 0 (NMI
 * enabled), as the rest of the hypervisor expects.
 *
 * A read is safe while register A's UIP bit is 0: the datasheet
 * promises no update for at least 244 us after UIP reads 0, far longer
 * than reading eight bytes takes.  Two reads that agree rule out an
 * update between them anyway, which also covers chips that do not keep
 * that promise.
 */
#include "drivers/cmos.h"
#include "lib/x86.h"

#define CMOS_INDEX 0x70
#define CMOS_DATA 0x71

/* Register numbers (MC146818A, "Address Map"). */
#define REG_SECONDS 0x00
#define REG_MINUTES 0x02
#define REG_HOURS 0x04
#define REG_DAY 0x07
#define REG_MONTH 0x08
#define REG_YEAR 0x09
#define REG_A 0x0a
#define REG_B 0x0b
#define REG_CENTURY 0x32 /* a PC CMOS byte, not the MC146818's own */

#define A_UIP 0x80	 /* register A: update in progress */
#define UIP_SPINS 100000 /* each takes two port accesses, 1 us or more; UIP lasts <= 2228 us */
#define READ_TRIES 5

int cmos_decode(const struct cmos_time *raw, struct date *out)
{
	u8 b = raw->status_b;
	u8 yy = date_rtc_decode(raw->year, b), cc = date_rtc_decode(raw->century, b);
	struct date d = {
		.second = date_rtc_decode(raw->second, b),
		.minute = date_rtc_decode(raw->minute, b),
		.hour = date_rtc_decode_hour(raw->hour, b),
		.day = date_rtc_decode(raw->day, b),
		.month = date_rtc_decode(raw->month, b),
	};

	if (yy > 99)
		return -EIO;
	d.year = (u16)(cc * 100u + yy);
	/* The century byte is the BIOS's, not the chip's: trust it only when plausible. */
	if (cc < 19 || cc > 21 || d.year < DATE_YEAR_MIN || d.year > DATE_YEAR_MAX)
		d.year = (u16)(2000 + yy);
	if (!date_valid(&d))
		return -EIO;
	*out = d;
	return 0;
}

static u8 cmos_in(u8 reg)
{
	outb(CMOS_INDEX, reg);
	return inb(CMOS_DATA);
}

/* Wait (bounded) for UIP to read 0; false if it never does. */
static bool wait_no_update(void)
{
	for (u32 i = 0; i < UIP_SPINS; i++)
		if (!(cmos_in(REG_A) & A_UIP))
			return true;
	return false;
}

static void read_clock(struct cmos_time *t)
{
	t->second = cmos_in(REG_SECONDS);
	t->minute = cmos_in(REG_MINUTES);
	t->hour = cmos_in(REG_HOURS);
	t->day = cmos_in(REG_DAY);
	t->month = cmos_in(REG_MONTH);
	t->year = cmos_in(REG_YEAR);
	t->century = cmos_in(REG_CENTURY);
	t->status_b = cmos_in(REG_B);
}

static bool same(const struct cmos_time *a, const struct cmos_time *b)
{
	return a->second == b->second && a->minute == b->minute && a->hour == b->hour &&
	       a->day == b->day && a->month == b->month && a->year == b->year &&
	       a->century == b->century && a->status_b == b->status_b;
}

int cmos_read_epoch(u64 *out)
{
	struct cmos_time prev, now;
	struct date d;

	if (!wait_no_update())
		return -EIO;
	read_clock(&prev);
	for (int i = 0; i < READ_TRIES; i++) {
		if (!wait_no_update())
			return -EIO;
		read_clock(&now);
		if (same(&prev, &now)) {
			if (cmos_decode(&now, &d))
				return -EIO;
			*out = date_to_epoch(&d);
			return 0;
		}
		prev = now;
	}
	return -EIO;
}
