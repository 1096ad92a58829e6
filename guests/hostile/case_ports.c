/*
 * Case "ports" (class 10 of the catalog): the I/O port space.  Apart
 * from the exit port 0xf4 (a write there ends the partition with that
 * code) and the ports of the partition's PC (docs/platform.md: the
 * 8259s, the PIT and port 0x61, the i8042, the RTC, the 16550, the ACPI
 * PM registers, the reset register 0xcf9 and the PCI configuration
 * ports), a partition has no port: every read returns all ones and
 * every write does nothing.  The devices themselves are the pc guest's
 * business (tests/boot/pc.scenario), resets and power-off the reset
 * case's.
 *
 *   - The sweep: every port 0-0xffff written and read as a byte, and
 *     every 16th port (and the last four) as a word and a dword; each read
 *     must be all ones.  (All six sizes at every port are 393,000 exits:
 *     about 1 s of emulated time on the Bochs lanes and 15 s under QEMU's
 *     emulator, too long for a boot test; the sample takes a third of it.)
 *     Accesses that would touch 0xf4 or a device (a word at 0xf3, a
 *     dword at 0x3f6, ...) are left out: those ports are not "nothing".
 *   - String I/O: REP INSB, INSD and OUTSB with ECX = 16, with DF clear
 *     and set: the buffer, EDI/ESI and ECX must come out as on hardware.
 *   - A dword at port 0xffff, which runs past the end of the port space.
 *   - The reset and power-off ports of other PCs and emulators that a
 *     partition does not have: 0x92 <- 0x01 (fast A20 and reset), 0xb004
 *     <- 0x2000 (Bochs' ACPI), 0x4004 <- 0x3400 (VirtualBox), 0x8900 <-
 *     "Shutdown" (Bochs).  None may reset or power off the machine or the
 *     partition; the case goes on, and the heartbeat beside it keeps
 *     beating (the scenario checks both).  They come 1.2 s after the
 *     start, in the heartbeat's beating time.
 */
#include "guests/hostile/cpu.h"
#include "guests/hostile/hostile.h"

#define MS 1000000ull
#define EXIT_PORT 0xf4
/* The ports of the partition's PC and the exit port: [first, last]. */
static const struct {
	uint16_t first, last;
} devices[] = {
	{ 0x20, 0x21 },				    /* master 8259 */
	{ 0x40, 0x43 },				    /* PIT */
	{ 0x60, 0x61 },				    /* i8042 data, port 0x61 (PIT counter 2) */
	{ 0x64, 0x64 },				    /* i8042 status and command */
	{ 0x70, 0x71 },				    /* RTC */
	{ 0xa0, 0xa1 },				    /* slave 8259 */
	{ EXIT_PORT, EXIT_PORT }, { 0x3f8, 0x3ff }, /* 16550 */
	{ 0x4d0, 0x4d1 },			    /* ELCR */
	{ 0x600, 0x60b }, /* ACPI PM1 event and control blocks, PM timer */
	{ 0xcf8, 0xcff }, /* PCI configuration; 0xcf9 the reset register */
};

/* Does [port, port + size) reach the exit port or a device? */
static bool special(uint32_t port, uint32_t size)
{
	for (unsigned i = 0; i < sizeof(devices) / sizeof(devices[0]); i++)
		if (port <= devices[i].last && port + size > devices[i].first)
			return true;
	return false;
}

static int sweep(void)
{
	uint64_t t0 = hv_time_ns();
	uint32_t bad = 0, first_bad = 0, accesses = 0;

	for (uint32_t port = 0; port <= 0xffff; port++) {
		uint16_t p = (uint16_t)port;
		bool ok = true, wide = port % 16 == 0 || port >= 0xfffc;

		if (!special(port, 1)) {
			outb(p, 0xa5);
			ok &= inb(p) == 0xff;
			accesses += 2;
		}
		if (wide && !special(port, 2)) {
			outw(p, 0xa5a5);
			ok &= inw(p) == 0xffff;
			accesses += 2;
		}
		if (wide && !special(port, 4)) {
			outl(p, 0xa5a5a5a5u);
			ok &= inl(p) == 0xffffffffu;
			accesses += 2;
		}
		if (!ok && !bad++)
			first_bad = port;
	}
	hsay("swept %u accesses in %u ms", accesses, hms(hv_time_ns() - t0));
	if (bad)
		hsay("FAIL: %u ports read something else than all ones, the first 0x%x", bad,
		     first_bad);
	return hcheck("every port read all ones (bytes; words and dwords sampled)", bad, 0);
}

static int string_io(void)
{
	static uint8_t buf[128];
	static uint32_t dwords[40];
	uint32_t b = (uint32_t)(uintptr_t)buf, d = (uint32_t)(uintptr_t)dwords;
	uint32_t di, si, cx;
	int failures = 0, ones;

	/* REP INSB up, from port 0x80: 16 bytes of 0xff at buf[0..15]. */
	for (unsigned i = 0; i < sizeof(buf); i++)
		buf[i] = 0;
	di = b, cx = 16;
	__asm__ volatile("cld\n\trep insb" : "+D"(di), "+c"(cx) : "d"(0x80) : "memory");
	ones = 0;
	for (unsigned i = 0; i < sizeof(buf); i++)
		ones += buf[i] == 0xff;
	failures += hcheck("REP INSB up: EDI advanced by 16", di - b, 16);
	failures += hcheck("REP INSB up: ECX is 0", cx, 0);
	failures += hcheck("REP INSB up: 16 bytes stored", ones == 16 && buf[0] == 0xff, 1);

	/* REP INSB down from buf[63]: buf[48..63]. */
	for (unsigned i = 0; i < sizeof(buf); i++)
		buf[i] = 0;
	di = b + 63, cx = 16;
	__asm__ volatile("std\n\trep insb\n\tcld" : "+D"(di), "+c"(cx) : "d"(0x80) : "memory");
	ones = 0;
	for (unsigned i = 0; i < sizeof(buf); i++)
		ones += buf[i] == 0xff;
	failures += hcheck("REP INSB down: EDI went back by 16", b + 63 - di, 16);
	failures += hcheck("REP INSB down: ECX is 0", cx, 0);
	failures += hcheck("REP INSB down: buf[48..63] stored",
			   ones == 16 && buf[48] == 0xff && buf[63] == 0xff && !buf[47], 1);

	/* REP INSD down from dwords[31]: dwords[16..31]. */
	for (unsigned i = 0; i < 40; i++)
		dwords[i] = 0;
	di = d + 31 * 4, cx = 16;
	__asm__ volatile("std\n\trep insl\n\tcld" : "+D"(di), "+c"(cx) : "d"(0x80) : "memory");
	ones = 0;
	for (unsigned i = 0; i < 40; i++)
		ones += dwords[i] == 0xffffffffu;
	failures += hcheck("REP INSD down: EDI went back by 64", d + 31 * 4 - di, 64);
	failures += hcheck("REP INSD down: ECX is 0", cx, 0);
	failures += hcheck("REP INSD down: dwords[16..31] stored",
			   ones == 16 && dwords[16] == 0xffffffffu && !dwords[15], 1);

	/* REP OUTSB up and down, to port 0x80. */
	si = b, cx = 16;
	__asm__ volatile("cld\n\trep outsb" : "+S"(si), "+c"(cx) : "d"(0x80) : "memory");
	failures += hcheck("REP OUTSB up: ESI advanced by 16, ECX 0", si - b == 16 && cx == 0, 1);
	si = b + 63, cx = 16;
	__asm__ volatile("std\n\trep outsb\n\tcld" : "+S"(si), "+c"(cx) : "d"(0x80) : "memory");
	failures += hcheck("REP OUTSB down: ESI went back by 16, ECX 0",
			   b + 63 - si == 16 && cx == 0, 1);
	return failures;
}

static int resets(void)
{
	static const char shutdown[] = "Shutdown";
	int failures = 0;

	outl(0xffff, 0xa5a5a5a5u);
	failures += hcheck("dword read at port 0xffff is all ones", inl(0xffff), 0xffffffffu);
	while (hv_time_ns() - hostile_t0 < 1200 * MS)
		sleep_ns(50 * MS);
	hsay("writing the reset and power-off ports next");
	outb(0x92, 0x01);
	outw(0xb004, 0x2000);
	outw(0x4004, 0x3400);
	for (unsigned i = 0; i < sizeof(shutdown) - 1; i++)
		outb(0x8900, (uint8_t)shutdown[i]);
	sleep_ns(100 * MS);
	hsay("still running after the reset and power-off ports");
	return failures;
}

int case_ports(unsigned magic, unsigned info)
{
	int failures = 0;
	(void)magic, (void)info;

	cpu_setup();
	failures += sweep();
	failures += string_io();
	failures += resets();
	return failures;
}
