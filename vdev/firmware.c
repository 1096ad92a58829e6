/*
 * The firmware tables of a partition, built by hand (ACPI 6.4 chapter 5
 * for the tables, chapter 19/20 for AML, DMTF SMBIOS 3.x for the SMBIOS
 * part).  The devices they describe are modelled elsewhere (vdev/pm.c,
 * vdev/i8042.c, the APIC, PIT, PIC, RTC and UART models); this file only
 * says where they are.  What each table says, and why:
 *
 * RSDP (§5.2.5), at GUEST_RSDP: revision 2, both checksums, pointing at
 *   the XSDT and, for readers that only know ACPI 1.0, at the RSDT.
 * XSDT (§5.2.8) and RSDT (§5.2.7): the same two tables, FADT and MADT.
 * FADT (§5.2.9), revision 6.4, not hardware-reduced:
 *   - SCI_INT = GUEST_IRQ_SCI; SMI_CMD = 0, so there is no SMM handoff
 *     and the OS finds ACPI mode already on (SCI_EN reads 1).
 *   - PM1a event block (4 bytes) at GUEST_PM1A_EVT, PM1a control block
 *     (2 bytes) at GUEST_PM1A_CNT, PM timer (4 bytes, 24 bits wide) at
 *     GUEST_PM_TMR, each also as the matching X_ generic address (same
 *     address, bit width = length * 8, so ACPICA finds no 32/64
 *     mismatch).  No PM1b, PM2 or GPE blocks.
 *   - C2 and C3 latencies above their limits: no C2/C3 through the
 *     P_LVL registers.
 *   - Flags (Table 5.10): WBINVD works, C1 (HLT) works on every CPU,
 *     power and sleep buttons are not fixed features (there are none),
 *     the RTC's wake status is not in the fixed registers, the reset
 *     register is supported.
 *   - Reset register: one byte at I/O port GUEST_RESET_PORT, value
 *     GUEST_RESET_VALUE (Linux requires bit width 8, offset 0).
 *   - IA-PC boot architecture flags (Table 5.11): legacy ISA devices
 *     present (UART, RTC, PIT, PICs), 8042 present, VGA not present (do
 *     not probe it), MSI not supported (there is no PCI device to use
 *     it), CMOS RTC present (the "RTC not present" bit is clear).
 *   - CENTURY = 0x32: the RTC keeps the century in CMOS byte 0x32 (vdev/rtc.c).
 *   - X_DSDT and DSDT both name the DSDT; X_FIRMWARE_CTRL names the
 *     FACS and FIRMWARE_CTRL is 0, as the specification allows, since
 *     ACPICA installs the FACS once per non-zero field.
 * FACS (§5.2.10), 64-byte aligned, version 2: no waking vector (no
 *   sleep state to wake from), no S4BIOS, the global lock free.
 * DSDT (§5.2.11.1), AML written out below byte by byte:
 *   - Name (\_S5_, Package () { GUEST_SLP_TYP_S5, GUEST_SLP_TYP_S5, 0, 0 })
 *     (§7.4.2): what the OS writes into SLP_TYP to power off.  No other
 *     sleep state is named, so the OS offers none.
 *   - Under \_SB, four devices with _HID and _CRS, so that Linux's PNP
 *     layer reserves their ports and its drivers find them without
 *     probing: COM1 (PNP0501, 0x3f8-0x3ff, IRQ 4), the keyboard
 *     controller (PNP0303, 0x60 and 0x64, IRQ 1), its auxiliary port
 *     (PNP0F13, IRQ 12; declaring the keyboard side alone makes Linux
 *     warn that the AUX port looks disabled) and the RTC (PNP0B00,
 *     0x70-0x71, IRQ 8).  No processor objects: the MADT lists the CPUs,
 *     and without _CST/_PSS there is nothing for them to say.
 * MADT (§5.2.12): local APIC address GUEST_LAPIC_BASE, PCAT_COMPAT (the
 *   8259s exist and the OS masks them), one enabled processor local APIC
 *   entry per CPU (UID = APIC id = index), the I/O APIC with id ncpus at
 *   GUEST_IOAPIC_BASE, GSI base 0, the interrupt source overrides IRQ 0
 *   -> GSI GUEST_PIN_PIT (edge, high: as ISA) and IRQ GUEST_IRQ_SCI ->
 *   GSI GUEST_IRQ_SCI level, active high (the SCI's usual wiring), and
 *   one local APIC NMI entry: LINT1 of all processors, edge, high.
 *
 * SMBIOS (DSP0134 3.x): a 64-bit entry point at 0xF0000 and three
 * structures: BIOS information (type 0, with a release date), system
 * information (type 1) and the end marker (type 127).  It is here for
 * one reason: Linux (arch/x86/pci/direct.c) trusts PCI configuration
 * mechanism #1 without finding a host bridge only when the BIOS date
 * is 2001 or later; with no date and no device on bus 0 it rejects the
 * mechanism and logs "PCI: Fatal: No config space access function
 * found".  The partition has no PCI device, so the date is what lets the
 * empty bus (vdev/pci.c) be scanned as intended.
 *
 * Every structure proves its size with _Static_assert; every table's
 * checksum is computed after its contents are final.
 */
#include "vdev/firmware.h"
#include "lib/acpi.h"
#include "lib/lib.h"
#include "vdev/layout.h"

/* ---- ACPI structures ------------------------------------------------------- */

/*
 * The layouts the host's own ACPI reader shares are in lib/acpi.h; here
 * are the values and structures only the builder needs.
 */
#define GAS_ACCESS_BYTE 1 /* acpi_gas.access_size */

#define FADT_REVISION 6
#define FADT_MINOR 4
#define P_LVL2_NONE 101	 /* > 100 us: C2 not supported */
#define P_LVL3_NONE 1001 /* > 1000 us: C3 not supported */

/* FADT flags, Table 5.10 (with ACPI_FADT_RESET_REG_SUP). */
#define FADT_WBINVD (1u << 0)
#define FADT_PROC_C1 (1u << 2)
#define FADT_PWR_BUTTON (1u << 4) /* set: no fixed-feature power button */
#define FADT_SLP_BUTTON (1u << 5) /* set: no fixed-feature sleep button */
#define FADT_FIX_RTC (1u << 6)	  /* set: RTC wake status not in PM1 status */

/* IA-PC boot architecture flags, Table 5.11. */
#define BOOT_LEGACY_DEVICES (1u << 0)
#define BOOT_8042 (1u << 1)
#define BOOT_NO_VGA (1u << 2)
#define BOOT_NO_MSI (1u << 3)
#define BOOT_NO_CMOS_RTC (1u << 5) /* left clear */

struct facs { /* §5.2.10 */
	char signature[4];
	u32 length;
	u32 hardware_signature;
	u32 waking_vector;
	u32 global_lock;
	u32 flags;
	u64 x_waking_vector;
	u8 version;
	u8 reserved0[3];
	u32 ospm_flags;
	u8 reserved1[24];
} PACKED;
_Static_assert(sizeof(struct facs) == 64, "FACS");

#define FACS_VERSION 2
#define FACS_ALIGN 64 /* §5.2.10: 64-byte aligned */

#define MADT_REVISION 5
#define MADT_PCAT_COMPAT (1u << 0)

#define MADT_LAPIC_NMI 4
struct madt_lapic_nmi { /* §5.2.12.7 */
	u8 type, length;
	u8 uid;
	u16 flags; /* MPS INTI flags */
	u8 lint;
} PACKED;
_Static_assert(sizeof(struct madt_lapic_nmi) == 6, "MADT local APIC NMI");

#define MADT_ALL_CPUS 0xff /* a processor UID that names every processor */
#define MADT_OVERRIDES 2

#define XSDT_ENTRIES 2 /* FADT, MADT */

/* ---- SMBIOS structures (DSP0134 3.x) ----------------------------------------- */

struct smbios3_entry {	/* §5.2.2, the 64-bit entry point */
	char anchor[5]; /* "_SM3_" */
	u8 checksum;	/* over 'length' bytes */
	u8 length;
	u8 major, minor, docrev;
	u8 revision; /* entry point revision: 1 */
	u8 reserved;
	u32 table_max; /* the structure table's size */
	u64 table;
} PACKED;
_Static_assert(sizeof(struct smbios3_entry) == 24, "SMBIOS 3 entry point");

struct smbios_bios { /* type 0, §7.1, the 2.4+ layout */
	u8 type, length;
	u16 handle;
	u8 vendor, version; /* string numbers */
	u16 start_segment;
	u8 release_date; /* string number: "mm/dd/yyyy" */
	u8 rom_size;	 /* (n + 1) * 64 KiB */
	u64 characteristics;
	u8 ext1, ext2;
	u8 bios_major, bios_minor, ec_major, ec_minor;
} PACKED;
_Static_assert(sizeof(struct smbios_bios) == 0x18, "SMBIOS type 0");

struct smbios_system { /* type 1, §7.2, the 2.4+ layout */
	u8 type, length;
	u16 handle;
	u8 manufacturer, product, version, serial; /* string numbers */
	u8 uuid[16];
	u8 wake_up;
	u8 sku, family;
} PACKED;
_Static_assert(sizeof(struct smbios_system) == 0x1b, "SMBIOS type 1");

struct smbios_end { /* type 127, §7.45 */
	u8 type, length;
	u16 handle;
} PACKED;
_Static_assert(sizeof(struct smbios_end) == 4, "SMBIOS type 127");

#define SMBIOS_SCAN_START 0xf0000ull /* where an OS looks for the entry point */
#define BIOS_CHAR_NOT_SUPPORTED (1ull << 3)
#define BIOS_EXT2_VM (1u << 4) /* the table describes a virtual machine */
#define WAKE_POWER_SWITCH 6
#define NO_RELEASE 0xff
/* The strings after each structure, each ending in NUL, the set in a second NUL. */
static const char bios_strings[] = "cloison\0"
				   "1\0"
				   "12/06/2026\0";
static const char system_strings[] = "cloison\0"
				     "partition\0";

_Static_assert(GUEST_FW_BASE <= SMBIOS_SCAN_START &&
		       GUEST_FW_BASE + GUEST_FW_SIZE >= SMBIOS_SCAN_START + 0x100,
	       "the SMBIOS entry point must lie in the firmware area");
_Static_assert(GUEST_RSDP >= GUEST_FW_BASE && GUEST_RSDP % 16 == 0,
	       "the RSDP must be in the firmware area, 16-byte aligned (§5.2.5.1)");
_Static_assert(GUEST_FW_BASE + GUEST_FW_SIZE <= GUEST_4G, "32-bit table addresses");

/* ---- AML (§20.2) ------------------------------------------------------------- */

#define AML_MAX 256
#define AML_NAME 0x08
#define AML_SCOPE 0x10
#define AML_BUFFER 0x11
#define AML_PACKAGE 0x12
#define AML_BYTE 0x0a
#define AML_DWORD 0x0c
#define AML_ZERO 0x00
#define AML_EXT 0x5b
#define AML_DEVICE 0x82 /* after AML_EXT */
#define AML_ROOT '\\'

struct aml {
	u8 b[AML_MAX];
	u32 len;
	bool overflow;
};

static void emit(struct aml *a, const void *p, u32 n)
{
	if (a->overflow || n > AML_MAX - a->len) {
		a->overflow = true;
		return;
	}
	memcpy(a->b + a->len, p, n);
	a->len += n;
}

static void emit_byte(struct aml *a, u8 v)
{
	emit(a, &v, 1);
}

/* Room for a PkgLength (§20.2.4), to be filled by close_pkg once the package ends. */
static u32 open_pkg(struct aml *a)
{
	u32 at = a->len;
	emit(a, "\0\0", 2);
	return at;
}

/*
 * The PkgLength at 'at' counts itself and everything after it.  One byte
 * holds up to 63; two bytes (lead byte bits 7:6 = 1, its bits 3:0 the low
 * nibble, then bits 11:4) up to 4095.
 */
static void close_pkg(struct aml *a, u32 at)
{
	u32 body = a->len - at - 2;

	if (a->overflow)
		return;
	if (body + 1 <= 0x3f) {
		memmove(a->b + at + 1, a->b + at + 2, body);
		a->b[at] = (u8)(body + 1);
		a->len--;
	} else {
		a->b[at] = (u8)(0x40 | ((body + 2) & 0xf));
		a->b[at + 1] = (u8)((body + 2) >> 4);
	}
}

/* A compressed EISA id (§19.6.44, EISAID): three letters of 5 bits, then 4 hex digits. */
static u32 eisa_id(const char *id)
{
	u32 hex = 0;
	u8 b0 = (u8)(((id[0] - '@') << 2) | ((id[1] - '@') >> 3));
	u8 b1 = (u8)((((id[1] - '@') & 7) << 5) | (id[2] - '@'));

	for (int i = 3; i < 7; i++)
		hex = hex << 4 | (u32)(id[i] <= '9' ? id[i] - '0' : id[i] - 'A' + 10);
	/* Stored as the bytes b0 b1 hex-high hex-low; as a little-endian dword: */
	return b0 | (u32)b1 << 8 | (hex >> 8) << 16 | (hex & 0xff) << 24;
}

/* Resource descriptors (§6.4.2): a fixed 16-bit-decoded I/O range, an IRQ, the end tag. */
static void res_io(struct aml *a, u16 base, u8 len)
{
	u8 d[8] = { 0x47, 0x01, (u8)base, (u8)(base >> 8), (u8)base, (u8)(base >> 8), 0x01, len };
	emit(a, d, sizeof(d));
}

static void res_irq(struct aml *a, u8 irq)
{
	u16 mask = (u16)(1u << irq);
	u8 d[3] = { 0x22, (u8)mask, (u8)(mask >> 8) }; /* no flags byte: edge, active high */
	emit(a, d, sizeof(d));
}

/* Name (_HID, EisaId (id)) */
static void name_hid(struct aml *a, const char *id)
{
	u32 v = eisa_id(id);
	emit_byte(a, AML_NAME);
	emit(a, "_HID", 4);
	emit_byte(a, AML_DWORD);
	emit(a, &v, 4);
}

/* Device (name) { _HID, _CRS with one or two I/O ranges (len 0: none) and an IRQ } */
static void device(struct aml *a, const char *name, const char *hid, u16 io0, u8 len0, u16 io1,
		   u8 len1, u8 irq)
{
	u32 dev, buf, size_at;

	emit_byte(a, AML_EXT);
	emit_byte(a, AML_DEVICE);
	dev = open_pkg(a);
	emit(a, name, 4);
	name_hid(a, hid);
	emit_byte(a, AML_NAME);
	emit(a, "_CRS", 4);
	emit_byte(a, AML_BUFFER);
	buf = open_pkg(a);
	emit_byte(a, AML_BYTE);
	size_at = a->len;
	emit_byte(a, 0); /* BufferSize, known once the descriptors are out */
	if (len0)
		res_io(a, io0, len0);
	if (len1)
		res_io(a, io1, len1);
	res_irq(a, irq);
	emit(a, "\x79\x00", 2); /* end tag; checksum 0: "treat as correct" */
	if (!a->overflow)
		a->b[size_at] = (u8)(a->len - size_at - 1);
	close_pkg(a, buf);
	close_pkg(a, dev);
}

static void build_aml(struct aml *a)
{
	static const u8 s5[] = { AML_BYTE,	   GUEST_SLP_TYP_S5, AML_BYTE,
				 GUEST_SLP_TYP_S5, AML_ZERO,	     AML_ZERO };
	u32 pkg, scope;

	a->len = 0;
	a->overflow = false;

	/* Name (\_S5_, Package (4) { S5, S5, 0, 0 }) */
	emit_byte(a, AML_NAME);
	emit(a, "\\_S5_", 5);
	emit_byte(a, AML_PACKAGE);
	pkg = open_pkg(a);
	emit_byte(a, 4); /* NumElements */
	emit(a, s5, sizeof(s5));
	close_pkg(a, pkg);

	/* Scope (\_SB_) { the ISA devices } */
	emit_byte(a, AML_SCOPE);
	scope = open_pkg(a);
	emit(a, "\\_SB_", 5);
	device(a, "COM1", "PNP0501", 0x3f8, 8, 0, 0, GUEST_IRQ_COM1);
	device(a, "KBD_", "PNP0303", 0x60, 1, 0x64, 1, 1);
	device(a, "MOU_", "PNP0F13", 0, 0, 0, 0, 12);
	device(a, "RTC_", "PNP0B00", 0x70, 2, 0, 0, GUEST_IRQ_RTC);
	close_pkg(a, scope);
}

/* ---- tables ------------------------------------------------------------------ */

/* Where everything goes, as offsets into the buffer. */
struct layout {
	u32 xsdt, rsdt, fadt, facs, madt, dsdt, acpi_end;
	u32 madt_len, dsdt_len;
	u32 smbios, smbios_table, smbios_len, end;
};

static void set_checksum(void *p, u32 len, u8 *field)
{
	u8 sum = 0;

	*field = 0;
	for (u32 i = 0; i < len; i++)
		sum = (u8)(sum + ((const u8 *)p)[i]);
	*field = (u8)-sum;
}

static u32 gpa(u32 offset)
{
	return (u32)GUEST_FW_BASE + offset;
}

static void header(struct acpi_header *h, const char *sig, u32 len, u8 rev)
{
	memcpy(h->signature, sig, 4);
	h->length = len;
	h->revision = rev;
	memcpy(h->oem_id, VFW_OEM_ID, 6);
	memcpy(h->oem_table_id, VFW_OEM_TABLE_ID, 8);
	h->oem_revision = 1;
	memcpy(h->creator_id, "CLSN", 4);
	h->creator_revision = 1;
}

static struct acpi_gas io_gas(u16 port, u8 len)
{
	return (struct acpi_gas){ .space_id = ACPI_GAS_SYSTEM_IO,
				  .bit_width = (u8)(len * 8),
				  .address = port };
}

static void build_fadt(u8 *buf, const struct layout *l)
{
	struct acpi_fadt *f = (struct acpi_fadt *)(buf + l->fadt);

	header(&f->h, "FACP", sizeof(*f), FADT_REVISION);
	f->minor_version = FADT_MINOR;
	f->firmware_ctrl = 0;
	f->x_firmware_ctrl = gpa(l->facs);
	f->dsdt = gpa(l->dsdt);
	f->x_dsdt = gpa(l->dsdt);
	f->sci_int = GUEST_IRQ_SCI;
	f->smi_cmd = 0;
	f->pm1a_evt_blk = GUEST_PM1A_EVT;
	f->pm1_evt_len = 4;
	f->x_pm1a_evt_blk = io_gas(GUEST_PM1A_EVT, 4);
	f->pm1a_cnt_blk = GUEST_PM1A_CNT;
	f->pm1_cnt_len = 2;
	f->x_pm1a_cnt_blk = io_gas(GUEST_PM1A_CNT, 2);
	f->pm_tmr_blk = GUEST_PM_TMR;
	f->pm_tmr_len = 4;
	f->x_pm_tmr_blk = io_gas(GUEST_PM_TMR, 4);
	f->p_lvl2_lat = P_LVL2_NONE;
	f->p_lvl3_lat = P_LVL3_NONE;
	f->century = 0x32;
	f->iapc_boot_arch = BOOT_LEGACY_DEVICES | BOOT_8042 | BOOT_NO_VGA | BOOT_NO_MSI;
	f->flags = FADT_WBINVD | FADT_PROC_C1 | FADT_PWR_BUTTON | FADT_SLP_BUTTON | FADT_FIX_RTC |
		   ACPI_FADT_RESET_REG_SUP;
	f->reset_reg = io_gas(GUEST_RESET_PORT, 1);
	f->reset_reg.access_size = GAS_ACCESS_BYTE;
	f->reset_value = GUEST_RESET_VALUE;
	set_checksum(f, sizeof(*f), &f->h.checksum);
}

static void build_facs(u8 *buf, const struct layout *l)
{
	struct facs *f = (struct facs *)(buf + l->facs);

	memcpy(f->signature, "FACS", 4);
	f->length = sizeof(*f);
	f->version = FACS_VERSION; /* the FACS has no checksum */
}

static void build_dsdt(u8 *buf, const struct layout *l, const struct aml *a)
{
	struct acpi_header *h = (struct acpi_header *)(buf + l->dsdt);

	header(h, "DSDT", l->dsdt_len, 2); /* revision 2: 64-bit AML integers */
	memcpy(h + 1, a->b, a->len);
	set_checksum(h, l->dsdt_len, &h->checksum);
}

/* Append one MADT entry at *p. */
static void entry(u8 **p, const void *e, u32 len)
{
	memcpy(*p, e, len);
	*p += len;
}

static void build_madt(u8 *buf, const struct layout *l, u32 ncpus)
{
	struct acpi_madt *m = (struct acpi_madt *)(buf + l->madt);
	u8 *p = (u8 *)(m + 1);
	struct acpi_madt_ioapic ioapic = {
		.type = ACPI_MADT_IOAPIC,
		.length = sizeof(ioapic),
		.ioapic_id = (u8)ncpus,
		.address = (u32)GUEST_IOAPIC_BASE,
		.gsi_base = 0,
	};
	struct acpi_madt_isa_override pit = {
		.type = ACPI_MADT_ISA_OVERRIDE,
		.length = sizeof(pit),
		.source = GUEST_IRQ_PIT,
		.gsi = GUEST_PIN_PIT,
		.flags = 0, /* as the ISA bus: edge, active high */
	};
	struct acpi_madt_isa_override sci = {
		.type = ACPI_MADT_ISA_OVERRIDE,
		.length = sizeof(sci),
		.source = GUEST_IRQ_SCI,
		.gsi = GUEST_IRQ_SCI,
		.flags = ACPI_INTI_POLARITY_HIGH | ACPI_INTI_TRIGGER_LEVEL,
	};
	struct madt_lapic_nmi nmi = {
		.type = MADT_LAPIC_NMI,
		.length = sizeof(nmi),
		.uid = MADT_ALL_CPUS,
		.flags = ACPI_INTI_POLARITY_HIGH | ACPI_INTI_TRIGGER_EDGE,
		.lint = 1,
	};

	header(&m->h, "APIC", l->madt_len, MADT_REVISION);
	m->lapic_addr = (u32)GUEST_LAPIC_BASE;
	m->flags = MADT_PCAT_COMPAT;
	for (u32 i = 0; i < ncpus; i++) {
		struct acpi_madt_lapic cpu = {
			.type = ACPI_MADT_LAPIC,
			.length = sizeof(cpu),
			.uid = (u8)i,
			.apic_id = (u8)i,
			.flags = ACPI_MADT_ENABLED,
		};
		entry(&p, &cpu, sizeof(cpu));
	}
	entry(&p, &ioapic, sizeof(ioapic));
	entry(&p, &pit, sizeof(pit));
	entry(&p, &sci, sizeof(sci));
	entry(&p, &nmi, sizeof(nmi));
	set_checksum(m, l->madt_len, &m->h.checksum);
}

static void build_roots(u8 *buf, const struct layout *l)
{
	struct acpi_rsdp *r = (struct acpi_rsdp *)(buf + (GUEST_RSDP - GUEST_FW_BASE));
	struct acpi_header *x = (struct acpi_header *)(buf + l->xsdt);
	struct acpi_header *t = (struct acpi_header *)(buf + l->rsdt);
	const u32 tables[XSDT_ENTRIES] = { gpa(l->fadt), gpa(l->madt) };
	u32 xlen = sizeof(*x) + 8 * XSDT_ENTRIES, tlen = sizeof(*t) + 4 * XSDT_ENTRIES;

	header(x, "XSDT", xlen, 1);
	header(t, "RSDT", tlen, 1);
	for (u32 i = 0; i < XSDT_ENTRIES; i++) {
		u64 a64 = tables[i];
		memcpy((u8 *)(x + 1) + 8 * i, &a64, 8); /* 8-byte entries at offset 36: unaligned */
		memcpy((u8 *)(t + 1) + 4 * i, &tables[i], 4);
	}
	set_checksum(x, xlen, &x->checksum);
	set_checksum(t, tlen, &t->checksum);

	memcpy(r->signature, "RSD PTR ", 8);
	memcpy(r->oem_id, VFW_OEM_ID, 6);
	r->revision = 2;
	r->rsdt_addr = gpa(l->rsdt);
	r->length = sizeof(*r);
	r->xsdt_addr = gpa(l->xsdt);
	set_checksum(r, 20, &r->checksum);
	set_checksum(r, sizeof(*r), &r->ext_checksum);
}

static void build_smbios(u8 *buf, const struct layout *l)
{
	struct smbios3_entry *e = (struct smbios3_entry *)(buf + l->smbios);
	u8 *p = buf + l->smbios_table;
	struct smbios_bios bios = {
		.type = 0,
		.length = sizeof(bios),
		.handle = 0,
		.vendor = 1,
		.version = 2,
		.start_segment = (u16)(GUEST_FW_BASE >> 4),
		.release_date = 3,
		.rom_size = (u8)(GUEST_FW_SIZE / KiB(64) - 1),
		.characteristics = BIOS_CHAR_NOT_SUPPORTED,
		.ext2 = BIOS_EXT2_VM,
		.bios_major = NO_RELEASE,
		.bios_minor = NO_RELEASE,
		.ec_major = NO_RELEASE,
		.ec_minor = NO_RELEASE,
	};
	struct smbios_system sys = {
		.type = 1,
		.length = sizeof(sys),
		.handle = 1,
		.manufacturer = 1,
		.product = 2,
		.wake_up = WAKE_POWER_SWITCH,
	};
	struct smbios_end end = { .type = 127, .length = sizeof(end), .handle = 2 };

	memcpy(p, &bios, sizeof(bios));
	p += sizeof(bios);
	memcpy(p, bios_strings, sizeof(bios_strings)); /* its final NUL ends the set */
	p += sizeof(bios_strings);
	memcpy(p, &sys, sizeof(sys));
	p += sizeof(sys);
	memcpy(p, system_strings, sizeof(system_strings));
	p += sizeof(system_strings);
	memcpy(p, &end, sizeof(end));
	p += sizeof(end);
	memcpy(p, "\0", 2); /* no strings: two NULs */

	memcpy(e->anchor, "_SM3_", 5);
	e->length = sizeof(*e);
	e->major = 3;
	e->minor = 0;
	e->docrev = 0;
	e->revision = 1;
	e->table_max = l->smbios_len;
	e->table = gpa(l->smbios_table);
	set_checksum(e, sizeof(*e), &e->checksum);
}

static u32 smbios_len(void)
{
	return sizeof(struct smbios_bios) + sizeof(bios_strings) + sizeof(struct smbios_system) +
	       sizeof(system_strings) + sizeof(struct smbios_end) + 2;
}

static void plan(struct layout *l, u32 ncpus, u32 aml_len)
{
	u32 at = (GUEST_RSDP - GUEST_FW_BASE) + sizeof(struct acpi_rsdp);

	at = (u32)ALIGN_UP(at, 16);
	l->xsdt = at;
	at = (u32)ALIGN_UP(at + sizeof(struct acpi_header) + 8 * XSDT_ENTRIES, 16);
	l->rsdt = at;
	at = (u32)ALIGN_UP(at + sizeof(struct acpi_header) + 4 * XSDT_ENTRIES, FACS_ALIGN);
	l->facs = at;
	at = (u32)ALIGN_UP(at + sizeof(struct facs), 16);
	l->fadt = at;
	at = (u32)ALIGN_UP(at + sizeof(struct acpi_fadt), 16);
	l->madt_len = sizeof(struct acpi_madt) + ncpus * sizeof(struct acpi_madt_lapic) +
		      sizeof(struct acpi_madt_ioapic) +
		      MADT_OVERRIDES * sizeof(struct acpi_madt_isa_override) +
		      sizeof(struct madt_lapic_nmi);
	l->madt = at;
	at = (u32)ALIGN_UP(at + l->madt_len, 16);
	l->dsdt_len = sizeof(struct acpi_header) + aml_len;
	l->dsdt = at;
	l->acpi_end = at + l->dsdt_len;

	l->smbios = (u32)(SMBIOS_SCAN_START - GUEST_FW_BASE);
	l->smbios_table = l->smbios + (u32)ALIGN_UP(sizeof(struct smbios3_entry), 16);
	l->smbios_len = smbios_len();
	l->end = l->smbios_table + l->smbios_len;
}

int vfw_build(u8 *buf, u32 size, const struct vfw_config *c)
{
	struct aml aml;
	struct layout l;

	if (c->ncpus == 0 || c->ncpus > VFW_MAX_CPUS)
		return -EINVAL;
	build_aml(&aml);
	if (aml.overflow)
		return -E2BIG; /* AML_MAX is too small for the DSDT: a bug here */
	plan(&l, c->ncpus, aml.len);
	if (l.acpi_end > l.smbios || l.end > size)
		return -E2BIG;

	memset(buf, 0, size);
	build_facs(buf, &l);
	build_dsdt(buf, &l, &aml);
	build_fadt(buf, &l);
	build_madt(buf, &l, c->ncpus);
	build_roots(buf, &l);
	build_smbios(buf, &l);
	return 0;
}
