/*
 * Unit tests of kernel/mb2.c, the Multiboot2 boot information parser.
 * Each test builds an information block in memory the way GRUB lays it
 * out (8-byte header, 8-byte-aligned tags, end tag): command line, loader
 * name, modules with strings, memory map, basic meminfo, old and new
 * ACPI RSDP copies, framebuffer.  Then a good block must be read fully,
 * and every kind of damage (bad magic, impossible sizes, tags running
 * past the end or too short, no end tag, unterminated strings, too many
 * modules, bad memory maps, truncated RSDP tags) must give its one
 * console line and keep what came before it.  mb2_check_modules must
 * refuse modules that are empty or overlap the image, the boot
 * information or each other, with one line naming each, and keep the
 * rest in order.
 *
 * The finished block is copied into a heap block of exactly total_size
 * bytes, so the sanitizer catches the parser reading past it.
 */
/* unit-sources: kernel/mb2.c */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/unit.h"

#include "kernel/mb2.h"

#define MBI_PHYS 0x10000ull /* where the tests pretend the block lies */

/* ---- building information blocks --------------------------------------- */

struct builder {
	u8 buf[8192] __attribute__((aligned(8)));
	u32 len;
};

static struct builder mb;
static void *mbi; /* the finished block on the heap */
static struct boot_info bi;

static void begin(void)
{
	memset(&mb, 0, sizeof(mb));
	mb.len = sizeof(struct mb2_info_header);
}

/* Append a tag of size bytes (padded to 8); returns it for filling in. */
static void *tag(u32 type, u32 size)
{
	struct mb2_tag *t = (void *)(mb.buf + mb.len);

	assert_true(mb.len + ALIGN_UP(size, 8) <= sizeof(mb.buf));
	t->type = type;
	t->size = size;
	mb.len += (u32)ALIGN_UP(size, 8);
	return t;
}

static void string_tag(u32 type, const char *s)
{
	char *t = tag(type, (u32)(sizeof(struct mb2_tag) + strlen(s) + 1));
	strcpy(t + sizeof(struct mb2_tag), s);
}

static void module_tag(u32 start, u32 end, const char *s)
{
	struct mb2_tag_module *m = tag(MB2_TAG_MODULE, (u32)(sizeof(*m) + strlen(s) + 1));
	m->mod_start = start;
	m->mod_end = end;
	strcpy(m->string, s);
}

static void mmap_tag(const struct mb2_mmap_entry *e, u32 n, u32 entry_size)
{
	struct mb2_tag_mmap *mm = tag(MB2_TAG_MMAP, (u32)sizeof(*mm) + n * entry_size);
	mm->entry_size = entry_size;
	mm->entry_version = 0;
	for (u32 i = 0; i < n; i++)
		memcpy((u8 *)(mm + 1) + i * entry_size, &e[i], sizeof(e[i]));
}

static void meminfo_tag(u32 lower, u32 upper)
{
	struct mb2_tag_basic_meminfo *m = tag(MB2_TAG_BASIC_MEMINFO, sizeof(*m));
	m->mem_lower = lower;
	m->mem_upper = upper;
}

/* An RSDP copy of len bytes whose first byte is fill (to tell copies apart). */
static void acpi_tag(u32 type, u32 len, u8 fill)
{
	u8 *t = tag(type, (u32)sizeof(struct mb2_tag) + len);
	memset(t + sizeof(struct mb2_tag), fill, len);
	memcpy(t + sizeof(struct mb2_tag) + 1, "RSD PTR ", 8);
}

static void end_tag(void)
{
	tag(MB2_TAG_END, sizeof(struct mb2_tag));
}

/* Copy the block to the heap with total_size (default: its length). */
static void *finish_size(u32 total_size)
{
	struct mb2_info_header *h = (void *)mb.buf;
	u32 alloc = MAX(MIN(mb.len, total_size), sizeof(*h)); /* the header is always there */

	h->total_size = total_size;
	free(mbi);
	mbi = malloc(alloc);
	assert_non_null(mbi);
	memcpy(mbi, mb.buf, alloc);
	return mbi;
}

static void *finish(void)
{
	return finish_size(mb.len);
}

static int parse(void)
{
	console_capture_reset();
	memset(&bi, 0xa5, sizeof(bi)); /* the parser must clear everything */
	return mb2_parse(MB2_BOOT_MAGIC, mbi, MBI_PHYS, &bi);
}

static int teardown(void **state)
{
	(void)state;
	free(mbi);
	mbi = NULL;
	return 0;
}

static const struct mb2_mmap_entry qemu_map[] = {
	{ 0, 0x9fc00, MEM_USABLE, 0 },		 { 0x9fc00, 0x400, MEM_RESERVED, 0 },
	{ 0xf0000, 0x10000, MEM_RESERVED, 0 },	 { 0x100000, 0xfee0000, MEM_USABLE, 0 },
	{ 0xffe0000, 0x20000, MEM_RESERVED, 0 }, { 0xfffc0000, 0x40000, MEM_RESERVED, 0 },
};

/* A block as GRUB builds it on QEMU, with every tag cloison reads. */
static void build_good(bool with_end)
{
	begin();
	string_tag(MB2_TAG_CMDLINE, "/boot/cloison.elf exit_when_done");
	string_tag(MB2_TAG_LOADER, "GRUB 2.06");
	module_tag(0x200000, 0x201234, "/guests/hello.elf name=hello mem=16M");
	module_tag(0x202000, 0x203000, "/guests/two.elf");
	meminfo_tag(639, 261120);
	tag(21, 12); /* a tag type cloison does not use (load base address) */
	mmap_tag(qemu_map, ARRAY_SIZE(qemu_map), sizeof(struct mb2_mmap_entry));
	struct mb2_tag_framebuffer *fb = tag(MB2_TAG_FRAMEBUFFER, 38); /* + palette/masks */
	fb->addr = 0xfd000000;
	fb->pitch = 4096;
	fb->width = 1024;
	fb->height = 768;
	fb->bpp = 32;
	fb->type = 1;
	acpi_tag(MB2_TAG_ACPI_OLD, 20, 0x11);
	if (with_end)
		end_tag();
}

/* ---- the parser on good blocks ----------------------------------------- */

static void test_good_block(void **state)
{
	(void)state;
	build_good(true);
	finish();
	assert_int_equal(parse(), 0);
	assert_console_quiet();

	assert_int_equal(bi.mbi_phys, MBI_PHYS);
	assert_int_equal(bi.mbi_size, mb.len);
	assert_string_equal(bi.cmdline, "/boot/cloison.elf exit_when_done");
	assert_string_equal(bi.loader, "GRUB 2.06");

	assert_int_equal(bi.nmodules, 2);
	assert_int_equal(bi.modules[0].start, 0x200000);
	assert_int_equal(bi.modules[0].end, 0x201234);
	assert_string_equal(bi.modules[0].cmdline, "/guests/hello.elf name=hello mem=16M");
	assert_int_equal(bi.modules[1].start, 0x202000);
	assert_int_equal(bi.modules[1].end, 0x203000);
	assert_string_equal(bi.modules[1].cmdline, "/guests/two.elf");
	/* Strings point into the block itself (it stays mapped). */
	assert_true((const u8 *)bi.cmdline > (const u8 *)mbi &&
		    (const u8 *)bi.cmdline < (const u8 *)mbi + mb.len);

	assert_true(bi.have_basic_meminfo);
	assert_int_equal(bi.mem_lower_kib, 639);
	assert_int_equal(bi.mem_upper_kib, 261120);

	assert_true(bi.mmap_from_tag);
	assert_int_equal(bi.nmmap, ARRAY_SIZE(qemu_map));
	for (u32 i = 0; i < ARRAY_SIZE(qemu_map); i++) {
		assert_int_equal(bi.mmap[i].base, qemu_map[i].base);
		assert_int_equal(bi.mmap[i].len, qemu_map[i].len);
		assert_int_equal(bi.mmap[i].type, qemu_map[i].type);
	}
	assert_int_equal(mb2_usable_bytes(&bi), 0x9fc00 + 0xfee0000);

	assert_true(bi.fb.present);
	assert_int_equal(bi.fb.addr, 0xfd000000);
	assert_int_equal(bi.fb.pitch, 4096);
	assert_int_equal(bi.fb.width, 1024);
	assert_int_equal(bi.fb.height, 768);
	assert_int_equal(bi.fb.bpp, 32);
	assert_int_equal(bi.fb.type, 1);

	assert_non_null(bi.rsdp);
	assert_int_equal(bi.rsdp_tag, MB2_TAG_ACPI_OLD);
	assert_int_equal(bi.rsdp_len, 20);
	assert_int_equal(((const u8 *)bi.rsdp)[0], 0x11);
	assert_memory_equal((const u8 *)bi.rsdp + 1, "RSD PTR ", 8);
}

static void test_minimal_block(void **state)
{
	(void)state;
	begin();
	mmap_tag(qemu_map, 1, sizeof(struct mb2_mmap_entry));
	end_tag();
	finish();
	assert_int_equal(parse(), 0);
	assert_console_quiet();
	/* Defaults: never NULL, nothing else present. */
	assert_string_equal(bi.cmdline, "");
	assert_string_equal(bi.loader, "unknown");
	assert_int_equal(bi.nmodules, 0);
	assert_null(bi.rsdp);
	assert_false(bi.fb.present);
	assert_false(bi.have_basic_meminfo);
	assert_int_equal(bi.nmmap, 1);
}

/* ---- the header -------------------------------------------------------- */

static void test_bad_magic(void **state)
{
	(void)state;
	build_good(true);
	finish();
	console_capture_reset();
	assert_int_equal(mb2_parse(0x2badb002, mbi, MBI_PHYS, &bi), -EINVAL);
	assert_console(1, "not started by a Multiboot2 loader (magic 0x2badb002, want 0x36d76289)");
	/* Even then the strings are safe to print. */
	assert_string_equal(bi.cmdline, "");
	assert_string_equal(bi.loader, "unknown");
	assert_int_equal(bi.nmmap, 0);
	assert_int_equal(bi.nmodules, 0);
}

static void test_missing_or_misaligned(void **state)
{
	(void)state;
	console_capture_reset();
	assert_int_equal(mb2_parse(MB2_BOOT_MAGIC, NULL, 0, &bi), -EINVAL);
	assert_console(1, "boot information at 0x0 is missing or misaligned");

	build_good(true);
	finish();
	console_capture_reset();
	assert_int_equal(mb2_parse(MB2_BOOT_MAGIC, mbi, MBI_PHYS + 4, &bi), -EINVAL);
	assert_console(1, "boot information at 0x10004 is missing or misaligned");
}

static void test_total_size_too_small(void **state)
{
	(void)state;
	static const u32 sizes[] = { 0, 8, 15 };
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		begin();
		end_tag();
		finish_size(sizes[i]);
		assert_int_equal(parse(), -EINVAL);
		assert_console(1, "boot information has an impossible size");
	}
	/* The smallest possible block: header and end tag. */
	begin();
	end_tag();
	finish();
	assert_int_equal(parse(), 0);
	assert_int_equal(mb.len, 16);
	/* ... which has no memory information at all. */
	assert_console(1, "no memory map and no basic memory information");
	assert_int_equal(bi.nmmap, 0);
}

static void test_total_size_huge(void **state)
{
	(void)state;
	begin();
	end_tag();
	finish_size(0xfffffff8u); /* only 16 bytes really there */
	assert_int_equal(parse(), -EINVAL);
	assert_console(1, "boot information has an impossible size (4294967288 bytes)");
	finish_size(64u << 20);
	assert_int_equal(parse(), -EINVAL);
	assert_console(1, "boot information has an impossible size (67108864 bytes)");
}

/* ---- damaged tags ------------------------------------------------------ */

static void test_tag_runs_past_end(void **state)
{
	(void)state;
	begin();
	string_tag(MB2_TAG_CMDLINE, "exit_when_done");
	mmap_tag(qemu_map, 2, sizeof(struct mb2_mmap_entry));
	u32 at = mb.len;
	struct mb2_tag_module *m = tag(MB2_TAG_MODULE, 24);
	m->mod_start = 0x200000;
	m->mod_end = 0x300000;
	strcpy(m->string, "a.elf");
	module_tag(0x400000, 0x500000, "b.elf");
	end_tag();
	m = (void *)(mb.buf + at);
	m->tag.size = 1000; /* runs past the end */
	finish();
	assert_int_equal(parse(), 0);
	assert_console(1, "malformed tag (type 3, size 1000) at offset");
	char where[32];
	snprintf(where, sizeof(where), "at offset %u;", at);
	assert_int_equal(console_lines_with(where), 1);
	/* Tags before it are kept; nothing after it is read. */
	assert_string_equal(bi.cmdline, "exit_when_done");
	assert_int_equal(bi.nmmap, 2);
	assert_int_equal(bi.nmodules, 0);
}

static void test_tag_too_short(void **state)
{
	(void)state;
	static const u32 sizes[] = { 0, 1, 7 };
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		begin();
		mmap_tag(qemu_map, 1, sizeof(struct mb2_mmap_entry));
		string_tag(MB2_TAG_LOADER, "GRUB");
		u32 at = mb.len;
		tag(MB2_TAG_CMDLINE, 8);
		module_tag(0x200000, 0x201000, "lost.elf");
		end_tag();
		((struct mb2_tag *)(mb.buf + at))->size = sizes[i];
		finish();
		assert_int_equal(parse(), 0);
		assert_console(1, "malformed tag (type 1, size");
		assert_string_equal(bi.loader, "GRUB");
		assert_int_equal(bi.nmmap, 1);
		assert_int_equal(bi.nmodules, 0);
	}
}

static void test_missing_end_tag(void **state)
{
	(void)state;
	build_good(false);
	finish();
	assert_int_equal(parse(), 0);
	assert_console(1, "boot information has no end tag; using the tags before the cut");
	assert_int_equal(bi.nmodules, 2);
	assert_int_equal(bi.nmmap, ARRAY_SIZE(qemu_map));
	assert_non_null(bi.rsdp);

	/*
	 * The block ends right after a tag whose size is not a multiple of
	 * 8: the padding to the next tag is not there, and nothing past
	 * total_size may be read.
	 */
	begin();
	mmap_tag(qemu_map, 1, sizeof(struct mb2_mmap_entry));
	string_tag(MB2_TAG_CMDLINE, "abcd"); /* size 13 */
	finish_size(mb.len - 3);
	assert_int_equal(parse(), 0);
	assert_console(1, "boot information has no end tag");
	assert_string_equal(bi.cmdline, "abcd");
	assert_int_equal(bi.nmmap, 1);

	/* Cut in the middle of a tag header. */
	begin();
	mmap_tag(qemu_map, 1, sizeof(struct mb2_mmap_entry));
	end_tag();
	finish_size(mb.len - 4);
	assert_int_equal(parse(), 0);
	assert_console(1, "boot information has no end tag");
	assert_int_equal(bi.nmmap, 1);
}

static void test_unterminated_strings(void **state)
{
	(void)state;
	begin();
	char *c = tag(MB2_TAG_CMDLINE, 8 + 4);
	memcpy(c + 8, "abcd", 4); /* the padding after it is zero, but not part of it */
	char *l = tag(MB2_TAG_LOADER, 8 + 3);
	memcpy(l + 8, "xyz", 3);
	struct mb2_tag_module *m = tag(MB2_TAG_MODULE, sizeof(*m) + 5);
	m->mod_start = 0x200000;
	m->mod_end = 0x201000;
	memcpy(m->string, "x.elf", 5);
	module_tag(0x300000, 0x301000, "good.elf");
	tag(MB2_TAG_MODULE, sizeof(*m)); /* no room for a string at all */
	mmap_tag(qemu_map, 1, sizeof(struct mb2_mmap_entry));
	end_tag();
	finish();
	assert_int_equal(parse(), 0);
	assert_int_equal(console_lines(), 4);
	assert_int_equal(console_lines_with("command line tag is not NUL-terminated; ignored"), 1);
	assert_int_equal(console_lines_with("loader name tag is not NUL-terminated; ignored"), 1);
	assert_int_equal(console_lines_with("module 0 has an unterminated string; module refused"),
			 1);
	assert_int_equal(console_lines_with("module tag 2 is truncated (size 16); module refused"),
			 1);
	assert_string_equal(bi.cmdline, "");
	assert_string_equal(bi.loader, "unknown");
	assert_int_equal(bi.nmodules, 1);
	assert_string_equal(bi.modules[0].cmdline, "good.elf");
}

static void test_too_many_modules(void **state)
{
	(void)state;
	begin();
	for (u32 i = 0; i < BOOT_MAX_MODULES + 2; i++) {
		char name[16];
		snprintf(name, sizeof(name), "m%u", i);
		module_tag(0x1000000 + i * 0x1000, 0x1000000 + i * 0x1000 + 0x800, name);
	}
	end_tag();
	finish();
	assert_int_equal(parse(), 0);
	assert_int_equal(bi.nmodules, BOOT_MAX_MODULES);
	assert_string_equal(bi.modules[BOOT_MAX_MODULES - 1].cmdline, "m63");
	assert_int_equal(console_lines_with("more than 64 modules; module 64 (m64) ignored"), 1);
	assert_int_equal(console_lines_with("more than 64 modules; module 65 (m65) ignored"), 1);
	/* And the missing memory map. */
	assert_int_equal(console_lines(), 3);
}

static void test_module_end_before_start(void **state)
{
	(void)state;
	begin();
	module_tag(0x300000, 0x200000, "backwards.elf");
	mmap_tag(qemu_map, 1, sizeof(struct mb2_mmap_entry));
	end_tag();
	finish();
	/* The parser keeps the numbers as given; mb2_check_modules judges them. */
	assert_int_equal(parse(), 0);
	assert_console_quiet();
	assert_int_equal(bi.nmodules, 1);
	console_capture_reset();
	mb2_check_modules(&bi, 0x100000, 0x180000);
	assert_int_equal(bi.nmodules, 0);
	assert_console(1, "module 0 (backwards.elf) at 0x300000-0x200000 is empty or ends before "
			  "it starts; module refused");
}

/* ---- memory map -------------------------------------------------------- */

static void test_mmap_bad_entry_size(void **state)
{
	(void)state;
	static const u32 bad[] = { 0, 8, 16, 20, 28, 36 };
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		begin();
		meminfo_tag(639, 1024);
		struct mb2_tag_mmap *mm = tag(MB2_TAG_MMAP, sizeof(*mm) + 48);
		mm->entry_size = bad[i];
		memcpy(mm + 1, qemu_map, 48);
		end_tag();
		finish();
		assert_int_equal(parse(), 0);
		char want[96];
		snprintf(want, sizeof(want),
			 "memory map tag is malformed (size 64, entry size %u); ignored", bad[i]);
		assert_int_equal(console_lines_with(want), 1);
		/* So basic meminfo is used instead, and says so. */
		assert_int_equal(console_lines_with("using basic meminfo"), 1);
		assert_int_equal(console_lines(), 2);
		assert_false(bi.mmap_from_tag);
		assert_int_equal(bi.nmmap, 2);
	}

	/* Too short to hold entry_size at all. */
	begin();
	tag(MB2_TAG_MMAP, 12);
	end_tag();
	finish();
	assert_int_equal(parse(), 0);
	assert_int_equal(
		console_lines_with("memory map tag is malformed (size 12, entry size 0); ignored"),
		1);
	assert_int_equal(bi.nmmap, 0);
}

static void test_mmap_larger_entries(void **state)
{
	(void)state;
	/* A later spec version may grow the entries; their start is what counts. */
	begin();
	mmap_tag(qemu_map, ARRAY_SIZE(qemu_map), 32);
	end_tag();
	finish();
	assert_int_equal(parse(), 0);
	assert_console_quiet();
	assert_int_equal(bi.nmmap, ARRAY_SIZE(qemu_map));
	assert_int_equal(bi.mmap[3].base, 0x100000);
	assert_int_equal(bi.mmap[3].len, 0xfee0000);

	/* A partial entry at the end of the tag is not read. */
	begin();
	struct mb2_tag_mmap *mm = tag(MB2_TAG_MMAP, sizeof(*mm) + 24 + 16);
	mm->entry_size = 24;
	memcpy(mm + 1, qemu_map, 40);
	end_tag();
	finish();
	assert_int_equal(parse(), 0);
	assert_int_equal(bi.nmmap, 1);
}

static void test_mmap_zero_and_wrapping(void **state)
{
	(void)state;
	static const struct mb2_mmap_entry map[] = {
		{ 0, 0x9fc00, MEM_USABLE, 0 },
		{ 0x9fc00, 0, MEM_USABLE, 0 }, /* empty: dropped */
		{ 0x100000, 0x1000000, MEM_USABLE, 0 },
		{ 0xfffffffffff00000ull, 0x200000, MEM_RESERVED, 0 }, /* wraps: clipped */
		{ 0x1000, UINT64_MAX, MEM_USABLE, 0 },		      /* wraps: clipped */
	};
	begin();
	mmap_tag(map, ARRAY_SIZE(map), sizeof(map[0]));
	end_tag();
	finish();
	assert_int_equal(parse(), 0);
	assert_int_equal(bi.nmmap, 4);
	assert_int_equal(bi.mmap[1].base, 0x100000);
	assert_true(bi.mmap[2].base == 0xfffffffffff00000ull);
	assert_true(bi.mmap[2].len == 0x100000); /* up to the top, not past it */
	assert_int_equal(bi.mmap[2].type, MEM_RESERVED);
	assert_true(bi.mmap[3].base == 0x1000);
	assert_true(bi.mmap[3].len == 0 - 0x1000ull);
	for (u32 i = 0; i < bi.nmmap; i++)
		assert_true(bi.mmap[i].base + bi.mmap[i].len == 0 ||
			    bi.mmap[i].base + bi.mmap[i].len > bi.mmap[i].base);
}

static void test_mmap_too_many_entries(void **state)
{
	(void)state;
	static struct mb2_mmap_entry map[BOOT_MAX_MMAP + 3];
	for (u32 i = 0; i < ARRAY_SIZE(map); i++)
		map[i] = (struct mb2_mmap_entry){ MiB(2) * i, MiB(1), MEM_USABLE, 0 };
	begin();
	mmap_tag(map, ARRAY_SIZE(map), sizeof(map[0]));
	end_tag();
	finish();
	assert_int_equal(parse(), 0);
	assert_console(1, "memory map has more than 128 entries; the rest is ignored");
	assert_int_equal(bi.nmmap, BOOT_MAX_MMAP);
	assert_int_equal(bi.mmap[BOOT_MAX_MMAP - 1].base, MiB(2) * (BOOT_MAX_MMAP - 1));
}

static void test_basic_meminfo_fallback(void **state)
{
	(void)state;
	begin();
	string_tag(MB2_TAG_CMDLINE, "");
	meminfo_tag(639, 130048);
	end_tag();
	finish();
	assert_int_equal(parse(), 0);
	assert_console(1, "no memory map from the loader; using basic meminfo (639 KiB low, 130048 "
			  "KiB high)");
	assert_false(bi.mmap_from_tag);
	assert_int_equal(bi.nmmap, 2);
	assert_int_equal(bi.mmap[0].base, 0);
	assert_int_equal(bi.mmap[0].len, 639 * 1024);
	assert_int_equal(bi.mmap[0].type, MEM_USABLE);
	assert_int_equal(bi.mmap[1].base, MiB(1));
	assert_int_equal(bi.mmap[1].len, KiB(130048));
	assert_int_equal(bi.mmap[1].type, MEM_USABLE);
	assert_int_equal(mb2_usable_bytes(&bi), KiB(639 + 130048));

	/* No low memory: only the region above 1 MiB. */
	begin();
	meminfo_tag(0, 4096);
	end_tag();
	finish();
	assert_int_equal(parse(), 0);
	assert_int_equal(bi.nmmap, 1);
	assert_int_equal(bi.mmap[0].base, MiB(1));

	/* A memory map wins over basic meminfo, in any order. */
	begin();
	mmap_tag(qemu_map, 2, sizeof(struct mb2_mmap_entry));
	meminfo_tag(639, 130048);
	end_tag();
	finish();
	assert_int_equal(parse(), 0);
	assert_console_quiet();
	assert_true(bi.mmap_from_tag);
	assert_int_equal(bi.nmmap, 2);
	assert_int_equal(bi.mmap[1].type, MEM_RESERVED);

	/* A truncated meminfo tag counts as none. */
	begin();
	tag(MB2_TAG_BASIC_MEMINFO, 12);
	end_tag();
	finish();
	assert_int_equal(parse(), 0);
	assert_int_equal(console_lines(), 2);
	assert_int_equal(console_lines_with("basic meminfo tag is truncated; ignored"), 1);
	assert_int_equal(console_lines_with("no memory map and no basic memory information"), 1);
	assert_false(bi.have_basic_meminfo);
	assert_int_equal(bi.nmmap, 0);
}

static void test_no_memory_information(void **state)
{
	(void)state;
	begin();
	string_tag(MB2_TAG_CMDLINE, "exit_when_done");
	module_tag(0x200000, 0x201000, "a.elf");
	end_tag();
	finish();
	assert_int_equal(parse(), 0);
	assert_console(1, "the loader passed no memory map and no basic memory information");
	assert_int_equal(bi.nmmap, 0);
	assert_int_equal(mb2_usable_bytes(&bi), 0);
	/* The rest is still there for the error report. */
	assert_string_equal(bi.cmdline, "exit_when_done");
	assert_int_equal(bi.nmodules, 1);
}

static void test_usable_bytes(void **state)
{
	(void)state;
	static const struct mb2_mmap_entry map[] = {
		{ 0, 0x9fc00, MEM_USABLE, 0 },
		{ 0x100000, 0x100000, MEM_ACPI_RECLAIMABLE, 0 },
		{ 0x200000, 0x100000, MEM_ACPI_NVS, 0 },
		{ 0x300000, 0x100000, MEM_BAD, 0 },
		{ 0x400000, 0x100000, 7, 0 }, /* unknown type */
		{ GiB(4), GiB(4), MEM_USABLE, 0 },
	};
	begin();
	mmap_tag(map, ARRAY_SIZE(map), sizeof(map[0]));
	end_tag();
	finish();
	assert_int_equal(parse(), 0);
	assert_int_equal(bi.nmmap, ARRAY_SIZE(map));
	assert_int_equal(mb2_usable_bytes(&bi), 0x9fc00 + GiB(4));
}

/* Overlapping regions that add up to 2^64 or more: the sum stops at UINT64_MAX. */
static void test_usable_bytes_saturate(void **state)
{
	(void)state;
	static const struct mb2_mmap_entry map[] = {
		{ 0, 0x8000000000000000ull, MEM_USABLE, 0 },
		{ 0x1000, 0x7fffffffffffe000ull, MEM_USABLE, 0 },
		{ 0x2000, 0x2000, MEM_RESERVED, 0 },
		{ 0x3000, 0x2000, MEM_USABLE, 0 },
		{ 0x4000, 0x1000, MEM_USABLE, 0 },
	};
	begin();
	mmap_tag(map, 2, sizeof(map[0]));
	end_tag();
	finish();
	assert_int_equal(parse(), 0);
	assert_int_equal(mb2_usable_bytes(&bi), 0xffffffffffffe000ull);

	begin();
	mmap_tag(map, ARRAY_SIZE(map), sizeof(map[0]));
	end_tag();
	finish();
	assert_int_equal(parse(), 0);
	assert_int_equal(bi.nmmap, ARRAY_SIZE(map));
	assert_int_equal(mb2_usable_bytes(&bi), UINT64_MAX);
}

/* ---- framebuffer and ACPI ---------------------------------------------- */

static void test_framebuffer_truncated(void **state)
{
	(void)state;
	begin();
	mmap_tag(qemu_map, 1, sizeof(struct mb2_mmap_entry));
	struct mb2_tag_framebuffer *fb = tag(MB2_TAG_FRAMEBUFFER, 29);
	fb->addr = 0xb8000;
	end_tag();
	finish();
	assert_int_equal(parse(), 0);
	assert_console(1, "framebuffer tag is truncated (size 29); ignored");
	assert_false(bi.fb.present);

	/* 30 bytes hold everything up to the type: enough. */
	begin();
	mmap_tag(qemu_map, 1, sizeof(struct mb2_mmap_entry));
	fb = tag(MB2_TAG_FRAMEBUFFER, 30);
	fb->addr = 0xb8000;
	fb->width = 80;
	fb->height = 25;
	fb->type = 2;
	end_tag();
	finish();
	assert_int_equal(parse(), 0);
	assert_console_quiet();
	assert_true(bi.fb.present);
	assert_int_equal(bi.fb.addr, 0xb8000);
	assert_int_equal(bi.fb.width, 80);
	assert_int_equal(bi.fb.type, 2);
}

static void test_acpi_truncated(void **state)
{
	(void)state;
	begin();
	mmap_tag(qemu_map, 1, sizeof(struct mb2_mmap_entry));
	acpi_tag(MB2_TAG_ACPI_OLD, 19, 0x11);
	acpi_tag(MB2_TAG_ACPI_NEW, 35, 0x22);
	end_tag();
	finish();
	assert_int_equal(parse(), 0);
	assert_int_equal(console_lines(), 2);
	assert_int_equal(console_lines_with("ACPI RSDP tag 14 is truncated (size 27); ignored"), 1);
	assert_int_equal(console_lines_with("ACPI RSDP tag 15 is truncated (size 43); ignored"), 1);
	assert_null(bi.rsdp);

	/* A truncated new tag does not hide a good old one. */
	begin();
	mmap_tag(qemu_map, 1, sizeof(struct mb2_mmap_entry));
	acpi_tag(MB2_TAG_ACPI_OLD, 20, 0x11);
	acpi_tag(MB2_TAG_ACPI_NEW, 20, 0x22);
	end_tag();
	finish();
	assert_int_equal(parse(), 0);
	assert_console(1, "ACPI RSDP tag 15 is truncated (size 28); ignored");
	assert_non_null(bi.rsdp);
	assert_int_equal(bi.rsdp_tag, MB2_TAG_ACPI_OLD);
	assert_int_equal(((const u8 *)bi.rsdp)[0], 0x11);
}

static void check_new_rsdp(void)
{
	assert_console_quiet();
	assert_non_null(bi.rsdp);
	assert_int_equal(bi.rsdp_tag, MB2_TAG_ACPI_NEW);
	assert_int_equal(bi.rsdp_len, 36);
	assert_int_equal(((const u8 *)bi.rsdp)[0], 0x22);
}

static void test_acpi_new_wins(void **state)
{
	(void)state;
	begin();
	mmap_tag(qemu_map, 1, sizeof(struct mb2_mmap_entry));
	acpi_tag(MB2_TAG_ACPI_OLD, 20, 0x11);
	acpi_tag(MB2_TAG_ACPI_NEW, 36, 0x22);
	end_tag();
	finish();
	assert_int_equal(parse(), 0);
	check_new_rsdp();

	begin();
	mmap_tag(qemu_map, 1, sizeof(struct mb2_mmap_entry));
	acpi_tag(MB2_TAG_ACPI_NEW, 36, 0x22);
	acpi_tag(MB2_TAG_ACPI_OLD, 20, 0x11);
	end_tag();
	finish();
	assert_int_equal(parse(), 0);
	check_new_rsdp();

	/* Only a new one. */
	begin();
	mmap_tag(qemu_map, 1, sizeof(struct mb2_mmap_entry));
	acpi_tag(MB2_TAG_ACPI_NEW, 36, 0x22);
	end_tag();
	finish();
	assert_int_equal(parse(), 0);
	check_new_rsdp();
}

/* ---- mb2_check_modules ------------------------------------------------- */

static void test_check_modules(void **state)
{
	(void)state;
	const u64 image_start = MiB(1), image_end = MiB(2) + 0x5000;

	begin();
	module_tag(0x400000, 0x410000, "first.elf");
	module_tag(0x201000, 0x300000, "on-image.elf"); /* overlaps its last pages */
	module_tag(0x8000, 0x10008, "on-mbi.elf");	/* ends in the block at 0x10000 */
	module_tag(0x40f000, 0x420000, "on-first.elf");
	module_tag(0x500000, 0x500000, "empty.elf");
	module_tag(0x420000, 0x430000, "second.elf");	   /* touches first.elf's end: fine */
	module_tag(0x0ff000, 0x100000, "below-image.elf"); /* touches the image: fine */
	mmap_tag(qemu_map, 1, sizeof(struct mb2_mmap_entry));
	end_tag();
	finish();
	assert_int_equal(parse(), 0);
	assert_int_equal(bi.nmodules, 7);
	console_capture_reset();

	mb2_check_modules(&bi, image_start, image_end);

	assert_int_equal(console_lines(), 4);
	assert_int_equal(console_lines_with("module 1 (on-image.elf) at 0x201000-0x300000 overlaps "
					    "the hypervisor image; module refused"),
			 1);
	assert_int_equal(console_lines_with("module 2 (on-mbi.elf) at 0x8000-0x10008 overlaps the "
					    "boot information; module refused"),
			 1);
	assert_int_equal(console_lines_with("module 3 (on-first.elf) at 0x40f000-0x420000 overlaps "
					    "another module; module refused"),
			 1);
	assert_int_equal(console_lines_with("module 4 (empty.elf) at 0x500000-0x500000 is empty or "
					    "ends before it starts; module refused"),
			 1);
	assert_int_equal(bi.nmodules, 3);
	assert_string_equal(bi.modules[0].cmdline, "first.elf");
	assert_int_equal(bi.modules[0].start, 0x400000);
	assert_string_equal(bi.modules[1].cmdline, "second.elf");
	assert_int_equal(bi.modules[1].end, 0x430000);
	assert_string_equal(bi.modules[2].cmdline, "below-image.elf");
}

static void test_check_modules_only_against_kept(void **state)
{
	(void)state;
	/* A refused module does not make a later one overlap "another module". */
	begin();
	module_tag(0x180000, 0x300000, "on-image.elf");
	module_tag(0x280000, 0x290000, "after.elf");
	module_tag(0x280000, 0x290000, "same-again.elf");
	mmap_tag(qemu_map, 1, sizeof(struct mb2_mmap_entry));
	end_tag();
	finish();
	assert_int_equal(parse(), 0);
	console_capture_reset();
	mb2_check_modules(&bi, MiB(1), MiB(2));
	assert_int_equal(console_lines(), 2);
	assert_int_equal(console_lines_with("(on-image.elf)"), 1);
	assert_int_equal(
		console_lines_with("module 2 (same-again.elf) at 0x280000-0x290000 overlaps "
				   "another module"),
		1);
	assert_int_equal(bi.nmodules, 1);
	assert_string_equal(bi.modules[0].cmdline, "after.elf");

	/* Nothing to refuse: nothing said, nothing moved. */
	build_good(true);
	finish();
	assert_int_equal(parse(), 0);
	mb2_check_modules(&bi, MiB(1), MiB(2));
	assert_console_quiet();
	assert_int_equal(bi.nmodules, 2);
}

int main(void)
{
#define T(f) cmocka_unit_test_teardown(f, teardown)
	const struct CMUnitTest tests[] = {
		T(test_good_block),
		T(test_minimal_block),
		T(test_bad_magic),
		T(test_missing_or_misaligned),
		T(test_total_size_too_small),
		T(test_total_size_huge),
		T(test_tag_runs_past_end),
		T(test_tag_too_short),
		T(test_missing_end_tag),
		T(test_unterminated_strings),
		T(test_too_many_modules),
		T(test_module_end_before_start),
		T(test_mmap_bad_entry_size),
		T(test_mmap_larger_entries),
		T(test_mmap_zero_and_wrapping),
		T(test_mmap_too_many_entries),
		T(test_basic_meminfo_fallback),
		T(test_no_memory_information),
		T(test_usable_bytes),
		T(test_usable_bytes_saturate),
		T(test_framebuffer_truncated),
		T(test_acpi_truncated),
		T(test_acpi_new_wins),
		T(test_check_modules),
		T(test_check_modules_only_against_kept),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
