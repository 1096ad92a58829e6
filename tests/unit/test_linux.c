/*
 * Unit tests of kernel/linux.c, the Linux bzImage loader (32-bit boot
 * protocol).  Each test crafts a bzImage: a setup header at 0x1f1 (boot
 * flag, "HdrS", version, loadflags, alignment, pref_address, init_size,
 * ...), one setup sector and a few protected-mode bytes, copied into a
 * heap block of exactly its size so that the sanitizer catches a read
 * past the file.  Guest RAM is a recorder: writes below 1 MiB land in
 * an array (boot_params, command line, GDT), the others are logged, and
 * a write outside [0, mem) fails the test.  Checked: recognition and
 * each refusal (protocol too old, short header, header past the file,
 * not a bzImage, no protected-mode bytes, bad kernel_alignment), the
 * load address (pref_address, else the lowest aligned one; 1 MiB when
 * not relocatable), init_size against mem with the mem= it needs, the
 * initrd's place and its refusals, the command line cut at
 * cmdline_size, boot_params as a loader must fill it, the e820 map for
 * 2 MiB, 256 MiB, 3.5 GiB, 4 GiB and 5 GiB, and the entry state with its
 * GDT.
 */
/* unit-sources: kernel/linux.c */
#include <stdlib.h>
#include <string.h>

#include "tests/unit/unit.h"

#include "kernel/linux.h"
#include "lib/lib.h"

/* ---- guest RAM ------------------------------------------------------------ */

#define LOW_SIZE 0x100000
#define LOW_FILL 0xcc
#define MAX_LOG 16

static struct {
	u64 mem;
	unsigned calls;
	int fail_at; /* the call (from 1) that fails, or 0 */
	u8 low[LOW_SIZE];
	struct {
		u64 gpa, len;
		const void *src;
	} log[MAX_LOG]; /* writes at or above 1 MiB */
	unsigned nlog;
} g;

static int guest_write(void *ctx, u64 gpa, const void *src, u64 len)
{
	assert_ptr_equal(ctx, &g);
	g.calls++;
	if (g.fail_at && g.calls == (unsigned)g.fail_at)
		return -1;
	if (gpa > g.mem || len > g.mem - gpa) {
		print_message("write 0x%llx+0x%llx outside RAM of 0x%llx\n",
			      (unsigned long long)gpa, (unsigned long long)len,
			      (unsigned long long)g.mem);
		fail();
	}
	if (gpa < LOW_SIZE) {
		assert_true(gpa + len <= LOW_SIZE);
		memcpy(g.low + gpa, src, len);
	} else {
		assert_true(g.nlog < MAX_LOG);
		g.log[g.nlog].gpa = gpa;
		g.log[g.nlog].len = len;
		g.log[g.nlog++].src = src;
	}
	return 0;
}

static void reset(u64 mem)
{
	memset(&g, 0, sizeof(g));
	memset(g.low, LOW_FILL, sizeof(g.low));
	g.mem = mem;
}

/* The logged write at gpa, of len bytes. */
static const void *written_at(u64 gpa, u64 len)
{
	for (unsigned i = 0; i < g.nlog; i++)
		if (g.log[i].gpa == gpa && g.log[i].len == len)
			return g.log[i].src;
	print_message("no write of 0x%llx bytes at 0x%llx\n", (unsigned long long)len,
		      (unsigned long long)gpa);
	fail();
	return NULL;
}

static const struct linux_boot_params *params(void)
{
	return (const struct linux_boot_params *)(g.low + LINUX_BOOT_PARAMS);
}

/* ---- building images -------------------------------------------------- */

#define SETUP_SECTS 1
#define PM_OFF ((SETUP_SECTS + 1) * 512)
#define PM_SIZE 0x800u
#define IMG_SIZE (PM_OFF + PM_SIZE)

static u8 buf[IMG_SIZE + 0x1000];
static u64 img_size;
static u8 *image;
static struct linux_image out;
static struct vcpu_boot_state boot;
static char why[200];

static struct linux_setup_header *hdr(void)
{
	return (struct linux_setup_header *)(buf + 0x1f1);
}

/* A relocatable 2.15 bzImage: pref_address 16 MiB, aligned 2 MiB, init_size 8 MiB. */
static void build(void)
{
	memset(buf, 0, sizeof(buf));
	img_size = IMG_SIZE;
	for (u32 i = 0; i < PM_SIZE; i++)
		buf[PM_OFF + i] = (u8)(i * 13 + 1);
	struct linux_setup_header *h = hdr();
	h->setup_sects = SETUP_SECTS;
	h->boot_flag = 0xaa55;
	h->jump = 0x6aeb; /* "jmp short": the header ends at 0x202 + 0x6a */
	h->header = 0x53726448;
	h->version = 0x020f;
	h->loadflags = LINUX_LOADED_HIGH | LINUX_KEEP_SEGMENTS;
	h->initrd_addr_max = 0x7fffffff;
	h->kernel_alignment = MiB(2);
	h->relocatable_kernel = 1;
	h->min_alignment = 21;
	h->xloadflags = LINUX_XLF_KERNEL_64 | LINUX_XLF_CAN_BE_LOADED_ABOVE_4G;
	h->cmdline_size = 2047;
	h->pref_address = MiB(16);
	h->init_size = MiB(8);
	h->kernel_version = 0x1234; /* a field the loader only copies */
}

static int load_with(u64 mem, const char *cmdline, const struct guest_module *initrd)
{
	free(image);
	image = malloc(img_size);
	assert_non_null(image);
	memcpy(image, buf, img_size);
	reset(mem);
	memset(&boot, 0xa5, sizeof(boot));
	memset(why, 0, sizeof(why));
	return linux_load(image, img_size, mem, cmdline, initrd, guest_write, &g, &out, &boot, why,
			  sizeof(why));
}

static int load(u64 mem)
{
	return load_with(mem, "console=ttyS0", NULL);
}

static void refused(int err, const char *sentence)
{
	int got = load(MiB(256));
	if (got != err || strcmp(why, sentence) != 0)
		print_message("got %d \"%s\"\nwant %d \"%s\"\n", got, why, err, sentence);
	assert_int_equal(got, err);
	assert_string_equal(why, sentence);
	assert_int_equal(g.calls, 0); /* nothing written */
}

static void refused_mem(u64 mem, const char *sentence)
{
	int got = load(mem);
	if (got != -ERANGE || strcmp(why, sentence) != 0)
		print_message("got %d \"%s\"\nwant \"%s\"\n", got, why, sentence);
	assert_int_equal(got, -ERANGE);
	assert_string_equal(why, sentence);
	assert_int_equal(g.calls, 0);
}

static int teardown(void **state)
{
	(void)state;
	free(image);
	image = NULL;
	return 0;
}

/* ---- recognition and the header's checks ----------------------------------- */

static void test_is_bzimage(void **state)
{
	(void)state;
	build();
	assert_true(linux_is_bzimage(buf, IMG_SIZE));
	assert_true(linux_is_bzimage(buf, 0x206)); /* the magic's last byte is the file's */
	assert_false(linux_is_bzimage(buf, 0x205));
	hdr()->boot_flag = 0xaa56;
	assert_false(linux_is_bzimage(buf, IMG_SIZE));
	build();
	hdr()->header = 0x53726449;
	assert_false(linux_is_bzimage(buf, IMG_SIZE));
	/* An ELF file is none. */
	memset(buf, 0, sizeof(buf));
	memcpy(buf, "\177ELF", 4);
	assert_false(linux_is_bzimage(buf, IMG_SIZE));
	/* linux_load says so too. */
	img_size = IMG_SIZE;
	refused(-ENOEXEC, "no Linux boot protocol header (boot flag 0xAA55, \"HdrS\")");
}

static void test_protocol_too_old(void **state)
{
	(void)state;
	build();
	hdr()->version = 0x020b;
	refused(-ENOEXEC, "Linux boot protocol 2.11 is too old: cloison needs 2.12 or later");
	hdr()->version = 0x0100;
	refused(-ENOEXEC, "Linux boot protocol 1.00 is too old: cloison needs 2.12 or later");
	hdr()->version = 0x020c;
	assert_int_equal(load(MiB(256)), 0);
	assert_int_equal(out.version, 0x020c);
	/* The version's own bytes past the end of the file. */
	img_size = 0x207;
	refused(-ENOEXEC, "the setup header is truncated");
}

static void test_header_bounds(void **state)
{
	(void)state;
	build();
	buf[0x201] = 0x61; /* the header ends at 0x263, before init_size */
	refused(-ENOEXEC, "the setup header ends at 0x263, before init_size");
	buf[0x201] = 0x62;
	assert_int_equal(load(MiB(256)), 0);
	build();
	img_size = 0x26b; /* cut inside the header */
	refused(-ENOEXEC, "the setup header runs past the end of the file");
}

static void test_not_bzimage(void **state)
{
	(void)state;
	build();
	hdr()->loadflags = 0;
	refused(-ENOEXEC, "not a bzImage: loadflags 0x0 asks for a load at 0x10000");
}

static void test_setup_sects(void **state)
{
	(void)state;
	/* The protected-mode kernel starts after the setup sectors and the boot sector. */
	build();
	assert_int_equal(load(MiB(256)), 0);
	assert_memory_equal(written_at(MiB(16), PM_SIZE), buf + PM_OFF, PM_SIZE);
	/* setup_sects 0 means 4: the kernel starts at 5 * 512. */
	build();
	hdr()->setup_sects = 0;
	img_size = 5 * 512 + 0x100;
	assert_int_equal(load(MiB(256)), 0);
	assert_memory_equal(written_at(MiB(16), 0x100), buf + 5 * 512, 0x100);
	/* No byte left for it. */
	build();
	hdr()->setup_sects = 3;
	img_size = 4 * 512;
	refused(-ENOEXEC, "setup_sects 3 leaves no protected-mode kernel in the file");
}

/* ---- where the kernel goes ------------------------------------------------ */

static void test_load_at_pref_address(void **state)
{
	(void)state;
	build();
	assert_int_equal(load(MiB(256)), 0);
	assert_true(out.load == MiB(16));
	assert_true(out.start == MiB(16) && out.end == MiB(24));
	assert_int_equal(boot.eip, MiB(16));
	assert_int_equal(params()->hdr.code32_start, MiB(16));
	/* The facts read from the header. */
	assert_int_equal(out.version, 0x020f);
	assert_true(out.relocatable);
	assert_int_equal(out.kernel_alignment, MiB(2));
	assert_true(out.pref_address == MiB(16));
	assert_int_equal(out.init_size, MiB(8));
	assert_int_equal(out.initrd_addr_max, 0x7fffffff);
	assert_int_equal(out.cmdline_size, 2047);
	assert_int_equal(out.xloadflags, 3);
}

static void test_load_lowest_aligned(void **state)
{
	(void)state;
	/* pref_address does not leave init_size: the lowest 2 MiB-aligned address does. */
	build();
	hdr()->init_size = MiB(20);
	assert_int_equal(load(MiB(32)), 0);
	assert_true(out.load == MiB(2) && out.end == MiB(22));
	assert_int_equal(boot.eip, MiB(2));
	assert_memory_equal(written_at(MiB(2), PM_SIZE), buf + PM_OFF, PM_SIZE);
	/* A pref_address not aligned to kernel_alignment is not taken either. */
	build();
	hdr()->pref_address = MiB(16) + 0x1000;
	assert_int_equal(load(MiB(256)), 0);
	assert_true(out.load == MiB(2));
	/* Nor one below 1 MiB, nor none. */
	build();
	hdr()->pref_address = 0;
	assert_int_equal(load(MiB(256)), 0);
	assert_true(out.load == MiB(2));
	/* 16 MiB alignment: the lowest is 16 MiB. */
	build();
	hdr()->kernel_alignment = MiB(16);
	hdr()->pref_address = MiB(48);
	hdr()->init_size = MiB(20);
	assert_int_equal(load(MiB(64)), 0);
	assert_true(out.load == MiB(16));
	/* 4 KiB alignment: right at 1 MiB. */
	build();
	hdr()->kernel_alignment = 0x1000;
	hdr()->pref_address = 0;
	assert_int_equal(load(MiB(256)), 0);
	assert_true(out.load == MiB(1));
}

static void test_kernel_alignment_refused(void **state)
{
	(void)state;
	build();
	hdr()->kernel_alignment = 0;
	refused(-ENOEXEC, "kernel_alignment 0x0 is not a power of two of 4 KiB or more");
	hdr()->kernel_alignment = MiB(2) + MiB(1);
	refused(-ENOEXEC, "kernel_alignment 0x300000 is not a power of two of 4 KiB or more");
	hdr()->kernel_alignment = 0x800;
	refused(-ENOEXEC, "kernel_alignment 0x800 is not a power of two of 4 KiB or more");
}

static void test_not_relocatable(void **state)
{
	(void)state;
	/* Loaded at 1 MiB; it runs from pref_address, so init_size counts from there. */
	build();
	hdr()->relocatable_kernel = 0;
	hdr()->kernel_alignment = 0; /* not looked at */
	assert_int_equal(load(MiB(24)), 0);
	assert_true(out.load == MiB(1) && out.start == MiB(1) && out.end == MiB(24));
	assert_memory_equal(written_at(MiB(1), PM_SIZE), buf + PM_OFF, PM_SIZE);
	assert_int_equal(boot.eip, MiB(1));
	refused_mem(MiB(22), "the kernel (0x1700000 bytes from 0x100000) does not fit in the "
			     "partition's RAM: it needs mem=24M");
	/* Without pref_address it runs where it is. */
	hdr()->pref_address = 0;
	assert_int_equal(load(MiB(10)), 0);
	assert_true(out.end == MiB(9));
}

static void test_init_size_fit(void **state)
{
	(void)state;
	/* Exactly to the end of RAM at pref_address. */
	build();
	hdr()->init_size = MiB(16);
	assert_int_equal(load(MiB(32)), 0);
	assert_true(out.load == MiB(16));
	/* Not even from the lowest aligned address: say how much mem= would do. */
	hdr()->init_size = MiB(30) + 1;
	refused_mem(MiB(32), "the kernel (0x1e00001 bytes from 0x200000) does not fit in the "
			     "partition's RAM: it needs mem=34M");
	hdr()->init_size = MiB(30);
	assert_int_equal(load(MiB(32)), 0);
	assert_true(out.load == MiB(2));
	/* init_size smaller than the file: the file's bytes count. */
	build();
	hdr()->init_size = 0x100;
	assert_int_equal(load(MiB(256)), 0);
	assert_true(out.end == MiB(16) + PM_SIZE);
	/* Never into the APIC window, whatever mem is. */
	build();
	hdr()->init_size = 0xfeb00000u;
	refused_mem(GiB(8), "the kernel (0xfeb00000 bytes from 0x200000) would reach past the APIC "
			    "window (0xfed00000)");
	/* Up to the window's first byte is fine. */
	hdr()->init_size = 0xfea00000u;
	assert_int_equal(load(GiB(8)), 0);
	assert_true(out.end == 0xfec00000ull);
}

/* ---- the initrd ----------------------------------------------------------- */

static u8 initrd_bytes[0x2801];

static struct guest_module initrd_of(u64 size)
{
	for (size_t i = 0; i < sizeof(initrd_bytes); i++)
		initrd_bytes[i] = (u8)(i ^ 0x5a);
	assert_true(size <= sizeof(initrd_bytes));
	return (struct guest_module){ initrd_bytes, size, "initrd", 6 };
}

static void test_initrd_high(void **state)
{
	(void)state;
	struct guest_module m = initrd_of(sizeof(initrd_bytes));

	/* As high as it goes below mem, page-aligned. */
	build();
	assert_int_equal(load_with(MiB(256), "", &m), 0);
	u64 at = ALIGN_DOWN(MiB(256) - sizeof(initrd_bytes), 0x1000);
	assert_true(out.initrd == at && out.initrd_size == sizeof(initrd_bytes));
	assert_memory_equal(written_at(at, sizeof(initrd_bytes)), initrd_bytes,
			    sizeof(initrd_bytes));
	assert_int_equal(params()->hdr.ramdisk_image, at);
	assert_int_equal(params()->hdr.ramdisk_size, sizeof(initrd_bytes));
	assert_int_equal(params()->ext_ramdisk_image, 0);
	assert_int_equal(params()->ext_ramdisk_size, 0);
	/* Below initrd_addr_max + 1 when that is lower than mem. */
	build();
	hdr()->initrd_addr_max = 0x37ffffff;
	assert_int_equal(load_with(GiB(5), "", &m), 0);
	assert_true(out.initrd == ALIGN_DOWN(0x38000000 - sizeof(initrd_bytes), 0x1000));
	/* Below the APIC window when mem goes past it. */
	build();
	hdr()->initrd_addr_max = 0xffffffff;
	assert_int_equal(load_with(GiB(5), "", &m), 0);
	assert_true(out.initrd == ALIGN_DOWN(0xfec00000ull - sizeof(initrd_bytes), 0x1000));
	/* None: zeroes. */
	build();
	assert_int_equal(load(MiB(256)), 0);
	assert_true(out.initrd == 0 && out.initrd_size == 0);
	assert_int_equal(params()->hdr.ramdisk_image, 0);
	assert_int_equal(params()->hdr.ramdisk_size, 0);
}

static void test_initrd_clear_of_kernel(void **state)
{
	(void)state;
	struct guest_module m = initrd_of(0x2000);

	/* The kernel reaches the top of RAM: the initrd goes right below it. */
	build();
	hdr()->init_size = MiB(16);
	assert_int_equal(load_with(MiB(32), "", &m), 0);
	assert_true(out.load == MiB(16));
	assert_true(out.initrd == MiB(16) - 0x2000);
	/* Its last page touching the kernel's first byte is moved below too. */
	build();
	hdr()->init_size = MiB(16) - 0x1000;
	assert_int_equal(load_with(MiB(32), "", &m), 0);
	assert_true(out.initrd == MiB(16) - 0x2000);
	/* With one more page above the kernel, it goes there. */
	hdr()->init_size = MiB(16) - 0x2000;
	assert_int_equal(load_with(MiB(32), "", &m), 0);
	assert_true(out.initrd == MiB(32) - 0x2000);
}

static void test_initrd_does_not_fit(void **state)
{
	(void)state;
	struct guest_module m = initrd_of(0x2000);

	/* The kernel from 1 MiB to the end of RAM: no room on either side. */
	build();
	hdr()->kernel_alignment = 0x1000;
	hdr()->pref_address = MiB(1);
	hdr()->init_size = MiB(3);
	assert_int_equal(load_with(MiB(4), "", &m), -ERANGE);
	assert_string_equal(why, "the initrd (8192 bytes) does not fit in the partition's RAM: it "
				 "needs mem=6M");
	assert_int_equal(g.calls, 0);
	/* One page short below the kernel is still too short. */
	hdr()->pref_address = MiB(1) + 0x1000;
	hdr()->init_size = MiB(3) - 0x1000;
	assert_int_equal(load_with(MiB(4), "", &m), -ERANGE);
	hdr()->pref_address = MiB(1) + 0x2000;
	hdr()->init_size = MiB(3) - 0x2000;
	assert_int_equal(load_with(MiB(4), "", &m), 0);
	assert_true(out.initrd == MiB(1));
	/* initrd_addr_max below what the kernel leaves free: more mem= would not help. */
	build();
	hdr()->initrd_addr_max = MiB(20) - 1;
	hdr()->kernel_alignment = 0x1000;
	hdr()->pref_address = MiB(1);
	hdr()->init_size = MiB(19);
	assert_int_equal(load_with(MiB(256), "", &m), -ERANGE);
	assert_string_equal(why, "the initrd (8192 bytes) does not fit below initrd_addr_max "
				 "0x13fffff beside the kernel");
}

/* ---- the command line ------------------------------------------------------- */

static void test_cmdline(void **state)
{
	(void)state;
	build();
	assert_int_equal(load_with(MiB(256), "console=ttyS0 quiet", NULL), 0);
	assert_int_equal(params()->hdr.cmd_line_ptr, LINUX_CMDLINE);
	assert_int_equal(params()->ext_cmd_line_ptr, 0);
	assert_string_equal((const char *)g.low + LINUX_CMDLINE, "console=ttyS0 quiet");
	assert_int_equal(out.cmdline_len, 19);
	/* Cut at cmdline_size characters, then the NUL. */
	hdr()->cmdline_size = 7;
	assert_int_equal(load_with(MiB(256), "console=ttyS0 quiet", NULL), 0);
	assert_string_equal((const char *)g.low + LINUX_CMDLINE, "console");
	assert_int_equal(g.low[LINUX_CMDLINE + 8], LOW_FILL); /* nothing written past the NUL */
	assert_int_equal(out.cmdline_len, 7);
	/* Exactly cmdline_size characters fit whole. */
	assert_int_equal(load_with(MiB(256), "console", NULL), 0);
	assert_string_equal((const char *)g.low + LINUX_CMDLINE, "console");
	/* None: an empty string, still pointed at. */
	hdr()->cmdline_size = 2047;
	assert_int_equal(load_with(MiB(256), "", NULL), 0);
	assert_int_equal(params()->hdr.cmd_line_ptr, LINUX_CMDLINE);
	assert_string_equal((const char *)g.low + LINUX_CMDLINE, "");
	/* A huge cmdline_size is held to low RAM. */
	static char longline[0xa0000];
	memset(longline, 'x', sizeof(longline) - 1);
	hdr()->cmdline_size = 0xffffffff;
	assert_int_equal(load_with(MiB(256), longline, NULL), 0);
	assert_int_equal(out.cmdline_len, 0x9fc00 - LINUX_CMDLINE - 1);
	assert_int_equal(g.low[0x9fc00 - 1], 0);
	assert_int_equal(g.low[0x9fc00], LOW_FILL);
}

/* ---- boot_params -------------------------------------------------------------- */

static void test_boot_params(void **state)
{
	(void)state;
	build();
	memset(buf + 0x26c, 0x77, 0x20); /* header bytes of a later protocol */
	buf[0x201] = 0x6a + 0x20;
	buf[0x1ef] = 0x99; /* the image's byte under the sentinel */
	assert_int_equal(load(MiB(256)), 0);
	const struct linux_boot_params *bp = params();
	const struct linux_setup_header *h = &bp->hdr;
	/* The header as in the image ... */
	assert_int_equal(h->kernel_version, 0x1234);
	assert_int_equal(h->version, 0x020f);
	assert_int_equal(h->init_size, MiB(8));
	assert_memory_equal(g.low + LINUX_BOOT_PARAMS + 0x26c, buf + 0x26c, 0x20);
	/* ... with what a loader writes. */
	assert_int_equal(h->type_of_loader, 0xff);
	assert_int_equal(h->loadflags,
			 LINUX_LOADED_HIGH | LINUX_CAN_USE_HEAP); /* KEEP_SEGMENTS off */
	assert_int_equal(h->heap_end_ptr, 0xfe00);
	assert_int_equal(h->cmd_line_ptr, LINUX_CMDLINE);
	/* The rest of the page is zero: the sentinel too. */
	assert_int_equal(bp->screen_info_etc[0x0f], 0);
	assert_int_equal(g.low[LINUX_BOOT_PARAMS + 0x1ef], 0);
	assert_int_equal(g.low[LINUX_BOOT_PARAMS + 0x28c], 0);
	assert_int_equal(g.low[LINUX_BOOT_PARAMS + 0xfff], 0);
	/* The RSDP for 2.14 and later. */
	assert_true(bp->acpi_rsdp_addr == 0xe0000);
	build();
	hdr()->version = 0x020e;
	assert_int_equal(load(MiB(256)), 0);
	assert_true(params()->acpi_rsdp_addr == 0xe0000);
	hdr()->version = 0x020d;
	assert_int_equal(load(MiB(256)), 0);
	assert_true(params()->acpi_rsdp_addr == 0);
	/* The header ends where 0x201 says: nothing of the image after it. */
	build();
	memset(buf + 0x26c, 0x77, 0x20);
	assert_int_equal(load(MiB(256)), 0);
	assert_int_equal(g.low[LINUX_BOOT_PARAMS + 0x26c], 0);
}

/* The e820 table of a partition of mem bytes. */
static void check_e820(u64 mem, const struct linux_e820_entry *want, u8 n)
{
	build();
	assert_int_equal(load(mem), 0);
	assert_int_equal(params()->e820_entries, n);
	for (u8 i = 0; i < n; i++) {
		const struct linux_e820_entry *e = &params()->e820_table[i];
		if (e->addr != want[i].addr || e->size != want[i].size || e->type != want[i].type)
			print_message("mem 0x%llx entry %u: 0x%llx+0x%llx type %u\n",
				      (unsigned long long)mem, i, (unsigned long long)e->addr,
				      (unsigned long long)e->size, e->type);
		assert_true(e->addr == want[i].addr && e->size == want[i].size);
		assert_int_equal(e->type, want[i].type);
	}
	assert_true(params()->e820_table[n].addr == 0 && params()->e820_table[n].size == 0);
}

static void test_e820(void **state)
{
	(void)state;
	const struct linux_e820_entry m2[] = {
		{ 0, 0x9fc00, 1 },
		{ 0x9fc00, 0x400, 2 },
		{ 0xa0000, 0x60000, 2 },
		{ MiB(1), MiB(1), 1 },
	};
	const struct linux_e820_entry m256[] = {
		{ 0, 0x9fc00, 1 },
		{ 0x9fc00, 0x400, 2 },
		{ 0xa0000, 0x60000, 2 },
		{ MiB(1), MiB(255), 1 },
	};
	const struct linux_e820_entry m3584[] = {
		{ 0, 0x9fc00, 1 },
		{ 0x9fc00, 0x400, 2 },
		{ 0xa0000, 0x60000, 2 },
		{ MiB(1), MiB(3583), 1 },
	};
	const struct linux_e820_entry m4g[] = {
		{ 0, 0x9fc00, 1 },
		{ 0x9fc00, 0x400, 2 },
		{ 0xa0000, 0x60000, 2 },
		{ MiB(1), 0xfec00000ull - MiB(1), 1 },
		{ 0xfec00000ull, GiB(4) - 0xfec00000ull, 2 },
	};
	const struct linux_e820_entry m5g[] = {
		{ 0, 0x9fc00, 1 },
		{ 0x9fc00, 0x400, 2 },
		{ 0xa0000, 0x60000, 2 },
		{ MiB(1), 0xfec00000ull - MiB(1), 1 },
		{ 0xfec00000ull, GiB(4) - 0xfec00000ull, 2 },
		{ GiB(4), GiB(1), 1 },
	};
	check_e820(MiB(256), m256, 4);
	check_e820(MiB(3584), m3584, 4);
	check_e820(GiB(4), m4g, 5); /* the window reserved, nothing above it */
	check_e820(GiB(5), m5g, 6);
	/* 2 MiB: with a kernel small enough to fit at 1 MiB. */
	build();
	hdr()->kernel_alignment = 0x1000;
	hdr()->init_size = 0x1000;
	{
		assert_int_equal(load(MiB(2)), 0);
		assert_int_equal(params()->e820_entries, 4);
		for (u8 i = 0; i < 4; i++) {
			const struct linux_e820_entry *e = &params()->e820_table[i];
			assert_true(e->addr == m2[i].addr && e->size == m2[i].size);
			assert_int_equal(e->type, m2[i].type);
		}
	}
}

/* ---- the entry state ------------------------------------------------------ */

static void test_entry_state(void **state)
{
	(void)state;
	build();
	assert_int_equal(load(MiB(256)), 0);
	assert_int_equal(boot.eip, MiB(16));
	assert_int_equal(boot.esi, LINUX_BOOT_PARAMS);
	assert_int_equal(boot.eax, 0);
	assert_int_equal(boot.ebx, 0);
	assert_int_equal(boot.cs, 0x10);
	assert_int_equal(boot.ds, 0x18);
	assert_int_equal(vcpu_boot_cs(&boot), 0x10);
	assert_int_equal(vcpu_boot_ds(&boot), 0x18);
	assert_int_equal(boot.gdt_base, LINUX_GDT);
	assert_int_equal(boot.gdt_limit, 4 * 8 - 1);
	/* The GDT: __BOOT_CS flat execute/read, __BOOT_DS flat read/write (SDM 3A §3.4.5). */
	u64 d[4];
	memcpy(d, g.low + LINUX_GDT, sizeof(d));
	assert_true(d[0] == 0);
	for (int i = 2; i < 4; i++) {
		u64 base = ((d[i] >> 16) & 0xffffff) | ((d[i] >> 56) << 24);
		u64 limit = (d[i] & 0xffff) | ((d[i] >> 32) & 0xf0000);
		assert_true(base == 0 && limit == 0xfffff);
		assert_true(d[i] & (1ull << 55));      /* G: 4 KiB units */
		assert_true(d[i] & (1ull << 54));      /* D: 32-bit */
		assert_true(d[i] & (1ull << 47));      /* P */
		assert_true(d[i] & (1ull << 44));      /* S: code or data */
		assert_int_equal((d[i] >> 45) & 3, 0); /* DPL 0 */
	}
	assert_int_equal((d[2] >> 40) & 0xf, 0xb); /* code, execute/read */
	assert_int_equal((d[3] >> 40) & 0xf, 0x3); /* data, read/write */
	/* The GDT, boot_params and command line lie in usable low RAM and apart. */
	assert_true(LINUX_GDT + 32 <= LINUX_BOOT_PARAMS &&
		    LINUX_BOOT_PARAMS + 4096 <= LINUX_CMDLINE);
	/* A Multiboot state (zero fields) keeps the old selectors. */
	struct vcpu_boot_state mb = { .eip = 0x100000, .eax = 0x2badb002, .ebx = 0x1000 };
	assert_int_equal(vcpu_boot_cs(&mb), 0x08);
	assert_int_equal(vcpu_boot_ds(&mb), 0x10);
	assert_int_equal(mb.gdt_base, 0);
	assert_int_equal(mb.gdt_limit, 0);
}

static void test_write_fails(void **state)
{
	(void)state;
	struct guest_module m = initrd_of(0x100);
	build();
	assert_int_equal(load_with(MiB(256), "x", &m), 0);
	unsigned calls = g.calls;
	for (unsigned i = 1; i <= calls; i++) {
		free(image);
		image = malloc(img_size);
		memcpy(image, buf, img_size);
		reset(MiB(256));
		g.fail_at = (int)i;
		assert_int_equal(linux_load(image, img_size, MiB(256), "x", &m, guest_write, &g,
					    &out, &boot, why, sizeof(why)),
				 -EFAULT);
		assert_string_equal(why,
				    "the kernel or its boot data could not be written to guest "
				    "RAM");
	}
}

int main(void)
{
#define T(f) cmocka_unit_test_teardown(f, teardown)
	const struct CMUnitTest tests[] = {
		T(test_is_bzimage),	     T(test_protocol_too_old),
		T(test_header_bounds),	     T(test_not_bzimage),
		T(test_setup_sects),	     T(test_load_at_pref_address),
		T(test_load_lowest_aligned), T(test_kernel_alignment_refused),
		T(test_not_relocatable),     T(test_init_size_fit),
		T(test_initrd_high),	     T(test_initrd_clear_of_kernel),
		T(test_initrd_does_not_fit), T(test_cmdline),
		T(test_boot_params),	     T(test_e820),
		T(test_entry_state),	     T(test_write_fails),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
