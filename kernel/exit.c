/*
 * The common exit handler: all policy for what a partition may do.
 * One handler per exit kind in a table; the honest default for anything
 * unexpected dumps the exit and the guest registers and stops that
 * partition alone.  Handlers return what the backend does next
 * (kernel/vmexit.h): step over the instruction and resume (EXIT_NEXT),
 * resume at the same instruction (EXIT_RESUME, e.g. to deliver an
 * exception), or stop (EXIT_STOP: the partition exited or crashed).
 */
#include "kernel/exit.h"
#include "kernel/console.h"
#include "kernel/cpu.h"
#include "kernel/cpuid.h"
#include "kernel/cr.h"
#include "kernel/hypercall.h"
#include "kernel/msr.h"
#include "kernel/pagewalk.h"
#include "kernel/panic.h"
#include "kernel/partition.h"
#include "kernel/platform.h"
#include "kernel/trap.h"
#include "kernel/virt.h"
#include "kernel/watchdog.h"
#include "kernel/xstate.h"
#include "lib/format.h"
#include "lib/x86.h"
#include "vdev/layout.h"

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
	[EXIT_ABSENT_INSN] = "absent-insn",
	[EXIT_RDPMC] = "rdpmc",
	[EXIT_CACHE_FLUSH] = "cache-flush",
	[EXIT_INTR_WINDOW] = "interrupt-window",
	[EXIT_CR_ACCESS] = "cr-access",
	[EXIT_XSETBV] = "xsetbv",
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
	char on[24] = ""; /* which vCPU, when there are several: its registers follow */

	console_hold();			 /* the record and its crashed/restarted lines: one block */
	if (!partition_takes_event(p)) { /* another vCPU ended this life first: no record */
		console_release();
		return EXIT_STOP;
	}
	if (p->nvcpus > 1)
		format(on, sizeof(on), " on vcpu %u", v->index);
	klog("partition %s: crash record: %s exit (vendor code 0x%llx, %s)%s", p->cfg.name,
	     exit_kind_name(e->kind), (unsigned long long)e->raw_code, virt->exit_name(e), on);
	dump_guest(v);
	partition_crash(p, "%s", reason);
	console_release();
	return EXIT_STOP;
}

/*
 * Deliver exception vector to the guest at its next entry, and resume it
 * at the faulting instruction.  In real mode no exception pushes an
 * error code (SDM 3A §20.1.4), and an entry that tried would fail.
 */
static u32 inject_fault(struct vcpu *v, u8 vector, bool has_error, u32 error)
{
	if (!(virt->get(v, VREG_CR0) & CR0_PE))
		has_error = false;
	virt->inject_exception(v, vector, has_error, error);
	return EXIT_RESUME;
}

static u32 inject_gp(struct vcpu *v)
{
	return inject_fault(v, EXC_GP, true, 0);
}

/* #PF at linear address addr with error code error (SDM 3A §4.7): CR2 first, as the CPU does. */
static u32 inject_pf(struct vcpu *v, u64 addr, u32 error)
{
	virt->set(v, VREG_CR2, addr);
	return inject_fault(v, EXC_PF, true, error);
}

/* HLT blocks the vCPU until its next event (kernel/sched.c wakes it). */
static u32 on_hlt(struct vcpu *v, struct vm_exit *e)
{
	(void)e;
	v->halted = true;
	v->halted_if = virt->get(v, VREG_RFLAGS) & RFLAGS_IF;
	pconsole_idle(&v->partition->console); /* a shell halts at its prompt */
	cpu_end_slice();
	return EXIT_NEXT;
}

static u32 on_intr_window(struct vcpu *v, struct vm_exit *e)
{
	(void)e;
	if (platform_deliver(v))
		virt->close_window(v); /* what it waited for was withdrawn: no window any more */
	return EXIT_RESUME;
}

/* The platform's devices (kernel/platform.c); a port none claims reads all-ones. */
static u32 port_in(struct vcpu *v, u16 port, u8 size)
{
	return platform_in(v, port, size);
}

/*
 * EXIT_NEXT once done, EXIT_STOP when the write stopped the partition
 * (exit port, power-off, reset), EXIT_RESUME when the UART could not
 * take the byte now: the OUT is to be executed again.
 */
static u32 port_out(struct vcpu *v, u16 port, u8 size, u32 value)
{
	if (port == PORT_EXIT) {
		partition_exit(v->partition, (int)value);
		return EXIT_STOP;
	}
	return platform_out(v, port, size, value);
}

/*
 * INS/OUTS.  The operand is at ES:rDI (INS) or seg:rSI (OUTS, DS unless
 * overridden), in the instruction's address size; with REP, rCX counts.
 * A REP string instruction may be asked to move up to 2^64 elements:
 * at most STRING_IO_BATCH of them move per exit, and fewer once the
 * slice is over; then the guest runs the same instruction again with the
 * registers as far as they got, exactly as when an interrupt stops a REP
 * instruction on hardware.  So no exit holds its CPU longer than a slice.
 */
#define STRING_IO_BATCH 256

static const enum vreg seg_base[] = {
	[SEG_ES] = VREG_ES_BASE, [SEG_CS] = VREG_CS_BASE, [SEG_SS] = VREG_SS_BASE,
	[SEG_DS] = VREG_DS_BASE, [SEG_FS] = VREG_FS_BASE, [SEG_GS] = VREG_GS_BASE,
};

/* Write value into a register of asize bytes inside *reg, as the CPU does. */
static void set_sized(u64 *reg, u64 value, u8 asize)
{
	if (asize == 2)
		*reg = (*reg & ~0xffffull) | (value & 0xffff);
	else if (asize == 4)
		*reg = (u32)value;
	else
		*reg = value;
}

/*
 * Are the first and the last byte of [at, at + size) canonical (48 or,
 * with CR4.LA57, 57 bits)?  In 64-bit mode a string I/O operand that is
 * not gets #GP(0), or #SS(0) through SS (SDM 3A §3.3.7.1).
 */
static bool canonical(struct vcpu *v, u64 at, u8 size)
{
	unsigned bits = (virt->get(v, VREG_CR4) & CR4_LA57) ? 57 : 48;

	return addr_canonical(at, bits) && addr_canonical(at + size - 1, bits);
}

static u32 string_io(struct vcpu *v, struct vm_exit *e)
{
	enum guest_mode mode = virt_guest_mode(v);
	u8 asize = e->io.asize		       ? e->io.asize
		   : mode == GUEST_LONG64      ? 8
		   : mode == GUEST_PROTECTED32 ? 4
					       : 2;
	u64 amask = asize == 8 ? ~0ull : asize == 4 ? 0xffffffffull : 0xffffull;
	u64 lmask = mode == GUEST_LONG64 ? ~0ull : 0xffffffffull; /* linear addresses */
	u8 seg = e->io.in ? SEG_ES : e->io.seg == SEG_NONE ? SEG_DS : e->io.seg;
	u64 base = mode == GUEST_LONG64 && seg < SEG_FS ? 0 : virt->get(v, seg_base[seg]);
	u64 *index = e->io.in ? &v->regs.rdi : &v->regs.rsi;
	u64 count = e->io.rep ? v->regs.rcx & amask : 1;
	s64 step = (virt->get(v, VREG_RFLAGS) & RFLAGS_DF) ? -(s64)e->io.size : e->io.size;

	for (u32 batch = 0; count; count--, batch++) {
		u64 at = (base + (*index & amask)) & lmask;
		struct guest_data d;
		u32 value = 0;
		int got;

		if (batch == STRING_IO_BATCH || (batch && cpu_slice_over()))
			return EXIT_RESUME; /* the rest at the next run of the instruction */
		if (mode == GUEST_LONG64 && !canonical(v, at, e->io.size))
			return inject_fault(v, seg == SEG_SS ? EXC_SS : EXC_GP, true, 0);
		/* The memory operand first: an INS that faults has not taken the port's data. */
		got = guest_data_map(v, at, e->io.size, e->io.in, &d);
		if (got == WALK_PAGE_FAULT)
			return inject_pf(v, d.pf_addr, d.pf_error); /* registers as far as it got */
		if (got == -EAGAIN)
			return EXIT_RESUME; /* its page tables kept changing: this element again */
		if (got < 0)
			return crash(v, e, "string I/O with page tables outside RAM");
		if (e->io.in) {
			value = port_in(v, e->io.port, e->io.size);
			if (guest_data_copy(v, &d, &value, true) < 0)
				return crash(v, e, "string input to an address outside RAM");
		} else {
			u32 next;

			if (guest_data_copy(v, &d, &value, false) < 0)
				return crash(v, e, "string output from an address outside RAM");
			next = port_out(v, e->io.port, e->io.size, value);
			if (next == EXIT_RESUME) /* the UART is busy: this element again, later */
				cpu_end_slice();
			if (next != EXIT_NEXT)
				return next; /* the registers say how far it got */
		}
		set_sized(index, *index + (u64)step, asize);
		if (e->io.rep)
			set_sized(&v->regs.rcx, v->regs.rcx - 1, asize);
	}
	return EXIT_NEXT;
}

static u32 on_io(struct vcpu *v, struct vm_exit *e)
{
	u32 size_mask = e->io.size == 4 ? 0xffffffffu : (1u << (8 * e->io.size)) - 1;

	if (e->io.string)
		return string_io(v, e);
	/* lab 5: emulate one IN or OUT through the partition's devices */
	if (e->io.in) {
		u32 value = port_in(v, e->io.port, e->io.size) & size_mask;
		if (e->io.size == 4)
			v->regs.rax = value; /* 32-bit writes zero-extend */
		else
			v->regs.rax = (v->regs.rax & ~(u64)size_mask) | value;
	} else {
		u32 next = port_out(v, e->io.port, e->io.size, (u32)v->regs.rax & size_mask);
		if (next == EXIT_RESUME) /* the console is busy: others run, then the OUT again */
			cpu_end_slice();
		return next;
	}
	/* lab 5: end */
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
	return err ? inject_gp(v) : EXIT_NEXT;
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
	if (guest_read_code(v, rip, insn, sizeof(insn)) < 0)
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
	if (e->exc.vector == EXC_DB && e->exc.dr6) {
		/* Write DR6 as the CPU would have: B0-B3 anew, the other bits kept (SDM 3B
		 * §18.2.3). */
		u64 dr6 = virt->get(v, VREG_DR6);
		virt->set(v, VREG_DR6, (dr6 & ~0xfull) | e->exc.dr6);
	}
	return inject_fault(v, e->exc.vector, e->exc.has_error, e->exc.error);
}

static u32 on_slat_violation(struct vcpu *v, struct vm_exit *e)
{
	char reason[96];

	if (guest_apic_window(e->slat.gpa) && e->slat.data && !e->slat.fetch)
		return platform_mmio(v, e);
	format(reason, sizeof(reason), "memory violation at GPA 0x%llx (%s)",
	       (unsigned long long)e->slat.gpa,
	       e->slat.fetch   ? "fetch"
	       : e->slat.write ? "write"
			       : "read");
	return crash(v, e, reason);
}

/*
 * Must v leave its guest for the scheduler now?  Its partition stops or
 * starts over, or an INIT came for it (kernel/sched.c's run() acts on
 * each); another CPU that made it so sent the notify IPI this exit may be.
 */
static bool must_leave(const struct vcpu *v)
{
	const struct partition *p = v->partition;

	return __atomic_load_n(&p->state, __ATOMIC_ACQUIRE) != PARTITION_RUNNABLE || p->work ||
	       v->life != __atomic_load_n(&p->life, __ATOMIC_ACQUIRE) ||
	       __atomic_load_n(&v->init_pending, __ATOMIC_ACQUIRE);
}

static u32 on_interrupt(struct vcpu *v, struct vm_exit *e)
{
	(void)e;
	/* Let the host take the pending interrupt now (its handler runs here). */
	irq_enable();
	__asm__ volatile("nop");
	irq_disable();
	watchdog_poll(); /* this exit may be the watchdog's NMI */
	return must_leave(v) ? EXIT_STOP : EXIT_RESUME;
}

static u32 on_triple_fault(struct vcpu *v, struct vm_exit *e)
{
	return crash(v, e, "triple fault");
}

/*
 * Instructions that CPUID says the partition's CPU lacks, which the real
 * CPU would run or which would reach the host: VMX and SVM instructions
 * (the real CPU exits instead of raising #UD because cloison itself runs
 * with VMX or SVM on), MONITOR and MWAIT (AMD's MONITORX and MWAITX exit
 * the same way), and on SVM RDTSCP (VMX raises #UD for it by itself).
 * They are invalid opcodes there, as on a CPU without them.
 */
static u32 on_absent_insn(struct vcpu *v, struct vm_exit *e)
{
	(void)e;
	return inject_fault(v, EXC_UD, false, 0);
}

/*
 * RDPMC would read the host's performance counters, which other
 * partitions drive.  CPUID leaf 0xA offers no counter, and reading a
 * counter that does not exist is #GP(0) (SDM 2, RDPMC).
 */
static u32 on_rdpmc(struct vcpu *v, struct vm_exit *e)
{
	(void)e;
	return inject_gp(v);
}

/*
 * INVD and WBINVD: a partition's memory is ordinary write-back memory
 * that no device reads behind the caches, so there is nothing to write
 * back, and INVD must not throw away lines the hypervisor and the other
 * partitions wrote.  Both complete as no-ops, and the guest goes on.
 */
static u32 on_cache_flush(struct vcpu *v, struct vm_exit *e)
{
	(void)v, (void)e;
	return EXIT_NEXT;
}

/* General register n as x86 numbers them (0 = RAX ... 15 = R15); RSP is in the VMCS/VMCB. */
static u64 gpr_get(struct vcpu *v, u8 n)
{
	return n == 4 ? virt->get(v, VREG_RSP) : (&v->regs.rax)[n & 15];
}

static void gpr_set(struct vcpu *v, u8 n, u64 value)
{
	if (n == 4)
		virt->set(v, VREG_RSP, value);
	else
		(&v->regs.rax)[n & 15] = value;
}

static void cr_state(struct vcpu *v, struct cr_state *s)
{
	s->cr0 = virt->get(v, VREG_CR0);
	s->cr3 = virt->get(v, VREG_CR3);
	s->cr4 = virt->get(v, VREG_CR4);
	s->efer = virt->get(v, VREG_EFER);
	s->long64 = virt_guest_mode(v) == GUEST_LONG64;
}

/*
 * A control-register access that the backend could not let the CPU do
 * by itself (on VMX: a CR0 or CR4 bit the host owns, and CR8, which
 * must never reach the host's own TPR; on SVM: every CR0, CR4 and CR8 write,
 * svm/svm.c says why).  Values the CPU
 * would refuse get #GP.  A valid CR0 write on VMX changes only what the
 * guest reads, and the guest runs the MOV again (VREG_CR0_SHADOW); other
 * valid writes are done here.
 */
static u32 on_cr_access(struct vcpu *v, struct vm_exit *e)
{
	struct cr_state s;
	u64 value;

	cr_state(v, &s);
	if (e->cr.type == CR_MOV_FROM && e->cr.cr == 8) {
		gpr_set(v, e->cr.gpr, virt->get(v, VREG_TPR));
		return EXIT_NEXT;
	}
	if (e->cr.type == CR_MOV_FROM)
		return crash(v, e, "a MOV from a control register exited");
	if (e->cr.type == CR_CLTS) {
		value = s.cr0 & ~CR0_TS;
	} else if (e->cr.type == CR_LMSW) {
		/* PE, MP, EM and TS from the operand; LMSW cannot clear PE (SDM 2, LMSW). */
		value = (s.cr0 & ~0xfull) | (gpr_get(v, e->cr.gpr) & 0xf) | (s.cr0 & CR0_PE);
	} else {
		value = gpr_get(v, e->cr.gpr);
		if (!s.long64)
			value = (u32)value;
	}
	switch (e->cr.cr) {
	case 0:
		if (!cr0_valid(&s, value))
			return inject_gp(v);
		if (e->cr.reexecute) {
			virt->set(v, VREG_CR0_SHADOW, value);
			return EXIT_RESUME; /* the MOV again, now without an exit */
		}
		virt->set(v, VREG_CR0, value);
		virt->flush_slat(v);
		return EXIT_NEXT;
	case 4:
		if (!cr4_valid(&s, value, guest_features.cr4_allowed))
			return inject_gp(v);
		/* As MOV to CR4 would: the new value, and the guest's TLB flushed. */
		virt->set(v, VREG_CR4, value);
		virt->flush_slat(v);
		return EXIT_NEXT;
	case 8:
		if (value > 15)
			return inject_gp(v); /* bits 63:4 are reserved */
		platform_write_cr8(v, value);
		platform_deliver(v); /* a lower priority may let it through now */
		return EXIT_NEXT;
	default:
		return crash(v, e, "an unexpected control-register write exited");
	}
}

/* XSETBV: the guest's XCR0, checked as the CPU would (kernel/xstate.c). */
static u32 on_xsetbv(struct vcpu *v, struct vm_exit *e)
{
	u64 value = (v->regs.rdx << 32) | (u32)v->regs.rax;

	(void)e;
	if (virt->get(v, VREG_CPL) != 0 || xstate_set_xcr(v, (u32)v->regs.rcx, value) < 0)
		return inject_gp(v);
	return EXIT_NEXT;
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
	[EXIT_HLT] = on_hlt,
	[EXIT_IO] = on_io,
	[EXIT_MSR_READ] = on_msr,
	[EXIT_MSR_WRITE] = on_msr,
	[EXIT_HYPERCALL] = on_hypercall,
	[EXIT_SLAT_VIOLATION] = on_slat_violation,
	[EXIT_EXCEPTION] = on_exception,
	[EXIT_TRIPLE_FAULT] = on_triple_fault,
	[EXIT_INTERRUPT] = on_interrupt,
	[EXIT_ABSENT_INSN] = on_absent_insn,
	[EXIT_RDPMC] = on_rdpmc,
	[EXIT_CACHE_FLUSH] = on_cache_flush,
	[EXIT_INTR_WINDOW] = on_intr_window,
	[EXIT_CR_ACCESS] = on_cr_access,
	[EXIT_XSETBV] = on_xsetbv,
	[EXIT_ENTRY_FAILED] = on_entry_failed,
	[EXIT_UNHANDLED] = exit_unhandled,
};

void exit_check_handlers(void)
{
	for (u32 k = 0; k < EXIT_KIND_COUNT; k++)
		if (!exit_handlers[k] && k != EXIT_CPUID) /* exit_handle() answers CPUID */
			panic("exit kind %u (%s) has no handler in kernel/exit.c", k,
			      exit_kind_name((enum exit_kind)k));
}
