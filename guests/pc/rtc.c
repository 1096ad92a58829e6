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

static volatile unsigned rtc_fired;
static volatile uint8_t rtc_c;

struct frame;

__attribute__((interrupt)) static void on_rtc(struct frame *f)
{
	(void)f;
	rtc_c = rtc_read(RTC_REG_C); /* the acknowledgement */
	rtc_fired++;
	lapic_eoi();
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

	outb(RTC_INDEX, RTC_REG_A);
	while (!!(inb(RTC_DATA) & RTC_A_UIP) != want)
		if (rdtsc() > end)
			return false;
	return true;
}

static void update_interrupt(uint8_t b)
{
	desc_set_handler(VEC_RTC, (void *)on_rtc);
	rtc_read(RTC_REG_C);
	ioapic_route(IOAPIC_PIN_RTC, VEC_RTC, false, 0);
	rtc_write(RTC_REG_B, b | RTC_B_UIE);
	pc_wait(&rtc_fired, 1, 1500);
	rtc_write(RTC_REG_B, b);
	ioapic_mask(IOAPIC_PIN_RTC);
	rtc_read(RTC_REG_C);
	if (pc_verdict("rtc: update interrupt on pin 8 (UIE)", rtc_fired > 0, "none in 1.5 s"))
		return;
	pc_check("rtc: register C says IRQF and UF", rtc_c & (RTC_C_IRQF | RTC_C_UF),
		 RTC_C_IRQF | RTC_C_UF);
}

void rtc_checks(void)
{
	uint8_t b = rtc_read(RTC_REG_B), c, raw[6];
	unsigned year, s0, s1;
	bool ok = true, seen;

	pc_check("rtc: register A (divider 32.768 kHz, rate 1024 Hz)",
		 rtc_read(RTC_REG_A) & ~RTC_A_UIP, 0x26);
	pc_check("rtc: register B (BCD, 24-hour, no interrupt)", b, 0x02);
	c = rtc_read(RTC_REG_C);
	pc_verdict("rtc: register C (no IRQF, reserved bits 0)",
		   !(c & (RTC_C_IRQF | RTC_C_RESERVED)), "C 0x%x", c);
	pc_check("rtc: register D (valid RAM and time)", rtc_read(RTC_REG_D), RTC_D_VRT);

	uip_becomes(false, 10);
	raw[0] = rtc_read(RTC_REG_SECONDS);
	raw[1] = rtc_read(RTC_REG_MINUTES);
	raw[2] = rtc_read(RTC_REG_HOURS);
	raw[3] = rtc_read(RTC_REG_DAY);
	raw[4] = rtc_read(RTC_REG_MONTH);
	raw[5] = rtc_read(RTC_REG_YEAR);
	for (int i = 0; i < 6; i++)
		ok = ok && valid_bcd(raw[i]);
	ok = ok && bcd(raw[0]) < 60 && bcd(raw[1]) < 60 && bcd(raw[2]) < 24 && bcd(raw[3]) >= 1 &&
	     bcd(raw[3]) <= 31 && bcd(raw[4]) >= 1 && bcd(raw[4]) <= 12;
	year = bcd(rtc_read(RTC_REG_CENTURY)) * 100 + bcd(raw[5]);
	pc_verdict("rtc: date and time in BCD", ok, "%02x:%02x:%02x %02x/%02x/%02x", raw[2], raw[1],
		   raw[0], raw[3], raw[4], raw[5]);
	pc_within("rtc: year (century from CMOS 0x32)", year, 2025, 2199);

	/*
	 * The update: UIP rises once a second, for 244 us, then the second
	 * moves.  A vCPU that is away for that long misses it (a read of
	 * port 0x71 is an exit, tens of microseconds under an emulator), so
	 * it is given a few seconds' chances.
	 */
	s0 = bcd(rtc_read(RTC_REG_SECONDS));
	seen = uip_becomes(true, 5100);
	pc_check("rtc: UIP rises before an update", seen, true);
	if (seen) {
		uip_becomes(false, 100);
		s1 = bcd(rtc_read(RTC_REG_SECONDS));
		pc_verdict("rtc: seconds advance after UIP", s1 != s0, "still %u", s1);
	}
	update_interrupt(b);
}
