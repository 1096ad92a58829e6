/*
 * Hypercall arguments: what a guest's registers ask for, decided before
 * anything is done (docs/hypercalls.md).  The registers are the guest's
 * to set, so this is input from outside the hypervisor: the call number,
 * the buffer of CONSOLE_WRITE and CONSOLE_READ, the deadline and vector
 * of SET_TIMER, the code of EXIT.  Pure: the caller passes the saved
 * registers, the guest's mode and privilege and the partition's RAM
 * size; kernel/hypercall.c then carries out what comes back, and
 * tests/fuzz/fuzz_hypercall.c feeds it arbitrary values.
 */
#ifndef KERNEL_HCARGS_H
#define KERNEL_HCARGS_H

#include "lib/types.h"

/* What the caller knows when a guest makes a hypercall. */
struct hc_regs {
	u64 rax, rbx, rcx, rdx; /* as the guest left them, all 64 bits */
	bool narrow;		/* not in 64-bit mode: only the low 32 bits count */
	bool unprivileged;	/* CPL 1-3 or virtual-8086 mode */
	u64 mem;		/* the partition's RAM is [0, mem) */
};

/*
 * A decoded call.  When err is not 0 the call does nothing but return
 * err; otherwise the fields that belong to nr are valid.
 */
struct hc_call {
	u64 nr;	 /* the call number, cut to 32 bits when narrow */
	s64 err; /* 0, or -EPERM, -ENOSYS, -EFAULT, -EINVAL */
	/* CONSOLE_WRITE, CONSOLE_READ: [gpa, gpa + len) lies in RAM, len <= HC_CONSOLE_CHUNK. */
	u64 gpa, len;
	u64 deadline; /* SET_TIMER: ns on the TIME clock, 0 cancels */
	u8 vector;    /* SET_TIMER: 32-255 */
	s32 code;     /* EXIT */
};

/* Decode and check the call in r; never touches guest memory. */
struct hc_call hcargs_decode(const struct hc_regs *r);

#endif
