/*
 * The console filter (confilter.h): a byte-at-a-time UTF-8 reader that
 * passes printable text and turns everything else into '?'.  The ranges
 * of well-formed sequences are those of the Unicode Standard, §3.9,
 * table 3-7 (also RFC 3629 §4); the C0 and C1 control sets are those of
 * ECMA-48 §5.
 */
#include "kernel/confilter.h"

#define DEL 0x7f

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

u32 confilter_byte(struct confilter *f, u8 b, u8 *out)
{
	u32 n = 0;

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
	return cut(f, out);
}
