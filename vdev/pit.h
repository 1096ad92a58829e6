/*
 * The 8254 programmable interval timer a partition sees (ports
 * 0x40-0x43) and the bits of the PC's port 0x61 that belong to its
 * counter 2 (gate, speaker data, OUT) plus the refresh toggle.
 *
 * The model never reads a clock: every call takes now, the guest's TSC
 * value, and the counters are computed from it.  It raises no
 * interrupt by itself either: vpit_update() says how many times counter
 * 0's OUT rose (ISA IRQ 0) and vpit_next_irq() when it will rise next,
 * so that the caller can raise the line and arm a timer.  Not
 * thread-safe: the caller holds the partition's device lock.
 */
#ifndef VDEV_PIT_H
#define VDEV_PIT_H

#include "lib/types.h"

#define VPIT_HZ 1193182ull /* the counters' input clock */
#define VPIT_PORT_COUNTER0 0x40
#define VPIT_PORT_COUNTER1 0x41
#define VPIT_PORT_COUNTER2 0x42
#define VPIT_PORT_CONTROL 0x43
#define VPIT_PORT_SYSTEM 0x61 /* the PC's "port B": counter 2's gate and OUT */
#define VPIT_COUNTERS 3

struct vpit_counter {
	/* Programming: the last control word and the state of the byte sequencing. */
	u8 control;	 /* its low six bits: RW1-0, M2-M0, BCD (the status byte's low bits) */
	u8 mode;	 /* 0..5 (control word modes 6 and 7 are 2 and 3) */
	u8 access;	 /* RW1-0: 1 LSB only, 2 MSB only, 3 LSB then MSB */
	bool write_msb;	 /* the next count byte written is the MSB */
	bool read_msb;	 /* the next byte read is the MSB */
	u8 lsb;		 /* the LSB of a two-byte count, waiting for its MSB */
	u16 cr;		 /* the count register: the last count written (0 = 65536) */
	bool have_count; /* a count was written after the control word */
	bool null_count; /* cr not yet loaded into the counting element */
	bool gate;
	u16 latch; /* output latch (counter latch or read-back command) */
	bool latched;
	u8 status; /* status latch (read-back command) */
	bool status_latched;

	/*
	 * Counting.  ticks = the input clock's ticks counted since the
	 * count was loaded, from a fixed origin: base + ticks of
	 * (now - origin) while running, base while the gate suspends
	 * counting.  The count began at tick start with initial count n;
	 * in modes 2 and 3 a count written while counting (pending_n)
	 * takes over at tick switch_at, the end of the current cycle.
	 */
	bool counting; /* the counting element holds a count (else it reads hold) */
	bool running;
	u16 hold;
	u64 origin, base, start, switch_at;
	u32 n, pending_n;
	bool pending;
};

struct vpit {
	struct vpit_counter counter[VPIT_COUNTERS];
	u64 tsc_hz;
	u64 reset_tsc; /* the refresh toggle counts from here */
	u8 port_b;     /* port 0x61 bits 0-3 as written */
	u64 irq_seen;  /* counter 0's OUT edges up to here are in irq_edges */
	u32 irq_edges; /* rising edges not yet returned by vpit_update */
};

/*
 * Power-on at now: no counter counts and every OUT is high; counters 0
 * and 1 have their gates tied high, counter 2's is low (port 0x61 = 0).
 * tsc_hz is the guest's TSC rate, nonzero; now never goes backwards
 * from one call to the next.
 */
void vpit_reset(struct vpit *p, u64 tsc_hz, u64 now);
/* Ports 0x40-0x43 and 0x61; any other port reads 0xff. */
u8 vpit_read(struct vpit *p, u16 port, u64 now);
void vpit_write(struct vpit *p, u16 port, u8 value, u64 now);
/*
 * TSC value of counter 0's next rising OUT edge, 0 if none is coming
 * (no count, or a one-shot mode that has fired).  A value <= now means
 * an edge is waiting for vpit_update().
 */
u64 vpit_next_irq(const struct vpit *p, u64 now);
/* Rising edges of counter 0's OUT since the last call; the caller raises IRQ 0 once if > 0. */
u32 vpit_update(struct vpit *p, u64 now);

#endif
