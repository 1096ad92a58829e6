/*
 * The way into 32-bit C code for a second vCPU of the hostile guest
 * (case_mp_more.c).  A STARTUP IPI starts it in real mode at the page
 * that ap32_blob..ap32_blob_end was copied to, CS = page << 8, IP 0
 * (SDM 3A §9.4.4).  The copy loads the GDT whose pointer the first vCPU
 * stored in its ap32_gdtr slot (its own: flat code 0x08 and data 0x10,
 * guests/lib/desc.c), sets CR0.PE and far-jumps into ap32_entry, in
 * the image at 1 MiB, which takes the stack of its own and calls
 * ap32_main().  Offsets inside the copy are label differences.
 */
#include "guests/hostile/layout.h"

#define CR0_PE 1

	.section .rodata
	.code16
	.globl ap32_blob, ap32_gdtr, ap32_blob_end
ap32_blob:
	cli
	cld
	movw %cs, %ax
	movw %ax, %ds
	lgdtl (ap32_gdtr - ap32_blob)
	movl %cr0, %eax
	orl $CR0_PE, %eax
	movl %eax, %cr0
	ljmpl $SEL_CODE0, $ap32_entry
	.balign 4
ap32_gdtr:
	.word 0 /* limit and base: the first vCPU's SGDT */
	.long 0
ap32_blob_end:

	.text
	.code32
ap32_entry:
	movl $SEL_DATA0, %eax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movw %ax, %fs
	movw %ax, %gs
	movl $ap32_stack_top, %esp
	call ap32_main
1:	cli
	hlt
	jmp 1b

	.bss
	.balign 16
	.skip 8192
ap32_stack_top:
