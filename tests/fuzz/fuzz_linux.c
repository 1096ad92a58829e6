/*
 * Fuzzing harness for the Linux bzImage loader (kernel/linux.c):
 * linux_load().  The bytes are a bzImage, in a heap block of exactly
 * their size.  The first bytes of the legacy boot sector, which the
 * loader never reads (it starts at the setup header, 0x1f1), steer the
 * harness:
 *  - byte 0, the partition's RAM: 0 gives 256 MiB; 1 to 0x7f give
 *    2 MiB << (n % 16), so 2 MiB to 64 GiB; 0x80 and up give a size
 *    around the APIC window, GUEST_APIC_WINDOW + 2 MiB * (n - 0xc0);
 *  - byte 1, the initrd: 0 none, 1 an empty one, 2 to 0x7f n * 0x801
 *    bytes, 0x80 and up (n - 0x7f) * 0x8001 bytes (up to 4 MiB);
 *  - byte 2, when not 0: that write (counting from 1) fails;
 *  - byte 3 % 4, the command line: a short one, an empty one, one of
 *    exactly 255 characters, or one longer than low RAM.
 *
 * The write callback stands for guest RAM.  It copies nothing but the
 * boot_params page (into a shadow, to check its fields), reads every
 * source byte (so AddressSanitizer checks the source) and records the
 * destination.
 *
 * Invariants, checked on every input:
 *  - Every write lies inside [0, mem), inside a usable region of the
 *    partition's memory map (kernel/memmap.h): never in the EBDA, the
 *    legacy area, nor the hole [GUEST_APIC_WINDOW, 4 GiB).  A source
 *    that starts in the image, the initrd or the command line lies
 *    wholly inside it.
 *  - linux_load() returns 0, -ENOEXEC or -ERANGE with nothing written,
 *    or -EFAULT only after a failed write; on failure the reason is a
 *    non-empty sentence of one line that its buffer holds whole (the
 *    size kernel/partition.c gives it).
 *  - On success: the version is the header's and 2.12 or later; the
 *    kernel lies in [1 MiB, min(mem, GUEST_APIC_WINDOW)), loaded at the
 *    entry point, at least as long as the protected-mode code (and, when
 *    relocatable, init_size, and aligned to kernel_alignment); the entry
 *    state points at boot_params and the GDT in
 *    low RAM; the command line is the given one cut to cmdline_size (and
 *    to low RAM), NUL-terminated; the initrd is page-aligned, at or
 *    above 1 MiB, below initrd_addr_max + 1 and the APIC window; kernel,
 *    initrd, boot_params, command line and GDT overlap nowhere, and
 *    every write lies inside one of them; boot_params says where the
 *    kernel, initrd and command line are, and its e820 table is the
 *    partition's memory map.
 */
/* fuzz-sources: kernel/linux.c tests/fuzz/console.c lib/format.c */
#include <string.h>

#include "kernel/linux.h"
#include "kernel/memmap.h"
#include "lib/lib.h"
#include "tests/fuzz/fuzz.h"
#include "vdev/layout.h"

#define WHY_MAX 120		   /* as kernel/partition.c gives linux_load() */
#define INITRD_MAX (0x80 * 0x8001) /* the largest initrd byte 1 asks for */
#define LONG_CMDLINE 0xa0000	   /* longer than low RAM */
#define GDT_SIZE 32		   /* 4 descriptors */
#define SCRATCH 0x10000

struct range {
	u64 gpa, len;
};

/* Guest RAM as the callback sees it. */
static struct {
	u64 mem;
	struct mem_region map[MEMMAP_MAX];
	u32 nmap;
	const u8 *img, *initrd, *cmdline;
	u64 size, initrd_size, cmdline_size; /* of each source */
	unsigned writes;		     /* so far */
	unsigned fail_at;		     /* this write fails (from 1); 0: none */
	bool failed;
	u8 bp[sizeof(struct linux_boot_params)]; /* what was written to boot_params */
	struct range *log;
	unsigned nlog, cap;
} ram;

static u8 scratch[SCRATCH]; /* where the callback reads each source to */
static volatile u8 sink;

static bool within(u64 gpa, u64 len, u64 lo, u64 hi)
{
	return gpa >= lo && gpa <= hi && len <= hi - gpa;
}

/* Does a source that starts inside [base, base + n) end inside it too? */
static void check_source(const u8 *s, u64 len, const u8 *base, u64 n)
{
	if (base && s >= base && s < base + n)
		FUZZ_CHECK(len <= (u64)(base + n - s));
}

static int write_guest(void *ctx, u64 gpa, const void *src, u64 len)
{
	const u8 *s = src;
	bool usable = false;

	FUZZ_CHECK(ctx == &ram);
	FUZZ_CHECK(gpa <= ram.mem && len <= ram.mem - gpa);
	FUZZ_CHECK(!ranges_overlap(gpa, len, GUEST_APIC_WINDOW, GUEST_4G - GUEST_APIC_WINDOW));
	for (u32 i = 0; i < ram.nmap; i++)
		usable |= ram.map[i].type == MEM_USABLE &&
			  within(gpa, len, ram.map[i].base, ram.map[i].base + ram.map[i].len);
	FUZZ_CHECK(usable || len == 0);
	check_source(s, len, ram.img, ram.size);
	check_source(s, len, ram.initrd, ram.initrd_size);
	check_source(s, len, ram.cmdline, ram.cmdline_size);
	/* memcpy: AddressSanitizer checks the whole source at once, and it is fast. */
	for (u64 done = 0, n; done < len; done += n) {
		n = MIN(len - done, (u64)SCRATCH);
		memcpy(scratch, s + done, n);
		sink ^= scratch[0];
	}
	if (++ram.writes == ram.fail_at) {
		ram.failed = true;
		return -EFAULT;
	}
	if (within(gpa, len, LINUX_BOOT_PARAMS, LINUX_BOOT_PARAMS + sizeof(ram.bp)))
		memcpy(ram.bp + (gpa - LINUX_BOOT_PARAMS), s, len);
	if (ram.nlog == ram.cap) {
		ram.cap = ram.cap ? 2 * ram.cap : 64;
		ram.log = realloc(ram.log, ram.cap * sizeof(*ram.log));
		FUZZ_CHECK(ram.log);
	}
	ram.log[ram.nlog++] = (struct range){ gpa, len };
	return 0;
}

/* The partition's RAM from the steering byte. */
static u64 mem_of(u8 n)
{
	if (!n)
		return MiB(256);
	if (n < 0x80)
		return MiB(2) << (n % 16);
	return GUEST_APIC_WINDOW + MiB(2) * (u64)((int)n - 0xc0);
}

/* The initrd's size from the steering byte, or -1 for none. */
static s64 initrd_of(u8 n)
{
	if (!n)
		return -1;
	if (n == 1)
		return 0;
	if (n < 0x80)
		return (s64)n * 0x801;
	return (s64)(n - 0x7f) * 0x8001;
}

/* What the loader may touch once it succeeded. */
enum { R_KERNEL, R_INITRD, R_PARAMS, R_CMDLINE, R_GDT, R_COUNT };

static void check_success(const u8 *img, u64 size, const char *cmdline,
			  const struct guest_module *initrd, const struct linux_image *out,
			  const struct vcpu_boot_state *boot)
{
	const struct linux_boot_params *bp = (const void *)ram.bp;
	const struct linux_setup_header *h = (const void *)(img + 0x1f1);
	u64 top = memmap_high_end(ram.mem), room = GUEST_LOW_RAM_END - LINUX_CMDLINE - 1;
	u64 setup_sects = img[0x1f1] ? img[0x1f1] : LINUX_SETUP_SECTS_DEFAULT;
	u64 pm_off = (setup_sects + 1) * LINUX_SECTOR, want_len;
	struct range r[R_COUNT];

	FUZZ_CHECK(!ram.failed);
	FUZZ_CHECK(linux_is_bzimage(img, size));
	FUZZ_CHECK(out->version == (img[0x206] | img[0x207] << 8));
	FUZZ_CHECK(out->version >= LINUX_PROTOCOL_MIN);
	FUZZ_CHECK(pm_off < size);

	/* The kernel. */
	FUZZ_CHECK(out->start >= GUEST_HIGH_RAM && out->start <= out->load);
	FUZZ_CHECK(out->load < out->end && out->end <= top);
	FUZZ_CHECK(out->end - out->load >= size - pm_off);
	if (out->relocatable)
		FUZZ_CHECK(out->end - out->load >= out->init_size &&
			   IS_ALIGNED(out->load, out->kernel_alignment));
	FUZZ_CHECK(out->init_size == h->init_size && out->cmdline_size == h->cmdline_size &&
		   out->initrd_addr_max == h->initrd_addr_max);

	/* The entry state. */
	FUZZ_CHECK(boot->eip == out->load && !boot->real);
	FUZZ_CHECK(boot->esi == LINUX_BOOT_PARAMS && boot->eax == 0 && boot->ebx == 0);
	FUZZ_CHECK(boot->gdt_base == LINUX_GDT && boot->gdt_limit == GDT_SIZE - 1);
	FUZZ_CHECK(boot->cs == LINUX_BOOT_CS && boot->ds == LINUX_BOOT_DS);

	/* The command line. */
	want_len = strnlen(cmdline, MIN((u64)out->cmdline_size, room));
	FUZZ_CHECK(out->cmdline_len == want_len);
	FUZZ_CHECK(out->cmdline_len <= out->cmdline_size && out->cmdline_len <= room);

	/* The initrd. */
	if (initrd) {
		FUZZ_CHECK(out->initrd_size == initrd->size);
		FUZZ_CHECK(out->initrd >= GUEST_HIGH_RAM && IS_ALIGNED(out->initrd, 4096));
		FUZZ_CHECK(out->initrd + out->initrd_size <= top);
		FUZZ_CHECK(out->initrd + out->initrd_size <= (u64)out->initrd_addr_max + 1);
	} else {
		FUZZ_CHECK(out->initrd == 0 && out->initrd_size == 0);
	}

	/* Nothing overlaps, and every write lies inside one of them. */
	r[R_KERNEL] = (struct range){ out->start, out->end - out->start };
	r[R_INITRD] = (struct range){ out->initrd, out->initrd_size };
	r[R_PARAMS] = (struct range){ LINUX_BOOT_PARAMS, sizeof(struct linux_boot_params) };
	r[R_CMDLINE] = (struct range){ LINUX_CMDLINE, out->cmdline_len + 1 };
	r[R_GDT] = (struct range){ LINUX_GDT, GDT_SIZE };
	for (int i = 0; i < R_COUNT; i++)
		for (int j = i + 1; j < R_COUNT; j++)
			FUZZ_CHECK(!ranges_overlap(r[i].gpa, r[i].len, r[j].gpa, r[j].len));
	for (unsigned i = 0; i < ram.nlog; i++) {
		bool inside = false;
		for (int j = 0; j < R_COUNT; j++)
			inside |= within(ram.log[i].gpa, ram.log[i].len, r[j].gpa,
					 r[j].gpa + r[j].len);
		FUZZ_CHECK(inside);
	}
	FUZZ_CHECK(within(LINUX_CMDLINE, out->cmdline_len + 1, 0, GUEST_LOW_RAM_END));

	/* boot_params says so. */
	FUZZ_CHECK(bp->hdr.code32_start == out->load);
	FUZZ_CHECK(bp->hdr.ramdisk_image == (u32)out->initrd &&
		   bp->ext_ramdisk_image == (u32)(out->initrd >> 32));
	FUZZ_CHECK(bp->hdr.ramdisk_size == (u32)out->initrd_size &&
		   bp->ext_ramdisk_size == (u32)(out->initrd_size >> 32));
	FUZZ_CHECK(bp->hdr.cmd_line_ptr == LINUX_CMDLINE && bp->ext_cmd_line_ptr == 0);
	FUZZ_CHECK(bp->hdr.version == out->version);
	FUZZ_CHECK(bp->hdr.loadflags & LINUX_LOADED_HIGH);
	FUZZ_CHECK(ram.bp[0x1ef] == 0); /* the sentinel */
	FUZZ_CHECK(bp->e820_entries == ram.nmap);
	for (u32 i = 0; i < ram.nmap; i++)
		FUZZ_CHECK(bp->e820_table[i].addr == ram.map[i].base &&
			   bp->e820_table[i].size == ram.map[i].len &&
			   bp->e820_table[i].type == ram.map[i].type);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static u8 *initrd_block;
	static char *long_cmdline, line255[256];
	const char *cmdlines[4] = { "console=ttyS0 quiet", "", line255, NULL };
	struct guest_module initrd;
	struct linux_image out;
	struct vcpu_boot_state boot;
	char why[WHY_MAX];
	const char *cmdline;
	u8 *copy = malloc(size ? size : 1);
	s64 isize;
	int err;

	FUZZ_CHECK(copy);
	memcpy(copy, data, size);
	if (!initrd_block) {
		initrd_block = malloc(INITRD_MAX);
		long_cmdline = malloc(LONG_CMDLINE + 1);
		FUZZ_CHECK(initrd_block && long_cmdline);
		for (u64 i = 0; i < INITRD_MAX; i++)
			initrd_block[i] = (u8)(i * 7);
		memset(long_cmdline, 'x', LONG_CMDLINE);
		long_cmdline[LONG_CMDLINE] = '\0';
		memset(line255, 'y', 255);
	}
	cmdlines[3] = long_cmdline;

	ram.mem = mem_of(size > 0 ? data[0] : 0);
	ram.nmap = memmap_build(ram.mem, ram.map);
	isize = initrd_of(size > 1 ? data[1] : 0);
	ram.fail_at = size > 2 ? data[2] : 0;
	cmdline = cmdlines[size > 3 ? data[3] % 4 : 0];
	/* The initrd ends where its block does, so that a read past it is seen. */
	initrd = (struct guest_module){ initrd_block + INITRD_MAX - (isize > 0 ? isize : 0),
					isize > 0 ? (u64)isize : 0, "initrd", 6 };
	ram.img = copy;
	ram.size = size;
	ram.initrd = initrd.data;
	ram.initrd_size = initrd.size;
	ram.cmdline = (const u8 *)cmdline;
	ram.cmdline_size = strlen(cmdline) + 1;
	ram.writes = ram.nlog = 0;
	ram.failed = false;
	memset(ram.bp, 0xee, sizeof(ram.bp));
	memset(why, 0x55, sizeof(why));
	memset(&boot, 0xa5, sizeof(boot));

	err = linux_load(copy, size, ram.mem, cmdline, isize >= 0 ? &initrd : NULL, write_guest,
			 &ram, &out, &boot, why, sizeof(why));
	if (err) {
		size_t n = strnlen(why, sizeof(why));
		FUZZ_CHECK(err == -ENOEXEC || err == -ERANGE || (err == -EFAULT && ram.failed));
		FUZZ_CHECK(err == -EFAULT || ram.writes == 0);
		FUZZ_CHECK(n > 0 && n < sizeof(why) - 1); /* a sentence, not cut short */
		FUZZ_CHECK(!memchr(why, '\n', n));
	} else {
		check_success(copy, size, cmdline, isize >= 0 ? &initrd : NULL, &out, &boot);
	}
	free(copy);
	return 0;
}
