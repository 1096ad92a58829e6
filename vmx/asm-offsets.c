/*
 * Offsets and constants for vmx/entry.S, generated at build time (see
 * kernel/asm-offsets.c for how).
 */
#include "kernel/offset.h"
#include "kernel/vcpu.h"
#include "vmx/vmcs.h"

void vmx_asm_offsets(void);
void vmx_asm_offsets(void)
{
	OFFSET(VMX_HOST_RSP_FIELD, VMCS_HOST_RSP);
}
