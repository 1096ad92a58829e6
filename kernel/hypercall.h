/*
 * The hypercall handler: a guest's VMCALL or VMMCALL, run on the ABI of
 * kernel/hcabi.h (docs/hypercalls.md), its arguments checked first by
 * kernel/hcargs.c.
 */
#ifndef KERNEL_HYPERCALL_H
#define KERNEL_HYPERCALL_H

#include "kernel/hcabi.h"
#include "lib/types.h"

struct vcpu;

/* Run the hypercall in v's registers; false when the vCPU stopped (EXIT). */
bool hypercall_handle(struct vcpu *v);

#endif
