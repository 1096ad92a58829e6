/*
 * pc: a Multiboot guest that checks, from the inside, that its partition
 * behaves as a small PC: CPUID, the ACPI tables, the TSC against the PIT
 * and the ACPI PM timer, the local APIC in xAPIC and x2APIC mode, the
 * I/O APIC with the PIT, the UART and the RTC behind it, the 8259s
 * through LINT0, the RTC's registers, and with two vCPUs the start of the second by INIT and
 * STARTUP IPIs.  It ends by powering off through ACPI S5, as an OS does.
 *
 * Each check prints one line, "pc: <what>: ok" or "pc: <what>: FAIL
 * (...)"; the last line before the power-off counts them.  The guest
 * command line (after "--" on the partition line) says what to run:
 *   cpus=N     the vCPUs the partition has (the MADT and CPUID must agree);
 *              with N >= 2 only CPUID, ACPI and the second CPU's start
 *   typed=C    wait for the byte C typed on the console (the UART's
 *              receive interrupt); the boot scenario types it
 * The boot vCPU enables interrupts only inside pc_wait(), and every wait
 * is bounded, so a device that never interrupts gives a FAIL line, not
 * a hang.
 */
#include "guests/pc/pc.h"
#include "lib/format.h"

uint32_t pc_tsc_khz;
static unsigned checks, failures;

/* ---- checks ----------------------------------------------------------------- */

int pc_check(const char *what, long long got, long long want)
{
	checks++;
	if (guest_check("pc", what, got, want)) {
		failures++;
		return 1;
	}
	return 0;
}

int pc_within(const char *what, long long got, long long lo, long long hi)
{
	return pc_verdict(what, got >= lo && got <= hi, "got %lld, want %lld..%lld", got, lo, hi);
}

int pc_verdict(const char *what, bool ok, const char *fmt, ...)
{
	char why[160];
	va_list ap;

	checks++;
	if (ok) {
		printf("pc: %s: ok\n", what);
		return 0;
	}
	va_start(ap, fmt);
	format_v(why, sizeof(why), fmt, ap);
	va_end(ap);
	printf("pc: %s: FAIL (%s)\n", what, why);
	failures++;
	return 1;
}

/* ---- time ------------------------------------------------------------------- */

uint64_t pc_ms(uint32_t ms)
{
	return (uint64_t)ms * pc_tsc_khz;
}

uint32_t pc_us(uint64_t ticks)
{
	uint64_t us = div64_32(ticks * 1000, pc_tsc_khz, NULL);

	return us > 0xffffffffu ? 0xffffffffu : (uint32_t)us;
}

void pc_spin_ms(uint32_t ms)
{
	uint64_t end = rdtsc() + pc_ms(ms);

	while (rdtsc() < end)
		__asm__ volatile("pause");
}

struct frame; /* what the CPU pushed; only passed along */

__attribute__((interrupt)) static void on_wake(struct frame *f)
{
	(void)f; /* cloison's own timer interrupt: nothing to acknowledge, only HLT to end */
}

bool pc_wait(volatile unsigned *count, unsigned target, uint32_t ms)
{
	uint64_t end = rdtsc() + pc_ms(ms);
	bool hv = hv_present();

	/* The wake-up comes a millisecond after end, so that it finds the TSC past it. */
	if (hv)
		hv_set_timer(hv_time_ns() + (uint64_t)(ms + 1) * 1000000, VEC_WAKE);
	for (bool opened = false;; opened = true) {
		__asm__ volatile("cli" ::: "memory");
		/* At least one window: an interrupt already pending counts, however late we are. */
		if (*count >= target || (opened && rdtsc() >= end))
			break;
		if (hv)
			__asm__ volatile("sti; hlt" ::: "memory"); /* STI's shadow covers HLT */
		else
			__asm__ volatile("sti; pause" ::: "memory");
	}
	if (hv)
		hv_set_timer(0, VEC_WAKE);
	return *count >= target;
}

/* ---- faults nobody expects ---------------------------------------------------- */

struct iframe {
	uint32_t eip, cs, eflags;
};

static __attribute__((noreturn)) void unexpected(const char *what, uint32_t eip, uint32_t code)
{
	printf("pc: unexpected %s at eip 0x%x (error code 0x%x): FAIL\n", what, eip, code);
	guest_exit(100);
}

__attribute__((interrupt)) static void on_de(struct iframe *f)
{
	unexpected("#DE", f->eip, 0);
}

__attribute__((interrupt)) static void on_ud(struct iframe *f)
{
	unexpected("#UD", f->eip, 0);
}

__attribute__((interrupt)) static void on_gp(struct iframe *f, unsigned long code)
{
	unexpected("#GP", f->eip, (uint32_t)code);
}

static volatile unsigned spurious;

__attribute__((interrupt)) static void on_spurious(struct frame *f)
{
	(void)f;
	spurious++; /* SDM 3A §11.9: no EOI for the spurious vector */
}

/* ---- CPUID -------------------------------------------------------------------- */

/*
 * Leaves 0x15 and 0x16 give the TSC's rate too (docs/platform.md), where
 * the CPU's highest basic leaf reaches them; beyond it they read zero.
 * 0x15: TSC = crystal (ECX, 25 MHz) * EBX / EAX, to the kHz of cloison's
 * leaf; 0x16: EAX the TSC in MHz, ECX the crystal's.
 */
static void frequency_leaves(void)
{
	uint32_t max, a, b, c, d, khz;
	uint32_t rem;

	cpuid(0, &max, &b, &c, &d);
	cpuid(HV_LEAF_TIMING, &khz, &b, &c, &d);
	cpuid(0x15, &a, &b, &c, &d);
	if (max < 0x15)
		pc_check("cpuid 0x15: zero beyond the highest basic leaf", a | b | c | d, 0);
	else
		pc_within("cpuid 0x15: the 25 MHz crystal (ECX) * EBX / EAX is the TSC kHz of "
			  "0x40000010",
			  c == 25000000 && a ? div64_32((uint64_t)c / 1000 * b, a, &rem) : 0,
			  khz - 1, khz + 1);
	cpuid(0x16, &a, &b, &c, &d);
	if (max < 0x16)
		pc_check("cpuid 0x16: zero beyond the highest basic leaf", a | b | c | d, 0);
	else
		pc_check("cpuid 0x16: EAX and EBX the TSC MHz, ECX the crystal's",
			 a == khz / 1000 && b == a && c == 25, 1);
}

static void cpuid_checks(void)
{
	uint32_t a, b, c, d;

	cpuid(1, &a, &b, &c, &d);
	pc_check("cpuid 1: local APIC (EDX bit 9)", !!(d & CPUID1_EDX_APIC), 1);
	pc_check("cpuid 1: x2APIC (ECX bit 21)", !!(c & CPUID1_ECX_X2APIC), 1);
	pc_check("cpuid 1: TSC deadline (ECX bit 24)", !!(c & CPUID1_ECX_TSC_DEADLINE), 1);
	pc_check("cpuid 1: initial APIC id of vCPU 0", b >> 24, 0);
	frequency_leaves();
}

/* The TSC rate every wait uses: cloison's leaf, or (natively) the PIT's measure. */
static void tsc_rate(void)
{
	uint32_t a = 0, b, c, d;

	if (hv_present())
		cpuid(HV_LEAF_TIMING, &a, &b, &c, &d);
	pc_tsc_khz = a ? a : 1000000; /* corrected by clock_checks() when the leaf is absent */
}

/* ---- the end ---------------------------------------------------------------- */

/* ACPI 6.4 §7.4.2 and §16.1.7: SLP_TYP from \_S5, then SLP_EN, in PM1a control. */
static __attribute__((noreturn)) void power_off(void)
{
	printf("pc: %u checks, %u failed\n", checks, failures);
	if (pc_acpi.pm1a_cnt && pc_acpi.slp_typ_s5 >= 0) {
		uint16_t v = inw(pc_acpi.pm1a_cnt);
		v = (uint16_t)((v & ~PM1_SLP_TYP) |
			       ((unsigned)pc_acpi.slp_typ_s5 << PM1_SLP_TYP_SHIFT) | PM1_SLP_EN);
		outw(pc_acpi.pm1a_cnt, v);
		pc_spin_ms(100);
	}
	printf("pc: ACPI S5 power-off: FAIL (still running)\n");
	guest_exit(failures + 1);
}

static unsigned number(const char *cmdline, const char *key, unsigned dflt)
{
	char v[12];
	unsigned n = 0;

	if (!cmdline_value(cmdline, key, v, sizeof(v)) || !v[0])
		return dflt;
	for (const char *p = v; *p >= '0' && *p <= '9'; p++)
		n = n * 10 + (unsigned)(*p - '0');
	return n;
}

/* The first character of key's value; 0 when the key is absent. */
static char letter(const char *cmdline, const char *key)
{
	char v[4];

	return cmdline_value(cmdline, key, v, sizeof(v)) ? v[0] : 0;
}

int guest_main(unsigned magic, unsigned info)
{
	const char *cmdline = guest_cmdline(magic, info);
	unsigned cpus = number(cmdline, "cpus", 1);

	desc_init();
	desc_set_handler(0, (void *)on_de);
	desc_set_handler(6, (void *)on_ud);
	desc_set_handler(13, (void *)on_gp);
	desc_set_handler(VEC_WAKE, (void *)on_wake);
	desc_set_handler(VEC_SPURIOUS, (void *)on_spurious);
	tsc_rate();
	outb(0x21, 0xff); /* the 8259s masked, as an OS starts: pic.c unmasks what it tests */
	outb(0xa1, 0xff);

	cpuid_checks();
	acpi_checks(cpus);
	if (cpus >= 2) {
		smp_checks();
		power_off();
	}
	clock_checks();
	lapic_checks();
	ioapic_checks();
	pic_checks();
	rtc_checks();
	uart_checks(letter(cmdline, "typed"));
	x2apic_checks();
	pc_check("no spurious interrupt", spurious, 0);
	power_off();
}
