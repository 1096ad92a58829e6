/*
 * badelf: writes the malformed guest images that the catalog's boot
 * scenario (tests/boot/catalog.scenario) hands to the hypervisor as
 * partitions, each of which must be refused with one clear line while
 * the other partitions start.  A host tool, run by make (tests/boot/
 * Makefile.inc) after the guests are built:
 *
 *   badelf HELLO32.elf HELLO64.elf OUTDIR
 *
 * From the 32-bit hello guest (one PT_LOAD and one PT_GNU_STACK program
 * header) it writes, into OUTDIR:
 *   trunc-header.elf     the first 40 bytes: the ELF header cut short
 *   trunc-segment.elf    cut in the middle of the loadable segment's data
 *   overlap.elf          the second program header made a PT_LOAD that
 *                        overlaps the first (other bytes, 2 KiB further)
 *   entry-outside.elf    e_entry at 0x7fff0000, far outside any small RAM
 *   filesz-gt-memsz.elf  the segment's p_memsz below its p_filesz
 * from the 64-bit hello guest:
 *   above-4g.elf         the segment's p_paddr moved up by 4 GiB
 * and from nothing:
 *   empty.elf            0 bytes
 *   not-elf.elf          a line of text
 *   linux-old.bzImage    a bzImage of boot protocol 2.11, one older than
 *                        cloison loads (its header ends at 0x268, as then),
 *                        that would fit its partition otherwise
 *   linux-big.bzImage    a 2.15 bzImage whose init_size (32 MiB) does not
 *                        fit a partition of mem=2M
 *   linux-trunc.bzImage  a 2.15 bzImage cut at 0x240, inside its setup
 *                        header (which runs to 0x26c)
 * The bzImages are otherwise sound (boot.rst, "The Real-Mode Kernel
 * Header"): one setup sector, then a protected-mode kernel that powers
 * its partition off through the ACPI PM1a control port, so that a loader
 * that wrongly takes one sees it end at once.
 * Exits non-zero, saying why, when an input is not what it expects.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PT_LOAD 1

/* ELF32 and ELF64 header and program header offsets (System V ABI). */
#define E32_ENTRY 24
#define E32_PHOFF 28
#define E32_PHNUM 44
#define P32_SIZE 32
#define P32_TYPE 0
#define P32_OFFSET 4
#define P32_VADDR 8
#define P32_PADDR 12
#define P32_FILESZ 16
#define P32_MEMSZ 20
#define E64_PHOFF 32
#define E64_PHNUM 56
#define P64_TYPE 0
#define P64_PADDR 24

/* Setup header offsets of a bzImage (boot.rst, "The Real-Mode Kernel Header"). */
#define BZ_SETUP_SECTS 0x1f1
#define BZ_BOOT_FLAG 0x1fe
#define BZ_JUMP 0x200 /* a short jump: its second byte says where the header ends */
#define BZ_HEADER 0x202
#define BZ_VERSION 0x206
#define BZ_LOADFLAGS 0x211 /* bit 0: loaded high, a bzImage */
#define BZ_INITRD_ADDR_MAX 0x22c
#define BZ_KERNEL_ALIGNMENT 0x230
#define BZ_RELOCATABLE 0x234
#define BZ_CMDLINE_SIZE 0x238
#define BZ_PREF_ADDRESS 0x258
#define BZ_INIT_SIZE 0x260
#define BZ_HDR_END 0x26c /* protocol 2.15 */
#define BZ_PM 0x400	 /* the protected-mode kernel, after one setup sector */

/*
 * The protected-mode kernel: out of 0x3400 to the PM1a control port 0x604
 * (SLP_EN with SLP_TYP 5, S5 in cloison's DSDT: vdev/layout.h), then
 * hlt for good.
 */
static const unsigned char poweroff[] = {
	0x66, 0xba, 0x04, 0x06, /* mov dx, 0x604 */
	0x66, 0xb8, 0x00, 0x34, /* mov ax, 0x3400 */
	0x66, 0xef,		/* out dx, ax */
	0xf4,			/* hlt */
	0xeb, 0xfd,		/* jmp to the hlt */
};

static const char *outdir;

static void die(const char *what, const char *file)
{
	fprintf(stderr, "badelf: %s: %s\n", file, what);
	exit(1);
}

static unsigned char *slurp(const char *file, size_t *size)
{
	FILE *f = fopen(file, "rb");
	unsigned char *buf;
	long n;

	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET))
		die("cannot read it", file);
	buf = malloc((size_t)n + 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n)
		die("cannot read it", file);
	fclose(f);
	*size = (size_t)n;
	return buf;
}

static void spill(const char *name, const void *data, size_t size)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", outdir, name);
	f = fopen(path, "wb");
	if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f))
		die("cannot write it", path);
}

static uint32_t get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put16(unsigned char *p, uint16_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

static void put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> 8 * i);
}

static uint64_t get64(const unsigned char *p)
{
	return get32(p) | (uint64_t)get32(p + 4) << 32;
}

static void put64(unsigned char *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

/* A copy of the image to spoil. */
static unsigned char *copy(const unsigned char *img, size_t size)
{
	unsigned char *c = malloc(size);
	if (!c)
		die("out of memory", "badelf");
	return memcpy(c, img, size);
}

static void from_elf32(const char *file)
{
	size_t size;
	unsigned char *img = slurp(file, &size), *c, *ph0, *ph1;
	uint32_t phoff;

	if (size < 52 + 2 * P32_SIZE || memcmp(img, "\177ELF\1", 5))
		die("not an ELF32 file", file);
	phoff = get32(img + E32_PHOFF);
	if ((img[E32_PHNUM] | img[E32_PHNUM + 1] << 8) != 2 || phoff + 2 * P32_SIZE > size)
		die("want exactly two program headers", file);
	if (get32(img + phoff + P32_TYPE) != PT_LOAD)
		die("want a PT_LOAD first", file);

	spill("trunc-header.elf", img, 40);

	c = copy(img, size);
	ph0 = c + phoff;
	if (get32(ph0 + P32_OFFSET) + get32(ph0 + P32_FILESZ) / 2 > size)
		die("the segment's data lies outside the file", file);
	spill("trunc-segment.elf", c, get32(ph0 + P32_OFFSET) + get32(ph0 + P32_FILESZ) / 2);

	ph1 = c + phoff + P32_SIZE;
	memcpy(ph1, ph0, P32_SIZE);
	put32(ph1 + P32_OFFSET, get32(ph0 + P32_OFFSET) + 0x200);
	put32(ph1 + P32_VADDR, get32(ph0 + P32_VADDR) + 0x800);
	put32(ph1 + P32_PADDR, get32(ph0 + P32_PADDR) + 0x800);
	put32(ph1 + P32_FILESZ, 0x800);
	put32(ph1 + P32_MEMSZ, 0x800);
	spill("overlap.elf", c, size);

	memcpy(c, img, size);
	put32(c + E32_ENTRY, 0x7fff0000u);
	spill("entry-outside.elf", c, size);

	memcpy(c, img, size);
	ph0 = c + phoff;
	put32(ph0 + P32_MEMSZ, get32(ph0 + P32_FILESZ) - 0x100);
	spill("filesz-gt-memsz.elf", c, size);
	free(c);
	free(img);
}

static void from_elf64(const char *file)
{
	size_t size;
	unsigned char *img = slurp(file, &size), *ph;
	uint64_t phoff;

	if (size < 64 + 56 || memcmp(img, "\177ELF\2", 5))
		die("not an ELF64 file", file);
	phoff = get64(img + E64_PHOFF);
	if (phoff + 56 > size || get32(img + phoff + P64_TYPE) != PT_LOAD)
		die("want a PT_LOAD first", file);
	ph = img + phoff;
	put64(ph + P64_PADDR, get64(ph + P64_PADDR) + (1ull << 32));
	spill("above-4g.elf", img, size);
	free(img);
}

/*
 * A sound bzImage of protocol 2.15 as a 32-bit kernel has it: relocatable,
 * aligned to 8 KiB, pref_address 1 MiB, init_size 64 KiB, so that it fits
 * a partition of mem=2M.
 */
static void bzimage(unsigned char *bz, size_t size)
{
	memset(bz, 0, size);
	bz[BZ_SETUP_SECTS] = 1;
	put16(bz + BZ_BOOT_FLAG, 0xaa55);
	bz[BZ_JUMP] = 0xeb;
	bz[BZ_JUMP + 1] = BZ_HDR_END - BZ_HEADER;
	memcpy(bz + BZ_HEADER, "HdrS", 4);
	put16(bz + BZ_VERSION, 0x020f);
	bz[BZ_LOADFLAGS] = 1;
	put32(bz + BZ_INITRD_ADDR_MAX, 0x7fffffff);
	put32(bz + BZ_KERNEL_ALIGNMENT, 0x2000);
	bz[BZ_RELOCATABLE] = 1;
	put32(bz + BZ_CMDLINE_SIZE, 2047);
	put64(bz + BZ_PREF_ADDRESS, 0x100000);
	put32(bz + BZ_INIT_SIZE, 0x10000);
	memcpy(bz + BZ_PM, poweroff, sizeof(poweroff));
}

static void bzimages(void)
{
	unsigned char bz[BZ_PM + 0x200];

	bzimage(bz, sizeof(bz));
	put16(bz + BZ_VERSION, 0x020b);
	bz[BZ_JUMP + 1] = 0x268 - BZ_HEADER; /* to handover_offset, new in 2.11 */
	spill("linux-old.bzImage", bz, sizeof(bz));

	bzimage(bz, sizeof(bz));
	put32(bz + BZ_INIT_SIZE, 0x2000000);
	spill("linux-big.bzImage", bz, sizeof(bz));

	bzimage(bz, sizeof(bz));
	spill("linux-trunc.bzImage", bz, 0x240);
}

int main(int argc, char **argv)
{
	static const char text[] = "This is not an ELF file, and no guest either.\n";

	if (argc != 4) {
		fprintf(stderr, "usage: badelf HELLO32.elf HELLO64.elf OUTDIR\n");
		return 2;
	}
	outdir = argv[3];
	from_elf32(argv[1]);
	from_elf64(argv[2]);
	spill("empty.elf", "", 0);
	spill("not-elf.elf", text, sizeof(text) - 1);
	bzimages();
	return 0;
}
