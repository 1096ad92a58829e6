/*
 * The mitigations of kernel/spec.h.  spec_decide() and spec_describe()
 * are pure (tests/unit/test_spec.c); spec_init() reads the CPU, and
 * spec_switch() issues the barriers, flush and buffer clear chosen.
 * The bits are those of SDM 2 CPUID leaf 7 EDX and AMD's leaf
 * 0x80000008 EBX; IA32_ARCH_CAPABILITIES is read only where CPUID says
 * it exists.
 */
#include "kernel/spec.h"
#include "boot/boot.h"
#include "kernel/console.h"
#include "lib/format.h"
#include "lib/lib.h"

#define L7D_MD_CLEAR (1u << 10)
#define L7D_IBRS_IBPB (1u << 26) /* Intel: IBRS and IBPB */
#define L7D_L1D_FLUSH (1u << 28)
#define L7D_ARCH_CAPS (1u << 29)
#define E8B_IBPB (1u << 12) /* AMD */

#define ARCH_CAP_RDCL_NO (1ull << 0)	/* not affected by L1TF (nor Meltdown) */
#define ARCH_CAP_SKIP_L1DFL (1ull << 3) /* a hypervisor need not flush L1D */
#define ARCH_CAP_MDS_NO (1ull << 5)	/* not affected by MDS */

#define MSR_ARCH_CAPABILITIES 0x10a
#define MSR_FLUSH_CMD 0x10b
#define MSR_PRED_CMD 0x49
#define CMD_L1D_FLUSH 1ull
#define CMD_IBPB 1ull

u32 spec_decide(bool intel, const struct cpuid_regs *leaf7, const struct cpuid_regs *ext8,
		u64 arch_caps)
{
	u32 m = 0;

	if ((intel && (leaf7->edx & L7D_IBRS_IBPB)) || (!intel && (ext8->ebx & E8B_IBPB)))
		m |= SPEC_IBPB;
	if (intel && !(arch_caps & (ARCH_CAP_RDCL_NO | ARCH_CAP_SKIP_L1DFL)) &&
	    (leaf7->edx & L7D_L1D_FLUSH))
		m |= SPEC_L1D_FLUSH;
	if (intel && !(arch_caps & ARCH_CAP_MDS_NO) && (leaf7->edx & L7D_MD_CLEAR))
		m |= SPEC_VERW;
	return m;
}

void spec_describe(u32 mitigations, char *buf, size_t size)
{
	format(buf, size, "%s%s%s%s", mitigations & SPEC_IBPB ? " ibpb" : "",
	       mitigations & SPEC_L1D_FLUSH ? " l1d-flush" : "",
	       mitigations & SPEC_VERW ? " verw" : "", mitigations ? "" : " none");
}

#ifndef CLOISON_HOST_TEST
static u32 active;

void spec_init(void)
{
	struct cpuid_regs zero = { 0, 0, 0, 0 }, l7 = zero, e8 = zero, v = cpuid(0, 0);
	bool intel = !memcmp(&v.ebx, "Genu", 4) && !memcmp(&v.edx, "ineI", 4) &&
		     !memcmp(&v.ecx, "ntel", 4);
	u64 caps = 0;
	char what[48];

	if (v.eax >= 7)
		l7 = cpuid(7, 0);
	if (cpuid(0x80000000, 0).eax >= 0x80000008)
		e8 = cpuid(0x80000008, 0);
	if (l7.edx & L7D_ARCH_CAPS)
		caps = rdmsr(MSR_ARCH_CAPABILITIES);
	active = spec_decide(intel, &l7, &e8, caps);
	spec_describe(active, what, sizeof(what));
	klog("mitigations on a partition switch:%s", what);
}

void spec_switch(void)
{
	/* VERW takes a selector in memory; any valid data selector clears the buffers. */
	static const u16 data_sel = SEL_DATA;

	if (active & SPEC_IBPB)
		wrmsr(MSR_PRED_CMD, CMD_IBPB);
	if (active & SPEC_L1D_FLUSH)
		wrmsr(MSR_FLUSH_CMD, CMD_L1D_FLUSH);
	if (active & SPEC_VERW)
		__asm__ volatile("verw %0" ::"m"(data_sel) : "cc");
}
#endif
