/*
 * hello64: a 64-bit C partition.  Its crt0 switches to long mode by
 * itself; then it prints, checks a 64-bit TIME result and exits 0.
 */
#include "guests/lib/guest.h"

int guest_main(unsigned magic, unsigned info)
{
	uint64_t t0, t1;

	printf("hello from a 64-bit partition (magic 0x%x, info at 0x%x)\n", magic, info);
	if (!hv_present()) {
		printf("no hypervisor: running natively\n");
		return 0;
	}
	t0 = hv_time_ns();
	t1 = hv_time_ns();
	printf("long mode works; time goes %s\n", t1 >= t0 ? "forward" : "BACKWARD");
	return t1 >= t0 ? 0 : 1;
}
