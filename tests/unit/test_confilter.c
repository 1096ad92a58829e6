/*
 * Unit tests of kernel/confilter.c, the filter between a partition's
 * output bytes and the console: printable ASCII, tab and well-formed
 * UTF-8 of printable code points pass; '\r' is dropped; C0 controls,
 * DEL, 8-bit C1 bytes, lone continuation bytes, the leads c0, c1 and
 * f5-ff, overlong forms, surrogates, code points past U+10FFFF and cut
 * sequences become '?' a byte; the C1 code points c2 80 .. c2 9f become
 * one '?'.  ANSI control sequences (ESC '[' ... final byte) are dropped
 * whole, and one cut short is one '?'.  Sequences split between writes, a line that ends inside a
 * sequence, and every string of up to three bytes (and the four-byte
 * ones that start with a possible lead) against a reference decoder
 * written another way: by code point value instead of byte ranges.
 */
/* unit-sources: kernel/confilter.c */
#include "tests/unit/unit.h"

#include <string.h>

#include "kernel/confilter.h"

/* Filter n bytes as one run from state f, then end it if end; returns the output's length. */
static size_t run_from(struct confilter *f, const u8 *in, size_t n, u8 *out, bool end)
{
	size_t len = 0;

	for (size_t i = 0; i < n; i++) {
		u32 got = confilter_byte(f, in[i], out + len);
		assert_true(got <= CONFILTER_OUT_MAX);
		/* '\n' comes last, if at all. */
		for (u32 k = 0; k + 1 < got; k++)
			assert_int_not_equal(out[len + k], '\n');
		len += got;
	}
	if (end)
		len += confilter_end(f, out + len);
	return len;
}

/* The filter's output for a whole NUL-terminated string, ended; as a string. */
static const char *filt(const char *in)
{
	static u8 out[1024];
	struct confilter f;
	size_t n;

	confilter_init(&f);
	n = run_from(&f, (const u8 *)in, strlen(in), out, true);
	out[n] = '\0';
	return (const char *)out;
}

static void test_ascii(void **state)
{
	(void)state;
	assert_string_equal(filt("hello, world ~ 0123 {|}"), "hello, world ~ 0123 {|}");
	assert_string_equal(filt("a\tb\n"), "a\tb\n");
	assert_string_equal(filt("carriage\rreturn\r\n"), "carriagereturn\n");
	assert_string_equal(filt("\r\r\r"), "");
	/* Every printable ASCII byte passes unchanged. */
	for (int b = 0x20; b < 0x7f; b++) {
		char s[2] = { (char)b, 0 };
		assert_string_equal(filt(s), s);
	}
}

static void test_c0_and_del(void **state)
{
	(void)state;
	for (int b = 1; b < 0x20; b++) {
		char s[2] = { (char)b, 0 };
		if (b == '\t' || b == '\n' || b == '\r')
			continue;
		assert_string_equal(filt(s), "?");
	}
	assert_string_equal(filt("\x7f"), "?");
	/* NUL (not expressible in a C string here). */
	{
		struct confilter f;
		u8 in[] = { 'a', 0, 'b' }, out[16];
		confilter_init(&f);
		assert_int_equal(run_from(&f, in, 3, out, true), 3);
		assert_memory_equal(out, "a?b", 3);
	}
	/* ANSI: clear the screen (dropped whole), set the window title, ring the bell, back up. */
	assert_string_equal(filt("\x1b[2J\x1b]0;title\x07 bell\x07\b\b"), "?]0;title? bell???");
}

static void test_control_sequences(void **state)
{
	(void)state;
	/* Dropped whole: colours, a cursor move, the cursor report a shell asks for. */
	assert_string_equal(filt("\x1b[1;31mred\x1b[0m \x1b[2J\x1b[6nguest# "), "red guest# ");
	assert_string_equal(filt("a\x1b[?25lb\x1b[ qc"),
			    "abc"); /* private parameter, intermediate */
	/* Cut short: by a control, a newline, a UTF-8 lead, another ESC, the end. */
	assert_string_equal(filt("\x1b[12\x07x"), "??x");
	assert_string_equal(filt("\x1b[3\n"), "?\n");
	assert_string_equal(filt("\x1b[1\xc3\xa9"), "?\xc3\xa9");
	assert_string_equal(filt("\x1b[1\x1b[2m!"), "?!");
	assert_string_equal(filt("x\x1b["), "x?");
	assert_string_equal(filt("x\x1b"), "x?");
	/* ESC without '[' is a '?', and what follows is read as text. */
	assert_string_equal(filt("\x1bM\x1b"
				 "7"),
			    "?M?7");
	/* At most CONFILTER_CSI_MAX parameter bytes: one more cuts it, and shows. */
	assert_string_equal(filt("\x1b[0123456789;;;;;;m."), ".");
	assert_string_equal(filt("\x1b[0123456789;;;;;;;m."), "?;m.");
	/* Across writes, one byte at a time (the emulated UART), as a whole. */
	{
		struct confilter f;
		const char *in = "a\x1b[33mb";
		u8 out[16];
		size_t len = 0;

		confilter_init(&f);
		for (size_t i = 0; in[i]; i++)
			len += run_from(&f, (const u8 *)in + i, 1, out + len, false);
		assert_int_equal(len, 2);
		assert_memory_equal(out, "ab", 2);
	}
}

static void test_c1_bytes(void **state)
{
	(void)state;
	/* 8-bit C1 controls are not UTF-8 at all: lone continuation bytes. */
	for (int b = 0x80; b < 0xa0; b++) {
		char s[2] = { (char)b, 0 };
		assert_string_equal(filt(s), "?");
	}
	assert_string_equal(filt("\x9b\x32\x4a"), "?2J");     /* CSI 2 J */
	assert_string_equal(filt("\x9d\x30;t\x9c"), "?0;t?"); /* OSC 0 ; t ST */
	/* The rest of the continuation bytes, alone, too. */
	for (int b = 0xa0; b < 0xc0; b++) {
		char s[2] = { (char)b, 0 };
		assert_string_equal(filt(s), "?");
	}
}

static void test_c1_code_points(void **state)
{
	(void)state;
	/* U+0080-U+009F as UTF-8: one '?' each. */
	for (int b = 0x80; b < 0xa0; b++) {
		char s[3] = { (char)0xc2, (char)b, 0 };
		assert_string_equal(filt(s), "?");
	}
	assert_string_equal(filt("\xc2\x9b\x32J"), "?2J");
	/* U+00A0 (no-break space) is the first printable one after them. */
	assert_string_equal(filt("\xc2\xa0"), "\xc2\xa0");
	assert_string_equal(filt("\xc2\xbf"), "\xc2\xbf");
}

static void test_bad_leads(void **state)
{
	(void)state;
	/* c0 and c1 could only start overlong forms of ASCII: each byte is '?'. */
	assert_string_equal(filt("\xc0\x80"), "??");
	assert_string_equal(filt("\xc0\xaf"), "??"); /* overlong '/' */
	assert_string_equal(filt("\xc1\xbf"), "??");
	for (int b = 0xf5; b <= 0xff; b++) {
		char s[2] = { (char)b, 0 };
		assert_string_equal(filt(s), "?");
	}
	assert_string_equal(filt("\xf8\x88\x80\x80\x80"), "?????"); /* old 5-byte form */
	assert_string_equal(filt("\xfe\xff"), "??");
}

static void test_overlong_surrogate_range(void **state)
{
	(void)state;
	/* Overlong: three bytes for what two hold, four for what three hold. */
	assert_string_equal(filt("\xe0\x80\x80"), "???");
	assert_string_equal(filt("\xe0\x9f\xbf"), "???");
	assert_string_equal(filt("\xf0\x80\x80\x80"), "????");
	assert_string_equal(filt("\xf0\x8f\xbf\xbf"), "????");
	/* The shortest forms right after them pass. */
	assert_string_equal(filt("\xe0\xa0\x80"), "\xe0\xa0\x80");	   /* U+0800 */
	assert_string_equal(filt("\xf0\x90\x80\x80"), "\xf0\x90\x80\x80"); /* U+10000 */
	/* Surrogates U+D800-U+DFFF; U+D7FF and U+E000 around them pass. */
	assert_string_equal(filt("\xed\xa0\x80"), "???");
	assert_string_equal(filt("\xed\xbf\xbf"), "???");
	assert_string_equal(filt("\xed\x9f\xbf"), "\xed\x9f\xbf");
	assert_string_equal(filt("\xee\x80\x80"), "\xee\x80\x80");
	/* Past U+10FFFF. */
	assert_string_equal(filt("\xf4\x90\x80\x80"), "????");
	assert_string_equal(filt("\xf4\x8f\xbf\xbf"), "\xf4\x8f\xbf\xbf");
}

static void test_text(void **state)
{
	(void)state;
	const char *fr = "déjà vu, garçon, élève — «ça» €5 ✓ 😀";

	assert_string_equal(filt(fr), fr);
	assert_string_equal(filt("漢字かな\n"), "漢字かな\n");
}

static void test_cut_sequences(void **state)
{
	(void)state;
	/* A sequence cut by another byte: '?' for each byte read, then the byte as usual. */
	assert_string_equal(filt("\xc3Z"), "?Z");
	assert_string_equal(filt("\xe2\x82x"), "??x");
	assert_string_equal(filt("\xf0\x9f\x98."), "???.");
	assert_string_equal(filt("\xc3\xc3\xa9"), "?\xc3\xa9"); /* cut by a new lead */
	assert_string_equal(filt("\xe2\x82\x1b"), "???");	/* ... by a control */
	assert_string_equal(filt("\xe2\x82\r"), "??");		/* ... by a dropped CR */
	/* A line that ends inside a sequence: the '\n' still ends it. */
	assert_string_equal(filt("ab\xc3\n"), "ab?\n");
	assert_string_equal(filt("ab\xf0\x9f\x98\ncd"), "ab???\ncd");
	/* The output ends inside a sequence (the partition stopped). */
	assert_string_equal(filt("end\xe2\x82"), "end??");
}

static void test_split_between_writes(void **state)
{
	(void)state;
	struct confilter f;
	u8 out[64];
	size_t n;

	/* "café" in two writes, the é cut between its bytes: nothing of it shows until whole. */
	confilter_init(&f);
	n = run_from(&f, (const u8 *)"caf\xc3", 4, out, false);
	assert_int_equal(n, 3);
	assert_memory_equal(out, "caf", 3);
	n = run_from(&f, (const u8 *)"\xa9!", 2, out, false);
	assert_int_equal(n, 3);
	assert_memory_equal(out, "\xc3\xa9!", 3);

	/* A four-byte sequence one byte a write (an emulated UART). */
	const u8 smile[] = { 0xf0, 0x9f, 0x98, 0x80 };
	for (int i = 0; i < 3; i++)
		assert_int_equal(confilter_byte(&f, smile[i], out), 0);
	assert_int_equal(confilter_byte(&f, smile[3], out), 4);
	assert_memory_equal(out, smile, 4);

	/* A copy of the state goes on the same way (the caller may retry a byte). */
	struct confilter saved;
	assert_int_equal(confilter_byte(&f, 0xe2, out), 0);
	saved = f;
	assert_int_equal(confilter_byte(&f, 0x82, out), 0);
	assert_int_equal(confilter_byte(&f, 0xac, out), 3);
	assert_memory_equal(out, "\xe2\x82\xac", 3);
	f = saved;
	assert_int_equal(confilter_byte(&f, 0x82, out), 0);
	assert_int_equal(confilter_byte(&f, 0xac, out), 3);

	/* End with nothing open writes nothing, and leaves the filter fresh. */
	assert_int_equal(confilter_end(&f, out), 0);
	assert_int_equal(confilter_byte(&f, 0xc3, out), 0);
	assert_int_equal(confilter_end(&f, out), 1);
	assert_int_equal(out[0], '?');
	assert_int_equal(confilter_byte(&f, 'x', out), 1);
	assert_int_equal(out[0], 'x');
}

static void test_char_len(void **state)
{
	(void)state;
	assert_int_equal(confilter_char_len('a'), 1);
	assert_int_equal(confilter_char_len(0x80), 1);
	assert_int_equal(confilter_char_len(0xc1), 1);
	assert_int_equal(confilter_char_len(0xc2), 2);
	assert_int_equal(confilter_char_len(0xdf), 2);
	assert_int_equal(confilter_char_len(0xe0), 3);
	assert_int_equal(confilter_char_len(0xef), 3);
	assert_int_equal(confilter_char_len(0xf0), 4);
	assert_int_equal(confilter_char_len(0xf4), 4);
	assert_int_equal(confilter_char_len(0xf5), 1);
}

/*
 * The reference: decode the code point a lead byte announces by its
 * high bits, and keep the sequence only if it is complete, as short as
 * the value allows, no surrogate, at most U+10FFFF, and not C1;
 * otherwise the lead alone becomes '?' and reading goes on at the next
 * byte.
 */
static size_t reference(const u8 *in, size_t n, u8 *out)
{
	static const u32 min_of_len[5] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t len = 0, i = 0;

	while (i < n) {
		u8 b = in[i];
		u32 l;

		if (b == 0x1b) {
			size_t j = i + 1, params = 0;

			if (j < n && in[j] == '[') {
				for (j++; j < n && in[j] >= 0x20 && in[j] <= 0x3f && params < 16;
				     j++)
					params++;
				if (j < n && in[j] >= 0x40 && in[j] <= 0x7e) {
					i = j + 1; /* whole: gone */
					continue;
				}
			}
			out[len++] = '?'; /* cut, or not a control sequence: the rest afresh */
			i = j;
			continue;
		}
		l = (b & 0xe0) == 0xc0 ? 2 : (b & 0xf0) == 0xe0 ? 3 : (b & 0xf8) == 0xf0 ? 4 : 0;
		u32 cp;
		bool ok = l && i + l <= n;

		if (b < 0x80) {
			if (b != '\r')
				out[len++] =
					b == '\n' || b == '\t' || (b >= 0x20 && b < 0x7f) ? b : '?';
			i++;
			continue;
		}
		cp = l ? b & (0x7f >> l) : 0;
		for (u32 k = 1; ok && k < l; k++) {
			ok = (in[i + k] & 0xc0) == 0x80;
			cp = cp << 6 | (in[i + k] & 0x3f);
		}
		ok = ok && cp >= min_of_len[l] && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff);
		if (!ok) {
			out[len++] = '?';
			i++;
		} else if (cp < 0xa0) {
			out[len++] = '?';
			i += l;
		} else {
			memcpy(out + len, in + i, l);
			len += l;
			i += l;
		}
	}
	return len;
}

static void check_against_reference(const u8 *in, size_t n)
{
	u8 want[32], got[32];
	size_t wn = reference(in, n, want), gn;
	struct confilter f;

	confilter_init(&f);
	gn = run_from(&f, in, n, got, true);
	if (wn != gn || memcmp(want, got, wn)) {
		print_message("input:");
		for (size_t i = 0; i < n; i++)
			print_message(" %02x", in[i]);
		print_message("\n");
	}
	assert_int_equal(gn, wn);
	assert_memory_equal(got, want, wn);
}

static void test_every_short_string(void **state)
{
	(void)state;
	u8 in[4];

	for (unsigned a = 0; a < 256; a++) {
		in[0] = (u8)a;
		check_against_reference(in, 1);
		for (unsigned b = 0; b < 256; b++) {
			in[1] = (u8)b;
			check_against_reference(in, 2);
			if (a < 0xc0 || (b & 0xc0) != 0x80)
				continue; /* a third byte adds nothing new */
			for (unsigned c = 0; c < 256; c++) {
				in[2] = (u8)c;
				check_against_reference(in, 3);
				if (a < 0xf0 || a > 0xf4 || (c & 0xc0) != 0x80)
					continue;
				for (unsigned d = 0; d < 256; d++) {
					in[3] = (u8)d;
					check_against_reference(in, 4);
				}
			}
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ascii),
		cmocka_unit_test(test_c0_and_del),
		cmocka_unit_test(test_control_sequences),
		cmocka_unit_test(test_c1_bytes),
		cmocka_unit_test(test_c1_code_points),
		cmocka_unit_test(test_bad_leads),
		cmocka_unit_test(test_overlong_surrogate_range),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_cut_sequences),
		cmocka_unit_test(test_split_between_writes),
		cmocka_unit_test(test_char_len),
		cmocka_unit_test(test_every_short_string),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
