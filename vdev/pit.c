/*
 * The 8254 PIT (Intel 8254 datasheet, 231164) and the counter 2 bits of
 * the PC's port 0x61.  Time comes from the caller as the guest's TSC;
 * each counter counts the input clock's ticks from a fixed origin taken
 * when its count was loaded (ticks = (now - origin) * 1193182 / tsc_hz,
 * rounded down), so a periodic counter does not drift however long it
 * runs.  What OUT and the count read at any moment follow from the
 * ticks, the mode and the initial count.
 *
 * Simplifications, each invisible to the guests that matter:
 * - A count is loaded at the write itself, not at the next tick of
 *   the input clock (838 ns later): in mode 0, OUT rises N ticks after
 *   the count is written rather than N + 1.
 * - BCD counting (control word bit 0) is refused: the counter counts
 *   in binary, and the status byte still shows the bit as written.
 * - A count of 1 in modes 2 and 3, below the datasheet's minimum of 2,
 *   counts as 2.
 * - In mode 3 a count written while counting takes over at the end of
 *   the current cycle (as in mode 2), not of the current half-cycle.
 * - Port 0x61 bit 4, the refresh toggle, flips every 18 ticks (15.09
 *   us) counted from reset, the AT's refresh rate, whatever counter 1
 *   is programmed to; nothing else of counter 1 reaches the outside.
 *
 * Left to the caller: raising ISA IRQ 0 on counter 0's rising edges
 * (vpit_update) and waking up for the next one (vpit_next_irq).
 */
#include "vdev/pit.h"
#include "lib/lib.h"

/* Control word (8254 §"Control Word Format"). */
#define CW_SELECT_SHIFT 6 /* SC1-SC0: counter 0..2, or 3 = read-back command */
#define CW_READ_BACK 3
#define CW_ACCESS_SHIFT 4 /* RW1-RW0; 0 = counter latch command */
#define CW_ACCESS_LATCH 0
#define CW_MODE_SHIFT 1 /* M2-M0 */
#define CW_LOW_BITS 0x3f
#define ACCESS_LSB 1
#define ACCESS_MSB 2
#define ACCESS_WORD 3

/* Read-back command (8254 §"Read-Back Command"): the bits are active low. */
#define RB_NO_COUNT 0x20
#define RB_NO_STATUS 0x10
#define RB_COUNTER(i) (0x02 << (i))

/* Status byte (8254 §"Status Byte"). */
#define STATUS_OUT 0x80
#define STATUS_NULL_COUNT 0x40

/* Port 0x61 (PC/AT system control port B). */
#define PORT_B_GATE2 0x01    /* counter 2's gate, read/write */
#define PORT_B_WRITABLE 0x0f /* gate, speaker data, parity and channel check enables */
#define PORT_B_REFRESH 0x10  /* refresh request toggle, read only */
#define PORT_B_OUT2 0x20     /* counter 2's OUT, read only */
#define REFRESH_TICKS 18     /* an AT's refresh period in input clock ticks */

#define MAX_COUNT 65536u

/* Where the current count is: ticks e since it began, initial count n. */
struct phase {
	u64 e;
	u32 n;
};

/* Input clock ticks counted by c at now (see struct vpit_counter). */
static u64 ticks(const struct vpit *p, const struct vpit_counter *c, u64 now)
{
	if (!c->running || now <= c->origin)
		return c->base;
	return c->base + mul_div_u64(now - c->origin, VPIT_HZ, p->tsc_hz);
}

/* The TSC value at which c will have counted t ticks (t >= c->base, c running). */
static u64 tick_time(const struct vpit *p, const struct vpit_counter *c, u64 t)
{
	u64 k = t - c->base, dt = mul_div_u64(k, p->tsc_hz, VPIT_HZ);

	/* Round up: tick k happens at the first TSC value whose ticks() reach it. */
	if (mul_div_u64(dt, VPIT_HZ, p->tsc_hz) < k)
		dt++;
	return c->origin + dt;
}

static struct phase phase_at(const struct vpit_counter *c, u64 t)
{
	if (c->pending && t >= c->switch_at)
		return (struct phase){ t - c->switch_at, c->pending_n };
	return (struct phase){ t - c->start, c->n };
}

static bool periodic(const struct vpit_counter *c)
{
	return c->mode == 2 || c->mode == 3;
}

/* OUT of counter c at now (8254 §"Mode Definitions"). */
static bool out_at(const struct vpit *p, const struct vpit_counter *c, u64 now)
{
	struct phase ph;

	/* Before a count (or, in modes 1 and 5, a trigger): low in mode 0, high otherwise. */
	if (!c->counting)
		return c->mode != 0;
	/* Modes 2 and 3: a low gate forces OUT high. */
	if (periodic(c) && !c->gate)
		return true;
	ph = phase_at(c, ticks(p, c, now));
	switch (c->mode) {
	case 0: /* low until the count reaches 0 */
	case 1: /* low from the trigger until the count reaches 0 */
		return ph.e >= ph.n;
	case 2: /* low for the one tick at count 1 */
		return ph.e % ph.n != ph.n - 1;
	case 3: /* high for the first (n + 1) / 2 ticks of each cycle */
		return ph.e % ph.n < (ph.n + 1) / 2;
	default: /* 4, 5: low for the one tick after the count reaches 0 */
		return ph.e != ph.n;
	}
}

/* The counting element at now, as a read without a latch sees it. */
static u16 count_at(const struct vpit *p, const struct vpit_counter *c, u64 now)
{
	struct phase ph;
	u32 pos, half;

	if (!c->counting)
		return c->hold;
	ph = phase_at(c, ticks(p, c, now));
	switch (c->mode) {
	case 2: /* n, n - 1, ..., 1, reload */
		return (u16)(ph.n - ph.e % ph.n);
	case 3: /* by twos from the even count below n, once per half-cycle */
		pos = (u32)(ph.e % ph.n);
		half = (ph.n + 1) / 2;
		return (u16)((ph.n & ~1u) - 2 * (pos < half ? pos : pos - half));
	default: /* down from n, wrapping through 0xffff */
		return (u16)(ph.n - ph.e);
	}
}

/* Rising OUT edges since the current count began, at tick t (counting). */
static u64 edges_at_tick(const struct vpit_counter *c, u64 t)
{
	struct phase ph = phase_at(c, t);

	switch (c->mode) {
	case 0:
	case 1:
		return ph.e >= ph.n;
	case 4:
	case 5:
		return ph.e > ph.n;
	default: /* one per cycle, at its end, in each count's stretch */
		if (c->pending && t >= c->switch_at)
			return (c->switch_at - c->start) / c->n + ph.e / ph.n;
		return ph.e / ph.n;
	}
}

static u64 edges_at(const struct vpit *p, const struct vpit_counter *c, u64 now)
{
	if (!c->counting)
		return 0;
	return edges_at_tick(c, ticks(p, c, now));
}

/* The tick at which OUT rises next after tick t, 0 if never. */
static u64 next_edge_tick(const struct vpit_counter *c, u64 t)
{
	struct phase ph = phase_at(c, t);
	u64 began = t - ph.e;

	switch (c->mode) {
	case 0:
	case 1:
		return ph.e < ph.n ? began + ph.n : 0;
	case 4:
	case 5:
		return ph.e <= ph.n ? began + ph.n + 1 : 0;
	default:
		return began + (ph.e / ph.n + 1) * ph.n;
	}
}

/* Count rising edges of counter 0's OUT up to now into irq_edges. */
static void account(struct vpit *p, u64 now)
{
	const struct vpit_counter *c = &p->counter[0];

	if (now <= p->irq_seen)
		return;
	p->irq_edges += (u32)(edges_at(p, c, now) - edges_at(p, c, p->irq_seen));
	p->irq_seen = now;
}

static u32 initial_count(const struct vpit_counter *c)
{
	u32 n = c->cr ? c->cr : MAX_COUNT;

	return periodic(c) && n == 1 ? 2 : n;
}

/* Load cr into the counting element at now and count from there. */
static void restart(struct vpit_counter *c, u64 now)
{
	c->counting = true;
	c->running = c->gate || c->mode == 1 || c->mode == 5;
	c->origin = now;
	c->base = c->start = 0;
	c->n = initial_count(c);
	c->pending = false;
	c->null_count = false;
}

/* Fold a pending count whose time has come into start and n. */
static void settle(const struct vpit *p, struct vpit_counter *c, u64 now)
{
	if (c->pending && ticks(p, c, now) >= c->switch_at) {
		c->start = c->switch_at;
		c->n = c->pending_n;
		c->pending = false;
	}
}

/* A complete count was written (8254 §"Mode Definitions", "new count" of each mode). */
static void load(struct vpit *p, struct vpit_counter *c, u16 count, u64 now)
{
	u64 t;

	c->cr = count;
	c->have_count = true;
	switch (c->mode) {
	case 0:
	case 4: /* loaded at once; counting (re)starts from it */
		restart(c, now);
		break;
	case 2:
	case 3: /* at once when idle, else at the end of the current cycle */
		if (!c->counting) {
			restart(c, now);
			break;
		}
		settle(p, c, now);
		t = ticks(p, c, now);
		c->switch_at = c->start + ((t - c->start) / c->n + 1) * c->n;
		c->pending_n = initial_count(c);
		c->pending = true; /* null count until then: null_count_at() */
		break;
	default: /* 1, 5: waits for the next trigger (rising gate) */
		c->null_count = true;
		break;
	}
}

static void write_count(struct vpit *p, struct vpit_counter *c, u8 value, u64 now)
{
	switch (c->access) {
	case ACCESS_LSB:
		load(p, c, value, now);
		break;
	case ACCESS_MSB:
		load(p, c, (u16)(value << 8), now);
		break;
	default:
		if (!c->write_msb) {
			c->lsb = value;
			c->write_msb = true;
			/* Mode 0: the first byte of a new count stops counting, OUT goes low. */
			if (c->mode == 0 && c->counting) {
				c->hold = count_at(p, c, now);
				c->counting = false;
			}
			break;
		}
		c->write_msb = false;
		load(p, c, (u16)(c->lsb | value << 8), now);
		break;
	}
}

static u8 read_count(struct vpit *p, struct vpit_counter *c, u64 now)
{
	u16 v;
	u8 byte;

	if (c->status_latched) {
		c->status_latched = false;
		return c->status;
	}
	v = c->latched ? c->latch : count_at(p, c, now);
	if (c->access == ACCESS_LSB || (c->access == ACCESS_WORD && !c->read_msb)) {
		byte = (u8)v;
		c->read_msb = c->access == ACCESS_WORD;
		if (c->access == ACCESS_LSB)
			c->latched = false;
	} else {
		byte = (u8)(v >> 8);
		c->read_msb = false;
		c->latched = false;
	}
	return byte;
}

static void latch_count(const struct vpit *p, struct vpit_counter *c, u64 now)
{
	/* A second latch before the first is read is ignored. */
	if (!c->latched) {
		c->latch = count_at(p, c, now);
		c->latched = true;
	}
}

static bool null_count_at(const struct vpit *p, const struct vpit_counter *c, u64 now)
{
	return c->null_count || (c->pending && ticks(p, c, now) < c->switch_at);
}

static void latch_status(const struct vpit *p, struct vpit_counter *c, u64 now)
{
	if (c->status_latched)
		return;
	c->status = (u8)((out_at(p, c, now) ? STATUS_OUT : 0) |
			 (null_count_at(p, c, now) ? STATUS_NULL_COUNT : 0) |
			 (c->control & CW_LOW_BITS));
	c->status_latched = true;
}

/* A control word that selects a counter and a mode: the counter waits for a new count. */
static void program(const struct vpit *p, struct vpit_counter *c, u8 value, u64 now)
{
	u8 mode = (value >> CW_MODE_SHIFT) & 7;

	c->hold = count_at(p, c, now);
	c->counting = c->pending = false;
	c->control = value & CW_LOW_BITS;
	c->mode = mode >= 6 ? mode - 4 : mode;
	c->access = (value >> CW_ACCESS_SHIFT) & 3;
	c->write_msb = c->read_msb = false;
	c->latched = c->status_latched = false;
	c->have_count = false;
	c->null_count = true;
}

static void write_control(struct vpit *p, u8 value, u64 now)
{
	u8 select = value >> CW_SELECT_SHIFT;
	struct vpit_counter *c;

	if (select == CW_READ_BACK) {
		for (int i = 0; i < VPIT_COUNTERS; i++) {
			if (!(value & RB_COUNTER(i)))
				continue;
			if (!(value & RB_NO_COUNT))
				latch_count(p, &p->counter[i], now);
			if (!(value & RB_NO_STATUS))
				latch_status(p, &p->counter[i], now);
		}
		return;
	}
	c = &p->counter[select];
	if (((value >> CW_ACCESS_SHIFT) & 3) == CW_ACCESS_LATCH)
		latch_count(p, c, now);
	else
		program(p, c, value, now);
}

/* Counter 2's gate, from port 0x61 (8254 §"Gate" of each mode). */
static void set_gate(struct vpit *p, struct vpit_counter *c, bool gate, u64 now)
{
	if (gate == c->gate)
		return;
	if (!gate) {
		/* Modes 0, 2, 3, 4: a low gate suspends counting. */
		if (c->counting && c->running && c->mode != 1 && c->mode != 5) {
			c->base = ticks(p, c, now);
			c->running = false;
		}
		c->gate = false;
		return;
	}
	c->gate = true;
	if (c->mode == 0 || c->mode == 4) {
		/* Counting resumes where it stopped. */
		if (c->counting) {
			c->origin = now;
			c->running = true;
		}
	} else if (c->have_count) {
		/* Modes 1, 2, 3, 5: a rising gate (re)loads the count and triggers. */
		restart(c, now);
	}
}

void vpit_reset(struct vpit *p, u64 tsc_hz, u64 now)
{
	memset(p, 0, sizeof(*p));
	p->tsc_hz = tsc_hz;
	p->reset_tsc = now;
	p->irq_seen = now;
	for (int i = 0; i < VPIT_COUNTERS; i++) {
		struct vpit_counter *c = &p->counter[i];

		/* As if programmed for mode 3, LSB then MSB, with no count yet: OUT high. */
		c->mode = 3;
		c->access = ACCESS_WORD;
		c->control = (u8)(ACCESS_WORD << CW_ACCESS_SHIFT | 3 << CW_MODE_SHIFT);
		c->null_count = true;
		/* Counters 0 and 1 have their gates tied high on a PC; port 0x61 drives counter
		 * 2's. */
		c->gate = i != 2;
	}
}

static u8 read_port_b(const struct vpit *p, u64 now)
{
	u64 t = now > p->reset_tsc ? mul_div_u64(now - p->reset_tsc, VPIT_HZ, p->tsc_hz) : 0;
	u8 v = p->port_b;

	if (t / REFRESH_TICKS % 2)
		v |= PORT_B_REFRESH;
	if (out_at(p, &p->counter[2], now))
		v |= PORT_B_OUT2;
	return v;
}

u8 vpit_read(struct vpit *p, u16 port, u64 now)
{
	switch (port) {
	case VPIT_PORT_COUNTER0:
	case VPIT_PORT_COUNTER1:
	case VPIT_PORT_COUNTER2:
		return read_count(p, &p->counter[port - VPIT_PORT_COUNTER0], now);
	case VPIT_PORT_SYSTEM:
		return read_port_b(p, now);
	default: /* the control word register cannot be read (8254 Table 1) */
		return 0xff;
	}
}

void vpit_write(struct vpit *p, u16 port, u8 value, u64 now)
{
	bool out0;

	account(p, now);
	out0 = out_at(p, &p->counter[0], now);
	switch (port) {
	case VPIT_PORT_COUNTER0:
	case VPIT_PORT_COUNTER1:
	case VPIT_PORT_COUNTER2:
		write_count(p, &p->counter[port - VPIT_PORT_COUNTER0], value, now);
		break;
	case VPIT_PORT_CONTROL:
		write_control(p, value, now);
		break;
	case VPIT_PORT_SYSTEM:
		p->port_b = value & PORT_B_WRITABLE;
		set_gate(p, &p->counter[2], value & PORT_B_GATE2, now);
		break;
	default:
		break;
	}
	/* A control word that sets OUT high is a rising edge too. */
	if (!out0 && out_at(p, &p->counter[0], now))
		p->irq_edges++;
}

u64 vpit_next_irq(const struct vpit *p, u64 now)
{
	const struct vpit_counter *c = &p->counter[0];
	u64 t;

	if (p->irq_edges ||
	    (now > p->irq_seen && edges_at(p, c, now) > edges_at(p, c, p->irq_seen)))
		return now ? now : 1;
	if (!c->counting || !c->running || (periodic(c) && !c->gate))
		return 0;
	t = next_edge_tick(c, ticks(p, c, now));
	return t ? tick_time(p, c, t) : 0;
}

u32 vpit_update(struct vpit *p, u64 now)
{
	u32 edges;

	account(p, now);
	edges = p->irq_edges;
	p->irq_edges = 0;
	return edges;
}
