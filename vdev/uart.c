/*
 * Emulated 16550A (PC16550D register map).  Writing THR sends a byte to
 * the line (the partition's console); RBR pops typed input, and LSR sets
 * "data ready" while some is waiting.  LSR says "transmitter empty"
 * (THRE and TEMT) while the line could take a byte, and neither while
 * it could not, as a 16550 still busy sending would: a driver that
 * polls LSR before each byte waits politely, in its own time.  A byte
 * written to THR anyway that the line cannot take is refused
 * (vuart_write returns false) and the OUT executed again later.  DLAB
 * selects the divisor latch, which is stored and otherwise ignored.  In
 * loopback mode (MCR bit 4, PC16550D §8.6) a byte written to THR goes to
 * the receiver instead of the line, up to the 16 bytes of its FIFO, and
 * MSR's upper half shows MCR's outputs: CTS = RTS, DSR = DTR, RI = OUT1,
 * DCD = OUT2.
 *
 * Interrupts (PC16550D table 4): with FCR's FIFO enable, IIR's top two
 * bits read 11, which is how drivers tell a 16550A from a 16450.
 * "Received data available" (IIR 0100) holds while ERBFI is set and a
 * byte waits.  "Transmitter holding register empty" (IIR 0010) is
 * raised when ETBEI is written while the transmitter is empty, and when
 * the transmitter empties (at once here, unless the line is busy: then
 * once vuart_poll() finds it free); reading IIR while it is the one
 * reported, or writing THR, clears it.  Line-status and modem-status
 * interrupts never happen: the line has no errors and no modem.
 */
#include "vdev/uart.h"

#define REG_DATA 0
#define REG_IER 1
#define REG_IIR 2 /* read; FCR on write */
#define REG_LCR 3
#define REG_MCR 4
#define REG_LSR 5
#define REG_MSR 6
#define REG_SCR 7

#define IER_RDA 0x01  /* ERBFI: received data available */
#define IER_THRE 0x02 /* ETBEI: transmitter holding register empty */
#define IIR_NO_INTERRUPT 0x01
#define IIR_THRE 0x02
#define IIR_RDA 0x04
#define IIR_FIFO 0xc0 /* FIFOs enabled (16550A) */
#define FCR_ENABLE 0x01
#define LCR_DLAB 0x80
#define LSR_DATA_READY 0x01
#define LSR_THR_EMPTY 0x20
#define LSR_TX_IDLE 0x40
#define MSR_CTS_DSR_DCD 0xb0
#define MCR_OUT2 0x08 /* on a PC: gates the interrupt line */
#define MCR_LOOP 0x10

/* MSR in loopback: the modem inputs wired to MCR's outputs (DTR, RTS, OUT1, OUT2). */
static u8 loop_msr(u8 mcr)
{
	return (u8)(((mcr & 0x01) << 5) | ((mcr & 0x02) << 3) | ((mcr & 0x04) << 4) |
		    ((mcr & 0x08) << 4));
}

static bool looping(const struct vuart *u)
{
	return u->mcr & MCR_LOOP;
}

/* Could a byte written to THR leave now?  In loopback the line is not used. */
static bool tx_empty(const struct vuart *u)
{
	return looping(u) || u->line->can_send(u->ctx);
}

static bool rx_ready(const struct vuart *u)
{
	return looping(u) ? u->loop_len != 0 : u->line->has_input(u->ctx);
}

/* The interrupt IIR reports, highest priority first: IIR_RDA, IIR_THRE or none. */
static u8 source(const struct vuart *u)
{
	if ((u->ier & IER_RDA) && rx_ready(u))
		return IIR_RDA;
	if ((u->ier & IER_THRE) && u->thre)
		return IIR_THRE;
	return IIR_NO_INTERRUPT;
}

void vuart_reset(struct vuart *u, const struct vuart_line *line, void *ctx)
{
	*u = (struct vuart){ .lcr = 0x03, .dll = 1, .line = line, .ctx = ctx };
}

void vuart_poll(struct vuart *u)
{
	if (u->tx_blocked && tx_empty(u)) {
		u->tx_blocked = false;
		u->thre = true;
	}
}

bool vuart_irq(const struct vuart *u)
{
	return (u->mcr & MCR_OUT2) && source(u) != IIR_NO_INTERRUPT;
}

static u8 receive(struct vuart *u)
{
	int b;

	if (looping(u)) {
		u8 v = u->loop_len ? u->loop[u->loop_head] : 0;
		if (u->loop_len) {
			u->loop_head = (u8)((u->loop_head + 1) % VUART_FIFO);
			u->loop_len--;
		}
		return v;
	}
	b = u->line->receive(u->ctx);
	return b < 0 ? 0 : (u8)b;
}

static u8 read_iir(struct vuart *u)
{
	u8 iir = source(u);

	if (iir == IIR_THRE)
		u->thre = false; /* PC16550D table 4: reading IIR resets THRE */
	return iir | ((u->fcr & FCR_ENABLE) ? IIR_FIFO : 0);
}

u8 vuart_read(struct vuart *u, u16 offset)
{
	/* lab 5: a read of one of the 16550's registers */
	bool dlab = u->lcr & LCR_DLAB;
	u8 lsr;

	switch (offset) {
	case REG_DATA:
		return dlab ? u->dll : receive(u);
	case REG_IER:
		return dlab ? u->dlm : u->ier;
	case REG_IIR:
		return read_iir(u);
	case REG_LCR:
		return u->lcr;
	case REG_MCR:
		return u->mcr;
	case REG_LSR:
		lsr = rx_ready(u) ? LSR_DATA_READY : 0;
		if (tx_empty(u))
			return lsr | LSR_THR_EMPTY | LSR_TX_IDLE;
		u->tx_blocked = true; /* THRE again once the line frees */
		return lsr;
	case REG_MSR:
		return looping(u) ? loop_msr(u->mcr) : MSR_CTS_DSR_DCD;
	default:
		return u->scr;
	}
	/* lab 5: end */
}

/* THR: false when the line cannot take the byte now (nothing changed). */
static bool transmit(struct vuart *u, u8 value)
{
	if (looping(u)) {
		if (u->loop_len < VUART_FIFO) /* a full FIFO loses the byte (overrun) */
			u->loop[(u->loop_head + u->loop_len++) % VUART_FIFO] = value;
	} else if (!u->line->send(u->ctx, value)) {
		u->tx_blocked = true;
		return false;
	}
	/* The byte left at once: the holding register is empty again. */
	u->thre = tx_empty(u);
	u->tx_blocked = !u->thre;
	return true;
}

bool vuart_write(struct vuart *u, u16 offset, u8 value)
{
	bool dlab = u->lcr & LCR_DLAB;

	switch (offset) {
	case REG_DATA:
		if (!dlab)
			return transmit(u, value);
		u->dll = value;
		break;
	case REG_IER:
		if (dlab) {
			u->dlm = value;
			break;
		}
		u->ier = value & 0x0f;
		/* Enabling ETBEI with the transmitter empty raises THRE (PC16550D §8.4). */
		if (u->ier & IER_THRE) {
			u->thre = tx_empty(u);
			u->tx_blocked = !u->thre;
		}
		break;
	case REG_IIR:
		u->fcr = value & 0xc9; /* FCR; the reset bits 1-2 act at once and read nothing */
		break;
	case REG_LCR:
		u->lcr = value;
		break;
	case REG_MCR:
		u->mcr = value & 0x1f;
		if (!looping(u))
			u->loop_len = 0; /* what looped back stays in the chip only while looping */
		break;
	case REG_SCR:
		u->scr = value;
		break;
	default:
		break; /* LSR, MSR: read only */
	}
	return true;
}
