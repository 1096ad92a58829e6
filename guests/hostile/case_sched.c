/*
 * Scheduler abuse (class 16 of the catalog): partitions that try to keep
 * their CPU.  "cli-spin" turns interrupts off and spins in a plain loop
 * that never exits; "sti-spin" does the same with interrupts on;
 * "hlt-forever" halts with interrupts off; "yield-storm" yields as fast
 * as it can.  Each runs for a while and then... never ends by itself:
 * the scenario stops them once the heartbeat beside them has finished,
 * or (yield-storm) counts its calls against the time.
 */
#include "guests/hostile/hostile.h"

int case_cli_spin(unsigned magic, unsigned info)
{
	(void)magic, (void)info;
	hsay("spinning with interrupts off, without exits");
	__asm__ volatile("cli; 1: jmp 1b" ::: "memory");
	return 1;
}

int case_sti_spin(unsigned magic, unsigned info)
{
	(void)magic, (void)info;
	hsay("spinning with interrupts on, without exits");
	__asm__ volatile("sti; 1: jmp 1b" ::: "memory");
	return 1;
}

int case_cli_loop(unsigned magic, unsigned info)
{
	(void)magic, (void)info;
	hsay("counting with interrupts off, without exits");
	__asm__ volatile(
		"cli; xor %%eax, %%eax; 1: inc %%eax; add $3, %%ecx; cmp $0, %%eax; jne 1b" ::
			: "eax", "ecx", "memory");
	return 1;
}
