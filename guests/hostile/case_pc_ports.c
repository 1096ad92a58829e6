/*
 * Case "pc-ports" (class 21 of the catalog): the whole port space of
 * the small PC a partition now is.  Its devices answer at their ports
 * (8259 pair and ELCR, PIT and port 0x61, i8042, CMOS RTC, 16550, ACPI
 * PM registers and reset register, PCI configuration mechanism #1); any
 * other port reads all ones and keeps nothing.
 *   1. Every port 0-0xffff read once with IN of 1, 2 and 4 bytes (the
 *      wider ones reach the ports above it): an access that touches no
 *      device must read all ones.
 *   2. Every port written once with a byte, a harmless value where a
 *      device sits (OCW3 "read IRR" to the 8259s' command ports, all
 *      masked to their data ports, a counter latch to the PIT, and so
 *      on: harmless() below).  Left out: the exit port 0xf4, the i8042
 *      command port 0x64 and the reset register 0xcf9 (each may end
 *      this life), PM1a control 0x604-0x605 (S5), the PIT's counters
 *      (a byte there loads half a count) and the 16550's THR (it would
 *      print).  The reset case (case_reset.c) uses those on purpose.
 *   3. Every port read again as a byte: the ports without a device still
 *      read all ones, and the device registers written in 2 read back
 *      what their model keeps (reads_back below).
 * Cloison must not crash and must answer the same way every time; the
 * heartbeat beside it keeps its beats.
 */
#include "guests/hostile/cpu.h"
#include "guests/hostile/hostile.h"

#define NO_WRITE (-1)

/* Is port one where a device of the platform answers (kernel/platform.c, vdev/)? */
static bool device_port(uint32_t port)
{
	switch (port) {
	case 0x20 ... 0x21:   /* 8259 master */
	case 0x40 ... 0x43:   /* PIT */
	case 0x60:	      /* i8042 data */
	case 0x61:	      /* port B: PIT counter 2's gate and output */
	case 0x64:	      /* i8042 status and command */
	case 0x70 ... 0x71:   /* CMOS RTC */
	case 0xa0 ... 0xa1:   /* 8259 slave */
	case 0x3f8 ... 0x3ff: /* 16550 */
	case 0x4d0 ... 0x4d1: /* ELCR */
	case 0x600 ... 0x605: /* PM1a status, enable, control */
	case 0x608 ... 0x60b: /* PM timer */
	case 0xcf8 ... 0xcff: /* PCI address (dword), reset register 0xcf9, PCI data */
		return true;
	default:
		return false;
	}
}

static bool quiet(uint32_t port, uint32_t size)
{
	for (uint32_t i = 0; i < size; i++)
		if (port + i > 0xffff || device_port(port + i))
			return false;
	return true;
}

/* The byte written to port in step 2, or NO_WRITE. */
static int harmless(uint32_t port)
{
	switch (port) {
	case 0xf4:	      /* exit */
	case 0x64:	      /* i8042 commands: 0xfe resets */
	case 0xcf9:	      /* reset register */
	case 0x604 ... 0x605: /* PM1a control: SLP_EN with S5 powers off */
	case 0x40 ... 0x42:   /* PIT counters */
	case 0x3f8:	      /* 16550 THR */
		return NO_WRITE;
	case 0x20:
	case 0xa0:
		return 0x0a; /* OCW3: read IRR */
	case 0x21:
	case 0xa1:
		return 0xff; /* OCW1: all masked */
	case 0x43:
		return 0x00; /* counter 0 latch */
	case 0x60:
		return 0xee; /* to the (absent) keyboard: echo */
	case 0x70:
		return 0x0f; /* CMOS index 0x0f, NMI on */
	case 0x3fb:
		return 0x03; /* LCR: 8 bits, DLAB off */
	case 0x3ff:
		return 0x5a; /* scratch */
	case 0x61:
	case 0x71:
	case 0x3f9 ... 0x3fa: /* IER, FCR */
	case 0x3fc ... 0x3fe: /* MCR, LSR, MSR */
	case 0x4d0 ... 0x4d1:
	case 0x600 ... 0x603: /* status (write 1 to clear) and enable */
	case 0x608 ... 0x60b:
	case 0xcfc ... 0xcff:
		return 0x00;
	default:
		return 0xa5;
	}
}

/* Registers that step 2 wrote or left alone, and what they read as a byte after it. */
static const struct {
	uint16_t port;
	uint8_t value;
	const char *what;
} reads_back[] = {
	{ 0x21, 0xff, "8259 master mask" },
	{ 0xa1, 0xff, "8259 slave mask" },
	{ 0x4d0, 0x00, "ELCR 1" },
	{ 0x4d1, 0x00, "ELCR 2" },
	{ 0x3fb, 0x03, "16550 LCR" },
	{ 0x3ff, 0x5a, "16550 scratch" },
	{ 0x3f9, 0x00, "16550 IER" },
	{ 0x601, 0x80, "PM1a status high byte (WAK_STS, not cleared by 0)" },
	{ 0x602, 0x00, "PM1a enable" },
	{ 0x604, 0x01, "PM1a control (SCI_EN)" },
	{ 0xcf9, 0x00, "reset register" },
	{ 0x70, 0xff, "CMOS index (write-only)" },
};

static int read_all(void)
{
	uint32_t bad = 0, first = 0, first_size = 0, first_v = 0;

	for (uint32_t port = 0; port <= 0xffff; port++) {
		uint16_t p = (uint16_t)port;
		uint32_t b = inb(p), w = inw(p), d = inl(p);

		if (quiet(port, 1) && b != 0xff && !bad++)
			first = port, first_size = 1, first_v = b;
		if (quiet(port, 2) && w != 0xffff && !bad++)
			first = port, first_size = 2, first_v = w;
		if (quiet(port, 4) && d != 0xffffffffu && !bad++)
			first = port, first_size = 4, first_v = d;
	}
	if (bad)
		hsay("FAIL: %u reads without a device were not all ones, the first a %u-byte IN at "
		     "0x%x: 0x%x",
		     bad, first_size, first, first_v);
	return hcheck("every port read as byte, word and dword: no device, all ones", bad, 0);
}

static uint32_t write_all(void)
{
	uint32_t writes = 0;

	for (uint32_t port = 0; port <= 0xffff; port++) {
		int v = harmless(port);

		if (v != NO_WRITE) {
			outb((uint16_t)port, (uint8_t)v);
			writes++;
		}
	}
	outl(0xcf8, 0x80000000u); /* PCI bus 0, device 0, function 0, register 0 */
	return writes;
}

static int read_again(void)
{
	uint32_t bad = 0, first = 0;
	int failures = 0;

	for (uint32_t port = 0; port <= 0xffff; port++)
		if (inb((uint16_t)port) != 0xff && quiet(port, 1) && !bad++)
			first = port;
	if (bad)
		hsay("FAIL: after the writes, %u ports without a device read something, the first "
		     "0x%x",
		     bad, first);
	failures += hcheck("after the writes, every port without a device still reads all ones",
			   bad, 0);
	for (unsigned i = 0; i < sizeof(reads_back) / sizeof(reads_back[0]); i++) {
		char what[96];
		format(what, sizeof(what), "port 0x%x (%s) reads 0x%02x", reads_back[i].port,
		       reads_back[i].what, reads_back[i].value);
		failures += hcheck(what, inb(reads_back[i].port), reads_back[i].value);
	}
	failures += hcheck("PCI address register keeps 0x80000000", inl(0xcf8), 0x80000000u);
	failures += hcheck("PCI data register: no device, all ones", inl(0xcfc), 0xffffffffu);
	return failures;
}

int case_pc_ports(unsigned magic, unsigned info)
{
	uint64_t t0;
	uint32_t writes;
	int failures = 0;
	(void)magic, (void)info;

	cpu_setup();
	t0 = hv_time_ns();
	failures += read_all();
	writes = write_all();
	failures += read_again();
	hsay("swept 3 x 65536 reads, %u writes and 65536 reads again in %u ms", writes,
	     hms(hv_time_ns() - t0));
	return failures;
}
