/*
 * Case "ripwrap" (class 4 of the catalog): the instruction pointer at
 * the edges.
 *
 * Variant "end" (ripwrap_end) runs NOPs in the last 16 bytes of its
 * RAM and on past them: the fetch from the first address after RAM must
 * stop the partition with "crashed: memory violation at GPA <RAM size>
 * (fetch)".
 *
 * Variant "4g" (ripwrap_4g) runs across 4 GiB in 32-bit protected mode:
 * with paging on, linear 0xfffff000 mapped to a page of RAM that ends in
 * NOPs and a CPUID (an instruction that exits) in the last two bytes
 * below 4 GiB, and linear 0 mapped to a page holding "MOV ESI, marker;
 * JMP EDI".  EIP is 32 bits wide, so after the CPUID the CPU goes on at
 * linear 0, as it does without a hypervisor; the case then finds the
 * marker in ESI and says so.  A hypervisor that steps over the CPUID to
 * 0x100000000 gets a RIP the CPU will not enter in 32-bit mode.
 */
#include "guests/hostile/cpu.h"
#include "guests/hostile/hostile.h"

#define MARKER 0x600d0a4bu

static uint8_t top_page[4096] __attribute__((aligned(4096)));  /* linear 0xfffff000 */
static uint8_t zero_page[4096] __attribute__((aligned(4096))); /* linear 0 */

static int run_off_the_end(void)
{
	uint32_t start = hostile_ram - 16;

	for (unsigned i = 0; i < 16; i++)
		((volatile uint8_t *)(uintptr_t)start)[i] = 0x90; /* NOP */
	hsay("running NOPs from 0x%x off the end of RAM next", start);
	__asm__ volatile("jmp *%0" ::"r"(start) : "memory");
	return 1;
}

static int across_4g(void)
{
	static const uint8_t at_zero[] = { 0xbe,
					   MARKER & 0xff,
					   (MARKER >> 8) & 0xff,
					   (MARKER >> 16) & 0xff,
					   MARKER >> 24, /* MOV ESI, imm32 */
					   0xff,
					   0xe7 /* JMP EDI */ };
	uint32_t esi = 0;

	for (unsigned i = 0; i < sizeof(top_page) - 2; i++)
		top_page[i] = 0x90;
	top_page[4094] = 0x0f; /* CPUID: 0f a2, its last byte at 0xffffffff */
	top_page[4095] = 0xa2;
	for (unsigned i = 0; i < sizeof(at_zero); i++)
		zero_page[i] = at_zero[i];
	paging32_map(0xfffff000u, (uint32_t)(uintptr_t)top_page);
	paging32_map(0, (uint32_t)(uintptr_t)zero_page);
	paging32_on();
	hsay("running a CPUID at 0xfffffffe, then on at linear 0, next");
	__asm__ volatile("movl $1f, %%edi\n\t"
			 "movl $0xfffffff0, %%eax\n\t"
			 "jmp *%%eax\n"
			 "1:"
			 : "+S"(esi)
			 :
			 : "eax", "ebx", "ecx", "edx", "edi", "memory");
	paging_off();
	return hcheck("execution went on at linear 0 after the CPUID below 4 GiB", esi, MARKER);
}

int case_ripwrap(unsigned magic, unsigned info)
{
	(void)magic, (void)info;
	cpu_setup();
	if (str_same(hostile_variant, "end"))
		return run_off_the_end();
	if (str_same(hostile_variant, "4g"))
		return across_4g();
	hsay("FAIL: variant '%s': want end or 4g", hostile_variant);
	return 1;
}
