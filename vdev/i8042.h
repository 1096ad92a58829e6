/*
 * The keyboard controller of a partition: an 8042 at ports 0x60 (data)
 * and 0x64 (status and commands) with nothing plugged into its keyboard
 * or auxiliary (mouse) port.  It answers its own commands as a PS/2
 * controller does, so that an OS probing it finds a working controller
 * and no devices; it is also one of the ways a guest resets its machine
 * (command 0xFE pulses the reset line).  Port 0x61 is not part of it.
 *
 * Interrupts: the controller drives IRQ 1 (a byte from the keyboard side
 * waits) and IRQ 12 (a byte from the auxiliary side waits), each gated by
 * its enable bit in the command byte.  The caller gives one hook, told of
 * every change of either line's level; ISA lines are edge-triggered at
 * the interrupt controllers, so the rising edge is what counts.  The
 * hook is called from inside vi8042_read/vi8042_write/vi8042_reset, with
 * whatever lock the caller holds.  Not thread-safe.
 */
#ifndef VDEV_I8042_H
#define VDEV_I8042_H

#include "lib/types.h"
#include "vdev/pm.h" /* enum vpm_request: what a write asks of the platform */

#define VI8042_DATA 0x60
#define VI8042_CMD 0x64 /* status on read, command on write */
#define VI8042_IRQ_KBD 1
#define VI8042_IRQ_AUX 12

/* Set ISA interrupt line irq (VI8042_IRQ_KBD or VI8042_IRQ_AUX) to level. */
typedef void vi8042_irq_fn(void *ctx, u8 irq, bool level);

struct vi8042 {
	u8 status;  /* status register bits that hold state (OBF, AUX, TIMEOUT, CMD) */
	u8 out;	    /* the output buffer: the byte port 0x60 reads */
	u8 ram[32]; /* the controller's RAM; ram[0] is the command byte */
	u8 outport; /* the output port: bit 0 = reset line (0 resets), bit 1 = A20 */
	u8 pending; /* a command that waits for its data byte at port 0x60, 0 if none */
	u8 lines;   /* IRQ levels last given to the hook: bit 0 = IRQ 1, bit 1 = IRQ 12 */
	vi8042_irq_fn *set_irq;
	void *irq_ctx;
};

/* Attach the interrupt hook (may be NULL: no interrupts) and reset. */
void vi8042_init(struct vi8042 *k, vi8042_irq_fn *set_irq, void *ctx);
/* The state firmware leaves: keyboard enabled with its interrupt and scancode translation,
 * auxiliary port disabled, system flag set, output buffer empty; lines go low. Keeps the hook. */
void vi8042_reset(struct vi8042 *k);
/* An IN of one byte at VI8042_DATA or VI8042_CMD (other ports read 0xff). */
u8 vi8042_read(struct vi8042 *k, u16 port);
/* An OUT of one byte; returns VPM_RESET when it pulls the reset line, else VPM_NONE. */
int vi8042_write(struct vi8042 *k, u16 port, u8 value);

#endif
