/*
 * The guest SDK: what a partition's program may call.  Works on cloison
 * (hypercalls, ABI v1 of docs/hypercalls.md) and on bare QEMU (COM1, the
 * TSC and the isa-debug-exit port), so every demo also boots with
 * qemu -kernel; docs/guests.md says which calls do what there.  A guest
 * defines int guest_main(unsigned magic, unsigned info).
 */
#ifndef GUESTS_LIB_GUEST_H
#define GUESTS_LIB_GUEST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HC_CONSOLE_WRITE 1
#define HC_CONSOLE_READ 2
#define HC_YIELD 3
#define HC_EXIT 4
#define HC_TIME 5
#define HC_SET_TIMER 6

#define EFAULT 14
#define EINVAL 22
#define ENOSYS 38

int guest_main(unsigned magic, unsigned info);

/* True when running on cloison (CPUID 0x40000000 signature). */
bool hv_present(void);
/*
 * Raw hypercall: number and up to four arguments; returns RAX (EDX:EAX for
 * TIME on 32-bit).  Without a hypervisor the instruction raises #UD.
 */
long hv_call(unsigned long nr, unsigned long a1, unsigned long a2, unsigned long a3,
	     unsigned long a4);
/* Nanoseconds: TIME on cloison, tsc_time_ns() without it. */
uint64_t hv_time_ns(void);
/* Is CPUID 0's vendor string (12 characters, e.g. "GenuineIntel") this one?
 * cloison filters CPUID but passes the vendor string through. */
bool cpu_vendor_is(const char *vendor);
/* Does the CPU's brand string (CPUID 0x80000002-4) contain word? */
bool cpu_brand_has(const char *word);
/* Use VMCALL (true) or VMMCALL (false); the default follows the CPU vendor. */
void hv_use_vmcall(bool vmcall);

/*
 * Console: the hypercall on cloison, COM1 otherwise.  Returns once all
 * n bytes are taken; while cloison's console is busy, that means
 * yielding and calling again (docs/hypercalls.md).
 */
void console_write(const char *s, size_t n);
int console_read(char *buf, size_t n);
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Leave: EXIT hypercall on cloison, the isa-debug-exit port otherwise. */
__attribute__((noreturn)) void guest_exit(int code);

/*
 * The Multiboot command line (on cloison the partition's module2 string,
 * under qemu -kernel the -append string), or "" when the loader gave none.
 */
const char *guest_cmdline(unsigned magic, unsigned info);
/* Copy the value of "key=value" in cmdline into out (NUL-terminated, cut to
 * size - 1 characters); false when the key is absent. */
bool cmdline_value(const char *cmdline, const char *key, char *out, size_t size);
/* Are the two strings the same? */
bool str_same(const char *a, const char *b);

/*
 * Guest time (guests/lib/timer.c).  hv_set_timer: raise `vector` at
 * hv_time_ns() == deadline_ns (0 cancels); 0 or a negative errno,
 * -ENOSYS without cloison.  tsc_time_ns(): nanoseconds since its first
 * call, from the TSC, whose rate that call measures over 10 ms of the
 * PIT; hv_time_ns() without cloison.  The rest is for 32-bit guests:
 * timer_init() loads a GDT and an IDT with a handler for TIMER_VECTOR;
 * sleep_ns() halts until the time has passed and returns how many HLTs
 * that took (without cloison it spins and returns 0); tick_start() calls
 * fn (in the interrupt handler) every period_ns and enables interrupts,
 * or returns -ENOSYS without cloison, leaving them off.
 */
#define TIMER_VECTOR 0x40

/*
 * 32-bit guests (guests/lib/desc.c): desc_init() loads a flat GDT and an
 * IDT whose gates are not present; desc_set_handler() fills one with an
 * interrupt gate to handler (an __attribute__((interrupt)) function),
 * desc_set_gate() one that code at CPL <= dpl may also reach with INT n,
 * desc_set_gate_to() the same into the code segment of selector.
 * GDT slots 0-2 are the null, flat code (0x08) and flat data (0x10)
 * descriptors; desc_set_segment() fills one of the slots 3 to
 * DESC_GDT_SLOTS - 1 (selector slot * 8), which desc_init() has loaded.
 */
#define DESC_GDT_SLOTS 16
void desc_init(void);
void desc_set_handler(uint8_t vector, void *handler);
void desc_set_gate(uint8_t vector, void *handler, unsigned dpl);
void desc_set_gate_to(uint8_t vector, uint16_t selector, void *handler, unsigned dpl);
void desc_set_segment(unsigned slot, uint64_t descriptor);
int hv_set_timer(uint64_t deadline_ns, uint8_t vector);
uint64_t tsc_time_ns(void);
void timer_init(void);
unsigned sleep_ns(uint64_t ns);
uint64_t timer_ticks(void);
int tick_start(uint64_t period_ns, void (*fn)(void));
void tick_stop(void);

/*
 * n / d, and n % d in *rem unless rem is NULL (guests/lib/div64.c): what
 * a 32-bit guest calls instead of dividing a 64-bit number with `/`,
 * which needs libgcc's __udivdi3 (docs/guests.md).  d must not be 0.
 */
uint64_t div64_32(uint64_t n, uint32_t d, uint32_t *rem);

/* Print "<who>: <what>: ok", or a FAIL line with both values; returns 1 on FAIL. */
int guest_check(const char *who, const char *what, long long got, long long want);

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port));
}
static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline void outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" ::"a"(v), "Nd"(port));
}
static inline uint16_t inw(uint16_t port)
{
	uint16_t v;
	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" ::"a"(v), "Nd"(port));
}
static inline uint32_t inl(uint16_t port)
{
	uint32_t v;
	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}
static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" ::"c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}
/*
 * A 32-bit device register at a physical address (paging is off, or the
 * page is identity-mapped), read or written with one plain MOV, as the
 * APICs want (SDM 3A §11.4.1).  Inline assembly, so that the compiler
 * can never turn one into a read-modify-write instruction, which
 * cloison refuses on the APICs' pages.
 */
static inline uint32_t mmio_read32(uintptr_t addr)
{
	uint32_t v;
	__asm__ volatile("movl %1, %0" : "=r"(v) : "m"(*(volatile uint32_t *)addr));
	return v;
}
static inline void mmio_write32(uintptr_t addr, uint32_t v)
{
	__asm__ volatile("movl %1, %0" : "=m"(*(volatile uint32_t *)addr) : "r"(v) : "memory");
}
static inline void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
	__asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(0));
}
static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

#endif
