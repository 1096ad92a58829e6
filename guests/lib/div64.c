/*
 * Division of a 64-bit number by a 32-bit one, for guests.  In a 32-bit
 * guest, `/` or `%` on a 64-bit operand makes GCC call libgcc's
 * __udivdi3 or __umoddi3, and guests are linked without libgcc.  DIVL
 * divides EDX:EAX by 32 bits and faults when the quotient needs more
 * than 32 (SDM 2A, DIV), so the high half is divided first and its
 * remainder, below the divisor, leads the second DIVL.  64-bit guests
 * divide natively.
 */
#include "guests/lib/guest.h"

uint64_t div64_32(uint64_t n, uint32_t d, uint32_t *rem)
{
	uint64_t q;
	uint32_t r;
#ifdef __x86_64__
	q = n / d;
	r = (uint32_t)(n % d);
#else
	uint32_t hi = (uint32_t)(n >> 32), q_low;

	r = hi % d;
	__asm__("divl %4" : "=a"(q_low), "=d"(r) : "a"((uint32_t)n), "d"(r), "rm"(d));
	q = (uint64_t)(hi / d) << 32 | q_low;
#endif
	if (rem)
		*rem = r;
	return q;
}
