/*
 * Unit tests of vdev/pit.c, the 8254 a partition sees, driven through
 * its ports as a guest drives them: each mode's OUT waveform and count
 * sequence at chosen ticks of the input clock, the counter latch and
 * read-back commands, the byte sequencing of counts, port 0x61's gate
 * and OUT of counter 2, counter 0's interrupt edges over a long run
 * without drift, and Linux's two ways of calibrating the TSC against
 * counter 2 (pit_calibrate_tsc and quick_pit_calibrate, re-enacted
 * here with a fixed cost in TSC cycles for every port access).
 */
/* unit-sources: vdev/pit.c */
#include "tests/unit/unit.h"

#include "vdev/pit.h"

#define TSC_HZ 2893712345ull /* an awkward rate: no whole number of cycles per tick */
#define START 1000000007ull  /* the TSC at reset */

#define CONTROL VPIT_PORT_CONTROL
#define PORT_B VPIT_PORT_SYSTEM
#define B_GATE2 0x01
#define B_SPEAKER 0x02
#define B_REFRESH 0x10
#define B_OUT2 0x20
#define LSB 1
#define MSB 2
#define WORD 3
#define STATUS_OUT 0x80
#define STATUS_NULL 0x40

static struct vpit pit;
static u64 now;
static u64 cost; /* TSC cycles each port access takes in the re-enacted guest code */

static int reset(void **state)
{
	(void)state;
	now = START;
	cost = 0;
	vpit_reset(&pit, TSC_HZ, now);
	return 0;
}

static void out(u16 port, u8 v)
{
	vpit_write(&pit, port, v, now);
	now += cost;
}

static u8 in(u16 port)
{
	u8 v = vpit_read(&pit, port, now);

	now += cost;
	return v;
}

/* TSC cycles after which k ticks of the input clock have passed (rounded up). */
static u64 ticks_tsc(u64 k)
{
	unsigned __int128 x = (unsigned __int128)k * TSC_HZ;

	return (u64)((x + VPIT_HZ - 1) / VPIT_HZ);
}

/* Move to the moment tick k after from happens, or to the last TSC value before it. */
static void at(u64 from, u64 k)
{
	now = from + ticks_tsc(k);
}

static void before(u64 from, u64 k)
{
	now = from + ticks_tsc(k) - 1;
}

static void program(int counter, int access, int mode)
{
	out(CONTROL, (u8)(counter << 6 | access << 4 | mode << 1));
}

/* Write a two-byte count; returns the TSC of the load. */
static u64 load(int counter, u16 count)
{
	u64 when = now;

	out((u16)(VPIT_PORT_COUNTER0 + counter), (u8)count);
	out((u16)(VPIT_PORT_COUNTER0 + counter), (u8)(count >> 8));
	return when;
}

/* Counter latch command, then LSB and MSB. */
static u16 count(int counter)
{
	u16 port = (u16)(VPIT_PORT_COUNTER0 + counter);
	u8 lo;

	out(CONTROL, (u8)(counter << 6));
	lo = in(port);
	return (u16)(lo | in(port) << 8);
}

/* Read-back command latching the status only. */
static u8 status(int counter)
{
	out(CONTROL, (u8)(0xc0 | 0x20 | 2 << counter));
	return in((u16)(VPIT_PORT_COUNTER0 + counter));
}

static bool out_high(int counter)
{
	return status(counter) & STATUS_OUT;
}

/* ---- modes -------------------------------------------------------------------- */

/* Mode 0: OUT low after the control word and the count, high when the count reaches 0. */
static void test_mode0_interrupt_on_terminal_count(void **state)
{
	u64 w;

	(void)state;
	program(0, WORD, 0);
	assert_false(out_high(0));
	w = load(0, 100);
	assert_int_equal(vpit_next_irq(&pit, now), w + ticks_tsc(100));
	assert_int_equal(count(0), 100);
	at(w, 60);
	assert_int_equal(count(0), 40);
	before(w, 100);
	assert_int_equal(count(0), 1);
	assert_false(out_high(0));
	assert_int_equal(vpit_update(&pit, now), 0);
	at(w, 100);
	assert_int_equal(count(0), 0);
	assert_true(out_high(0));
	at(w, 101);
	assert_int_equal(count(0), 0xffff); /* counting goes on, wrapping */
	assert_true(out_high(0));
	assert_int_equal(vpit_update(&pit, now), 1);
	at(w, 200000);
	assert_true(out_high(0)); /* once: OUT stays high until programmed again */
	assert_int_equal(vpit_update(&pit, now), 0);
	assert_int_equal(vpit_next_irq(&pit, now), 0);
}

/* Mode 0 with counter 2's gate: a low gate suspends counting, a high one resumes it. */
static void test_mode0_gate_suspends_counting(void **state)
{
	u64 w, g, h;

	(void)state;
	out(PORT_B, 0);
	program(2, WORD, 0);
	w = load(2, 1000);
	at(w, 500);
	assert_int_equal(count(2), 1000);
	out(PORT_B, B_GATE2);
	g = now;
	at(g, 300);
	assert_int_equal(count(2), 700);
	out(PORT_B, 0);
	at(g, 5000);
	assert_int_equal(count(2), 700);
	assert_false(in(PORT_B)&B_OUT2);
	out(PORT_B, B_GATE2);
	h = now;
	before(h, 700);
	assert_int_equal(count(2), 1);
	assert_false(in(PORT_B)&B_OUT2);
	at(h, 700);
	assert_true(in(PORT_B)&B_OUT2);
}

/* Mode 0: the first byte of a new two-byte count stops counting and sets OUT low. */
static void test_mode0_first_byte_stops_counting(void **state)
{
	u64 w, w2;

	(void)state;
	program(0, WORD, 0);
	w = load(0, 100);
	at(w, 150);
	assert_true(out_high(0));
	out(VPIT_PORT_COUNTER0, 0x20);
	assert_false(out_high(0));
	at(w, 170);
	assert_int_equal(count(0), (u16)(100 - 150));
	w2 = now;
	out(VPIT_PORT_COUNTER0, 0x00); /* count 0x0020 */
	at(w2, 31);
	assert_int_equal(count(0), 1);
	assert_false(out_high(0));
	at(w2, 32);
	assert_true(out_high(0));
}

/* Mode 1: the rising gate triggers; OUT low for n ticks; a new trigger starts over. */
static void test_mode1_hardware_one_shot(void **state)
{
	u64 g, r;

	(void)state;
	out(PORT_B, 0);
	program(2, WORD, 1);
	assert_true(in(PORT_B)&B_OUT2);
	load(2, 50);
	now += ticks_tsc(1000);
	assert_true(in(PORT_B)&B_OUT2); /* nothing happens before the trigger */
	assert_true(status(2) & STATUS_NULL);
	out(PORT_B, B_GATE2);
	g = now;
	assert_false(in(PORT_B)&B_OUT2);
	assert_false(status(2) & STATUS_NULL);
	at(g, 10);
	assert_int_equal(count(2), 40);
	at(g, 20);
	out(PORT_B, 0); /* a falling gate does not stop it */
	at(g, 30);
	assert_int_equal(count(2), 20);
	out(PORT_B, B_GATE2); /* retrigger */
	r = now;
	at(g, 50);
	assert_false(in(PORT_B)&B_OUT2);
	before(r, 50);
	assert_false(in(PORT_B)&B_OUT2);
	at(r, 50);
	assert_true(in(PORT_B)&B_OUT2);
}

/* Mode 2: n, n-1, ..., 1 and again; OUT low for the one tick at 1; an edge per period. */
static void test_mode2_rate_generator(void **state)
{
	u64 w;

	(void)state;
	program(0, WORD, 2);
	assert_true(out_high(0));
	w = load(0, 10);
	for (u64 k = 0; k < 25; k++) {
		at(w, k);
		assert_int_equal(count(0), 10 - k % 10);
		assert_int_equal(out_high(0), k % 10 != 9);
	}
	assert_int_equal(vpit_update(&pit, now), 2);
	assert_int_equal(vpit_next_irq(&pit, now), w + ticks_tsc(30));
}

/* Mode 2: a count written while counting takes over at the end of the current period. */
static void test_mode2_new_count_at_end_of_period(void **state)
{
	u64 w;

	(void)state;
	program(0, WORD, 2);
	w = load(0, 10);
	at(w, 23);
	load(0, 4);
	assert_true(status(0) & STATUS_NULL);
	assert_int_equal(vpit_update(&pit, now), 2); /* at 10 and 20 */
	assert_int_equal(vpit_next_irq(&pit, now), w + ticks_tsc(30));
	at(w, 29);
	assert_int_equal(count(0), 1);
	at(w, 30);
	assert_int_equal(count(0), 4);
	assert_false(status(0) & STATUS_NULL);
	at(w, 33);
	assert_false(out_high(0));
	at(w, 34);
	assert_int_equal(count(0), 4);
	assert_true(out_high(0));
	assert_int_equal(vpit_update(&pit, now), 2); /* at 30 and 34 */
	assert_int_equal(vpit_next_irq(&pit, now), w + ticks_tsc(38));
}

/*
 * Mode 2 as Linux's periodic tick (count 1193, about 1 ms): a million
 * periods, each edge at exactly the TSC value a perfect 1193182 Hz
 * clock gives, found by following vpit_next_irq() as the caller's timer
 * would.
 */
static void test_mode2_no_drift_over_a_million_periods(void **state)
{
	const u64 n = 1193, periods = 1000000;
	u64 w, t;

	(void)state;
	program(0, WORD, 2);
	w = load(0, (u16)n);
	for (u64 k = 1; k <= periods; k++) {
		t = vpit_next_irq(&pit, now);
		if (t != w + ticks_tsc(k * n))
			fail_msg("edge %llu at %llu, want %llu", (unsigned long long)k,
				 (unsigned long long)t, (unsigned long long)(w + ticks_tsc(k * n)));
		if (k % 1000 == 0)
			assert_int_equal(vpit_update(&pit, t - 1), 0);
		now = t;
		assert_int_equal(vpit_update(&pit, now), 1);
	}
	/* A caller that slept through 1000 periods gets them counted, not lost. */
	at(w, (periods + 1000) * n);
	assert_int_equal(vpit_update(&pit, now), 1000);
	assert_int_equal(count(0), n);
}

/* Mode 3: high for the first half (rounded up), low for the rest; counting by twos. */
static void test_mode3_square_wave(void **state)
{
	static const u16 even[] = { 10, 8, 6, 4, 2, 10, 8, 6, 4, 2 };
	static const u16 odd[] = { 6, 4, 2, 0, 6, 4, 2 };
	u64 w;

	(void)state;
	out(PORT_B, B_GATE2);
	program(2, WORD, 3);
	w = load(2, 10);
	for (u64 k = 0; k < 30; k++) {
		at(w, k);
		assert_int_equal(count(2), even[k % 10]);
		assert_int_equal(!!(in(PORT_B)&B_OUT2), k % 10 < 5);
	}
	program(2, WORD, 3);
	w = load(2, 7);
	for (u64 k = 0; k < 21; k++) {
		at(w, k);
		assert_int_equal(count(2), odd[k % 7]);
		assert_int_equal(!!(in(PORT_B)&B_OUT2), k % 7 < 4);
	}
	/* A low gate forces OUT high and stops; a rising gate starts over. */
	at(w, 5);
	out(PORT_B, 0);
	assert_true(in(PORT_B)&B_OUT2);
	at(w, 50);
	assert_int_equal(count(2), 4);
	out(PORT_B, B_GATE2);
	w = now;
	assert_int_equal(count(2), 6);
	at(w, 4);
	assert_false(in(PORT_B)&B_OUT2);
}

/* Mode 3 on counter 0: one edge per full cycle, at its end. */
static void test_mode3_edges(void **state)
{
	u64 w;

	(void)state;
	program(0, WORD, 3);
	w = load(0, 9);
	assert_int_equal(vpit_next_irq(&pit, now), w + ticks_tsc(9));
	before(w, 27);
	assert_int_equal(vpit_update(&pit, now), 2);
	at(w, 27);
	assert_int_equal(vpit_update(&pit, now), 1);
}

/* Mode 4: OUT high, low for the one tick after the count reaches 0, then high for good. */
static void test_mode4_software_strobe(void **state)
{
	u64 w;

	(void)state;
	program(0, WORD, 4);
	assert_true(out_high(0));
	w = load(0, 20);
	assert_int_equal(vpit_next_irq(&pit, now), w + ticks_tsc(21));
	before(w, 20);
	assert_int_equal(count(0), 1);
	assert_true(out_high(0));
	at(w, 20);
	assert_int_equal(count(0), 0);
	assert_false(out_high(0));
	assert_int_equal(vpit_update(&pit, now), 0);
	at(w, 21);
	assert_true(out_high(0));
	assert_int_equal(count(0), 0xffff);
	assert_int_equal(vpit_update(&pit, now), 1);
	assert_int_equal(vpit_next_irq(&pit, now), 0);
	at(w, 70000);
	assert_int_equal(vpit_update(&pit, now), 0);
}

/* Mode 5: the strobe of mode 4, n ticks after each rising gate. */
static void test_mode5_hardware_strobe(void **state)
{
	u64 g;

	(void)state;
	out(PORT_B, 0);
	program(2, WORD, 5);
	load(2, 20);
	now += ticks_tsc(100);
	assert_true(in(PORT_B)&B_OUT2);
	out(PORT_B, B_GATE2);
	g = now;
	before(g, 20);
	assert_true(in(PORT_B)&B_OUT2);
	at(g, 20);
	assert_false(in(PORT_B)&B_OUT2);
	at(g, 21);
	assert_true(in(PORT_B)&B_OUT2);
	at(g, 40);
	assert_true(in(PORT_B)&B_OUT2);
}

/* ---- reading and writing counts ------------------------------------------------ */

/* The counter latch command freezes the count until it is read; a second one is ignored. */
static void test_counter_latch(void **state)
{
	u64 w;
	u8 lo;

	(void)state;
	program(0, WORD, 2);
	w = load(0, 1000);
	at(w, 100);
	out(CONTROL, 0x00);
	at(w, 300);
	lo = in(VPIT_PORT_COUNTER0);
	at(w, 350);
	assert_int_equal(lo | in(VPIT_PORT_COUNTER0) << 8, 900);
	at(w, 400);
	out(CONTROL, 0x00);
	at(w, 500);
	out(CONTROL, 0x00); /* ignored: the first latch is not read yet */
	assert_int_equal(count(0), 600);
	/* Unlatched: each read sees the counter as it is. */
	at(w, 700);
	lo = in(VPIT_PORT_COUNTER0);
	assert_int_equal(lo | in(VPIT_PORT_COUNTER0) << 8, 300);
	/* Without a latch, the two bytes come from two moments: 44 at tick 956, 788 at 1212. */
	at(w, 956);
	lo = in(VPIT_PORT_COUNTER0);
	at(w, 1212);
	assert_int_equal(lo | in(VPIT_PORT_COUNTER0) << 8, (44 & 0xff) | (788 & 0xff00));
}

/* Read-back: status (OUT, null count, RW, mode, BCD) before the count, several counters at once. */
static void test_read_back_command(void **state)
{
	u64 w;
	u8 lo;

	(void)state;
	program(1, WORD, 2);
	assert_int_equal(status(1), STATUS_OUT | STATUS_NULL | WORD << 4 | 2 << 1);
	program(0, WORD, 0);
	assert_int_equal(status(0), STATUS_NULL | WORD << 4);
	w = load(1, 500);
	load(0, 300);
	assert_int_equal(status(1), STATUS_OUT | WORD << 4 | 2 << 1);
	at(w, 200);
	out(CONTROL, 0xc0 | 0x02 | 0x04); /* count and status of counters 0 and 1 */
	at(w, 250);
	assert_int_equal(in(VPIT_PORT_COUNTER1), STATUS_OUT | WORD << 4 | 2 << 1);
	lo = in(VPIT_PORT_COUNTER1);
	assert_int_equal(lo | in(VPIT_PORT_COUNTER1) << 8, 300);
	assert_int_equal(in(VPIT_PORT_COUNTER0), WORD << 4);
	lo = in(VPIT_PORT_COUNTER0);
	assert_int_equal(lo | in(VPIT_PORT_COUNTER0) << 8, 100);
	/* Count only. */
	out(CONTROL, 0xc0 | 0x10 | 0x04);
	at(w, 260);
	lo = in(VPIT_PORT_COUNTER1);
	assert_int_equal(lo | in(VPIT_PORT_COUNTER1) << 8, 250);
	/* Counter 0 has passed 0: OUT high in the status. */
	at(w, 300);
	assert_int_equal(status(0), STATUS_OUT | WORD << 4);
}

/* BCD counting is refused: the status shows the bit, the counter counts in binary. */
static void test_bcd_counts_binary(void **state)
{
	u64 w;

	(void)state;
	out(CONTROL, 0x40 | WORD << 4 | 2 << 1 | 1);
	assert_int_equal(status(1) & 0x3f, WORD << 4 | 2 << 1 | 1);
	w = load(1, 0x0100);
	at(w, 1);
	assert_int_equal(count(1), 0x00ff);
}

/* LSB-only and MSB-only access, and LSB-then-MSB reads alternating. */
static void test_lsb_msb_sequencing(void **state)
{
	u64 w;

	(void)state;
	program(0, LSB, 4);
	out(VPIT_PORT_COUNTER0, 0x34);
	assert_int_equal(in(VPIT_PORT_COUNTER0), 0x34);
	assert_int_equal(in(VPIT_PORT_COUNTER0), 0x34); /* no MSB in between */
	w = now;
	at(w, 0x34);
	assert_int_equal(in(VPIT_PORT_COUNTER0), 0x00);
	program(0, MSB, 4); /* OUT was in its low tick: this rises */
	assert_int_equal(vpit_update(&pit, now), 1);
	out(VPIT_PORT_COUNTER0, 0x12); /* count 0x1200 */
	w = now;
	assert_int_equal(in(VPIT_PORT_COUNTER0), 0x12);
	at(w, 1);
	assert_int_equal(in(VPIT_PORT_COUNTER0), 0x11);
	assert_int_equal(vpit_next_irq(&pit, now), w + ticks_tsc(0x1201));
	program(0, WORD, 4);
	out(VPIT_PORT_COUNTER0, 0x78);
	assert_int_equal(vpit_next_irq(&pit, now), 0); /* half a count loads nothing */
	out(VPIT_PORT_COUNTER0, 0x56);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(in(VPIT_PORT_COUNTER0), 0x78);
		assert_int_equal(in(VPIT_PORT_COUNTER0), 0x56);
	}
}

/* A count of 0 is 65536. */
static void test_count_zero_is_65536(void **state)
{
	u64 w;

	(void)state;
	program(0, WORD, 2);
	w = load(0, 0);
	assert_int_equal(vpit_next_irq(&pit, now), w + ticks_tsc(65536));
	at(w, 1);
	assert_int_equal(count(0), 0xffff);
	at(w, 65535);
	assert_int_equal(count(0), 1);
	assert_false(out_high(0));
	program(0, WORD, 0);
	w = load(0, 0);
	before(w, 65536);
	assert_false(out_high(0));
	at(w, 65536);
	assert_true(out_high(0));
}

/* ---- port 0x61 and counter 0's line ---------------------------------------------- */

static void test_port_b_bits(void **state)
{
	u64 w;

	(void)state;
	out(PORT_B, 0xff);
	assert_int_equal(in(PORT_B) & ~(B_REFRESH | B_OUT2), 0x0f);
	out(PORT_B, B_SPEAKER);
	assert_int_equal(in(PORT_B) & (B_GATE2 | B_SPEAKER), B_SPEAKER);
	/* Bit 5 is counter 2's OUT: high before programming, low in mode 0 until the count ends. */
	assert_true(in(PORT_B)&B_OUT2);
	out(PORT_B, B_GATE2);
	program(2, WORD, 0);
	assert_false(in(PORT_B)&B_OUT2);
	w = load(2, 100);
	before(w, 100);
	assert_false(in(PORT_B)&B_OUT2);
	at(w, 100);
	assert_true(in(PORT_B)&B_OUT2);
	/* Bit 4 toggles every 18 ticks from reset. */
	for (u64 k = 0; k < 10; k++) {
		at(START, 18 * k);
		assert_int_equal(!!(in(PORT_B)&B_REFRESH), k % 2);
		before(START, 18 * (k + 1));
		assert_int_equal(!!(in(PORT_B)&B_REFRESH), k % 2);
	}
}

/* A control word that sets a low OUT high is a rising edge too; setting it low is none. */
static void test_control_word_edges(void **state)
{
	(void)state;
	assert_int_equal(vpit_next_irq(&pit, now), 0); /* nothing programmed */
	program(0, WORD, 0);
	load(0, 1000);
	now += ticks_tsc(10);
	assert_int_equal(vpit_update(&pit, now), 0);
	program(0, WORD, 2);
	assert_true(vpit_next_irq(&pit, now) <= now);
	assert_int_equal(vpit_update(&pit, now), 1);
	program(0, WORD, 0);
	assert_int_equal(vpit_update(&pit, now), 0);
	assert_int_equal(vpit_next_irq(&pit, now), 0);
}

/* ---- Linux's TSC calibrations, re-enacted -------------------------------------- */

#define ACCESS_COST 4000 /* TSC cycles per port access, about 1.4 us: a slow VM exit */

/*
 * arch/x86/kernel/tsc.c, pit_calibrate_tsc(): gate high, speaker off,
 * counter 2 in mode 0 with the given count, then poll port 0x61 bit 5,
 * reading the TSC after each poll.  The TSC rate measured over count
 * ticks of the 1193182 Hz clock.
 */
static u64 pit_calibrate_tsc(u16 latch)
{
	u64 t1, t2;

	cost = ACCESS_COST;
	out(PORT_B, (u8)((in(PORT_B) & ~B_SPEAKER) | B_GATE2));
	out(CONTROL, 0xb0);
	out(VPIT_PORT_COUNTER2, (u8)latch);
	out(VPIT_PORT_COUNTER2, (u8)(latch >> 8));
	t1 = t2 = now;
	while (!(in(PORT_B)&B_OUT2)) {
		t2 = now;
		if (t2 - t1 > TSC_HZ)
			fail_msg("OUT never rose");
	}
	return (u64)((unsigned __int128)(t2 - t1) * VPIT_HZ / latch);
}

static void assert_close(u64 measured, u64 want)
{
	u64 diff = measured > want ? measured - want : want - measured;

	if (diff * 1000 > want)
		fail_msg("measured %llu, want %llu within 0.1%%", (unsigned long long)measured,
			 (unsigned long long)want);
}

static void test_linux_pit_calibrate_tsc(void **state)
{
	(void)state;
	assert_close(pit_calibrate_tsc(11931), TSC_HZ); /* 10 ms, Linux's first try */
	assert_close(pit_calibrate_tsc(59659), TSC_HZ); /* 50 ms, its second */
	assert_close(pit_calibrate_tsc(0xffff), TSC_HZ);
}

/* quick_pit_calibrate()'s probe: read the LSB, then the MSB, and compare the MSB. */
static bool msb_is(u8 v)
{
	in(VPIT_PORT_COUNTER2);
	return in(VPIT_PORT_COUNTER2) == v;
}

/*
 * Poll until the MSB is no longer v: *last is the TSC at the last read
 * that still saw v, *err the uncertainty of that moment.
 */
static bool expect_msb(u8 v, u64 *last, u64 *err)
{
	u64 prev = now, seen = now;
	int reads;

	for (reads = 0; reads < 50000; reads++) {
		if (!msb_is(v))
			break;
		prev = seen;
		seen = now;
	}
	*last = seen;
	*err = now - prev;
	return reads > 5;
}

/*
 * arch/x86/kernel/tsc.c, quick_pit_calibrate(): counter 2 in mode 0
 * from 0xffff; the MSB must step down once every 256 ticks, and the
 * TSC between the moments it does gives the rate, once the error of
 * those moments is below 1/2048 of the time measured.
 */
static void test_linux_quick_pit_calibrate(void **state)
{
	u64 t0, d0, t, d = 0, rate = 0, want;
	u8 i;

	(void)state;
	cost = ACCESS_COST;
	out(PORT_B, (u8)((in(PORT_B) & ~B_SPEAKER) | B_GATE2));
	out(CONTROL, 0xb0);
	out(VPIT_PORT_COUNTER2, 0xff);
	out(VPIT_PORT_COUNTER2, 0xff);
	msb_is(0);
	assert_true(expect_msb(0xff, &t0, &d0));
	for (i = 1; i < 233; i++) {
		assert_true(expect_msb((u8)(0xff - i), &t, &d));
		/* Each step of the MSB lasts 256 ticks, give or take the polling. */
		want = (u64)((unsigned __int128)i * 256 * TSC_HZ / VPIT_HZ);
		if (t - t0 > want + d0 + d || t - t0 + d0 + d < want)
			fail_msg("MSB %#x after %llu cycles, want %llu", 0xff - i,
				 (unsigned long long)(t - t0), (unsigned long long)want);
		if (d0 + d < (t - t0) >> 11) {
			assert_true(msb_is((u8)(0xfe - i)));
			rate = (u64)((unsigned __int128)(t - t0) * VPIT_HZ / (i * 256ull));
			break;
		}
	}
	assert_true(i < 233);
	assert_close(rate, TSC_HZ);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_mode0_interrupt_on_terminal_count, reset),
		cmocka_unit_test_setup(test_mode0_gate_suspends_counting, reset),
		cmocka_unit_test_setup(test_mode0_first_byte_stops_counting, reset),
		cmocka_unit_test_setup(test_mode1_hardware_one_shot, reset),
		cmocka_unit_test_setup(test_mode2_rate_generator, reset),
		cmocka_unit_test_setup(test_mode2_new_count_at_end_of_period, reset),
		cmocka_unit_test_setup(test_mode2_no_drift_over_a_million_periods, reset),
		cmocka_unit_test_setup(test_mode3_square_wave, reset),
		cmocka_unit_test_setup(test_mode3_edges, reset),
		cmocka_unit_test_setup(test_mode4_software_strobe, reset),
		cmocka_unit_test_setup(test_mode5_hardware_strobe, reset),
		cmocka_unit_test_setup(test_counter_latch, reset),
		cmocka_unit_test_setup(test_read_back_command, reset),
		cmocka_unit_test_setup(test_bcd_counts_binary, reset),
		cmocka_unit_test_setup(test_lsb_msb_sequencing, reset),
		cmocka_unit_test_setup(test_count_zero_is_65536, reset),
		cmocka_unit_test_setup(test_port_b_bits, reset),
		cmocka_unit_test_setup(test_control_word_edges, reset),
		cmocka_unit_test_setup(test_linux_pit_calibrate_tsc, reset),
		cmocka_unit_test_setup(test_linux_quick_pit_calibrate, reset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
