/*
 * scrub: checks that nothing a partition wrote survives into its next
 * life (tests/boot/scrub.scenario).  It runs under on_crash=restart and
 * keeps no state between lives, so every life does the same thing:
 *
 *   1. scan its RAM outside the image and the Multiboot information
 *      block (low memory from 0x2000, and everything above the image)
 *      for any non-zero byte: "scrub: clean", or "scrub: FAIL found N
 *      bytes (S of the secret)" and exit 1;
 *   2. write a recognisable secret over all that RAM;
 *   3. read outside its RAM, which crashes it.
 *
 * If the hypervisor restarts it without scrubbing, the next life finds
 * the secret and exits with a FAIL line instead of crashing again.
 */
#include "guests/lib/guest.h"

#define MB1_BOOT_MAGIC 0x2badb002u
#define MB1_INFO_MEMORY (1u << 0)
#define MB1_INFO_MEM_UPPER 8 /* byte offset (Multiboot 0.6.96 §3.3): KiB above 1 MiB */

#define LOW_START 0x2000u /* past page 0 and the information block at 0x1000 */
#define LOW_END 0x9f000u  /* below the EBDA the memory map keeps out */
#define SECRET 0x5ec7e75eu
#define LAST_PAGE 0xfffff000u	/* paging off: only the low 4 GiB are in reach */
#define OUTSIDE_RAM 0x40000000u /* 1 GiB: beyond any mem= this scenario uses */

extern char _image_end[]; /* guests/lib/guest32.ld */

struct range {
	uint32_t start, end;
};

/* Non-zero bytes in [start, end), and how many words hold the secret. */
static void scan(struct range r, uint32_t *nonzero, uint32_t *secret)
{
	for (const volatile uint32_t *w = (const uint32_t *)(uintptr_t)r.start;
	     (uintptr_t)w < r.end; w++) {
		uint32_t v = *w;
		if (!v)
			continue;
		*secret += v == SECRET;
		for (int b = 0; b < 4; b++)
			*nonzero += ((v >> (8 * b)) & 0xff) != 0;
	}
}

static void fill(struct range r)
{
	for (volatile uint32_t *w = (uint32_t *)(uintptr_t)r.start; (uintptr_t)w < r.end; w++)
		*w = SECRET;
}

int guest_main(unsigned magic, unsigned info)
{
	const volatile uint32_t *mbi = (const volatile uint32_t *)(uintptr_t)info;
	uint32_t nonzero = 0, secret = 0;
	uint64_t top;
	struct range ranges[2];

	if (magic != MB1_BOOT_MAGIC || !(mbi[0] & MB1_INFO_MEMORY)) {
		printf("scrub: FAIL no memory size from the loader\n");
		return 2;
	}
	ranges[0] = (struct range){ LOW_START, LOW_END };
	top = 0x100000u + (uint64_t)mbi[MB1_INFO_MEM_UPPER / 4] * 1024u;
	ranges[1] = (struct range){ ((uint32_t)(uintptr_t)_image_end + 4095) & ~4095u,
				    (uint32_t)(top < LAST_PAGE ? top : LAST_PAGE) };
	for (int i = 0; i < 2; i++)
		scan(ranges[i], &nonzero, &secret);
	if (nonzero) {
		printf("scrub: FAIL found %u bytes (%u of the secret)\n", nonzero, secret);
		return 1;
	}
	printf("scrub: clean\n");
	for (int i = 0; i < 2; i++)
		fill(ranges[i]);
	printf("scrub: secret written; crashing\n");
	(void)*(volatile uint32_t *)OUTSIDE_RAM;
	printf("scrub: FAIL the read outside RAM returned\n");
	return 1;
}
