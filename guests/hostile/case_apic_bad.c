/*
 * Case "apic-bad" (class 19 of the catalog): a guest that programs its
 * interrupt controllers with what the manuals call illegal, and checks
 * that it gets what hardware gives, never an exception it did not cause:
 *   - vectors 0-15 in the timer's LVT, in the ICR (to itself, by
 *     shorthand and by its APIC id) and in an I/O APIC redirection
 *     entry (the PIT's pin): nothing is delivered, and for the local
 *     APIC's own ESR says "send" or "receive illegal vector" (SDM 3A
 *     §11.5.2, §11.5.3).  Each comes
 *     after the same route with a legal vector, which must deliver, so
 *     a route that delivers nothing at all cannot pass;
 *   - x2APIC mode (SDM 3A §11.12): reserved bits in TPR, SVR, an LVT,
 *     the ICR, EOI, ESR, SELF IPI and the divider, writes to read-only
 *     registers, reads of registers x2APIC mode does not have or that
 *     are write-only: #GP each, caught by the exception handler and
 *     counted; the x2APIC MSRs in xAPIC mode: #GP;
 *   - IA32_APIC_BASE (SDM 3A §11.12.5, figure 11-27): x2APIC straight
 *     to xAPIC, EXTD without EN, disabled straight to x2APIC, reserved
 *     bits, another base (cloison keeps the page where it is): #GP; the
 *     legal way back (x2APIC, disabled, xAPIC) works and loses the
 *     registers, and the page reads all ones meanwhile;
 *   - INIT and STARTUP to APIC ids that do not exist, STARTUP to itself,
 *     NMI IPIs to itself: the partition goes on;
 *   - CR8 and the TPR are one register seen twice (SDM 3A §11.8.6.1).
 * The case exits with its number of failures.  Variants "tpr" and "off"
 * (below) are an interrupt withdrawn while IF is clear.
 */
#include "guests/hostile/apic.h"
#include "guests/hostile/hostile.h"

#define MS 1000000ull
#define LEGAL_TIMER 0x50
#define LEGAL_ICR 0x51
#define LEGAL_IOAPIC 0x52
#define LEGAL_X2 0x53
#define NOWHERE 7 /* an APIC id: the partition's vCPU is 0 */
#define AP_PAGE 0x20

void apic_bad_read_cr8(void), apic_bad_write_cr8(void);
__asm__(".pushsection .text\n"
	".code64\n"
	".globl apic_bad_read_cr8, apic_bad_write_cr8\n"
	"apic_bad_read_cr8:\n\tmovq %cr8, %rax\n\tret\n"
	"apic_bad_write_cr8:\n\tmovq %rax, %cr8\n\tret\n"
	".code32\n"
	".popsection");

struct frame;
static volatile uint32_t low_vectors[16], legal[4], nmis;

static void on_low_vector(struct trap_frame *f)
{
	if (f->vector < 16)
		low_vectors[f->vector]++;
}

static void on_nmi(struct trap_frame *f)
{
	(void)f;
	nmis++;
}

#define LEGAL_HANDLER(n)                                                                           \
	__attribute__((interrupt)) static void on_legal_##n(struct frame *f)                       \
	{                                                                                          \
		(void)f;                                                                           \
		legal[n]++;                                                                        \
		if (n == 3)                                                                        \
			__asm__ volatile("wrmsr" ::"c"(X2APIC_MSR(LAPIC_EOI)), "a"(0), "d"(0));    \
		else                                                                               \
			lapic_eoi();                                                               \
	}
LEGAL_HANDLER(0)
LEGAL_HANDLER(1)
LEGAL_HANDLER(2)
LEGAL_HANDLER(3)

/* Let interrupts in for ms milliseconds (SET_TIMER's tick ends the HLTs), then close them. */
static void open_for(unsigned ms)
{
	sleep_ns(ms * MS);
}

/*
 * IF set until *count reaches want, or 200 ms of TIME: an interrupt that
 * should come may wait behind sleep_ns()'s own wake-up (SET_TIMER's goes
 * in first when both wait), which a loaded host's QEMU can make happen at
 * once.  The checks that follow still want the interrupt.
 */
static void open_until(volatile uint32_t *count, uint32_t want)
{
	uint64_t t0 = hv_time_ns();

	while (*count < want && hv_time_ns() - t0 < 200 * MS)
		sleep_ns(MS);
}

static int gets_gp(const char *what, int vector)
{
	char line[112];

	format(line, sizeof(line), "%s gets #GP", what);
	return hcheck(line, vector, EXC_GP);
}

static int taken(const char *what, int vector)
{
	char line[112];

	format(line, sizeof(line), "%s taken", what);
	return hcheck(line, vector, NO_EXCEPTION);
}

static int lvt_timer(void)
{
	int failures = 0;

	lapic_write(LAPIC_TIMER_DCR, DCR_DIVIDE_1);
	lapic_write(LAPIC_LVT_TIMER, LEGAL_TIMER);
	lapic_write(LAPIC_TIMER_INITIAL, 1000);
	open_until(&legal[0], 1);
	failures += hcheck("the timer's LVT with vector 0x50 delivers it", legal[0], 1);
	(void)lapic_esr();
	lapic_write(LAPIC_LVT_TIMER, EXC_BP);
	lapic_write(LAPIC_TIMER_INITIAL, 1000);
	open_for(5);
	failures +=
		hcheck("the timer's LVT with vector 3 delivers nothing", low_vectors[EXC_BP], 0);
	failures += hcheck("ESR says received illegal vector",
			   lapic_esr() & ESR_RECV_ILLEGAL_VECTOR, ESR_RECV_ILLEGAL_VECTOR);
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
	return failures;
}

static int icr(void)
{
	int failures = 0;

	lapic_ipi(0, ICR_SELF | LEGAL_ICR);
	open_until(&legal[1], 1);
	failures += hcheck("a self IPI with vector 0x51 delivers it", legal[1], 1);
	(void)lapic_esr();
	lapic_ipi(0, ICR_SELF | 5);
	failures += hcheck("ESR says send illegal vector (self IPI, vector 5)",
			   lapic_esr() & ESR_SEND_ILLEGAL_VECTOR, ESR_SEND_ILLEGAL_VECTOR);
	lapic_ipi(0, 5); /* physical destination 0: itself */
	failures += hcheck("ESR says send illegal vector (to APIC 0, vector 5)",
			   lapic_esr() & ESR_SEND_ILLEGAL_VECTOR, ESR_SEND_ILLEGAL_VECTOR);
	lapic_ipi(0, ICR_ALL | 2);
	failures += hcheck("ESR says send illegal vector (to all, vector 2)",
			   lapic_esr() & ESR_SEND_ILLEGAL_VECTOR, ESR_SEND_ILLEGAL_VECTOR);
	open_for(2);
	failures += hcheck("IPIs with vectors 2 and 5 deliver nothing", low_vectors[5] + nmis, 0);
	return failures;
}

static int ioapic(void)
{
	int failures = 0;

	ioapic_route(IOAPIC_PIN_PIT, LEGAL_IOAPIC, false);
	pit_program(PIT_CH0_MODE0, 100);
	open_until(&legal[2], 1);
	failures +=
		hcheck("the PIT through the I/O APIC with vector 0x52 delivers it", legal[2], 1);
	/* The 82093AA takes vectors 10h-FEh: vdev/ioapic.c sends no message at all, so no ESR. */
	ioapic_route(IOAPIC_PIN_PIT, 4, false);
	pit_program(PIT_CH0_MODE0, 100);
	open_for(5);
	ioapic_route(IOAPIC_PIN_PIT, 4, true);
	failures += hcheck("the PIT through the I/O APIC with vector 4 delivers nothing",
			   low_vectors[4], 0);
	return failures;
}

/* x2APIC register at offset, through its MSR. */
static int x2_write(uint32_t offset, uint64_t v)
{
	return try_wrmsr(X2APIC_MSR(offset), v);
}

static int x2_read(uint32_t offset, uint64_t *v)
{
	return try_rdmsr(X2APIC_MSR(offset), v);
}

static int x2apic(void)
{
	uint32_t a, b, c, d;
	uint64_t v = 0, base = LAPIC_BASE | APIC_BASE_BSP;
	int failures = 0;

	cpuid(1, &a, &b, &c, &d);
	failures +=
		hcheck("CPUID.1:ECX offers x2APIC mode", c & CPUID1_ECX_X2APIC, CPUID1_ECX_X2APIC);
	failures += gets_gp("RDMSR 0x802 (x2APIC id) in xAPIC mode", x2_read(LAPIC_ID, &v));
	failures += taken("IA32_APIC_BASE: xAPIC to x2APIC",
			  try_wrmsr(MSR_APIC_BASE, base | APIC_BASE_EN | APIC_BASE_EXTD));
	failures += hcheck("x2APIC mode: the page reads all ones", lapic_read(LAPIC_VERSION),
			   0xffffffffu);
	v = 0;
	failures += taken("RDMSR 0x803 (version)", x2_read(LAPIC_VERSION, &v));
	failures += hcheck("x2APIC version reads 0x50014", v, 0x50014);

	failures += gets_gp("TPR with bit 8", x2_write(LAPIC_TPR, 0x100));
	failures += gets_gp("TPR with bit 32", x2_write(LAPIC_TPR, 1ull << 32));
	failures += gets_gp("SVR with bit 12", x2_write(LAPIC_SVR, 0x11ff));
	failures += gets_gp("LVT timer with bit 19", x2_write(LAPIC_LVT_TIMER, 0x90000));
	failures += gets_gp("ICR with bit 13", x2_write(LAPIC_ICR_LOW, 0x2000 | LEGAL_X2));
	failures += gets_gp("ICR with bit 20", x2_write(LAPIC_ICR_LOW, 0x100000 | LEGAL_X2));
	failures += gets_gp("EOI of 1", x2_write(LAPIC_EOI, 1));
	failures += gets_gp("ESR of 1", x2_write(LAPIC_ESR, 1));
	failures += gets_gp("SELF IPI with bit 8", x2_write(LAPIC_SELF_IPI, 0x100 | LEGAL_X2));
	failures += gets_gp("divide configuration with bit 2", x2_write(LAPIC_TIMER_DCR, 4));
	failures += gets_gp("WRMSR of the id (read-only)", x2_write(LAPIC_ID, 0));
	failures += gets_gp("WRMSR of the version (read-only)", x2_write(LAPIC_VERSION, 0));
	failures += gets_gp("WRMSR of the PPR (read-only)", x2_write(LAPIC_PPR, 0));
	failures += gets_gp("WRMSR of the LDR (read-only in x2APIC mode)", x2_write(LAPIC_LDR, 0));
	failures +=
		gets_gp("WRMSR of the current count (read-only)", x2_write(LAPIC_TIMER_CURRENT, 0));
	failures += gets_gp("RDMSR 0x809 (no APR in x2APIC mode)", x2_read(0x090, &v));
	failures += gets_gp("RDMSR 0x80e (no DFR in x2APIC mode)", x2_read(LAPIC_DFR, &v));
	failures +=
		gets_gp("RDMSR 0x831 (no ICR high in x2APIC mode)", x2_read(LAPIC_ICR_HIGH, &v));
	failures += gets_gp("RDMSR 0x80b (EOI, write-only)", x2_read(LAPIC_EOI, &v));
	failures += gets_gp("RDMSR 0x83f (SELF IPI, write-only)", x2_read(LAPIC_SELF_IPI, &v));
	failures += gets_gp("RDMSR 0x8ff (reserved)", try_rdmsr(0x8ff, &v));

	failures += taken("TPR 0x20", x2_write(LAPIC_TPR, 0x20));
	v = 0;
	(void)x2_read(LAPIC_TPR, &v);
	failures += hcheck("x2APIC TPR reads back 0x20", v, 0x20);
	(void)x2_write(LAPIC_TPR, 0);
	failures += taken("SELF IPI with vector 0x53", x2_write(LAPIC_SELF_IPI, LEGAL_X2));
	open_until(&legal[3], 1);
	failures += hcheck("the x2APIC SELF IPI delivers vector 0x53", legal[3], 1);
	(void)x2_write(LAPIC_ESR, 0);
	failures += taken("SELF IPI with vector 3", x2_write(LAPIC_SELF_IPI, EXC_BP));
	(void)x2_write(LAPIC_ESR, 0);
	v = 0;
	(void)x2_read(LAPIC_ESR, &v);
	failures += hcheck("x2APIC ESR says send illegal vector", v & ESR_SEND_ILLEGAL_VECTOR,
			   ESR_SEND_ILLEGAL_VECTOR);
	open_for(2);
	failures += hcheck("the SELF IPI with vector 3 delivers nothing", low_vectors[EXC_BP], 0);
	return failures;
}

static int apic_base(void)
{
	uint64_t base = LAPIC_BASE | APIC_BASE_BSP, v = 0;
	int failures = 0;

	failures += gets_gp("IA32_APIC_BASE: x2APIC straight to xAPIC",
			    try_wrmsr(MSR_APIC_BASE, base | APIC_BASE_EN));
	failures += gets_gp("IA32_APIC_BASE: EXTD without EN",
			    try_wrmsr(MSR_APIC_BASE, base | APIC_BASE_EXTD));
	failures += gets_gp("IA32_APIC_BASE: reserved bit 9",
			    try_wrmsr(MSR_APIC_BASE, base | APIC_BASE_EN | APIC_BASE_EXTD | 0x200));
	failures += gets_gp(
		"IA32_APIC_BASE: reserved bit 63",
		try_wrmsr(MSR_APIC_BASE, base | APIC_BASE_EN | APIC_BASE_EXTD | 1ull << 63));
	failures += gets_gp("IA32_APIC_BASE: another base (0xfed00000)",
			    try_wrmsr(MSR_APIC_BASE,
				      0xfed00000u | APIC_BASE_BSP | APIC_BASE_EN | APIC_BASE_EXTD));
	failures += taken("IA32_APIC_BASE: x2APIC to disabled", try_wrmsr(MSR_APIC_BASE, base));
	(void)try_rdmsr(MSR_APIC_BASE, &v);
	failures += hcheck("IA32_APIC_BASE reads back disabled",
			   v & (APIC_BASE_EN | APIC_BASE_EXTD), 0);
	failures +=
		hcheck("disabled: the page reads all ones", lapic_read(LAPIC_VERSION), 0xffffffffu);
	failures += gets_gp("disabled: RDMSR 0x808 (x2APIC TPR)", x2_read(LAPIC_TPR, &v));
	failures += gets_gp("IA32_APIC_BASE: disabled straight to x2APIC",
			    try_wrmsr(MSR_APIC_BASE, base | APIC_BASE_EN | APIC_BASE_EXTD));
	failures += taken("IA32_APIC_BASE: disabled to xAPIC",
			  try_wrmsr(MSR_APIC_BASE, base | APIC_BASE_EN));
	failures += hcheck("xAPIC again: the version register reads 0x50014",
			   lapic_read(LAPIC_VERSION), 0x50014);
	failures += hcheck("xAPIC again: SVR is back at its reset value 0xff",
			   lapic_read(LAPIC_SVR), 0xff);
	lapic_write(LAPIC_SVR, SVR_ENABLE | 0xff);
	return failures;
}

static int signals(void)
{
	int failures = 0;

	lapic_ipi(NOWHERE, ICR_INIT | ICR_ASSERT);
	lapic_ipi(NOWHERE, ICR_STARTUP | ICR_ASSERT | AP_PAGE);
	lapic_ipi(0x80, ICR_INIT | ICR_ASSERT | 0x800); /* logical: nobody has bit 7 */
	lapic_ipi(0x80, ICR_STARTUP | ICR_ASSERT | 0x800 | AP_PAGE);
	open_for(2);
	failures += hcheck("running on after INIT and STARTUP to APICs that do not exist", 1, 1);
	lapic_ipi(0, ICR_STARTUP | ICR_ASSERT | AP_PAGE);
	lapic_ipi(0, ICR_ALL | ICR_STARTUP | ICR_ASSERT | AP_PAGE);
	open_for(2);
	failures += hcheck("STARTUP to itself: still in protected mode, running on",
			   read_cr0() & CR0_PE, CR0_PE);
	lapic_ipi(0, ICR_NMI | ICR_ASSERT);
	lapic_ipi(0, ICR_ALL | ICR_NMI | ICR_ASSERT);
	open_for(2);
	hsay("NMI IPIs to itself (to APIC 0, to all): %u NMIs taken", nmis);
	lapic_ipi(0, ICR_SELF | LEGAL_ICR);
	open_until(&legal[1], 2);
	failures += hcheck("after all that, a self IPI still delivers", legal[1], 2);
	return failures;
}

static int cr8(void)
{
	struct long_regs r = { 0 };
	int failures = 0;

	lapic_write(LAPIC_TPR, 0x50);
	long_call(apic_bad_read_cr8, &r);
	failures += hcheck("CR8 reads the class of the TPR written through the page", r.rax, 5);
	r = (struct long_regs){ .rax = 3 };
	long_call(apic_bad_write_cr8, &r);
	failures += hcheck("the TPR reads what CR8 wrote", lapic_read(LAPIC_TPR), 0x30);
	r = (struct long_regs){ .rax = 0 };
	long_call(apic_bad_write_cr8, &r);
	lapic_write(LAPIC_TPR, 0);
	return failures;
}

/*
 * Variants "tpr" and "off": an interrupt that becomes pending while IF is
 * clear and is held back (the TPR raised above it) or gone (the local
 * APIC disabled, which empties IRR) by the time IF is set again, as when
 * an OS raises its priority or shuts its local APIC down with interrupts
 * off.  The hypervisor may have asked the CPU for an exit as soon as IF
 * lets an interrupt in (an interrupt window) when the interrupt came;
 * with nothing left to inject, it must let the guest run on, not exit
 * again and again before the same instruction.  Each runs 100000 loop
 * rounds with IF set, a CPUID (an exit), and 100000 more.  A vCPU caught
 * that way never prints its next line.
 */
static int run_on(const char *what)
{
	uint32_t a, b, c, d, rounds = 100000;

	sti();
	__asm__ volatile("1:\tdecl %0\n\tjnz 1b" : "+r"(rounds));
	cpuid(0, &a, &b, &c, &d);
	rounds = 100000;
	__asm__ volatile("1:\tdecl %0\n\tjnz 1b" : "+r"(rounds));
	cli();
	return hcheck(what, rounds, 0);
}

static int window(bool tpr)
{
	int failures = 0;

	lapic_ipi(0, ICR_SELF | LEGAL_ICR); /* pending, IF clear */
	if (tpr) {
		lapic_write(LAPIC_TPR, 0xf0);
		failures += run_on("IF set, the pending interrupt held back by the TPR: runs on");
		failures += hcheck("nothing delivered while the TPR holds it back", legal[1], 0);
		lapic_write(LAPIC_TPR, 0);
		open_until(&legal[1], 1);
		return failures + hcheck("the TPR lowered: delivered", legal[1], 1);
	}
	(void)try_wrmsr(MSR_APIC_BASE, LAPIC_BASE | APIC_BASE_BSP); /* disabled: IRR emptied */
	(void)try_wrmsr(MSR_APIC_BASE, LAPIC_BASE | APIC_BASE_BSP | APIC_BASE_EN);
	lapic_write(LAPIC_SVR, SVR_ENABLE | 0xff);
	failures += run_on("IF set after the APIC was disabled with an interrupt pending: runs on");
	open_for(2);
	return failures + hcheck("the interrupt the disabled APIC dropped never came", legal[1], 0);
}

int case_apic_bad(unsigned magic, unsigned info)
{
	int failures = 0;
	(void)magic, (void)info;

	cpu_setup();
	for (uint8_t v = 2; v < 6; v++)
		trap_on(v, v == 2 ? on_nmi : on_low_vector);
	desc_set_handler(LEGAL_TIMER, (void *)on_legal_0);
	desc_set_handler(LEGAL_ICR, (void *)on_legal_1);
	desc_set_handler(LEGAL_IOAPIC, (void *)on_legal_2);
	desc_set_handler(LEGAL_X2, (void *)on_legal_3);
	lapic_write(LAPIC_SVR, SVR_ENABLE | 0xff);
	(void)lapic_esr();
	if (str_same(hostile_variant, "tpr") || str_same(hostile_variant, "off"))
		return window(str_same(hostile_variant, "tpr"));
	failures += lvt_timer();
	failures += icr();
	failures += ioapic();
	failures += x2apic();
	failures += apic_base();
	failures += signals();
	failures += cr8();
	return failures;
}
