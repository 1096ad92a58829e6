/*
 * Hypercall dispatch.  Only the guest's kernel may call: VMCALL and
 * VMMCALL exit at any privilege level, so a call from CPL 1-3 or from
 * virtual-8086 mode is refused here with -1 (EPERM) and does nothing,
 * as KVM refuses it.  Arguments are taken from the saved registers,
 * cut to 32 bits for guests not in 64-bit mode, and guest buffers are
 * checked against the partition's RAM (overflow-safe) before a single
 * copy through its SLAT view; the copy is what gets used.  Results go
 * to RAX (EDX:EAX for 64-bit values of 32-bit guests) as negative
 * errno on failure.
 */
#include "kernel/hypercall.h"
#include "drivers/timer.h"
#include "kernel/cpu.h"
#include "kernel/exit.h"
#include "kernel/lib.h"
#include "kernel/partition.h"
#include "kernel/virt.h"
#include "kernel/x86.h"

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

static s64 console_write(struct partition *p, u64 gpa, u64 len)
{
	u8 buf[HC_CONSOLE_CHUNK];

	if (!guest_range_ok(p, gpa, len))
		return -EFAULT;
	len = MIN(len, sizeof(buf));
	if (guest_read(p, gpa, buf, len) < 0)
		return -EFAULT;
	return (s64)pconsole_write(&p->console, buf, len);
}

static s64 console_read(struct partition *p, u64 gpa, u64 len)
{
	u8 buf[HC_CONSOLE_CHUNK];
	u64 n = 0;
	int b;

	if (!guest_range_ok(p, gpa, len))
		return -EFAULT;
	len = MIN(len, sizeof(buf));
	while (n < len && (b = pconsole_pop_input(&p->console)) >= 0)
		buf[n++] = (u8)b;
	if (n && guest_write(p, gpa, buf, n) < 0)
		return -EFAULT;
	return (s64)n;
}

/*
 * SET_TIMER: deadline 0 cancels; vectors 0-31 are exceptions, refused.
 * A deadline already past raises the interrupt at once, as a timer set
 * in the past fires at once on hardware.  (A later deadline is checked
 * at the end of each slice, and cuts the next slice short.)
 */
static s64 set_timer(struct vcpu *v, u64 deadline, u64 vector)
{
	u64 now = time_ns();

	if (vector < 32 || vector > 255)
		return -EINVAL;
	v->timer_deadline = deadline;
	v->timer_vector = (u8)vector;
	if (!deadline)
		return 0;
	if (deadline <= now) {
		v->timer_deadline = 0;
		v->pending_irq = VIRQ_PENDING | (u8)vector;
		exit_deliver_pending(v);
	}
	return 0;
}

bool hypercall_handle(struct vcpu *v)
{
	struct partition *p = v->partition;
	bool narrow = virt_guest_mode(v) != GUEST_LONG64;
	u64 mask = narrow ? 0xffffffffull : ~0ull;
	u64 nr = v->regs.rax & mask, a1 = v->regs.rbx & mask, a2 = v->regs.rcx & mask;
	s64 ret;

	if (virt->get(v, VREG_CPL) != 0 || (virt->get(v, VREG_RFLAGS) & RFLAGS_VM)) {
		set_result(v, (u64)-EPERM, narrow, false);
		return true;
	}
	switch (nr) {
	case HC_CONSOLE_WRITE:
		ret = console_write(p, a1, a2);
		break;
	case HC_CONSOLE_READ:
		ret = console_read(p, a1, a2);
		break;
	case HC_YIELD:
		cpu_end_slice();
		ret = 0;
		break;
	case HC_EXIT:
		partition_exit(p, (int)(s32)a1);
		return false;
	case HC_TIME:
		set_result(v, time_ns(), narrow, true);
		return true;
	case HC_SET_TIMER:
		/* A 64-bit deadline: RBX in 64-bit mode, ECX:EBX otherwise; vector in RDX. */
		ret = set_timer(v, narrow ? (a2 << 32) | a1 : a1, v->regs.rdx & mask);
		break;
	default:
		ret = -ENOSYS;
		break;
	}
	set_result(v, (u64)ret, narrow, false);
	return true;
}
