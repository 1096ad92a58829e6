/*
 * I/O APIC (Intel 82093AA datasheet): two registers in MMIO, a selector
 * at offset 0 and a window at 0x10, through which the version register
 * (1) and the redirection table (two 32-bit halves per pin, from 0x10)
 * are read and written.  cloison masks every pin at boot and unmasks
 * only those it routes, so nothing firmware left enabled reaches a CPU.
 */
#include "drivers/ioapic.h"
#include "drivers/acpi.h"
#include "lib/log.h"

#define REG_SELECT 0x00 /* in 32-bit words: offsets 0x00 and 0x10 */
#define REG_WINDOW 0x04
#define IOAPIC_VERSION 0x01
#define IOAPIC_REDIR(pin) (0x10 + 2 * (pin))

#define REDIR_NMI (4u << 8) /* delivery mode NMI: the vector is ignored */
#define REDIR_ACTIVE_LOW (1u << 13)
#define REDIR_LEVEL (1u << 15)
#define REDIR_MASKED (1u << 16)
#define REDIR_DEST_SHIFT 24 /* in the high half: physical APIC id, 8 bits */

static struct ioapic {
	volatile u32 *mmio;
	u32 gsi_base;
	u32 pins;
} ioapics[ACPI_MAX_IOAPICS];
static u32 count;

static u32 rd(const struct ioapic *io, u32 reg)
{
	io->mmio[REG_SELECT] = reg;
	return io->mmio[REG_WINDOW];
}

static void wr(const struct ioapic *io, u32 reg, u32 v)
{
	io->mmio[REG_SELECT] = reg;
	io->mmio[REG_WINDOW] = v;
}

void ioapic_add(void *mmio, u32 gsi_base)
{
	struct ioapic *io = &ioapics[count];

	if (count == ACPI_MAX_IOAPICS)
		return;
	io->mmio = mmio;
	io->gsi_base = gsi_base;
	io->pins = ((rd(io, IOAPIC_VERSION) >> 16) & 0xff) + 1; /* max entry + 1 */
	for (u32 pin = 0; pin < io->pins; pin++) {
		wr(io, IOAPIC_REDIR(pin), REDIR_MASKED);
		wr(io, IOAPIC_REDIR(pin) + 1, 0);
	}
	count++;
}

bool ioapic_route_isa(u8 irq, int vector, u32 apic_id)
{
	u32 gsi, low;

	if (irq >= ISA_IRQS || !count) {
		klog("ioapic: no I/O APIC to carry IRQ %u", irq);
		return false;
	}
	if (apic_id > 0xff) {
		klog("ioapic: APIC id %u does not fit a redirection entry", apic_id);
		return false;
	}
	gsi = acpi.madt.isa[irq].gsi;
	low = (vector == IOAPIC_NMI ? REDIR_NMI : (u32)vector) |
	      (acpi.madt.isa[irq].active_low ? REDIR_ACTIVE_LOW : 0) |
	      (acpi.madt.isa[irq].level ? REDIR_LEVEL : 0);
	for (u32 i = 0; i < count; i++) {
		const struct ioapic *io = &ioapics[i];

		if (gsi < io->gsi_base || gsi - io->gsi_base >= io->pins)
			continue;
		wr(io, IOAPIC_REDIR(gsi - io->gsi_base) + 1, apic_id << REDIR_DEST_SHIFT);
		wr(io, IOAPIC_REDIR(gsi - io->gsi_base), low); /* physical, unmasked */
		return true;
	}
	klog("ioapic: no I/O APIC has GSI %u (IRQ %u)", gsi, irq);
	return false;
}
