/*
 * VMX world switch.  vmx_enter(regs, launched) saves the host's
 * callee-saved registers, records RSP in the VMCS, loads the guest's
 * general registers and executes VMRESUME (or VMLAUNCH the first
 * time).  A VM exit arrives at vmx_exit_stub (the VMCS host RIP) with
 * the host stack as left here; the stub stores the guest registers and
 * returns 0 from vmx_enter.  If the instruction itself fails, vmx_enter
 * returns 1 and the caller reads the VM-instruction error.
 */
#include "asm-offsets.h"
#include "kernel/guest_regs.inc"

	.text
	.globl vmx_enter, vmx_exit_stub
vmx_enter:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	pushq %rdi                      /* regs, found again at exit */
	movq $VMX_HOST_RSP_FIELD, %rax
	vmwrite %rsp, %rax
	testq %rsi, %rsi
	movq GR_RAX(%rdi), %rax
	LOAD_GUEST_GPRS %rdi
	movq GR_RDI(%rdi), %rdi         /* last: MOV leaves the flags from TEST alone */
	jnz 1f
	vmlaunch
	jmp 2f
1:	vmresume
2:	/* The instruction failed: the host stack is intact. */
	addq $8, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	movl $1, %eax
	ret

vmx_exit_stub:
	xchgq (%rsp), %rdi              /* rdi = regs; the guest's rdi on the stack */
	movq %rax, GR_RAX(%rdi)
	STORE_GUEST_GPRS %rdi
	popq GR_RDI(%rdi)
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	xorl %eax, %eax
	ret
