/*
 * The C half of the hostile cases' machinery (cpu.h): the extra GDT
 * descriptors and the TSS, the exception dispatcher that trap.S calls,
 * the try_* helpers, the page tables of 32-bit, PAE and 64-bit paging,
 * and the 64-bit IDT that long.S loads.
 */
#include "guests/hostile/cpu.h"
#include "guests/hostile/hostile.h"

/* A flat 4 GiB segment of 32-bit code or read/write data with this DPL (SDM 3A §3.4.5). */
#define FLAT_CODE32(dpl) (0x00cf9a000000ffffull | ((uint64_t)(dpl) << 45))
#define FLAT_DATA32(dpl) (0x00cf92000000ffffull | ((uint64_t)(dpl) << 45))
#define CODE16 0x00009a000000ffffull /* base 0, limit 64 KiB, 16-bit */
#define DATA16 0x000092000000ffffull
#define CODE64 0x00af9a000000ffffull	   /* L = 1 (SDM 3A §5.2.1) */
#define CONFORMING32 0x00cf9e000000ffffull /* flat 32-bit code, conforming, DPL 0 */
#define TSS32_AVAILABLE 0x89ull		   /* present, DPL 0, available 32-bit TSS */

/* The 32-bit TSS (SDM 3A §8.2.1): only the ring-0 stack matters here. */
struct tss32 {
	uint32_t link, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags;
	uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi;
	uint32_t es, cs, ss, ds, fs, gs, ldt;
	uint16_t trap, iomap;
};
_Static_assert(sizeof(struct tss32) == 104, "32-bit TSS (SDM 3A §8.2.1)");

struct __attribute__((packed)) table_ptr64 {
	uint16_t limit;
	uint64_t base; /* a 32-bit LIDT reads the low half only */
};

extern const uint32_t trap_stubs[32], long_stubs[32];
extern const char real_blob[], real_blob_end[];
extern const uint32_t v86_entry_ip;
void ring_return(void);
void v86_call(unsigned cs, unsigned ip, unsigned ss, unsigned sp);

volatile uint32_t trap_fixup;
volatile int trap_vector = NO_EXCEPTION;
volatile uint32_t trap_error;
struct ring_regs ring_regs;
uint8_t ring_use_vmcall;

volatile uint32_t count_irqs;

struct frame; /* what the CPU pushed; only passed along */

__attribute__((interrupt)) static void on_count_vector(struct frame *f)
{
	(void)f;
	count_irqs++;
}

static struct tss32 tss;
static uint8_t tss_stack[4096] __attribute__((aligned(16)));
static trap_handler handlers[32];
static bool set_up;

/* 64-bit mode: page tables and IDT (long.S). */
uint64_t long_pml4[512] __attribute__((aligned(4096)));
static uint64_t long_pdpt[512] __attribute__((aligned(4096)));
static uint64_t long_pd0[512] __attribute__((aligned(4096)));
static uint64_t long_pd4[512] __attribute__((aligned(4096)));
static uint64_t long_idt[32 * 2] __attribute__((aligned(16)));
static uint64_t long_df_idt[32 * 2] __attribute__((aligned(16)));
struct table_ptr64 long_idt_ptr, long_df_idt_ptr;

#define PTE_P 0x1ull
#define PTE_RW 0x2ull
#define PTE_PS 0x80ull /* a 2 MiB (or 4 MiB) page in a directory entry */

bool cpu_is_intel(void)
{
	return cpu_vendor_is("GenuineIntel");
}

static uint64_t tss_descriptor(uint32_t base, uint32_t limit)
{
	return (limit & 0xffffull) | ((uint64_t)(base & 0xffffffu) << 16) |
	       (TSS32_AVAILABLE << 40) | ((uint64_t)(limit & 0xf0000u) << 32) |
	       ((uint64_t)(base >> 24) << 56);
}

/* A 64-bit interrupt gate to a stub of long.S (SDM 3A §6.14.1). */
static void long_gate(uint64_t *idt, unsigned vector, uint32_t stub)
{
	idt[2 * vector] = (stub & 0xffffull) | ((uint64_t)SEL_CODE64 << 16) | (0x8eull << 40) |
			  ((uint64_t)(stub >> 16) << 48);
	idt[2 * vector + 1] = 0;
}

static void long_mode_tables(void)
{
	long_pml4[0] = (uint32_t)(uintptr_t)long_pdpt | PTE_P | PTE_RW;
	long_pdpt[0] = (uint32_t)(uintptr_t)long_pd0 | PTE_P | PTE_RW;
	long_pdpt[4] = (uint32_t)(uintptr_t)long_pd4 | PTE_P | PTE_RW;
	for (uint64_t i = 0; i < 512; i++) {
		long_pd0[i] = (i << 21) | PTE_P | PTE_RW | PTE_PS;
		long_pd4[i] = (4ull << 30) + (i << 21) + (PTE_P | PTE_RW | PTE_PS);
	}
	for (unsigned v = 0; v < 32; v++)
		long_gate(long_idt, v, long_stubs[v]);
	long_gate(long_df_idt, EXC_DF, long_stubs[EXC_DF]); /* the only present gate */
	long_idt_ptr = (struct table_ptr64){ sizeof(long_idt) - 1, (uint32_t)(uintptr_t)long_idt };
	long_df_idt_ptr =
		(struct table_ptr64){ sizeof(long_df_idt) - 1, (uint32_t)(uintptr_t)long_df_idt };
}

void cpu_setup(void)
{
	if (set_up)
		return;
	set_up = true;
	timer_init(); /* desc_init() and the timer's gate */
	for (unsigned ring = 1; ring <= 3; ring++) {
		desc_set_segment(1 + 2 * ring, FLAT_CODE32(ring));
		desc_set_segment(2 + 2 * ring, FLAT_DATA32(ring));
	}
	desc_set_segment(SEL_CODE16 / 8, CODE16);
	desc_set_segment(SEL_DATA16 / 8, DATA16);
	desc_set_segment(SEL_CODE64 / 8, CODE64);
	desc_set_segment(SEL_CONFORMING / 8, CONFORMING32);
	tss.ss0 = SEL_DATA0;
	tss.esp0 = (uint32_t)(uintptr_t)(tss_stack + sizeof(tss_stack));
	tss.iomap = sizeof(tss); /* no I/O permission bitmap */
	desc_set_segment(SEL_TSS / 8, tss_descriptor((uint32_t)(uintptr_t)&tss, sizeof(tss) - 1));
	__asm__ volatile("ltr %w0" ::"r"(SEL_TSS));
	for (unsigned v = 0; v < 32; v++)
		desc_set_handler((uint8_t)v, (void *)trap_stubs[v]);
	desc_set_gate(RING_RETURN_VECTOR, (void *)ring_return, 3);
	desc_set_handler(COUNT_VECTOR, (void *)on_count_vector);
	if (real_blob_end - real_blob > LOW_BLOB_MAX)
		hsay("FAIL: the 16-bit code is %d bytes, more than LOW_BLOB_MAX",
		     (int)(real_blob_end - real_blob));
	for (unsigned i = 0; i < (unsigned)(real_blob_end - real_blob) && i < LOW_BLOB_MAX; i++)
		((volatile char *)LOW_BLOB)[i] = real_blob[i];
	long_mode_tables();
}

void trap_on(uint8_t vector, trap_handler h)
{
	if (vector < 32)
		handlers[vector] = h;
}

void trap_dispatch(struct trap_frame *f);
void trap_dispatch(struct trap_frame *f)
{
	if (f->vector < 32 && handlers[f->vector]) {
		handlers[f->vector](f);
		return;
	}
	if (trap_fixup) {
		trap_vector = (int)f->vector;
		trap_error = f->error;
		f->eip = trap_fixup;
		trap_fixup = 0;
		return;
	}
	hsay("FAIL: unexpected exception %u (error 0x%x) at 0x%x, cs 0x%x", f->vector, f->error,
	     f->eip, f->cs);
	guest_exit(99);
}

int try_rdmsr(uint32_t msr, uint64_t *value)
{
	uint32_t lo = 0, hi = 0;
	int v = TRAP_TRY("rdmsr", : "+a"(lo), "+d"(hi) : "c"(msr) : "memory");
	*value = (uint64_t)hi << 32 | lo;
	return v;
}

int try_wrmsr(uint32_t msr, uint64_t value)
{
	return TRAP_TRY("wrmsr", ::"c"(msr), "a"((uint32_t)value), "d"((uint32_t)(value >> 32))
			: "memory");
}

int try_write_cr0(uint32_t value)
{
	return TRAP_TRY("mov %0, %%cr0", ::"r"(value) : "memory");
}

int try_write_cr4(uint32_t value)
{
	return TRAP_TRY("mov %0, %%cr4", ::"r"(value) : "memory");
}

int try_xsetbv(uint32_t xcr, uint64_t value)
{
	return TRAP_TRY("xsetbv", ::"c"(xcr), "a"((uint32_t)value), "d"((uint32_t)(value >> 32))
			: "memory");
}

int try_xgetbv(uint32_t xcr, uint64_t *value)
{
	uint32_t lo = 0, hi = 0;
	int v = TRAP_TRY("xgetbv", : "+a"(lo), "+d"(hi) : "c"(xcr) : "memory");
	*value = (uint64_t)hi << 32 | lo;
	return v;
}

int trap_try(void (*fn)(void))
{
	/*
	 * The routine may fault with anything pushed: ESP waits in EBP, which
	 * it must keep, as it must keep EBX, ESI and EDI.  The fixup label is
	 * the first "1:" after TRY's own "movl $1f": the one that puts ESP back.
	 */
	return TRAP_TRY("movl %%esp, %%ebp\n\tcall *%0\n\tjmp 2f\n1:\tmovl %%ebp, %%esp\n2:",
			::"S"(fn)
			: "eax", "ecx", "edx", "ebp", "memory");
}

void v86_hcall(void)
{
	v86_call(0, v86_entry_ip, 0, LOW_STACK);
}

uint64_t long_hypercall(uint64_t nr, uint64_t a1, uint64_t a2, uint64_t a3)
{
	struct long_regs r = { .rax = nr, .rbx = a1, .rcx = a2, .rdx = a3 };

	long_call(cpu_is_intel() ? long_vmcall : long_vmmcall, &r);
	return r.rax;
}

/* ---- paging ---------------------------------------------------------------- */

static uint32_t pd32[1024] __attribute__((aligned(4096)));
static uint32_t pt32_low[1024] __attribute__((aligned(4096)));	/* linear 0-4 MiB */
static uint32_t pt32_high[1024] __attribute__((aligned(4096))); /* linear 4092 MiB-4 GiB */

void paging32_map(uint32_t linear, uint32_t phys)
{
	uint32_t *pt = linear < (4u << 20) ? pt32_low : linear >= 0xffc00000u ? pt32_high : NULL;

	if (pt)
		pt[(linear >> 12) & 1023] = (phys & ~0xfffu) | PTE_P | PTE_RW;
}

void paging32_on(void)
{
	for (uint32_t i = 1; i < 1024; i++) /* the first 4 MiB but page 0, which is the case's */
		if (!pt32_low[i])
			pt32_low[i] = (i << 12) | PTE_P | PTE_RW;
	pd32[0] = (uint32_t)(uintptr_t)pt32_low | PTE_P | PTE_RW;
	pd32[1023] = (uint32_t)(uintptr_t)pt32_high | PTE_P | PTE_RW;
	__asm__ volatile("mov %0, %%cr3" ::"r"(pd32) : "memory");
	write_cr4(read_cr4() & ~CR4_PAE);
	write_cr0(read_cr0() | CR0_PG);
}

static uint64_t pae_pdpt[4] __attribute__((aligned(32)));
static uint64_t pae_pd0[512] __attribute__((aligned(4096)));
static uint64_t pae_pd1[512] __attribute__((aligned(4096)));

void pae_on(uint64_t pae_high)
{
	for (uint64_t i = 0; i < 512; i++) {
		pae_pd0[i] = (i << 21) | PTE_P | PTE_RW | PTE_PS;
		pae_pd1[i] = (pae_high + (i << 21)) | PTE_P | PTE_RW | PTE_PS;
	}
	pae_pdpt[0] = (uint32_t)(uintptr_t)pae_pd0 | PTE_P; /* PDPTEs have no RW bit */
	pae_pdpt[1] = (uint32_t)(uintptr_t)pae_pd1 | PTE_P;
	__asm__ volatile("mov %0, %%cr3" ::"r"(pae_pdpt) : "memory");
	write_cr4(read_cr4() | CR4_PAE);
	write_cr0(read_cr0() | CR0_PG);
}

void paging_off(void)
{
	write_cr0(read_cr0() & ~CR0_PG);
	write_cr4(read_cr4() & ~CR4_PAE);
}
