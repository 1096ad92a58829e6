/*
 * Multiboot2 tag parser.  GRUB passes a block of 8-byte-aligned tags
 * (Multiboot2 spec §3.6); this walks them with every size checked
 * against the block, copies what the hypervisor needs into struct
 * boot_info, and reports each malformed or missing tag in one line.
 */
#include "kernel/mb2.h"
#include "kernel/console.h"
#include "lib/lib.h"

#define MB2_INFO_MAX (16u << 20) /* refuse absurd total_size values */

/* A string field of at most max bytes that must contain its NUL. */
static const char *tag_string(const char *s, size_t max)
{
	return strnlen(s, max) < max ? s : NULL;
}

static void parse_module(struct boot_info *bi, const struct mb2_tag *t, u32 index)
{
	const struct mb2_tag_module *m = (const void *)t;
	const char *str;

	if (t->size < sizeof(*m) + 1) {
		klog("boot: module tag %u is truncated (size %u); module refused", index, t->size);
		return;
	}
	str = tag_string(m->string, t->size - sizeof(*m));
	if (!str) {
		klog("boot: module %u has an unterminated string; module refused", index);
		return;
	}
	if (bi->nmodules == BOOT_MAX_MODULES) {
		klog(MB2_TOO_MANY_MODULES, BOOT_MAX_MODULES, index, str);
		return;
	}
	bi->modules[bi->nmodules++] = (struct boot_module){ m->mod_start, m->mod_end, str, index };
}

static void parse_mmap(struct boot_info *bi, const struct mb2_tag *t)
{
	/* lab 1: read the memory map tag into bi->mmap */
	const struct mb2_tag_mmap *mm = (const void *)t;
	const u8 *p, *end;

	if (t->size < sizeof(*mm) || mm->entry_size < sizeof(struct mb2_mmap_entry) ||
	    mm->entry_size % 8) {
		klog("boot: memory map tag is malformed (size %u, entry size %u); ignored", t->size,
		     t->size >= sizeof(*mm) ? mm->entry_size : 0);
		return;
	}
	bi->nmmap = 0;
	p = (const u8 *)t + sizeof(*mm);
	end = (const u8 *)t + t->size;
	for (; (size_t)(end - p) >= mm->entry_size; p += mm->entry_size) {
		const struct mb2_mmap_entry *e = (const void *)p;
		u64 len = e->len;
		if (len == 0)
			continue;
		if (e->base + len < e->base) /* wraps: clip at the top of the space */
			len = 0 - e->base;
		if (bi->nmmap == BOOT_MAX_MMAP) {
			klog("boot: memory map has more than %u entries; the rest is ignored",
			     BOOT_MAX_MMAP);
			break;
		}
		bi->mmap[bi->nmmap++] = (struct mem_region){ e->base, len, e->type };
	}
	bi->mmap_from_tag = true;
	/* lab 1: end */
}

static void parse_framebuffer(struct boot_info *bi, const struct mb2_tag *t)
{
	const struct mb2_tag_framebuffer *fb = (const void *)t;

	if (t->size < offsetof(struct mb2_tag_framebuffer, reserved)) {
		klog("boot: framebuffer tag is truncated (size %u); ignored", t->size);
		return;
	}
	bi->fb = (struct boot_framebuffer){ true,	fb->addr, fb->pitch, fb->width,
					    fb->height, fb->bpp,  fb->type };
}

static void parse_acpi(struct boot_info *bi, const struct mb2_tag *t)
{
	/* RSDP v1 is 20 bytes, v2 is 36 (ACPI 6.4 §5.2.5.3). */
	u32 need = t->type == MB2_TAG_ACPI_OLD ? 20 : 36;

	if (t->size < sizeof(*t) + need) {
		klog("boot: ACPI RSDP tag %u is truncated (size %u); ignored", t->type, t->size);
		return;
	}
	/* Prefer the new (XSDT) RSDP when both are present. */
	if (bi->rsdp && bi->rsdp_tag == MB2_TAG_ACPI_NEW)
		return;
	bi->rsdp = (const u8 *)t + sizeof(*t);
	bi->rsdp_len = t->size - sizeof(*t);
	bi->rsdp_tag = (u8)t->type;
}

/* Without a memory map, fall back to the basic lower/upper sizes. */
static void mmap_from_basic(struct boot_info *bi)
{
	if (!bi->have_basic_meminfo) {
		klog("boot: the loader passed no memory map and no basic memory information");
		return;
	}
	klog("boot: no memory map from the loader; using basic meminfo (%u KiB low, %u KiB "
	     "high)",
	     bi->mem_lower_kib, bi->mem_upper_kib);
	bi->nmmap = 0;
	if (bi->mem_lower_kib)
		bi->mmap[bi->nmmap++] =
			(struct mem_region){ 0, KiB(bi->mem_lower_kib), MEM_USABLE };
	if (bi->mem_upper_kib)
		bi->mmap[bi->nmmap++] =
			(struct mem_region){ MiB(1), KiB(bi->mem_upper_kib), MEM_USABLE };
}

int mb2_parse(u32 magic, const void *mbi, u64 mbi_phys, struct boot_info *bi)
{
	const struct mb2_info_header *h = mbi;
	const u8 *p, *end;
	bool seen_end = false, malformed = false;
	u32 module_index = 0;

	memset(bi, 0, sizeof(*bi));
	bi->cmdline = "";
	bi->loader = "unknown";
	if (magic != MB2_BOOT_MAGIC) {
		klog("boot: not started by a Multiboot2 loader (magic 0x%x, want 0x%x)", magic,
		     MB2_BOOT_MAGIC);
		return -EINVAL;
	}
	if (!mbi || (mbi_phys & 7)) {
		klog("boot: boot information at 0x%llx is missing or misaligned",
		     (unsigned long long)mbi_phys);
		return -EINVAL;
	}
	if (h->total_size < sizeof(*h) + sizeof(struct mb2_tag) || h->total_size > MB2_INFO_MAX) {
		klog("boot: boot information has an impossible size (%u bytes)", h->total_size);
		return -EINVAL;
	}
	bi->mbi_phys = mbi_phys;
	bi->mbi_size = h->total_size;

	p = (const u8 *)mbi + sizeof(*h);
	end = (const u8 *)mbi + h->total_size;
	while ((size_t)(end - p) >= sizeof(struct mb2_tag)) {
		const struct mb2_tag *t = (const void *)p;
		if (t->size < sizeof(*t) || t->size > (size_t)(end - p)) {
			klog("boot: malformed tag (type %u, size %u) at offset %u; rest of the "
			     "boot "
			     "information ignored",
			     t->type, t->size, (u32)(p - (const u8 *)mbi));
			malformed = true;
			break;
		}
		if (t->type == MB2_TAG_END) {
			seen_end = true;
			break;
		}
		switch (t->type) {
		case MB2_TAG_CMDLINE:
		case MB2_TAG_LOADER: {
			const char *s = tag_string((const char *)(t + 1), t->size - sizeof(*t));
			if (!s)
				klog("boot: %s tag is not NUL-terminated; ignored",
				     t->type == MB2_TAG_CMDLINE ? "command line" : "loader name");
			else if (t->type == MB2_TAG_CMDLINE)
				bi->cmdline = s;
			else
				bi->loader = s;
			break;
		}
		case MB2_TAG_MODULE:
			parse_module(bi, t, module_index++);
			break;
		case MB2_TAG_BASIC_MEMINFO:
			if (t->size < sizeof(struct mb2_tag_basic_meminfo)) {
				klog("boot: basic meminfo tag is truncated; ignored");
				break;
			}
			bi->have_basic_meminfo = true;
			bi->mem_lower_kib = ((const struct mb2_tag_basic_meminfo *)t)->mem_lower;
			bi->mem_upper_kib = ((const struct mb2_tag_basic_meminfo *)t)->mem_upper;
			break;
		case MB2_TAG_MMAP:
			parse_mmap(bi, t);
			break;
		case MB2_TAG_FRAMEBUFFER:
			parse_framebuffer(bi, t);
			break;
		case MB2_TAG_ACPI_OLD:
		case MB2_TAG_ACPI_NEW:
			parse_acpi(bi, t);
			break;
		default:
			break; /* tags we do not use */
		}
		/* The padding after the last tag may be cut off too. */
		p += MIN(ALIGN_UP(t->size, 8), (size_t)(end - p));
	}
	if (!seen_end && !malformed) /* a malformed tag was already reported */
		klog("boot: boot information has no end tag; using the tags before the cut");
	if (!bi->mmap_from_tag)
		mmap_from_basic(bi);
	return 0;
}

void mb2_check_modules(struct boot_info *bi, u64 image_start, u64 image_end)
{
	u32 kept = 0;

	for (u32 i = 0; i < bi->nmodules; i++) {
		struct boot_module *m = &bi->modules[i];
		u64 len = m->end - m->start;
		const char *why = NULL;

		if (m->end <= m->start)
			why = "is empty or ends before it starts";
		else if (ranges_overlap(m->start, len, image_start, image_end - image_start))
			why = "overlaps the hypervisor image";
		else if (ranges_overlap(m->start, len, bi->mbi_phys, bi->mbi_size))
			why = "overlaps the boot information";
		for (u32 j = 0; !why && j < kept; j++)
			if (ranges_overlap(m->start, len, bi->modules[j].start,
					   bi->modules[j].end - bi->modules[j].start))
				why = "overlaps another module";
		if (why) {
			klog("boot: module %u (%s) at 0x%llx-0x%llx %s; module refused", m->number,
			     m->cmdline, (unsigned long long)m->start, (unsigned long long)m->end,
			     why);
			continue;
		}
		bi->modules[kept++] = *m;
	}
	bi->nmodules = kept;
}

u64 mb2_usable_bytes(const struct boot_info *bi)
{
	u64 sum = 0;
	for (u32 i = 0; i < bi->nmmap; i++) {
		u64 len = bi->mmap[i].len;
		if (bi->mmap[i].type == MEM_USABLE)
			sum = len > UINT64_MAX - sum ? UINT64_MAX : sum + len;
	}
	return sum;
}
