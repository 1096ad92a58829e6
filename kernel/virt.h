/*
 * The vendor contract: what kernel/ asks of a virtualization backend
 * (vmx/ for Intel VT-x, svm/ for AMD-V).  Exactly one backend is chosen
 * at boot from CPUID; kernel/ never names a vendor.  This issue's
 * contract covers detection and the capability report; the
 * virtualization core extends it with vCPU and SLAT operations.
 */
#ifndef KERNEL_VIRT_H
#define KERNEL_VIRT_H

#include "kernel/types.h"

struct virt_ops {
	const char *name;
	/* Does this CPU implement the extension at all (CPUID)? */
	bool (*detect)(void);
	/* Print the capability lines; return false if the extension is unusable. */
	bool (*report)(void);
};

extern const struct virt_ops vmx_ops, svm_ops;

/* The chosen backend, or NULL when the CPU has neither extension. */
extern const struct virt_ops *virt;

/* Pick the backend and print its capability report. */
void virt_init(void);

/* One capability line, "cloison: <feature>: yes|no". */
void virt_report_feature(const char *feature, bool present);

#endif
