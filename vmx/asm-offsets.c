/*
 * Offsets and constants for vmx/entry.S, generated at build time (see
 * kernel/asm-offsets.c for how).
 */
#include "kernel/vcpu.h"
#include "vmx/vmcs.h"

#define OFFSET(name, value) __asm__ volatile("@@OFFSET " #name " %0" ::"i"(value))

void vmx_asm_offsets(void);
void vmx_asm_offsets(void)
{
	OFFSET(VMX_HOST_RSP_FIELD, VMCS_HOST_RSP);
}
