/*
 * Civil dates and seconds since 1970-01-01 00:00:00 UTC, for the host's
 * wall clock (drivers/cmos.c) and the RTC a partition sees
 * (vdev/rtc.c).  Pure arithmetic on the proleptic Gregorian calendar,
 * for the years 1970 to 2199; no time zones, no leap seconds.
 *
 * Also how MC146818-style clocks encode a date's fields (BCD or
 * binary, the 12- or 24-hour clock), which both users share.  Reading
 * or writing a clock chip is left to them.
 */
#ifndef LIB_DATE_H
#define LIB_DATE_H

#include "lib/types.h"

#define DATE_YEAR_MIN 1970
#define DATE_YEAR_MAX 2199
#define DATE_SECS_PER_DAY 86400ull

struct date {
	u16 year;   /* 1970..2199 */
	u8 month;   /* 1..12 */
	u8 day;	    /* 1..31 */
	u8 hour;    /* 0..23 */
	u8 minute;  /* 0..59 */
	u8 second;  /* 0..59 */
	u8 weekday; /* 0 = Sunday .. 6 = Saturday; set by date_from_epoch, ignored otherwise */
};

bool date_is_leap(u32 year);
/* 28..31; 0 for a month outside 1..12. */
u8 date_days_in_month(u32 year, u32 month);
/* Every field in range (weekday not checked), year within 1970..2199. */
bool date_valid(const struct date *d);
/* Seconds since 1970-01-01 00:00:00 of a valid date. */
u64 date_to_epoch(const struct date *d);
/*
 * The date, weekday included, secs seconds after 1970-01-01 00:00:00, up to
 * the end of 2199: a later time gives that last second.
 */
void date_from_epoch(u64 secs, struct date *d);

/*
 * How MC146818-style clocks hold a date's fields (MC146818A datasheet,
 * "Time, Calendar and Alarm Locations"): register B chooses binary or
 * BCD (two decimal digits, tens in the high nibble: 0x59 is 59) and the
 * 24- or 12-hour clock, whose hour byte has bit 7 set for PM.  On the
 * 12-hour clock 12 AM is midnight (hour 0), 12 PM is noon, and 1..11 PM
 * are hours 13..23.  A decoder returns DATE_RTC_BAD for a byte that is
 * no number in that format.
 */
#define DATE_RTC_B_24H 0x02    /* register B: 24-hour clock (else 12-hour) */
#define DATE_RTC_B_BINARY 0x04 /* register B: binary fields (else BCD) */
#define DATE_RTC_PM 0x80       /* hour byte on the 12-hour clock: PM */
#define DATE_RTC_BAD 0xff

static inline u8 date_rtc_decode(u8 v, u8 reg_b)
{
	if (reg_b & DATE_RTC_B_BINARY)
		return v;
	if ((v & 0x0f) > 9 || (v >> 4) > 9)
		return DATE_RTC_BAD;
	return (u8)((v >> 4) * 10 + (v & 0x0f));
}

static inline u8 date_rtc_encode(u8 v, u8 reg_b)
{
	if (reg_b & DATE_RTC_B_BINARY)
		return v;
	return (u8)(((v / 10) << 4) | (v % 10));
}

static inline u8 date_rtc_decode_hour(u8 v, u8 reg_b)
{
	u8 h;

	if (reg_b & DATE_RTC_B_24H)
		return date_rtc_decode(v, reg_b);
	h = date_rtc_decode(v & ~DATE_RTC_PM, reg_b);
	if (h < 1 || h > 12)
		return DATE_RTC_BAD;
	return (u8)(h % 12 + (v & DATE_RTC_PM ? 12 : 0));
}

static inline u8 date_rtc_encode_hour(u8 hour, u8 reg_b)
{
	u8 h12 = hour % 12 ? hour % 12 : 12;

	if (reg_b & DATE_RTC_B_24H)
		return date_rtc_encode(hour, reg_b);
	return (u8)(date_rtc_encode(h12, reg_b) | (hour >= 12 ? DATE_RTC_PM : 0));
}

#endif
