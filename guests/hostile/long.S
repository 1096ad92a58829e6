/*
 * 64-bit mode for the hostile cases (cpu.h), which are 32-bit code.
 *
 * long_call(fn, r) switches from 32-bit protected mode with paging off
 * to 64-bit mode (SDM 3A §10.8.5: CR4.PAE, CR3 = long_pml4, EFER.LME,
 * CR0.PG, then a far jump to a code segment with L = 1), loads RAX, RBX,
 * RCX, RDX, RSI and RDI from *r, calls the 64-bit routine fn, stores the
 * six registers back into *r, and returns the same way it came (§10.8.5.4:
 * a far return to a 32-bit code segment, CR0.PG cleared, EFER.LME
 * cleared).  cpu.c builds the page tables (the first 1 GiB, and 4 GiB to
 * 5 GiB at the same addresses) and the IDT that is loaded meanwhile.
 *
 * That IDT's stubs handle an exception like the 32-bit ones: when a
 * routine armed long_fixup (the TRY macro), the exception resumes there
 * and long_vector and long_error say what it was; any other exception
 * abandons the routine and long_call returns at once, with the vector
 * and error code in r->vector and r->error (0xffffffff otherwise).
 *
 * The routines below are what the cases run in 64-bit mode.
 */
#include "guests/hostile/layout.h"

#define MSR_EFER 0xc0000080
#define EFER_LME 0x100
#define CR0_PG 0x80000000
#define CR4_PAE 0x20

#define HAS_ERROR(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || \
		      (v) == 29 || (v) == 30)

/* struct long_regs, by byte offset */
#define LR_RAX 0
#define LR_RBX 8
#define LR_RCX 16
#define LR_RDX 24
#define LR_RSI 32
#define LR_RDI 40
#define LR_VECTOR 48
#define LR_ERROR 52

	.text
	.code32
/* void long_call(void (*fn)(void), struct long_regs *r) */
	.globl long_call
long_call:
	pushl %ebp
	pushl %ebx
	pushl %esi
	pushl %edi
	movl 20(%esp), %eax
	movl %eax, long_fn
	movl 24(%esp), %eax
	movl %eax, long_regs_ptr
	movl %esp, long_saved_esp
	sidt long_saved_idt
	lidt long_idt_ptr
	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4
	movl $long_pml4, %eax
	movl %eax, %cr3
	movl $MSR_EFER, %ecx
	rdmsr
	orl $EFER_LME, %eax
	wrmsr
	movl %cr0, %eax
	orl $CR0_PG, %eax               /* with LME: long mode, still 32-bit code (compatibility mode) */
	movl %eax, %cr0
	ljmp $SEL_CODE64, $in_64

	.code64
in_64:
	movl %esp, %esp                 /* zero-extend: the upper halves are not ours to assume */
	movq %rsp, long_saved_rsp(%rip)
	movl long_regs_ptr(%rip), %edi
	pushq %rdi
	movl long_fn(%rip), %r11d
	movq LR_RBX(%rdi), %rbx
	movq LR_RCX(%rdi), %rcx
	movq LR_RDX(%rdi), %rdx
	movq LR_RSI(%rdi), %rsi
	movq LR_RAX(%rdi), %rax
	movq LR_RDI(%rdi), %rdi
	call *%r11
	xchgq %rdi, (%rsp)              /* RDI = r; the routine's RDI on the stack */
	movq %rax, LR_RAX(%rdi)
	movq %rbx, LR_RBX(%rdi)
	movq %rcx, LR_RCX(%rdi)
	movq %rdx, LR_RDX(%rdi)
	movq %rsi, LR_RSI(%rdi)
	popq %rax
	movq %rax, LR_RDI(%rdi)
	movl $0xffffffff, LR_VECTOR(%rdi)
	movl $0xffffffff, LR_ERROR(%rdi)
	jmp leave_64

/* An exception nobody armed for: abandon the routine. */
bail:
	movq long_saved_rsp(%rip), %rsp
	movl long_regs_ptr(%rip), %edi
	movl bail_vector(%rip), %eax
	movl %eax, LR_VECTOR(%rdi)
	movl bail_error(%rip), %eax
	movl %eax, LR_ERROR(%rdi)

leave_64:
	pushq $SEL_CODE0
	leaq in_compat(%rip), %rax
	pushq %rax
	lretq

	.code32
in_compat:
	movl %cr0, %eax
	andl $~CR0_PG, %eax             /* leaves long mode */
	movl %eax, %cr0
	movl $MSR_EFER, %ecx
	rdmsr
	andl $~EFER_LME, %eax
	wrmsr
	movl %cr4, %eax
	andl $~CR4_PAE, %eax
	movl %eax, %cr4
	movw $SEL_DATA0, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	lidt long_saved_idt
	movl long_saved_esp, %esp
	popl %edi
	popl %esi
	popl %ebx
	popl %ebp
	ret

/* ---- the IDT stubs ------------------------------------------------------ */
	.code64
	.macro stub64 vector
long_stub_\vector:
	.ifeq HAS_ERROR(\vector)
	pushq $0
	.endif
	pushq $\vector
	jmp long_trap
	.endm

	.irp v, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	stub64 \v
	.endr
	.irp v, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	stub64 \v
	.endr

/* Stack: vector, error code, RIP, CS, RFLAGS, RSP, SS. */
long_trap:
	pushq %rax
	movq long_fixup(%rip), %rax
	testq %rax, %rax
	jz 1f
	movq %rax, 24(%rsp)             /* resume at the fixup */
	movq $0, long_fixup(%rip)
	movq 8(%rsp), %rax
	movl %eax, long_vector(%rip)
	movq 16(%rsp), %rax
	movl %eax, long_error(%rip)
	popq %rax
	addq $16, %rsp
	iretq
1:	movq 8(%rsp), %rax
	movl %eax, bail_vector(%rip)
	movq 16(%rsp), %rax
	movl %eax, bail_error(%rip)
	jmp bail

	.section .rodata
	.balign 4
	.globl long_stubs
long_stubs:
	.irp v, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	.long long_stub_\v
	.endr
	.irp v, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	.long long_stub_\v
	.endr

/* ---- the routines --------------------------------------------------------- */
	.text
	.code64
/* Run one instruction with long_fixup armed: an exception resumes after it. */
	.macro try insn:vararg
	movl $0xffffffff, long_vector(%rip)
	leaq 9f(%rip), %r11
	movq %r11, long_fixup(%rip)
	\insn
9:	movq $0, long_fixup(%rip)
	.endm

	.globl long_vmcall, long_vmmcall
long_vmcall:
	vmcall
	ret
long_vmmcall:
	vmmcall
	ret

	.globl long_wrmsr, long_rdmsr
long_wrmsr:                             /* ECX, EDX:EAX */
	try wrmsr
	ret
long_rdmsr:                             /* ECX; EDX:EAX */
	try rdmsr
	ret

	.globl long_mov_cr0, long_mov_cr3, long_mov_cr4, long_mov_cr8
long_mov_cr0:                           /* RAX, back to RBX's value after */
	movq %cr0, %rbx
	try movq %rax, %cr0
	movq %rbx, %cr0
	ret
long_mov_cr3:
	movq %cr3, %rbx
	try movq %rax, %cr3
	movq %rbx, %cr3
	ret
long_mov_cr4:
	movq %cr4, %rbx
	try movq %rax, %cr4
	movq %rbx, %cr4
	ret
long_mov_cr8:
	movq %cr8, %rbx
	try movq %rax, %cr8
	movq %rbx, %cr8
	ret

	.globl long_read, long_write
long_read:                              /* EAX = [RBX] */
	movl (%rbx), %eax
	ret
long_write:                             /* [RBX] = EAX */
	movl %eax, (%rbx)
	ret

/* #UD with an IDT that has only the #DF gate: #NP, #NP again, #DF (SDM 3A §6.15). */
	.globl long_double_fault, long_triple_fault
long_double_fault:
	sidt saved_idt64(%rip)
	lidt long_df_idt_ptr(%rip)
	try ud2
	lidt saved_idt64(%rip)
	ret
long_triple_fault:
	lidt no_idt(%rip)
	ud2
	ret

	.data
	.balign 8
	.globl long_fixup, long_vector, long_error
long_fixup:
	.quad 0
long_vector:
	.long 0xffffffff
long_error:
	.long 0
bail_vector:
	.long 0
bail_error:
	.long 0
long_fn:
	.long 0
long_regs_ptr:
	.long 0
long_saved_esp:
	.long 0
	.balign 8
long_saved_rsp:
	.quad 0
long_saved_idt:
	.word 0
	.quad 0
saved_idt64:
	.word 0
	.quad 0
no_idt:
	.word 0
	.quad 0
