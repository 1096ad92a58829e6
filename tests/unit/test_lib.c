/*
 * Unit tests of lib/lib.c and the inline helpers of lib/lib.h:
 * parse_u64 (decimal, hex, empty, junk, overflow), mul_div_u64 (128-bit
 * intermediate, saturation, division by zero), ranges_overlap at the top
 * of the address space, the kernel's own memory and string functions, and
 * command-line words (next_word, is_loader_path).
 *
 * tools/unit.sh builds lib/lib.c and this file with -Dmemset=k_memset
 * (and so on), so every memset, strcmp, ... below is the kernel's
 * version, not libc's; that is why this file includes no libc header.
 */
/* unit-sources: lib/lib.c */
#include "tests/unit/unit.h"

#include "lib/lib.h"

static int parse(const char *s, u64 *out)
{
	*out = 0x5a5a5a5a5a5a5a5aull; /* must stay when parsing fails */
	return parse_u64(s, strlen(s), out);
}

#define UNTOUCHED 0x5a5a5a5a5a5a5a5aull

static void test_parse_decimal(void **state)
{
	(void)state;
	u64 v;
	assert_int_equal(parse("0", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(parse("42", &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(parse("000123", &v), 0);
	assert_int_equal(v, 123);
	assert_int_equal(parse("18446744073709551615", &v), 0);
	assert_true(v == UINT64_MAX);
	/* Only len characters count. */
	assert_int_equal(parse_u64("123456", 3, &v), 0);
	assert_int_equal(v, 123);
}

static void test_parse_hex(void **state)
{
	(void)state;
	u64 v;
	assert_int_equal(parse("0x0", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(parse("0x1f", &v), 0);
	assert_int_equal(v, 0x1f);
	assert_int_equal(parse("0X1F", &v), 0);
	assert_int_equal(v, 0x1f);
	assert_int_equal(parse("0xDeadBeef", &v), 0);
	assert_true(v == 0xdeadbeefull);
	assert_int_equal(parse("0xffffffffffffffff", &v), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(parse("0x00000000000000000001", &v), 0);
	assert_int_equal(v, 1);
}

static void test_parse_empty_and_junk(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"",	"0x", "0X", "x1", "12a", "a",	"0xg",
		"0x1g", " 1", "1 ", "-1", "+1",	 "1.5", "1k",
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		u64 v;
		if (parse(bad[i], &v) != -EINVAL)
			print_message("parse_u64(\"%s\") accepted\n", bad[i]);
		assert_int_equal(parse(bad[i], &v), -EINVAL);
		assert_true(v == UNTOUCHED);
	}
	/* A hex digit is junk in a decimal number. */
	u64 v;
	assert_int_equal(parse("1f", &v), -EINVAL);
	assert_int_equal(parse_u64("0x12", 0, &v), -EINVAL);
}

static void test_parse_overflow(void **state)
{
	(void)state;
	u64 v;
	assert_int_equal(parse("18446744073709551616", &v), -ERANGE);
	assert_true(v == UNTOUCHED);
	assert_int_equal(parse("99999999999999999999", &v), -ERANGE);
	assert_int_equal(parse("0x10000000000000000", &v), -ERANGE);
	assert_int_equal(parse("0xfffffffffffffffff", &v), -ERANGE);
	assert_true(v == UNTOUCHED);
}

static u64 reference_mul_div(u64 a, u64 b, u64 c)
{
	unsigned __int128 q = (unsigned __int128)a * b / c;
	return q > UINT64_MAX ? UINT64_MAX : (u64)q;
}

static void test_mul_div(void **state)
{
	(void)state;
	assert_int_equal(mul_div_u64(10, 20, 3), 66);
	assert_int_equal(mul_div_u64(0, 20, 3), 0);
	assert_int_equal(mul_div_u64(7, 1, 7), 1);
	/* A TSC conversion whose product does not fit in 64 bits. */
	assert_true(mul_div_u64(3000000000000ull, 1000000000ull, 2400000000ull) ==
		    1250000000000ull);
	assert_true(mul_div_u64(UINT64_MAX, UINT64_MAX, UINT64_MAX) == UINT64_MAX);
	assert_true(mul_div_u64(UINT64_MAX, 2, 4) == UINT64_MAX / 2);
	assert_true(mul_div_u64(1ull << 63, 4, 4) == 1ull << 63);
	/* Just fits / just does not. */
	assert_true(mul_div_u64(1ull << 63, 2, 2) == 1ull << 63);
	assert_true(mul_div_u64(UINT64_MAX, 3, 3) == UINT64_MAX);
	assert_true(mul_div_u64(UINT64_MAX, 3, 2) == UINT64_MAX); /* saturates */
	assert_true(mul_div_u64(1ull << 63, 4, 2) == UINT64_MAX);
	assert_true(mul_div_u64(1ull << 32, 1ull << 32, 1) == UINT64_MAX);

	/* Against a 128-bit reference on a fixed pseudo-random series. */
	u64 x = 0x9e3779b97f4a7c15ull;
	for (int i = 0; i < 10000; i++) {
		u64 a, b, c;
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		a = x >> (i % 64);
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		b = x >> ((i / 64) % 64);
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		c = (x >> (i % 61)) | 1;
		if (mul_div_u64(a, b, c) != reference_mul_div(a, b, c))
			print_message("mul_div_u64(%#llx, %#llx, %#llx)\n", (unsigned long long)a,
				      (unsigned long long)b, (unsigned long long)c);
		assert_true(mul_div_u64(a, b, c) == reference_mul_div(a, b, c));
	}
}

static void test_mul_div_by_zero(void **state)
{
	(void)state;
	assert_true(mul_div_u64(1, 1, 0) == UINT64_MAX);
	assert_true(mul_div_u64(0, 0, 0) == UINT64_MAX);
}

static void test_ranges_overlap(void **state)
{
	(void)state;
	assert_true(ranges_overlap(0x1000, 0x1000, 0x1fff, 1));
	assert_false(ranges_overlap(0x1000, 0x1000, 0x2000, 1));
	assert_false(ranges_overlap(0x2000, 1, 0x1000, 0x1000));
	assert_true(ranges_overlap(0, 10, 5, 1));
	assert_false(ranges_overlap(0x1000, 0, 0x1000, 0x1000)); /* empty */
	assert_false(ranges_overlap(0x1000, 0x1000, 0x1000, 0));
	/* At the top of the address space, without wrapping. */
	assert_true(ranges_overlap(UINT64_MAX, 1, UINT64_MAX - 10, 11));
	assert_false(ranges_overlap(UINT64_MAX, 1, UINT64_MAX - 10, 10));
	assert_true(ranges_overlap(0xfffffffffffff000ull, 0x1000, 0, UINT64_MAX));
	assert_false(ranges_overlap(0, 0x1000, 0xfffffffffffff000ull, 0x1000));
}

static void test_memory_functions(void **state)
{
	(void)state;
	u8 a[32], b[32];

	assert_ptr_equal(memset(a, 0xab, sizeof(a)), a);
	for (size_t i = 0; i < sizeof(a); i++)
		assert_int_equal(a[i], 0xab);
	memset(a + 4, 0x1ff, 3); /* converted to unsigned char */
	assert_int_equal(a[3], 0xab);
	assert_int_equal(a[4], 0xff);
	assert_int_equal(a[6], 0xff);
	assert_int_equal(a[7], 0xab);
	/* Unaligned, whole words and a tail: exactly [3, 22) changes. */
	memset(a, 0, sizeof(a));
	assert_ptr_equal(memset(a + 3, 0x5c, 19), a + 3);
	for (size_t i = 0; i < sizeof(a); i++)
		assert_int_equal(a[i], i >= 3 && i < 22 ? 0x5c : 0);
	memset(a + 9, 0x77, 0);
	assert_int_equal(a[9], 0x5c);

	for (size_t i = 0; i < sizeof(a); i++)
		a[i] = (u8)i;
	assert_ptr_equal(memcpy(b, a, sizeof(a)), b);
	for (size_t i = 0; i < sizeof(b); i++)
		assert_int_equal(b[i], i);

	/* memmove both ways over an overlap. */
	assert_ptr_equal(memmove(a + 4, a, 16), a + 4);
	for (size_t i = 0; i < 16; i++)
		assert_int_equal(a[4 + i], i);
	for (size_t i = 0; i < sizeof(a); i++)
		a[i] = (u8)i;
	memmove(a, a + 4, 16);
	for (size_t i = 0; i < 16; i++)
		assert_int_equal(a[i], i + 4);

	assert_int_equal(memcmp("abc", "abc", 3), 0);
	assert_int_equal(memcmp("abc", "abd", 2), 0);
	assert_true(memcmp("abc", "abd", 3) < 0);
	assert_true(memcmp("\xff", "\x01", 1) > 0); /* bytes compare unsigned */
	assert_int_equal(memcmp("x", "y", 0), 0);
}

/*
 * memset and memcpy work in 8-byte words and then bytes: every length
 * 0..40 at every start offset 0..7 must touch exactly [off, off+len),
 * and memmove's forward case (through memcpy) must survive overlaps
 * shorter than a word.
 */
static void test_memory_word_and_tail(void **state)
{
	(void)state;
	u8 a[64], b[64];

	for (size_t off = 0; off < 8; off++)
		for (size_t len = 0; len <= 40; len++) {
			for (size_t i = 0; i < sizeof(a); i++)
				a[i] = 0x55, b[i] = (u8)(i * 7);
			memset(a + off, 0xc3, len);
			for (size_t i = 0; i < sizeof(a); i++)
				assert_int_equal(a[i], i >= off && i < off + len ? 0xc3 : 0x55);
			memcpy(a + off, b + 3, len);
			for (size_t i = 0; i < sizeof(a); i++)
				if (i >= off && i < off + len)
					assert_int_equal(a[i], b[3 + i - off]);
				else
					assert_int_equal(a[i], 0x55);
		}
	for (size_t shift = 1; shift < 9; shift++) {
		for (size_t i = 0; i < sizeof(a); i++)
			a[i] = (u8)i;
		memmove(a, a + shift, 40);
		for (size_t i = 0; i < 40; i++)
			assert_int_equal(a[i], i + shift);
	}
}

static void test_string_functions(void **state)
{
	(void)state;
	assert_int_equal(strlen(""), 0);
	assert_int_equal(strlen("cloison"), 7);
	assert_int_equal(strnlen("cloison", 3), 3);
	assert_int_equal(strnlen("cloison", 100), 7);
	assert_int_equal(strnlen("", 5), 0);
	assert_int_equal(strnlen("abc", 0), 0);

	assert_int_equal(strcmp("abc", "abc"), 0);
	assert_true(strcmp("abc", "abd") < 0);
	assert_true(strcmp("abd", "abc") > 0);
	assert_true(strcmp("ab", "abc") < 0);
	assert_true(strcmp("abc", "ab") > 0);
	assert_true(strcmp("\xff", "a") > 0); /* unsigned, as in libc */

	assert_int_equal(strncmp("abcdef", "abcxyz", 3), 0);
	assert_true(strncmp("abcdef", "abcxyz", 4) < 0);
	assert_int_equal(strncmp("ab", "ab", 10), 0);
	assert_true(strncmp("ab", "abc", 10) < 0);
	assert_true(strncmp("\xff", "a", 1) > 0);
	assert_int_equal(strncmp("a", "b", 0), 0);
}

static void test_words(void **state)
{
	const char *p = "\t /boot/x.elf  name=a\tmem=2M \t", *w;
	size_t n;
	(void)state;

	w = next_word(&p, &n);
	assert_non_null(w);
	assert_int_equal(n, 11);
	assert_true(is_loader_path(w));
	w = next_word(&p, &n);
	assert_int_equal(n, 6);
	assert_int_equal(strncmp(w, "name=a", 6), 0);
	assert_false(is_loader_path(w));
	w = next_word(&p, &n);
	assert_int_equal(n, 6);
	assert_int_equal(strncmp(w, "mem=2M", 6), 0);
	assert_null(next_word(&p, &n));
	assert_int_equal(n, 0);
	assert_null(next_word(&p, &n)); /* and stays at the end */
	p = "";
	assert_null(next_word(&p, &n));
	assert_true(is_loader_path("(hd0,gpt2)/x.elf"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_decimal),
		cmocka_unit_test(test_parse_hex),
		cmocka_unit_test(test_parse_empty_and_junk),
		cmocka_unit_test(test_parse_overflow),
		cmocka_unit_test(test_mul_div),
		cmocka_unit_test(test_mul_div_by_zero),
		cmocka_unit_test(test_ranges_overlap),
		cmocka_unit_test(test_memory_functions),
		cmocka_unit_test(test_memory_word_and_tail),
		cmocka_unit_test(test_string_functions),
		cmocka_unit_test(test_words),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
