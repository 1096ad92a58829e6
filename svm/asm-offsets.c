/*
 * Offsets for svm/entry.S, generated at build time (see
 * kernel/asm-offsets.c).  The guest registers come from kernel/.
 */
#include "kernel/offset.h"
#include "svm/vmcb.h"

void svm_asm_offsets(void);
void svm_asm_offsets(void)
{
	OFFSET(VMCB_RAX, offsetof(struct vmcb, save.rax));
}
