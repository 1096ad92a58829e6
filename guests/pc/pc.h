/*
 * The pc test guest's shared pieces: the numbers of the machine it
 * expects (a PC as docs and the MADT describe it; the devices' registers
 * are guests/lib/pcdev.h's), the vectors it programs, what the ACPI
 * tables told it, and the helpers every check uses (one line per check,
 * waits bounded in time, the local APIC in either mode).  pc.c runs the
 * checks in order; each other file tests one device.  trampoline.S
 * includes the numbers only.
 */
#ifndef GUESTS_PC_PC_H
#define GUESTS_PC_PC_H

/* The page an application processor starts in: STARTUP vector 0x08. */
#define PC_TRAMPOLINE 0x8000
#define PC_SEL_CODE 0x08 /* flat 32-bit code and data, as guests/lib/desc.c loads them */
#define PC_SEL_DATA 0x10

#ifndef __ASSEMBLER__

#include "guests/lib/guest.h"
#include "guests/lib/pcdev.h"

/* Vectors (all above the 8259's 0x20-0x2f, which the init sequence chooses). */
#define VEC_PIC_BASE 0x20 /* master IR0..7; the slave at 0x28 */
#define VEC_PIT 0x30	  /* I/O APIC pin of ISA IRQ 0 */
#define VEC_UART 0x34	  /* I/O APIC pin 4 */
#define VEC_RTC 0x38	  /* I/O APIC pin 8 */
#define VEC_TIMER 0x40	  /* local APIC timer */
#define VEC_LOW 0x45	  /* priority class 4: held back by TPR 0x50 */
#define VEC_ERROR 0x4e	  /* LVT error */
#define VEC_IPI 0x50	  /* the BSP's fixed IPI to the AP */
#define VEC_WAKE 0x60	  /* cloison's SET_TIMER: bounds every wait */
#define VEC_SPURIOUS 0xff /* SVR */

/* cloison's CPUID leaf of rates: EAX the TSC kHz, EBX the local APIC timer kHz. */
#define HV_LEAF_TIMING 0x40000010

/* What the ACPI tables say (acpi.c); zero where a table was not found. */
struct pc_acpi {
	uint32_t lapic_addr;
	uint32_t ioapic_addr;
	uint8_t ioapic_id;
	unsigned cpus;	   /* enabled processor local APIC entries */
	int irq0_gsi;	   /* the interrupt source override of IRQ 0, or -1 */
	uint16_t pm1a_cnt; /* FADT PM1a control block */
	uint16_t pm_tmr;   /* FADT PM timer block */
	int slp_typ_s5;	   /* \_S5's first value, or -1 */
};
extern struct pc_acpi pc_acpi;

/* The TSC rate the waits and the measurements use, in kHz (pc.c). */
extern uint32_t pc_tsc_khz;
/* The local APIC timer's input rate in kHz, before its divider (lapic.c). */
extern uint32_t pc_apic_timer_khz;

/* Checks (pc.c): one "pc: <what>: ok" or FAIL line each, counted. */
int pc_check(const char *what, long long got, long long want);
int pc_within(const char *what, long long got, long long lo, long long hi);
/* One line for a check already judged. */
int pc_verdict(const char *what, bool ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Time (pc.c). */
uint64_t pc_ms(uint32_t ms);	/* TSC ticks in ms milliseconds */
uint32_t pc_us(uint64_t ticks); /* TSC ticks in microseconds */
void pc_spin_ms(uint32_t ms);	/* busy wait with interrupts as they are */
/*
 * Wait with interrupts enabled (STI; HLT) until *count reaches target or
 * ms milliseconds pass; true if it was reached.  Interrupts are off
 * again on return.  On cloison a SET_TIMER wake-up bounds each HLT.
 */
bool pc_wait(volatile unsigned *count, unsigned target, uint32_t ms);

/* Local APIC access in its current mode (lapic.c). */
uint32_t lapic_read(uint32_t reg);
void lapic_write(uint32_t reg, uint32_t v);
void lapic_eoi(void);
void lapic_enable(void); /* software enable, spurious vector VEC_SPURIOUS */

/* I/O APIC access (ioapic.c): register index, redirection entries. */
uint32_t ioapic_read(uint32_t reg);
void ioapic_write(uint32_t reg, uint32_t v);
void ioapic_route(unsigned pin, uint8_t vector, bool level, uint8_t dest);
void ioapic_mask(unsigned pin);
uint32_t ioapic_entry_low(unsigned pin);

/* The PIT's counter 0 as an OS's tick (ioapic.c): mode 2, 100 Hz; the TSC just before it counts. */
uint64_t pc_pit_start_100hz(void);
void pc_pit_stop(void);

/* The groups of checks, in the order pc.c runs them. */
void acpi_checks(unsigned cpus);
void clock_checks(void);
void lapic_checks(void);
void ioapic_checks(void);
void pic_checks(void);
void rtc_checks(void);
void uart_checks(char typed); /* 0: no byte will be typed */
void x2apic_checks(void);
void smp_checks(void);

#endif /* __ASSEMBLER__ */
#endif
