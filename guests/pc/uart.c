/*
 * COM1's interrupts (PC16550D §8.4, §8.6) through the I/O APIC's pin 4,
 * programmed level-triggered, as the 16550's output is a level held
 * until its cause is cleared.  MCR's OUT2 gates the line, as on a PC:
 * nothing comes while it is clear.  The transmitter-empty interrupt
 * comes when ETBEI is set with THR empty, once (reading IIR clears it),
 * and again when ETBEI is written again; while the handler runs, the
 * entry's remote IRR is set, and the local APIC's EOI clears it (the EOI
 * reaches the I/O APIC).  With typed=C on the command line the guest
 * then waits for a byte typed on the console: the receive interrupt,
 * IIR 0100, and the byte C.
 */
#include "guests/pc/pc.h"

#define COM1 0x3f8
#define REG_DATA (COM1 + 0)
#define REG_IER (COM1 + 1)
#define REG_IIR (COM1 + 2)
#define REG_MCR (COM1 + 4)
#define REG_LSR (COM1 + 5)
#define IER_RDA 0x01
#define IER_THRE 0x02
#define IIR_ID 0x0f
#define IIR_THRE 0x02
#define IIR_RDA 0x04
#define MCR_DTR_RTS 0x03
#define MCR_OUT2 0x08 /* on a PC, gates the UART's interrupt line */
#define LSR_DATA_READY 0x01
#define TYPING_MS 600000 /* the byte comes when the boot scenario sees the line before */

static volatile unsigned uart_fired;
static volatile uint8_t last_iir, last_byte;
static volatile bool irr_in_handler, irr_after_eoi;

struct frame;

__attribute__((interrupt)) static void on_uart(struct frame *f)
{
	(void)f;
	last_iir = inb(REG_IIR); /* clears THRE when that is what it reports */
	if ((last_iir & IIR_ID) == IIR_RDA)
		last_byte = inb(REG_DATA);
	irr_in_handler = ioapic_entry_low(IOAPIC_PIN_COM1) & IOAPIC_RTE_REMOTE_IRR;
	lapic_eoi();
	irr_after_eoi = ioapic_entry_low(IOAPIC_PIN_COM1) & IOAPIC_RTE_REMOTE_IRR;
	uart_fired++;
}

static void transmit_empty(void)
{
	unsigned n;

	outb(REG_MCR, MCR_DTR_RTS);
	outb(REG_IER, IER_THRE);
	pc_check("uart: no interrupt while MCR's OUT2 is clear", pc_wait(&uart_fired, 1, 20),
		 false);
	outb(REG_MCR, MCR_DTR_RTS | MCR_OUT2);
	pc_verdict("uart: THRE interrupt on pin 4 once OUT2 is set", pc_wait(&uart_fired, 1, 1000),
		   "none in 1 s");
	pc_check("uart: IIR says THRE", last_iir & IIR_ID, IIR_THRE);
	pc_check("uart: remote IRR set in the handler (level)", irr_in_handler, true);
	pc_check("uart: remote IRR cleared by the EOI", irr_after_eoi, false);
	n = uart_fired;
	pc_check("uart: THRE once, IIR read cleared it", pc_wait(&uart_fired, n + 1, 20), false);
	outb(REG_IER, 0);
	outb(REG_IER, IER_THRE);
	pc_check("uart: THRE again when ETBEI is written again", pc_wait(&uart_fired, n + 1, 1000),
		 true);
	outb(REG_IER, 0);
}

/* Wait for the typed byte; FAIL early if it is there (LSR) without its interrupt. */
static void receive(char want)
{
	unsigned n = uart_fired, late = 0;
	uint64_t end = rdtsc() + pc_ms(TYPING_MS);

	outb(REG_IER, IER_RDA);
	while (!pc_wait(&uart_fired, n + 1, 200) && rdtsc() < end) {
		__asm__ volatile("cli");
		if ((inb(REG_LSR) & LSR_DATA_READY) && ++late > 3)
			break;
	}
	outb(REG_IER, 0);
	if (pc_verdict("uart: receive interrupt for a typed byte", uart_fired > n,
		       late ? "a byte waits in RBR, no interrupt" : "nothing typed"))
		return;
	pc_check("uart: IIR says received data", last_iir & IIR_ID, IIR_RDA);
	pc_check("uart: the typed byte", last_byte, (uint8_t)want);
}

void uart_checks(char typed)
{
	desc_set_handler(VEC_UART, (void *)on_uart);
	outb(REG_IER, 0);
	ioapic_route(IOAPIC_PIN_COM1, VEC_UART, true, 0);
	transmit_empty();
	if (typed)
		receive(typed);
	ioapic_mask(IOAPIC_PIN_COM1);
	outb(REG_MCR, 0);
}
