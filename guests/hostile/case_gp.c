/*
 * Case "gp" (class 8 of the catalog): bad values for MSRs, control
 * registers and XCR0.  Each must raise #GP in the guest, as the CPU
 * does without a hypervisor, and the partition goes on (a #GP handler
 * notes it and resumes after the instruction); good values must be
 * taken and read back.  One partition per variant, so that a value that
 * stops the partition does not hide the others:
 *   msr   non-canonical addresses in FS_BASE, GS_BASE, KERNEL_GS_BASE,
 *         LSTAR, CSTAR, SYSENTER_ESP and SYSENTER_EIP; PAT entries 2 and 8;
 *         EFER reserved bits and SVME (SVM is hidden); an unknown MSR
 *         read and written; canonical values read back
 *   cr    CR4 reserved bits, VMXE (VMX is hidden) and PCIDE outside 64-bit
 *         mode; CR0.NE and CR4.OSFXSR taken and read back
 *   cr0nw CR0 with NW and not CD
 *   cr0pg CR0 with PG and not PE
 *         (each alone: the emulators' own CPUs take some of these instead
 *         of raising #GP, see tests/boot/catalog.scenario, and what comes
 *         next is their business)
 *   xcr   XSETBV before CR4.OSXSAVE (#UD), then with XCR0 bit 0 clear,
 *         AVX without SSE, unknown bits, ECX != 0; x87|SSE (and AVX if
 *         offered) taken and read back by XGETBV
 *   efer  EFER.LME set while 32-bit paging is on
 *   64    from 64-bit mode: non-canonical FS_BASE, CR3 beyond the
 *         physical-address width, CR4.PAE cleared, CR4 upper bits, CR8
 *         reserved bits, CR0 upper bits
 * Within a variant, the values some CPUs take (QEMU's takes CR4 and CR0
 * reserved bits, as the VMRUN that refuses them afterwards shows) come
 * after those all take.
 */
#include "guests/hostile/cpu.h"
#include "guests/hostile/hostile.h"

/*
 * Not canonical with 48 nor with 57 bits of linear address: a CPU with
 * 5-level paging (QEMU's) checks MSR bases against 57 bits even in
 * 4-level mode, where 0x0000800000000000 would pass.
 */
#define NONCANONICAL 0x8000000000000000ull
#define PAT_RESET 0x0007040600070406ull
#define CPUID1_ECX_XSAVE (1u << 26)
#define CPUID1_ECX_AVX (1u << 28)
#define CR4_PCIDE (1u << 17)
#define XCR0_X87 1u
#define XCR0_SSE 2u
#define XCR0_AVX 4u

static int want_gp(const char *what, int got)
{
	return hcheck(what, got, EXC_GP);
}

static int wrmsr_gp(const char *what, uint32_t msr, uint64_t value)
{
	return want_gp(what, try_wrmsr(msr, value));
}

/* Write value to msr and read it back; restore what was there. */
static int msr_takes(const char *what, uint32_t msr, uint64_t value)
{
	uint64_t old = 0, back = 0;
	int failures = 0;

	try_rdmsr(msr, &old);
	failures += hcheck(what, try_wrmsr(msr, value), NO_EXCEPTION);
	try_rdmsr(msr, &back);
	if (back != value) {
		hsay("FAIL: %s: read back 0x%llx", what, (unsigned long long)back);
		failures++;
	}
	try_wrmsr(msr, old);
	return failures;
}

static int msrs(void)
{
	static const struct {
		const char *name;
		uint32_t msr;
	} bases[] = {
		{ "FS_BASE", MSR_FS_BASE },
		{ "GS_BASE", MSR_GS_BASE },
		{ "KERNEL_GS_BASE", MSR_KERNEL_GS_BASE },
		{ "LSTAR", MSR_LSTAR },
		{ "CSTAR", MSR_CSTAR },
		{ "SYSENTER_ESP", MSR_SYSENTER_ESP },
		{ "SYSENTER_EIP", MSR_SYSENTER_EIP },
	};
	uint64_t v = 0, lstar = 0;
	char what[64];
	int failures = 0;

	try_rdmsr(MSR_LSTAR, &lstar);
	for (unsigned i = 0; i < sizeof(bases) / sizeof(bases[0]); i++) {
		format(what, sizeof(what), "non-canonical %s gets #GP", bases[i].name);
		failures += wrmsr_gp(what, bases[i].msr, NONCANONICAL);
	}
	try_rdmsr(MSR_LSTAR, &v);
	failures += hcheck("LSTAR unchanged by the refused write", v == lstar, 1);
	failures += wrmsr_gp("PAT entry of type 2 gets #GP", MSR_PAT, (PAT_RESET & ~0xffull) | 2);
	failures += wrmsr_gp("PAT entry of type 8 gets #GP", MSR_PAT, PAT_RESET | 8ull << 56);
	try_rdmsr(MSR_EFER, &v);
	failures += wrmsr_gp("EFER bit 1 (reserved) gets #GP", MSR_EFER, v | 2);
	failures += wrmsr_gp("EFER bit 63 (reserved) gets #GP", MSR_EFER, v | 1ull << 63);
	failures += wrmsr_gp("EFER.SVME (SVM hidden) gets #GP", MSR_EFER, v | 1u << 12);
	failures += hcheck("RDMSR 0x12345678 gets #GP", try_rdmsr(0x12345678, &v), EXC_GP);
	failures += wrmsr_gp("WRMSR 0x12345678 gets #GP", 0x12345678, 0);
	failures += msr_takes("canonical LSTAR taken", MSR_LSTAR, 0xffff800000001000ull);
	failures += msr_takes("canonical KERNEL_GS_BASE taken", MSR_KERNEL_GS_BASE,
			      0xffffffff80000000ull);
	failures += msr_takes("FS_BASE taken", MSR_FS_BASE, 0x12345000);
	failures +=
		msr_takes("canonical SYSENTER_EIP taken", MSR_SYSENTER_EIP, 0x00007fffffff0000ull);
	failures += msr_takes("PAT with UC- and WC taken", MSR_PAT, 0x0007010600070106ull);
	try_rdmsr(MSR_EFER, &v);
	failures += msr_takes("EFER.SCE taken", MSR_EFER, v | EFER_SCE);
	return failures;
}

static int crs(void)
{
	uint32_t cr0 = read_cr0(), cr4 = read_cr4();
	int failures = 0;

	failures += hcheck("CR4.OSFXSR taken", try_write_cr4(cr4 | CR4_OSFXSR), NO_EXCEPTION);
	failures += hcheck("CR4.OSFXSR reads back", read_cr4() & CR4_OSFXSR, CR4_OSFXSR);
	write_cr4(cr4);
	failures += want_gp("CR4.VMXE (VMX hidden) gets #GP", try_write_cr4(cr4 | CR4_VMXE));
	/* Without PCID the bit is reserved: #GP either way. */
	failures +=
		want_gp("CR4.PCIDE outside 64-bit mode gets #GP", try_write_cr4(cr4 | CR4_PCIDE));
	failures += want_gp("CR4 bit 15 (reserved) gets #GP", try_write_cr4(cr4 | 1u << 15));
	failures += want_gp("CR4 bit 31 (reserved) gets #GP", try_write_cr4(cr4 | 1u << 31));
	failures += hcheck("CR4 unchanged by the refused writes", read_cr4(), cr4);
	failures += hcheck("CR0.NE taken", try_write_cr0(cr0 | CR0_NE), NO_EXCEPTION);
	failures += hcheck("CR0.NE reads back", read_cr0() & CR0_NE, CR0_NE);
	write_cr0(cr0);
	return failures;
}

static int xcrs(void)
{
	uint32_t r[4];
	uint64_t v = 0;
	bool avx;
	int failures = 0;

	cpuid_count(1, 0, r);
	if (!(r[2] & CPUID1_ECX_XSAVE)) {
		hsay("FAIL: CPUID offers no XSAVE, so XSETBV cannot be tried here");
		return 1;
	}
	avx = r[2] & CPUID1_ECX_AVX;
	hsay("AVX offered: %s", avx ? "yes" : "no");
	failures += hcheck("XSETBV without CR4.OSXSAVE gets #UD",
			   try_xsetbv(0, XCR0_X87 | XCR0_SSE), EXC_UD);
	write_cr4(read_cr4() | CR4_OSXSAVE);
	failures += want_gp("XCR0 = 0 gets #GP", try_xsetbv(0, 0));
	failures += want_gp("XCR0 without x87 gets #GP", try_xsetbv(0, XCR0_SSE));
	failures +=
		want_gp("XCR0 with AVX but not SSE gets #GP", try_xsetbv(0, XCR0_X87 | XCR0_AVX));
	failures += want_gp("XCR0 with bit 62 (unknown) gets #GP",
			    try_xsetbv(0, XCR0_X87 | 1ull << 62));
	failures += want_gp("XSETBV with ECX = 1 gets #GP", try_xsetbv(1, XCR0_X87));
	failures +=
		hcheck("XCR0 = x87|SSE taken", try_xsetbv(0, XCR0_X87 | XCR0_SSE), NO_EXCEPTION);
	try_xgetbv(0, &v);
	failures += hcheck("XCR0 reads back x87|SSE", (long long)v, XCR0_X87 | XCR0_SSE);
	if (avx) {
		failures += hcheck("XCR0 = x87|SSE|AVX taken",
				   try_xsetbv(0, XCR0_X87 | XCR0_SSE | XCR0_AVX), NO_EXCEPTION);
		try_xgetbv(0, &v);
		failures += hcheck("XCR0 reads back x87|SSE|AVX", (long long)v,
				   XCR0_X87 | XCR0_SSE | XCR0_AVX);
	}
	return failures;
}

static int efer_lme_with_paging(void)
{
	uint64_t efer = 0, back = 0;
	int failures = 0;

	try_rdmsr(MSR_EFER, &efer);
	paging32_on();
	hsay("setting EFER.LME with 32-bit paging on next");
	failures += wrmsr_gp("EFER.LME while paging is on gets #GP", MSR_EFER, efer | EFER_LME);
	try_rdmsr(MSR_EFER, &back);
	paging_off();
	failures += hcheck("EFER.LME still clear", (long long)(back & EFER_LME), 0);
	return failures;
}

static int long_try(void (*fn)(void), uint64_t rax, uint64_t rcx, uint64_t rdx)
{
	struct long_regs r = { .rax = rax, .rcx = rcx, .rdx = rdx };

	long_call(fn, &r);
	if (r.vector != 0xffffffffu)
		hsay("FAIL: unexpected exception %u in 64-bit mode", r.vector);
	return (int)long_vector;
}

static int from_64bit_mode(void)
{
	/* The control registers as 64-bit mode has them: long.S adds PG, PAE and CR3. */
	uint64_t cr0 = read_cr0() | CR0_PG, cr4 = read_cr4() | CR4_PAE;
	uint64_t cr3 = (uint32_t)(uintptr_t)long_pml4;
	int failures = 0;

	failures += want_gp(
		"64-bit: non-canonical FS_BASE gets #GP",
		long_try(long_wrmsr, (uint32_t)NONCANONICAL, MSR_FS_BASE, NONCANONICAL >> 32));
	/*
	 * A MOV to CR3 runs natively (no hypervisor sees it).  QEMU 7.2's CPU
	 * takes a CR3 beyond the physical address width, which its own VMRUN
	 * then refuses: that would stop this partition.  Hardware (and Bochs)
	 * raise #GP at the MOV.
	 */
	if (cpu_brand_has("QEMU"))
		hsay("64-bit: CR3 bit 52: skipped under QEMU, whose CPU takes it");
	else
		failures += want_gp("64-bit: CR3 bit 52 (beyond any physical address) gets #GP",
				    long_try(long_mov_cr3, cr3 | 1ull << 52, 0, 0));
	failures += want_gp("64-bit: CR4.PAE cleared in long mode gets #GP",
			    long_try(long_mov_cr4, cr4 & ~(uint64_t)CR4_PAE, 0, 0));
	failures += want_gp("64-bit: CR4 bit 63 (reserved) gets #GP",
			    long_try(long_mov_cr4, cr4 | 1ull << 63, 0, 0));
	failures += want_gp("64-bit: CR8 bit 4 (reserved) gets #GP",
			    long_try(long_mov_cr8, 0x10, 0, 0));
	failures += hcheck("64-bit: CR8 = 0 taken", long_try(long_mov_cr8, 0, 0, 0), NO_EXCEPTION);
	failures += want_gp("64-bit: CR0 bit 32 (reserved) gets #GP",
			    long_try(long_mov_cr0, cr0 | 1ull << 32, 0, 0));
	return failures;
}

int case_gp(unsigned magic, unsigned info)
{
	const char *v = hostile_variant;
	(void)magic, (void)info;

	cpu_setup();
	if (str_same(v, "msr"))
		return msrs();
	if (str_same(v, "cr"))
		return crs();
	if (str_same(v, "cr0nw"))
		return want_gp("CR0 with NW and not CD gets #GP",
			       try_write_cr0((read_cr0() | CR0_NW) & ~CR0_CD));
	if (str_same(v, "cr0pg"))
		return want_gp("CR0 with PG and not PE gets #GP",
			       try_write_cr0((read_cr0() | CR0_PG) & ~CR0_PE));
	if (str_same(v, "xcr"))
		return xcrs();
	if (str_same(v, "efer"))
		return efer_lme_with_paging();
	if (str_same(v, "64"))
		return from_64bit_mode();
	hsay("FAIL: variant '%s': want msr, cr, cr0nw, cr0pg, xcr, efer or 64", v);
	return 1;
}
