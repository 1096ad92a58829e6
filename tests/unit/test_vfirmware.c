/*
 * Unit tests of vdev/firmware.c, the firmware tables a partition finds
 * in its memory, read back the way an OS reads them: the RSDP through
 * the hypervisor's own parser (acpi_rsdp_valid), the XSDT and RSDT
 * entries, every table's checksum, the FADT's fields, the FACS, the
 * DSDT's \_S5_ (acpi_find_s5) and the structure of its AML (every
 * package length ends where its contents end), the MADT through
 * acpi_parse_madt for 1, 2, 8 and 64 CPUs, the SMBIOS entry point and
 * structures, and the refusals (-E2BIG with the buffer untouched,
 * -EINVAL for a CPU count the MADT cannot hold).
 *
 * With VFW_DUMP=dir in the environment, the tables of a 2-CPU partition
 * are also written to dir/<signature>.dat, for `iasl -d`.
 */
/* unit-sources: vdev/firmware.c drivers/acpi_tables.c */
#define _GNU_SOURCE /* memmem */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/unit.h"

#include "drivers/acpi.h"
#include "vdev/firmware.h"
#include "vdev/layout.h"

#define FADT_LEN 276
#define SMBIOS_EP 0xf0000u

static u8 *fw; /* a GUEST_FW_SIZE buffer, freed by the teardown */

static int setup(void **state)
{
	(void)state;
	fw = malloc(GUEST_FW_SIZE);
	assert_non_null(fw);
	memset(fw, 0xaa, GUEST_FW_SIZE);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(fw);
	console_capture_reset();
	return 0;
}

static void build(u32 ncpus)
{
	struct vfw_config c = { .ncpus = ncpus };
	assert_int_equal(vfw_build(fw, GUEST_FW_SIZE, &c), 0);
}

/* The buffer's bytes at guest-physical gpa, which must hold len bytes. */
static void *at(u64 gpa, u64 len)
{
	assert_true(gpa >= GUEST_FW_BASE);
	assert_true(gpa - GUEST_FW_BASE + len <= GUEST_FW_SIZE);
	return fw + (gpa - GUEST_FW_BASE);
}

static const struct acpi_rsdp *rsdp(void)
{
	return at(GUEST_RSDP, sizeof(struct acpi_rsdp));
}

/* A table at gpa: its signature checked, its whole length inside the buffer. */
static const struct acpi_header *table(u64 gpa, const char *sig)
{
	const struct acpi_header *h = at(gpa, sizeof(*h));
	assert_memory_equal(h->signature, sig, 4);
	at(gpa, h->length);
	return h;
}

/* Entry i of the XSDT. */
static u64 xsdt_entry(u32 i)
{
	const struct acpi_header *x = table(rsdp()->xsdt_addr, "XSDT");
	u64 e;
	assert_true(sizeof(*x) + 8 * (i + 1) <= x->length);
	memcpy(&e, (const u8 *)(x + 1) + 8 * i, 8);
	return e;
}

/* The table the XSDT lists with this signature. */
static const struct acpi_header *find(const char *sig)
{
	const struct acpi_header *x = table(rsdp()->xsdt_addr, "XSDT");
	for (u32 i = 0; i < (x->length - sizeof(*x)) / 8; i++) {
		const struct acpi_header *h = at(xsdt_entry(i), sizeof(*h));
		if (memcmp(h->signature, sig, 4) == 0)
			return table(xsdt_entry(i), sig);
	}
	fail_msg("no %s in the XSDT", sig);
	return NULL;
}

static const struct acpi_fadt *fadt(void)
{
	return (const void *)find("FACP");
}

static const struct acpi_header *dsdt(void)
{
	return table(fadt()->x_dsdt, "DSDT");
}

static const struct acpi_madt *madt(void)
{
	return (const void *)find("APIC");
}

/* ---- the RSDP, XSDT and RSDT ------------------------------------------------- */

static void test_rsdp(void **state)
{
	(void)state;
	build(2);
	assert_true(acpi_rsdp_valid(rsdp(), sizeof(struct acpi_rsdp)));
	assert_console_quiet();
	assert_int_equal(rsdp()->revision, 2);
	assert_int_equal(rsdp()->length, 36);
	assert_memory_equal(rsdp()->oem_id, "CLOISN", 6);
	assert_true(acpi_checksum_ok(rsdp(), 20));
	assert_true(acpi_checksum_ok(rsdp(), 36));
	assert_int_equal(GUEST_RSDP % 16, 0); /* where the BIOS-area scan looks */
}

static void test_root_tables(void **state)
{
	const struct acpi_header *x, *r;
	u32 r0, r1;

	(void)state;
	build(2);
	x = table(rsdp()->xsdt_addr, "XSDT");
	r = table(rsdp()->rsdt_addr, "RSDT");
	assert_int_equal(x->length, 36 + 2 * 8);
	assert_int_equal(r->length, 36 + 2 * 4);
	assert_true(acpi_checksum_ok(x, x->length));
	assert_true(acpi_checksum_ok(r, r->length));
	table(xsdt_entry(0), "FACP");
	table(xsdt_entry(1), "APIC");
	/* The RSDT lists the same tables, as 32-bit addresses. */
	memcpy(&r0, (const u8 *)(r + 1), 4);
	memcpy(&r1, (const u8 *)(r + 1) + 4, 4);
	assert_int_equal(r0, xsdt_entry(0));
	assert_int_equal(r1, xsdt_entry(1));
}

static void test_every_checksum(void **state)
{
	const struct acpi_header *t[5];
	u8 *copy;

	(void)state;
	build(3);
	t[0] = table(rsdp()->xsdt_addr, "XSDT");
	t[1] = table(rsdp()->rsdt_addr, "RSDT");
	t[2] = find("FACP");
	t[3] = find("APIC");
	t[4] = dsdt();
	for (u32 i = 0; i < ARRAY_SIZE(t); i++) {
		assert_true(acpi_checksum_ok(t[i], t[i]->length));
		/* The sum covers the last byte too: a table cut short would not add up. */
		copy = malloc(t[i]->length);
		assert_non_null(copy);
		memcpy(copy, t[i], t[i]->length);
		copy[t[i]->length - 1] ^= 0x01;
		assert_false(acpi_checksum_ok(copy, t[i]->length));
		free(copy);
	}
}

/* ---- the FADT and FACS ------------------------------------------------------- */

/* The FADT's X_ generic address n (0 = X_PM1a_EVT_BLK ... 5 = X_PM_TMR_BLK, 6 = X_GPE0_BLK). */
static struct acpi_gas x_block(u32 n)
{
	struct acpi_gas g;
	memcpy(&g, (const u8 *)fadt() + 148 + 12 * n, sizeof(g));
	return g;
}

static void test_fadt_pm_blocks(void **state)
{
	const struct acpi_fadt *f;
	struct acpi_gas g;

	(void)state;
	build(2);
	f = fadt();
	assert_int_equal(f->h.length, FADT_LEN);
	assert_int_equal(f->h.revision, 6);
	assert_int_equal(f->minor_version, 4);
	assert_true(acpi_checksum_ok(f, f->h.length));
	assert_int_equal(f->sci_int, GUEST_IRQ_SCI);
	assert_int_equal(f->smi_cmd, 0); /* ACPI mode from the start */
	assert_int_equal(f->acpi_enable, 0);
	assert_int_equal(f->pm1a_evt_blk, GUEST_PM1A_EVT);
	assert_int_equal(f->pm1_evt_len, 4);
	assert_int_equal(f->pm1a_cnt_blk, GUEST_PM1A_CNT);
	assert_int_equal(f->pm1_cnt_len, 2);
	assert_int_equal(f->pm_tmr_blk, GUEST_PM_TMR);
	assert_int_equal(f->pm_tmr_len, 4);
	assert_int_equal(f->pm1b_evt_blk | f->pm1b_cnt_blk | f->pm2_cnt_blk, 0);
	assert_int_equal(f->gpe0_blk | f->gpe1_blk | f->gpe0_blk_len | f->gpe1_blk_len, 0);
	assert_int_equal(f->pm2_cnt_len, 0);
	/* Each X_ block says the same as its 32-bit field, or ACPICA warns. */
	g = x_block(0);
	assert_int_equal(g.space_id, 1);
	assert_int_equal(g.address, GUEST_PM1A_EVT);
	assert_int_equal(g.bit_width, 32);
	g = x_block(2);
	assert_int_equal(g.address, GUEST_PM1A_CNT);
	assert_int_equal(g.bit_width, 16);
	g = x_block(5);
	assert_int_equal(g.address, GUEST_PM_TMR);
	assert_int_equal(g.bit_width, 32);
	assert_int_equal(x_block(1).address | x_block(3).address | x_block(4).address, 0);
	assert_int_equal(x_block(6).address | x_block(7).address, 0);
	assert_true(f->p_lvl2_lat > 100 && f->p_lvl3_lat > 1000); /* no C2/C3 */
}

static void test_fadt_flags_and_reset(void **state)
{
	const struct acpi_fadt *f;

	(void)state;
	build(2);
	f = fadt();
	assert_true(f->flags & ACPI_FADT_RESET_REG_SUP);
	assert_true(f->flags & (1u << 0));   /* WBINVD */
	assert_true(f->flags & (1u << 2));   /* C1 on every CPU */
	assert_true(f->flags & (1u << 4));   /* no fixed power button */
	assert_true(f->flags & (1u << 5));   /* no fixed sleep button */
	assert_false(f->flags & (1u << 8));  /* 24-bit PM timer */
	assert_false(f->flags & (1u << 20)); /* not hardware-reduced */
	assert_int_equal(f->reset_reg.space_id, 1);
	assert_int_equal(f->reset_reg.bit_width, 8); /* Linux's acpi_reboot wants 8, offset 0 */
	assert_int_equal(f->reset_reg.bit_offset, 0);
	assert_int_equal(f->reset_reg.address, GUEST_RESET_PORT);
	assert_int_equal(f->reset_value, GUEST_RESET_VALUE);
	/* IA-PC boot flags: legacy devices, 8042, no VGA, no MSI; CMOS RTC present. */
	assert_int_equal(f->iapc_boot_arch, 0x000f);
	assert_int_equal(f->century, 0x32);
}

static void test_fadt_dsdt_and_facs(void **state)
{
	const struct acpi_fadt *f;
	const struct acpi_header *d;
	const u8 *facs;
	u32 len;

	(void)state;
	build(2);
	f = fadt();
	assert_int_equal(f->dsdt, f->x_dsdt); /* no 32/64 mismatch */
	d = dsdt();
	assert_int_equal(d->revision, 2);
	assert_true(acpi_checksum_ok(d, d->length));
	assert_memory_equal(d->oem_id, "CLOISN", 6);
	/* The FACS only through X_FIRMWARE_CTRL, so ACPICA installs it once. */
	assert_int_equal(f->firmware_ctrl, 0);
	assert_int_not_equal(f->x_firmware_ctrl, 0);
	assert_int_equal(f->x_firmware_ctrl % 64, 0);
	facs = at(f->x_firmware_ctrl, 64);
	assert_memory_equal(facs, "FACS", 4);
	memcpy(&len, facs + 4, 4);
	assert_int_equal(len, 64);
	assert_int_equal(facs[32], 2);	   /* version */
	assert_int_equal(facs[24] & 3, 0); /* no S4BIOS, no 64-bit wake */
}

/* ---- the DSDT's AML ---------------------------------------------------------- */

/* Decode a PkgLength at *p; returns where the package ends and moves *p past the encoding. */
static const u8 *pkg_end(const u8 **p, const u8 *limit)
{
	const u8 *start = *p;
	u32 extra = start[0] >> 6, len;

	assert_true(start + 1 + extra <= limit);
	len = extra ? start[0] & 0x0f : start[0] & 0x3f;
	for (u32 k = 1; k <= extra; k++)
		len |= (u32)start[k] << (8 * k - 4);
	/* The shortest encoding, as a compiler writes it. */
	assert_true(extra == 0 ? len <= 0x3f : len > 0x3f);
	*p = start + 1 + extra;
	assert_true(start + len <= limit);
	return start + len;
}

struct dev_expect {
	const char *name;
	u8 hid[4];  /* the EISA id as stored */
	u8 crs[32]; /* the resource template, end tag included */
	u32 crs_len;
};

static const struct dev_expect devices[] = {
	{ "COM1",
	  { 0x41, 0xd0, 0x05, 0x01 },
	  { 0x47, 0x01, 0xf8, 0x03, 0xf8, 0x03, 0x01, 0x08, 0x22, 0x10, 0x00, 0x79, 0x00 },
	  13 },
	{ "KBD_",
	  { 0x41, 0xd0, 0x03, 0x03 },
	  { 0x47, 0x01, 0x60, 0x00, 0x60, 0x00, 0x01, 0x01, 0x47, 0x01, 0x64,
	    0x00, 0x64, 0x00, 0x01, 0x01, 0x22, 0x02, 0x00, 0x79, 0x00 },
	  21 },
	{ "MOU_", { 0x41, 0xd0, 0x0f, 0x13 }, { 0x22, 0x00, 0x10, 0x79, 0x00 }, 5 },
	{ "RTC_",
	  { 0x41, 0xd0, 0x0b, 0x00 },
	  { 0x47, 0x01, 0x70, 0x00, 0x70, 0x00, 0x01, 0x02, 0x22, 0x00, 0x01, 0x79, 0x00 },
	  13 },
};

static void test_dsdt_s5(void **state)
{
	const struct acpi_header *d;
	u8 a = 0, b = 0;

	(void)state;
	build(2);
	d = dsdt();
	assert_true(acpi_find_s5((const u8 *)(d + 1), d->length - sizeof(*d), &a, &b));
	assert_int_equal(a, GUEST_SLP_TYP_S5);
	assert_int_equal(b, GUEST_SLP_TYP_S5);
}

/* The AML, walked: \_S5_, then Scope (\_SB_) holding exactly the four devices. */
static void test_dsdt_structure(void **state)
{
	const struct acpi_header *d;
	const u8 *p, *end, *scope_end, *pkg;

	(void)state;
	build(2);
	d = dsdt();
	p = (const u8 *)(d + 1);
	end = (const u8 *)d + d->length;

	assert_memory_equal(p, "\x08\\_S5_\x12", 7);
	p += 7;
	pkg = pkg_end(&p, end);
	assert_int_equal(*p, 4); /* NumElements */
	assert_memory_equal(p + 1, "\x0a\x05\x0a\x05\x00\x00", 6);
	assert_ptr_equal(p + 7, pkg);
	p = pkg;

	assert_int_equal(*p++, 0x10); /* ScopeOp */
	scope_end = pkg_end(&p, end);
	assert_ptr_equal(scope_end, end); /* the scope is the rest of the table */
	assert_memory_equal(p, "\\_SB_", 5);
	p += 5;
	for (u32 i = 0; i < ARRAY_SIZE(devices); i++) {
		const struct dev_expect *e = &devices[i];
		const u8 *dev_end, *buf_end;

		assert_memory_equal(p, "\x5b\x82", 2); /* DeviceOp */
		p += 2;
		dev_end = pkg_end(&p, scope_end);
		assert_memory_equal(p, e->name, 4);
		p += 4;
		assert_memory_equal(p, "\x08_HID\x0c", 6);
		assert_memory_equal(p + 6, e->hid, 4);
		p += 10;
		assert_memory_equal(p, "\x08_CRS\x11", 6);
		p += 6;
		buf_end = pkg_end(&p, dev_end);
		assert_ptr_equal(buf_end, dev_end);
		assert_int_equal(p[0], 0x0a); /* BufferSize as a ByteConst */
		assert_int_equal(p[1], e->crs_len);
		assert_ptr_equal(p + 2 + e->crs_len, buf_end);
		assert_memory_equal(p + 2, e->crs, e->crs_len);
		p = dev_end;
	}
	assert_ptr_equal(p, scope_end);
}

/* ---- the MADT ---------------------------------------------------------------- */

static void check_madt(u32 ncpus)
{
	struct madt_info info;
	const struct acpi_madt *m;

	build(ncpus);
	m = madt();
	assert_int_equal(m->h.length, 44 + 8 * ncpus + 12 + 2 * 10 + 6);
	assert_true(acpi_checksum_ok(m, m->h.length));
	assert_int_equal(acpi_parse_madt(m, &info, ACPI_MAX_CPUS), 0);
	assert_console_quiet();
	assert_int_equal(info.ncpus, ncpus);
	assert_int_equal(info.listed, ncpus);
	for (u32 i = 0; i < ncpus; i++)
		assert_int_equal(info.apic_ids[i], i);
	assert_int_equal(info.lapic_addr, GUEST_LAPIC_BASE);
	assert_int_equal(info.nioapics, 1);
	assert_int_equal(info.ioapics[0].address, GUEST_IOAPIC_BASE);
	assert_int_equal(info.ioapics[0].gsi_base, 0);
	assert_int_equal(info.isa[GUEST_IRQ_PIT].gsi, GUEST_PIN_PIT);
	assert_false(info.isa[GUEST_IRQ_PIT].level);
	assert_false(info.isa[GUEST_IRQ_PIT].active_low);
	assert_int_equal(info.isa[GUEST_IRQ_SCI].gsi, GUEST_IRQ_SCI);
	assert_true(info.isa[GUEST_IRQ_SCI].level);
	assert_false(info.isa[GUEST_IRQ_SCI].active_low);
	for (u32 irq = 1; irq < ISA_IRQS; irq++)
		if (irq != GUEST_IRQ_SCI) {
			assert_int_equal(info.isa[irq].gsi, irq);
			assert_false(info.isa[irq].level);
		}
}

static void test_madt_1(void **state)
{
	(void)state;
	check_madt(1);
}

static void test_madt_2(void **state)
{
	(void)state;
	check_madt(2);
}

static void test_madt_8(void **state)
{
	(void)state;
	check_madt(8);
}

static void test_madt_64(void **state)
{
	(void)state;
	check_madt(64);
}

/* What the parser does not look at: UIDs, the I/O APIC id, the NMI entry, PCAT_COMPAT. */
static void test_madt_entries(void **state)
{
	const struct acpi_madt *m;
	const u8 *p, *end;
	u32 cpus = 0, ioapics = 0, overrides = 0, nmis = 0;

	(void)state;
	build(4);
	m = madt();
	assert_int_equal(m->flags, 1); /* PCAT_COMPAT */
	assert_int_equal(m->h.revision, 5);
	end = (const u8 *)m + m->h.length;
	for (p = (const u8 *)(m + 1); p < end; p += p[1]) {
		assert_true(p[1] >= 2 && p + p[1] <= end);
		switch (p[0]) {
		case ACPI_MADT_LAPIC:
			assert_int_equal(p[1], 8);
			assert_int_equal(p[2], cpus); /* UID */
			assert_int_equal(p[3], cpus); /* APIC id */
			assert_int_equal(p[4], ACPI_MADT_ENABLED);
			cpus++;
			break;
		case ACPI_MADT_IOAPIC:
			assert_int_equal(p[2], 4); /* id = ncpus */
			ioapics++;
			break;
		case ACPI_MADT_ISA_OVERRIDE:
			assert_int_equal(p[2], 0); /* bus ISA */
			overrides++;
			break;
		case 4: /* local APIC NMI */
			assert_int_equal(p[1], 6);
			assert_int_equal(p[2], 0xff);		    /* all processors */
			assert_int_equal(p[3] | p[4] << 8, 0x0005); /* edge, active high */
			assert_int_equal(p[5], 1);		    /* LINT1 */
			nmis++;
			break;
		default:
			fail_msg("unexpected MADT entry type %u", p[0]);
		}
	}
	assert_ptr_equal(p, end);
	assert_int_equal(cpus, 4);
	assert_int_equal(ioapics, 1);
	assert_int_equal(overrides, 2);
	assert_int_equal(nmis, 1);
}

/* ---- the SMBIOS part --------------------------------------------------------- */

static void test_smbios(void **state)
{
	const u8 *e, *p, *end;
	u32 max, types = 0;
	u64 addr;
	const char *date = NULL;

	(void)state;
	build(2);
	e = at(SMBIOS_EP, 24);
	assert_memory_equal(e, "_SM3_", 5);
	assert_int_equal(e[6], 24);
	assert_true(acpi_checksum_ok(e, e[6]));
	assert_int_equal(e[7], 3); /* SMBIOS 3.0 */
	memcpy(&max, e + 12, 4);
	memcpy(&addr, e + 16, 8);
	p = at(addr, max);
	end = p + max;
	while (p < end) {
		const u8 *s = p + p[1];
		u32 type = p[0], n = 0;

		assert_true(p[1] >= 4 && s < end);
		/* The strings: each NUL-terminated, the set ended by an empty one. */
		for (; *s; s += strlen((const char *)s) + 1)
			if (type == 0 && ++n == p[8])
				date = (const char *)s;
		s += (s == p + p[1]) ? 2 : 1;
		types |= 1u << (type == 127 ? 31 : type);
		p = s;
		if (type == 127)
			break;
	}
	assert_ptr_equal(p, end); /* the end marker closes the table exactly */
	assert_int_equal(types, (1u << 0) | (1u << 1) | (1u << 31));
	/* The BIOS date as Linux's dmi_get_date reads it: the year after the last '/'. */
	assert_non_null(date);
	assert_true(atoi(strrchr(date, '/') + 1) >= 2001);
}

/* ---- refusals and the buffer ------------------------------------------------- */

static void test_too_small(void **state)
{
	struct vfw_config c = { .ncpus = 2 };
	static const u32 sizes[] = { 0, 36, 0x1000, 0x10000, 0x10020 };

	(void)state;
	for (u32 i = 0; i < ARRAY_SIZE(sizes); i++) {
		memset(fw, 0xaa, GUEST_FW_SIZE);
		assert_int_equal(vfw_build(fw, sizes[i], &c), -E2BIG);
		for (u32 k = 0; k < GUEST_FW_SIZE; k++)
			if (fw[k] != 0xaa)
				fail_msg("size %u: byte %u written", sizes[i], k);
	}
	/* The smallest size that works ends with the SMBIOS table, in a buffer that size. */
	build(2);
	{
		const u8 *e = at(SMBIOS_EP, 24);
		u64 table;
		u32 max, need;
		u8 *exact;

		memcpy(&max, e + 12, 4);
		memcpy(&table, e + 16, 8);
		need = (u32)(table - GUEST_FW_BASE) + max;
		exact = malloc(need); /* the sanitizer sees a byte written past it */
		assert_non_null(exact);
		assert_int_equal(vfw_build(exact, need, &c), 0);
		assert_int_equal(vfw_build(exact, need - 1, &c), -E2BIG);
		free(exact);
	}
}

static void test_bad_ncpus(void **state)
{
	struct vfw_config zero = { .ncpus = 0 }, many = { .ncpus = VFW_MAX_CPUS + 1 };
	struct madt_info info;

	(void)state;
	assert_int_equal(vfw_build(fw, GUEST_FW_SIZE, &zero), -EINVAL);
	assert_int_equal(vfw_build(fw, GUEST_FW_SIZE, &many), -EINVAL);
	build(VFW_MAX_CPUS); /* the most the MADT's 8-bit ids allow */
	assert_int_equal(acpi_parse_madt(madt(), &info, ACPI_MAX_CPUS), 0);
	assert_int_equal(info.listed, VFW_MAX_CPUS);
	console_capture_reset(); /* the parser says it keeps only ACPI_MAX_CPUS */
}

static void test_rest_is_zero(void **state)
{
	const struct acpi_header *d;
	u64 dsdt_end;

	(void)state;
	build(2); /* over a buffer full of 0xaa */
	d = dsdt();
	dsdt_end = fadt()->x_dsdt + d->length;
	for (u64 gpa = dsdt_end; gpa < SMBIOS_EP; gpa++)
		assert_int_equal(*(u8 *)at(gpa, 1), 0);
	assert_int_equal(fw[GUEST_FW_SIZE - 1], 0);
}

static void test_deterministic(void **state)
{
	u8 *again = malloc(GUEST_FW_SIZE);
	struct vfw_config c = { .ncpus = 8 };

	(void)state;
	assert_non_null(again);
	build(8);
	assert_int_equal(vfw_build(again, GUEST_FW_SIZE, &c), 0);
	assert_memory_equal(fw, again, GUEST_FW_SIZE);
	free(again);
}

/*
 * VFW_DUMP=dir: the tables of a 2-CPU partition to dir/<signature>.dat,
 * found by following the pointers (no checks here: the tests make them).
 */
static void dump(void)
{
	const char *dir = getenv("VFW_DUMP");
	struct vfw_config c = { .ncpus = 2 };
	const struct acpi_rsdp *r;
	const struct acpi_fadt *f;
	const u8 *t[7];
	u32 len[7];
	u64 e;

	if (!dir || !(fw = calloc(1, GUEST_FW_SIZE)) || vfw_build(fw, GUEST_FW_SIZE, &c))
		return;
	r = (const void *)(fw + (GUEST_RSDP - GUEST_FW_BASE));
	t[0] = (const u8 *)r;
	len[0] = sizeof(*r);
	t[1] = fw + (r->xsdt_addr - GUEST_FW_BASE);
	t[2] = fw + (r->rsdt_addr - GUEST_FW_BASE);
	memcpy(&e, t[1] + 36, 8);
	t[3] = fw + (e - GUEST_FW_BASE); /* FACP */
	memcpy(&e, t[1] + 44, 8);
	t[4] = fw + (e - GUEST_FW_BASE); /* APIC */
	f = (const void *)t[3];
	t[5] = fw + (f->x_dsdt - GUEST_FW_BASE);
	t[6] = fw + (f->x_firmware_ctrl - GUEST_FW_BASE);
	for (u32 i = 0; i < ARRAY_SIZE(t); i++) {
		char path[512];
		FILE *out;

		if (i)
			memcpy(&len[i], t[i] + 4, 4);
		snprintf(path, sizeof(path), "%s/%.4s.dat", dir, i ? (const char *)t[i] : "RSDP");
		out = fopen(path, "wb");
		if (out) {
			fwrite(t[i], 1, len[i], out);
			fclose(out);
		}
	}
	free(fw);
	fw = NULL;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rsdp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_root_tables, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_checksum, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fadt_pm_blocks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fadt_flags_and_reset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fadt_dsdt_and_facs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dsdt_s5, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dsdt_structure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_madt_1, setup, teardown),
		cmocka_unit_test_setup_teardown(test_madt_2, setup, teardown),
		cmocka_unit_test_setup_teardown(test_madt_8, setup, teardown),
		cmocka_unit_test_setup_teardown(test_madt_64, setup, teardown),
		cmocka_unit_test_setup_teardown(test_madt_entries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_smbios, setup, teardown),
		cmocka_unit_test_setup_teardown(test_too_small, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_ncpus, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rest_is_zero, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deterministic, setup, teardown),
	};
	dump();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
