/*
 * Unit tests of drivers/acpi_tables.c, the pure ACPI parsers: table
 * checksums; RSDP validation (signature, checksum, the v2 extended
 * checksum and length) with its console lines; the MADT's list of CPUs
 * on tables captured from QEMU (-smp 2 and 4) and Bochs and on synthetic
 * ones (disabled CPUs, x2APIC entries, a CPU listed twice, the LAPIC
 * address override, malformed entries, more CPUs than cloison runs);
 * and the \_S5_ search on the captured DSDTs and on hand-written AML
 * (BytePrefix, ZeroOp/OneOp, root-prefixed names, names that are not
 * definitions, truncated packages).
 *
 * Every table is handed to the parser in a heap block of exactly its
 * size, so the sanitizer catches a read past the end.
 */
/* unit-sources: drivers/acpi_tables.c tests/unit/acpi_captured.c */
#define _GNU_SOURCE /* memmem */
#include <stdlib.h>
#include <string.h>

#include "tests/unit/unit.h"

#include "drivers/acpi.h"
#include "tests/unit/acpi_captured.h"

/* Heap copies, freed by the teardown. */
static void *copies[16];
static unsigned ncopies;

static void *copy_of(const void *p, size_t len)
{
	void *c = malloc(len ? len : 1);
	assert_non_null(c);
	assert_true(ncopies < ARRAY_SIZE(copies));
	memcpy(c, p, len);
	copies[ncopies++] = c;
	return c;
}

static int teardown(void **state)
{
	(void)state;
	while (ncopies)
		free(copies[--ncopies]);
	console_capture_reset(); /* each test sees only its own lines */
	return 0;
}

static void set_checksum(void *p, size_t len, u8 *field)
{
	u8 sum = 0;
	*field = 0;
	for (size_t i = 0; i < len; i++)
		sum += ((u8 *)p)[i];
	*field = (u8)(0 - sum);
}

/* ---- checksums and the RSDP -------------------------------------------- */

static void test_checksum(void **state)
{
	(void)state;
	assert_true(acpi_checksum_ok(qemu_smp2_madt, qemu_smp2_madt_len));
	assert_true(acpi_checksum_ok(qemu_smp2_dsdt, qemu_smp2_dsdt_len));
	assert_true(acpi_checksum_ok(qemu_smp4_madt, qemu_smp4_madt_len));
	assert_true(acpi_checksum_ok(bochs_madt, bochs_madt_len));
	assert_true(acpi_checksum_ok(bochs_dsdt, bochs_dsdt_len));
	assert_true(acpi_checksum_ok(qemu_smp2_rsdp, 20));
	assert_true(acpi_checksum_ok("", 0));

	u8 *m = copy_of(bochs_madt, bochs_madt_len);
	m[50] ^= 0x40;
	assert_false(acpi_checksum_ok(m, bochs_madt_len));
	m[51] -= 0x40; /* compensated: the sum is right again */
	assert_true(acpi_checksum_ok(m, bochs_madt_len));
	/* The whole length counts, not a prefix. */
	assert_int_not_equal(qemu_smp2_madt[qemu_smp2_madt_len - 1], 0);
	assert_false(acpi_checksum_ok(qemu_smp2_madt, qemu_smp2_madt_len - 1));
}

static void test_rsdp_captured(void **state)
{
	(void)state;
	console_capture_reset();
	assert_true(acpi_rsdp_valid(copy_of(qemu_smp2_rsdp, 20), 20));
	assert_true(acpi_rsdp_valid(copy_of(bochs_rsdp, 20), 20));
	assert_console_quiet();
	assert_int_equal(((const struct acpi_rsdp *)qemu_smp2_rsdp)->revision, 0);
}

static void test_rsdp_bad_signature(void **state)
{
	(void)state;
	struct acpi_rsdp *r = copy_of(qemu_smp2_rsdp, 20);
	r->signature[7] = '_';
	set_checksum(r, 20, &r->checksum);
	console_capture_reset();
	assert_false(acpi_rsdp_valid(r, 20));
	assert_console(1, "cloison: acpi: RSDP has no \"RSD PTR \" signature; ignored");

	/* Too short to hold one at all. */
	console_capture_reset();
	assert_false(acpi_rsdp_valid(copy_of(qemu_smp2_rsdp, 19), 19));
	assert_console(1, "RSDP has no \"RSD PTR \" signature; ignored");
}

static void test_rsdp_bad_checksum(void **state)
{
	(void)state;
	struct acpi_rsdp *r = copy_of(qemu_smp2_rsdp, 20);
	r->oem_id[0] ^= 1;
	console_capture_reset();
	assert_false(acpi_rsdp_valid(r, 20));
	assert_console(1, "cloison: acpi: RSDP checksum is bad; ignored");
}

/* A good ACPI 2.0 RSDP in a block of exactly len bytes (len <= 36). */
static struct acpi_rsdp *rsdp_v2(size_t len)
{
	struct acpi_rsdp r;
	memset(&r, 0, sizeof(r));
	memcpy(r.signature, "RSD PTR ", 8);
	memcpy(r.oem_id, "BOCHS ", 6);
	r.revision = 2;
	r.rsdt_addr = 0x7fe1234;
	r.length = sizeof(r);
	r.xsdt_addr = 0x7fe5678;
	set_checksum(&r, 20, &r.checksum);
	set_checksum(&r, sizeof(r), &r.ext_checksum);
	return copy_of(&r, len);
}

static void test_rsdp_v2(void **state)
{
	(void)state;
	console_capture_reset();
	assert_true(acpi_rsdp_valid(rsdp_v2(36), 36));
	assert_console_quiet();

	/* Bad extended checksum (the first 20 bytes are still right). */
	struct acpi_rsdp *r = rsdp_v2(36);
	r->xsdt_addr ^= 0x1000;
	assert_true(acpi_checksum_ok(r, 20));
	console_capture_reset();
	assert_false(acpi_rsdp_valid(r, 36));
	assert_console(1, "cloison: acpi: RSDP extended checksum is bad; ignored");

	/* Revision 3 and up are checked the same way. */
	r = rsdp_v2(36);
	r->revision = 6;
	set_checksum(r, 20, &r->checksum);
	set_checksum(r, 36, &r->ext_checksum);
	console_capture_reset();
	assert_true(acpi_rsdp_valid(r, 36));
	r->reserved[0] = 1;
	assert_false(acpi_rsdp_valid(r, 36));
	assert_console(1, "RSDP extended checksum is bad; ignored");
}

static void test_rsdp_v2_truncated(void **state)
{
	(void)state;
	/*
	 * A v2 RSDP of which only the v1 part arrived (GRUB's old-RSDP tag
	 * holds 20 bytes): refused, without reading past those bytes.
	 */
	static const size_t lens[] = { 20, 24, 35 };
	for (size_t i = 0; i < ARRAY_SIZE(lens); i++) {
		console_capture_reset();
		assert_false(acpi_rsdp_valid(rsdp_v2(lens[i]), lens[i]));
		assert_console(1, "cloison: acpi: RSDP v2 is truncated");
	}

	/* A length field that says less than the structure, or more than there is. */
	struct acpi_rsdp *r = rsdp_v2(36);
	r->length = 20;
	set_checksum(r, 20, &r->checksum);
	console_capture_reset();
	assert_false(acpi_rsdp_valid(r, 36));
	assert_console(1, "RSDP v2 is truncated (length 20); ignored");

	r = rsdp_v2(36);
	r->length = 40;
	set_checksum(r, 20, &r->checksum);
	console_capture_reset();
	assert_false(acpi_rsdp_valid(r, 36));
	assert_console(1, "RSDP v2 is truncated (length 40); ignored");
}

/* ---- MADT -------------------------------------------------------------- */

struct madt_builder {
	u8 buf[4096];
	size_t len;
};

static struct madt_builder mb;

static void madt_begin(u32 lapic_addr)
{
	struct acpi_madt *m = (void *)mb.buf;
	memset(&mb, 0, sizeof(mb));
	memcpy(m->h.signature, "APIC", 4);
	m->h.revision = 5;
	m->lapic_addr = lapic_addr;
	m->flags = 1; /* PC-AT compatible */
	mb.len = sizeof(*m);
}

static void madt_entry(const void *e, size_t len)
{
	assert_true(mb.len + len <= sizeof(mb.buf));
	memcpy(mb.buf + mb.len, e, len);
	mb.len += len;
}

static void madt_lapic(u8 uid, u8 apic_id, u32 flags)
{
	struct acpi_madt_lapic e = { ACPI_MADT_LAPIC, sizeof(e), uid, apic_id, flags };
	madt_entry(&e, sizeof(e));
}

static void madt_x2apic(u32 id, u32 flags, u32 uid)
{
	struct acpi_madt_x2apic e = { ACPI_MADT_X2APIC, sizeof(e), 0, id, flags, uid };
	madt_entry(&e, sizeof(e));
}

static void madt_ioapic(void)
{
	static const u8 e[12] = { ACPI_MADT_IOAPIC, 12, 2, 0, 0x00, 0x00, 0xc0, 0xfe, 0, 0, 0, 0 };
	madt_entry(e, sizeof(e));
}

/* The finished table on the heap, length and checksum filled in. */
static const struct acpi_madt *madt_finish(void)
{
	struct acpi_madt *m = (void *)mb.buf;
	m->h.length = (u32)mb.len;
	set_checksum(m, mb.len, &m->h.checksum);
	return copy_of(mb.buf, mb.len);
}

static struct madt_info info;

static int parse_madt(const void *madt, u32 max_cpus)
{
	console_capture_reset();
	memset(&info, 0xa5, sizeof(info));
	return acpi_parse_madt(madt, &info, max_cpus);
}

static void assert_ids(const u32 *ids, u32 n)
{
	assert_int_equal(info.ncpus, n);
	for (u32 i = 0; i < n; i++)
		assert_int_equal(info.apic_ids[i], ids[i]);
}

static void test_madt_qemu_smp2(void **state)
{
	(void)state;
	static const u32 ids[] = { 0, 1 };
	assert_int_equal(parse_madt(copy_of(qemu_smp2_madt, qemu_smp2_madt_len), ACPI_MAX_CPUS), 0);
	assert_console_quiet();
	assert_ids(ids, 2);
	assert_int_equal(info.listed, 2);
	assert_int_equal(info.lapic_addr, 0xfee00000);
}

static void test_madt_qemu_smp4(void **state)
{
	(void)state;
	static const u32 ids[] = { 0, 1, 2, 3 };
	assert_int_equal(parse_madt(copy_of(qemu_smp4_madt, qemu_smp4_madt_len), ACPI_MAX_CPUS), 0);
	assert_console_quiet();
	assert_ids(ids, 4);
	assert_int_equal(info.listed, 4);
	assert_int_equal(info.lapic_addr, 0xfee00000);

	/* Fewer supported than listed: the first ones are kept, all are counted. */
	assert_int_equal(parse_madt(copy_of(qemu_smp4_madt, qemu_smp4_madt_len), 3), 0);
	assert_ids(ids, 3);
	assert_int_equal(info.listed, 4);
	assert_console(1, "cloison: acpi: MADT lists 4 CPUs but cloison supports 3; the rest stay "
			  "off");
}

static void test_madt_bochs(void **state)
{
	(void)state;
	static const u32 ids[] = { 0, 1 };
	assert_int_equal(parse_madt(copy_of(bochs_madt, bochs_madt_len), ACPI_MAX_CPUS), 0);
	assert_console_quiet();
	assert_ids(ids, 2);
	assert_int_equal(info.listed, 2);
	assert_int_equal(info.lapic_addr, 0xfee00000);
}

static void test_madt_disabled_cpus(void **state)
{
	(void)state;
	static const u32 ids[] = { 0, 4 };
	madt_begin(0xfee00000);
	madt_lapic(0, 0, ACPI_MADT_ENABLED);
	madt_lapic(1, 2, 0);	   /* disabled */
	madt_lapic(2, 3, 1u << 1); /* online capable, not enabled */
	madt_ioapic();		   /* not a CPU */
	madt_lapic(3, 4, ACPI_MADT_ENABLED | 2);
	madt_x2apic(0x200, 0, 5); /* disabled */
	assert_int_equal(parse_madt(madt_finish(), ACPI_MAX_CPUS), 0);
	assert_console_quiet();
	assert_ids(ids, 2);
	assert_int_equal(info.listed, 2);
}

static void test_madt_x2apic(void **state)
{
	(void)state;
	static const u32 ids[] = { 1, 0x100, 0xfffffffe };
	madt_begin(0xfee00000);
	madt_lapic(0, 1, ACPI_MADT_ENABLED);
	madt_x2apic(0x100, ACPI_MADT_ENABLED, 1);
	madt_x2apic(0xffffffff, ACPI_MADT_ENABLED, 2); /* not a valid id */
	madt_x2apic(0xfffffffe, ACPI_MADT_ENABLED, 3);
	assert_int_equal(parse_madt(madt_finish(), ACPI_MAX_CPUS), 0);
	assert_console_quiet();
	assert_ids(ids, 3);
	assert_int_equal(info.listed, 3);
}

static void test_madt_duplicate_ids(void **state)
{
	(void)state;
	static const u32 ids[] = { 0, 1, 7 };
	madt_begin(0xfee00000);
	madt_lapic(0, 0, ACPI_MADT_ENABLED);
	madt_lapic(1, 1, ACPI_MADT_ENABLED);
	madt_x2apic(0, ACPI_MADT_ENABLED, 0);
	madt_x2apic(1, ACPI_MADT_ENABLED, 1);
	madt_x2apic(7, ACPI_MADT_ENABLED, 7);
	madt_lapic(7, 7, ACPI_MADT_ENABLED);
	assert_int_equal(parse_madt(madt_finish(), ACPI_MAX_CPUS), 0);
	assert_console_quiet();
	assert_ids(ids, 3);
	assert_int_equal(info.listed, 3);
}

static void test_madt_duplicates_beyond_the_limit(void **state)
{
	(void)state;
	/* Each CPU listed twice, and more CPUs than cloison keeps: count each once. */
	static const u32 ids[] = { 0, 1 };
	madt_begin(0xfee00000);
	for (u8 i = 0; i < 4; i++)
		madt_lapic(i, i, ACPI_MADT_ENABLED);
	for (u8 i = 0; i < 4; i++)
		madt_x2apic(i, ACPI_MADT_ENABLED, i);
	assert_int_equal(parse_madt(madt_finish(), 2), 0);
	assert_ids(ids, 2);
	assert_int_equal(info.listed, 4);
	assert_console(1, "MADT lists 4 CPUs but cloison supports 2; the rest stay off");
}

static void test_madt_more_than_max(void **state)
{
	(void)state;
	madt_begin(0xfee00000);
	for (u32 i = 0; i < ACPI_MAX_CPUS + 6; i++)
		madt_x2apic(i * 2, ACPI_MADT_ENABLED, i);
	assert_int_equal(parse_madt(madt_finish(), ACPI_MAX_CPUS), 0);
	assert_int_equal(info.ncpus, ACPI_MAX_CPUS);
	assert_int_equal(info.listed, ACPI_MAX_CPUS + 6);
	for (u32 i = 0; i < ACPI_MAX_CPUS; i++)
		assert_int_equal(info.apic_ids[i], i * 2);
	assert_console(1, "cloison: acpi: MADT lists 70 CPUs but cloison supports 64; the rest "
			  "stay off");

	/* A caller's limit above what the structure holds is capped at the structure. */
	assert_int_equal(parse_madt(madt_finish(), 1000), 0);
	assert_int_equal(info.ncpus, ACPI_MAX_CPUS);
	assert_int_equal(info.listed, ACPI_MAX_CPUS + 6);
	assert_console(1, "supports 64");
}

static void test_madt_lapic_override(void **state)
{
	(void)state;
	madt_begin(0xfee00000);
	madt_lapic(0, 0, ACPI_MADT_ENABLED);
	struct acpi_madt_lapic_override o = { ACPI_MADT_LAPIC_OVERRIDE, sizeof(o), 0,
					      0x12fee00000ull };
	madt_entry(&o, sizeof(o));
	madt_lapic(1, 1, ACPI_MADT_ENABLED);
	assert_int_equal(parse_madt(madt_finish(), ACPI_MAX_CPUS), 0);
	assert_console_quiet();
	assert_true(info.lapic_addr == 0x12fee00000ull);
	assert_int_equal(info.ncpus, 2);

	/* A too-short override is not used. */
	madt_begin(0xfee00000);
	o.length = 10;
	madt_entry(&o, 10);
	madt_lapic(0, 0, ACPI_MADT_ENABLED);
	assert_int_equal(parse_madt(madt_finish(), ACPI_MAX_CPUS), 0);
	assert_int_equal(info.lapic_addr, 0xfee00000);
	assert_int_equal(info.ncpus, 1);
}

static void test_madt_short_entries_skipped(void **state)
{
	(void)state;
	/* A well-framed entry too short for its type is skipped, not misread. */
	static const u8 short_lapic[6] = { ACPI_MADT_LAPIC, 6, 5, 5, 1, 0 };
	static const u8 short_x2apic[12] = { ACPI_MADT_X2APIC, 12, 0, 0, 9, 0, 0, 0, 1, 0, 0, 0 };
	static const u32 ids[] = { 0, 1 };
	madt_begin(0xfee00000);
	madt_lapic(0, 0, ACPI_MADT_ENABLED);
	madt_entry(short_lapic, sizeof(short_lapic));
	madt_entry(short_x2apic, sizeof(short_x2apic));
	madt_lapic(1, 1, ACPI_MADT_ENABLED);
	assert_int_equal(parse_madt(madt_finish(), ACPI_MAX_CPUS), 0);
	assert_console_quiet();
	assert_ids(ids, 2);
}

static void test_madt_malformed(void **state)
{
	(void)state;
	static const u32 ids[] = { 0, 1 };
	static const u8 zero_length[2] = { ACPI_MADT_LAPIC, 0 };
	static const u8 one_length[2] = { ACPI_MADT_IOAPIC, 1 };

	/* Length 0: the walk would never move on. */
	madt_begin(0xfee00000);
	madt_lapic(0, 0, ACPI_MADT_ENABLED);
	madt_lapic(1, 1, ACPI_MADT_ENABLED);
	madt_entry(zero_length, sizeof(zero_length));
	madt_lapic(2, 2, ACPI_MADT_ENABLED);
	assert_int_equal(parse_madt(madt_finish(), ACPI_MAX_CPUS), 0);
	assert_console(1, "cloison: acpi: MADT entry at offset 60 is malformed; the rest is "
			  "ignored");
	assert_ids(ids, 2);
	assert_int_equal(info.listed, 2);

	madt_begin(0xfee00000);
	madt_lapic(0, 0, ACPI_MADT_ENABLED);
	madt_lapic(1, 1, ACPI_MADT_ENABLED);
	madt_entry(one_length, sizeof(one_length));
	assert_int_equal(parse_madt(madt_finish(), ACPI_MAX_CPUS), 0);
	assert_console(1, "MADT entry at offset 60 is malformed");
	assert_ids(ids, 2);

	/* The last entry runs past the table's end. */
	madt_begin(0xfee00000);
	madt_lapic(0, 0, ACPI_MADT_ENABLED);
	madt_lapic(1, 1, ACPI_MADT_ENABLED);
	madt_lapic(2, 2, ACPI_MADT_ENABLED);
	mb.len -= 2;
	assert_int_equal(parse_madt(madt_finish(), ACPI_MAX_CPUS), 0);
	assert_console(1, "MADT entry at offset 60 is malformed");
	assert_ids(ids, 2);

	/* A single byte left over: not even a header. */
	madt_begin(0xfee00000);
	madt_lapic(0, 0, ACPI_MADT_ENABLED);
	madt_lapic(1, 1, ACPI_MADT_ENABLED);
	madt_entry(zero_length, 1);
	assert_int_equal(parse_madt(madt_finish(), ACPI_MAX_CPUS), 0);
	assert_console(1, "MADT entry at offset 60 is malformed");
	assert_ids(ids, 2);
}

static void test_madt_truncated(void **state)
{
	(void)state;
	madt_begin(0xfee00000);
	mb.len = sizeof(struct acpi_header) + 4;
	assert_int_equal(parse_madt(madt_finish(), ACPI_MAX_CPUS), -EINVAL);
	assert_console(1, "cloison: acpi: MADT is truncated (length 40); ignored");
	assert_int_equal(info.ncpus, 0);
	assert_int_equal(info.listed, 0);

	/* No entries at all is fine: no CPUs. */
	madt_begin(0xfee00000);
	assert_int_equal(parse_madt(madt_finish(), ACPI_MAX_CPUS), 0);
	assert_console_quiet();
	assert_int_equal(info.ncpus, 0);
	assert_int_equal(info.lapic_addr, 0xfee00000);
}

/* ---- \_S5_ ------------------------------------------------------------- */

static bool find_s5(const void *aml, size_t len, u8 *a, u8 *b)
{
	*a = 0xee;
	*b = 0xee;
	return acpi_find_s5(copy_of(aml, len), len, a, b);
}

/* The AML of a DSDT: what follows its header. */
static bool find_s5_in_dsdt(const u8 *dsdt, size_t len, u8 *a, u8 *b)
{
	return find_s5(dsdt + sizeof(struct acpi_header), len - sizeof(struct acpi_header), a, b);
}

static void test_s5_captured(void **state)
{
	(void)state;
	u8 a, b;
	/* Both firmwares: Name (_S5, Package (4) { 0, 0, 0, 0 }) for PIIX4 PM. */
	assert_true(find_s5_in_dsdt(qemu_smp2_dsdt, qemu_smp2_dsdt_len, &a, &b));
	assert_int_equal(a, 0);
	assert_int_equal(b, 0);
	assert_true(find_s5_in_dsdt(bochs_dsdt, bochs_dsdt_len, &a, &b));
	assert_int_equal(a, 0);
	assert_int_equal(b, 0);
	assert_console_quiet();
}

static void test_s5_not_s4(void **state)
{
	(void)state;
	/*
	 * QEMU's DSDT has \_S4_ = { 2, 2, 0, 0 } right before \_S5_; make
	 * _S5_'s values differ too and check which ones come back.
	 */
	u8 *dsdt = copy_of(qemu_smp2_dsdt, qemu_smp2_dsdt_len);
	u8 *s5 = memmem(dsdt, qemu_smp2_dsdt_len, "\x08_S5_\x12\x06\x04", 8);
	assert_non_null(s5);
	assert_non_null(memmem(dsdt, (size_t)(s5 - dsdt), "\x08_S4_", 5));
	s5[8] = 0x01; /* OneOp */
	u8 a, b;
	assert_true(find_s5_in_dsdt(dsdt, qemu_smp2_dsdt_len, &a, &b));
	assert_int_equal(a, 1);
	assert_int_equal(b, 0);
}

static void test_s5_byte_prefix(void **state)
{
	(void)state;
	static const u8 aml[] = {
		0x10, 0x05, '\\', 0x00, 0x00,			      /* something before */
		0x08, '_',  'S',  '5',	'_',  0x12, 0x08, 0x04, 0x0a, /* Name (_S5, Package (4) */
		0x05, 0x0a, 0x07, 0x00, 0x00,			      /*   { 5, 7, 0, 0 }) */
		0x14, 0x08, '_',  'P',	'T',  'S',  0x01,	      /* Method (_PTS, 1) ... */
	};
	u8 a, b;
	assert_true(find_s5(aml, sizeof(aml), &a, &b));
	assert_int_equal(a, 5);
	assert_int_equal(b, 7);
}

static void test_s5_zero_one_ops(void **state)
{
	(void)state;
	static const u8 zero_one[] = { 0x08, '_',  'S',	 '5',  '_',  0x12,
				       0x06, 0x04, 0x00, 0x01, 0x00, 0x00 };
	static const u8 one_zero[] = { 0x08, '_',  'S',	 '5',  '_',  0x12,
				       0x06, 0x04, 0x01, 0x00, 0x00, 0x00 };
	static const u8 ones_byte[] = {
		0x08, '_', 'S', '5', '_', 0x12, 0x05, 0x02, 0xff, 0x0a, 0x03
	};
	u8 a, b;
	assert_true(find_s5(zero_one, sizeof(zero_one), &a, &b));
	assert_int_equal(a, 0);
	assert_int_equal(b, 1);
	assert_true(find_s5(one_zero, sizeof(one_zero), &a, &b));
	assert_int_equal(a, 1);
	assert_int_equal(b, 0);
	assert_true(find_s5(ones_byte, sizeof(ones_byte), &a, &b));
	assert_int_equal(a, 0xff);
	assert_int_equal(b, 3);
}

static void test_s5_root_prefix(void **state)
{
	(void)state;
	static const u8 aml[] = { 0x08, '\\', '_',  'S',  '5',	'_',  0x12, 0x08,
				  0x04, 0x0a, 0x05, 0x0a, 0x05, 0x00, 0x00 };
	u8 a, b;
	assert_true(find_s5(aml, sizeof(aml), &a, &b));
	assert_int_equal(a, 5);
	assert_int_equal(b, 5);
}

static void test_s5_long_pkglength(void **state)
{
	(void)state;
	/* PkgLength in two bytes: lead 0x4n, then the high bits. */
	static const u8 aml[] = { 0x08, '_',  'S',  '5',  '_',	0x12, 0x49, 0x00,
				  0x04, 0x0a, 0x06, 0x0a, 0x04, 0x00, 0x00 };
	u8 a, b;
	assert_true(find_s5(aml, sizeof(aml), &a, &b));
	assert_int_equal(a, 6);
	assert_int_equal(b, 4);
}

static void test_s5_not_a_definition(void **state)
{
	(void)state;
	/* "_S5_" used, not defined: a method call in _PTS, and a string. */
	static const u8 uses[] = {
		0x14, 0x0c, '_',  'P',	'T',  'S',  0x01, /* Method (_PTS, 1) */
		0x70, '_',  'S',  '5',	'_',  0x60,	  /* Store (_S5, Local0) */
		0x0d, '_',  'S',  '5',	'_',  0x00,	  /* "_S5_" */
		0x12, 0x08, 0x04, 0x0a, 0x01, 0x0a, 0x02, 0x00, 0x00,
	};
	u8 a, b;
	assert_false(find_s5(uses, sizeof(uses), &a, &b));

	/* Such a use before the real definition does not stop the search. */
	static const u8 later[] = {
		0x70, '_', 'S', '5', '_', 0x12, 0x08, 0x04, 0x0a, 0x01, 0x0a, 0x01, 0x00, 0x00,
		0x08, '_', 'S', '5', '_', 0x12, 0x08, 0x04, 0x0a, 0x05, 0x0a, 0x06, 0x00, 0x00,
	};
	assert_true(find_s5(later, sizeof(later), &a, &b));
	assert_int_equal(a, 5);
	assert_int_equal(b, 6);

	/* A Name whose value is not a package. */
	static const u8 not_package[] = { 0x08, '_', 'S', '5', '_', 0x0a, 0x05, 0x00 };
	assert_false(find_s5(not_package, sizeof(not_package), &a, &b));

	/* An empty package; what follows it is not its content. */
	static const u8 empty[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x02, 0x00, 0x0a, 0x05 };
	assert_false(find_s5(empty, sizeof(empty), &a, &b));

	/* A package whose first element is not a small integer. */
	static const u8 word[] = { 0x08, '_',  'S',  '5',  '_',	 0x12, 0x07,
				   0x02, 0x0b, 0x05, 0x00, 0x0a, 0x05 };
	assert_false(find_s5(word, sizeof(word), &a, &b));

	static const u8 none[] = { 0x08, '_',  'S',  '4',  '_',	 0x12, 0x08,
				   0x04, 0x0a, 0x02, 0x0a, 0x02, 0x00, 0x00 };
	assert_false(find_s5(none, sizeof(none), &a, &b));
	assert_false(find_s5(none, 0, &a, &b));
}

static void test_s5_single_element(void **state)
{
	(void)state;
	/*
	 * Package (1) { 5 }: the second value is not in the package, and
	 * what follows the package is not read as one (0 is used).
	 */
	static const u8 aml[] = { 0x08, '_',  'S',  '5',  '_',	0x12, 0x04,
				  0x01, 0x0a, 0x05, 0x0a, 0x07, 0x00 };
	u8 a, b;
	assert_true(find_s5(aml, sizeof(aml), &a, &b));
	assert_int_equal(a, 5);
	assert_int_equal(b, 0);
}

static void test_s5_truncated(void **state)
{
	(void)state;
	/* Name (_S5, Package (4) { 5, 7, 0, 0 }) cut anywhere before its end. */
	static const u8 aml[] = { 0x08, '_',  'S',  '5',  '_',	0x12, 0x08,
				  0x04, 0x0a, 0x05, 0x0a, 0x07, 0x00, 0x00 };
	u8 a, b;
	for (size_t len = 0; len < sizeof(aml); len++) {
		if (find_s5(aml, len, &a, &b))
			print_message("found \\_S5_ in the first %zu bytes\n", len);
		assert_false(find_s5(aml, len, &a, &b));
		teardown(NULL);
	}
	assert_true(find_s5(aml, sizeof(aml), &a, &b));
	assert_int_equal(a, 5);
	assert_int_equal(b, 7);

	/* The captured Bochs DSDT ends with its \_S5_: cut it short. */
	for (size_t cut = 1; cut <= 7; cut++) {
		assert_false(find_s5_in_dsdt(bochs_dsdt, bochs_dsdt_len - cut, &a, &b));
		teardown(NULL);
	}
}

/* ---- MADT: I/O APICs and where ISA IRQs arrive ---------------------------- */

static void assert_isa(u8 irq, u32 gsi, bool active_low, bool level)
{
	assert_int_equal(info.isa[irq].gsi, gsi);
	assert_int_equal(info.isa[irq].active_low, active_low);
	assert_int_equal(info.isa[irq].level, level);
}

static void test_madt_ioapic_qemu(void **state)
{
	(void)state;
	assert_int_equal(parse_madt(copy_of(qemu_smp2_madt, qemu_smp2_madt_len), ACPI_MAX_CPUS), 0);
	assert_console_quiet();
	assert_int_equal(info.nioapics, 1);
	assert_int_equal(info.ioapics_listed, 1);
	assert_int_equal(info.ioapics[0].address, 0xfec00000);
	assert_int_equal(info.ioapics[0].gsi_base, 0);
	assert_isa(0, 2, false, false); /* the PIT arrives on GSI 2 */
	assert_isa(4, 4, false, false); /* COM1: not overridden, so ISA's edge and active-high */
	assert_isa(9, 9, false, true);	/* the SCI: level, active-high (flags 0x0d) */
	assert_isa(11, 11, false, true);
	assert_isa(15, 15, false, false);
}

static void test_madt_ioapic_bochs(void **state)
{
	(void)state;
	assert_int_equal(parse_madt(copy_of(bochs_madt, bochs_madt_len), ACPI_MAX_CPUS), 0);
	assert_console_quiet();
	assert_int_equal(info.nioapics, 1);
	assert_int_equal(info.ioapics[0].address, 0xfec00000);
	assert_isa(0, 2, false, false);
	assert_isa(4, 4, false, false);
	assert_isa(9, 9, false, false);
}

static void isa_override(u8 bus, u8 source, u32 gsi, u16 flags, u8 length)
{
	struct acpi_madt_isa_override o = {
		ACPI_MADT_ISA_OVERRIDE, length, bus, source, gsi, flags
	};
	madt_entry(&o, length);
}

static void test_madt_isa_overrides(void **state)
{
	(void)state;
	madt_begin(0xfee00000);
	madt_lapic(0, 0, ACPI_MADT_ENABLED);
	isa_override(0, 4, 20, ACPI_INTI_POLARITY_LOW | ACPI_INTI_TRIGGER_LEVEL, 10);
	isa_override(0, 7, 7, 0x5, 10);	  /* said outright: active-high (01), edge (01) */
	isa_override(1, 3, 30, 0xf, 10);  /* not the ISA bus */
	isa_override(0, 16, 31, 0xf, 10); /* no such ISA IRQ */
	isa_override(0, 5, 32, 0xf, 8);	  /* too short to hold its flags */
	madt_lapic(1, 1, ACPI_MADT_ENABLED);
	assert_int_equal(parse_madt(madt_finish(), ACPI_MAX_CPUS), 0);
	assert_console_quiet();
	assert_int_equal(info.ncpus, 2);
	assert_int_equal(info.nioapics, 0);
	assert_isa(4, 20, true, true);
	assert_isa(7, 7, false, false);
	assert_isa(3, 3, false, false);
	assert_isa(5, 5, false, false);
}

static void test_madt_ioapics_beyond_the_limit(void **state)
{
	(void)state;
	madt_begin(0xfee00000);
	madt_lapic(0, 0, ACPI_MADT_ENABLED);
	for (u32 i = 0; i < ACPI_MAX_IOAPICS + 2; i++) {
		struct acpi_madt_ioapic e = { ACPI_MADT_IOAPIC,	       sizeof(e), (u8)i, 0,
					      0xfec00000 + i * 0x1000, i * 24 };
		madt_entry(&e, sizeof(e));
		if (i == 2) {
			e.length = 8; /* skipped, and not counted */
			madt_entry(&e, 8);
		}
	}
	assert_int_equal(parse_madt(madt_finish(), ACPI_MAX_CPUS), 0);
	assert_console(1, "cloison: acpi: MADT lists 10 I/O APICs but cloison supports 8; the rest "
			  "stay unused");
	assert_int_equal(info.nioapics, ACPI_MAX_IOAPICS);
	for (u32 i = 0; i < ACPI_MAX_IOAPICS; i++) {
		assert_int_equal(info.ioapics[i].address, 0xfec00000 + i * 0x1000);
		assert_int_equal(info.ioapics[i].gsi_base, i * 24);
	}
}

int main(void)
{
#define T(f) cmocka_unit_test_teardown(f, teardown)
	const struct CMUnitTest tests[] = {
		T(test_checksum),
		T(test_rsdp_captured),
		T(test_rsdp_bad_signature),
		T(test_rsdp_bad_checksum),
		T(test_rsdp_v2),
		T(test_rsdp_v2_truncated),
		T(test_madt_qemu_smp2),
		T(test_madt_qemu_smp4),
		T(test_madt_bochs),
		T(test_madt_disabled_cpus),
		T(test_madt_x2apic),
		T(test_madt_duplicate_ids),
		T(test_madt_duplicates_beyond_the_limit),
		T(test_madt_more_than_max),
		T(test_madt_lapic_override),
		T(test_madt_short_entries_skipped),
		T(test_madt_malformed),
		T(test_madt_truncated),
		T(test_madt_ioapic_qemu),
		T(test_madt_ioapic_bochs),
		T(test_madt_isa_overrides),
		T(test_madt_ioapics_beyond_the_limit),
		T(test_s5_captured),
		T(test_s5_not_s4),
		T(test_s5_byte_prefix),
		T(test_s5_zero_one_ops),
		T(test_s5_root_prefix),
		T(test_s5_long_pkglength),
		T(test_s5_not_a_definition),
		T(test_s5_single_element),
		T(test_s5_truncated),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
