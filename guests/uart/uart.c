/*
 * uart: an unmodified guest.  It knows nothing of cloison: it programs
 * and writes the 16550 at 0x3f8 and leaves through port 0xf4, exactly as
 * it would under QEMU with isa-debug-exit.
 */
#include <stdint.h>

int guest_main(unsigned magic, unsigned info);

static void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port));
}
static uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static void putc_uart(char c)
{
	while (!(inb(0x3f8 + 5) & 0x20))
		;
	outb(0x3f8, (uint8_t)c);
}

int guest_main(unsigned magic, unsigned info)
{
	const char *msg = "hello over the 16550 at 0x3f8\n";
	(void)magic, (void)info;
	outb(0x3f8 + 3, 0x80); /* DLAB: 115200 baud */
	outb(0x3f8 + 0, 1);
	outb(0x3f8 + 1, 0);
	outb(0x3f8 + 3, 0x03); /* 8N1 */
	for (; *msg; msg++)
		putc_uart(*msg);
	outb(0xf4, 0);
	for (;;)
		__asm__ volatile("cli; hlt");
}
