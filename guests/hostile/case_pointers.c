/*
 * Case "pointers": bad buffers and numbers for the hypercalls.  Each
 * call must fail with -14 (EFAULT) or -38 (ENOSYS) and nothing else;
 * then the case reads at 1 GiB, outside its RAM, which must stop the
 * partition with a memory violation.  (That only the low halves of the
 * registers count outside 64-bit mode is checked by guests/compat: a
 * 32-bit guest cannot set the upper halves.)
 */
#include "guests/hostile/hostile.h"

int case_pointers(unsigned magic, unsigned info)
{
	int failures = 0;
	(void)magic, (void)info;

	failures += hcheck("write from beyond RAM",
			   hv_call(HC_CONSOLE_WRITE, 0x7ff00000ul, 16, 0, 0), -EFAULT);
	failures += hcheck("write that wraps around",
			   hv_call(HC_CONSOLE_WRITE, 0xfffffff0ul, 0x20, 0, 0), -EFAULT);
	failures += hcheck("write of huge length",
			   hv_call(HC_CONSOLE_WRITE, 0x1000, 0xffffffffUL, 0, 0), -EFAULT);
	failures += hcheck("read into beyond RAM", hv_call(HC_CONSOLE_READ, 0x7ff00000ul, 16, 0, 0),
			   -EFAULT);
	failures += hcheck("unknown call 0", hv_call(0, 0, 0, 0, 0), -ENOSYS);
	failures += hcheck("unknown call 99", hv_call(99, 1, 2, 3, 4), -ENOSYS);
	hv_use_vmcall(true);
	failures += hcheck("VMCALL accepted", hv_call(0, 0, 0, 0, 0), -ENOSYS);
	hv_use_vmcall(false);
	failures += hcheck("VMMCALL accepted", hv_call(0, 0, 0, 0, 0), -ENOSYS);
	hsay("%d failures; now reading at 1 GiB, outside my RAM", failures);
	(void)*(volatile uint32_t *)0x40000000;
	hsay("FAIL: the read outside RAM returned");
	return failures + 1;
}
