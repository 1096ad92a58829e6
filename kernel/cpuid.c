/*
 * The CPUID a partition sees: the real values, with the hypervisor bit
 * set, VMX and SVM hidden, the APIC hidden (partitions have none) and
 * MONITOR/MWAIT hidden, plus cloison's own leaves 0x40000000-0x40000001
 * (DESIGN.md, hypercall ABI).  Other 0x400000xx leaves read as zero.
 */
#include "kernel/cpuid.h"
#include "kernel/hypercall.h"
#include "kernel/lib.h"
#include "kernel/x86.h"

#define CPUID1_ECX_MONITOR (1u << 3)
#define CPUID1_ECX_TSC_DEADLINE (1u << 24)

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
	}
	return r;
}

void guest_cpuid(struct guest_regs *g, u32 partition_id)
{
	u32 leaf = (u32)g->rax;
	struct cpuid_regs r;

	if ((leaf & 0xffffff00u) == HV_CPUID_BASE)
		r = hv_leaf(leaf, partition_id);
	else
		r = cpuid(leaf, (u32)g->rcx);
	if (leaf == 1) {
		r.ecx &= ~(CPUID1_ECX_VMX | CPUID1_ECX_X2APIC | CPUID1_ECX_MONITOR |
			   CPUID1_ECX_TSC_DEADLINE);
		r.ecx |= CPUID1_ECX_HYPERVISOR;
		r.edx &= ~CPUID1_EDX_APIC;
		r.ebx &= 0x0000ffffu; /* initial APIC id 0, one logical CPU */
		r.ebx |= 1u << 16;
	} else if (leaf == 0x80000001) {
		r.ecx &= ~CPUID81_ECX_SVM;
	} else if (leaf == 0x8000000a) { /* SVM features: none */
		r = (struct cpuid_regs){ 0, 0, 0, 0 };
	}
	g->rax = r.eax;
	g->rbx = r.ebx;
	g->rcx = r.ecx;
	g->rdx = r.edx;
}
