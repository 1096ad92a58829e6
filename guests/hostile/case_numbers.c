/*
 * Case "numbers" (class 3 of the catalog): hypercall numbers that are
 * no call.  Each must return -38 (ENOSYS) and do nothing.  In 32-bit
 * mode only the low 32 bits of RAX count, so 0xffffffff or 0x80000004
 * are unknown numbers, not EXIT; in 64-bit mode all 64 bits count, so
 * (1 << 32) | 4 must not be EXIT either, nor (1 << 63) | 5 TIME.  Last,
 * a known call in 64-bit mode works (TIME), so that the unknown ones
 * are known to have been asked the right way.
 */
#include "guests/hostile/cpu.h"
#include "guests/hostile/hostile.h"

int case_numbers(unsigned magic, unsigned info)
{
	static const uint32_t unknown32[] = { 0, 7, 38, 0x100, 0x80000004u, 0xffffffffu };
	static const uint64_t unknown64[] = { 1ull << 32 | HC_EXIT, 1ull << 63 | HC_TIME,
					      0xffffffff00000001ull, ~0ull };
	uint64_t t0, t, t1;
	int failures = 0;
	(void)magic, (void)info;

	cpu_setup();
	for (unsigned i = 0; i < sizeof(unknown32) / sizeof(unknown32[0]); i++) {
		char what[64];
		format(what, sizeof(what), "32-bit call 0x%x gives -38", unknown32[i]);
		failures += hcheck(what, (int32_t)hv_call(unknown32[i], 42, 0, 0, 0), -ENOSYS);
	}
	for (unsigned i = 0; i < sizeof(unknown64) / sizeof(unknown64[0]); i++) {
		char what[64];
		format(what, sizeof(what), "64-bit call 0x%llx gives -38",
		       (unsigned long long)unknown64[i]);
		failures +=
			hcheck(what, (long long)long_hypercall(unknown64[i], 42, 0, 0), -ENOSYS);
	}
	t0 = hv_time_ns();
	t = long_hypercall(HC_TIME, 0, 0, 0);
	t1 = hv_time_ns();
	failures += hcheck("64-bit TIME works", t0 <= t && t <= t1, 1);
	return failures;
}
