/*
 * Application processor start-up trampoline.
 *
 * smp.c copies this blob to TRAMPOLINE_PHYS and fills the parameter
 * block at its end.  A started AP begins in real mode at that page
 * (SIPI vector = page number), switches to protected mode, enables PAE
 * and long mode with the boot page tables, and jumps to the 64-bit C
 * entry with its own stack and struct percpu as argument.  Code here
 * runs from the copy, so absolute addresses are computed relative to
 * TRAMPOLINE_PHYS.
 */
#include "asm-offsets.h"
#include "boot/boot.h"

#define REL(x) (TRAMPOLINE_PHYS + (x) - trampoline_start)
#define MSR_EFER 0xc0000080

	.section .rodata
	.balign 16
	.globl trampoline_start, trampoline_end, trampoline_params
	.code16
trampoline_start:
	cli
	cld
	xorw %ax, %ax
	movw %ax, %ds
	lgdtl REL(tramp_gdtr)
	/*
	 * INIT leaves CR0 at 0x60000010: CD and NW set, the caches off.
	 * The BSP's firmware turned them on for it; an AP must do it itself,
	 * or it runs every partition uncached.
	 */
	movl %cr0, %eax
	andl $0x9fffffff, %eax           /* CR0.CD and CR0.NW clear */
	orl $1, %eax                     /* CR0.PE */
	movl %eax, %cr0
	ljmpl $SEL_CODE32, $REL(tramp32)

	.code32
tramp32:
	movw $SEL_DATA, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movl %cr4, %eax
	orl $0x20, %eax                  /* CR4.PAE */
	movl %eax, %cr4
	movl REL(trampoline_params) + TP_CR3, %eax
	movl %eax, %cr3
	movl $MSR_EFER, %ecx
	movl REL(trampoline_params) + TP_EFER, %eax
	xorl %edx, %edx
	wrmsr
	movl %cr0, %eax
	orl $0x80010001, %eax            /* CR0.PG | CR0.WP | CR0.PE */
	movl %eax, %cr0
	ljmp $SEL_CODE64, $REL(tramp64)

	.code64
tramp64:
	movq trampoline_params + TP_STACK(%rip), %rsp
	movq trampoline_params + TP_ARG(%rip), %rdi
	movq trampoline_params + TP_ENTRY(%rip), %rax
	xorl %ebp, %ebp
	jmp *%rax

	.balign 8
tramp_gdt:
	.quad 0
	.quad 0x00cf9a000000ffff         /* 0x08: 32-bit code */
	.quad 0x00cf92000000ffff         /* 0x10: data */
	.quad 0x00209a0000000000         /* 0x18: 64-bit code */
tramp_gdt_end:
tramp_gdtr:
	.word tramp_gdt_end - tramp_gdt - 1
	.long REL(tramp_gdt)
	.balign 8
trampoline_params:
	.skip TP_SIZE
trampoline_end:
