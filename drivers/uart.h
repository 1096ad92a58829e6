/*
 * 16550 UART driver for the hypervisor's own serial console (COM1).
 * kernel/console.c decides what to send and when (polled, or from the
 * UART's interrupt); this file only knows the registers.
 */
#ifndef DRIVERS_UART_H
#define DRIVERS_UART_H

#include "lib/types.h"

#define UART_COM1 0x3f8

/* Program 115200 baud, 8N1, FIFOs on.  Returns false if no UART answers. */
bool uart_init(u16 base);
bool uart_present(void);
/*
 * How many bytes uart_send() may write now without waiting: the FIFO's
 * size once the transmitter is empty, else 0.  With wait, waits
 * (bounded: a wedged UART must not hang the hypervisor) for it to empty.
 */
u32 uart_tx_room(u16 base, bool wait);
void uart_send(u16 base, u8 c);
/* Interrupt on received data and on an empty transmitter (the line is IRQ 4 for COM1). */
void uart_irq_enable(u16 base);
/*
 * Does the UART still assert its interrupt?  Reading the identification
 * register also clears a transmitter-empty interrupt, so a handler
 * calls this until it says false, or the edge-triggered line stays high.
 */
bool uart_irq_pending(u16 base);
/* Wait (bounded) until every byte written has left the transmitter. */
void uart_drain(u16 base);
/* Returns -1 when no byte is waiting. */
int uart_getc(u16 base);

#endif
