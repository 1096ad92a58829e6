/*
 * The mode switches of the compat guest.  compat_setup loads a GDT that
 * has, beside the 64-bit code segment, a 32-bit one (L=0, D=1) and a data
 * segment with B=1, so that a far return to selector 0x18 enters
 * compatibility mode with a 32-bit stack.  compat_call loads RAX, RBX,
 * RCX, RDX and RSI in 64-bit mode, far-returns to one of the 32-bit stubs
 * below, which runs a single instruction without touching any register
 * first (a 32-bit write would clear the upper half that is under test),
 * far-returns to 64-bit mode and stores what the registers then hold.
 *
 *   void compat_setup(void);
 *   void compat_call(struct compat_regs *r, unsigned stub);
 *   struct compat_regs { u64 rax, rbx, rcx, rdx, rsi; };  (offsets 0..32)
 *   stub: 0 = INC EAX (proves the mode: 40h is a REX prefix in 64-bit
 *   mode), 1 = VMCALL, 2 = VMMCALL
 */
#define SEL_CODE64 0x08
#define SEL_DATA 0x10
#define SEL_CODE32 0x18

	.text
	.code64
	.globl compat_setup
compat_setup:
	lgdt gdtr(%rip)
	movw $SEL_DATA, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	popq %rax                        /* return address */
	pushq $SEL_CODE64
	pushq %rax
	lretq                            /* reload CS from the new GDT */

	.globl compat_call
compat_call:
	pushq %rbx
	pushq %rdi
	movl %esi, %esi                  /* an unsigned argument: upper half undefined */
	movl stubs(, %rsi, 4), %eax
	pushq $SEL_CODE32
	pushq %rax
	movq 0(%rdi), %rax
	movq 8(%rdi), %rbx
	movq 16(%rdi), %rcx
	movq 24(%rdi), %rdx
	movq 32(%rdi), %rsi
	lretq                            /* to CS 0x18: compatibility mode */

	.code32
stub_inc:
	incl %eax
	jmp back
stub_vmcall:
	vmcall
	jmp back
stub_vmmcall:
	vmmcall
back:
	pushl $SEL_CODE64
	pushl $in_64
	lretl                            /* to CS 0x08: 64-bit mode again */

	.code64
in_64:
	popq %rdi
	movq %rax, 0(%rdi)
	movq %rbx, 8(%rdi)
	movq %rcx, 16(%rdi)
	movq %rdx, 24(%rdi)
	movq %rsi, 32(%rdi)
	popq %rbx
	ret

	.section .rodata
	.balign 8
stubs:
	.long stub_inc, stub_vmcall, stub_vmmcall
gdt:
	.quad 0
	.quad 0x00209a0000000000         /* 0x08: 64-bit code (L=1) */
	.quad 0x00cf92000000ffff         /* 0x10: flat data, B=1 */
	.quad 0x00cf9a000000ffff         /* 0x18: flat 32-bit code (L=0, D=1) */
gdt_end:
gdtr:
	.word gdt_end - gdt - 1
	.quad gdt
