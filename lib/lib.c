/*
 * Freestanding replacements for the libc functions the hypervisor uses.
 * GCC may also emit calls to memset/memcpy/memmove/memcmp on its own,
 * so these keep their standard names and semantics.
 */
#include "lib/lib.h"

/*
 * memset and memcpy move 8 bytes per step with REP STOSQ / REP MOVSQ,
 * then the last 0..7 bytes one at a time: scrubbing guest RAM (2 MiB
 * runs, at every start and stop) is their biggest job, and a byte loop
 * costs an emulator like Bochs several instructions per byte.  The
 * direction flag is clear, as the ABI requires.
 */
#ifdef __x86_64__
void *memset(void *dst, int c, size_t n)
{
	void *d = dst;
	size_t words = n / 8, bytes = n % 8;
	u64 fill = 0x0101010101010101ull * (u8)c;

	__asm__ volatile("rep stosq" : "+D"(d), "+c"(words) : "a"(fill) : "memory");
	__asm__ volatile("rep stosb" : "+D"(d), "+c"(bytes) : "a"(fill) : "memory");
	return dst;
}

void *memcpy(void *dst, const void *src, size_t n)
{
	void *d = dst;
	const void *s = src;
	size_t words = n / 8, bytes = n % 8;

	__asm__ volatile("rep movsq" : "+D"(d), "+S"(s), "+c"(words) : : "memory");
	__asm__ volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(bytes) : : "memory");
	return dst;
}
#else
/*
 * The host tools built from this file (the linter, a unit test) may run
 * on another architecture, an arm64 laptop: there, byte loops.
 */
void *memset(void *dst, int c, size_t n)
{
	u8 *d = dst;

	while (n--)
		*d++ = (u8)c;
	return dst;
}

void *memcpy(void *dst, const void *src, size_t n)
{
	u8 *d = dst;
	const u8 *s = src;

	while (n--)
		*d++ = *s++;
	return dst;
}
#endif

void *memmove(void *dst, const void *src, size_t n)
{
	u8 *d = dst;
	const u8 *s = src;
	if (d < s)
		return memcpy(dst, src, n);
	while (n--)
		d[n] = s[n];
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const u8 *x = a, *y = b;
	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;
	while (n < max && s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (u8)*a - (u8)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (u8)*a - (u8)*b;
		if (!*a)
			break;
	}
	return 0;
}

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return 99;
}

int parse_u64(const char *s, size_t len, u64 *out)
{
	unsigned base = 10;
	u64 v = 0;

	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
		len -= 2;
	}
	if (len == 0)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		int d = digit_value(s[i]);
		if (d >= (int)base)
			return -EINVAL;
		if (v > (UINT64_MAX - (u64)d) / base)
			return -ERANGE;
		v = v * base + (u64)d;
	}
	*out = v;
	return 0;
}

const char *next_word(const char **p, size_t *len)
{
	const char *s = *p, *w;

	while (*s == ' ' || *s == '\t')
		s++;
	w = s;
	while (*s && *s != ' ' && *s != '\t')
		s++;
	*p = s;
	*len = (size_t)(s - w);
	return *len ? w : NULL;
}
