/*
 * hostile: the entry of the hostile catalog's guest (hostile.h).  The
 * partition's name= says which case to run: the case of that name, or,
 * for a name like "unbacked_lapic", of the name before the '_' (so one
 * case can run in several partitions, each told its variant, "lapic",
 * by hostile_variant).  A name that is no case runs
 * "pointers", the first one written, whose last step reads outside the
 * partition's RAM and must get it stopped (the mixed scenarios use it
 * that way as "reader", the hostile scenario as "hostile").
 */
#include "guests/hostile/hostile.h"
#include "lib/format.h"

static const struct hostile_case cases[] = {
	{ "pointers", case_pointers },		 /* class 1 */
	{ "privilege", case_privilege },	 /* 2 */
	{ "numbers", case_numbers },		 /* 3 */
	{ "ripwrap", case_ripwrap },		 /* 4 */
	{ "virt", case_virt },			 /* 5 */
	{ "df", case_df },			 /* 6 */
	{ "triple", case_triple },		 /* 6 */
	{ "storm", case_storm },		 /* 7 */
	{ "gp", case_gp },			 /* 8 */
	{ "unbacked", case_unbacked },		 /* 9 */
	{ "ports", case_ports },		 /* 10 */
	{ "ports-paging", case_ports_paging },	 /* 10 */
	{ "uart16550", case_uart16550 },	 /* 11 */
	{ "shadow", case_shadow },		 /* 12 */
	{ "console", case_console },		 /* 13 */
	{ "time", case_time },			 /* 14 */
	{ "cli-spin", case_cli_spin },		 /* 16 */
	{ "sti-spin", case_sti_spin },		 /* 16 */
	{ "cli-loop", case_cli_loop },		 /* 16 */
	{ "hlt-cli", case_hlt_cli },		 /* 16 */
	{ "yield-storm", case_yield_storm },	 /* 16 */
	{ "deadline-spin", case_deadline_spin }, /* 16 */
	{ "share", case_share },		 /* 16 */
	{ "idle", case_idle },			 /* 16 */
	{ "regs", case_regs },			 /* 17 */
	{ "cpuid-msr", case_cpuid_msr },	 /* 17 */
	{ "apic-mmio", case_apic_mmio },	 /* 18 */
	{ "apic-bad", case_apic_bad },		 /* 19 */
	{ "apic-flood", case_apic_flood },	 /* 20 */
	{ "pc-ports", case_pc_ports },		 /* 21 */
	{ "reset", case_reset },		 /* 22 */
	{ "mp", case_mp },			 /* 23 */
	{ "mp-console", case_mp_more },		 /* 23 */
	{ "mp-sipi", case_mp_more },		 /* 23 */
	{ "mp-reset", case_mp_more },		 /* 23 */
	{ "apic-timer", case_apic_timer },	 /* 16 */
	{ "hlt-masked", case_hlt_masked },	 /* 16 */
};

const char *hostile_name = "?";
const char *hostile_variant = "";
uint32_t hostile_ram;
uint64_t hostile_t0;

int hcheck(const char *what, long long got, long long want)
{
	char who[48];

	format(who, sizeof(who), "hostile %s", hostile_name);
	return guest_check(who, what, got, want);
}

void hsay(const char *fmt, ...)
{
	char line[160];
	va_list ap;
	int n = format(line, sizeof(line), "hostile %s: ", hostile_name);

	if (n < 0 || n >= (int)sizeof(line))
		n = 0;

	va_start(ap, fmt);
	format_v(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	printf("%s\n", line);
}

unsigned hstrlen(const char *s)
{
	unsigned n = 0;

	while (s[n])
		n++;
	return n;
}

uint64_t hdiv(uint64_t n, uint64_t d)
{
	uint64_t q = 0, r = 0;

	if (!d)
		return ~0ull;
	for (int bit = 63; bit >= 0; bit--) {
		r = r << 1 | (n >> bit & 1);
		if (r >= d) {
			r -= d;
			q |= 1ull << bit;
		}
	}
	return q;
}

uint32_t hms(uint64_t ns)
{
	return (uint32_t)hdiv(ns, 1000000);
}

bool hprefix(const char *s, const char *prefix)
{
	while (*prefix && *s == *prefix)
		s++, prefix++;
	return !*prefix;
}

/* RAM from the Multiboot information block: 1 MiB plus mem_upper KiB (Multiboot 0.6.96 §3.3). */
static uint32_t ram_from_info(unsigned magic, unsigned info)
{
	const volatile uint32_t *blk = (const volatile uint32_t *)(uintptr_t)info;

	if (magic != 0x2badb002u || !info || !(blk[0] & 1u))
		return 0;
	return (1024u + blk[2]) * 1024u;
}

/* Is name the case's name, or the case's name followed by '_' and anything? */
static bool names_case(const char *name, const char *c)
{
	while (*c && *c == *name)
		c++, name++;
	return !*c && (!*name || *name == '_');
}

int guest_main(unsigned magic, unsigned info)
{
	char name[32] = "";
	const struct hostile_case *run = &cases[0];
	int failures;
	uint32_t r[4];

	/* Before anything that uses the one stack's data: who is this? */
	__atomic_fetch_add(hostile_entries, 1, __ATOMIC_SEQ_CST);
	cpuid(1, &r[0], &r[1], &r[2], &r[3]);
	if (r[1] >> 24) {
		printf("hostile: FAIL: vCPU %u ran the image's entry point\n", r[1] >> 24);
		for (;;)
			__asm__ volatile("cli; hlt");
	}
	if (!hv_present()) {
		printf("hostile: needs cloison\n");
		return 1;
	}
	cmdline_value(guest_cmdline(magic, info), "name", name, sizeof(name));
	hostile_ram = ram_from_info(magic, info);
	hostile_t0 = hv_time_ns();
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (names_case(name, cases[i].name))
			run = &cases[i];
	hostile_name = run->name;
	if (names_case(name, run->name) && name[hstrlen(run->name)] == '_')
		hostile_variant = name + hstrlen(run->name) + 1;
	failures = run->run(magic, info);
	hsay("%d failures", failures);
	return failures;
}
