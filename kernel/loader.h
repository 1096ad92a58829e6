/*
 * The guest loader: a partition boots a Multiboot1 kernel the way
 * `qemu -kernel K -append ARGS -initrd M1,M2` does (Multiboot 0.6.96
 * §3).  ELF32, or ELF64 with a Multiboot1 header; PT_LOAD segments go to
 * their physical addresses in guest RAM [0, mem); the modules follow
 * the kernel, page-aligned; a Multiboot information block describes
 * the RAM (kernel/memmap.c), the command line and the modules.  Pure
 * logic: guest memory is written through a callback, so the host unit
 * tests run it on crafted images.  Linux bzImages are kernel/linux.c's.
 */
#ifndef KERNEL_LOADER_H
#define KERNEL_LOADER_H

#include "lib/types.h"

#define MB1_HEADER_MAGIC 0x1badb002u
#define MB1_BOOT_MAGIC 0x2badb002u
#define MB1_SEARCH_BYTES 8192
#define MB1_MAX_SEGMENTS 64 /* loadable segments in one image (a kernel has a handful) */

/* Multiboot1 header flags (spec §3.1.2). */
#define MB1_FLAG_PAGE_ALIGN (1u << 0)
#define MB1_FLAG_MEMORY_INFO (1u << 1)
#define MB1_FLAG_VIDEO_MODE (1u << 2)
#define MB1_FLAG_ADDRESS (1u << 16)

struct mb1_header {
	u32 magic;
	u32 flags;
	u32 checksum;
	/* valid when MB1_FLAG_ADDRESS is set */
	u32 header_addr;
	u32 load_addr;
	u32 load_end_addr;
	u32 bss_end_addr;
	u32 entry_addr;
};
_Static_assert(sizeof(struct mb1_header) == 32, "Multiboot1 header");

/* Multiboot1 information block (spec §3.3), as far as cloison fills it. */
struct mb1_info {
	u32 flags;
	u32 mem_lower; /* KiB */
	u32 mem_upper; /* KiB above 1 MiB */
	u32 boot_device;
	u32 cmdline;
	u32 mods_count;
	u32 mods_addr;
	u32 syms[4];
	u32 mmap_length;
	u32 mmap_addr;
	u32 drives_length;
	u32 drives_addr;
	u32 config_table;
	u32 boot_loader_name;
	u32 apm_table;
	u32 vbe[6];
} PACKED;
_Static_assert(sizeof(struct mb1_info) == 96, "Multiboot1 info block");

#define MB1_INFO_MEMORY (1u << 0)
#define MB1_INFO_CMDLINE (1u << 2)
#define MB1_INFO_MODS (1u << 3)
#define MB1_INFO_MMAP (1u << 6)
#define MB1_INFO_LOADER (1u << 9)

/* One entry of the module list at mods_addr (spec §3.3). */
struct mb1_module {
	u32 mod_start;
	u32 mod_end; /* exclusive */
	u32 string;  /* its command line */
	u32 reserved;
} PACKED;
_Static_assert(sizeof(struct mb1_module) == 16, "Multiboot1 module entry");

#define MB1_MODULES_MAX 8 /* modules one guest may be given */

struct mb1_mmap_entry {
	u32 size; /* of the rest of the entry: 20 */
	u64 base;
	u64 len;
	u32 type;
} PACKED;
_Static_assert(sizeof(struct mb1_mmap_entry) == 24, "Multiboot1 memory map entry");

/* Where guest memory is written: ctx is the caller's. */
typedef int (*guest_write_fn)(void *ctx, u64 gpa, const void *src, u64 len);

/* A file handed to a guest beside its kernel: a Multiboot module, a Linux initrd. */
struct guest_module {
	const u8 *data;
	u64 size;
	const char *name; /* its command line (Multiboot): name_len bytes, no NUL needed */
	size_t name_len;
};

/* What a Multiboot guest is given besides its RAM. */
struct mb1_boot {
	/* The command line: name (the kernel's file name), a space and args, as QEMU makes it. */
	const char *name;
	size_t name_len;
	const char *args; /* NUL-terminated; NULL: the name alone, without the space */
	const struct guest_module *mods;
	u32 nmods; /* at most MB1_MODULES_MAX */
};

struct mb1_image {
	u32 entry;
	u64 start; /* lowest byte loaded */
	u64 end;   /* highest byte loaded (exclusive) */
	bool elf64;
};

/*
 * Validate the image and copy its segments into guest memory of mem
 * bytes.  On error returns -errno and writes one sentence to why.
 */
int mb1_load(const u8 *img, u64 size, u64 mem, guest_write_fn write, void *ctx,
	     struct mb1_image *out, char *why, size_t whylen);

/*
 * Write the information block (MB1_INFO_SIZE bytes: the block, memory
 * map, loader name, module list and the strings, each cut to what
 * room is left) clear of the loaded image [img->start, img->end), and
 * each module's bytes page-aligned after both, below the APIC window.
 * Returns the block's guest address (for EBX), or 0 with why set.
 */
u32 mb1_write_boot(const struct mb1_image *img, u64 mem, const struct mb1_boot *b,
		   guest_write_fn write, void *ctx, char *why, size_t whylen);

/* mb1_write_boot with cmdline as the whole command line and no module. */
u32 mb1_write_info(const struct mb1_image *img, u64 mem, const char *cmdline, guest_write_fn write,
		   void *ctx, char *why, size_t whylen);

#define MB1_INFO_SIZE 0x1000u /* the information block's page */

#endif
