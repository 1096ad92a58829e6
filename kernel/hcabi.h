/*
 * Hypercall ABI version 1, as a guest sees it (docs/hypercalls.md):
 * detection through CPUID 0x40000000/0x40000001, VMCALL or VMMCALL with
 * the call number in RAX and arguments in RBX, RCX, RDX, RSI.  Numbers
 * only, for the handler (kernel/hypercall.c), its argument checks
 * (kernel/hcargs.c) and the CPUID leaves (kernel/cpuid.c).
 */
#ifndef KERNEL_HCABI_H
#define KERNEL_HCABI_H

#define HV_CPUID_BASE 0x40000000u
#define HV_CPUID_INFO 0x40000001u
#define HV_CPUID_TIMING 0x40000010u /* EAX: TSC kHz, EBX: local APIC timer kHz */
#define HV_CPUID_MAX HV_CPUID_TIMING
#define HV_ABI_VERSION 1
#define HV_SIGNATURE "CloisonHV\0\0\0"

enum hypercall_nr {
	HC_CONSOLE_WRITE = 1,
	HC_CONSOLE_READ = 2,
	HC_YIELD = 3,
	HC_EXIT = 4,
	HC_TIME = 5,
	HC_SET_TIMER = 6,
};

/* Largest CONSOLE_WRITE/READ handled per call; longer requests are cut. */
#define HC_CONSOLE_CHUNK 1024

#endif
