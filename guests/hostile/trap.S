/*
 * The 32-bit exception entry of the hostile cases, and their way into
 * the outer rings (cpu.h says how the cases use them).
 *
 * trap_stub_N (N = 0..31): one per exception vector, installed by
 * cpu.c.  Each pushes a zero where the CPU pushes no error code, then
 * the vector, and joins trap_common, which saves the general and the
 * data segment registers into a struct trap_frame on the stack, loads
 * the flat data segment (an exception from virtual-8086 mode arrives
 * with DS and ES null), clears DF for C and calls trap_dispatch(frame).
 * What trap_dispatch leaves in the frame is what IRET resumes.
 *
 * ring_call(ring, fn): runs the routine fn at CPL ring (1 to 3) with
 * EFLAGS = ring_eflags (IF clear unless the caller sets it) on a stack
 * of its own, by an IRET to that ring's code and stack segments.  The
 * routine returns with INT RING_RETURN_VECTOR (0x81), whose gate has
 * DPL 3: ring_return saves EAX and EDX for the caller, drops what the
 * CPU pushed, reloads the ring-0 state that ring_call saved and returns
 * from ring_call.  v86_call(cs, ip, ss, sp) does the same with an IRET
 * into virtual-8086 mode (IOPL 3, so that INT n goes through the IDT).
 *
 * ring_hcall, ring_ac_loop, ring_cut_wait and ring_string_io are
 * routines for ring_call: a hypercall with the registers of ring_regs,
 * the #AC loop of the storm case, the wait of the shadow case for an
 * interrupt whose delivery raises #AC (cut_irq_entry is that
 * interrupt's handler), and a string I/O instruction of the
 * ports-paging case.
 */
#define SEL_DATA0 0x10
#define RING_RETURN_VECTOR 0x81
#define EFLAGS_VM (1 << 17)
#define EFLAGS_IOPL3 (3 << 12)
#define EFLAGS_AC (1 << 18)

	.text
	.code32

/* The exceptions that push an error code (SDM 3A §6.13, table 6-1). */
#define HAS_ERROR(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || \
		      (v) == 29 || (v) == 30)

	.macro stub vector
	.globl trap_stub_\vector
trap_stub_\vector:
	.ifeq HAS_ERROR(\vector)
	pushl $0
	.endif
	pushl $\vector
	jmp trap_common
	.endm

	.irp v, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	stub \v
	.endr
	.irp v, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	stub \v
	.endr

trap_common:
	pushal
	pushl %ds
	pushl %es
	movw $SEL_DATA0, %ax
	movw %ax, %ds
	movw %ax, %es
	cld
	pushl %esp                      /* struct trap_frame * */
	call trap_dispatch
	addl $4, %esp
	popl %es
	popl %ds
	popal
	addl $8, %esp                   /* vector and error code */
	iret

	.section .rodata
	.balign 4
	.globl trap_stubs
trap_stubs:
	.irp v, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	.long trap_stub_\v
	.endr
	.irp v, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	.long trap_stub_\v
	.endr

	.text
/* void ring_call(unsigned ring, void (*fn)(void)) */
	.globl ring_call
ring_call:
	pushl %ebp
	pushl %ebx
	pushl %esi
	pushl %edi
	movl %esp, ring_saved_esp
	movl 20(%esp), %ecx             /* ring */
	movl 24(%esp), %edx             /* fn */
	movl %ecx, %eax
	shll $4, %eax
	addl $8, %eax                   /* code selector 0x08 + 0x10 * ring ... */
	orl %ecx, %eax                  /* ... with RPL = ring */
	leal 8(%eax), %ebx              /* its data selector follows it */
	pushl %ebx                      /* SS */
	pushl $ring_stack_top           /* ESP */
	pushl ring_eflags               /* EFLAGS */
	pushl %eax                      /* CS */
	pushl %edx                      /* EIP */
	iret

/* void v86_call(unsigned cs, unsigned ip, unsigned ss, unsigned sp) */
	.globl v86_call
v86_call:
	pushl %ebp
	pushl %ebx
	pushl %esi
	pushl %edi
	movl %esp, ring_saved_esp
	movl 20(%esp), %eax             /* CS */
	movl 24(%esp), %edx             /* IP */
	movl 28(%esp), %ecx             /* SS */
	movl 32(%esp), %ebx             /* SP */
	pushl $0                        /* GS */
	pushl $0                        /* FS */
	pushl $0                        /* DS */
	pushl $0                        /* ES */
	pushl %ecx
	pushl %ebx
	pushl $(EFLAGS_VM | EFLAGS_IOPL3 | 2)
	pushl %eax
	pushl %edx
	iret

/* INT 0x81 from an outer ring or virtual-8086 mode: back into ring_call's caller. */
	.globl ring_return
ring_return:
	movl %eax, %ss:ring_regs        /* SS is the flat ring-0 data segment here */
	movl %edx, %ss:ring_regs + 12
	movw $SEL_DATA0, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %fs
	movw %ax, %gs
	movl ring_saved_esp, %esp
	popl %edi
	popl %esi
	popl %ebx
	popl %ebp
	ret

/* At CPL 1-3: the hypercall of ring_regs, with VMCALL if ring_use_vmcall, else VMMCALL. */
	.globl ring_hcall
ring_hcall:
	movw %ss, %ax                   /* the ring's own flat data segment */
	movw %ax, %ds
	movw %ax, %es
	movl ring_regs + 4, %ebx
	movl ring_regs + 8, %ecx
	movl ring_regs + 12, %edx
	movl ring_regs + 16, %esi
	movl ring_regs, %eax
	cmpb $0, ring_use_vmcall
	je 1f
	vmcall
	int $RING_RETURN_VECTOR
1:	vmmcall
	int $RING_RETURN_VECTOR

/* At CPL 3: ring_regs.ecx misaligned loads from ring_regs.ebx, each with EFLAGS.AC set first. */
	.globl ring_ac_loop
ring_ac_loop:
	movw %ss, %ax
	movw %ax, %ds
	movw %ax, %es
	movl ring_regs + 4, %ebx
	movl ring_regs + 8, %ecx
1:	pushfl
	orl $EFLAGS_AC, (%esp)
	popfl
	movl (%ebx), %eax               /* #AC: the handler clears AC and IRETs here again */
	decl %ecx
	jnz 1b
	int $RING_RETURN_VECTOR

/*
 * At CPL 3 with IOPL 3: EFLAGS.AC set, ESP one byte off its alignment,
 * then STI; wait up to ring_regs.ecx rounds for cut_irqs to change.  The
 * interrupt's gate leads to a conforming segment, which keeps CPL 3 and
 * this stack: pushing its frame raises #AC until the #AC handler clears
 * AC.  Returns cut_irqs in EAX.
 */
	.globl ring_cut_wait
ring_cut_wait:
	movw %ss, %ax
	movw %ax, %ds
	movw %ax, %es
	movl ring_regs + 8, %ecx
	pushfl
	orl $EFLAGS_AC, (%esp)
	popfl
	decl %esp
	sti
1:	cmpl $0, cut_irqs
	jne 2f
	decl %ecx
	jnz 1b
2:	cli
	incl %esp
	pushfl
	andl $~EFLAGS_AC, (%esp)
	popfl
	movl cut_irqs, %eax
	int $RING_RETURN_VECTOR

/*
 * At CPL 1-3 (with IOPL 3): one string I/O instruction on port
 * ring_regs.edx, ring_regs.ecx elements, at ring_regs.ebx: REP INSB
 * when ring_regs.esi is 0, REP OUTSB when 1, INSB (no REP) when 2.  A
 * fault resumes after it through trap_fixup.  Leaves EDI, ESI and ECX
 * as the instruction left them in ring_regs.ebx, .esi and .ecx.
 */
	.globl ring_string_io
ring_string_io:
	movw %ss, %ax
	movw %ax, %ds
	movw %ax, %es
	movl ring_regs + 4, %edi
	movl %edi, %esi
	movl ring_regs + 8, %ecx
	movl ring_regs + 12, %edx
	movl ring_regs + 16, %eax
	cld
	movl $3f, trap_fixup
	cmpl $1, %eax
	je 1f
	ja 2f
	rep insb
	jmp 3f
1:	rep outsb
	jmp 3f
2:	insb
3:	movl $0, trap_fixup
	movl %edi, ring_regs + 4
	movl %esi, ring_regs + 16
	movl %ecx, ring_regs + 8
	int $RING_RETURN_VECTOR

/* The cut case's interrupt, at the CPL and on the stack it interrupted. */
	.globl cut_irq_entry
cut_irq_entry:
	incl %ss:cut_irqs
	iret

	.data
	.balign 4
	.globl cut_irqs
cut_irqs:
	.long 0
	.globl ring_eflags
ring_eflags:
	.long 2
ring_saved_esp:
	.long 0

	.bss
	.balign 16
	.skip 4096
	.globl ring_stack_top
ring_stack_top:
