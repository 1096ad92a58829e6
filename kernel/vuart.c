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
 * stored and otherwise ignored.  In loopback mode (MCR bit 4, PC16550D
 * §8.6) a byte written to THR goes to the receiver instead of the line,
 * up to the 16 bytes of its FIFO, and MSR's upper half shows MCR's
 * outputs: CTS = RTS, DSR = DTR, RI = OUT1, DCD = OUT2.
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
#define MCR_LOOP 0x10
#define LSR_OVERRUN 0x02

/* MSR in loopback: the modem inputs wired to MCR's outputs (DTR, RTS, OUT1, OUT2). */
static u8 loop_msr(u8 mcr)
{
	return (u8)(((mcr & 0x01) << 5) | ((mcr & 0x02) << 3) | ((mcr & 0x04) << 4) |
		    ((mcr & 0x08) << 4));
}

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
		if (u->mcr & MCR_LOOP) {
			u8 v = u->loop_len ? u->loop[u->loop_head] : 0;
			if (u->loop_len) {
				u->loop_head = (u8)((u->loop_head + 1) % VUART_FIFO);
				u->loop_len--;
			}
			return v;
		}
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
		if (u->mcr & MCR_LOOP) /* the line is not used: always ready to send */
			return LSR_THR_EMPTY | LSR_TX_IDLE | (u->loop_len ? LSR_DATA_READY : 0);
		return (pconsole_write_ready(c) ? LSR_THR_EMPTY | LSR_TX_IDLE : 0) |
		       (pconsole_has_input(c) ? LSR_DATA_READY : 0);
	case REG_MSR:
		return (u->mcr & MCR_LOOP) ? loop_msr(u->mcr) : MSR_CTS_DSR_DCD;
	default:
		return u->scr;
	}
}

bool vuart_write(struct vuart *u, struct pconsole *c, u16 offset, u8 value)
{
	bool dlab = u->lcr & LCR_DLAB;

	switch (offset) {
	case REG_DATA:
		if (dlab) {
			u->dll = value;
		} else if (u->mcr & MCR_LOOP) {
			if (u->loop_len < VUART_FIFO) /* a full FIFO loses the byte (overrun) */
				u->loop[(u->loop_head + u->loop_len++) % VUART_FIFO] = value;
		} else {
			return pconsole_write(c, &value, 1) == 1;
		}
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
		if (!(u->mcr & MCR_LOOP))
			u->loop_len = 0; /* what looped back stays in the chip only while looping */
		break;
	case REG_SCR:
		u->scr = value;
		break;
	default:
		break; /* FCR, LSR, MSR: nothing to do */
	}
	return true;
}
