/*
 * Source of build/asm-offsets.h: structure offsets and sizes that the
 * assembly files need, computed by the compiler so they can never drift
 * from the C definitions.  Compiled with -S only; the Makefile extracts
 * the "@@OFFSET NAME value" markers.
 */
#include "kernel/cpu.h"
#include "kernel/smp.h"
#include "kernel/trap.h"

#define OFFSET(name, value) __asm__ volatile("@@OFFSET " #name " %0" ::"i"(value))

void asm_offsets(void);
void asm_offsets(void)
{
	OFFSET(TRAP_FRAME_SIZE, sizeof(struct trap_frame));
	OFFSET(TP_CR3, offsetof(struct trampoline_params, cr3));
	OFFSET(TP_EFER, offsetof(struct trampoline_params, efer));
	OFFSET(TP_STACK, offsetof(struct trampoline_params, stack));
	OFFSET(TP_ENTRY, offsetof(struct trampoline_params, entry));
	OFFSET(TP_ARG, offsetof(struct trampoline_params, arg));
	OFFSET(TP_SIZE, sizeof(struct trampoline_params));
}
