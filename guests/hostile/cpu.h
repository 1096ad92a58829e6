/*
 * The machinery the hostile cases share to leave the state a Multiboot
 * guest starts in (32-bit protected mode, CPL 0, paging off, no IDT):
 * descriptor tables with outer rings and a TSS, an exception entry that
 * can resume after an instruction that was expected to fault, CPL 1-3,
 * virtual-8086 mode, real mode, 64-bit mode and paging.  cpu.c, trap.S,
 * real.S and long.S implement it; layout.h holds the numbers.
 */
#ifndef GUESTS_HOSTILE_CPU_H
#define GUESTS_HOSTILE_CPU_H

#include "guests/hostile/layout.h"
#include "guests/lib/guest.h"

/* Exception vectors (SDM 3A §6.3.1). */
#define EXC_DB 1
#define EXC_BP 3
#define EXC_UD 6
#define EXC_DF 8
#define EXC_NP 11
#define EXC_GP 13
#define EXC_PF 14
#define EXC_AC 17
#define NO_EXCEPTION (-1)

#define CR0_PE (1u << 0)
#define CR0_MP (1u << 1)
#define CR0_EM (1u << 2)
#define CR0_TS (1u << 3)
#define CR0_NE (1u << 5)
#define CR0_WP (1u << 16)
#define CR0_AM (1u << 18)
#define CR0_NW (1u << 29)
#define CR0_CD (1u << 30)
#define CR0_PG (1u << 31)
#define CR4_PSE (1u << 4)
#define CR4_PAE (1u << 5)
#define CR4_OSFXSR (1u << 9)
#define CR4_OSXMMEXCPT (1u << 10)
#define CR4_VMXE (1u << 13)
#define CR4_OSXSAVE (1u << 18)
#define CR4_SMAP (1u << 21)
#define EFLAGS_TF (1u << 8)
#define EFLAGS_IF (1u << 9)
#define EFLAGS_DF (1u << 10)
#define EFLAGS_AC (1u << 18)

#define MSR_SYSENTER_ESP 0x175
#define MSR_SYSENTER_EIP 0x176
#define MSR_PAT 0x277
#define MSR_EFER 0xc0000080
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_CSTAR 0xc0000083
#define MSR_SFMASK 0xc0000084
#define MSR_FS_BASE 0xc0000100
#define MSR_GS_BASE 0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102
#define EFER_SCE (1u << 0)
#define EFER_LME (1u << 8)

/* What trap.S saved: the frame trap_dispatch() gets and IRET resumes. */
struct trap_frame {
	uint32_t es, ds;
	uint32_t edi, esi, ebp, esp_pusha, ebx, edx, ecx, eax;
	uint32_t vector, error;
	uint32_t eip, cs, eflags;
	uint32_t esp, ss; /* only when it came from an outer ring or virtual-8086 mode */
};
typedef void (*trap_handler)(struct trap_frame *f);

/*
 * Load the tables (desc.c's GDT and IDT, with the timer's gate of
 * timer.c), fill the GDT slots of layout.h, load the TSS, install an
 * entry for every exception and the ring-return gate.  Once is enough;
 * later calls do nothing.
 */
void cpu_setup(void);
/*
 * COUNT_VECTOR's handler (installed by cpu_setup) only counts in
 * count_irqs: the cases that test when SET_TIMER's interrupt comes
 * arm the timer with it and watch the count.
 */
#define COUNT_VECTOR 0x41
extern volatile uint32_t count_irqs;

/* Let h handle vector (0-31) from now on; NULL gives it back to the default. */
void trap_on(uint8_t vector, trap_handler h);

/*
 * The default handling of an exception: when trap_fixup is set, resume
 * there and note the vector and error code in trap_vector and
 * trap_error (trap_fixup is cleared); otherwise print a FAIL line that
 * names it and exit with code 99.  The try_* helpers arm it around one
 * instruction and return the vector it raised, or NO_EXCEPTION.
 */
extern volatile uint32_t trap_fixup;
extern volatile int trap_vector;
extern volatile uint32_t trap_error;

/*
 * Run the assembly insn (a string; its operands follow, from the first
 * colon on) with the fixup armed at the label after it: evaluates to the
 * vector it raised, or NO_EXCEPTION.  insn must not define label 1.
 */
#define TRAP_TRY(insn, ...)                                                                        \
	({                                                                                         \
		trap_vector = NO_EXCEPTION;                                                        \
		__asm__ volatile("movl $1f, trap_fixup\n\t" insn                                   \
				 "\n1:\tmovl $0, trap_fixup" __VA_ARGS__);                         \
		trap_vector;                                                                       \
	})

int try_rdmsr(uint32_t msr, uint64_t *value);
int try_wrmsr(uint32_t msr, uint64_t value);
int try_write_cr0(uint32_t value);
int try_write_cr4(uint32_t value);
int try_xsetbv(uint32_t xcr, uint64_t value);
int try_xgetbv(uint32_t xcr, uint64_t *value);
/* Call fn, an assembly routine that may fault anywhere: the vector or NO_EXCEPTION. */
int trap_try(void (*fn)(void));

/*
 * Outer rings (trap.S).  ring_call(ring, fn) runs fn at CPL ring (1-3)
 * with EFLAGS = ring_eflags (default 2: IF clear, IOPL 0) on a stack of
 * its own; fn ends with INT RING_RETURN_VECTOR, and ring_call returns
 * with ring_regs.eax and .edx as fn left them.  ring_hcall makes the
 * hypercall of ring_regs (VMCALL when ring_use_vmcall, else VMMCALL);
 * ring_ac_loop does ring_regs.ecx misaligned loads from ring_regs.ebx
 * with EFLAGS.AC set before each.
 */
struct ring_regs {
	uint32_t eax, ebx, ecx, edx, esi;
};
extern struct ring_regs ring_regs;
extern uint32_t ring_eflags;
extern uint8_t ring_use_vmcall;
void ring_call(unsigned ring, void (*fn)(void));
void ring_hcall(void);
void ring_ac_loop(void);
/*
 * The cut case of case_shadow.c: ring_cut_wait sets EFLAGS.AC, moves ESP
 * off its alignment, sets IF (it needs IOPL 3) and waits up to
 * ring_regs.ecx rounds for cut_irqs to change; it returns cut_irqs in
 * EAX.  cut_irq_entry, reached through SEL_CONFORMING, counts in cut_irqs.
 */
extern volatile uint32_t cut_irqs;
void ring_cut_wait(void);
void cut_irq_entry(void);
/*
 * The ports-paging case's routine: REP INSB (ring_regs.esi 0), REP OUTSB
 * (1) or INSB (2) at CPL 1-3 on port ring_regs.edx, ring_regs.ecx
 * elements at ring_regs.ebx, with the fault fixup armed around it (the
 * vector in trap_vector); EDI, ESI and ECX come back in ring_regs.ebx,
 * .esi and .ecx.
 */
void ring_string_io(void);

/*
 * Real mode and virtual-8086 mode (real.S; paging must be off).  The
 * hypercall of both takes its registers from, and leaves EAX and EDX
 * in, the parameter block at LOW_PARAMS.
 */
struct low_params {
	uint32_t routine, eax, ebx, ecx, edx, esi, use_vmcall, df_seen, saved_sp;
};
#define lowp ((volatile struct low_params *)LOW_PARAMS)
void real_call(unsigned routine);
/* The hypercall from virtual-8086 mode, CPL 3 (v86_call of trap.S, v86_entry of real.S). */
void v86_hcall(void);

/*
 * 64-bit mode (long.S; paging must be off).  long_call(fn, r) runs the
 * 64-bit routine fn with RAX-RDI from r and stores them back.  An
 * exception the routine did not arm for ends it: r->vector says which
 * (0xffffffff when none).  long_vector is the exception an armed
 * instruction raised (0xffffffff when none).
 */
struct long_regs {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi;
	uint32_t vector, error;
};
_Static_assert(sizeof(struct long_regs) == 56, "long.S's LR_* offsets");
void long_call(void (*fn)(void), struct long_regs *r);
extern volatile uint32_t long_vector, long_error;
extern uint64_t long_pml4[512];
void long_vmcall(void), long_vmmcall(void);
void long_wrmsr(void), long_rdmsr(void);
void long_mov_cr0(void), long_mov_cr3(void), long_mov_cr4(void), long_mov_cr8(void);
void long_read(void), long_write(void);
void long_double_fault(void), long_triple_fault(void);
/* The hypercall for this CPU's vendor in 64-bit mode: RAX, RBX, RCX, RDX, RSI. */
uint64_t long_hypercall(uint64_t nr, uint64_t a1, uint64_t a2, uint64_t a3);

/*
 * Paging.  paging32_on() turns on 32-bit paging (4 KiB pages) with the
 * first 4 MiB identity-mapped and whatever paging32_map() added;
 * pae_on() turns on PAE paging with the first 1 GiB identity-mapped in
 * 2 MiB pages and linear 1 GiB mapped to guest-physical pae_high.
 */
void paging32_map(uint32_t linear, uint32_t phys);
void paging32_on(void);
void pae_on(uint64_t pae_high);
void paging_off(void);

/* Which hypercall instruction the SDK uses on this CPU. */
bool cpu_is_intel(void);

static inline uint32_t read_cr0(void)
{
	uint32_t v;
	__asm__ volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}
static inline void write_cr0(uint32_t v)
{
	__asm__ volatile("mov %0, %%cr0" ::"r"(v) : "memory");
}
static inline uint32_t read_cr2(void)
{
	uint32_t v;
	__asm__ volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}
static inline uint32_t read_cr4(void)
{
	uint32_t v;
	__asm__ volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}
static inline void write_cr4(uint32_t v)
{
	__asm__ volatile("mov %0, %%cr4" ::"r"(v) : "memory");
}
static inline uint32_t read_eflags(void)
{
	uint32_t v;
	__asm__ volatile("pushfl; popl %0" : "=r"(v));
	return v;
}
static inline void sti(void)
{
	__asm__ volatile("sti" ::: "memory");
}
static inline void cli(void)
{
	__asm__ volatile("cli" ::: "memory");
}
static inline void cpuid_count(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid"
			 : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(sub));
}

#endif
