/*
 * The console multiplexer: the pure logic that shares one serial line
 * between the hypervisor and every partition.  It prints a partition's
 * finished lines as "[<name>] <text>" (the tag optionally in an ANSI
 * colour), broken into rows that each start with the tag and fit the
 * terminal's width, keeps them in the partition's history ring, holds
 * each partition to its own output rate, and decides which partition
 * gets the bytes typed on the console (the input focus, moved by a hot
 * key), answering a line typed while the hypervisor has it.
 * It takes time and memory from its caller, so the host unit tests run
 * it as it is; kernel/pconsole.c is the glue to the rest of the kernel.
 * docs/console.md describes what users see.
 */
#ifndef KERNEL_CONMUX_H
#define KERNEL_CONMUX_H

#include "lib/types.h"

/* Ctrl-]: the byte a terminal sends for it, as telnet and QEMU's monitor use it. */
#define CONMUX_HOTKEY 0x1d

/*
 * While the hypervisor has the focus, a line typed to it gets one answer
 * at its end, so that whoever types learns where the input went; at most
 * one every CONMUX_ANSWER_NS, so that a paste or a key held down cannot
 * flood the console.  The second answer is for when no partition runs.
 */
#define CONMUX_ANSWER_NS 1000000000ull
#define CONMUX_ANSWER "no shell here yet; press Ctrl-] to give the input focus to a partition"
#define CONMUX_ANSWER_ALONE "no shell here yet, and no partition is running to take the input focus"

/* Each partition may print 8 KiB/s, with bursts up to 16 KiB (docs/console.md says why). */
#define CONMUX_RATE_BPS 8192
#define CONMUX_BURST KiB(16)

/*
 * While a partition floods, its drops are reported at most once a
 * second (and when it stops): a report before every line that passes
 * would add about 2 KiB/s of reports to the flooder's 8 KiB/s.
 */
#define CONMUX_REPORT_NS 1000000000ull

/*
 * A partition's line is taken only while the console's output ring has
 * room for it (its text, and for each of its rows the tag, colour
 * escapes and CR LF: LINE_EXTRA more than the name) and RESERVE more,
 * kept for the hypervisor's lines.  It never waits for room: the guest
 * writes the line again later.
 */
#define CONMUX_LINE_EXTRA 16
#define CONMUX_RESERVE KiB(4)

/* History ring per partition: 16 frames. */
#define CONMUX_HISTORY_BYTES KiB(64)
/* The longest line the history keeps, newline included. */
#define CONMUX_HISTORY_LINE 256

#define CONMUX_MAX_PORTS 64
#define CONMUX_FOCUS_HYPERVISOR (-1)
#define CONMUX_FOCUS_UNSET (-2) /* nobody attached yet */

/*
 * Token bucket.  Tokens are counted in byte-nanoseconds per second
 * (one byte = 10^9 units), so refill is exact integer arithmetic.
 */
struct conmux_bucket {
	u64 rate;   /* bytes per second */
	u64 burst;  /* bytes */
	u64 tokens; /* bytes * 10^9 */
	u64 last_ns;
};

void conmux_bucket_init(struct conmux_bucket *b, u64 rate, u64 burst, u64 now_ns);
/* Take n bytes' worth at now_ns: true if they fit (and are taken), false if not (none taken). */
bool conmux_bucket_take(struct conmux_bucket *b, u64 n, u64 now_ns);
/* Give back n bytes taken for a line that was not shown after all. */
void conmux_bucket_put_back(struct conmux_bucket *b, u64 n);
/* Whole bytes available at the last refill. */
u64 conmux_bucket_bytes(const struct conmux_bucket *b);

/*
 * History: a ring of whole lines, each stored as its text and '\n'.
 * When a new line does not fit, the oldest whole lines make room.
 */
struct conmux_history {
	u8 *buf;
	u32 size;
	u32 tail; /* oldest byte */
	u32 used;
};

void conmux_history_init(struct conmux_history *h, u8 *buf, u32 size);
/* Append one line (text without '\n'); false if it is longer than the ring or the line limit. */
bool conmux_history_append(struct conmux_history *h, const char *text, u32 len);
/* Bytes held, the newlines included. */
u32 conmux_history_bytes(const struct conmux_history *h);
/* Call fn for every line held, oldest first, with its text (no '\n', NUL-terminated). */
void conmux_history_replay(const struct conmux_history *h,
			   void (*fn)(void *ctx, const char *text, u32 len), void *ctx);

/* One partition's end of the multiplexer. */
struct conmux_port {
	const char *name;
	void *owner; /* the caller's object, handed back by conmux_input() */
	u8 colour;   /* ANSI SGR colour code of the tag */
	bool live;   /* attached: prints and may have the focus */
	struct conmux_bucket bucket;
	struct conmux_history history;
	u64 dropped;	   /* bytes dropped by the rate limit since the last report */
	u64 dropped_full;  /* bytes dropped at a stop, the console full, not yet reported */
	u64 dropped_total; /* bytes dropped since attach, for either reason */
	u64 report_ns;	   /* no drop report before this time, but at a stop */
	u64 open;	   /* ticket of the console's open line showing this line, or 0 */
	u32 shown;	   /* bytes of the unfinished line that the open line shows */
};

/*
 * The terminal's width in columns (console_width=, kernel/options.h):
 * every row a partition's line is printed in, tag included, fits in it.
 */
#define CONMUX_WIDTH_DEFAULT 80

struct conmux {
	bool colour;
	u32 width; /* columns of a row, the tag included */
	int focus; /* port slot, CONMUX_FOCUS_HYPERVISOR, or CONMUX_FOCUS_UNSET */
	struct conmux_port *ports[CONMUX_MAX_PORTS];
	u64 answer_ns; /* no answer to a typed line before this time */
};

void conmux_init(struct conmux *m, bool colour, u32 width);
/*
 * Put port in slot (0-based, the partition id - 1) and make it live,
 * its bucket full at now_ns.  The history buffer may be NULL (no
 * history).  The first port attached while nobody has chosen a focus
 * gets the focus, as the first partition had the input before.
 */
void conmux_attach(struct conmux *m, u32 slot, struct conmux_port *port, const char *name,
		   void *owner, u8 *history, u32 history_size, u64 now_ns);
/* Report pending drops, take the port out; a focused port passes the focus on. */
void conmux_detach(struct conmux *m, struct conmux_port *port);
/*
 * One finished line of the port's output (text without '\n'), printed
 * in rows of at most m->width columns that each start with the tag, so
 * that a terminal of that width never wraps it (the second half of a
 * wrapped line would start a row without the tag, maybe with a forged
 * "cloison: ").  Columns are counted as a terminal would at worst:
 * printable ASCII 1, a tab up to the next multiple of 8, any other
 * character (filtered text is UTF-8, kernel/confilter.h) 2, as wide
 * characters take; a UTF-8 sequence is never split.  The rows come out
 * under one console hold; the history keeps the line whole and the rate
 * limit counts its bytes.  Returns
 * true when it is done with: shown, or dropped by the rate limit.  When
 * the console's output ring is nearly full (console_room()), or another
 * CPU holds the console for a block of its own (console_try_hold()),
 * false: the line is left to the caller, nothing is taken from the
 * bucket, and the guest's write stops there, to be made again.  A
 * partition's line never waits, neither for the UART nor for another
 * CPU; a line the rate limit drops does not even need the console.  A line shown comes after the
 * report of the bytes dropped before it, unless the last report is less than CONMUX_REPORT_NS old.
 */
bool conmux_line(struct conmux *m, struct conmux_port *port, const char *text, u32 len, u64 now_ns);
/* How many bytes of the console's output ring printing this line takes. */
u64 conmux_line_cost(const struct conmux *m, const struct conmux_port *port, const char *text,
		     u32 len);
/*
 * Would conmux_line() take this line now, were up to more bytes added
 * to it first?  (A hint, from console_room(): the emulated UART says
 * "busy" to a guest that polls it while the answer is no.)
 */
bool conmux_has_room(const struct conmux *m, const struct conmux_port *port, const char *text,
		     u32 len, u32 more);
/*
 * The focused port's unfinished line, text[0..len), shown now without
 * its newline as the console's open line (console_open_line), so that a
 * prompt, and what is typed after it, show before Enter.  The caller
 * calls it when the guest waits (for input, or for time), not at every
 * byte.  Only what came since the last call is written, unless other
 * output ended the open line meanwhile: then the whole of it starts
 * again on a row of its own, with its tag.  Nothing is shown unless the
 * port has the focus, the line fits in one row with its tag, the console
 * has room and nobody else holds it, and the rate limit has the bytes
 * (it counts them on top of the finished line's).  conmux_line() then
 * only adds the rest and the newline, or, if the open line was ended,
 * prints the line whole as always.
 */
void conmux_partial(struct conmux *m, struct conmux_port *port, const char *text, u32 len,
		    u64 now_ns);
/*
 * A line the console could not take when there was no later to write it
 * in (the partition stops): its bytes are counted as dropped, to be
 * reported.
 */
void conmux_drop_line(struct conmux_port *port, u32 len);
/*
 * Print the drop reports now if bytes were dropped since the last one,
 * whenever the last one was: for a stop, a crash or a restart.
 */
void conmux_report_drops(struct conmux_port *port);
/*
 * One byte typed on the console at now_ns.  The hot key moves the focus
 * (and prints it) and returns NULL; any other byte returns the owner of
 * the focused port, to which it belongs unchanged, or NULL when the
 * hypervisor has the focus.  Then the byte goes to nobody, and the end
 * of a line ('\r' or '\n') is answered with CONMUX_ANSWER (or
 * CONMUX_ANSWER_ALONE), unless the last answer is less than
 * CONMUX_ANSWER_NS old (so the CR LF of one Enter gets one answer).
 */
void *conmux_input(struct conmux *m, u8 byte, u64 now_ns);
/* Move the focus on as the hot key does, and print where it went. */
void conmux_cycle_focus(struct conmux *m);
/* The focused port, or NULL for the hypervisor. */
struct conmux_port *conmux_focus(const struct conmux *m);

#endif
