/*
 * bench: times the exit path and the partition switch with RDTSC.  In
 * Bochs the TSC counts instructions, so each figure is a path length.
 * The partition's name= picks its role (tools/bench.sh boots all three):
 *
 *   bench         alone on its CPU: one CPUID (leaf 0), one null
 *                 hypercall (an unknown number: the shortest path through
 *                 the dispatcher), one CONSOLE_WRITE of a 32-byte line,
 *                 the same line through the emulated 16550 (an LSR read
 *                 and an OUT per byte, as a polling driver writes it),
 *                 and one YIELD, after which the scheduler picks this
 *                 partition again, so no registers are switched;
 *   bench-switch  one YIELD while a yielder shares its CPU: the round
 *                 trip is two partition switches and the yielder's run;
 *   yielder       does nothing but YIELD, YIELDER_ROUNDS times, then exits.
 *
 * Each prints the minimum and the median of RUNS round trips.
 */
#include "guests/lib/guest.h"

#define RUNS 64
#define WARMUP 4 /* yields before the timed ones: both partitions have run */
/* More than bench-switch needs, so that it never yields alone; alone, a yield is short. */
#define YIELDER_ROUNDS 2000

static void sort(uint32_t *v, int n)
{
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
			uint32_t t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
}

static void report(const char *what, uint32_t *v)
{
	sort(v, RUNS);
	printf("bench: %s: min %u median %u cycles\n", what, v[0], v[RUNS / 2]);
}

static void time_yields(uint32_t *v)
{
	for (int i = 0; i < WARMUP; i++)
		hv_call(HC_YIELD, 0, 0, 0, 0);
	for (int i = 0; i < RUNS; i++) {
		uint64_t t0 = rdtsc();
		hv_call(HC_YIELD, 0, 0, 0, 0);
		v[i] = (uint32_t)(rdtsc() - t0);
	}
}

#define COM1 0x3f8
#define COM1_LSR (COM1 + 5)
#define LSR_THR_EMPTY 0x20

/* n bytes through COM1, LSR read before each, as the uart guest writes them. */
static void uart_write(const char *s, int n)
{
	for (int i = 0; i < n; i++) {
		while (!(inb(COM1_LSR) & LSR_THR_EMPTY))
			;
		outb(COM1, (uint8_t)s[i]);
	}
}

static void alone(void)
{
	static const char line[] = "write: one 32-byte console line\n";
	static const char uline[] = "uart: one 32-byte line, by OUTs\n";
	uint32_t cpuid_t[RUNS], call_t[RUNS], empty_t[RUNS], write_t[RUNS], yield_t[RUNS];
	uint32_t uart_t[RUNS];

	for (int i = 0; i < RUNS; i++) {
		uint64_t t0 = rdtsc(), t1 = rdtsc();
		empty_t[i] = (uint32_t)(t1 - t0);
	}
	for (int i = 0; i < RUNS; i++) {
		uint32_t a, b, c, d;
		uint64_t t0 = rdtsc();
		cpuid(0, &a, &b, &c, &d);
		cpuid_t[i] = (uint32_t)(rdtsc() - t0);
	}
	if (hv_present()) {
		for (int i = 0; i < RUNS; i++) {
			uint64_t t0 = rdtsc();
			hv_call(0, 0, 0, 0, 0);
			call_t[i] = (uint32_t)(rdtsc() - t0);
		}
		time_yields(yield_t);
		/* Last: COM1's interrupts, draining these lines, would land in the others. */
		for (int i = 0; i < RUNS; i++) {
			uint64_t t0 = rdtsc();
			hv_call(HC_CONSOLE_WRITE, (unsigned long)line, sizeof(line) - 1, 0, 0);
			write_t[i] = (uint32_t)(rdtsc() - t0);
		}
		for (int i = 0; i < RUNS; i++) {
			uint64_t t0 = rdtsc();
			uart_write(uline, sizeof(uline) - 1);
			uart_t[i] = (uint32_t)(rdtsc() - t0);
		}
	}
	report("rdtsc alone", empty_t);
	report("cpuid round trip", cpuid_t);
	if (hv_present()) {
		report("null hypercall round trip", call_t);
		report("32-byte console write", write_t);
		report("32-byte uart write", uart_t);
		report("yield alone", yield_t);
	}
}

int guest_main(unsigned magic, unsigned info)
{
	char name[32] = "bench";
	uint32_t yield_t[RUNS];

	cmdline_value(guest_cmdline(magic, info), "name", name, sizeof(name));
	if (!str_same(name, "bench") && !hv_present()) {
		printf("bench: %s needs cloison\n", name);
		return 1;
	}
	if (str_same(name, "yielder")) {
		for (int i = 0; i < YIELDER_ROUNDS; i++)
			hv_call(HC_YIELD, 0, 0, 0, 0);
	} else if (str_same(name, "bench-switch")) {
		time_yields(yield_t);
		report("yield with a yielder", yield_t);
	} else {
		alone();
	}
	return 0;
}
