/*
 * Constants shared by the boot assembly and C: Multiboot2 magics, the
 * kernel's link addresses, segment selectors and the AP trampoline's
 * fixed place in low memory.
 */
#ifndef BOOT_BOOT_H
#define BOOT_BOOT_H

#define MB2_HEADER_MAGIC 0xe85250d6
#define MB2_BOOT_MAGIC_ASM 0x36d76289

#define KERNEL_VMA 0xffffffff80000000
#define KERNEL_PHYS 0x200000

/* Selectors of the boot GDT and of the per-CPU GDT (kernel/cpu.c). */
#define SEL_CODE32 0x08
#define SEL_DATA 0x10
#define SEL_CODE64 0x18
#define SEL_TSS 0x20

/* The AP trampoline is copied to this page (must be below 1 MiB). */
#define TRAMPOLINE_PHYS 0x8000

#define BOOT_STACK_SIZE 16384

#endif
