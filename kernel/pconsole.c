/*
 * Partition console: line assembly, and the kernel side of the console
 * multiplexer.  A line is handed on when the guest sends '\n', when it
 * grows past PCONSOLE_LINE, or when the partition stops.  '\r' is
 * dropped and other control bytes except tab are shown as '?', so a
 * guest cannot move the terminal's cursor over the hypervisor's lines.
 * The multiplexer itself (kernel/conmux.c) is pure; here it gets the
 * clock (time_ns), the history frames and one lock for its shared
 * state (ports and focus).
 */
#include "kernel/pconsole.h"
#include "drivers/timer.h"
#include "kernel/lib.h"
#include "kernel/memory.h"
#include "kernel/paging.h"
#include "kernel/spinlock.h"

#define HISTORY_FRAMES (CONMUX_HISTORY_BYTES / FRAME_SIZE)

static struct conmux mux;
static struct spinlock mux_lock = SPINLOCK_INIT;

void pconsole_setup(bool colour)
{
	conmux_init(&mux, colour);
}

int pconsole_init(struct pconsole *c, const char *name)
{
	u64 phys;

	memset(c, 0, sizeof(*c));
	c->name = name;
	phys = frame_alloc_run(&frames, HISTORY_FRAMES, FRAME_SIZE);
	if (!phys)
		return -ENOMEM;
	c->history = phys_to_virt(phys);
	memset(c->history, 0, CONMUX_HISTORY_BYTES);
	return 0;
}

void pconsole_start(struct pconsole *c, u32 slot)
{
	u64 flags = spin_lock_irqsave(&mux_lock);

	conmux_attach(&mux, slot, &c->port, c->name, c, c->history, CONMUX_HISTORY_BYTES,
		      time_ns());
	spin_unlock_irqrestore(&mux_lock, flags);
}

void pconsole_close(struct pconsole *c)
{
	if (c->port.live) {
		u64 flags = spin_lock_irqsave(&mux_lock);
		conmux_detach(&mux, &c->port);
		spin_unlock_irqrestore(&mux_lock, flags);
	}
	if (c->history) {
		/* It held the partition's output: nothing of it goes to the next owner. */
		memset(c->history, 0, CONMUX_HISTORY_BYTES);
		frame_free(&frames, virt_to_phys(c->history), HISTORY_FRAMES);
		c->history = NULL;
	}
}

/* Hand the line collected so far to the multiplexer, even when empty. */
static void emit_line(struct pconsole *c)
{
	u64 flags = spin_lock_irqsave(&mux_lock);

	conmux_line(&mux, &c->port, c->line, c->len, time_ns());
	spin_unlock_irqrestore(&mux_lock, flags);
	c->len = 0;
}

void pconsole_flush(struct pconsole *c)
{
	u64 flags;

	if (c->len)
		emit_line(c);
	flags = spin_lock_irqsave(&mux_lock);
	conmux_report_drops(&c->port);
	spin_unlock_irqrestore(&mux_lock, flags);
}

void pconsole_write(struct pconsole *c, const u8 *buf, u64 len)
{
	for (u64 i = 0; i < len; i++) {
		u8 b = buf[i];
		if (b == '\n') {
			emit_line(c);
			continue;
		}
		if (b == '\r')
			continue;
		if ((b < 0x20 && b != '\t') || b == 0x7f)
			b = '?';
		c->line[c->len++] = (char)b;
		if (c->len == PCONSOLE_LINE)
			emit_line(c);
	}
}

void pconsole_input(u8 byte)
{
	u64 flags = spin_lock_irqsave(&mux_lock);
	struct pconsole *c = conmux_input(&mux, byte);

	if (c)
		pconsole_push_input(c, byte);
	spin_unlock_irqrestore(&mux_lock, flags);
}

void pconsole_push_input(struct pconsole *c, u8 b)
{
	u32 next = (c->in_head + 1) % PCONSOLE_INPUT;
	if (next == c->in_tail)
		return;
	c->input[c->in_head] = b;
	c->in_head = next;
}

bool pconsole_has_input(const struct pconsole *c)
{
	return c->in_head != c->in_tail;
}

int pconsole_pop_input(struct pconsole *c)
{
	int b;
	if (!pconsole_has_input(c))
		return -1;
	b = c->input[c->in_tail];
	c->in_tail = (c->in_tail + 1) % PCONSOLE_INPUT;
	return b;
}
