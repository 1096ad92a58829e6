/*
 * Partition console: line assembly and tagging.  A line is printed
 * when the guest sends '\n', when it grows past PCONSOLE_LINE, or when
 * the partition stops.  '\r' is dropped and other control bytes except
 * tab are shown as '?', so a guest cannot move the terminal's cursor
 * over the hypervisor's lines.
 */
#include "kernel/pconsole.h"
#include "kernel/console.h"
#include "kernel/lib.h"

void pconsole_init(struct pconsole *c, const char *name)
{
	memset(c, 0, sizeof(*c));
	c->name = name;
}

void pconsole_flush(struct pconsole *c)
{
	if (!c->len)
		return;
	kprintf("[%s] %.*s\n", c->name, (int)c->len, c->line);
	c->len = 0;
}

void pconsole_write(struct pconsole *c, const u8 *buf, u64 len)
{
	for (u64 i = 0; i < len; i++) {
		u8 b = buf[i];
		if (b == '\n') {
			if (c->len == 0)
				kprintf("[%s] \n", c->name);
			else
				pconsole_flush(c);
			continue;
		}
		if (b == '\r')
			continue;
		if ((b < 0x20 && b != '\t') || b == 0x7f)
			b = '?';
		c->line[c->len++] = (char)b;
		if (c->len == PCONSOLE_LINE)
			pconsole_flush(c);
	}
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
