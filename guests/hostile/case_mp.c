/*
 * Case "mp" (class 23 of the catalog): a partition of two vCPUs
 * (vcpus=2) whose second vCPU ends it while the first spins without a
 * single exit.  vCPU 0 starts vCPU 1 as an OS starts an application
 * processor, by INIT and STARTUP IPIs (SDM 3A §9.4.4) to real-mode code
 * at 0x20000, and waits until it has said it runs.  Then, 1.2 s after
 * the start (the heartbeat beside it is beating), it lets vCPU 1 go and
 * spins for 3 s of TSC time; vCPU 1 then, by variant:
 *   triple   loads an IDT of limit 0 and raises INT3: a triple fault;
 *   exit     writes 7 to the exit port 0xf4.
 * The whole partition must stop at once, once (one "crashed" or
 * "exited" line, never vCPU 0's "still running" FAIL), and the
 * heartbeat keep beating.  Under on_crash=restart ("restart") it must
 * come back with both vCPUs: every life checks that its RAM holds
 * nothing of the last one (it fills 256 KiB with a pattern before it
 * lets vCPU 1 go), starts vCPU 1 again and sees it run.
 */
#include "guests/hostile/apic.h"
#include "guests/hostile/hostile.h"

#define MS 1000000ull
#define AP_PAGE 0x20 /* STARTUP vector: real-mode code at 0x20000 */
#define AP_CODE (AP_PAGE << 12)
#define AP_ALIVE 0xa11fe001u
#define HOW_TRIPLE 1
#define HOW_EXIT 2
#define PATTERN 0x6d703c3eu
#define PATTERN_START 0x180000u
#define PATTERN_END 0x1c0000u
#define GO_MS 1200
#define SPIN_MS 3000

/*
 * vCPU 1's code, copied to AP_CODE: real mode, CS = AP_PAGE << 8, IP 0.
 * It says it runs, waits for "go", then ends the partition as "how" says.
 */
extern const char mp_ap_blob[], mp_ap_alive[], mp_ap_go[], mp_ap_how[], mp_ap_blob_end[];
__asm__(".pushsection .rodata\n"
	".code16\n"
	".globl mp_ap_blob, mp_ap_alive, mp_ap_go, mp_ap_how, mp_ap_blob_end\n"
	"mp_ap_blob:\n"
	"\tcli\n"
	"\tmovl $0xa11fe001, %cs:(mp_ap_alive - mp_ap_blob)\n"
	"1:\tpause\n"
	"\tcmpl $0, %cs:(mp_ap_go - mp_ap_blob)\n"
	"\tje 1b\n"
	"\tcmpl $2, %cs:(mp_ap_how - mp_ap_blob)\n"
	"\tje 2f\n"
	"\tlidt %cs:(mp_ap_noidt - mp_ap_blob)\n"
	"\tint3\n"
	"2:\tmovb $7, %al\n"
	"\toutb %al, $0xf4\n"
	"3:\thlt\n"
	"\tjmp 3b\n"
	"\t.balign 4\n"
	"mp_ap_alive:\t.long 0\n"
	"mp_ap_go:\t.long 0\n"
	"mp_ap_how:\t.long 0\n"
	"mp_ap_noidt:\t.word 0\n\t.long 0\n"
	"mp_ap_blob_end:\n"
	".code32\n"
	".popsection");

static volatile uint32_t *ap_word(const char *label)
{
	return (volatile uint32_t *)(uintptr_t)(AP_CODE + (uint32_t)(label - mp_ap_blob));
}

static int start_ap(void)
{
	uint64_t t0 = hv_time_ns();

	for (uint32_t i = 0; i < (uint32_t)(mp_ap_blob_end - mp_ap_blob); i++)
		((volatile char *)AP_CODE)[i] = mp_ap_blob[i];
	lapic_write(LAPIC_SVR, SVR_ENABLE | 0xff);
	lapic_ipi(1, ICR_INIT | ICR_ASSERT);
	lapic_ipi(1, ICR_STARTUP | ICR_ASSERT | AP_PAGE);
	while (*ap_word(mp_ap_alive) != AP_ALIVE && hv_time_ns() - t0 < 500 * MS)
		sleep_ns(MS);
	return hcheck("vCPU 1, started by INIT and STARTUP, runs", *ap_word(mp_ap_alive), AP_ALIVE);
}

static int memory_clean(void)
{
	uint32_t dirty = 0;

	for (uint32_t a = PATTERN_START; a < PATTERN_END; a += 4) {
		volatile uint32_t *w = (volatile uint32_t *)(uintptr_t)a;
		dirty += *w != 0;
		*w = PATTERN;
	}
	return hcheck("256 KiB of RAM clean at the start of this life", dirty, 0);
}

int case_mp(unsigned magic, unsigned info)
{
	const char *v = hostile_variant;
	uint32_t how = str_same(v, "exit") ? HOW_EXIT : HOW_TRIPLE;
	uint64_t per_ms, t, c;
	int failures = 0;
	(void)magic, (void)info;

	if (!str_same(v, "exit") && !str_same(v, "triple") && !str_same(v, "restart")) {
		hsay("FAIL: variant '%s': want triple, exit or restart", v);
		return 1;
	}
	cpu_setup();
	failures += memory_clean();
	failures += start_ap();
	if (failures)
		return failures;
	t = hv_time_ns(), c = rdtsc();
	sleep_ns(10 * MS);
	per_ms = hdiv((rdtsc() - c) * MS, hv_time_ns() - t);
	while (hv_time_ns() - hostile_t0 < GO_MS * MS)
		sleep_ns(10 * MS);
	*ap_word(mp_ap_how) = how;
	hsay("vCPU 1 %s next, while vCPU 0 spins",
	     how == HOW_EXIT ? "writes the exit port" : "triple-faults");
	*ap_word(mp_ap_go) = 1;
	c = rdtsc();
	while (rdtsc() - c < SPIN_MS * per_ms)
		__asm__ volatile("pause");
	hsay("FAIL: vCPU 0 still runs %u ms after vCPU 1 was to end the partition", SPIN_MS);
	return 1;
}
