/*
 * Emulated 8259A pair (Intel 8259A datasheet) with the ELCR of the PC
 * chipsets (PIIX/ICH datasheets, ELCR1/ELCR2 at 4D0h/4D1h).
 *
 * What is modelled: the initialisation sequence ICW1-ICW4; OCW1 (the
 * mask); OCW2's non-specific and specific EOI; OCW3's choice of IRR or
 * ISR for reads, the poll command and special mask mode; auto-EOI; fixed
 * priority, IR0 highest, with the slave's IRQs in the place of the
 * master's IR2 (the slave's INT output is the master's IR2 input); edge
 * requests latched in IRR whether masked or not, level requests (ELCR)
 * following their line.
 *
 * What is accepted and ignored: the rotate commands and "set priority"
 * of OCW2 (priority stays fixed; a rotate-on-EOI still does its EOI);
 * ICW1's LTIM bit (on a PC the ELCR decides, per IRQ); ICW1's 8080
 * call-address bits and ICW4's 8080 mode, buffered mode and special
 * fully nested mode (acknowledges always give 8086 vectors); ICW3 (the
 * slave sits on IR2, whatever the guest says).
 */
#include "vdev/pic.h"

#define MASTER 0
#define SLAVE 1
#define NONE (-1)

/* ICW1, written to the command port: bit 4 set (8259A, "Initialization Command Words"). */
#define ICW1 0x10
#define ICW1_SINGLE 0x02 /* no slave: no ICW3 */
#define ICW1_ICW4 0x01	 /* ICW4 follows */
/* ICW2: the vector base, T7-T3; the low 3 bits are the IR number. */
#define ICW2_BASE 0xf8
/* ICW4. */
#define ICW4_AUTO_EOI 0x02

/* OCW3, written to the command port: bits 4:3 = 01 ("Operation Command Words"). */
#define OCW3_MASK 0x18
#define OCW3 0x08
#define OCW3_ESMM 0x40 /* bit 5 (SMM) says whether special mask mode is on */
#define OCW3_SMM 0x20
#define OCW3_POLL 0x04
#define OCW3_RR 0x02 /* bit 0 (RIS) picks ISR or IRR for reads */
#define OCW3_RIS 0x01

/* OCW2: bits 7:5 (R, SL, EOI) the command, bits 2:0 the level. */
#define OCW2_CMD_SHIFT 5
#define OCW2_LEVEL 0x07
#define OCW2_EOI 1
#define OCW2_SPECIFIC_EOI 3
#define OCW2_ROTATE_EOI 5
#define OCW2_ROTATE_SPECIFIC_EOI 7

/* Poll word: bit 7 set when a request was found, bits 2:0 its level. */
#define POLL_REQUEST 0x80

#define SPURIOUS_IR 7

/* IRQs always edge-triggered on a PC: 0, 1, 2, 8, 13 (their ELCR bits read 0). */
#define ELCR_WRITABLE 0xdef8
_Static_assert((ELCR_WRITABLE & (1u << 0 | 1u << 1 | 1u << 2 | 1u << 8 | 1u << 13)) == 0,
	       "ELCR: IRQs 0, 1, 2, 8 and 13 are edge only");

static int lowest_bit(u8 bits)
{
	return bits ? __builtin_ctz(bits) : NONE;
}

/* The IRQs of chip c that the ELCR makes level-triggered. */
static u8 level_irqs(const struct vpic *p, int c)
{
	return (u8)(p->elcr >> (8 * c));
}

static int chip_request(const struct vpic *p, int c);

/* Chip c's requests; the master's IR2 is the slave's INT output. */
static u8 requests(const struct vpic *p, int c)
{
	u8 irr = p->chip[c].irr;

	if (c == MASTER && chip_request(p, SLAVE) != NONE)
		irr |= 1u << VPIC_CASCADE_IRQ;
	return irr;
}

/*
 * The IR chip c would raise INT for, or NONE: the highest-priority
 * unmasked request above every level in service (8259A, "Fully Nested
 * Mode").  In special mask mode a masked level in service does not hold
 * back the others ("Special Mask Mode").
 */
static int chip_request(const struct vpic *p, int c)
{
	const struct vpic_chip *k = &p->chip[c];
	int req = lowest_bit(requests(p, c) & (u8)~k->imr);
	int busy = lowest_bit(k->special_mask ? k->isr & (u8)~k->imr : k->isr);

	if (req == NONE || (busy != NONE && busy <= req))
		return NONE;
	return req;
}

static int vector(const struct vpic *p, int c, int ir)
{
	return p->chip[c].base | ir;
}

/*
 * Chip c's part of an acknowledge (or of a poll): its chosen request
 * leaves IRR and enters ISR, unless in auto-EOI mode.  A level request
 * stays in IRR while its line is asserted.
 */
static int chip_ack(struct vpic *p, int c)
{
	struct vpic_chip *k = &p->chip[c];
	int ir = chip_request(p, c);

	if (ir == NONE)
		return NONE;
	if (!(level_irqs(p, c) & (1u << ir)))
		k->irr &= (u8) ~(1u << ir);
	if (!k->auto_eoi)
		k->isr |= (u8)(1u << ir);
	return ir;
}

void vpic_reset(struct vpic *p)
{
	*p = (struct vpic){ 0 };
	p->chip[MASTER].imr = 0xff;
	p->chip[SLAVE].imr = 0xff;
}

/*
 * ICW1 starts an initialisation: the mask, ISR and the edge memory are
 * cleared (an edge line already high must fall and rise again), reads go
 * back to IRR, special mask mode ends, and without ICW4 its functions
 * are off.
 */
static void write_icw1(struct vpic *p, int c, u8 value)
{
	struct vpic_chip *k = &p->chip[c];

	k->next_icw = 2;
	k->single = value & ICW1_SINGLE;
	k->want_icw4 = value & ICW1_ICW4;
	if (!k->want_icw4)
		k->auto_eoi = false;
	k->imr = 0;
	k->isr = 0;
	k->irr = k->lines & level_irqs(p, c);
	k->read_isr = false;
	k->poll = false;
	k->special_mask = false;
}

/* ICW2, ICW3, ICW4 in turn; ICW3 only in cascade mode, ICW4 only if ICW1 asked for it. */
static void write_icw(struct vpic_chip *k, u8 value)
{
	switch (k->next_icw) {
	case 2:
		k->base = value & ICW2_BASE;
		k->next_icw = !k->single ? 3 : k->want_icw4 ? 4 : 0;
		break;
	case 3:
		k->next_icw = k->want_icw4 ? 4 : 0;
		break;
	case 4:
		k->auto_eoi = value & ICW4_AUTO_EOI;
		k->next_icw = 0;
		break;
	}
}

static void write_ocw2(struct vpic_chip *k, u8 value)
{
	int busy;

	switch (value >> OCW2_CMD_SHIFT) {
	case OCW2_EOI:
	case OCW2_ROTATE_EOI:
		/* The highest level in service; in special mask mode, only unmasked ones. */
		busy = lowest_bit(k->special_mask ? k->isr & (u8)~k->imr : k->isr);
		if (busy != NONE)
			k->isr &= (u8) ~(1u << busy);
		break;
	case OCW2_SPECIFIC_EOI:
	case OCW2_ROTATE_SPECIFIC_EOI:
		k->isr &= (u8) ~(1u << (value & OCW2_LEVEL));
		break;
	default: /* rotate in auto-EOI, set priority, no operation */
		break;
	}
}

static void write_ocw3(struct vpic_chip *k, u8 value)
{
	if (value & OCW3_ESMM)
		k->special_mask = value & OCW3_SMM;
	if (value & OCW3_POLL)
		k->poll = true; /* takes the next read, before IRR or ISR */
	if (value & OCW3_RR)
		k->read_isr = value & OCW3_RIS;
}

/*
 * A write to the ELCR: an IRQ made level requests while its line is
 * asserted; one made edge forgets its level request and waits for an
 * edge; one that stays edge keeps its latched request.
 */
static void write_elcr(struct vpic *p, int c, u8 value)
{
	struct vpic_chip *k = &p->chip[c];
	u8 was_level = level_irqs(p, c);
	u8 level;

	value &= (u8)(ELCR_WRITABLE >> (8 * c));
	p->elcr = (u16)((p->elcr & ~(0xffu << (8 * c))) | (u32)value << (8 * c));
	level = level_irqs(p, c);
	k->irr = (u8)((k->irr & ~(level | was_level)) | (k->lines & level));
}

u8 vpic_read(struct vpic *p, u16 port)
{
	int c = (port & ~1) == VPIC_SLAVE ? SLAVE : MASTER;
	struct vpic_chip *k = &p->chip[c];
	int ir;

	switch (port) {
	case VPIC_MASTER:
	case VPIC_SLAVE:
		if (k->poll) {
			/* 8259A "The Poll Command": the read acknowledges. */
			k->poll = false;
			ir = chip_ack(p, c);
			return ir == NONE ? 0 : (u8)(POLL_REQUEST | ir);
		}
		return k->read_isr ? k->isr : requests(p, c);
	case VPIC_MASTER + 1:
	case VPIC_SLAVE + 1:
		return k->imr;
	case VPIC_ELCR:
	case VPIC_ELCR + 1:
		return (u8)(p->elcr >> (8 * (port - VPIC_ELCR)));
	default:
		return 0xff;
	}
}

void vpic_write(struct vpic *p, u16 port, u8 value)
{
	int c = (port & ~1) == VPIC_SLAVE ? SLAVE : MASTER;
	struct vpic_chip *k = &p->chip[c];

	switch (port) {
	case VPIC_MASTER:
	case VPIC_SLAVE:
		if (value & ICW1)
			write_icw1(p, c, value);
		else if ((value & OCW3_MASK) == OCW3)
			write_ocw3(k, value);
		else
			write_ocw2(k, value);
		break;
	case VPIC_MASTER + 1:
	case VPIC_SLAVE + 1:
		if (k->next_icw)
			write_icw(k, value);
		else
			k->imr = value; /* OCW1 */
		break;
	case VPIC_ELCR:
	case VPIC_ELCR + 1:
		write_elcr(p, port - VPIC_ELCR, value);
		break;
	}
}

void vpic_set_irq(struct vpic *p, u32 irq, bool asserted)
{
	struct vpic_chip *k;
	u8 bit;

	if (irq >= VPIC_IRQS || irq == VPIC_CASCADE_IRQ)
		return;
	k = &p->chip[irq / 8];
	bit = (u8)(1u << (irq % 8));
	if (level_irqs(p, irq / 8) & bit) {
		if (asserted)
			k->irr |= bit;
		else
			k->irr &= (u8)~bit;
	} else if (asserted && !(k->lines & bit)) {
		k->irr |= bit; /* a rising edge */
	}
	if (asserted)
		k->lines |= bit;
	else
		k->lines &= (u8)~bit;
}

int vpic_pending(const struct vpic *p)
{
	int ir = chip_request(p, MASTER);

	if (ir == NONE)
		return -1;
	if (ir == VPIC_CASCADE_IRQ)
		return vector(p, SLAVE, chip_request(p, SLAVE));
	return vector(p, MASTER, ir);
}

/*
 * 8259A "Interrupt Sequence": the master picks the IR; for IR2 the slave
 * gives the vector.  A request gone since vpic_pending() gives the
 * master's IR7 vector and sets no ISR bit.  The master's IR2 follows
 * the slave's INT without delay, so the slave always has a request when
 * the master picks IR2; its IR7 answer is only a safety net.
 */
int vpic_ack(struct vpic *p)
{
	int ir = chip_ack(p, MASTER);
	int sir;

	if (ir == NONE)
		return vector(p, MASTER, SPURIOUS_IR);
	if (ir != VPIC_CASCADE_IRQ)
		return vector(p, MASTER, ir);
	sir = chip_ack(p, SLAVE);
	return vector(p, SLAVE, sir == NONE ? SPURIOUS_IR : sir);
}
