/*
 * Numbers shared by the hostile cases' C and assembly (cpu.h, trap.S,
 * real.S, long.S): the GDT slots cpu.c fills beside desc.c's flat code
 * and data segments, and where the real-mode and virtual-8086 code and
 * its parameters live in low memory, which 16-bit code can address.
 */
#ifndef GUESTS_HOSTILE_LAYOUT_H
#define GUESTS_HOSTILE_LAYOUT_H

/* Selectors: ring r has code 0x08 + 0x10 * r and data 0x10 + 0x10 * r (RPL 0 here). */
#define SEL_CODE0 0x08
#define SEL_DATA0 0x10
#define SEL_CODE16 0x48 /* base 0, limit 64 KiB: the step between real and protected mode */
#define SEL_DATA16 0x50
#define SEL_CODE64 0x58 /* L = 1 */
#define SEL_TSS 0x60
/* Ring-0 code, conforming: an interrupt gate into it keeps the CPL it interrupts, and its stack. */
#define SEL_CONFORMING 0x68

#define RING_RETURN_VECTOR 0x81 /* INT n gate of DPL 3: back from an outer ring (trap.S) */

/*
 * Low memory: the Multiboot information block sits at 0x1000 (read once
 * at start); 0x7000-0x7dff is the real-mode and virtual-8086 stack,
 * 0x7e00 the parameter block (struct low_params), 0x8000 the 16-bit code
 * that real.S copies there (LOW_BLOB_MAX bytes at most).
 */
#define LOW_STACK 0x7e00
#define LOW_PARAMS 0x7e00
#define LOW_BLOB 0x8000
#define LOW_BLOB_MAX 0x1000

/* struct low_params, by byte offset. */
#define LP_ROUTINE 0
#define LP_EAX 4
#define LP_EBX 8
#define LP_ECX 12
#define LP_EDX 16
#define LP_ESI 20
#define LP_USE_VMCALL 24
#define LP_DF_SEEN 28
#define LP_SAVED_SP 32

/* The routines of real_call() (real.S). */
#define REAL_HCALL 0  /* the hypercall of the parameter block */
#define REAL_DF 1     /* a #GP that cannot be delivered: must reach the #DF handler */
#define REAL_TRIPLE 2 /* nothing can be delivered: shutdown */

#endif
