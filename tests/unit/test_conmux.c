/*
 * Unit tests of kernel/conmux.c, the console multiplexer: the exact
 * "[<name>] <text>" tag with colour off and on (colour wraps the tag
 * only), the rows a long line is broken into (each with the tag, at
 * most console_width columns: ASCII 1, tab to the next multiple of 8,
 * other characters 2, never a UTF-8 sequence split; colour escapes
 * take no column; one console hold for all the rows; the history and
 * the rate limit see the line whole; the room it needs), the history ring (byte count, wrap-around
 * that forgets whole lines, replay in order), the token bucket (burst, refill over simulated time,
 * the dropped count and its one report line, at most one report a second during a long flood, one
 * partition's flood leaving another alone), a busy console refusing a line without taking from the
 * bucket, a line dropped at a stop for want of room and its own report, and the input focus (the
 * hot key's cycle, with partitions that stopped, and every other byte
 * value passing to the focused partition unchanged; with the hypervisor
 * focused, one answer per typed line, at most one a second whatever is
 * pasted or held down), and the focused
 * partition's unfinished line shown as the console's open line (joined
 * by the rest of its line, ended by other output and then shown again
 * whole, never for a partition without the focus, a line wider than a
 * row, a busy or full console, nor past the rate limit).
 */
/* unit-sources: kernel/conmux.c */
#include "tests/unit/unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/conmux.h"
#include "lib/log.h"

#define MS 1000000ull
#define S 1000000000ull

static struct conmux mux;
static struct conmux_port ports[CONMUX_MAX_PORTS];
static int owners[CONMUX_MAX_PORTS];

static int reset(void **state)
{
	(void)state;
	memset(ports, 0, sizeof(ports));
	conmux_init(&mux, false, CONMUX_WIDTH_DEFAULT);
	console_capture_reset();
	console_set_room(0xffffffffu);
	console_set_held_elsewhere(false);
	return 0;
}

static void attach(u32 slot, const char *name)
{
	conmux_attach(&mux, slot, &ports[slot], name, &owners[slot], NULL, 0, 0);
}

static void line(u32 slot, const char *text, u64 now)
{
	assert_true(conmux_line(&mux, &ports[slot], text, (u32)strlen(text), now));
}

/* ---- a busy console ---------------------------------------------------- */

static void test_busy_console(void **state)
{
	(void)state;
	/* "hello" from "alpha": 5 + 5 + CONMUX_LINE_EXTRA, plus the reserve. */
	u32 need = 5 + 5 + CONMUX_LINE_EXTRA + CONMUX_RESERVE;

	attach(0, "alpha");
	assert_int_equal(conmux_line_cost(&mux, &ports[0], "hello", 5), need - CONMUX_RESERVE);
	console_set_room(need - 1);
	assert_false(conmux_has_room(&mux, &ports[0], "hello", 5, 0));
	assert_false(conmux_line(&mux, &ports[0], "hello", 5, 0));
	assert_console_quiet();
	assert_int_equal(conmux_bucket_bytes(&ports[0].bucket), CONMUX_BURST);
	assert_int_equal(ports[0].dropped, 0);

	/* Exactly enough room takes it. */
	console_set_room(need);
	assert_true(conmux_has_room(&mux, &ports[0], "hello", 5, 0));
	/* ... but not with more bytes to come (what the emulated UART's LSR asks). */
	assert_false(conmux_has_room(&mux, &ports[0], "hello", 5, 1));
	assert_true(conmux_line(&mux, &ports[0], "hello", 5, 0));
	assert_string_equal(console_captured(), "[alpha] hello\n");
	assert_int_equal(conmux_bucket_bytes(&ports[0].bucket), CONMUX_BURST - 6);

	/* A line the bucket refuses is done with (dropped), not left to the caller. */
	ports[0].bucket.tokens = 0;
	assert_true(conmux_line(&mux, &ports[0], "hello", 5, 0));
	assert_int_equal(ports[0].dropped, 6);

	/* A port that has left takes everything, and shows nothing. */
	console_capture_reset();
	console_set_room(0);
	ports[0].live = false;
	assert_true(conmux_line(&mux, &ports[0], "hello", 5, 0));
	assert_console_quiet();
}

/*
 * Another CPU holds the console for a block of its own: a line to show is
 * refused for now, its bucket untouched, and never waited for; a line the
 * rate limit drops is done with all the same, as it needs no console.
 */
static void test_held_elsewhere(void **state)
{
	(void)state;
	attach(0, "alpha");
	console_set_held_elsewhere(true);
	assert_false(conmux_line(&mux, &ports[0], "hello", 5, 0));
	assert_console_quiet();
	assert_int_equal(conmux_bucket_bytes(&ports[0].bucket), CONMUX_BURST);
	assert_int_equal(console_holds_taken(), 0);
	ports[0].bucket.tokens = 0;
	assert_true(conmux_line(&mux, &ports[0], "hello", 5, 0));
	assert_int_equal(ports[0].dropped, 6);
	assert_console_quiet();
	/* Let go: the line comes, with the report of the drop before it, in one hold. */
	console_set_held_elsewhere(false);
	ports[0].bucket.tokens = CONMUX_BURST * 1000000000ull;
	assert_true(conmux_line(&mux, &ports[0], "hello", 5, 0));
	assert_string_equal(
		console_captured(),
		"cloison: partition alpha: dropped 6 bytes of console output (rate limit)\n"
		"[alpha] hello\n");
	assert_int_equal(console_holds_taken(), 1);
	assert_int_equal(console_hold_depth(), 0);
}

/*
 * At a stop, a line the console has no room for is not waited for: it is
 * counted as dropped, and reported apart from the rate limit's drops.
 */
static void test_drop_at_stop(void **state)
{
	(void)state;
	attach(0, "alpha");
	ports[0].bucket.tokens = 0;
	assert_true(conmux_line(&mux, &ports[0], "0123456789", 10, 0)); /* rate limit: 11 */
	console_set_room(0);
	assert_false(conmux_line(&mux, &ports[0], "last words", 10, 0));
	conmux_drop_line(&ports[0], 10);
	assert_int_equal(ports[0].dropped, 11);
	assert_int_equal(ports[0].dropped_full, 11);
	assert_int_equal(ports[0].dropped_total, 22);
	assert_console_quiet();
	conmux_report_drops(&ports[0]);
	assert_string_equal(
		console_captured(),
		"cloison: partition alpha: dropped 11 bytes of console output (rate limit)\n"
		"cloison: partition alpha: dropped 11 bytes of console output (console full)\n");
	/* Reported once. */
	console_capture_reset();
	conmux_report_drops(&ports[0]);
	assert_console_quiet();
	/* An empty line costs its newline. */
	conmux_drop_line(&ports[0], 0);
	conmux_detach(&mux, &ports[0]);
	assert_int_equal(console_lines_with("dropped 1 bytes of console output (console full)"), 1);
}

/* ---- tagging and colour ------------------------------------------------ */

static void test_tag(void **state)
{
	(void)state;
	attach(0, "alpha");
	attach(1, "b-2_x");
	line(0, "hello, world", 0);
	line(1, "second", 0);
	line(0, "", 0);
	line(0, "\tcloison: not me", 0);
	assert_string_equal(console_captured(), "[alpha] hello, world\n"
						"[b-2_x] second\n"
						"[alpha] \n"
						"[alpha] \tcloison: not me\n");
}

static void test_colour(void **state)
{
	(void)state;
	char plain[256];

	conmux_init(&mux, true, CONMUX_WIDTH_DEFAULT);
	attach(0, "alpha");
	attach(1, "beta");
	attach(10, "kappa");
	line(0, "one", 0);
	line(1, "two", 0);
	line(10, "three", 0);
	/* The colour wraps the tag only; the text and the space are as without it. */
	assert_string_equal(console_captured(), "\x1b[36m[alpha]\x1b[0m one\n"
						"\x1b[32m[beta]\x1b[0m two\n"
						"\x1b[36m[kappa]\x1b[0m three\n");

	/* Without the escapes (as tests/boot/run.sh strips them) it is the plain form. */
	size_t n = 0;
	for (const char *p = console_captured(); *p; p++) {
		if (*p == '\x1b') {
			while (*p != 'm')
				p++;
			continue;
		}
		plain[n++] = *p;
	}
	plain[n] = '\0';
	assert_string_equal(plain, "[alpha] one\n[beta] two\n[kappa] three\n");

	/* Each slot's colour differs from its neighbours'. */
	for (u32 i = 0; i + 1 < 10; i++) {
		attach(i, "p");
		attach(i + 1, "q");
		assert_int_not_equal(ports[i].colour, ports[i + 1].colour);
		assert_int_not_equal(ports[i].colour, 31); /* red is kept for trouble */
	}
}

/* ---- history ----------------------------------------------------------- */

struct replay {
	char text[1024];
	unsigned lines;
};

static void collect(void *ctx, const char *text, u32 len)
{
	struct replay *r = ctx;

	assert_int_equal(strlen(text), len);
	strcat(r->text, text);
	strcat(r->text, "|");
	r->lines++;
}

static struct replay replay(const struct conmux_history *h)
{
	struct replay r = { .text = "", .lines = 0 };
	conmux_history_replay(h, collect, &r);
	return r;
}

static void test_history_wraps(void **state)
{
	(void)state;
	u8 buf[16];
	struct conmux_history h;
	struct replay r;

	conmux_history_init(&h, buf, sizeof(buf));
	assert_int_equal(conmux_history_bytes(&h), 0);
	assert_int_equal(replay(&h).lines, 0);

	assert_true(conmux_history_append(&h, "abc", 3));   /* 4 bytes */
	assert_true(conmux_history_append(&h, "defgh", 5)); /* 6 */
	assert_true(conmux_history_append(&h, "", 0));	    /* 1 */
	assert_int_equal(conmux_history_bytes(&h), 11);
	r = replay(&h);
	assert_string_equal(r.text, "abc|defgh||");

	/* 11 + 5 = 16 still fits, exactly. */
	assert_true(conmux_history_append(&h, "ijkl", 4));
	assert_int_equal(conmux_history_bytes(&h), 16);
	assert_string_equal(replay(&h).text, "abc|defgh||ijkl|");

	/* The next line wraps around the end and forgets the oldest whole lines. */
	assert_true(conmux_history_append(&h, "mnopqr", 6)); /* 7: drop abc (4), defgh (6) */
	assert_int_equal(conmux_history_bytes(&h), 1 + 5 + 7);
	assert_string_equal(replay(&h).text, "|ijkl|mnopqr|");

	/* A line that fills the whole ring leaves only itself. */
	assert_true(conmux_history_append(&h, "0123456789abcde", 15));
	assert_int_equal(conmux_history_bytes(&h), 16);
	assert_string_equal(replay(&h).text, "0123456789abcde|");

	/* One that cannot fit is refused and changes nothing. */
	assert_false(conmux_history_append(&h, "0123456789abcdef", 16));
	assert_int_equal(conmux_history_bytes(&h), 16);
	assert_string_equal(replay(&h).text, "0123456789abcde|");

	/* No buffer: nothing is kept. */
	conmux_history_init(&h, NULL, 100);
	assert_false(conmux_history_append(&h, "x", 1));
	assert_int_equal(conmux_history_bytes(&h), 0);
}

static unsigned replayed;
static char last[CONMUX_HISTORY_LINE];
static char first[CONMUX_HISTORY_LINE];

static void count(void *ctx, const char *text, u32 len)
{
	(void)ctx;
	if (!replayed++)
		memcpy(first, text, len + 1);
	memcpy(last, text, len + 1);
}

static void test_history_of_port(void **state)
{
	(void)state;
	static u8 buf[CONMUX_HISTORY_BYTES];
	char text[64];

	memset(buf, 0xaa, sizeof(buf));
	conmux_attach(&mux, 0, &ports[0], "hist", NULL, buf, sizeof(buf), 0);
	/* 2000 lines of 39 bytes plus newline = 80000 bytes: wraps once. */
	for (unsigned i = 0; i < 2000; i++) {
		snprintf(text, sizeof(text), "line %06u ...........................", i);
		assert_int_equal(strlen(text), 39);
		/* 1 s apart: the rate limit never bites. */
		console_capture_reset();
		line(0, text, (u64)i * S);
		assert_int_equal(console_lines(), 1);
	}
	/* 65536 / 40 = 1638 whole lines are kept: the last 1638. */
	assert_int_equal(conmux_history_bytes(&ports[0].history), 1638 * 40);
	replayed = 0;
	conmux_history_replay(&ports[0].history, count, NULL);
	assert_int_equal(replayed, 1638);
	assert_string_equal(first, "line 000362 ...........................");
	assert_string_equal(last, "line 001999 ...........................");
}

/* ---- rows ------------------------------------------------------------- */

/* A line of n characters: "0123456789" again and again (one buffer: one call at a time). */
static const char *digits(unsigned n)
{
	static char text[512];

	for (unsigned i = 0; i < n; i++)
		text[i] = (char)('0' + i % 10);
	text[n] = '\0';
	return text;
}

static void test_rows_of_a_long_line(void **state)
{
	(void)state;
	static u8 buf[4096];
	struct replay r;

	/* 40 columns; "[alpha] " takes 8 of each row, so 32 are left for the text. */
	conmux_init(&mux, false, 40);
	conmux_attach(&mux, 0, &ports[0], "alpha", NULL, buf, sizeof(buf), 0);
	line(0, digits(100), 0);
	assert_string_equal(console_captured(), "[alpha] 01234567890123456789012345678901\n"
						"[alpha] 23456789012345678901234567890123\n"
						"[alpha] 45678901234567890123456789012345\n"
						"[alpha] 6789\n");
	/* One block: the rows came out under one console hold, released. */
	assert_int_equal(console_holds_taken(), 1);
	assert_int_equal(console_hold_depth(), 0);
	/* The history keeps the line whole; the rate limit counts its 100 bytes and newline. */
	r = replay(&ports[0].history);
	assert_int_equal(r.lines, 1);
	assert_int_equal(strlen(r.text), 101);
	assert_int_equal(conmux_bucket_bytes(&ports[0].bucket), CONMUX_BURST - 101);
	/* Its room: the text, and a tag with its escapes and CR LF for each of the 4 rows. */
	assert_int_equal(conmux_line_cost(&mux, &ports[0], digits(100), 100),
			 100 + 4 * (5 + CONMUX_LINE_EXTRA));
}

static void test_row_exactly_the_width(void **state)
{
	(void)state;
	char want[256];

	/* 80 columns: "[alpha] " and 72 characters fill a row exactly. */
	attach(0, "alpha");
	line(0, digits(72), 0);
	snprintf(want, sizeof(want), "[alpha] %s\n", digits(72));
	assert_string_equal(console_captured(), want);
	assert_int_equal(strlen(want) - 1, 80);
	assert_int_equal(conmux_line_cost(&mux, &ports[0], digits(72), 72),
			 72 + 5 + CONMUX_LINE_EXTRA);

	/* One more goes to a second row. */
	console_capture_reset();
	line(0, digits(73), 0);
	snprintf(want, sizeof(want), "[alpha] %s\n[alpha] 2\n", digits(72));
	assert_string_equal(console_captured(), want);

	/* The empty line is one row, the tag alone. */
	console_capture_reset();
	line(0, "", 0);
	assert_string_equal(console_captured(), "[alpha] \n");
	assert_int_equal(conmux_line_cost(&mux, &ports[0], "", 0), 5 + CONMUX_LINE_EXTRA);
}

static void test_rows_with_colour(void **state)
{
	(void)state;
	char want[512];

	/* The colour escapes take no columns and are never split from their tag. */
	conmux_init(&mux, true, 40);
	attach(0, "alpha");
	line(0, digits(40), 0);
	snprintf(want, sizeof(want),
		 "\x1b[36m[alpha]\x1b[0m 01234567890123456789012345678901\n"
		 "\x1b[36m[alpha]\x1b[0m 23456789\n");
	assert_string_equal(console_captured(), want);
	/* ... but count as bytes of the ring (CONMUX_LINE_EXTRA covers them). */
	assert_true(CONMUX_LINE_EXTRA >= strlen("\x1b[36m[]\x1b[0m \r\n"));
}

static void test_rows_of_wide_characters(void **state)
{
	(void)state;
	char text[256], want[512];

	/* Every non-ASCII character counts 2 columns: 36 "é" fill the 72 of a row. */
	attach(0, "alpha");
	text[0] = '\0';
	for (int i = 0; i < 36; i++)
		strcat(text, "\xc3\xa9");
	line(0, text, 0);
	snprintf(want, sizeof(want), "[alpha] %s\n", text);
	assert_string_equal(console_captured(), want);
	/* A 37th goes to the next row, whole. */
	console_capture_reset();
	strcat(text, "\xc3\xa9");
	line(0, text, 0);
	snprintf(want, sizeof(want), "[alpha] %.72s\n[alpha] \xc3\xa9\n", text);
	assert_string_equal(console_captured(), want);

	/* A sequence is never split: 71 columns of ASCII leave 1, too few for a 3-byte "€". */
	console_capture_reset();
	snprintf(text, sizeof(text), "%s\xe2\x82\xac!", digits(71));
	line(0, text, 0);
	snprintf(want, sizeof(want), "[alpha] %s\n[alpha] \xe2\x82\xac!\n", digits(71));
	assert_string_equal(console_captured(), want);
	/* ... nor is a 4-byte one. */
	console_capture_reset();
	snprintf(text, sizeof(text), "%s\xf0\x9f\x98\x80", digits(71));
	line(0, text, 0);
	snprintf(want, sizeof(want), "[alpha] %s\n[alpha] \xf0\x9f\x98\x80\n", digits(71));
	assert_string_equal(console_captured(), want);
	/* 70 columns leave 2: it fits. */
	console_capture_reset();
	snprintf(text, sizeof(text), "%s\xe2\x82\xac", digits(70));
	line(0, text, 0);
	snprintf(want, sizeof(want), "[alpha] %s\n", text);
	assert_string_equal(console_captured(), want);
}

static void test_rows_with_tabs(void **state)
{
	(void)state;
	char text[128], want[512];

	/* 40 columns.  A tab goes to the next multiple of 8, counted from the row's start. */
	conmux_init(&mux, false, 40);
	attach(0, "alpha");
	/* 30 characters end at column 38: the tab takes 2, to 40 exactly, and "y" moves on. */
	snprintf(text, sizeof(text), "%s\ty", digits(30));
	line(0, text, 0);
	snprintf(want, sizeof(want), "[alpha] %s\t\n[alpha] y\n", digits(30));
	assert_string_equal(console_captured(), want);
	/* 32 characters end at 40: the tab (8 more) starts the next row, at column 8. */
	console_capture_reset();
	snprintf(text, sizeof(text), "%s\t", digits(32));
	strcat(text, digits(24));
	line(0, text, 0);
	snprintf(want, sizeof(want), "[alpha] %s\n[alpha] \t", digits(32));
	strcat(want, digits(24));
	strcat(want, "\n");
	assert_string_equal(console_captured(), want);
	/* Tabs alone: after the tag at 8, each takes 8: four to a row. */
	console_capture_reset();
	line(0, "\t\t\t\t\t", 0);
	assert_string_equal(console_captured(), "[alpha] \t\t\t\t\n[alpha] \t\n");
	/* A tag whose end is not on a tab stop: "[ab] " is 5 columns, the first tab takes 3. */
	attach(1, "ab");
	console_capture_reset();
	snprintf(text, sizeof(text), "\t%s", digits(32));
	line(1, text, 0);
	snprintf(want, sizeof(want), "[ab] \t%s\n", digits(32));
	assert_string_equal(console_captured(), want);
}

/*
 * The room a long line needs counts every row's tag: a line of 4 rows
 * is refused with one byte less, taken with exactly that.
 */
static void test_rows_need_room(void **state)
{
	(void)state;
	u32 need = 100 + 4 * (5 + CONMUX_LINE_EXTRA) + CONMUX_RESERVE;

	conmux_init(&mux, false, 40);
	attach(0, "alpha");
	console_set_room(need - 1);
	assert_false(conmux_line(&mux, &ports[0], digits(100), 100, 0));
	assert_console_quiet();
	console_set_room(need);
	assert_true(conmux_line(&mux, &ports[0], digits(100), 100, 0));
	assert_int_equal(console_lines(), 4);
	/*
	 * What the emulated UART asks: room for the line with up to 4 more
	 * bytes, which may start a fifth row.
	 */
	assert_false(conmux_has_room(&mux, &ports[0], digits(100), 100, 4));
	console_set_room(need + 4 + 5 + CONMUX_LINE_EXTRA);
	assert_true(conmux_has_room(&mux, &ports[0], digits(100), 100, 4));
}

/* A width narrower than the tag still moves on: one character a row. */
static void test_rows_too_narrow(void **state)
{
	(void)state;
	conmux_init(&mux, false, 4);
	attach(0, "alpha");
	line(0, "ab", 0);
	assert_string_equal(console_captured(), "[alpha] a\n[alpha] b\n");
}

/* ---- rate limit -------------------------------------------------------- */

static void test_bucket(void **state)
{
	(void)state;
	struct conmux_bucket b;

	conmux_bucket_init(&b, 8192, 16384, 5 * S);
	assert_int_equal(conmux_bucket_bytes(&b), 16384);
	assert_true(conmux_bucket_take(&b, 16384, 5 * S));
	assert_false(conmux_bucket_take(&b, 1, 5 * S));
	assert_int_equal(conmux_bucket_bytes(&b), 0);

	/* 1 ms at 8192 B/s is 8.192 bytes. */
	assert_false(conmux_bucket_take(&b, 9, 5 * S + MS));
	assert_true(conmux_bucket_take(&b, 8, 5 * S + MS));
	assert_false(conmux_bucket_take(&b, 1, 5 * S + MS));
	/* The 0.192 left over is not lost: 4 ms more make 32.768 + 0.192 = 32.96. */
	assert_true(conmux_bucket_take(&b, 32, 5 * S + 5 * MS));
	assert_false(conmux_bucket_take(&b, 1, 5 * S + 5 * MS));
	/* ... and 5 ms more 41.92: 0.96 + 40.96. */
	assert_true(conmux_bucket_take(&b, 41, 5 * S + 10 * MS));
	assert_int_equal(conmux_bucket_bytes(&b), 0);

	/* A clock that steps back adds nothing, and does not move the refill point back. */
	assert_false(conmux_bucket_take(&b, 1, 4 * S));
	assert_false(conmux_bucket_take(&b, 1, 5 * S + 10 * MS));

	/* Never more than the burst, however long the pause. */
	assert_true(conmux_bucket_take(&b, 1, 1000000 * S));
	assert_int_equal(conmux_bucket_bytes(&b), 16383);
	assert_false(conmux_bucket_take(&b, 16384, 1000000 * S));
	assert_true(conmux_bucket_take(&b, 16384, 1000000 * S + MS));
	assert_false(conmux_bucket_take(&b, 1, 1000000 * S + MS)); /* not 16391 - 16384 */
	/* What was taken for a line not shown after all comes back, up to the burst. */
	conmux_bucket_init(&b, 8192, 16384, 0);
	assert_true(conmux_bucket_take(&b, 100, 0));
	conmux_bucket_put_back(&b, 100);
	assert_int_equal(conmux_bucket_bytes(&b), 16384);
	conmux_bucket_put_back(&b, 100);
	assert_int_equal(conmux_bucket_bytes(&b), 16384);
	/* More than the burst can never pass. */
	conmux_bucket_init(&b, 8192, 16384, 0);
	assert_false(conmux_bucket_take(&b, 16385, 0));
	assert_int_equal(conmux_bucket_bytes(&b), 16384);
}

static void test_rate_limit(void **state)
{
	(void)state;
	static u8 buf[4096];
	char text[100];

	conmux_attach(&mux, 0, &ports[0], "flood", NULL, buf, sizeof(buf), 0);
	attach(1, "calm");
	memset(text, 'x', 99);
	text[99] = '\0';

	/*
	 * 100 bytes a line: the 16 KiB burst lets 163 lines through (16300
	 * bytes: the rate limit counts a line's bytes, not its rows), each
	 * in two rows of the 80-column console.
	 */
	for (unsigned i = 0; i < 200; i++)
		line(0, text, 0);
	assert_int_equal(console_lines(), 2 * 163);
	assert_int_equal(console_lines_with(
				 "[flood] " /* 72 */
				 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
				 "xxxxxxxx\n"),
			 163);
	assert_int_equal(console_lines_with("[flood] xxxxxxxxxxxxxxxxxxxxxxxxxxx\n"), 163);
	assert_int_equal(ports[0].dropped, 37 * 100);
	assert_int_equal(conmux_history_bytes(&ports[0].history), 4000);

	/* The other partition is not held back by the flood. */
	console_capture_reset();
	line(1, "still here", 0);
	assert_console(1, "[calm] still here\n");

	/* 84 bytes are left; 1 ms later 84 + 8.192 is still short of 100... */
	console_capture_reset();
	line(0, text, 1 * MS);
	assert_console_quiet();
	assert_int_equal(ports[0].dropped, 38 * 100);
	/* ... 2 ms make 84 + 16.384 = 100.384: one report line, then the line's two rows. */
	memcpy(text, "resumed", 7);
	line(0, text, 2 * MS);
	assert_console(3, "cloison: partition flood: dropped 3800 bytes of console output "
			  "(rate limit)\n");
	assert_int_equal(console_lines_with("[flood] resumed"), 1);
	assert_true(strstr(console_captured(), "cloison: partition flood: dropped") <
		    strstr(console_captured(), "[flood] resumed"));
	assert_int_equal(ports[0].dropped, 0);
	assert_int_equal(ports[0].dropped_total, 3800);

	/* The dropped lines are not in the history: its last line is the one that passed. */
	replayed = 0;
	conmux_history_replay(&ports[0].history, count, NULL);
	assert_int_equal(replayed, 40);
	assert_memory_equal(last, "resumedxx", 9);

	/* Drops are reported once: the next line that passes prints no report. */
	console_capture_reset();
	line(0, "a", 1 * S);
	assert_console(1, "[flood] a\n");

	/*
	 * Drops still pending when the partition stops are reported then.
	 * 0.384 + 8192 * 0.998 = 8176 bytes were there at 1 s; "a" took 2,
	 * 743 lines of 11 take 8173, and the other 1257 are dropped.
	 */
	console_capture_reset();
	for (unsigned i = 0; i < 2000; i++)
		line(0, "0123456789", 1 * S);
	assert_int_equal(console_lines(), 743);
	console_capture_reset();
	conmux_detach(&mux, &ports[0]);
	/* It had the focus (the first partition), which passes to the next one. */
	assert_string_equal(console_captured(), "cloison: partition flood: dropped 13827 bytes of "
						"console output (rate limit)\n"
						"cloison: input focus: calm\n");
	/* A stopped port prints nothing more. */
	console_capture_reset();
	line(0, "late", 100 * S);
	assert_console_quiet();
}

static void test_rate_limit_per_partition(void **state)
{
	(void)state;

	/* Two partitions flood at once: each gets its own 16 KiB, no more. */
	attach(0, "a");
	attach(1, "b");
	for (unsigned i = 0; i < 1000; i++) {
		line(0, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde", 0);
		line(1, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde", 0);
	}
	assert_int_equal(console_lines_with("[a] "), 256);
	assert_int_equal(console_lines_with("[b] "), 256);
	assert_int_equal(ports[0].dropped, 744 * 64);
	assert_int_equal(ports[1].dropped, 744 * 64);

	/* A sustained 8 KiB/s: one second later 128 lines of 64 bytes pass again. */
	console_capture_reset();
	for (unsigned i = 0; i < 200; i++)
		line(0, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde", S);
	assert_int_equal(console_lines_with("[a] "), 128);
	assert_int_equal(console_lines_with("dropped 47616 bytes"), 1);
	assert_int_equal(console_lines(), 129);
}

/*
 * A sustained flood, 64 bytes every millisecond (eight times the rate)
 * for 3.5 s: a report comes with the first line that passes after a
 * drop, then with the first one at least a second after the last
 * report, and never otherwise; the reports and the stop's last one add
 * up to every byte dropped.
 */
static void test_drop_reports_paced(void **state)
{
	(void)state;
	const char *text = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde";
	const char *report = "cloison: partition flood: dropped ";
	u64 reported = 0, last = 0, first = 0;
	unsigned reports = 0, passed = 0;

	attach(0, "flood");
	for (u64 ms = 0; ms < 3500; ms++) {
		bool pending = ports[0].dropped > 0;
		bool due = pending && (!reports || ms - last >= 1000);
		const char *at;

		console_capture_reset();
		line(0, text, ms * MS);
		at = strstr(console_captured(), report);
		if (console_lines() == 0) { /* dropped */
			assert_null(at);
			continue;
		}
		passed++;
		assert_int_equal(console_lines(), due ? 2 : 1);
		if (!due)
			continue;
		assert_ptr_equal(at, console_captured()); /* the report comes first */
		reported += strtoull(at + strlen(report), NULL, 10);
		if (!reports)
			first = ms;
		reports++;
		last = ms;
	}
	/*
	 * Each millisecond takes 64 and gives 8.192: the first 293 lines
	 * pass, leaving 16384 - 293 * 55.808 = 32.256 bytes at 293 ms.  The
	 * line then passes again at 297 ms (3.875 ms to 64), with the first
	 * report.  Then one a second: 1.297, 2.297, 3.297 s.
	 */
	assert_int_equal(first, 297);
	assert_int_equal(reports, 4);
	console_capture_reset();
	conmux_detach(&mux, &ports[0]);
	assert_int_equal(console_lines_with("dropped"), 1);
	reported += strtoull(strstr(console_captured(), report) + strlen(report), NULL, 10);
	assert_int_equal(reported, ports[0].dropped_total);
	/* 16384 + 3.499 s * 8192 = 45047 bytes let 703 lines through; the rest is reported. */
	assert_int_equal(passed, 703);
	assert_int_equal(reported, (3500 - 703) * 64);
}

/* ---- input focus ------------------------------------------------------- */

static void test_focus_cycle(void **state)
{
	(void)state;

	/* Before any partition, typed bytes go nowhere. */
	assert_null(conmux_input(&mux, 'x', 0));
	attach(0, "one");
	attach(1, "two");
	attach(2, "three");
	/* The first partition has the focus from the start, silently. */
	assert_ptr_equal(conmux_focus(&mux), &ports[0]);
	assert_ptr_equal(conmux_input(&mux, 'x', 0), &owners[0]);
	assert_console_quiet();

	assert_null(conmux_input(&mux, CONMUX_HOTKEY, 0));
	assert_console(1, "cloison: input focus: two\n");
	assert_ptr_equal(conmux_input(&mux, 'x', 0), &owners[1]);

	console_capture_reset();
	assert_null(conmux_input(&mux, CONMUX_HOTKEY, 0));
	assert_console(1, "cloison: input focus: three\n");
	assert_ptr_equal(conmux_input(&mux, 'x', 0), &owners[2]);

	console_capture_reset();
	assert_null(conmux_input(&mux, CONMUX_HOTKEY, 0));
	assert_console(1, "cloison: input focus: hypervisor\n");
	assert_null(conmux_focus(&mux));
	assert_null(conmux_input(&mux, 'x', 0));

	console_capture_reset();
	assert_null(conmux_input(&mux, CONMUX_HOTKEY, 0));
	assert_console(1, "cloison: input focus: one\n");
	assert_ptr_equal(conmux_input(&mux, 'x', 0), &owners[0]);
}

static void test_focus_with_stopped(void **state)
{
	(void)state;

	attach(0, "one");
	attach(3, "four");
	attach(7, "eight");
	attach(9, "ten");

	/* A stopped partition that did not have the focus: nothing printed. */
	conmux_detach(&mux, &ports[3]);
	assert_console_quiet();
	conmux_cycle_focus(&mux);
	assert_console(1, "cloison: input focus: eight\n");

	/* The focused one stops: the focus moves on as the hot key would move it. */
	console_capture_reset();
	conmux_detach(&mux, &ports[7]);
	assert_console(1, "cloison: input focus: ten\n");
	assert_ptr_equal(conmux_input(&mux, 'x', 0), &owners[9]);
	console_capture_reset();
	conmux_detach(&mux, &ports[9]);
	assert_console(1, "cloison: input focus: hypervisor\n");
	assert_null(conmux_input(&mux, 'x', 0));

	/* The cycle skips the stopped ones. */
	console_capture_reset();
	conmux_input(&mux, CONMUX_HOTKEY, 0);
	conmux_input(&mux, CONMUX_HOTKEY, 0);
	conmux_input(&mux, CONMUX_HOTKEY, 0);
	assert_string_equal(console_captured(), "cloison: input focus: one\n"
						"cloison: input focus: hypervisor\n"
						"cloison: input focus: one\n");

	/* A partition started later joins the cycle but does not take the focus. */
	console_capture_reset();
	attach(5, "six");
	assert_ptr_equal(conmux_input(&mux, 'x', 0), &owners[0]);
	conmux_input(&mux, CONMUX_HOTKEY, 0);
	assert_console(1, "cloison: input focus: six\n");

	/* All stopped: the hot key can only land on the hypervisor. */
	conmux_detach(&mux, &ports[0]);
	console_capture_reset();
	conmux_detach(&mux, &ports[5]);
	assert_console(1, "cloison: input focus: hypervisor\n");
	console_capture_reset();
	conmux_input(&mux, CONMUX_HOTKEY, 0);
	conmux_input(&mux, CONMUX_HOTKEY, 0);
	assert_string_equal(console_captured(), "cloison: input focus: hypervisor\n"
						"cloison: input focus: hypervisor\n");
	assert_null(conmux_input(&mux, 'x', 0));
}

static void test_pass_through(void **state)
{
	(void)state;

	attach(0, "one");
	attach(1, "two");
	/* Every byte value but the hot key goes to the focused partition, focus unchanged. */
	for (unsigned b = 0; b < 256; b++) {
		if (b == CONMUX_HOTKEY)
			continue;
		assert_ptr_equal(conmux_input(&mux, (u8)b, 0), &owners[0]);
	}
	assert_console_quiet();
	assert_ptr_equal(conmux_focus(&mux), &ports[0]);

	/* Escape sequences (arrow keys, F1), NUL and 0xff pass one by one. */
	const u8 seq[] = { 0x1b, '[', 'A', 0x1b, 'O', 'P', 0x00, 0xff, 0x1c, 0x1e, 0x03 };
	for (size_t i = 0; i < sizeof(seq); i++)
		assert_ptr_equal(conmux_input(&mux, seq[i], 0), &owners[0]);
	assert_console_quiet();

	/*
	 * With the hypervisor focused, every byte but the hot key goes nowhere;
	 * the first line end ('\n', 10) is answered, the '\r' (13) of the same
	 * instant not.
	 */
	conmux_input(&mux, CONMUX_HOTKEY, 0);
	conmux_input(&mux, CONMUX_HOTKEY, 0);
	assert_null(conmux_focus(&mux));
	console_capture_reset();
	for (unsigned b = 0; b < 256; b++)
		if (b != CONMUX_HOTKEY)
			assert_null(conmux_input(&mux, (u8)b, 0));
	assert_console(1, "cloison: " CONMUX_ANSWER "\n");
	console_capture_reset();
	assert_null(conmux_focus(&mux));
	assert_null(conmux_input(&mux, CONMUX_HOTKEY, 0));
	assert_console(1, "cloison: input focus: one\n");
}

/* Type text at now; every byte must go to nobody. */
static void type_to_nobody(const char *text, u64 now)
{
	for (const char *c = text; *c; c++)
		assert_null(conmux_input(&mux, (u8)*c, now));
}

static void test_answer_per_line(void **state)
{
	(void)state;
	const char *answer = "cloison: " CONMUX_ANSWER "\n";

	attach(0, "one");
	conmux_input(&mux, CONMUX_HOTKEY, 0);
	assert_console(1, "cloison: input focus: hypervisor\n");
	console_capture_reset();

	/* Bytes are not answered, the line's end is: CR, then LF alone. */
	type_to_nobody("help", 0);
	assert_console_quiet();
	type_to_nobody("\r", 0);
	assert_string_equal(console_captured(), answer);
	console_capture_reset();
	type_to_nobody("ls\n", 2 * S);
	assert_string_equal(console_captured(), answer);
	console_capture_reset();
	/* CR LF, as some terminals send Enter, gets one answer; an empty line is a line. */
	type_to_nobody("\r\n", 4 * S);
	assert_string_equal(console_captured(), answer);
	console_capture_reset();
	type_to_nobody("\n", 6 * S);
	assert_string_equal(console_captured(), answer);

	/* A key held down: one long line, one answer at its end. */
	console_capture_reset();
	for (int i = 0; i < 5000; i++)
		assert_null(conmux_input(&mux, 'x', 8 * S + (u64)i * MS / 4));
	assert_console_quiet();
	type_to_nobody("\r", 10 * S);
	assert_string_equal(console_captured(), answer);

	/* A paste of 100 lines within a second, or Enter held down: one answer. */
	console_capture_reset();
	for (int i = 0; i < 100; i++)
		type_to_nobody("echo hello\r\n", 20 * S + (u64)i * 9 * MS);
	for (int i = 0; i < 100; i++)
		type_to_nobody("\r", 21 * S + (u64)i * 9 * MS);
	assert_int_equal(console_lines(), 2);
	assert_int_equal(console_lines_with(CONMUX_ANSWER), 2);
	/* A second after the last answer, the next line is answered again. */
	console_capture_reset();
	type_to_nobody("\r", 21 * S + 999 * MS);
	assert_console_quiet();
	type_to_nobody("\r", 22 * S);
	assert_string_equal(console_captured(), answer);

	/* The hot key still moves the focus; the partition gets its line ends unanswered. */
	console_capture_reset();
	assert_null(conmux_input(&mux, CONMUX_HOTKEY, 30 * S));
	assert_ptr_equal(conmux_input(&mux, '\r', 30 * S), &owners[0]);
	assert_ptr_equal(conmux_input(&mux, '\n', 30 * S), &owners[0]);
	assert_console(1, "cloison: input focus: one\n");
}

static void test_answer_without_partitions(void **state)
{
	(void)state;
	const char *alone = "cloison: " CONMUX_ANSWER_ALONE "\n";

	/* Before any partition is attached. */
	type_to_nobody("hello\r", 0);
	assert_string_equal(console_captured(), alone);

	/* With one: the hot key is the way on. */
	attach(0, "one");
	conmux_cycle_focus(&mux);
	console_capture_reset();
	type_to_nobody("\n", 2 * S);
	assert_string_equal(console_captured(), "cloison: " CONMUX_ANSWER "\n");

	/* When every partition has stopped, the hot key leads nowhere: the answer says so. */
	conmux_detach(&mux, &ports[0]);
	console_capture_reset();
	type_to_nobody("\n", 4 * S);
	assert_string_equal(console_captured(), alone);
}

/* ---- the focused partition's unfinished line (its prompt) ------------- */

static void partial(u32 slot, const char *text, u64 now)
{
	conmux_partial(&mux, &ports[slot], text, (u32)strlen(text), now);
}

static void assert_captured(const char *want)
{
	if (strcmp(console_captured(), want))
		print_message("captured console:\n%s|\n", console_captured());
	assert_string_equal(console_captured(), want);
}

static void test_prompt_then_line(void **state)
{
	(void)state;
	attach(0, "sh");
	attach(1, "other");
	/* The prompt shows without a newline; what is typed after it joins it. */
	partial(0, "guest# ", 0);
	assert_captured("[sh] guest# ");
	partial(0, "guest# ", 0); /* nothing new: nothing written */
	partial(0, "guest# ec", 0);
	assert_captured("[sh] guest# ec");
	/* The finished line adds the rest and its newline: the same bytes as a whole line. */
	line(0, "guest# echo", 0);
	assert_captured("[sh] guest# echo\n");
	assert_int_equal(console_hold_depth(), 0);
	/* A partition without the focus shows whole lines only. */
	console_capture_reset();
	partial(1, "other> ", 0);
	assert_console_quiet();
	line(1, "other> x", 0);
	assert_captured("[other] other> x\n");
}

static void test_prompt_cut_by_other_output(void **state)
{
	(void)state;
	attach(0, "sh");
	attach(1, "beat");
	partial(0, "guest# ec", 0);
	/* Another partition's line ends the open line first: its own row, never glued on. */
	line(1, "beat 1", 0);
	/* So does a hypervisor line. */
	partial(0, "guest# ech", 0);
	klog("note");
	/* The next show starts the line over, tag and all, on a row of its own. */
	partial(0, "guest# echo", 0);
	line(0, "guest# echo x", 0);
	assert_captured("[sh] guest# ec\n[beat] beat 1\n[sh] guest# ech\ncloison: note\n"
			"[sh] guest# echo x\n");
	/* Ended after the show and finished without another: printed whole. */
	console_capture_reset();
	partial(0, "a", 0);
	line(1, "beat 2", 0);
	line(0, "ab", 0);
	assert_captured("[sh] a\n[beat] beat 2\n[sh] ab\n");
}

static void test_prompt_with_colour(void **state)
{
	(void)state;
	conmux_init(&mux, true, CONMUX_WIDTH_DEFAULT);
	attach(0, "sh");
	partial(0, "$ ", 0);
	line(0, "$ ls", 0);
	assert_captured("\x1b[36m[sh]\x1b[0m $ ls\n");
}

static void test_prompt_not_shown(void **state)
{
	char wide[CONMUX_WIDTH_DEFAULT];

	(void)state;
	attach(0, "sh");
	/* Longer than a row with its tag: it waits for its end, then comes in rows. */
	memset(wide, 'w', sizeof(wide) - 1);
	wide[sizeof(wide) - 1] = '\0';
	partial(0, wide, 0);
	assert_console_quiet();
	assert_string_equal(console_captured(), "");
	/* Another CPU holds the console: nothing now, and no tokens taken. */
	console_set_held_elsewhere(true);
	partial(0, "guest# ", 0);
	console_set_held_elsewhere(false);
	assert_string_equal(console_captured(), "");
	assert_int_equal(conmux_bucket_bytes(&ports[0].bucket), CONMUX_BURST);
	/* The console has no room. */
	console_set_room(CONMUX_RESERVE);
	partial(0, "guest# ", 0);
	console_set_room(0xffffffffu);
	assert_string_equal(console_captured(), "");
	/* The hypervisor has the focus. */
	conmux_cycle_focus(&mux);
	console_capture_reset();
	partial(0, "guest# ", 0);
	assert_string_equal(console_captured(), "");
	/* Nor when the rate limit has no bytes left: it is not a way around it. */
	conmux_cycle_focus(&mux);
	console_capture_reset();
	assert_true(conmux_bucket_take(&ports[0].bucket, CONMUX_BURST, 0));
	partial(0, "guest# ", 0);
	assert_string_equal(console_captured(), "");
}

static void test_prompt_costs_tokens(void **state)
{
	(void)state;
	attach(0, "sh");
	/* The show counts its bytes with the tag; what follows, only its own. */
	partial(0, "ab", 0);
	assert_int_equal(conmux_bucket_bytes(&ports[0].bucket),
			 CONMUX_BURST - (2 + 2 + CONMUX_LINE_EXTRA - 1));
	partial(0, "abcd", 0);
	assert_int_equal(conmux_bucket_bytes(&ports[0].bucket),
			 CONMUX_BURST - (2 + 2 + CONMUX_LINE_EXTRA - 1) - 2);
	/* A finished line dropped by the rate limit leaves the open line behind. */
	assert_true(conmux_bucket_take(&ports[0].bucket, conmux_bucket_bytes(&ports[0].bucket), 0));
	line(0, "abcdef", 0);
	partial(0, "next", 0); /* no tokens: not shown, and not glued to the old one */
	conmux_bucket_put_back(&ports[0].bucket, CONMUX_BURST);
	partial(0, "next", 0);
	assert_captured("[sh] abcd\n[sh] next");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_tag, reset),
		cmocka_unit_test_setup(test_colour, reset),
		cmocka_unit_test_setup(test_rows_of_a_long_line, reset),
		cmocka_unit_test_setup(test_row_exactly_the_width, reset),
		cmocka_unit_test_setup(test_rows_with_colour, reset),
		cmocka_unit_test_setup(test_rows_of_wide_characters, reset),
		cmocka_unit_test_setup(test_rows_with_tabs, reset),
		cmocka_unit_test_setup(test_rows_need_room, reset),
		cmocka_unit_test_setup(test_rows_too_narrow, reset),
		cmocka_unit_test_setup(test_history_wraps, reset),
		cmocka_unit_test_setup(test_history_of_port, reset),
		cmocka_unit_test_setup(test_bucket, reset),
		cmocka_unit_test_setup(test_rate_limit, reset),
		cmocka_unit_test_setup(test_rate_limit_per_partition, reset),
		cmocka_unit_test_setup(test_drop_reports_paced, reset),
		cmocka_unit_test_setup(test_busy_console, reset),
		cmocka_unit_test_setup(test_held_elsewhere, reset),
		cmocka_unit_test_setup(test_drop_at_stop, reset),
		cmocka_unit_test_setup(test_focus_cycle, reset),
		cmocka_unit_test_setup(test_focus_with_stopped, reset),
		cmocka_unit_test_setup(test_pass_through, reset),
		cmocka_unit_test_setup(test_answer_per_line, reset),
		cmocka_unit_test_setup(test_answer_without_partitions, reset),
		cmocka_unit_test_setup(test_prompt_then_line, reset),
		cmocka_unit_test_setup(test_prompt_cut_by_other_output, reset),
		cmocka_unit_test_setup(test_prompt_with_colour, reset),
		cmocka_unit_test_setup(test_prompt_not_shown, reset),
		cmocka_unit_test_setup(test_prompt_costs_tokens, reset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
