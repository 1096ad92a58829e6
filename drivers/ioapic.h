/*
 * I/O APIC driver: the interrupt controller that carries device
 * interrupts (COM1's, and the PIT's for the slice watchdog) to a CPU's
 * local APIC.  The MADT says
 * where each I/O APIC is and on which global system interrupt (GSI)
 * each ISA IRQ arrives; see drivers/acpi.h.
 */
#ifndef DRIVERS_IOAPIC_H
#define DRIVERS_IOAPIC_H

#include "lib/types.h"

/*
 * Take the I/O APIC whose registers are mapped at mmio, its first pin
 * carrying global system interrupt gsi_base, and mask all its pins.
 */
void ioapic_add(void *mmio, u32 gsi_base);
#define IOAPIC_NMI (-1) /* as the vector: deliver the IRQ as an NMI */

/*
 * Deliver ISA IRQ irq as vector (or as an NMI) to the CPU with APIC id
 * apic_id, with the polarity and trigger mode the MADT gives.  False
 * (and a line saying why) when no I/O APIC carries it.
 */
bool ioapic_route_isa(u8 irq, int vector, u32 apic_id);

#endif
