/*
 * Interrupt and exception entry of the in-guest fuzzer (gfuzz.c): one
 * 16-byte stub per vector, all ending in gfuzz_trap(frame).  A stub
 * pushes a dummy error code where the CPU pushes none (SDM 3A §6.13:
 * vectors 8, 10-14, 17, 21, 29 and 30 have one), then the vector, so
 * that every frame looks the same.  gfuzz_trap() may change the saved
 * EIP (to skip a faulting operation); the stub then returns with IRET.
 */
	.text
	.code32
	.altmacro

.macro stub vec
	.balign 16
	.if (\vec == 8) || (\vec >= 10 && \vec <= 14) || (\vec == 17) || (\vec == 21) || (\vec == 29) || (\vec == 30)
	.else
	pushl $0
	.endif
	pushl $\vec
	jmp common
.endm

	.balign 16
	.globl gfuzz_stubs
gfuzz_stubs:
	.set vec, 0
	.rept 256
	stub %vec
	.set vec, vec + 1
	.endr

common:
	pushal
	pushl %esp              /* struct trap_frame *, the registers at its start */
	cld
	call gfuzz_trap
	addl $4, %esp
	popal
	addl $8, %esp           /* the vector and the error code */
	iret
