/*
 * Fuzzing harness for the partition-line parser (kernel/config.c) and
 * the hypervisor's options (kernel/options.c).  The bytes are one
 * command line, as GRUB passes it with a module2 or multiboot2 line.
 *
 * Invariants, checked on every input:
 *  - config_parse_module() returns 0 or -EINVAL.  On -EINVAL the reason
 *    is a non-empty sentence, NUL-terminated inside its buffer.  On 0
 *    every field is within its documented range (kernel/config.h): a
 *    name of 1 to 16 letters, digits, '-' or '_' that the line names
 *    with name=, mem from 2M to 64G in steps of 2M, weight 1..65535,
 *    cap 1..100, on_crash stop or restart, restart_limit 0..1000, and
 *    after empty or a valid name other than the partition's own.
 *  - The outcome does not depend on the size of the reason buffer
 *    (160 bytes as kernel/partition.c, 16, and 1).
 *  - config_check_module() finds a problem exactly when
 *    config_parse_module() refuses the line, calls back once for each
 *    problem it counts, and its first is config_parse_module()'s reason;
 *    with none, it gives the same configuration.
 *  - config_parse_cpus() and config_parse_size(), given the bytes with
 *    no NUL after them (in a heap block of exactly their size), read
 *    nothing past them and store nothing on failure.  The CPU list
 *    agrees with a reference parse written here; a size loses no bits
 *    to its K/M/G shift.
 *  - options_parse() turns an option on only when its word is in the
 *    line.
 */
/* fuzz-sources: kernel/config.c kernel/options.c lib/lib.c */
/* fuzz-sources: tests/fuzz/console.c lib/format.c */
#include <string.h>

#include "kernel/config.h"
#include "kernel/options.h"
#include "lib/lib.h"
#include "tests/fuzz/fuzz.h"

#define WHY_MAX 160 /* as kernel/partition.c */

static bool name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n < 1 || n > PARTITION_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_'))
			return false;
	return true;
}

/* Is "key=value" a whole word of line (between blanks or the ends)? */
static bool has_word(const char *line, const char *key, const char *value)
{
	size_t klen = strlen(key), vlen = strlen(value);

	for (const char *p = line; (p = strstr(p, key)); p++) {
		bool starts = p == line || p[-1] == ' ' || p[-1] == '\t';
		const char *v = p + klen;
		if (starts && !strncmp(v, value, vlen) &&
		    (v[vlen] == '\0' || v[vlen] == ' ' || v[vlen] == '\t'))
			return true;
	}
	return false;
}

/* What config_check_module() said about a line. */
static struct {
	unsigned calls;
	char first[WHY_MAX];
} seen;

static void see(void *ctx, const char *why)
{
	size_t len = strlen(why);

	FUZZ_CHECK(ctx == &seen && len > 0 && len < CONFIG_WHY_MAX);
	if (!seen.calls++)
		memcpy(seen.first, why, len + 1);
}

/* Every problem of the line: as many as it returns, the first the one config_parse_module() gave.
 */
static void check_every_problem(const char *line, int err, const char *why,
				const struct partition_config *parsed)
{
	struct partition_config c;
	unsigned n;

	memset(&seen, 0, sizeof(seen));
	n = config_check_module(line, &c, see, &seen);
	FUZZ_CHECK(n == seen.calls);
	FUZZ_CHECK((n == 0) == (err == 0));
	FUZZ_CHECK(err ? !strcmp(seen.first, why) : !memcmp(&c, parsed, sizeof(c)));
}

static void check_config(const char *line)
{
	static const size_t sizes[] = { WHY_MAX, 16, 1 };
	struct partition_config first;
	char first_why[WHY_MAX];
	int first_err = 0;

	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		struct partition_config c;
		char *why = malloc(sizes[k]);
		int err;

		FUZZ_CHECK(why);
		memset(why, 0, sizes[k]);
		err = config_parse_module(line, &c, why, sizes[k]);
		FUZZ_CHECK(err == 0 || err == -EINVAL);
		if (err) {
			FUZZ_CHECK(memchr(why, '\0', sizes[k]));
			FUZZ_CHECK(sizes[k] == 1 || why[0] != '\0');
		} else {
			FUZZ_CHECK(name_ok(c.name) && has_word(line, "name=", c.name));
			FUZZ_CHECK(c.mem >= PARTITION_MEM_MIN && c.mem <= PARTITION_MEM_MAX);
			FUZZ_CHECK(c.mem % MiB(2) == 0);
			FUZZ_CHECK(c.weight >= 1 && c.weight <= CONFIG_WEIGHT_MAX);
			FUZZ_CHECK(c.cap >= 1 && c.cap <= CONFIG_CAP_NONE);
			FUZZ_CHECK(c.on_crash == ON_CRASH_STOP || c.on_crash == ON_CRASH_RESTART);
			FUZZ_CHECK(c.restart_limit <= CONFIG_RESTART_LIMIT_MAX);
			FUZZ_CHECK(c.after[0] == '\0' ||
				   (name_ok(c.after) && strcmp(c.after, c.name) != 0));
		}
		if (k == 0) {
			first = c;
			first_err = err;
			memcpy(first_why, why, WHY_MAX);
		} else {
			FUZZ_CHECK(err == first_err);
			FUZZ_CHECK(err || !memcmp(&c, &first, sizeof(c)));
		}
		free(why);
	}
	check_every_problem(line, first_err, first_why, &first);
}

/* A decimal CPU index at s[*i], saturated at 64; -EINVAL without digits. */
static int ref_index(const char *s, size_t len, size_t *i, unsigned *out)
{
	size_t start = *i;
	unsigned v = 0;

	while (*i < len && s[*i] >= '0' && s[*i] <= '9') {
		v = v * 10 + (unsigned)(s[*i] - '0');
		v = v > 64 ? 64 : v;
		(*i)++;
	}
	*out = v;
	return *i == start ? -EINVAL : 0;
}

/* Reference: comma-separated items N or N-M, each index at most 63, left to right. */
static int ref_cpus(const char *s, size_t len, u64 *out)
{
	size_t i = 0;
	u64 set = 0;

	for (;;) {
		unsigned lo, hi;
		if (ref_index(s, len, &i, &lo) < 0)
			return -EINVAL;
		if (lo > CONFIG_CPU_MAX)
			return -ERANGE;
		hi = lo;
		if (i < len && s[i] == '-') {
			i++;
			if (ref_index(s, len, &i, &hi) < 0)
				return -EINVAL;
			if (hi > CONFIG_CPU_MAX)
				return -ERANGE;
			if (hi < lo)
				return -EINVAL;
		}
		for (unsigned c = lo; c <= hi; c++)
			set |= 1ull << c;
		if (i == len)
			break;
		if (s[i] != ',')
			return -EINVAL;
		i++;
	}
	*out = set;
	return 0;
}

static void check_lists(const uint8_t *data, size_t size)
{
	const u64 untouched = 0x5a5a5a5a5a5a5a5aull;
	char *s = malloc(size ? size : 1); /* no NUL: the parsers get a length */
	u64 got = untouched, want = 0, v = untouched;
	int err, want_err;

	FUZZ_CHECK(s);
	memcpy(s, data, size);

	err = config_parse_cpus(s, size, &got);
	want_err = ref_cpus(s, size, &want);
	FUZZ_CHECK(err == want_err);
	FUZZ_CHECK(err ? got == untouched : got == want);

	err = config_parse_size(s, size, &v);
	FUZZ_CHECK(err == 0 || err == -EINVAL);
	if (err) {
		FUZZ_CHECK(v == untouched);
	} else if (size) {
		char last = s[size - 1];
		unsigned shift = last == 'K' || last == 'k'   ? 10
				 : last == 'M' || last == 'm' ? 20
				 : last == 'G' || last == 'g' ? 30
							      : 0;
		u64 plain;
		FUZZ_CHECK(parse_u64(s, size - (shift != 0), &plain) == 0);
		FUZZ_CHECK(plain == v >> shift && plain << shift == v);
	}
	free(s);
}

static void check_options(const char *line)
{
	struct hv_options o;

	memset(&o, 0xa5, sizeof(o));
	options_parse(line, &o);
	FUZZ_CHECK(!o.exit_when_done || strstr(line, "exit_when_done"));
	FUZZ_CHECK(!o.force_xapic || strstr(line, "apic=xapic"));
	FUZZ_CHECK(!o.colour || strstr(line, "colour=on"));
	FUZZ_CHECK(!o.selftest_panic || strstr(line, "selftest=panic"));
	FUZZ_CHECK(!o.selftest_bad_entry || strstr(line, "selftest=bad_entry"));
	FUZZ_CHECK(!o.selftest_bad_control || strstr(line, "selftest=bad_control"));
	FUZZ_CHECK(!o.selftest_remote || strstr(line, "selftest=remote"));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = malloc(size + 1);

	FUZZ_CHECK(line);
	memcpy(line, data, size);
	line[size] = '\0';
	check_config(line);
	check_options(line);
	check_lists(data, size);
	free(line);
	return 0;
}
