/*
 * The common exit handler: all policy for what a partition may do.
 * One handler per exit kind in a table; the honest default for anything
 * unexpected dumps the exit and the guest registers and stops that
 * partition alone.  Handlers return what the backend does next
 * (kernel/exit.h): step over the instruction and resume (EXIT_NEXT),
 * resume at the same instruction (EXIT_RESUME, e.g. to deliver an
 * exception), or stop (EXIT_STOP: the partition exited or crashed).
 */
#include "kernel/exit.h"
#include "kernel/console.h"
#include "kernel/cpu.h"
#include "kernel/cpuid.h"
#include "kernel/format.h"
#include "kernel/hypercall.h"
#include "kernel/msr.h"
#include "kernel/panic.h"
#include "kernel/partition.h"
#include "kernel/trap.h"
#include "kernel/virt.h"
#include "kernel/x86.h"

#define PORT_EXIT 0xf4 /* like QEMU's isa-debug-exit */

static const char *const kind_names[EXIT_KIND_COUNT] = {
	[EXIT_CPUID] = "cpuid",
	[EXIT_HLT] = "hlt",
	[EXIT_IO] = "io",
	[EXIT_MSR_READ] = "rdmsr",
	[EXIT_MSR_WRITE] = "wrmsr",
	[EXIT_HYPERCALL] = "hypercall",
	[EXIT_SLAT_VIOLATION] = "slat-violation",
	[EXIT_EXCEPTION] = "exception",
	[EXIT_TRIPLE_FAULT] = "triple-fault",
	[EXIT_INTERRUPT] = "interrupt",
	[EXIT_VIRT_INSN] = "virt-insn",
	[EXIT_INVD] = "invd",
	[EXIT_INTR_WINDOW] = "interrupt-window",
	[EXIT_ENTRY_FAILED] = "entry-failed",
	[EXIT_UNHANDLED] = "unhandled",
};

const char *exit_kind_name(enum exit_kind k)
{
	return k < EXIT_KIND_COUNT && kind_names[k] ? kind_names[k] : "?";
}

static void dump_guest(struct vcpu *v)
{
	const struct guest_regs *r = &v->regs;
	klog("  rip=%016llx rsp=%016llx rflags=%08llx", (unsigned long long)virt->get(v, VREG_RIP),
	     (unsigned long long)virt->get(v, VREG_RSP),
	     (unsigned long long)virt->get(v, VREG_RFLAGS));
	klog("  rax=%016llx rbx=%016llx rcx=%016llx rdx=%016llx", (unsigned long long)r->rax,
	     (unsigned long long)r->rbx, (unsigned long long)r->rcx, (unsigned long long)r->rdx);
	klog("  rsi=%016llx rdi=%016llx rbp=%016llx", (unsigned long long)r->rsi,
	     (unsigned long long)r->rdi, (unsigned long long)r->rbp);
	virt->dump(v);
}

/* Stop the partition with a crash record; always returns EXIT_STOP. */
static u32 crash(struct vcpu *v, struct vm_exit *e, const char *reason)
{
	struct partition *p = v->partition;
	klog("partition %s: crash record: %s exit (vendor code 0x%llx, %s)", p->cfg.name,
	     exit_kind_name(e->kind), (unsigned long long)e->raw_code, virt->exit_name(e));
	dump_guest(v);
	partition_crash(p, "%s", reason);
	return EXIT_STOP;
}

static u32 on_cpuid(struct vcpu *v, struct vm_exit *e)
{
	(void)e;
	guest_cpuid(&v->regs, v->partition->id);
	return EXIT_NEXT;
}

/* HLT blocks the vCPU until its next event (kernel/sched.c wakes it). */
static u32 on_hlt(struct vcpu *v, struct vm_exit *e)
{
	(void)e;
	v->halted = true;
	cpu_end_slice();
	return EXIT_NEXT;
}

bool exit_deliver_pending(struct vcpu *v)
{
	if ((v->pending_irq & VIRQ_PENDING) && virt->inject_interrupt(v, (u8)v->pending_irq))
		v->pending_irq = 0;
	return !v->pending_irq;
}

static u32 on_intr_window(struct vcpu *v, struct vm_exit *e)
{
	(void)e;
	exit_deliver_pending(v);
	return EXIT_RESUME;
}

static u32 port_in(struct partition *p, u16 port)
{
	if (port >= VUART_BASE && port < VUART_BASE + VUART_PORTS)
		return vuart_read(&p->uart, &p->console, port - VUART_BASE);
	return 0xffffffffu; /* nothing else is there */
}

/* False when the write stopped the partition (exit port). */
static bool port_out(struct partition *p, u16 port, u32 value)
{
	if (port >= VUART_BASE && port < VUART_BASE + VUART_PORTS)
		vuart_write(&p->uart, &p->console, port - VUART_BASE, (u8)value);
	else if (port == PORT_EXIT) {
		partition_exit(p, (int)value);
		return false;
	}
	return true;
}

/* INS/OUTS: operands at ES:RDI / DS:RSI (flat segments assumed), RCX with REP. */
static u32 string_io(struct vcpu *v, struct vm_exit *e)
{
	struct partition *p = v->partition;
	u64 mask = virt_guest_mode(v) == GUEST_LONG64 ? ~0ull : 0xffffffffull;
	u64 count = e->io.rep ? v->regs.rcx & mask : 1;
	s64 step = (virt->get(v, VREG_RFLAGS) & (1u << 10)) ? -(s64)e->io.size : e->io.size;
	u64 *index = e->io.in ? &v->regs.rdi : &v->regs.rsi;

	for (; count; count--) {
		u32 value = 0;
		if (e->io.in) {
			value = port_in(p, e->io.port);
			if (guest_write_virt(v, *index & mask, &value, e->io.size) < 0)
				return crash(v, e, "string input to an unmapped address");
		} else {
			if (guest_read_virt(v, *index & mask, &value, e->io.size) < 0)
				return crash(v, e, "string output from an unmapped address");
			if (!port_out(p, e->io.port, value))
				return EXIT_STOP;
		}
		*index = (*index + (u64)step) & mask;
		if (e->io.rep)
			v->regs.rcx = (v->regs.rcx - 1) & mask;
	}
	return EXIT_NEXT;
}

static u32 on_io(struct vcpu *v, struct vm_exit *e)
{
	u32 size_mask = e->io.size == 4 ? 0xffffffffu : (1u << (8 * e->io.size)) - 1;

	if (e->io.string)
		return string_io(v, e);
	if (e->io.in) {
		u32 value = port_in(v->partition, e->io.port) & size_mask;
		if (e->io.size == 4)
			v->regs.rax = value; /* 32-bit writes zero-extend */
		else
			v->regs.rax = (v->regs.rax & ~(u64)size_mask) | value;
	} else if (!port_out(v->partition, e->io.port, (u32)v->regs.rax & size_mask)) {
		return EXIT_STOP;
	}
	return EXIT_NEXT;
}

static u32 on_msr(struct vcpu *v, struct vm_exit *e)
{
	u64 value;
	int err;

	if (e->kind == EXIT_MSR_READ) {
		err = msr_read(v, e->msr, &value);
		if (!err) {
			v->regs.rax = (u32)value;
			v->regs.rdx = value >> 32;
		}
	} else {
		value = (v->regs.rdx << 32) | (u32)v->regs.rax;
		err = msr_write(v, e->msr, value);
	}
	if (err) {
		virt->inject_exception(v, EXC_GP, true, 0);
		return EXIT_RESUME;
	}
	return EXIT_NEXT;
}

static u32 on_hypercall(struct vcpu *v, struct vm_exit *e)
{
	(void)e;
	return hypercall_handle(v) ? EXIT_NEXT : EXIT_STOP;
}

/* VMCALL 0f 01 c1 and VMMCALL 0f 01 d9: either is accepted on both vendors. */
static bool is_hypercall_insn(struct vcpu *v)
{
	u8 insn[3];
	u64 rip = virt->get(v, VREG_RIP), base = virt->get(v, VREG_CS_BASE);

	if (virt_guest_mode(v) != GUEST_LONG64)
		rip = (base + rip) & 0xffffffffull;
	if (guest_read_virt(v, rip, insn, sizeof(insn)) < 0)
		return false;
	return insn[0] == 0x0f && insn[1] == 0x01 && (insn[2] == 0xc1 || insn[2] == 0xd9);
}

static u32 on_exception(struct vcpu *v, struct vm_exit *e)
{
	if (e->exc.vector == EXC_UD && is_hypercall_insn(v)) {
		e->insn_len = 3;
		return on_hypercall(v, e);
	}
	/* #UD, #AC and #DB are intercepted only to be reflected: the guest handles them. */
	virt->inject_exception(v, e->exc.vector, e->exc.has_error, e->exc.error);
	return EXIT_RESUME;
}

static u32 on_slat_violation(struct vcpu *v, struct vm_exit *e)
{
	char reason[96];
	format(reason, sizeof(reason), "memory violation at GPA 0x%llx (%s)",
	       (unsigned long long)e->slat.gpa,
	       e->slat.fetch   ? "fetch"
	       : e->slat.write ? "write"
			       : "read");
	return crash(v, e, reason);
}

static u32 on_interrupt(struct vcpu *v, struct vm_exit *e)
{
	(void)v, (void)e;
	/* Let the host take the pending interrupt now (its handler runs here). */
	irq_enable();
	__asm__ volatile("nop");
	irq_disable();
	return EXIT_RESUME;
}

static u32 on_triple_fault(struct vcpu *v, struct vm_exit *e)
{
	return crash(v, e, "triple fault");
}

static u32 on_virt_insn(struct vcpu *v, struct vm_exit *e)
{
	return crash(v, e, "used a virtualization instruction");
}

static u32 on_invd(struct vcpu *v, struct vm_exit *e)
{
	return crash(v, e, "executed INVD");
}

static u32 on_entry_failed(struct vcpu *v, struct vm_exit *e)
{
	return crash(v, e, "the CPU refused to enter it (see the explanation above)");
}

u32 exit_unhandled(struct vcpu *v, struct vm_exit *e)
{
	return crash(v, e, "unexpected exit");
}

u32 (*const exit_handlers[EXIT_KIND_COUNT])(struct vcpu *, struct vm_exit *) = {
	[EXIT_CPUID] = on_cpuid,
	[EXIT_HLT] = on_hlt,
	[EXIT_IO] = on_io,
	[EXIT_MSR_READ] = on_msr,
	[EXIT_MSR_WRITE] = on_msr,
	[EXIT_HYPERCALL] = on_hypercall,
	[EXIT_SLAT_VIOLATION] = on_slat_violation,
	[EXIT_EXCEPTION] = on_exception,
	[EXIT_TRIPLE_FAULT] = on_triple_fault,
	[EXIT_INTERRUPT] = on_interrupt,
	[EXIT_VIRT_INSN] = on_virt_insn,
	[EXIT_INVD] = on_invd,
	[EXIT_INTR_WINDOW] = on_intr_window,
	[EXIT_ENTRY_FAILED] = on_entry_failed,
	[EXIT_UNHANDLED] = exit_unhandled,
};

void exit_check_handlers(void)
{
	for (u32 k = 0; k < EXIT_KIND_COUNT; k++)
		if (!exit_handlers[k])
			panic("exit kind %u (%s) has no handler in kernel/exit.c", k,
			      exit_kind_name((enum exit_kind)k));
}
