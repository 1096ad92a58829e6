/*
 * Which control-register, EFER and MSR values a guest may load: the
 * conditions under which a real CPU answers MOV to CR0/CR4, WRMSR or
 * XSETBV with #GP (SDM 3A §2.5 and §2.6, the MOV, WRMSR and XSETBV
 * pages of SDM 2; APM Vol. 2 §3.1).  Where a backend lets cloison see
 * such a write (a VM exit), the common exit handler asks these checks
 * first, so that no value the CPU would refuse ever reaches a VMCS, a
 * VMCB or a host register.  Pure: the caller passes the guest's current
 * state and what the CPU allows; tests/unit/test_cr.c runs it.
 */
#ifndef KERNEL_CR_H
#define KERNEL_CR_H

#include "lib/types.h"

/* CR4 bits beyond those of lib/x86.h, named for the checks. */
#define CR4_VME (1ull << 0)
#define CR4_PVI (1ull << 1)
#define CR4_TSD (1ull << 2)
#define CR4_DE (1ull << 3)
#define CR4_MCE (1ull << 6)
#define CR4_PCE (1ull << 8)
#define CR4_UMIP (1ull << 11)
#define CR4_LA57 (1ull << 12)
#define CR4_SMXE (1ull << 14)
#define CR4_FSGSBASE (1ull << 16)
#define CR4_PCIDE (1ull << 17)
#define CR4_OSXSAVE (1ull << 18)
#define CR4_SMEP (1ull << 20)
#define CR4_SMAP (1ull << 21)
#define CR4_PKE (1ull << 22)

/* XSAVE state components (SDM 1 §13.1), as bits of XCR0. */
#define XFEATURE_X87 (1ull << 0)
#define XFEATURE_SSE (1ull << 1)
#define XFEATURE_AVX (1ull << 2)
#define XFEATURE_OPMASK (1ull << 5)
#define XFEATURE_ZMM_HI256 (1ull << 6)
#define XFEATURE_HI16_ZMM (1ull << 7)
#define XFEATURE_PKRU (1ull << 9)
#define XFEATURE_AVX512 (XFEATURE_OPMASK | XFEATURE_ZMM_HI256 | XFEATURE_HI16_ZMM)

/* The guest state a check needs. */
struct cr_state {
	u64 cr0, cr3, cr4, efer;
	bool long64; /* running 64-bit code (EFER.LMA and CS.L) */
};

/* May the guest load value into CR0? */
bool cr0_valid(const struct cr_state *s, u64 value);
/* May it load value into CR4, allowed being every bit the guest was told of? */
bool cr4_valid(const struct cr_state *s, u64 value, u64 allowed);
/* May it write value to EFER, allowed being the bits it may set (LMA is the CPU's)? */
bool efer_valid(const struct cr_state *s, u64 value, u64 allowed);
/* Is addr canonical for a CPU with va_bits of linear address (48 or 57)? */
bool addr_canonical(u64 addr, u32 va_bits);
/* Is value a PAT whose eight entries are all memory types that exist (0, 1, 4-7)? */
bool pat_valid(u64 value);
/*
 * May XSETBV load value into XCR0, allowed being the components offered?
 * x87 always on, AVX only with SSE, AVX-512 all three or none and only
 * with AVX (SDM 1 §13.3).
 */
bool xcr0_valid(u64 value, u64 allowed);

#endif
