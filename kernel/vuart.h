/*
 * The 16550 UART a partition sees at ports 0x3f8-0x3ff.  Polled only:
 * transmit goes to the partition's console, receive reports bytes from
 * its console input; in loopback mode transmit comes back to receive, as
 * drivers use it to probe the chip.  No interrupts are raised.  A transmitted byte
 * never makes the hypervisor wait: while the console cannot take a
 * line, the transmitter reads busy, and a byte written anyway is not
 * taken (the caller executes the OUT again later).
 */
#ifndef KERNEL_VUART_H
#define KERNEL_VUART_H

#include "lib/types.h"

#define VUART_BASE 0x3f8
#define VUART_PORTS 8

struct pconsole;

#define VUART_FIFO 16

struct vuart {
	u8 ier, lcr, mcr, scr, dll, dlm;
	/* Loopback (MCR bit 4): what THR sent, waiting in the receiver. */
	u8 loop[VUART_FIFO];
	u8 loop_head, loop_len;
};

void vuart_reset(struct vuart *u);
/* Port access at offset 0..7 from VUART_BASE. */
u8 vuart_read(struct vuart *u, struct pconsole *c, u16 offset);
/*
 * False when the write was not taken: a byte for THR that the console
 * cannot take now.  Nothing changed; the guest's OUT is to be executed
 * again later, once others have run.
 */
bool vuart_write(struct vuart *u, struct pconsole *c, u16 offset, u8 value);

#endif
