/*
 * args: shows what a Multiboot1 guest is given besides its RAM, as
 * `qemu -kernel args.elf -append ARGS -initrd M1,M2` gives it: the
 * command line, and for each module its string, its size and its
 * first bytes (Multiboot 0.6.96 §3.3).  Then it leaves through port
 * 0xf4.  tests/boot/args.scenario checks the lines against the
 * partition lines of tests/boot/args.grub.cfg.
 */
#include "guests/lib/guest.h"

#define MB1_BOOT_MAGIC 0x2badb002u
#define MB1_INFO_CMDLINE (1u << 2)
#define MB1_INFO_MODS (1u << 3)
#define EXIT_PORT 0xf4 /* QEMU's isa-debug-exit; cloison stops the partition */
#define FIRST_BYTES 4

/* The information block's first words (spec §3.3). */
struct mb1_info {
	uint32_t flags;
	uint32_t mem_lower, mem_upper;
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count;
	uint32_t mods_addr;
};

struct mb1_module {
	uint32_t mod_start, mod_end, string, reserved;
};
_Static_assert(sizeof(struct mb1_module) == 16, "Multiboot1 module entry");

static __attribute__((noreturn)) void leave(uint8_t code)
{
	__asm__ volatile("outb %0, %1" ::"a"(code), "Nd"((uint16_t)EXIT_PORT));
	for (;;)
		__asm__ volatile("hlt");
}

static const char *string_at(uint32_t addr)
{
	return addr ? (const char *)(uintptr_t)addr : "(none)";
}

int guest_main(unsigned magic, unsigned info)
{
	const struct mb1_info *mbi = (const struct mb1_info *)(uintptr_t)info;
	const struct mb1_module *mods;

	if (magic != MB1_BOOT_MAGIC || !info) {
		printf("args: FAIL: not booted by a Multiboot1 loader (magic 0x%x)\n", magic);
		leave(1);
	}
	printf("args: cmdline '%s'\n",
	       mbi->flags & MB1_INFO_CMDLINE ? string_at(mbi->cmdline) : "(no flag)");
	if (!(mbi->flags & MB1_INFO_MODS)) {
		printf("args: no module flag\n");
		leave(0);
	}
	printf("args: mods_count %u\n", mbi->mods_count);
	mods = (const struct mb1_module *)(uintptr_t)mbi->mods_addr;
	for (uint32_t i = 0; i < mbi->mods_count; i++) {
		const uint8_t *b = (const uint8_t *)(uintptr_t)mods[i].mod_start;
		uint32_t size = mods[i].mod_end - mods[i].mod_start;
		char hex[3 * FIRST_BYTES + 1];
		uint32_t n = size < FIRST_BYTES ? size : FIRST_BYTES;

		for (uint32_t k = 0; k < n; k++) {
			static const char digits[] = "0123456789abcdef";
			hex[3 * k] = ' ';
			hex[3 * k + 1] = digits[b[k] >> 4];
			hex[3 * k + 2] = digits[b[k] & 15];
		}
		hex[3 * n] = '\0';
		printf("args: module %u: cmdline '%s' size %u at 0x%x%s first bytes%s\n", i,
		       string_at(mods[i].string), size, mods[i].mod_start,
		       mods[i].mod_start & 0xfff ? " (not page-aligned)" : "", hex);
	}
	leave(0);
}
