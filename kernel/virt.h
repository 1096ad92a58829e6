/*
 * The vendor contract: everything kernel/ asks of a virtualization
 * backend.  vmx/ (Intel VT-x) and svm/ (AMD-V) each provide one
 * struct virt_ops; virt_init() picks one at boot from CPUID.  kernel/
 * never names a vendor: backends decode their exits into struct vm_exit
 * (kernel/vmexit.h) and kernel/ decides what happens.
 */
#ifndef KERNEL_VIRT_H
#define KERNEL_VIRT_H

#include "kernel/vcpu.h"
#include "kernel/vmexit.h"
#include "lib/types.h"

/*
 * Second-level page-table entry encoding.  EPT and NPT share the 4-level
 * radix layout and differ only in these bits; kernel/slat.c builds both.
 * level: 0 = 4 KiB leaf, 1 = 2 MiB leaf, 2 = 1 GiB leaf.
 */
struct slat_format {
	u64 (*leaf)(u64 host_phys, int level); /* RWX, write-back */
	u64 (*table)(u64 table_phys);	       /* pointer to the next level */
	bool (*present)(u64 entry);
	bool (*large)(u64 entry); /* a 2 MiB or 1 GiB leaf */
};

struct virt_ops {
	const char *name;
	/* CPUID says the extension exists. */
	bool (*detect)(void);
	/* Print the capability report; false if the extension cannot be used. */
	bool (*report)(void);
	/* Turn virtualization on for the calling CPU; 0 or -errno (already explained). */
	int (*cpu_enable)(void);
	/* The CR4 bits a guest may hold while this backend runs it (VMX: the fixed-1 MSR). */
	u64 (*guest_cr4)(void);
	/*
	 * True when the backend ends a slice inside any guest by itself (VMX:
	 * the preemption timer); otherwise kernel/watchdog.c sees to it.
	 * Valid once cpu_enable() has run on the boot CPU.
	 */
	bool (*slice_timer)(void);
	/* Allocate and set up the VMCS/VMCB of v for the partition's SLAT root. */
	int (*vcpu_create)(struct vcpu *v, u64 slat_root, u32 tag);
	void (*vcpu_destroy)(struct vcpu *v);
	/* Put v in the Multiboot1 entry state. */
	void (*vcpu_reset)(struct vcpu *v, const struct vcpu_boot_state *s);
	/*
	 * Run v: enter the guest, and at each exit decode it and call
	 * exit_handle() (kernel/exit.c) at once, on the host stack, with
	 * the guest's registers saved; resume the guest while it returns
	 * true.  Returns once it returns false.  Handling exits inside the
	 * loop keeps the common round trip short (docs/benchmarks.md).
	 */
	void (*vcpu_run)(struct vcpu *v);
	u64 (*get)(struct vcpu *v, enum vreg r);
	void (*set)(struct vcpu *v, enum vreg r, u64 value);
	/*
	 * The guest's execution mode (guest_mode_of()) and in *cpl the
	 * privilege of the code running, 3 in virtual-8086 mode: one call,
	 * where get() would take five (every hypercall asks for both).
	 */
	enum guest_mode (*mode)(struct vcpu *v, u32 *cpl);
	/*
	 * Deliver external interrupt `vector` to the guest.  True when it is
	 * committed (taken at the next entry, or by the CPU itself as soon as
	 * the guest's IF allows); false when the guest cannot take it now: the
	 * backend then asks for an EXIT_INTR_WINDOW exit, to try again.
	 */
	bool (*inject_interrupt)(struct vcpu *v, u8 vector);
	/* No interrupt waits any more (its device withdrew it): close the window opened for it. */
	void (*close_window)(struct vcpu *v);
	/* Deliver an exception to the guest at the next entry. */
	void (*inject_exception)(struct vcpu *v, u8 vector, bool has_error, u32 error);
	/* Drop cached second-level translations of v (after SLAT changes). */
	void (*flush_slat)(struct vcpu *v);
	/* The vendor's name for the exit's raw_code, for reports. */
	const char *(*exit_name)(const struct vm_exit *e);
	/* Print the vendor state of v (crash records), one "cloison:   " line each. */
	void (*dump)(struct vcpu *v);
	const struct slat_format *slat;
};

extern const struct virt_ops vmx_ops, svm_ops;

/* The chosen backend, or NULL when the CPU has neither extension. */
extern const struct virt_ops *virt;

/* Pick the backend and print its capability report. */
void virt_init(void);

/* One capability line, "cloison: <feature>: yes|no". */
void virt_report_feature(const char *feature, bool present);

/* The guest's execution mode: virt->mode(). */
enum guest_mode virt_guest_mode(struct vcpu *v);

#endif
