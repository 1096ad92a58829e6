/*
 * Reading the guest's own bytes at its RIP, where the exit does not say
 * enough about the instruction:
 *  - its length, for a CPU that does not say (SVM without NRIP save, as
 *    under QEMU's emulator): the prefixes before the opcode (SDM 2
 *    §2.1.1: the legacy prefixes, and in 64-bit mode REX) plus the
 *    opcode's own length.  A guest may put prefixes before CPUID, HLT or
 *    RDMSR; stepping over the opcode alone would land RIP inside the
 *    instruction.
 *  - the control-register writes the SVM backend must decode itself.
 *  - the access an instruction made to an emulated device page (the
 *    local APIC, the I/O APIC): the exit gives the guest-physical
 *    address, not what was read or written, nor from which register.
 * Pure: the caller fetches the bytes (through the guest's page tables)
 * and applies the result to the guest's registers and devices.
 * tests/unit/test_insn.c, tests/fuzz/fuzz_insn.c.
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

/*
 * The code the guest runs, which sets the default operand and address
 * sizes (SDM 1 §3.6, tables 3-3 and 3-4): 64-bit mode when CS.L is set in
 * IA-32e mode, else CS.D; real and virtual-8086 mode are 16-bit code.
 */
enum insn_mode {
	INSN_MODE16, /* 16-bit operands and addresses, no REX */
	INSN_MODE32, /* 32-bit operands and addresses, no REX */
	INSN_MODE64, /* 32-bit operands (REX.W: 64), 64-bit addresses, REX */
};

/*
 * One memory access by a MOV or MOVZX, as insn_decode_mmio() finds it.
 * The accepted forms are listed in kernel/insn.c.
 */
struct insn_mmio {
	u8 len;	      /* the whole instruction, prefixes included: RIP advances by this */
	u8 size;      /* bytes of memory read or written: 1, 2, 4 or 8 */
	bool write;   /* a store to memory; else a load into gpr */
	bool has_imm; /* a store of imm, not of a register */
	u64 imm;      /* that value, sign-extended to size and cut to it */
	u8 gpr;	      /* the register, 0-15: RAX RCX RDX RBX RSP RBP RSI RDI R8 ... R15 */
	bool high8;   /* the byte is bits 8-15 of gpr (AH CH DH BH: gpr 0-3) */
	u8 dest_size; /* loads: bytes of gpr written (MOVZX: can exceed size); stores: 0 */
	/*
	 * Where in memory (SDM 1 §3.7.5): base + index * scale + disp, cut to
	 * addr_size bytes, in segment seg.  insn_mmio_address() adds them up.
	 */
	s8 base;      /* a register 0-15, INSN_NO_REG, or INSN_RIP (RIP-relative) */
	s8 index;     /* a register 0-15 or INSN_NO_REG */
	u8 scale;     /* 1, 2, 4 or 8 */
	u8 addr_size; /* 2, 4 or 8 */
	u8 seg;	      /* INSN_SEG_*: the prefix's, else DS, or SS for a base of rSP or rBP */
	u64 disp;     /* sign-extended to 64 bits */
};
#define INSN_NO_REG (-1)
#define INSN_RIP (-2)
enum insn_seg { INSN_SEG_ES, INSN_SEG_CS, INSN_SEG_SS, INSN_SEG_DS, INSN_SEG_FS, INSN_SEG_GS };

/*
 * Decode the instruction at bytes[0..n) as a MOV or MOVZX with a memory
 * operand.  Returns 0 with *out filled in (and why, if given, empty);
 * or, with *out unchanged and a line in why[0..whylen) naming what was
 * seen (why may be NULL):
 *   -EINVAL  not an accepted form (another opcode, a register operand,
 *            LOCK or REP, longer than 15 bytes);
 *   -EFAULT  the bytes end before the instruction does (n too small:
 *            a caller that stopped at a page's end may read further).
 */
int insn_decode_mmio(const u8 *bytes, u32 n, enum insn_mode mode, struct insn_mmio *out, char *why,
		     size_t whylen);

/*
 * A load: the new value of register m->gpr, which held old, when value
 * was read from memory (only its low m->size bytes count).
 */
u64 insn_mmio_load(const struct insn_mmio *m, u64 old, u64 value);

/* A store: the value written to memory (low m->size bytes), reg being register m->gpr. */
u64 insn_mmio_store_value(const struct insn_mmio *m, u64 reg);

/*
 * The offset in m->seg that the access addresses, base and index being
 * the values of registers m->base and m->index (RIP-relative: base is the
 * RIP after the instruction; ignored when INSN_NO_REG).
 */
u64 insn_mmio_address(const struct insn_mmio *m, u64 base, u64 index);

#endif
