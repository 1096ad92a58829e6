/*
 * The guest-physical map and the fixed numbers of the small PC that a
 * partition is (docs/platform.md).  Every piece of the platform agrees
 * on these: the loaders (what the e820 map and the Multiboot memory map
 * call RAM), the firmware tables (where they sit, which ports and pins
 * they name) and the device models.
 *
 * RAM is guest-physical [0, mem).  Parts of it are reserved, as on a
 * PC: the EBDA, the legacy VGA and BIOS window, where the firmware
 * tables live, and, when mem reaches that far, the window of the
 * APICs, which the SLAT leaves unmapped so that accesses trap.
 */
#ifndef VDEV_LAYOUT_H
#define VDEV_LAYOUT_H

#include "lib/types.h"

/* Low memory (all of it backed by the partition's RAM). */
#define GUEST_LOW_RAM_END 0x9fc00ull  /* usable conventional memory: [0, here) */
#define GUEST_EBDA 0x9fc00ull	      /* 1 KiB, reserved */
#define GUEST_LEGACY_START 0xa0000ull /* VGA window and BIOS area, reserved, to 1 MiB */
#define GUEST_FW_BASE 0xe0000ull      /* firmware tables: ACPI (RSDP found by the BIOS-area scan) */
#define GUEST_FW_SIZE 0x20000ull
#define GUEST_RSDP GUEST_FW_BASE   /* the RSDP opens the firmware area */
#define GUEST_HIGH_RAM 0x100000ull /* usable again from 1 MiB */

/* The APIC window: never RAM, unmapped in the SLAT, emulated. */
#define GUEST_APIC_WINDOW 0xfec00000ull /* 2 MiB aligned */
#define GUEST_APIC_WINDOW_END 0xff000000ull
/* Is gpa in the APIC window? */
static inline bool guest_apic_window(u64 gpa)
{
	return gpa >= GUEST_APIC_WINDOW && gpa < GUEST_APIC_WINDOW_END;
}
#define GUEST_IOAPIC_BASE 0xfec00000ull
#define GUEST_LAPIC_BASE 0xfee00000ull
#define GUEST_4G 0x100000000ull /* [APIC window, 4 GiB) is reserved in the memory maps */

/* The frequency the local APIC timers count at, before their dividers. */
#define GUEST_APIC_TIMER_HZ 25000000ull /* as an Intel core crystal: CPUID 0x15 ECX */

/* Interrupt lines: ISA IRQs, which reach I/O APIC pins (IRQ 0 on pin 2). */
#define GUEST_IRQ_PIT 0
#define GUEST_IRQ_COM1 4
#define GUEST_IRQ_SCI 9
#define GUEST_IRQ_RTC 8
#define GUEST_PIN_PIT 2 /* the MADT's interrupt source override for IRQ 0 */
#define GUEST_IOAPIC_PINS 24

/* ACPI fixed hardware, in I/O ports (the FADT names them). */
#define GUEST_PM1A_EVT 0x600   /* 4 ports: PM1 status (2), PM1 enable (2) */
#define GUEST_PM1A_CNT 0x604   /* 2 ports: PM1 control */
#define GUEST_PM_TMR 0x608     /* 4 ports: the ACPI PM timer, 3.579545 MHz, 24 bits */
#define GUEST_SLP_TYP_S5 5     /* what \_S5 tells the guest to write into SLP_TYP */
#define GUEST_RESET_PORT 0xcf9 /* the FADT's reset register; value GUEST_RESET_VALUE */
#define GUEST_RESET_VALUE 0x06

#endif
