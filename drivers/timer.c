/*
 * Timer calibration and delays.
 *
 * Reference clocks: the ACPI PM timer (3.579545 MHz, ACPI 6.4 §4.8.3.3)
 * when the FADT has one, otherwise PIT channel 2 gated through port
 * 0x61 (8254 datasheet, mode 0).  Over a 10 ms window both the TSC and
 * the LAPIC timer (divide-by-16) are sampled; their rates drive
 * udelay(), time_ns() and lapic_timer_oneshot_ns().
 */
#include "drivers/timer.h"
#include "drivers/acpi.h"
#include "drivers/lapic.h"
#include "lib/lib.h"
#include "lib/log.h"
#include "lib/x86.h"

#define PM_TIMER_HZ 3579545ull
#define PIT_HZ 1193182ull
#define CALIBRATE_US 10000ull

#define PIT_CH0 0x40
#define PIT_CH2 0x42
#define PIT_CMD 0x43
#define PIT_CMD_CH0_MODE2 0x34 /* channel 0, lo/hi byte, mode 2 (rate generator), binary */
#define PIT_GATE 0x61
#define GATE_CH2_ENABLE 0x01
#define GATE_SPEAKER 0x02
#define GATE_CH2_OUT 0x20
#define PIT_CMD_CH2_MODE0 0xb0 /* channel 2, lo/hi byte, mode 0, binary */

u64 tsc_hz;
static u64 tsc_boot;

static u32 pm_timer_read(void)
{
	u32 v = inl((u16)acpi.pm_timer);
	return acpi.pm_timer_32 ? v : v & 0xffffff;
}

/* Busy-wait CALIBRATE_US on the PM timer. */
static void wait_pm_timer(void)
{
	u32 mask = acpi.pm_timer_32 ? 0xffffffffu : 0xffffffu;
	u32 start = pm_timer_read();
	u32 want = (u32)(PM_TIMER_HZ * CALIBRATE_US / 1000000ull);
	while (((pm_timer_read() - start) & mask) < want)
		cpu_relax();
}

/* Busy-wait CALIBRATE_US on PIT channel 2 in mode 0. */
static void wait_pit(void)
{
	u16 count = (u16)(PIT_HZ * CALIBRATE_US / 1000000ull);
	u8 gate = inb(PIT_GATE) & ~(GATE_SPEAKER | GATE_CH2_ENABLE);

	outb(PIT_GATE, gate);
	outb(PIT_CMD, PIT_CMD_CH2_MODE0);
	outb(PIT_CH2, count & 0xff);
	outb(PIT_CH2, count >> 8);
	outb(PIT_GATE, gate | GATE_CH2_ENABLE); /* rising gate starts the count */
	for (u64 spin = 0; !(inb(PIT_GATE) & GATE_CH2_OUT); spin++)
		if (spin > 100000000ull)
			break; /* no PIT: give up rather than hang */
	outb(PIT_GATE, gate);
}

void timer_calibrate(u8 vector)
{
	u64 t0, t1;
	u32 l0, l1;
	const char *ref = acpi.pm_timer ? "acpi pm timer" : "pit";

	/* Interrupts are off and a full count lasts far longer than the window. */
	lapic_timer_start_raw(0xffffffffu, vector, false);
	t0 = rdtsc();
	l0 = lapic_timer_current();
	if (acpi.pm_timer)
		wait_pm_timer();
	else
		wait_pit();
	l1 = lapic_timer_current();
	t1 = rdtsc();
	lapic_timer_stop();

	tsc_hz = (t1 - t0) * (1000000ull / CALIBRATE_US);
	lapic_timer_hz = (u64)(l0 - l1) * (1000000ull / CALIBRATE_US);
	tsc_boot = t0;
	if (!tsc_hz)
		tsc_hz = 1000000000ull;
	klog("timer: tsc %llu kHz, lapic timer %llu kHz (against the %s)",
	     (unsigned long long)(tsc_hz / 1000), (unsigned long long)(lapic_timer_hz / 1000), ref);
}

u64 time_ns(void)
{
	return mul_div_u64(rdtsc() - tsc_boot, 1000000000ull, tsc_hz);
}

static u64 wall_at_boot; /* seconds since 1970 when time_ns() was wall_ns */
static u64 wall_ns;

void timer_set_wall_clock(u64 epoch_seconds)
{
	wall_at_boot = epoch_seconds;
	wall_ns = time_ns();
}

u64 timer_wall_clock(void)
{
	return wall_at_boot + (time_ns() - wall_ns) / 1000000000ull;
}

u64 timer_tsc_to_ns(u64 tsc)
{
	return tsc <= tsc_boot ? 0 : mul_div_u64(tsc - tsc_boot, 1000000000ull, tsc_hz);
}

void udelay(u64 us)
{
	u64 end = rdtsc() + mul_div_u64(us, tsc_hz, 1000000ull);
	while (rdtsc() < end)
		cpu_relax();
}

void timer_pit_periodic(u32 hz)
{
	u32 divisor = (u32)(PIT_HZ / hz);

	divisor = MIN(MAX(divisor, 2u), 0xffffu);
	outb(PIT_CMD, PIT_CMD_CH0_MODE2);
	outb(PIT_CH0, divisor & 0xff);
	outb(PIT_CH0, divisor >> 8);
}
