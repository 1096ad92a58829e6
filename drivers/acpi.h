/*
 * ACPI tables the hypervisor reads (ACPI 6.4 §5.2): the RSDP, the
 * RSDT/XSDT, the MADT (which CPUs and I/O APICs exist, where ISA IRQs
 * arrive) and the FADT (power-off and
 * reset registers, the PM timer), plus the \_S5_ sleep values from the
 * DSDT.  Table layouts prove their sizes with _Static_assert; the MADT
 * and _S5_ parsers are pure and unit-tested on captured tables.
 */
#ifndef DRIVERS_ACPI_H
#define DRIVERS_ACPI_H

#include "lib/types.h"

struct acpi_rsdp {
	char signature[8]; /* "RSD PTR " */
	u8 checksum;	   /* over the first 20 bytes */
	char oem_id[6];
	u8 revision; /* 0: ACPI 1.0 (RSDT only), 2+: XSDT fields valid */
	u32 rsdt_addr;
	u32 length; /* of the whole structure, revision 2+ */
	u64 xsdt_addr;
	u8 ext_checksum; /* over all 'length' bytes */
	u8 reserved[3];
} PACKED;
_Static_assert(sizeof(struct acpi_rsdp) == 36, "RSDP layout (ACPI §5.2.5.3)");

struct acpi_header {
	char signature[4];
	u32 length;
	u8 revision;
	u8 checksum;
	char oem_id[6];
	char oem_table_id[8];
	u32 oem_revision;
	u32 creator_id;
	u32 creator_revision;
} PACKED;
_Static_assert(sizeof(struct acpi_header) == 36, "SDT header (ACPI §5.2.6)");

struct acpi_gas {    /* generic address structure, ACPI §5.2.3.2 */
	u8 space_id; /* 0 memory, 1 system I/O */
	u8 bit_width;
	u8 bit_offset;
	u8 access_size;
	u64 address;
} PACKED;
_Static_assert(sizeof(struct acpi_gas) == 12, "GAS layout");

struct acpi_fadt { /* only the fields up to X_DSDT; ACPI §5.2.9 */
	struct acpi_header h;
	u32 firmware_ctrl;
	u32 dsdt;
	u8 reserved0;
	u8 preferred_pm_profile;
	u16 sci_int;
	u32 smi_cmd;
	u8 acpi_enable;
	u8 acpi_disable;
	u8 s4bios_req;
	u8 pstate_cnt;
	u32 pm1a_evt_blk;
	u32 pm1b_evt_blk;
	u32 pm1a_cnt_blk;
	u32 pm1b_cnt_blk;
	u32 pm2_cnt_blk;
	u32 pm_tmr_blk;
	u32 gpe0_blk;
	u32 gpe1_blk;
	u8 pm1_evt_len;
	u8 pm1_cnt_len;
	u8 pm2_cnt_len;
	u8 pm_tmr_len;
	u8 gpe0_blk_len;
	u8 gpe1_blk_len;
	u8 gpe1_base;
	u8 cst_cnt;
	u16 p_lvl2_lat;
	u16 p_lvl3_lat;
	u16 flush_size;
	u16 flush_stride;
	u8 duty_offset;
	u8 duty_width;
	u8 day_alrm;
	u8 mon_alrm;
	u8 century;
	u16 iapc_boot_arch;
	u8 reserved1;
	u32 flags;
	struct acpi_gas reset_reg;
	u8 reset_value;
	u16 arm_boot_arch;
	u8 minor_version;
	u64 x_firmware_ctrl;
	u64 x_dsdt;
} PACKED;
_Static_assert(__builtin_offsetof(struct acpi_fadt, flags) == 112, "FADT flags offset");
_Static_assert(__builtin_offsetof(struct acpi_fadt, reset_reg) == 116, "FADT RESET_REG offset");
_Static_assert(__builtin_offsetof(struct acpi_fadt, x_dsdt) == 140, "FADT X_DSDT offset");
_Static_assert(sizeof(struct acpi_fadt) == 148, "FADT prefix size");

#define FADT_RESET_REG_SUP (1u << 10) /* RESET_REG is supported */

struct acpi_madt {
	struct acpi_header h;
	u32 lapic_addr;
	u32 flags;
	/* interrupt controller structures follow */
} PACKED;
_Static_assert(sizeof(struct acpi_madt) == 44, "MADT header (ACPI §5.2.12)");

/* MADT entry types and flags (ACPI §5.2.12.2, §5.2.12.12). */
#define MADT_LAPIC 0
#define MADT_IOAPIC 1
#define MADT_ISA_OVERRIDE 2
#define MADT_LAPIC_OVERRIDE 5
#define MADT_X2APIC 9
#define MADT_CPU_ENABLED (1u << 0)

struct madt_lapic {
	u8 type, length;
	u8 processor_uid;
	u8 apic_id;
	u32 flags;
} PACKED;
_Static_assert(sizeof(struct madt_lapic) == 8, "MADT local APIC entry");

struct madt_x2apic {
	u8 type, length;
	u16 reserved;
	u32 x2apic_id;
	u32 flags;
	u32 uid;
} PACKED;
_Static_assert(sizeof(struct madt_x2apic) == 16, "MADT x2APIC entry");

struct madt_ioapic {
	u8 type, length;
	u8 ioapic_id;
	u8 reserved;
	u32 address;
	u32 gsi_base; /* the global system interrupt of its pin 0 */
} PACKED;
_Static_assert(sizeof(struct madt_ioapic) == 12, "MADT I/O APIC entry");

/* An ISA IRQ that does not arrive on the GSI of its number, or not edge/high. */
struct madt_isa_override {
	u8 type, length;
	u8 bus; /* 0: ISA */
	u8 source;
	u32 gsi;
	u16 flags; /* MPS INTI flags, below */
} PACKED;
_Static_assert(sizeof(struct madt_isa_override) == 10, "MADT interrupt source override");

/* MPS INTI flags (ACPI Table 5.26): 0 in a field means "as the bus says" (ISA: high, edge). */
#define MPS_POLARITY_MASK 0x3
#define MPS_POLARITY_LOW 0x3
#define MPS_TRIGGER_MASK 0xc
#define MPS_TRIGGER_LEVEL 0xc

struct madt_lapic_override {
	u8 type, length;
	u16 reserved;
	u64 address;
} PACKED;
_Static_assert(sizeof(struct madt_lapic_override) == 12, "MADT LAPIC address override");

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
