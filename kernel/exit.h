/*
 * The exit path's entry: exit_handle(), which a backend calls with each
 * exit it decoded into a struct vm_exit (kernel/vmexit.h), and the
 * handler of each kind of exit, in exit.c.  "Vendor code decodes, common
 * code decides."
 */
#ifndef KERNEL_EXIT_H
#define KERNEL_EXIT_H

#include "kernel/cpu.h"
#include "kernel/cpuid.h"
#include "kernel/vcpu.h"
#include "kernel/virt.h"
#include "kernel/vmexit.h"
#include "lib/types.h"
#include "lib/x86.h"

/*
 * The handler of each exit kind (kernel/exit.c), and the default one;
 * EXIT_CPUID has none: exit_handle() answers it.
 */
extern u32 (*const exit_handlers[EXIT_KIND_COUNT])(struct vcpu *, struct vm_exit *);
u32 exit_unhandled(struct vcpu *v, struct vm_exit *e);
/* Stop the machine (panic) if some exit kind but CPUID has no handler; called once at boot. */
void exit_check_handlers(void);

/*
 * Handle one exit of v; called by the backend's run loop on the host
 * stack.  The backend applies EXIT_ADVANCE (RIP += e->insn_len, which
 * a handler may correct, and the end of any STI/MOV SS interrupt
 * shadow), then resumes the guest if EXIT_RESUME is set.  EXIT_RESUME is
 * cleared once the slice is over (percpu slice_end).
 * Inline: it is on the path of every exit (docs/benchmarks.md).
 */
static ALWAYS_INLINE u32 exit_handle(struct vcpu *v, struct vm_exit *e)
{
	u32 action;

	if (e->kind >= EXIT_KIND_COUNT) { /* every kind has a handler: exit_check_handlers() */
		v->exits[EXIT_UNHANDLED]++;
		return exit_unhandled(v, e);
	}
	v->exits[e->kind]++;
	if (e->kind == EXIT_CPUID) {
		/* Here, not through a call: the commonest exit while a guest boots. */
		guest_cpuid(v);
		action = EXIT_NEXT;
	} else {
		action = exit_handlers[e->kind](v, e);
	}
	if (cpu_slice_over())
		action &= ~EXIT_RESUME; /* still step over the instruction */
	return action;
}
const char *exit_kind_name(enum exit_kind k);

/*
 * RIP after an instruction of len bytes at rip: the instruction pointer
 * wraps as the code's size says, at 64 KiB for 16-bit code and at 4 GiB
 * outside 64-bit mode (a VM entry refuses a RIP above 4 GiB there).  The
 * mode is looked up only when a 64 KiB line is crossed, which is rare.
 */
static inline u64 exit_next_rip(struct vcpu *v, u64 rip, u32 len)
{
	u64 next = rip + len;

	if (!((rip ^ next) >> 16))
		return next;
	switch (virt_guest_mode(v)) {
	case GUEST_LONG64:
		return next;
	case GUEST_PROTECTED32:
		return (u32)next;
	default:
		return next & 0xffff;
	}
}

#endif
