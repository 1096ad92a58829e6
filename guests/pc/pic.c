/*
 * The 8259A pair (Intel 8259A datasheet) as an OS meets it on a PC with
 * an I/O APIC: Linux's probe (a mask written and read back) and its
 * initialisation words (ICW1-ICW4, master at vector 0x20 with the slave
 * on IR2, slave at 0x28), then the "virtual wire" of the MP
 * specification: the master's INT reaches the boot CPU through LINT0
 * programmed as ExtINT, while the I/O APIC's pin for the same IRQ stays
 * masked.  The PIT's IRQ 0 is the source; a masked LINT0 must hold it
 * back, an unmasked one let it through, each acknowledged with a
 * non-specific EOI to the master.
 */
#include "guests/pc/pc.h"

#define MASTER_CMD 0x20
#define MASTER_IMR 0x21
#define SLAVE_CMD 0xa0
#define SLAVE_IMR 0xa1
#define ICW1_INIT_ICW4 0x11 /* edge, cascade, ICW4 follows */
#define ICW3_MASTER 0x04    /* the slave on IR2 */
#define ICW3_SLAVE 0x02	    /* its cascade identity */
#define ICW4_8086 0x01
#define OCW2_EOI 0x20
#define OCW3_READ_IRR 0x0a
#define OCW3_READ_ISR 0x0b
#define PROBE 0xa5
#define ONLY_IRQ0 0xfe
#define ONLY_CASCADE 0xfb

static volatile unsigned pic_fired;

struct frame;

__attribute__((interrupt)) static void on_irq0(struct frame *f)
{
	(void)f;
	pic_fired++;
	outb(MASTER_CMD, OCW2_EOI); /* ExtINT is not in the local APIC's ISR: no EOI there */
}

static void init_8259(void)
{
	outb(MASTER_IMR, 0xff);
	outb(SLAVE_IMR, 0xff);
	outb(MASTER_CMD, ICW1_INIT_ICW4);
	outb(MASTER_IMR, VEC_PIC_BASE);
	outb(MASTER_IMR, ICW3_MASTER);
	outb(MASTER_IMR, ICW4_8086);
	outb(SLAVE_CMD, ICW1_INIT_ICW4);
	outb(SLAVE_IMR, VEC_PIC_BASE + 8);
	outb(SLAVE_IMR, ICW3_SLAVE);
	outb(SLAVE_IMR, ICW4_8086);
	outb(MASTER_IMR, 0xff);
	outb(SLAVE_IMR, 0xff);
}

void pic_checks(void)
{
	uint8_t isr;

	outb(SLAVE_IMR, 0xff);
	outb(MASTER_IMR, PROBE);
	pc_check("8259: master mask reads back (Linux's probe)", inb(MASTER_IMR), PROBE);
	init_8259();
	outb(MASTER_IMR, ONLY_CASCADE);
	outb(SLAVE_IMR, 0xef);
	pc_check("8259: masks read back after ICW1-ICW4", inb(MASTER_IMR) << 8 | inb(SLAVE_IMR),
		 ONLY_CASCADE << 8 | 0xef);
	outb(SLAVE_IMR, 0xff);

	desc_set_handler(VEC_PIC_BASE, (void *)on_irq0);
	lapic_write(LAPIC_LVT_LINT0, LVT_EXTINT | LVT_MASKED);
	outb(MASTER_IMR, ONLY_IRQ0);
	pc_pit_start_100hz();
	pc_check("8259: IRQ 0 held back while LINT0 is masked", pc_wait(&pic_fired, 1, 50), false);
	lapic_write(LAPIC_LVT_LINT0, LVT_EXTINT);
	pc_verdict("8259: IRQ 0 through LINT0 ExtINT, vector 0x20, I/O APIC pin masked",
		   pc_wait(&pic_fired, 3, 1000), "%u interrupts in 1 s", pic_fired);
	outb(MASTER_IMR, 0xff);
	lapic_write(LAPIC_LVT_LINT0, LVT_EXTINT | LVT_MASKED);
	pc_pit_stop();
	outb(MASTER_CMD, OCW3_READ_ISR);
	isr = inb(MASTER_CMD);
	outb(MASTER_CMD, OCW3_READ_IRR);
	pc_check("8259: nothing in service after the EOIs", isr, 0);
}
