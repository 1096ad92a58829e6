/*
 * VMX world switch.  vmx_enter(v, launched) saves the host's
 * callee-saved registers, records RSP in the VMCS (host RSP), loads the
 * guest's general registers from v (struct vcpu starts with them) and
 * executes VMLAUNCH or VMRESUME.
 *
 * Every VM exit arrives at vmx_exit_stub (the VMCS host RIP) on that
 * same stack.  The stub stores the guest's registers and calls
 * vmx_exit(v), which decodes and handles the exit in C.  When it returns
 * true the stub reloads the guest's registers and resumes at once;
 * otherwise vmx_enter returns 0 to its caller.  vmx_enter returns 1 when
 * VMLAUNCH or VMRESUME itself fails; the caller reads the VM-instruction
 * error.  The stack is 16-byte aligned at the call (seven pushes after
 * the return address).
 */
#include "asm-offsets.h"
#include "kernel/guest_regs.inc"

	.text
	.globl vmx_enter, vmx_exit_stub
vmx_enter:
	PUSH_HOST_CALLEE_SAVED
	pushq %rdi                      /* v, found again at each exit */
	movq $VMX_HOST_RSP_FIELD, %rax
	vmwrite %rsp, %rax
	testq %rsi, %rsi
	movq GR_RAX(%rdi), %rax
	LOAD_GUEST_GPRS %rdi
	movq GR_RDI(%rdi), %rdi         /* last: MOV leaves the flags from TEST alone */
	jnz .Lresume
	vmlaunch
	jmp .Lfailed

vmx_exit_stub:
	pushq %rdi
	movq 8(%rsp), %rdi              /* v */
	movq %rax, GR_RAX(%rdi)
	STORE_GUEST_GPRS %rdi
	popq GR_RDI(%rdi)
	call vmx_exit                   /* rdi = v */
	testb %al, %al
	jz .Lreturn
	movq (%rsp), %rdi
	movq GR_RAX(%rdi), %rax
	LOAD_GUEST_GPRS %rdi
	movq GR_RDI(%rdi), %rdi
.Lresume:
	vmresume
.Lfailed:
	/* The instruction failed: the host stack is as vmx_enter left it. */
	movl $1, %eax
	jmp 1f
.Lreturn:
	xorl %eax, %eax
1:	addq $8, %rsp
	POP_HOST_CALLEE_SAVED
	ret
