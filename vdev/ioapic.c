/*
 * Emulated I/O APIC (Intel 82093AA datasheet, and the I/O APIC of the
 * ICH/PCH datasheets for version 0x20 and its EOI register).  The guest
 * selects a register with IOREGSEL and reads or writes it through IOWIN;
 * devices drive the pins with vioapic_set_irq(); an interrupt leaves as
 * one call of the deliver hook.
 *
 * Pins (82093AA §3.2.4, IOREDTBL):
 *  - an edge pin sends its message on each rising assertion while it is
 *    unmasked; a rising assertion while masked is lost, not held, as on
 *    the chip;
 *  - a level pin sends while it is asserted, unmasked and its remote IRR
 *    clear, and sets remote IRR; an EOI of its vector (EOI register or
 *    vioapic_eoi) clears remote IRR and sends again if the line is still
 *    asserted.  Unmasking an asserted level pin sends; rewriting a level
 *    entry as edge clears its remote IRR;
 *  - SMI, NMI, INIT and ExtINT entries require edge triggering on the
 *    chip (§3.2.4, delivery mode); they behave as edge pins whatever
 *    their trigger bit says;
 *  - nothing is sent for a fixed or lowest-priority entry whose vector
 *    is below 16 (the chip accepts vectors 10h-FEh), nor for the
 *    reserved delivery modes 3 and 6; remote IRR stays clear then.
 * Messages leave at once, so delivery status always reads idle.
 *
 * Registers: ID (writable bits 27:24), version (0x20, maximum
 * redirection entry GUEST_IOAPIC_PINS - 1), arbitration (reads the ID)
 * and the redirection table at 0x10 + 2 * pin.  Any other register index
 * reads 0 and ignores writes; so do the reserved bits of the table.
 */
#include "vdev/ioapic.h"

/* Register indexes behind IOWIN (82093AA §3.2). */
#define REG_ID 0x00
#define REG_VERSION 0x01
#define REG_ARB 0x02
#define REG_REDIR 0x10
#define REG_REDIR_END (REG_REDIR + 2 * GUEST_IOAPIC_PINS)
_Static_assert(REG_REDIR_END - 1 <= 0xff, "IOREGSEL is 8 bits wide");

/* IOAPICID and IOAPICARB: the ID in bits 27:24. */
#define ID_SHIFT 24
#define ID_MASK 0x0fu
/* IOAPICVER: version in bits 7:0, maximum redirection entry in bits 23:16. */
#define VERSION 0x20u
#define VERSION_MAX_ENTRY_SHIFT 16

/* A redirection table entry (82093AA §3.2.4, IOREDTBL[23:0]). */
#define RTE_VECTOR 0xffull   /* 7:0 */
#define RTE_DELIVERY_SHIFT 8 /* 10:8 delivery mode */
#define RTE_DELIVERY (7ull << RTE_DELIVERY_SHIFT)
#define RTE_LOGICAL (1ull << 11)    /* destination mode: 1 logical, 0 physical */
#define RTE_PENDING (1ull << 12)    /* delivery status, read-only */
#define RTE_ACTIVE_LOW (1ull << 13) /* pin polarity */
#define RTE_REMOTE_IRR (1ull << 14) /* read-only: a level message is in service */
#define RTE_LEVEL (1ull << 15)	    /* trigger mode: 1 level, 0 edge */
#define RTE_MASKED (1ull << 16)
#define RTE_DEST_SHIFT 56 /* 63:56 destination */
#define RTE_DEST (0xffull << RTE_DEST_SHIFT)
#define RTE_READ_ONLY (RTE_PENDING | RTE_REMOTE_IRR)
#define RTE_WRITABLE                                                                               \
	(RTE_VECTOR | RTE_DELIVERY | RTE_LOGICAL | RTE_ACTIVE_LOW | RTE_LEVEL | RTE_MASKED |       \
	 RTE_DEST)
_Static_assert((RTE_WRITABLE & RTE_READ_ONLY) == 0, "IOREDTBL: read-only bits are not written");
_Static_assert((RTE_WRITABLE & 0x00fffffffffe0000ull) == 0, "IOREDTBL: bits 55:17 are reserved");

/* The lowest vector a fixed or lowest-priority message may carry (82093AA §3.2.4). */
#define VECTOR_MIN 0x10

static u32 delivery_of(u64 rte)
{
	return (u32)((rte & RTE_DELIVERY) >> RTE_DELIVERY_SHIFT);
}

/* Level-triggered in effect: only fixed and lowest-priority entries can be. */
static bool is_level(u64 rte)
{
	u32 mode = delivery_of(rte);

	return (rte & RTE_LEVEL) &&
	       (mode == VIOAPIC_DELIVERY_FIXED || mode == VIOAPIC_DELIVERY_LOWEST);
}

/* Does this entry make a message at all (a defined mode, a legal vector)? */
static bool sendable(u64 rte)
{
	switch (delivery_of(rte)) {
	case VIOAPIC_DELIVERY_FIXED:
	case VIOAPIC_DELIVERY_LOWEST:
		return (rte & RTE_VECTOR) >= VECTOR_MIN;
	case VIOAPIC_DELIVERY_SMI:
	case VIOAPIC_DELIVERY_NMI:
	case VIOAPIC_DELIVERY_INIT:
	case VIOAPIC_DELIVERY_EXTINT:
		return true;
	default:
		return false;
	}
}

/* Send pin's message (the caller checked mask and remote IRR). */
static void send(struct vioapic *io, u32 pin)
{
	u64 rte = io->redir[pin];
	struct vioapic_msg m = {
		.vector = (u8)(rte & RTE_VECTOR),
		.delivery = (u8)delivery_of(rte),
		.logical = rte & RTE_LOGICAL,
		.dest = (u8)(rte >> RTE_DEST_SHIFT),
		.level = is_level(rte),
	};

	if (!sendable(rte))
		return;
	/* Remote IRR first: the state is whole before the hook runs. */
	if (m.level)
		io->redir[pin] |= RTE_REMOTE_IRR;
	if (io->hooks.deliver)
		io->hooks.deliver(io->hooks.ctx, &m);
}

/* A level pin sends while asserted, unmasked and not already in service. */
static void resample_level(struct vioapic *io, u32 pin)
{
	u64 rte = io->redir[pin];

	if (is_level(rte) && (io->lines & (1u << pin)) && !(rte & (RTE_MASKED | RTE_REMOTE_IRR)))
		send(io, pin);
}

void vioapic_reset(struct vioapic *io, u8 id, const struct vioapic_hooks *h)
{
	*io = (struct vioapic){ .id = (u8)(id & ID_MASK) };
	if (h)
		io->hooks = *h;
	/* 82093AA §3.2.4: reset masks every entry. */
	for (u32 pin = 0; pin < GUEST_IOAPIC_PINS; pin++)
		io->redir[pin] = RTE_MASKED;
}

bool vioapic_mmio_width_ok(u32 offset, u32 bytes)
{
	switch (offset) {
	case VIOAPIC_IOREGSEL:
		return bytes == 1 || bytes == 2 || bytes == 4;
	case VIOAPIC_IOWIN:
	case VIOAPIC_EOI:
		return bytes == 4;
	default:
		return false;
	}
}

static u32 read_register(const struct vioapic *io, u32 reg)
{
	switch (reg) {
	case REG_ID:
	case REG_ARB: /* no APIC bus arbitration here: the arbitration ID is the ID */
		return (u32)io->id << ID_SHIFT;
	case REG_VERSION:
		return VERSION | (u32)(GUEST_IOAPIC_PINS - 1) << VERSION_MAX_ENTRY_SHIFT;
	}
	if (reg >= REG_REDIR && reg < REG_REDIR_END) {
		u64 rte = io->redir[(reg - REG_REDIR) / 2];
		return (reg & 1) ? (u32)(rte >> 32) : (u32)rte;
	}
	return 0;
}

static void write_entry(struct vioapic *io, u32 reg, u32 value)
{
	u32 pin = (reg - REG_REDIR) / 2;
	u64 old = io->redir[pin];
	u64 rte;

	if (reg & 1)
		rte = (old & 0xffffffffull) | (u64)value << 32;
	else
		rte = (old & ~0xffffffffull) | value;
	rte = (rte & RTE_WRITABLE) | (old & RTE_READ_ONLY);
	/* Remote IRR means something only for a level entry. */
	if (!is_level(rte))
		rte &= ~RTE_REMOTE_IRR;
	io->redir[pin] = rte;
	/* Unmasked, or made level, while the line is asserted. */
	resample_level(io, pin);
}

static void write_register(struct vioapic *io, u32 reg, u32 value)
{
	if (reg == REG_ID)
		io->id = (u8)((value >> ID_SHIFT) & ID_MASK);
	else if (reg >= REG_REDIR && reg < REG_REDIR_END)
		write_entry(io, reg, value);
	/* Version, arbitration and the unknown indexes are read-only. */
}

u32 vioapic_mmio_read(struct vioapic *io, u32 offset)
{
	switch (offset) {
	case VIOAPIC_IOREGSEL:
		return io->regsel;
	case VIOAPIC_IOWIN:
		return read_register(io, io->regsel);
	default: /* the EOI register is write-only */
		return 0;
	}
}

void vioapic_mmio_write(struct vioapic *io, u32 offset, u32 value)
{
	switch (offset) {
	case VIOAPIC_IOREGSEL:
		io->regsel = (u8)value; /* bits 7:0; the rest are reserved */
		break;
	case VIOAPIC_IOWIN:
		write_register(io, io->regsel, value);
		break;
	case VIOAPIC_EOI:
		vioapic_eoi(io, (u8)value);
		break;
	}
}

void vioapic_set_irq(struct vioapic *io, u32 pin, bool asserted)
{
	u32 bit;
	bool rising;

	if (pin >= GUEST_IOAPIC_PINS)
		return;
	bit = 1u << pin;
	rising = asserted && !(io->lines & bit);
	if (asserted)
		io->lines |= bit;
	else
		io->lines &= ~bit;

	if (is_level(io->redir[pin]))
		resample_level(io, pin);
	else if (rising && !(io->redir[pin] & RTE_MASKED))
		send(io, pin);
}

/*
 * ICH/PCH EOI register: every entry with this vector has its remote IRR
 * cleared, and samples its line again.
 */
void vioapic_eoi(struct vioapic *io, u8 vector)
{
	for (u32 pin = 0; pin < GUEST_IOAPIC_PINS; pin++) {
		u64 rte = io->redir[pin];

		if (!(rte & RTE_REMOTE_IRR) || (rte & RTE_VECTOR) != vector)
			continue;
		io->redir[pin] = rte & ~RTE_REMOTE_IRR;
		resample_level(io, pin);
	}
}
