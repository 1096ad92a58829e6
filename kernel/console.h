/*
 * The hypervisor's console: formatted output to the serial port (and
 * any later sinks), serialised across CPUs, and typed input from it.
 *
 * klog() and kprintf() (lib/log.h) write through it.
 */
#ifndef KERNEL_CONSOLE_H
#define KERNEL_CONSOLE_H

#include "lib/log.h"
#include "lib/types.h"

struct trap_frame;

/* Install the log's sink (lib/log.h): from now on klog() reaches COM1. */
void console_init(void);
/* Panic path: take the console even if another CPU died holding it, and write synchronously. */
void console_break_lock(void);
/*
 * Keep this CPU's next lines together: until the matching
 * console_release(), every other CPU's line waits, so a report of
 * several lines (a crash record, a partition's accounting) is never
 * cut by another CPU's.  Reentrant on the holding CPU: its own klog()
 * and kprintf() go on, nested holds included.  Waits while another CPU
 * holds the console.  Lock order: the hold comes before any lock a
 * holder takes (the console multiplexer's included), and a CPU must not
 * print while it keeps a lock that a holder may want.
 */
void console_hold(void);
/* As console_hold(), but never waits: false (nothing held) when another CPU holds it. */
bool console_try_hold(void);
void console_release(void);
/*
 * Route COM1's interrupt (VEC_COM1) to the CPU with APIC id apic_id,
 * which then sends buffered output and passes each typed byte to input.
 * False when it cannot (no UART, no I/O APIC): output stays synchronous,
 * and the caller polls with console_service().
 */
bool console_use_irq(u32 apic_id, void (*input)(u8 byte));
/*
 * COM1's interrupt handler, which the boot code registers for VEC_COM1
 * before anything routes it there: serve the UART until it no longer
 * asserts its line.
 */
void console_irq(struct trap_frame *f);
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
/*
 * The open line: text left on the terminal without its newline, so that
 * the prompt of the partition that has the focus shows before Enter
 * (kernel/conmux.c).  Any other output (klog, kprintf) first ends the
 * open line with a newline.  console_open_line(ticket, ...) writes text
 * at the end of the open line that has this ticket; when that line is
 * no longer open (other output came, or ticket is 0), it ends the open
 * line if there is one and starts a new one with text.  Text that ends
 * in '\n' closes the line.  Returns the ticket of the line now open, or
 * 0 when none is.  console_line_open(ticket): is that line still open?
 */
u64 console_open_line(u64 ticket, const char *text, u32 n);
bool console_line_open(u64 ticket);

#endif
