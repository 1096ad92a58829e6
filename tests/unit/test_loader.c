/*
 * Unit tests of kernel/loader.c, the Multiboot1 guest loader.  Each test
 * builds an ELF32 or ELF64 image in memory (ELF header, program headers,
 * a Multiboot1 header, segment bytes) and loads it into a test-owned
 * byte array that stands for guest RAM; the write callback refuses
 * writes outside the array and records every write.  A good image must
 * have its segments copied to p_paddr (file bytes only: nothing past
 * p_filesz), and every kind of damage must give -errno and its exact
 * sentence: not ELF, big-endian, unknown class, wrong machine, wrong
 * program header size, program headers or segment bytes past the end of
 * the file, filesz > memsz, segments outside RAM (also when paddr+memsz
 * overflows), no Multiboot header in the first 8192 bytes, bad checksum,
 * the video-mode and unknown required flags, no PT_LOAD segment, an
 * entry point outside RAM or outside the bytes every segment loads from
 * the file.  mb1_write_info must put the information
 * block at 0x1000 unless the image covers it, fill in the fields the
 * guest reads (the memory map of kernel/memmap.c among them), and
 * refuse when there is no room.  mb1_write_boot must make the command
 * line and the modules as QEMU does (name, a space, the arguments;
 * modules page-aligned after the kernel, each with its string), cut
 * strings to the page, and refuse modules that do not fit or are too
 * many.
 *
 * Every image is copied into a heap block of exactly its size, so the
 * sanitizer catches the loader reading past the file.
 */
/* unit-sources: kernel/loader.c */
#include <stdlib.h>
#include <string.h>

#include "tests/unit/unit.h"

#include "kernel/loader.h"

/* ---- ELF, as the tests write it ------------------------------------------ */

#define EM_386 3
#define EM_X86_64 62
#define PT_LOAD 1
#define PT_NOTE 4

struct e32_ehdr {
	u8 ident[16];
	u16 type, machine;
	u32 version, entry, phoff, shoff, flags;
	u16 ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
} PACKED;

struct e64_ehdr {
	u8 ident[16];
	u16 type, machine;
	u32 version;
	u64 entry, phoff, shoff;
	u32 flags;
	u16 ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
} PACKED;

struct e32_phdr {
	u32 type, offset, vaddr, paddr, filesz, memsz, flags, align;
} PACKED;

struct e64_phdr {
	u32 type, flags;
	u64 offset, vaddr, paddr, filesz, memsz, align;
} PACKED;

_Static_assert(sizeof(struct e32_ehdr) == 52 && sizeof(struct e64_ehdr) == 64, "ELF headers");
_Static_assert(sizeof(struct e32_phdr) == 32 && sizeof(struct e64_phdr) == 56, "ELF phdrs");

/* ---- guest RAM ------------------------------------------------------------ */

#define RAM_SIZE MiB(4)
#define RAM_FILL 0xcc /* what the loader must leave alone */
#define MAX_WRITES 16

struct guest {
	u64 base; /* guest-physical address of ram[0] */
	u64 size;
	unsigned calls;
	int fail_at; /* the call number (from 1) that fails, or 0 */
	struct {
		u64 gpa, len;
	} writes[MAX_WRITES];
};

static u8 ram[RAM_SIZE];
static struct guest g;

static int guest_write(void *ctx, u64 gpa, const void *src, u64 len)
{
	struct guest *gs = ctx;

	assert_ptr_equal(ctx, &g);
	gs->calls++;
	if (gs->calls <= MAX_WRITES) {
		gs->writes[gs->calls - 1].gpa = gpa;
		gs->writes[gs->calls - 1].len = len;
	}
	if (gs->fail_at && gs->calls == (unsigned)gs->fail_at)
		return -1;
	if (gpa < gs->base || gpa - gs->base > gs->size || len > gs->size - (gpa - gs->base))
		return -1;
	memcpy(ram + (gpa - gs->base), src, len);
	return 0;
}

/* RAM standing for guest-physical [base, base + RAM_SIZE). */
static void reset_ram(u64 base)
{
	memset(ram, RAM_FILL, sizeof(ram));
	memset(&g, 0, sizeof(g));
	g.base = base;
	g.size = RAM_SIZE;
}

static u8 *at(u64 gpa)
{
	assert_true(gpa >= g.base && gpa - g.base < g.size);
	return ram + (gpa - g.base);
}

/* [gpa, gpa+len) still holds RAM_FILL. */
static void assert_untouched(u64 gpa, u64 len)
{
	for (u64 i = 0; i < len; i++)
		if (*at(gpa + i) != RAM_FILL) {
			print_message("byte at 0x%llx was written\n",
				      (unsigned long long)(gpa + i));
			fail();
		}
}

/* ---- building images -------------------------------------------------- */

#define IMG_MAX 0x4000
#define MB_OFF 0x200	/* default place of the Multiboot header: after the phdrs */
#define TEXT_OFF 0x1000 /* segment 0: 0x300 bytes of text */
#define TEXT_SIZE 0x300u
#define TEXT_PADDR 0x100000u
#define DATA_OFF 0x3000 /* segment 1: 0x80 bytes of data, then bss */
#define DATA_FILESZ 0x80u
#define DATA_MEMSZ 0x3000u
#define DATA_PADDR 0x102000u
#define IMG_SIZE (DATA_OFF + DATA_FILESZ)
#define ENTRY32 0x100010u
#define ENTRY_ADDR 0x100040u /* the Multiboot header's entry_addr */
#define NPHDR 4

static struct {
	u8 buf[IMG_MAX] __attribute__((aligned(16)));
	u64 size;
	bool elf64;
} im;

static u8 *image; /* the heap copy handed to the loader */
static struct mb1_image out;
static char why[200];

static void put_mb_header(u64 off, u32 flags, u32 entry_addr)
{
	struct mb1_header h = { 0 };

	h.magic = MB1_HEADER_MAGIC;
	h.flags = flags;
	h.checksum = 0u - h.magic - h.flags;
	h.header_addr = TEXT_PADDR;
	h.load_addr = TEXT_PADDR;
	h.entry_addr = entry_addr;
	assert_true(off + sizeof(h) <= sizeof(im.buf));
	memcpy(im.buf + off, &h, sizeof(h));
}

static struct mb1_header *mb_header(u64 off)
{
	return (struct mb1_header *)(im.buf + off);
}

/* Program header i as a segment, whatever the class. */
static void set_phdr(unsigned i, u32 type, u64 offset, u64 paddr, u64 filesz, u64 memsz)
{
	if (im.elf64) {
		struct e64_phdr *p = (struct e64_phdr *)(im.buf + 64) + i;
		*p = (struct e64_phdr){ type,  5,      offset, paddr | 0xffffffff80000000ull,
					paddr, filesz, memsz,  0x1000 };
	} else {
		struct e32_phdr *p = (struct e32_phdr *)(im.buf + 52) + i;
		*p = (struct e32_phdr){ type,	    (u32)offset, (u32)paddr | 0xc0000000u,
					(u32)paddr, (u32)filesz, (u32)memsz,
					5,	    0x1000 };
	}
}

static struct e32_ehdr *eh32(void)
{
	assert_false(im.elf64);
	return (struct e32_ehdr *)im.buf;
}

static struct e64_ehdr *eh64(void)
{
	assert_true(im.elf64);
	return (struct e64_ehdr *)im.buf;
}

/*
 * A good image: text at 1 MiB, data + bss after it, a PT_NOTE and an
 * empty PT_LOAD (both skipped), and a Multiboot header with mb_flags
 * at mb_off.  ELF64 images carry a higher-half e_entry, so they need
 * the address flag to boot.
 */
static void build(bool elf64, u64 mb_off, u32 mb_flags)
{
	memset(&im, 0, sizeof(im));
	im.elf64 = elf64;
	im.size = IMG_SIZE;
	memcpy(im.buf, "\177ELF", 4);
	im.buf[4] = elf64 ? 2 : 1; /* class */
	im.buf[5] = 1;		   /* little-endian */
	im.buf[6] = 1;		   /* version */
	if (elf64) {
		struct e64_ehdr *h = eh64();
		h->type = 2;
		h->machine = EM_X86_64;
		h->version = 1;
		h->entry = 0xffffffff80100000ull;
		h->phoff = 64;
		h->ehsize = 64;
		h->phentsize = sizeof(struct e64_phdr);
		h->phnum = NPHDR;
	} else {
		struct e32_ehdr *h = eh32();
		h->type = 2;
		h->machine = EM_386;
		h->version = 1;
		h->entry = ENTRY32;
		h->phoff = 52;
		h->ehsize = 52;
		h->phentsize = sizeof(struct e32_phdr);
		h->phnum = NPHDR;
	}
	set_phdr(0, PT_LOAD, TEXT_OFF, TEXT_PADDR, TEXT_SIZE, TEXT_SIZE);
	set_phdr(1, PT_NOTE, 0x2000, 0, 0x10, 0x10);
	set_phdr(2, PT_LOAD, DATA_OFF, DATA_PADDR, DATA_FILESZ, DATA_MEMSZ);
	set_phdr(3, PT_LOAD, 0xffffffff, 0xfffff000, 0x1000, 0); /* empty: skipped */
	for (u32 i = 0; i < TEXT_SIZE; i++)
		im.buf[TEXT_OFF + i] = (u8)(i * 7 + 1);
	for (u32 i = 0; i < DATA_FILESZ; i++)
		im.buf[DATA_OFF + i] = (u8)(0x80 | i);
	/* The header must not overwrite the program headers. */
	assert_true(mb_off >= (elf64 ? 64 + NPHDR * sizeof(struct e64_phdr)
				     : 52 + NPHDR * sizeof(struct e32_phdr)));
	put_mb_header(mb_off, mb_flags, ENTRY_ADDR);
}

static int load_mem(u64 mem)
{
	free(image);
	image = malloc(im.size ? im.size : 1);
	assert_non_null(image);
	memcpy(image, im.buf, im.size);
	memset(&out, 0xa5, sizeof(out));
	memset(why, 0, sizeof(why));
	console_capture_reset();
	return mb1_load(image, im.size, mem, guest_write, &g, &out, why, sizeof(why));
}

static int load(void)
{
	reset_ram(0);
	return load_mem(RAM_SIZE);
}

static void refused(int err, const char *sentence)
{
	int got = load();
	if (got != err || strcmp(why, sentence) != 0)
		print_message("err %d, why \"%s\"\nwant %d, \"%s\"\n", got, why, err, sentence);
	assert_int_equal(got, err);
	assert_string_equal(why, sentence);
	assert_console_quiet(); /* the caller prints the sentence, not the loader */
}

static int teardown(void **state)
{
	(void)state;
	free(image);
	image = NULL;
	return 0;
}

/* The two segments of build() are in RAM, and nothing else is. */
static void check_good_load(void)
{
	assert_int_equal(g.calls, 2);
	assert_true(g.writes[0].gpa == TEXT_PADDR && g.writes[0].len == TEXT_SIZE);
	assert_true(g.writes[1].gpa == DATA_PADDR && g.writes[1].len == DATA_FILESZ);
	assert_memory_equal(at(TEXT_PADDR), im.buf + TEXT_OFF, TEXT_SIZE);
	assert_memory_equal(at(DATA_PADDR), im.buf + DATA_OFF, DATA_FILESZ);
	assert_untouched(0, TEXT_PADDR);
	assert_untouched(TEXT_PADDR + TEXT_SIZE, DATA_PADDR - TEXT_PADDR - TEXT_SIZE);
	/* bss: already zero in a scrubbed partition; the loader writes nothing there. */
	assert_untouched(DATA_PADDR + DATA_FILESZ, RAM_SIZE - DATA_PADDR - DATA_FILESZ);
	assert_int_equal(out.start, TEXT_PADDR);
	assert_int_equal(out.end, DATA_PADDR + DATA_MEMSZ);
}

/* ---- good images -------------------------------------------------------- */

static void test_elf32_good(void **state)
{
	(void)state;
	build(false, MB_OFF, MB1_FLAG_PAGE_ALIGN | MB1_FLAG_MEMORY_INFO);
	assert_int_equal(load(), 0);
	assert_string_equal(why, "");
	assert_console_quiet();
	check_good_load();
	assert_int_equal(out.entry, ENTRY32);
	assert_false(out.elf64);
}

static void test_elf32_address_flag(void **state)
{
	(void)state;
	/* The address flag's entry_addr wins over e_entry for ELF32 too. */
	build(false, MB_OFF, MB1_FLAG_ADDRESS | MB1_FLAG_MEMORY_INFO);
	assert_int_equal(load(), 0);
	check_good_load();
	assert_int_equal(out.entry, ENTRY_ADDR);
	assert_false(out.elf64);
}

static void test_elf64_address_flag(void **state)
{
	(void)state;
	build(true, MB_OFF, MB1_FLAG_ADDRESS | MB1_FLAG_PAGE_ALIGN);
	assert_int_equal(load(), 0);
	assert_console_quiet();
	check_good_load();
	assert_int_equal(out.entry, ENTRY_ADDR);
	assert_true(out.elf64);
}

static void test_elf64_entry_without_address_flag(void **state)
{
	(void)state;
	/* Without the flag e_entry counts, and a higher-half one is outside RAM. */
	build(true, MB_OFF, 0);
	refused(-ERANGE, "entry point 0xffffffff80100000 lies outside the partition's RAM");

	build(true, MB_OFF, 0);
	eh64()->entry = 0x100020;
	assert_int_equal(load(), 0);
	check_good_load();
	assert_int_equal(out.entry, 0x100020);
	assert_true(out.elf64);
}

static void test_optional_flags_ignored(void **state)
{
	(void)state;
	/* Bits 16-31 are optional features: unknown ones do not stop the boot. */
	build(false, MB_OFF, 0x80000000u | (1u << 17) | MB1_FLAG_MEMORY_INFO);
	assert_int_equal(load(), 0);
	assert_int_equal(out.entry, ENTRY32);
}

static void test_header_search(void **state)
{
	(void)state;
	/* A bad candidate first (checksum off by one), a good one after it. */
	build(false, MB_OFF, MB1_FLAG_ADDRESS);
	put_mb_header(0x100, 0, 0);
	mb_header(0x100)->checksum++;
	assert_int_equal(load(), 0);
	assert_int_equal(out.entry, ENTRY_ADDR);

	/* The last 32-byte place inside the first 8192 bytes. */
	build(false, MB1_SEARCH_BYTES - 32, MB1_FLAG_ADDRESS);
	assert_int_equal(load(), 0);
	assert_int_equal(out.entry, ENTRY_ADDR);

	/*
	 * Without the address flag the header is 12 bytes (spec §3.1.1): it
	 * may end right at byte 8192.
	 */
	build(false, MB1_SEARCH_BYTES - 12, MB1_FLAG_MEMORY_INFO);
	assert_int_equal(load(), 0);
	assert_int_equal(out.entry, ENTRY32);
}

/* ---- not an image for this machine ------------------------------------- */

static void test_not_elf(void **state)
{
	(void)state;
	build(false, MB_OFF, 0);
	im.buf[0] = 0x7e;
	refused(-ENOEXEC, "not an ELF file");

	build(false, MB_OFF, 0);
	memcpy(im.buf, "MZ\x90\0", 4);
	refused(-ENOEXEC, "not an ELF file");

	/* Shorter than an ELF32 header, magic or not. */
	build(false, MB_OFF, 0);
	im.size = sizeof(struct e32_ehdr) - 1;
	refused(-ENOEXEC, "not an ELF file");
	im.size = 4;
	refused(-ENOEXEC, "not an ELF file");
	im.size = 0;
	refused(-ENOEXEC, "not an ELF file");
	assert_int_equal(g.calls, 0);
}

static void test_big_endian(void **state)
{
	(void)state;
	build(false, MB_OFF, 0);
	im.buf[5] = 2;
	refused(-ENOEXEC, "not a little-endian ELF file");
	build(true, MB_OFF, MB1_FLAG_ADDRESS);
	im.buf[5] = 2;
	refused(-ENOEXEC, "not a little-endian ELF file");
	im.buf[5] = 0;
	refused(-ENOEXEC, "not a little-endian ELF file");
}

static void test_unknown_class(void **state)
{
	(void)state;
	build(false, MB_OFF, 0);
	im.buf[4] = 3;
	refused(-ENOEXEC, "unknown ELF class 3");
	im.buf[4] = 0;
	refused(-ENOEXEC, "unknown ELF class 0");
	im.buf[4] = 255;
	refused(-ENOEXEC, "unknown ELF class 255");
}

static void test_wrong_machine(void **state)
{
	(void)state;
	build(false, MB_OFF, 0);
	eh32()->machine = EM_X86_64;
	refused(-ENOEXEC, "ELF32 file for machine 62, not i386");
	eh32()->machine = 40; /* ARM */
	refused(-ENOEXEC, "ELF32 file for machine 40, not i386");

	build(true, MB_OFF, MB1_FLAG_ADDRESS);
	eh64()->machine = EM_386;
	refused(-ENOEXEC, "ELF64 file for machine 3, not x86-64");
	eh64()->machine = 183; /* AArch64 */
	refused(-ENOEXEC, "ELF64 file for machine 183, not x86-64");
	assert_int_equal(g.calls, 0);
}

static void test_elf64_header_truncated(void **state)
{
	(void)state;
	/* Long enough for ELF32, too short for ELF64. */
	build(true, MB_OFF, MB1_FLAG_ADDRESS);
	im.size = sizeof(struct e64_ehdr) - 1;
	refused(-ENOEXEC, "ELF64 header is truncated");
	im.size = sizeof(struct e32_ehdr);
	refused(-ENOEXEC, "ELF64 header is truncated");
}

static void test_wrong_phentsize(void **state)
{
	(void)state;
	build(false, MB_OFF, 0);
	eh32()->phentsize = sizeof(struct e64_phdr);
	refused(-ENOEXEC, "ELF32 program header size 56 is wrong");
	eh32()->phentsize = 0;
	refused(-ENOEXEC, "ELF32 program header size 0 is wrong");

	build(true, MB_OFF, MB1_FLAG_ADDRESS);
	eh64()->phentsize = sizeof(struct e32_phdr);
	refused(-ENOEXEC, "ELF64 program header size 32 is wrong");
	eh64()->phentsize = 64;
	refused(-ENOEXEC, "ELF64 program header size 64 is wrong");
}

/* ---- program headers and segments -------------------------------------- */

static void test_phdrs_outside_file(void **state)
{
	(void)state;
	static const char *const msg = "program headers lie outside the file";

	/* The table ends one byte past the file. */
	build(false, MB_OFF, 0);
	eh32()->phoff = (u32)(im.size - NPHDR * sizeof(struct e32_phdr) + 1);
	refused(-ENOEXEC, msg);
	/* ... and exactly at its end: fine (the table is copied there). */
	build(false, MB_OFF, 0);
	memcpy(im.buf + im.size, im.buf + 52, NPHDR * sizeof(struct e32_phdr));
	eh32()->phoff = (u32)im.size;
	im.size += NPHDR * sizeof(struct e32_phdr);
	assert_int_equal(load(), 0);

	build(false, MB_OFF, 0);
	eh32()->phoff = (u32)im.size + 1;
	refused(-ENOEXEC, msg);
	eh32()->phoff = 0xffffffff;
	refused(-ENOEXEC, msg);
	eh32()->phoff = 52;
	eh32()->phnum = 0xffff;
	refused(-ENOEXEC, msg);
	eh32()->phnum = 0;
	refused(-ENOEXEC, msg);

	/* 64-bit offsets that overflow when added to the table size. */
	build(true, MB_OFF, MB1_FLAG_ADDRESS);
	eh64()->phoff = UINT64_MAX - 8;
	refused(-ENOEXEC, msg);
	eh64()->phoff = im.size - NPHDR * sizeof(struct e64_phdr) + 1;
	refused(-ENOEXEC, msg);
	assert_int_equal(g.calls, 0);
}

static void test_segment_outside_file(void **state)
{
	(void)state;
	/* Segment 2's bytes run one past the end of the file. */
	build(false, MB_OFF, 0);
	set_phdr(2, PT_LOAD, DATA_OFF + 1, DATA_PADDR, DATA_FILESZ, DATA_MEMSZ);
	refused(-ENOEXEC, "segment 2 has sizes that do not fit the file");
	/* Its offset past the end, with no file bytes at all. */
	set_phdr(2, PT_LOAD, im.size + 1, DATA_PADDR, 0, DATA_MEMSZ);
	refused(-ENOEXEC, "segment 2 has sizes that do not fit the file");
	/* Exactly to the end is fine. */
	build(false, MB_OFF, 0);
	set_phdr(2, PT_LOAD, DATA_OFF, DATA_PADDR, DATA_FILESZ, DATA_MEMSZ);
	assert_int_equal(load(), 0);

	/* offset + filesz overflows 64 bits. */
	build(true, MB_OFF, MB1_FLAG_ADDRESS);
	set_phdr(0, PT_LOAD, UINT64_MAX - 0xf, TEXT_PADDR, 0x20, 0x20);
	refused(-ENOEXEC, "segment 0 has sizes that do not fit the file");
	set_phdr(0, PT_LOAD, TEXT_OFF, TEXT_PADDR, UINT64_MAX - 0x10, UINT64_MAX);
	refused(-ENOEXEC, "segment 0 has sizes that do not fit the file");
	assert_int_equal(g.calls, 0);
}

static void test_filesz_above_memsz(void **state)
{
	(void)state;
	build(false, MB_OFF, 0);
	set_phdr(0, PT_LOAD, TEXT_OFF, TEXT_PADDR, TEXT_SIZE, TEXT_SIZE - 1);
	refused(-ENOEXEC, "segment 0 has sizes that do not fit the file");
	assert_int_equal(g.calls, 0);

	build(true, MB_OFF, MB1_FLAG_ADDRESS);
	set_phdr(2, PT_LOAD, DATA_OFF, DATA_PADDR, DATA_FILESZ, 1);
	refused(-ENOEXEC, "segment 2 has sizes that do not fit the file");
}

static void test_segment_outside_ram(void **state)
{
	(void)state;
	/* Starting at the end of RAM. */
	build(false, MB_OFF, 0);
	set_phdr(0, PT_LOAD, TEXT_OFF, RAM_SIZE, TEXT_SIZE, TEXT_SIZE);
	refused(-ERANGE, "segment 0 (0x400000-0x400300) lies outside the partition's RAM "
			 "(0x400000 bytes)");
	assert_int_equal(g.calls, 0);

	/* Ending one byte past it (the bss counts, not just the file bytes). */
	build(false, MB_OFF, 0);
	set_phdr(2, PT_LOAD, DATA_OFF, RAM_SIZE - DATA_MEMSZ + 1, DATA_FILESZ, DATA_MEMSZ);
	refused(-ERANGE, "segment 2 (0x3fd001-0x400001) lies outside the partition's RAM "
			 "(0x400000 bytes)");
	/* Ending exactly at the end: fine. */
	build(false, MB_OFF, 0);
	set_phdr(2, PT_LOAD, DATA_OFF, RAM_SIZE - DATA_MEMSZ, DATA_FILESZ, DATA_MEMSZ);
	assert_int_equal(load(), 0);
	assert_int_equal(out.end, RAM_SIZE);
	assert_memory_equal(at(RAM_SIZE - DATA_MEMSZ), im.buf + DATA_OFF, DATA_FILESZ);

	/* paddr + memsz overflows 64 bits: the check must not wrap. */
	build(true, MB_OFF, MB1_FLAG_ADDRESS);
	set_phdr(0, PT_LOAD, TEXT_OFF, 0x1000, TEXT_SIZE, UINT64_MAX - 0x800);
	assert_int_equal(load(), -ERANGE);
	assert_non_null(strstr(why, "segment 0 (0x1000-"));
	assert_non_null(strstr(why, ") lies outside the partition's RAM (0x400000 bytes)"));
	set_phdr(0, PT_LOAD, TEXT_OFF, 0xfffffffffffff000ull, TEXT_SIZE, 0x2000);
	assert_int_equal(load(), -ERANGE);
	assert_non_null(strstr(why, "segment 0 (0xfffffffffffff000-"));
	assert_int_equal(g.calls, 0);

	/* In the hole below 4 GiB of a partition larger than 4 GiB: no RAM there either. */
	build(true, MB_OFF, MB1_FLAG_ADDRESS);
	set_phdr(0, PT_LOAD, TEXT_OFF, 0xfebff000ull, TEXT_SIZE, 0x2000);
	assert_int_equal(load_mem(GiB(8)), -ERANGE);
	assert_string_equal(why, "segment 0 (0xfebff000-0xfec01000) lies in the hole below 4 GiB "
				 "(0xfec00000-0x100000000), which is no RAM");
	set_phdr(0, PT_LOAD, TEXT_OFF, 0xfffff000ull, TEXT_SIZE, 0x1000);
	assert_int_equal(load_mem(GiB(8)), -ERANGE);
	assert_non_null(strstr(why, "segment 0 (0xfffff000-0x100000000) lies in the hole"));
	assert_int_equal(g.calls, 0);

	/* 32-bit addresses with a smaller partition. */
	build(false, MB_OFF, 0);
	reset_ram(0);
	assert_int_equal(load_mem(MiB(1)), -ERANGE);
	assert_string_equal(why, "segment 0 (0x100000-0x100300) lies outside the partition's RAM "
				 "(0x100000 bytes)");
	assert_int_equal(g.calls, 0);
}

static void test_write_fails(void **state)
{
	(void)state;
	build(false, MB_OFF, 0);
	reset_ram(0);
	g.fail_at = 2;
	assert_int_equal(load_mem(RAM_SIZE), -EFAULT);
	assert_string_equal(why, "segment 2 could not be written to guest RAM");
	assert_int_equal(g.calls, 2);
}

static void test_no_loadable_segment(void **state)
{
	(void)state;
	build(false, MB_OFF, 0);
	set_phdr(0, PT_NOTE, TEXT_OFF, TEXT_PADDR, TEXT_SIZE, TEXT_SIZE);
	set_phdr(2, 6 /* PT_PHDR */, DATA_OFF, DATA_PADDR, DATA_FILESZ, DATA_MEMSZ);
	refused(-ENOEXEC, "no loadable segment");
	assert_int_equal(g.calls, 0);

	/* PT_LOAD segments that are all empty load nothing either. */
	build(true, MB_OFF, MB1_FLAG_ADDRESS);
	set_phdr(0, PT_LOAD, TEXT_OFF, TEXT_PADDR, 0, 0);
	set_phdr(2, PT_LOAD, DATA_OFF, DATA_PADDR, 0, 0);
	refused(-ENOEXEC, "no loadable segment");
	assert_int_equal(g.calls, 0);
}

static void test_entry_outside_ram(void **state)
{
	(void)state;
	build(false, MB_OFF, 0);
	eh32()->entry = RAM_SIZE;
	refused(-ERANGE, "entry point 0x400000 lies outside the partition's RAM");
	eh32()->entry = 0xffffffff;
	refused(-ERANGE, "entry point 0xffffffff lies outside the partition's RAM");
	/* Through the address flag. */
	build(false, MB_OFF, MB1_FLAG_ADDRESS);
	mb_header(MB_OFF)->entry_addr = RAM_SIZE;
	refused(-ERANGE, "entry point 0x400000 lies outside the partition's RAM");

	/* 4 GiB and above cannot be reached by a 32-bit EIP, whatever the RAM. */
	build(true, MB_OFF, 0);
	eh64()->entry = GiB(4);
	reset_ram(0);
	assert_int_equal(load_mem(GiB(8)), -ERANGE);
	assert_string_equal(why, "entry point 0x100000000 lies outside the partition's RAM");
}

/* In RAM is not enough: the entry point must be in bytes a segment loaded from the file. */
static void test_entry_outside_segments(void **state)
{
	(void)state;
	build(false, MB_OFF, 0);
	eh32()->entry = TEXT_PADDR + TEXT_SIZE - 1; /* the last byte of text */
	assert_int_equal(load(), 0);
	assert_int_equal(out.entry, TEXT_PADDR + TEXT_SIZE - 1);
	eh32()->entry = TEXT_PADDR - 1;
	refused(-ENOEXEC, "entry point 0xfffff is not in the bytes a segment loads");
	eh32()->entry = TEXT_PADDR + TEXT_SIZE; /* between the segments */
	refused(-ENOEXEC, "entry point 0x100300 is not in the bytes a segment loads");
	eh32()->entry = DATA_PADDR + DATA_FILESZ; /* bss: zeroes */
	refused(-ENOEXEC, "entry point 0x102080 is not in the bytes a segment loads");
	eh32()->entry = 0x1000; /* where mb1_write_info puts the information block */
	refused(-ENOEXEC, "entry point 0x1000 is not in the bytes a segment loads");
	eh32()->entry = RAM_SIZE - 1;
	refused(-ENOEXEC, "entry point 0x3fffff is not in the bytes a segment loads");

	/* Through the address flag, in the second segment. */
	build(true, MB_OFF, MB1_FLAG_ADDRESS);
	mb_header(MB_OFF)->entry_addr = DATA_PADDR + DATA_FILESZ - 1;
	assert_int_equal(load(), 0);
	assert_int_equal(out.entry, DATA_PADDR + DATA_FILESZ - 1);
	mb_header(MB_OFF)->entry_addr = DATA_PADDR + DATA_FILESZ;
	refused(-ENOEXEC, "entry point 0x102080 is not in the bytes a segment loads");
}

/* Two segments over the same bytes: which one wins would be no rule, so neither loads. */
static void test_overlapping_segments(void **state)
{
	(void)state;
	build(false, MB_OFF, 0);
	set_phdr(2, PT_LOAD, DATA_OFF, TEXT_PADDR + TEXT_SIZE - 1, DATA_FILESZ, DATA_MEMSZ);
	refused(-ENOEXEC, "segment 2 overlaps an earlier segment (0x100000-0x100300)");
	/* Touching is not overlapping. */
	build(false, MB_OFF, 0);
	set_phdr(2, PT_LOAD, DATA_OFF, TEXT_PADDR + TEXT_SIZE, DATA_FILESZ, DATA_MEMSZ);
	assert_int_equal(load(), 0);
	/* A bss that reaches over a later segment's bytes counts too. */
	build(true, MB_OFF, MB1_FLAG_ADDRESS);
	set_phdr(0, PT_LOAD, TEXT_OFF, TEXT_PADDR, TEXT_SIZE, DATA_PADDR - TEXT_PADDR + 1);
	refused(-ENOEXEC, "segment 2 overlaps an earlier segment (0x100000-0x102001)");
}

/* ---- the Multiboot header --------------------------------------------- */

static void no_header(void)
{
	refused(-ENOEXEC, "no Multiboot1 header in the first 8192 bytes");
	assert_int_equal(g.calls, 0);
}

static void test_no_multiboot_header(void **state)
{
	(void)state;
	build(false, MB_OFF, 0);
	memset(im.buf + MB_OFF, 0, sizeof(struct mb1_header));
	no_header();
	/* Magic but no checksum. */
	build(false, MB_OFF, 0);
	mb_header(MB_OFF)->checksum = 0;
	no_header();
	/* Not 4-byte aligned. */
	build(false, MB_OFF, 0);
	memmove(im.buf + MB_OFF + 2, im.buf + MB_OFF, sizeof(struct mb1_header));
	memset(im.buf + MB_OFF, 0, 2);
	no_header();
	/* The Multiboot2 magic is not a Multiboot1 header. */
	build(false, MB_OFF, 0);
	mb_header(MB_OFF)->magic = 0xe85250d6;
	mb_header(MB_OFF)->checksum = 0u - 0xe85250d6u;
	no_header();
}

static void test_header_beyond_8192(void **state)
{
	(void)state;
	build(false, MB1_SEARCH_BYTES, 0);
	memset(im.buf + MB_OFF, 0, sizeof(struct mb1_header));
	no_header();
	/* Straddling byte 8192. */
	build(false, MB1_SEARCH_BYTES - 8, 0);
	no_header();
	/* A file that ends inside the header. */
	build(false, MB_OFF, 0);
	memmove(im.buf + 0x1300, im.buf + MB_OFF, sizeof(struct mb1_header));
	memset(im.buf + MB_OFF, 0, sizeof(struct mb1_header));
	set_phdr(2, PT_NOTE, 0, 0, 0, 0);
	im.size = 0x1300 + 8;
	no_header();
}

static void test_address_fields_truncated(void **state)
{
	(void)state;
	/* The 12 required bytes fit the first 8192, the address fields do not. */
	build(false, MB1_SEARCH_BYTES - 12, MB1_FLAG_ADDRESS);
	refused(-ENOEXEC, "the Multiboot header's address fields are truncated");
	build(false, MB1_SEARCH_BYTES - 28, MB1_FLAG_ADDRESS);
	refused(-ENOEXEC, "the Multiboot header's address fields are truncated");
	/* Or the file ends inside them. */
	build(false, MB_OFF, MB1_FLAG_ADDRESS);
	memmove(im.buf + 0x1300, im.buf + MB_OFF, sizeof(struct mb1_header));
	memset(im.buf + MB_OFF, 0, sizeof(struct mb1_header));
	set_phdr(2, PT_NOTE, 0, 0, 0, 0);
	im.size = 0x1300 + 16;
	refused(-ENOEXEC, "the Multiboot header's address fields are truncated");
	assert_int_equal(g.calls, 0);
}

static void test_bad_checksum(void **state)
{
	(void)state;
	build(false, MB_OFF, MB1_FLAG_MEMORY_INFO);
	mb_header(MB_OFF)->checksum++;
	no_header();
	/* Flags changed after the checksum was made. */
	build(false, MB_OFF, MB1_FLAG_MEMORY_INFO);
	mb_header(MB_OFF)->flags = MB1_FLAG_PAGE_ALIGN;
	no_header();
}

static void test_video_mode_refused(void **state)
{
	(void)state;
	build(false, MB_OFF, MB1_FLAG_VIDEO_MODE);
	refused(-ENOEXEC, "the Multiboot header asks for a video mode; partitions have none");
	build(true, MB_OFF, MB1_FLAG_VIDEO_MODE | MB1_FLAG_ADDRESS | MB1_FLAG_PAGE_ALIGN);
	refused(-ENOEXEC, "the Multiboot header asks for a video mode; partitions have none");
	assert_int_equal(g.calls, 0);
}

static void test_unknown_required_flags(void **state)
{
	(void)state;
	build(false, MB_OFF, 1u << 3);
	refused(-ENOEXEC, "the Multiboot header requires unknown features (flags 0x8)");
	build(false, MB_OFF, 1u << 15);
	refused(-ENOEXEC, "the Multiboot header requires unknown features (flags 0x8000)");
	/* Known bits are shown with them; optional bits 16-31 are not. */
	build(false, MB_OFF, MB1_FLAG_ADDRESS | (1u << 20) | (1u << 9) | MB1_FLAG_MEMORY_INFO);
	refused(-ENOEXEC, "the Multiboot header requires unknown features (flags 0x202)");
	assert_int_equal(g.calls, 0);
}

/* ---- mb1_write_info --------------------------------------------------- */

#define CMDLINE "/boot/hello.elf name=hello mem=4M"

struct info_layout {
	struct mb1_info info;
	struct mb1_mmap_entry mmap[6];
	char loader[8];
	struct mb1_module mods[8];
} PACKED;

static u32 write_info(u64 start, u64 end, u64 mem, const char *cmdline)
{
	struct mb1_image img = { .entry = ENTRY32, .start = start, .end = end };
	memset(why, 0, sizeof(why));
	console_capture_reset();
	return mb1_write_info(&img, mem, cmdline, guest_write, &g, why, sizeof(why));
}

/* The memory map of a partition of mem bytes (kernel/memmap.c), n entries. */
static void check_mmap(const struct mb1_info *info, u64 mem)
{
	struct mb1_mmap_entry e[6];
	u64 high_end = mem < 0xfec00000ull ? mem : 0xfec00000ull;
	u32 n = 4 + (mem >= 0xfec00000ull) + (mem > GiB(4));

	assert_int_equal(info->mmap_length, n * sizeof(struct mb1_mmap_entry));
	memcpy(e, at(info->mmap_addr), info->mmap_length);
	for (u32 i = 0; i < n; i++)
		assert_int_equal(e[i].size, 20);
	/* What existing guests see in low memory is the same as ever: [0, 0x9fc00) usable. */
	assert_true(e[0].base == 0 && e[0].len == 0x9fc00 && e[0].type == 1);
	assert_true(e[1].base == 0x9fc00 && e[1].len == 0x400 && e[1].type == 2);
	assert_true(e[2].base == 0xa0000 && e[2].len == 0x60000 && e[2].type == 2);
	assert_true(e[3].base == MiB(1) && e[3].len == high_end - MiB(1) && e[3].type == 1);
	if (mem >= 0xfec00000ull)
		assert_true(e[4].base == 0xfec00000ull && e[4].len == 0x1400000 && e[4].type == 2);
	if (mem > GiB(4))
		assert_true(e[5].base == GiB(4) && e[5].len == mem - GiB(4) && e[5].type == 1);
}

/* The block at base describes RAM of mem bytes and carries cmdline. */
static void check_info(u64 base, u64 mem, const char *cmdline)
{
	struct mb1_info info;
	u64 high_end = mem < 0xfec00000ull ? mem : 0xfec00000ull;

	memcpy(&info, at(base), sizeof(info));
	assert_int_equal(info.flags, MB1_INFO_MEMORY | MB1_INFO_CMDLINE | MB1_INFO_MODS |
					     MB1_INFO_MMAP | MB1_INFO_LOADER);
	assert_int_equal(info.flags, 0x24d); /* modules too, even none, as QEMU says */
	assert_int_equal(info.mem_lower, 639);
	assert_int_equal(info.mem_upper, (high_end - MiB(1)) / 1024);
	assert_int_equal(info.mods_count, 0);
	assert_true(info.mods_addr >= base && info.mods_addr < base + 0x1000);
	assert_int_equal(info.boot_device, 0);

	/* Memory map: entries with size 20 in front, inside the page. */
	assert_true(info.mmap_addr >= base && info.mmap_addr + info.mmap_length <= base + 0x1000);
	check_mmap(&info, mem);

	/* Strings: inside the page, NUL-terminated, and not on top of the block. */
	assert_true(info.boot_loader_name >= base + sizeof(info) &&
		    info.boot_loader_name < base + 0x1000);
	assert_string_equal((const char *)at(info.boot_loader_name), "cloison");
	assert_true(info.cmdline >= base + sizeof(struct info_layout) &&
		    info.cmdline < base + 0x1000);
	assert_string_equal((const char *)at(info.cmdline), cmdline);

	/* Nothing outside its page. */
	assert_untouched(g.base, base - g.base);
	assert_untouched(base + 0x1000, g.size - (base + 0x1000 - g.base));
}

static void test_info_low(void **state)
{
	(void)state;
	reset_ram(0);
	u32 base = write_info(TEXT_PADDR, DATA_PADDR + DATA_MEMSZ, RAM_SIZE, CMDLINE);
	assert_int_equal(base, 0x1000);
	assert_string_equal(why, "");
	assert_console_quiet();
	check_info(base, RAM_SIZE, CMDLINE);
	/* The layout cloison documents: block, map, name, command line. */
	struct info_layout *l = (struct info_layout *)at(base);
	assert_int_equal(l->info.mmap_addr, base + offsetof(struct info_layout, mmap));
	assert_int_equal(l->info.boot_loader_name, base + offsetof(struct info_layout, loader));
	assert_int_equal(l->info.cmdline, base + sizeof(struct info_layout));

	/* An image that starts right after the page leaves it free. */
	reset_ram(0);
	assert_int_equal(write_info(0x2000, 0x9000, MiB(2), ""), 0x1000);
	check_info(0x1000, MiB(2), "");
	/* ... and one that ends right where it starts. */
	reset_ram(0);
	assert_int_equal(write_info(0x800, 0x1000, MiB(64), "x"), 0x1000);
	check_info(0x1000, MiB(64), "x");
}

static void test_info_after_image(void **state)
{
	(void)state;
	/* The image covers 0x1000: the block goes to the next page after it. */
	reset_ram(0);
	u32 base = write_info(0, 0x5800, RAM_SIZE, CMDLINE);
	assert_int_equal(base, 0x6000);
	check_info(base, RAM_SIZE, CMDLINE);
	assert_untouched(0, 0x6000);

	/* Covering only the page's last byte. */
	reset_ram(0);
	assert_int_equal(write_info(0x1fff, 0x3000, RAM_SIZE, CMDLINE), 0x3000);
	check_info(0x3000, RAM_SIZE, CMDLINE);
	/* Covering its first byte, from below. */
	reset_ram(0);
	assert_int_equal(write_info(0x800, 0x1001, RAM_SIZE, CMDLINE), 0x2000);
	check_info(0x2000, RAM_SIZE, CMDLINE);
	/* A large image from 0 up to 3 MiB + 1. */
	reset_ram(0);
	assert_int_equal(write_info(0, MiB(3) + 1, RAM_SIZE, CMDLINE), MiB(3) + 0x1000);
	check_info(MiB(3) + 0x1000, RAM_SIZE, CMDLINE);
}

static void test_info_long_cmdline(void **state)
{
	(void)state;
	static char longline[6000];
	memset(longline, 'a', sizeof(longline) - 1);
	longline[sizeof(longline) - 1] = '\0';

	/* The command line is cut so that it and its NUL end inside the page. */
	reset_ram(0);
	assert_int_equal(write_info(TEXT_PADDR, DATA_PADDR, RAM_SIZE, longline), 0x1000);
	const struct info_layout *l = (const void *)at(0x1000);
	const char *c = (const char *)at(l->info.cmdline);
	size_t n = strnlen(c, 0x1000);
	assert_true(n > 3000);
	assert_true(l->info.cmdline + n + 1 <= 0x2000);
	assert_int_equal(*at(0x1fff), 0); /* the NUL fills the page exactly */
	assert_untouched(0x2000, g.size - 0x2000);
}

static void test_info_no_room(void **state)
{
	(void)state;
	static const char *const msg = "no room for the Multiboot information block in guest RAM";

	/* The image ends 0x800 bytes before the end of RAM. */
	reset_ram(0);
	assert_int_equal(write_info(0, RAM_SIZE - 0x800, RAM_SIZE, CMDLINE), 0);
	assert_string_equal(why, msg);
	assert_console_quiet();
	assert_int_equal(g.calls, 0);
	/* One page left: just enough. */
	reset_ram(0);
	assert_int_equal(write_info(0, RAM_SIZE - 0x1000, RAM_SIZE, CMDLINE), RAM_SIZE - 0x1000);
	check_info(RAM_SIZE - 0x1000, RAM_SIZE, CMDLINE);
	/* Exactly full. */
	reset_ram(0);
	assert_int_equal(write_info(0x1000, RAM_SIZE, RAM_SIZE, CMDLINE), 0);
	assert_string_equal(why, msg);
	assert_int_equal(g.calls, 0);

	/* The block must stay below 4 GiB, where a 32-bit EBX can point. */
	reset_ram(GiB(4) - RAM_SIZE);
	assert_int_equal(write_info(0, GiB(4) - 0x800, GiB(8), CMDLINE), 0);
	assert_string_equal(why, msg);
	assert_int_equal(g.calls, 0);
	reset_ram(GiB(4) - RAM_SIZE);
	assert_int_equal(write_info(0, GiB(4) - 0x1000, GiB(8), CMDLINE), GiB(4) - 0x1000);
	check_info(GiB(4) - 0x1000, GiB(8), CMDLINE);
}

static void test_info_write_fails(void **state)
{
	(void)state;
	for (int i = 1; i <= 3; i++) {
		reset_ram(0);
		g.fail_at = i;
		assert_int_equal(write_info(TEXT_PADDR, DATA_PADDR, RAM_SIZE, CMDLINE), 0);
		assert_string_equal(why, "the Multiboot information block or a module could not be "
					 "written");
		assert_int_equal(g.calls, i);
	}
}

/* Loading and then writing the information block, as a partition does. */
static void test_load_then_info(void **state)
{
	(void)state;
	build(false, MB_OFF, MB1_FLAG_MEMORY_INFO);
	assert_int_equal(load(), 0);
	struct mb1_image img = out;
	u32 base = mb1_write_info(&img, RAM_SIZE, CMDLINE, guest_write, &g, why, sizeof(why));
	assert_int_equal(base, 0x1000);
	assert_int_equal(g.calls, 2 + 3);
	assert_memory_equal(at(TEXT_PADDR), im.buf + TEXT_OFF, TEXT_SIZE);
	assert_string_equal((const char *)at(((struct mb1_info *)at(base))->cmdline), CMDLINE);
}

/* ---- mb1_write_boot: command line and modules, as QEMU gives them -------- */

static const u8 mod_a[] = { 0xde, 0xad, 0xbe, 0xef, 1, 2, 3 };
static u8 mod_b[0x1801];

static u32 write_boot(u64 end, u64 mem, const char *name, const char *args,
		      const struct guest_module *mods, u32 nmods)
{
	struct mb1_image img = { .entry = ENTRY32, .start = TEXT_PADDR, .end = end };
	struct mb1_boot b = { name, name ? strlen(name) : 0, args, mods, nmods };
	memset(why, 0, sizeof(why));
	return mb1_write_boot(&img, mem, &b, guest_write, &g, why, sizeof(why));
}

static const struct mb1_info *info_at(u32 base)
{
	assert_int_not_equal(base, 0);
	return (const struct mb1_info *)at(base);
}

static void test_boot_cmdline_as_qemu(void **state)
{
	(void)state;
	/* qemu -kernel /boot/k.elf -append "console=ttyS0  quiet" */
	reset_ram(0);
	const struct mb1_info *i = info_at(
		write_boot(DATA_PADDR, RAM_SIZE, "/boot/k.elf", "console=ttyS0  quiet", NULL, 0));
	assert_string_equal((const char *)at(i->cmdline), "/boot/k.elf console=ttyS0  quiet");
	/* Without -append: the name and a space. */
	reset_ram(0);
	i = info_at(write_boot(DATA_PADDR, RAM_SIZE, "args", "", NULL, 0));
	assert_string_equal((const char *)at(i->cmdline), "args ");
	/* Only the name's bytes are taken, not what follows it in its string. */
	reset_ram(0);
	struct mb1_image img = { .entry = ENTRY32, .start = TEXT_PADDR, .end = DATA_PADDR };
	struct mb1_boot b = { "/boot/k.elf name=k", 11, "x", NULL, 0 };
	i = info_at(mb1_write_boot(&img, RAM_SIZE, &b, guest_write, &g, why, sizeof(why)));
	assert_string_equal((const char *)at(i->cmdline), "/boot/k.elf x");
	assert_int_equal(i->mods_count, 0);
	assert_true(i->flags & MB1_INFO_MODS);
}

static void test_boot_modules(void **state)
{
	(void)state;
	struct guest_module mods[2] = {
		{ mod_a, sizeof(mod_a), "/boot/a.bin", 11 },
		{ mod_b, sizeof(mod_b), "/boot/b.bin arg1 arg2 for=x", 21 },
	};
	for (size_t k = 0; k < sizeof(mod_b); k++)
		mod_b[k] = (u8)(k * 7);

	reset_ram(0);
	u64 end = DATA_PADDR + DATA_MEMSZ + 0x10; /* the kernel's last byte, not page-aligned */
	u32 base = write_boot(end, RAM_SIZE, "/boot/k.elf", "hi", mods, 2);
	const struct mb1_info *i = info_at(base);
	assert_int_equal(base, 0x1000);
	assert_int_equal(i->mods_count, 2);
	assert_true(i->flags & MB1_INFO_MODS);
	const struct mb1_module *m = (const struct mb1_module *)at(i->mods_addr);
	assert_true(i->mods_addr >= base + sizeof(struct mb1_info) && i->mods_addr < base + 0x1000);
	/* Page-aligned after the kernel, one after the other. */
	assert_int_equal(m[0].mod_start, ALIGN_UP(end, 0x1000));
	assert_int_equal(m[0].mod_end, m[0].mod_start + sizeof(mod_a));
	assert_int_equal(m[1].mod_start, ALIGN_UP(m[0].mod_end, 0x1000));
	assert_int_equal(m[1].mod_end, m[1].mod_start + sizeof(mod_b));
	assert_memory_equal(at(m[0].mod_start), mod_a, sizeof(mod_a));
	assert_memory_equal(at(m[1].mod_start), mod_b, sizeof(mod_b));
	assert_untouched(m[0].mod_end, m[1].mod_start - m[0].mod_end);
	assert_untouched(m[1].mod_end, RAM_SIZE - m[1].mod_end);
	/* Each string is its file name and arguments, inside the information page. */
	assert_string_equal((const char *)at(m[0].string), "/boot/a.bin");
	assert_string_equal((const char *)at(m[1].string), "/boot/b.bin arg1 arg2");
	assert_true(m[0].string >= base && m[1].string < base + 0x1000);
	assert_int_equal(m[0].reserved, 0);
	assert_string_equal((const char *)at(i->cmdline), "/boot/k.elf hi");
	check_mmap(i, RAM_SIZE);

	/* When the information block follows the kernel, the modules follow the block. */
	reset_ram(0);
	struct mb1_image low = { .entry = 0x1000, .start = 0x800, .end = 0x3100 };
	struct mb1_boot b = { "k", 1, NULL, mods, 1 };
	base = mb1_write_boot(&low, RAM_SIZE, &b, guest_write, &g, why, sizeof(why));
	assert_int_equal(base, 0x4000);
	m = (const struct mb1_module *)at(info_at(base)->mods_addr);
	assert_int_equal(m[0].mod_start, 0x5000);
	assert_memory_equal(at(0x5000), mod_a, sizeof(mod_a));
}

static void test_boot_module_does_not_fit(void **state)
{
	(void)state;
	struct guest_module big = { mod_b, sizeof(mod_b), "big", 3 };

	/* The module would end one byte past RAM. */
	reset_ram(0);
	u64 end = RAM_SIZE - 0x1000;
	assert_int_equal(write_boot(end, RAM_SIZE, "k", "", &big, 1), 0);
	assert_string_equal(why,
			    "module 0 (6145 bytes) does not fit in the partition's RAM after the "
			    "kernel (it needs mem=6M)");
	assert_int_equal(g.calls, 0);
	/* With a page more it fits. */
	reset_ram(0);
	assert_int_not_equal(write_boot(end - 0x1000, RAM_SIZE, "k", "", &big, 1), 0);
	/* Never into the APIC window, however large the partition. */
	reset_ram(0);
	assert_int_equal(write_boot(0xfec00000ull - 0x1000, GiB(8), "k", "", &big, 1), 0);
	assert_string_equal(why, "module 0 (6145 bytes) does not fit below the APIC window");
	assert_int_equal(g.calls, 0);
}

static void test_boot_too_many_modules(void **state)
{
	(void)state;
	struct guest_module mods[9];
	for (int k = 0; k < 9; k++)
		mods[k] = (struct guest_module){ mod_a, sizeof(mod_a), "m", 1 };
	reset_ram(0);
	assert_int_not_equal(write_boot(DATA_PADDR, RAM_SIZE, "k", "", mods, 8), 0);
	assert_int_equal(((const struct mb1_info *)at(0x1000))->mods_count, 8);
	reset_ram(0);
	assert_int_equal(write_boot(DATA_PADDR, RAM_SIZE, "k", "", mods, 9), 0);
	assert_string_equal(why, "9 modules; a Multiboot guest may have 8");
	assert_int_equal(g.calls, 0);
}

static void test_boot_strings_cut(void **state)
{
	(void)state;
	static char longline[6000];
	memset(longline, 'a', sizeof(longline) - 1);
	struct guest_module mods[2] = { { mod_a, sizeof(mod_a), longline, 5000 },
					{ mod_a, sizeof(mod_a), "second", 6 } };

	/* A long command line leaves each module string its NUL, in the page. */
	reset_ram(0);
	const struct mb1_info *i =
		info_at(write_boot(DATA_PADDR, RAM_SIZE, "k", longline, mods, 2));
	const struct mb1_module *m = (const struct mb1_module *)at(i->mods_addr);
	size_t n = strlen((const char *)at(i->cmdline));
	assert_true(n > 3000);
	assert_string_equal((const char *)at(m[0].string), "");
	assert_string_equal((const char *)at(m[1].string), "");
	assert_true(m[1].string == 0x1fff); /* the last NUL is the page's last byte */
	assert_untouched(0x2000, TEXT_PADDR - 0x2000);
	/* A long module name is cut too, and the next one still has its NUL. */
	reset_ram(0);
	i = info_at(write_boot(DATA_PADDR, RAM_SIZE, "k", "", mods, 2));
	m = (const struct mb1_module *)at(i->mods_addr);
	assert_true(strlen((const char *)at(m[0].string)) > 3000);
	assert_int_equal(*at(0x1fff), 0);
	assert_string_equal((const char *)at(m[1].string), "");
	assert_string_equal((const char *)at(i->cmdline), "k ");
}

static void test_boot_memory_map_sizes(void **state)
{
	(void)state;
	static const u64 sizes[] = { MiB(2), MiB(256), MiB(3584), 0xfec00000ull, GiB(5) };
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		reset_ram(0);
		const struct mb1_info *i =
			info_at(write_boot(DATA_PADDR, sizes[k], "k", "", NULL, 0));
		check_mmap(i, sizes[k]);
		u64 high_end = sizes[k] < 0xfec00000ull ? sizes[k] : 0xfec00000ull;
		assert_int_equal(i->mem_upper, (high_end - MiB(1)) / 1024);
	}
}

int main(void)
{
#define T(f) cmocka_unit_test_teardown(f, teardown)
	const struct CMUnitTest tests[] = {
		T(test_elf32_good),
		T(test_elf32_address_flag),
		T(test_elf64_address_flag),
		T(test_elf64_entry_without_address_flag),
		T(test_optional_flags_ignored),
		T(test_header_search),
		T(test_not_elf),
		T(test_big_endian),
		T(test_unknown_class),
		T(test_wrong_machine),
		T(test_elf64_header_truncated),
		T(test_wrong_phentsize),
		T(test_phdrs_outside_file),
		T(test_segment_outside_file),
		T(test_filesz_above_memsz),
		T(test_segment_outside_ram),
		T(test_write_fails),
		T(test_no_loadable_segment),
		T(test_entry_outside_ram),
		T(test_entry_outside_segments),
		T(test_overlapping_segments),
		T(test_no_multiboot_header),
		T(test_header_beyond_8192),
		T(test_address_fields_truncated),
		T(test_bad_checksum),
		T(test_video_mode_refused),
		T(test_unknown_required_flags),
		T(test_info_low),
		T(test_info_after_image),
		T(test_info_long_cmdline),
		T(test_info_no_room),
		T(test_info_write_fails),
		T(test_load_then_info),
		T(test_boot_cmdline_as_qemu),
		T(test_boot_modules),
		T(test_boot_module_does_not_fit),
		T(test_boot_too_many_modules),
		T(test_boot_strings_cut),
		T(test_boot_memory_map_sizes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
