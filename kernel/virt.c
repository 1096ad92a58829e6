/*
 * Chooses the virtualization backend from CPUID and prints what the CPU
 * can virtualize.  The backends themselves live in vmx/ and svm/ and
 * are reached only through struct virt_ops.
 */
#include "kernel/virt.h"
#include "kernel/console.h"
#include "lib/x86.h"

const struct virt_ops *virt;

void virt_report_feature(const char *feature, bool present)
{
	klog("%s: %s", feature, present ? "yes" : "no");
}

void virt_init(void)
{
	static const struct virt_ops *const backends[] = { &vmx_ops, &svm_ops };

	for (u32 i = 0; i < sizeof(backends) / sizeof(backends[0]); i++) {
		if (!backends[i]->detect())
			continue;
		if (backends[i]->report())
			virt = backends[i];
		else
			klog("%s: present but unusable on this machine", backends[i]->name);
		return;
	}
	virt_report_feature("vmx", false);
	virt_report_feature("svm", false);
	klog("this CPU offers neither Intel VT-x nor AMD-V; no partition can run");
}

enum guest_mode virt_guest_mode(struct vcpu *v)
{
	u32 cpl;

	return virt->mode(v, &cpl);
}
