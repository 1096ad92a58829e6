/*
 * The MC146818A RTC and CMOS RAM (Motorola MC146818A datasheet).  The
 * clock is kept as seconds since 1970 that count on with the guest's
 * TSC from a fixed origin (so it does not drift), and its registers are
 * computed from that at each read, in BCD or binary and on the 12- or
 * 24-hour clock as register B says at that moment (lib/date.h).  The
 * century byte 0x32, a PC convention, is part of the clock here, in the
 * same format as the year.  The day of the week follows from the date:
 * a guest's write to it is ignored while the clock runs.
 *
 * The clock updates once a second and at once (the chip's 1984 us
 * update cycle takes no time here); UIP reads 1 in the 244 us before
 * each update (MC146818A, register A, UIP).  While register B's SET bit
 * or a divider reset (register A, DV2-DV1 = 11) stops updates, the
 * clock's bytes are plain storage; when the clock runs again they are
 * decoded as the new time (ignored if they are no valid date between
 * 1970 and 2199), and the host's clock is never touched.  After SET the
 * updates keep their phase; after a divider reset the first comes half
 * a second later (MC146818A, register A, DV2-DV0).  Divider values
 * other than reset all count at the normal rate.
 *
 * Interrupts (MC146818A, register C): PF at the periodic rate of
 * register A, UF at each update and AF at each update whose time
 * matches the alarm registers (0xc0-0xff in one of them matches
 * anything) are set whatever register B enables.  IRQF and the
 * interrupt line are up while a flag is set whose interrupt B enables:
 * until register C is read, which clears them all, or B disables it.
 * Each rise of the line is one edge on ISA IRQ 8, which vrtc_update
 * reports, even if the guest read register C first.  Daylight saving
 * (DSE) and the square-wave output (SQWE) are stored and have no
 * effect; the NMI bit of port 0x70 is kept and nothing else.
 */
#include "vdev/rtc.h"
#include "lib/date.h"
#include "lib/lib.h"

/* Register numbers (MC146818A, "Address Map"; 0x32 is the PC's century byte). */
#define REG_SECONDS 0x00
#define REG_ALARM_SECONDS 0x01
#define REG_MINUTES 0x02
#define REG_ALARM_MINUTES 0x03
#define REG_HOURS 0x04
#define REG_ALARM_HOURS 0x05
#define REG_WEEKDAY 0x06
#define REG_DAY 0x07
#define REG_MONTH 0x08
#define REG_YEAR 0x09
#define REG_A 0x0a
#define REG_B 0x0b
#define REG_C 0x0c
#define REG_D 0x0d
#define REG_CENTURY 0x32
#define HELD_CENTURY VRTC_CLOCK_REGS /* the century byte's place in held[] */

#define INDEX_MASK 0x7f
#define INDEX_NMI_OFF 0x80

/* Register A: update in progress, divider control, rate select. */
#define A_UIP 0x80
#define A_DIVIDER_RESET 0x60 /* DV2 and DV1 both set: the divider chain is held in reset */
#define A_RATE 0x0f
#define A_POWER_ON 0x26 /* 32.768 kHz time base, 1024 Hz periodic rate, as a PC BIOS leaves it */

/* Register B. */
#define B_SET 0x80
#define B_PIE 0x40
#define B_AIE 0x20
#define B_UIE 0x10
#define B_POWER_ON DATE_RTC_B_24H /* BCD, 24-hour clock */

/* Register C (read only, cleared by reading). */
#define C_IRQF 0x80
#define C_PF 0x40
#define C_AF 0x20
#define C_UF 0x10

#define D_VRT 0x80 /* register D: valid RAM and time (the battery is fine) */

#define ALARM_ANY 0xc0 /* an alarm byte with both top bits set matches anything */
#define UIP_US 244
#define SECS_PER_HOUR 3600u

static bool divider_running(const struct vrtc *r)
{
	return (r->a & A_DIVIDER_RESET) != A_DIVIDER_RESET;
}

/* Updates are stopped: by SET, or by a divider held in reset. */
static bool stopped(const struct vrtc *r)
{
	return (r->b & B_SET) || !divider_running(r);
}

/* The running clock at t. */
static u64 clock_secs(const struct vrtc *r, u64 t)
{
	if (t < r->upd_tsc)
		return r->upd_secs ? r->upd_secs - 1 : 0; /* 1970 is as early as it goes */
	return r->upd_secs + (t - r->upd_tsc) / r->tsc_hz;
}

/* The first update after t. */
static u64 next_update(const struct vrtc *r, u64 t)
{
	if (t < r->upd_tsc)
		return r->upd_tsc;
	return r->upd_tsc + ((t - r->upd_tsc) / r->tsc_hz + 1) * r->tsc_hz;
}

/* The periodic rate of register A's RS3-RS0 with a 32.768 kHz time base (MC146818A Table 5). */
static u32 periodic_hz(u8 a)
{
	u32 rs = a & A_RATE;

	if (!rs)
		return 0;
	if (rs <= 2) /* 1 and 2 repeat 8 and 9 (256 and 128 Hz) */
		rs += 7;
	return 65536u >> rs;
}

/* Periodic ticks from the divider chain's start to t. */
static u64 periodic_ticks(const struct vrtc *r, u64 t)
{
	if (t <= r->chain_tsc)
		return 0;
	return mul_div_u64(t - r->chain_tsc, periodic_hz(r->a), r->tsc_hz);
}

/* The clock's bytes (held[] layout) for the time secs, in register B's format. */
static void encode_clock(const struct vrtc *r, u64 secs, u8 out[VRTC_CLOCK_REGS + 1])
{
	struct date d;

	date_from_epoch(secs, &d);
	memset(out, 0, VRTC_CLOCK_REGS + 1);
	out[REG_SECONDS] = date_rtc_encode(d.second, r->b);
	out[REG_MINUTES] = date_rtc_encode(d.minute, r->b);
	out[REG_HOURS] = date_rtc_encode_hour(d.hour, r->b);
	out[REG_WEEKDAY] = date_rtc_encode((u8)(d.weekday + 1), r->b); /* 1 = Sunday */
	out[REG_DAY] = date_rtc_encode(d.day, r->b);
	out[REG_MONTH] = date_rtc_encode(d.month, r->b);
	out[REG_YEAR] = date_rtc_encode((u8)(d.year % 100), r->b);
	out[HELD_CENTURY] = date_rtc_encode((u8)(d.year / 100), r->b);
}

/* The time in the clock's bytes, or false if they are no valid date in lib/date.h's range. */
static bool decode_clock(const struct vrtc *r, const u8 in[VRTC_CLOCK_REGS + 1], u64 *secs)
{
	u8 yy = date_rtc_decode(in[REG_YEAR], r->b), cc = date_rtc_decode(in[HELD_CENTURY], r->b);
	struct date d = {
		.year = (u16)(cc * 100u + yy),
		.month = date_rtc_decode(in[REG_MONTH], r->b),
		.day = date_rtc_decode(in[REG_DAY], r->b),
		.hour = date_rtc_decode_hour(in[REG_HOURS], r->b),
		.minute = date_rtc_decode(in[REG_MINUTES], r->b),
		.second = date_rtc_decode(in[REG_SECONDS], r->b),
	};

	if (yy > 99 || cc > 99 || !date_valid(&d))
		return false;
	*secs = date_to_epoch(&d);
	return true;
}

/* An alarm byte: -1 for "any", else its value (DATE_RTC_BAD matches nothing). */
static int alarm_byte(u8 v, u8 value)
{
	return (v & ALARM_ANY) == ALARM_ANY ? -1 : value;
}

static bool alarm_match(int want, u32 v)
{
	return want < 0 || (u32)want == v;
}

/* The first second after s whose time of day matches the alarm registers, 0 if none ever will. */
static u64 next_alarm(const struct vrtc *r, u64 s)
{
	u8 ah = r->ram[REG_ALARM_HOURS], am = r->ram[REG_ALARM_MINUTES];
	u8 as = r->ram[REG_ALARM_SECONDS];
	int hour = alarm_byte(ah, date_rtc_decode_hour(ah, r->b));
	int minute = alarm_byte(am, date_rtc_decode(am, r->b));
	int second = alarm_byte(as, date_rtc_decode(as, r->b));
	u64 t = s + 1, day = t - t % DATE_SECS_PER_DAY;
	u32 tod = (u32)(t % DATE_SECS_PER_DAY);
	u32 h0 = tod / SECS_PER_HOUR, m0 = tod / 60 % 60, s0 = tod % 60;

	/* A value that no time has never matches (and would make the search below long). */
	if (hour >= 24 || minute >= 60 || second >= 60)
		return 0;
	for (u32 d = 0; d < 2; d++, day += DATE_SECS_PER_DAY) {
		for (u32 h = d ? 0 : h0; h < 24; h++) {
			bool first_hour = !d && h == h0;

			if (!alarm_match(hour, h))
				continue;
			for (u32 m = first_hour ? m0 : 0; m < 60; m++) {
				if (!alarm_match(minute, m))
					continue;
				for (u32 sec = first_hour && m == m0 ? s0 : 0; sec < 60; sec++)
					if (alarm_match(second, sec))
						return day + h * SECS_PER_HOUR + m * 60u + sec;
			}
		}
	}
	return 0;
}

/* IRQF (MC146818A, register C): an enabled flag is set. */
static bool irqf(const struct vrtc *r)
{
	return ((r->c & C_PF) && (r->b & B_PIE)) || ((r->c & C_AF) && (r->b & B_AIE)) ||
	       ((r->c & C_UF) && (r->b & B_UIE));
}

/* IRQF and the line follow the flags and their enables; a rise is an edge to report. */
static void check_line(struct vrtc *r)
{
	if (!irqf(r)) {
		r->c &= ~C_IRQF;
		return;
	}
	if (!(r->c & C_IRQF))
		r->edge = true;
	r->c |= C_IRQF;
}

/* Set register C's flags for the events after seen up to now. */
static void account(struct vrtc *r, u64 now)
{
	u64 s0, s1, alarm;

	if (now <= r->seen)
		return;
	if (divider_running(r) && periodic_hz(r->a) &&
	    periodic_ticks(r, now) > periodic_ticks(r, r->seen))
		r->c |= C_PF;
	if (!stopped(r)) {
		s0 = clock_secs(r, r->seen);
		s1 = clock_secs(r, now);
		if (s1 > s0) {
			r->c |= C_UF;
			alarm = next_alarm(r, s0);
			if (alarm && alarm <= s1)
				r->c |= C_AF;
		}
	}
	r->seen = now;
	check_line(r);
}

/* Updates stop: the clock's bytes become storage, holding the time of now. */
static void stop(struct vrtc *r, u64 now)
{
	r->held_secs = clock_secs(r, now);
	encode_clock(r, r->held_secs, r->held);
}

/* Updates resume at now: the held bytes are the time, the next update keeps its phase. */
static void resume(struct vrtc *r, u64 now)
{
	u64 secs;

	if (!decode_clock(r, r->held, &secs))
		secs = r->held_secs;
	r->upd_tsc = next_update(r, now);
	r->upd_secs = secs + 1;
}

/* A write to register A or B, which may stop or resume the clock. */
static void write_control(struct vrtc *r, u8 reg, u8 value, u64 now)
{
	bool was_stopped = stopped(r), was_dividing = divider_running(r);

	account(r, now);
	if (reg == REG_A) {
		r->a = value & ~A_UIP;
		/* Out of divider reset: the chain starts, the first update is 0.5 s away. */
		if (!was_dividing && divider_running(r)) {
			r->chain_tsc = now;
			r->upd_tsc = now + r->tsc_hz / 2;
		}
	} else {
		/* SET going to 1 clears UIE (MC146818A, register B). */
		if ((value & B_SET) && !(r->b & B_SET))
			value &= ~B_UIE;
		r->b = value;
	}
	if (!was_stopped && stopped(r))
		stop(r, now);
	else if (was_stopped && !stopped(r))
		resume(r, now);
	check_line(r);
}

/* held[] index of a clock register, or -1. */
static int clock_slot(u8 reg)
{
	switch (reg) {
	case REG_SECONDS:
	case REG_MINUTES:
	case REG_HOURS:
	case REG_WEEKDAY:
	case REG_DAY:
	case REG_MONTH:
	case REG_YEAR:
		return reg;
	case REG_CENTURY:
		return HELD_CENTURY;
	default:
		return -1;
	}
}

static void write_clock(struct vrtc *r, int slot, u8 value, u64 now)
{
	u8 bytes[VRTC_CLOCK_REGS + 1];
	u64 cur, secs;

	if (stopped(r)) {
		r->held[slot] = value;
		return;
	}
	/*
	 * Running: the clock moves to the date with this byte changed,
	 * keeping its phase (the weekday byte changes nothing: the date
	 * does not depend on it).
	 */
	account(r, now);
	cur = clock_secs(r, now);
	encode_clock(r, cur, bytes);
	bytes[slot] = value;
	if (!decode_clock(r, bytes, &secs))
		return;
	/*
	 * The reference moves to the last update at or before now, which
	 * reads secs.  Shifting upd_secs by the change instead takes it below
	 * 0 (a wrapped u64) when the new date lies nearer 1970 than the clock
	 * has run since upd_tsc, and a time before upd_tsc then reads 2^64.
	 */
	if (now >= r->upd_tsc) {
		r->upd_tsc += (now - r->upd_tsc) / r->tsc_hz * r->tsc_hz;
		r->upd_secs = secs;
	} else {
		r->upd_secs = secs + 1;
	}
}

static u8 read_data(struct vrtc *r, u64 now)
{
	u8 bytes[VRTC_CLOCK_REGS + 1], v;
	int slot = clock_slot(r->index);
	u64 uip_ticks;

	if (slot >= 0) {
		if (stopped(r))
			return r->held[slot];
		encode_clock(r, clock_secs(r, now), bytes);
		return bytes[slot];
	}
	switch (r->index) {
	case REG_A:
		uip_ticks = mul_div_u64(UIP_US, r->tsc_hz, 1000000);
		if (!stopped(r) && next_update(r, now) - now <= uip_ticks)
			return r->a | A_UIP;
		return r->a;
	case REG_B:
		return r->b;
	case REG_C:
		account(r, now);
		v = r->c;
		r->c = 0;
		return v;
	case REG_D:
		return D_VRT;
	default:
		return r->ram[r->index];
	}
}

static void write_data(struct vrtc *r, u8 value, u64 now)
{
	int slot = clock_slot(r->index);

	if (slot >= 0) {
		write_clock(r, slot, value, now);
		return;
	}
	switch (r->index) {
	case REG_A:
	case REG_B:
		write_control(r, r->index, value, now);
		break;
	case REG_C:
	case REG_D:
		break; /* read only */
	default:
		/* The alarm registers (the next update compares them) and plain RAM. */
		account(r, now);
		r->ram[r->index] = value;
		break;
	}
}

void vrtc_reset(struct vrtc *r, u64 epoch_seconds, u64 tsc_hz, u64 now)
{
	memset(r, 0, sizeof(*r));
	r->tsc_hz = tsc_hz;
	r->a = A_POWER_ON;
	r->b = B_POWER_ON;
	r->chain_tsc = now;
	r->upd_tsc = now + tsc_hz;
	r->upd_secs = epoch_seconds + 1;
	r->seen = now;
}

u8 vrtc_read(struct vrtc *r, u16 port, u64 now)
{
	if (port == VRTC_PORT_DATA)
		return read_data(r, now);
	return 0xff; /* the index register cannot be read back */
}

void vrtc_write(struct vrtc *r, u16 port, u8 value, u64 now)
{
	if (port == VRTC_PORT_INDEX) {
		r->index = value & INDEX_MASK;
		r->nmi_off = value & INDEX_NMI_OFF;
	} else if (port == VRTC_PORT_DATA) {
		write_data(r, value, now);
	}
}

u64 vrtc_next_irq(const struct vrtc *r, u64 now)
{
	u64 best = 0, t, k, alarm;
	u32 hz = periodic_hz(r->a);

	if (r->edge)
		return now ? now : 1;
	if (r->c & C_IRQF)
		return 0; /* the line stays up until register C is read */
	if ((r->b & B_PIE) && hz && divider_running(r)) {
		/* The next periodic tick after seen, rounded up to a whole TSC tick. */
		k = periodic_ticks(r, r->seen) + 1;
		t = mul_div_u64(k, r->tsc_hz, hz);
		if (mul_div_u64(t, hz, r->tsc_hz) < k)
			t++;
		best = r->chain_tsc + t;
	}
	if (!stopped(r) && (r->b & B_UIE)) {
		t = next_update(r, r->seen);
		best = best && best < t ? best : t;
	}
	if (!stopped(r) && (r->b & B_AIE)) {
		alarm = next_alarm(r, clock_secs(r, r->seen));
		if (alarm) {
			t = r->upd_tsc + (alarm - r->upd_secs) * r->tsc_hz;
			best = best && best < t ? best : t;
		}
	}
	return best;
}

bool vrtc_update(struct vrtc *r, u64 now)
{
	bool edge;

	account(r, now);
	edge = r->edge;
	r->edge = false;
	return edge;
}

u64 vrtc_epoch(const struct vrtc *r, u64 now)
{
	u64 secs;

	if (!stopped(r))
		return clock_secs(r, now);
	return decode_clock(r, r->held, &secs) ? secs : r->held_secs;
}
