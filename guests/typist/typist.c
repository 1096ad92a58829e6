/*
 * typist: the demo's partition to type into (iso/grub.cfg).  It shows a
 * prompt, waits for typed bytes without spinning (with interrupts off
 * and no timer, HLT blocks its vCPU until console input arrives), reads
 * them with CONSOLE_READ, echoes them as a terminal would, and says the
 * line back.  The prompt and the echo have no newline: the console shows
 * them while the typist waits, since it has the focus.  The line "quit"
 * makes it exit 0.  It gets typed bytes only while it has the input
 * focus: press Ctrl-] until cloison says "input focus: typist".
 */
#include "guests/lib/guest.h"

#define LINE_MAX 120

/* One line, without its '\n' (or the first LINE_MAX bytes of a longer one). */
static int read_line(char *line)
{
	int n = 0;

	for (;;) {
		char c;
		int got = console_read(&c, 1);

		if (got < 0)
			return got;
		if (got == 0) {
			__asm__ volatile("cli; hlt");
			continue;
		}
		if (c == '\r' || c == '\n') {
			console_write("\n", 1);
			return n;
		}
		if ((c == 0x7f || c == '\b') && n > 0) {
			n--; /* backspace: the console cannot take back what it shows */
		} else if (n < LINE_MAX && c >= 0x20 && c < 0x7f) {
			line[n++] = c;
			console_write(&c, 1);
		}
	}
}

int guest_main(unsigned magic, unsigned info)
{
	char line[LINE_MAX + 1];
	int n;
	(void)magic, (void)info;

	if (!hv_present()) {
		printf("typist: needs cloison's console; nothing to do natively\n");
		return 0;
	}
	printf("typist: press Ctrl-] until the focus is mine, then type (quit to stop)\n");
	for (;;) {
		console_write("typist> ", 8);
		if ((n = read_line(line)) < 0)
			break;
		line[n] = 0;
		if (str_same(line, "quit"))
			break;
		printf("typist: you typed \"%s\" (%d characters)\n", line, n);
	}
	printf("typist: bye\n");
	return 0;
}
