/*
 * Unit tests of kernel/insn.c: the length of an exiting instruction
 * with the prefixes a guest may put before it, REX only in 64-bit mode,
 * the 15-byte limit, and bytes that are not the opcode the exit named.
 */
/* unit-sources: kernel/insn.c */
#include "tests/unit/unit.h"

#include "kernel/insn.h"

static const u8 cpuid_op[] = { 0x0f, 0xa2 };
static const u8 hlt_op[] = { 0xf4 };
static const u8 vmmcall_op[] = { 0x0f, 0x01, 0xd9 };

static void test_plain(void **state)
{
	const u8 b[] = { 0x0f, 0xa2, 0x90, 0x90 };
	(void)state;
	assert_int_equal(insn_length(b, sizeof(b), false, cpuid_op, 2), 2);
	assert_int_equal(insn_length(b, sizeof(b), true, cpuid_op, 2), 2);
}

static void test_legacy_prefixes(void **state)
{
	const u8 b[] = { 0x66, 0xf3, 0x2e, 0x0f, 0xa2 };
	const u8 h[] = { 0x3e, 0xf4 };
	const u8 v[] = { 0x67, 0x0f, 0x01, 0xd9 };
	(void)state;
	assert_int_equal(insn_length(b, sizeof(b), false, cpuid_op, 2), 5);
	assert_int_equal(insn_length(h, sizeof(h), false, hlt_op, 1), 2);
	assert_int_equal(insn_length(v, sizeof(v), false, vmmcall_op, 3), 4);
}

static void test_rex(void **state)
{
	const u8 b[] = { 0x66, 0x48, 0x0f, 0xa2 };
	(void)state;
	/* REX in 64-bit mode; outside it 0x48 is DEC EAX, not a prefix. */
	assert_int_equal(insn_length(b, sizeof(b), true, cpuid_op, 2), 4);
	assert_int_equal(insn_length(b, sizeof(b), false, cpuid_op, 2), 0);
}

static void test_limits(void **state)
{
	u8 b[20];
	(void)state;
	/* 13 prefixes and a 2-byte opcode: 15 bytes, the most there can be. */
	for (int i = 0; i < 13; i++)
		b[i] = 0x66;
	b[13] = 0x0f, b[14] = 0xa2;
	assert_int_equal(insn_length(b, 15, false, cpuid_op, 2), 15);
	/* One more prefix: not an instruction the CPU ran. */
	for (int i = 0; i < 14; i++)
		b[i] = 0x66;
	b[14] = 0x0f, b[15] = 0xa2;
	assert_int_equal(insn_length(b, 16, false, cpuid_op, 2), 0);
	/* The bytes end before the opcode does. */
	assert_int_equal(insn_length(b, 14, false, cpuid_op, 2), 0);
}

static void test_other_opcode(void **state)
{
	const u8 b[] = { 0x66, 0x0f, 0x31 }; /* RDTSC, not CPUID */
	(void)state;
	assert_int_equal(insn_length(b, sizeof(b), false, cpuid_op, 2), 0);
}

static void test_cr_write(void **state)
{
	const u8 cr4_edx[] = { 0x0f, 0x22, 0xe2 };	      /* mov %edx, %cr4 */
	const u8 cr4_r9[] = { 0x66, 0x41, 0x0f, 0x22, 0xe1 }; /* mov %r9, %cr4 (REX.B) */
	const u8 cr8_rax[] = { 0x44, 0x0f, 0x22, 0xc0 };      /* mov %rax, %cr8 (REX.R) */
	const u8 not_mov[] = { 0x0f, 0x20, 0xe0 };	      /* mov %cr4, %eax: a read */
	const u8 clts[] = { 0x0f, 0x06 };
	const u8 lmsw_ax[] = { 0x0f, 0x01, 0xf0 };  /* lmsw %ax */
	const u8 lmsw_mem[] = { 0x0f, 0x01, 0x30 }; /* lmsw (%eax): not decoded */
	const u8 smsw_ax[] = { 0x0f, 0x01, 0xe0 };  /* smsw %ax: /4, not a write */
	struct insn_cr c = { 99, 99, 99 };
	(void)state;

	assert_int_equal(insn_cr_write(cr4_edx, sizeof(cr4_edx), false, &c), 3);
	assert_int_equal(c.kind, INSN_MOV_TO_CR);
	assert_int_equal(c.cr, 4);
	assert_int_equal(c.gpr, 2);
	assert_int_equal(insn_cr_write(cr4_r9, sizeof(cr4_r9), true, &c), 5);
	assert_int_equal(c.cr, 4);
	assert_int_equal(c.gpr, 9);
	assert_int_equal(insn_cr_write(cr8_rax, sizeof(cr8_rax), true, &c), 4);
	assert_int_equal(c.cr, 8);
	assert_int_equal(c.gpr, 0);
	assert_int_equal(insn_cr_write(not_mov, sizeof(not_mov), false, &c), 0);
	/* Outside 64-bit mode 0x41 is INC ECX, not a REX prefix. */
	assert_int_equal(insn_cr_write(cr4_r9, sizeof(cr4_r9), false, &c), 0);
	assert_int_equal(insn_cr_write(clts, sizeof(clts), false, &c), 2);
	assert_int_equal(c.kind, INSN_CLTS);
	assert_int_equal(insn_cr_write(lmsw_ax, sizeof(lmsw_ax), false, &c), 3);
	assert_int_equal(c.kind, INSN_LMSW);
	assert_int_equal(c.gpr, 0);
	assert_int_equal(insn_cr_write(lmsw_mem, sizeof(lmsw_mem), false, &c), 0);
	assert_int_equal(insn_cr_write(smsw_ax, sizeof(smsw_ax), false, &c), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),	     cmocka_unit_test(test_legacy_prefixes),
		cmocka_unit_test(test_rex),	     cmocka_unit_test(test_limits),
		cmocka_unit_test(test_other_opcode), cmocka_unit_test(test_cr_write),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
