/*
 * The console filter: what a partition's output bytes become before
 * the console shows them.  A guest must not drive the terminal (move
 * the cursor, clear the screen, start an escape sequence, retitle the
 * window) nor start a row that looks like the hypervisor's, yet text in
 * French or any other language should print as written.  So the filter
 * reads the bytes as UTF-8 and lets through only printable ASCII, tab,
 * and well-formed UTF-8 sequences of printable code points:
 *
 * - '\n' is passed on (it ends the line), '\r' is dropped;
 * - an ANSI control sequence (ESC '[', up to CONFILTER_CSI_MAX parameter
 *   and intermediate bytes 0x20-0x3f, a final byte 0x40-0x7e) is dropped
 *   whole: colours, cursor moves and a shell's "where is the cursor"
 *   (ESC [ 6 n) do nothing and leave no trace.  One cut short by another
 *   byte, or too long, becomes one '?', and that byte is read afresh;
 *   ESC followed by anything but '[' is '?' too;
 * - the other C0 controls (0x00-0x1f but tab) and DEL (0x7f) become '?';
 * - every byte that is not part of a well-formed sequence becomes '?':
 *   a lone continuation byte (0x80-0xbf), the never-valid leads 0xc0,
 *   0xc1 and 0xf5-0xff, an overlong form, a surrogate (U+D800-U+DFFF),
 *   a code point past U+10FFFF, a sequence cut short by another byte;
 * - the C1 controls U+0080-U+009F, written as c2 80 .. c2 9f, become one
 *   '?' each (some terminals obey them as 8-bit controls: c2 9b is CSI).
 *
 * A sequence may come in pieces (one UART byte at a time, or split
 * across two writes): the state in struct confilter carries it over.
 * Pure logic, unit-tested in tests/unit/test_confilter.c.
 */
#ifndef KERNEL_CONFILTER_H
#define KERNEL_CONFILTER_H

#include "lib/types.h"

/* The most bytes one call can hand out: three of a cut sequence and the byte that cut it. */
#define CONFILTER_OUT_MAX 4
/* The most parameter and intermediate bytes of a control sequence that is dropped. */
#define CONFILTER_CSI_MAX 16
/* What the console shows in place of a byte or code point it refuses. */
#define CONFILTER_REPLACEMENT '?'

struct confilter {
	u8 seq[4]; /* the UTF-8 sequence being read */
	u8 have;   /* bytes of it so far; 0 between sequences */
	u8 need;   /* its length, from its lead byte */
	u8 esc;	   /* 0; 1 after ESC; 2 + bytes so far after ESC '[' */
};

static inline void confilter_init(struct confilter *f)
{
	*f = (struct confilter){ .have = 0 };
}

/*
 * Feed one byte of output.  Writes what can be decided now to out (at
 * most CONFILTER_OUT_MAX bytes, '\n' only as the last) and returns how
 * many; 0 while a sequence is still open, or for a dropped '\r'.
 */
u32 confilter_byte(struct confilter *f, u8 b, u8 *out);

/*
 * The output ends here (the partition stops): the bytes of a sequence
 * still open become '?' each.  Returns how many were written to out.
 */
u32 confilter_end(struct confilter *f, u8 *out);

/*
 * In filtered text, how many bytes the character that starts with byte
 * b takes (1 for ASCII, 2 to 4 for a UTF-8 lead byte).  A stray byte
 * counts as 1, so a reader of unfiltered text always moves on.
 */
static inline u32 confilter_char_len(u8 b)
{
	if (b >= 0xc2 && b <= 0xdf)
		return 2;
	if (b >= 0xe0 && b <= 0xef)
		return 3;
	if (b >= 0xf0 && b <= 0xf4)
		return 4;
	return 1;
}

#endif
