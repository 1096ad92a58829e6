/*
 * hello: the smallest 32-bit partition.  Says hello through the
 * console, shows what CPUID and TIME report, and exits with code 0.
 */
#include "guests/lib/guest.h"

int guest_main(unsigned magic, unsigned info)
{
	printf("hello from a 32-bit partition (magic 0x%x, info at 0x%x)\n", magic, info);
	if (hv_present()) {
		uint32_t a, b, c, d;
		cpuid(0x40000001, &a, &b, &c, &d);
		printf("cloison ABI %u, partition id %u, time %llu ns\n", a, b,
		       (unsigned long long)hv_time_ns());
	} else {
		printf("no hypervisor: running natively\n");
	}
	return 0;
}
