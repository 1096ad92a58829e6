/*
 * Linux bzImage loader (see linux.h).  Every field is read from the
 * image only once the image is known to hold it; every address the
 * loader picks is checked against the partition's usable RAM below the
 * APIC window, overflow-safe, before anything is written.  The kernel
 * is entered in 32-bit mode at its protected-mode code (boot.rst,
 * "32-bit Boot Protocol"): it builds its own page tables from there.
 */
#include "kernel/linux.h"
#include "kernel/memmap.h"
#include "lib/format.h"
#include "lib/lib.h"
#include "vdev/layout.h"

#define PAGE 4096u

/* Offsets in the image (boot.rst, "The Real-Mode Kernel Header"). */
#define OFF_HDR 0x1f1	   /* the setup header starts here */
#define OFF_JUMP_LEN 0x201 /* the header ends at 0x202 + this byte */
#define OFF_MAGIC 0x202
#define OFF_VERSION 0x206
#define HDR_NEEDED 0x264 /* the header holds init_size: protocol 2.10 and later */
#define HDR_ROOM 0x290	 /* boot_params has room for the header up to here */

#define FAIL(err, ...)                                                                             \
	do {                                                                                       \
		format(why, whylen, __VA_ARGS__);                                                  \
		return (err);                                                                      \
	} while (0)

/*
 * A flat 4 GiB segment descriptor (SDM 3A §3.4.5): base 0, limit 0xfffff
 * in 4 KiB units (G), 32-bit (D/B), present, DPL 0, code or data (S),
 * with the type given (accessed bit set, so the CPU need not write it).
 */
#define FLAT_DESC(type) (0x00cf90000000ffffull | ((u64)(type) << 40))
#define TYPE_CODE_RX 0xb /* execute/read, accessed */
#define TYPE_DATA_RW 0x3 /* read/write, accessed */

static u16 get16(const u8 *img, u64 off)
{
	return (u16)(img[off] | img[off + 1] << 8);
}

static u32 get32(const u8 *img, u64 off)
{
	return get16(img, off) | (u32)get16(img, off + 2) << 16;
}

bool linux_is_bzimage(const u8 *img, u64 size)
{
	return size >= OFF_MAGIC + 4 && get16(img, 0x1fe) == LINUX_BOOT_FLAG &&
	       get32(img, OFF_MAGIC) == LINUX_HEADER_MAGIC;
}

/* Say how much RAM a range ending at end would need, or that it cannot have it. */
static int no_room(const char *what, u64 end, char *why, size_t whylen)
{
	if (end > GUEST_APIC_WINDOW)
		FAIL(-ERANGE, "%s would reach past the APIC window (0x%llx)", what,
		     (unsigned long long)end);
	FAIL(-ERANGE, "%s does not fit in the partition's RAM: it needs mem=%lluM", what,
	     (unsigned long long)(ALIGN_UP(end, MiB(2)) >> 20));
}

/*
 * Where the protected-mode kernel of pm_size bytes goes, and the range
 * it uses until it reads its memory map (boot.rst, "init_size": from its
 * runtime start, the load address when it is relocatable, pref_address
 * when it is not).  Only in [1 MiB, top).
 */
static int place_kernel(const struct linux_setup_header *h, u64 pm_size, u64 top,
			struct linux_image *out, char *why, size_t whylen)
{
	u64 need = MAX((u64)h->init_size, pm_size), pref = out->pref_address;
	u64 align = h->kernel_alignment;
	char what[64];

	if (out->relocatable) {
		if (align < PAGE || (align & (align - 1)))
			FAIL(-ENOEXEC,
			     "kernel_alignment 0x%llx is not a power of two of 4 KiB or "
			     "more",
			     (unsigned long long)align);
		/* The preferred address, else the lowest aligned one: it leaves the most room. */
		if (pref >= GUEST_HIGH_RAM && IS_ALIGNED(pref, align) && pref <= top &&
		    need <= top - pref)
			out->load = pref;
		else
			out->load = ALIGN_UP(GUEST_HIGH_RAM, align);
		out->start = out->load;
		out->end = out->load + need; /* both below 2^33: no overflow */
	} else {
		/* It moves itself to pref_address, however loaded (boot.rst, "pref_address"). */
		u64 run = pref >= GUEST_HIGH_RAM ? pref : GUEST_HIGH_RAM;
		out->load = GUEST_HIGH_RAM;
		out->start = GUEST_HIGH_RAM;
		if (run > GUEST_APIC_WINDOW)
			return no_room("the kernel (pref_address)", run, why, whylen);
		out->end = MAX(GUEST_HIGH_RAM + pm_size, run + h->init_size);
	}
	if (out->end > top) {
		format(what, sizeof(what), "the kernel (0x%llx bytes from 0x%llx)",
		       (unsigned long long)(out->end - out->start), (unsigned long long)out->start);
		return no_room(what, out->end, why, whylen);
	}
	return 0;
}

/*
 * The initrd goes page-aligned as high as it can below min(top,
 * initrd_addr_max + 1), clear of the kernel's range: above it if it
 * fits there, else below it, never under 1 MiB.
 */
static int place_initrd(const struct guest_module *m, u64 top, struct linux_image *out, char *why,
			size_t whylen)
{
	u64 ceiling = MIN(top, (u64)out->initrd_addr_max + 1), size = m->size, at;
	char what[64];

	if (size <= ceiling) {
		at = ALIGN_DOWN(ceiling - size, PAGE);
		if (ranges_overlap(at, size, out->start, out->end - out->start))
			at = size <= out->start ? ALIGN_DOWN(out->start - size, PAGE) : 0;
		if (at >= GUEST_HIGH_RAM &&
		    !ranges_overlap(at, size, out->start, out->end - out->start)) {
			out->initrd = at;
			out->initrd_size = size;
			return 0;
		}
	}
	/* Above the kernel is where more RAM would help, unless the kernel cannot reach it. */
	at = ALIGN_UP(out->end, PAGE) + size;
	if (at > (u64)out->initrd_addr_max + 1)
		FAIL(-ERANGE,
		     "the initrd (%llu bytes) does not fit below initrd_addr_max 0x%x beside "
		     "the kernel",
		     (unsigned long long)size, out->initrd_addr_max);
	format(what, sizeof(what), "the initrd (%llu bytes)", (unsigned long long)size);
	return no_room(what, at, why, whylen);
}

/* Write the zero page, then the fields cloison fills, at LINUX_BOOT_PARAMS. */
static int write_params(const u8 *img, u64 hdr_end, struct linux_setup_header *h, u64 mem,
			const struct linux_image *out, guest_write_fn write, void *ctx)
{
	static const u8 zero[256];
	const u64 bp = LINUX_BOOT_PARAMS;
	struct linux_e820_entry e820[MEMMAP_MAX];
	struct mem_region map[MEMMAP_MAX];
	u32 n = memmap_build(mem, map), high[3];
	u64 rsdp = GUEST_RSDP;
	u8 entries = (u8)n;

	for (u64 off = 0; off < sizeof(struct linux_boot_params); off += sizeof(zero))
		if (write(ctx, bp + off, zero, sizeof(zero)) < 0)
			return -1;
	for (u32 i = 0; i < n; i++)
		e820[i] = (struct linux_e820_entry){ map[i].base, map[i].len, map[i].type };
	high[0] = (u32)(out->initrd >> 32);	 /* ext_ramdisk_image */
	high[1] = (u32)(out->initrd_size >> 32); /* ext_ramdisk_size */
	high[2] = 0;				 /* ext_cmd_line_ptr: the line is in low RAM */
	/* The header as the image has it, with the fields a loader writes (boot.rst, "Details of
	 * Header Fields"). */
	h->type_of_loader = LINUX_LOADER_UNDEFINED;
	h->loadflags = (u8)((h->loadflags | LINUX_CAN_USE_HEAP) & ~LINUX_KEEP_SEGMENTS);
	h->heap_end_ptr = LINUX_HEAP_END;
	h->code32_start = (u32)out->load;
	h->ramdisk_image = (u32)out->initrd;
	h->ramdisk_size = (u32)out->initrd_size;
	h->cmd_line_ptr = LINUX_CMDLINE;
	if (write(ctx, bp + offsetof(struct linux_boot_params, hdr), h, sizeof(*h)) < 0 ||
	    write(ctx, bp + offsetof(struct linux_boot_params, ext_ramdisk_image), high,
		  sizeof(high)) < 0 ||
	    write(ctx, bp + offsetof(struct linux_boot_params, e820_entries), &entries, 1) < 0 ||
	    write(ctx, bp + offsetof(struct linux_boot_params, e820_table), e820,
		  n * sizeof(e820[0])) < 0)
		return -1;
	/* Header bytes of protocols after 2.15, copied as they are. */
	if (hdr_end > 0x26c && write(ctx, bp + 0x26c, img + 0x26c, hdr_end - 0x26c) < 0)
		return -1;
	if (out->version >= LINUX_PROTOCOL_RSDP &&
	    write(ctx, bp + offsetof(struct linux_boot_params, acpi_rsdp_addr), &rsdp,
		  sizeof(rsdp)) < 0)
		return -1;
	return 0;
}

int linux_load(const u8 *img, u64 size, u64 mem, const char *cmdline,
	       const struct guest_module *initrd, guest_write_fn write, void *ctx,
	       struct linux_image *out, struct vcpu_boot_state *boot, char *why, size_t whylen)
{
	static const u64 gdt[4] = { 0, 0, FLAT_DESC(TYPE_CODE_RX), FLAT_DESC(TYPE_DATA_RW) };
	struct linux_setup_header h;
	u64 hdr_end, setup_sects, pm_off, top = memmap_high_end(mem);
	u16 version;
	int err;

	memset(out, 0, sizeof(*out));
	if (!linux_is_bzimage(img, size))
		FAIL(-ENOEXEC, "no Linux boot protocol header (boot flag 0xAA55, \"HdrS\")");
	if (size < OFF_VERSION + 2)
		FAIL(-ENOEXEC, "the setup header is truncated");
	version = get16(img, OFF_VERSION);
	if (version < LINUX_PROTOCOL_MIN)
		FAIL(-ENOEXEC,
		     "Linux boot protocol %u.%02u is too old: cloison needs 2.12 or later",
		     version >> 8, version & 0xff);
	/* The header's end, from the jump at 0x200 (boot.rst, "32-bit Boot Protocol"). */
	hdr_end = OFF_MAGIC + img[OFF_JUMP_LEN];
	if (hdr_end < HDR_NEEDED)
		FAIL(-ENOEXEC, "the setup header ends at 0x%llx, before init_size",
		     (unsigned long long)hdr_end);
	if (hdr_end > size)
		FAIL(-ENOEXEC, "the setup header runs past the end of the file");
	hdr_end = MIN(hdr_end, HDR_ROOM);
	memset(&h, 0, sizeof(h));
	memcpy(&h, img + OFF_HDR, MIN(hdr_end, 0x26c) - OFF_HDR);

	out->version = version;
	out->xloadflags = h.xloadflags;
	out->relocatable = h.relocatable_kernel != 0;
	out->kernel_alignment = h.kernel_alignment;
	out->pref_address = h.pref_address;
	out->init_size = h.init_size;
	out->initrd_addr_max = h.initrd_addr_max;
	out->cmdline_size = h.cmdline_size;

	if (!(h.loadflags & LINUX_LOADED_HIGH))
		FAIL(-ENOEXEC, "not a bzImage: loadflags 0x%x asks for a load at 0x10000",
		     h.loadflags);
	setup_sects = h.setup_sects ? h.setup_sects : LINUX_SETUP_SECTS_DEFAULT;
	pm_off = (setup_sects + 1) * LINUX_SECTOR;
	if (pm_off >= size)
		FAIL(-ENOEXEC, "setup_sects %llu leaves no protected-mode kernel in the file",
		     (unsigned long long)setup_sects);
	if ((err = place_kernel(&h, size - pm_off, top, out, why, whylen)) < 0)
		return err;
	if (initrd && (err = place_initrd(initrd, top, out, why, whylen)) < 0)
		return err;
	out->cmdline_len = (u32)strnlen(
		cmdline, MIN((u64)h.cmdline_size, GUEST_LOW_RAM_END - LINUX_CMDLINE - 1));

	if (write(ctx, out->load, img + pm_off, size - pm_off) < 0 ||
	    (initrd && initrd->size && write(ctx, out->initrd, initrd->data, initrd->size) < 0) ||
	    write_params(img, hdr_end, &h, mem, out, write, ctx) < 0 ||
	    (out->cmdline_len && write(ctx, LINUX_CMDLINE, cmdline, out->cmdline_len) < 0) ||
	    write(ctx, LINUX_CMDLINE + out->cmdline_len, "", 1) < 0 ||
	    write(ctx, LINUX_GDT, gdt, sizeof(gdt)) < 0)
		FAIL(-EFAULT, "the kernel or its boot data could not be written to guest RAM");

	/* boot.rst, "32-bit Boot Protocol": ESI = boot_params; EBP, EDI and EBX zero. */
	*boot = (struct vcpu_boot_state){
		.eip = (u32)out->load,
		.esi = LINUX_BOOT_PARAMS,
		.cs = LINUX_BOOT_CS,
		.ds = LINUX_BOOT_DS,
		.gdt_base = LINUX_GDT,
		.gdt_limit = sizeof(gdt) - 1,
	};
	return 0;
}
