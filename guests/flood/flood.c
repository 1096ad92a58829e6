/*
 * flood: a partition that writes console output as fast as it can, to
 * test the console multiplexer's rate limit (docs/console.md: 8 KiB/s
 * per partition, 16 KiB burst, dropped lines counted and reported) and
 * that its neighbours do not suffer (tests/boot/mixed.scenario).
 *
 * It writes numbered lines of LINE_LEN characters, CHUNK_LINES of them
 * (906 bytes) to a CONSOLE_WRITE, until it has offered at least
 * FLOOD_BYTES and at least FLOOD_NS have passed.  The hypervisor copies
 * what passes the bucket into its output ring, which COM1's interrupt
 * empties, so a call costs no more than the copy: the bucket runs dry
 * after its 16 KiB burst on every lane, and only the time keeps the flood
 * going.  (When the hypervisor still wrote the console out polled, inside
 * the exit, one such call held the CPU about 80 ms at the Bochs lanes'
 * real 115200 baud.)
 *
 * Then it sleeps SETTLE_NS, so that its bucket holds a line again, and
 * prints one summary line (which the multiplexer precedes with its drop
 * report), "flood: offered B bytes in L lines over T ms", and exits 0.
 */
#include "guests/lib/guest.h"

#define MS 1000000ull
#define FLOOD_NS (2700 * MS) /* the heartbeat of mixed.scenario beats from 1 s to 2.5 s */
#define FLOOD_BYTES (160u * 1024u)
#define SETTLE_NS (100 * MS)
#define LINE_LEN 150 /* characters before the newline; a line costs LINE_LEN + 1 */
#define HEAD 13	     /* "flood NNNNNN " */
#define CHUNK_LINES 6

static char chunk[CHUNK_LINES * (LINE_LEN + 1)];

/* Line number n: "flood NNNNNN " and letters up to LINE_LEN, then '\n'. */
static void make_line(char *buf, uint32_t n)
{
	for (int i = 0; i < 6; i++)
		buf[i] = "flood "[i];
	for (int i = 11; i >= 6; i--, n /= 10)
		buf[i] = (char)('0' + n % 10);
	buf[12] = ' ';
	for (int i = HEAD; i < LINE_LEN; i++)
		buf[i] = (char)('a' + (i - HEAD) % 26);
	buf[LINE_LEN] = '\n';
}

/* ns in whole ms, without the 64-bit division helper a 32-bit guest lacks. */
static uint32_t to_ms(uint64_t ns)
{
	uint32_t ms = 0;

	for (; ns >= MS; ns -= MS)
		ms++;
	return ms;
}

int guest_main(unsigned magic, unsigned info)
{
	uint32_t lines = 0, offered = 0;
	uint64_t t0, t;
	(void)magic, (void)info;

	if (!hv_present()) {
		printf("flood: needs cloison's rate limit; nothing to do natively\n");
		return 0;
	}
	timer_init();
	t0 = hv_time_ns();
	do {
		for (int i = 0; i < CHUNK_LINES; i++)
			make_line(chunk + i * (LINE_LEN + 1), lines++);
		console_write(chunk, sizeof(chunk));
		offered += sizeof(chunk);
		t = hv_time_ns() - t0;
	} while (offered < FLOOD_BYTES || t < FLOOD_NS);
	sleep_ns(SETTLE_NS);
	printf("flood: offered %u bytes in %u lines over %u ms\n", offered, lines,
	       (unsigned)to_ms(t));
	return 0;
}
