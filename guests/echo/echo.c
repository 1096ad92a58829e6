/*
 * echo: a test guest for console input (tests/boot/input.scenario).
 * It reads one line of typed bytes through the CONSOLE_READ hypercall,
 * then one through its emulated 16550 (LSR data-ready bit, RBR), and
 * prints each line's bytes in hex, '\n' included:
 *
 *     echo: got 1b 5b 41 0a via hypercall
 *
 * It waits without spinning: with interrupts disabled and no timer, HLT
 * blocks its vCPU until console input arrives (docs/hypercalls.md), so
 * each HLT should return with input waiting; the last line counts the
 * ones that did not.  It exits with code 0 after the UART line.  Under
 * bare QEMU both phases read COM1, and it polls instead of halting.
 */
#include "guests/lib/guest.h"
#include "lib/format.h"

#define UART_RBR 0x3f8
#define UART_LSR 0x3fd
#define LSR_DATA_READY 0x01
#define LINE_MAX 40 /* "echo: got " and 3 characters a byte fit a 160-character line */

static unsigned empty_wakeups;

/* Wait until console input may have arrived. */
static void wait_for_input(void)
{
	if (hv_present())
		__asm__ volatile("cli; hlt");
	else
		__asm__ volatile("pause");
}

/* Print the n bytes of line in hex, and how they came. */
static void report(const unsigned char *line, int n, const char *how)
{
	char text[3 * LINE_MAX + 1];
	int len = 0;

	for (int i = 0; i < n; i++)
		len += format(text + len, sizeof(text) - (size_t)len, " %02x", line[i]);
	printf("echo: got%s via %s\n", text, how);
}

/* Read with CONSOLE_READ until a read ends with '\n' or the line is full. */
static int read_hypercall(unsigned char *line)
{
	bool woke = false;
	int n = 0;

	while (n < LINE_MAX && (n == 0 || line[n - 1] != '\n')) {
		int got = console_read((char *)line + n, (size_t)(LINE_MAX - n));
		if (got < 0) {
			printf("echo: CONSOLE_READ failed: %d\n", got);
			return n;
		}
		if (got == 0) {
			if (woke && hv_present())
				empty_wakeups++; /* HLT returned, yet nothing to read */
			wait_for_input();
			woke = true;
			continue;
		}
		woke = false;
		n += got;
	}
	return n;
}

/* Read from the emulated UART until '\n' or the line is full. */
static int read_uart(unsigned char *line)
{
	int n = 0;

	while (n < LINE_MAX && (n == 0 || line[n - 1] != '\n')) {
		while (!(inb(UART_LSR) & LSR_DATA_READY)) {
			wait_for_input();
			if (hv_present() && !(inb(UART_LSR) & LSR_DATA_READY))
				empty_wakeups++;
		}
		line[n++] = inb(UART_RBR);
	}
	return n;
}

int guest_main(unsigned magic, unsigned info)
{
	unsigned char line[LINE_MAX];
	int n;
	(void)magic, (void)info;

	printf("echo: reading via hypercall\n");
	n = read_hypercall(line);
	report(line, n, "hypercall");
	printf("echo: reading via uart\n");
	n = read_uart(line);
	report(line, n, "uart");
	printf("echo: %u wake-ups without input\n", empty_wakeups);
	return 0;
}
