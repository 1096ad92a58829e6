/*
 * The SVM backend (APM Vol. 2 chapter 15): EFER.SVME and VM_HSAVE_PA
 * per CPU, one VMCB per vCPU, an ASID per partition (never 0), nested
 * paging, IOPM and MSRPM that send every port and MSR access to
 * kernel/, and intercepts for everything a partition must not do by
 * itself.  It works without NRIP save and decode assists (as under
 * QEMU's emulator): instruction lengths then come from the exit code,
 * and for IOIO from EXITINFO2, which always holds the next RIP.
 */
#include "svm/svm.h"
#include "boot/boot.h"
#include "kernel/console.h"
#include "kernel/cpu.h"
#include "kernel/exit.h"
#include "kernel/insn.h"
#include "kernel/memory.h"
#include "kernel/paging.h"
#include "kernel/partition.h"
#include "kernel/platform.h"
#include "kernel/trap.h"
#include "kernel/virt.h"
#include "lib/lib.h"
#include "lib/x86.h"
#include "svm/vmcb.h"

#define IOPM_FRAMES 3  /* 12 KiB: one bit per port, plus slack (§15.10.1) */
#define MSRPM_FRAMES 2 /* 8 KiB: two bits per MSR (§15.11) */
#define MAX_ASIDS_TRACKED 256

static struct {
	u32 nasids;
	bool nrips;
	bool flush_by_asid;
	bool decode_assists;
	u64 iopm, msrpm; /* shared by all vCPUs: all ones */
} caps;

static u64 hsave[MAX_CPUS];
static u64 host_save[MAX_CPUS];
/* Which vCPU last ran with each ASID on each CPU (ASIDs are shared when scarce). */
static struct vcpu *asid_owner[MAX_CPUS][MAX_ASIDS_TRACKED];
/*
 * Guest state as each CPU's current run began, for the VMRUN failure
 * explainer, kept up to date when kernel/ changes one of these fields
 * during a run (an emulated CR or EFER write: note()).  The guest itself
 * changes them natively between VMRUNs, and VMRUN's checks see those
 * values too, but the CPU would have refused at the instruction what
 * VMRUN refuses, so only kernel/'s writes matter here.
 */
static struct svm_entry_note entry_notes[MAX_CPUS];

static struct vmcb *vmcb_of(struct vcpu *v)
{
	return v->vmcs;
}

/* Note v's state for the explainer, as the next VMRUN will load it (entry_notes). */
static void note(struct vcpu *v)
{
	struct vmcb *vm = vmcb_of(v);

	entry_notes[this_cpu()->index] = (struct svm_entry_note){
		vm->save.efer, vm->save.cr0, vm->save.cr3,	 vm->save.cr4,
		vm->save.dr6,  vm->save.dr7, vm->save.cs.attrib, vm->control.eventinj,
	};
}

static int svm_cpu_enable(void)
{
	u32 cpu = this_cpu()->index;
	struct cpuid_regs f = cpuid(0x8000000a, 0);

	if (rdmsr(MSR_VM_CR) & VM_CR_SVMDIS) {
		klog("svm: firmware disabled AMD-V; no partition can run");
		return -ENODEV;
	}
	if (!(f.edx & SVM_FEAT_NPT)) {
		klog("svm: this CPU lacks nested paging; cloison needs it to run partitions");
		return -ENODEV;
	}
	caps.nasids = MIN(f.ebx, MAX_ASIDS_TRACKED);
	caps.nrips = f.edx & SVM_FEAT_NRIPS;
	caps.flush_by_asid = f.edx & SVM_FEAT_FLUSH_BY_ASID;
	caps.decode_assists = f.edx & SVM_FEAT_DECODE_ASSISTS;
	if (caps.nasids < 2) {
		klog("svm: this CPU offers no ASID for guests");
		return -ENODEV;
	}
	if (!caps.iopm) {
		caps.iopm = frame_alloc_run(&frames, IOPM_FRAMES, FRAME_SIZE);
		caps.msrpm = frame_alloc_run(&frames, MSRPM_FRAMES, FRAME_SIZE);
		if (caps.iopm)
			memset(phys_to_virt(caps.iopm), 0xff, IOPM_FRAMES * FRAME_SIZE);
		if (caps.msrpm)
			memset(phys_to_virt(caps.msrpm), 0xff, MSRPM_FRAMES * FRAME_SIZE);
	}
	if (!hsave[cpu])
		hsave[cpu] = frame_alloc_zeroed();
	if (!host_save[cpu])
		host_save[cpu] = frame_alloc_zeroed();
	if (!caps.iopm || !caps.msrpm || !hsave[cpu] || !host_save[cpu]) {
		klog("svm: out of memory for the host save areas and permission maps");
		return -ENOMEM;
	}
	/* lab 2: turn SVM on: EFER.SVME, the host save area, the host state VMLOAD restores */
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME);
	wrmsr(MSR_VM_HSAVE_PA, hsave[cpu]);
	/* The host's FS/GS/TR/LDTR/syscall state, restored by VMLOAD after each exit. */
	__asm__ volatile("vmsave %0" ::"a"(host_save[cpu]) : "memory");
	/* lab 2: end */
	return 0;
}

static u32 asid_of(u32 tag)
{
	return 1 + (tag - 1) % (caps.nasids - 1);
}

static int svm_vcpu_create(struct vcpu *v, u64 slat_root, u32 tag)
{
	u64 f = frame_alloc_zeroed();
	struct vmcb *vm;

	if (!f)
		return -ENOMEM;
	v->vmcs = phys_to_virt(f);
	v->vmcs_phys = f;
	v->id = tag;
	vm = vmcb_of(v);
	vm->control.intercept_exceptions = (1u << EXC_DB) | (1u << EXC_UD) | (1u << EXC_AC);
	/*
	 * CR0 and CR4 writes go through kernel/cr.c: an emulator may take a
	 * value natively that its own VMRUN then refuses (QEMU 7.2 takes
	 * CR4.SMXE and reserved CR4 bits, and CR0.NW without CD, on its AMD
	 * CPU), and no guest value may make an entry fail.  CR8 writes too:
	 * QEMU takes reserved bits there without #GP.  OSes write CR0, CR4
	 * and CR8 rarely; CR3, written at every context switch, stays native.
	 */
	vm->control.intercept_cr = INTERCEPT_CR0_WRITE | INTERCEPT_CR4_WRITE | INTERCEPT_CR8_WRITE;
	vm->control.intercept_misc1 = MISC1_INTR | MISC1_NMI | MISC1_CPUID | MISC1_INVD |
				      MISC1_HLT | MISC1_INVLPGA | MISC1_IOIO | MISC1_MSR |
				      MISC1_SHUTDOWN | MISC1_RDPMC;
	vm->control.intercept_misc2 = MISC2_VMRUN | MISC2_VMMCALL | MISC2_VMLOAD | MISC2_VMSAVE |
				      MISC2_STGI | MISC2_CLGI | MISC2_SKINIT | MISC2_WBINVD |
				      MISC2_MONITOR | MISC2_MWAIT | MISC2_XSETBV | MISC2_RDTSCP;
	vm->control.iopm_base_pa = caps.iopm;
	vm->control.msrpm_base_pa = caps.msrpm;
	vm->control.guest_asid = asid_of(tag);
	vm->control.vintr = VINTR_MASKING;
	vm->control.np_enable = NP_ENABLE;
	vm->control.n_cr3 = slat_root;
	return 0;
}

static void svm_vcpu_destroy(struct vcpu *v)
{
	for (u32 c = 0; c < MAX_CPUS; c++) {
		for (u32 a = 0; a < MAX_ASIDS_TRACKED; a++)
			if (asid_owner[c][a] == v)
				asid_owner[c][a] = NULL;
		if (percpus[c].vcpu_loaded == v)
			percpus[c].vcpu_loaded = NULL;
	}
	frame_free(&frames, v->vmcs_phys, 1);
	v->vmcs = NULL;
	v->vmcs_phys = 0;
}

/* Segment attributes in the VMCB's 12-bit form (APM Vol. 2 §15.5.1). */
#define ATTR_CODE32 0xc9bu
#define ATTR_DATA32 0xc93u
#define ATTR_TSS_BUSY 0x08bu
#define ATTR_CODE16 0x09bu /* a real-mode code segment */
#define ATTR_DATA16 0x093u /* a real-mode data segment */

static void svm_vcpu_reset(struct vcpu *v, const struct vcpu_boot_state *s)
{
	struct vmcb_save *st = &vmcb_of(v)->save;
	struct vmcb_segment data = { vcpu_boot_ds(s), ATTR_DATA32, 0xffffffffu, 0 };

	memset(&v->regs, 0, sizeof(v->regs));
	v->regs.rax = s->eax;
	v->regs.rbx = s->ebx;
	v->regs.rsi = s->esi;
	/* lab 3: the VMCB save area for the Multiboot entry state */
	memset(st, 0, sizeof(*st));
	st->es = st->ss = st->ds = st->fs = st->gs = data;
	st->cs = (struct vmcb_segment){ vcpu_boot_cs(s), ATTR_CODE32, 0xffffffffu, 0 };
	st->gdtr = (struct vmcb_segment){ 0, 0, s->gdt_limit, s->gdt_base };
	st->tr = (struct vmcb_segment){ 0, ATTR_TSS_BUSY, 0xff, 0 };
	st->cr0 = CR0_PE | CR0_ET;
	st->efer = EFER_SVME; /* required in the guest's EFER while it runs (§15.5.1) */
	v->lme_deferred = false;
	st->dr6 = 0xffff0ff0;
	st->dr7 = 0x400;
	st->rflags = 0x2;
	st->rip = s->eip;
	st->g_pat = 0x0007040600070406ull;
	/* lab 3: end */
	vmcb_of(v)->control.eventinj = 0;
	vmcb_of(v)->control.interrupt_shadow = 0;
	vmcb_of(v)->control.vintr = VINTR_MASKING;
	vmcb_of(v)->control.intercept_misc1 &= ~MISC1_VINTR;
	vmcb_of(v)->control.clean_bits = 0;
	if (s->real) { /* as a STARTUP IPI leaves the CPU (APM Vol. 2 §16.5) */
		struct vmcb_segment real = { 0, ATTR_DATA16, 0xffff, 0 };

		st->es = st->ss = st->ds = st->fs = st->gs = real;
		st->cs = (struct vmcb_segment){ s->cs, ATTR_CODE16, 0xffff, (u64)s->cs << 4 };
		st->gdtr = st->idtr = (struct vmcb_segment){ 0, 0, 0xffff, 0 };
		st->cr0 = CR0_ET;
	}
}

/*
 * The opcodes of the exits whose length kernel/ uses, for a CPU without
 * NRIP save: the length is found from the guest's bytes at RIP.
 */
static const struct {
	u64 code;
	u8 op[3];
	u8 len;
} opcodes[] = {
	{ SVM_EXIT_HLT, { 0xf4 }, 1 },
	{ SVM_EXIT_CPUID, { 0x0f, 0xa2 }, 2 },
	{ SVM_EXIT_INVD, { 0x0f, 0x08 }, 2 },
	{ SVM_EXIT_WBINVD, { 0x0f, 0x09 }, 2 },
	{ SVM_EXIT_MSR, { 0x0f, 0x30 }, 2 },
	{ SVM_EXIT_VMMCALL, { 0x0f, 0x01, 0xd9 }, 3 },
	{ SVM_EXIT_XSETBV, { 0x0f, 0x01, 0xd1 }, 3 },
};

/*
 * The guest's EFER as it sees it: without SVME, with LME as it set it,
 * and with LMA as the CPU runs it, LME and CR0.PG together (APM Vol. 2
 * §14.6.1).  LMA is not taken from the VMCB: Bochs 2.7 computes it so at
 * VMRUN, yet writes it back cleared at #VMEXIT.
 */
static u64 guest_efer(struct vcpu *v)
{
	const struct vmcb_save *s = &vmcb_of(v)->save;
	u64 efer = (s->efer & ~(EFER_SVME | EFER_LMA)) | (v->lme_deferred ? EFER_LME : 0);

	return (efer & EFER_LME) && (s->cr0 & CR0_PG) ? efer | EFER_LMA : efer;
}

/* Neutral CS attributes (VMX layout) from the VMCB's packed form and back. */
static u64 attr_to_neutral(u16 a)
{
	return (a & 0xffu) | ((u64)(a & 0xf00u) << 4);
}

/* The VMCB's CPL is SS.DPL as the CPU keeps it; in virtual-8086 mode, 3. */
static enum guest_mode svm_mode(struct vcpu *v, u32 *cpl)
{
	const struct vmcb_save *s = &vmcb_of(v)->save;

	*cpl = (s->rflags & RFLAGS_VM) ? 3 : s->cpl & 3;
	return guest_mode_of(s->cr0, guest_efer(v), attr_to_neutral(s->cs.attrib));
}

/* Where the guest's instruction is, and whether it runs 64-bit code. */
static u64 guest_ip(struct vcpu *v, bool *long64)
{
	struct vmcb_save *st = &vmcb_of(v)->save;
	u32 cpl;

	*long64 = svm_mode(v, &cpl) == GUEST_LONG64;
	return *long64 ? st->rip : (st->cs.base + st->rip) & 0xffffffffull;
}

/*
 * A write to CR0 or CR4: what it is (MOV, CLTS, LMSW) and the register
 * it takes, from EXITINFO1 with decode assists (MOV only), else from the
 * instruction's bytes; the length where NRIP is not saved.  A form that
 * is not decoded (LMSW from memory, a task switch) is "unhandled".
 */
static void decode_cr_write(struct vcpu *v, struct vm_exit *e, u8 want, u64 info1)
{
	static const u8 types[] = {
		[INSN_MOV_TO_CR] = CR_MOV_TO, [INSN_CLTS] = CR_CLTS, [INSN_LMSW] = CR_LMSW
	};
	struct insn_cr c = { 0, 0, 0 };
	u8 bytes[INSN_MAX];
	bool long64;
	u64 at = guest_ip(v, &long64);
	u32 n = guest_fetch(v, at, bytes, INSN_MAX);
	u32 len = n ? insn_cr_write(bytes, n, long64, &c) : 0;

	e->kind = EXIT_CR_ACCESS;
	e->cr.cr = want;
	e->cr.reexecute = false;
	if (!caps.nrips)
		e->insn_len = len;
	if (info1 & CR_EXIT_MOV) {
		e->cr.type = CR_MOV_TO;
		e->cr.gpr = (u8)(info1 & 15);
	} else if (len && c.cr == want) {
		e->cr.type = types[c.kind];
		e->cr.gpr = c.gpr;
	} else {
		e->kind = EXIT_UNHANDLED; /* LMSW from memory, a task switch */
	}
}

static u32 length_from_bytes(struct vcpu *v, u64 code, u64 info1)
{
	bool long64;
	u64 at = guest_ip(v, &long64);
	u8 bytes[INSN_MAX], op[3];
	u32 avail = (u32)MIN((u64)INSN_MAX, FRAME_SIZE - (at & (FRAME_SIZE - 1))), len;

	for (u32 i = 0; i < ARRAY_SIZE(opcodes); i++) {
		if (opcodes[i].code != code)
			continue;
		memcpy(op, opcodes[i].op, sizeof(op));
		if (code == SVM_EXIT_MSR && !info1)
			op[1] = 0x32; /* RDMSR, not WRMSR */
		/* The rest of the page first: the next page may not be mapped. */
		if (guest_read_code(v, at, bytes, avail) < 0)
			return opcodes[i].len;
		len = insn_length(bytes, avail, long64, op, opcodes[i].len);
		if (!len && avail < INSN_MAX && guest_read_code(v, at, bytes, INSN_MAX) == 0)
			len = insn_length(bytes, INSN_MAX, long64, op, opcodes[i].len);
		return len ? len : opcodes[i].len;
	}
	return 0;
}

/*
 * The DR6 bits kernel/exit.c adds for an intercepted exception.  The CPU
 * wrote DR6 before a #DB intercept (APM Vol. 2 §15.12), except Bochs 2.7,
 * which drops the cause of a single step: there a #DB with no cause in
 * DR6, taken with RFLAGS.TF set, gets BS, as the step would have set it.
 */
static u32 single_step_dr6(const struct vmcb *vm, u8 vector)
{
	if (vector == EXC_DB && !(vm->save.dr6 & DR6_CAUSES) && (vm->save.rflags & RFLAGS_TF))
		return DR6_BS;
	return 0;
}

static void decode(struct vcpu *v, struct vm_exit *e)
{
	struct vmcb *vm = vmcb_of(v);
	u64 code = vm->control.exitcode, info1 = vm->control.exitinfo1;

	e->raw_code = code;
	/*
	 * NRIP is set by every instruction intercept (§15.7.1), the only
	 * exits whose length kernel/ uses; for the others it is meaningless.
	 */
	e->insn_len = caps.nrips ? (u32)(vm->control.next_rip - vm->save.rip)
				 : length_from_bytes(v, code, info1);
	switch (code) {
	case SVM_EXIT_INTR:
	case SVM_EXIT_NMI: /* the NMI is delivered to the host once GIF is set again */
		e->kind = EXIT_INTERRUPT;
		return;
	case SVM_EXIT_CPUID:
		e->kind = EXIT_CPUID;
		return;
	case SVM_EXIT_HLT:
		e->kind = EXIT_HLT;
		return;
	case SVM_EXIT_VINTR:
		e->kind = EXIT_INTR_WINDOW;
		return;
	case SVM_EXIT_INVD:
	case SVM_EXIT_WBINVD:
		e->kind = EXIT_CACHE_FLUSH;
		return;
	case SVM_EXIT_XSETBV:
		e->kind = EXIT_XSETBV;
		return;
	case SVM_EXIT_CR0_WRITE:
		decode_cr_write(v, e, 0, info1);
		return;
	case SVM_EXIT_CR4_WRITE:
		decode_cr_write(v, e, 4, info1);
		return;
	case SVM_EXIT_CR8_WRITE:
		decode_cr_write(v, e, 8, info1);
		return;
	case SVM_EXIT_IOIO:
		e->kind = EXIT_IO;
		e->insn_len = (u32)(vm->control.exitinfo2 - vm->save.rip);
		e->io.port = (u16)(info1 >> 16);
		e->io.in = info1 & IOIO_IN;
		e->io.string = info1 & IOIO_STR;
		e->io.rep = info1 & IOIO_REP;
		e->io.size = (info1 & IOIO_SZ32) ? 4 : (info1 & IOIO_SZ16) ? 2 : 1;
		e->io.asize = (info1 & IOIO_A64)   ? 8
			      : (info1 & IOIO_A32) ? 4
			      : (info1 & IOIO_A16) ? 2
						   : 0;
		e->io.seg = caps.decode_assists ? (u8)((info1 >> IOIO_SEG_SHIFT) & 7) : SEG_NONE;
		return;
	case SVM_EXIT_MSR:
		e->kind = info1 ? EXIT_MSR_WRITE : EXIT_MSR_READ;
		e->msr = (u32)v->regs.rcx;
		return;
	case SVM_EXIT_SHUTDOWN:
		e->kind = EXIT_TRIPLE_FAULT;
		return;
	case SVM_EXIT_VMMCALL:
		e->kind = EXIT_HYPERCALL;
		return;
	case SVM_EXIT_VMRUN:
	case SVM_EXIT_VMLOAD:
	case SVM_EXIT_VMSAVE:
	case SVM_EXIT_STGI:
	case SVM_EXIT_CLGI:
	case SVM_EXIT_SKINIT:
	case SVM_EXIT_INVLPGA:
	case SVM_EXIT_MONITOR:
	case SVM_EXIT_MWAIT:
	case SVM_EXIT_RDTSCP:
		e->kind = EXIT_ABSENT_INSN;
		return;
	case SVM_EXIT_RDPMC:
		e->kind = EXIT_RDPMC;
		return;
	case SVM_EXIT_NPF:
		e->kind = EXIT_SLAT_VIOLATION;
		e->slat.gpa = vm->control.exitinfo2;
		e->slat.write = info1 & NPF_WRITE;
		e->slat.fetch = info1 & NPF_FETCH;
		e->slat.read = !e->slat.write && !e->slat.fetch;
		/* APM Vol. 2 §15.25.6: bit 33, the fault came during a walk of the guest's tables.
		 */
		e->slat.data = !(info1 & NPF_GUEST_TABLE_WALK) &&
			       !(vm->control.exitintinfo & EVENTINJ_VALID);
		return;
	case (u64)SVM_EXIT_INVALID:
	case (u32)SVM_EXIT_INVALID: /* QEMU writes the -1 as 32 bits */
		svm_explain_invalid(v, &entry_notes[this_cpu()->index]);
		e->kind = EXIT_ENTRY_FAILED;
		return;
	case SVM_EXIT_EXCEPTION_BASE ... SVM_EXIT_EXCEPTION_BASE + 31:
		e->kind = EXIT_EXCEPTION;
		e->exc.vector = (u8)(code - SVM_EXIT_EXCEPTION_BASE);
		e->exc.has_error = e->exc.vector == EXC_AC;
		e->exc.error = (u32)info1;
		e->exc.dr6 = single_step_dr6(vm, e->exc.vector);
		return;
	default:
		e->kind = EXIT_UNHANDLED;
		return;
	}
}

static const char *exit_name(const struct vm_exit *e)
{
	return svm_exit_name(e->raw_code);
}

/*
 * VMRUN loads the guest's CR2 from the VMCB (APM Vol. 2 §15.5.1), but
 * Bochs 2.7 reads it and drops it: its guest runs with whatever CR2 the
 * CPU holds, the page-fault address of the last partition that ran here.
 * So the CPU's CR2 is made the guest's when a run begins; on hardware
 * this only does early what VMRUN does anyway.  Between the exits of a
 * run it stays the guest's: no host code writes CR2 (a page fault in the
 * hypervisor is fatal); cloison changes it only to inject a #PF
 * (VREG_CR2), and then changes the CPU's too.
 */
static void load_guest_cr2(const struct vmcb *vm)
{
	if (read_cr2() != vm->save.cr2)
		write_cr2(vm->save.cr2);
}

/*
 * An event whose delivery the exit cut short (EXITINTINFO, APM Vol. 2
 * §15.7.2) is not lost: an interrupt waits again in pending_irq (for IF,
 * the shadow and V_TPR, as when it was first raised); an exception is
 * injected again at the next VMRUN, unless the exit's handler injected
 * one of its own; an INT n, INT3 or INTO runs again, RIP still on it.
 * Without this, a timer interrupt that met a host interrupt or a nested
 * page fault on its way in vanished, and a guest halted until it came
 * halted for good.  Called before the exit's handler, while v is surely
 * alive: an action of EXIT_STOP may also mean only that the slice ended
 * at this exit, and the event must survive that.  A handler that injects
 * an exception of its own overwrites the one put back here.
 */
static void requeue_cut_event(struct vcpu *v, u64 info)
{
	struct vmcb *vm = vmcb_of(v);

	if ((info & EVENTINJ_TYPE_MASK) == EVENTINJ_TYPE_INTR) {
		/* svm_exit() or kernel/sched.c's run() offers it again. */
		v->cut_irq =
			VIRQ_PENDING | (u8)info; /* its own slot: the device took it as given */
	} else if ((info & EVENTINJ_TYPE_MASK) == EVENTINJ_TYPE_EXCEPTION) {
		vm->control.eventinj = info;
	}
}

bool svm_exit(struct vcpu *v)
{
	struct vmcb *vm = vmcb_of(v);
	struct vm_exit e;
	u64 cut = vm->control.exitintinfo;
	u32 action;

	v->regs.rax = vm->save.rax;
	decode(v, &e); /* first: the explainer of a failed VMRUN reads EVENTINJ */
	vm->control.tlb_control = 0;
	vm->control.eventinj = 0;
	vm->control.clean_bits = VMCB_CLEAN_ALL;
	if (cut & EVENTINJ_VALID)
		requeue_cut_event(v, cut);
	action = exit_handle(v, &e);
	if (action == EXIT_STOP)
		return false; /* v may be gone, or have a new VMCB (a restart) */
	if (action & EXIT_ADVANCE) {
		vm->save.rip = exit_next_rip(v, vm->save.rip, e.insn_len);
		vm->control.interrupt_shadow = 0; /* it ends with the instruction */
	}
	vm->save.rax = v->regs.rax;
	/*
	 * An interrupt still pending is offered again before every VMRUN
	 * (kernel/sched.c's run() does it when the slice is over): one the
	 * exit cut short; one that waited for a shadow that just ended, which
	 * goes in before the next instruction as on hardware, where Bochs
	 * would take the V_IRQ window one instruction late; and one that
	 * waited for IF, which under Bochs came late, after STI and its
	 * shadow, or never (the catalog's shadow case).
	 */
	if ((action & EXIT_RESUME) && (v->cut_irq || v->pending_irq || v->irq_check))
		platform_deliver(v);
	return action & EXIT_RESUME;
}

static void svm_vcpu_run(struct vcpu *v)
{
	struct vmcb *vm = vmcb_of(v);
	struct percpu *c = this_cpu();
	u32 asid = vm->control.guest_asid;

	/* A shared ASID may hold another vCPU's translations: flush them first. */
	if (asid_owner[c->index][asid] != v) {
		vm->control.tlb_control =
			caps.flush_by_asid ? TLB_CONTROL_FLUSH_ASID : TLB_CONTROL_FLUSH_ALL;
		asid_owner[c->index][asid] = v;
	}
	/* The CPU's cached VMCB state is good only for the last VMCB it ran (§15.15.3). */
	if (c->vcpu_loaded != v || v->last_cpu != c->index)
		vm->control.clean_bits = 0;
	c->vcpu_loaded = v;
	v->last_cpu = c->index;
	vm->save.rax = v->regs.rax;
	load_guest_cr2(vm);
	note(v);
	svm_enter(v, v->vmcs_phys, host_save[c->index]);
}

static u64 svm_get(struct vcpu *v, enum vreg r)
{
	struct vmcb_save *s = &vmcb_of(v)->save;

	switch (r) {
	case VREG_RIP:
		return s->rip;
	case VREG_RSP:
		return s->rsp;
	case VREG_RFLAGS:
		return s->rflags;
	case VREG_CR0:
		return s->cr0;
	case VREG_CR3:
		return s->cr3;
	case VREG_CR4:
		return s->cr4;
	case VREG_EFER:
		return guest_efer(v);
	case VREG_CS_BASE:
		return s->cs.base;
	case VREG_CS_SEL:
		return s->cs.selector;
	case VREG_CS_ATTR:
		return attr_to_neutral(s->cs.attrib);
	case VREG_CPL:
		return s->cpl & 3;
	case VREG_TPR:
		return vmcb_of(v)->control.vintr & VINTR_TPR;
	case VREG_DR6:
		return s->dr6;
	case VREG_CR2:
		return s->cr2;
	case VREG_ES_BASE:
		return s->es.base;
	case VREG_SS_BASE:
		return s->ss.base;
	case VREG_DS_BASE:
		return s->ds.base;
	case VREG_FS_BASE:
		return s->fs.base;
	case VREG_GS_BASE:
		return s->gs.base;
	case VREG_KERNEL_GS_BASE:
		return s->kernel_gs_base;
	case VREG_SYSENTER_CS:
		return s->sysenter_cs;
	case VREG_SYSENTER_ESP:
		return s->sysenter_esp;
	case VREG_SYSENTER_EIP:
		return s->sysenter_eip;
	case VREG_STAR:
		return s->star;
	case VREG_LSTAR:
		return s->lstar;
	case VREG_CSTAR:
		return s->cstar;
	case VREG_SFMASK:
		return s->sfmask;
	case VREG_PAT:
		return s->g_pat;
	default:
		return 0;
	}
}

/*
 * The guest's EFER into the VMCB, with one exception.  QEMU 7.2 restores
 * the host's state at #VMEXIT CR0 first, while EFER and CR4 are still
 * the guest's, and refuses to turn paging on when EFER.LME is set and
 * CR4.PAE is not: the host then runs on with the guest's CR0, paging
 * off, and the machine is lost.  A guest may well be in that state
 * (LME set before PAE, paging off).  So while it is, LME stays out of
 * the VMCB (lme_deferred: the guest still reads it with RDMSR).  CR0
 * writes exit (always, svm_vcpu_create()), so paging cannot come on
 * without it: a MOV to CR0 with PG would get #GP anyway (long mode needs
 * PAE), and any other is done by kernel/exit.c.  Setting PAE (a CR4
 * write, which exits too) ends the state.  On hardware nothing of this
 * is needed, and nothing of it can be seen from the guest.
 */
static void svm_set_efer(struct vcpu *v, u64 value)
{
	struct vmcb *vm = vmcb_of(v);
	bool defer = (value & EFER_LME) && !(vm->save.cr0 & CR0_PG) && !(vm->save.cr4 & CR4_PAE);

	v->lme_deferred = defer;
	vm->save.efer = (defer ? value & ~EFER_LME : value) | EFER_SVME;
	vm->control.clean_bits &= ~VMCB_CLEAN_CRX;
}

static void svm_set(struct vcpu *v, enum vreg r, u64 value)
{
	struct vmcb_save *s = &vmcb_of(v)->save;

	bool crx = r == VREG_CR0 || r == VREG_CR0_SHADOW || r == VREG_CR3 || r == VREG_CR4 ||
		   r == VREG_EFER;

	if (crx)
		vmcb_of(v)->control.clean_bits &= ~VMCB_CLEAN_CRX;
	else if (r == VREG_PAT)
		vmcb_of(v)->control.clean_bits &= ~VMCB_CLEAN_NP;

	switch (r) {
	case VREG_RIP:
		s->rip = value;
		break;
	case VREG_RSP:
		s->rsp = value;
		break;
	case VREG_RFLAGS:
		s->rflags = value;
		break;
	case VREG_CR0:
	case VREG_CR0_SHADOW: { /* the same here: no read shadow */
		/* Paging on or off with EFER.LME turns long mode on or off (APM Vol. 2 §14.6.1). */
		u64 efer = svm_get(v, VREG_EFER);
		bool lma = (efer & EFER_LME) && (value & CR0_PG);

		s->cr0 = value;
		svm_set_efer(v, lma ? efer | EFER_LMA : efer & ~EFER_LMA);
		break;
	}
	case VREG_TPR:
		vmcb_of(v)->control.vintr = (vmcb_of(v)->control.vintr & ~VINTR_TPR) | (value & 15);
		vmcb_of(v)->control.clean_bits &= ~VMCB_CLEAN_TPR;
		break;
	case VREG_DR6:
		s->dr6 = value;
		vmcb_of(v)->control.clean_bits &= ~VMCB_CLEAN_DRX;
		break;
	case VREG_CR2:
		s->cr2 = value;
		vmcb_of(v)->control.clean_bits &= ~VMCB_CLEAN_CR2;
		/* Its run goes on with the CPU's CR2 under Bochs (load_guest_cr2). */
		if (this_cpu()->vcpu_loaded == v)
			write_cr2(value);
		break;
	case VREG_CR3:
		s->cr3 = value;
		break;
	case VREG_CR4:
		s->cr4 = value;
		svm_set_efer(v, svm_get(v, VREG_EFER));
		break;
	case VREG_EFER:
		svm_set_efer(v, value);
		break;
	case VREG_FS_BASE:
		s->fs.base = value;
		break;
	case VREG_GS_BASE:
		s->gs.base = value;
		break;
	case VREG_KERNEL_GS_BASE:
		s->kernel_gs_base = value;
		break;
	case VREG_SYSENTER_CS:
		s->sysenter_cs = value;
		break;
	case VREG_SYSENTER_ESP:
		s->sysenter_esp = value;
		break;
	case VREG_SYSENTER_EIP:
		s->sysenter_eip = value;
		break;
	case VREG_STAR:
		s->star = value;
		break;
	case VREG_LSTAR:
		s->lstar = value;
		break;
	case VREG_CSTAR:
		s->cstar = value;
		break;
	case VREG_SFMASK:
		s->sfmask = value;
		break;
	case VREG_PAT:
		s->g_pat = value;
		break;
	default:
		break;
	}
	if (crx && this_cpu()->vcpu_loaded == v)
		note(v); /* kernel/ changed it during a run: VMRUN will check this */
}

/*
 * An external interrupt goes in through EVENTINJ when the guest can take
 * it: RFLAGS.IF set, no interrupt shadow, no other event being injected
 * (APM Vol. 2 §15.20), and a priority above the guest's V_TPR.  Otherwise
 * a V_IRQ with the VINTR intercept asks for an exit as soon as it can
 * (§15.21.4), but not when the exit came inside an interrupt shadow with
 * IF set (after the guest's STI, before the next instruction): QEMU's
 * VMRUN does not restore the shadow from the VMCB, so it would take the
 * V_IRQ one instruction early.  Between STI and HLT that is a lost
 * wake-up: the interrupt comes first, and the guest then halts for good
 * (seen in the soak: both fuzzers halted after a host interrupt's exit
 * between their STI and HLT).  There the interrupt waits for the next
 * exit that is not itself inside such a shadow (an instruction's exit
 * ends it; a host interrupt's exit after the guest's next instruction
 * reports none), where svm_exit() or the scheduler's run() offers it
 * again; the slice's end makes one.  On hardware, whose VMRUN keeps the
 * shadow, the window would have been right: this costs a little time
 * there, after an exit inside a shadow that does not step over the
 * instruction.  A shadow with IF clear holds nothing back (the window
 * waits for IF anyway).
 */
static bool svm_inject_interrupt(struct vcpu *v, u8 vector)
{
	struct vmcb *vm = vmcb_of(v);
	u64 prio = vector >> 4;
	bool shadow = vm->control.interrupt_shadow & 1, on = vm->save.rflags & RFLAGS_IF;
	bool ready = on && !shadow && !(vm->control.eventinj & EVENTINJ_VALID) &&
		     prio > (vm->control.vintr & VINTR_TPR);

	vm->control.vintr = (vm->control.vintr & VINTR_TPR) | VINTR_MASKING;
	vm->control.intercept_misc1 &= ~MISC1_VINTR;
	if (ready) {
		vm->control.eventinj = EVENTINJ_VALID | EVENTINJ_TYPE_INTR | vector;
	} else if (!(shadow && on)) {
		/* The VINTR exit comes once IF and V_TPR let this priority through. */
		vm->control.vintr |= VINTR_IRQ | (prio << VINTR_PRIO_SHIFT);
		vm->control.intercept_misc1 |= MISC1_VINTR;
	}
	vm->control.clean_bits &= ~(VMCB_CLEAN_TPR | VMCB_CLEAN_INTERCEPTS);
	return ready;
}

static void svm_close_window(struct vcpu *v)
{
	struct vmcb *vm = vmcb_of(v);

	vm->control.vintr &= ~VINTR_IRQ;
	vm->control.intercept_misc1 &= ~MISC1_VINTR;
	vm->control.clean_bits &= ~(VMCB_CLEAN_TPR | VMCB_CLEAN_INTERCEPTS);
}

static void svm_inject_exception(struct vcpu *v, u8 vector, bool has_error, u32 error)
{
	u64 event = EVENTINJ_VALID | EVENTINJ_TYPE_EXCEPTION | vector |
		    (has_error ? EVENTINJ_HAS_ERROR | ((u64)error << 32) : 0);

	vmcb_of(v)->control.eventinj = event;
	entry_notes[this_cpu()->index].eventinj = event; /* for the explainer */
}

static void svm_flush_slat(struct vcpu *v)
{
	struct vmcb *vm = vmcb_of(v);

	for (u32 c = 0; c < MAX_CPUS; c++)
		if (asid_owner[c][vm->control.guest_asid] == v)
			asid_owner[c][vm->control.guest_asid] =
				NULL; /* flushed when it next runs there */
	vm->control.tlb_control =
		caps.flush_by_asid ? TLB_CONTROL_FLUSH_ASID : TLB_CONTROL_FLUSH_ALL; /* and here */
}

static void svm_dump(struct vcpu *v)
{
	struct vmcb *vm = vmcb_of(v);
	klog("  cr0=%08llx cr3=%08llx cr4=%08llx efer=%llx cs=%04x/%03x",
	     (unsigned long long)vm->save.cr0, (unsigned long long)vm->save.cr3,
	     (unsigned long long)vm->save.cr4, (unsigned long long)vm->save.efer,
	     vm->save.cs.selector, vm->save.cs.attrib);
	klog("  exitinfo1=%llx exitinfo2=%llx exitintinfo=%llx",
	     (unsigned long long)vm->control.exitinfo1, (unsigned long long)vm->control.exitinfo2,
	     (unsigned long long)vm->control.exitintinfo);
}

/* A guest's CR4 writes run natively under SVM: the CPU itself refuses what it lacks. */
static u64 svm_guest_cr4(void)
{
	return ~0ull;
}

/* SVM has no preemption timer: the watchdog of kernel/watchdog.c ends slices. */
static bool svm_slice_timer(void)
{
	return false;
}

const struct virt_ops svm_ops = {
	.name = "svm",
	.detect = svm_detect,
	.report = svm_report,
	.cpu_enable = svm_cpu_enable,
	.guest_cr4 = svm_guest_cr4,
	.slice_timer = svm_slice_timer,
	.vcpu_create = svm_vcpu_create,
	.vcpu_destroy = svm_vcpu_destroy,
	.vcpu_reset = svm_vcpu_reset,
	.vcpu_run = svm_vcpu_run,
	.get = svm_get,
	.set = svm_set,
	.mode = svm_mode,
	.inject_interrupt = svm_inject_interrupt,
	.close_window = svm_close_window,
	.inject_exception = svm_inject_exception,
	.flush_slat = svm_flush_slat,
	.exit_name = exit_name,
	.dump = svm_dump,
	.slat = &svm_npt_format,
};
