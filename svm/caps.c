/*
 * SVM detection and the capability report: CPUID Fn8000_0001 ECX.SVM,
 * the feature bits and ASID count of Fn8000_000A, and VM_CR.SVMDIS,
 * which firmware sets to turn AMD-V off (APM Vol. 2 §15.4).
 */
#include "kernel/console.h"
#include "kernel/virt.h"
#include "lib/x86.h"
#include "svm/svm.h"

bool svm_detect(void)
{
	return cpuid(0x80000000, 0).eax >= 0x8000000a &&
	       (cpuid(0x80000001, 0).ecx & CPUID81_ECX_SVM);
}

bool svm_report(void)
{
	/* lab 1: report what AMD-V offers, from CPUID 0x8000000a */
	struct cpuid_regs f = cpuid(0x8000000a, 0);
	bool disabled = rdmsr(MSR_VM_CR) & VM_CR_SVMDIS;

	virt_report_feature("svm", !disabled);
	if (disabled)
		klog("svm: firmware disabled AMD-V (VM_CR.SVMDIS); enable SVM in the firmware "
		     "setup");
	virt_report_feature("npt", f.edx & SVM_FEAT_NPT);
	virt_report_feature("nrip-save", f.edx & SVM_FEAT_NRIPS);
	virt_report_feature("decode-assists", f.edx & SVM_FEAT_DECODE_ASSISTS);
	virt_report_feature("flush-by-asid", f.edx & SVM_FEAT_FLUSH_BY_ASID);
	klog("asids: %u", f.ebx);
	return !disabled;
	/* lab 1: end */
}
