/*
 * Speculative-execution mitigations on a partition switch: what the CPU
 * advertises and needs, decided once at boot (a pure function, tested
 * on the host), and applied each time a CPU goes from one partition's
 * vCPU to another's, as KVM and Xen do between guests:
 *
 * - IBPB (indirect branch prediction barrier): branch targets trained by
 *   one partition do not steer another's speculation (Spectre v2).
 * - L1D flush, where L1TF applies (Intel CPUs without RDCL_NO): the
 *   next partition cannot read the last one's data from the L1 cache
 *   through a non-present guest page-table entry.
 * - VERW, where MDS applies (Intel CPUs without MDS_NO, with MD_CLEAR):
 *   the CPU's fill and store buffers are cleared.
 *
 * cpuid_regs come from CPUID 7.0 and 0x80000008; arch_caps is
 * IA32_ARCH_CAPABILITIES, 0 where the CPU has none.
 */
#ifndef KERNEL_SPEC_H
#define KERNEL_SPEC_H

#include "lib/types.h"
#include "lib/x86.h"

#define SPEC_IBPB (1u << 0)
#define SPEC_L1D_FLUSH (1u << 1)
#define SPEC_VERW (1u << 2)

/* What the CPU needs and can do, from its vendor and feature bits. */
u32 spec_decide(bool intel, const struct cpuid_regs *leaf7, const struct cpuid_regs *ext8,
		u64 arch_caps);
/* "ibpb l1d-flush verw", or "none", into buf. */
void spec_describe(u32 mitigations, char *buf, size_t size);

/* On the boot CPU: read the CPU, decide, print "cloison: mitigations: ...". */
void spec_init(void);
/* A CPU is about to run a vCPU of another partition than it last ran. */
void spec_switch(void);

#endif
