/*
 * One-instruction routines for trap_try() (cpu.h): each runs one
 * instruction that a guest should not get to use, and returns.  An
 * exception resumes at trap_try's fixup instead.  They keep EBX, ESI,
 * EDI and EBP, as trap_try requires.  Memory operands point at
 * insn_region, 4 KiB of zeroes that nothing else uses.
 *
 * The virtualization instructions (case "virt"): VMX (SDM 3C chapter
 * 31) and SVM (APM 2 §15) ones, and GETSEC (SMX).  CPUID hides VMX, SVM
 * and SMX from a partition, so each must raise #UD as on a CPU without
 * them.  MONITOR, MWAIT, AMD's MONITORX and MWAITX, and RDTSCP, which
 * CPUID hides too, must raise #UD; RDPMC #GP (no counter is offered).
 * Then the cache instructions WBINVD and INVD, and UD2.
 */
	.text
	.code32
	.macro routine name, insn:vararg
	.globl insn_\name
insn_\name:
	movl $insn_region, %eax
	xorl %ecx, %ecx
	\insn
	ret
	.endm

	routine vmxon, vmxon (%eax)
	routine vmxoff, vmxoff
	routine vmclear, vmclear (%eax)
	routine vmptrld, vmptrld (%eax)
	routine vmptrst, vmptrst (%eax)
	routine vmread, vmread %ecx, (%eax)
	routine vmwrite, vmwrite (%eax), %ecx
	routine vmlaunch, vmlaunch
	routine vmresume, vmresume
	routine invept, invept (%eax), %ecx
	routine invvpid, invvpid (%eax), %ecx
	.globl insn_vmfunc
insn_vmfunc:
	xorl %eax, %eax                 /* function 0, EPTP switching */
	xorl %ecx, %ecx
	vmfunc
	ret
	routine vmrun, vmrun %eax
	routine vmload, vmload %eax
	routine vmsave, vmsave %eax
	routine stgi, stgi
	routine clgi, clgi
	routine skinit, skinit %eax
	routine invlpga, invlpga %eax, %ecx
	.globl insn_getsec
insn_getsec:
	xorl %eax, %eax                 /* leaf 0, CAPABILITIES */
	getsec
	ret
	/* Hidden by CPUID too, and run by the CPU unless intercepted (case "virt", variant "absent"). */
	routine monitor, monitor
	routine mwait, mwait
	routine monitorx, .byte 0x0f, 0x01, 0xfa
	routine mwaitx, .byte 0x0f, 0x01, 0xfb
	.globl insn_rdtscp, insn_rdtscp_aux
insn_rdtscp:                            /* keeps the IA32_TSC_AUX it read, if it ran */
	movl $0xdeadbeef, %ecx
	rdtscp
	movl %ecx, insn_rdtscp_aux
	ret
	routine rdpmc, rdpmc
	routine wbinvd, wbinvd
	routine invd, invd
	routine ud2, ud2

	.bss
	.balign 4096
insn_region:
	.skip 4096
insn_rdtscp_aux:
	.skip 4
