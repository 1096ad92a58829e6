/*
 * GDT, TSS and per-CPU area setup (SDM 3A §3.4 segment descriptors,
 * §8.2.3 TSS descriptor in 64-bit mode).  Each CPU gets its own GDT and
 * TSS; the TSS holds the IST stacks so NMIs, double faults and machine
 * checks always run on a known-good stack.  The IDT is shared and not
 * loaded here: cpu_setup()'s callers load it next with trap_load(), so
 * that the per-CPU data stays below the trap code that uses it.
 */
#include "kernel/cpu.h"
#include "boot/boot.h"
#include "lib/lib.h"
#include "lib/x86.h"

struct percpu percpus[MAX_CPUS];
u32 cpus_online;

/* Descriptor access bits. */
#define DESC_CODE64 0x00209a0000000000ull /* present, ring 0, code, L=1 */
#define DESC_CODE32 0x00cf9a000000ffffull
#define DESC_DATA 0x00cf92000000ffffull
#define DESC_TSS_AVAIL 0x89ull /* present, 64-bit available TSS */

struct PACKED descriptor_ptr {
	u16 limit;
	u64 base;
};

static void set_tss_descriptor(u64 *gdt, const struct tss *tss)
{
	u64 base = (u64)tss, limit = sizeof(*tss) - 1;

	gdt[0] = (limit & 0xffff) | (base & 0xffffff) << 16 | DESC_TSS_AVAIL << 40 |
		 ((limit >> 16) & 0xf) << 48 | ((base >> 24) & 0xff) << 56;
	gdt[1] = base >> 32;
}

void cpu_setup(struct percpu *c, u32 index, u32 apic_id, u8 *ist)
{
	struct descriptor_ptr gdtr = { sizeof(c->gdt) - 1, (u64)c->gdt };

	c->self = c;
	c->index = index;
	c->apic_id = apic_id;
	c->gdt[0] = 0;
	c->gdt[SEL_CODE32 / 8] = DESC_CODE32;
	c->gdt[SEL_DATA / 8] = DESC_DATA;
	c->gdt[SEL_CODE64 / 8] = DESC_CODE64;
	memset(&c->tss, 0, sizeof(c->tss));
	c->tss.ist[IST_NMI - 1] = (u64)ist + 1 * IST_STACK_SIZE;
	c->tss.ist[IST_DF - 1] = (u64)ist + 2 * IST_STACK_SIZE;
	c->tss.ist[IST_MC - 1] = (u64)ist + 3 * IST_STACK_SIZE;
	c->tss.iomap_base = sizeof(c->tss); /* no I/O bitmap */
	set_tss_descriptor(&c->gdt[SEL_TSS / 8], &c->tss);

	__asm__ volatile("lgdt %0\n\t"
			 "pushq %1\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "movw %w2, %%ds\n\t"
			 "movw %w2, %%es\n\t"
			 "movw %w2, %%ss\n\t"
			 "ltr %w3"
			 :
			 : "m"(gdtr), "i"(SEL_CODE64), "r"(SEL_DATA), "r"(SEL_TSS)
			 : "rax", "memory");
	wrmsr(MSR_GS_BASE, (u64)c);
	/*
	 * IA32_TSC_AUX, which RDTSCP returns, is zero: where a guest's RDTSCP
	 * gets through after all (QEMU's emulator ignores SVM's RDTSCP
	 * intercept), it learns nothing about the host.
	 */
	if (cpuid(0x80000000, 0).eax >= 0x80000001 && (cpuid(0x80000001, 0).edx & (1u << 27)))
		wrmsr(MSR_TSC_AUX, 0);
}
