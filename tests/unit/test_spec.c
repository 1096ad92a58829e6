/*
 * Unit tests of kernel/spec.c's decision: which mitigations a partition
 * switch applies, from the vendor, CPUID and IA32_ARCH_CAPABILITIES.
 * The emulators advertise few of these features, so this is where each
 * combination is checked: IBPB by vendor, L1D flush only where L1TF
 * applies and the flush exists, VERW only where MDS applies and
 * MD_CLEAR exists, and the boot line's words.
 */
/* unit-sources: kernel/spec.c */
#include "tests/unit/unit.h"

#include <string.h>

#include "kernel/spec.h"

#define L7D_MD_CLEAR (1u << 10)
#define L7D_IBRS_IBPB (1u << 26)
#define L7D_L1D_FLUSH (1u << 28)
#define E8B_IBPB (1u << 12)

static const struct cpuid_regs none = { 0, 0, 0, 0 };

static void test_ibpb_by_vendor(void **state)
{
	struct cpuid_regs l7 = { 0, 0, 0, L7D_IBRS_IBPB }, e8 = { 0, E8B_IBPB, 0, 0 };
	(void)state;
	assert_int_equal(spec_decide(true, &l7, &none, 0), SPEC_IBPB);
	assert_int_equal(spec_decide(false, &none, &e8, 0), SPEC_IBPB);
	/* Each vendor's bit counts only for that vendor. */
	assert_int_equal(spec_decide(true, &none, &e8, 0), 0);
	assert_int_equal(spec_decide(false, &l7, &none, 0), 0);
}

static void test_l1d_flush(void **state)
{
	struct cpuid_regs l7 = { 0, 0, 0, L7D_L1D_FLUSH };
	(void)state;
	assert_int_equal(spec_decide(true, &l7, &none, 0), SPEC_L1D_FLUSH);
	assert_int_equal(spec_decide(true, &l7, &none, 1ull << 0), 0); /* RDCL_NO */
	assert_int_equal(spec_decide(true, &l7, &none, 1ull << 3), 0); /* SKIP_L1DFL_VMENTRY */
	assert_int_equal(spec_decide(true, &none, &none, 0), 0);       /* no flush command */
	assert_int_equal(spec_decide(false, &l7, &none, 0), 0);	       /* AMD: no L1TF */
}

static void test_verw(void **state)
{
	struct cpuid_regs l7 = { 0, 0, 0, L7D_MD_CLEAR };
	(void)state;
	assert_int_equal(spec_decide(true, &l7, &none, 0), SPEC_VERW);
	assert_int_equal(spec_decide(true, &l7, &none, 1ull << 5), 0); /* MDS_NO */
	assert_int_equal(spec_decide(false, &l7, &none, 0), 0);
}

static void test_all_and_words(void **state)
{
	struct cpuid_regs l7 = { 0, 0, 0, L7D_MD_CLEAR | L7D_IBRS_IBPB | L7D_L1D_FLUSH };
	char buf[48];
	u32 m = spec_decide(true, &l7, &none, 0);
	(void)state;
	assert_int_equal(m, SPEC_IBPB | SPEC_L1D_FLUSH | SPEC_VERW);
	spec_describe(m, buf, sizeof(buf));
	assert_string_equal(buf, " ibpb l1d-flush verw");
	spec_describe(0, buf, sizeof(buf));
	assert_string_equal(buf, " none");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ibpb_by_vendor),
		cmocka_unit_test(test_l1d_flush),
		cmocka_unit_test(test_verw),
		cmocka_unit_test(test_all_and_words),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
