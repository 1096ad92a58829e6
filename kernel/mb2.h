/*
 * Multiboot2 boot information: the tag layouts GRUB hands the
 * hypervisor (Multiboot2 spec §3.6) and the parser that turns them into
 * a checked struct boot_info.  The parser is pure and has host unit
 * tests; it never trusts a size field without bounds-checking it.
 */
#ifndef KERNEL_MB2_H
#define KERNEL_MB2_H

#include "lib/types.h"

#define MB2_BOOT_MAGIC 0x36d76289u

/* Tag types (spec §3.6). */
enum mb2_tag_type {
	MB2_TAG_END = 0,
	MB2_TAG_CMDLINE = 1,
	MB2_TAG_LOADER = 2,
	MB2_TAG_MODULE = 3,
	MB2_TAG_BASIC_MEMINFO = 4,
	MB2_TAG_MMAP = 6,
	MB2_TAG_FRAMEBUFFER = 8,
	MB2_TAG_ACPI_OLD = 14,
	MB2_TAG_ACPI_NEW = 15,
};

struct mb2_info_header {
	u32 total_size;
	u32 reserved;
};
_Static_assert(sizeof(struct mb2_info_header) == 8, "MB2 info header");

struct mb2_tag {
	u32 type;
	u32 size; /* including this header, not the padding to 8 bytes */
};
_Static_assert(sizeof(struct mb2_tag) == 8, "MB2 tag header");

struct mb2_tag_module {
	struct mb2_tag tag;
	u32 mod_start;
	u32 mod_end;
	char string[]; /* NUL-terminated */
};
_Static_assert(sizeof(struct mb2_tag_module) == 16, "MB2 module tag");

struct mb2_tag_basic_meminfo {
	struct mb2_tag tag;
	u32 mem_lower; /* KiB from 0 */
	u32 mem_upper; /* KiB from 1 MiB */
};
_Static_assert(sizeof(struct mb2_tag_basic_meminfo) == 16, "MB2 meminfo tag");

struct mb2_tag_mmap {
	struct mb2_tag tag;
	u32 entry_size;
	u32 entry_version;
	/* entries follow */
};
_Static_assert(sizeof(struct mb2_tag_mmap) == 16, "MB2 mmap tag");

struct mb2_mmap_entry {
	u64 base;
	u64 len;
	u32 type;
	u32 reserved;
};
_Static_assert(sizeof(struct mb2_mmap_entry) == 24, "MB2 mmap entry");

struct mb2_tag_framebuffer {
	struct mb2_tag tag;
	u64 addr;
	u32 pitch;
	u32 width;
	u32 height;
	u8 bpp;
	u8 type; /* 0 indexed, 1 RGB, 2 EGA text */
	u16 reserved;
} PACKED;
_Static_assert(sizeof(struct mb2_tag_framebuffer) == 32, "MB2 framebuffer tag");

/* Memory region types, as in the Multiboot2 (and e820) memory map. */
enum mem_type {
	MEM_USABLE = 1,
	MEM_RESERVED = 2,
	MEM_ACPI_RECLAIMABLE = 3,
	MEM_ACPI_NVS = 4,
	MEM_BAD = 5,
};

#define BOOT_MAX_MODULES 64
/* Logged for each module past BOOT_MAX_MODULES (the grub.cfg linter prints it too). */
#define MB2_TOO_MANY_MODULES "boot: more than %u modules; module %u (%s) ignored"
#define BOOT_MAX_MMAP 128

struct mem_region {
	u64 base;
	u64 len;
	u32 type;
};

struct boot_module {
	u64 start; /* physical, inclusive */
	u64 end;   /* physical, exclusive */
	const char *cmdline;
	u32 number; /* its place among the module tags (from 0), as messages name it */
};

struct boot_framebuffer {
	bool present;
	u64 addr;
	u32 pitch, width, height;
	u8 bpp, type;
};

struct boot_info {
	u64 mbi_phys;
	u32 mbi_size;
	const char *cmdline; /* never NULL after a successful parse */
	const char *loader;  /* never NULL after a successful parse */
	struct boot_module modules[BOOT_MAX_MODULES];
	u32 nmodules;
	struct mem_region mmap[BOOT_MAX_MMAP];
	u32 nmmap;
	bool mmap_from_tag; /* false: built from basic meminfo or absent */
	bool have_basic_meminfo;
	u32 mem_lower_kib, mem_upper_kib;
	const void *rsdp; /* copy of the RSDP inside the MBI, or NULL */
	u32 rsdp_len;
	u8 rsdp_tag; /* MB2_TAG_ACPI_OLD or _NEW */
	struct boot_framebuffer fb;
};

/*
 * Parse the boot information at mbi (whose physical address is
 * mbi_phys).  Malformed tags are reported with klog() and skipped.
 * Returns 0, or -EINVAL when the magic or the header is unusable.
 * After success, bi->nmmap == 0 means the loader gave no memory
 * information at all (the caller must stop).
 */
int mb2_parse(u32 magic, const void *mbi, u64 mbi_phys, struct boot_info *bi);

/*
 * Refuse (drop, with a klog line each) modules that are empty, overlap
 * [image_start, image_end) or the boot information, or overlap an
 * earlier module.
 */
void mb2_check_modules(struct boot_info *bi, u64 image_start, u64 image_end);

/*
 * Sum of usable bytes in the memory map, at most UINT64_MAX: a broken map
 * may list overlapping regions that add up to more.
 */
u64 mb2_usable_bytes(const struct boot_info *bi);

#endif
