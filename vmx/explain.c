/*
 * The VM-entry failure explainer.  When VMLAUNCH/VMRESUME fails, or the
 * entry fails with exit reason 33/34/41, it prints the error in words
 * and then re-runs in software the checks of SDM 3C chapter 27 that
 * cloison's VMCS could plausibly break, naming the first that fails.
 * Hardware does not say which check failed; this is the next best thing.
 */
#include "kernel/console.h"
#include "kernel/trap.h"
#include "kernel/virt.h"
#include "lib/x86.h"
#include "vmx/vmcs.h"
#include "vmx/vmx.h"

/* VM-instruction error numbers, SDM 3C §31.4. */
static const char *const insn_errors[] = {
	[1] = "VMCALL executed in VMX root operation",
	[2] = "VMCLEAR with an invalid physical address",
	[3] = "VMCLEAR with the VMXON pointer",
	[4] = "VMLAUNCH with a non-clear VMCS",
	[5] = "VMRESUME with a non-launched VMCS",
	[6] = "VMRESUME after VMXOFF",
	[7] = "VM entry with invalid control fields",
	[8] = "VM entry with invalid host-state fields",
	[9] = "VMPTRLD with an invalid physical address",
	[10] = "VMPTRLD with the VMXON pointer",
	[11] = "VMPTRLD with an incorrect VMCS revision identifier",
	[12] = "VMREAD/VMWRITE of an unsupported VMCS component",
	[13] = "VMWRITE to a read-only VMCS component",
	[15] = "VMXON executed in VMX root operation",
	[16] = "VM entry with an invalid executive-VMCS pointer",
	[17] = "VM entry with a non-launched executive VMCS",
	[18] = "VM entry with an executive-VMCS pointer that is not the VMXON pointer",
	[26] = "VM entry with events blocked by MOV SS",
	[28] = "invalid operand to INVEPT/INVVPID",
};

static const char *const reason_names[VMX_EXIT_REASON_COUNT] = {
	[VMX_EXIT_EXCEPTION_NMI] = "exception or NMI",
	[VMX_EXIT_EXTERNAL_INTERRUPT] = "external interrupt",
	[VMX_EXIT_TRIPLE_FAULT] = "triple fault",
	[VMX_EXIT_INIT] = "INIT signal",
	[VMX_EXIT_SIPI] = "start-up IPI",
	[VMX_EXIT_INTERRUPT_WINDOW] = "interrupt window",
	[VMX_EXIT_NMI_WINDOW] = "NMI window",
	[VMX_EXIT_TASK_SWITCH] = "task switch",
	[VMX_EXIT_CPUID] = "CPUID",
	[VMX_EXIT_GETSEC] = "GETSEC",
	[VMX_EXIT_HLT] = "HLT",
	[VMX_EXIT_INVD] = "INVD",
	[VMX_EXIT_INVLPG] = "INVLPG",
	[VMX_EXIT_RDPMC] = "RDPMC",
	[VMX_EXIT_RDTSC] = "RDTSC",
	[VMX_EXIT_RSM] = "RSM",
	[VMX_EXIT_VMCALL] = "VMCALL",
	[VMX_EXIT_VMCLEAR] = "VMCLEAR",
	[VMX_EXIT_VMLAUNCH] = "VMLAUNCH",
	[VMX_EXIT_VMPTRLD] = "VMPTRLD",
	[VMX_EXIT_VMPTRST] = "VMPTRST",
	[VMX_EXIT_VMREAD] = "VMREAD",
	[VMX_EXIT_VMRESUME] = "VMRESUME",
	[VMX_EXIT_VMWRITE] = "VMWRITE",
	[VMX_EXIT_VMXOFF] = "VMXOFF",
	[VMX_EXIT_VMXON] = "VMXON",
	[VMX_EXIT_CR_ACCESS] = "control-register access",
	[VMX_EXIT_DR_ACCESS] = "debug-register access",
	[VMX_EXIT_IO] = "I/O instruction",
	[VMX_EXIT_RDMSR] = "RDMSR",
	[VMX_EXIT_WRMSR] = "WRMSR",
	[VMX_EXIT_INVALID_GUEST_STATE] = "VM entry failure: invalid guest state",
	[VMX_EXIT_MSR_LOADING] = "VM entry failure: MSR loading",
	[VMX_EXIT_MWAIT] = "MWAIT",
	[VMX_EXIT_MONITOR_TRAP] = "monitor trap flag",
	[VMX_EXIT_MONITOR] = "MONITOR",
	[VMX_EXIT_PAUSE] = "PAUSE",
	[VMX_EXIT_MACHINE_CHECK] = "VM entry failure: machine check",
	[VMX_EXIT_EPT_VIOLATION] = "EPT violation",
	[VMX_EXIT_EPT_MISCONFIG] = "EPT misconfiguration",
	[VMX_EXIT_INVEPT] = "INVEPT",
	[VMX_EXIT_RDTSCP] = "RDTSCP",
	[VMX_EXIT_PREEMPTION_TIMER] = "preemption timer",
	[VMX_EXIT_INVVPID] = "INVVPID",
	[VMX_EXIT_WBINVD] = "WBINVD",
	[VMX_EXIT_XSETBV] = "XSETBV",
	[VMX_EXIT_VMFUNC] = "VMFUNC",
};

const char *vmx_exit_reason_name(u32 reason)
{
	if (reason < VMX_EXIT_REASON_COUNT && reason_names[reason])
		return reason_names[reason];
	return "unknown exit reason";
}

/* Report one failed check; returns true so callers can stop at the first. */
static bool fail(const char *what, const char *where)
{
	klog("vmx:   check failed: %s (SDM 3C %s)", what, where);
	return true;
}

static bool control_ok(u32 msr, u32 value)
{
	u64 caps = rdmsr(msr);
	return (value & (u32)caps) == (u32)caps && (value & ~(u32)(caps >> 32)) == 0;
}

/* Interruption types of the VM-entry interruption-information field (SDM 3C §25.8.3). */
#define INTR_TYPE_RESERVED 1
#define INTR_TYPE_SW_INTERRUPT 4
#define INTR_TYPE_PRIV_SW_EXCEPTION 5
#define INTR_TYPE_SW_EXCEPTION 6
#define INTR_TYPE_OTHER 7
#define INTR_INFO_RESERVED 0x7ffff000u		/* bits 30:12 */
#define PROC_MONITOR_TRAP_FLAG (1u << 27)	/* SDM 3C §25.6.2 */
#define MISC_ZERO_LENGTH_INJECTION (1ull << 30) /* SDM 3D §A.6 */

/* Exceptions that push an error code, as SDM 3C §27.2.1.3 lists them. */
static bool pushes_error(u32 vector)
{
	return vector == EXC_DF || (vector >= EXC_TS && vector <= EXC_PF) || vector == EXC_AC;
}

/* The event to inject at entry, if any (SDM 3C §27.2.1.3, "event injection"). */
static bool check_event_injection(bool tc)
{
	u32 info = vmcs_read32(VMCS_ENTRY_INTR_INFO);
	u32 type = (info >> INTR_INFO_TYPE_SHIFT) & 7, vector = info & INTR_INFO_VECTOR;
	bool ug = vmcs_read32(VMCS_PROC2_CONTROLS) & PROC2_UNRESTRICTED_GUEST;
	bool want_error = type == INTR_TYPE_HW_EXCEPTION && pushes_error(vector) &&
			  (!ug || (vmcs_readn(VMCS_GUEST_CR0) & CR0_PE));
	u32 len = vmcs_read32(VMCS_ENTRY_INSTR_LEN);
	bool mtf = vmx_allowed1(rdmsr(tc ? MSR_VMX_TRUE_PROCBASED_CTLS : MSR_VMX_PROCBASED_CTLS)) &
		   PROC_MONITOR_TRAP_FLAG;

	if (!(info & INTR_INFO_VALID))
		return false;
	klog("vmx:   event to inject: 0x%08x (type %u, vector %u)", info, type, vector);
	if (type == INTR_TYPE_RESERVED || (type == INTR_TYPE_OTHER && !mtf))
		return fail("event injection with a reserved interruption type", "§27.2.1.3");
	if (type == INTR_TYPE_NMI && vector != EXC_NMI)
		return fail("NMI injection with a vector other than 2", "§27.2.1.3");
	if (type == INTR_TYPE_HW_EXCEPTION && vector > 31)
		return fail("hardware exception injection with a vector above 31", "§27.2.1.3");
	if (type == INTR_TYPE_OTHER && vector != 0)
		return fail("other-event injection with a vector other than 0", "§27.2.1.3");
	if (!!(info & INTR_INFO_HAS_ERROR) != want_error)
		return fail("deliver-error-code bit does not fit the event's type and vector",
			    "§27.2.1.3");
	if (info & INTR_INFO_RESERVED)
		return fail("event injection with reserved bits 30:12 set", "§27.2.1.3");
	if ((type == INTR_TYPE_SW_INTERRUPT || type == INTR_TYPE_PRIV_SW_EXCEPTION ||
	     type == INTR_TYPE_SW_EXCEPTION) &&
	    (len > 15 || (len == 0 && !(rdmsr(MSR_VMX_MISC) & MISC_ZERO_LENGTH_INJECTION))))
		return fail("software event injection with an instruction length outside 1-15",
			    "§27.2.1.3");
	return false;
}

static bool check_controls(void)
{
	bool tc = rdmsr(MSR_VMX_BASIC) & VMX_BASIC_TRUE_CTLS;
	u32 proc = vmcs_read32(VMCS_PROC_CONTROLS), proc2 = vmcs_read32(VMCS_PROC2_CONTROLS);
	u64 eptp = vmcs_read64(VMCS_EPT_POINTER);

	if (!control_ok(tc ? MSR_VMX_TRUE_PINBASED_CTLS : MSR_VMX_PINBASED_CTLS,
			vmcs_read32(VMCS_PIN_CONTROLS)))
		return fail("pin-based controls outside the capability MSR", "§27.2.1.1");
	if (!control_ok(tc ? MSR_VMX_TRUE_PROCBASED_CTLS : MSR_VMX_PROCBASED_CTLS, proc))
		return fail("processor-based controls outside the capability MSR", "§27.2.1.1");
	if ((proc & PROC_SECONDARY_CONTROLS) && !control_ok(MSR_VMX_PROCBASED_CTLS2, proc2))
		return fail("secondary controls outside IA32_VMX_PROCBASED_CTLS2", "§27.2.1.1");
	if (!control_ok(tc ? MSR_VMX_TRUE_EXIT_CTLS : MSR_VMX_EXIT_CTLS,
			vmcs_read32(VMCS_EXIT_CONTROLS)))
		return fail("VM-exit controls outside the capability MSR", "§27.2.1.2");
	if (!control_ok(tc ? MSR_VMX_TRUE_ENTRY_CTLS : MSR_VMX_ENTRY_CTLS,
			vmcs_read32(VMCS_ENTRY_CONTROLS)))
		return fail("VM-entry controls outside the capability MSR", "§27.2.1.3");
	if ((proc2 & PROC2_UNRESTRICTED_GUEST) && !(proc2 & PROC2_EPT))
		return fail("unrestricted guest without EPT", "§27.2.1.1");
	if ((proc2 & PROC2_VPID) && vmcs_read16(VMCS_VPID) == 0)
		return fail("VPID enabled with VPID 0", "§27.2.1.1");
	if ((proc2 & PROC2_EPT) && ((eptp & 7) != EPTP_WB || ((eptp >> 3) & 7) != 3))
		return fail("EPT pointer with a bad memory type or walk length", "§27.2.1.1");
	if (vmcs_read32(VMCS_CR3_TARGET_COUNT) > 4)
		return fail("CR3-target count above 4", "§27.2.1.1");
	return check_event_injection(tc);
}

static bool check_host(void)
{
	u64 cr0 = vmcs_readn(VMCS_HOST_CR0), cr4 = vmcs_readn(VMCS_HOST_CR4);

	if ((cr0 & rdmsr(MSR_VMX_CR0_FIXED0)) != rdmsr(MSR_VMX_CR0_FIXED0) ||
	    (cr0 & ~rdmsr(MSR_VMX_CR0_FIXED1)))
		return fail("host CR0 does not satisfy the fixed-bit MSRs", "§27.2.2");
	if ((cr4 & rdmsr(MSR_VMX_CR4_FIXED0)) != rdmsr(MSR_VMX_CR4_FIXED0) ||
	    (cr4 & ~rdmsr(MSR_VMX_CR4_FIXED1)))
		return fail("host CR4 does not satisfy the fixed-bit MSRs", "§27.2.2");
	if (!(vmcs_read32(VMCS_EXIT_CONTROLS) & EXIT_HOST_64BIT))
		return fail("host address-space size is clear in a 64-bit host", "§27.2.4");
	if (vmcs_read16(VMCS_HOST_CS_SEL) == 0 || vmcs_read16(VMCS_HOST_TR_SEL) == 0 ||
	    ((vmcs_read16(VMCS_HOST_CS_SEL) | vmcs_read16(VMCS_HOST_SS_SEL) |
	      vmcs_read16(VMCS_HOST_DS_SEL) | vmcs_read16(VMCS_HOST_ES_SEL) |
	      vmcs_read16(VMCS_HOST_TR_SEL)) &
	     7))
		return fail("host selectors: CS or TR null, or RPL/TI set", "§27.2.3");
	return false;
}

/* Access-rights checks for one data segment (§27.3.1.2). */
static bool check_data_segment(const char *name, u32 ar)
{
	if (ar & VMX_AR_UNUSABLE)
		return false;
	if (!(ar & SEG_ATTR_P) || !(ar & SEG_ATTR_S) || !(ar & 1)) {
		klog("vmx:   %s access rights 0x%x: need present, code/data, accessed", name, ar);
		return fail("data segment access rights", "§27.3.1.2");
	}
	return false;
}

static bool limit_granularity_ok(u32 limit, u32 ar)
{
	if ((limit & 0xfff) != 0xfff && (ar & SEG_ATTR_G))
		return false;
	if ((limit & 0xfff00000u) && !(ar & SEG_ATTR_G))
		return false;
	return true;
}

static bool check_guest(void)
{
	u64 cr0 = vmcs_readn(VMCS_GUEST_CR0), cr4 = vmcs_readn(VMCS_GUEST_CR4);
	u64 efer = vmcs_read64(VMCS_GUEST_EFER), rflags = vmcs_readn(VMCS_GUEST_RFLAGS);
	bool ia32e = vmcs_read32(VMCS_ENTRY_CONTROLS) & ENTRY_IA32E_GUEST;
	bool ug = vmcs_read32(VMCS_PROC2_CONTROLS) & PROC2_UNRESTRICTED_GUEST;
	u64 fixed0 = rdmsr(MSR_VMX_CR0_FIXED0) & (ug ? ~(CR0_PE | CR0_PG) : ~0ull);
	u32 cs_ar = vmcs_read32(VMCS_GUEST_CS_AR), tr_ar = vmcs_read32(VMCS_GUEST_TR_AR);
	u32 ss_ar = vmcs_read32(VMCS_GUEST_SS_AR), ldtr_ar = vmcs_read32(VMCS_GUEST_LDTR_AR);
	static const struct {
		const char *name;
		u32 ar, limit;
	} data[] = {
		{ "SS", VMCS_GUEST_SS_AR, VMCS_GUEST_SS_LIMIT },
		{ "DS", VMCS_GUEST_DS_AR, VMCS_GUEST_DS_LIMIT },
		{ "ES", VMCS_GUEST_ES_AR, VMCS_GUEST_ES_LIMIT },
		{ "FS", VMCS_GUEST_FS_AR, VMCS_GUEST_FS_LIMIT },
		{ "GS", VMCS_GUEST_GS_AR, VMCS_GUEST_GS_LIMIT },
	};

	if ((cr0 & fixed0) != fixed0 || (cr0 & ~rdmsr(MSR_VMX_CR0_FIXED1)))
		return fail("guest CR0 does not satisfy IA32_VMX_CR0_FIXED0/1", "§27.3.1.1");
	if ((cr0 & CR0_PG) && !(cr0 & CR0_PE))
		return fail("guest CR0.PG set with CR0.PE clear", "§27.3.1.1");
	if ((cr4 & rdmsr(MSR_VMX_CR4_FIXED0)) != rdmsr(MSR_VMX_CR4_FIXED0) ||
	    (cr4 & ~rdmsr(MSR_VMX_CR4_FIXED1)))
		return fail("guest CR4 does not satisfy IA32_VMX_CR4_FIXED0/1", "§27.3.1.1");
	if (ia32e && (!(cr0 & CR0_PG) || !(cr4 & CR4_PAE)))
		return fail("IA-32e mode guest without CR0.PG and CR4.PAE", "§27.3.1.1");
	if (efer & ~(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE))
		return fail("guest EFER has reserved bits set", "§27.3.1.1");
	if (!!(efer & EFER_LMA) != ia32e)
		return fail("guest EFER.LMA differs from the IA-32e mode guest control",
			    "§27.3.1.1");
	if ((cr0 & CR0_PG) && !!(efer & EFER_LMA) != !!(efer & EFER_LME))
		return fail("guest EFER.LMA differs from EFER.LME with paging on", "§27.3.1.1");
	if (!(rflags & 2) || (rflags & 0xffffffffffc08028ull))
		return fail("guest RFLAGS reserved bits", "§27.3.1.4");
	if (!(cs_ar & SEG_ATTR_P) || !(cs_ar & SEG_ATTR_S) ||
	    !((cs_ar & 0x9) == 0x9 || (ug && (cs_ar & 0xf) == 3)))
		return fail("guest CS access rights (type, S or P)", "§27.3.1.2");
	if (ia32e && (cs_ar & SEG_ATTR_L) && (cs_ar & SEG_ATTR_D))
		return fail("guest CS has both L and D set in IA-32e mode", "§27.3.1.2");
	if (!limit_granularity_ok(vmcs_read32(VMCS_GUEST_CS_LIMIT), cs_ar))
		return fail("guest CS limit does not match its G bit", "§27.3.1.2");
	if (!(ss_ar & VMX_AR_UNUSABLE) && (ss_ar & 0xf) != 3 && (ss_ar & 0xf) != 7)
		return fail("guest SS type is not read/write data", "§27.3.1.2");
	for (u32 i = 0; i < sizeof(data) / sizeof(data[0]); i++) {
		u32 ar = (u32)vmcs_read(data[i].ar);
		if (check_data_segment(data[i].name, ar))
			return true;
		if (!(ar & VMX_AR_UNUSABLE) &&
		    !limit_granularity_ok((u32)vmcs_read(data[i].limit), ar))
			return fail("a data segment limit does not match its G bit", "§27.3.1.2");
	}
	if ((tr_ar & VMX_AR_UNUSABLE) || (tr_ar & SEG_ATTR_S) || !(tr_ar & SEG_ATTR_P) ||
	    ((tr_ar & 0xf) != 11 && (ia32e || (tr_ar & 0xf) != 3)))
		return fail("guest TR must be a usable, present, busy TSS", "§27.3.1.2");
	if (!(ldtr_ar & VMX_AR_UNUSABLE) &&
	    ((ldtr_ar & 0xf) != 2 || (ldtr_ar & SEG_ATTR_S) || !(ldtr_ar & SEG_ATTR_P)))
		return fail("guest LDTR is usable but not a present LDT", "§27.3.1.2");
	if (vmcs_read32(VMCS_GUEST_GDTR_LIMIT) > 0xffff ||
	    vmcs_read32(VMCS_GUEST_IDTR_LIMIT) > 0xffff)
		return fail("guest GDTR/IDTR limit above 0xffff", "§27.3.1.3");
	if (vmcs_read32(VMCS_GUEST_ACTIVITY) > 3)
		return fail("guest activity state out of range", "§27.3.1.5");
	if (vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY) & ~0x1full)
		return fail("guest interruptibility reserved bits", "§27.3.1.5");
	if (vmcs_read64(VMCS_LINK_POINTER) != ~0ull)
		return fail("VMCS link pointer is not all ones", "§27.3.1.5");
	return false;
}

void vmx_explain_entry_failure(struct vcpu *v, bool instruction_failed, u32 reason)
{
	bool found;
	(void)v;

	if (instruction_failed) {
		u32 err = vmcs_read32(VMCS_INSTRUCTION_ERROR);
		const char *what =
			err < sizeof(insn_errors) / sizeof(insn_errors[0]) && insn_errors[err]
				? insn_errors[err]
				: "unknown error (or VMfailInvalid: no current VMCS)";
		klog("vmx: VM entry failed: VM-instruction error %u: %s", err, what);
		found = err == 7 ? check_controls() : err == 8 ? check_host() : true;
	} else {
		klog("vmx: VM entry failed: exit reason %u: %s (qualification %llu)",
		     reason & 0xffff, vmx_exit_reason_name(reason & 0xffff),
		     (unsigned long long)vmcs_readn(VMCS_EXIT_QUALIFICATION));
		found = (reason & 0xffff) != VMX_EXIT_INVALID_GUEST_STATE || check_guest();
	}
	if (!found)
		klog("vmx:   no software check matched; the emulator's log or the SDM 3C chapter "
		     "27 "
		     "list has the rest");
}
