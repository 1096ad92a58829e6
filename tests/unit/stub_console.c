/*
 * The console for host unit tests.  kprintf() and klog() format with the
 * real lib/format.c, exactly as kernel/console.c does, but append the
 * text to a capture buffer instead of writing to COM1, so tests can
 * check the lines the code under test printed.  klog() lines get the
 * same "cloison: " prefix and newline as on the machine.  Set
 * UNIT_CONSOLE=1 in the environment to also see them on stderr.  The
 * console hold is kept as on one CPU, and counted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/console.h"
#include "lib/format.h"
#include "lib/lab.h"
#include "tests/unit/unit.h"

#define CONSOLE_LINE_MAX 512 /* as kernel/console.c */

static char captured[1 << 16];
static size_t used;
static u64 open_ticket, tickets; /* the open line, as kernel/console.c keeps it */

static void append(const char *s)
{
	size_t n = strlen(s);

	if (getenv("UNIT_CONSOLE"))
		fputs(s, stderr);
	if (n > sizeof(captured) - 1 - used)
		n = sizeof(captured) - 1 - used;
	memcpy(captured + used, s, n);
	used += n;
	captured[used] = '\0';
}

/* Other output ends the open line first, as on the machine. */
static void close_open(void)
{
	if (open_ticket)
		append("\n");
	open_ticket = 0;
}

static void vprint(const char *prefix, const char *fmt, va_list ap, bool newline)
{
	char buf[CONSOLE_LINE_MAX];
	int n = format_v(buf, sizeof(buf), fmt, ap);

	close_open();
	if (prefix)
		append(prefix);
	append(buf);
	if (n >= (int)sizeof(buf))
		append("...");
	if (newline)
		append("\n");
}

void console_init(void) {}

void console_break_lock(void) {}

void kprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vprint(NULL, fmt, ap, false);
	va_end(ap);
}

void klog(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vprint("cloison: ", fmt, ap, true);
	va_end(ap);
}

/*
 * The hold, as on one CPU: console_hold() nests.  A test may pretend
 * that another CPU holds the console (console_try_hold() then fails),
 * and may ask how many blocks were held and whether every hold was
 * released.
 */
static unsigned hold_depth, holds_taken;
static bool held_elsewhere;

void console_hold(void)
{
	if (!hold_depth++)
		holds_taken++;
}

bool console_try_hold(void)
{
	if (held_elsewhere && !hold_depth)
		return false;
	console_hold();
	return true;
}

void console_release(void)
{
	if (!hold_depth) {
		fprintf(stderr, "stub console: console_release() without a hold\n");
		abort();
	}
	hold_depth--;
}

unsigned console_hold_depth(void)
{
	return hold_depth;
}

unsigned console_holds_taken(void)
{
	return holds_taken;
}

void console_set_held_elsewhere(bool held)
{
	held_elsewhere = held;
}

static u32 room = 0xffffffffu;

u32 console_room(void)
{
	return room;
}

void console_set_room(unsigned bytes)
{
	room = bytes;
}

u64 console_open_line(u64 ticket, const char *text, u32 n)
{
	char buf[CONSOLE_LINE_MAX];

	if (!ticket || ticket != open_ticket) {
		close_open();
		ticket = ++tickets;
	}
	n = n < sizeof(buf) - 1 ? n : sizeof(buf) - 1;
	memcpy(buf, text, n);
	buf[n] = '\0';
	append(buf);
	open_ticket = n && text[n - 1] == '\n' ? 0 : ticket;
	return open_ticket;
}

bool console_line_open(u64 ticket)
{
	return ticket && ticket == open_ticket;
}

void console_capture_reset(void)
{
	used = 0;
	open_ticket = 0;
	captured[0] = '\0';
	holds_taken = 0;
}

const char *console_captured(void)
{
	return captured;
}

unsigned console_lines(void)
{
	unsigned n = 0;
	for (const char *p = captured; (p = strchr(p, '\n')); p++)
		n++;
	return n;
}

unsigned console_lines_with(const char *needle)
{
	unsigned n = 0;
	const char *line = captured;

	for (const char *nl; (nl = strchr(line, '\n')); line = nl + 1) {
		const char *hit = strstr(line, needle);
		if (hit && hit + strlen(needle) <= nl + 1) /* may end with the newline */
			n++;
	}
	return n;
}

/* A lab's part not written yet (lib/lab.h): the test that reaches it fails, and says why. */
void lab_todo(const char *file, int line, const char *what)
{
	fprintf(stderr, "lab: %s:%d: %s: not written yet\n", file, line, what);
	abort();
}
