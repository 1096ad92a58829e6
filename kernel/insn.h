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

#include "kernel/types.h"

#define INSN_MAX 15 /* the longest x86 instruction */

/*
 * bytes[0..n) are read at the guest's RIP; opcode[0..oplen) is what the
 * exit says was executed.  Returns the prefixes' length plus oplen, or 0
 * when the bytes after the prefixes are not that opcode (the caller then
 * falls back on oplen alone).
 */
u32 insn_length(const u8 *bytes, u32 n, bool long64, const u8 *opcode, u32 oplen);

/*
 * MOV to a control register (0F 22 /r, register form only): its length,
 * and in *cr and *gpr the control register and the general register it
 * takes the value from (REX.R and REX.B count in 64-bit mode).  0 when
 * the bytes are not such an instruction.
 */
u32 insn_mov_to_cr(const u8 *bytes, u32 n, bool long64, u8 *cr, u8 *gpr);

#endif
