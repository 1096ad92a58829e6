/*
 * AMD-V definitions used by the SVM backend: the VM_CR MSR and the
 * feature bits of CPUID Fn8000_000A (APM Vol. 2 §15.4, §15.30.1).
 */
#ifndef SVM_SVM_H
#define SVM_SVM_H

#include "lib/types.h"

#define MSR_VM_CR 0xc0010114
#define VM_CR_LOCK (1ull << 3)
#define VM_CR_SVMDIS (1ull << 4)
#define MSR_VM_HSAVE_PA 0xc0010117

/* CPUID Fn8000_000A EDX (APM Vol. 3, appendix E.4.9). */
#define SVM_FEAT_NPT (1u << 0)
#define SVM_FEAT_NRIPS (1u << 3)
#define SVM_FEAT_FLUSH_BY_ASID (1u << 6)
#define SVM_FEAT_DECODE_ASSISTS (1u << 7)

/* Detection and the capability report (svm/caps.c). */
bool svm_detect(void);
bool svm_report(void);

struct guest_regs;
struct vcpu;

/* World switch (svm/entry.S): runs v until svm_exit() returns false. */
void svm_enter(struct vcpu *v, u64 vmcb_phys, u64 host_save_phys);
/* Called by the stub at each #VMEXIT: handle it; true to resume the guest. */
bool svm_exit(struct vcpu *v);

/*
 * The fields that VMRUN's consistency checks read, noted by svm_vcpu_run()
 * before it enters the guest: after VMEXIT_INVALID the CPU may have
 * overwritten the VMCB's copy with the host's state.
 */
struct svm_entry_note {
	u64 efer, cr0, cr3, cr4, dr6, dr7;
	u16 cs_attrib;
	u64 eventinj; /* also noted by each injection: Bochs clears the VMCB's */
};

/* Explain VMEXIT_INVALID in words (svm/explain.c). */
void svm_explain_invalid(struct vcpu *v, const struct svm_entry_note *before);
const char *svm_exit_name(u64 code);
extern const struct slat_format svm_npt_format;

#endif
