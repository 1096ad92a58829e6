/*
 * ACPI tables the hypervisor reads (ACPI 6.4 §5.2): the RSDP, the
 * RSDT/XSDT, the MADT (which CPUs and I/O APICs exist, where ISA IRQs
 * arrive) and the FADT (power-off and reset registers, the PM timer),
 * plus the \_S5_ sleep values from the DSDT.  The table layouts are in
 * lib/acpi.h, shared with the partitions' table builder; the two MADT
 * entries only this reader needs are here, and prove their sizes with
 * _Static_assert.  The MADT and _S5_ parsers are pure and unit-tested on
 * captured tables.
 */
#ifndef DRIVERS_ACPI_H
#define DRIVERS_ACPI_H

#include "lib/acpi.h"
#include "lib/types.h"

/* MADT entries only the host reads (the shared ones are in lib/acpi.h). */
#define ACPI_MADT_LAPIC_OVERRIDE 5
#define ACPI_MADT_X2APIC 9

/* A processor's local x2APIC, §5.2.12.12. */
struct acpi_madt_x2apic {
	u8 type, length;
	u16 reserved;
	u32 x2apic_id;
	u32 flags; /* ACPI_MADT_ENABLED */
	u32 uid;
} PACKED;
_Static_assert(sizeof(struct acpi_madt_x2apic) == 16, "MADT x2APIC entry (ACPI §5.2.12.12)");

/* Local APIC address override, §5.2.12.8: a 64-bit address for the MADT's lapic_addr. */
struct acpi_madt_lapic_override {
	u8 type, length;
	u16 reserved;
	u64 address;
} PACKED;
_Static_assert(sizeof(struct acpi_madt_lapic_override) == 12,
	       "MADT LAPIC address override (ACPI §5.2.12.8)");

#define ACPI_MAX_CPUS 64
#define ACPI_MAX_IOAPICS 8
#define ISA_IRQS 16

struct madt_info {
	u32 apic_ids[ACPI_MAX_CPUS];
	u32 ncpus;  /* stored in apic_ids */
	u32 listed; /* enabled CPUs the table lists (may exceed ncpus) */
	u64 lapic_addr;
	struct {
		u64 address;
		u32 gsi_base;
	} ioapics[ACPI_MAX_IOAPICS];
	u32 nioapics;	    /* stored in ioapics */
	u32 ioapics_listed; /* the table lists (may exceed nioapics) */
	/* Where each ISA IRQ arrives: its GSI, and whether it is active-low or level. */
	struct {
		u32 gsi;
		bool active_low, level;
	} isa[ISA_IRQS];
};

/* What the rest of the hypervisor learns from ACPI. */
struct acpi_info {
	bool present;
	char oem_id[7];
	struct madt_info madt;
	bool have_madt;
	/* FADT power management */
	bool have_fadt;
	u32 smi_cmd;
	u8 acpi_enable;
	u32 pm1a_cnt, pm1b_cnt;
	u32 pm_timer;	  /* I/O port of the 24/32-bit PM timer, 0 if none */
	bool pm_timer_32; /* timer is 32 bits wide */
	bool have_s5;
	u8 s5_a, s5_b;
	bool have_reset;
	struct acpi_gas reset_reg;
	u8 reset_value;
	/* Physical ranges of every table read, to keep out of the allocator. */
	struct {
		u64 base, len;
	} tables[32];
	u32 ntables;
};

extern struct acpi_info acpi;

bool acpi_checksum_ok(const void *p, size_t len);
/* Validate an RSDP copy of len bytes; klog says why when it is refused. */
bool acpi_rsdp_valid(const struct acpi_rsdp *r, size_t len);
/* Parse a MADT into out, keeping at most max_cpus ids. Returns 0 or -EINVAL. */
int acpi_parse_madt(const struct acpi_madt *madt, struct madt_info *out, u32 max_cpus);
/* Find the \_S5_ package in AML; returns true and the two SLP_TYP values. */
bool acpi_find_s5(const u8 *aml, size_t len, u8 *slp_typa, u8 *slp_typb);

/*
 * Find and read the tables, from the copy of the RSDP the boot loader
 * gave (or NULL), else from the BIOS areas; says what was not usable.
 */
void acpi_init(const void *boot_rsdp, u32 boot_rsdp_len);

#endif
