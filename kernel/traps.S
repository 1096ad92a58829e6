/*
 * Interrupt and exception entry stubs: one small stub per vector pushes
 * a zero error code where the CPU does not push one, then the vector
 * number, and joins trap_common, which saves the general registers as a
 * struct trap_frame (kernel/trapframe.h) and calls trap_dispatch().
 */
#include "asm-offsets.h"

/* Vectors for which the CPU pushes an error code (SDM 3A §6.13). */
#define HAS_ERROR(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

	.text
	.balign 16
	.globl trap_stubs
trap_stubs:
	vector = 0
	.rept 256
	.balign 16
	.if HAS_ERROR(vector) == 0
	pushq $0
	.endif
	pushq $vector
	jmp trap_common
	vector = vector + 1
	.endr

trap_common:
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	cld
	movq %rsp, %rdi
	call trap_dispatch
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	addq $16, %rsp /* vector and error code */
	iretq

	.if TRAP_FRAME_SIZE != 22 * 8
	.error "struct trap_frame does not match traps.S"
	.endif
