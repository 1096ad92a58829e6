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
	return 0;
}
