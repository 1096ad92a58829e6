/*
 * The hypervisor's console: formatted output to the serial port (and
 * any later sinks), serialised across CPUs.
 *
 * Console contract (DESIGN.md): every hypervisor line starts with
 * "cloison: ".  Use klog() for those; kprintf() writes raw text.
 */
#ifndef KERNEL_CONSOLE_H
#define KERNEL_CONSOLE_H

#include "kernel/types.h"

void console_init(void);
void kprintf(const char *fmt, ...) PRINTF_LIKE(1, 2);
/* One hypervisor line: "cloison: " + text + "\n". */
void klog(const char *fmt, ...) PRINTF_LIKE(1, 2);
/* Panic path: take the console even if another CPU died holding it. */
void console_break_lock(void);

#endif
