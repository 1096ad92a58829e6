/*
 * bench: times the exit path.  Each round trip is measured with RDTSC
 * around one CPUID (leaf 0), around one null hypercall (an unknown
 * number: the shortest path through the hypercall dispatcher) and
 * around one CONSOLE_WRITE of a 32-byte line (what a guest waits for
 * its output).  It prints the minimum and the median of many runs.  In Bochs the TSC
 * counts instructions, so the figure is the hypervisor's path length.
 */
#include "guests/lib/guest.h"

#define RUNS 64

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

int guest_main(unsigned magic, unsigned info)
{
	static const char line[] = "write: one 32-byte console line\n";
	uint32_t cpuid_t[RUNS], call_t[RUNS], empty_t[RUNS], write_t[RUNS];
	(void)magic, (void)info;

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
	for (int i = 0; i < RUNS && hv_present(); i++) {
		uint64_t t0 = rdtsc();
		hv_call(0, 0, 0, 0, 0);
		call_t[i] = (uint32_t)(rdtsc() - t0);
	}
	for (int i = 0; i < RUNS && hv_present(); i++) {
		uint64_t t0 = rdtsc();
		hv_call(HC_CONSOLE_WRITE, (unsigned long)line, sizeof(line) - 1, 0, 0);
		write_t[i] = (uint32_t)(rdtsc() - t0);
	}
	report("rdtsc alone", empty_t);
	report("cpuid round trip", cpuid_t);
	if (hv_present()) {
		report("null hypercall round trip", call_t);
		report("32-byte console write", write_t);
	}
	return 0;
}
