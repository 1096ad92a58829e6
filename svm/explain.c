/*
 * The VMRUN failure explainer.  #VMEXIT with code VMEXIT_INVALID means
 * the VMCB failed a consistency check (APM Vol. 2 §15.5.1, "Canonicalization
 * and Consistency Checks").  The CPU does not say which: this re-runs
 * the checks in software and names the first that fails.
 */
#include "kernel/console.h"
#include "kernel/virt.h"
#include "kernel/x86.h"
#include "svm/svm.h"
#include "svm/vmcb.h"

static const struct {
	u64 code;
	const char *name;
} names[] = {
	{ SVM_EXIT_INTR, "physical interrupt" },
	{ SVM_EXIT_NMI, "NMI" },
	{ SVM_EXIT_CPUID, "CPUID" },
	{ SVM_EXIT_INVD, "INVD" },
	{ SVM_EXIT_HLT, "HLT" },
	{ SVM_EXIT_INVLPGA, "INVLPGA" },
	{ SVM_EXIT_IOIO, "I/O instruction" },
	{ SVM_EXIT_MSR, "RDMSR/WRMSR" },
	{ SVM_EXIT_SHUTDOWN, "shutdown (triple fault)" },
	{ SVM_EXIT_VMRUN, "VMRUN" },
	{ SVM_EXIT_VMMCALL, "VMMCALL" },
	{ SVM_EXIT_VMLOAD, "VMLOAD" },
	{ SVM_EXIT_VMSAVE, "VMSAVE" },
	{ SVM_EXIT_STGI, "STGI" },
	{ SVM_EXIT_CLGI, "CLGI" },
	{ SVM_EXIT_SKINIT, "SKINIT" },
	{ SVM_EXIT_MONITOR, "MONITOR" },
	{ SVM_EXIT_MWAIT, "MWAIT" },
	{ SVM_EXIT_NPF, "nested page fault" },
	{ (u64)SVM_EXIT_INVALID, "VMEXIT_INVALID" },
};

const char *svm_exit_name(u64 code)
{
	if (code >= SVM_EXIT_EXCEPTION_BASE && code < SVM_EXIT_EXCEPTION_BASE + 32)
		return "exception";
	for (u32 i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].code == code)
			return names[i].name;
	return "unknown exit code";
}

static bool fail(const char *what)
{
	klog("svm:   check failed: %s (APM Vol. 2 §15.5.1)", what);
	return true;
}

static bool check(const struct vmcb *vm)
{
	const struct vmcb_save *s = &vm->save;
	const struct vmcb_control *c = &vm->control;
	bool lme_pg = (s->efer & EFER_LME) && (s->cr0 & CR0_PG);
	u32 maxphys = cpuid(0x80000008, 0).eax & 0xff;

	if (!(s->efer & EFER_SVME))
		return fail("EFER.SVME is clear in the guest state");
	if ((s->cr0 & CR0_NW) && !(s->cr0 & CR0_CD))
		return fail("CR0.NW is set while CR0.CD is clear");
	if (s->cr0 >> 32)
		return fail("CR0 bits 63:32 are not zero");
	if (s->cr3 >> maxphys)
		return fail("CR3 has bits set beyond the physical address width");
	if ((s->dr6 >> 32) || (s->dr7 >> 32))
		return fail("DR6 or DR7 bits 63:32 are not zero");
	if (s->efer & ~(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE | EFER_SVME | (1ull << 13) |
			(1ull << 14) | (1ull << 15)))
		return fail("EFER has reserved bits set");
	if (lme_pg && !(s->cr4 & CR4_PAE))
		return fail("EFER.LME and CR0.PG set with CR4.PAE clear");
	if (lme_pg && !(s->cr0 & CR0_PE))
		return fail("EFER.LME and CR0.PG set with CR0.PE clear");
	if (lme_pg && (s->cr4 & CR4_PAE) && (s->cs.attrib & (1u << 9)) &&
	    (s->cs.attrib & (1u << 10)))
		return fail("long mode with both CS.L and CS.D set");
	if (!(c->intercept_misc2 & MISC2_VMRUN))
		return fail("the VMRUN intercept is clear");
	if ((c->iopm_base_pa >> maxphys) || (c->msrpm_base_pa >> maxphys))
		return fail("IOPM or MSRPM address beyond the physical address width");
	if (c->guest_asid == 0)
		return fail("guest ASID is 0");
	if ((c->eventinj & EVENTINJ_VALID) && ((c->eventinj >> 8) & 7) == 3 &&
	    (c->eventinj & 0xff) == 2)
		return fail("EVENTINJ injects vector 2 (NMI) as an exception");
	return false;
}

void svm_explain_invalid(struct vcpu *v)
{
	klog("svm: VMRUN failed: VMEXIT_INVALID (the VMCB failed a consistency check)");
	if (!check(v->vmcs))
		klog("svm:   no software check matched; the emulator's log or APM Vol. 2 §15.5.1 "
		     "has the rest");
}
