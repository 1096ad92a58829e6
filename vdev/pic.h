/*
 * The two 8259A programmable interrupt controllers a partition sees,
 * wired as on a PC: the master at ports 0x20-0x21, the slave at ports
 * 0xa0-0xa1 with its INT output on the master's IR2, and the ELCR at
 * ports 0x4d0-0x4d1 saying which IRQs are level-triggered.  The model
 * owns the chips' registers and their input lines; the caller drives the
 * lines (vpic_set_irq), routes port accesses here, looks at the master's
 * INT output (vpic_pending) when it may inject an external interrupt,
 * and runs the acknowledge cycle (vpic_ack) when it does.  Where INT
 * goes (a local APIC's LINT0, the I/O APIC's ExtINT pin) is the
 * caller's business too.
 */
#ifndef VDEV_PIC_H
#define VDEV_PIC_H

#include "lib/types.h"

#define VPIC_MASTER 0x20 /* and 0x21 */
#define VPIC_SLAVE 0xa0	 /* and 0xa1 */
#define VPIC_ELCR 0x4d0	 /* and 0x4d1: IRQs 0-7, 8-15 */
#define VPIC_CASCADE_IRQ 2
#define VPIC_IRQS 16

/* One 8259A. */
struct vpic_chip {
	u8 irr;	     /* requests: latched rising edges, and level lines now asserted */
	u8 isr;	     /* in service */
	u8 imr;	     /* masked */
	u8 lines;    /* input levels, as the devices drive them */
	u8 base;     /* ICW2: vector of IR0 (bits 7:3) */
	u8 next_icw; /* 2, 3 or 4 while an initialisation sequence runs, else 0 */
	bool single;
	bool want_icw4;
	bool auto_eoi;
	bool read_isr; /* OCW3: a read of the command port gives ISR, else IRR */
	bool poll;     /* OCW3: the next read of the command port is a poll */
	bool special_mask;
};

/* Both chips and the ELCR. */
struct vpic {
	struct vpic_chip chip[2]; /* master, slave */
	u16 elcr;		  /* IRQ n level-triggered: bit n */
};

/*
 * Power-on state, not what a PC firmware leaves: both chips with every
 * IRQ masked, nothing requested or in service, vector bases 0 (the guest
 * is expected to initialise them with ICW1-ICW4), every IRQ edge-triggered.
 */
void vpic_reset(struct vpic *p);

/* Port access: 0x20, 0x21, 0xa0, 0xa1, 0x4d0, 0x4d1.  Other ports read 0xff, writes ignored. */
u8 vpic_read(struct vpic *p, u16 port);
void vpic_write(struct vpic *p, u16 port, u8 value);

/*
 * A device drives IRQ irq (0-15) high (asserted) or low.  Edge IRQs
 * latch a request on a rising edge, which stays until acknowledged, so a
 * pulse (assert, then deassert at once) is enough; level IRQs (ELCR)
 * request while asserted.  IRQ 2 is the cascade and, like IRQs past 15,
 * is ignored (a PC wires an ISA card's IRQ 2 to IRQ 9).
 */
void vpic_set_irq(struct vpic *p, u32 irq, bool asserted);

/* The master's INT output: the vector an acknowledge would give now, or -1 when INT is low. */
int vpic_pending(const struct vpic *p);

/*
 * The acknowledge cycle (INTA): the vector, with the request moved from
 * IRR to ISR (or not kept in ISR, in auto-EOI mode).  When no request is
 * left, the IR7 vector of the master (spurious) with nothing in service.
 */
int vpic_ack(struct vpic *p);

#endif
