/*
 * The I/O APIC (Intel 82093AA datasheet; version 0x20 as on the ICH/PCH
 * chipsets), reached through IOREGSEL and IOWIN at the MADT's address:
 * its version and pin count, its id as the MADT gives it, every entry
 * masked at reset, and the PIT's IRQ 0 arriving on the pin the MADT's
 * override names (2), programmed as Linux does: counter 0 in mode 2 at
 * 100 Hz, an edge-triggered entry to vCPU 0, EOI to the local APIC.
 * The register helpers serve uart.c and rtc.c too, and the PIT's tick
 * pic.c.
 */
#include "guests/pc/pc.h"

#define PINS 24
#define PIT_100HZ 11932u /* PIT_HZ / 100 */
#define TICKS 10

static volatile unsigned pit_fired;
static volatile uint64_t pit_tsc;

static uint32_t base(void)
{
	return pc_acpi.ioapic_addr ? pc_acpi.ioapic_addr : IOAPIC_BASE;
}

uint32_t ioapic_read(uint32_t reg)
{
	mmio_write32(base() + IOAPIC_IOREGSEL, reg);
	return mmio_read32(base() + IOAPIC_IOWIN);
}

void ioapic_write(uint32_t reg, uint32_t v)
{
	mmio_write32(base() + IOAPIC_IOREGSEL, reg);
	mmio_write32(base() + IOAPIC_IOWIN, v);
}

/* Fixed delivery, physical destination dest, active high; the unmasking write comes last. */
void ioapic_route(unsigned pin, uint8_t vector, bool level, uint8_t dest)
{
	ioapic_write(IOAPIC_REDIR(pin), IOAPIC_RTE_MASKED | vector);
	ioapic_write(IOAPIC_REDIR(pin) + 1, (uint32_t)dest << 24);
	ioapic_write(IOAPIC_REDIR(pin), vector | (level ? IOAPIC_RTE_LEVEL : 0));
}

void ioapic_mask(unsigned pin)
{
	ioapic_write(IOAPIC_REDIR(pin), ioapic_read(IOAPIC_REDIR(pin)) | IOAPIC_RTE_MASKED);
}

uint32_t ioapic_entry_low(unsigned pin)
{
	return ioapic_read(IOAPIC_REDIR(pin));
}

struct frame;

__attribute__((interrupt)) static void on_pit(struct frame *f)
{
	(void)f;
	pit_tsc = rdtsc();
	pit_fired++;
	lapic_eoi();
}

uint64_t pc_pit_start_100hz(void)
{
	uint64_t t0;

	outb(PIT_CONTROL, PIT_CH0_MODE2);
	outb(PIT_COUNTER0, PIT_100HZ & 0xff);
	t0 = rdtsc();
	outb(PIT_COUNTER0, PIT_100HZ >> 8);
	return t0;
}

/* A control word without a count: counter 0 waits for one and raises no more edges. */
void pc_pit_stop(void)
{
	outb(PIT_CONTROL, PIT_CH0_MODE0);
}

void ioapic_checks(void)
{
	uint32_t v = ioapic_read(IOAPIC_REG_VERSION), masked = 0;
	unsigned pin = pc_acpi.irq0_gsi >= 0 ? (unsigned)pc_acpi.irq0_gsi : IOAPIC_PIN_PIT;
	uint64_t t0;

	pc_check("ioapic: version 0x20", v & 0xff, 0x20);
	pc_check("ioapic: 24 pins (maximum redirection entry 23)", (v >> 16) & 0xff, PINS - 1);
	pc_check("ioapic: id register as the MADT says", (ioapic_read(IOAPIC_REG_ID) >> 24) & 0xf,
		 pc_acpi.ioapic_id);
	for (unsigned p = 0; p < PINS; p++)
		masked += !!(ioapic_entry_low(p) & IOAPIC_RTE_MASKED);
	pc_check("ioapic: every pin masked at reset", masked, PINS);

	desc_set_handler(VEC_PIT, (void *)on_pit);
	ioapic_route(pin, VEC_PIT, false, 0);
	pc_check("ioapic: entry of IRQ 0's pin reads back",
		 ioapic_entry_low(pin) & (0xff | IOAPIC_RTE_LEVEL | IOAPIC_RTE_MASKED), VEC_PIT);
	t0 = pc_pit_start_100hz();
	pc_wait(&pit_fired, TICKS, 2000);
	ioapic_mask(pin);
	if (pc_verdict("ioapic: PIT IRQ 0 on pin 2, 10 interrupts", pit_fired >= TICKS,
		       "%u interrupts in 2 s", pit_fired))
		return;
	pc_within("ioapic: 10 PIT interrupts at 100 Hz take 100 ms (us)", pc_us(pit_tsc - t0),
		  TICKS * 10000 - 10, TICKS * 10000 * 10);
}
