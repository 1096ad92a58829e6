/*
 * The VMCB (APM Vol. 2 appendix B): a 4 KiB page with the control area
 * at 0x000 and the state-save area at 0x400.  Reserved ranges are named
 * by their offset and every field the code uses is pinned by a
 * _Static_assert, so the layout proves itself at build time.
 */
#ifndef SVM_VMCB_H
#define SVM_VMCB_H

#include "lib/types.h"

struct vmcb_control {
	u32 intercept_cr;	  /* 0x000: reads 15:0, writes 31:16 */
	u32 intercept_dr;	  /* 0x004 */
	u32 intercept_exceptions; /* 0x008: one bit per vector */
	u32 intercept_misc1;	  /* 0x00c */
	u32 intercept_misc2;	  /* 0x010 */
	u32 intercept_misc3;	  /* 0x014 */
	u8 reserved_018[0x03c - 0x018];
	u16 pause_filter_threshold; /* 0x03c */
	u16 pause_filter_count;	    /* 0x03e */
	u64 iopm_base_pa;	    /* 0x040 */
	u64 msrpm_base_pa;	    /* 0x048 */
	u64 tsc_offset;		    /* 0x050 */
	u32 guest_asid;		    /* 0x058 */
	u8 tlb_control;		    /* 0x05c */
	u8 reserved_05d[3];
	u64 vintr;	      /* 0x060: V_TPR, V_IRQ, V_INTR_MASKING (bit 24), ... */
	u64 interrupt_shadow; /* 0x068 */
	u64 exitcode;	      /* 0x070 */
	u64 exitinfo1;	      /* 0x078 */
	u64 exitinfo2;	      /* 0x080 */
	u64 exitintinfo;      /* 0x088 */
	u64 np_enable;	      /* 0x090: bit 0 = nested paging */
	u64 avic_apic_bar;    /* 0x098 */
	u64 ghcb_pa;	      /* 0x0a0 */
	u64 eventinj;	      /* 0x0a8 */
	u64 n_cr3;	      /* 0x0b0: nested page table root */
	u64 lbr_virt;	      /* 0x0b8 */
	u32 clean_bits;	      /* 0x0c0 */
	u32 reserved_0c4;
	u64 next_rip; /* 0x0c8: with NRIP save */
	u8 insn_len;  /* 0x0d0: with decode assists */
	u8 insn_bytes[15];
	u8 reserved_0e0[0x400 - 0x0e0];
} PACKED;

struct vmcb_segment {
	u16 selector;
	u16 attrib; /* type 3:0, S 4, DPL 6:5, P 7, AVL 8, L 9, D/B 10, G 11 */
	u32 limit;
	u64 base;
} PACKED;
_Static_assert(sizeof(struct vmcb_segment) == 16, "VMCB segment");

struct vmcb_save {
	struct vmcb_segment es, cs, ss, ds, fs, gs, gdtr, ldtr, idtr, tr; /* 0x400 */
	u8 reserved_4a0[0x4cb - 0x4a0];
	u8 cpl; /* 0x4cb */
	u32 reserved_4cc;
	u64 efer; /* 0x4d0 */
	u8 reserved_4d8[0x548 - 0x4d8];
	u64 cr4;    /* 0x548 */
	u64 cr3;    /* 0x550 */
	u64 cr0;    /* 0x558 */
	u64 dr7;    /* 0x560 */
	u64 dr6;    /* 0x568 */
	u64 rflags; /* 0x570 */
	u64 rip;    /* 0x578 */
	u8 reserved_580[0x5d8 - 0x580];
	u64 rsp; /* 0x5d8 */
	u8 reserved_5e0[0x5f8 - 0x5e0];
	u64 rax;	    /* 0x5f8 */
	u64 star;	    /* 0x600 */
	u64 lstar;	    /* 0x608 */
	u64 cstar;	    /* 0x610 */
	u64 sfmask;	    /* 0x618 */
	u64 kernel_gs_base; /* 0x620 */
	u64 sysenter_cs;    /* 0x628 */
	u64 sysenter_esp;   /* 0x630 */
	u64 sysenter_eip;   /* 0x638 */
	u64 cr2;	    /* 0x640 */
	u8 reserved_648[0x668 - 0x648];
	u64 g_pat;  /* 0x668 */
	u64 dbgctl; /* 0x670 */
} PACKED;

struct vmcb {
	struct vmcb_control control;
	struct vmcb_save save;
	u8 reserved_678[0x1000 - 0x678];
} PACKED;

#define VMCB_AT(field, off) _Static_assert(offsetof(struct vmcb, field) == (off), #field)
VMCB_AT(control.intercept_exceptions, 0x008);
VMCB_AT(control.intercept_misc1, 0x00c);
VMCB_AT(control.intercept_misc2, 0x010);
VMCB_AT(control.iopm_base_pa, 0x040);
VMCB_AT(control.msrpm_base_pa, 0x048);
VMCB_AT(control.guest_asid, 0x058);
VMCB_AT(control.tlb_control, 0x05c);
VMCB_AT(control.vintr, 0x060);
VMCB_AT(control.interrupt_shadow, 0x068);
VMCB_AT(control.exitcode, 0x070);
VMCB_AT(control.exitinfo1, 0x078);
VMCB_AT(control.exitinfo2, 0x080);
VMCB_AT(control.exitintinfo, 0x088);
VMCB_AT(control.np_enable, 0x090);
VMCB_AT(control.eventinj, 0x0a8);
VMCB_AT(control.n_cr3, 0x0b0);
VMCB_AT(control.clean_bits, 0x0c0);
VMCB_AT(control.next_rip, 0x0c8);
VMCB_AT(control.insn_len, 0x0d0);
VMCB_AT(save.es, 0x400);
VMCB_AT(save.cs, 0x410);
VMCB_AT(save.gdtr, 0x460);
VMCB_AT(save.tr, 0x490);
VMCB_AT(save.cpl, 0x4cb);
VMCB_AT(save.efer, 0x4d0);
VMCB_AT(save.cr4, 0x548);
VMCB_AT(save.cr0, 0x558);
VMCB_AT(save.rflags, 0x570);
VMCB_AT(save.rip, 0x578);
VMCB_AT(save.rsp, 0x5d8);
VMCB_AT(save.rax, 0x5f8);
VMCB_AT(save.kernel_gs_base, 0x620);
VMCB_AT(save.cr2, 0x640);
VMCB_AT(save.g_pat, 0x668);
_Static_assert(sizeof(struct vmcb) == 4096, "VMCB is one page");

/* Intercept bits (APM Vol. 2 §15.9-15.13, appendix B table B-1). */
#define INTERCEPT_CR0_WRITE (1u << 16) /* in intercept_cr: writes are bits 31:16 */
#define INTERCEPT_CR4_WRITE (1u << 20)
#define INTERCEPT_CR8_WRITE (1u << 24)
#define CR_EXIT_MOV (1ull << 63) /* EXITINFO1 of a CR exit, with decode assists */
#define MISC1_INTR (1u << 0)
#define MISC1_NMI (1u << 1)
#define MISC1_VINTR (1u << 4)
#define MISC1_RDPMC (1u << 15)
#define MISC1_CPUID (1u << 18)
#define MISC1_INVD (1u << 22)
#define MISC1_HLT (1u << 24)
#define MISC1_INVLPGA (1u << 26)
#define MISC1_IOIO (1u << 27)
#define MISC1_MSR (1u << 28)
#define MISC1_SHUTDOWN (1u << 31)
#define MISC2_VMRUN (1u << 0)
#define MISC2_VMMCALL (1u << 1)
#define MISC2_VMLOAD (1u << 2)
#define MISC2_VMSAVE (1u << 3)
#define MISC2_STGI (1u << 4)
#define MISC2_CLGI (1u << 5)
#define MISC2_SKINIT (1u << 6)
#define MISC2_RDTSCP (1u << 7)
#define MISC2_WBINVD (1u << 9)
#define MISC2_MONITOR (1u << 10)
#define MISC2_MWAIT (1u << 11)
#define MISC2_XSETBV (1u << 13)

/*
 * VINTR (APM Vol. 2 §15.21.4).  cloison uses V_IRQ with the VINTR
 * intercept as an interrupt window: the exit comes when the guest could
 * take an interrupt, which is then injected through EVENTINJ.
 */
#define VINTR_TPR 0xfull	   /* V_TPR: the guest's CR8 */
#define VINTR_IRQ (1ull << 8)	   /* V_IRQ: an interrupt is pending */
#define VINTR_PRIO_SHIFT 16	   /* V_INTR_PRIO, 4 bits */
#define VINTR_IGN_TPR (1ull << 20) /* ignore V_TPR */
#define VINTR_MASKING (1ull << 24) /* the guest's IF masks virtual interrupts only */
#define VINTR_VECTOR_SHIFT 32	   /* V_INTR_VECTOR, 8 bits */
#define NP_ENABLE (1ull << 0)
#define TLB_CONTROL_FLUSH_ALL 1
#define TLB_CONTROL_FLUSH_ASID 3

/*
 * VMCB clean bits (APM Vol. 2 §15.15.3): a set bit lets the CPU keep its
 * cached copy of that group of fields.  cloison marks the groups it uses
 * (0-10) clean after every #VMEXIT and dirties a group when it writes
 * one of its fields; AVIC and CET are never marked clean.
 */
#define VMCB_CLEAN_INTERCEPTS (1u << 0)
#define VMCB_CLEAN_ASID (1u << 2)
#define VMCB_CLEAN_TPR (1u << 3) /* V_TPR, V_IRQ, V_INTR_* */
#define VMCB_CLEAN_NP (1u << 4)	 /* nested paging: N_CR3, G_PAT */
#define VMCB_CLEAN_CRX (1u << 5) /* CR0, CR3, CR4, EFER */
#define VMCB_CLEAN_DRX (1u << 6) /* DR6, DR7 */
#define VMCB_CLEAN_CR2 (1u << 9) /* CR2 */
#define VMCB_CLEAN_ALL 0x7ffu
#define EVENTINJ_VALID (1ull << 31)
#define EVENTINJ_HAS_ERROR (1ull << 11)
#define EVENTINJ_TYPE_INTR (0ull << 8)
#define EVENTINJ_TYPE_EXCEPTION (3ull << 8)
#define EVENTINJ_TYPE_MASK (7ull << 8) /* EXITINTINFO has the same layout */

/* Exit codes (APM Vol. 2 appendix C). */
enum svm_exit_code {
	SVM_EXIT_CR0_WRITE = 0x10,
	SVM_EXIT_CR4_WRITE = 0x14,
	SVM_EXIT_CR8_WRITE = 0x18,
	SVM_EXIT_EXCEPTION_BASE = 0x40, /* + vector */
	SVM_EXIT_INTR = 0x60,
	SVM_EXIT_NMI = 0x61,
	SVM_EXIT_SMI = 0x62,
	SVM_EXIT_INIT = 0x63,
	SVM_EXIT_VINTR = 0x64,
	SVM_EXIT_RDPMC = 0x6f,
	SVM_EXIT_CPUID = 0x72,
	SVM_EXIT_INVD = 0x76,
	SVM_EXIT_HLT = 0x78,
	SVM_EXIT_INVLPGA = 0x7a,
	SVM_EXIT_IOIO = 0x7b,
	SVM_EXIT_MSR = 0x7c,
	SVM_EXIT_SHUTDOWN = 0x7f,
	SVM_EXIT_VMRUN = 0x80,
	SVM_EXIT_VMMCALL = 0x81,
	SVM_EXIT_VMLOAD = 0x82,
	SVM_EXIT_VMSAVE = 0x83,
	SVM_EXIT_STGI = 0x84,
	SVM_EXIT_CLGI = 0x85,
	SVM_EXIT_SKINIT = 0x86,
	SVM_EXIT_RDTSCP = 0x87,
	SVM_EXIT_WBINVD = 0x89,
	SVM_EXIT_MONITOR = 0x8a,
	SVM_EXIT_MWAIT = 0x8b,
	SVM_EXIT_XSETBV = 0x8d,
	SVM_EXIT_NPF = 0x400,
	SVM_EXIT_INVALID = -1,
};

/* IOIO EXITINFO1 (APM Vol. 2 §15.10.2, figure 15-2). */
#define IOIO_IN (1u << 0)
#define IOIO_STR (1u << 2)
#define IOIO_REP (1u << 3)
#define IOIO_SZ8 (1u << 4)
#define IOIO_SZ16 (1u << 5)
#define IOIO_SZ32 (1u << 6)
#define IOIO_A16 (1u << 7)
#define IOIO_A32 (1u << 8)
#define IOIO_A64 (1u << 9)
#define IOIO_SEG_SHIFT 10 /* 3 bits, with decode assists */

/* NPF EXITINFO1 error code bits (§15.25.6). */
#define NPF_WRITE (1ull << 1)
#define NPF_FETCH (1ull << 4)
#define NPF_GUEST_TABLE_WALK (1ull << 33)

#endif
