/*
 * Source of build/asm-offsets.h: structure offsets and sizes that the
 * assembly files need, computed by the compiler so they can never drift
 * from the C definitions.  Compiled with -S only; the Makefile extracts
 * the "@@OFFSET NAME value" markers.
 */
#include "kernel/cpu.h"
#include "kernel/offset.h"
#include "kernel/smp.h"
#include "kernel/trapframe.h"
#include "kernel/vcpu.h"

void asm_offsets(void);
void asm_offsets(void)
{
	OFFSET(TRAP_FRAME_SIZE, sizeof(struct trap_frame));
	OFFSET(TP_CR3, offsetof(struct trampoline_params, cr3));
	OFFSET(TP_EFER, offsetof(struct trampoline_params, efer));
	OFFSET(TP_STACK, offsetof(struct trampoline_params, stack));
	OFFSET(TP_ENTRY, offsetof(struct trampoline_params, entry));
	OFFSET(TP_ARG, offsetof(struct trampoline_params, arg));
	OFFSET(TP_SIZE, sizeof(struct trampoline_params));
	OFFSET(GR_RAX, offsetof(struct guest_regs, rax));
	OFFSET(GR_RCX, offsetof(struct guest_regs, rcx));
	OFFSET(GR_RDX, offsetof(struct guest_regs, rdx));
	OFFSET(GR_RBX, offsetof(struct guest_regs, rbx));
	OFFSET(GR_RBP, offsetof(struct guest_regs, rbp));
	OFFSET(GR_RSI, offsetof(struct guest_regs, rsi));
	OFFSET(GR_RDI, offsetof(struct guest_regs, rdi));
	OFFSET(GR_R8, offsetof(struct guest_regs, r8));
	OFFSET(GR_R9, offsetof(struct guest_regs, r9));
	OFFSET(GR_R10, offsetof(struct guest_regs, r10));
	OFFSET(GR_R11, offsetof(struct guest_regs, r11));
	OFFSET(GR_R12, offsetof(struct guest_regs, r12));
	OFFSET(GR_R13, offsetof(struct guest_regs, r13));
	OFFSET(GR_R14, offsetof(struct guest_regs, r14));
	OFFSET(GR_R15, offsetof(struct guest_regs, r15));
}
