/*
 * The MSRs a partition may use.  Every RDMSR/WRMSR exits; a short safe
 * list is emulated here (mode and segment-base MSRs held in the vendor
 * structure, PAT, a read-only TSC and a few identification MSRs) and
 * everything else raises #GP in the guest, as an absent MSR would.
 */
#include "kernel/msr.h"
#include "kernel/virt.h"
#include "kernel/x86.h"

#define MSR_TSC 0x10
#define MSR_MTRRCAP 0xfe
#define MSR_SYSENTER_CS 0x174
#define MSR_SYSENTER_ESP 0x175
#define MSR_SYSENTER_EIP 0x176
#define MSR_MISC_ENABLE 0x1a0
#define MSR_MTRR_DEF_TYPE 0x2ff
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_CSTAR 0xc0000083
#define MSR_SFMASK 0xc0000084

#define EFER_GUEST_BITS (EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE)
#define MISC_ENABLE_FAST_STRINGS 1ull

/* MSRs that live in the vendor structure, by the neutral register name. */
static const struct {
	u32 msr;
	enum vreg reg;
} held[] = {
	{ MSR_SYSENTER_CS, VREG_SYSENTER_CS },
	{ MSR_SYSENTER_ESP, VREG_SYSENTER_ESP },
	{ MSR_SYSENTER_EIP, VREG_SYSENTER_EIP },
	{ MSR_STAR, VREG_STAR },
	{ MSR_LSTAR, VREG_LSTAR },
	{ MSR_CSTAR, VREG_CSTAR },
	{ MSR_SFMASK, VREG_SFMASK },
	{ MSR_FS_BASE, VREG_FS_BASE },
	{ MSR_GS_BASE, VREG_GS_BASE },
	{ MSR_KERNEL_GS_BASE, VREG_KERNEL_GS_BASE },
	{ MSR_IA32_PAT, VREG_PAT },
};

static int find_held(u32 msr)
{
	for (u32 i = 0; i < ARRAY_SIZE(held); i++)
		if (held[i].msr == msr)
			return (int)i;
	return -1;
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
		*value = virt->get(v, VREG_EFER) & EFER_GUEST_BITS;
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
	default:
		return -EPERM;
	}
}

int msr_write(struct vcpu *v, u32 msr, u64 value)
{
	int h = find_held(msr);

	if (h >= 0) {
		virt->set(v, held[h].reg, value);
		return 0;
	}
	switch (msr) {
	case MSR_EFER:
		if (value & ~EFER_GUEST_BITS)
			return -EPERM;
		/* LMA is the CPU's to set; keep the current value. */
		value = (value & ~EFER_LMA) | (virt->get(v, VREG_EFER) & EFER_LMA);
		virt->set(v, VREG_EFER, value);
		return 0;
	case MSR_MTRR_DEF_TYPE:
		return value == 0 ? 0 : -EPERM;
	default:
		return -EPERM;
	}
}
