/*
 * Unit tests of kernel/hcargs.c, the hypercall arguments, with the calls
 * of docs/hypercalls.md and the hostile catalog's pointers, privilege
 * and numbers checks (docs/security.md): one case per rule, each with a
 * value just inside and one just outside.  tests/fuzz/fuzz_hypercall.c
 * checks the same rules on arbitrary registers.
 */
/* unit-sources: kernel/hcargs.c */
#include "tests/unit/unit.h"

#include "kernel/hcargs.h"
#include "kernel/hypercall.h"

#define MEM MiB(16)

static struct hc_call call(bool narrow, u64 rax, u64 rbx, u64 rcx, u64 rdx)
{
	struct hc_regs r = {
		.rax = rax, .rbx = rbx, .rcx = rcx, .rdx = rdx, .narrow = narrow, .mem = MEM
	};
	return hcargs_decode(&r);
}

static void test_buffers(void **state)
{
	struct hc_call c;
	(void)state;

	c = call(true, HC_CONSOLE_WRITE, 0x1000, 14, 0);
	assert_int_equal(c.err, 0);
	assert_int_equal(c.gpa, 0x1000);
	assert_int_equal(c.len, 14);
	c = call(true, HC_CONSOLE_READ, 0x1000, 0x10000, 0); /* cut to one chunk */
	assert_int_equal(c.err, 0);
	assert_int_equal(c.len, HC_CONSOLE_CHUNK);
	assert_int_equal(call(true, HC_CONSOLE_WRITE, MEM - 8, 8, 0).err, 0);
	assert_int_equal(call(true, HC_CONSOLE_WRITE, MEM - 8, 9, 0).err, -EFAULT);
	assert_int_equal(call(true, HC_CONSOLE_WRITE, MEM, 0, 0).err, 0);
	assert_int_equal(call(true, HC_CONSOLE_WRITE, MEM + 1, 0, 0).err, -EFAULT);
	/* The whole length counts, not only the chunk taken. */
	assert_int_equal(call(true, HC_CONSOLE_WRITE, MEM - 2048, 4096, 0).err, -EFAULT);
	/* Wrapping at 4 GiB and at 2^64. */
	assert_int_equal(call(true, HC_CONSOLE_WRITE, 0xfffffff0, 0x20, 0).err, -EFAULT);
	assert_int_equal(call(false, HC_CONSOLE_WRITE, ~0ull - 0xf, 0x20, 0).err, -EFAULT);
	/* An alias 4 GiB above a good buffer, a length huge only in its upper half. */
	assert_int_equal(call(true, HC_CONSOLE_WRITE, 0x100001000ull, 14, 0).err, 0);
	assert_int_equal(call(false, HC_CONSOLE_WRITE, 0x100001000ull, 14, 0).err, -EFAULT);
	assert_int_equal(call(true, HC_CONSOLE_WRITE, 0x1000, 0xffffffff00000010ull, 0).err, 0);
	assert_int_equal(call(false, HC_CONSOLE_WRITE, 0x1000, 0xffffffff00000010ull, 0).err,
			 -EFAULT);
}

static void test_privilege(void **state)
{
	struct hc_regs r = { .rax = HC_EXIT, .rbx = 42, .narrow = true, .mem = MEM };
	(void)state;

	assert_int_equal(hcargs_decode(&r).err, 0);
	r.unprivileged = true;
	assert_int_equal(hcargs_decode(&r).err, -1);
	r.rax = 0x12345;
	assert_int_equal(hcargs_decode(&r).err, -EPERM);
}

static void test_numbers(void **state)
{
	(void)state;

	assert_int_equal(call(true, 0, 0, 0, 0).err, -ENOSYS);
	assert_int_equal(call(true, 7, 0, 0, 0).err, -ENOSYS);
	assert_int_equal(call(true, 0xffffffff, 0, 0, 0).err, -ENOSYS);
	/* Only EAX counts outside 64-bit mode, all of RAX in it. */
	assert_int_equal(call(true, (1ull << 32) | HC_TIME, 0, 0, 0).err, 0);
	assert_int_equal(call(false, (1ull << 32) | HC_EXIT, 0, 0, 0).err, -ENOSYS);
	assert_int_equal(call(false, (1ull << 63) | HC_TIME, 0, 0, 0).err, -ENOSYS);
	assert_int_equal(call(false, HC_EXIT, 0xffffffffull, 0, 0).code, -1);
}

static void test_timer(void **state)
{
	struct hc_call c;
	(void)state;

	c = call(true, HC_SET_TIMER, 0x89abcdef, 0x1234567, 32);
	assert_int_equal(c.err, 0);
	assert_int_equal(c.deadline, 0x0123456789abcdefull); /* ECX:EBX */
	assert_int_equal(c.vector, 32);
	c = call(false, HC_SET_TIMER, 0x123456789ull, 0xdead, 255);
	assert_int_equal(c.err, 0);
	assert_int_equal(c.deadline, 0x123456789ull); /* RBX alone */
	assert_int_equal(c.vector, 255);
	assert_int_equal(call(true, HC_SET_TIMER, 1, 0, 31).err, -EINVAL);
	assert_int_equal(call(false, HC_SET_TIMER, 1, 0, 256).err, -EINVAL);
	/* The vector's upper half counts in 64-bit mode only. */
	assert_int_equal(call(true, HC_SET_TIMER, 1, 0, (1ull << 32) | 40).err, 0);
	assert_int_equal(call(false, HC_SET_TIMER, 1, 0, (1ull << 32) | 40).err, -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buffers),
		cmocka_unit_test(test_privilege),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_timer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
