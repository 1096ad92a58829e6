/*
 * Local APIC driver, in x2APIC mode (MSRs) where the CPU offers it and
 * xAPIC mode (MMIO) otherwise: identification, EOI, IPIs (fixed, NMI,
 * INIT, SIPI) and the timer in one-shot mode.
 */
#ifndef DRIVERS_LAPIC_H
#define DRIVERS_LAPIC_H

#include "lib/types.h"

/* Where the firmware put the xAPIC page (IA32_APIC_BASE), when the MADT does not say. */
u64 lapic_base_phys(void);
/*
 * Choose the mode once, on the boot CPU (force_xapic: the "apic=xapic"
 * option); xapic_mmio is the xAPIC page, mapped uncached by the caller.
 */
void lapic_setup_bsp(void *xapic_mmio, bool force_xapic);
/* Enable this CPU's LAPIC in the chosen mode, timer masked. */
void lapic_enable(void);
bool lapic_is_x2apic(void);
u32 lapic_id(void);
void lapic_eoi(void);
void lapic_send_ipi(u32 apic_id, u8 vector);
void lapic_send_nmi_others(void);
void lapic_send_nmi(u32 apic_id);
void lapic_send_init(u32 apic_id);
void lapic_send_sipi(u32 apic_id, u8 page);

/* Timer: counts down at lapic_timer_hz (after timer_calibrate()). */
extern u64 lapic_timer_hz;
void lapic_timer_start_raw(u32 count, u8 vector, bool periodic);
u32 lapic_timer_current(void);
void lapic_timer_oneshot_ns(u64 ns, u8 vector);
void lapic_timer_stop(void);

#endif
