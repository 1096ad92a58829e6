/*
 * The ACPI table layouts that both sides of cloison use (ACPI 6.4
 * chapter 5): the host's reader of the machine's own tables
 * (drivers/acpi.c) and the builder of a partition's tables
 * (vdev/firmware.c).  Here are the RSDP, the common table header, the
 * generic address structure, the FADT, the MADT header and the three
 * MADT entries both read or write, with the flag values both use.  A
 * layout or value only one side needs stays beside that side.  Every
 * structure proves its size, and the FADT its offsets, with
 * _Static_assert.
 */
#ifndef LIB_ACPI_H
#define LIB_ACPI_H

#include "lib/types.h"

/* Root System Description Pointer, §5.2.5.3. */
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

/* The header every system description table starts with, §5.2.6. */
struct acpi_header {
	char signature[4];
	u32 length; /* of the whole table, header included */
	u8 revision;
	u8 checksum; /* over 'length' bytes */
	char oem_id[6];
	char oem_table_id[8];
	u32 oem_revision;
	char creator_id[4];
	u32 creator_revision;
} PACKED;
_Static_assert(sizeof(struct acpi_header) == 36, "SDT header (ACPI §5.2.6)");

/* Generic address structure, §5.2.3.2. */
struct acpi_gas {
	u8 space_id; /* 0 system memory, 1 system I/O */
	u8 bit_width;
	u8 bit_offset;
	u8 access_size; /* 0 undefined, 1 byte, 2 word, 3 dword, 4 qword */
	u64 address;
} PACKED;
_Static_assert(sizeof(struct acpi_gas) == 12, "GAS layout (ACPI §5.2.3.2)");

#define ACPI_GAS_SYSTEM_IO 1

/*
 * Fixed ACPI Description Table, §5.2.9, Table 5.9, as of ACPI 6.x.  Older
 * tables are shorter: a reader checks h.length before it reads a field.
 */
struct acpi_fadt {
	struct acpi_header h;
	u32 firmware_ctrl;
	u32 dsdt;
	u8 reserved0;
	u8 preferred_pm_profile;
	u16 sci_int;
	u32 smi_cmd;
	u8 acpi_enable, acpi_disable, s4bios_req, pstate_cnt;
	u32 pm1a_evt_blk, pm1b_evt_blk, pm1a_cnt_blk, pm1b_cnt_blk, pm2_cnt_blk, pm_tmr_blk;
	u32 gpe0_blk, gpe1_blk;
	u8 pm1_evt_len, pm1_cnt_len, pm2_cnt_len, pm_tmr_len;
	u8 gpe0_blk_len, gpe1_blk_len, gpe1_base, cst_cnt;
	u16 p_lvl2_lat, p_lvl3_lat;
	u16 flush_size, flush_stride;
	u8 duty_offset, duty_width;
	u8 day_alrm, mon_alrm, century;
	u16 iapc_boot_arch;
	u8 reserved1;
	u32 flags;
	struct acpi_gas reset_reg;
	u8 reset_value;
	u16 arm_boot_arch;
	u8 minor_version;
	u64 x_firmware_ctrl;
	u64 x_dsdt;
	struct acpi_gas x_pm1a_evt_blk, x_pm1b_evt_blk, x_pm1a_cnt_blk, x_pm1b_cnt_blk;
	struct acpi_gas x_pm2_cnt_blk, x_pm_tmr_blk, x_gpe0_blk, x_gpe1_blk;
	struct acpi_gas sleep_control_reg, sleep_status_reg;
	u64 hypervisor_vendor;
} PACKED;
_Static_assert(__builtin_offsetof(struct acpi_fadt, sci_int) == 46, "FADT SCI_INT");
_Static_assert(__builtin_offsetof(struct acpi_fadt, pm1_evt_len) == 88, "FADT PM1_EVT_LEN");
_Static_assert(__builtin_offsetof(struct acpi_fadt, iapc_boot_arch) == 109, "FADT IAPC_BOOT_ARCH");
_Static_assert(__builtin_offsetof(struct acpi_fadt, flags) == 112, "FADT flags");
_Static_assert(__builtin_offsetof(struct acpi_fadt, reset_reg) == 116, "FADT RESET_REG");
_Static_assert(__builtin_offsetof(struct acpi_fadt, x_dsdt) == 140, "FADT X_DSDT");
_Static_assert(__builtin_offsetof(struct acpi_fadt, x_pm_tmr_blk) == 208, "FADT X_PM_TMR_BLK");
_Static_assert(sizeof(struct acpi_fadt) == 276, "FADT, ACPI 6.x (§5.2.9)");

#define ACPI_FADT_RESET_REG_SUP (1u << 10) /* flags, Table 5.10: RESET_REG is supported */

/* Multiple APIC Description Table, §5.2.12: this header, then the entries. */
struct acpi_madt {
	struct acpi_header h;
	u32 lapic_addr;
	u32 flags;
} PACKED;
_Static_assert(sizeof(struct acpi_madt) == 44, "MADT header (ACPI §5.2.12)");

/* Entry types (§5.2.12); each entry starts with its type and its length in bytes. */
#define ACPI_MADT_LAPIC 0
#define ACPI_MADT_IOAPIC 1
#define ACPI_MADT_ISA_OVERRIDE 2

/* A processor's local APIC, §5.2.12.2. */
struct acpi_madt_lapic {
	u8 type, length;
	u8 uid; /* its ACPI processor UID */
	u8 apic_id;
	u32 flags;
} PACKED;
_Static_assert(sizeof(struct acpi_madt_lapic) == 8, "MADT local APIC entry (ACPI §5.2.12.2)");

#define ACPI_MADT_ENABLED (1u << 0) /* local APIC flags: the CPU is usable */

/* An I/O APIC, §5.2.12.3. */
struct acpi_madt_ioapic {
	u8 type, length;
	u8 ioapic_id;
	u8 reserved;
	u32 address;
	u32 gsi_base; /* the global system interrupt of its pin 0 */
} PACKED;
_Static_assert(sizeof(struct acpi_madt_ioapic) == 12, "MADT I/O APIC entry (ACPI §5.2.12.3)");

/*
 * Interrupt source override, §5.2.12.5: an ISA IRQ that does not arrive
 * on the GSI of its number, or not edge-triggered and active high.
 */
struct acpi_madt_isa_override {
	u8 type, length;
	u8 bus; /* 0: ISA */
	u8 source;
	u32 gsi;
	u16 flags; /* MPS INTI flags, below */
} PACKED;
_Static_assert(sizeof(struct acpi_madt_isa_override) == 10,
	       "MADT interrupt source override (ACPI §5.2.12.5)");

/*
 * MPS INTI flags (Table 5.26): polarity in bits 1:0, trigger mode in bits
 * 3:2.  0 in a field means "as the bus says" (ISA: active high, edge).
 */
#define ACPI_INTI_POLARITY_MASK 0x3
#define ACPI_INTI_POLARITY_HIGH 0x1
#define ACPI_INTI_POLARITY_LOW 0x3
#define ACPI_INTI_TRIGGER_MASK 0xc
#define ACPI_INTI_TRIGGER_EDGE 0x4
#define ACPI_INTI_TRIGGER_LEVEL 0xc

#endif
