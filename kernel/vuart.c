/*
 * Emulated 16550 (PC16550D register map).  Writing THR sends a byte to
 * the partition's console; RBR pops its console input, and LSR sets
 * "data ready" while some is waiting.  LSR says "transmitter empty"
 * (THRE and TEMT) while the console could take a byte, and neither
 * while it could not take the line that byte may end, as a 16550 still
 * busy sending would: a driver that polls LSR before each byte waits
 * politely, in its own time.  A byte written to THR anyway that the
 * console cannot take is refused (vuart_write returns false) and the
 * OUT executed again later.  DLAB selects the divisor latch, which is
 * stored and otherwise ignored.
 */
#include "kernel/vuart.h"
#include "kernel/pconsole.h"

#define REG_DATA 0
#define REG_IER 1
#define REG_IIR 2 /* read; FCR on write */
#define REG_LCR 3
#define REG_MCR 4
#define REG_LSR 5
#define REG_MSR 6
#define REG_SCR 7

#define LCR_DLAB 0x80
#define LSR_DATA_READY 0x01
#define LSR_THR_EMPTY 0x20
#define LSR_TX_IDLE 0x40
#define IIR_NO_INTERRUPT 0x01
#define MSR_CTS_DSR_DCD 0xb0

void vuart_reset(struct vuart *u)
{
	*u = (struct vuart){ .lcr = 0x03, .dll = 1 };
}

u8 vuart_read(struct vuart *u, struct pconsole *c, u16 offset)
{
	bool dlab = u->lcr & LCR_DLAB;
	int b;

	switch (offset) {
	case REG_DATA:
		if (dlab)
			return u->dll;
		b = pconsole_pop_input(c);
		return b < 0 ? 0 : (u8)b;
	case REG_IER:
		return dlab ? u->dlm : u->ier;
	case REG_IIR:
		return IIR_NO_INTERRUPT;
	case REG_LCR:
		return u->lcr;
	case REG_MCR:
		return u->mcr;
	case REG_LSR:
		return (pconsole_write_ready(c) ? LSR_THR_EMPTY | LSR_TX_IDLE : 0) |
		       (pconsole_has_input(c) ? LSR_DATA_READY : 0);
	case REG_MSR:
		return MSR_CTS_DSR_DCD;
	default:
		return u->scr;
	}
}

bool vuart_write(struct vuart *u, struct pconsole *c, u16 offset, u8 value)
{
	bool dlab = u->lcr & LCR_DLAB;

	switch (offset) {
	case REG_DATA:
		if (!dlab)
			return pconsole_write(c, &value, 1) == 1;
		u->dll = value;
		break;
	case REG_IER:
		if (dlab)
			u->dlm = value;
		else
			u->ier = value & 0x0f;
		break;
	case REG_LCR:
		u->lcr = value;
		break;
	case REG_MCR:
		u->mcr = value & 0x1f;
		break;
	case REG_SCR:
		u->scr = value;
		break;
	default:
		break; /* FCR, LSR, MSR: nothing to do */
	}
	return true;
}
