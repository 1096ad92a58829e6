/*
 * The checks of kernel/cr.h.  Each function lists, in the order the
 * manuals give them, the conditions that make the instruction fault;
 * everything else is a value the CPU takes.
 */
#include "kernel/cr.h"
#include "lib/x86.h"

bool cr0_valid(const struct cr_state *s, u64 value)
{
	if (value >> 32)
		return false; /* bits 63:32 are reserved */
	if ((value & CR0_PG) && !(value & CR0_PE))
		return false; /* paging without protection */
	if ((value & CR0_NW) && !(value & CR0_CD))
		return false; /* not-write-through without cache disable */
	if ((value & CR0_PG) && !(s->cr0 & CR0_PG) && (s->efer & EFER_LME) && !(s->cr4 & CR4_PAE))
		return false; /* long mode needs PAE paging */
	if (!(value & CR0_PG) && s->long64)
		return false; /* 64-bit code cannot turn paging off under itself */
	return true;
}

bool cr4_valid(const struct cr_state *s, u64 value, u64 allowed)
{
	bool lma = s->efer & EFER_LMA;

	if (value & ~allowed)
		return false; /* a reserved bit, or a feature the guest was not offered */
	if (lma && !(value & CR4_PAE))
		return false; /* long mode needs PAE */
	if (lma && ((value ^ s->cr4) & CR4_LA57))
		return false; /* the paging depth cannot change in long mode */
	if ((value & CR4_PCIDE) && !(s->cr4 & CR4_PCIDE) && (!lma || (s->cr3 & 0xfff)))
		return false; /* PCIDs only in long mode, and from PCID 0 */
	return true;
}

bool efer_valid(const struct cr_state *s, u64 value, u64 allowed)
{
	if (value & ~(allowed | EFER_LMA))
		return false;
	if ((s->cr0 & CR0_PG) && ((value ^ s->efer) & EFER_LME))
		return false; /* LME cannot change while paging is on */
	return true;
}

bool addr_canonical(u64 addr, u32 va_bits)
{
	s64 a = (s64)addr;

	/* Bits 63:va_bits-1 all equal: the address survives sign extension. */
	return (s64)((u64)a << (64 - va_bits)) >> (64 - va_bits) == a;
}

bool pat_valid(u64 value)
{
	for (u32 i = 0; i < 8; i++) {
		u8 type = (u8)(value >> (8 * i));
		if (type > 7 || type == 2 || type == 3)
			return false;
	}
	return true;
}

bool xcr0_valid(u64 value, u64 allowed)
{
	if (value & ~allowed)
		return false; /* not offered: reserved, as far as the guest knows */
	if (!(value & XFEATURE_X87))
		return false;
	if ((value & XFEATURE_AVX) && !(value & XFEATURE_SSE))
		return false;
	if ((value & XFEATURE_AVX512) &&
	    ((value & XFEATURE_AVX512) != XFEATURE_AVX512 || !(value & XFEATURE_AVX)))
		return false;
	return true;
}
