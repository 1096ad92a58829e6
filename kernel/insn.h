/*
 * The length of an instruction that exited, for a CPU that does not say
 * (SVM without NRIP save, as under QEMU's emulator): the prefixes before
 * the opcode (SDM 2 §2.1.1: the legacy prefixes, and in 64-bit mode REX)
 * plus the opcode's own length.  A guest may put prefixes before CPUID,
 * HLT or RDMSR; stepping over the opcode alone would land RIP inside the
 * instruction.  Pure; tests/unit/test_insn.c.
 */
#ifndef KERNEL_INSN_H
#define KERNEL_INSN_H

#include "lib/types.h"

#define INSN_MAX 15 /* the longest x86 instruction */

/*
 * bytes[0..n) are read at the guest's RIP; opcode[0..oplen) is what the
 * exit says was executed.  Returns the prefixes' length plus oplen, or 0
 * when the bytes after the prefixes are not that opcode (the caller then
 * falls back on oplen alone).
 */
u32 insn_length(const u8 *bytes, u32 n, bool long64, const u8 *opcode, u32 oplen);

/* An instruction that writes a control register, as insn_cr_write() finds it. */
struct insn_cr {
	u8 kind; /* INSN_MOV_TO_CR, INSN_CLTS or INSN_LMSW */
	u8 cr;	 /* the control register written: for CLTS and LMSW, 0 */
	u8 gpr;	 /* MOV and LMSW: the general register read (REX.B counts) */
};
#define INSN_MOV_TO_CR 0 /* 0F 22 /r: the register form is the only one */
#define INSN_CLTS 1	 /* 0F 06 */
#define INSN_LMSW 2	 /* 0F 01 /6, register form only (the memory form is not decoded) */

/*
 * The control-register write at bytes[0..n): its length, with *out
 * filled in, or 0 when the bytes are none of the forms above.
 */
u32 insn_cr_write(const u8 *bytes, u32 n, bool long64, struct insn_cr *out);

#endif
