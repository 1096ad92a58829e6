/*
 * The VMRUN failure explainer.  #VMEXIT with code VMEXIT_INVALID means
 * the VMCB failed a consistency check (APM Vol. 2 §15.5.1, "Canonicalization
 * and Consistency Checks").  The CPU does not say which: this re-runs
 * the checks in software and names the first that fails.  It reads the
 * VMCB after the failed VMRUN; where the CPU overwrote the guest-state
 * area (QEMU and Bochs do; see below), it checks the fields that
 * svm_vcpu_run() noted before entering instead.
 */
#include "boot/boot.h"
#include "kernel/console.h"
#include "kernel/virt.h"
#include "lib/x86.h"
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
	{ SVM_EXIT_VINTR, "virtual interrupt window" },
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
	{ SVM_EXIT_RDPMC, "RDPMC" },
	{ SVM_EXIT_RDTSCP, "RDTSCP" },
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
	/* QEMU writes VMEXIT_INVALID (-1, a 64-bit EXITCODE) as 32 bits. */
	if (code == (u32)SVM_EXIT_INVALID)
		return "VMEXIT_INVALID in the low 32 bits only";
	return "unknown exit code";
}

static bool fail(const char *what, const char *where)
{
	klog("svm:   check failed: %s (APM Vol. 2 %s)", what, where);
	return true;
}

/* Guest-state checks of the VMRUN consistency list (APM Vol. 2 §15.5.1). */
static bool check_save(const struct vmcb_save *s)
{
	bool lme_pg = (s->efer & EFER_LME) && (s->cr0 & CR0_PG);
	u32 maxphys = cpuid(0x80000008, 0).eax & 0xff;

	if (!(s->efer & EFER_SVME))
		return fail("EFER.SVME is clear in the guest state", "§15.5.1");
	if ((s->cr0 & CR0_NW) && !(s->cr0 & CR0_CD))
		return fail("CR0.NW is set while CR0.CD is clear", "§15.5.1");
	if (s->cr0 >> 32)
		return fail("CR0 bits 63:32 are not zero", "§15.5.1");
	if (s->cr3 >> maxphys)
		return fail("CR3 has bits set beyond the physical address width", "§15.5.1");
	if ((s->dr6 >> 32) || (s->dr7 >> 32))
		return fail("DR6 or DR7 bits 63:32 are not zero", "§15.5.1");
	if (s->efer & ~(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE | EFER_SVME | (1ull << 13) |
			(1ull << 14) | (1ull << 15)))
		return fail("EFER has reserved bits set", "§15.5.1");
	if (lme_pg && !(s->cr4 & CR4_PAE))
		return fail("EFER.LME and CR0.PG set with CR4.PAE clear", "§15.5.1");
	if (lme_pg && !(s->cr0 & CR0_PE))
		return fail("EFER.LME and CR0.PG set with CR0.PE clear", "§15.5.1");
	if (lme_pg && (s->cr4 & CR4_PAE) && (s->cs.attrib & (1u << 9)) &&
	    (s->cs.attrib & (1u << 10)))
		return fail("long mode with both CS.L and CS.D set", "§15.5.1");
	return false;
}

/*
 * An event to inject (EVENTINJ layout, APM Vol. 2 §15.20): TYPE 0, 2, 3
 * and 4 exist, and an exception (TYPE 3) must name one, not the NMI.
 */
static bool check_event(const char *field, u64 event)
{
	u32 type = (event >> 8) & 7, vector = event & 0xff;

	if (!(event & EVENTINJ_VALID))
		return false;
	klog("svm:   %s: 0x%llx (type %u, vector %u)", field, (unsigned long long)event, type,
	     vector);
	if (type == 1 || type > 4)
		return fail("the event to inject has a reserved TYPE", "§15.20");
	if (type == 3 && vector == 2)
		return fail("the event to inject is vector 2 (NMI) as an exception", "§15.20");
	if (type == 3 && vector > 31)
		return fail("the event to inject is an exception with a vector above 31", "§15.20");
	return false;
}

/* Control-area checks (APM Vol. 2 §15.5.1), then the event to inject. */
static bool check_control(const struct vmcb_control *c, u64 noted_event)
{
	u32 maxphys = cpuid(0x80000008, 0).eax & 0xff;

	if (!(c->intercept_misc2 & MISC2_VMRUN))
		return fail("the VMRUN intercept is clear", "§15.5.1");
	if ((c->iopm_base_pa >> maxphys) || (c->msrpm_base_pa >> maxphys))
		return fail("IOPM or MSRPM address beyond the physical address width", "§15.5.1");
	if (c->guest_asid == 0)
		return fail("guest ASID is 0", "§15.5.1");
	/*
	 * The CPU may have moved a refused event to EXITINTINFO (§15.7.2),
	 * or (Bochs) cleared EVENTINJ: then the event noted at injection.
	 */
	if (!(c->eventinj & EVENTINJ_VALID) && !(c->exitintinfo & EVENTINJ_VALID))
		return check_event("event injected (as noted)", noted_event);
	return check_event("EVENTINJ", c->eventinj) ||
	       check_event("event being injected (EXITINTINFO)", c->exitintinfo);
}

/*
 * After VMEXIT_INVALID, QEMU and Bochs write the host's state (the one
 * VMRUN was executed in) into the guest-state area, so the values that
 * were refused are gone.  The host's CR3 and 64-bit CS give it away.
 */
static bool holds_host_state(const struct vmcb_save *s)
{
	return s->cs.selector == SEL_CODE64 && (s->cs.attrib & (1u << 9)) && s->cr3 == read_cr3();
}

void svm_explain_invalid(struct vcpu *v, const struct svm_entry_note *before)
{
	const struct vmcb *vm = v->vmcs;
	struct vmcb_save noted = { 0 };
	bool found;

	klog("svm: VMRUN failed: VMEXIT_INVALID (the VMCB failed a consistency check)");
	if (holds_host_state(&vm->save)) {
		klog("svm:   the CPU overwrote the guest-state area with the host's state; "
		     "checking the values noted before VMRUN");
		noted.efer = before->efer;
		noted.cr0 = before->cr0;
		noted.cr3 = before->cr3;
		noted.cr4 = before->cr4;
		noted.dr6 = before->dr6;
		noted.dr7 = before->dr7;
		noted.cs.attrib = before->cs_attrib;
		found = check_save(&noted) || check_control(&vm->control, before->eventinj);
	} else {
		found = check_save(&vm->save) || check_control(&vm->control, before->eventinj);
	}
	if (!found) {
		klog("svm:   no software check matched; the emulator's log or APM Vol. 2 §15.5.1 "
		     "has the rest");
		klog("svm:   noted before VMRUN: efer=%llx cr0=%llx cr3=%llx cr4=%llx dr6=%llx "
		     "dr7=%llx cs attributes=%x",
		     (unsigned long long)before->efer, (unsigned long long)before->cr0,
		     (unsigned long long)before->cr3, (unsigned long long)before->cr4,
		     (unsigned long long)before->dr6, (unsigned long long)before->dr7,
		     before->cs_attrib);
	}
}
