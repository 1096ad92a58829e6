/*
 * The Linux loader: a partition boots an x86 bzImage through the 32-bit
 * boot protocol (Documentation/arch/x86/boot.rst, "32-bit Boot
 * Protocol"), as a boot loader without a BIOS does.  The protected-mode
 * kernel goes where its setup header allows (pref_address, else the
 * lowest address aligned to kernel_alignment, or 1 MiB when it cannot
 * move), the initrd as high as the kernel can reach it, and boot_params
 * (the "zero page"), the command line and a GDT in low RAM.  Protocol
 * 2.12 or later.  Pure logic, like kernel/loader.c: guest memory is
 * written through a callback, so the host unit tests run it on crafted
 * headers.  What the vCPU must look like at entry is handed back in a
 * struct vcpu_boot_state, which the vendor backends load.
 */
#ifndef KERNEL_LINUX_H
#define KERNEL_LINUX_H

#include "kernel/loader.h"
#include "kernel/vcpu.h"
#include "lib/types.h"

/* Setup header facts (boot.rst, "The Real-Mode Kernel Header"). */
#define LINUX_BOOT_FLAG 0xaa55	       /* boot_flag, at 0x1fe */
#define LINUX_HEADER_MAGIC 0x53726448u /* "HdrS", at 0x202 */
#define LINUX_PROTOCOL_MIN 0x020c      /* 2.12: the oldest cloison loads */
#define LINUX_PROTOCOL_RSDP 0x020e     /* 2.14: boot_params.acpi_rsdp_addr is read */
#define LINUX_SETUP_SECTS_DEFAULT 4    /* what setup_sects 0 means */
#define LINUX_SECTOR 512

/* loadflags. */
#define LINUX_LOADED_HIGH (1u << 0)   /* read: a bzImage, loaded at 1 MiB */
#define LINUX_QUIET_FLAG (1u << 5)    /* write */
#define LINUX_KEEP_SEGMENTS (1u << 6) /* obsolete: cleared */
#define LINUX_CAN_USE_HEAP (1u << 7)  /* write: heap_end_ptr is valid */

/* xloadflags (2.12+). */
#define LINUX_XLF_KERNEL_64 (1u << 0)
#define LINUX_XLF_CAN_BE_LOADED_ABOVE_4G (1u << 1)

#define LINUX_LOADER_UNDEFINED 0xff /* type_of_loader: a loader with no assigned id */
#define LINUX_HEAP_END 0xfe00	    /* heap_end_ptr: a 64 KiB setup segment, less 0x200 */
#define LINUX_BOOT_CS 0x10	    /* __BOOT_CS: flat 4 GiB execute/read */
#define LINUX_BOOT_DS 0x18	    /* __BOOT_DS: flat 4 GiB read/write */
#define LINUX_E820_MAX 128	    /* entries of boot_params.e820_table */

/* Where the loader puts its part in the partition's low RAM (below GUEST_LOW_RAM_END). */
#define LINUX_GDT 0x6000	 /* 4 descriptors: null, null, __BOOT_CS, __BOOT_DS */
#define LINUX_BOOT_PARAMS 0x7000 /* 4 KiB */
#define LINUX_CMDLINE 0x8000	 /* the command line, up to GUEST_LOW_RAM_END */

/* The setup header: boot_params from offset 0x1f1, the same bytes as in the image. */
struct linux_setup_header {
	u8 setup_sects;
	u16 root_flags;
	u32 syssize;
	u16 ram_size;
	u16 vid_mode;
	u16 root_dev;
	u16 boot_flag;
	u16 jump;
	u32 header;
	u16 version;
	u32 realmode_swtch;
	u16 start_sys_seg;
	u16 kernel_version;
	u8 type_of_loader;
	u8 loadflags;
	u16 setup_move_size;
	u32 code32_start;
	u32 ramdisk_image;
	u32 ramdisk_size;
	u32 bootsect_kludge;
	u16 heap_end_ptr;
	u8 ext_loader_ver;
	u8 ext_loader_type;
	u32 cmd_line_ptr;
	u32 initrd_addr_max;
	u32 kernel_alignment;
	u8 relocatable_kernel;
	u8 min_alignment;
	u16 xloadflags;
	u32 cmdline_size;
	u32 hardware_subarch;
	u64 hardware_subarch_data;
	u32 payload_offset;
	u32 payload_length;
	u64 setup_data;
	u64 pref_address;
	u32 init_size;
	u32 handover_offset;
	u32 kernel_info_offset;
} PACKED;
#define LINUX_HDR_AT(field, off)                                                                   \
	_Static_assert(offsetof(struct linux_setup_header, field) == (off)-0x1f1, #field)
LINUX_HDR_AT(boot_flag, 0x1fe);
LINUX_HDR_AT(header, 0x202);
LINUX_HDR_AT(version, 0x206);
LINUX_HDR_AT(type_of_loader, 0x210);
LINUX_HDR_AT(loadflags, 0x211);
LINUX_HDR_AT(code32_start, 0x214);
LINUX_HDR_AT(ramdisk_image, 0x218);
LINUX_HDR_AT(heap_end_ptr, 0x224);
LINUX_HDR_AT(cmd_line_ptr, 0x228);
LINUX_HDR_AT(initrd_addr_max, 0x22c);
LINUX_HDR_AT(kernel_alignment, 0x230);
LINUX_HDR_AT(relocatable_kernel, 0x234);
LINUX_HDR_AT(xloadflags, 0x236);
LINUX_HDR_AT(cmdline_size, 0x238);
LINUX_HDR_AT(setup_data, 0x250);
LINUX_HDR_AT(pref_address, 0x258);
LINUX_HDR_AT(init_size, 0x260);
LINUX_HDR_AT(kernel_info_offset, 0x268);
_Static_assert(sizeof(struct linux_setup_header) == 0x26c - 0x1f1, "setup header to 2.15");

/* One entry of boot_params.e820_table. */
struct linux_e820_entry {
	u64 addr;
	u64 size;
	u32 type; /* enum mem_type */
} PACKED;
_Static_assert(sizeof(struct linux_e820_entry) == 20, "e820 entry");

/* boot_params, the zero page (Documentation/arch/x86/zero-page.rst), as far as cloison fills it. */
struct linux_boot_params {
	u8 screen_info_etc[0x70];
	u64 acpi_rsdp_addr;
	u8 pad0[0xc0 - 0x78];
	u32 ext_ramdisk_image; /* high halves of the setup header's fields */
	u32 ext_ramdisk_size;
	u32 ext_cmd_line_ptr;
	u8 pad1[0x1e8 - 0xcc];
	u8 e820_entries;
	u8 pad2[0x1f1 - 0x1e9]; /* the sentinel at 0x1ef stays 0 */
	struct linux_setup_header hdr;
	u8 pad3[0x2d0 - 0x26c];
	struct linux_e820_entry e820_table[LINUX_E820_MAX];
	u8 pad4[0x1000 - 0xcd0];
} PACKED;
#define LINUX_BP_AT(field, off)                                                                    \
	_Static_assert(offsetof(struct linux_boot_params, field) == (off), #field)
LINUX_BP_AT(acpi_rsdp_addr, 0x070);
LINUX_BP_AT(ext_ramdisk_image, 0x0c0);
LINUX_BP_AT(ext_ramdisk_size, 0x0c4);
LINUX_BP_AT(ext_cmd_line_ptr, 0x0c8);
LINUX_BP_AT(e820_entries, 0x1e8);
LINUX_BP_AT(hdr, 0x1f1);
LINUX_BP_AT(e820_table, 0x2d0);
_Static_assert(sizeof(struct linux_boot_params) == 4096, "the zero page");

/* What linux_load read and decided. */
struct linux_image {
	/* From the setup header. */
	u16 version; /* 0x020f: 2.15 */
	u16 xloadflags;
	bool relocatable;
	u32 kernel_alignment;
	u64 pref_address;
	u32 init_size;
	u32 initrd_addr_max;
	u32 cmdline_size;
	/* Decided. */
	u64 load;	/* the protected-mode kernel's address: the 32-bit entry */
	u64 start, end; /* what the kernel may use before it reads its memory map */
	u64 initrd;	/* 0: none */
	u64 initrd_size;
	u32 cmdline_len; /* bytes of the command line given (after the cut) */
};

/* Does img carry a Linux boot protocol header (boot flag 0xAA55 and "HdrS")? */
bool linux_is_bzimage(const u8 *img, u64 size);

/*
 * Load the bzImage img into guest RAM of mem bytes with cmdline (cut to
 * cmdline_size) and initrd (or NULL): the protected-mode kernel, the
 * initrd, boot_params with the setup header and the e820 map, the
 * command line and the GDT.  Fills out and the vCPU's entry state boot.
 * On error returns -errno and writes one sentence to why, naming the
 * field at fault or the mem= that would do.
 */
int linux_load(const u8 *img, u64 size, u64 mem, const char *cmdline,
	       const struct guest_module *initrd, guest_write_fn write, void *ctx,
	       struct linux_image *out, struct vcpu_boot_state *boot, char *why, size_t whylen);

#endif
