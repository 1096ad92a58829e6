/*
 * Multiboot2 header and the 32-bit entry point.
 *
 * GRUB (from BIOS or UEFI) jumps to _start in 32-bit protected mode with
 * paging off, EAX = Multiboot2 magic and EBX = physical address of the
 * boot information (Multiboot2 spec §3.3).  This file checks the magic
 * and that the CPU has long mode, builds temporary page tables (the
 * first 4 GiB identity-mapped plus the kernel's higher-half alias, all
 * with 2 MiB pages), enters long mode and calls kmain(magic, mbi) on
 * the boot stack.  kernel/paging.c replaces these tables later; the AP
 * trampoline (boot/trampoline.S) reuses them on its way up.
 */
#include "boot/boot.h"

#define PTE_P 0x1
#define PTE_W 0x2
#define PTE_PS 0x80
#define CR0_PE 0x1
#define CR0_WP 0x10000
#define CR0_PG 0x80000000
#define CR4_PAE 0x20
#define MSR_EFER 0xc0000080
#define EFER_LME 0x100
#define EFER_NXE 0x800
#define COM1 0x3f8

	.section .multiboot, "a"
	.balign 8
mb2_header:
	.long MB2_HEADER_MAGIC
	.long 0 /* architecture: i386 protected mode */
	.long mb2_header_end - mb2_header
	.long -(MB2_HEADER_MAGIC + (mb2_header_end - mb2_header))
	/* Module alignment tag (type 6): modules start on page boundaries. */
	.balign 8
	.word 6, 0
	.long 8
	/* End tag. */
	.balign 8
	.word 0, 0
	.long 8
mb2_header_end:

	.section .boot.text, "ax"
	.code32
	.globl _start
_start:
	cli
	cld
	movl $boot_stack32_top, %esp
	movl %eax, boot_magic
	movl %ebx, boot_mbi

	cmpl $MB2_BOOT_MAGIC_ASM, %eax
	jne bad_magic

	/* Long mode needs CPUID leaf 0x80000001 EDX.LM (SDM 2A, CPUID). */
	movl $0x80000000, %eax
	cpuid
	cmpl $0x80000001, %eax
	jb no_long_mode
	movl $0x80000001, %eax
	cpuid
	btl $29, %edx
	jnc no_long_mode
	/* The hypervisor maps its data no-execute: it needs NX (EDX bit 20). */
	btl $20, %edx
	jnc no_nx

	/* Clear the boot tables and stacks in .boot.bss. */
	movl $boot_bss_start, %edi
	movl $boot_bss_end, %ecx
	subl %edi, %ecx
	shrl $2, %ecx
	xorl %eax, %eax
	rep stosl

	/* lab 1: map the first 4 GiB and enter long mode */
	/* PML4[0] -> low PDPT, PML4[511] -> high PDPT. */
	movl $boot_pdpt_low + (PTE_P | PTE_W), boot_pml4
	movl $boot_pdpt_high + (PTE_P | PTE_W), boot_pml4 + 511 * 8
	/* Low PDPT[0..3] -> the four PDs: identity map of 0-4 GiB. */
	movl $boot_pd + (PTE_P | PTE_W), boot_pdpt_low
	movl $boot_pd + 4096 + (PTE_P | PTE_W), boot_pdpt_low + 8
	movl $boot_pd + 8192 + (PTE_P | PTE_W), boot_pdpt_low + 16
	movl $boot_pd + 12288 + (PTE_P | PTE_W), boot_pdpt_low + 24
	/* High PDPT[510] -> the first PD: KERNEL_VMA + 0-1 GiB. */
	movl $boot_pd + (PTE_P | PTE_W), boot_pdpt_high + 510 * 8
	/* 2048 PD entries of 2 MiB each. */
	xorl %ecx, %ecx
1:	movl %ecx, %eax
	shll $21, %eax
	orl $(PTE_P | PTE_W | PTE_PS), %eax
	movl %eax, boot_pd(, %ecx, 8)
	incl %ecx
	cmpl $2048, %ecx
	jne 1b

	/* SDM 3A §10.8.5: PAE, CR3, EFER.LME, then CR0.PG. */
	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4
	movl $boot_pml4, %eax
	movl %eax, %cr3
	movl $MSR_EFER, %ecx
	rdmsr
	orl $(EFER_LME | EFER_NXE), %eax
	wrmsr
	movl %cr0, %eax
	orl $(CR0_PG | CR0_WP | CR0_PE), %eax
	movl %eax, %cr0

	lgdt boot_gdtr
	ljmp $SEL_CODE64, $long_mode
	/* lab 1: end */

	.code64
long_mode:
	movw $SEL_DATA, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	xorw %ax, %ax
	movw %ax, %fs
	movw %ax, %gs
	movabsq $boot_high, %rax
	jmp *%rax

	.code32
/* Early failures: say why on COM1 (unprogrammed is fine for QEMU and Bochs) and stop. */
bad_magic:
	movl $msg_bad_magic, %esi
	jmp boot_fail
no_long_mode:
	movl $msg_no_lm, %esi
	jmp boot_fail
no_nx:
	movl $msg_no_nx, %esi
	.globl boot_fail
boot_fail: /* ESI: the message */
3:	lodsb
	testb %al, %al
	jz 4f
	movb %al, %ah
	/*
	 * Wait for LSR.THRE: Bochs keeps the real baud rate and drops a byte
	 * written while it is busy.  Without a UART the port reads 0xff.
	 */
	movw $COM1 + 5, %dx
5:	inb %dx, %al
	testb $0x20, %al
	jz 5b
	movb %ah, %al
	movw $COM1, %dx
	outb %al, %dx
	jmp 3b
4:	cli
	hlt
	jmp 4b

	.section .boot.data, "aw"
	.balign 8
	.globl boot_gdt
boot_gdt:
	.quad 0
	.quad 0x00cf9a000000ffff   /* 0x08: 32-bit code */
	.quad 0x00cf92000000ffff   /* 0x10: data */
	.quad 0x00209a0000000000   /* 0x18: 64-bit code */
boot_gdt_end:
	.globl boot_gdtr
boot_gdtr:
	.word boot_gdt_end - boot_gdt - 1
	.quad boot_gdt
	.globl boot_magic, boot_mbi
boot_magic: .long 0
boot_mbi: .long 0
msg_bad_magic: .asciz "cloison: boot: not started by a Multiboot2 loader; stopped\r\n"
msg_no_lm: .asciz "cloison: boot: this CPU has no 64-bit long mode; stopped\r\n"
msg_no_nx: .asciz "cloison: boot: NX (execute disable) is off; enable it in the firmware setup; stopped\r\n"

	.section .boot.bss, "aw", @nobits
	.balign 4096
boot_bss_start:
	.globl boot_pml4
boot_pml4: .skip 4096
boot_pdpt_low: .skip 4096
boot_pdpt_high: .skip 4096
boot_pd: .skip 4 * 4096
	.skip 4096
boot_stack32_top:
boot_bss_end:

/* 64-bit, higher half: switch to the kernel boot stack and enter C. */
	.text
	.code64
boot_high:
	movabsq $boot_stack_top, %rsp
	xorl %ebp, %ebp
	movl boot_magic, %edi
	movl boot_mbi, %esi
	call kmain
5:	cli
	hlt
	jmp 5b

	.bss
	.balign 16
	.globl boot_stack, boot_stack_top
boot_stack:
	.skip BOOT_STACK_SIZE
boot_stack_top:
