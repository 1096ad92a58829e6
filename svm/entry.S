/*
 * SVM world switch.  svm_enter(v, vmcb_phys, host_save_phys) saves the
 * host's callee-saved registers and loops: clear GIF, load the guest's
 * general registers from v (struct vcpu starts with them; RAX travels
 * in the VMCB), VMLOAD the guest's FS/GS/TR/LDTR/syscall state, set IF
 * (with POPF) so that physical interrupts exit the guest (V_INTR_MASKING),
 * VMRUN.
 * After #VMEXIT it VMSAVEs the guest's hidden state, VMLOADs the host's
 * (its GS base is the per-CPU pointer), sets GIF with IF clear, stores
 * the guest's registers and calls svm_exit(v), which decodes and
 * handles the exit in C.  While that returns true the loop resumes the
 * guest; then svm_enter returns.  The stack is 16-byte aligned at the
 * call (nine pushes after the return address).
 */
#include "asm-offsets.h"
#include "kernel/guest_regs.inc"

#define RFLAGS_IF_BIT 0x200

	.text
	.globl svm_enter
svm_enter:
	PUSH_HOST_CALLEE_SAVED
	pushq %rdx                      /* 16(%rsp): host save area */
	pushq %rsi                      /*  8(%rsp): VMCB */
	pushq %rdi                      /*   (%rsp): v */
.Lrun:
	clgi                            /* nothing is delivered from here to VMRUN */
	movq 8(%rsp), %rax              /* VMRUN, VMLOAD and VMSAVE take the VMCB in RAX */
	LOAD_GUEST_GPRS %rdi
	movq GR_RDI(%rdi), %rdi
	vmload %rax
	pushfq                          /* IF set by POPF, not STI: no STI shadow for the */
	orq $RFLAGS_IF_BIT, (%rsp)      /* guest to inherit (QEMU's VMRUN keeps it, and */
	popfq                           /* reports it at the guest's first instruction) */
	vmrun %rax
	cli
	vmsave %rax
	pushq %rdi                      /* the guest's RDI; the slots above move by 8 */
	movq 24(%rsp), %rax
	vmload %rax                     /* the host's hidden state */
	stgi                            /* IF is clear: interrupts wait for the handler */
	movq 8(%rsp), %rdi              /* v */
	STORE_GUEST_GPRS %rdi
	popq GR_RDI(%rdi)
	call svm_exit                   /* rdi = v */
	movq (%rsp), %rdi
	testb %al, %al
	jnz .Lrun
	addq $24, %rsp
	POP_HOST_CALLEE_SAVED
	ret
