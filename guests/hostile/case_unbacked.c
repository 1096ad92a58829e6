/*
 * Case "unbacked" (class 9 of the catalog): guest-physical addresses
 * with nothing behind them.  A partition has RAM at [0, mem) and device
 * memory only in the APIC window (docs/platform.md): an access between
 * the end of its RAM and the window, or above 4 GiB, must stop the
 * partition with "crashed: memory violation at GPA 0x... (read|write)".
 * One partition per variant, since each is the last thing it does:
 *   hole, holew      read, write at 0x40000000 (32-bit, paging off)
 *   lapic, lapicw    the local APIC answers at 0xfee00000: its version
 *                    register, and TPR written and read back (exit 0)
 *   ioapic, ioapicw  the I/O APIC answers at 0xfec00000: its version,
 *                    and a redirection entry written and read back
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
#define HOLE 0x40000000u /* above a 2 MiB partition's RAM, below the APIC window */

static volatile uint32_t *reg(uint32_t at)
{
	return (volatile uint32_t *)(uintptr_t)at;
}

/* The APIC window is no hole: the devices answer there. */
static int devices(const char *v)
{
	if (str_same(v, "lapic"))
		return hcheck("the local APIC's version register reads 0x14",
			      *reg(LAPIC + 0x30) & 0xff, 0x14);
	if (str_same(v, "lapicw")) {
		*reg(LAPIC + 0x80) = 0x20;
		return hcheck("the local APIC's TPR reads back 0x20", *reg(LAPIC + 0x80), 0x20);
	}
	if (str_same(v, "ioapic")) {
		*reg(IOAPIC) = 1;
		return hcheck("the I/O APIC's version reads 0x170020", *reg(IOAPIC + 0x10),
			      0x170020);
	}
	*reg(IOAPIC) = 0x10;
	*reg(IOAPIC + 0x10) = 0x10030;
	return hcheck("an I/O APIC redirection entry reads back", *reg(IOAPIC + 0x10), 0x10030);
}
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
	if (str_same(v, "vga"))
		return vga();
	if (str_same(v, "lapic") || str_same(v, "lapicw") || str_same(v, "ioapic") ||
	    str_same(v, "ioapicw"))
		return devices(v);
	if (str_same(v, "hole"))
		read32(HOLE);
	else if (str_same(v, "holew"))
		write32(HOLE);
	else if (str_same(v, "high")) {
		struct long_regs r = { .rbx = HIGH };
		hsay("reading at 0x100000000 from 64-bit mode next");
		long_call(long_read, &r);
	} else if (str_same(v, "highw")) {
		pae_on(HIGH);
		hsay("writing at 0x100000000 through PAE paging next");
		*(volatile uint32_t *)0x40000000 = 0x12345678;
		paging_off();
	} else {
		hsay("FAIL: variant '%s': want hole, holew, lapic, lapicw, ioapic, ioapicw, high, "
		     "highw or vga",
		     v);
		return 1;
	}
	hsay("FAIL: the access returned");
	return 1;
}
