/*
 * Descriptor tables for 32-bit guests that take interrupts or catch
 * exceptions: cloison starts a partition with GDTR and IDTR empty (the
 * Multiboot state says nothing of them), so such a guest loads its own
 * flat GDT and an IDT of interrupt gates here.  The GDT's first slots
 * are the flat code (0x08) and data (0x10) segments; a guest that needs
 * more (other rings, a TSS, 16- or 64-bit code: guests/hostile) puts its
 * own descriptors in the free slots.  64-bit guests get their GDT from
 * crt0_64.S and have no IDT helper yet.
 */
#include "guests/lib/guest.h"

#ifndef __x86_64__

#define SEL_CODE 0x08
#define SEL_DATA 0x10
#define GATE_INTR32 0x8e /* present, DPL 0, 32-bit interrupt gate (SDM 3A §6.11) */
#define GATE_DPL_SHIFT 5
#define VECTORS 256

struct __attribute__((packed)) table_ptr {
	uint16_t limit;
	uint32_t base;
};

struct gate {
	uint16_t offset_low;
	uint16_t selector;
	uint8_t zero;
	uint8_t type;
	uint16_t offset_high;
};
_Static_assert(sizeof(struct gate) == 8, "32-bit IDT gate (SDM 3A §6.11)");

/* Flat 4 GiB code (0x08) and data (0x10), the Multiboot start state; the rest free. */
static uint64_t gdt[DESC_GDT_SLOTS] = { 0, 0x00cf9a000000ffffull, 0x00cf92000000ffffull };
static struct gate idt[VECTORS]; /* not present until a handler is set */

void desc_set_gate_to(uint8_t vector, uint16_t selector, void *handler, unsigned dpl)
{
	uint32_t a = (uint32_t)(uintptr_t)handler;
	uint8_t type = GATE_INTR32 | (uint8_t)((dpl & 3) << GATE_DPL_SHIFT);

	idt[vector] = (struct gate){ (uint16_t)a, selector, 0, type, (uint16_t)(a >> 16) };
}

void desc_set_gate(uint8_t vector, void *handler, unsigned dpl)
{
	desc_set_gate_to(vector, SEL_CODE, handler, dpl);
}

void desc_set_handler(uint8_t vector, void *handler)
{
	desc_set_gate(vector, handler, 0);
}

void desc_set_segment(unsigned slot, uint64_t descriptor)
{
	if (slot > 2 && slot < DESC_GDT_SLOTS)
		gdt[slot] = descriptor;
}

void desc_init(void)
{
	struct table_ptr g = { sizeof(gdt) - 1, (uint32_t)(uintptr_t)gdt };
	struct table_ptr i = { sizeof(idt) - 1, (uint32_t)(uintptr_t)idt };

	__asm__ volatile("lgdt %0\n\t"
			 "ljmp %1, $1f\n"
			 "1:\tmovw %w2, %%ds\n\t"
			 "movw %w2, %%es\n\t"
			 "movw %w2, %%ss\n\t"
			 "movw %w2, %%fs\n\t"
			 "movw %w2, %%gs\n\t"
			 "lidt %3"
			 :
			 : "m"(g), "i"(SEL_CODE), "r"(SEL_DATA), "m"(i)
			 : "memory");
}

#endif
