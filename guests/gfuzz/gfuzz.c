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
 * And the devices of the small PC a partition is: IN and OUT on their
 * ports, 32-bit MOVs at random aligned offsets of the local APIC and to
 * the I/O APIC's registers, the x2APIC MSRs and IA32_APIC_BASE, self
 * IPIs, EOIs, and the PIT and the RTC programmed at random.  What would
 * end the run or blind it is left out or bent, never the rest (see
 * "Device operations" below): no write reaches the exit port, the reset
 * lines or S5; no interrupt comes on an exception vector; the 8259s
 * never reach the CPU; devices interrupt at most about 1 kHz.
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
	if (f->vector >= 32 || f->vector == 2) { /* an interrupt, or an NMI a device sent */
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

/*
 * Would a write of size bytes at port reach what ends this partition: the
 * exit port, the i8042's command port (0xfe resets), the reset register,
 * PM1a control (SLP_EN with S5)?  The platform splits a wide access into
 * bytes for most devices, so every byte counts.
 */
static bool ends_partition(uint16_t port, uint32_t size)
{
	static const uint16_t enders[] = { PORT_EXIT, 0x64, 0xcf9, 0x604, 0x605 };

	for (uint32_t i = 0; i < sizeof(enders) / sizeof(enders[0]); i++)
		if (enders[i] >= port && enders[i] < port + size)
			return true;
	return false;
}

static void op_port(void)
{
	uint16_t port = a_port();
	uint32_t v = next(), n = below(64), op = below(8);
	uint8_t *buf = scratch + below(64);
	uint32_t size = op == 3 ? 1 : op == 4 ? 4 : 2;

	/* Nor a byte of a wide write into the UART's THR: the console stays quiet. */
	if (op >= 3 && op != 5 &&
	    (ends_partition(port, size) || (COM1 >= port && COM1 < port + size)))
		port = 0x80;
	switch (op) {
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

/* APIC MSRs go through apic_wrmsr() (the device operations, below). */
static bool apic_msr(uint32_t msr);
static void apic_wrmsr(uint32_t msr, uint64_t v);

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
	if (below(2)) {
		GUARDED("rdmsr", : "+a"(lo), "+d"(hi), "+c"(msr) : : "memory");
		return;
	}
	if (apic_msr(msr)) {
		apic_wrmsr(msr, ((uint64_t)hi << 32) | lo);
		return;
	}
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

/*
 * Device operations.  The fuzzer must outlive what it does to its own
 * devices, so a few values are bent before they are written (a guest
 * that wanted to could hurt itself with them, but the run would end
 * there and prove nothing more):
 *  - a vector of 16-31 in an LVT, the ICR, the SVR or an I/O APIC entry
 *    becomes 48-63: an interrupt on an exception vector would look like
 *    an exception outside an operation.  Vectors 0-15 stay (they are
 *    illegal, and must never arrive);
 *  - INIT, from the ICR or as an LVT or I/O APIC delivery mode, becomes
 *    fixed: INIT to itself would leave vCPU 0 waiting for a STARTUP;
 *  - LINT0 and LINT1 in ExtINT mode are masked, and the local APIC is
 *    never left globally disabled (LINT0 is then the CPU's INTR pin):
 *    the 8259s, whose vector base is whatever the fuzz wrote, never
 *    reach the CPU;
 *  - the APIC timer's count, counter 0 of the PIT and the RTC's rate
 *    keep interrupts at about 1 kHz or slower: faster ones are the
 *    hostile catalog's flood case, not a way to spend the run;
 *  - no write reaches the exit port, the i8042's command 0xfe or 0xd1
 *    (reset, and the output port that holds the reset line), RST_CPU at
 *    0xcf9 or SLP_EN at 0x605.
 * Interrupts are counted and not acknowledged: op_eoi() does that, now
 * and then, so that the in-service bits come and go.
 */
#define LAPIC 0xfee00000u
#define IOAPIC 0xfec00000u
#define MSR_APIC_BASE 0x1b
#define MSR_TSC_DEADLINE 0x6e0
#define X2APIC_FIRST 0x800
#define X2APIC_LAST 0x8ff
#define APIC_BASE_EN 0x800u
#define APIC_BASE_EXTD 0x400u
#define APIC_BASE_BSP 0x100u
#define LAPIC_SVR 0x0f0
#define LAPIC_EOI 0x0b0
#define LAPIC_ICR 0x300
#define LAPIC_LVT_FIRST 0x320
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_LVT_LINT1 0x360
#define LAPIC_LVT_END 0x380
#define LAPIC_TIMER_INITIAL 0x380
#define DM_MASK 0x700u
#define DM_INIT 0x500u
#define DM_EXTINT 0x700u
#define LVT_MASKED 0x10000u
#define ICR_SELF (1u << 18)
#define ICR_ALL (2u << 18)
#define MIN_TIMER_COUNT 1000000u /* ticks of the 1 GHz APIC timer: 1 ms at least */
#define MIN_PIT_COUNT 1193u	 /* 1.193182 MHz: 1 kHz at most */
#define RTC_MIN_RATE 6		 /* register A's rate: 32768 >> (rate - 1) Hz, 1024 Hz */

static uint32_t ioregsel; /* what this fuzzer last wrote to the I/O APIC's IOREGSEL */
static uint8_t rtc_index; /* and to the RTC's index port */

static uint32_t safe_vector(uint32_t v)
{
	uint32_t vec = v & 0xff;

	return vec >= 16 && vec < 32 ? (v & ~0xffu) | (vec + 32) : v;
}

/* A value for the local APIC register at offset (the xAPIC page's, or the x2APIC MSR's * 16). */
static uint32_t safe_lapic(uint32_t offset, uint32_t v)
{
	if (offset == LAPIC_SVR)
		return safe_vector(v);
	if (offset == LAPIC_ICR) {
		v = safe_vector(v);
		return (v & DM_MASK) == DM_INIT ? v & ~DM_MASK : v;
	}
	if (offset >= LAPIC_LVT_FIRST && offset < LAPIC_LVT_END) {
		v = safe_vector(v);
		if ((v & DM_MASK) == DM_INIT)
			v &= ~DM_MASK;
		if ((offset == LAPIC_LVT_LINT0 || offset == LAPIC_LVT_LINT1) &&
		    (v & DM_MASK) == DM_EXTINT)
			v |= LVT_MASKED;
		return v;
	}
	if (offset == LAPIC_TIMER_INITIAL && v && v < MIN_TIMER_COUNT)
		return v | MIN_TIMER_COUNT;
	return v;
}

static bool apic_msr(uint32_t msr)
{
	return msr == MSR_APIC_BASE || (msr >= X2APIC_FIRST && msr <= X2APIC_LAST);
}

static uint64_t read_apic_base(void)
{
	uint32_t lo = 0, hi = 0, msr = MSR_APIC_BASE;

	GUARDED("rdmsr", : "+a"(lo), "+d"(hi), "+c"(msr) : : "memory");
	return ((uint64_t)hi << 32) | lo;
}

/* WRMSR of an APIC MSR, bent as above; an exception is the operation's answer. */
static void apic_wrmsr(uint32_t msr, uint64_t v)
{
	uint32_t lo, hi, flags;

	if (msr != MSR_APIC_BASE) {
		uint32_t low = safe_lapic((msr - X2APIC_FIRST) << 4, (uint32_t)v);
		lo = low, hi = (uint32_t)(v >> 32);
		GUARDED("wrmsr", : "+a"(lo), "+d"(hi), "+c"(msr) : : "memory");
		return;
	}
	/* With interrupts off, and enabled again before they are back on if this disabled it. */
	__asm__ volatile("pushfl; popl %0; cli" : "=r"(flags) : : "memory");
	lo = (uint32_t)v, hi = (uint32_t)(v >> 32);
	GUARDED("wrmsr", : "+a"(lo), "+d"(hi), "+c"(msr) : : "memory");
	if (!(read_apic_base() & APIC_BASE_EN)) {
		lo = LAPIC | APIC_BASE_EN | APIC_BASE_BSP, hi = 0, msr = MSR_APIC_BASE;
		GUARDED("wrmsr", : "+a"(lo), "+d"(hi), "+c"(msr) : : "memory");
	}
	if (flags & 0x200)
		__asm__ volatile("sti" ::: "memory");
}

static bool x2apic_mode(void)
{
	return read_apic_base() & APIC_BASE_EXTD;
}

static uint32_t mmio_read(uint32_t at)
{
	uint32_t v;
	__asm__ volatile("movl %1, %0" : "=r"(v) : "m"(*(volatile uint32_t *)(uintptr_t)at));
	return v;
}

static void mmio_write(uint32_t at, uint32_t v)
{
	__asm__ volatile("movl %1, %0" : "=m"(*(volatile uint32_t *)(uintptr_t)at) : "r"(v));
}

static void op_apic_mmio(void)
{
	static const uint32_t ioapic_regs[] = { 0x00, 0x10, 0x40 }; /* IOREGSEL, IOWIN, EOI */
	uint32_t v = edgy();

	if (below(4)) { /* the local APIC: any aligned dword of its page */
		uint32_t offset = below(1024) * 4;
		if (below(2))
			(void)mmio_read(LAPIC + offset);
		else
			mmio_write(LAPIC + offset, safe_lapic(offset, v));
		return;
	}
	switch (ioapic_regs[below(3)]) {
	case 0x00:
		ioregsel = below(4) ? below(0x40) : v;
		mmio_write(IOAPIC, ioregsel);
		break;
	case 0x10:
		if (below(2)) {
			(void)mmio_read(IOAPIC + 0x10);
			break;
		}
		/* The low half of a redirection entry: vector, delivery mode. */
		if ((ioregsel & 0xff) >= 0x10 && (ioregsel & 0xff) < 0x40 && !(ioregsel & 1)) {
			v = safe_vector(v);
			if ((v & DM_MASK) == DM_INIT)
				v &= ~DM_MASK;
		}
		mmio_write(IOAPIC + 0x10, v);
		break;
	default:
		mmio_write(IOAPIC + 0x40, v & 0xff);
		break;
	}
}

static void op_apic_msr(void)
{
	static const uint32_t bases[] = { 0, APIC_BASE_EN, APIC_BASE_EN | APIC_BASE_EXTD,
					  APIC_BASE_EXTD };
	uint32_t msr, lo = 0, hi = 0;
	uint64_t v = below(2) ? edgy() : edgy64();

	switch (below(8)) {
	case 0: /* a mode change, legal or not; now and then a reserved bit or another base */
		v = LAPIC | APIC_BASE_BSP | bases[below(4)];
		if (!below(8))
			v ^= 1ull << below(64);
		apic_wrmsr(MSR_APIC_BASE, v);
		return;
	case 1:
		msr = MSR_TSC_DEADLINE;
		break;
	default: /* the x2APIC registers, 0x800-0x83f, and now and then the rest */
		msr = X2APIC_FIRST + (below(8) ? below(0x40) : below(0x100));
		break;
	}
	if (below(2)) {
		GUARDED("rdmsr", : "+a"(lo), "+d"(hi), "+c"(msr) : : "memory");
	} else if (msr == MSR_TSC_DEADLINE) {
		lo = (uint32_t)v, hi = (uint32_t)(v >> 32);
		GUARDED("wrmsr", : "+a"(lo), "+d"(hi), "+c"(msr) : : "memory");
	} else {
		apic_wrmsr(msr, v);
	}
}

/* A fixed IPI to itself (or to all, which is itself), vector 32-255, by the page or the MSRs. */
static void op_self_ipi(void)
{
	uint32_t vector = 32 + below(224), how = below(3);
	uint32_t lo, hi = 0, msr;

	if (x2apic_mode()) {
		msr = how == 0 ? 0x83f : 0x830; /* SELF IPI, or the ICR */
		lo = how == 0 ? vector : how == 1 ? ICR_SELF | vector : ICR_ALL | vector;
		GUARDED("wrmsr", : "+a"(lo), "+d"(hi), "+c"(msr) : : "memory");
		return;
	}
	if (how == 2) /* physical, to APIC id 0: itself */
		mmio_write(LAPIC + 0x310, 0);
	mmio_write(LAPIC + LAPIC_ICR, how == 0	 ? ICR_SELF | vector
				      : how == 1 ? ICR_ALL | vector
						 : vector);
}

static void op_eoi(void)
{
	uint32_t lo = 0, hi = 0, msr = 0x80b;

	if (x2apic_mode())
		GUARDED("wrmsr", : "+a"(lo), "+d"(hi), "+c"(msr) : : "memory");
	else
		mmio_write(LAPIC + LAPIC_EOI, 0);
}

/* A byte for the i8042's command port that leaves the reset line alone. */
static uint8_t safe_kbc_command(void)
{
	static const uint8_t commands[] = { 0x20, 0x60, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xad,
					    0xae, 0xc0, 0xd0, 0xd2, 0xd3, 0xd4, 0xff };

	return commands[below(sizeof(commands))];
}

/* IN or OUT of 1, 2 or 4 bytes at a port of the platform's devices. */
static void op_platform_port(void)
{
	static const uint16_t ports[] = { 0x20,	 0x21,	0xa0,  0xa1,  0x4d0, 0x4d1, 0x40,  0x41,
					  0x42,	 0x43,	0x61,  0x60,  0x64,  0x70,  0x71,  0x3f9,
					  0x3fa, 0x3fb, 0x3fc, 0x3fd, 0x3fe, 0x3ff, 0x600, 0x601,
					  0x602, 0x603, 0x604, 0x605, 0x608, 0x609, 0x60a, 0x60b,
					  0xcf8, 0xcf9, 0xcfc, 0xcfd, 0xcfe, 0xcff, 0x92 };
	uint16_t port = ports[below(sizeof(ports) / sizeof(ports[0]))];
	uint32_t size = 1u << below(3), v = next();

	if (below(2)) {
		if (size == 1)
			__asm__ volatile("inb %w1, %b0" : "=a"(v) : "Nd"(port));
		else if (size == 2)
			__asm__ volatile("inw %w1, %w0" : "=a"(v) : "Nd"(port));
		else
			__asm__ volatile("inl %w1, %0" : "=a"(v) : "Nd"(port));
		return;
	}
	for (uint32_t i = 0; i < size; i++) { /* bend the bytes that would end the run */
		uint16_t at = (uint16_t)(port + i);
		uint32_t shift = 8 * i;

		if (at == 0x64)
			v = (v & ~(0xffu << shift)) | (uint32_t)safe_kbc_command() << shift;
		if (at == 0xcf9)
			v &= ~(0x04u << shift); /* RST_CPU */
		if (at == 0x605)
			v &= ~(0x20u << shift); /* SLP_EN */
		if ((at >= 0x40 && at <= 0x42) || at == 0x3f8 || at == PORT_EXIT)
			return; /* counts: op_timers(); THR prints; the exit port */
		if (at == 0x70)
			rtc_index = (uint8_t)(v >> shift) & 0x7f;
		if (at == 0x71 && (rtc_index == 0x0a || rtc_index == 0x0b))
			return; /* the RTC's rate and interrupt enables: op_timers() */
	}
	if (size == 1)
		__asm__ volatile("outb %b0, %w1" ::"a"(v), "Nd"(port));
	else if (size == 2)
		__asm__ volatile("outw %w0, %w1" ::"a"(v), "Nd"(port));
	else
		__asm__ volatile("outl %0, %w1" ::"a"(v), "Nd"(port));
}

/* The PIT and the RTC programmed at random, no faster than about 1 kHz. */
static void op_timers(void)
{
	uint32_t counter = below(3), count = next() & 0xffff;

	switch (below(4)) {
	case 0: /* a counter: any mode, a count (counter 0's at least MIN_PIT_COUNT, or 0 = 65536)
		 */
		if (counter == 0 && count && count < MIN_PIT_COUNT)
			count += MIN_PIT_COUNT;
		outb(0x43, (uint8_t)(counter << 6 | 3 << 4 | below(6) << 1));
		outb((uint16_t)(0x40 + counter), (uint8_t)count);
		outb((uint16_t)(0x40 + counter), (uint8_t)(count >> 8));
		break;
	case 1: /* a latch or read-back command, then the counters */
		outb(0x43, below(2) ? (uint8_t)(counter << 6) : (uint8_t)(0xc0 | (next() & 0x3e)));
		for (uint16_t p = 0x40; p < 0x43; p++)
			(void)inb(p);
		(void)inb(0x61);
		break;
	case 2: /* register A (rate and divider) or B (interrupt enables, format) */
		rtc_index = below(2) ? 0x0a : 0x0b;
		outb(0x70, rtc_index);
		if (rtc_index == 0x0a) {
			uint8_t rate = (uint8_t)(below(4) ? RTC_MIN_RATE + below(10) : 0);
			outb(0x71, (uint8_t)((next() & 0x70) | rate));
		} else {
			outb(0x71, (uint8_t)next());
		}
		break;
	default: /* any other register, read or written; then C, which acknowledges */
		rtc_index = (uint8_t)below(0x40);
		if (rtc_index == 0x0a || rtc_index == 0x0b)
			rtc_index = 0x0c;
		outb(0x70, rtc_index);
		if (below(2))
			(void)inb(0x71);
		else
			outb(0x71, (uint8_t)next());
		outb(0x70, 0x0c);
		(void)inb(0x71);
		break;
	}
}

static void op_device(void)
{
	switch (below(6)) {
	case 0:
		op_platform_port();
		break;
	case 1:
		op_apic_mmio();
		break;
	case 2:
		op_apic_msr();
		break;
	case 3:
		op_self_ipi();
		break;
	case 4:
		op_eoi();
		break;
	default:
		op_timers();
		break;
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
		switch (below(10)) {
		case 0:
		case 1:
			op_hypercall();
			break;
		case 8:
		case 9:
			op_device();
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
