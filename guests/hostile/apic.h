/*
 * The interrupt hardware of a partition as the hostile cases of the
 * small PC drive it (case_apic_*.c, case_mp.c and case_reset.c): the
 * local APIC's page at 0xfee00000 in xAPIC mode, the I/O APIC at
 * 0xfec00000 and the PIT's counter 0.  The register numbers are
 * guests/lib/pcdev.h's; here are the accessors of these cases, each a
 * few instructions, every MMIO access a single 32-bit MOV
 * (mmio_read32/mmio_write32 of guests/lib/guest.h), and the end of the
 * window of addresses that belongs to the APICs.
 */
#ifndef GUESTS_HOSTILE_APIC_H
#define GUESTS_HOSTILE_APIC_H

#include "guests/hostile/cpu.h"
#include "guests/lib/pcdev.h"

#define APIC_WINDOW_END 0xff000000u /* 0xfec00000-0xfeffffff: the APICs' window */

static inline uint32_t lapic_read(uint32_t offset)
{
	return mmio_read32(LAPIC_BASE + offset);
}

static inline void lapic_write(uint32_t offset, uint32_t v)
{
	mmio_write32(LAPIC_BASE + offset, v);
}

static inline void lapic_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}

/* The errors since the last call (SDM 3A §11.5.3: a write latches them, then ESR reads them). */
static inline uint32_t lapic_esr(void)
{
	lapic_write(LAPIC_ESR, 0);
	return lapic_read(LAPIC_ESR);
}

/* A fixed IPI: ICR high (the destination) first, the low half sends it. */
static inline void lapic_ipi(uint32_t dest, uint32_t low)
{
	lapic_write(LAPIC_ICR_HIGH, dest << ICR_DEST_SHIFT);
	lapic_write(LAPIC_ICR_LOW, low);
}

static inline uint32_t ioapic_read(uint32_t reg)
{
	mmio_write32(IOAPIC_BASE + IOAPIC_IOREGSEL, reg);
	return mmio_read32(IOAPIC_BASE + IOAPIC_IOWIN);
}

static inline void ioapic_write(uint32_t reg, uint32_t v)
{
	mmio_write32(IOAPIC_BASE + IOAPIC_IOREGSEL, reg);
	mmio_write32(IOAPIC_BASE + IOAPIC_IOWIN, v);
}

/* Pin to vector, fixed, edge, physical destination APIC 0; masked or not. */
static inline void ioapic_route(uint32_t pin, uint32_t vector, bool masked)
{
	ioapic_write(IOAPIC_REDIR(pin) + 1, 0);
	ioapic_write(IOAPIC_REDIR(pin), vector | (masked ? IOAPIC_RTE_MASKED : 0));
}

static inline void pit_program(uint8_t control, uint16_t count)
{
	outb(PIT_CONTROL, control);
	outb(PIT_COUNTER0, (uint8_t)count);
	outb(PIT_COUNTER0, (uint8_t)(count >> 8));
}

#endif
