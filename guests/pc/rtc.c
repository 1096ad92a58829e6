/*
 * The CMOS clock (Motorola MC146818A) at ports 0x70/0x71, read as a PC
 * OS reads it: registers A-D as a PC BIOS leaves them (A = 0x26, B = 0x02:
 * BCD, 24-hour; D's valid-RAM bit), the date in BCD with the century in
 * CMOS byte 0x32 (the FADT's CENTURY), taken while UIP is clear, and UIP
 * itself: it rises before each once-a-second update, and after it falls
 * the seconds have moved on.  Last, the update-ended interrupt on ISA
 * IRQ 8 through the I/O APIC's pin 8, as Linux's rtc-cmos driver uses
 * it: register C says IRQF and UF, and reading it acknowledges.
 */
#include "guests/pc/pc.h"

#define RTC_INDEX 0x70
#define RTC_DATA 0x71
#define REG_SECONDS 0x00
#define REG_MINUTES 0x02
#define REG_HOURS 0x04
#define REG_DAY 0x07
#define REG_MONTH 0x08
#define REG_YEAR 0x09
#define REG_A 0x0a
#define REG_B 0x0b
#define REG_C 0x0c
#define REG_D 0x0d
#define REG_CENTURY 0x32
#define A_UIP 0x80
#define C_RESERVED 0x0f
#define C_IRQF 0x80
#define C_UF 0x10
#define D_VRT 0x80
#define B_UIE 0x10
#define PIN 8 /* ISA IRQ 8: no override in the MADT */

static volatile unsigned rtc_fired;
static volatile uint8_t rtc_c;

struct frame;

__attribute__((interrupt)) static void on_rtc(struct frame *f)
{
	(void)f;
	outb(RTC_INDEX, REG_C);
	rtc_c = inb(RTC_DATA); /* the acknowledgement */
	rtc_fired++;
	lapic_eoi();
}

static uint8_t cmos(uint8_t reg)
{
	outb(RTC_INDEX, reg);
	return inb(RTC_DATA);
}

static void cmos_write(uint8_t reg, uint8_t v)
{
	outb(RTC_INDEX, reg);
	outb(RTC_DATA, v);
}

static unsigned bcd(uint8_t v)
{
	return (v >> 4) * 10u + (v & 0xfu);
}

static bool valid_bcd(uint8_t v)
{
	return (v >> 4) < 10 && (v & 0xf) < 10;
}

/* Spin until register A's UIP reads want, for at most ms; the index stays on A. */
static bool uip_becomes(bool want, uint32_t ms)
{
	uint64_t end = rdtsc() + pc_ms(ms);

	outb(RTC_INDEX, REG_A);
	while (!!(inb(RTC_DATA) & A_UIP) != want)
		if (rdtsc() > end)
			return false;
	return true;
}

static void update_interrupt(uint8_t b)
{
	desc_set_handler(VEC_RTC, (void *)on_rtc);
	cmos(REG_C);
	ioapic_route(PIN, VEC_RTC, false, 0);
	cmos_write(REG_B, b | B_UIE);
	pc_wait(&rtc_fired, 1, 1500);
	cmos_write(REG_B, b);
	ioapic_mask(PIN);
	cmos(REG_C);
	if (pc_verdict("rtc: update interrupt on pin 8 (UIE)", rtc_fired > 0, "none in 1.5 s"))
		return;
	pc_check("rtc: register C says IRQF and UF", rtc_c & (C_IRQF | C_UF), C_IRQF | C_UF);
}

void rtc_checks(void)
{
	uint8_t b = cmos(REG_B), c, raw[6];
	unsigned year, s0, s1;
	bool ok = true, seen;

	pc_check("rtc: register A (divider 32.768 kHz, rate 1024 Hz)", cmos(REG_A) & ~A_UIP, 0x26);
	pc_check("rtc: register B (BCD, 24-hour, no interrupt)", b, 0x02);
	c = cmos(REG_C);
	pc_verdict("rtc: register C (no IRQF, reserved bits 0)", !(c & (C_IRQF | C_RESERVED)),
		   "C 0x%x", c);
	pc_check("rtc: register D (valid RAM and time)", cmos(REG_D), D_VRT);

	uip_becomes(false, 10);
	raw[0] = cmos(REG_SECONDS);
	raw[1] = cmos(REG_MINUTES);
	raw[2] = cmos(REG_HOURS);
	raw[3] = cmos(REG_DAY);
	raw[4] = cmos(REG_MONTH);
	raw[5] = cmos(REG_YEAR);
	for (int i = 0; i < 6; i++)
		ok = ok && valid_bcd(raw[i]);
	ok = ok && bcd(raw[0]) < 60 && bcd(raw[1]) < 60 && bcd(raw[2]) < 24 && bcd(raw[3]) >= 1 &&
	     bcd(raw[3]) <= 31 && bcd(raw[4]) >= 1 && bcd(raw[4]) <= 12;
	year = bcd(cmos(REG_CENTURY)) * 100 + bcd(raw[5]);
	pc_verdict("rtc: date and time in BCD", ok, "%02x:%02x:%02x %02x/%02x/%02x", raw[2], raw[1],
		   raw[0], raw[3], raw[4], raw[5]);
	pc_within("rtc: year (century from CMOS 0x32)", year, 2025, 2199);

	/*
	 * The update: UIP rises once a second, for 244 us, then the second
	 * moves.  A vCPU that is away for that long misses it (a read of
	 * port 0x71 is an exit, tens of microseconds under an emulator), so
	 * it is given a few seconds' chances.
	 */
	s0 = bcd(cmos(REG_SECONDS));
	seen = uip_becomes(true, 5100);
	pc_check("rtc: UIP rises before an update", seen, true);
	if (seen) {
		uip_becomes(false, 100);
		s1 = bcd(cmos(REG_SECONDS));
		pc_verdict("rtc: seconds advance after UIP", s1 != s0, "still %u", s1);
	}
	update_interrupt(b);
}
