/*
 * The CPU a partition sees.  CPUID is the real one with the hypervisor
 * bit set and these hidden: VMX and SVM (no nested virtualization),
 * MONITOR/MWAIT, RDTSCP and RDPID, the speculation-control MSRs
 * (IA32_SPEC_CTRL, PRED_CMD, FLUSH_CMD, ARCH_CAPABILITIES: not emulated) (IA32_TSC_AUX is not
 * switched), the performance and debug-store features whose MSRs are not emulated, SMX, and every
 * feature whose register state cloison does not switch between partitions (MPX, AMX, CET, PKS,
 * XSAVES, user wait).  The local APIC, x2APIC and TSC deadline are offered: they are the
 * partition's own (kernel/platform.c).  The topology is the partition's: vCPU i has APIC id i, each
 * vCPU is one core of one package (leaves 1, 4, 0x80000008), and the host's topology leaves (0xB,
 * 0x1F, 0x8000001E) read zero.  Leaf 6 offers only ARAT (the APIC timer runs in every C-state),
 * leaf 0xA no performance counters, and leaves 0x15 and 0x16, where the CPU has them, give the
 * TSC's frequency in terms of the local APIC timer's (GUEST_APIC_TIMER_HZ), as does cloison's
 * leaf 0x40000010.  Leaf 0x80000007 says the TSC is invariant: cloison measures its rate once and
 * relies on that itself.  OSXSAVE and OSPKE follow the guest's own CR4, and leaf 0xD describes
 * exactly the XSAVE components a guest may enable.  cloison's own leaves 0x40000000-0x40000001 (the
 * hypercall ABI) and 0x40000010 (the frequencies) are added; other 0x400000xx leaves read as zero,
 * and so does every leaf the CPU does not have (above its highest basic or extended leaf, or in
 * another range): Intel would answer those with its highest basic leaf, unfiltered, and where that
 * is leaf 7 or 0xD the filters above would be bypassed.
 *
 * cpuid_init() derives from the same filtered view what a guest may put
 * in CR4, EFER and XCR0 (guest_features), for the checks of kernel/cr.c
 * and kernel/xstate.c.
 */
#include "kernel/cpuid.h"
#include "drivers/timer.h"
#include "kernel/cr.h"
#include "kernel/hcabi.h"
#include "kernel/partition.h"
#include "kernel/virt.h"
#include "kernel/xstate.h"
#include "lib/lib.h"
#include "lib/x86.h"
#include "vdev/layout.h"

/* Leaf 1 ECX. */
#define L1C_DTES64 (1u << 2)
#define L1C_MONITOR (1u << 3)
#define L1C_DS_CPL (1u << 4)
#define L1C_SMX (1u << 6)
#define L1C_EST (1u << 7)
#define L1C_TM2 (1u << 8)
#define L1C_XTPR (1u << 14)
#define L1C_PDCM (1u << 15)
#define L1C_PCID (1u << 17)
#define L1C_TSC_DEADLINE (1u << 24)
#define L1C_XSAVE (1u << 26)
#define L1C_OSXSAVE (1u << 27)
#define L1C_AVX (1u << 28)
/* Leaf 1 EDX. */
#define L1D_VME (1u << 1)
#define L1D_DE (1u << 2)
#define L1D_PSE (1u << 3)
#define L1D_PAE (1u << 6)
#define L1D_MCE (1u << 7)
#define L1D_PGE (1u << 13)
#define L1D_DS (1u << 21)
#define L1D_ACPI (1u << 22)
#define L1D_FXSR (1u << 24)
#define L1D_SSE (1u << 25)
#define L1D_HTT (1u << 28)
#define L1D_TM (1u << 29)
#define L1D_PBE (1u << 31)
/* Leaf 6 EAX. */
#define L6A_ARAT (1u << 2)
/*
 * Leaf 0x80000001 ECX: only instruction-set bits (APM Vol. 3 appendix E):
 * LAHF/SAHF in 64-bit mode (0), LZCNT (5), SSE4A (6), misaligned SSE (7),
 * PREFETCHW (8), XOP (11), FMA4 (16), TBM (21).  The rest name hardware
 * the partition does not get: SVM, the extended APIC space, LOCK MOV CR0
 * as CR8, OS visible workarounds (their MSRs), IBS, SKINIT, the watchdog,
 * LWP, the topology and its extension, the extra performance counters,
 * data breakpoint masks, MONITORX/MWAITX.
 */
#define L81C_GUEST 0x002109e1u
#define L81D_RDTSCP (1u << 27)
/* Leaf 0x80000008 EBX: IBPB, IBRS, STIBP and their kin, SSBD, VIRT_SSBD: MSRs not offered. */
#define L88B_SPEC_MSRS 0x030fd000u
/* Leaf 0x80000007 EDX. */
#define L87D_INVARIANT_TSC (1u << 8)
/* Leaf 7 subleaf 0 EBX, ECX, EDX. */
#define L7C_RDPID (1u << 22)
/* IBRS/IBPB, STIBP, L1D_FLUSH, ARCH_CAPABILITIES, CORE_CAPABILITIES, SSBD: MSRs not offered. */
#define L7D_SPEC_MSRS 0xfc000000u
#define L7B_FSGSBASE (1u << 0)
#define L7B_TSC_ADJUST (1u << 1) /* IA32_TSC_ADJUST would move the host's TSC: not offered */
#define L7B_SGX (1u << 2)
#define L7B_SMEP (1u << 7)
#define L7B_MPX (1u << 14)
#define L7B_AVX512F (1u << 16)
#define L7B_SMAP (1u << 20)
#define L7C_UMIP (1u << 2)
#define L7C_PKU (1u << 3)
#define L7C_OSPKE (1u << 4)
#define L7C_WAITPKG (1u << 5)
#define L7C_CET_SS (1u << 7)
#define L7C_LA57 (1u << 16)
#define L7C_SGX_LC (1u << 30)
#define L7C_PKS (1u << 31)
#define L7D_CET_IBT (1u << 20)
#define L7D_AMX_BF16 (1u << 22)
#define L7D_AMX_TILE (1u << 24)
#define L7D_AMX_INT8 (1u << 25)
/* Leaf 0xD subleaf 1 EAX: the XSAVE variants a guest may use. */
#define LDS1A_GUEST 0x7u /* XSAVEOPT, XSAVEC, XGETBV with ECX = 1; not XSAVES nor XFD */
#define LDS1A_XSAVEC (1u << 1)
#define LDSI_C_ALIGN64                                                                             \
	(1u << 1) /* leaf 0xD subleaf i >= 2, ECX: 64-byte aligned when compacted                  \
		   */
/* Leaf 0x80000001 EDX, leaf 0x80000008 EAX. */
#define L81D_SYSCALL (1u << 11)

/* XSAVE components a partition may be offered, when the CPU has them. */
#define XFEATURES_GUEST                                                                            \
	(XFEATURE_X87 | XFEATURE_SSE | XFEATURE_AVX | XFEATURE_AVX512 | XFEATURE_PKRU)

struct guest_features guest_features;

/* Leaves 1 and 7 as every partition sees them, but for OSXSAVE and OSPKE. */
static struct cpuid_regs leaf1, leaf7;

/* The filters, shared by cpuid_init() and guest_cpuid_filtered(). */
static void filter_leaf1(struct cpuid_regs *r)
{
	r->ecx &= ~(CPUID1_ECX_VMX | L1C_MONITOR | L1C_DTES64 | L1C_DS_CPL | L1C_SMX | L1C_EST |
		    L1C_TM2 | L1C_XTPR | L1C_PDCM | L1C_OSXSAVE);
	r->ecx |= CPUID1_ECX_X2APIC | L1C_TSC_DEADLINE; /* the partition's own local APIC */
	if (!guest_features.xsave)
		r->ecx &= ~(L1C_XSAVE | L1C_AVX);
	else if (!(guest_features.xcr0_allowed & XFEATURE_AVX))
		r->ecx &= ~L1C_AVX;
	r->ecx |= CPUID1_ECX_HYPERVISOR;
	r->edx &= ~(L1D_DS | L1D_ACPI | L1D_TM | L1D_PBE | L1D_HTT);
	r->edx |= CPUID1_EDX_APIC;
	r->ebx &= 0x0000ffffu; /* initial APIC id 0, one logical CPU */
	r->ebx |= 1u << 16;
}

static void filter_leaf7(struct cpuid_regs *r)
{
	r->ebx &= ~(L7B_TSC_ADJUST | L7B_SGX | L7B_MPX);
	if (!(guest_features.xcr0_allowed & XFEATURE_AVX512))
		r->ebx &= ~0xdc230000u; /* AVX-512 F, DQ, IFMA, PF, ER, CD, BW, VL */
	r->ecx &= ~(L7C_OSPKE | L7C_WAITPKG | L7C_CET_SS | L7C_SGX_LC | L7C_PKS | L7C_RDPID);
	if (!(guest_features.xcr0_allowed & XFEATURE_PKRU))
		r->ecx &= ~L7C_PKU;
	r->edx &= ~(L7D_CET_IBT | L7D_AMX_BF16 | L7D_AMX_TILE | L7D_AMX_INT8 | L7D_SPEC_MSRS);
}

u32 cpuid_xsave_size(u64 xcr0)
{
	u32 size = 512 + 64; /* legacy region and XSAVE header */

	for (u32 i = 2; i < 64; i++) {
		if (xcr0 & (1ull << i)) {
			struct cpuid_regs c = cpuid(0xd, i);
			size = MAX(size, c.ebx + c.eax); /* offset + size */
		}
	}
	return size;
}

/*
 * Bytes of a compacted XSAVE image (XSAVEC) holding the components of
 * xcr0: the legacy region and header, then each component in order, on
 * a 64-byte boundary where CPUID 0xD says it needs one (SDM 1 §13.4.3).
 */
static u32 xsave_compacted_size(u64 xcr0)
{
	u32 size = 512 + 64;

	for (u32 i = 2; i < 64; i++) {
		if (xcr0 & (1ull << i)) {
			struct cpuid_regs c = cpuid(0xd, i);
			if (c.ecx & LDSI_C_ALIGN64)
				size = (u32)ALIGN_UP(size, 64);
			size += c.eax;
		}
	}
	return size;
}

/* The XSAVE components to offer: those the CPU has, that cloison switches, that fit a frame. */
static u64 xcr0_offer(void)
{
	struct cpuid_regs d = cpuid(0xd, 0);
	u64 offer = (((u64)d.edx << 32) | d.eax) & XFEATURES_GUEST;

	if ((offer & XFEATURE_AVX512) != XFEATURE_AVX512)
		offer &= ~XFEATURE_AVX512; /* all three or none */
	if (!(offer & XFEATURE_AVX))
		offer &= ~XFEATURE_AVX512;
	if (!(offer & XFEATURE_SSE))
		offer &= ~(XFEATURE_AVX | XFEATURE_AVX512);
	if (cpuid_xsave_size(offer) > 4096) /* one frame per vCPU (kernel/xstate.c) */
		offer &= ~XFEATURE_AVX512;
	return offer | XFEATURE_X87;
}

void cpuid_init(u64 backend_cr4)
{
	struct cpuid_regs ext = cpuid(0x80000000, 0), e1 = { 0, 0, 0, 0 };
	u64 cr4 = CR4_TSD | CR4_PSE | CR4_PAE | CR4_PGE | CR4_PCE;
	u32 max = cpuid(0, 0).eax;

	guest_features.basic_max = max;
	guest_features.ext_max = ext.eax >= 0x80000000u ? ext.eax : 0; /* else no extended leaf */
	guest_features.va_bits = 48;
	if (ext.eax >= 0x80000008) {
		u32 bits = (cpuid(0x80000008, 0).eax >> 8) & 0xff;
		if (bits == 48 || bits == 57)
			guest_features.va_bits = bits;
	}
	if (ext.eax >= 0x80000001)
		e1 = cpuid(0x80000001, 0);
	leaf1 = cpuid(1, 0);
	guest_features.xsave = (leaf1.ecx & L1C_XSAVE) && max >= 0xd;
	guest_features.xcr0_allowed = guest_features.xsave ? xcr0_offer() : 0;
	guest_features.xsave_size =
		guest_features.xsave ? cpuid_xsave_size(guest_features.xcr0_allowed) : 512;
	filter_leaf1(&leaf1);
	if (max >= 7) {
		leaf7 = cpuid(7, 0);
		filter_leaf7(&leaf7);
	}

	/* CR4: the bits whose features the filtered CPUID announces (SDM 3A §2.5). */
	if (leaf1.edx & L1D_VME)
		cr4 |= CR4_VME | CR4_PVI;
	if (leaf1.edx & L1D_DE)
		cr4 |= CR4_DE;
	if (leaf1.edx & L1D_MCE)
		cr4 |= CR4_MCE;
	if (leaf1.edx & (L1D_FXSR | L1D_SSE))
		cr4 |= CR4_OSFXSR | CR4_OSXMMEXCPT;
	if (leaf1.ecx & L1C_PCID)
		cr4 |= CR4_PCIDE;
	if (leaf1.ecx & L1C_XSAVE)
		cr4 |= CR4_OSXSAVE;
	if (leaf7.ebx & L7B_FSGSBASE)
		cr4 |= CR4_FSGSBASE;
	if (leaf7.ebx & L7B_SMEP)
		cr4 |= CR4_SMEP;
	if (leaf7.ebx & L7B_SMAP)
		cr4 |= CR4_SMAP;
	if (leaf7.ecx & L7C_UMIP)
		cr4 |= CR4_UMIP;
	if (leaf7.ecx & L7C_PKU)
		cr4 |= CR4_PKE;
	if (leaf7.ecx & L7C_LA57)
		cr4 |= CR4_LA57;
	guest_features.cr4_allowed = cr4 & backend_cr4 & ~(u64)(CR4_VMXE | CR4_SMXE);

	guest_features.efer_allowed = EFER_LME | ((e1.edx & L81D_SYSCALL) ? EFER_SCE : 0) |
				      ((e1.edx & CPUID81_EDX_NX) ? EFER_NXE : 0);
}

/* cloison's own leaves; the rest of the 0x400000xx range reads as zero. */
static NOINLINE struct cpuid_regs hv_leaf(u32 leaf, u32 partition_id)
{
	struct cpuid_regs r = { 0, 0, 0, 0 };

	if (leaf == HV_CPUID_BASE) {
		r.eax = HV_CPUID_MAX;
		memcpy(&r.ebx, HV_SIGNATURE, 4);
		memcpy(&r.ecx, HV_SIGNATURE + 4, 4);
		memcpy(&r.edx, HV_SIGNATURE + 8, 4);
	} else if (leaf == HV_CPUID_INFO) {
		r.eax = HV_ABI_VERSION;
		r.ebx = partition_id;
	} else if (leaf == HV_CPUID_TIMING) {
		r.eax = (u32)(tsc_hz / 1000);		   /* TSC, kHz */
		r.ebx = (u32)(GUEST_APIC_TIMER_HZ / 1000); /* local APIC timer, kHz */
	}
	return r;
}

/* Leaf 0xD: the components a guest may enable, sized for its own XCR0. */
static NOINLINE struct cpuid_regs xsave_leaf(struct vcpu *v, u32 subleaf)
{
	u64 allowed = guest_features.xcr0_allowed;
	struct cpuid_regs r = { 0, 0, 0, 0 };

	if (!guest_features.xsave)
		return r;
	if (subleaf == 0) {
		r.eax = (u32)allowed;
		r.edx = (u32)(allowed >> 32);
		r.ebx = cpuid_xsave_size(xstate_xcr0(v));
		r.ecx = guest_features.xsave_size;
	} else if (subleaf == 1) {
		r.eax = cpuid(0xd, 1).eax & LDS1A_GUEST;
		/* With XSAVEC: the compacted size of what XCR0 enables (IA32_XSS is 0). */
		if (r.eax & LDS1A_XSAVEC)
			r.ebx = xsave_compacted_size(xstate_xcr0(v));
	} else if (subleaf < 64 && (allowed & (1ull << subleaf))) {
		r = cpuid(0xd, subleaf);
	}
	return r;
}

/* Leaves 1 and 7, with OSXSAVE and OSPKE from the guest's own CR4. */
static NOINLINE struct cpuid_regs feature_leaf(struct vcpu *v, u32 leaf, u32 subleaf)
{
	struct cpuid_regs r;
	u64 cr4 = virt->get(v, VREG_CR4);

	if (leaf == 1) {
		u32 n = v->partition->nvcpus;

		r = leaf1;
		/* Brand, CLFLUSH size; logical CPUs in the package; initial APIC id. */
		r.ebx = (cpuid(1, 0).ebx & 0x0000ffffu) | (n << 16) | (v->index << 24);
		if (n > 1)
			r.edx |= L1D_HTT; /* EBX[23:16] is valid */
		if (cr4 & CR4_OSXSAVE)
			r.ecx |= L1C_OSXSAVE;
	} else if (subleaf == 0) {
		r = leaf7;
		if (cr4 & CR4_PKE)
			r.ecx |= L7C_OSPKE;
	} else {
		r = cpuid(7, subleaf);
		r.eax = r.ebx = r.ecx = r.edx = 0; /* no feature of subleaf 1 and on is offered */
	}
	return r;
}

/*
 * Leaf 0x15's denominator: as large as it may be while crystal kHz x
 * numerator stays below 2^32, which Linux computes in 32 bits.
 */
static u32 tsc_ratio_denominator(void)
{
	return (u32)MIN(1000000ull, 0xffffffffull * 1000 / tsc_hz);
}

/*
 * The leaves that describe the partition's machine rather than the CPU:
 * topology, power management, performance counters, frequencies.
 */
static NOINLINE struct cpuid_regs platform_leaf(struct vcpu *v, u32 leaf, u32 subleaf)
{
	struct cpuid_regs r = cpuid(leaf, subleaf);
	u32 n = v->partition->nvcpus;

	switch (leaf) {
	case 4: /* caches: shared by no other vCPU; n cores in the package */
		if (r.eax & 0x1f)
			r.eax = (r.eax & 0x3fffu) | ((n - 1) << 26);
		break;
	case 6: /* thermal and power: the APIC timer always runs, nothing else */
		r = (struct cpuid_regs){ L6A_ARAT, 0, 0, 0 };
		break;
	case 0xa:	 /* performance counters: none (their MSRs raise #GP) */
	case 0xb:	 /* the host's x2APIC topology */
	case 0x1f:	 /* the same, extended */
	case 0x8000001e: /* AMD's extended APIC id and core topology */
	case 0x8000001f: /* AMD's memory encryption */
		r = (struct cpuid_regs){ 0, 0, 0, 0 };
		break;
	case 0x15: /* TSC = timer crystal * EBX / EAX; ECX: the crystal (the APIC timer) */
		r.eax = tsc_ratio_denominator();
		r.ebx = (u32)mul_div_u64(tsc_hz, r.eax, GUEST_APIC_TIMER_HZ);
		r.ecx = (u32)GUEST_APIC_TIMER_HZ;
		r.edx = 0;
		break;
	case 0x16: /* base and maximum MHz, bus MHz */
		r.eax = r.ebx = (u32)(tsc_hz / 1000000);
		r.ecx = (u32)(GUEST_APIC_TIMER_HZ / 1000000);
		r.edx = 0;
		break;
	case 0x80000007: /* the TSC is invariant: cloison itself relies on that */
		r.edx |= L87D_INVARIANT_TSC;
		break;
	case 0x80000008: /* n cores; APIC ids sized from that; no speculation-control MSRs */
		r.ecx = n - 1;
		r.ebx &= ~L88B_SPEC_MSRS;
		break;
	default:
		break;
	}
	return r;
}

/* A leaf the CPU has: up to its highest basic leaf, or in its extended range. */
static bool leaf_exists(u32 leaf)
{
	return leaf <= guest_features.basic_max ||
	       (leaf >= 0x80000000u && leaf <= guest_features.ext_max);
}

void guest_cpuid_filtered(struct vcpu *v)
{
	/* lab 5: the CPUID a guest sees: the leaf the guest asked for, filtered */
	struct guest_regs *g = &v->regs;
	u32 leaf = (u32)g->rax, subleaf = (u32)g->rcx;
	struct cpuid_regs r;

	if ((leaf & 0xffffff00u) == HV_CPUID_BASE)
		r = hv_leaf(leaf, v->partition->id);
	else if (!leaf_exists(leaf))
		r = (struct cpuid_regs){ 0, 0, 0, 0 };
	else if (leaf == 1 || leaf == 7)
		r = feature_leaf(v, leaf, subleaf);
	else if (leaf == 0xd)
		r = xsave_leaf(v, subleaf);
	else
		r = platform_leaf(v, leaf, subleaf);
	if (leaf == 0x80000001) {
		r.ecx &= L81C_GUEST;
		r.edx &= ~L81D_RDTSCP;	 /* IA32_TSC_AUX is the host's: not offered */
	} else if (leaf == 0x8000000a) { /* SVM features: none */
		r = (struct cpuid_regs){ 0, 0, 0, 0 };
	}
	g->rax = r.eax;
	g->rbx = r.ebx;
	g->rcx = r.ecx;
	g->rdx = r.edx;
	/* lab 5: end */
}
