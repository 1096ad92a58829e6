/*
 * Case "ports-paging" (class 10 of the catalog): string port I/O through
 * the guest's own page tables.  cloison carries out INS and OUTS for the
 * guest, reading and writing the memory operand itself, so it must
 * apply the access rights the CPU would (SDM 3A §4.6): a process its OS
 * let at the ports (IOPL 3) must not write the kernel's memory or a
 * read-only page with REP INSB, nor read the kernel's with OUTSB.
 * With 32-bit paging, the first 4 MiB identity-mapped as user pages,
 * four pages of the case's own changed:
 *
 *   pages[0]  user, writable        pages[1]  user, read-only
 *   pages[2]  supervisor, writable  pages[3]  user, writable (the good one)
 *   pages[4]  not present
 *
 * From CPL 3 with IOPL 3, each of these must raise #PF in the guest,
 * with the error code of SDM 3A §4.7 and CR2 the faulting address, and
 * leave memory as it was; the partition runs on:
 *   - REP INSB of 4 bytes from 2 bytes before pages[1]: the first two
 *     land in pages[0], then #PF 7 (present, write, user) at pages[1]
 *     with ECX 2 and EDI at pages[1];
 *   - INSB into pages[2]: #PF 7;  REP OUTSB from pages[2]: #PF 5;
 *   - INSB into pages[4]: #PF 6 (not present, write, user).
 * From CPL 0, INSB into pages[1] with CR0.WP set: #PF 3; with WP clear
 * it writes.  Where the CPU has SMAP: with CR4.SMAP (and the rest made
 * supervisor pages), INSB into the user page pages[3] from CPL 0 with
 * RFLAGS.AC clear: #PF 3; with AC set it writes.  And REP INSB of 16
 * bytes into pages[3] from CPL 3 works and sets the accessed and dirty
 * flags of its page-table entry (SDM 3A §4.8).
 */
#include "guests/hostile/cpu.h"
#include "guests/hostile/hostile.h"
#include "lib/format.h"

#define PORT 0x80 /* no device: reads all ones */
#define FILL 0x5a
#define P 0x1u
#define RW 0x2u
#define US 0x4u
#define ACCESSED 0x20u
#define DIRTY 0x40u
#define IOPL3 (3u << 12)

static uint32_t pd[1024] __attribute__((aligned(4096)));
static uint32_t pt[1024] __attribute__((aligned(4096)));
static uint8_t pages[5][4096] __attribute__((aligned(4096)));

static uint32_t addr(const void *p)
{
	return (uint32_t)(uintptr_t)p;
}

static uint32_t *pte(const void *p)
{
	return &pt[(addr(p) >> 12) & 1023];
}

static void paging_on(void)
{
	for (uint32_t i = 0; i < 1024; i++)
		pt[i] = i << 12 | P | RW | US;
	*pte(pages[1]) = addr(pages[1]) | P | US;
	*pte(pages[2]) = addr(pages[2]) | P | RW;
	*pte(pages[4]) = 0;
	pd[0] = addr(pt) | P | RW | US;
	for (unsigned i = 0; i < 5; i++)
		for (unsigned j = 0; j < 4096; j++)
			pages[i][j] = FILL;
	__asm__ volatile("mov %0, %%cr3" ::"r"(pd) : "memory");
	write_cr4(read_cr4() & ~(CR4_PAE | CR4_SMAP));
	write_cr0((read_cr0() | CR0_PG) & ~CR0_WP);
}

/* Do [p, p + n) still hold FILL? */
static bool untouched(const uint8_t *p, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (p[i] != FILL)
			return false;
	return true;
}

/* One string instruction from CPL 3 (op: 0 REP INSB, 1 REP OUTSB, 2 INSB). */
static int ring3_string(unsigned op, void *at, uint32_t count)
{
	ring_regs = (struct ring_regs){ .ebx = addr(at), .ecx = count, .edx = PORT, .esi = op };
	trap_vector = NO_EXCEPTION;
	trap_error = 0;
	ring_eflags = 2 | IOPL3;
	ring_call(3, ring_string_io);
	ring_eflags = 2;
	return trap_vector;
}

/* Check a #PF: vector, error code, CR2. */
static int expect_pf(const char *what, int vector, uint32_t error, const void *cr2)
{
	char line[120];
	int failures = 0;

	format(line, sizeof(line), "%s: #PF", what);
	failures += hcheck(line, vector, EXC_PF);
	format(line, sizeof(line), "%s: error code %u", what, error);
	failures += hcheck(line, trap_error, error);
	format(line, sizeof(line), "%s: CR2 is the address", what);
	failures += hcheck(line, read_cr2(), addr(cr2));
	return failures;
}

static int user_faults(void)
{
	int failures = 0, v;

	/* REP INSB across from a writable page into a read-only one. */
	v = ring3_string(0, pages[1] - 2, 4);
	failures += expect_pf("CPL 3 REP INSB into a read-only page", v, P | RW | US, pages[1]);
	failures += hcheck(
		"CPL 3 REP INSB into a read-only page: 2 bytes before it stored",
		pages[0][4094] == 0xff && pages[0][4095] == 0xff && untouched(pages[0], 4094), 1);
	failures += hcheck("CPL 3 REP INSB into a read-only page: the page unchanged",
			   untouched(pages[1], 4096), 1);
	failures += hcheck("CPL 3 REP INSB into a read-only page: ECX 2 and EDI at the page",
			   ring_regs.ecx == 2 && ring_regs.ebx == addr(pages[1]), 1);

	v = ring3_string(2, pages[2] + 0x10, 1);
	failures += expect_pf("CPL 3 INSB into a supervisor page", v, P | RW | US, pages[2] + 0x10);
	failures += hcheck("CPL 3 INSB into a supervisor page: the page unchanged, EDI kept",
			   untouched(pages[2], 4096) && ring_regs.ebx == addr(pages[2] + 0x10), 1);

	v = ring3_string(0, pages[2] + 0x20, 8);
	failures +=
		expect_pf("CPL 3 REP INSB into a supervisor page", v, P | RW | US, pages[2] + 0x20);
	failures += hcheck("CPL 3 REP INSB into a supervisor page: unchanged, ECX 8",
			   untouched(pages[2], 4096) && ring_regs.ecx == 8, 1);

	v = ring3_string(1, pages[2] + 0x30, 4);
	failures += expect_pf("CPL 3 REP OUTSB from a supervisor page", v, P | US, pages[2] + 0x30);
	failures += hcheck("CPL 3 REP OUTSB from a supervisor page: ESI kept, ECX 4",
			   ring_regs.esi == addr(pages[2] + 0x30) && ring_regs.ecx == 4, 1);

	v = ring3_string(2, pages[4] + 0x40, 1);
	failures += expect_pf("CPL 3 INSB into a page not present", v, RW | US, pages[4] + 0x40);

	v = ring3_string(1, pages[1], 4);
	failures += hcheck("CPL 3 REP OUTSB from a read-only user page works",
			   v == NO_EXCEPTION && ring_regs.ecx == 0, 1);
	return failures;
}

static int supervisor_faults(void)
{
	uint32_t di, cx;
	int failures = 0, v;

	write_cr0(read_cr0() | CR0_WP);
	di = addr(pages[1] + 0x100), cx = 1;
	trap_error = 0;
	v = TRAP_TRY("cld\n\trep insb", : "+D"(di), "+c"(cx) : "d"(PORT) : "memory");
	failures += expect_pf("CPL 0 INSB into a read-only page with CR0.WP", v, P | RW,
			      pages[1] + 0x100);
	failures += hcheck("CPL 0 INSB into a read-only page with CR0.WP: the page unchanged",
			   untouched(pages[1], 4096) && cx == 1, 1);

	write_cr0(read_cr0() & ~CR0_WP);
	di = addr(pages[1] + 0x100), cx = 1;
	v = TRAP_TRY("cld\n\trep insb", : "+D"(di), "+c"(cx) : "d"(PORT) : "memory");
	failures += hcheck("CPL 0 INSB into a read-only page without CR0.WP works",
			   v == NO_EXCEPTION && pages[1][0x100] == 0xff && cx == 0, 1);
	return failures;
}

/* SMAP, where the CPU has it: every page but pages[3] made a supervisor page meanwhile. */
static int smap(void)
{
	uint32_t r[4], di, cx, keep = (addr(pages[3]) >> 12) & 1023;
	int failures = 0, v;

	cpuid_count(0, 0, r);
	if (r[0] < 7 || (cpuid_count(7, 0, r), !(r[1] & (1u << 20)))) {
		hsay("no SMAP on this CPU: its checks skipped");
		return 0;
	}
	for (uint32_t i = 0; i < 1024; i++)
		if (i != keep)
			pt[i] &= ~US;
	__asm__ volatile("mov %0, %%cr3" ::"r"(pd) : "memory");
	if (try_write_cr4(read_cr4() | CR4_SMAP) != NO_EXCEPTION) {
		failures += hcheck("CR4.SMAP can be set where CPUID has SMAP", 0, 1);
	} else {
		/* No access of this code to pages[3] but the INSBs until SMAP is off again. */
		di = addr(pages[3] + 0x200), cx = 1;
		trap_error = 0;
		v = TRAP_TRY("cld\n\trep insb", : "+D"(di), "+c"(cx) : "d"(PORT) : "memory");
		failures += expect_pf("CPL 0 INSB into a user page with SMAP and AC clear", v,
				      P | RW, pages[3] + 0x200);
		di = addr(pages[3] + 0x300), cx = 1;
		v = TRAP_TRY("pushfl\n\torl $0x40000, (%%esp)\n\tpopfl\n\tcld\n\trep insb\n\t"
			     "pushfl\n\tandl $~0x40000, (%%esp)\n\tpopfl",
			     : "+D"(di), "+c"(cx)
			     : "d"(PORT)
			     : "memory", "cc");
		write_cr4(read_cr4() & ~CR4_SMAP);
		failures += hcheck("CPL 0 INSB with SMAP and AC clear: the byte unchanged",
				   pages[3][0x200] == FILL, 1);
		failures += hcheck("CPL 0 INSB into a user page with SMAP and AC set works",
				   v == NO_EXCEPTION && pages[3][0x300] == 0xff, 1);
		pages[3][0x300] = FILL;
	}
	for (uint32_t i = 0; i < 1024; i++)
		if (i != keep && (i << 12) != addr(pages[2]))
			pt[i] |= US;
	__asm__ volatile("mov %0, %%cr3" ::"r"(pd) : "memory");
	hsay("SMAP checked");
	return failures;
}

static int user_writes(void)
{
	int failures = 0, v;

	*pte(pages[3]) &= ~(ACCESSED | DIRTY);
	__asm__ volatile("invlpg (%0)" ::"r"(pages[3]) : "memory");
	v = ring3_string(0, pages[3] + 0x10, 16);
	failures += hcheck("CPL 3 REP INSB into a writable user page works",
			   v == NO_EXCEPTION && ring_regs.ecx == 0 &&
				   ring_regs.ebx == addr(pages[3] + 0x20),
			   1);
	failures += hcheck("CPL 3 REP INSB into a writable user page: its PTE accessed and dirty",
			   *pte(pages[3]) & (ACCESSED | DIRTY), ACCESSED | DIRTY);
	failures += hcheck("CPL 3 REP INSB into a writable user page: its PDE accessed",
			   pd[0] & ACCESSED, ACCESSED);
	failures += hcheck("CPL 3 REP INSB into a writable user page: 16 bytes stored",
			   untouched(pages[3], 0x10) && untouched(pages[3] + 0x20, 4096 - 0x20) &&
				   pages[3][0x10] == 0xff && pages[3][0x1f] == 0xff,
			   1);
	return failures;
}

int case_ports_paging(unsigned magic, unsigned info)
{
	int failures = 0;
	(void)magic, (void)info;

	cpu_setup();
	paging_on();
	failures += user_faults();
	failures += supervisor_faults();
	failures += smap();
	failures += user_writes();
	paging_off();
	hsay("still running after every fault");
	return failures;
}
