/*
 * Writes the binary seed inputs of the fuzzing corpus (tests/fuzz/seeds.sh
 * runs it): Multiboot2 information blocks as GRUB lays them out, good
 * and damaged; the ACPI tables captured from QEMU and Bochs for the unit
 * tests; small Multiboot1 guest images, ELF32 and ELF64; small Linux
 * bzImages, good and refused, with the bytes of their boot sector that
 * steer tests/fuzz/fuzz_linux.c; and hypercalls, good ones and those the
 * hostile catalog makes (docs/security.md).  The layouts are the tree's
 * own structures (kernel/mb2.h, kernel/loader.h, kernel/linux.h) and call
 * numbers (kernel/hcabi.h), so the seeds follow them if they change.
 *
 *   seeds DIR      writes DIR/mb2/, DIR/acpi/, DIR/loader/, DIR/linux/ and
 *                  DIR/hypercall/
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/hypercall.h"
#include "kernel/linux.h"
#include "kernel/loader.h"
#include "kernel/mb2.h"
#include "tests/unit/acpi_captured.h"

static const char *dir;

static void save(const char *sub, const char *name, const void *p, size_t n)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/seed-%s", dir, sub, name);
	f = fopen(path, "wb");
	if (!f || fwrite(p, 1, n, f) != n || fclose(f)) {
		perror(path);
		exit(1);
	}
}

/* ---- Multiboot2 information blocks --------------------------------------- */

static u8 mbi[8192] __attribute__((aligned(8)));
static u32 mbi_len;

static void mbi_begin(void)
{
	memset(mbi, 0, sizeof(mbi));
	mbi_len = sizeof(struct mb2_info_header);
}

static void *mbi_tag(u32 type, u32 size)
{
	struct mb2_tag *t = (void *)(mbi + mbi_len);
	t->type = type;
	t->size = size;
	mbi_len += (u32)ALIGN_UP(size, 8);
	return t;
}

static void mbi_string(u32 type, const char *s)
{
	char *t = mbi_tag(type, (u32)(sizeof(struct mb2_tag) + strlen(s) + 1));
	strcpy(t + sizeof(struct mb2_tag), s);
}

static void mbi_module(u32 start, u32 end, const char *s)
{
	struct mb2_tag_module *m = mbi_tag(MB2_TAG_MODULE, (u32)(sizeof(*m) + strlen(s) + 1));
	m->mod_start = start;
	m->mod_end = end;
	strcpy(m->string, s);
}

static void mbi_mmap(const struct mb2_mmap_entry *e, u32 n)
{
	struct mb2_tag_mmap *mm = mbi_tag(MB2_TAG_MMAP, (u32)(sizeof(*mm) + n * sizeof(*e)));
	mm->entry_size = sizeof(*e);
	memcpy(mm + 1, e, n * sizeof(*e));
}

static void mbi_meminfo(u32 lower, u32 upper)
{
	struct mb2_tag_basic_meminfo *b =
		mbi_tag(MB2_TAG_BASIC_MEMINFO, sizeof(struct mb2_tag_basic_meminfo));
	b->mem_lower = lower;
	b->mem_upper = upper;
}

static void mbi_save(const char *name, bool end_tag)
{
	if (end_tag)
		mbi_tag(MB2_TAG_END, sizeof(struct mb2_tag));
	((struct mb2_info_header *)mbi)->total_size = mbi_len;
	save("mb2", name, mbi, mbi_len);
}

static void mb2_seeds(void)
{
	static const struct mb2_mmap_entry e820[] = {
		{ 0, 0x9fc00, MEM_USABLE, 0 },
		{ 0x9fc00, 0x400, MEM_RESERVED, 0 },
		{ 0xf0000, 0x10000, MEM_RESERVED, 0 },
		{ 0x100000, 0x7ee0000, MEM_USABLE, 0 },
		{ 0x7fe0000, 0x20000, MEM_ACPI_RECLAIMABLE, 0 },
	};
	struct mb2_tag_framebuffer *fb;

	/* What GRUB hands over on the qemu-svm lane, give or take. */
	mbi_begin();
	mbi_string(MB2_TAG_CMDLINE, "exit_when_done colour=on");
	mbi_string(MB2_TAG_LOADER, "GRUB 2.06-13+deb12u1");
	mbi_module(0x400000, 0x402a00, "name=hello mem=2M");
	mbi_module(0x403000, 0x405b00, "name=spin mem=4M cpus=1 weight=300");
	mbi_meminfo(639, 130944);
	mbi_mmap(e820, 5);
	fb = mbi_tag(MB2_TAG_FRAMEBUFFER, sizeof(*fb));
	*fb = (struct mb2_tag_framebuffer){
		{ MB2_TAG_FRAMEBUFFER, sizeof(*fb) }, 0xb8000, 160, 80, 25, 16, 2, 0
	};
	memcpy(mbi_tag(MB2_TAG_ACPI_OLD, (u32)(8 + qemu_smp2_rsdp_len)) + 8, qemu_smp2_rsdp,
	       qemu_smp2_rsdp_len);
	mbi_save("grub-qemu", true);

	/* No memory map: basic meminfo only; an RSDP v2 tag. */
	mbi_begin();
	mbi_string(MB2_TAG_CMDLINE, "");
	mbi_meminfo(640, 65536);
	mbi_tag(MB2_TAG_ACPI_NEW, 8 + 36);
	mbi_save("basic-meminfo", true);

	/* Damaged: no end tag, then a tag running past the end. */
	mbi_begin();
	mbi_string(MB2_TAG_CMDLINE, "apic=xapic");
	mbi_mmap(e820, 2);
	mbi_save("no-end-tag", false);
	mbi_begin();
	mbi_string(MB2_TAG_LOADER, "GRUB");
	mbi_tag(MB2_TAG_MODULE, 4000);
	mbi_len = 64;
	mbi_save("tag-past-end", false);

	/* Damaged: an unterminated string, a short module, a bad entry size. */
	mbi_begin();
	memset(mbi_tag(MB2_TAG_CMDLINE, 8 + 5) + 8, 'x', 5);
	mbi_tag(MB2_TAG_MODULE, 16);
	((struct mb2_tag_mmap *)mbi_tag(MB2_TAG_MMAP, 16 + 20))->entry_size = 20;
	mbi_save("bad-tags", true);

	/* More modules than the hypervisor keeps. */
	mbi_begin();
	for (u32 i = 0; i < BOOT_MAX_MODULES + 1; i++)
		mbi_module(0x1000000 + i * 0x10000, 0x1008000 + i * 0x10000, "name=m");
	mbi_mmap(e820, 5);
	mbi_save("many-modules", true);

	/* More memory map entries than the hypervisor keeps. */
	mbi_begin();
	{
		struct mb2_mmap_entry many[BOOT_MAX_MMAP + 2];
		for (u32 i = 0; i < BOOT_MAX_MMAP + 2; i++)
			many[i] = (struct mb2_mmap_entry){ MiB(i), MiB(1), 1 + i % 5, 0 };
		mbi_mmap(many, BOOT_MAX_MMAP + 2);
	}
	mbi_save("many-regions", true);
}

/* ---- ACPI tables ---------------------------------------------------------- */

static void acpi_seeds(void)
{
	save("acpi", "qemu-smp2-rsdp", qemu_smp2_rsdp, qemu_smp2_rsdp_len);
	save("acpi", "qemu-smp2-madt", qemu_smp2_madt, qemu_smp2_madt_len);
	save("acpi", "qemu-smp2-dsdt", qemu_smp2_dsdt, qemu_smp2_dsdt_len);
	save("acpi", "qemu-smp4-madt", qemu_smp4_madt, qemu_smp4_madt_len);
	save("acpi", "bochs-rsdp", bochs_rsdp, bochs_rsdp_len);
	save("acpi", "bochs-madt", bochs_madt, bochs_madt_len);
	save("acpi", "bochs-dsdt", bochs_dsdt, bochs_dsdt_len);
}

/* ---- Multiboot1 guest images ---------------------------------------------- */

#define GUEST_BASE 0x100000u
#define CODE "\xfa\xf4\xeb\xfd" /* cli; hlt; jmp to the hlt */

static void put(u8 *img, size_t off, const void *p, size_t n)
{
	memcpy(img + off, p, n);
}

static void put16(u8 *img, size_t off, u16 v)
{
	put(img, off, &v, 2);
}

static void put32(u8 *img, size_t off, u32 v)
{
	put(img, off, &v, 4);
}

static void put64(u8 *img, size_t off, u64 v)
{
	put(img, off, &v, 8);
}

/* A Multiboot1 header at off and the code after it; flags as given. */
static size_t mb1_and_code(u8 *img, size_t off, u32 flags, u32 entry)
{
	struct mb1_header h = {
		.magic = MB1_HEADER_MAGIC,
		.flags = flags,
		.checksum = 0 - MB1_HEADER_MAGIC - flags,
		.header_addr = GUEST_BASE,
		.load_addr = GUEST_BASE,
		.entry_addr = entry,
	};
	size_t n = flags & MB1_FLAG_ADDRESS ? sizeof(h) : 12;

	put(img, off, &h, n);
	put(img, off + n, CODE, 4);
	return n + 4;
}

static void elf_ident(u8 *img, u8 class)
{
	put(img, 0, "\177ELF", 4);
	img[4] = class;
	img[5] = 1; /* little-endian */
	img[6] = 1; /* version */
}

/* ELF32: one PT_LOAD at 1 MiB holding the Multiboot header and code, a PT_NOTE. */
static void elf32(const char *name, bool with_bss)
{
	u8 img[256] = { 0 };
	size_t seg = 52 + 2 * 32, n;

	elf_ident(img, 1);
	put16(img, 16, 2);		 /* ET_EXEC */
	put16(img, 18, 3);		 /* EM_386 */
	put32(img, 20, 1);		 /* version */
	put32(img, 24, GUEST_BASE + 12); /* entry: after the header */
	put32(img, 28, 52);		 /* phoff */
	put16(img, 42, 32);		 /* phentsize */
	put16(img, 44, 2);		 /* phnum */
	n = mb1_and_code(img, seg, MB1_FLAG_PAGE_ALIGN | MB1_FLAG_MEMORY_INFO, 0);
	put32(img, 52, 1);				  /* PT_LOAD */
	put32(img, 56, (u32)seg);			  /* offset */
	put32(img, 60, GUEST_BASE);			  /* vaddr */
	put32(img, 64, GUEST_BASE);			  /* paddr */
	put32(img, 68, (u32)n);				  /* filesz */
	put32(img, 72, (u32)n + (with_bss ? 0x4000 : 0)); /* memsz */
	put32(img, 84, 4);				  /* PT_NOTE, all zero */
	save("loader", name, img, seg + n);
}

/* ELF64 with the address fields of the Multiboot header, as 64-bit guests have. */
static void elf64(const char *name)
{
	u8 img[256] = { 0 };
	size_t seg = 64 + 56, n;

	elf_ident(img, 2);
	put16(img, 16, 2);  /* ET_EXEC */
	put16(img, 18, 62); /* EM_X86_64 */
	put32(img, 20, 1);
	put64(img, 24, 0xffffffff80000000ull); /* a high entry, overridden by the header */
	put64(img, 32, 64);		       /* phoff */
	put16(img, 54, 56);		       /* phentsize */
	put16(img, 56, 1);		       /* phnum */
	n = mb1_and_code(img, seg, MB1_FLAG_PAGE_ALIGN | MB1_FLAG_ADDRESS, GUEST_BASE + 32);
	put32(img, 64, 1); /* PT_LOAD */
	put64(img, 72, seg);
	put64(img, 80, GUEST_BASE);
	put64(img, 88, GUEST_BASE);
	put64(img, 96, n);
	put64(img, 104, n + 0x1000);
	save("loader", name, img, seg + n);
}

/* ---- Linux bzImages -------------------------------------------------------- */

/* As tests/fuzz/fuzz_linux.c reads the first bytes of the boot sector. */
#define BZ_MEM 0	   /* the partition's RAM */
#define BZ_INITRD 1	   /* the initrd's size */
#define BZ_FAIL 2	   /* the write that fails */
#define BZ_CMDLINE 3	   /* which command line */
#define BZ_MEM_4M 1	   /* 2 MiB << 1 */
#define BZ_MEM_WINDOW 0xc0 /* exactly GUEST_APIC_WINDOW */
#define BZ_MEM_ABOVE 0xd0  /* 32 MiB more: RAM above 4 GiB too */
#define BZ_INITRD_64K 0x20 /* 0x20 * 0x801 bytes */
#define BZ_INITRD_4M 0xff  /* 0x80 * 0x8001 bytes */
#define BZ_CMDLINE_LONG 3  /* longer than low RAM */
#define BZ_SETUP_SECTS 1
#define BZ_PM_OFF ((BZ_SETUP_SECTS + 1) * LINUX_SECTOR)
#define BZ_PM_SIZE 0x200
#define BZ_SIZE (BZ_PM_OFF + BZ_PM_SIZE)

static u8 bz[(LINUX_SETUP_SECTS_DEFAULT + 1) * LINUX_SECTOR + BZ_PM_SIZE]; /* for setup_sects 0 */

static struct linux_setup_header *bz_hdr(void)
{
	return (struct linux_setup_header *)(bz + 0x1f1);
}

/* A relocatable 2.15 bzImage as a 64-bit kernel has it: pref_address 16 MiB, init_size 8 MiB. */
static void bz_begin(void)
{
	struct linux_setup_header *h = bz_hdr();

	memset(bz, 0, sizeof(bz));
	for (u32 i = 0; i < BZ_PM_SIZE; i++)
		bz[BZ_PM_OFF + i] = (u8)(i * 13 + 1);
	h->setup_sects = BZ_SETUP_SECTS;
	h->boot_flag = LINUX_BOOT_FLAG;
	h->jump = 0x6aeb; /* jmp short: the header ends at 0x202 + 0x6a = 0x26c */
	h->header = LINUX_HEADER_MAGIC;
	h->version = 0x020f;
	h->loadflags = LINUX_LOADED_HIGH;
	h->initrd_addr_max = 0x7fffffff;
	h->kernel_alignment = MiB(2);
	h->relocatable_kernel = 1;
	h->min_alignment = 21;
	h->xloadflags = LINUX_XLF_KERNEL_64 | LINUX_XLF_CAN_BE_LOADED_ABOVE_4G;
	h->cmdline_size = 2047;
	h->pref_address = MiB(16);
	h->init_size = MiB(8);
}

static void bz_save(const char *name, size_t n)
{
	save("linux", name, bz, n);
}

static void linux_seeds(void)
{
	bz_begin();
	bz_save("bzimage", BZ_SIZE);
	bz[BZ_INITRD] = BZ_INITRD_64K;
	bz_save("initrd", BZ_SIZE);
	bz[BZ_FAIL] = 3;
	bz_save("fail-write", BZ_SIZE);

	/* The oldest protocol loaded, with the header of its time; the one before it. */
	bz_begin();
	bz_hdr()->version = LINUX_PROTOCOL_MIN;
	bz_hdr()->jump = 0x66eb; /* to handover_offset: ends at 0x268 */
	bz_save("2.12", BZ_SIZE);
	bz_hdr()->version = LINUX_PROTOCOL_MIN - 1;
	bz_save("2.11-too-old", BZ_SIZE);

	/* Not relocatable: at 1 MiB, running from pref_address. */
	bz_begin();
	bz_hdr()->relocatable_kernel = 0;
	bz_save("fixed", BZ_SIZE);

	/* init_size larger than a 4 MiB partition. */
	bz_begin();
	bz[BZ_MEM] = BZ_MEM_4M;
	bz_hdr()->init_size = MiB(32);
	bz_save("too-big", BZ_SIZE);

	/* Cut inside its setup header. */
	bz_begin();
	bz_save("truncated", 0x240);

	/* Header bytes of a later protocol, copied into boot_params; setup_sects 0. */
	bz_begin();
	bz[0x201] = 0x8e; /* the header ends at 0x290 */
	memset(bz + 0x26c, 0x77, 0x290 - 0x26c);
	bz_save("long-header", BZ_SIZE);
	bz_hdr()->setup_sects = 0; /* 4: the kernel starts at 0xa00 */
	bz_save("setup-sects-0", sizeof(bz));

	/* RAM to the APIC window, and past 4 GiB, with a 4 MiB initrd the kernel reaches. */
	bz_begin();
	bz_hdr()->initrd_addr_max = 0xffffffff;
	bz[BZ_INITRD] = BZ_INITRD_4M;
	bz[BZ_MEM] = BZ_MEM_WINDOW;
	bz_save("window", BZ_SIZE);
	bz[BZ_MEM] = BZ_MEM_ABOVE;
	bz_save("above-4g", BZ_SIZE);

	/* A command line longer than low RAM, and a cmdline_size that would take it. */
	bz_begin();
	bz[BZ_CMDLINE] = BZ_CMDLINE_LONG;
	bz_hdr()->cmdline_size = 0xffffffff;
	bz_save("long-cmdline", BZ_SIZE);
}

/* ---- Hypercalls ------------------------------------------------------------ */

/* As tests/fuzz/fuzz_hypercall.c reads its bytes. */
#define HC_NARROW 0x01
#define HC_CPL3 0x02
#define HC_VM86 0x04
#define HC_RAM_PARTITION 0x10 /* mem: 2 MiB * (1 + mem % 32768) */
#define HC_RAM_SMALL 0x20     /* mem: mem % (64 KiB + 1), with a fake guest RAM */
#define HC_RAM_TOP 0x30	      /* mem: 2^64 - 1 - (mem & 0xffff) */
#define MEM_16M MiB(16)	      /* the default partition size */

static void hc(const char *name, u8 flags, u64 rax, u64 rbx, u64 rcx, u64 rdx, u64 mem)
{
	u64 regs[6] = { rax, rbx, rcx, rdx, mem, 0x0123456789abcdefull };
	u8 b[49];

	for (unsigned i = 0; i < 48; i++)
		b[i] = (u8)(regs[i / 8] >> (8 * (i % 8)));
	b[48] = flags;
	save("hypercall", name, b, sizeof(b));
}

static void hypercall_seeds(void)
{
	const u8 N = HC_NARROW;

	/* What the demo guests do. */
	hc("write-32", N, HC_CONSOLE_WRITE, 0x102000, 14, 0, MEM_16M);
	hc("write-64", 0, HC_CONSOLE_WRITE, 0x102000, 14, 0, MEM_16M);
	hc("read-32", N, HC_CONSOLE_READ, 0x103000, 64, 0, MEM_16M);
	hc("yield", N, HC_YIELD, 0, 0, 0, MEM_16M);
	hc("time-64", 0, HC_TIME, 0, 0, 0, MEM_16M);
	hc("exit-42", N, HC_EXIT, 42, 0, 0, MEM_16M);
	hc("exit-minus-1-64", 0, HC_EXIT, ~0ull, 0, 0, MEM_16M);
	hc("timer-32", N, HC_SET_TIMER, 0x3b9aca00, 1, 32, MEM_16M);
	hc("timer-64", 0, HC_SET_TIMER, 0x13b9aca00ull, 0, 255, MEM_16M);
	hc("timer-cancel", N, HC_SET_TIMER, 0, 0, 48, MEM_16M);
	hc("timer-vector-31", N, HC_SET_TIMER, 1000, 0, 31, MEM_16M);
	hc("timer-vector-256", 0, HC_SET_TIMER, 1000, 0, 256, MEM_16M);
	hc("timer-vector-upper-32", N, HC_SET_TIMER, 1000, 0, 0x100000040ull, MEM_16M);
	/* Catalog check 1: pointers. */
	hc("write-long", N, HC_CONSOLE_WRITE, 0x1000, 0x10000, 0, MEM_16M);
	hc("write-len-0", N, HC_CONSOLE_WRITE, MEM_16M, 0, 0, MEM_16M);
	hc("write-past-end", N, HC_CONSOLE_WRITE, MEM_16M, 1, 0, MEM_16M);
	hc("write-straddle", N, HC_CONSOLE_WRITE, MEM_16M - 4, 8, 0, MEM_16M);
	hc("write-wrap-4g", N, HC_CONSOLE_WRITE, 0xfffffff0, 0x20, 0, MEM_16M);
	hc("write-huge", N, HC_CONSOLE_WRITE, 0x1000, 0xffffffff, 0, MEM_16M);
	hc("write-wrap-64", 0, HC_CONSOLE_WRITE, ~0ull - 0xf, 0x20, 0, MEM_16M);
	hc("write-alias-4g", 0, HC_CONSOLE_WRITE, 0x100102000ull, 14, 0, MEM_16M);
	hc("write-alias-4g-32", N, HC_CONSOLE_WRITE, 0x100102000ull, 14, 0, MEM_16M);
	hc("write-len-upper-64", 0, HC_CONSOLE_WRITE, 0x102000, 0xffffffff00000010ull, 0, MEM_16M);
	hc("read-outside", N, HC_CONSOLE_READ, 0x40000000, 16, 0, MEM_16M);
	/* Catalog check 2: privilege. */
	hc("cpl3-write", N | HC_CPL3, HC_CONSOLE_WRITE, 0x102000, 14, 0, MEM_16M);
	hc("cpl3-exit", N | HC_CPL3, HC_EXIT, 42, 0, 0, MEM_16M);
	hc("cpl3-unknown-64", HC_CPL3, 0x12345678abcdull, 0, 0, 0, MEM_16M);
	hc("vm86-time", N | HC_VM86, HC_TIME, 0, 0, 0, MEM_16M);
	hc("vm86-write", N | HC_VM86, HC_CONSOLE_WRITE, 0x2000, 4, 0, MEM_16M);
	/* Catalog check 3: unknown numbers. */
	hc("nr-0", N, 0, 0, 0, 0, MEM_16M);
	hc("nr-7", N, 7, 0, 0, 0, MEM_16M);
	hc("nr-80000004", N, 0x80000004, 0, 0, 0, MEM_16M);
	hc("nr-ffffffff", N, 0xffffffff, 0, 0, 0, MEM_16M);
	hc("nr-exit-upper-32", N, 0x100000004ull, 7, 0, 0, MEM_16M);
	hc("nr-exit-upper-64", 0, 0x100000004ull, 7, 0, 0, MEM_16M);
	hc("nr-time-top-64", 0, 0x8000000000000005ull, 0, 0, 0, MEM_16M);
	hc("nr-all-ones-64", 0, ~0ull, 0, 0, 0, MEM_16M);
	/* Other RAM sizes: a partition's, a small fake RAM, none, nearly 2^64. */
	hc("ram-partition", N | HC_RAM_PARTITION, HC_CONSOLE_WRITE, 0x1ff000, 0x1000, 0, 0);
	hc("ram-small-all", HC_RAM_SMALL, HC_CONSOLE_READ, 0, 4096, 0, 4096);
	hc("ram-small-end", HC_RAM_SMALL, HC_CONSOLE_WRITE, 3072, 1024, 0, 4096);
	hc("ram-small-past", N | HC_RAM_SMALL, HC_CONSOLE_WRITE, 3073, 1024, 0, 4096);
	hc("ram-none", HC_RAM_SMALL, HC_CONSOLE_WRITE, 0, 0, 0, 0);
	hc("ram-top", HC_RAM_TOP, HC_CONSOLE_WRITE, ~0ull - 0x10, 0x10, 0, 0);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: seeds DIR\n");
		return 2;
	}
	dir = argv[1];
	mb2_seeds();
	acpi_seeds();
	elf32("elf32-small", false);
	elf32("elf32-bss", true);
	elf64("elf64-small");
	linux_seeds();
	hypercall_seeds();
	return 0;
}
