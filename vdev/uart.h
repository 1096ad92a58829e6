/*
 * The 16550A UART a partition sees at ports 0x3f8-0x3ff, wired to ISA
 * IRQ 4.  Transmit goes to the line the caller wires it to (the
 * partition's console, kernel/pconsole.c), receive reports bytes typed
 * into it; in loopback mode transmit comes back to receive, as drivers
 * use it to probe the chip.  A transmitted byte never makes the
 * hypervisor wait: while the line cannot take a byte, the transmitter
 * reads busy, and a byte written anyway is not taken (the caller
 * executes the OUT again later).
 *
 * Interrupts as on a 16550A (PC16550D §8.4, §8.6): "received data
 * available" and "transmitter holding register empty" when IER enables
 * them, reported in IIR by priority; the line to the interrupt
 * controller is driven only while MCR's OUT2 is set, as on a PC.  The
 * caller reads the line's level with vuart_irq() after every access and
 * whenever the console may have changed (vuart_poll()).
 */
#ifndef VDEV_UART_H
#define VDEV_UART_H

#include "lib/types.h"

#define VUART_BASE 0x3f8
#define VUART_PORTS 8
#define VUART_FIFO 16

/* What the UART is wired to; every hook gets the ctx given to vuart_reset(). */
struct vuart_line {
	bool (*can_send)(void *ctx);	  /* would send() take a byte now? */
	bool (*send)(void *ctx, u8 byte); /* false: not taken, nothing changed */
	bool (*has_input)(void *ctx);	  /* a typed byte waits */
	int (*receive)(void *ctx);	  /* the next typed byte, or -1 */
};

struct vuart {
	u8 ier, lcr, mcr, scr, dll, dlm, fcr;
	bool thre;	 /* a "transmitter empty" interrupt is pending (cleared by IIR or THR) */
	bool tx_blocked; /* LSR last said busy: THRE is raised again once the line takes bytes */
	/* Loopback (MCR bit 4): what THR sent, waiting in the receiver. */
	u8 loop[VUART_FIFO];
	u8 loop_head, loop_len;
	const struct vuart_line *line;
	void *ctx;
};

void vuart_reset(struct vuart *u, const struct vuart_line *line, void *ctx);
/* Port access at offset 0..7 from VUART_BASE. */
u8 vuart_read(struct vuart *u, u16 offset);
/*
 * False when the write was not taken: a byte for THR that the line
 * cannot take now.  Nothing changed; the guest's OUT is to be executed
 * again later, once others have run.
 */
bool vuart_write(struct vuart *u, u16 offset, u8 value);
/* The line may have changed (bytes typed, room to send): raise what that asks for. */
void vuart_poll(struct vuart *u);
/* The level of the interrupt output (ISA IRQ 4). */
bool vuart_irq(const struct vuart *u);

#endif
