/*
 * SVM world switch.  svm_enter(regs, vmcb_phys, host_save_phys) runs
 * with GIF clear: it saves the host's callee-saved registers, loads the
 * guest's general registers (RAX travels in the VMCB), VMLOADs the
 * guest's FS/GS/TR/LDTR/syscall state, sets IF so that physical
 * interrupts exit the guest (V_INTR_MASKING), and VMRUNs.  After
 * #VMEXIT it VMSAVEs the guest's hidden state, VMLOADs the host's (its
 * GS base is the per-CPU pointer), clears IF and stores the guest's
 * registers.  The caller sets GIF again.
 */
#include "asm-offsets.h"

	.text
	.globl svm_enter
svm_enter:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	pushq %rdx                      /* host save area */
	pushq %rdi                      /* regs */
	movq %rsi, %rax                 /* VMRUN, VMLOAD, VMSAVE take the VMCB in RAX */
	movq GR_RCX(%rdi), %rcx
	movq GR_RDX(%rdi), %rdx
	movq GR_RBX(%rdi), %rbx
	movq GR_RBP(%rdi), %rbp
	movq GR_RSI(%rdi), %rsi
	movq GR_R8(%rdi), %r8
	movq GR_R9(%rdi), %r9
	movq GR_R10(%rdi), %r10
	movq GR_R11(%rdi), %r11
	movq GR_R12(%rdi), %r12
	movq GR_R13(%rdi), %r13
	movq GR_R14(%rdi), %r14
	movq GR_R15(%rdi), %r15
	movq GR_RDI(%rdi), %rdi
	vmload %rax
	sti                             /* GIF is clear: nothing is delivered here */
	vmrun %rax
	cli
	vmsave %rax
	pushq %rdi
	movq 16(%rsp), %rdi             /* host save area */
	xchgq %rdi, %rax
	vmload %rax
	movq %rdi, %rax                 /* keep the VMCB address in RAX ... */
	popq %rdi                       /* ... and the guest's RDI in RDI */
	xchgq (%rsp), %rdi              /* rdi = regs; the guest's rdi on the stack */
	movq %rcx, GR_RCX(%rdi)
	movq %rdx, GR_RDX(%rdi)
	movq %rbx, GR_RBX(%rdi)
	movq %rbp, GR_RBP(%rdi)
	movq %rsi, GR_RSI(%rdi)
	movq %r8, GR_R8(%rdi)
	movq %r9, GR_R9(%rdi)
	movq %r10, GR_R10(%rdi)
	movq %r11, GR_R11(%rdi)
	movq %r12, GR_R12(%rdi)
	movq %r13, GR_R13(%rdi)
	movq %r14, GR_R14(%rdi)
	movq %r15, GR_R15(%rdi)
	popq GR_RDI(%rdi)
	addq $8, %rsp                   /* host save area */
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret
