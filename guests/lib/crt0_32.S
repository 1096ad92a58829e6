/*
 * Start-up of a 32-bit Multiboot1 guest: the header, then _start, which
 * sets a stack and calls guest_main(magic, info).  If guest_main
 * returns, its value becomes the exit code.  Entered as Multiboot
 * promises: 32-bit protected mode, paging off, EAX = 0x2BADB002,
 * EBX = information block.
 */
#define MB1_MAGIC 0x1badb002
#define MB1_FLAGS 0x00000003 /* page-aligned modules, memory information */

	.section .multiboot, "a"
	.balign 4
	.long MB1_MAGIC
	.long MB1_FLAGS
	.long -(MB1_MAGIC + MB1_FLAGS)

	.text
	.code32
	.globl _start
_start:
	cli
	movl $stack_top, %esp
	pushl %ebx
	pushl %eax
	call guest_main
	pushl %eax
	call guest_exit
1:	hlt
	jmp 1b

	.bss
	.balign 16
	.skip 16384
stack_top:
