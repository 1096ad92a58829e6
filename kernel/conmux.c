/*
 * The console multiplexer's logic (see conmux.h): output tagging,
 * colour and rows, the per-partition token bucket and history ring, and
 * the input focus, with the answer to a line typed to the hypervisor.
 * Nothing here touches hardware, reads a clock or allocates: time,
 * buffers and locking come from the caller
 * (kernel/pconsole.c), which is what lets tests/unit/test_conmux.c run
 * this file on the host.  Output goes through kprintf() and klog().
 */
#include "kernel/conmux.h"
#include "kernel/confilter.h"
#include "kernel/console.h"
#include "lib/format.h"
#include "lib/lib.h"

#define NS_PER_S 1000000000ull
#define CONMUX_TAG_MAX 64 /* a tag with its colour escapes: a name of up to 40 bytes */

/*
 * Tag colours, picked by slot: the six plain ANSI foreground colours
 * but red (kept for trouble), then their bright variants.
 */
static const u8 palette[] = { 36, 32, 33, 35, 34, 96, 92, 93, 95, 94 };

void conmux_bucket_init(struct conmux_bucket *b, u64 rate, u64 burst, u64 now_ns)
{
	b->rate = rate;
	b->burst = burst;
	b->tokens = burst * NS_PER_S;
	b->last_ns = now_ns;
}

static void refill(struct conmux_bucket *b, u64 now_ns)
{
	u64 full = b->burst * NS_PER_S, dt;

	if (now_ns <= b->last_ns) /* a clock that stands or steps back adds nothing */
		return;
	dt = now_ns - b->last_ns;
	b->last_ns = now_ns;
	if (!b->rate)
		return;
	/* Below full / rate, dt * rate < full: no overflow. */
	if (dt >= full / b->rate)
		b->tokens = full;
	else
		b->tokens = MIN(full, b->tokens + dt * b->rate);
}

bool conmux_bucket_take(struct conmux_bucket *b, u64 n, u64 now_ns)
{
	refill(b, now_ns);
	if (n > b->burst || b->tokens < n * NS_PER_S)
		return false;
	b->tokens -= n * NS_PER_S;
	return true;
}

void conmux_bucket_put_back(struct conmux_bucket *b, u64 n)
{
	b->tokens = MIN(b->burst * NS_PER_S, b->tokens + n * NS_PER_S);
}

u64 conmux_bucket_bytes(const struct conmux_bucket *b)
{
	return b->tokens / NS_PER_S;
}

void conmux_history_init(struct conmux_history *h, u8 *buf, u32 size)
{
	h->buf = buf;
	h->size = buf ? size : 0;
	h->tail = 0;
	h->used = 0;
}

/* Forget the oldest line, newline included. */
static void drop_oldest(struct conmux_history *h)
{
	u8 b;

	do {
		b = h->buf[h->tail];
		h->tail = (h->tail + 1) % h->size;
		h->used--;
	} while (b != '\n' && h->used);
}

bool conmux_history_append(struct conmux_history *h, const char *text, u32 len)
{
	u32 n = len + 1, at;

	if (!h->size || len >= CONMUX_HISTORY_LINE || n > h->size)
		return false;
	while (h->used + n > h->size)
		drop_oldest(h);
	at = (h->tail + h->used) % h->size;
	for (u32 i = 0; i < n; i++)
		h->buf[(at + i) % h->size] = i < len ? (u8)text[i] : '\n';
	h->used += n;
	return true;
}

u32 conmux_history_bytes(const struct conmux_history *h)
{
	return h->used;
}

void conmux_history_replay(const struct conmux_history *h,
			   void (*fn)(void *ctx, const char *text, u32 len), void *ctx)
{
	char line[CONMUX_HISTORY_LINE];
	u32 len = 0;

	for (u32 i = 0; i < h->used; i++) {
		u8 b = h->buf[(h->tail + i) % h->size];
		if (b == '\n') {
			line[len] = '\0';
			fn(ctx, line, len);
			len = 0;
		} else if (len < sizeof(line) - 1) {
			line[len++] = (char)b;
		}
	}
}

void conmux_init(struct conmux *m, bool colour, u32 width)
{
	*m = (struct conmux){ .colour = colour, .width = width, .focus = CONMUX_FOCUS_UNSET };
}

void conmux_attach(struct conmux *m, u32 slot, struct conmux_port *port, const char *name,
		   void *owner, u8 *history, u32 history_size, u64 now_ns)
{
	if (slot >= CONMUX_MAX_PORTS)
		return;
	*port = (struct conmux_port){
		.name = name,
		.owner = owner,
		.colour = palette[slot % sizeof(palette)],
		.live = true,
	};
	conmux_bucket_init(&port->bucket, CONMUX_RATE_BPS, CONMUX_BURST, now_ns);
	conmux_history_init(&port->history, history, history_size);
	m->ports[slot] = port;
	if (m->focus == CONMUX_FOCUS_UNSET)
		m->focus = (int)slot;
}

void conmux_report_drops(struct conmux_port *port)
{
	if (port->dropped)
		klog("partition %s: dropped %llu bytes of console output (rate limit)", port->name,
		     (unsigned long long)port->dropped);
	if (port->dropped_full)
		klog("partition %s: dropped %llu bytes of console output (console full)",
		     port->name, (unsigned long long)port->dropped_full);
	port->dropped = port->dropped_full = 0;
}

void conmux_drop_line(struct conmux_port *port, u32 len)
{
	port->dropped_full += (u64)len + 1;
	port->dropped_total += (u64)len + 1;
}

/* Columns of the tag "[<name>] " on the terminal; its colour escapes take none. */
static u32 tag_cols(const struct conmux_port *port)
{
	return (u32)strlen(port->name) + 3;
}

/*
 * Where the row that starts at text[from] ends: as many characters as
 * fit in the row after the tag, and at least one, so that every row
 * moves on.  A terminal puts a tab's stops every 8 columns from the
 * row's start, the tag included.
 */
static u32 row_end(const struct conmux *m, u32 tag, const char *text, u32 len, u32 from)
{
	u32 col = tag;

	while (from < len) {
		u8 b = (u8)text[from];
		u32 w = b == '\t' ? 8 - col % 8 : b < 0x80 ? 1 : 2;

		if (col + w > m->width && col > tag)
			break;
		col += w;
		from += MIN(confilter_char_len(b), len - from);
	}
	return from;
}

static u32 rows(const struct conmux *m, const struct conmux_port *port, const char *text, u32 len)
{
	u32 n = 0, at = 0, tag = tag_cols(port);

	do {
		at = row_end(m, tag, text, len, at);
		n++;
	} while (at < len);
	return n;
}

u64 conmux_line_cost(const struct conmux *m, const struct conmux_port *port, const char *text,
		     u32 len)
{
	return len + (u64)rows(m, port, text, len) * (strlen(port->name) + CONMUX_LINE_EXTRA);
}

bool conmux_has_room(const struct conmux *m, const struct conmux_port *port, const char *text,
		     u32 len, u32 more)
{
	u64 need = conmux_line_cost(m, port, text, len);

	if (more) /* they may also start one more row */
		need += more + strlen(port->name) + CONMUX_LINE_EXTRA;
	return console_room() >= need + CONMUX_RESERVE;
}

/* The tag "[<name>] " that starts each of the port's rows, in its colour if colour is on. */
static void format_tag(const struct conmux *m, const struct conmux_port *port,
		       char tag[CONMUX_TAG_MAX])
{
	if (m->colour)
		format(tag, CONMUX_TAG_MAX, "\x1b[%um[%s]\x1b[0m ", port->colour, port->name);
	else
		format(tag, CONMUX_TAG_MAX, "[%s] ", port->name);
}

static void print_row(const struct conmux *m, const struct conmux_port *port, const char *text,
		      u32 len)
{
	char tag[CONMUX_TAG_MAX];

	format_tag(m, port, tag);
	kprintf("%s%.*s\n", tag, (int)len, text);
}

bool conmux_line(struct conmux *m, struct conmux_port *port, const char *text, u32 len, u64 now_ns)
{
	u32 at = 0, end, tag = tag_cols(port);

	if (!port->live)
		return true;
	if (!conmux_has_room(m, port, text, len, 0))
		return false;
	/* A line costs its text and its newline, and passes whole or not at all. */
	if (!conmux_bucket_take(&port->bucket, (u64)len + 1, now_ns)) {
		port->dropped += (u64)len + 1;
		port->dropped_total += (u64)len + 1;
		port->open = 0; /* what the open line shows of it stays, cut */
		port->shown = 0;
		return true;
	}
	/* Its rows come out together, or later: never wait for another CPU's block. */
	if (!console_try_hold()) {
		conmux_bucket_put_back(&port->bucket, (u64)len + 1);
		return false;
	}
	if (port->dropped && now_ns >= port->report_ns) {
		conmux_report_drops(port);
		port->report_ns = now_ns + CONMUX_REPORT_NS;
	}
	conmux_history_append(&port->history, text, len);
	if (console_line_open(port->open) && port->shown <= len &&
	    row_end(m, tag, text, len, 0) == len) {
		/* Its start is on the terminal already, on the open line. */
		console_open_line(
			console_open_line(port->open, text + port->shown, len - port->shown), "\n",
			1);
	} else {
		do {
			end = row_end(m, tag, text, len, at);
			print_row(m, port, text + at, end - at);
			at = end;
		} while (at < len);
	}
	console_release();
	port->open = 0;
	port->shown = 0;
	return true;
}

void conmux_partial(struct conmux *m, struct conmux_port *port, const char *text, u32 len,
		    u64 now_ns)
{
	char tag[CONMUX_TAG_MAX];
	bool more;
	u64 cost;

	if (!len || conmux_focus(m) != port || row_end(m, tag_cols(port), text, len, 0) < len)
		return;
	if (!console_try_hold())
		return;
	more = console_line_open(port->open) && port->shown <= len;
	if (more && port->shown == len) {
		console_release();
		return;
	}
	cost = more ? len - port->shown : conmux_line_cost(m, port, text, len) - 1;
	if (console_room() < cost + CONMUX_RESERVE ||
	    !conmux_bucket_take(&port->bucket, cost, now_ns)) {
		console_release();
		return;
	}
	if (!more) {
		format_tag(m, port, tag);
		port->open = console_open_line(0, tag, (u32)strlen(tag));
		port->shown = 0;
	}
	port->open = console_open_line(port->open, text + port->shown, len - port->shown);
	port->shown = len;
	console_release();
}

struct conmux_port *conmux_focus(const struct conmux *m)
{
	struct conmux_port *port = m->focus < 0 ? NULL : m->ports[m->focus];

	return port && port->live ? port : NULL;
}

/* The slot of the first live port after slot from, or -1. */
static int live_after(const struct conmux *m, int from)
{
	for (int i = from + 1; i < CONMUX_MAX_PORTS; i++)
		if (m->ports[i] && m->ports[i]->live)
			return i;
	return -1;
}

/* Give the focus to the first live port after slot from, or to the hypervisor. */
static void focus_after(struct conmux *m, int from)
{
	int i = live_after(m, from);

	if (i >= 0) {
		m->focus = i;
		klog("input focus: %s", m->ports[i]->name);
		return;
	}
	m->focus = CONMUX_FOCUS_HYPERVISOR;
	klog("input focus: hypervisor");
}

void conmux_cycle_focus(struct conmux *m)
{
	focus_after(m, m->focus < 0 ? -1 : m->focus);
}

void conmux_detach(struct conmux *m, struct conmux_port *port)
{
	conmux_report_drops(port);
	port->live = false;
	for (int i = 0; i < CONMUX_MAX_PORTS; i++) {
		if (m->ports[i] != port)
			continue;
		m->ports[i] = NULL;
		if (m->focus == i)
			focus_after(m, i);
	}
}

/* A line typed to the hypervisor has ended: say why nothing else happens, at most once a second. */
static void answer(struct conmux *m, u64 now_ns)
{
	if (now_ns < m->answer_ns)
		return;
	m->answer_ns = now_ns + CONMUX_ANSWER_NS;
	klog("%s", live_after(m, -1) >= 0 ? CONMUX_ANSWER : CONMUX_ANSWER_ALONE);
}

void *conmux_input(struct conmux *m, u8 byte, u64 now_ns)
{
	struct conmux_port *port;

	if (byte == CONMUX_HOTKEY) {
		conmux_cycle_focus(m);
		return NULL;
	}
	port = conmux_focus(m);
	if (port)
		return port->owner;
	if (byte == '\r' || byte == '\n')
		answer(m, now_ns);
	return NULL;
}
