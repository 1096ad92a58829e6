/*
 * The console filter (confilter.h): a byte-at-a-time UTF-8 reader that
 * passes printable text, drops ANSI control sequences whole, and turns
 * everything else into '?'.  The ranges
 * of well-formed sequences are those of the Unicode Standard, §3.9,
 * table 3-7 (also RFC 3629 §4); the C0 and C1 control sets, and the form
 * of a control sequence, are those of ECMA-48 §5.
 */
#include "kernel/confilter.h"

#define DEL 0x7f
#define ESC 0x1b

/*
 * The bytes that may follow a lead byte as its first continuation:
 * narrower than 0x80-0xbf for four leads, which shuts out overlong
 * forms (e0, f0), surrogates (ed) and code points past U+10FFFF (f4).
 */
static bool first_cont_ok(u8 lead, u8 b)
{
	switch (lead) {
	case 0xe0:
		return b >= 0xa0 && b <= 0xbf;
	case 0xed:
		return b >= 0x80 && b <= 0x9f;
	case 0xf0:
		return b >= 0x90 && b <= 0xbf;
	case 0xf4:
		return b >= 0x80 && b <= 0x8f;
	default:
		return b >= 0x80 && b <= 0xbf;
	}
}

static bool cont_ok(const struct confilter *f, u8 b)
{
	return f->have == 1 ? first_cont_ok(f->seq[0], b) : b >= 0x80 && b <= 0xbf;
}

/* U+0080-U+009F, the C1 controls, as UTF-8: c2 80 .. c2 9f. */
static bool is_c1(const struct confilter *f)
{
	return f->need == 2 && f->seq[0] == 0xc2 && f->seq[1] < 0xa0;
}

/* Write a '?' for each byte of the open sequence and close it. */
static u32 cut(struct confilter *f, u8 *out)
{
	u32 n = f->have;

	for (u32 i = 0; i < n; i++)
		out[i] = CONFILTER_REPLACEMENT;
	f->have = f->need = 0;
	return n;
}

/*
 * Within an escape sequence (f->esc): ESC then '[' opens a control
 * sequence, whose parameter and intermediate bytes (0x20-0x3f) and final
 * byte (0x40-0x7e) are dropped with it.  True when b was taken so;
 * false when b ends the sequence without belonging to it: the sequence
 * is then one '?' in out[0], and b is read afresh.
 */
static bool in_escape(struct confilter *f, u8 b, u8 *out)
{
	if (f->esc == 1 && b == '[') {
		f->esc = 2;
		return true;
	}
	if (f->esc >= 2 && b >= 0x20 && b <= 0x3f && f->esc < 2 + CONFILTER_CSI_MAX) {
		f->esc++;
		return true;
	}
	if (f->esc >= 2 && b >= 0x40 && b <= 0x7e) {
		f->esc = 0; /* the final byte: the sequence is dropped whole */
		return true;
	}
	f->esc = 0;
	out[0] = CONFILTER_REPLACEMENT;
	return false;
}

u32 confilter_byte(struct confilter *f, u8 b, u8 *out)
{
	u32 n = 0;

	if (f->esc) {
		if (in_escape(f, b, out))
			return 0;
		n = 1;
	}
	if (f->have) {
		if (cont_ok(f, b)) {
			f->seq[f->have++] = b;
			if (f->have < f->need)
				return 0;
			if (is_c1(f)) {
				out[0] = CONFILTER_REPLACEMENT;
				n = 1;
			} else {
				for (; n < f->have; n++)
					out[n] = f->seq[n];
			}
			f->have = f->need = 0;
			return n;
		}
		n = cut(f, out); /* b did not belong to it: b starts afresh */
	}
	if (b < 0x80) {
		if (b == '\r')
			return n;
		if (b == ESC) {
			f->esc = 1;
			return n;
		}
		out[n++] = b == '\n' || b == '\t' || (b >= 0x20 && b != DEL)
				   ? b
				   : CONFILTER_REPLACEMENT;
		return n;
	}
	if (confilter_char_len(b) == 1) { /* a continuation byte, c0, c1 or f5-ff */
		out[n++] = CONFILTER_REPLACEMENT;
		return n;
	}
	f->seq[0] = b;
	f->have = 1;
	f->need = (u8)confilter_char_len(b);
	return n;
}

u32 confilter_end(struct confilter *f, u8 *out)
{
	if (f->esc) {
		f->esc = 0;
		out[0] = CONFILTER_REPLACEMENT; /* no other sequence is open with it */
		return 1;
	}
	return cut(f, out);
}
