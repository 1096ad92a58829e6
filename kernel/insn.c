/*
 * The decoding of kernel/insn.h: prefix skipping, and the few control
 * register writes (MOV to CR, CLTS, LMSW) the SVM backend reads from the
 * guest's bytes when the CPU does not decode them.  Any number of legacy
 * prefixes may come before the opcode, and in 64-bit mode REX bytes
 * among them (only the last counts for the CPU, but all take room); the
 * whole instruction is at most 15 bytes, or the CPU would have raised
 * #GP instead of exiting.
 */
#include "kernel/insn.h"

static bool legacy_prefix(u8 b)
{
	switch (b) {
	case 0xf0: /* LOCK */
	case 0xf2: /* REPNE */
	case 0xf3: /* REP */
	case 0x2e: /* CS */
	case 0x36: /* SS */
	case 0x3e: /* DS */
	case 0x26: /* ES */
	case 0x64: /* FS */
	case 0x65: /* GS */
	case 0x66: /* operand size */
	case 0x67: /* address size */
		return true;
	default:
		return false;
	}
}

/* Prefixes at the start of bytes[0..n): how many, and the last REX byte (0 if none). */
static u32 prefixes(const u8 *bytes, u32 n, bool long64, u8 *rex)
{
	u32 i = 0;

	*rex = 0;
	while (i < n && (legacy_prefix(bytes[i]) || (long64 && (bytes[i] & 0xf0) == 0x40))) {
		/* A REX counts only right before the opcode: a legacy prefix after it cancels it.
		 */
		*rex = (bytes[i] & 0xf0) == 0x40 && long64 ? bytes[i] : 0;
		i++;
	}
	return i;
}

u32 insn_length(const u8 *bytes, u32 n, bool long64, const u8 *opcode, u32 oplen)
{
	u8 rex;
	u32 i;

	n = n < INSN_MAX ? n : INSN_MAX;
	i = prefixes(bytes, n, long64, &rex);
	if (i + oplen > n)
		return 0;
	for (u32 k = 0; k < oplen; k++)
		if (bytes[i + k] != opcode[k])
			return 0;
	return i + oplen;
}

u32 insn_cr_write(const u8 *bytes, u32 n, bool long64, struct insn_cr *out)
{
	u8 rex, modrm;
	u32 i;

	n = n < INSN_MAX ? n : INSN_MAX;
	i = prefixes(bytes, n, long64, &rex);
	if (i + 2 > n || bytes[i] != 0x0f)
		return 0;
	if (bytes[i + 1] == 0x06) {
		*out = (struct insn_cr){ INSN_CLTS, 0, 0 };
		return i + 2;
	}
	if (i + 3 > n)
		return 0;
	modrm = bytes[i + 2];
	if (bytes[i + 1] == 0x22) {
		/* The CPU takes the register form whatever the mod bits say (SDM 2, MOV to CR). */
		*out = (struct insn_cr){ INSN_MOV_TO_CR,
					 (u8)(((modrm >> 3) & 7) | ((rex & 4) ? 8 : 0)),
					 (u8)((modrm & 7) | ((rex & 1) ? 8 : 0)) };
		return i + 3;
	}
	if (bytes[i + 1] == 0x01 && ((modrm >> 3) & 7) == 6 && (modrm >> 6) == 3) {
		*out = (struct insn_cr){ INSN_LMSW, 0, (u8)((modrm & 7) | ((rex & 1) ? 8 : 0)) };
		return i + 3;
	}
	return 0;
}
