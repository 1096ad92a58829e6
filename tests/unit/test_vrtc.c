/*
 * Unit tests of vdev/rtc.c, the MC146818A RTC a partition sees, driven
 * through ports 0x70/0x71 as a guest drives them: the clock's registers
 * in BCD and binary, on the 12- and 24-hour clock; time advancing with
 * the TSC, across month, year, century and leap-day boundaries, without
 * drift; the UIP window; the guest setting its own clock (SET, divider
 * reset); register C and the periodic, update-ended and alarm
 * interrupts with the IRQ 8 edges they give; and the plain CMOS bytes.
 * The expected epoch values were computed independently (Python's
 * calendar.timegm); the register values by hand.
 */
/* unit-sources: vdev/rtc.c lib/date.c */
#include "tests/unit/unit.h"

#include <string.h>

#include "lib/date.h"
#include "vdev/rtc.h"

#define TSC_HZ 2893712345ull	     /* an awkward rate */
#define START 1000000007ull	     /* the TSC at reset */
#define SUNDAY_EVENING 1796593507ull /* 2026-12-06 21:45:07, a Sunday */

#define SEC 0x00
#define ALARM_SEC 0x01
#define MINS 0x02
#define ALARM_MINS 0x03
#define HOUR 0x04
#define ALARM_HOUR 0x05
#define WEEKDAY 0x06
#define DAY 0x07
#define MONTH 0x08
#define YEAR 0x09
#define REG_A 0x0a
#define REG_B 0x0b
#define REG_C 0x0c
#define REG_D 0x0d
#define CENTURY 0x32

#define A_UIP 0x80
#define A_DIVIDER_RESET 0x70 /* what Linux writes to hold the divider while it sets the time */
#define B_SET 0x80
#define B_PIE 0x40
#define B_AIE 0x20
#define B_UIE 0x10
#define B_BINARY 0x04
#define B_24H 0x02
#define C_IRQF 0x80
#define C_PF 0x40
#define C_AF 0x20
#define C_UF 0x10

static struct vrtc rtc;
static u64 now;

static void reset_at(u64 epoch)
{
	now = START;
	vrtc_reset(&rtc, epoch, TSC_HZ, now);
}

static int reset(void **state)
{
	(void)state;
	reset_at(SUNDAY_EVENING);
	return 0;
}

static u8 rd(u8 reg)
{
	vrtc_write(&rtc, VRTC_PORT_INDEX, reg, now);
	return vrtc_read(&rtc, VRTC_PORT_DATA, now);
}

static void wr(u8 reg, u8 v)
{
	vrtc_write(&rtc, VRTC_PORT_INDEX, reg, now);
	vrtc_write(&rtc, VRTC_PORT_DATA, v, now);
}

/* TSC cycles in us microseconds (rounded up). */
static u64 us(u64 n)
{
	unsigned __int128 x = (unsigned __int128)n * TSC_HZ;

	return (u64)((x + 999999) / 1000000);
}

/* The clock's registers, compared with what a guest would read one by one. */
struct regs {
	u8 year, month, day, weekday, hour, min, sec;
};

static void assert_clock(struct regs want, u8 century)
{
	struct regs got = {
		rd(YEAR), rd(MONTH), rd(DAY), rd(WEEKDAY), rd(HOUR), rd(MINS), rd(SEC)
	};

	if (memcmp(&got, &want, sizeof(got)) || rd(CENTURY) != century)
		fail_msg("read %02x%02x-%02x-%02x (day %x) %02x:%02x:%02x, want %02x%02x-%02x-%02x "
			 "(day %x) %02x:%02x:%02x",
			 rd(CENTURY), got.year, got.month, got.day, got.weekday, got.hour, got.min,
			 got.sec, century, want.year, want.month, want.day, want.weekday, want.hour,
			 want.min, want.sec);
}

/* ---- registers and formats -------------------------------------------------------- */

static void test_power_on_registers(void **state)
{
	(void)state;
	assert_int_equal(rd(REG_A), 0x26);
	assert_int_equal(rd(REG_B), B_24H);
	assert_int_equal(rd(REG_C), 0);
	assert_int_equal(rd(REG_D), 0x80);
	assert_int_equal(vrtc_read(&rtc, VRTC_PORT_INDEX, now), 0xff);
	assert_int_equal(vrtc_next_irq(&rtc, now), 0);
	assert_int_equal(vrtc_epoch(&rtc, now), SUNDAY_EVENING);
}

static void test_reads_bcd_24_hour(void **state)
{
	(void)state;
	assert_clock((struct regs){ 0x26, 0x12, 0x06, 1, 0x21, 0x45, 0x07 }, 0x20);
}

static void test_reads_binary(void **state)
{
	(void)state;
	wr(REG_B, B_24H | B_BINARY);
	assert_clock((struct regs){ 26, 12, 6, 1, 21, 45, 7 }, 20);
}

static void test_reads_12_hour(void **state)
{
	(void)state;
	wr(REG_B, 0);
	assert_int_equal(rd(HOUR), 0x89); /* 9 PM, BCD */
	wr(REG_B, B_BINARY);
	assert_int_equal(rd(HOUR), 0x89); /* 9 PM, binary */
	reset_at(1796515200);		  /* midnight */
	wr(REG_B, 0);
	assert_int_equal(rd(HOUR), 0x12);
	reset_at(1796558399); /* 11:59:59 AM */
	wr(REG_B, 0);
	assert_int_equal(rd(HOUR), 0x11);
	now += TSC_HZ;
	assert_int_equal(rd(HOUR), 0x92); /* 12 PM: noon */
}

static void test_plain_cmos_bytes(void **state)
{
	(void)state;
	assert_int_equal(rd(0x0e), 0);
	assert_int_equal(rd(0x7f), 0);
	wr(0x0e, 0x11);
	wr(0x40, 0x5a);
	wr(0x7f, 0xa5);
	assert_int_equal(rd(0x0e), 0x11);
	assert_int_equal(rd(0x40), 0x5a);
	assert_int_equal(rd(0x7f), 0xa5);
	assert_int_equal(rd(0x31), 0);
	/* Registers C and D cannot be written. */
	wr(REG_C, 0xff);
	wr(REG_D, 0x00);
	assert_int_equal(rd(REG_C), 0);
	assert_int_equal(rd(REG_D), 0x80);
}

static void test_nmi_bit_kept(void **state)
{
	(void)state;
	vrtc_write(&rtc, VRTC_PORT_INDEX, 0x80 | REG_B, now);
	assert_true(rtc.nmi_off);
	assert_int_equal(vrtc_read(&rtc, VRTC_PORT_DATA, now), B_24H);
	vrtc_write(&rtc, VRTC_PORT_INDEX, SEC, now);
	assert_false(rtc.nmi_off);
	assert_int_equal(vrtc_read(&rtc, VRTC_PORT_DATA, now), 0x07);
}

/* ---- time going on ---------------------------------------------------------------- */

static void test_time_advances_with_tsc(void **state)
{
	(void)state;
	now = START + TSC_HZ - 1;
	assert_int_equal(rd(SEC), 0x07); /* the first update is one second after reset */
	now = START + TSC_HZ;
	assert_int_equal(rd(SEC), 0x08);
	now = START + 53 * TSC_HZ;
	assert_clock((struct regs){ 0x26, 0x12, 0x06, 1, 0x21, 0x46, 0x00 }, 0x20);
	/* A million seconds on, to the TSC cycle: no drift. */
	now = START + 1000000 * TSC_HZ - 1;
	assert_clock((struct regs){ 0x26, 0x12, 0x18, 6, 0x11, 0x31, 0x46 }, 0x20);
	now++;
	assert_clock((struct regs){ 0x26, 0x12, 0x18, 6, 0x11, 0x31, 0x47 }, 0x20);
}

static void test_month_end_rollover(void **state)
{
	(void)state;
	reset_at(1777593599); /* 2026-04-30 23:59:59, Thursday */
	assert_clock((struct regs){ 0x26, 0x04, 0x30, 5, 0x23, 0x59, 0x59 }, 0x20);
	now += TSC_HZ;
	assert_clock((struct regs){ 0x26, 0x05, 0x01, 6, 0x00, 0x00, 0x00 }, 0x20);
}

static void test_year_and_century_rollover(void **state)
{
	(void)state;
	reset_at(1798761599); /* 2026-12-31 23:59:59 */
	now += TSC_HZ;
	assert_clock((struct regs){ 0x27, 0x01, 0x01, 6, 0x00, 0x00, 0x00 }, 0x20);
	reset_at(4102444799); /* 2099-12-31 23:59:59 */
	assert_clock((struct regs){ 0x99, 0x12, 0x31, 5, 0x23, 0x59, 0x59 }, 0x20);
	now += TSC_HZ;
	assert_clock((struct regs){ 0x00, 0x01, 0x01, 6, 0x00, 0x00, 0x00 }, 0x21);
}

static void test_leap_day(void **state)
{
	(void)state;
	reset_at(1835395199); /* 2028-02-28 23:59:59 */
	now += TSC_HZ;
	assert_clock((struct regs){ 0x28, 0x02, 0x29, 3, 0x00, 0x00, 0x00 }, 0x20);
	now += 86400 * TSC_HZ;
	assert_clock((struct regs){ 0x28, 0x03, 0x01, 4, 0x00, 0x00, 0x00 }, 0x20);
	reset_at(4107542399); /* 2100-02-28 23:59:59: 2100 is no leap year */
	now += TSC_HZ;
	assert_clock((struct regs){ 0x00, 0x03, 0x01, 2, 0x00, 0x00, 0x00 }, 0x21);
}

/* UIP reads 1 in the 244 us before each update, and 0 otherwise. */
static void test_uip_window(void **state)
{
	u64 window = TSC_HZ * 244 / 1000000;

	(void)state;
	now = START + TSC_HZ - window - 1;
	assert_false(rd(REG_A) & A_UIP);
	now++;
	assert_true(rd(REG_A) & A_UIP);
	assert_int_equal(rd(REG_A) & ~A_UIP, 0x26);
	assert_int_equal(rd(SEC), 0x07);
	now = START + TSC_HZ - 1;
	assert_true(rd(REG_A) & A_UIP);
	now++;
	assert_false(rd(REG_A) & A_UIP);
	assert_int_equal(rd(SEC), 0x08);
	now = START + 2 * TSC_HZ - window;
	assert_true(rd(REG_A) & A_UIP);
	/* SET stops updates, and UIP with them. */
	wr(REG_B, B_SET | B_24H);
	assert_false(rd(REG_A) & A_UIP);
}

/* ---- the guest setting its clock ------------------------------------------------------ */

/* Linux's mc146818_set_time: SET, divider reset, the new time, B back, A back. */
static void test_guest_sets_time(void **state)
{
	u64 released;

	(void)state;
	now += us(300000);
	wr(REG_B, B_SET | B_24H);
	wr(REG_A, A_DIVIDER_RESET | 0x06);
	wr(YEAR, 0x30);
	wr(MONTH, 0x01);
	wr(DAY, 0x02);
	wr(HOUR, 0x03);
	wr(MINS, 0x04);
	wr(SEC, 0x05);
	wr(CENTURY, 0x20);
	now += us(1000);
	wr(REG_B, B_24H);
	assert_int_equal(rd(SEC), 0x05); /* the divider still holds it */
	now += us(1000);
	wr(REG_A, 0x26);
	released = now;
	assert_int_equal(vrtc_epoch(&rtc, now), 1893553445); /* 2030-01-02 03:04:05 */
	/* The first update comes half a second after the divider is released. */
	now = released + TSC_HZ / 2 - 1;
	assert_clock((struct regs){ 0x30, 0x01, 0x02, 4, 0x03, 0x04, 0x05 }, 0x20);
	now = released + TSC_HZ / 2;
	assert_int_equal(rd(SEC), 0x06);
	now = released + TSC_HZ / 2 + 3600 * TSC_HZ;
	assert_clock((struct regs){ 0x30, 0x01, 0x02, 4, 0x04, 0x04, 0x06 }, 0x20);
}

/* SET alone: the clock's bytes hold still and are storage; updates resume in phase. */
static void test_set_bit_holds_the_clock(void **state)
{
	(void)state;
	now += us(400000);
	wr(REG_B, B_SET | B_24H);
	now += 10 * TSC_HZ;
	assert_int_equal(rd(SEC), 0x07);
	wr(MINS, 0x50);
	wr(WEEKDAY, 0x07);
	assert_int_equal(rd(MINS), 0x50);
	assert_int_equal(rd(WEEKDAY), 0x07); /* storage while held */
	now = START + 10 * TSC_HZ + us(500000);
	wr(REG_B, B_24H);
	/* 21:50:07 from now until the next update of the old phase. */
	now = START + 11 * TSC_HZ - 1;
	assert_clock((struct regs){ 0x26, 0x12, 0x06, 1, 0x21, 0x50, 0x07 }, 0x20);
	now++;
	assert_int_equal(rd(SEC), 0x08);
}

/* Bytes that are no valid date when SET is cleared are ignored: the clock keeps its time. */
static void test_set_invalid_date_ignored(void **state)
{
	(void)state;
	wr(REG_B, B_SET | B_24H);
	wr(MONTH, 0x13);
	wr(REG_B, B_24H);
	assert_int_equal(vrtc_epoch(&rtc, now), SUNDAY_EVENING);
	assert_int_equal(rd(MONTH), 0x12);
	wr(REG_B, B_SET | B_24H);
	wr(DAY, 0x31);
	wr(MONTH, 0x02);
	wr(REG_B, B_24H);
	assert_int_equal(vrtc_epoch(&rtc, now), SUNDAY_EVENING);
}

/* The century byte is part of the clock; the 12-hour clock's PM bit counts when setting it. */
static void test_set_century_and_12_hour(void **state)
{
	(void)state;
	wr(REG_B, B_SET);
	wr(CENTURY, 0x21);
	wr(YEAR, 0x05);
	wr(MONTH, 0x06);
	wr(DAY, 0x07);
	wr(HOUR, 0x88); /* 8 PM */
	wr(MINS, 0x09);
	wr(SEC, 0x10);
	wr(REG_B, 0);
	assert_int_equal(vrtc_epoch(&rtc, now), 4273805350 + 12 * 3600); /* 2105-06-07 20:09:10 */
	wr(REG_B, B_24H);
	assert_clock((struct regs){ 0x05, 0x06, 0x07, 1, 0x20, 0x09, 0x10 }, 0x21);
}

/* A write to the clock while it runs moves it at once, keeping the update phase. */
static void test_write_while_running(void **state)
{
	(void)state;
	now += us(250000);
	wr(HOUR, 0x08);
	assert_clock((struct regs){ 0x26, 0x12, 0x06, 1, 0x08, 0x45, 0x07 }, 0x20);
	wr(WEEKDAY, 0x05); /* derived from the date: ignored */
	assert_int_equal(rd(WEEKDAY), 1);
	wr(MINS, 0x61); /* no valid minute: ignored */
	assert_int_equal(rd(MINS), 0x45);
	now = START + TSC_HZ;
	assert_int_equal(rd(SEC), 0x08);
	assert_int_equal(vrtc_epoch(&rtc, now), SUNDAY_EVENING + 1 - 13 * 3600);
}

/*
 * A time from before the last update (a vCPU read its TSC, then waited for
 * the lock while another's later access went in) with the clock at its
 * very start: 1970-01-01 00:00:00, not a second before it.
 */
static void test_older_time_at_the_clock_start(void **state)
{
	(void)state;
	wr(REG_B, B_SET | B_24H);
	wr(SEC, 0x00), wr(MINS, 0x00), wr(HOUR, 0x00);
	wr(DAY, 0x01), wr(MONTH, 0x01), wr(YEAR, 0x70), wr(CENTURY, 0x19);
	wr(REG_B, B_24H);
	now += 2 * TSC_HZ;
	wr(SEC, 0x00); /* running: back to the first second, in the update's phase */
	now = START;
	assert_clock((struct regs){ 0x70, 0x01, 0x01, 5, 0x00, 0x00, 0x00 }, 0x19);
	assert_int_equal(vrtc_epoch(&rtc, now), 0);
}

/* SET going to 1 clears UIE (MC146818A, register B). */
static void test_set_clears_uie(void **state)
{
	(void)state;
	wr(REG_B, B_UIE | B_24H);
	assert_int_equal(rd(REG_B), B_UIE | B_24H);
	wr(REG_B, B_SET | B_UIE | B_24H);
	assert_int_equal(rd(REG_B), B_SET | B_24H);
}

/* ---- register C and IRQ 8 -------------------------------------------------------------- */

static void test_update_interrupt_and_register_c(void **state)
{
	(void)state;
	wr(REG_A, 0x20); /* no periodic flags in the way */
	wr(REG_B, B_UIE | B_24H);
	assert_int_equal(vrtc_next_irq(&rtc, now), START + TSC_HZ);
	now = START + TSC_HZ - 1;
	assert_false(vrtc_update(&rtc, now));
	now++;
	assert_true(vrtc_update(&rtc, now));
	assert_false(vrtc_update(&rtc, now));
	assert_int_equal(rd(REG_C), C_IRQF | C_UF);
	assert_int_equal(rd(REG_C), 0); /* reading cleared it */
	assert_int_equal(vrtc_next_irq(&rtc, now), START + 2 * TSC_HZ);
}

/* An edge is reported even when the guest read register C before the caller looked. */
static void test_edge_not_lost_when_c_read_first(void **state)
{
	(void)state;
	wr(REG_A, 0x20);
	wr(REG_B, B_UIE | B_24H);
	now = START + TSC_HZ;
	assert_int_equal(rd(REG_C), C_IRQF | C_UF);
	assert_true(vrtc_next_irq(&rtc, now) <= now);
	assert_true(vrtc_update(&rtc, now));
	assert_false(vrtc_update(&rtc, now));
	assert_int_equal(vrtc_next_irq(&rtc, now), START + 2 * TSC_HZ);
}

/* Flags are set whatever B enables; without an enable, no IRQF and no edge. */
static void test_flags_without_enables(void **state)
{
	(void)state;
	now += TSC_HZ;
	assert_false(vrtc_update(&rtc, now));
	assert_int_equal(rd(REG_C), C_PF | C_UF);
	assert_int_equal(vrtc_next_irq(&rtc, now), 0);
}

/* Enabling an interrupt whose flag is already set raises the line at once. */
static void test_enable_with_flag_set_raises(void **state)
{
	(void)state;
	now += us(2000);
	wr(REG_B, B_PIE | B_24H);
	assert_true(vrtc_next_irq(&rtc, now) <= now);
	assert_true(vrtc_update(&rtc, now));
	assert_int_equal(rd(REG_C), C_IRQF | C_PF);
}

/* The periodic interrupt at register A's rate, when the guest reads C after each. */
static void test_periodic_interrupt_rate(void **state)
{
	static const struct {
		u8 rate;
		u32 hz;
	} rates[] = { { 0x06, 1024 }, { 0x0f, 2 }, { 0x03, 8192 }, { 0x01, 256 }, { 0x0a, 64 } };
	u64 edges, t, from;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(rates); i++) {
		reset_at(SUNDAY_EVENING);
		wr(REG_A, 0x20 | rates[i].rate);
		wr(REG_B, B_PIE | B_24H);
		from = now;
		edges = 0;
		while ((t = vrtc_next_irq(&rtc, now)) && t <= from + TSC_HZ) {
			assert_true(t > now);
			now = t;
			assert_true(vrtc_update(&rtc, now));
			assert_int_equal(rd(REG_C) & ~C_UF, C_IRQF | C_PF);
			edges++;
		}
		assert_int_equal(edges, rates[i].hz);
	}
	/* Rate 0: none. */
	wr(REG_A, 0x20);
	assert_int_equal(vrtc_next_irq(&rtc, now), 0);
}

/* The line stays up (one edge) until register C is read. */
static void test_line_up_until_c_read(void **state)
{
	(void)state;
	wr(REG_B, B_PIE | B_24H); /* 1024 Hz */
	now += us(10000);
	assert_true(vrtc_update(&rtc, now));
	now += us(10000);
	assert_false(vrtc_update(&rtc, now));
	assert_int_equal(vrtc_next_irq(&rtc, now), 0);
	assert_int_equal(rd(REG_C), C_IRQF | C_PF);
	assert_true(vrtc_next_irq(&rtc, now) > now);
	assert_true(vrtc_next_irq(&rtc, now) <= now + us(977));
	/* Disabling the interrupt lowers IRQF too. */
	now += us(2000);
	vrtc_update(&rtc, now);
	wr(REG_B, B_24H);
	assert_int_equal(rd(REG_C), C_PF);
}

/* The alarm: at the update whose time matches; 0xc0-0xff matches anything. */
static void test_alarm_interrupt(void **state)
{
	(void)state;
	wr(REG_A, 0x20); /* no periodic flags in the way */
	wr(ALARM_HOUR, 0x21);
	wr(ALARM_MINS, 0x45);
	wr(ALARM_SEC, 0x10);
	wr(REG_B, B_AIE | B_24H);
	assert_int_equal(vrtc_next_irq(&rtc, now), START + 3 * TSC_HZ);
	now = START + 3 * TSC_HZ - 1;
	assert_false(vrtc_update(&rtc, now));
	assert_int_equal(rd(REG_C), C_UF);
	now++;
	assert_true(vrtc_update(&rtc, now));
	assert_int_equal(rd(REG_C), C_IRQF | C_AF | C_UF);
	/* Tomorrow, same time. */
	assert_int_equal(vrtc_next_irq(&rtc, now), START + (3 + 86400) * TSC_HZ);
	/* Every minute at :00. */
	wr(ALARM_HOUR, 0xc0);
	wr(ALARM_MINS, 0xff);
	wr(ALARM_SEC, 0x00);
	assert_int_equal(vrtc_next_irq(&rtc, now), START + 53 * TSC_HZ);
	/* A byte no time has: never. */
	wr(ALARM_SEC, 0x60);
	assert_int_equal(vrtc_next_irq(&rtc, now), 0);
	now += 100 * TSC_HZ;
	rd(REG_C);
	assert_false(rd(REG_C) & C_AF);
}

/* A divider held in reset stops the clock and the periodic interrupt. */
static void test_divider_reset_stops_everything(void **state)
{
	u64 released;

	(void)state;
	wr(REG_B, B_PIE | B_UIE | B_24H);
	wr(REG_A, A_DIVIDER_RESET | 0x06);
	assert_int_equal(vrtc_next_irq(&rtc, now), 0);
	now += 5 * TSC_HZ;
	assert_false(vrtc_update(&rtc, now));
	assert_int_equal(rd(REG_C), 0);
	assert_int_equal(rd(SEC), 0x07);
	wr(REG_A, 0x26);
	released = now;
	assert_int_equal(vrtc_next_irq(&rtc, now), released + (TSC_HZ + 1023) / 1024);
	now = released + TSC_HZ / 2;
	assert_int_equal(rd(SEC), 0x08);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_power_on_registers, reset),
		cmocka_unit_test_setup(test_reads_bcd_24_hour, reset),
		cmocka_unit_test_setup(test_reads_binary, reset),
		cmocka_unit_test_setup(test_reads_12_hour, reset),
		cmocka_unit_test_setup(test_plain_cmos_bytes, reset),
		cmocka_unit_test_setup(test_nmi_bit_kept, reset),
		cmocka_unit_test_setup(test_time_advances_with_tsc, reset),
		cmocka_unit_test_setup(test_month_end_rollover, reset),
		cmocka_unit_test_setup(test_year_and_century_rollover, reset),
		cmocka_unit_test_setup(test_leap_day, reset),
		cmocka_unit_test_setup(test_uip_window, reset),
		cmocka_unit_test_setup(test_guest_sets_time, reset),
		cmocka_unit_test_setup(test_set_bit_holds_the_clock, reset),
		cmocka_unit_test_setup(test_set_invalid_date_ignored, reset),
		cmocka_unit_test_setup(test_set_century_and_12_hour, reset),
		cmocka_unit_test_setup(test_write_while_running, reset),
		cmocka_unit_test_setup(test_older_time_at_the_clock_start, reset),
		cmocka_unit_test_setup(test_set_clears_uie, reset),
		cmocka_unit_test_setup(test_update_interrupt_and_register_c, reset),
		cmocka_unit_test_setup(test_edge_not_lost_when_c_read_first, reset),
		cmocka_unit_test_setup(test_flags_without_enables, reset),
		cmocka_unit_test_setup(test_enable_with_flag_set_raises, reset),
		cmocka_unit_test_setup(test_periodic_interrupt_rate, reset),
		cmocka_unit_test_setup(test_line_up_until_c_read, reset),
		cmocka_unit_test_setup(test_alarm_interrupt, reset),
		cmocka_unit_test_setup(test_divider_reset_stops_everything, reset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
