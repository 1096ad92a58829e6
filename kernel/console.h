/*
 * The hypervisor's console: formatted output to the serial port (and
 * any later sinks), serialised across CPUs, and typed input from it.
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
/* Panic path: take the console even if another CPU died holding it, and write synchronously. */
void console_break_lock(void);
/*
 * Route COM1's interrupt to the CPU with APIC id apic_id, which then
 * sends buffered output and passes each typed byte to input.  False when
 * it cannot (no UART, no I/O APIC): output stays synchronous, and the
 * caller polls with console_service().
 */
bool console_use_irq(u32 apic_id, void (*input)(u8 byte));
/* Pass typed bytes on and refill the transmitter; what COM1's interrupt does. */
void console_service(void);
/* From now on write synchronously; returns once everything buffered has been sent. */
void console_sync(void);

#endif
