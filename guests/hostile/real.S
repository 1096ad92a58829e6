/*
 * Real mode and virtual-8086 mode for the hostile cases (cpu.h).
 *
 * The 16-bit code between real_blob and real_blob_end is copied to
 * LOW_BLOB by cpu.c (16-bit code must run below 1 MiB, and the image
 * is linked at 1 MiB); inside it, LOW(x) is the low address of label x
 * and every jump and call is relative.
 *
 * real_call(routine) runs one routine of layout.h in real mode at CPL 0
 * and comes back (SDM 3A §10.9.2, switching back to real-address mode):
 * from 32-bit protected mode with paging off, a far jump to a 16-bit
 * code segment of base 0, 16-bit data segments, CR0.PE cleared, a far
 * jump to segment 0; the way back sets CR0.PE and far-jumps to the
 * 32-bit code segment (real_back32).  The real-mode IDT is the IVT at 0.
 *
 *   REAL_HCALL   the hypercall of the parameter block (VMCALL or VMMCALL
 *                as LP_USE_VMCALL says), EAX and EDX stored back;
 *   REAL_DF      IVT limit 0x27 (vectors 0-9), vector 8 to rm_df, INT 0x30:
 *                vector 0x30 lies past the limit, which raises #GP, whose
 *                vector lies past it too: a double fault (SDM 3A §21.1.4),
 *                whose handler sets LP_DF_SEEN and comes back;
 *   REAL_TRIPLE  IVT limit 0: the #DF cannot be delivered either: shutdown.
 *
 * v86_entry is entered by v86_call (trap.S) at CS 0, IP LOW(v86_entry):
 * the same hypercall from virtual-8086 mode, then INT 0x81 back.
 */
#include "guests/hostile/layout.h"

#define LOW(x) (LOW_BLOB + ((x) - real_blob))

	.text
	.code32
/* void real_call(unsigned routine) */
	.globl real_call
real_call:
	pushl %ebp
	pushl %ebx
	pushl %esi
	pushl %edi
	movl %esp, real_saved_esp
	sidt real_saved_idt
	movl 20(%esp), %eax
	movl %eax, LOW_PARAMS + LP_ROUTINE
	ljmp $SEL_CODE16, $LOW(rm_entry16)

real_back32:
	movw $SEL_DATA0, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %fs
	movw %ax, %gs
	movw %ax, %ss
	lidt real_saved_idt
	movl real_saved_esp, %esp
	popl %edi
	popl %esi
	popl %ebx
	popl %ebp
	ret

	.data
	.balign 4
real_saved_esp:
	.long 0
real_saved_idt:
	.word 0
	.long 0

/* The 16-bit code, copied to LOW_BLOB before use. */
	.section .rodata
	.globl real_blob, real_blob_end
	.code16
real_blob:
rm_entry16:                             /* protected mode, 16-bit code segment */
	movw $SEL_DATA16, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %fs
	movw %ax, %gs
	movw %ax, %ss
	movl %cr0, %eax
	andl $~1, %eax                  /* CR0.PE */
	movl %eax, %cr0
	ljmp $0, $LOW(rm_real)
rm_real:                                /* real mode */
	xorw %ax, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %fs
	movw %ax, %gs
	movw %ax, %ss
	movw $LOW_STACK, %sp
	lidt LOW(ivt_full)
	movl LOW_PARAMS + LP_ROUTINE, %eax
	cmpl $REAL_HCALL, %eax
	je rm_hcall
	cmpl $REAL_DF, %eax
	je rm_df_test
	cmpl $REAL_TRIPLE, %eax
	je rm_triple
	jmp rm_back

rm_hcall:
	call hcall16
	jmp rm_back

rm_df_test:
	movw $LOW(rm_df), 8 * 4         /* IVT entry 8: offset, then segment 0 */
	movw $0, 8 * 4 + 2
	movw %sp, LOW_PARAMS + LP_SAVED_SP
	lidt LOW(ivt_short)
	int $0x30
	jmp rm_back                     /* not reached: the #DF handler goes to rm_back */
rm_df:
	movl $1, LOW_PARAMS + LP_DF_SEEN
	lidt LOW(ivt_full)
	movw LOW_PARAMS + LP_SAVED_SP, %sp
	jmp rm_back

rm_triple:
	lidt LOW(ivt_none)
	int $0x30
	movl $2, LOW_PARAMS + LP_DF_SEEN /* not reached on a CPU that shuts down */
	lidt LOW(ivt_full)

rm_back:
	cli
	movl %cr0, %eax
	orl $1, %eax                    /* CR0.PE */
	movl %eax, %cr0
	ljmpl $SEL_CODE0, $real_back32

v86_entry:                              /* virtual-8086 mode, CS 0 */
	call hcall16
	int $RING_RETURN_VECTOR

/* The hypercall of the parameter block; EAX and EDX go back into it. */
hcall16:
	movl LOW_PARAMS + LP_EBX, %ebx
	movl LOW_PARAMS + LP_ECX, %ecx
	movl LOW_PARAMS + LP_EDX, %edx
	movl LOW_PARAMS + LP_ESI, %esi
	movl LOW_PARAMS + LP_EAX, %eax
	cmpl $0, LOW_PARAMS + LP_USE_VMCALL
	je 1f
	vmcall
	jmp 2f
1:	vmmcall
2:	movl %eax, LOW_PARAMS + LP_EAX
	movl %edx, LOW_PARAMS + LP_EDX
	ret

ivt_full:
	.word 0x3ff
	.long 0
ivt_short:
	.word 0x27                      /* vectors 0 to 9 */
	.long 0
ivt_none:
	.word 0
	.long 0
real_blob_end:

	.globl v86_entry_ip
	.balign 4
v86_entry_ip:
	.long LOW(v86_entry)
	.code32
