/*
 * Guest CPUID filtering (kernel/cpuid.c).
 */
#ifndef KERNEL_CPUID_H
#define KERNEL_CPUID_H

#include "kernel/vcpu.h"
#include "kernel/x86.h"

/*
 * Answer a partition's CPUID in place: RAX holds the leaf and RCX the
 * subleaf; RAX, RBX, RCX and RDX receive the (zero-extended) answer.
 */
void guest_cpuid(struct guest_regs *r, u32 partition_id);

#endif
