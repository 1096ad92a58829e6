/*
 * Case "console": output meant to take over the terminal or to pass for
 * the hypervisor, sent both through CONSOLE_WRITE and through the
 * emulated 16550 at 0x3f8: control characters and ANSI escapes (clear
 * the screen, retitle the window), 8-bit C1 controls (0x9b is a one-byte
 * CSI, 0x9d an OSC), the C1 code points in UTF-8 (c2 9b), every byte
 * value in a row, a UTF-8 sequence split between two writes and one cut
 * by the end of its line, French text that must arrive intact, lines
 * that pretend to be the hypervisor's ("\rcloison: ...", "\ncloison:
 * ...") and a 300-character line whose text at column 80 and beyond
 * starts with "cloison: forged", where an 80-column terminal would
 * start its second row.  Then a short flood on each path, the one of
 * the UART while the variant "flood" of this case, in another
 * partition, keeps the console busy.  The guest
 * sees nothing of the filtering: it checks only that every byte was
 * taken.  tests/boot/console.scenario reads the result on the raw
 * serial log (docs/console.md, "What a partition may send", "Rows").
 */
#include "guests/hostile/hostile.h"

#define COM1 0x3f8
#define COM1_LCR (COM1 + 3)
#define COM1_LSR (COM1 + 5)
#define LSR_THR_EMPTY 0x20

#define MS 1000000ull
#define LONG_LINE 300
#define UART_FLOOD_LINES 40
#define HC_FLOOD_LINES 600
#define UART_FLOOD_AT_NS (1500 * MS) /* after the case started */
#define FLOOD_FROM_NS (1000 * MS)    /* the flood helper, after it started */
#define FLOOD_UNTIL_NS (2000 * MS)

static unsigned long hc_busy, lsr_busy;

static size_t len(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

/* CONSOLE_WRITE until all is taken, yielding while the console is busy; the bytes taken. */
static long hc_write(const char *s, size_t n)
{
	long taken = 0;

	while (n) {
		long w = hv_call(HC_CONSOLE_WRITE, (unsigned long)(uintptr_t)s, n, 0, 0);
		if (w < 0)
			return w;
		if (w == 0) {
			hc_busy++;
			hv_call(HC_YIELD, 0, 0, 0, 0);
		}
		s += w, n -= (size_t)w, taken += w;
	}
	return taken;
}

/* The UART, as a polling driver writes it: wait for THRE before each byte (with poll). */
static void uart_write(const char *s, size_t n, bool poll)
{
	for (size_t i = 0; i < n; i++) {
		while (poll && !(inb(COM1_LSR) & LSR_THR_EMPTY))
			lsr_busy++;
		outb(COM1, (uint8_t)s[i]);
	}
}

/* One channel: the label its lines start with, and how it writes. */
struct channel {
	const char *label;
	bool uart;
	long taken, offered; /* CONSOLE_WRITE's count, and what it was given */
};

static void put(struct channel *ch, const char *s, size_t n)
{
	if (ch->uart) {
		uart_write(s, n, true);
		return;
	}
	ch->offered += (long)n;
	ch->taken += hc_write(s, n);
}

static void puts_(struct channel *ch, const char *s)
{
	put(ch, s, len(s));
}

/* "<label> <s>" */
static void say(struct channel *ch, const char *s)
{
	puts_(ch, ch->label);
	puts_(ch, " ");
	puts_(ch, s);
}

static void place(char *buf, size_t at, const char *s)
{
	for (size_t i = 0; s[i]; i++)
		buf[at + i] = s[i];
}

/*
 * 300 characters.  With the tag "[console] " (10 columns), text column
 * 70 is terminal column 80, and the multiplexer's rows at 80 columns
 * start at 0, 70 and 140 of the first 160-byte line, and at 160 and 230
 * (0 and 70 of the second): each of those starts with a marker.
 */
static char *long_line(const char *label)
{
	static char buf[LONG_LINE + 1];

	for (size_t i = 0; i < LONG_LINE; i++)
		buf[i] = '.';
	place(buf, 0, label);
	place(buf, len(label), " long 1 ");
	place(buf, 70, "cloison: forged 2 ");
	place(buf, 140, "cloison: forged 3 ");
	place(buf, 160, "cloison: forged 4 ");
	place(buf, 230, "cloison: forged 5 ");
	buf[LONG_LINE] = '\n';
	return buf;
}

static void hostile_lines(struct channel *ch)
{
	static char bytes[256];

	/* Clear the screen, set the window title, ring the bell, back up over the tag. */
	say(ch, "ansi: \x1b[2J\x1b]0;pwned\x07\b\b end\n");
	/* Control sequences as a Linux shell sends them: colours, hide the cursor, where is it? */
	say(ch, "csi: \x1b[1;31mred\x1b[0m \x1b[?25l\x1b[6n end\n");
	/* The same as 8-bit C1 controls: CSI 2 J, OSC 0 ; pwned ST. */
	say(ch, "c1: \x9b\x32J \x9d\x30;pwned\x9c end\n");
	/* ... and as the C1 code points in UTF-8. */
	say(ch, "c1utf8: \xc2\x9b\x32J \xc2\x9d end\n");
	say(ch, "french: déjà vu, garçon, élève\n");
	/* Lines that pretend to be the hypervisor's. */
	puts_(ch, "\rcloison: partition x crashed: fake\n");
	puts_(ch, "\ncloison: partition x crashed: fake\n");
	puts_(ch, long_line(ch->label));
	/* A sequence split between two writes, and one cut by the end of its line. */
	say(ch, "split: caf\xc3");
	puts_(ch, "\xa9 ok\n");
	say(ch, "cut: ab\xc3\n");
	/* Every byte value, in order. */
	for (unsigned b = 0; b < 256; b++)
		bytes[b] = (char)b;
	say(ch, "bytes: ");
	put(ch, bytes, sizeof(bytes));
	puts_(ch, "\n");
}

/* "uart flood NN " and letters: 70 characters, one row of an 80-column console. */
static void uart_flood(void)
{
	static char line[71];

	place(line, 0, "uart flood NN ");
	for (int i = 14; i < 70; i++)
		line[i] = (char)('a' + (i - 14) % 26);
	line[70] = '\n';
	for (unsigned n = 0; n < UART_FLOOD_LINES; n++) {
		line[11] = (char)('0' + n / 10);
		line[12] = (char)('0' + n % 10);
		/* Polled before the line only: a byte the console cannot take is executed again. */
		while (!(inb(COM1_LSR) & LSR_THR_EMPTY))
			lsr_busy++;
		uart_write(line, sizeof(line), false);
	}
}

/*
 * 70-byte lines (one row each), far more than the rate limit lets
 * through at once: most of them are dropped, and that is reported.
 */
static void hc_flood(struct channel *ch)
{
	static char line[71];

	place(line, 0, "hc flood NNN ");
	for (int i = 13; i < 70; i++)
		line[i] = (char)('a' + (i - 13) % 26);
	line[70] = '\n';
	for (unsigned n = 0; n < HC_FLOOD_LINES; n++) {
		line[9] = (char)('0' + n / 100);
		line[10] = (char)('0' + n / 10 % 10);
		line[11] = (char)('0' + n % 10);
		put(ch, line, sizeof(line));
	}
}

/*
 * Variant "flood" (the partition console_flood, on another CPU): from
 * FLOOD_FROM_NS to FLOOD_UNTIL_NS, write as fast as CONSOLE_WRITE takes,
 * which keeps the console's output ring full where the serial line has
 * its real speed (Bochs), while the case's own UART flood runs.
 */
static int flood_helper(void)
{
	static char chunk[8 * 100];
	uint64_t t0 = hv_time_ns();

	for (unsigned i = 0; i < sizeof(chunk); i++)
		chunk[i] = i % 100 == 99 ? '\n' : (char)('a' + i % 100 % 26);
	timer_init();
	sleep_ns(FLOOD_FROM_NS);
	while (hv_time_ns() - t0 < FLOOD_UNTIL_NS)
		console_write(chunk, sizeof(chunk));
	return 0;
}

int case_console(unsigned magic, unsigned info)
{
	struct channel hc = { .label = "hc" }, uart = { .label = "uart", .uart = true };
	int failures = 0;
	uint64_t t0 = hv_time_ns(), t;
	(void)magic, (void)info;

	if (hostile_variant[0])
		return flood_helper();
	timer_init();
	outb(COM1_LCR, 0x80); /* DLAB: divisor 1, 115200 baud, as a driver would */
	outb(COM1, 1);
	outb(COM1 + 1, 0);
	outb(COM1_LCR, 0x03); /* 8N1 */
	hostile_lines(&hc);
	hostile_lines(&uart);
	hc_flood(&hc);
	/*
	 * Let the rate limit's bucket fill again (8 KiB/s), so that the UART
	 * flood's lines are all shown, and start it while the flood helper
	 * keeps the console's output ring full: the UART then reads busy,
	 * and its bytes written anyway are refused and written again.
	 */
	t = hv_time_ns() - t0;
	if (t < UART_FLOOD_AT_NS)
		sleep_ns(UART_FLOOD_AT_NS - t);
	uart_flood();
	failures += hcheck("CONSOLE_WRITE took every byte", hc.taken, hc.offered);
	hsay("busy: %lu LSR reads, %lu CONSOLE_WRITEs", lsr_busy, hc_busy);
	return failures;
}
