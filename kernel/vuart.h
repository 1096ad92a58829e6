/*
 * The 16550 UART a partition sees at ports 0x3f8-0x3ff.  Polled only:
 * transmit is always ready, receive reports bytes from the partition's
 * console input.  No interrupts are raised.
 */
#ifndef KERNEL_VUART_H
#define KERNEL_VUART_H

#include "kernel/types.h"

#define VUART_BASE 0x3f8
#define VUART_PORTS 8

struct pconsole;

struct vuart {
	u8 ier, lcr, mcr, scr, dll, dlm;
};

void vuart_reset(struct vuart *u);
/* Port access at offset 0..7 from VUART_BASE. */
u8 vuart_read(struct vuart *u, struct pconsole *c, u16 offset);
void vuart_write(struct vuart *u, struct pconsole *c, u16 offset, u8 value);

#endif
