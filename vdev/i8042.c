/*
 * The 8042 keyboard controller of a partition, with its keyboard and
 * auxiliary ports empty.  Facts from the IBM PS/2 Hardware Interface
 * Technical Reference, "Keyboard/Auxiliary Device Controller" (status
 * register, command byte, controller commands, output port).
 *
 * The controller itself works: it reads and writes its command byte and
 * RAM, passes its self-test (0xAA -> 0x55), reports both interfaces
 * healthy (0xAB, 0xA9 -> 0x00: nothing is stuck, there is just nothing
 * plugged in), enables and disables its ports, echoes bytes written with
 * 0xD2/0xD3 as if they came from the keyboard/auxiliary side, and keeps
 * an output port.  What the missing devices change: a byte sent to the
 * keyboard (a plain write to port 0x60) or to the auxiliary device
 * (0xD4 then the byte) gets no answer, so the controller reports the
 * time-out as a PS/2 controller does, with 0xFF in the output buffer and
 * the time-out bit set, and raises that side's interrupt.  An OS sees a
 * prompt "no device" instead of waiting for an answer that never comes.
 *
 * Resets: a pulse of output-port line 0 (commands 0xF0-0xFE with bit 0
 * clear; Linux uses 0xFE) or an output-port write (0xD1) with bit 0
 * clear resets the machine, that is this partition.  Commands that pulse
 * only other lines (0xFF is the "null" pulse some OSes send) do nothing.
 * A20 is kept in the output port but not enforced: the partition's
 * memory never wraps at 1 MiB.
 *
 * The output buffer holds one byte; a new one replaces an unread one.
 * Commands the model does not know are ignored.
 */
#include "vdev/i8042.h"

/* Status register (port 0x64 read). */
#define ST_OBF (1u << 0)      /* output buffer full: port 0x60 has a byte */
#define ST_IBF (1u << 1)      /* input buffer full: never, bytes are taken at once */
#define ST_SYS (1u << 2)      /* system flag: mirrors command byte bit 2 */
#define ST_CMD (1u << 3)      /* the last byte written went to port 0x64 */
#define ST_UNLOCKED (1u << 4) /* keyboard not inhibited by the key lock: always */
#define ST_AUX (1u << 5)      /* the output buffer's byte is from the auxiliary side */
#define ST_TIMEOUT (1u << 6)  /* the device did not answer */
#define ST_KEPT (ST_OBF | ST_CMD | ST_AUX | ST_TIMEOUT)

/* Command byte (controller RAM byte 0). */
#define CB_KBD_INT (1u << 0) /* IRQ 1 when a keyboard-side byte waits */
#define CB_AUX_INT (1u << 1) /* IRQ 12 when an auxiliary-side byte waits */
#define CB_SYS (1u << 2)     /* system flag */
#define CB_KBD_DIS (1u << 4) /* keyboard clock disabled */
#define CB_AUX_DIS (1u << 5) /* auxiliary clock disabled */
#define CB_XLATE (1u << 6)   /* translate scancodes to set 1 */
#define CB_FIRMWARE (CB_KBD_INT | CB_SYS | CB_AUX_DIS | CB_XLATE)

/* Output port. */
#define OP_RESET (1u << 0) /* 0 holds the processor in reset */
#define OP_A20 (1u << 1)

/* Controller commands (port 0x64 write). */
#define C_READ_RAM 0x20	 /* 0x20-0x3f: read RAM byte n; 0x20 = command byte */
#define C_WRITE_RAM 0x60 /* 0x60-0x7f: write RAM byte n with the next data byte */
#define C_AUX_DISABLE 0xa7
#define C_AUX_ENABLE 0xa8
#define C_AUX_TEST 0xa9
#define C_SELF_TEST 0xaa
#define C_KBD_TEST 0xab
#define C_KBD_DISABLE 0xad
#define C_KBD_ENABLE 0xae
#define C_READ_OUTPORT 0xd0
#define C_WRITE_OUTPORT 0xd1
#define C_WRITE_KBD_OUT 0xd2 /* next byte appears as if from the keyboard */
#define C_WRITE_AUX_OUT 0xd3 /* next byte appears as if from the auxiliary device */
#define C_WRITE_AUX 0xd4     /* next byte goes to the auxiliary device */
#define C_PULSE 0xf0	     /* 0xf0-0xff: pulse output lines 3-0 whose bit is 0 */

#define SELF_TEST_OK 0x55
#define INTERFACE_OK 0x00
#define NO_ANSWER 0xff /* what a PS/2 controller reports on a time-out */

#define LINE_KBD (1u << 0)
#define LINE_AUX (1u << 1)

/* Tell the hook about each line whose level changed. */
static void update_lines(struct vi8042 *k)
{
	u8 lines = 0, changed;

	if ((k->status & ST_OBF) && !(k->status & ST_AUX) && (k->ram[0] & CB_KBD_INT))
		lines |= LINE_KBD;
	if ((k->status & ST_OBF) && (k->status & ST_AUX) && (k->ram[0] & CB_AUX_INT))
		lines |= LINE_AUX;
	changed = lines ^ k->lines;
	k->lines = lines;
	if (!k->set_irq)
		return;
	if (changed & LINE_KBD)
		k->set_irq(k->irq_ctx, VI8042_IRQ_KBD, lines & LINE_KBD);
	if (changed & LINE_AUX)
		k->set_irq(k->irq_ctx, VI8042_IRQ_AUX, lines & LINE_AUX);
}

/* Put a byte in the output buffer: from the auxiliary side or not, a time-out or not. */
static void put(struct vi8042 *k, u8 byte, bool aux, bool timeout)
{
	k->out = byte;
	k->status &= (u8) ~(ST_AUX | ST_TIMEOUT);
	k->status |= ST_OBF | (aux ? ST_AUX : 0) | (timeout ? ST_TIMEOUT : 0);
}

void vi8042_reset(struct vi8042 *k)
{
	vi8042_irq_fn *set_irq = k->set_irq;
	void *ctx = k->irq_ctx;
	u8 lines = k->lines; /* kept so that update_lines lowers what was high */

	*k = (struct vi8042){
		.outport = OP_RESET | OP_A20,
		.lines = lines,
		.set_irq = set_irq,
		.irq_ctx = ctx,
	};
	k->ram[0] = CB_FIRMWARE;
	update_lines(k);
}

void vi8042_init(struct vi8042 *k, vi8042_irq_fn *set_irq, void *ctx)
{
	*k = (struct vi8042){ .set_irq = set_irq, .irq_ctx = ctx };
	vi8042_reset(k); /* no line was high: the hook is not called */
}

u8 vi8042_read(struct vi8042 *k, u16 port)
{
	u8 v;

	switch (port) {
	case VI8042_CMD:
		v = (k->status & ST_KEPT) | ST_UNLOCKED;
		return (k->ram[0] & CB_SYS) ? v | ST_SYS : v;
	case VI8042_DATA:
		/* Reading takes the byte; an empty buffer reads the last one again. */
		k->status &= (u8) ~(ST_OBF | ST_AUX | ST_TIMEOUT);
		update_lines(k);
		return k->out;
	default:
		return 0xff;
	}
}

/* A command with no data byte.  Returns VPM_RESET when it pulses the reset line. */
static int command(struct vi8042 *k, u8 cmd)
{
	if (cmd >= C_READ_RAM && cmd < C_READ_RAM + 0x20) {
		put(k, k->ram[cmd - C_READ_RAM], false, false);
		return VPM_NONE;
	}
	if ((cmd >= C_WRITE_RAM && cmd < C_WRITE_RAM + 0x20) || cmd == C_WRITE_OUTPORT ||
	    cmd == C_WRITE_KBD_OUT || cmd == C_WRITE_AUX_OUT || cmd == C_WRITE_AUX) {
		k->pending = cmd;
		return VPM_NONE;
	}
	if (cmd >= C_PULSE)
		return (cmd & OP_RESET) ? VPM_NONE : VPM_RESET;

	switch (cmd) {
	case C_AUX_DISABLE:
		k->ram[0] |= CB_AUX_DIS;
		break;
	case C_AUX_ENABLE:
		k->ram[0] &= (u8)~CB_AUX_DIS;
		break;
	case C_AUX_TEST:
	case C_KBD_TEST:
		put(k, INTERFACE_OK, false, false);
		break;
	case C_SELF_TEST:
		k->ram[0] |= CB_SYS;
		put(k, SELF_TEST_OK, false, false);
		break;
	case C_KBD_DISABLE:
		k->ram[0] |= CB_KBD_DIS;
		break;
	case C_KBD_ENABLE:
		k->ram[0] &= (u8)~CB_KBD_DIS;
		break;
	case C_READ_OUTPORT:
		put(k, k->outport, false, false);
		break;
	default:
		break; /* not modelled: ignored */
	}
	return VPM_NONE;
}

/* The data byte of the pending command, or (none pending) a byte for the keyboard. */
static int data(struct vi8042 *k, u8 value)
{
	u8 cmd = k->pending;

	k->pending = 0;
	if (cmd >= C_WRITE_RAM && cmd < C_WRITE_RAM + 0x20) {
		k->ram[cmd - C_WRITE_RAM] = value;
		return VPM_NONE;
	}
	switch (cmd) {
	case C_WRITE_OUTPORT:
		k->outport = value;
		if (!(value & OP_RESET)) {
			k->outport |= OP_RESET; /* the reset ends with the line released */
			return VPM_RESET;
		}
		return VPM_NONE;
	case C_WRITE_KBD_OUT:
		put(k, value, false, false);
		return VPM_NONE;
	case C_WRITE_AUX_OUT:
		put(k, value, true, false);
		return VPM_NONE;
	case C_WRITE_AUX:
		put(k, NO_ANSWER, true, true); /* no auxiliary device */
		return VPM_NONE;
	default:
		put(k, NO_ANSWER, false, true); /* no keyboard */
		return VPM_NONE;
	}
}

int vi8042_write(struct vi8042 *k, u16 port, u8 value)
{
	int request;

	switch (port) {
	case VI8042_CMD:
		k->status |= ST_CMD;
		k->pending = 0; /* a new command abandons one still waiting for data */
		request = command(k, value);
		break;
	case VI8042_DATA:
		k->status &= (u8)~ST_CMD;
		request = data(k, value);
		break;
	default:
		return VPM_NONE;
	}
	update_lines(k); /* the command byte or the output buffer may have changed */
	return request;
}
