/*
 * Case "cpuid-msr" (class 17 of the catalog): what CPUID and RDMSR tell
 * a partition about its CPU, checked from the guest's side.
 *   - CPUID.1:ECX.VMX and CPUID.80000001h:ECX.SVM are clear (the
 *     partition cannot use them), the hypervisor bit (CPUID.1:ECX bit 31)
 *     is set, and leaf 0x40000000 says "CloisonHV";
 *   - CPUID.1:ECX.OSXSAVE follows the guest's own CR4.OSXSAVE, off and on
 *     (it is a copy of CR4.OSXSAVE on hardware, not the host's);
 *   - CPUID.0Dh.0:EBX is the XSAVE area size for the guest's own XCR0:
 *     576 for x87|SSE, more with AVX (the offset plus size of the highest
 *     state component enabled, from CPUID.0Dh.i), first for XCR0 as the
 *     partition found it, then after XSETBV (last: some hypervisors are
 *     not ready for it);
 *   - RDMSR of an unknown MSR (0x12345678) and of IA32_VMX_BASIC (0x480;
 *     VMX is hidden) raise #GP, not a 0.
 */
#include "guests/hostile/cpu.h"
#include "guests/hostile/hostile.h"

#define CPUID1_ECX_VMX (1u << 5)
#define CPUID1_ECX_XSAVE (1u << 26)
#define CPUID1_ECX_OSXSAVE (1u << 27)
#define CPUID1_ECX_AVX (1u << 28)
#define CPUID1_ECX_HYPERVISOR (1u << 31)
#define CPUID81_ECX_SVM (1u << 2)

/* The XSAVE area size for xcr0 from CPUID.0Dh's per-component leaves (SDM 1 §13.2). */
static uint32_t xsave_size(uint64_t xcr0)
{
	uint32_t size = 576, r[4];

	for (unsigned i = 2; i < 32; i++) {
		if (!(xcr0 & 1ull << i))
			continue;
		cpuid_count(0xd, i, r);
		if (r[1] + r[0] > size)
			size = r[1] + r[0];
	}
	return size;
}

static int xsave_leaf(const char *when)
{
	uint64_t xcr0 = 0;
	uint32_t r[4];
	char what[80];

	try_xgetbv(0, &xcr0);
	cpuid_count(0xd, 0, r);
	format(what, sizeof(what), "CPUID.0Dh.0:EBX fits XCR0 (%s)", when);
	if (r[1] != xsave_size(xcr0))
		hsay("XCR0 is 0x%x", (unsigned)xcr0);
	return hcheck(what, r[1], xsave_size(xcr0));
}

/* The four registers of CPUID leaf, ORed: 0 when the leaf reads as zero. */
static uint32_t cpuid_any(uint32_t leaf)
{
	uint32_t r[4];

	cpuid_count(leaf, 0, r);
	return r[0] | r[1] | r[2] | r[3];
}

int case_cpuid_msr(unsigned magic, unsigned info)
{
	uint32_t r[4];
	uint64_t v = 0;
	int failures = 0;
	bool avx;
	(void)magic, (void)info;

	cpu_setup();
	cpuid_count(1, 0, r);
	failures += hcheck("CPUID.1:ECX.VMX is clear", r[2] & CPUID1_ECX_VMX, 0);
	failures += hcheck("CPUID.1:ECX.hypervisor is set", !!(r[2] & CPUID1_ECX_HYPERVISOR), 1);
	cpuid_count(0x80000001u, 0, r);
	failures += hcheck("CPUID.80000001h:ECX.SVM is clear", r[2] & CPUID81_ECX_SVM, 0);
	failures += hcheck("CPUID.40000000h says CloisonHV", hv_present(), 1);
	/* Intel answers a leaf it lacks with its highest basic leaf, which could be 7 or 0xD. */
	cpuid_count(0, 0, r);
	failures += hcheck("CPUID above the highest basic leaf reads zero", cpuid_any(r[0] + 1), 0);
	cpuid_count(0x80000000u, 0, r);
	failures +=
		hcheck("CPUID above the highest extended leaf reads zero", cpuid_any(r[0] + 1), 0);
	failures += hcheck("CPUID 0x40000100 (another hypervisor's) reads zero",
			   cpuid_any(0x40000100u), 0);
	failures += hcheck("RDMSR 0x12345678 gets #GP", try_rdmsr(0x12345678, &v), EXC_GP);
	failures += hcheck("RDMSR IA32_VMX_BASIC gets #GP", try_rdmsr(0x480, &v), EXC_GP);

	cpuid_count(1, 0, r);
	if (!(r[2] & CPUID1_ECX_XSAVE)) {
		hsay("no XSAVE offered: the OSXSAVE and leaf 0Dh checks do not apply");
		return failures;
	}
	avx = r[2] & CPUID1_ECX_AVX;
	write_cr4(read_cr4() & ~CR4_OSXSAVE);
	cpuid_count(1, 0, r);
	failures += hcheck("CPUID.1:ECX.OSXSAVE clear with CR4.OSXSAVE clear",
			   !!(r[2] & CPUID1_ECX_OSXSAVE), 0);
	write_cr4(read_cr4() | CR4_OSXSAVE);
	cpuid_count(1, 0, r);
	failures += hcheck("CPUID.1:ECX.OSXSAVE set with CR4.OSXSAVE set",
			   !!(r[2] & CPUID1_ECX_OSXSAVE), 1);
	failures += xsave_leaf("as found");
	hsay("XSETBV next");
	if (try_xsetbv(0, 3) == NO_EXCEPTION)
		failures += xsave_leaf("x87|SSE");
	if (avx && try_xsetbv(0, 7) == NO_EXCEPTION)
		failures += xsave_leaf("x87|SSE|AVX");
	try_xsetbv(0, 1);
	failures += xsave_leaf("x87 alone");
	return failures;
}
