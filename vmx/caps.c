/*
 * VMX detection and the capability report: reads CPUID and the VMX
 * capability MSRs (the TRUE_* variants where IA32_VMX_BASIC[55] says
 * they exist, SDM 3D §A.2) and prints one line per feature.  Also says
 * when firmware locked VMX off through IA32_FEATURE_CONTROL.
 */
#include "kernel/console.h"
#include "kernel/virt.h"
#include "lib/x86.h"
#include "vmx/vmx.h"

bool vmx_detect(void)
{
	return cpuid(1, 0).ecx & CPUID1_ECX_VMX;
}

bool vmx_report(void)
{
	/* lab 1: report what VT-x offers, from its capability MSRs */
	u64 basic = rdmsr(MSR_VMX_BASIC);
	bool true_ctls = basic & VMX_BASIC_TRUE_CTLS;
	u64 fc = rdmsr(MSR_IA32_FEATURE_CONTROL);
	bool locked_off = (fc & FEATURE_CONTROL_LOCK) && !(fc & FEATURE_CONTROL_VMX_OUTSIDE_SMX);
	u32 pin =
		vmx_allowed1(rdmsr(true_ctls ? MSR_VMX_TRUE_PINBASED_CTLS : MSR_VMX_PINBASED_CTLS));
	u32 proc = vmx_allowed1(
		rdmsr(true_ctls ? MSR_VMX_TRUE_PROCBASED_CTLS : MSR_VMX_PROCBASED_CTLS));
	u32 proc2 =
		(proc & PROC_SECONDARY_CONTROLS) ? vmx_allowed1(rdmsr(MSR_VMX_PROCBASED_CTLS2)) : 0;
	u64 ept = (proc2 & (PROC2_EPT | PROC2_VPID)) ? rdmsr(MSR_VMX_EPT_VPID_CAP) : 0;
	bool has_ept = (proc2 & PROC2_EPT) && (ept & EPT_CAP_WALK_4) && (ept & EPT_CAP_WB);

	virt_report_feature("vmx", !locked_off);
	if (locked_off)
		klog("vmx: firmware locked VT-x off (IA32_FEATURE_CONTROL); enable Intel "
		     "Virtualization Technology in the firmware setup");
	virt_report_feature("ept", has_ept);
	virt_report_feature("ept-2m", has_ept && (ept & EPT_CAP_2M));
	virt_report_feature("ept-1g", has_ept && (ept & EPT_CAP_1G));
	virt_report_feature("vpid", proc2 & PROC2_VPID);
	virt_report_feature("unrestricted-guest", proc2 & PROC2_UNRESTRICTED_GUEST);
	virt_report_feature("preemption-timer", pin & PIN_PREEMPTION_TIMER);
	return !locked_off;
	/* lab 1: end */
}
