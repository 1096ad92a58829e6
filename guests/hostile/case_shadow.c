/*
 * Case "shadow" (class 12 of the catalog): when SET_TIMER's interrupt
 * comes, against the x86 rules of interrupt delivery (SDM 3A §6.8.3):
 *   - STI shadow: with the interrupt pending and IF clear, STI lets the
 *     next instruction run first, then the interrupt comes;
 *   - STI shadow ending in an exit: STI; CPUID: the interrupt comes right
 *     after the CPUID, not one instruction later;
 *   - MOV SS shadow ending in an exit: IF set by POPF (no shadow), then
 *     MOV SS; YIELD: the interrupt comes at the first boundary where IF is
 *     set and no shadow holds it: right after POPF if the hypervisor
 *     already has it pending, else right after the YIELD, never later;
 *   - HLT with IF set wakes for the interrupt, after its deadline;
 *   - IF clear for 50 ms past the deadline: no interrupt meanwhile;
 *     after STI exactly one;
 *   - an interrupt whose delivery is cut short: at CPL 3 with EFLAGS.AC
 *     set and ESP misaligned, the interrupt goes through a gate into a
 *     conforming code segment, which keeps CPL 3 and that stack, so
 *     pushing its frame raises #AC.  The hypervisor intercepts #AC; the
 *     exit reports the interrupt whose delivery it cut short.  The #AC
 *     must reach the guest, whose handler clears AC, and then the
 *     interrupt must come, once.  QEMU raises no #AC at all: there the
 *     interrupt simply comes, and the case says the cut was not made.
 * The handler of COUNT_VECTOR counts; each check reads the count at the
 * instruction boundaries that matter.  "Pending" is made sure of by a
 * deadline that has passed and a YIELD with IF clear (a hypervisor may
 * look at deadlines only between slices; a YIELD ends one).
 */
#include "guests/hostile/cpu.h"
#include "guests/hostile/hostile.h"

#define MS 1000000ull

static void spin_ns(uint64_t ns)
{
	uint64_t t0 = hv_time_ns();

	while (hv_time_ns() - t0 < ns)
		;
}

/* IF clear, the timer's deadline passed, and a pass through the scheduler. */
static uint32_t pending_with_if_clear(const char *before, int *failures)
{
	char what[80];
	uint32_t n;

	cli();
	n = count_irqs;
	hv_set_timer(hv_time_ns(), COUNT_VECTOR);
	hv_call(HC_YIELD, 0, 0, 0, 0);
	spin_ns(1 * MS);
	format(what, sizeof(what), "no interrupt while IF is clear, before %s", before);
	*failures += hcheck(what, count_irqs, n);
	return n;
}

static int sti_shadow(void)
{
	uint32_t n, first, second;
	int failures = 0;

	n = pending_with_if_clear("STI; MOV; MOV", &failures);
	__asm__ volatile("sti\n\t"
			 "movl %2, %0\n\t"
			 "movl %2, %1\n\t"
			 "cli"
			 : "=&r"(first), "=&r"(second)
			 : "m"(count_irqs)
			 : "memory");
	failures += hcheck("STI shadow: the next instruction runs first", first, n);
	failures += hcheck("STI shadow: then the interrupt", second, n + 1);
	return failures;
}

static int sti_shadow_exit(void)
{
	uint32_t n, after, a = 0, b, c, d;
	int failures = 0;

	n = pending_with_if_clear("STI; CPUID", &failures);
	__asm__ volatile("sti\n\t"
			 "cpuid\n\t"
			 "movl %5, %4\n\t"
			 "cli"
			 : "+a"(a), "=b"(b), "=c"(c), "=d"(d), "=&r"(after)
			 : "m"(count_irqs)
			 : "memory");
	failures += hcheck("STI; CPUID: the interrupt right after the CPUID", after, n + 1);
	return failures;
}

static int mov_ss_shadow_exit(void)
{
	uint32_t n, at_popf, after, nr = HC_YIELD;
	int failures = 0;

	cli();
	n = count_irqs;
	hv_set_timer(hv_time_ns(), COUNT_VECTOR);
	/* POPF sets IF, MOV SS opens a shadow, and the hypercall exits inside it. */
#define MOV_SS_THEN(hypercall)                                                                     \
	__asm__ volatile("pushfl\n\t"                                                              \
			 "orl %4, (%%esp)\n\t"                                                     \
			 "popfl\n\t"                                                               \
			 "movl %3, %0\n\t"                                                         \
			 "movw %%ss, %%dx\n\t"                                                     \
			 "movw %%dx, %%ss\n\t" hypercall "\n\t"                                    \
			 "movl %3, %1\n\t"                                                         \
			 "cli"                                                                     \
			 : "=&r"(at_popf), "=&r"(after), "+a"(nr)                                  \
			 : "m"(count_irqs), "i"(EFLAGS_IF)                                         \
			 : "edx", "memory")
	if (cpu_is_intel())
		MOV_SS_THEN("vmcall");
	else
		MOV_SS_THEN("vmmcall");
#undef MOV_SS_THEN
	if (at_popf == n + 1)
		hsay("MOV SS; YIELD: the interrupt came at POPF (the YIELD's shadow not "
		     "exercised)");
	failures += hcheck("MOV SS; YIELD: the interrupt by the end of the YIELD",
			   at_popf == n + 1 || (at_popf == n && after == n + 1), 1);
	if (at_popf == n && after != n + 1)
		hsay("MOV SS; YIELD: count %u after the YIELD, want %u", after, n + 1);
	hv_set_timer(0, COUNT_VECTOR);
	return failures;
}

static int hlt_wakes(void)
{
	uint64_t t0, t1;
	uint32_t n, after;
	int failures = 0;

	cli();
	n = count_irqs;
	t0 = hv_time_ns();
	hv_set_timer(t0 + 10 * MS, COUNT_VECTOR);
	__asm__ volatile("sti\n\thlt\n\tmovl %1, %0\n\tcli"
			 : "=r"(after)
			 : "m"(count_irqs)
			 : "memory");
	t1 = hv_time_ns();
	failures += hcheck("HLT woken by the interrupt", after, n + 1);
	failures += hcheck("HLT woken no earlier than the deadline", t1 - t0 >= 10 * MS, 1);
	return failures;
}

static int if_clear_long(void)
{
	uint32_t n, after_sti;
	int failures = 0;

	cli();
	n = count_irqs;
	hv_set_timer(hv_time_ns() + 5 * MS, COUNT_VECTOR);
	spin_ns(50 * MS);
	failures += hcheck("IF clear 50 ms past the deadline: no interrupt", count_irqs, n);
	__asm__ volatile("sti\n\tnop\n\tmovl %1, %0"
			 : "=r"(after_sti)
			 : "m"(count_irqs)
			 : "memory");
	failures += hcheck("after STI: the interrupt", after_sti, n + 1);
	spin_ns(20 * MS);
	cli();
	failures += hcheck("after STI: exactly one", count_irqs, n + 1);
	return failures;
}

#define CUT_VECTOR 0x42
#define CUT_ROUNDS 20000000 /* the ring-3 wait, far longer than an interrupt takes to come */

static volatile uint32_t cut_ac, cut_ac_elsewhere;

static void on_cut_ac(struct trap_frame *f)
{
	uint32_t from = (uint32_t)(uintptr_t)ring_cut_wait, to = (uint32_t)(uintptr_t)cut_irq_entry;

	cut_ac++;
	/* From the interrupt's frame: at CPL 3, in the wait loop (cut_irq_entry follows it). */
	if ((f->cs & 3) != 3 || f->eip < from || f->eip >= to)
		cut_ac_elsewhere++;
	f->eflags &= ~EFLAGS_AC; /* the delivery, done again, now succeeds */
}

static int cut_delivery(void)
{
	uint32_t got;
	int failures = 0;

	cli();
	desc_set_gate_to(CUT_VECTOR, SEL_CONFORMING, (void *)cut_irq_entry, 0);
	trap_on(EXC_AC, on_cut_ac);
	write_cr0(read_cr0() | CR0_AM);
	cut_irqs = 0;
	cut_ac = 0;
	cut_ac_elsewhere = 0;
	hv_set_timer(hv_time_ns(), CUT_VECTOR);
	hv_call(HC_YIELD, 0, 0, 0, 0); /* now it is pending */
	ring_regs.ecx = CUT_ROUNDS;
	ring_eflags = 0x3002; /* IOPL 3: the routine sets IF itself, once the stack is off */
	ring_call(3, ring_cut_wait);
	ring_eflags = 2;
	got = ring_regs.eax;
	sti();
	spin_ns(5 * MS); /* a second delivery would come now */
	cli();
	write_cr0(read_cr0() & ~CR0_AM);
	trap_on(EXC_AC, NULL);
	hv_set_timer(0, CUT_VECTOR);
	if (cut_ac == 0)
		hsay("cut delivery: this CPU raised no #AC while delivering; not exercised");
	else
		failures += hcheck("cut delivery: the #AC raised by the interrupt's frame came",
				   cut_ac == 1 && !cut_ac_elsewhere, 1);
	failures += hcheck("cut delivery: then the interrupt", got, 1);
	failures += hcheck("cut delivery: exactly one", cut_irqs, 1);
	return failures;
}

int case_shadow(unsigned magic, unsigned info)
{
	int failures = 0;
	(void)magic, (void)info;

	cpu_setup();
	failures += sti_shadow();
	failures += sti_shadow_exit();
	failures += mov_ss_shadow_exit();
	failures += hlt_wakes();
	failures += if_clear_long();
	failures += cut_delivery();
	return failures;
}
