/*
 * Fuzzing harness for the Multiboot2 information parser (kernel/mb2.c).
 * The bytes are an information block as GRUB would leave it in memory:
 * total_size, reserved, then tags.  The parser trusts total_size (the
 * hypervisor has no other bound), so the harness makes it honest: a
 * total_size larger than the bytes becomes their number, and the block
 * is copied into a heap block of exactly total_size bytes, where
 * AddressSanitizer sees any read past it.  The reserved field, which the
 * parser ignores, is taken as the block's physical address (GRUB aligns
 * it to 8 bytes; the parser checks).  The magic is always right.
 *
 * Invariants, checked on every input:
 *  - mb2_parse() fails exactly when total_size is impossible or the
 *    address is not aligned to 8 bytes.
 *  - Every string it returns (command line, loader name, module strings)
 *    is the parser's default or lies inside the block with its NUL.
 *  - The RSDP copy lies inside the block and is long enough for its
 *    revision (20 or 36 bytes).
 *  - At most BOOT_MAX_MODULES modules and BOOT_MAX_MMAP memory regions.
 *    Every region is non-empty, ends at or below 2^64, and is an entry
 *    of the block's memory map tag, in order (its length clipped only at
 *    2^64), or one of the two regions made from basic meminfo.
 *  - mb2_usable_bytes() is at least each usable region's length.
 *  - After mb2_check_modules(), the modules kept are non-empty, in their
 *    order, and overlap neither the image, nor the block, nor each other.
 */
/* fuzz-sources: kernel/mb2.c tests/fuzz/console.c lib/format.c */
#include <string.h>

#include "kernel/mb2.h"
#include "lib/lib.h"
#include "tests/fuzz/fuzz.h"

#define MB2_INFO_MAX (16u << 20) /* as kernel/mb2.c: a larger block is refused */
#define IMAGE_START 0x100000ull	 /* the hypervisor image, for mb2_check_modules() */
#define IMAGE_END 0x300000ull

static struct boot_info bi;

/* Is [p, p+n) inside [lo, hi)? */
static bool inside(const void *p, size_t n, const u8 *lo, const u8 *hi)
{
	const u8 *b = p;
	return b >= lo && b <= hi && n <= (size_t)(hi - b);
}

/* A string the parser returned: inside the block with its NUL, or the default. */
static void check_string(const char *s, const u8 *lo, const u8 *hi, const char *dflt)
{
	FUZZ_CHECK(s);
	if (inside(s, 0, lo, hi) && s != (const char *)hi)
		FUZZ_CHECK(strnlen(s, (size_t)(hi - (const u8 *)s)) < (size_t)(hi - (const u8 *)s));
	else
		FUZZ_CHECK(dflt && !strcmp(s, dflt));
}

/* Each region is a memory map entry of the block, found in order. */
static void check_mmap(const u8 *blk, u32 total)
{
	size_t off = 8;

	for (u32 i = 0; i < bi.nmmap; i++) {
		const struct mem_region *r = &bi.mmap[i];
		bool found = false;

		for (; !found && off + sizeof(struct mb2_mmap_entry) <= total; off += 8) {
			struct mb2_mmap_entry e;
			memcpy(&e, blk + off, sizeof(e));
			found = e.base == r->base && e.type == r->type &&
				(e.len == r->len || (r->len == 0 - r->base && e.len > r->len));
		}
		FUZZ_CHECK(found);
	}
}

static void check_regions(const u8 *blk, u32 total)
{
	u64 usable = mb2_usable_bytes(&bi);

	FUZZ_CHECK(bi.nmmap <= BOOT_MAX_MMAP);
	for (u32 i = 0; i < bi.nmmap; i++) {
		const struct mem_region *r = &bi.mmap[i];
		FUZZ_CHECK(r->len > 0 && r->len - 1 <= UINT64_MAX - r->base);
		FUZZ_CHECK(r->type != MEM_USABLE || usable >= r->len);
	}
	if (bi.mmap_from_tag) {
		check_mmap(blk, total);
	} else {
		FUZZ_CHECK(bi.nmmap <= 2);
		FUZZ_CHECK(bi.nmmap == 0 || bi.have_basic_meminfo);
		for (u32 i = 0; i < bi.nmmap; i++)
			FUZZ_CHECK((bi.mmap[i].base == 0 || bi.mmap[i].base == MiB(1)) &&
				   bi.mmap[i].type == MEM_USABLE);
	}
}

static void check_modules(const u8 *lo, const u8 *hi)
{
	struct boot_module before[BOOT_MAX_MODULES];
	u32 n = bi.nmodules, j = 0;

	FUZZ_CHECK(n <= BOOT_MAX_MODULES);
	for (u32 i = 0; i < n; i++)
		check_string(bi.modules[i].cmdline, lo, hi, NULL);
	memcpy(before, bi.modules, sizeof(before));
	mb2_check_modules(&bi, IMAGE_START, IMAGE_END);
	FUZZ_CHECK(bi.nmodules <= n);
	for (u32 i = 0; i < bi.nmodules; i++) {
		const struct boot_module *m = &bi.modules[i];
		u64 len = m->end - m->start;

		/* kept in order: a later module of the list before the check */
		while (j < n && memcmp(&before[j], m, sizeof(*m)))
			j++;
		FUZZ_CHECK(j++ < n);
		FUZZ_CHECK(m->end > m->start);
		FUZZ_CHECK(!ranges_overlap(m->start, len, IMAGE_START, IMAGE_END - IMAGE_START));
		FUZZ_CHECK(!ranges_overlap(m->start, len, bi.mbi_phys, bi.mbi_size));
		for (u32 k = 0; k < i; k++)
			FUZZ_CHECK(!ranges_overlap(m->start, len, bi.modules[k].start,
						   bi.modules[k].end - bi.modules[k].start));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mb2_info_header h;
	size_t len;
	u64 phys;
	u8 *blk;
	int err;

	if (size < sizeof(h))
		return 0; /* the loader always hands over at least the header */
	memcpy(&h, data, sizeof(h));
	if (h.total_size > MB2_INFO_MAX)
		len = size; /* refused before anything past the header is read */
	else if (h.total_size <= size)
		len = MAX(h.total_size, sizeof(h));
	else
		h.total_size = (u32)(len = size);
	blk = malloc(len);
	FUZZ_CHECK(blk);
	memcpy(blk, data, len);
	memcpy(blk, &h, sizeof(h));
	phys = h.reserved;

	err = mb2_parse(MB2_BOOT_MAGIC, blk, phys, &bi);
	if ((phys & 7) || h.total_size < sizeof(h) + sizeof(struct mb2_tag) ||
	    h.total_size > MB2_INFO_MAX) {
		FUZZ_CHECK(err == -EINVAL);
	} else {
		const u8 *end = blk + h.total_size;

		FUZZ_CHECK(err == 0);
		FUZZ_CHECK(bi.mbi_phys == phys && bi.mbi_size == h.total_size);
		check_string(bi.cmdline, blk, end, "");
		check_string(bi.loader, blk, end, "unknown");
		if (bi.rsdp) {
			FUZZ_CHECK(inside(bi.rsdp, bi.rsdp_len, blk, end));
			FUZZ_CHECK(bi.rsdp_tag == MB2_TAG_ACPI_OLD ||
				   bi.rsdp_tag == MB2_TAG_ACPI_NEW);
			FUZZ_CHECK(bi.rsdp_len >= (bi.rsdp_tag == MB2_TAG_ACPI_OLD ? 20u : 36u));
		}
		check_regions(blk, h.total_size);
		check_modules(blk, end);
	}
	free(blk);
	return 0;
}
