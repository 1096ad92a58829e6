/*
 * The pc guest's look at the ACPI tables, found as an OS finds them on a
 * PC: the RSDP by scanning the BIOS area 0xe0000-0xfffff on 16-byte
 * boundaries (ACPI 6.4 §5.2.5.1), then the XSDT (or RSDT), the MADT and
 * the FADT, and in the FADT's DSDT the \_S5 package.  Every table's
 * checksum must hold.  What they say goes into pc_acpi for the other
 * checks: where the APICs are, which I/O APIC pin IRQ 0 reaches, the
 * PM timer and PM1a control ports, and what to write to power off.
 */
#include "guests/pc/pc.h"

#define SCAN_START 0xe0000u
#define SCAN_END 0x100000u
#define SDT_HEADER 36 /* §5.2.6 */
#define SDT_LENGTH 4
#define RSDP_RSDT 16 /* §5.2.5.3 */
#define RSDP_REVISION 15
#define RSDP_LENGTH 20
#define RSDP_XSDT 24
#define RSDP_V1_SIZE 20
#define MADT_LAPIC_ADDR 36 /* §5.2.12 */
#define MADT_ENTRIES 44
#define FADT_DSDT 40 /* §5.2.9, table 5.9 */
#define FADT_PM1A_CNT 64
#define FADT_PM_TMR 76
#define AML_NAME 0x08 /* §20.2 */
#define AML_PACKAGE 0x12
#define AML_BYTE 0x0a
#define AML_ZERO 0x00
#define AML_ONE 0x01

struct pc_acpi pc_acpi = { .irq0_gsi = -1, .slp_typ_s5 = -1 };

/* A pointer to guest-physical memory (paging is off): hidden from the compiler's bounds. */
static const uint8_t *phys(uint32_t addr)
{
	__asm__("" : "+r"(addr));
	return (const uint8_t *)(uintptr_t)addr;
}

static uint32_t get32(const uint8_t *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint8_t sum(const uint8_t *p, uint32_t n)
{
	uint8_t s = 0;

	while (n--)
		s = (uint8_t)(s + *p++);
	return s;
}

static bool same(const uint8_t *p, const char *s, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (p[i] != (uint8_t)s[i])
			return false;
	return true;
}

/* A table's header says sig and its length is sane (under 64 KiB here). */
static bool table_is(const uint8_t *t, const char *sig)
{
	uint32_t len = get32(t + SDT_LENGTH);

	return same(t, sig, 4) && len >= SDT_HEADER && len < 0x10000;
}

static uint32_t find_rsdp(void)
{
	for (uint32_t a = SCAN_START; a < SCAN_END; a += 16)
		if (same(phys(a), "RSD PTR ", 8) && sum(phys(a), RSDP_V1_SIZE) == 0)
			return a;
	return 0;
}

/* The table with signature sig among the root table's entries (entry bytes wide). */
static const uint8_t *find_table(const uint8_t *root, unsigned entry, const char *sig)
{
	uint32_t n = (get32(root + SDT_LENGTH) - SDT_HEADER) / entry;

	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *e = root + SDT_HEADER + i * entry;
		if (entry == 8 && get32(e + 4))
			continue; /* above 4 GiB: not for a 32-bit guest without paging */
		if (table_is(phys(get32(e)), sig))
			return phys(get32(e));
	}
	return 0;
}

static void madt(const uint8_t *m, unsigned cpus)
{
	uint32_t len = get32(m + SDT_LENGTH);

	pc_acpi.lapic_addr = get32(m + MADT_LAPIC_ADDR);
	for (uint32_t at = MADT_ENTRIES; at + 2 <= len && m[at + 1] >= 2; at += m[at + 1]) {
		const uint8_t *e = m + at;
		switch (e[0]) {
		case 0: /* processor local APIC: enabled (bit 0) */
			pc_acpi.cpus += get32(e + 4) & 1;
			break;
		case 1: /* I/O APIC */
			pc_acpi.ioapic_id = e[2];
			pc_acpi.ioapic_addr = get32(e + 4);
			break;
		case 2: /* interrupt source override: bus, source, GSI */
			if (e[3] == 0)
				pc_acpi.irq0_gsi = (int)get32(e + 4);
			break;
		}
	}
	pc_check("acpi: MADT checksum", sum(m, len), 0);
	pc_check("acpi: MADT local APIC address", pc_acpi.lapic_addr, LAPIC_BASE);
	pc_check("acpi: MADT enabled processors = cpus", pc_acpi.cpus, cpus);
	pc_check("acpi: MADT I/O APIC address", pc_acpi.ioapic_addr, IOAPIC_BASE);
	pc_check("acpi: MADT override IRQ 0 -> GSI 2", pc_acpi.irq0_gsi, 2);
}

/* Name (\_S5_, Package () { SLP_TYP for PM1a, ... }): the first element's value. */
static int s5_value(const uint8_t *dsdt)
{
	uint32_t len = get32(dsdt + SDT_LENGTH);

	for (uint32_t i = SDT_HEADER; i + 8 < len; i++) {
		const uint8_t *p = dsdt + i;
		unsigned follow;
		if (!same(p, "_S5_", 4) || p[4] != AML_PACKAGE)
			continue;
		follow = p[5] >> 6;  /* PkgLength: bytes after the lead byte (§20.2.4) */
		p += 6 + follow + 1; /* past PkgLength and NumElements */
		if (p[0] == AML_BYTE)
			return p[1];
		if (p[0] == AML_ZERO || p[0] == AML_ONE)
			return p[0];
		return -1;
	}
	return -1;
}

static void fadt(const uint8_t *f)
{
	const uint8_t *dsdt = phys(get32(f + FADT_DSDT));

	pc_check("acpi: FADT checksum", sum(f, get32(f + SDT_LENGTH)), 0);
	pc_acpi.pm1a_cnt = (uint16_t)get32(f + FADT_PM1A_CNT);
	pc_acpi.pm_tmr = (uint16_t)get32(f + FADT_PM_TMR);
	pc_verdict("acpi: FADT names PM1a control and PM timer ports",
		   pc_acpi.pm1a_cnt && pc_acpi.pm_tmr, "PM1a_CNT 0x%x, PM_TMR 0x%x",
		   pc_acpi.pm1a_cnt, pc_acpi.pm_tmr);
	if (!table_is(dsdt, "DSDT")) {
		pc_verdict("acpi: DSDT found", false, "FADT points at 0x%x", get32(f + FADT_DSDT));
		return;
	}
	pc_check("acpi: DSDT checksum", sum(dsdt, get32(dsdt + SDT_LENGTH)), 0);
	pc_acpi.slp_typ_s5 = s5_value(dsdt);
	pc_verdict("acpi: DSDT \\_S5 gives SLP_TYP",
		   pc_acpi.slp_typ_s5 >= 0 && pc_acpi.slp_typ_s5 < 8, "value %d",
		   pc_acpi.slp_typ_s5);
}

void acpi_checks(unsigned cpus)
{
	uint32_t at = find_rsdp();
	const uint8_t *r, *root, *t;
	unsigned entry = 4;

	if (pc_verdict("acpi: RSDP found in 0xe0000-0xfffff", at != 0, "no \"RSD PTR \" there"))
		return;
	r = phys(at);
	root = phys(get32(r + RSDP_RSDT));
	pc_check("acpi: RSDT checksum",
		 table_is(root, "RSDT") ? sum(root, get32(root + SDT_LENGTH)) : -1, 0);
	if (r[RSDP_REVISION] >= 2) {
		uint32_t len = get32(r + RSDP_LENGTH);
		pc_check("acpi: RSDP extended checksum", sum(r, len < 36 ? 36 : len), 0);
		if (!get32(r + RSDP_XSDT + 4) && table_is(phys(get32(r + RSDP_XSDT)), "XSDT")) {
			root = phys(get32(r + RSDP_XSDT));
			entry = 8;
			pc_check("acpi: XSDT checksum", sum(root, get32(root + SDT_LENGTH)), 0);
		}
	}
	if (!table_is(root, entry == 8 ? "XSDT" : "RSDT"))
		return;
	t = find_table(root, entry, "APIC");
	if (!pc_verdict("acpi: MADT found", t != 0, "not in the %s", entry == 8 ? "XSDT" : "RSDT"))
		madt(t, cpus);
	t = find_table(root, entry, "FACP");
	if (!pc_verdict("acpi: FADT found", t != 0, "not in the %s", entry == 8 ? "XSDT" : "RSDT"))
		fadt(t);
}
