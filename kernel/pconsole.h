/*
 * A partition's console: bytes from the hypercall or the emulated UART
 * are collected into lines and handed to the console multiplexer
 * (kernel/conmux.c), which prints them as "[<name>] <text>" (console
 * contract, docs/console.md), keeps them in the partition's history and holds
 * the partition to its output rate.  Input typed for the partition
 * while it has the focus waits in a small ring until the guest reads it.
 * This file is also the multiplexer's glue to the kernel: the clock,
 * the history frames and the lock.
 */
#ifndef KERNEL_PCONSOLE_H
#define KERNEL_PCONSOLE_H

#include "kernel/confilter.h"
#include "kernel/conmux.h"
#include "lib/spinlock.h"
#include "lib/spsc.h"
#include "lib/types.h"

#define PCONSOLE_LINE 160
#define PCONSOLE_INPUT 64 /* a power of two (lib/spsc.h) */

/*
 * Each vCPU of the partition writes and reads it from its own CPU: lock
 * guards the filter, the line and the input ring's reading end.  In the
 * lock order (kernel/console.h) it comes after the console hold and the
 * partition's locks, before mux_lock.
 */
struct pconsole {
	const char *name;
	struct spinlock lock;
	struct confilter filter; /* carries a UTF-8 sequence over from one write to the next */
	char line[PCONSOLE_LINE + CONFILTER_OUT_MAX];
	u32 len;
	struct spsc_ring input; /* typed bytes: the boot CPU pushes, the partition's CPU pops */
	u8 input_buf[PCONSOLE_INPUT];
	u8 *history; /* CONMUX_HISTORY_BYTES, from the frame allocator */
	struct conmux_port port;
};

/* How many consoles are attached to the multiplexer now (selftest=pools). */
u32 pconsole_attached(void);
/* Once at boot, before any partition: colour= and console_width= from the options. */
void pconsole_setup(bool colour, u32 width);
/* At partition creation: take the history frames; -ENOMEM when there are none. */
int pconsole_init(struct pconsole *c, const char *name);
/* When the partition becomes runnable: join the multiplexer in slot (partition id - 1). */
void pconsole_start(struct pconsole *c, u32 slot);
/* At stop (or a failed creation): leave the multiplexer, scrub and free the history. */
void pconsole_close(struct pconsole *c);
/*
 * Take bytes written by the guest; returns how many were taken.  Never
 * waits: that stops before a byte that finishes a line the console
 * cannot take now (no room, kernel/conmux.h, or another CPU printing a
 * block), possibly at 0, and the guest writes the rest later (the
 * hypercall returns the count; the emulated UART executes the OUT
 * again).
 */
u64 pconsole_write(struct pconsole *c, const u8 *buf, u64 len);
/* Would a byte written now be taken?  A hint (the emulated UART's LSR). */
bool pconsole_write_ready(struct pconsole *c);
/*
 * At a stop: print what is left of an unfinished line if the console
 * has room for it now, else count it as dropped; then any pending drop
 * report.  Never waits for the UART.
 */
void pconsole_flush(struct pconsole *c);
/*
 * The guest waits: it halted, or read and found no input.  If it has the
 * focus, its unfinished line shows now without its newline, as a
 * terminal shows a prompt (conmux_partial).  Never waits.
 */
void pconsole_idle(struct pconsole *c);
/*
 * One byte typed on COM1 (the scheduler calls this for each): the hot
 * key moves the input focus, any other byte goes to the focused
 * partition's input ring, or nowhere while the hypervisor has the focus
 * (which answers the end of a line: conmux_input).  Returns the console
 * that got the byte (its partition has an event), or NULL.  Boot CPU
 * only: it is the input rings' one producer.
 */
struct pconsole *pconsole_input(u8 byte);
/* Next input byte, or -1; from any of the partition's vCPUs (they take turns). */
int pconsole_pop_input(struct pconsole *c);
bool pconsole_has_input(const struct pconsole *c);

#endif
