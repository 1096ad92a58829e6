/*
 * The vendor-neutral exit record.  A backend turns its own exit code and
 * qualification into one struct vm_exit; exit.c decides what happens.
 * "Vendor code decodes, common code decides."
 */
#ifndef KERNEL_EXIT_H
#define KERNEL_EXIT_H

#include "kernel/cpu.h"
#include "kernel/types.h"
#include "kernel/vcpu.h"
#include "kernel/x86.h"

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
	EXIT_INTR_WINDOW,  /* the guest can take the interrupt it waits for */
	EXIT_ENTRY_FAILED, /* the backend could not enter the guest; already explained */
	EXIT_UNHANDLED,	   /* anything else: raw code and name are set */
	EXIT_KIND_COUNT,
};
_Static_assert(EXIT_KIND_COUNT <= VCPU_EXIT_KINDS, "struct vcpu counts exits by kind");

struct vm_exit {
	enum exit_kind kind;
	u32 insn_len; /* length of the instruction that exited, where known */
	u64 raw_code; /* the vendor's exit code, for reports: virt->exit_name() names it */
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

/*
 * Hand v's pending virtual interrupt to the backend; true once none is
 * left pending (otherwise an EXIT_INTR_WINDOW exit will retry).
 */
bool exit_deliver_pending(struct vcpu *v);

/* The handler of each exit kind (kernel/exit.c), and the default one. */
extern u32 (*const exit_handlers[EXIT_KIND_COUNT])(struct vcpu *, struct vm_exit *);
u32 exit_unhandled(struct vcpu *v, struct vm_exit *e);
/* Stop the machine (panic) if some exit kind has no handler; called once at boot. */
void exit_check_handlers(void);

/* What the backend does once exit_handle() returns: a set of flags. */
#define EXIT_STOP 0u	       /* leave the guest: stopped, crashed, or its slice is over */
#define EXIT_RESUME (1u << 0)  /* enter the guest again at once */
#define EXIT_ADVANCE (1u << 1) /* first step over the instruction: insn_len bytes */
#define EXIT_NEXT (EXIT_RESUME | EXIT_ADVANCE)

/*
 * Handle one exit of v; called by the backend's run loop on the host
 * stack.  The backend applies EXIT_ADVANCE (RIP += e->insn_len, which
 * a handler may correct, and the end of any STI/MOV SS interrupt
 * shadow), then resumes the guest if EXIT_RESUME is set.  EXIT_RESUME is
 * cleared once the slice is over (percpu slice_end).
 * Inline: it is on the path of every exit (docs/benchmarks.md).
 */
static inline u32 exit_handle(struct vcpu *v, struct vm_exit *e)
{
	u32 action;

	if (e->kind >= EXIT_KIND_COUNT) { /* every kind has a handler: exit_check_handlers() */
		v->exits[EXIT_UNHANDLED]++;
		return exit_unhandled(v, e);
	}
	v->exits[e->kind]++;
	action = exit_handlers[e->kind](v, e);
	if (cpu_slice_over())
		action &= ~EXIT_RESUME; /* still step over the instruction */
	return action;
}
const char *exit_kind_name(enum exit_kind k);

#endif
