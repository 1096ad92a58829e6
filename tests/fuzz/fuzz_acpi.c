/*
 * Fuzzing harness for the ACPI table parser (drivers/acpi_tables.c).
 * The bytes are one table, and each input goes through all three
 * parsers, each on a heap block of exactly the bytes it may read, so
 * that AddressSanitizer sees any read past them:
 *  - acpi_rsdp_valid() on the bytes as an RSDP copy of that length (as
 *    the Multiboot2 tag hands it over);
 *  - acpi_parse_madt() on the bytes as a MADT, when they hold at least
 *    an SDT header.  drivers/acpi.c maps the length the header states
 *    and calls the parser only when the table is that long, so a length
 *    past the bytes becomes their number;
 *  - acpi_find_s5() on the bytes as the DSDT's AML.
 *
 * Invariants, checked on every input:
 *  - An RSDP is accepted only with its signature and a good checksum
 *    over its first 20 bytes, and, from revision 2, a length between 36
 *    and the bytes given and a good checksum over that length.
 *  - acpi_parse_madt() fails exactly when the table is shorter than the
 *    MADT header.  It keeps min(listed, limit) CPUs, all different, and
 *    min(listed, 8) I/O APICs; asked for at most 2 CPUs it keeps the
 *    first 2 of the same list and finds everything else the same.
 *  - acpi_find_s5() finds \_S5_ only where the name is in the bytes.
 */
/* fuzz-sources: drivers/acpi_tables.c tests/fuzz/console.c lib/format.c */
#define _GNU_SOURCE /* memmem */
#include <string.h>

#include "drivers/acpi.h"
#include "tests/fuzz/fuzz.h"

static u8 sum(const u8 *p, size_t n)
{
	u8 s = 0;
	while (n--)
		s += *p++;
	return s;
}

static void check_rsdp(const uint8_t *data, size_t size)
{
	u8 *b = malloc(size ? size : 1);
	struct acpi_rsdp r;

	FUZZ_CHECK(b);
	memcpy(b, data, size);
	if (acpi_rsdp_valid((const void *)b, size)) {
		FUZZ_CHECK(size >= 20 && !memcmp(b, "RSD PTR ", 8) && sum(b, 20) == 0);
		memcpy(&r, b, 20);
		if (r.revision >= 2) {
			FUZZ_CHECK(size >= sizeof(r));
			memcpy(&r, b, sizeof(r));
			FUZZ_CHECK(r.length >= sizeof(r) && r.length <= size);
			FUZZ_CHECK(sum(b, r.length) == 0);
		}
	}
	FUZZ_CHECK(acpi_checksum_ok(b, size) == (sum(b, size) == 0));
	free(b);
}

static void check_madt(const uint8_t *data, size_t size)
{
	static struct madt_info all, two;
	struct acpi_header h;
	u8 *b;
	int err;

	if (size < sizeof(h))
		return; /* drivers/acpi.c reads no table shorter than its header */
	memcpy(&h, data, sizeof(h));
	if (h.length < sizeof(h))
		return; /* refused by drivers/acpi.c before any parser sees it */
	if (h.length > size)
		h.length = (u32)size;
	b = malloc(h.length);
	FUZZ_CHECK(b);
	memcpy(b, data, h.length);
	memcpy(b, &h, sizeof(h));

	err = acpi_parse_madt((const void *)b, &all, ACPI_MAX_CPUS);
	FUZZ_CHECK(err == (h.length < sizeof(struct acpi_madt) ? -EINVAL : 0));
	FUZZ_CHECK(all.ncpus == MIN(all.listed, (u32)ACPI_MAX_CPUS));
	FUZZ_CHECK(all.nioapics == MIN(all.ioapics_listed, (u32)ACPI_MAX_IOAPICS));
	for (u32 i = 0; i < all.ncpus; i++)
		for (u32 j = 0; j < i; j++)
			FUZZ_CHECK(all.apic_ids[i] != all.apic_ids[j]);

	FUZZ_CHECK(acpi_parse_madt((const void *)b, &two, 2) == err);
	FUZZ_CHECK(two.listed == all.listed && two.ncpus == MIN(all.listed, 2u));
	FUZZ_CHECK(!memcmp(two.apic_ids, all.apic_ids, two.ncpus * sizeof(u32)));
	FUZZ_CHECK(two.lapic_addr == all.lapic_addr);
	FUZZ_CHECK(two.nioapics == all.nioapics && two.ioapics_listed == all.ioapics_listed);
	FUZZ_CHECK(!memcmp(two.ioapics, all.ioapics, sizeof(all.ioapics)));
	FUZZ_CHECK(!memcmp(two.isa, all.isa, sizeof(all.isa)));
	free(b);
}

static void check_s5(const uint8_t *data, size_t size)
{
	u8 *b = malloc(size ? size : 1);
	u8 a = 0x55, c = 0x55;

	FUZZ_CHECK(b);
	memcpy(b, data, size);
	if (acpi_find_s5(b, size, &a, &c))
		FUZZ_CHECK(memmem(b, size, "_S5_", 4));
	free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_rsdp(data, size);
	check_madt(data, size);
	check_s5(data, size);
	return 0;
}
