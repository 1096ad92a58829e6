/*
 * The partition line parser.  Words are separated by blanks; each is
 * key=value.  Known keys: name (letters, digits, '-' and '_', at most
 * PARTITION_NAME_MAX) and mem (2M to 64G, a multiple of 2M).  Every
 * mistake is refused with a sentence naming the key, so that one bad
 * line never stops the others.
 */
#include "kernel/config.h"
#include "kernel/format.h"
#include "kernel/lib.h"

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

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_';
}

static bool key_is(const char *k, size_t n, const char *s)
{
	return strlen(s) == n && !strncmp(k, s, n);
}

int config_parse_module(const char *str, struct partition_config *c, char *why, size_t whylen)
{
	const char *p = str;
	bool first = true, have_name = false;

	memset(c, 0, sizeof(*c));
	c->mem = DEFAULT_MEM;
	while (*p) {
		const char *w, *eq, *v;
		size_t klen, vlen;

		while (*p == ' ' || *p == '\t')
			p++;
		w = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		if (p == w)
			break;
		if (first &&
		    (*w == '/' || *w == '(')) { /* the module's own path, maybe (hd0,gpt2)/... */
			first = false;
			continue;
		}
		first = false;
		for (eq = w; eq < p && *eq != '='; eq++)
			;
		if (eq == p)
			FAIL("'%.*s' is not of the form key=value", (int)(p - w), w);
		klen = (size_t)(eq - w);
		v = eq + 1;
		vlen = (size_t)(p - v);
		if (key_is(w, klen, "name")) {
			if (vlen == 0 || vlen > PARTITION_NAME_MAX)
				FAIL("name: must be 1 to %u characters", PARTITION_NAME_MAX);
			for (size_t i = 0; i < vlen; i++)
				if (!name_char(v[i]))
					FAIL("name: '%.*s' may only use letters, digits, '-' and "
					     "'_'",
					     (int)vlen, v);
			memcpy(c->name, v, vlen);
			c->name[vlen] = 0;
			have_name = true;
		} else if (key_is(w, klen, "mem")) {
			u64 m;
			if (config_parse_size(v, vlen, &m) < 0)
				FAIL("mem: '%.*s' is not a size (like 16M or 1G)", (int)vlen, v);
			if (m < PARTITION_MEM_MIN || m > PARTITION_MEM_MAX)
				FAIL("mem: %.*s is outside 2M..64G", (int)vlen, v);
			if (!IS_ALIGNED(m, MiB(2)))
				FAIL("mem: %.*s is not a multiple of 2M", (int)vlen, v);
			c->mem = m;
		} else {
			FAIL("unknown key '%.*s'", (int)klen, w);
		}
	}
	if (!have_name)
		FAIL("name: missing (every partition needs name=<id>)");
	return 0;
}
