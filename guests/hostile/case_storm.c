/*
 * Case "storm" (class 7 of the catalog): exceptions and exits as fast as
 * a guest can make them, on the heartbeat's CPU.  It first sleeps 1.1 s,
 * so that the storms fall in the heartbeat's beating time, then:
 *   - 100000 INT3, each handled by its own handler, which returns;
 *   - single-stepping (EFLAGS.TF) over 100000 instructions: every #DB
 *     reaches the handler (the hypervisor intercepts #DB and must hand
 *     each one back), and DR6.BS says why, as on hardware;
 *   - 10000 alignment checks: CR0.AM, EFLAGS.AC and a misaligned load at
 *     CPL 3; the #AC handler clears AC and the load is retried;
 *   - CPUID and port reads in turn, as fast as possible for 1 s.
 * Every count must come out exact; the heartbeat beside it must keep all
 * its beats (the scenario checks that).
 */
#include "guests/hostile/cpu.h"
#include "guests/hostile/hostile.h"

#define MS 1000000ull
#define BREAKPOINTS 100000u
#define STEPS 100000u
#define ALIGNMENT_CHECKS 10000u
#define EXIT_STORM_NS (1000 * MS)
#define DR6_BS (1u << 14)

static volatile uint32_t bp_count, db_count, ac_count, dr6_first;

static void on_bp(struct trap_frame *f)
{
	(void)f;
	bp_count++;
}

static void on_db(struct trap_frame *f)
{
	if (db_count++ == 0)
		__asm__ volatile("mov %%dr6, %0" : "=r"(dr6_first));
	if (db_count == STEPS) {
		f->eflags &= ~EFLAGS_TF;
		f->ecx = 1; /* the stepped loop ends at its next DEC */
	}
}

static void on_ac(struct trap_frame *f)
{
	ac_count++;
	f->eflags &= ~EFLAGS_AC;
}

static uint32_t ms_since(uint64_t t0)
{
	return hms(hv_time_ns() - t0);
}

static int breakpoints(void)
{
	uint64_t t0 = hv_time_ns();

	trap_on(EXC_BP, on_bp);
	for (unsigned i = 0; i < BREAKPOINTS; i++)
		__asm__ volatile("int3" ::: "memory");
	trap_on(EXC_BP, NULL);
	hsay("%u INT3 in %u ms", bp_count, ms_since(t0));
	return hcheck("every INT3 reached the handler", bp_count, BREAKPOINTS);
}

static int single_steps(void)
{
	uint64_t t0 = hv_time_ns();
	uint32_t count = 0xffffffffu;
	int failures = 0;

	trap_on(EXC_DB, on_db);
	__asm__ volatile("mov %0, %%dr6" ::"r"(0xffff0ff0u));
	/* TF from POPF: the first #DB comes after the instruction that follows. */
	__asm__ volatile("pushfl\n\t"
			 "orl %1, (%%esp)\n\t"
			 "popfl\n"
			 "1:\tdecl %0\n\t"
			 "jnz 1b"
			 : "+c"(count)
			 : "i"(EFLAGS_TF)
			 : "memory", "cc");
	trap_on(EXC_DB, NULL);
	hsay("%u single steps in %u ms", db_count, ms_since(t0));
	failures += hcheck("every single step reached the handler", db_count, STEPS);
	failures += hcheck("DR6.BS set at the first single step", dr6_first & DR6_BS, DR6_BS);
	return failures;
}

static int alignment_checks(void)
{
	static uint32_t words[4];
	uint64_t t0 = hv_time_ns();

	trap_on(EXC_AC, on_ac);
	write_cr0(read_cr0() | CR0_AM);
	ring_regs = (struct ring_regs){ .ebx = (uint32_t)(uintptr_t)words + 1,
					.ecx = ALIGNMENT_CHECKS };
	ring_call(3, ring_ac_loop);
	write_cr0(read_cr0() & ~CR0_AM);
	trap_on(EXC_AC, NULL);
	hsay("%u alignment checks in %u ms", ac_count, ms_since(t0));
	return hcheck("every misaligned load at CPL 3 raised #AC", ac_count, ALIGNMENT_CHECKS);
}

static int exits(void)
{
	uint64_t t0 = hv_time_ns(), n = 0;
	uint32_t r[4];
	bool ones = true;

	while (hv_time_ns() - t0 < EXIT_STORM_NS) {
		for (unsigned i = 0; i < 256; i++) {
			cpuid_count(0, 0, r);
			ones &= inb(0x80) == 0xff;
		}
		n += 512;
	}
	hsay("%u CPUID and port exits in %u ms", (uint32_t)n, ms_since(t0));
	return hcheck("port 0x80 read all ones throughout", ones, 1);
}

int case_storm(unsigned magic, unsigned info)
{
	int failures = 0;
	(void)magic, (void)info;

	cpu_setup();
	sleep_ns(1100 * MS);
	failures += breakpoints();
	failures += single_steps();
	failures += alignment_checks();
	failures += exits();
	return failures;
}
