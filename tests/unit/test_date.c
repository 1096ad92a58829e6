/*
 * Unit tests of lib/date.c (seconds since 1970 and civil dates, leap
 * years, weekdays), of the MC146818 field encodings in lib/date.h, and
 * of drivers/cmos.c's decoding of the host RTC's registers (BCD and
 * binary, the 12-hour clock, the century byte when it is plausible).
 * The expected epoch values were computed independently (Python's
 * calendar.timegm).
 */
/* unit-sources: lib/date.c drivers/cmos.c */
#include "tests/unit/unit.h"

#include <string.h>

#include "drivers/cmos.h"
#include "lib/date.h"

#define END_OF_2199 7258118399ull /* 2199-12-31 23:59:59 */

static void check_date(u64 secs, unsigned y, unsigned mo, unsigned d, unsigned h, unsigned mi,
		       unsigned s, unsigned weekday)
{
	struct date want = { .year = (u16)y,
			     .month = (u8)mo,
			     .day = (u8)d,
			     .hour = (u8)h,
			     .minute = (u8)mi,
			     .second = (u8)s };
	struct date got;

	assert_true(date_valid(&want));
	assert_int_equal(date_to_epoch(&want), secs);
	date_from_epoch(secs, &got);
	assert_int_equal(got.year, y);
	assert_int_equal(got.month, mo);
	assert_int_equal(got.day, d);
	assert_int_equal(got.hour, h);
	assert_int_equal(got.minute, mi);
	assert_int_equal(got.second, s);
	assert_int_equal(got.weekday, weekday);
}

/* ---- calendar ----------------------------------------------------------------- */

static void test_epoch_start_is_zero(void **state)
{
	(void)state;
	check_date(0, 1970, 1, 1, 0, 0, 0, 4); /* a Thursday */
	check_date(86399, 1970, 1, 1, 23, 59, 59, 4);
	check_date(86400, 1970, 1, 2, 0, 0, 0, 5);
}

static void test_known_dates(void **state)
{
	(void)state;
	check_date(951782400, 2000, 2, 29, 0, 0, 0, 2);	  /* leap day of a year divisible by 400 */
	check_date(1796515200, 2026, 12, 6, 0, 0, 0, 0);  /* a Sunday */
	check_date(2147483647, 2038, 1, 19, 3, 14, 7, 2); /* the last second of 32-bit time_t */
	check_date(4107542400, 2100, 3, 1, 0, 0, 0, 1);	  /* 2100 is no leap year */
	check_date(END_OF_2199, 2199, 12, 31, 23, 59, 59, 2); /* the range's last second */
}

static void test_leap_years(void **state)
{
	(void)state;
	assert_true(date_is_leap(1972));
	assert_true(date_is_leap(2000));
	assert_true(date_is_leap(2024));
	assert_false(date_is_leap(2023));
	assert_false(date_is_leap(1900));
	assert_false(date_is_leap(2100));
	assert_int_equal(date_days_in_month(2000, 2), 29);
	assert_int_equal(date_days_in_month(2100, 2), 28);
	assert_int_equal(date_days_in_month(2023, 4), 30);
	assert_int_equal(date_days_in_month(2023, 12), 31);
	assert_int_equal(date_days_in_month(2023, 13), 0);
	assert_int_equal(date_days_in_month(2023, 0), 0);
}

static void test_invalid_dates_refused(void **state)
{
	struct date ok = {
		.year = 2024, .month = 2, .day = 29, .hour = 23, .minute = 59, .second = 59
	};
	struct date d;

	(void)state;
	assert_true(date_valid(&ok));
	d = ok, d.year = 2100;
	assert_false(date_valid(&d)); /* no Feb 29 */
	d = ok, d.month = 4, d.day = 31;
	assert_false(date_valid(&d));
	d = ok, d.day = 0;
	assert_false(date_valid(&d));
	d = ok, d.month = 13;
	assert_false(date_valid(&d));
	d = ok, d.hour = 24;
	assert_false(date_valid(&d));
	d = ok, d.minute = 60;
	assert_false(date_valid(&d));
	d = ok, d.second = 60;
	assert_false(date_valid(&d));
	d = ok, d.year = 1969;
	assert_false(date_valid(&d));
	d = ok, d.year = 2200;
	assert_false(date_valid(&d));
}

/* Past the range (a guest's clock can be set anywhere): its last second, at once. */
static void test_past_2199_stays_at_its_end(void **state)
{
	u64 later[] = { END_OF_2199 + 1, END_OF_2199 * 2, ~0ull };
	struct date d;

	(void)state;
	for (unsigned i = 0; i < sizeof(later) / sizeof(later[0]); i++) {
		date_from_epoch(later[i], &d);
		assert_int_equal(d.year, 2199);
		assert_int_equal(d.month, 12);
		assert_int_equal(d.day, 31);
		assert_int_equal(d.hour, 23);
		assert_int_equal(d.minute, 59);
		assert_int_equal(d.second, 59);
	}
}

/*
 * Every day of the range, at a time of day that moves: the date read
 * back gives the same seconds, is the day after the previous one, and
 * the weekday goes round by one.
 */
static void test_round_trip_every_day(void **state)
{
	struct date prev, d;
	u64 days = 0;

	(void)state;
	date_from_epoch(0, &prev);
	for (u64 secs = DATE_SECS_PER_DAY; secs <= END_OF_2199; secs += DATE_SECS_PER_DAY) {
		u64 t = secs + (days++ * 7919) % DATE_SECS_PER_DAY;

		date_from_epoch(t, &d);
		assert_true(date_valid(&d));
		assert_int_equal(date_to_epoch(&d), t);
		assert_int_equal(d.weekday, (prev.weekday + 1) % 7);
		if (d.day == 1) {
			assert_int_equal(prev.day, date_days_in_month(prev.year, prev.month));
			assert_int_equal(d.month, prev.month % 12 + 1);
			assert_int_equal(d.year, prev.year + (d.month == 1));
		} else {
			assert_int_equal(d.day, prev.day + 1);
			assert_int_equal(d.month, prev.month);
			assert_int_equal(d.year, prev.year);
		}
		prev = d;
	}
	assert_int_equal(prev.year, 2199);
	assert_int_equal(prev.month, 12);
	assert_int_equal(prev.day, 31);
}

/* ---- the MC146818 encodings --------------------------------------------------- */

#define BCD_24H DATE_RTC_B_24H
#define BIN_24H (DATE_RTC_B_24H | DATE_RTC_B_BINARY)
#define BCD_12H 0
#define BIN_12H DATE_RTC_B_BINARY

static void test_bcd_and_binary_fields(void **state)
{
	(void)state;
	assert_int_equal(date_rtc_decode(0x59, BCD_24H), 59);
	assert_int_equal(date_rtc_decode(0x00, BCD_24H), 0);
	assert_int_equal(date_rtc_decode(0x5a, BCD_24H), DATE_RTC_BAD);
	assert_int_equal(date_rtc_decode(0xa1, BCD_24H), DATE_RTC_BAD);
	assert_int_equal(date_rtc_decode(59, BIN_24H), 59);
	assert_int_equal(date_rtc_encode(59, BCD_24H), 0x59);
	assert_int_equal(date_rtc_encode(7, BCD_24H), 0x07);
	assert_int_equal(date_rtc_encode(59, BIN_24H), 59);
	for (u8 v = 0; v < 100; v++)
		assert_int_equal(date_rtc_decode(date_rtc_encode(v, BCD_24H), BCD_24H), v);
}

static void test_twelve_hour_clock(void **state)
{
	(void)state;
	/* 12 AM is midnight, 12 PM noon; bit 7 is PM. */
	assert_int_equal(date_rtc_decode_hour(0x12, BCD_12H), 0);
	assert_int_equal(date_rtc_decode_hour(0x01, BCD_12H), 1);
	assert_int_equal(date_rtc_decode_hour(0x11, BCD_12H), 11);
	assert_int_equal(date_rtc_decode_hour(0x92, BCD_12H), 12);
	assert_int_equal(date_rtc_decode_hour(0x81, BCD_12H), 13);
	assert_int_equal(date_rtc_decode_hour(0x91, BCD_12H), 23);
	assert_int_equal(date_rtc_decode_hour(0x8c, BIN_12H), 12);
	assert_int_equal(date_rtc_decode_hour(0x8b, BIN_12H), 23);
	assert_int_equal(date_rtc_decode_hour(0x00, BCD_12H), DATE_RTC_BAD);
	assert_int_equal(date_rtc_decode_hour(0x13, BCD_12H), DATE_RTC_BAD);
	assert_int_equal(date_rtc_decode_hour(0x23, BCD_24H), 23);
	assert_int_equal(date_rtc_encode_hour(0, BCD_12H), 0x12);
	assert_int_equal(date_rtc_encode_hour(12, BCD_12H), 0x92);
	assert_int_equal(date_rtc_encode_hour(13, BCD_12H), 0x81);
	assert_int_equal(date_rtc_encode_hour(23, BIN_12H), 0x8b);
	assert_int_equal(date_rtc_encode_hour(23, BCD_24H), 0x23);
	for (u8 h = 0; h < 24; h++) {
		assert_int_equal(date_rtc_decode_hour(date_rtc_encode_hour(h, BCD_12H), BCD_12H),
				 h);
		assert_int_equal(date_rtc_decode_hour(date_rtc_encode_hour(h, BIN_12H), BIN_12H),
				 h);
	}
}

/* ---- drivers/cmos.c's decoding -------------------------------------------------- */

static struct cmos_time bcd_2026 = {
	.second = 0x07,
	.minute = 0x45,
	.hour = 0x21,
	.day = 0x06,
	.month = 0x12,
	.year = 0x26,
	.century = 0x20,
	.status_b = BCD_24H,
};

static u64 decode_epoch(const struct cmos_time *raw)
{
	struct date d;

	assert_int_equal(cmos_decode(raw, &d), 0);
	return date_to_epoch(&d);
}

static void test_cmos_bcd_and_binary(void **state)
{
	struct cmos_time bin = {
		.second = 7,
		.minute = 45,
		.hour = 21,
		.day = 6,
		.month = 12,
		.year = 26,
		.century = 20,
		.status_b = BIN_24H,
	};

	(void)state;
	assert_int_equal(decode_epoch(&bcd_2026), 1796515200 + 21 * 3600 + 45 * 60 + 7);
	assert_int_equal(decode_epoch(&bin), 1796515200 + 21 * 3600 + 45 * 60 + 7);
}

static void test_cmos_twelve_hour(void **state)
{
	struct cmos_time t = bcd_2026;

	(void)state;
	t.status_b = BCD_12H;
	t.hour = 0x89; /* 9 PM */
	assert_int_equal(decode_epoch(&t), 1796515200 + 21 * 3600 + 45 * 60 + 7);
	t.hour = 0x12; /* 12 AM: midnight */
	assert_int_equal(decode_epoch(&t), 1796515200 + 45 * 60 + 7);
	t.hour = 0x92; /* 12 PM: noon */
	assert_int_equal(decode_epoch(&t), 1796515200 + 12 * 3600 + 45 * 60 + 7);
	t = (struct cmos_time){ .second = 7,
				.minute = 45,
				.hour = 0x80 | 12,
				.day = 6,
				.month = 12,
				.year = 26,
				.century = 20,
				.status_b = BIN_12H };
	assert_int_equal(decode_epoch(&t), 1796515200 + 12 * 3600 + 45 * 60 + 7);
}

static void test_cmos_century(void **state)
{
	struct cmos_time t = bcd_2026;
	struct date d;

	(void)state;
	t.century = 0x19, t.year = 0x99;
	assert_int_equal(cmos_decode(&t, &d), 0);
	assert_int_equal(d.year, 1999);
	t.century = 0x21, t.year = 0x05;
	assert_int_equal(cmos_decode(&t, &d), 0);
	assert_int_equal(d.year, 2105);
	/* Implausible century bytes: 20xx. */
	t.century = 0x00;
	assert_int_equal(cmos_decode(&t, &d), 0);
	assert_int_equal(d.year, 2005);
	t.century = 0xff;
	assert_int_equal(cmos_decode(&t, &d), 0);
	assert_int_equal(d.year, 2005);
	t.century = 0x22;
	assert_int_equal(cmos_decode(&t, &d), 0);
	assert_int_equal(d.year, 2005);
	t.century = 0x19; /* 1905 is before 1970 */
	assert_int_equal(cmos_decode(&t, &d), 0);
	assert_int_equal(d.year, 2005);
}

static void test_cmos_nonsense_refused(void **state)
{
	struct cmos_time t = bcd_2026, absent;
	struct date d = { .year = 1999 };

	(void)state;
	memset(&absent, 0xff, sizeof(absent));
	assert_int_equal(cmos_decode(&absent, &d), -EIO);
	t.minute = 0x4a; /* no BCD */
	assert_int_equal(cmos_decode(&t, &d), -EIO);
	t = bcd_2026, t.month = 0x02, t.day = 0x30;
	assert_int_equal(cmos_decode(&t, &d), -EIO);
	t = bcd_2026, t.hour = 0x24;
	assert_int_equal(cmos_decode(&t, &d), -EIO);
	t = bcd_2026, t.status_b = BCD_12H, t.hour = 0x00;
	assert_int_equal(cmos_decode(&t, &d), -EIO);
	assert_int_equal(d.year, 1999); /* untouched on failure */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_epoch_start_is_zero),
		cmocka_unit_test(test_known_dates),
		cmocka_unit_test(test_leap_years),
		cmocka_unit_test(test_invalid_dates_refused),
		cmocka_unit_test(test_round_trip_every_day),
		cmocka_unit_test(test_bcd_and_binary_fields),
		cmocka_unit_test(test_twelve_hour_clock),
		cmocka_unit_test(test_cmos_bcd_and_binary),
		cmocka_unit_test(test_past_2199_stays_at_its_end),
		cmocka_unit_test(test_cmos_twelve_hour),
		cmocka_unit_test(test_cmos_century),
		cmocka_unit_test(test_cmos_nonsense_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
