/*
 * hostile: a partition that misbehaves on purpose.  It passes bad
 * buffers and numbers to the hypercalls and checks each answer (-14 or
 * -38, never a crash of anything else), then reads far outside its RAM,
 * which must stop it with a memory violation.  Prints "hostile: ok"
 * lines that the boot tests count.  (That only the low halves of the
 * registers count outside 64-bit mode is checked by guests/compat: a
 * 32-bit guest cannot set the upper halves.)
 */
#include "guests/lib/guest.h"

static int failures;

static void expect(const char *what, long got, long want)
{
	failures += guest_check("hostile", what, got, want);
}

int guest_main(unsigned magic, unsigned info)
{
	(void)magic, (void)info;
	if (!hv_present()) {
		printf("hostile: needs cloison\n");
		return 1;
	}
	expect("write from beyond RAM", hv_call(HC_CONSOLE_WRITE, 0x7ff00000ul, 16, 0, 0), -EFAULT);
	expect("write that wraps around", hv_call(HC_CONSOLE_WRITE, 0xfffffff0ul, 0x20, 0, 0),
	       -EFAULT);
	expect("write of huge length", hv_call(HC_CONSOLE_WRITE, 0x1000, 0xffffffffUL, 0, 0),
	       -EFAULT);
	expect("read into beyond RAM", hv_call(HC_CONSOLE_READ, 0x7ff00000ul, 16, 0, 0), -EFAULT);
	expect("unknown call 0", hv_call(0, 0, 0, 0, 0), -ENOSYS);
	expect("unknown call 99", hv_call(99, 1, 2, 3, 4), -ENOSYS);
	hv_use_vmcall(true);
	expect("VMCALL accepted", hv_call(0, 0, 0, 0, 0), -ENOSYS);
	hv_use_vmcall(false);
	expect("VMMCALL accepted", hv_call(0, 0, 0, 0, 0), -ENOSYS);
	printf("hostile: %d failures; now reading at 1 GiB, outside my RAM\n", failures);
	(void)*(volatile uint32_t *)0x40000000;
	printf("hostile: FAIL: the read outside RAM returned\n");
	return 1;
}
