/*
 * 16550 UART (COM1) driver: programs 115200 8N1 with FIFOs, says how
 * many bytes the transmitter takes now, and turns on its interrupts
 * (received data, transmitter empty) for kernel/console.c.  The
 * register map follows the National Semiconductor PC16550D datasheet.
 * Machines without a serial port float the bus to 0xff; uart_init()
 * detects that through the scratch register so output to a missing port
 * never spins forever.
 */
#include "drivers/uart.h"
#include "lib/x86.h"

#define REG_DATA 0 /* RBR/THR, or divisor low when DLAB=1 */
#define REG_IER 1  /* interrupt enable, or divisor high when DLAB=1 */
#define REG_FCR 2  /* FIFO control (write) */
#define REG_IIR 2  /* interrupt identification (read) */
#define REG_LCR 3  /* line control */
#define REG_MCR 4  /* modem control */
#define REG_LSR 5  /* line status */
#define REG_SCR 7  /* scratch */

#define LCR_8N1 0x03
#define LCR_DLAB 0x80	      /* divisor latch access */
#define FCR_ENABLE_CLEAR 0x07 /* FIFO on, clear both FIFOs */
#define MCR_DTR_RTS_OUT2 0x0b
#define LSR_DATA_READY 0x01
#define LSR_THR_EMPTY 0x20
#define LSR_TX_IDLE 0x40 /* transmitter and its shift register empty */
#define IER_RX_DATA 0x01
#define IER_TX_EMPTY 0x02
#define IIR_NONE_PENDING 0x01
#define IIR_FIFOS_ON 0xc0 /* both bits set: a 16550A whose FIFOs work */
#define FIFO_BYTES 16

#define UART_CLOCK 115200 /* divisor 1 gives 115200 baud */

static bool present;
static u32 tx_batch; /* bytes the transmitter takes once empty: its FIFO, or 1 */

bool uart_init(u16 base)
{
	outb(base + REG_SCR, 0x5a);
	if (inb(base + REG_SCR) != 0x5a)
		return present = false;
	outb(base + REG_IER, 0);
	outb(base + REG_LCR, LCR_DLAB);
	outb(base + REG_DATA, (u8)(UART_CLOCK / 115200));
	outb(base + REG_IER, 0);
	outb(base + REG_LCR, LCR_8N1);
	outb(base + REG_FCR, FCR_ENABLE_CLEAR);
	tx_batch = (inb(base + REG_IIR) & IIR_FIFOS_ON) == IIR_FIFOS_ON ? FIFO_BYTES : 1;
	outb(base + REG_MCR, MCR_DTR_RTS_OUT2); /* OUT2 gates the interrupt line on PCs */
	return present = true;
}

bool uart_present(void)
{
	return present;
}

u32 uart_tx_room(u16 base, bool wait)
{
	if (!present)
		return 0;
	/* Bounded wait: a wedged UART must not hang the hypervisor. */
	for (u32 spin = 0; wait && spin < 1000000; spin++)
		if (inb(base + REG_LSR) & LSR_THR_EMPTY)
			return tx_batch;
	return wait || (inb(base + REG_LSR) & LSR_THR_EMPTY) ? tx_batch : 0;
}

void uart_send(u16 base, u8 c)
{
	outb(base + REG_DATA, c);
}

void uart_irq_enable(u16 base)
{
	if (present)
		outb(base + REG_IER, IER_RX_DATA | IER_TX_EMPTY);
}

bool uart_irq_pending(u16 base)
{
	return present && !(inb(base + REG_IIR) & IIR_NONE_PENDING);
}

void uart_drain(u16 base)
{
	for (u32 spin = 0; present && spin < 1000000; spin++)
		if (inb(base + REG_LSR) & LSR_TX_IDLE)
			break;
}

int uart_getc(u16 base)
{
	if (!present || !(inb(base + REG_LSR) & LSR_DATA_READY))
		return -1;
	return inb(base + REG_DATA);
}
