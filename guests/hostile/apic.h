/*
 * The interrupt hardware of a partition as the hostile cases of the
 * small PC drive it (case_apic_*.c and case_mp.c): the local APIC's
 * page at 0xfee00000 and its x2APIC MSRs (Intel SDM 3A chapter 11), the
 * I/O APIC at 0xfec00000 (82093AA datasheet), the PIT (8254) and the
 * CMOS RTC's periodic interrupt.  Only numbers and accessors of one
 * instruction each: every MMIO access here is a single 32-bit MOV
 * (inline assembly, so that the compiler can never turn one into a
 * read-modify-write instruction the hypervisor must refuse).
 */
#ifndef GUESTS_HOSTILE_APIC_H
#define GUESTS_HOSTILE_APIC_H

#include "guests/hostile/cpu.h"

#define LAPIC_BASE 0xfee00000u
#define IOAPIC_BASE 0xfec00000u
#define APIC_WINDOW_END 0xff000000u /* 0xfec00000-0xfeffffff: the APICs' window */

/* Local APIC registers, offsets in the page (SDM 3A table 11-1). */
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
#define LAPIC_SELF_IPI 0x3f0 /* x2APIC only */

#define SVR_ENABLE 0x100     /* software enable (SDM 3A §11.9) */
#define LVT_MASKED 0x10000   /* SDM 3A figure 11-8 */
#define LVT_PERIODIC 0x20000 /* timer mode 01b */
#define DCR_BY_1 0xb	     /* divide by 1 (SDM 3A figure 11-10) */

/* ESR bits (SDM 3A figure 11-9). */
#define ESR_SEND_ILLEGAL_VECTOR 0x20
#define ESR_RECV_ILLEGAL_VECTOR 0x40
#define ESR_ILLEGAL_REGISTER 0x80

/* ICR (SDM 3A figure 11-12): delivery mode, level, shorthand. */
#define ICR_FIXED 0x000
#define ICR_NMI 0x400
#define ICR_INIT 0x500
#define ICR_STARTUP 0x600
#define ICR_ASSERT 0x4000
#define ICR_SELF (1u << 18)
#define ICR_ALL (2u << 18) /* all including self */
#define ICR_DEST_SHIFT 24  /* xAPIC: the destination in ICR high bits 31:24 */

/* IA32_APIC_BASE (SDM 3A §11.4.4) and the x2APIC MSRs (§11.12.1.2). */
#define MSR_APIC_BASE 0x1b
#define APIC_BASE_BSP (1u << 8)
#define APIC_BASE_EXTD (1u << 10)
#define APIC_BASE_EN (1u << 11)
#define X2APIC_MSR(offset) (0x800u + ((offset) >> 4))
#define CPUID1_ECX_X2APIC (1u << 21)

/* The I/O APIC (82093AA §3.1): index and window, and the redirection table from index 0x10. */
#define IOAPIC_IOREGSEL 0x00
#define IOAPIC_IOWIN 0x10
#define IOAPIC_EOI 0x40
#define IOAPIC_REG_VERSION 0x01
#define IOAPIC_REDIR(pin) (0x10u + 2u * (pin))
#define IOAPIC_MASKED 0x10000
#define IOAPIC_PIN_PIT 2 /* IRQ 0 arrives on pin 2 (the MADT's override) */
#define IOAPIC_PIN_RTC 8

/* The PIT (8254): control word port, counter 0, and the CMOS RTC's index and data ports. */
#define PIT_CONTROL 0x43
#define PIT_COUNTER0 0x40
#define PIT_CH0_MODE2 0x34 /* counter 0, LSB then MSB, mode 2 (rate generator) */
#define PIT_CH0_MODE0 0x30 /* counter 0, LSB then MSB, mode 0 (one interrupt) */
#define RTC_INDEX 0x70
#define RTC_DATA 0x71
#define RTC_REG_A 0x0a
#define RTC_REG_B 0x0b
#define RTC_REG_C 0x0c
#define RTC_B_PIE 0x40 /* periodic interrupt enable (MC146818 register B) */

static inline uint32_t mmio_read(uint32_t at)
{
	uint32_t v;
	__asm__ volatile("movl %1, %0" : "=r"(v) : "m"(*(volatile uint32_t *)(uintptr_t)at));
	return v;
}

static inline void mmio_write(uint32_t at, uint32_t v)
{
	__asm__ volatile("movl %1, %0"
			 : "=m"(*(volatile uint32_t *)(uintptr_t)at)
			 : "r"(v)
			 : "memory");
}

static inline uint32_t lapic_read(uint32_t offset)
{
	return mmio_read(LAPIC_BASE + offset);
}

static inline void lapic_write(uint32_t offset, uint32_t v)
{
	mmio_write(LAPIC_BASE + offset, v);
}

static inline void lapic_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}

/* The errors since the last call (SDM 3A §11.5.3: a write latches them, then ESR reads them). */
static inline uint32_t lapic_esr(void)
{
	lapic_write(LAPIC_ESR, 0);
	return lapic_read(LAPIC_ESR);
}

/* A fixed IPI: ICR high (the destination) first, the low half sends it. */
static inline void lapic_ipi(uint32_t dest, uint32_t low)
{
	lapic_write(LAPIC_ICR_HIGH, dest << ICR_DEST_SHIFT);
	lapic_write(LAPIC_ICR_LOW, low);
}

static inline uint32_t ioapic_read(uint32_t reg)
{
	mmio_write(IOAPIC_BASE + IOAPIC_IOREGSEL, reg);
	return mmio_read(IOAPIC_BASE + IOAPIC_IOWIN);
}

static inline void ioapic_write(uint32_t reg, uint32_t v)
{
	mmio_write(IOAPIC_BASE + IOAPIC_IOREGSEL, reg);
	mmio_write(IOAPIC_BASE + IOAPIC_IOWIN, v);
}

/* Pin to vector, fixed, edge, physical destination APIC 0; masked or not. */
static inline void ioapic_route(uint32_t pin, uint32_t vector, bool masked)
{
	ioapic_write(IOAPIC_REDIR(pin) + 1, 0);
	ioapic_write(IOAPIC_REDIR(pin), vector | (masked ? IOAPIC_MASKED : 0));
}

static inline void pit_program(uint8_t control, uint16_t count)
{
	outb(PIT_CONTROL, control);
	outb(PIT_COUNTER0, (uint8_t)count);
	outb(PIT_COUNTER0, (uint8_t)(count >> 8));
}

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
