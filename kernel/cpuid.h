/*
 * What a partition's CPU looks like (kernel/cpuid.c): the CPUID a guest
 * reads, and the limits that follow from it, decided once at boot from
 * the real CPUID.  A feature hidden here is also refused where a guest
 * could turn it on (CR4, EFER, XCR0), so that a partition never runs
 * with state the hypervisor does not switch.
 */
#ifndef KERNEL_CPUID_H
#define KERNEL_CPUID_H

#include "kernel/cr.h"
#include "kernel/vcpu.h"
#include "lib/x86.h"

struct guest_features {
	u32 va_bits;	  /* linear-address width (48 or 57): what "canonical" means */
	u64 cr4_allowed;  /* CR4 bits a guest may set */
	u64 efer_allowed; /* EFER bits a guest may set (LMA is the CPU's) */
	bool xsave;	  /* XSAVE and XSETBV are offered */
	u64 xcr0_allowed; /* XSAVE components a guest may enable (x87 always) */
	u32 xsave_size;	  /* bytes of a standard-form XSAVE image of all of them */
	u32 basic_max;	  /* the CPU's highest basic leaf (CPUID 0 EAX) */
	u32 ext_max;	  /* its highest extended leaf (CPUID 0x80000000 EAX) */
};
extern struct guest_features guest_features;

/*
 * Decide guest_features from this CPU's CPUID; backend_cr4 is the set of
 * CR4 bits the virtualization backend lets a guest hold (VMX: the fixed-1
 * MSR without VMXE).  Once, on the boot CPU, before any partition.
 */
void cpuid_init(u64 backend_cr4);

/*
 * The basic leaves guest_cpuid_filtered() changes, as a bit mask: 1 and 7
 * (features hidden, OSXSAVE and OSPKE from the guest's CR4) and 0xD (the
 * XSAVE components).  It changes no other leaf up to basic_max.
 */
#define CPUID_FILTERED_BASIC                                                                       \
	((1u << 1) | (1u << 4) | (1u << 6) | (1u << 7) | (1u << 0xa) | (1u << 0xb) | (1u << 0xd) | \
	 (1u << 0x15) | (1u << 0x16) | (1u << 0x1f))

/* Answer v's CPUID (any leaf) in place, filtered; guest_cpuid()'s slow path. */
void guest_cpuid_filtered(struct vcpu *v);

/*
 * Answer v's CPUID in place: RAX holds the leaf and RCX the subleaf;
 * RAX, RBX, RCX and RDX receive the (zero-extended) answer.  A leaf the
 * filter leaves alone is the CPU's own, read here without a call: this is
 * the whole work of most CPUID exits (docs/benchmarks.md).
 */
static inline void guest_cpuid(struct vcpu *v)
{
	u32 leaf = (u32)v->regs.rax;
	struct cpuid_regs r;

	if (leaf > guest_features.basic_max ||
	    (leaf < 32 && ((CPUID_FILTERED_BASIC >> leaf) & 1))) {
		guest_cpuid_filtered(v);
		return;
	}
	r = cpuid(leaf, (u32)v->regs.rcx);
	v->regs.rax = r.eax;
	v->regs.rbx = r.ebx;
	v->regs.rcx = r.ecx;
	v->regs.rdx = r.edx;
}

/* Bytes of a standard-form XSAVE image holding the components of xcr0. */
u32 cpuid_xsave_size(u64 xcr0);

#endif
