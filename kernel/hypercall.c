/*
 * Hypercall dispatch.  Only the guest's kernel may call: VMCALL and
 * VMMCALL exit at any privilege level, so a call from CPL 1-3 or from
 * virtual-8086 mode is refused with -1 (EPERM) and does nothing, as KVM
 * refuses it.  The saved registers, the guest's mode and privilege and
 * the partition's RAM size go to hcargs_decode() (kernel/hcargs.c,
 * pure and fuzzed), which cuts them to 32 bits for guests not in 64-bit
 * mode, checks buffers against the partition's RAM (overflow-safe) and
 * refuses what the ABI refuses; only a call it accepts is carried out
 * here.  A buffer is copied once through the partition's SLAT view, and
 * the copy is what gets used.  Results go to RAX (EDX:EAX for 64-bit
 * values of 32-bit guests) as negative errno on failure.
 */
#include "kernel/hypercall.h"
#include "drivers/timer.h"
#include "kernel/cpu.h"
#include "kernel/hcargs.h"
#include "kernel/partition.h"
#include "kernel/platform.h"
#include "kernel/virt.h"
#include "lib/lib.h"
#include "lib/x86.h"

static void set_result(struct vcpu *v, u64 value, bool narrow, bool wide32)
{
	if (!narrow) {
		v->regs.rax = value;
		return;
	}
	v->regs.rax = (u32)value;
	if (wide32)
		v->regs.rdx = value >> 32;
}

/* CONSOLE_WRITE of a buffer hcargs_decode() checked: one copy, then the console. */
static s64 console_write(struct partition *p, u64 gpa, u64 len)
{
	/* lab 6: copy the guest's buffer once, then give it to the partition's console */
	u8 buf[HC_CONSOLE_CHUNK];

	if (guest_read(p, gpa, buf, len) < 0)
		return -EFAULT;
	return (s64)pconsole_write(&p->console, buf, len);
	/* lab 6: end */
}

/* CONSOLE_READ into a buffer hcargs_decode() checked; never waits for input. */
static s64 console_read(struct partition *p, u64 gpa, u64 len)
{
	u8 buf[HC_CONSOLE_CHUNK];
	u64 n = 0;
	int b;

	while (n < len && (b = pconsole_pop_input(&p->console)) >= 0)
		buf[n++] = (u8)b;
	if (!n)
		pconsole_idle(&p->console); /* it waits for input: its prompt shows */
	if (n && guest_write(p, gpa, buf, n) < 0)
		return -EFAULT;
	return (s64)n;
}

/*
 * SET_TIMER with a checked vector (32-255): deadline 0 cancels.  A
 * deadline already past raises the interrupt at once, as a timer set
 * in the past fires at once on hardware.  (A later deadline is checked
 * at the end of each slice, and cuts the next slice short.)
 */
static void set_timer(struct vcpu *v, u64 deadline, u8 vector)
{
	u64 now = time_ns();

	v->timer_deadline = deadline;
	v->timer_vector = vector;
	if (!deadline)
		return;
	if (deadline <= now) {
		v->timer_deadline = 0;
		v->pending_irq = VIRQ_PENDING | vector;
		platform_deliver(v);
	}
}

bool hypercall_handle(struct vcpu *v)
{
	struct partition *p = v->partition;
	struct hc_regs r = {
		.rax = v->regs.rax,
		.rbx = v->regs.rbx,
		.rcx = v->regs.rcx,
		.rdx = v->regs.rdx,
		.mem = p->cfg.mem,
	};
	struct hc_call c;
	s64 ret = 0;
	u32 cpl;

	r.narrow = virt->mode(v, &cpl) != GUEST_LONG64;
	r.unprivileged = cpl != 0; /* virtual-8086 mode included */
	c = hcargs_decode(&r);
	if (c.err) {
		set_result(v, (u64)c.err, r.narrow, false);
		return true;
	}
	switch (c.nr) {
	case HC_CONSOLE_WRITE:
		ret = console_write(p, c.gpa, c.len);
		break;
	case HC_CONSOLE_READ:
		ret = console_read(p, c.gpa, c.len);
		break;
	case HC_YIELD:
		cpu_end_slice();
		break;
	case HC_EXIT:
		partition_exit(p, c.code);
		return false;
	case HC_TIME:
		set_result(v, time_ns(), r.narrow, true);
		return true;
	case HC_SET_TIMER:
		set_timer(v, c.deadline, c.vector);
		break;
	default: /* hcargs_decode() accepts no other number */
		ret = -ENOSYS;
		break;
	}
	set_result(v, (u64)ret, r.narrow, false);
	return true;
}
