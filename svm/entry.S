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
#include "kernel/guest_regs.inc"

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
	LOAD_GUEST_GPRS %rdi
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
	STORE_GUEST_GPRS %rdi
	popq GR_RDI(%rdi)
	addq $8, %rsp                   /* host save area */
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret
