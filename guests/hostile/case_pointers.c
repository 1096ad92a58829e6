/*
 * Case "pointers" (class 1 of the catalog): bad buffers and numbers for
 * the hypercalls.  Each call must fail with -14 (EFAULT) or -38 (ENOSYS)
 * and print nothing: buffers outside RAM, wrapping at 4 GiB, straddling
 * the end of RAM (where the text says "LEAK", which the scenario looks
 * for), of a huge length; a length of 0 is no error and returns 0.  Then
 * the case reads at 1 GiB, outside its RAM, which must stop the
 * partition with a memory violation.
 *
 * Variant "64" (pointers_64) makes the calls from 64-bit mode, where
 * all 64 bits of each register count: a buffer that wraps at 2^64, one
 * at an alias of a good buffer 4 GiB up (which a hypervisor that cut
 * the address to 32 bits would print), a length that is huge only in
 * its upper half.  It returns instead of reading outside its RAM.
 * (That only the low halves count outside 64-bit mode is checked by
 * guests/compat: a 32-bit guest cannot set the upper halves.)
 */
#include "guests/hostile/cpu.h"
#include "guests/hostile/hostile.h"

/* A text at the very end of RAM, and where it starts: a buffer from there straddles the end. */
static uint32_t leak_at_end_of_ram(void)
{
	static const char text[] = "LEAK: end of RAM";
	uint32_t at = hostile_ram - 16;

	for (unsigned i = 0; i < 16; i++)
		((volatile char *)(uintptr_t)at)[i] = text[i];
	return at;
}

static int pointers_32(void)
{
	static char inbox[16];
	uint32_t end = leak_at_end_of_ram();
	uint32_t ok = (uint32_t)(uintptr_t)inbox;
	int failures = 0;

	failures += hcheck("write from beyond RAM",
			   hv_call(HC_CONSOLE_WRITE, 0x7ff00000ul, 16, 0, 0), -EFAULT);
	failures += hcheck("write that wraps around",
			   hv_call(HC_CONSOLE_WRITE, 0xfffffff0ul, 0x20, 0, 0), -EFAULT);
	failures += hcheck("write of huge length",
			   hv_call(HC_CONSOLE_WRITE, 0x1000, 0xffffffffUL, 0, 0), -EFAULT);
	failures += hcheck("write across the end of RAM", hv_call(HC_CONSOLE_WRITE, end, 44, 0, 0),
			   -EFAULT);
	failures += hcheck("write of length 0", hv_call(HC_CONSOLE_WRITE, ok, 0, 0, 0), 0);
	failures += hcheck("read into beyond RAM", hv_call(HC_CONSOLE_READ, 0x7ff00000ul, 16, 0, 0),
			   -EFAULT);
	failures += hcheck("read that wraps around",
			   hv_call(HC_CONSOLE_READ, 0xfffffff0ul, 0x20, 0, 0), -EFAULT);
	failures += hcheck("read of huge length", hv_call(HC_CONSOLE_READ, ok, 0xffffffffUL, 0, 0),
			   -EFAULT);
	failures += hcheck("read across the end of RAM", hv_call(HC_CONSOLE_READ, end, 44, 0, 0),
			   -EFAULT);
	failures += hcheck("read of length 0", hv_call(HC_CONSOLE_READ, ok, 0, 0, 0), 0);
	failures += hcheck("unknown call 0", hv_call(0, 0, 0, 0, 0), -ENOSYS);
	failures += hcheck("unknown call 99", hv_call(99, 1, 2, 3, 4), -ENOSYS);
	hv_use_vmcall(true);
	failures += hcheck("VMCALL accepted", hv_call(0, 0, 0, 0, 0), -ENOSYS);
	hv_use_vmcall(false);
	failures += hcheck("VMMCALL accepted", hv_call(0, 0, 0, 0, 0), -ENOSYS);
	return failures;
}

static int pointers_64(void)
{
	static const char good[] = "hostile pointers: written from 64-bit mode\n";
	static const char leak[] = "hostile pointers: LEAK through an alias above 4 GiB\n";
	uint64_t g = (uint32_t)(uintptr_t)good, l = (uint32_t)(uintptr_t)leak;
	uint64_t end = leak_at_end_of_ram();
	int failures = 0;

	cpu_setup();
	failures += hcheck("64-bit write that wraps at 2^64",
			   (long long)long_hypercall(HC_CONSOLE_WRITE, ~0ull - 15, 32, 0), -EFAULT);
	failures += hcheck(
		"64-bit write from 4 GiB above a good buffer",
		(long long)long_hypercall(HC_CONSOLE_WRITE, 1ull << 32 | l, sizeof(leak) - 1, 0),
		-EFAULT);
	failures += hcheck("64-bit write of length 2^64-1",
			   (long long)long_hypercall(HC_CONSOLE_WRITE, l, ~0ull, 0), -EFAULT);
	failures += hcheck(
		"64-bit write of length 2^32 plus a good one",
		(long long)long_hypercall(HC_CONSOLE_WRITE, l, 1ull << 32 | (sizeof(leak) - 1), 0),
		-EFAULT);
	failures += hcheck("64-bit write across the end of RAM",
			   (long long)long_hypercall(HC_CONSOLE_WRITE, end, 44, 0), -EFAULT);
	failures += hcheck("64-bit read that wraps at 2^64",
			   (long long)long_hypercall(HC_CONSOLE_READ, ~0ull - 15, 32, 0), -EFAULT);
	failures +=
		hcheck("64-bit read from 4 GiB above a good buffer",
		       (long long)long_hypercall(HC_CONSOLE_READ, 1ull << 32 | l, 16, 0), -EFAULT);
	failures += hcheck("64-bit read of length 2^64-1",
			   (long long)long_hypercall(HC_CONSOLE_READ, l, ~0ull, 0), -EFAULT);
	failures += hcheck("64-bit write of length 0",
			   (long long)long_hypercall(HC_CONSOLE_WRITE, g, 0, 0), 0);
	failures += hcheck("64-bit write of a good buffer",
			   (long long)long_hypercall(HC_CONSOLE_WRITE, g, sizeof(good) - 1, 0),
			   sizeof(good) - 1);
	return failures;
}

int case_pointers(unsigned magic, unsigned info)
{
	int failures;
	(void)magic, (void)info;

	if (str_same(hostile_variant, "64"))
		return pointers_64();
	failures = pointers_32();
	hsay("%d failures; now reading at 1 GiB, outside my RAM", failures);
	(void)*(volatile uint32_t *)0x40000000;
	hsay("FAIL: the read outside RAM returned");
	return failures + 1;
}
