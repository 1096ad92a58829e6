/*
 * Where the second vCPU of the pc guest starts.  The boot vCPU copies
 * ap_trampoline..ap_trampoline_end to PC_TRAMPOLINE and sends STARTUP
 * with that page's number, so the AP begins here in real mode at
 * CS:IP = (PC_TRAMPOLINE >> 4):0 (SDM 3A §8.4.4.1, §9.1.4).  It loads
 * the small GDT carried in the copy, sets CR0.PE, and jumps with a
 * 32-bit far jump into ap_entry32, in the image at 1 MiB, which takes
 * its own stack and calls ap_main() (smp.c).  Offsets inside the copy
 * are label differences, the same wherever the copy sits.
 */
#include "guests/pc/pc.h"

#define CR0_PE 1

	.text
	.code16
	.globl ap_trampoline, ap_trampoline_end
ap_trampoline:
	cli
	cld
	movw %cs, %ax
	movw %ax, %ds
	lgdtl (ap_gdt_ptr - ap_trampoline)
	movl %cr0, %eax
	orl $CR0_PE, %eax
	movl %eax, %cr0
	ljmpl $PC_SEL_CODE, $ap_entry32

	.balign 8
ap_gdt:
	.quad 0
	.quad 0x00cf9a000000ffff /* flat 32-bit code, 0x08 */
	.quad 0x00cf92000000ffff /* flat data, 0x10 */
ap_gdt_ptr:
	.word ap_gdt_ptr - ap_gdt - 1
	.long PC_TRAMPOLINE + (ap_gdt - ap_trampoline)
ap_trampoline_end:

	.code32
ap_entry32:
	movl $PC_SEL_DATA, %eax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movw %ax, %fs
	movw %ax, %gs
	movl $ap_stack_top, %esp
	call ap_main
1:	cli
	hlt
	jmp 1b

	.bss
	.balign 16
	.skip 4096
ap_stack_top:
