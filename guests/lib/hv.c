/*
 * Hypercalls and the console for guests.  Detection uses CPUID leaf
 * 0x40000000 ("CloisonHV\0\0\0").  The instruction is VMCALL on Intel and
 * VMMCALL on AMD; cloison accepts either on both vendors.  Without
 * cloison the console is COM1, the time the TSC (guests/lib/timer.c) and
 * the exit QEMU's isa-debug-exit port; hv_call() itself executes the
 * instruction regardless, which raises #UD there.
 */
#include "guests/lib/guest.h"
#include "lib/format.h"

#define COM1 0x3f8
#define COM1_LSR (COM1 + 5)
#define LSR_THR_EMPTY 0x20
#define LSR_DATA_READY 0x01
#define DEBUG_EXIT_PORT 0xf4

static int present = -1; /* unknown yet */
static int use_vmcall = -1;

bool hv_present(void)
{
	if (present < 0) {
		uint32_t a, b, c, d;
		cpuid(0x40000000, &a, &b, &c, &d);
		present = a >= 0x40000001 && b == 0x696f6c43 /* "Cloi" */ &&
			  c == 0x486e6f73 /* "sonH" */ && d == 0x00000056 /* "V\0\0\0" */;
	}
	return present;
}

void hv_use_vmcall(bool vmcall)
{
	use_vmcall = vmcall;
}

bool cpu_vendor_is(const char *vendor)
{
	uint32_t a, regs[3];
	const char *got = (const char *)regs;

	cpuid(0, &a, &regs[0], &regs[2], &regs[1]); /* the string is in EBX, EDX, ECX */
	for (int i = 0; i < 12; i++)
		if (got[i] != vendor[i])
			return false;
	return true;
}

bool cpu_brand_has(const char *word)
{
	uint32_t b[12], a;
	const char *brand = (const char *)b;

	cpuid(0x80000000, &a, &b[0], &b[1], &b[2]);
	if (a < 0x80000004)
		return false;
	for (uint32_t i = 0; i < 3; i++)
		cpuid(0x80000002 + i, &b[4 * i], &b[4 * i + 1], &b[4 * i + 2], &b[4 * i + 3]);
	for (int i = 0; i < 48; i++) {
		int k = 0;
		while (word[k] && i + k < 48 && brand[i + k] == word[k])
			k++;
		if (!word[k])
			return true;
	}
	return false;
}

static bool intel(void)
{
	return cpu_vendor_is("GenuineIntel");
}

long hv_call(unsigned long nr, unsigned long a1, unsigned long a2, unsigned long a3,
	     unsigned long a4)
{
	long ret;
	if (use_vmcall < 0)
		use_vmcall = intel();
	if (use_vmcall)
		__asm__ volatile("vmcall"
				 : "=a"(ret)
				 : "a"(nr), "b"(a1), "c"(a2), "d"(a3), "S"(a4)
				 : "memory");
	else
		__asm__ volatile("vmmcall"
				 : "=a"(ret)
				 : "a"(nr), "b"(a1), "c"(a2), "d"(a3), "S"(a4)
				 : "memory");
	return ret;
}

uint64_t hv_time_ns(void)
{
	unsigned long lo, hi = 0;
	if (!hv_present())
		return tsc_time_ns(); /* no TIME to call: the TSC (guests/lib/timer.c) */
	if (use_vmcall < 0)
		use_vmcall = intel();
	/* 32-bit guests get the 64-bit result in EDX:EAX. */
	if (use_vmcall)
		__asm__ volatile("vmcall"
				 : "=a"(lo), "+d"(hi)
				 : "a"((unsigned long)HC_TIME)
				 : "memory");
	else
		__asm__ volatile("vmmcall"
				 : "=a"(lo), "+d"(hi)
				 : "a"((unsigned long)HC_TIME)
				 : "memory");
	if (sizeof(long) == 8)
		return lo;
	return ((uint64_t)hi << 32) | (uint32_t)lo;
}

void console_write(const char *s, size_t n)
{
	if (hv_present()) {
		while (n) {
			long w = hv_call(HC_CONSOLE_WRITE, (unsigned long)(uintptr_t)s, n, 0, 0);
			if (w < 0)
				return;
			if (w == 0) /* the console is busy: give the CPU away, then try again */
				hv_call(HC_YIELD, 0, 0, 0, 0);
			s += w, n -= (size_t)w;
		}
		return;
	}
	for (size_t i = 0; i < n; i++) {
		while (!(inb(COM1_LSR) & LSR_THR_EMPTY))
			;
		outb(COM1, (uint8_t)s[i]);
	}
}

int console_read(char *buf, size_t n)
{
	size_t got = 0;
	if (hv_present())
		return (int)hv_call(HC_CONSOLE_READ, (unsigned long)(uintptr_t)buf, n, 0, 0);
	while (got < n && (inb(COM1_LSR) & LSR_DATA_READY))
		buf[got++] = (char)inb(COM1);
	return (int)got;
}

int printf(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = format_v(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	console_write(buf, n < (int)sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
	return n;
}

void guest_exit(int code)
{
	if (hv_present())
		hv_call(HC_EXIT, (unsigned long)code, 0, 0, 0);
	outl(DEBUG_EXIT_PORT, (uint32_t)code); /* QEMU's isa-debug-exit, and cloison's exit port */
	for (;;)
		__asm__ volatile("cli; hlt");
}
