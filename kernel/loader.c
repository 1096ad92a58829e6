/*
 * Multiboot1 guest loader (see loader.h).  Every offset and size read
 * from the image is checked against the image size before use, and
 * every destination against the partition's RAM, overflow-safe.  What
 * the guest is given follows QEMU's hw/i386/multiboot.c: the command
 * line is the kernel's file name, a space and the -append text (a bare
 * trailing space without one); each module's string is its file name
 * and arguments; MB1_INFO_MODS is set even with no module.
 */
#include "kernel/loader.h"
#include "kernel/memmap.h"
#include "lib/format.h"
#include "lib/lib.h"
#include "vdev/layout.h"

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
		/* RAM stops below the APIC window: from there to 4 GiB the memory maps say
		 * reserved. */
		if (ranges_overlap(s.paddr, s.memsz, GUEST_APIC_WINDOW,
				   GUEST_4G - GUEST_APIC_WINDOW))
			FAIL(-ERANGE,
			     "segment %u (0x%llx-0x%llx) lies in the hole below 4 GiB "
			     "(0x%llx-0x%llx), which is no RAM",
			     i, (unsigned long long)s.paddr,
			     (unsigned long long)(s.paddr + s.memsz),
			     (unsigned long long)GUEST_APIC_WINDOW, (unsigned long long)GUEST_4G);
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

#define PAGE 4096u	 /* modules and the information block are page-aligned */
#define INFO_LOW 0x1000u /* preferred place: low memory, clear of most kernels */
#define LOADER_NAME "cloison"

/* The information page: these, then the strings. */
struct info_block {
	struct mb1_info info;
	struct mb1_mmap_entry mmap[MEMMAP_MAX];
	char loader[sizeof(LOADER_NAME)];
	struct mb1_module mods[MB1_MODULES_MAX];
} PACKED;
_Static_assert(sizeof(struct info_block) < MB1_INFO_SIZE / 2, "room left for the strings");

/* Write len bytes at *at (none: no call) and move *at past them. */
static int put(guest_write_fn write, void *ctx, u64 *at, const void *src, u64 len)
{
	if (len && write(ctx, *at, src, len) < 0)
		return -1;
	*at += len;
	return 0;
}

/*
 * Lay the modules out page-aligned from start, as QEMU does after the
 * kernel, below the end of the RAM that starts at 1 MiB (the APIC
 * window's RAM is not offered).  Fills each entry's start and end.
 */
static int place_modules(const struct mb1_boot *b, u64 start, u64 mem, struct info_block *blk,
			 char *why, size_t whylen)
{
	u64 at = start, top = memmap_high_end(mem);

	for (u32 i = 0; i < b->nmods; i++) {
		u64 size = b->mods[i].size;
		at = ALIGN_UP(at, PAGE);
		if (at > top || size > top - at) {
			if (at > GUEST_APIC_WINDOW || size > GUEST_APIC_WINDOW - at)
				FAIL(-ERANGE,
				     "module %u (%llu bytes) does not fit below the APIC window", i,
				     (unsigned long long)size);
			FAIL(-ERANGE,
			     "module %u (%llu bytes) does not fit in the partition's RAM after the "
			     "kernel (it needs mem=%lluM)",
			     i, (unsigned long long)size,
			     (unsigned long long)(ALIGN_UP(at + size, MiB(2)) >> 20));
		}
		blk->mods[i].mod_start = (u32)at;
		blk->mods[i].mod_end = (u32)(at + size);
		at += size;
	}
	return 0;
}

u32 mb1_write_boot(const struct mb1_image *img, u64 mem, const struct mb1_boot *b,
		   guest_write_fn write, void *ctx, char *why, size_t whylen)
{
	struct info_block blk;
	struct mem_region map[MEMMAP_MAX];
	u64 base = INFO_LOW, at;
	u32 nmap = memmap_build(mem, map);
	/* Each string is cut to the room left, keeping a NUL for it and each one after it. */
	size_t room = MB1_INFO_SIZE - sizeof(blk) - 1 - b->nmods;
	size_t name_len = MIN(b->name_len, room), space, args_len;

	room -= name_len;
	space = b->args && room ? 1 : 0;
	room -= space;
	args_len = b->args ? strnlen(b->args, room) : 0;
	room -= args_len;

	if (b->nmods > MB1_MODULES_MAX)
		FAIL(0, "%u modules; a Multiboot guest may have %u", b->nmods, MB1_MODULES_MAX);
	/* Low memory, unless the kernel was loaded there; then right after it. */
	if (ranges_overlap(base, MB1_INFO_SIZE, img->start, img->end - img->start))
		base = ALIGN_UP(img->end, PAGE);
	if (base + MB1_INFO_SIZE > mem || base + MB1_INFO_SIZE > GiB(4))
		FAIL(0, "no room for the Multiboot information block in guest RAM");

	memset(&blk, 0, sizeof(blk));
	if (place_modules(b, MAX(img->end, base + MB1_INFO_SIZE), mem, &blk, why, whylen) < 0)
		return 0;
	blk.info.flags = MB1_INFO_MEMORY | MB1_INFO_CMDLINE | MB1_INFO_MODS | MB1_INFO_MMAP |
			 MB1_INFO_LOADER;
	blk.info.mem_lower = GUEST_LOW_RAM_END / 1024;
	blk.info.mem_upper = (u32)((memmap_high_end(mem) - GUEST_HIGH_RAM) / 1024);
	blk.info.mods_count = b->nmods;
	blk.info.mods_addr = (u32)(base + offsetof(struct info_block, mods));
	blk.info.mmap_addr = (u32)(base + offsetof(struct info_block, mmap));
	blk.info.mmap_length = nmap * sizeof(struct mb1_mmap_entry);
	blk.info.boot_loader_name = (u32)(base + offsetof(struct info_block, loader));
	for (u32 i = 0; i < nmap; i++)
		blk.mmap[i] = (struct mb1_mmap_entry){ 20, map[i].base, map[i].len, map[i].type };
	memcpy(blk.loader, LOADER_NAME, sizeof(LOADER_NAME));

	/* The strings, each with its NUL: the command line, then each module's. */
	at = base + sizeof(blk);
	blk.info.cmdline = (u32)at;
	if (put(write, ctx, &at, b->name, name_len) < 0 || put(write, ctx, &at, " ", space) < 0 ||
	    put(write, ctx, &at, b->args, args_len) < 0 || put(write, ctx, &at, "", 1) < 0)
		goto fail;
	for (u32 i = 0; i < b->nmods; i++) {
		const struct guest_module *m = &b->mods[i];
		size_t len = MIN(m->name_len, room);
		u64 data = blk.mods[i].mod_start;
		room -= len;
		blk.mods[i].string = (u32)at;
		if (put(write, ctx, &at, m->name, len) < 0 || put(write, ctx, &at, "", 1) < 0 ||
		    put(write, ctx, &data, m->data, m->size) < 0)
			goto fail;
	}
	if (write(ctx, base, &blk, sizeof(blk)) < 0)
		goto fail;
	return (u32)base;
fail:
	FAIL(0, "the Multiboot information block or a module could not be written");
}

u32 mb1_write_info(const struct mb1_image *img, u64 mem, const char *cmdline, guest_write_fn write,
		   void *ctx, char *why, size_t whylen)
{
	struct mb1_boot b = { cmdline, strlen(cmdline), NULL, NULL, 0 };

	return mb1_write_boot(img, mem, &b, write, ctx, why, whylen);
}
