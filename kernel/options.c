/*
 * Hypervisor command-line options: space-separated words, each either a
 * flag ("exit_when_done") or "key=value".  A leading path (the image
 * name some loaders include) is skipped.  An unknown word is named in one
 * line and ignored, and so is a known key with a value it does not take
 * (the line lists the values it takes), so a typo never stops the machine
 * from booting.
 */
#include "kernel/options.h"
#include "kernel/console.h"
#include "lib/format.h"
#include "lib/lib.h"

#define FLAG(field) __builtin_offsetof(struct hv_options, field)
#define SELFTEST(name)                                                                             \
	{                                                                                          \
		"selftest=" #name, FLAG(selftest_##name), true                                     \
	}

/*
 * The words that set a flag, each with the flag and the value it gives
 * it.  A key=value word's key takes exactly the values listed with it
 * here, and the line about a bad value lists them from here.
 */
static const struct {
	const char *word;
	size_t flag; /* offset of its bool in struct hv_options */
	bool value;
} words[] = {
	{ "exit_when_done", FLAG(exit_when_done), true },
	{ "apic=xapic", FLAG(force_xapic), true },
	{ "apic=x2apic", FLAG(force_xapic), false },
	{ "colour=on", FLAG(colour), true },
	{ "colour=off", FLAG(colour), false },
	SELFTEST(panic),
	SELFTEST(bad_entry),
	SELFTEST(bad_control),
	SELFTEST(remote),
	SELFTEST(dirty),
	SELFTEST(pools),
	SELFTEST(switch),
};

#define NWORDS (sizeof(words) / sizeof(words[0]))
#define VALUES_MAX 128 /* the longest list: selftest='s seven values */

static bool word_is(const char *w, size_t n, const char *s)
{
	return strlen(s) == n && !strncmp(w, s, n);
}

/* The length of w's key with its '=' ("colour=" of "colour=on"), or 0 for a flag. */
static size_t key_len(const char *w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (w[i] == '=')
			return i + 1;
	return 0;
}

/* Does words[i] start with the key w[0..key), its '=' included? */
static bool has_key(size_t i, const char *w, size_t key)
{
	return !strncmp(words[i].word, w, key);
}

/* w's key takes values from the table, but not w's: name the ones it takes. */
static void bad_value(const char *w, size_t n, size_t key)
{
	char values[VALUES_MAX] = "";
	size_t total = 0, listed = 0, at = 0;

	for (size_t i = 0; i < NWORDS; i++)
		total += has_key(i, w, key);
	for (size_t i = 0; i < NWORDS && at < sizeof(values); i++) {
		if (!has_key(i, w, key))
			continue;
		listed++;
		at += (size_t)format(values + at, sizeof(values) - at, "%s%s",
				     listed == 1       ? ""
				     : listed == total ? " or "
						       : ", ",
				     words[i].word + key);
	}
	klog("bad value \"%.*s\" for option %.*s (%s); ignored", (int)(n - key), w + key, (int)key,
	     w, values);
}

/* console_width=N: a decimal or 0x number of columns, in range, else the word is refused. */
static void set_console_width(struct hv_options *o, const char *w, size_t n, size_t key)
{
	u64 v;

	if (parse_u64(w + key, n - key, &v) < 0 || v < OPTIONS_CONSOLE_WIDTH_MIN ||
	    v > OPTIONS_CONSOLE_WIDTH_MAX) {
		klog("bad value \"%.*s\" for option console_width= (%u to %u columns); ignored",
		     (int)(n - key), w + key, OPTIONS_CONSOLE_WIDTH_MIN, OPTIONS_CONSOLE_WIDTH_MAX);
		return;
	}
	o->console_width = (u32)v;
}

static void apply(struct hv_options *o, const char *w, size_t n)
{
	size_t key = key_len(w, n);
	bool known_key = false;

	for (size_t i = 0; i < NWORDS; i++) {
		if (word_is(w, n, words[i].word)) {
			*(bool *)((char *)o + words[i].flag) = words[i].value;
			return;
		}
		known_key |= key && has_key(i, w, key);
	}
	if (key && word_is(w, key, "console_width="))
		set_console_width(o, w, n, key);
	else if (known_key)
		bad_value(w, n, key);
	else
		klog("option '%.*s' is unknown; ignored", (int)n, w);
}

void options_parse(const char *cmdline, struct hv_options *o)
{
	const char *p = cmdline, *w;
	size_t n;

	*o = (struct hv_options){ .console_width = OPTIONS_CONSOLE_WIDTH };
	for (bool first = true; (w = next_word(&p, &n)); first = false)
		if (!(first && is_loader_path(w)))
			apply(o, w, n);
}
