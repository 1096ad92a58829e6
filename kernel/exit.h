/*
 * The vendor-neutral exit record.  A backend turns its own exit code and
 * qualification into one struct vm_exit; exit.c decides what happens.
 * "Vendor code decodes, common code decides."
 */
#ifndef KERNEL_EXIT_H
#define KERNEL_EXIT_H

#include "kernel/types.h"

struct vcpu;

enum exit_kind {
	EXIT_CPUID,
	EXIT_HLT,
	EXIT_IO,	     /* io.* valid */
	EXIT_MSR_READ,	     /* msr valid */
	EXIT_MSR_WRITE,	     /* msr valid; value in EDX:EAX */
	EXIT_HYPERCALL,	     /* VMCALL or VMMCALL */
	EXIT_SLAT_VIOLATION, /* slat.* valid */
	EXIT_EXCEPTION,	     /* exc.* valid: an intercepted guest exception */
	EXIT_TRIPLE_FAULT,
	EXIT_INTERRUPT, /* a host interrupt arrived while the guest ran */
	EXIT_VIRT_INSN, /* the guest used a VMX/SVM instruction */
	EXIT_INVD,
	EXIT_ENTRY_FAILED, /* the backend could not enter the guest; already explained */
	EXIT_UNHANDLED,	   /* anything else: raw code and name are set */
	EXIT_KIND_COUNT,
};

struct vm_exit {
	enum exit_kind kind;
	u32 insn_len; /* length of the instruction that exited, where known */
	u64 raw_code; /* the vendor's exit code, for reports */
	const char *raw_name;
	union {
		struct {
			u16 port;
			u8 size; /* 1, 2 or 4 */
			bool in;
			bool string; /* INS/OUTS */
			bool rep;
		} io;
		u32 msr;
		struct {
			u64 gpa;
			bool read, write, fetch;
		} slat;
		struct {
			u8 vector;
			bool has_error;
			u32 error;
		} exc;
	};
};

/* Handle one exit of v; returns false when the vCPU must not run again. */
bool exit_handle(struct vcpu *v, const struct vm_exit *e);
const char *exit_kind_name(enum exit_kind k);

#endif
