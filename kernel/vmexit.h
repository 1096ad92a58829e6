/*
 * The vendor-neutral exit record.  A backend turns its own exit code and
 * qualification into one struct vm_exit, and kernel/exit.c decides what
 * happens: "vendor code decodes, common code decides".  Also the actions
 * a handler returns, which every device and handler below the exit path
 * shares, so this header depends on nothing above it.
 */
#ifndef KERNEL_VMEXIT_H
#define KERNEL_VMEXIT_H

#include "kernel/vcpu.h"
#include "lib/types.h"

enum exit_kind {
	EXIT_CPUID,
	EXIT_HLT,
	EXIT_IO,	     /* io.* valid */
	EXIT_MSR_READ,	     /* msr valid */
	EXIT_MSR_WRITE,	     /* msr valid; value in EDX:EAX */
	EXIT_HYPERCALL,	     /* VMCALL or VMMCALL */
	EXIT_SLAT_VIOLATION, /* slat.* valid */
	EXIT_EXCEPTION,	     /* exc.* valid: an intercepted guest exception */
	EXIT_TRIPLE_FAULT,
	EXIT_INTERRUPT,	  /* a host interrupt arrived while the guest ran */
	EXIT_ABSENT_INSN, /* an instruction CPUID says the partition's CPU lacks: #UD */
	EXIT_RDPMC,	  /* RDPMC: the partition has no performance counters */
	EXIT_CACHE_FLUSH, /* INVD or WBINVD */
	EXIT_INTR_WINDOW, /* the guest can take the interrupt it waits for */
	EXIT_CR_ACCESS,	  /* cr.* valid: a control-register access the backend cannot let through */
	EXIT_XSETBV,	  /* XCR number in ECX, value in EDX:EAX */
	EXIT_ENTRY_FAILED, /* the backend could not enter the guest; already explained */
	EXIT_UNHANDLED,	   /* anything else: raw code and name are set */
	EXIT_KIND_COUNT,
};
_Static_assert(EXIT_KIND_COUNT <= VCPU_EXIT_KINDS, "struct vcpu counts exits by kind");

struct vm_exit {
	enum exit_kind kind;
	u32 insn_len; /* length of the instruction that exited, where known */
	u64 raw_code; /* the vendor's exit code, for reports: virt->exit_name() names it */
	union {
		struct {
			u16 port;
			u8 size; /* 1, 2 or 4 */
			bool in;
			bool string; /* INS/OUTS */
			bool rep;
			u8 asize; /* INS/OUTS address size in bytes (2, 4, 8); 0: unknown */
			u8 seg;	  /* OUTS source segment (SEG_ES..SEG_GS); SEG_NONE: unknown */
		} io;
		u32 msr;
		struct {
			u64 gpa;
			bool read, write, fetch;
			/*
			 * The instruction's own access to gpa, not a page-table walk
			 * or the delivery of an event (only such an access to a
			 * device page is emulated).
			 */
			bool data;
		} slat;
		struct {
			u8 vector;
			bool has_error;
			u32 error;
			/*
			 * #DB: the DR6 bits the exception sets (B0-B3, BD, BS), where
			 * the CPU reports them instead of writing DR6 (VMX); 0 when it
			 * wrote DR6 itself.
			 */
			u32 dr6;
		} exc;
		struct {
			u8 cr;	  /* 0, 3, 4 or 8 */
			u8 gpr;	  /* MOV: general register number, as x86 encodes it (0 = RAX) */
			u8 type;  /* CR_MOV_TO, CR_MOV_FROM, CR_CLTS or CR_LMSW */
			u16 lmsw; /* LMSW: its 16-bit operand */
			/*
			 * CR0: a valid value is completed by running the MOV again,
			 * with VREG_CR0_SHADOW set (VMX), instead of being set
			 * with VREG_CR0 and stepped over (SVM).
			 */
			bool reexecute;
		} cr;
	};
};

/* Segment registers as x86 numbers them, for io.seg. */
#define SEG_ES 0
#define SEG_CS 1
#define SEG_SS 2
#define SEG_DS 3
#define SEG_FS 4
#define SEG_GS 5
#define SEG_NONE 0xff

/* Kinds of control-register access (EXIT_CR_ACCESS). */
#define CR_MOV_TO 0
#define CR_MOV_FROM 1
#define CR_CLTS 2
#define CR_LMSW 3

/* What the backend does once exit_handle() returns: a set of flags. */
#define EXIT_STOP 0u	       /* leave the guest: stopped, crashed, or its slice is over */
#define EXIT_RESUME (1u << 0)  /* enter the guest again at once */
#define EXIT_ADVANCE (1u << 1) /* first step over the instruction: insn_len bytes */
#define EXIT_NEXT (EXIT_RESUME | EXIT_ADVANCE)

#endif
