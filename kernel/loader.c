/*
 * Multiboot1 guest loader (see loader.h).  Every offset and size read
 * from the image is checked against the image size before use, and
 * every destination against the partition's RAM, overflow-safe.
 */
#include "kernel/loader.h"
#include "lib/format.h"
#include "lib/lib.h"

/* ELF definitions (System V ABI, and the x86-64 supplement). */
#define ELFCLASS32 1
#define ELFCLASS64 2
#define ELFDATA2LSB 1
#define EM_386 3
#define EM_X86_64 62
#define PT_LOAD 1

struct elf32_ehdr {
	u8 ident[16];
	u16 type, machine;
	u32 version, entry, phoff, shoff, flags;
	u16 ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
} PACKED;
_Static_assert(sizeof(struct elf32_ehdr) == 52, "ELF32 header");

struct elf64_ehdr {
	u8 ident[16];
	u16 type, machine;
	u32 version;
	u64 entry, phoff, shoff;
	u32 flags;
	u16 ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
} PACKED;
_Static_assert(sizeof(struct elf64_ehdr) == 64, "ELF64 header");

struct elf32_phdr {
	u32 type, offset, vaddr, paddr, filesz, memsz, flags, align;
} PACKED;
_Static_assert(sizeof(struct elf32_phdr) == 32, "ELF32 program header");

struct elf64_phdr {
	u32 type, flags;
	u64 offset, vaddr, paddr, filesz, memsz, align;
} PACKED;
_Static_assert(sizeof(struct elf64_phdr) == 56, "ELF64 program header");

/* A loadable segment, whatever the ELF class. */
struct segment {
	u64 offset, paddr, filesz, memsz;
};

#define FAIL(err, ...)                                                                             \
	do {                                                                                       \
		format(why, whylen, __VA_ARGS__);                                                  \
		return (err);                                                                      \
	} while (0)

/* The magic, flags and checksum: the whole header unless the address flag is set. */
#define MB1_HEADER_MIN 12

static const struct mb1_header *find_header(const u8 *img, u64 size)
{
	for (u64 off = 0; off + MB1_HEADER_MIN <= MIN(size, MB1_SEARCH_BYTES); off += 4) {
		const struct mb1_header *h = (const void *)(img + off);
		if (h->magic == MB1_HEADER_MAGIC && h->magic + h->flags + h->checksum == 0)
			return h;
	}
	return NULL;
}

static void get_segment(const u8 *img, u64 phoff, u32 i, bool elf64, struct segment *s, u32 *type)
{
	if (elf64) {
		const struct elf64_phdr *p = (const void *)(img + phoff + (u64)i * sizeof(*p));
		*type = p->type;
		*s = (struct segment){ p->offset, p->paddr, p->filesz, p->memsz };
	} else {
		const struct elf32_phdr *p = (const void *)(img + phoff + (u64)i * sizeof(*p));
		*type = p->type;
		*s = (struct segment){ p->offset, p->paddr, p->filesz, p->memsz };
	}
}

int mb1_load(const u8 *img, u64 size, u64 mem, guest_write_fn write, void *ctx,
	     struct mb1_image *out, char *why, size_t whylen)
{
	const struct mb1_header *mb;
	u64 phoff, entry;
	u32 phnum, phentsize, loaded = 0;
	struct segment seen[MB1_MAX_SEGMENTS];
	bool elf64, entry_loaded = false;

	if (size < sizeof(struct elf32_ehdr) || memcmp(img, "\177ELF", 4) != 0)
		FAIL(-ENOEXEC, "not an ELF file");
	if (img[5] != ELFDATA2LSB)
		FAIL(-ENOEXEC, "not a little-endian ELF file");
	if (img[4] == ELFCLASS32) {
		const struct elf32_ehdr *h = (const void *)img;
		if (h->machine != EM_386)
			FAIL(-ENOEXEC, "ELF32 file for machine %u, not i386", h->machine);
		elf64 = false;
		phoff = h->phoff, phnum = h->phnum, phentsize = h->phentsize, entry = h->entry;
		if (phentsize != sizeof(struct elf32_phdr))
			FAIL(-ENOEXEC, "ELF32 program header size %u is wrong", phentsize);
	} else if (img[4] == ELFCLASS64) {
		const struct elf64_ehdr *h = (const void *)img;
		if (size < sizeof(*h))
			FAIL(-ENOEXEC, "ELF64 header is truncated");
		if (h->machine != EM_X86_64)
			FAIL(-ENOEXEC, "ELF64 file for machine %u, not x86-64", h->machine);
		elf64 = true;
		phoff = h->phoff, phnum = h->phnum, phentsize = h->phentsize, entry = h->entry;
		if (phentsize != sizeof(struct elf64_phdr))
			FAIL(-ENOEXEC, "ELF64 program header size %u is wrong", phentsize);
	} else {
		FAIL(-ENOEXEC, "unknown ELF class %u", img[4]);
	}

	mb = find_header(img, size);
	if (!mb)
		FAIL(-ENOEXEC, "no Multiboot1 header in the first %u bytes", MB1_SEARCH_BYTES);
	if (mb->flags & MB1_FLAG_VIDEO_MODE)
		FAIL(-ENOEXEC, "the Multiboot header asks for a video mode; partitions have none");
	if (mb->flags & 0xfff8u)
		FAIL(-ENOEXEC, "the Multiboot header requires unknown features (flags 0x%x)",
		     mb->flags & 0xffffu);
	if (mb->flags & MB1_FLAG_ADDRESS) {
		if ((const u8 *)mb + sizeof(*mb) > img + MIN(size, MB1_SEARCH_BYTES))
			FAIL(-ENOEXEC, "the Multiboot header's address fields are truncated");
		entry = mb->entry_addr;
	}

	if (phnum == 0 || phoff > size || (u64)phnum * phentsize > size - phoff)
		FAIL(-ENOEXEC, "program headers lie outside the file");
	out->start = UINT64_MAX;
	out->end = 0;
	for (u32 i = 0; i < phnum; i++) {
		struct segment s;
		u32 type;
		get_segment(img, phoff, i, elf64, &s, &type);
		if (type != PT_LOAD || s.memsz == 0)
			continue;
		if (loaded == MB1_MAX_SEGMENTS)
			FAIL(-ENOEXEC, "more than %u loadable segments", MB1_MAX_SEGMENTS);
		/* One segment's bytes would overwrite another's: which one wins is no rule. */
		for (u32 k = 0; k < loaded; k++)
			if (ranges_overlap(s.paddr, s.memsz, seen[k].paddr, seen[k].memsz))
				FAIL(-ENOEXEC,
				     "segment %u overlaps an earlier segment (0x%llx-0x%llx)", i,
				     (unsigned long long)seen[k].paddr,
				     (unsigned long long)(seen[k].paddr + seen[k].memsz));
		if (s.filesz > s.memsz || s.offset > size || s.filesz > size - s.offset)
			FAIL(-ENOEXEC, "segment %u has sizes that do not fit the file", i);
		if (s.paddr >= mem || s.memsz > mem - s.paddr)
			FAIL(-ERANGE,
			     "segment %u (0x%llx-0x%llx) lies outside the partition's RAM (0x%llx "
			     "bytes)",
			     i, (unsigned long long)s.paddr,
			     (unsigned long long)(s.paddr + s.memsz), (unsigned long long)mem);
		if (s.filesz && write(ctx, s.paddr, img + s.offset, s.filesz) < 0)
			FAIL(-EFAULT, "segment %u could not be written to guest RAM", i);
		/* The rest (bss) is already zero: partition RAM is scrubbed before use. */
		if (entry >= s.paddr && entry - s.paddr < s.filesz)
			entry_loaded = true;
		out->start = MIN(out->start, s.paddr);
		out->end = MAX(out->end, s.paddr + s.memsz);
		seen[loaded++] = s;
	}
	if (!loaded)
		FAIL(-ENOEXEC, "no loadable segment");
	if (entry >= mem || entry >= GiB(4))
		FAIL(-ERANGE, "entry point 0x%llx lies outside the partition's RAM",
		     (unsigned long long)entry);
	/* As GRUB: elsewhere the vCPU would start in zeroes or in the information block. */
	if (!entry_loaded)
		FAIL(-ENOEXEC, "entry point 0x%llx is not in the bytes a segment loads",
		     (unsigned long long)entry);
	out->entry = (u32)entry;
	out->elf64 = elf64;
	return 0;
}

#define INFO_LOW 0x1000u  /* preferred place: low memory, clear of most kernels */
#define INFO_SIZE 0x1000u /* block + memory map + strings */
#define LOW_MEM_END 0x9fc00u
#define LOADER_NAME "cloison"

u32 mb1_write_info(const struct mb1_image *img, u64 mem, const char *cmdline, guest_write_fn write,
		   void *ctx, char *why, size_t whylen)
{
	struct {
		struct mb1_info info;
		struct mb1_mmap_entry mmap[2];
		char loader[sizeof(LOADER_NAME)];
	} PACKED blk;
	u64 base = INFO_LOW;
	size_t cmdlen = strnlen(cmdline, INFO_SIZE - sizeof(blk) - 1);
	u32 mmap_off = offsetof(typeof(blk), mmap), name_off = offsetof(typeof(blk), loader);

	/* Low memory, unless the kernel was loaded there; then right after it. */
	if (ranges_overlap(base, INFO_SIZE, img->start, img->end - img->start))
		base = ALIGN_UP(img->end, 4096);
	if (base + INFO_SIZE > mem || base + INFO_SIZE > GiB(4))
		FAIL(0, "no room for the Multiboot information block in guest RAM");

	memset(&blk, 0, sizeof(blk));
	blk.info.flags = MB1_INFO_MEMORY | MB1_INFO_CMDLINE | MB1_INFO_MMAP | MB1_INFO_LOADER;
	blk.info.mem_lower = LOW_MEM_END / 1024;
	blk.info.mem_upper = (u32)((mem - MiB(1)) / 1024);
	blk.info.mmap_addr = (u32)(base + mmap_off);
	blk.info.mmap_length = sizeof(blk.mmap);
	blk.info.boot_loader_name = (u32)(base + name_off);
	blk.info.cmdline = (u32)(base + sizeof(blk));
	blk.mmap[0] = (struct mb1_mmap_entry){ 20, 0, LOW_MEM_END, 1 };
	blk.mmap[1] = (struct mb1_mmap_entry){ 20, MiB(1), mem - MiB(1), 1 };
	memcpy(blk.loader, LOADER_NAME, sizeof(LOADER_NAME));

	if (write(ctx, base, &blk, sizeof(blk)) < 0 ||
	    write(ctx, base + sizeof(blk), cmdline, cmdlen) < 0 ||
	    write(ctx, base + sizeof(blk) + cmdlen, "", 1) < 0)
		FAIL(0, "the Multiboot information block could not be written");
	return (u32)base;
}
