/*
 * Case "unbacked" (class 9 of the catalog): guest-physical addresses
 * with nothing behind them.  A partition has RAM at [0, mem) and no
 * device memory: an access where a PC has its local APIC (0xfee00000)
 * or I/O APIC (0xfec00000), or above 4 GiB, must stop the partition with
 * "crashed: memory violation at GPA 0x... (read|write)".  One partition
 * per variant, since each is the last thing it does:
 *   lapic, lapicw    read, write at 0xfee00000 (32-bit, paging off)
 *   ioapic, ioapicw  read, write at 0xfec00000
 *   high             read at 0x100000000 from 64-bit mode (long.S maps it)
 *   highw            write at 0x100000000 through PAE paging in 32-bit
 *                    mode (linear 1 GiB mapped there)
 * The legacy VGA window 0xa0000-0xbffff is no hole: variant "vga" writes
 * there and reads it back, and exits normally.
 */
#include "guests/hostile/cpu.h"
#include "guests/hostile/hostile.h"

#define LAPIC 0xfee00000u
#define IOAPIC 0xfec00000u
#define HIGH 0x100000000ull

static void read32(uint32_t at)
{
	hsay("reading at 0x%x next", at);
	(void)*(volatile uint32_t *)(uintptr_t)at;
}

static void write32(uint32_t at)
{
	hsay("writing at 0x%x next", at);
	*(volatile uint32_t *)(uintptr_t)at = 0x12345678;
}

static int vga(void)
{
	volatile uint32_t *p = (volatile uint32_t *)0xa0000, *q = (volatile uint32_t *)0xbfffc;
	int failures = 0;

	*p = 0x5a5aa5a5;
	*q = 0xc3c33c3c;
	failures += hcheck("write at 0xa0000 reads back", *p, 0x5a5aa5a5);
	failures += hcheck("write at 0xbfffc reads back", *q, 0xc3c33c3c);
	return failures;
}

int case_unbacked(unsigned magic, unsigned info)
{
	const char *v = hostile_variant;
	(void)magic, (void)info;

	cpu_setup();
	if (hsame(v, "vga"))
		return vga();
	if (hsame(v, "lapic"))
		read32(LAPIC);
	else if (hsame(v, "lapicw"))
		write32(LAPIC);
	else if (hsame(v, "ioapic"))
		read32(IOAPIC);
	else if (hsame(v, "ioapicw"))
		write32(IOAPIC);
	else if (hsame(v, "high")) {
		struct long_regs r = { .rbx = HIGH };
		hsay("reading at 0x100000000 from 64-bit mode next");
		long_call(long_read, &r);
	} else if (hsame(v, "highw")) {
		pae_on(HIGH);
		hsay("writing at 0x100000000 through PAE paging next");
		*(volatile uint32_t *)0x40000000 = 0x12345678;
		paging_off();
	} else {
		hsay("FAIL: variant '%s': want lapic, lapicw, ioapic, ioapicw, high, highw or vga",
		     v);
		return 1;
	}
	hsay("FAIL: the access returned");
	return 1;
}
