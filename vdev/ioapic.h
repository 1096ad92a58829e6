/*
 * The I/O APIC a partition sees: one chip with GUEST_IOAPIC_PINS pins
 * at GUEST_IOAPIC_BASE, an 82093AA register set with the version 0x20
 * EOI register of the ICH/PCH I/O APICs.  It owns the redirection table
 * and the state of each pin (line asserted, remote IRR); it turns a
 * line's change into an interrupt message.  Everything else is the
 * caller's: which device drives which pin, where a message goes (the
 * deliver hook reaches the local APICs, which pick the vCPU and do
 * lowest-priority arbitration), the MMIO decoding and its locking.
 */
#ifndef VDEV_IOAPIC_H
#define VDEV_IOAPIC_H

#include "lib/types.h"
#include "vdev/layout.h"

/* Delivery modes (82093AA §3.2.4, IOREDTBL bits 10:8); 3 and 6 are reserved. */
#define VIOAPIC_DELIVERY_FIXED 0
#define VIOAPIC_DELIVERY_LOWEST 1
#define VIOAPIC_DELIVERY_SMI 2
#define VIOAPIC_DELIVERY_NMI 4
#define VIOAPIC_DELIVERY_INIT 5
#define VIOAPIC_DELIVERY_EXTINT 7

/* The MMIO registers, as offsets from GUEST_IOAPIC_BASE. */
#define VIOAPIC_IOREGSEL 0x00
#define VIOAPIC_IOWIN 0x10
#define VIOAPIC_EOI 0x40

/* One interrupt message, as the I/O APIC sends it to the local APICs. */
struct vioapic_msg {
	u8 vector;
	u8 delivery;  /* VIOAPIC_DELIVERY_* */
	bool logical; /* dest is a logical destination (else a physical APIC ID) */
	u8 dest;
	bool level; /* level-triggered: the receiver's EOI must come back (vioapic_eoi) */
};

struct vioapic_hooks {
	/* Send m.  Must not call back into this I/O APIC (the caller holds its lock). */
	void (*deliver)(void *ctx, const struct vioapic_msg *m);
	void *ctx;
};

struct vioapic {
	u8 regsel; /* IOREGSEL */
	u8 id;	   /* IOAPICID bits 27:24 */
	u32 lines; /* pin n asserted: bit n */
	u64 redir[GUEST_IOAPIC_PINS];
	struct vioapic_hooks hooks;
};
_Static_assert(GUEST_IOAPIC_PINS <= 32, "struct vioapic keeps the lines in a u32");

/*
 * Power-on state: ID id (4 bits), every entry masked and otherwise
 * zero, no line asserted.  h may be NULL: then nothing is delivered.
 */
void vioapic_reset(struct vioapic *io, u8 id, const struct vioapic_hooks *h);

/*
 * Is an access of bytes bytes at offset one that reaches a register?
 * IOREGSEL takes 1-, 2- and 4-byte accesses (OSes write its index as a
 * byte); IOWIN and the EOI register take 4-byte accesses only.  The
 * caller reads any other access as 0 and drops any other write.
 */
bool vioapic_mmio_width_ok(u32 offset, u32 bytes);

/*
 * A register access at offset from GUEST_IOAPIC_BASE (a write's value
 * zero-extended).  Offsets other than IOREGSEL, IOWIN and EOI read 0 and
 * ignore writes.
 */
u32 vioapic_mmio_read(struct vioapic *io, u32 offset);
void vioapic_mmio_write(struct vioapic *io, u32 offset, u32 value);

/*
 * A device drives pin: asserted is the line's logical state (the device
 * wants an interrupt), not its electrical level, so the polarity bit of
 * the entry is kept for the guest to read but never inverts anything.
 * Pins past the last are ignored.  May call the deliver hook.
 */
void vioapic_set_irq(struct vioapic *io, u32 pin, bool asserted);

/*
 * A local APIC's EOI of a level-triggered vector (a broadcast EOI): as a
 * write of vector to the EOI register.  May call the deliver hook.
 */
void vioapic_eoi(struct vioapic *io, u8 vector);

#endif
