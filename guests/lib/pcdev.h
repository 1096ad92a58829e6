/*
 * The devices of the small PC a partition is, named once for the test
 * guests that drive them from the inside (the pc guest, and the hostile
 * catalog's APIC, MP, reset and port cases) and for the SDK's clock
 * without cloison (guests/lib/timer.c): the local APIC and its
 * MSRs (Intel SDM 3A chapter 11), the I/O APIC (82093AA datasheet), the
 * PIT (8254), the CMOS RTC (MC146818A) and ACPI's PM1 control register.
 * Register numbers and bits, and the accessors that are the same for
 * every guest.  Which vectors a guest chooses, and how it reaches a
 * local APIC that may be in x2APIC mode, stay with that guest.
 */
#ifndef GUESTS_LIB_PCDEV_H
#define GUESTS_LIB_PCDEV_H

#include "guests/lib/guest.h"

/* Where the APICs sit on a PC (the MADT says so too). */
#define LAPIC_BASE 0xfee00000u
#define IOAPIC_BASE 0xfec00000u

/* Local APIC registers, offsets in the xAPIC page (SDM 3A §11.4.1, table 11-1). */
#define LAPIC_ID 0x020
#define LAPIC_VERSION 0x030
#define LAPIC_TPR 0x080
#define LAPIC_PPR 0x0a0
#define LAPIC_EOI 0x0b0
#define LAPIC_LDR 0x0d0
#define LAPIC_DFR 0x0e0
#define LAPIC_SVR 0x0f0
#define LAPIC_ISR 0x100
#define LAPIC_IRR 0x200
#define LAPIC_ESR 0x280
#define LAPIC_ICR_LOW 0x300
#define LAPIC_ICR_HIGH 0x310
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_LVT_LINT1 0x360
#define LAPIC_LVT_ERROR 0x370
#define LAPIC_TIMER_INITIAL 0x380
#define LAPIC_TIMER_CURRENT 0x390
#define LAPIC_TIMER_DCR 0x3e0
#define LAPIC_SELF_IPI 0x3f0 /* x2APIC only (§11.12.11) */

/* LVT entries (SDM 3A figure 11-8), SVR (§11.9), the timer's divider (figure 11-10). */
#define LVT_EXTINT (7u << 8) /* delivery mode ExtINT */
#define LVT_MASKED (1u << 16)
#define LVT_PERIODIC (1u << 17)	    /* timer mode 01b */
#define LVT_TSC_DEADLINE (2u << 17) /* timer mode 10b */
#define SVR_ENABLE (1u << 8)	    /* software enable */
#define DCR_DIVIDE_1 0xb

/* ESR bits (SDM 3A figure 11-9). */
#define ESR_SEND_ILLEGAL_VECTOR (1u << 5)
#define ESR_RECV_ILLEGAL_VECTOR (1u << 6)
#define ESR_ILLEGAL_REGISTER (1u << 7)

/* ICR (SDM 3A figure 11-12): delivery mode, status, level, trigger mode, shorthand. */
#define ICR_FIXED (0u << 8)
#define ICR_NMI (4u << 8)
#define ICR_INIT (5u << 8)
#define ICR_STARTUP (6u << 8)
#define ICR_DELIVERY_PENDING (1u << 12)
#define ICR_ASSERT (1u << 14)
#define ICR_LEVEL (1u << 15) /* trigger mode: level */
#define ICR_SELF (1u << 18)  /* shorthand 01b: self */
#define ICR_ALL (2u << 18)   /* shorthand 10b: all including self */
#define ICR_DEST_SHIFT 24    /* xAPIC: the destination in ICR high bits 31:24 */

/* IA32_APIC_BASE (SDM 3A §11.4.4), IA32_TSC_DEADLINE (§11.5.4.1), the x2APIC MSRs (§11.12.1.2). */
#define MSR_APIC_BASE 0x1b
#define MSR_TSC_DEADLINE 0x6e0
#define APIC_BASE_BSP (1u << 8)
#define APIC_BASE_EXTD (1u << 10)
#define APIC_BASE_EN (1u << 11)
#define X2APIC_MSR(offset) (0x800u + ((offset) >> 4))

/* CPUID leaf 1's APIC features (SDM 2A, CPUID, tables 3-10 and 3-11). */
#define CPUID1_EDX_APIC (1u << 9)
#define CPUID1_ECX_X2APIC (1u << 21)
#define CPUID1_ECX_TSC_DEADLINE (1u << 24)

/*
 * The I/O APIC (82093AA §3.1, §3.2.4): index and window, the EOI
 * register of version 0x20, and the redirection table from index 0x10.
 */
#define IOAPIC_IOREGSEL 0x00
#define IOAPIC_IOWIN 0x10
#define IOAPIC_EOI 0x40
#define IOAPIC_REG_ID 0x00
#define IOAPIC_REG_VERSION 0x01
#define IOAPIC_REDIR(pin) (0x10u + 2u * (pin))
#define IOAPIC_RTE_REMOTE_IRR (1u << 14)
#define IOAPIC_RTE_LEVEL (1u << 15)
#define IOAPIC_RTE_MASKED (1u << 16)
/* The ISA IRQs' pins: IRQ 0 on pin 2 (the MADT's override), the others on their own number. */
#define IOAPIC_PIN_PIT 2
#define IOAPIC_PIN_COM1 4
#define IOAPIC_PIN_RTC 8

/* The PIT (8254): its input clock, counters, control word port and the control words used. */
#define PIT_HZ 1193182u
#define PIT_COUNTER0 0x40
#define PIT_COUNTER2 0x42
#define PIT_CONTROL 0x43
#define PIT_CH0_MODE0 0x30 /* counter 0, LSB then MSB, mode 0 (one interrupt), binary */
#define PIT_CH0_MODE2 0x34 /* counter 0, LSB then MSB, mode 2 (rate generator), binary */
#define PIT_CH2_MODE0 0xb0 /* counter 2, LSB then MSB, mode 0, binary */
/* Port 0x61 (a PC's "port B"): counter 2's gate, the speaker, and counter 2's OUT to read. */
#define PORT_B 0x61
#define PORT_B_GATE2 0x01
#define PORT_B_SPEAKER 0x02
#define PORT_B_OUT2 0x20

/* The CMOS RTC (MC146818A): index and data ports, its registers and their bits. */
#define RTC_INDEX 0x70
#define RTC_DATA 0x71
#define RTC_REG_SECONDS 0x00
#define RTC_REG_MINUTES 0x02
#define RTC_REG_HOURS 0x04
#define RTC_REG_DAY 0x07
#define RTC_REG_MONTH 0x08
#define RTC_REG_YEAR 0x09
#define RTC_REG_A 0x0a
#define RTC_REG_B 0x0b
#define RTC_REG_C 0x0c
#define RTC_REG_D 0x0d
#define RTC_REG_CENTURY 0x32 /* a PC's CMOS byte, as the FADT's CENTURY names it */
#define RTC_A_UIP 0x80	     /* update in progress */
#define RTC_B_PIE 0x40	     /* periodic interrupt enable */
#define RTC_B_UIE 0x10	     /* update-ended interrupt enable */
#define RTC_C_IRQF 0x80
#define RTC_C_UF 0x10
#define RTC_C_RESERVED 0x0f
#define RTC_D_VRT 0x80 /* valid RAM and time */

/* ACPI PM1 control (ACPI 6.4 §4.8.3.2.1): the sleep type, and SLP_EN that enters it. */
#define PM1_SLP_TYP_SHIFT 10
#define PM1_SLP_TYP (7u << PM1_SLP_TYP_SHIFT)
#define PM1_SLP_EN (1u << 13)

static inline uint8_t rtc_read(uint8_t reg)
{
	outb(RTC_INDEX, reg);
	return inb(RTC_DATA);
}

static inline void rtc_write(uint8_t reg, uint8_t v)
{
	outb(RTC_INDEX, reg);
	outb(RTC_DATA, v);
}

#endif
