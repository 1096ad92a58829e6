/*
 * The partition line parser.  Words are separated by blanks; each is
 * key=value.  Known keys: name (letters, digits, '-' and '_', at most
 * PARTITION_NAME_MAX), mem (2M to 64G, a multiple of 2M), cpus (a CPU
 * list such as 1,3-5), weight (1..65535), cap (percent, 1..100),
 * on_crash (stop or restart), restart_limit (0..1000) and vcpus
 * (1..CONFIG_VCPUS_MAX).  A lone "--" ends the keys: the rest of the
 * line is the guest's command line.  A line whose only key is
 * for=<name> is a module line instead.  Every mistake is refused with a
 * sentence naming the key, so that one bad line never stops the others:
 * config_check_module() names each mistake of a line (for the grub.cfg
 * linter), config_parse_module() keeps the first (for the hypervisor at
 * boot).  Whether a listed CPU exists, and whether for= names a
 * partition, is for kernel/partition.c to check at boot.
 */
#include "kernel/config.h"
#include "lib/format.h"
#include "lib/lib.h"

#define DEFAULT_MEM MiB(16)

#define FAIL(...)                                                                                  \
	do {                                                                                       \
		format(why, whylen, __VA_ARGS__);                                                  \
		return -EINVAL;                                                                    \
	} while (0)

int config_parse_size(const char *s, size_t len, u64 *out)
{
	unsigned shift = 0;
	u64 v;

	if (len && (s[len - 1] == 'K' || s[len - 1] == 'k'))
		shift = 10;
	else if (len && (s[len - 1] == 'M' || s[len - 1] == 'm'))
		shift = 20;
	else if (len && (s[len - 1] == 'G' || s[len - 1] == 'g'))
		shift = 30;
	if (shift)
		len--;
	if (parse_u64(s, len, &v) < 0 || v > (UINT64_MAX >> shift))
		return -EINVAL;
	*out = v << shift;
	return 0;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* A decimal CPU index at s[*i]; -EINVAL without digits, -ERANGE above CONFIG_CPU_MAX. */
static int cpu_index(const char *s, size_t len, size_t *i, u32 *out)
{
	u32 v = 0;
	size_t start = *i;

	for (; *i < len && is_digit(s[*i]); (*i)++) {
		v = v * 10 + (u32)(s[*i] - '0');
		if (v > CONFIG_CPU_MAX)
			v = CONFIG_CPU_MAX + 1; /* saturate: no overflow however long */
	}
	if (*i == start)
		return -EINVAL;
	*out = v;
	return v > CONFIG_CPU_MAX ? -ERANGE : 0;
}

int config_parse_cpus(const char *s, size_t len, u64 *out)
{
	u64 set = 0;
	size_t i = 0;
	int err;

	do {
		u32 lo, hi;
		if ((err = cpu_index(s, len, &i, &lo)) < 0)
			return err;
		hi = lo;
		if (i < len && s[i] == '-') {
			i++;
			if ((err = cpu_index(s, len, &i, &hi)) < 0)
				return err;
			if (hi < lo)
				return -EINVAL;
		}
		for (u32 c = lo; c <= hi; c++)
			set |= 1ull << c;
		if (i < len && s[i] != ',')
			return -EINVAL;
	} while (i++ < len);
	*out = set;
	return 0;
}

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_';
}

static bool key_is(const char *k, size_t n, const char *s)
{
	return strlen(s) == n && !strncmp(k, s, n);
}

/* The word that ends the keys: exactly "--" ("--x" is a word like any other). */
static bool is_separator(const char *w, size_t n)
{
	return key_is(w, n, "--");
}

/* Is [v, v+n) a valid partition name? */
static bool valid_name(const char *v, size_t n)
{
	if (n == 0 || n > PARTITION_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!name_char(v[i]))
			return false;
	return true;
}

/* Fail unless [v, v+vlen) is a partition name: 1..16 letters, digits, '-' or '_'. */
#define CHECK_NAME(key, v, vlen)                                                                   \
	do {                                                                                       \
		if ((vlen) == 0 || (vlen) > PARTITION_NAME_MAX)                                    \
			FAIL(key ": must be 1 to %u characters", PARTITION_NAME_MAX);              \
		for (size_t i_ = 0; i_ < (vlen); i_++)                                             \
			if (!name_char((v)[i_]))                                                   \
				FAIL(key ": '%.*s' may only use letters, digits, '-' and '_'",     \
				     (int)(vlen), (v));                                            \
	} while (0)

/* The number of key=[v, v+vlen), from lo to hi: 0 with it in *n, or -EINVAL with why. */
static int number_in(const char *key, const char *v, size_t vlen, u32 lo, u32 hi, u64 *n, char *why,
		     size_t whylen)
{
	if (parse_u64(v, vlen, n) < 0)
		FAIL("%s: '%.*s' is not a number in %u..%u", key, (int)vlen, v, lo, hi);
	if (*n < lo || *n > hi)
		FAIL("%s: %.*s is outside %u..%u", key, (int)vlen, v, lo, hi);
	return 0;
}

/*
 * One key=value word of a partition line, [w, w+klen) the key and
 * [v, v+vlen) the value, into c.  0, or -EINVAL with the sentence in why.
 * *named is set by a name= word, even a bad one.
 */
static int parse_key(struct partition_config *c, const char *w, size_t klen, const char *v,
		     size_t vlen, bool *named, char *why, size_t whylen)
{
	u64 n;
	int err;

	if (key_is(w, klen, "name")) {
		*named = true;
		CHECK_NAME("name", v, vlen);
		memcpy(c->name, v, vlen);
		c->name[vlen] = 0;
	} else if (key_is(w, klen, "after")) {
		CHECK_NAME("after", v, vlen);
		memcpy(c->after, v, vlen);
		c->after[vlen] = 0;
	} else if (key_is(w, klen, "mem")) {
		if (config_parse_size(v, vlen, &n) < 0)
			FAIL("mem: '%.*s' is not a size in 2M..64G (like 16M or 1G)", (int)vlen, v);
		if (n < PARTITION_MEM_MIN || n > PARTITION_MEM_MAX)
			FAIL("mem: %.*s is outside 2M..64G", (int)vlen, v);
		if (!IS_ALIGNED(n, MiB(2)))
			FAIL("mem: %.*s is not a multiple of 2M", (int)vlen, v);
		c->mem = n;
	} else if (key_is(w, klen, "cpus")) {
		err = config_parse_cpus(v, vlen, &c->cpus);
		if (err == -ERANGE)
			FAIL("cpus: '%.*s' names a CPU above %u", (int)vlen, v, CONFIG_CPU_MAX);
		if (err < 0)
			FAIL("cpus: '%.*s' is not a CPU list (like 0, 0-3 or 1,3-5)", (int)vlen, v);
	} else if (key_is(w, klen, "weight")) {
		if (number_in("weight", v, vlen, 1, CONFIG_WEIGHT_MAX, &n, why, whylen) < 0)
			return -EINVAL;
		c->weight = (u32)n;
	} else if (key_is(w, klen, "cap")) {
		if (parse_u64(v, vlen, &n) < 0)
			FAIL("cap: '%.*s' is not a number in 1..100 (a percentage, without %%)",
			     (int)vlen, v);
		if (n < 1 || n > 100)
			FAIL("cap: %.*s is outside 1..100 (percent)", (int)vlen, v);
		c->cap = (u32)n;
	} else if (key_is(w, klen, "on_crash")) {
		if (key_is(v, vlen, "stop"))
			c->on_crash = ON_CRASH_STOP;
		else if (key_is(v, vlen, "restart"))
			c->on_crash = ON_CRASH_RESTART;
		else
			FAIL("on_crash: '%.*s' is neither stop nor restart", (int)vlen, v);
	} else if (key_is(w, klen, "restart_limit")) {
		if (number_in("restart_limit", v, vlen, 0, CONFIG_RESTART_LIMIT_MAX, &n, why,
			      whylen) < 0)
			return -EINVAL;
		c->restart_limit = (u32)n;
	} else if (key_is(w, klen, "vcpus")) {
		if (number_in("vcpus", v, vlen, 1, CONFIG_VCPUS_MAX, &n, why, whylen) < 0)
			return -EINVAL;
		c->vcpus = (u32)n;
	} else if (key_is(w, klen, "for")) {
		FAIL("for: a module line takes no other key than for=");
	} else {
		FAIL("unknown key '%.*s'", (int)klen, w);
	}
	return 0;
}

unsigned config_check_module(const char *str, struct partition_config *c,
			     void (*problem)(void *ctx, const char *why), void *ctx)
{
	const char *p = str, *w;
	char why[CONFIG_WHY_MAX];
	size_t wlen;
	bool named = false; /* a name= word came, good or bad */
	unsigned problems = 0;

	memset(c, 0, sizeof(*c));
	c->mem = DEFAULT_MEM;
	c->weight = CONFIG_WEIGHT_DEFAULT;
	c->cap = CONFIG_CAP_NONE;
	c->on_crash = ON_CRASH_STOP;
	c->restart_limit = CONFIG_RESTART_LIMIT_DEFAULT;
	c->vcpus = 1;
	c->args = "";
	for (bool first = true; (w = next_word(&p, &wlen)); first = false) {
		const char *eq;

		if (first && is_loader_path(w))
			continue;
		if (is_separator(w, wlen)) {
			c->args = *p ? p + 1 : p; /* p is at the blank after "--", or at the end */
			break;
		}
		for (eq = w; eq < p && *eq != '='; eq++)
			;
		if (eq == p)
			format(why, sizeof(why), "'%.*s' is not of the form key=value",
			       (int)(p - w), w);
		else if (parse_key(c, w, (size_t)(eq - w), eq + 1, (size_t)(p - eq - 1), &named,
				   why, sizeof(why)) == 0)
			continue;
		problem(ctx, why);
		problems++;
	}
	if (!named) {
		problem(ctx, "name: missing (every partition needs name=<id>)");
		problems++;
	} else if (c->name[0] && !strcmp(c->after, c->name)) {
		problem(ctx, "after: a partition cannot wait for itself");
		problems++;
	}
	return problems;
}

/* Where config_parse_module() keeps the first problem of a line. */
struct first_problem {
	char *why;
	size_t whylen;
	bool found;
};

static void keep_first(void *ctx, const char *why)
{
	struct first_problem *first = ctx;

	if (!first->found)
		format(first->why, first->whylen, "%s", why);
	first->found = true;
}

int config_parse_module(const char *str, struct partition_config *c, char *why, size_t whylen)
{
	struct first_problem first = { why, whylen, false };

	return config_check_module(str, c, keep_first, &first) ? -EINVAL : 0;
}

int config_parse_attach(const char *str, char target[PARTITION_NAME_MAX + 1], char *why,
			size_t whylen)
{
	const char *p = str, *w, *v = NULL, *other = NULL;
	size_t wlen, vlen = 0, olen = 0;

	for (bool first = true; (w = next_word(&p, &wlen)); first = false) {
		if (first && is_loader_path(w))
			continue;
		if (wlen >= 4 && !strncmp(w, "for=", 4)) {
			v = w + 4; /* as for any key, a later word wins */
			vlen = wlen - 4;
			continue;
		}
		if (!other)
			other = w, olen = wlen;
		if (is_separator(w, wlen))
			break; /* what follows is a command line: a for= there is no key */
	}
	if (!v)
		return 0;
	if (other)
		FAIL("for: a module line takes no other word than for= (here '%.*s')", (int)olen,
		     other);
	CHECK_NAME("for", v, vlen);
	memcpy(target, v, vlen);
	target[vlen] = 0;
	return 1;
}

bool config_line_name(const char *str, char name[PARTITION_NAME_MAX + 1])
{
	const char *p = str, *w;
	size_t wlen;
	bool found = false;

	while ((w = next_word(&p, &wlen)) && !is_separator(w, wlen)) {
		if (wlen < 5 || strncmp(w, "name=", 5) != 0 || !valid_name(w + 5, wlen - 5))
			continue;
		memcpy(name, w + 5, wlen - 5);
		name[wlen - 5] = 0;
		found = true;
	}
	return found;
}

const char *config_line_path(const char *str, size_t *len)
{
	const char *p = str, *w = next_word(&p, len);

	return w && is_loader_path(w) ? w : NULL;
}
