/*
 * compat: checks that a hypercall made outside 64-bit mode counts only the
 * low 32 bits of each register (docs/hypercalls.md).  A 32-bit guest cannot
 * test that, having no way to set the upper halves; this 64-bit guest fills
 * the upper halves of RAX, RBX, RCX, RDX and RSI with junk in 64-bit mode
 * and makes the call from a 32-bit code segment in compatibility mode
 * (guests/compat/switch.S), once with VMCALL and once with VMMCALL.  Calls
 * made in 64-bit mode with junk upper halves are the control: there the
 * upper halves count.  The last call, EXIT with the failure count, is made
 * from compatibility mode too.  Natively (qemu -kernel) it checks the mode
 * switch alone and exits through the isa-debug-exit port.
 */
#include "guests/lib/guest.h"
#include "lib/format.h"

struct compat_regs {
	uint64_t rax, rbx, rcx, rdx, rsi;
};
enum stub { STUB_INC, STUB_VMCALL, STUB_VMMCALL };

void compat_setup(void);
void compat_call(struct compat_regs *r, unsigned stub);

/* The upper half given to register n: junk that must not count. */
#define JUNK(n) ((uint64_t)(0xdead0000u + (n)) << 32)
#define KEEP_EDX 0x0badcafeu

static int failures;

static void check(const char *insn, const char *what, long long got, long long want)
{
	char label[64];
	format(label, sizeof(label), "%s%s%s", insn, *insn ? ": " : "", what);
	failures += guest_check("compat", label, got, want);
}

/* A call from compatibility mode; every register's upper half is junk. */
static struct compat_regs call32(unsigned stub, uint32_t nr, uint32_t a1, uint32_t a2, uint32_t a3)
{
	struct compat_regs r = { JUNK(0) | nr, JUNK(1) | a1, JUNK(2) | a2, JUNK(3) | a3, JUNK(4) };
	compat_call(&r, stub);
	return r;
}

static uint32_t gpa(const void *p)
{
	return (uint32_t)(uintptr_t)p; /* the image lies below 1 GiB, identity-mapped */
}

static void hypercalls_from_compat_mode(unsigned stub, const char *insn, const char *line,
					uint32_t len)
{
	struct compat_regs r;
	uint64_t t0, t1, t;

	/*
	 * A busy console may take only part of the line (docs/hypercalls.md):
	 * call again for the rest, as the SDK's console_write() does.  Every
	 * call's count must be a part of what was left, and the parts the whole.
	 */
	for (uint32_t taken = 0, calls = 0; taken < len; calls++) {
		r = call32(stub, HC_CONSOLE_WRITE, gpa(line + taken), len - taken, KEEP_EDX);
		if ((int32_t)r.rax < 0 || (uint32_t)r.rax > len - taken || calls == 1000) {
			check(insn, "CONSOLE_WRITE returns a part of its length", (int32_t)r.rax,
			      len - taken);
			break;
		}
		taken += (uint32_t)r.rax;
		if (!r.rax)
			hv_call(HC_YIELD, 0, 0, 0, 0);
		if (taken == len)
			check(insn, "CONSOLE_WRITE returns its length", taken, len);
	}
	r = call32(stub, 99, 0, 0, KEEP_EDX);
	check(insn, "call 99 gives -38 in EAX", (int32_t)r.rax, -ENOSYS);
	check(insn, "call 99 leaves EDX", (uint32_t)r.rdx, KEEP_EDX);
	/* TIME is the one 64-bit result: EDX:EAX.  An EDX left alone would
	 * read as 0x0badcafe seconds' worth of nanoseconds from now. */
	t0 = hv_time_ns();
	r = call32(stub, HC_TIME, 0, 0, KEEP_EDX);
	t1 = hv_time_ns();
	t = (uint64_t)(uint32_t)r.rdx << 32 | (uint32_t)r.rax;
	check(insn, "TIME in EDX:EAX", t0 <= t && t <= t1, 1);
	if (t < t0 || t > t1)
		printf("compat: TIME: %llu is not within [%llu, %llu]\n", (unsigned long long)t,
		       (unsigned long long)t0, (unsigned long long)t1);
}

static void upper_halves_count_in_64bit_mode(void)
{
	static const char wrong[] = "compat: FAIL: a 64-bit call lost an upper half\n";
	const uint64_t len = sizeof(wrong) - 1;

	check("", "64-bit: junk in RBX gives -14",
	      hv_call(HC_CONSOLE_WRITE, JUNK(1) | gpa(wrong), len, 0, 0), -EFAULT);
	check("", "64-bit: junk in RCX gives -14",
	      hv_call(HC_CONSOLE_WRITE, gpa(wrong), JUNK(2) | len, 0, 0), -EFAULT);
	check("", "64-bit: junk in RAX gives -38",
	      hv_call(JUNK(0) | HC_CONSOLE_WRITE, gpa(wrong), len, 0, 0), -ENOSYS);
}

int guest_main(unsigned magic, unsigned info)
{
	static const char by_vmcall[] = "compat: written from compatibility mode by VMCALL\n";
	static const char by_vmmcall[] = "compat: written from compatibility mode by VMMCALL\n";
	struct compat_regs r = { JUNK(0) | 0x41, 0, 0, 0, 0 };
	unsigned own;

	(void)magic, (void)info;
	compat_setup();
	compat_call(&r, STUB_INC);
	check("", "INC EAX ran in compatibility mode", (uint32_t)r.rax, 0x42);
	if (!hv_present()) {
		printf("compat: no hypervisor: %d failures\n", failures);
		return failures ? 1 : 0;
	}
	upper_halves_count_in_64bit_mode();
	hypercalls_from_compat_mode(STUB_VMCALL, "VMCALL", by_vmcall, sizeof(by_vmcall) - 1);
	hypercalls_from_compat_mode(STUB_VMMCALL, "VMMCALL", by_vmmcall, sizeof(by_vmmcall) - 1);
	own = cpu_vendor_is("GenuineIntel") ? STUB_VMCALL : STUB_VMMCALL;
	printf("compat: %d failures; EXIT from compatibility mode\n", failures);
	call32(own, HC_EXIT, (uint32_t)failures, 0, 0);
	printf("compat: FAIL: EXIT from compatibility mode returned\n");
	return 1;
}
