/*
 * Fuzzing harness for the Multiboot1 guest loader (kernel/loader.c):
 * mb1_load() and mb1_write_info().  The bytes are a guest image, in a
 * heap block of exactly their size.  Two bytes of the ELF identification
 * that the loader ignores (EI_PAD) steer the harness: byte 15 picks the
 * partition's RAM (0: 16 MiB, the default; n: 2 MiB << (n % 16), so
 * 2 MiB to 64 GiB); bytes 14 and 13, when not 0, make that write of
 * mb1_load() and of mb1_write_info() fail (counting from 1).
 *
 * The write callback stands for guest RAM.  It copies nothing but reads
 * every source byte (so AddressSanitizer checks the source) and records
 * the destination.
 *
 * Invariants, checked on every input:
 *  - Every write lies inside [0, mem); while loading, its source lies
 *    inside the image.
 *  - mb1_load() returns 0, -ENOEXEC, -ERANGE, or -EFAULT only after a
 *    failed write; on failure the reason is a non-empty sentence.
 *  - On success: start <= end <= mem, every write lies in [start, end),
 *    the class is the image's, and the entry point is below mem and
 *    4 GiB and inside bytes a segment loaded from the file.
 *  - mb1_write_info(), with a short and an over-long command line,
 *    returns 0 with a reason (always after a failed write), or a block
 *    address such that the block's page lies inside RAM and below 4 GiB,
 *    clear of the image, and every one of its writes lies in that page.
 */
/* fuzz-sources: kernel/loader.c tests/fuzz/console.c lib/format.c */
#include <string.h>

#include "kernel/loader.h"
#include "lib/lib.h"
#include "tests/fuzz/fuzz.h"

#define INFO_SIZE 0x1000u /* as kernel/loader.c: the block with its strings */
#define WHY_MAX 160	  /* as kernel/partition.c */

struct range {
	u64 gpa, len;
};

/* Guest RAM as the callback sees it. */
static struct {
	u64 mem;
	const u8 *img;
	u64 size;	  /* of img; 0 once the image is loaded */
	unsigned writes;  /* so far */
	unsigned fail_at; /* this write fails (from 1); 0: none */
	bool failed;
	struct range *log;
	unsigned nlog, cap;
} ram;

static volatile u8 sink;

static int write_guest(void *ctx, u64 gpa, const void *src, u64 len)
{
	const u8 *s = src;
	u8 x = 0;

	FUZZ_CHECK(ctx == &ram);
	FUZZ_CHECK(gpa <= ram.mem && len <= ram.mem - gpa);
	if (ram.size) /* loading: the bytes come from the image */
		FUZZ_CHECK(s >= ram.img && s <= ram.img + ram.size &&
			   len <= (u64)(ram.img + ram.size - s));
	for (u64 i = 0; i < len; i++)
		x ^= s[i];
	sink = x;
	if (++ram.writes == ram.fail_at) {
		ram.failed = true;
		return -EFAULT;
	}
	if (ram.nlog == ram.cap) {
		ram.cap = ram.cap ? 2 * ram.cap : 64;
		ram.log = realloc(ram.log, ram.cap * sizeof(*ram.log));
		FUZZ_CHECK(ram.log);
	}
	ram.log[ram.nlog++] = (struct range){ gpa, len };
	return 0;
}

static bool within(const struct range *r, u64 lo, u64 hi)
{
	return r->gpa >= lo && r->gpa <= hi && r->len <= hi - r->gpa;
}

static void check_info(const struct mb1_image *img, const char *cmdline)
{
	char why[WHY_MAX] = "";
	unsigned first = ram.nlog;
	u32 base;

	ram.writes = 0;
	ram.failed = false;
	base = mb1_write_info(img, ram.mem, cmdline, write_guest, &ram, why, sizeof(why));
	FUZZ_CHECK(!ram.failed || !base);
	if (!base) {
		FUZZ_CHECK(why[0] != '\0');
		return;
	}
	FUZZ_CHECK(base + (u64)INFO_SIZE <= ram.mem && base + (u64)INFO_SIZE <= GiB(4));
	FUZZ_CHECK(!ranges_overlap(base, INFO_SIZE, img->start, img->end - img->start));
	for (unsigned i = first; i < ram.nlog; i++)
		FUZZ_CHECK(within(&ram.log[i], base, base + INFO_SIZE));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char long_cmdline[2 * INFO_SIZE];
	struct mb1_image img;
	char why[WHY_MAX] = "";
	u8 *copy = malloc(size ? size : 1);
	bool entry_loaded = false;
	int err;

	FUZZ_CHECK(copy);
	memcpy(copy, data, size);
	ram.mem = size > 15 && data[15] ? MiB(2) << (data[15] % 16) : MiB(16);
	ram.fail_at = size > 14 ? data[14] : 0;
	ram.img = copy;
	ram.size = size ? size : 1;
	ram.writes = ram.nlog = 0;
	ram.failed = false;

	err = mb1_load(copy, size, ram.mem, write_guest, &ram, &img, why, sizeof(why));
	if (err) {
		FUZZ_CHECK(err == -ENOEXEC || err == -ERANGE || (err == -EFAULT && ram.failed));
		FUZZ_CHECK(why[0] != '\0');
		free(copy);
		return 0;
	}
	FUZZ_CHECK(!ram.failed);
	FUZZ_CHECK(img.start <= img.end && img.end <= ram.mem);
	FUZZ_CHECK(img.elf64 == (copy[4] == 2));
	FUZZ_CHECK(img.entry < ram.mem);
	for (unsigned i = 0; i < ram.nlog; i++) {
		const struct range *r = &ram.log[i];
		FUZZ_CHECK(within(r, img.start, img.end));
		entry_loaded |= img.entry >= r->gpa && img.entry - r->gpa < r->len;
	}
	FUZZ_CHECK(entry_loaded);

	ram.size = 0; /* from here on the sources are the loader's own */
	ram.fail_at = size > 13 ? data[13] : 0;
	check_info(&img, "name=fuzz mem=16M");
	if (!long_cmdline[0])
		memset(long_cmdline, 'x', sizeof(long_cmdline) - 1);
	check_info(&img, long_cmdline);
	free(copy);
	return 0;
}
