/*
 * Guest MSR policy (kernel/msr.c).  Both return 0, or -EPERM when the
 * guest must get #GP.
 */
#ifndef KERNEL_MSR_H
#define KERNEL_MSR_H

#include "lib/types.h"

struct vcpu;

int msr_read(struct vcpu *v, u32 msr, u64 *value);
int msr_write(struct vcpu *v, u32 msr, u64 value);

#endif
