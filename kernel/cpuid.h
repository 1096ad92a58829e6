/*
 * Guest CPUID filtering (kernel/cpuid.c).
 */
#ifndef KERNEL_CPUID_H
#define KERNEL_CPUID_H

#include "kernel/x86.h"

struct cpuid_regs guest_cpuid(u32 leaf, u32 subleaf, u32 partition_id);

#endif
