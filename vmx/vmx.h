/*
 * Intel VT-x definitions used by the VMX backend: capability MSRs and
 * the control bits read from them (SDM 3D appendix A and chapter 25).
 */
#ifndef VMX_VMX_H
#define VMX_VMX_H

#include "lib/types.h"

/* Capability MSRs (SDM 3D appendix A). */
#define MSR_VMX_BASIC 0x480
#define MSR_VMX_PINBASED_CTLS 0x481
#define MSR_VMX_PROCBASED_CTLS 0x482
#define MSR_VMX_EXIT_CTLS 0x483
#define MSR_VMX_ENTRY_CTLS 0x484
#define MSR_VMX_MISC 0x485
#define MSR_VMX_CR0_FIXED0 0x486
#define MSR_VMX_CR0_FIXED1 0x487
#define MSR_VMX_CR4_FIXED0 0x488
#define MSR_VMX_CR4_FIXED1 0x489
#define MSR_VMX_PROCBASED_CTLS2 0x48b
#define MSR_VMX_EPT_VPID_CAP 0x48c
#define MSR_VMX_TRUE_PINBASED_CTLS 0x48d
#define MSR_VMX_TRUE_PROCBASED_CTLS 0x48e
#define MSR_VMX_TRUE_EXIT_CTLS 0x48f
#define MSR_VMX_TRUE_ENTRY_CTLS 0x490

#define VMX_BASIC_TRUE_CTLS (1ull << 55) /* the TRUE_* MSRs exist (A.1) */
#define VMX_BASIC_IO_INFO (1ull << 54)	 /* INS/OUTS exits report instruction information */
#define VMX_MISC_TIMER_RATE 0x1f	 /* the preemption timer counts every 2^n TSC ticks */

/* IA32_FEATURE_CONTROL (SDM 3C §23.7). */
#define FEATURE_CONTROL_LOCK (1ull << 0)
#define FEATURE_CONTROL_VMX_OUTSIDE_SMX (1ull << 2)

/* Pin-based controls (SDM 3C §25.6.1). */
#define PIN_EXTERNAL_INTERRUPT (1u << 0)
#define PIN_NMI (1u << 3)
#define PIN_PREEMPTION_TIMER (1u << 6)
/* Primary processor-based controls (§25.6.2). */
#define PROC_INTR_WINDOW (1u << 2)
#define PROC_HLT (1u << 7)
#define PROC_MWAIT (1u << 10)
#define PROC_RDPMC (1u << 11)
#define PROC_CR3_LOAD (1u << 15)
#define PROC_CR3_STORE (1u << 16)
#define PROC_CR8_LOAD (1u << 19)
#define PROC_CR8_STORE (1u << 20)
#define PROC_IO_BITMAPS (1u << 25)
#define PROC_MSR_BITMAPS (1u << 28)
#define PROC_MONITOR (1u << 29)
#define PROC_SECONDARY_CONTROLS (1u << 31)
/* Secondary processor-based controls (§25.6.2, table 25-7). */
#define PROC2_EPT (1u << 1)
#define PROC2_RDTSCP (1u << 3) /* left clear: RDTSCP is #UD, as CPUID says */
#define PROC2_VPID (1u << 5)
#define PROC2_WBINVD (1u << 6)
#define PROC2_UNRESTRICTED_GUEST (1u << 7)
#define PROC2_INVPCID (1u << 12)
/* VM-exit controls (§25.7.1). */
#define EXIT_SAVE_DEBUG (1u << 2) /* DR7 and IA32_DEBUGCTL saved at exit */
#define EXIT_HOST_64BIT (1u << 9)
#define EXIT_SAVE_PAT (1u << 18)
#define EXIT_LOAD_PAT (1u << 19)
#define EXIT_SAVE_EFER (1u << 20)
#define EXIT_LOAD_EFER (1u << 21)
#define EXIT_SAVE_PREEMPTION_TIMER (1u << 22)
/* VM-entry controls (§25.8.1). */
#define ENTRY_LOAD_DEBUG (1u << 2) /* DR7 and IA32_DEBUGCTL loaded at entry */
#define ENTRY_IA32E_GUEST (1u << 9)
#define ENTRY_LOAD_PAT (1u << 14)
#define ENTRY_LOAD_EFER (1u << 15)

/* EPT pointer (§25.6.11): write-back, 4-level walk. */
#define EPTP_WB 6ull
#define EPTP_WALK_4 (3ull << 3)

/* Access rights "unusable" bit of a segment (§25.4.1). */
#define VMX_AR_UNUSABLE (1u << 16)

struct vcpu;
struct guest_regs;

/* Detection and the capability report (vmx/caps.c). */
bool vmx_detect(void);
bool vmx_report(void);

/*
 * World switch (vmx/entry.S): runs v until vmx_exit() returns false (0),
 * or returns non-zero if VMLAUNCH/VMRESUME failed.
 */
int vmx_enter(struct vcpu *v, u64 launched);
/* Called by the stub at each VM exit: handle it; true to resume the guest. */
bool vmx_exit(struct vcpu *v);
void vmx_exit_stub(void);

/* Explain a failed VM entry in words (vmx/explain.c). */
void vmx_explain_entry_failure(struct vcpu *v, bool instruction_failed, u32 reason);
const char *vmx_exit_reason_name(u32 reason);
extern const struct slat_format vmx_ept_format;

/* IA32_VMX_EPT_VPID_CAP (A.10). */
#define EPT_CAP_WALK_4 (1ull << 6)
#define EPT_CAP_WB (1ull << 14)
#define EPT_CAP_2M (1ull << 16)
#define EPT_CAP_1G (1ull << 17)
#define EPT_CAP_INVEPT (1ull << 20)	   /* SDM 3D appendix A.10 */
#define EPT_CAP_INVEPT_SINGLE (1ull << 25) /* single-context INVEPT */
#define EPT_CAP_INVEPT_ALL (1ull << 26)	   /* all-context INVEPT */

/* A control is usable when its allowed-1 bit (high half of the MSR) is set. */
static inline u32 vmx_allowed1(u64 msr_value)
{
	return (u32)(msr_value >> 32);
}

#endif
