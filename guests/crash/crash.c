/*
 * crash: a partition that dies on purpose, to test the hypervisor's
 * crash path.  The name= word of its command line says how:
 *   triple  an exception with an empty IDT, i.e. a triple fault;
 *   virt    first the CPU vendor's virtualization instruction (VMXON on
 *           Intel, VMRUN on AMD; CPUID hides VMX and SVM, but the vendor
 *           string is the real one), which must raise #UD as on a CPU
 *           without them; then, from the #UD handler, a read outside the
 *           partition's RAM, which must stop it.
 * It prints one line before it acts and a FAIL line if it is still running
 * afterwards.  Its own GDT and IDT turn an exception that comes back to it
 * unexpectedly (say a #GP for VMRUN) into a FAIL line that names the
 * exception, instead of a second, misleading triple fault.
 */
#include "guests/lib/guest.h"

#define EXC_UD 6
#define EXC_GP 13
#define NR_EXC 32

struct frame; /* what the CPU pushed; only passed along */

static const char *doing = "nothing";
static bool ud_expected; /* virt: #UD is the right answer */

static __attribute__((noreturn)) void exception_seen(const char *what)
{
	printf("crash: FAIL: %s raised %s\n", doing, what);
	guest_exit(1);
}

#define OUTSIDE_RAM 0x40000000u /* 1 GiB: beyond any crash partition's RAM */

__attribute__((interrupt)) static void on_ud(struct frame *f)
{
	(void)f;
	if (!ud_expected)
		exception_seen("#UD");
	printf("crash: %s raised #UD, as on a CPU without it; now reading outside RAM\n", doing);
	(void)*(volatile uint32_t *)OUTSIDE_RAM;
	printf("crash: FAIL: the read outside RAM returned\n");
	guest_exit(1);
}

__attribute__((interrupt)) static void on_gp(struct frame *f, uintptr_t error)
{
	(void)f, (void)error;
	exception_seen("#GP");
}

__attribute__((interrupt)) static void on_other(struct frame *f)
{
	(void)f;
	exception_seen("an exception");
}

/* cloison starts a partition with GDTR and IDTR empty: bring our own. */
static void tables_init(void)
{
	desc_init();
	for (int v = 0; v < NR_EXC; v++)
		desc_set_handler((uint8_t)v, (void *)on_other);
	desc_set_handler(EXC_UD, (void *)on_ud);
	desc_set_handler(EXC_GP, (void *)on_gp);
}

static void triple_fault(void)
{
	static const struct __attribute__((packed)) {
		uint16_t limit;
		uint32_t base;
	} empty = { 0, 0 }; /* an IDT that holds no gate */

	doing = "ud2 with an empty IDT";
	printf("crash: triple fault next\n");
	/* #UD cannot be delivered through a 1-byte IDT, nor the #GP that raises,
	 * nor the #DF after it: shutdown (SDM 3A §6.15, interrupt 8). */
	__asm__ volatile("lidt %0\n\tud2" : : "m"(empty) : "memory");
}

static void virt_insn(void)
{
	/* A zeroed, 4 KiB-aligned region: never looked at, the instruction must fault first. */
	static uint8_t region[4096] __attribute__((aligned(4096)));
	uint64_t region_pa = (uintptr_t)region;

	ud_expected = true;
	if (cpu_vendor_is("GenuineIntel")) {
		doing = "VMXON";
		printf("crash: VMXON next\n");
		/* The real CPU exits (cloison runs with VMX on); cloison answers #UD. */
		__asm__ volatile("vmxon %0" : : "m"(region_pa) : "memory", "cc");
	} else if (cpu_vendor_is("AuthenticAMD")) {
		doing = "VMRUN";
		printf("crash: VMRUN next\n");
		/* The real CPU exits (the VMCB's guest EFER has SVME); cloison answers #UD. */
		__asm__ volatile("vmrun" : : "a"(region) : "memory", "cc");
	} else {
		printf("crash: FAIL: CPU vendor is neither Intel nor AMD\n");
		guest_exit(1);
	}
}

static const struct {
	const char *name;
	void (*act)(void);
} actions[] = { { "triple", triple_fault }, { "virt", virt_insn } };

int guest_main(unsigned magic, unsigned info)
{
	char how[16];

	if (!cmdline_value(guest_cmdline(magic, info), "name", how, sizeof(how)))
		how[0] = '\0';
	tables_init();
	for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
		if (str_same(how, actions[i].name)) {
			actions[i].act();
			printf("crash: FAIL: still running after %s\n", doing);
			return 1;
		}
	}
	printf("crash: name=%s: want name=triple or virt\n", how);
	return 2;
}
