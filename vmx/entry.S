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
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	xorl %eax, %eax
	ret
