/*
 * Per-vCPU register state that neither the VMCS nor the VMCB switches:
 * the x87, SSE and AVX registers (and PKRU and AVX-512 where the CPU
 * has them) in an XSAVE image, XCR0, and the debug address registers
 * DR0-DR3.  A CPU keeps the registers of the last vCPU it ran (its
 * owner) and switches them eagerly, when it is about to run another
 * vCPU: never on an exit, so the common round trip pays nothing.  The
 * hypervisor itself never touches these registers (it is built with
 * -mgeneral-regs-only), so they may stay loaded while it runs.
 * docs/benchmarks.md gives the cost of a switch.
 */
#ifndef KERNEL_XSTATE_H
#define KERNEL_XSTATE_H

#include "lib/types.h"

struct vcpu;

/*
 * Once, on the boot CPU, from what kernel/cpuid.c decided: whether XSAVE
 * is offered (otherwise FXSAVE moves the x87 and SSE registers), and the
 * XSAVE components guests may enable.  Given, not read from cpuid.c,
 * which asks this file for a guest's XCR0.
 */
void xstate_init(bool xsave, u64 components);
/* On every CPU, before any guest runs: enable FXSAVE/XSAVE for the host's own use. */
void xstate_cpu_init(void);
/* Give v its state image, in the reset state; 0 or -ENOMEM. */
int xstate_vcpu_init(struct vcpu *v);
/* Scrub and free v's image; no CPU keeps v as its owner. */
void xstate_vcpu_free(struct vcpu *v);
/* Put v back in the architectural reset state (x87 FCW 0x37F, MXCSR 0x1F80, XCR0 1, DRs 0). */
void xstate_reset(struct vcpu *v);
/*
 * Before running v on this CPU: if the CPU holds another vCPU's
 * registers (or none), save them and load v's, and return true (a
 * switch of context, for kernel/spec.c); false when v's are there.
 */
bool xstate_switch_to(struct vcpu *v);
/* v's XCR0 as the guest last set it (read from the CPU while v owns it). */
u64 xstate_xcr0(struct vcpu *v);
/*
 * XSETBV from v (XCR number index, value): 0, or -EPERM when the guest
 * must get #GP, as on hardware (SDM 2, XSETBV): a register other than
 * XCR0, x87 off, AVX without SSE, AVX-512 in part, or a component that
 * is not offered.  v must be the running vCPU.
 */
int xstate_set_xcr(struct vcpu *v, u32 index, u64 value);

#endif
