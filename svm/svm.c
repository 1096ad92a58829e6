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
#include "kernel/lib.h"
#include "kernel/memory.h"
#include "kernel/paging.h"
#include "kernel/trap.h"
#include "kernel/virt.h"
#include "kernel/x86.h"
#include "svm/vmcb.h"

#define IOPM_FRAMES 3  /* 12 KiB: one bit per port, plus slack (§15.10.1) */
#define MSRPM_FRAMES 2 /* 8 KiB: two bits per MSR (§15.11) */
#define MAX_ASIDS_TRACKED 256

static struct {
	u32 nasids;
	bool nrips;
	bool flush_by_asid;
	u64 iopm, msrpm; /* shared by all vCPUs: all ones */
} caps;

static u64 hsave[MAX_CPUS];
static u64 host_save[MAX_CPUS];
/* Which vCPU last ran with each ASID on each CPU (ASIDs are shared when scarce). */
static struct vcpu *asid_owner[MAX_CPUS][MAX_ASIDS_TRACKED];
/*
 * Guest state as each CPU's current run began, for the VMRUN failure
 * explainer.  Only kernel/ changes these fields between the VMRUNs of
 * a run (a guest cannot load a state VMRUN refuses), and it does so
 * before the run (reset, selftest), so one note per run suffices.
 */
static struct svm_entry_note entry_notes[MAX_CPUS];

static struct vmcb *vmcb_of(struct vcpu *v)
{
	return v->vmcs;
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
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME);
	wrmsr(MSR_VM_HSAVE_PA, hsave[cpu]);
	/* The host's FS/GS/TR/LDTR/syscall state, restored by VMLOAD after each exit. */
	__asm__ volatile("vmsave %0" ::"a"(host_save[cpu]) : "memory");
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
	vm->control.intercept_misc1 = MISC1_INTR | MISC1_NMI | MISC1_CPUID | MISC1_INVD |
				      MISC1_HLT | MISC1_INVLPGA | MISC1_IOIO | MISC1_MSR |
				      MISC1_SHUTDOWN;
	vm->control.intercept_misc2 = MISC2_VMRUN | MISC2_VMMCALL | MISC2_VMLOAD | MISC2_VMSAVE |
				      MISC2_STGI | MISC2_CLGI | MISC2_SKINIT | MISC2_MONITOR |
				      MISC2_MWAIT;
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

static void svm_vcpu_reset(struct vcpu *v, const struct vcpu_boot_state *s)
{
	struct vmcb_save *st = &vmcb_of(v)->save;
	struct vmcb_segment data = { 0x10, ATTR_DATA32, 0xffffffffu, 0 };

	memset(&v->regs, 0, sizeof(v->regs));
	v->regs.rax = s->eax;
	v->regs.rbx = s->ebx;
	memset(st, 0, sizeof(*st));
	st->es = st->ss = st->ds = st->fs = st->gs = data;
	st->cs = (struct vmcb_segment){ 0x08, ATTR_CODE32, 0xffffffffu, 0 };
	st->tr = (struct vmcb_segment){ 0, ATTR_TSS_BUSY, 0xff, 0 };
	st->cr0 = CR0_PE | CR0_ET;
	st->efer = EFER_SVME; /* required in the guest's EFER while it runs (§15.5.1) */
	st->dr6 = 0xffff0ff0;
	st->dr7 = 0x400;
	st->rflags = 0x2;
	st->rip = s->eip;
	st->g_pat = 0x0007040600070406ull;
	vmcb_of(v)->control.eventinj = 0;
	vmcb_of(v)->control.interrupt_shadow = 0;
	vmcb_of(v)->control.vintr = VINTR_MASKING;
	vmcb_of(v)->control.intercept_misc1 &= ~MISC1_VINTR;
	vmcb_of(v)->control.clean_bits = 0;
}

/* Instruction lengths when the CPU has no NRIP save (fixed-length opcodes). */
static u32 fixed_length(u64 code)
{
	switch (code) {
	case SVM_EXIT_HLT:
		return 1;
	case SVM_EXIT_CPUID:
	case SVM_EXIT_INVD:
	case SVM_EXIT_MSR:
		return 2;
	case SVM_EXIT_VMMCALL:
		return 3;
	default:
		return 0;
	}
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
	e->insn_len = caps.nrips ? (u32)(vm->control.next_rip - vm->save.rip) : fixed_length(code);
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
		e->kind = EXIT_INVD;
		return;
	case SVM_EXIT_IOIO:
		e->kind = EXIT_IO;
		e->insn_len = (u32)(vm->control.exitinfo2 - vm->save.rip);
		e->io.port = (u16)(info1 >> 16);
		e->io.in = info1 & IOIO_IN;
		e->io.string = info1 & IOIO_STR;
		e->io.rep = info1 & IOIO_REP;
		e->io.size = (info1 & IOIO_SZ32) ? 4 : (info1 & IOIO_SZ16) ? 2 : 1;
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
		e->kind = EXIT_VIRT_INSN;
		return;
	case SVM_EXIT_NPF:
		e->kind = EXIT_SLAT_VIOLATION;
		e->slat.gpa = vm->control.exitinfo2;
		e->slat.write = info1 & NPF_WRITE;
		e->slat.fetch = info1 & NPF_FETCH;
		e->slat.read = !e->slat.write && !e->slat.fetch;
		return;
	case (u64)SVM_EXIT_INVALID:
	case (u32)SVM_EXIT_INVALID: /* QEMU writes the -1 as 32 bits */
		svm_explain_invalid(v, &entry_notes[this_cpu()->index]);
		e->kind = EXIT_ENTRY_FAILED;
		return;
	default:
		if (code >= SVM_EXIT_EXCEPTION_BASE && code < SVM_EXIT_EXCEPTION_BASE + 32) {
			e->kind = EXIT_EXCEPTION;
			e->exc.vector = (u8)(code - SVM_EXIT_EXCEPTION_BASE);
			e->exc.has_error = e->exc.vector == EXC_AC;
			e->exc.error = (u32)info1;
		} else {
			e->kind = EXIT_UNHANDLED;
		}
		return;
	}
}

static const char *exit_name(const struct vm_exit *e)
{
	return svm_exit_name(e->raw_code);
}

bool svm_exit(struct vcpu *v)
{
	struct vmcb *vm = vmcb_of(v);
	struct vm_exit e;
	u32 action;

	v->regs.rax = vm->save.rax;
	decode(v, &e); /* first: the explainer of a failed VMRUN reads EVENTINJ */
	vm->control.tlb_control = 0;
	vm->control.eventinj = 0;
	vm->control.clean_bits = VMCB_CLEAN_ALL;
	action = exit_handle(v, &e);
	if (action == EXIT_STOP)
		return false; /* v may be gone, or have a new VMCB (a restart) */
	if (action & EXIT_ADVANCE) {
		vm->save.rip += e.insn_len;
		vm->control.interrupt_shadow = 0; /* it ends with the instruction */
	}
	vm->save.rax = v->regs.rax;
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
	entry_notes[c->index] =
		(struct svm_entry_note){ vm->save.efer,	     vm->save.cr0,	  vm->save.cr3,
					 vm->save.cr4,	     vm->save.dr6,	  vm->save.dr7,
					 vm->save.cs.attrib, vm->control.eventinj };
	svm_enter(v, v->vmcs_phys, host_save[c->index]);
}

/* Neutral CS attributes (VMX layout) from the VMCB's packed form and back. */
static u64 attr_to_neutral(u16 a)
{
	return (a & 0xffu) | ((u64)(a & 0xf00u) << 4);
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
		return s->efer & ~EFER_SVME; /* the guest never sees SVME */
	case VREG_CS_BASE:
		return s->cs.base;
	case VREG_CS_SEL:
		return s->cs.selector;
	case VREG_CS_ATTR:
		return attr_to_neutral(s->cs.attrib);
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

static void svm_set(struct vcpu *v, enum vreg r, u64 value)
{
	struct vmcb_save *s = &vmcb_of(v)->save;

	if (r == VREG_CR0 || r == VREG_CR3 || r == VREG_CR4 || r == VREG_EFER)
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
		s->cr0 = value;
		break;
	case VREG_CR3:
		s->cr3 = value;
		break;
	case VREG_CR4:
		s->cr4 = value;
		break;
	case VREG_EFER:
		s->efer = value | EFER_SVME;
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
}

/*
 * An external interrupt goes in through EVENTINJ when the guest can take
 * it: RFLAGS.IF set, no interrupt shadow, no other event being injected
 * (APM Vol. 2 §15.20).  Otherwise a V_IRQ with the VINTR intercept asks
 * for an exit as soon as it can (§15.21.4).
 */
static bool svm_inject_interrupt(struct vcpu *v, u8 vector)
{
	struct vmcb *vm = vmcb_of(v);
	bool ready = (vm->save.rflags & RFLAGS_IF) && !(vm->control.interrupt_shadow & 1) &&
		     !(vm->control.eventinj & EVENTINJ_VALID);

	if (ready) {
		vm->control.eventinj = EVENTINJ_VALID | EVENTINJ_TYPE_INTR | vector;
		vm->control.vintr = VINTR_MASKING;
		vm->control.intercept_misc1 &= ~MISC1_VINTR;
	} else {
		vm->control.vintr =
			VINTR_MASKING | VINTR_IRQ | VINTR_IGN_TPR | (0xfull << VINTR_PRIO_SHIFT);
		vm->control.intercept_misc1 |= MISC1_VINTR;
	}
	vm->control.clean_bits &= ~(VMCB_CLEAN_TPR | VMCB_CLEAN_INTERCEPTS);
	return ready;
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

const struct virt_ops svm_ops = {
	.name = "svm",
	.detect = svm_detect,
	.report = svm_report,
	.cpu_enable = svm_cpu_enable,
	.vcpu_create = svm_vcpu_create,
	.vcpu_destroy = svm_vcpu_destroy,
	.vcpu_reset = svm_vcpu_reset,
	.vcpu_run = svm_vcpu_run,
	.get = svm_get,
	.set = svm_set,
	.inject_interrupt = svm_inject_interrupt,
	.inject_exception = svm_inject_exception,
	.flush_slat = svm_flush_slat,
	.exit_name = exit_name,
	.dump = svm_dump,
	.slat = &svm_npt_format,
};
