/*
 * Case "privilege" (class 2 of the catalog): hypercalls from where only
 * the guest's kernel should not be.  From CPL 1, 2 and 3 (an IRET to
 * that ring, back through an INT gate of DPL 3) and from virtual-8086
 * mode, every call must return -1 (EPERM) and do nothing: a
 * CONSOLE_WRITE prints nothing (its text says "LEAK", which the scenario
 * looks for), and last of all an EXIT(42) from CPL 3 must not end the
 * partition.  VMCALL and VMMCALL exit at any CPL on the hardware, so only
 * the hypervisor can refuse them.  From real mode, which is CPL 0, TIME
 * and CONSOLE_WRITE work as from protected mode.
 *
 * Virtual-8086 mode is variant "v86" (privilege_v86), which does only
 * that: Bochs 2.7 cannot leave a guest in virtual-8086 mode under SVM
 * (its #VMEXIT switches to the host's long mode with EFLAGS.VM still set
 * and panics, "VM is set in long mode !"), so that partition stays off
 * the bochs-svm lane.
 */
#include "guests/hostile/cpu.h"
#include "guests/hostile/hostile.h"
#include "lib/format.h"

#define EPERM 1

static const char leak_fmt[] = "hostile privilege: LEAK: written from %s\n";

static long from_ring(unsigned ring, bool vmcall, uint32_t nr, uint32_t a1, uint32_t a2)
{
	ring_regs = (struct ring_regs){ nr, a1, a2, 0, 0 };
	ring_use_vmcall = vmcall;
	ring_call(ring, ring_hcall);
	return (int32_t)ring_regs.eax;
}

static long from_v86(uint32_t nr, uint32_t a1, uint32_t a2)
{
	*lowp = (struct low_params){ .eax = nr, .ebx = a1, .ecx = a2 };
	lowp->use_vmcall = cpu_is_intel();
	v86_hcall();
	return (int32_t)lowp->eax;
}

static int outer_rings(void)
{
	char text[64], what[64];
	int failures = 0;

	for (unsigned ring = 1; ring <= 3; ring++) {
		for (int insn = 0; insn < 2; insn++) {
			const char *name = insn ? "VMCALL" : "VMMCALL";
			format(what, sizeof(what), "TIME by %s from CPL %u gives -1", name, ring);
			failures += hcheck(what, from_ring(ring, insn, HC_TIME, 0, 0), -EPERM);
		}
		format(what, sizeof(what), "CPL %u", ring);
		format(text, sizeof(text), leak_fmt, what);
		format(what, sizeof(what), "CONSOLE_WRITE from CPL %u gives -1", ring);
		failures += hcheck(what,
				   from_ring(ring, cpu_is_intel(), HC_CONSOLE_WRITE,
					     (uint32_t)(uintptr_t)text, (uint32_t)hstrlen(text)),
				   -EPERM);
	}
	return failures;
}

static int v86_mode(void)
{
	static char text[64];
	int failures = 0;

	format(text, sizeof(text), leak_fmt, "virtual-8086 mode");
	failures += hcheck("TIME from virtual-8086 mode gives -1", from_v86(HC_TIME, 0, 0), -EPERM);
	failures += hcheck(
		"CONSOLE_WRITE from virtual-8086 mode gives -1",
		from_v86(HC_CONSOLE_WRITE, (uint32_t)(uintptr_t)text, (uint32_t)hstrlen(text)),
		-EPERM);
	return failures;
}

static int real_mode(void)
{
	static const char text[] = "hostile privilege: written from real mode\n";
	uint64_t t0, t1, t;
	int failures = 0;

	*lowp = (struct low_params){ .eax = HC_TIME, .edx = 0xdeadbeef };
	lowp->use_vmcall = cpu_is_intel();
	t0 = hv_time_ns();
	real_call(REAL_HCALL);
	t1 = hv_time_ns();
	t = (uint64_t)lowp->edx << 32 | lowp->eax;
	failures += hcheck("TIME from real mode in EDX:EAX", t0 <= t && t <= t1, 1);
	*lowp = (struct low_params){ .eax = HC_CONSOLE_WRITE,
				     .ebx = (uint32_t)(uintptr_t)text,
				     .ecx = sizeof(text) - 1 };
	lowp->use_vmcall = cpu_is_intel();
	real_call(REAL_HCALL);
	failures += hcheck("CONSOLE_WRITE from real mode", (int32_t)lowp->eax, sizeof(text) - 1);
	return failures;
}

int case_privilege(unsigned magic, unsigned info)
{
	int failures = 0;
	long r;
	(void)magic, (void)info;

	cpu_setup();
	if (str_same(hostile_variant, "v86"))
		return v86_mode();
	failures += outer_rings();
	failures += real_mode();
	hsay("EXIT(42) from CPL 3 next: it must return -1 and not end the partition");
	r = from_ring(3, cpu_is_intel(), HC_EXIT, 42, 0);
	failures += hcheck("EXIT from CPL 3 gives -1", r, -EPERM);
	return failures;
}
