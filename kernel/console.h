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
/*
 * How many bytes the output ring takes now without the writer waiting
 * for the UART; "plenty" (U32_MAX) while output is synchronous or goes
 * nowhere, since then there is nothing to wait for but the line itself.
 * Read without the lock: a hint, which another CPU may make stale.
 */
u32 console_room(void);
/* From now on write synchronously; returns once everything buffered has been sent. */
void console_sync(void);

#endif
