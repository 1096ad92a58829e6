/*
 * Unit tests of vdev/pci.c, configuration mechanism #1 with no device:
 * the address register at 0xcf8 keeps what a dword write gives it, less
 * the reserved bits 30:24 and 1:0 (Linux's pci_check_type1 reads back
 * 0x80000000); the data window reads all-ones at every size and offset
 * for every bus/device/function, with the enable bit set or not, and
 * drops writes; byte and word accesses at 0xcf8-0xcfb are not the
 * model's (0xcf9 is the reset register; Linux's type 2 probe must fail).
 */
/* unit-sources: vdev/pci.c */
#include "tests/unit/unit.h"

#include "vdev/pci.h"

#define ADDR 0xcf8
#define DATA 0xcfc

static struct vpci pci;

static int reset(void **state)
{
	(void)state;
	vpci_reset(&pci);
	return 0;
}

/* The mechanism #1 address of a configuration register. */
static u32 conf1(u32 bus, u32 dev, u32 fn, u32 reg)
{
	return 0x80000000u | bus << 16 | dev << 11 | fn << 8 | (reg & 0xfc);
}

static void test_address_reads_back(void **state)
{
	(void)state;
	assert_int_equal(vpci_read(&pci, ADDR, 4), 0);
	vpci_write(&pci, ADDR, 4, 0x80000000u);
	assert_int_equal(vpci_read(&pci, ADDR, 4), 0x80000000u);
	vpci_write(&pci, ADDR, 4, conf1(3, 31, 7, 0xfc));
	assert_int_equal(vpci_read(&pci, ADDR, 4), conf1(3, 31, 7, 0xfc));
	vpci_write(&pci, ADDR, 4, 0x00000000u);
	assert_int_equal(vpci_read(&pci, ADDR, 4), 0);
}

static void test_address_reserved_bits(void **state)
{
	(void)state;
	vpci_write(&pci, ADDR, 4, 0xffffffffu);
	assert_int_equal(vpci_read(&pci, ADDR, 4), 0x80fffffcu); /* 30:24 and 1:0 read 0 */
	vpci_write(&pci, ADDR, 4, 0x7f000003u);
	assert_int_equal(vpci_read(&pci, ADDR, 4), 0);
}

/* Linux's pci_check_type1, step by step. */
static void test_linux_type1_probe(void **state)
{
	u32 saved;

	(void)state;
	vpci_write(&pci, ADDR, 4, conf1(0, 1, 0, 0x10)); /* whatever was there */
	assert_false(vpci_claims(0xcfb, 1));		 /* outb(0x01, 0xcfb): not ours */
	saved = vpci_read(&pci, ADDR, 4);
	vpci_write(&pci, ADDR, 4, 0x80000000u);
	assert_int_equal(vpci_read(&pci, ADDR, 4), 0x80000000u);
	vpci_write(&pci, ADDR, 4, saved);
	assert_int_equal(vpci_read(&pci, ADDR, 4), conf1(0, 1, 0, 0x10));
}

/* Linux's pci_check_type2 writes and reads bytes at 0xcf8 and 0xcfa: none is ours. */
static void test_type2_probe_not_ours(void **state)
{
	(void)state;
	assert_false(vpci_claims(0xcf8, 1));
	assert_false(vpci_claims(0xcfa, 1));
	assert_false(vpci_claims(0xcfb, 1));
	/* Even if handed one, a byte write is not the address register. */
	vpci_write(&pci, ADDR, 4, 0x80000000u);
	vpci_write(&pci, ADDR, 1, 0x00);
	vpci_write(&pci, ADDR, 2, 0x0000);
	assert_int_equal(vpci_read(&pci, ADDR, 4), 0x80000000u);
}

/* Every function of bus 0 is absent: vendor ID 0xffff, every size and offset all-ones. */
static void test_bus_scan_finds_nothing(void **state)
{
	(void)state;
	for (u32 devfn = 0; devfn < 256; devfn++) {
		vpci_write(&pci, ADDR, 4, conf1(0, devfn >> 3, devfn & 7, 0x00));
		assert_int_equal(vpci_read(&pci, DATA, 2), 0xffff); /* vendor ID */
		assert_int_equal(vpci_read(&pci, DATA + 2, 2), 0xffff);
		assert_int_equal(vpci_read(&pci, DATA, 4), 0xffffffffu);
		vpci_write(&pci, ADDR, 4, conf1(0, devfn >> 3, devfn & 7, 0x0a));
		assert_int_equal(vpci_read(&pci, DATA + 2, 2), 0xffff); /* class */
	}
	for (u32 off = 0; off < 4; off++)
		assert_int_equal(vpci_read(&pci, DATA + off, 1), 0xff);
}

static void test_data_writes_dropped(void **state)
{
	(void)state;
	vpci_write(&pci, ADDR, 4, conf1(0, 0, 0, 0x04));
	vpci_write(&pci, DATA, 4, 0x00000007u); /* command register: nothing there */
	vpci_write(&pci, DATA + 1, 1, 0x00);
	vpci_write(&pci, DATA + 2, 2, 0x0000);
	assert_int_equal(vpci_read(&pci, DATA, 4), 0xffffffffu);
	assert_int_equal(vpci_read(&pci, ADDR, 4), conf1(0, 0, 0, 0x04));
}

static void test_data_without_enable(void **state)
{
	(void)state;
	vpci_write(&pci, ADDR, 4, 0x00000000u);
	assert_int_equal(vpci_read(&pci, DATA, 4), 0xffffffffu);
	assert_int_equal(vpci_read(&pci, DATA + 3, 1), 0xff);
}

static void test_claims(void **state)
{
	(void)state;
	assert_true(vpci_claims(ADDR, 4));
	assert_false(vpci_claims(ADDR, 2));
	assert_false(vpci_claims(0xcf9, 1)); /* the reset register */
	assert_false(vpci_claims(0xcf9, 2));
	assert_false(vpci_claims(0xcfb, 4));
	assert_true(vpci_claims(DATA, 1));
	assert_true(vpci_claims(DATA, 2));
	assert_true(vpci_claims(DATA, 4));
	assert_true(vpci_claims(DATA + 1, 1));
	assert_true(vpci_claims(DATA + 2, 2));
	assert_true(vpci_claims(DATA + 3, 1));
	assert_false(vpci_claims(DATA + 1, 4)); /* runs past 0xcff */
	assert_false(vpci_claims(DATA + 3, 2));
	assert_false(vpci_claims(0xd00, 1));
	assert_false(vpci_claims(0xcf7, 1));
	assert_false(vpci_claims(DATA, 0));
}

/* A narrow IN at 0xcf8 is not the address register (real chipsets pass it on as I/O). */
static void test_narrow_address_reads(void **state)
{
	(void)state;
	vpci_write(&pci, ADDR, 4, 0x80000000u);
	assert_int_equal(vpci_read(&pci, ADDR, 1), 0xff);
	assert_int_equal(vpci_read(&pci, ADDR, 2), 0xffff);
}

/* Each partition has its own address register. */
static void test_instances_independent(void **state)
{
	struct vpci other;

	(void)state;
	vpci_reset(&other);
	vpci_write(&pci, ADDR, 4, conf1(1, 2, 3, 0x40));
	assert_int_equal(vpci_read(&other, ADDR, 4), 0);
	vpci_write(&other, ADDR, 4, 0x80000000u);
	assert_int_equal(vpci_read(&pci, ADDR, 4), conf1(1, 2, 3, 0x40));
}

static void test_reset_clears_address(void **state)
{
	(void)state;
	vpci_write(&pci, ADDR, 4, 0x80000000u);
	vpci_reset(&pci);
	assert_int_equal(vpci_read(&pci, ADDR, 4), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_address_reads_back, reset),
		cmocka_unit_test_setup(test_address_reserved_bits, reset),
		cmocka_unit_test_setup(test_linux_type1_probe, reset),
		cmocka_unit_test_setup(test_type2_probe_not_ours, reset),
		cmocka_unit_test_setup(test_bus_scan_finds_nothing, reset),
		cmocka_unit_test_setup(test_data_writes_dropped, reset),
		cmocka_unit_test_setup(test_data_without_enable, reset),
		cmocka_unit_test_setup(test_claims, reset),
		cmocka_unit_test_setup(test_narrow_address_reads, reset),
		cmocka_unit_test_setup(test_instances_independent, reset),
		cmocka_unit_test_setup(test_reset_clears_address, reset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
