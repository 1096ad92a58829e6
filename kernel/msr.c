/*
 * The MSRs a partition may use.  Every RDMSR/WRMSR exits; a short safe
 * list is emulated here (mode and segment-base MSRs held in the vendor
 * structure, PAT, a read-only TSC, a few identification MSRs, a
 * microcode revision that reads 0, three AMD configuration MSRs that
 * read as a plain machine (HWCR, NB_CFG, INT_PENDING), and a machine-check architecture
 * with no bank: MCG_CAP and MCG_STATUS read 0, so an OS finds nothing
 * to poll and no error is ever reported), the
 * local APIC's go to kernel/platform.c (IA32_APIC_BASE, the x2APIC
 * range, IA32_TSC_DEADLINE), and everything else raises #GP in the
 * guest, as an absent MSR would.
 *
 * A value is checked before it is stored, as the CPU checks a WRMSR
 * (kernel/cr.h): an address that is not canonical, a PAT entry that is
 * no memory type, a reserved bit, EFER.LME changed under paging.  Such
 * a write gets #GP and changes nothing, on both vendors (AMD ignores the
 * upper half of SYSENTER_EIP/ESP; refusing a non-canonical one is what
 * Intel does and what matters: the value never reaches a VM entry or a
 * host register).
 */
#include "kernel/msr.h"
#include "kernel/cpuid.h"
#include "kernel/cr.h"
#include "kernel/platform.h"
#include "kernel/virt.h"
#include "lib/x86.h"

#define MSR_TSC 0x10
#define MSR_MTRRCAP 0xfe
#define MSR_SYSENTER_CS 0x174
#define MSR_SYSENTER_ESP 0x175
#define MSR_SYSENTER_EIP 0x176
#define MSR_BIOS_SIGN_ID 0x8b /* microcode revision: none */
#define MSR_MCG_CAP 0x179     /* machine-check architecture: no banks, no MCG_CTL */
#define MSR_MCG_STATUS 0x17a  /* nothing ever in progress */
#define MSR_MISC_ENABLE 0x1a0
#define MSR_MTRR_DEF_TYPE 0x2ff
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_CSTAR 0xc0000083
#define MSR_SFMASK 0xc0000084
#define MSR_AMD_INT_PENDING 0xc0010055 /* AMD family 0Fh-10h: C1E on "interrupt pending" */
#define MSR_AMD_HWCR 0xc0010015	       /* AMD hardware configuration */
#define MSR_AMD_NB_CFG 0xc001001f      /* AMD northbridge configuration */
#define HWCR_TSC_FREQ_SEL (1ull << 24) /* the TSC counts at the P0 frequency */
#define CPUID_AMD_EBX 0x68747541u      /* "Auth" of "AuthenticAMD" */

#define MISC_ENABLE_FAST_STRINGS 1ull

/* What a held MSR's value must be. */
enum msr_rule {
	ANY,	   /* every 64-bit value */
	CANONICAL, /* a canonical linear address */
	LOW32,	   /* bits 63:32 reserved */
	PAT,	   /* eight memory types */
};

/* MSRs that live in the vendor structure, by the neutral register name. */
static const struct {
	u32 msr;
	enum vreg reg;
	enum msr_rule rule;
} held[] = {
	{ MSR_SYSENTER_CS, VREG_SYSENTER_CS, LOW32 },
	{ MSR_SYSENTER_ESP, VREG_SYSENTER_ESP, CANONICAL },
	{ MSR_SYSENTER_EIP, VREG_SYSENTER_EIP, CANONICAL },
	{ MSR_STAR, VREG_STAR, ANY },
	{ MSR_LSTAR, VREG_LSTAR, CANONICAL },
	{ MSR_CSTAR, VREG_CSTAR, CANONICAL },
	{ MSR_SFMASK, VREG_SFMASK, LOW32 },
	{ MSR_FS_BASE, VREG_FS_BASE, CANONICAL },
	{ MSR_GS_BASE, VREG_GS_BASE, CANONICAL },
	{ MSR_KERNEL_GS_BASE, VREG_KERNEL_GS_BASE, CANONICAL },
	{ MSR_IA32_PAT, VREG_PAT, PAT },
};

static int find_held(u32 msr)
{
	for (u32 i = 0; i < ARRAY_SIZE(held); i++)
		if (held[i].msr == msr)
			return (int)i;
	return -1;
}

static bool follows(enum msr_rule rule, u64 value)
{
	switch (rule) {
	case CANONICAL:
		return addr_canonical(value, guest_features.va_bits);
	case LOW32:
		return !(value >> 32);
	case PAT:
		return pat_valid(value);
	default:
		return true;
	}
}

int msr_read(struct vcpu *v, u32 msr, u64 *value)
{
	int h = find_held(msr);

	if (h >= 0) {
		*value = virt->get(v, held[h].reg);
		return 0;
	}
	switch (msr) {
	case MSR_EFER:
		*value = virt->get(v, VREG_EFER) & (guest_features.efer_allowed | EFER_LMA);
		return 0;
	case MSR_TSC:
		*value = rdtsc();
		return 0;
	case MSR_MISC_ENABLE:
		*value = MISC_ENABLE_FAST_STRINGS;
		return 0;
	case MSR_MTRRCAP:
	case MSR_MTRR_DEF_TYPE:
		*value = 0; /* no MTRRs: all memory is write-back */
		return 0;
	case MSR_MCG_CAP:
	case MSR_MCG_STATUS:
		*value = 0; /* a machine-check architecture with no error-reporting bank */
		return 0;
	case MSR_BIOS_SIGN_ID:
		*value = 0; /* no microcode update was loaded into this virtual CPU */
		return 0;
	case MSR_AMD_INT_PENDING:
	case MSR_AMD_NB_CFG:
	case MSR_AMD_HWCR:
		if (cpuid(0, 0).ebx != CPUID_AMD_EBX)
			return -EPERM;
		/*
		 * No C1E (Linux's idle loop for AMD erratum 400 reads INT_PENDING);
		 * no northbridge option on (Linux sets the extended PCI configuration
		 * bit in NB_CFG, which no device here has); HWCR says the TSC counts
		 * at a fixed rate (Linux reads it at boot and warns otherwise).
		 */
		*value = msr == MSR_AMD_HWCR ? HWCR_TSC_FREQ_SEL : 0;
		return 0;
	default:
		if (platform_owns_msr(msr))
			return platform_msr_read(v, msr, value) < 0 ? -EPERM : 0;
		return -EPERM;
	}
}

/* EFER: the allowed bits only, LME never under paging; LMA stays the CPU's. */
static int write_efer(struct vcpu *v, u64 value)
{
	struct cr_state s = {
		.cr0 = virt->get(v, VREG_CR0),
		.efer = virt->get(v, VREG_EFER),
	};

	if (!efer_valid(&s, value, guest_features.efer_allowed))
		return -EPERM;
	virt->set(v, VREG_EFER, (value & ~EFER_LMA) | (s.efer & EFER_LMA));
	return 0;
}

int msr_write(struct vcpu *v, u32 msr, u64 value)
{
	int h = find_held(msr);

	if (h >= 0) {
		if (!follows(held[h].rule, value))
			return -EPERM;
		virt->set(v, held[h].reg, value);
		return 0;
	}
	switch (msr) {
	case MSR_EFER:
		return write_efer(v, value);
	case MSR_MTRR_DEF_TYPE:
	case MSR_MCG_STATUS:
		return value == 0 ? 0 : -EPERM;
	case MSR_BIOS_SIGN_ID:
		return 0; /* the write that asks for the revision to be latched: nothing to do */
	case MSR_AMD_NB_CFG:
		/* Taken and forgotten, on AMD: its options concern hardware the partition lacks. */
		return cpuid(0, 0).ebx == CPUID_AMD_EBX ? 0 : -EPERM;
	default:
		if (platform_owns_msr(msr))
			return platform_msr_write(v, msr, value) < 0 ? -EPERM : 0;
		return -EPERM;
	}
}
