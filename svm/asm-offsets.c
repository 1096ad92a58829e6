/*
 * Offsets for svm/entry.S, generated at build time (see
 * kernel/asm-offsets.c).  The guest registers come from kernel/.
 */
#include "svm/vmcb.h"

#define OFFSET(name, value) __asm__ volatile("@@OFFSET " #name " %0" ::"i"(value))

void svm_asm_offsets(void);
void svm_asm_offsets(void)
{
	OFFSET(VMCB_RAX, offsetof(struct vmcb, save.rax));
}
