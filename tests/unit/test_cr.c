/*
 * Unit tests of kernel/cr.c: the values a guest may load into CR0, CR4,
 * EFER, XCR0, a canonical-address MSR and the PAT, each condition of the
 * manuals that turns such a write into #GP, with one passing value and
 * one failing value per condition.
 */
/* unit-sources: kernel/cr.c */
#include "tests/unit/unit.h"

#include "kernel/cr.h"
#include "lib/x86.h"

static const struct cr_state prot = { .cr0 = CR0_PE | CR0_ET, .efer = 0 };

static void test_cr0(void **state)
{
	struct cr_state s = prot;
	(void)state;

	assert_true(cr0_valid(&s, CR0_PE | CR0_ET | CR0_NE));
	assert_false(cr0_valid(&s, CR0_PE | (1ull << 32))); /* reserved high half */
	assert_false(cr0_valid(&s, CR0_PG));		    /* paging without PE */
	assert_true(cr0_valid(&s, CR0_PE | CR0_PG));
	assert_false(cr0_valid(&s, CR0_PE | CR0_NW)); /* NW without CD */
	assert_true(cr0_valid(&s, CR0_PE | CR0_NW | CR0_CD));
	/* Long mode needs PAE when paging comes on. */
	s.efer = EFER_LME;
	assert_false(cr0_valid(&s, CR0_PE | CR0_PG));
	s.cr4 = CR4_PAE;
	assert_true(cr0_valid(&s, CR0_PE | CR0_PG));
	/* 64-bit code cannot turn paging off under itself. */
	s.cr0 |= CR0_PG;
	s.efer |= EFER_LMA;
	s.long64 = true;
	assert_false(cr0_valid(&s, CR0_PE));
	assert_true(cr0_valid(&s, CR0_PE | CR0_PG | CR0_NE));
}

static void test_cr4(void **state)
{
	struct cr_state s = prot;
	u64 allowed = CR4_PAE | CR4_PSE | CR4_OSFXSR | CR4_PCIDE | CR4_LA57;
	(void)state;

	assert_true(cr4_valid(&s, CR4_PAE | CR4_OSFXSR, allowed));
	assert_false(cr4_valid(&s, CR4_VMXE, allowed));	  /* not offered */
	assert_false(cr4_valid(&s, 1ull << 63, allowed)); /* reserved */
	assert_false(cr4_valid(&s, CR4_PCIDE, allowed));  /* PCIDs outside long mode */
	s.efer = EFER_LME | EFER_LMA;
	s.cr4 = CR4_PAE;
	assert_false(cr4_valid(&s, CR4_PSE, allowed)); /* PAE off in long mode */
	assert_true(cr4_valid(&s, CR4_PAE | CR4_PCIDE, allowed));
	s.cr3 = 0x1001; /* PCID 1 in use */
	assert_false(cr4_valid(&s, CR4_PAE | CR4_PCIDE, allowed));
	assert_false(cr4_valid(&s, CR4_PAE | CR4_LA57, allowed)); /* depth change in long mode */
}

static void test_efer(void **state)
{
	struct cr_state s = prot;
	u64 allowed = EFER_SCE | EFER_LME | EFER_NXE;
	(void)state;

	assert_true(efer_valid(&s, EFER_LME | EFER_SCE, allowed));
	assert_false(efer_valid(&s, EFER_SVME, allowed)); /* hidden: reserved */
	assert_false(efer_valid(&s, 1ull << 20, allowed));
	assert_true(efer_valid(&s, EFER_LMA, allowed)); /* LMA is the CPU's, ignored */
	/* LME cannot change while paging is on, either way. */
	s.cr0 |= CR0_PG;
	assert_false(efer_valid(&s, EFER_LME, allowed));
	s.efer = EFER_LME | EFER_LMA;
	assert_false(efer_valid(&s, 0, allowed));
	assert_true(efer_valid(&s, EFER_LME | EFER_NXE, allowed));
}

static void test_canonical(void **state)
{
	(void)state;
	assert_true(addr_canonical(0, 48));
	assert_true(addr_canonical(0x00007fffffffffffull, 48));
	assert_false(addr_canonical(0x0000800000000000ull, 48));
	assert_false(addr_canonical(0x8000000000000000ull, 48));
	assert_true(addr_canonical(0xffff800000000000ull, 48));
	assert_true(addr_canonical(0xffffffff80000000ull, 48));
	assert_false(addr_canonical(0xfffe800000000000ull, 48));
	assert_true(addr_canonical(0x00ffffffffffffffull, 57));
	assert_false(addr_canonical(0x0100000000000000ull, 57));
	assert_true(addr_canonical(0xff00000000000000ull, 57));
}

static void test_pat(void **state)
{
	(void)state;
	assert_true(pat_valid(0x0007040600070406ull)); /* the reset value */
	assert_true(pat_valid(0x0101010101010101ull));
	assert_false(pat_valid(0x0007040600070402ull)); /* type 2 does not exist */
	assert_false(pat_valid(0x0307040600070406ull)); /* type 3 in the top entry */
	assert_false(pat_valid(0x0008000000000000ull)); /* 8 and above */
}

static void test_xcr0(void **state)
{
	u64 all = XFEATURE_X87 | XFEATURE_SSE | XFEATURE_AVX | XFEATURE_AVX512 | XFEATURE_PKRU;
	(void)state;

	assert_true(xcr0_valid(XFEATURE_X87, all));
	assert_true(xcr0_valid(XFEATURE_X87 | XFEATURE_SSE | XFEATURE_AVX, all));
	assert_false(xcr0_valid(XFEATURE_SSE, all));		    /* x87 off */
	assert_false(xcr0_valid(XFEATURE_X87 | XFEATURE_AVX, all)); /* AVX without SSE */
	assert_false(xcr0_valid(XFEATURE_X87 | XFEATURE_SSE | XFEATURE_AVX | XFEATURE_OPMASK, all));
	assert_true(xcr0_valid(XFEATURE_X87 | XFEATURE_SSE | XFEATURE_AVX | XFEATURE_AVX512, all));
	assert_false(xcr0_valid(XFEATURE_X87 | XFEATURE_SSE | XFEATURE_AVX512, all)); /* no AVX */
	assert_false(xcr0_valid(XFEATURE_X87 | XFEATURE_SSE | XFEATURE_AVX,
				XFEATURE_X87 | XFEATURE_SSE));	   /* not offered */
	assert_false(xcr0_valid(XFEATURE_X87 | (1ull << 3), all)); /* MPX: never offered */
	assert_true(xcr0_valid(XFEATURE_X87 | XFEATURE_PKRU, all));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cr0),  cmocka_unit_test(test_cr4),
		cmocka_unit_test(test_efer), cmocka_unit_test(test_canonical),
		cmocka_unit_test(test_pat),  cmocka_unit_test(test_xcr0),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
