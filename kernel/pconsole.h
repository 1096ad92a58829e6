/*
 * A partition's console: bytes from the hypercall or the emulated UART
 * are collected into lines and printed as "[<name>] <text>" (console
 * contract, DESIGN.md).  Input typed for the partition waits in a small
 * ring until the guest reads it.
 */
#ifndef KERNEL_PCONSOLE_H
#define KERNEL_PCONSOLE_H

#include "kernel/types.h"

#define PCONSOLE_LINE 160
#define PCONSOLE_INPUT 64

struct pconsole {
	const char *name;
	char line[PCONSOLE_LINE];
	u32 len;
	u8 input[PCONSOLE_INPUT];
	u32 in_head, in_tail;
};

void pconsole_init(struct pconsole *c, const char *name);
void pconsole_write(struct pconsole *c, const u8 *buf, u64 len);
/* Print what is left of an unfinished line. */
void pconsole_flush(struct pconsole *c);
/* Queue one input byte (dropped when the ring is full). */
void pconsole_push_input(struct pconsole *c, u8 b);
/* Next input byte, or -1. */
int pconsole_pop_input(struct pconsole *c);
bool pconsole_has_input(const struct pconsole *c);

#endif
