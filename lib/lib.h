/*
 * The few libc-like helpers the hypervisor needs: memory and string
 * functions and small parsing helpers.  Implemented in lib/lib.c
 * without any libc, and compiled unchanged into the host unit tests.
 */
#ifndef LIB_LIB_H
#define LIB_LIB_H

#include "lib/types.h"

void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);

/*
 * Parse an unsigned number in decimal or 0x-hex from [s, s+len).
 * Returns 0 and stores the value, or -EINVAL / -ERANGE.
 */
int parse_u64(const char *s, size_t len, u64 *out);

/*
 * Command lines (the hypervisor's options, partition lines): the next
 * word separated by blanks (spaces, tabs) at or after *p, with its
 * length in *len and *p moved past it; NULL when none is left.
 */
const char *next_word(const char **p, size_t *len);

/*
 * Is this first word of a command line the loader's file path
 * ("/boot/x.elf", "(hd0,gpt2)/x.elf")?  GRUB passes none, other loaders
 * may; it is skipped.
 */
static inline bool is_loader_path(const char *w)
{
	return *w == '/' || *w == '(';
}

/* Does [a, a+alen) overlap [b, b+blen)?  Overflow-safe. */
static inline bool ranges_overlap(u64 a, u64 alen, u64 b, u64 blen)
{
	if (alen == 0 || blen == 0)
		return false;
	return a <= b + (blen - 1) && b <= a + (alen - 1);
}

/* Does [a, a+len) lie wholly inside [0, size)?  Overflow-safe. */
static inline bool range_within(u64 a, u64 len, u64 size)
{
	return len <= size && a <= size - len;
}

/* a * b / c with a 128-bit intermediate; saturates at UINT64_MAX. */
static inline u64 mul_div_u64(u64 a, u64 b, u64 c)
{
	if (c == 0)
		return UINT64_MAX;
#ifdef __x86_64__
	u64 hi, lo, q;
	__asm__("mulq %3" : "=a"(lo), "=d"(hi) : "a"(a), "rm"(b));
	if (hi >= c)
		return UINT64_MAX;
	__asm__("divq %4" : "=a"(q), "=d"(hi) : "a"(lo), "d"(hi), "rm"(c));
	return q;
#else /* the host tools and unit tests on another architecture */
	unsigned __int128 p = (unsigned __int128)a * b;

	return (u64)(p >> 64) >= c ? UINT64_MAX : (u64)(p / c);
#endif
}

#endif
