/*
 * Interrupt and exception entry: the IDT, loaded on each CPU, and the
 * registration of interrupt handlers.  The vector numbers and the
 * register frame that kernel/traps.S builds are in kernel/trapframe.h.
 */
#ifndef KERNEL_TRAP_H
#define KERNEL_TRAP_H

#include "kernel/trapframe.h"
#include "lib/types.h"

typedef void (*irq_handler_t)(struct trap_frame *f);

void trap_init(void); /* build the IDT once */
void trap_load(void); /* load it on this CPU */
void trap_set_handler(u8 vector, irq_handler_t h);
void trap_dispatch(struct trap_frame *f);
const char *trap_name(u64 vector);

#endif
