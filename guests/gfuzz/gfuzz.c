/*
 * gfuzz: the in-guest fuzzer.  A 32-bit partition that performs a long,
 * seeded, random sequence of the things a guest can do to its
 * hypervisor: hypercalls with odd numbers and pointers, port I/O (plain
 * and string, both directions, any port but the exit port and the
 * UART's data register), RDMSR and WRMSR of interesting MSRs with edge
 * values, writes to CR0, CR3 and CR4, XSETBV, debug registers, CPUID
 * leaves, segment loads, the virtualization instructions, INVD and
 * WBINVD, and exceptions and software interrupts.  An operation the
 * CPU (or cloison) answers with an exception is skipped: each one sets
 * a fixup address first, and the exception handler resumes there.
 *
 * What it checks: that it survives (no crash line, its exit code 0),
 * that cloison's CPUID signature and its own canary memory are intact
 * at the end, that no exception comes outside an operation, and that
 * the hypervisor carries on (the scenario runs a heartbeat beside it).
 *
 * Its name sets the run: "gfuzz" alone takes its seed from TIME and
 * runs GFUZZ_OPS operations; "gfuzz_S" replays seed S (decimal; 0 takes
 * it from TIME), and "gfuzz_S_N" runs N operations of seed S.  After N,
 * "s" makes N a number of seconds (of TIME) instead, and "c" makes the
 * run end with a read outside RAM instead of an exit, so that under
 * on_crash=restart it lives again, with a new seed (make soak does
 * both).  It prints the seed first, so any run replays exactly:
 *   gfuzz: seed S, N operations        (or N seconds)
 *   gfuzz: done: N operations, E exceptions, I interrupts, seed S
 * and, in a run of seconds, a sign of life every PROGRESS_S seconds:
 *   gfuzz: T s, N operations
 */
#include "guests/lib/guest.h"

#define GFUZZ_OPS 100000u
#define PROGRESS_S 10u
#define CANARY_WORDS 1024
#define CANARY 0xc0ffee11u
#define PORT_EXIT 0xf4
#define COM1 0x3f8
#define RAM_ABOVE 0x02000000u /* beyond any mem= the scenarios give it (32 MiB) */

struct trap_frame {
	uint32_t edi, esi, ebp, esp, ebx, edx, ecx, eax; /* PUSHAD */
	uint32_t vector, error;
	uint32_t eip, cs, eflags;
};

extern const char gfuzz_stubs[]; /* entry.S: 256 stubs of 16 bytes */

/* Where an exception resumes, 0 outside an operation (named in the operations' assembly). */
volatile uint32_t gfuzz_fixup;
static volatile uint32_t exceptions, interrupts;
static volatile uint32_t stray; /* an exception outside any operation: a failure */
static uint32_t canary[CANARY_WORDS];
static uint8_t scratch[256];
static uint64_t rng;

/* Entered by IRET from the handler, never returns: the stack is the interrupted code's. */
static __attribute__((noreturn)) void stray_exit(void)
{
	printf("gfuzz: FAIL: exception %u outside an operation\n", stray & 0xff);
	guest_exit(1);
}

void gfuzz_trap(struct trap_frame *f);
void gfuzz_trap(struct trap_frame *f)
{
	if (f->vector >= 32) {
		interrupts++;
		return;
	}
	if (!gfuzz_fixup) {
		stray = f->vector | 0x100u;
		f->eip = (uint32_t)(uintptr_t)stray_exit;
		return;
	}
	exceptions++;
	f->eip = gfuzz_fixup;
	gfuzz_fixup = 0;
}

static uint32_t next(void)
{
	/* xorshift64*: small, fast, and the same on every run for a seed */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (uint32_t)((rng * 2685821657736338717ull) >> 32);
}

static uint32_t below(uint32_t n)
{
	return next() % n;
}

/* A value a check would find interesting more often than chance would. */
static uint32_t edgy(void)
{
	static const uint32_t edges[] = { 0,	      1,	  0x7fffffff, 0x80000000,
					  0xffffffff, 0xfffffff0, 0x1000,     0x00fff000,
					  RAM_ABOVE,  0xfee00000, 0xfec00000, 0x000a0000,
					  0x0000ffff, 0x8000,	  0x40 };

	return below(4) ? edges[below(sizeof(edges) / sizeof(edges[0]))] : next();
}

static uint64_t edgy64(void)
{
	switch (below(6)) {
	case 0:
		return 0x0000800000000000ull; /* just past the canonical half */
	case 1:
		return 0xffff800000000000ull;
	case 2:
		return 0x8000000000000000ull;
	default:
		return ((uint64_t)edgy() << 32) | edgy();
	}
}

/*
 * Run one instruction with the fixup set: an exception resumes after it.
 * The rest of the arguments are the asm operand lists, from the first
 * colon on; "memory" is in every clobber list, as gfuzz_fixup changes.
 */
#define GUARDED(insn, ...)                                                                         \
	__asm__ volatile("movl $1f, gfuzz_fixup\n\t" insn "\n1:\tmovl $0, "                        \
			 "gfuzz_fixup" __VA_ARGS__)

static void op_hypercall(void)
{
	uint32_t nr = below(3) ? below(9) : next(), a, b = edgy(), c = edgy(), d = below(300);

	if (nr == HC_EXIT)
		nr = HC_YIELD;
	/* The console stays quiet: no valid buffer for a write. */
	a = nr == HC_CONSOLE_WRITE ? (below(2) ? RAM_ABOVE + below(4096) : 0xfffffff0u) : edgy();
	if (nr == HC_CONSOLE_WRITE && below(4) == 0)
		b = 0;
	if (nr == HC_CONSOLE_READ) {
		a = below(2) ? (uint32_t)(uintptr_t)scratch : edgy();
		b = below(sizeof(scratch));
	}
	if (nr == HC_SET_TIMER) {
		uint64_t now = hv_time_ns();
		uint64_t when = below(3) == 0 ? 0
				: below(2)    ? now + below(2000000)
					      : now - below(1000);
		a = (uint32_t)when;
		b = (uint32_t)(when >> 32);
		c = below(4) ? 32 + below(224) : d;
	}
	if (below(2))
		__asm__ volatile("vmcall" : "+a"(nr), "+b"(a), "+c"(b), "+d"(c) : : "memory");
	else
		__asm__ volatile("vmmcall" : "+a"(nr), "+b"(a), "+c"(b), "+d"(c) : : "memory");
}

static uint16_t a_port(void)
{
	uint16_t port = below(4) ? (uint16_t)next() : (uint16_t)(COM1 + below(8));

	return port == PORT_EXIT || port == COM1 ? 0x80 : port;
}

static void op_port(void)
{
	uint16_t port = a_port();
	uint32_t v = next(), n = below(64);
	uint8_t *buf = scratch + below(64);

	switch (below(8)) {
	case 0:
		__asm__ volatile("inb %w1, %b0" : "=a"(v) : "Nd"(port));
		break;
	case 1:
		__asm__ volatile("inw %w1, %w0" : "=a"(v) : "Nd"(port));
		break;
	case 2:
		__asm__ volatile("inl %w1, %0" : "=a"(v) : "Nd"(port));
		break;
	case 3:
		__asm__ volatile("outb %b0, %w1" ::"a"(v), "Nd"(port));
		break;
	case 4:
		__asm__ volatile("outl %0, %w1" ::"a"(v), "Nd"(port));
		break;
	case 5: /* string input, forwards or backwards, into the scratch buffer */
		if (below(2)) {
			buf += 64;
			__asm__ volatile("std; rep insb; cld"
					 : "+D"(buf), "+c"(n)
					 : "d"(port)
					 : "memory");
		} else {
			__asm__ volatile("rep insb" : "+D"(buf), "+c"(n) : "d"(port) : "memory");
		}
		break;
	case 6:
		__asm__ volatile("rep outsw" : "+S"(buf), "+c"(n) : "d"(port) : "memory");
		break;
	default:
		__asm__ volatile("outw %w0, %w1" ::"a"(v), "Nd"(port));
		break;
	}
}

static const uint32_t msrs[] = {
	0x10,	    0x1b,	0x3a,	    0xfe,	0x174,	    0x175,
	0x176,	    0x1a0,	0x277,	    0x2ff,	0x480,	    0xc0000080,
	0xc0000081, 0xc0000082, 0xc0000083, 0xc0000084, 0xc0000100, 0xc0000101,
	0xc0000102, 0xc0010114, 0xc0010117, 0x48,	0x49,	    0x10b,
};

static void op_msr(void)
{
	uint32_t msr = below(4) ? msrs[below(sizeof(msrs) / sizeof(msrs[0]))] : next();
	uint64_t v = edgy64();
	uint32_t lo = (uint32_t)v, hi = (uint32_t)(v >> 32);

	if (msr == 0xc0000080) /* EFER: keep it a value under which this code still runs */
		lo &= 0x901u, hi = below(8) ? 0 : hi;
	if (below(2))
		GUARDED("rdmsr", : "+a"(lo), "+d"(hi), "+c"(msr) : : "memory");
	else
		GUARDED("wrmsr", : "+a"(lo), "+d"(hi), "+c"(msr) : : "memory");
}

static void op_cr(void)
{
	/* CR0 bits the code does not rely on (PE and PG stay): MP, EM, TS, NE, WP, AM, NW, CD. */
	static const uint8_t cr0_bits[] = { 1, 2, 3, 5, 16, 18, 29, 30 };
	uint32_t v, old;

	switch (below(5)) {
	case 0:
		__asm__ volatile("mov %%cr0, %0" : "=r"(old));
		v = old ^ (1u << cr0_bits[below(sizeof(cr0_bits))]);
		if (below(16) == 0)
			v |= 1u << (19 + below(10)); /* a reserved bit */
		GUARDED("mov %0, %%cr0", : : "r"(v) : "memory");
		GUARDED("mov %0, %%cr0", : : "r"(old) : "memory");
		break;
	case 1:
		__asm__ volatile("mov %%cr4, %0" : "=r"(old));
		v = old ^ (1u << below(32));
		GUARDED("mov %0, %%cr4", : : "r"(v) : "memory");
		GUARDED("mov %0, %%cr4", : : "r"(old) : "memory");
		break;
	case 2:
		v = next();
		GUARDED("mov %0, %%cr3", : : "r"(v) : "memory"); /* paging is off: harmless */
		break;
	case 3: { /* XSETBV, if this CPU lets it be tried */
		uint32_t lo = below(2) ? below(8) : next(), hi = below(8) ? 0 : next();
		uint32_t ecx = below(4) ? 0 : next();
		GUARDED("xsetbv", : "+a"(lo), "+d"(hi), "+c"(ecx) : : "memory");
		break;
	}
	default: /* debug address registers; DR7 stays 0x400, so no breakpoint fires */
		v = next();
		switch (below(4)) {
		case 0:
			__asm__ volatile("mov %0, %%dr0" ::"r"(v));
			break;
		case 1:
			__asm__ volatile("mov %0, %%dr1" ::"r"(v));
			break;
		case 2:
			__asm__ volatile("mov %0, %%dr2" ::"r"(v));
			break;
		default:
			__asm__ volatile("mov %0, %%dr3" ::"r"(v));
			break;
		}
	}
}

static void op_cpuid(void)
{
	static const uint32_t leaves[] = { 0,	       1,	   7,	       0xb,
					   0xd,	       0x40000000, 0x40000001, 0x40000002,
					   0x80000000, 0x80000001, 0x8000000a, 0x80000008,
					   0x80000021 };
	uint32_t a = below(4) ? leaves[below(sizeof(leaves) / sizeof(leaves[0]))] : next();
	uint32_t b, c = below(4) ? below(4) : next(), d;

	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
}

static void op_insn(void)
{
	uint32_t sel = next() & 0xffff, x = next(), y = 0;

	switch (below(14)) {
	case 0:
		GUARDED("ud2", : : : "memory");
		break;
	case 1:
		GUARDED("int3", : : : "memory");
		break;
	case 2:
		__asm__ volatile("int $0x80" ::: "memory"); /* an interrupt vector: counted */
		break;
	case 3:
		GUARDED("divl %1", : "+a"(x), "+r"(y) : : "edx", "memory");
		break;
	case 4:
		GUARDED("mov %w0, %%fs", : : "r"(sel) : "memory"); /* #GP or #NP on most */
		__asm__ volatile("mov %w0, %%fs" ::"r"(0x10));
		break;
	case 5:
		GUARDED("vmrun", : "+a"(sel) : : "memory");
		break;
	case 6:
		GUARDED("vmload", : "+a"(sel) : : "memory");
		break;
	case 7:
		GUARDED("stgi", : : : "memory");
		break;
	case 8:
		GUARDED("clgi", : : : "memory");
		break;
	case 9:
		GUARDED("vmxoff", : : : "memory");
		break;
	case 10:
		GUARDED("invd", : : : "memory");
		break;
	case 11:
		GUARDED("wbinvd", : : : "memory");
		break;
	case 12: /* an interrupt soon, then HLT: it must wake (IF clear until the STI shadow) */
		__asm__ volatile("cli" ::: "memory");
		hv_set_timer(hv_time_ns() + 50000, 0x40);
		__asm__ volatile("sti; hlt" ::: "memory");
		break;
	default: /* the MOV SS shadow over an exit */
		x = 0;
		__asm__ volatile("mov %%ss, %%bx\n\tmov %%bx, %%ss\n\tcpuid"
				 : "+a"(x)
				 :
				 : "ebx", "ecx", "edx", "memory");
	}
}

static uint32_t parse(const char *s, uint32_t dflt)
{
	uint32_t v = 0;

	if (*s < '0' || *s > '9')
		return dflt;
	while (*s >= '0' && *s <= '9')
		v = v * 10 + (uint32_t)(*s++ - '0');
	return v;
}

int guest_main(unsigned magic, unsigned info)
{
	char name[32] = "", *p = name;
	uint32_t seed, ops, done = 0;
	bool seconds = false, crash = false;
	uint64_t until = 0, report = 0;
	uint32_t a, b, c, d, elapsed = 0;

	if (!hv_present()) {
		printf("gfuzz: needs cloison\n");
		return 0;
	}
	cmdline_value(guest_cmdline(magic, info), "name", name, sizeof(name));
	/* "gfuzz", "gfuzz_S" or "gfuzz_S_N". */
	seed = 0, ops = GFUZZ_OPS;
	while (*p && *p != '_')
		p++;
	if (*p == '_') {
		seed = parse(++p, 0);
		while (*p >= '0' && *p <= '9')
			p++;
		if (*p == '_') {
			ops = parse(++p, GFUZZ_OPS);
			while (*p >= '0' && *p <= '9')
				p++;
			for (; *p; p++) {
				seconds |= *p == 's';
				crash |= *p == 'c';
			}
		}
	}
	if (!seed)
		seed = (uint32_t)hv_time_ns() | 1;
	if (seconds) {
		report = hv_time_ns() + PROGRESS_S * 1000000000ull;
		until = report - PROGRESS_S * 1000000000ull + (uint64_t)ops * 1000000000ull;
	}
	rng = ((uint64_t)seed << 32) | 0x9e3779b9u;
	for (uint32_t i = 0; i < CANARY_WORDS; i++)
		canary[i] = CANARY ^ i;
	desc_init();
	for (unsigned v = 0; v < 256; v++)
		desc_set_handler((uint8_t)v, (void *)(gfuzz_stubs + 16 * v));
	printf("gfuzz: seed %u, %u %s\n", seed, ops, seconds ? "seconds" : "operations");
	__asm__ volatile("sti");
	for (;; done++) {
		if (seconds) {
			uint64_t now = hv_time_ns();
			if (now >= until)
				break;
			if (now >= report) { /* a sign of life in a long run */
				elapsed += PROGRESS_S;
				printf("gfuzz: %u s, %u operations\n", elapsed, done);
				report += PROGRESS_S * 1000000000ull;
			}
		} else if (done >= ops) {
			break;
		}
		switch (below(8)) {
		case 0:
		case 1:
			op_hypercall();
			break;
		case 2:
			op_port();
			break;
		case 3:
			op_msr();
			break;
		case 4:
			op_cr();
			break;
		case 5:
			op_cpuid();
			break;
		default:
			op_insn();
			break;
		}
	}
	__asm__ volatile("cli");
	for (uint32_t i = 0; i < CANARY_WORDS; i++) {
		if (canary[i] != (CANARY ^ i)) {
			printf("gfuzz: FAIL: canary word %u changed, seed %u\n", i, seed);
			return 1;
		}
	}
	cpuid(0x40000000, &a, &b, &c, &d);
	if (!hv_present() || b != 0x696f6c43) {
		printf("gfuzz: FAIL: the hypervisor leaf changed, seed %u\n", seed);
		return 1;
	}
	printf("gfuzz: done: %u operations, %u exceptions, %u interrupts, seed %u\n", done,
	       exceptions, interrupts, seed);
	if (crash) {
		(void)*(volatile uint32_t *)0x40000000u; /* outside RAM: a crash, to be restarted */
		printf("gfuzz: FAIL: the read outside RAM returned\n");
		return 1;
	}
	return 0;
}
