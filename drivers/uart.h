/*
 * 16550 UART driver for the hypervisor's own serial console (COM1).
 * Polled output only; the console layer above decides what to print.
 */
#ifndef DRIVERS_UART_H
#define DRIVERS_UART_H

#include "kernel/types.h"

#define UART_COM1 0x3f8

/* Program 115200 baud, 8N1, FIFOs on.  Returns false if no UART answers. */
bool uart_init(u16 base);
void uart_putc(u16 base, char c);
/* Wait (bounded) until every byte written has left the transmitter. */
void uart_drain(u16 base);
/* Returns -1 when no byte is waiting. */
int uart_getc(u16 base);

#endif
