/*
 * Calendar arithmetic (lib/date.h): days are counted from 1970-01-01,
 * a Thursday, with the Gregorian leap rule (every fourth year, except
 * centuries not divisible by 400, so 2000 is a leap year and 2100 is
 * not).  Over 1970..2199 a year loop is short enough and obviously
 * right, so there is no cleverer closed form here.
 */
#include "lib/date.h"

#define EPOCH_WEEKDAY 4 /* 1970-01-01 was a Thursday */

bool date_is_leap(u32 year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

u8 date_days_in_month(u32 year, u32 month)
{
	static const u8 days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (month < 1 || month > 12)
		return 0;
	if (month == 2 && date_is_leap(year))
		return 29;
	return days[month - 1];
}

bool date_valid(const struct date *d)
{
	return d->year >= DATE_YEAR_MIN && d->year <= DATE_YEAR_MAX && d->month >= 1 &&
	       d->month <= 12 && d->day >= 1 && d->day <= date_days_in_month(d->year, d->month) &&
	       d->hour < 24 && d->minute < 60 && d->second < 60;
}

static u32 days_in_year(u32 year)
{
	return date_is_leap(year) ? 366 : 365;
}

u64 date_to_epoch(const struct date *d)
{
	u64 days = 0;

	for (u32 y = DATE_YEAR_MIN; y < d->year; y++)
		days += days_in_year(y);
	for (u32 m = 1; m < d->month; m++)
		days += date_days_in_month(d->year, m);
	days += d->day - 1u;
	return days * DATE_SECS_PER_DAY + d->hour * 3600ull + d->minute * 60ull + d->second;
}

void date_from_epoch(u64 secs, struct date *d)
{
	static const struct date last = { .year = DATE_YEAR_MAX,
					  .month = 12,
					  .day = 31,
					  .hour = 23,
					  .minute = 59,
					  .second = 59 };
	u64 days, rest, end = date_to_epoch(&last);
	u32 year = DATE_YEAR_MIN, month = 1;

	/* A guest can set its clock anywhere: past 2199 it stays at the end of 2199. */
	if (secs > end)
		secs = end;
	days = secs / DATE_SECS_PER_DAY;
	rest = secs % DATE_SECS_PER_DAY;

	d->weekday = (u8)((days + EPOCH_WEEKDAY) % 7);
	while (days >= days_in_year(year))
		days -= days_in_year(year++);
	while (days >= date_days_in_month(year, month))
		days -= date_days_in_month(year, month++);
	d->year = (u16)year;
	d->month = (u8)month;
	d->day = (u8)(days + 1);
	d->hour = (u8)(rest / 3600);
	d->minute = (u8)(rest / 60 % 60);
	d->second = (u8)(rest % 60);
}
