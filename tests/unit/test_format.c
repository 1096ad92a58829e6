/*
 * Unit tests of lib/format.c, the small vsnprintf behind kprintf and
 * klog: every conversion (%d %i %u %x %X %p %s %c %%), negative numbers
 * down to INT64_MIN, widths with the '-' and '0' flags and '*', the %s
 * precision, the hh/h/l/ll/z length modifiers, NULL strings, truncation
 * (the return value is the full length, the buffer stays terminated,
 * sizes 0 and 1) and unknown conversions, which are printed as written.
 * Where the C standard defines the result, it is compared with the host
 * libc's snprintf; the rest is checked against the documented output.
 */
/* unit-sources: lib/format.c */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "tests/unit/unit.h"

#include "lib/format.h"

/* Format with both format_v and the host's vsnprintf; they must agree. */
#define SAME(...) same_as_libc(__FILE__, __LINE__, __VA_ARGS__)

static void same_as_libc(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void same_as_libc(const char *file, int line, const char *fmt, ...)
{
	char mine[256], libc[256];
	va_list ap, ap2;
	int n_mine, n_libc;

	va_start(ap, fmt);
	va_copy(ap2, ap);
	n_mine = format_v(mine, sizeof(mine), fmt, ap);
	n_libc = vsnprintf(libc, sizeof(libc), fmt, ap2);
	va_end(ap2);
	va_end(ap);
	if (strcmp(mine, libc) != 0 || n_mine != n_libc)
		print_message("%s:%d: format \"%s\": got \"%s\" (%d), libc \"%s\" (%d)\n", file,
			      line, fmt, mine, n_mine, libc, n_libc);
	assert_string_equal(mine, libc);
	assert_int_equal(n_mine, n_libc);
}

/*
 * Format with format_v only, for what libc does differently or what the
 * compiler would rightly warn about (no printf attribute on purpose).
 */
static const char *fmt(const char *f, ...)
{
	static char buf[256];
	va_list ap;
	va_start(ap, f);
	int n = format_v(buf, sizeof(buf), f, ap);
	va_end(ap);
	assert_int_equal(n, (int)strlen(buf));
	return buf;
}

static void test_plain_text(void **state)
{
	(void)state;
	SAME("hello, world");
	SAME("%s", "");
	SAME("100%%");
	SAME("%%%%%%");
	SAME("a%cb", 'x');
	SAME("%c%c%c", 'a', 'b', 'c');
}

static void test_signed(void **state)
{
	(void)state;
	SAME("%d", 0);
	SAME("%d", 42);
	SAME("%i", -42);
	SAME("%d %d", INT_MAX, INT_MIN);
	SAME("%ld", LONG_MIN);
	SAME("%lld", (long long)INT64_MIN);
	SAME("%lld", (long long)INT64_MAX);
	SAME("%lli", -1LL);
	SAME("%zd", (ssize_t)-5);
}

static void test_unsigned_and_hex(void **state)
{
	(void)state;
	SAME("%u", 0u);
	SAME("%u", UINT_MAX);
	SAME("%x", 0u);
	SAME("%x %X", 0xdeadbeefu, 0xdeadbeefu);
	SAME("%lx", 0x123456789abcdefUL);
	SAME("%llX", 0xfedcba9876543210ULL);
	SAME("%llu", (unsigned long long)UINT64_MAX);
	SAME("%zu %zx", (size_t)123456, SIZE_MAX);
	SAME("%u", (unsigned)-1);
}

static void test_length_modifiers(void **state)
{
	(void)state;
	/* Values are promoted to int; hh and h narrow them again. */
	SAME("%hhd %hhd %hhd", 127, 128, 255);
	SAME("%hhu %hhx", 300, 0x1ff);
	SAME("%hd %hd", 32767, 70000);
	SAME("%hu %hx", 70000, 0x12345);
	SAME("%hi", -1);
	SAME("%ld %lu", -123456789L, 123456789UL);
	SAME("%lld %llu", -1234567890123LL, 1234567890123ULL);
	/* A long argument is read whole: nothing leaks between arguments. */
	SAME("%lx %d", 0xffffffff00000000UL, 7);
}

static void test_widths_and_flags(void **state)
{
	(void)state;
	SAME("[%5d]", 42);
	SAME("[%-5d]", 42);
	SAME("[%05d]", 42);
	SAME("[%05d]", -42);
	SAME("[%5d]", -42);
	const char *minus_zero = "[%-05d]"; /* '-' wins over '0' (GCC warns on the literal) */
	SAME(minus_zero, 42);
	SAME("[%08x]", 0xbeefu);
	SAME("[%2d]", 12345); /* never cut */
	SAME("[%10s]", "abc");
	SAME("[%-10s]", "abc");
	SAME("[%3c]", 'x');
	SAME("[%-3c]", 'x');
	SAME("[%016llx]", 0x1234ULL);
	SAME("[%20lld]", (long long)INT64_MIN);
	SAME("[%020lld]", (long long)INT64_MIN);
	SAME("[%1s]", "");
}

static void test_star_width(void **state)
{
	(void)state;
	SAME("[%*d]", 6, 42);
	SAME("[%*d]", -6, 42); /* negative: left-justified */
	SAME("[%*s]", 4, "ab");
	SAME("[%-*s]", 4, "ab");
	SAME("[%0*x]", 8, 0xabcu);
	SAME("[%*d]", 0, 5);
}

static void test_string_precision(void **state)
{
	(void)state;
	SAME("[%.3s]", "abcdef");
	SAME("[%.*s]", 2, "abcdef");
	SAME("[%.*s]", 10, "abc");
	SAME("[%.*s]", 0, "abc");
	SAME("[%.0s]", "abc");
	SAME("[%8.3s]", "abcdef");
	SAME("[%-8.3s]", "abcdef");
	/* A precision lets the string lack its NUL. */
	char unterminated[3] = { 'x', 'y', 'z' };
	SAME("[%.*s]", 3, unterminated);
	/* A negative precision counts as none (C11 7.21.6.1p5). */
	SAME("[%.*s]", -1, "abc");
}

static void test_pointer(void **state)
{
	(void)state;
	SAME("%p", (void *)0x1234);
	SAME("%p", (void *)0xffff800000001000UL);
	SAME("[%20p]", (void *)0xabc);
	SAME("[%-20p]", (void *)0xabc);
	/* libc prints "(nil)"; cloison prints the number. */
	assert_string_equal(fmt("%p", NULL), "0x0");
}

static void test_null_string(void **state)
{
	(void)state;
	assert_string_equal(fmt("%s", NULL), "(null)");
	assert_string_equal(fmt("[%8s]", NULL), "[  (null)]");
	assert_string_equal(fmt("[%.3s]", NULL), "[(nu]");
}

static void test_nul_char(void **state)
{
	(void)state;
	char buf[8];
	int n = format(buf, sizeof(buf), "a%cb", 0);
	assert_int_equal(n, 3); /* the NUL is counted and stored, like libc */
	assert_int_equal(buf[0], 'a');
	assert_int_equal(buf[1], 0);
	assert_int_equal(buf[2], 'b');
	assert_int_equal(buf[3], 0);
}

static void test_unknown_conversion(void **state)
{
	(void)state;
	assert_string_equal(fmt("%q"), "%q");
	assert_string_equal(fmt("a%yb"), "a%yb");
	assert_string_equal(fmt("%k%d", 7), "%k7");
	/* A '%' at the very end prints nothing and stops there. */
	assert_string_equal(fmt("abc%"), "abc");
	assert_string_equal(fmt("abc%l"), "abc");
	assert_string_equal(fmt("abc%-5"), "abc");
}

static void test_truncation(void **state)
{
	(void)state;
	char buf[8];

	memset(buf, 'Z', sizeof(buf));
	assert_int_equal(format(buf, sizeof(buf), "%s", "0123456789"), 10);
	assert_string_equal(buf, "0123456");

	memset(buf, 'Z', sizeof(buf));
	assert_int_equal(format(buf, sizeof(buf), "%d-%d", 1234, 5678), 9);
	assert_string_equal(buf, "1234-56");

	memset(buf, 'Z', sizeof(buf));
	assert_int_equal(format(buf, sizeof(buf), "%s", "0123456"), 7); /* just fits */
	assert_string_equal(buf, "0123456");

	/* Size 1: only the terminator. */
	memset(buf, 'Z', sizeof(buf));
	assert_int_equal(format(buf, 1, "hello %d", 42), 8);
	assert_int_equal(buf[0], '\0');
	assert_int_equal(buf[1], 'Z');

	/* Size 0: nothing written at all, not even the terminator. */
	memset(buf, 'Z', sizeof(buf));
	assert_int_equal(format(buf, 0, "hello %d", 42), 8);
	assert_int_equal(buf[0], 'Z');
	assert_int_equal(format(NULL, 0, "%s%s", "abc", "def"), 6);

	/* Padding counts too. */
	memset(buf, 'Z', sizeof(buf));
	assert_int_equal(format(buf, 4, "%10d", 1), 10);
	assert_string_equal(buf, "   ");
	assert_int_equal(buf[4], 'Z');
}

static void test_truncation_matches_libc(void **state)
{
	(void)state;
	static const char text[] = "cloison: partition demo exited with code -3";

	for (size_t size = 0; size <= sizeof(text) + 1; size++) {
		char mine[64], libc[64];
		memset(mine, 'Z', sizeof(mine));
		memset(libc, 'Z', sizeof(libc));
		int n_mine =
			format(mine, size, "cloison: partition %s exited with code %d", "demo", -3);
		int n_libc = snprintf(libc, size, "cloison: partition %s exited with code %d",
				      "demo", -3);
		assert_int_equal(n_mine, n_libc);
		assert_memory_equal(mine, libc, sizeof(mine));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_text),
		cmocka_unit_test(test_signed),
		cmocka_unit_test(test_unsigned_and_hex),
		cmocka_unit_test(test_length_modifiers),
		cmocka_unit_test(test_widths_and_flags),
		cmocka_unit_test(test_star_width),
		cmocka_unit_test(test_string_precision),
		cmocka_unit_test(test_pointer),
		cmocka_unit_test(test_null_string),
		cmocka_unit_test(test_nul_char),
		cmocka_unit_test(test_unknown_conversion),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_truncation_matches_libc),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
