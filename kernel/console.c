/*
 * Console output for the hypervisor: formats a line with format_v() and
 * writes it to COM1 under one lock, so lines from different CPUs never
 * interleave.  "\n" is sent as CR LF for terminals.
 */
#include "kernel/console.h"
#include "drivers/uart.h"
#include "kernel/format.h"
#include "kernel/spinlock.h"

#define LINE_MAX 512

static struct spinlock lock = SPINLOCK_INIT;

void console_init(void)
{
	uart_init(UART_COM1);
}

void console_break_lock(void)
{
	lock.locked = 0;
}

static void emit(const char *s, size_t n)
{
	for (size_t i = 0; i < n && s[i]; i++) {
		if (s[i] == '\n')
			uart_putc(UART_COM1, '\r');
		uart_putc(UART_COM1, s[i]);
	}
}

static void vprint(const char *prefix, const char *fmt, va_list ap, bool newline)
{
	char buf[LINE_MAX];
	int n = format_v(buf, sizeof(buf), fmt, ap);
	u64 flags = spin_lock_irqsave(&lock);

	if (prefix)
		emit(prefix, LINE_MAX);
	emit(buf, sizeof(buf));
	if (n >= (int)sizeof(buf))
		emit("...", 3);
	if (newline)
		emit("\n", 1);
	spin_unlock_irqrestore(&lock, flags);
}

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
