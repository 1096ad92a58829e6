/*
 * Tiny inline wrappers for x86-64 instructions, with the register bits
 * they use named next to them (SDM Vol. 3A §2.5 control registers,
 * §2.2.1 EFER; APM Vol. 2 §3.1).
 *
 * Only the bits the hypervisor actually touches are listed.  Vendor
 * virtualization MSRs live in vmx/ and svm/.
 */
#ifndef LIB_X86_H
#define LIB_X86_H

#include "lib/types.h"

/* CR0 */
#define CR0_PE (1ull << 0)  /* protected mode */
#define CR0_MP (1ull << 1)  /* monitor coprocessor */
#define CR0_EM (1ull << 2)  /* x87 emulation: FPU instructions fault */
#define CR0_TS (1ull << 3)  /* task switched: FPU instructions fault */
#define CR0_ET (1ull << 4)  /* extension type (always 1) */
#define CR0_NE (1ull << 5)  /* native FPU error reporting */
#define CR0_WP (1ull << 16) /* supervisor writes honour read-only pages */
#define CR0_NW (1ull << 29) /* not write-through */
#define CR0_CD (1ull << 30) /* cache disable */
#define CR0_PG (1ull << 31) /* paging */

/* CR4 */
#define CR4_PSE (1ull << 4)	    /* 4 MiB pages in 32-bit paging */
#define CR4_PAE (1ull << 5)	    /* physical address extension */
#define CR4_PGE (1ull << 7)	    /* global pages */
#define CR4_OSFXSR (1ull << 9)	    /* FXSAVE/SSE enabled by the OS */
#define CR4_OSXMMEXCPT (1ull << 10) /* SIMD exceptions enabled */
#define CR4_VMXE (1ull << 13)	    /* VMX enable */
/* More CR4 bits, for the checks of guest values: kernel/cr.h. */

/* RFLAGS */
#define RFLAGS_CF (1ull << 0)
#define RFLAGS_IF (1ull << 9)
#define RFLAGS_ZF (1ull << 6)
#define RFLAGS_TF (1ull << 8)
#define RFLAGS_DF (1ull << 10)
#define RFLAGS_VM (1ull << 17) /* virtual-8086 mode */
#define RFLAGS_AC (1ull << 18) /* alignment check; with CR4.SMAP, access to user pages */

/* DR6: why a #DB came */
#define DR6_BS (1u << 14)  /* single step */
#define DR6_CAUSES 0xe00fu /* B0-B3, BD, BS and BT */

/* Architectural MSRs. */
#define MSR_IA32_APIC_BASE 0x1b
#define APIC_BASE_BSP (1ull << 8)   /* this CPU is the bootstrap processor */
#define APIC_BASE_EXTD (1ull << 10) /* x2APIC mode */
#define APIC_BASE_EN (1ull << 11)   /* APIC globally enabled */
#define MSR_IA32_FEATURE_CONTROL 0x3a
#define MSR_IA32_PAT 0x277
#define MSR_EFER 0xc0000080
#define EFER_SCE (1ull << 0)   /* SYSCALL enable */
#define EFER_LME (1ull << 8)   /* long mode enable */
#define EFER_LMA (1ull << 10)  /* long mode active */
#define EFER_NXE (1ull << 11)  /* no-execute enable */
#define EFER_SVME (1ull << 12) /* AMD: SVM enable */
#define MSR_FS_BASE 0xc0000100
#define MSR_GS_BASE 0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102
#define MSR_TSC_AUX 0xc0000103

/* CPUID leaf 1 ECX/EDX and leaf 0x80000001 bits. */
#define CPUID1_ECX_VMX (1u << 5)
#define CPUID1_ECX_X2APIC (1u << 21)
#define CPUID1_ECX_HYPERVISOR (1u << 31)
#define CPUID1_EDX_APIC (1u << 9)
#define CPUID1_EDX_TSC (1u << 4)
#define CPUID81_ECX_SVM (1u << 2)
#define CPUID81_EDX_NX (1u << 20)
#define CPUID81_EDX_PAGE1G (1u << 26)
#define CPUID81_EDX_LM (1u << 29)

struct cpuid_regs {
	u32 eax, ebx, ecx, edx;
};

static inline struct cpuid_regs cpuid(u32 leaf, u32 subleaf)
{
	struct cpuid_regs r;
	__asm__ volatile("cpuid"
			 : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
			 : "a"(leaf), "c"(subleaf));
	return r;
}

static inline u64 rdmsr(u32 msr)
{
	u32 lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((u64)hi << 32) | lo;
}

static inline void wrmsr(u32 msr, u64 v)
{
	__asm__ volatile("wrmsr" ::"c"(msr), "a"((u32)v), "d"((u32)(v >> 32)) : "memory");
}

static inline u64 rdtsc(void)
{
	u32 lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((u64)hi << 32) | lo;
}

#if defined(CLOISON_HOST_TEST) && !defined(__x86_64__)
/*
 * A host unit test on another architecture (an arm64 laptop) compiles
 * drivers whose port I/O it never calls: there a port access traps.
 */
static inline void outb(u16 port, u8 v)
{
	(void)port, (void)v, __builtin_trap();
}
static inline void outw(u16 port, u16 v)
{
	(void)port, (void)v, __builtin_trap();
}
static inline void outl(u16 port, u32 v)
{
	(void)port, (void)v, __builtin_trap();
}
static inline u8 inb(u16 port)
{
	(void)port, __builtin_trap();
}
static inline u16 inw(u16 port)
{
	(void)port, __builtin_trap();
}
static inline u32 inl(u16 port)
{
	(void)port, __builtin_trap();
}
#else
static inline void outb(u16 port, u8 v)
{
	__asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port));
}
static inline void outw(u16 port, u16 v)
{
	__asm__ volatile("outw %0, %1" ::"a"(v), "Nd"(port));
}
static inline void outl(u16 port, u32 v)
{
	__asm__ volatile("outl %0, %1" ::"a"(v), "Nd"(port));
}

static inline u8 inb(u16 port)
{
	u8 v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline u16 inw(u16 port)
{
	u16 v;
	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline u32 inl(u16 port)
{
	u32 v;
	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
#endif

#define DEFINE_CR_ACCESSORS(n)                                                                     \
	static inline u64 read_cr##n(void)                                                         \
	{                                                                                          \
		u64 v;                                                                             \
		__asm__ volatile("mov %%cr" #n ", %0" : "=r"(v));                                  \
		return v;                                                                          \
	}                                                                                          \
	static inline void write_cr##n(u64 v)                                                      \
	{                                                                                          \
		__asm__ volatile("mov %0, %%cr" #n ::"r"(v) : "memory");                           \
	}
DEFINE_CR_ACCESSORS(0)
DEFINE_CR_ACCESSORS(2)
DEFINE_CR_ACCESSORS(3)
DEFINE_CR_ACCESSORS(4)
#undef DEFINE_CR_ACCESSORS

static inline u64 read_rflags(void)
{
	u64 v;
	__asm__ volatile("pushfq; popq %0" : "=r"(v));
	return v;
}

static inline void cpu_relax(void)
{
	__asm__ volatile("pause" ::: "memory");
}
static inline void irq_enable(void)
{
	__asm__ volatile("sti" ::: "memory");
}
static inline void irq_disable(void)
{
	__asm__ volatile("cli" ::: "memory");
}
static inline void halt(void)
{
	__asm__ volatile("hlt" ::: "memory");
}
/* Stop this CPU for good (interrupts off, halt loop). */
static inline NORETURN void cpu_stop(void)
{
	for (;;) {
		irq_disable();
		halt();
	}
}
/*
 * Take any interrupt waiting now, with interrupts off before and after:
 * STI's shadow covers the NOP, so they are taken before the CLI.
 */
static inline void irq_window(void)
{
	__asm__ volatile("sti; nop; cli" ::: "memory");
}
/* Enable interrupts and halt with no window in between (STI shadow). */
static inline void irq_enable_and_halt(void)
{
	__asm__ volatile("sti; hlt" ::: "memory");
}

static inline void invlpg(u64 va)
{
	__asm__ volatile("invlpg (%0)" ::"r"(va) : "memory");
}

#endif
