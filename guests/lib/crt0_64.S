/*
 * Start-up of a 64-bit C guest.  The Multiboot1 header carries address
 * fields (flag 16) so that loaders that refuse ELF64, like qemu -kernel,
 * can load the image as a flat binary.  _start runs in 32-bit protected
 * mode with paging off: it identity-maps the first 1 GiB with 2 MiB
 * pages, enables PAE, sets EFER.LME, turns on paging (which activates
 * long mode), loads a 64-bit code segment and calls
 * guest_main(magic, info).  Its return value becomes the exit code.
 */
#define MB1_MAGIC 0x1badb002
#define MB1_FLAGS 0x00010003 /* address fields, page-aligned modules, memory info */

	.section .multiboot, "a"
	.balign 4
mb_header:
	.long MB1_MAGIC
	.long MB1_FLAGS
	.long -(MB1_MAGIC + MB1_FLAGS)
	.long mb_header
	.long _load_start
	.long _load_end
	.long _bss_end
	.long _start

	.text
	.code32
	.globl _start
_start:
	cli
	movl %eax, %edi                  /* magic: first argument */
	movl %ebx, %esi                  /* info: second argument */
	movl $stack_top, %esp
	/* PML4[0] -> PDPT, PDPT[0] -> PD, PD[i] = i * 2 MiB (present, writable, large). */
	movl $pdpt + 3, pml4
	movl $pd + 3, pdpt
	xorl %ecx, %ecx
1:	movl %ecx, %eax
	shll $21, %eax
	orl $0x83, %eax
	movl %eax, pd(, %ecx, 8)
	incl %ecx
	cmpl $512, %ecx
	jne 1b
	movl %cr4, %eax
	orl $0x20, %eax                  /* CR4.PAE */
	movl %eax, %cr4
	movl $pml4, %eax
	movl %eax, %cr3
	movl $0xc0000080, %ecx           /* EFER */
	rdmsr
	orl $0x100, %eax                 /* EFER.LME */
	wrmsr
	movl %cr0, %eax
	orl $0x80000001, %eax            /* CR0.PG | CR0.PE */
	movl %eax, %cr0
	lgdt gdtr
	ljmp $0x08, $long_mode

	.code64
long_mode:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movq $stack_top, %rsp
	call guest_main
	movl %eax, %edi
	call guest_exit
2:	hlt
	jmp 2b

	.section .rodata
	.balign 8
gdt:
	.quad 0
	.quad 0x00209a0000000000         /* 0x08: 64-bit code */
	.quad 0x0000920000000000         /* 0x10: data */
gdt_end:
gdtr:
	.word gdt_end - gdt - 1
	.long gdt

	.bss
	.balign 4096
pml4: .skip 4096
pdpt: .skip 4096
pd: .skip 4096
	.skip 16384
stack_top:
