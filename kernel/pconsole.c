/*
 * Partition console: line assembly, and the kernel side of the console
 * multiplexer.  Every byte first goes through the console filter
 * (kernel/confilter.c: printable ASCII, tab and well-formed UTF-8 pass,
 * '\r' is dropped, anything else becomes '?'), so a guest can neither
 * move the terminal's cursor over the hypervisor's lines nor send it
 * escape sequences.  A line is handed on when the guest sends '\n',
 * when it is full (PCONSOLE_LINE) and more text comes, or when the
 * partition stops.  A UTF-8 sequence is never split between lines: the
 * filter hands it on whole.  While the guest waits (pconsole_idle), the
 * unfinished line of the partition that has the focus shows as the
 * console's open line: its prompt, and what is typed after it.
 * The multiplexer itself (kernel/conmux.c) is pure; here it gets the
 * clock (time_ns), the history frames and one lock for its shared
 * state (ports and focus).
 */
#include "kernel/pconsole.h"
#include "drivers/timer.h"
#include "kernel/console.h"
#include "kernel/memory.h"
#include "kernel/paging.h"
#include "lib/lib.h"
#include "lib/spinlock.h"

#define HISTORY_FRAMES (CONMUX_HISTORY_BYTES / FRAME_SIZE)

static struct conmux mux;
static struct spinlock mux_lock = SPINLOCK_INIT;

/*
 * The multiplexer's state is shared by every CPU.  Whatever may print
 * hypervisor lines there (a drop report, a focus line) enters with the
 * console hold first, then mux_lock (the order of kernel/console.h), so
 * that those lines never wait for another CPU's block while mux_lock is
 * held.  A partition's line takes mux_lock alone (emit_line): the
 * multiplexer then only tries the hold, and refuses the line for now if
 * another CPU has it.
 */
static u64 mux_enter(void)
{
	console_hold();
	return spin_lock_irqsave(&mux_lock);
}

static void mux_leave(u64 flags)
{
	spin_unlock_irqrestore(&mux_lock, flags);
	console_release();
}

void pconsole_setup(bool colour, u32 width)
{
	conmux_init(&mux, colour, width);
}

u32 pconsole_attached(void)
{
	u32 n = 0;
	u64 flags = spin_lock_irqsave(&mux_lock);

	for (u32 i = 0; i < CONMUX_MAX_PORTS; i++)
		n += mux.ports[i] != NULL;
	spin_unlock_irqrestore(&mux_lock, flags);
	return n;
}

int pconsole_init(struct pconsole *c, const char *name)
{
	u64 phys;

	memset(c, 0, sizeof(*c));
	c->name = name;
	confilter_init(&c->filter);
	spsc_init(&c->input, c->input_buf, PCONSOLE_INPUT);
	phys = frame_alloc_run(&frames, HISTORY_FRAMES, FRAME_SIZE);
	if (!phys)
		return -ENOMEM;
	c->history = phys_to_virt(phys);
	memset(c->history, 0, CONMUX_HISTORY_BYTES);
	return 0;
}

void pconsole_start(struct pconsole *c, u32 slot)
{
	u64 flags = mux_enter();

	conmux_attach(&mux, slot, &c->port, c->name, c, c->history, CONMUX_HISTORY_BYTES,
		      time_ns());
	mux_leave(flags);
}

void pconsole_close(struct pconsole *c)
{
	if (c->port.live) {
		u64 flags = mux_enter();
		conmux_detach(&mux, &c->port);
		mux_leave(flags);
	}
	if (c->history) {
		/* It held the partition's output: nothing of it goes to the next owner. */
		memset(c->history, 0, CONMUX_HISTORY_BYTES);
		frame_free(&frames, virt_to_phys(c->history), HISTORY_FRAMES);
		c->history = NULL;
	}
}

/*
 * Hand the line collected so far to the multiplexer, even when empty.
 * Never waits: false (the line stays) when the console has no room for
 * it, or another CPU holds the console for a block of its own.
 */
static bool emit_line(struct pconsole *c)
{
	/*
	 * mux_lock without the hold first: conmux_line() only tries the hold,
	 * so it never waits under mux_lock for another CPU's block.
	 */
	u64 flags = spin_lock_irqsave(&mux_lock);
	bool taken = conmux_line(&mux, &c->port, c->line, c->len, time_ns());

	spin_unlock_irqrestore(&mux_lock, flags);
	if (taken)
		c->len = 0;
	return taken;
}

/* Add the filter's output for one line to the line; the caller made room. */
static void append(struct pconsole *c, const u8 *text, u32 n)
{
	memcpy(c->line + c->len, text, n);
	c->len += n;
}

/*
 * Within the multiplexer, at a stop: show the line collected so far if
 * the console has room for it now, else count its bytes as dropped.
 * There is no later in which to write it again, and waiting for the
 * UART here would hold the multiplexer and this CPU.
 */
static void flush_line(struct pconsole *c)
{
	if (!conmux_line(&mux, &c->port, c->line, c->len, time_ns()))
		conmux_drop_line(&c->port, c->len);
	c->len = 0;
}

void pconsole_flush(struct pconsole *c)
{
	u8 out[CONFILTER_OUT_MAX];
	u32 n;
	u64 flags, mux_flags;

	console_hold(); /* the hold before c->lock: waits for another CPU's block at most */
	flags = spin_lock_irqsave(&c->lock);
	mux_flags = mux_enter(); /* a nested hold, then mux_lock; never waits for the UART */
	n = confilter_end(&c->filter, out);
	if (n && c->len >= PCONSOLE_LINE)
		flush_line(c);
	append(c, out, n);
	if (c->len)
		flush_line(c);
	conmux_report_drops(&c->port);
	mux_leave(mux_flags);
	spin_unlock_irqrestore(&c->lock, flags);
	console_release();
}

/*
 * Take one byte through the filter into the line, handing the line on
 * when it is full or ends.  False when the console cannot take a line
 * that must go first: then nothing of b is taken (the filter and the
 * line are as before), so the same byte can come again.
 */
static bool take(struct pconsole *c, u8 b)
{
	struct confilter f = c->filter;
	u8 out[CONFILTER_OUT_MAX];
	u32 n = confilter_byte(&f, b, out), len;
	bool end = n && out[n - 1] == '\n';

	if (end)
		n--;
	/* A full line goes out before more text: a line of exactly PCONSOLE_LINE is one. */
	if (n && c->len >= PCONSOLE_LINE && !emit_line(c))
		return false;
	len = c->len;
	append(c, out, n);
	if (end && !emit_line(c)) {
		c->len = len;
		return false;
	}
	c->filter = f;
	return true;
}

u64 pconsole_write(struct pconsole *c, const u8 *buf, u64 len)
{
	u64 flags = spin_lock_irqsave(&c->lock), i;

	for (i = 0; i < len; i++)
		if (!take(c, buf[i]))
			break; /* the line waits in c->line; buf[i] is not taken */
	spin_unlock_irqrestore(&c->lock, flags);
	return i;
}

bool pconsole_write_ready(struct pconsole *c)
{
	u64 flags = spin_lock_irqsave(&c->lock);
	/* The next byte may end the line, or add one to it (a cut UTF-8 sequence: up to four). */
	bool ready = conmux_has_room(&mux, &c->port, c->line, c->len, CONFILTER_OUT_MAX);

	spin_unlock_irqrestore(&c->lock, flags);
	return ready;
}

void pconsole_idle(struct pconsole *c)
{
	u64 flags, mux_flags;

	if (!__atomic_load_n(&c->len, __ATOMIC_RELAXED)) /* a hint: the common case, at no cost */
		return;
	flags = spin_lock_irqsave(&c->lock);
	/* mux_lock without the hold: conmux_partial() only tries it, as emit_line(). */
	mux_flags = spin_lock_irqsave(&mux_lock);
	conmux_partial(&mux, &c->port, c->line, c->len, time_ns());
	spin_unlock_irqrestore(&mux_lock, mux_flags);
	spin_unlock_irqrestore(&c->lock, flags);
}

struct pconsole *pconsole_input(u8 byte)
{
	u64 flags = mux_enter();
	struct pconsole *c = conmux_input(&mux, byte, time_ns());
	struct conmux_port *focus = conmux_focus(&mux);

	if (c)
		spsc_push(&c->input, byte); /* full: the byte is dropped */
	mux_leave(flags);
	/*
	 * The hot key: the newly focused partition may be waiting at a prompt.
	 * (Consoles live in the partition table: the pointer stays good, and a
	 * console that has stopped since is no longer the focus.)
	 */
	if (byte == CONMUX_HOTKEY && focus)
		pconsole_idle(focus->owner);
	return c;
}

bool pconsole_has_input(const struct pconsole *c)
{
	return spsc_ready(&c->input);
}

int pconsole_pop_input(struct pconsole *c)
{
	u64 flags = spin_lock_irqsave(&c->lock); /* one reader at a time: the vCPUs take turns */
	int b = spsc_pop(&c->input);

	spin_unlock_irqrestore(&c->lock, flags);
	return b;
}
