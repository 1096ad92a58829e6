/*
 * Cases "df" and "triple" (class 6 of the catalog): double faults and
 * triple faults in real mode, 32-bit protected mode and 64-bit mode.
 *
 * "df" makes a double fault in each mode with a working #DF handler,
 * which must be reached:
 *   real  INT 0x30 with the IVT limit at 0x27: #GP, which cannot be
 *         delivered either, then #DF through IVT entry 8 (real.S);
 *   pm32  UD2 with an IDT whose only present gate is #DF: #UD finds no
 *         gate, which is a #NP, which finds no gate: #DF (SDM 3A §6.15,
 *         interrupt 8: two contributory exceptions);
 *   lm64  the same in 64-bit mode (long.S).
 * "triple" makes one with no way out, which must stop the partition
 * with "crashed: triple fault"; its variant says the mode (triple_real,
 * triple_pm32, triple_lm64; one partition each).
 */
#include "guests/hostile/cpu.h"
#include "guests/hostile/hostile.h"

void insn_ud2(void);
extern const uint32_t trap_stubs[32];

struct __attribute__((packed)) idt_ptr {
	uint16_t limit;
	uint32_t base;
};

/* A 32-bit IDT of 32 vectors whose only present gate is #DF (to trap.S's stub). */
static uint64_t df_idt[32];

static void pm32_double_fault_idt(void)
{
	uint32_t a = trap_stubs[EXC_DF];

	df_idt[EXC_DF] = (a & 0xffffu) | ((uint64_t)SEL_CODE0 << 16) | (0x8eull << 40) |
			 ((uint64_t)(a >> 16) << 48);
}

static int pm32(void)
{
	struct idt_ptr small = { sizeof(df_idt) - 1, (uint32_t)(uintptr_t)df_idt }, saved;
	int got;

	pm32_double_fault_idt();
	__asm__ volatile("sidt %0\n\tlidt %1" : "=m"(saved) : "m"(small) : "memory");
	got = trap_try(insn_ud2);
	__asm__ volatile("lidt %0" ::"m"(saved) : "memory");
	return got;
}

static int double_faults(void)
{
	struct long_regs r = { 0 };
	int failures = 0;

	*lowp = (struct low_params){ 0 };
	real_call(REAL_DF);
	failures += hcheck("real mode: #DF handler reached", lowp->df_seen, 1);
	failures += hcheck("32-bit mode: #DF handler reached", pm32(), EXC_DF);
	long_call(long_double_fault, &r);
	failures += hcheck("64-bit mode: #DF handler reached", (int)long_vector, EXC_DF);
	if (r.vector != 0xffffffffu)
		hsay("64-bit mode: exception %u (error 0x%x) instead", r.vector, r.error);
	return failures;
}

int case_df(unsigned magic, unsigned info)
{
	(void)magic, (void)info;
	cpu_setup();
	return double_faults();
}

int case_triple(unsigned magic, unsigned info)
{
	struct long_regs r = { 0 };
	(void)magic, (void)info;

	cpu_setup();
	if (str_same(hostile_variant, "real")) {
		hsay("triple fault in real mode next");
		*lowp = (struct low_params){ 0 };
		real_call(REAL_TRIPLE);
	} else if (str_same(hostile_variant, "pm32")) {
		static const struct idt_ptr none = { 0, 0 };
		hsay("triple fault in 32-bit mode next");
		__asm__ volatile("lidt %0\n\tud2" ::"m"(none) : "memory");
	} else if (str_same(hostile_variant, "lm64")) {
		hsay("triple fault in 64-bit mode next");
		long_call(long_triple_fault, &r);
	} else {
		hsay("FAIL: variant '%s': want real, pm32 or lm64", hostile_variant);
		return 1;
	}
	hsay("FAIL: still running after the triple fault");
	return 1;
}
