/*
 * Panic: report and stop.  The first CPU to panic prints its cause,
 * registers and a frame-pointer backtrace, sends an NMI to every other
 * CPU (whose NMI handler sees the panic flag and halts) and halts
 * itself.  A second panic on any CPU just halts that CPU, so the first
 * report is never garbled.  Nothing here reboots the machine.
 */
#include "kernel/panic.h"
#include "drivers/lapic.h"
#include "drivers/timer.h"
#include "kernel/console.h"
#include "kernel/cpu.h"
#include "kernel/trapframe.h"
#include "lib/format.h"
#include "lib/lab.h"
#include "lib/x86.h"

extern const char _text_start[], _text_end[];

static volatile u32 panicking; /* 0, or the reporting CPU's index + 1 */

static u32 cpu_index(void)
{
	/* GS may not be set up yet on the earliest panics. */
	return rdmsr(MSR_GS_BASE) ? this_cpu()->index : 0;
}

bool panic_elsewhere(void)
{
	u32 who = panicking;

	return who && who != cpu_index() + 1;
}

static void dump_frame(const struct trap_frame *f)
{
	klog("  rip=%016llx cs=%04llx rflags=%08llx err=%llx", (unsigned long long)f->rip,
	     (unsigned long long)f->cs, (unsigned long long)f->rflags,
	     (unsigned long long)f->error);
	klog("  rsp=%016llx ss=%04llx cr2=%016llx", (unsigned long long)f->rsp,
	     (unsigned long long)f->ss, (unsigned long long)read_cr2());
	klog("  rax=%016llx rbx=%016llx rcx=%016llx", (unsigned long long)f->rax,
	     (unsigned long long)f->rbx, (unsigned long long)f->rcx);
	klog("  rdx=%016llx rsi=%016llx rdi=%016llx", (unsigned long long)f->rdx,
	     (unsigned long long)f->rsi, (unsigned long long)f->rdi);
	klog("  rbp=%016llx r8 =%016llx r9 =%016llx", (unsigned long long)f->rbp,
	     (unsigned long long)f->r8, (unsigned long long)f->r9);
	klog("  r10=%016llx r11=%016llx r12=%016llx", (unsigned long long)f->r10,
	     (unsigned long long)f->r11, (unsigned long long)f->r12);
	klog("  r13=%016llx r14=%016llx r15=%016llx", (unsigned long long)f->r13,
	     (unsigned long long)f->r14, (unsigned long long)f->r15);
}

static void backtrace(u64 rbp)
{
	char line[160];
	int n = format(line, sizeof(line), "  backtrace:");

	for (int depth = 0; depth < 8 && rbp && (rbp & 7) == 0; depth++) {
		const u64 *fp = (const u64 *)rbp;
		if (rbp < (u64)_text_start) /* kernel stacks live in the higher half */
			break;
		if (fp[1] < (u64)_text_start || fp[1] >= (u64)_text_end)
			break;
		n += format(line + n, sizeof(line) - (size_t)n, " %llx", (unsigned long long)fp[1]);
		if ((size_t)n >= sizeof(line))
			break;
		rbp = fp[0];
	}
	klog("%s", line);
}

static NORETURN void stop_all(void)
{
	u64 t0 = rdtsc(), wait = tsc_hz / 50; /* 20 ms (0 before the TSC is measured) */

	lapic_send_nmi_others();
	/*
	 * A CPU that was printing when its NMI came stopped with the console's
	 * lock held: let the NMIs land (a bounded wait, no timer interrupt
	 * needed), then take the console from it again, or the last line would
	 * wait for ever.  The wait outlasts a watchdog period, so the watchdog's
	 * NMIs reach this CPU too, as they would in a longer report.
	 */
	for (u32 i = 0; i < (1u << 20) || rdtsc() - t0 < wait; i++)
		cpu_relax();
	console_break_lock();
	klog("all CPUs stopped; the system is halted (it will not reboot by itself)");
	cpu_stop();
}

static void vpanic(const struct trap_frame *f, const char *fmt, va_list ap)
{
	char cause[256];

	irq_disable();
	if (__atomic_exchange_n(&panicking, cpu_index() + 1, __ATOMIC_SEQ_CST))
		cpu_stop(); /* someone else is already reporting */
	console_break_lock();
	format_v(cause, sizeof(cause), fmt, ap);
	klog("panic on cpu %u: %s", cpu_index(), cause);
	if (f) {
		dump_frame(f);
		backtrace(f->rbp);
	} else {
		backtrace((u64)__builtin_frame_address(0));
	}
}

void panic(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vpanic(NULL, fmt, ap);
	va_end(ap);
	stop_all();
}

void panic_frame(const struct trap_frame *f, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vpanic(f, fmt, ap);
	va_end(ap);
	stop_all();
}

void lab_todo(const char *file, int line, const char *what)
{
	panic("lab: %s:%d: %s: not written yet", file, line, what);
}
