/*
 * Case "regs" (class 17 of the catalog): register state that is the
 * partition's own and must stay so on a CPU shared with others.
 *
 * Variants "a" and "b" (regs_a, regs_b) run pinned to one CPU.  Each
 * puts its own pattern into the x87 registers and control word, MXCSR
 * and XMM0-7 (a 32-bit guest has no XMM8-15), DR0-DR3, DR6 and DR7, CR2
 * and the MSRs it may write (KERNEL_GS_BASE, LSTAR, STAR, SFMASK,
 * SYSENTER_EIP, PAT, FS_BASE), then for ROUNDS_NS YIELDs and halts for
 * a millisecond (so that the other one surely runs, whatever the
 * scheduler makes of a YIELD) and after each round checks that all of
 * it is still its own: a value of the other partition, or anyone's, is
 * a leak.  Then, as a second step, XCR0 and the upper halves of YMM0-7
 * when AVX is offered (XSETBV is the step a hypervisor may not be ready
 * for, so it comes last).
 *
 * Variant "restart" (regs_restart, under on_crash=restart) checks at
 * its start that it finds the state of a CPU just reset: x87 control
 * word 0x37f, MXCSR 0x1f80, XMM0-7 zero, XCR0 1, DR0-DR3 zero, DR7
 * 0x400, CR2 0; then sets its pattern and reads outside its RAM, which
 * stops it.  Its next life must find the reset state again, not the
 * pattern (the scenario counts the lines of both lives).
 *
 * The guest's C code has no FPU or SSE (-mgeneral-regs-only): every
 * access is in assembly.  The case enables SSE itself (CR0.EM clear,
 * MP set, CR4.OSFXSR and OSXMMEXCPT) and CR4.OSXSAVE for XGETBV.
 */
#include "guests/hostile/cpu.h"
#include "guests/hostile/hostile.h"

#define MS 1000000ull
#define ROUNDS_NS (300 * MS)
#define CPUID1_ECX_XSAVE (1u << 26)
#define CPUID1_ECX_AVX (1u << 28)

struct pattern {
	uint16_t fcw;
	uint32_t mxcsr;
	uint64_t st[2]; /* doubles, as bits */
	uint8_t xmm[8][16];
	uint8_t ymm_hi[8][16];
	uint32_t dr[4], dr6, dr7, cr2;
	uint64_t msr[7];
	uint64_t xcr0;
};

static const uint32_t msrs[7] = { MSR_KERNEL_GS_BASE, MSR_LSTAR, MSR_STAR,   MSR_SFMASK,
				  MSR_SYSENTER_EIP,   MSR_PAT,	 MSR_FS_BASE };
static const char *const msr_names[7] = { "KERNEL_GS_BASE", "LSTAR", "STAR",   "SFMASK",
					  "SYSENTER_EIP",   "PAT",   "FS_BASE" };

/* The FXSAVE image (SDM 1 §10.5.1): FCW at 0, MXCSR at 24, ST0-7 at 32, XMM0-7 at 160. */
static uint8_t fx[512] __attribute__((aligned(16)));

static bool avx, xsave;

static void make_pattern(struct pattern *p, unsigned seed)
{
	static const uint64_t doubles[2][2] = {
		{ 0x3ff8000000000000ull, 0xc002000000000000ull }, /* 1.5, -2.25 */
		{ 0x400e000000000000ull, 0xc010800000000000ull }, /* 3.75, -4.125 */
	};
	bool a = seed == 0xa;

	p->fcw = a ? 0x027f : 0x007f;	/* precision double / single, all masked */
	p->mxcsr = a ? 0x3f80 : 0x5f80; /* rounding down / up, all masked */
	p->st[0] = doubles[!a][0];
	p->st[1] = doubles[!a][1];
	for (unsigned i = 0; i < 8; i++)
		for (unsigned j = 0; j < 16; j++) {
			p->xmm[i][j] = (uint8_t)(seed * 0x11 + i * 16 + j);
			p->ymm_hi[i][j] = (uint8_t)(seed * 0x11 + 0x80 + i * 16 + j);
		}
	for (unsigned i = 0; i < 4; i++)
		p->dr[i] = seed << 20 | (i + 1) << 12;
	p->dr6 = a ? 1 : 2;		      /* B0 or B1 */
	p->dr7 = a ? 0x00050400 : 0x000f0400; /* RW0/LEN0 only: no breakpoint enabled */
	p->cr2 = seed * 0x11111000u;
	p->msr[0] = a ? 0xffffa00000000000ull : 0xffffb00000000000ull;
	p->msr[1] = a ? 0xffffa00000001000ull : 0xffffb00000001000ull;
	p->msr[2] = a ? 0x001b000800000000ull : 0x002b001000000000ull;
	p->msr[3] = a ? 0xa0a : 0xb0b;
	p->msr[4] = a ? 0xa0001000u : 0xb0001000u;
	p->msr[5] = a ? 0x0007010600070106ull : 0x0005040600050406ull;
	p->msr[6] = a ? 0xa000 : 0xb000;
	p->xcr0 = avx ? (a ? 7 : 3) : (a ? 3 : 1);
}

static void enable_sse(void)
{
	uint32_t r[4];

	write_cr0((read_cr0() & ~(CR0_EM | CR0_TS)) | CR0_MP);
	write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
	cpuid_count(1, 0, r);
	xsave = r[2] & CPUID1_ECX_XSAVE;
	if (xsave)
		write_cr4(read_cr4() | CR4_OSXSAVE);
	cpuid_count(1, 0, r); /* OSXSAVE now set: AVX is usable if offered */
	avx = xsave && (r[2] & CPUID1_ECX_AVX);
}

static void fxsave(void)
{
	__asm__ volatile("fxsave %0" : "=m"(fx));
}

static uint32_t read_dr(unsigned n)
{
	uint32_t v = 0;
	switch (n) {
	case 0:
		__asm__ volatile("mov %%dr0, %0" : "=r"(v));
		break;
	case 1:
		__asm__ volatile("mov %%dr1, %0" : "=r"(v));
		break;
	case 2:
		__asm__ volatile("mov %%dr2, %0" : "=r"(v));
		break;
	case 3:
		__asm__ volatile("mov %%dr3, %0" : "=r"(v));
		break;
	case 6:
		__asm__ volatile("mov %%dr6, %0" : "=r"(v));
		break;
	default:
		__asm__ volatile("mov %%dr7, %0" : "=r"(v));
		break;
	}
	return v;
}

static void set_base(const struct pattern *p)
{
	__asm__ volatile("fninit\n\t"
			 "fldcw %0\n\t"
			 "fldl %2\n\t"
			 "fldl %1\n\t"
			 "ldmxcsr %3"
			 :
			 : "m"(p->fcw), "m"(p->st[0]), "m"(p->st[1]), "m"(p->mxcsr));
	__asm__ volatile("movdqu 0(%0), %%xmm0\n\tmovdqu 16(%0), %%xmm1\n\t"
			 "movdqu 32(%0), %%xmm2\n\tmovdqu 48(%0), %%xmm3\n\t"
			 "movdqu 64(%0), %%xmm4\n\tmovdqu 80(%0), %%xmm5\n\t"
			 "movdqu 96(%0), %%xmm6\n\tmovdqu 112(%0), %%xmm7" ::"r"(p->xmm)
			 : "memory");
	__asm__ volatile(
		"mov %0, %%dr0\n\tmov %1, %%dr1\n\tmov %2, %%dr2\n\tmov %3, %%dr3" ::"r"(p->dr[0]),
		"r"(p->dr[1]), "r"(p->dr[2]), "r"(p->dr[3]));
	__asm__ volatile("mov %0, %%dr6\n\tmov %1, %%dr7" ::"r"(0xffff0ff0u | p->dr6), "r"(p->dr7));
	__asm__ volatile("mov %0, %%cr2" ::"r"(p->cr2));
	for (unsigned i = 0; i < 7; i++)
		if (try_wrmsr(msrs[i], p->msr[i]) != NO_EXCEPTION)
			hsay("FAIL: WRMSR %s refused", msr_names[i]);
}

/*
 * YMM0-7 from or to ymm; the vector raised, or NO_EXCEPTION.  #UD means
 * XCR0 lost AVX: another partition's XCR0 on this CPU.
 */
static int ymm_load(uint8_t (*ymm)[32])
{
	return TRAP_TRY("vmovdqu 0(%0), %%ymm0\n\tvmovdqu 32(%0), %%ymm1\n\t"
			"vmovdqu 64(%0), %%ymm2\n\tvmovdqu 96(%0), %%ymm3\n\t"
			"vmovdqu 128(%0), %%ymm4\n\tvmovdqu 160(%0), %%ymm5\n\t"
			"vmovdqu 192(%0), %%ymm6\n\tvmovdqu 224(%0), %%ymm7",
			::"r"(ymm)
			: "memory");
}

static int ymm_store(uint8_t (*ymm)[32])
{
	return TRAP_TRY("vmovdqu %%ymm0, 0(%0)\n\tvmovdqu %%ymm1, 32(%0)\n\t"
			"vmovdqu %%ymm2, 64(%0)\n\tvmovdqu %%ymm3, 96(%0)\n\t"
			"vmovdqu %%ymm4, 128(%0)\n\tvmovdqu %%ymm5, 160(%0)\n\t"
			"vmovdqu %%ymm6, 192(%0)\n\tvmovdqu %%ymm7, 224(%0)",
			::"r"(ymm)
			: "memory");
}

/* The second step: XCR0, then the upper halves of YMM0-7 (AVX only). */
static void set_xstate(const struct pattern *p)
{
	uint8_t ymm[8][32];

	if (!xsave)
		return;
	if (try_xsetbv(0, p->xcr0) != NO_EXCEPTION)
		hsay("FAIL: XSETBV 0x%x refused", (unsigned)p->xcr0);
	if (!avx || !(p->xcr0 & 4))
		return;
	for (unsigned i = 0; i < 8; i++)
		for (unsigned j = 0; j < 16; j++) {
			ymm[i][j] = p->xmm[i][j];
			ymm[i][16 + j] = p->ymm_hi[i][j];
		}
	if (ymm_load(ymm) != NO_EXCEPTION)
		hsay("FAIL: loading YMM0-7 raised an exception (XCR0 changed under me?)");
}

static bool same_bytes(const void *a, const void *b, unsigned n)
{
	const uint8_t *x = a, *y = b;
	for (unsigned i = 0; i < n; i++)
		if (x[i] != y[i])
			return false;
	return true;
}

enum item { I_X87, I_SSE, I_DR, I_CR2, I_MSR, I_XCR0, I_YMM, ITEMS };
static const char *const item_names[ITEMS] = {
	"x87 registers and FCW", "MXCSR and XMM0-7", "DR0-DR3, DR6 and DR7", "CR2", "MSRs", "XCR0",
	"YMM0-7 upper halves"
};

/* Which items differ from p (a bit per enum item); say what differs the first time. */
static unsigned differences(const struct pattern *p, const uint8_t *ref_fx, bool xstate,
			    unsigned seen)
{
	unsigned bad = 0;

	fxsave();
	if (!same_bytes(fx, ref_fx, 2) || !same_bytes(fx + 32, ref_fx + 32, 10) ||
	    !same_bytes(fx + 48, ref_fx + 48, 10))
		bad |= 1u << I_X87;
	if (!same_bytes(fx + 24, ref_fx + 24, 4) || !same_bytes(fx + 160, ref_fx + 160, 128))
		bad |= 1u << I_SSE;
	for (unsigned i = 0; i < 8; i++) {
		uint32_t want = i < 4 ? p->dr[i] : i == 6 ? p->dr6 : p->dr7;
		uint32_t got = i == 6 ? read_dr(6) & 0xf : read_dr(i);
		if (i == 4 || i == 5 || got == want)
			continue;
		if (!(seen & 1u << I_DR) && !(bad & 1u << I_DR))
			hsay("DR%u is 0x%x, not 0x%x", i, (unsigned)got, (unsigned)want);
		bad |= 1u << I_DR;
	}
	if (read_cr2() != p->cr2)
		bad |= 1u << I_CR2;
	for (unsigned i = 0; i < 7; i++) {
		uint64_t v = 0;
		try_rdmsr(msrs[i], &v);
		if (v != p->msr[i]) {
			if (!(seen & 1u << I_MSR) && !(bad & 1u << I_MSR))
				hsay("%s is 0x%llx, not 0x%llx", msr_names[i],
				     (unsigned long long)v, (unsigned long long)p->msr[i]);
			bad |= 1u << I_MSR;
		}
	}
	if (xstate && xsave) {
		uint64_t x = 0;
		uint8_t ymm[8][32];
		try_xgetbv(0, &x);
		if (x != p->xcr0)
			bad |= 1u << I_XCR0;
		if (avx && (p->xcr0 & 4)) {
			if (ymm_store(ymm) != NO_EXCEPTION)
				bad |= 1u << I_YMM;
			for (unsigned i = 0; i < 8; i++)
				if (!same_bytes(ymm[i] + 16, p->ymm_hi[i], 16))
					bad |= 1u << I_YMM;
		}
	}
	return bad;
}

static int survive_yields(const struct pattern *p, bool xstate)
{
	static uint8_t ref_fx[512];
	uint64_t t0 = hv_time_ns();
	unsigned bad = 0, rounds = 0;
	int failures = 0;

	fxsave();
	for (unsigned i = 0; i < sizeof(fx); i++)
		ref_fx[i] = fx[i];
	while (hv_time_ns() - t0 < ROUNDS_NS) {
		unsigned now;
		hv_call(HC_YIELD, 0, 0, 0, 0);
		sleep_ns(1 * MS);
		rounds++;
		now = differences(p, ref_fx, xstate, bad);
		for (unsigned i = 0; i < ITEMS; i++)
			if ((now & ~bad) & 1u << i)
				hsay("%s changed in round %u", item_names[i], rounds);
		bad |= now;
	}
	for (unsigned i = 0; i < ITEMS; i++) {
		char what[80];
		if ((i == I_XCR0 || i == I_YMM) != xstate)
			continue;
		if ((i == I_XCR0 && !xsave) || (i == I_YMM && !(avx && (p->xcr0 & 4))))
			continue;
		format(what, sizeof(what), "%s stay mine for %u ms of YIELDs and HLTs",
		       item_names[i], hms(ROUNDS_NS));
		failures += hcheck(what, !(bad & 1u << i), 1);
	}
	return failures;
}

static int reset_state(void)
{
	uint16_t fcw = 0;
	uint32_t mxcsr = 0;
	static const uint8_t zero[128];
	int failures = 0;

	/* Before anything touches the FPU: FNSTCW and STMXCSR change nothing. */
	__asm__ volatile("fnstcw %0" : "=m"(fcw));
	enable_sse();
	__asm__ volatile("stmxcsr %0" : "=m"(mxcsr));
	fxsave();
	failures += hcheck("reset: x87 FCW is 0x37f", fcw, 0x37f);
	failures += hcheck("reset: MXCSR is 0x1f80", mxcsr, 0x1f80);
	failures += hcheck("reset: XMM0-7 are zero", same_bytes(fx + 160, zero, 128), 1);
	if (xsave) {
		uint64_t x = 0;
		try_xgetbv(0, &x);
		failures += hcheck("reset: XCR0 is 1", (long long)x, 1);
	}
	failures += hcheck("reset: DR0-DR3 are zero",
			   (read_dr(0) | read_dr(1) | read_dr(2) | read_dr(3)) == 0, 1);
	failures += hcheck("reset: DR7 is 0x400", read_dr(7), 0x400);
	failures += hcheck("reset: CR2 is 0", read_cr2(), 0);
	return failures;
}

int case_regs(unsigned magic, unsigned info)
{
	struct pattern p;
	int failures = 0;
	(void)magic, (void)info;

	cpu_setup();
	if (str_same(hostile_variant, "restart")) {
		failures += reset_state();
		make_pattern(&p, 0xa);
		set_base(&p);
		set_xstate(&p);
		hsay("%d failures; state set, now reading at 1 GiB, outside my RAM", failures);
		(void)*(volatile uint32_t *)0x40000000;
		hsay("FAIL: the read outside RAM returned");
		return failures + 1;
	}
	if (!str_same(hostile_variant, "a") && !str_same(hostile_variant, "b")) {
		hsay("FAIL: variant '%s': want a, b or restart", hostile_variant);
		return 1;
	}
	enable_sse();
	make_pattern(&p, str_same(hostile_variant, "a") ? 0xa : 0xb);
	set_base(&p);
	failures += survive_yields(&p, false);
	hsay("AVX offered: %s; XCR0 next", avx ? "yes" : "no");
	set_xstate(&p);
	failures += survive_yields(&p, true);
	return failures;
}
