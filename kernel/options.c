/*
 * Hypervisor command-line options: space-separated words, each either a
 * flag ("exit_when_done") or "key=value".  A leading path (the image
 * name some loaders include) is skipped.  Anything unknown is named in
 * one line and ignored, so a typo never stops the machine from booting.
 */
#include "kernel/options.h"
#include "kernel/console.h"
#include "lib/lib.h"

static bool word_is(const char *w, size_t n, const char *s)
{
	return strlen(s) == n && !strncmp(w, s, n);
}

static bool starts_with(const char *w, size_t n, const char *prefix)
{
	size_t len = strlen(prefix);

	return n >= len && !strncmp(w, prefix, len);
}

/* console_width=N: a decimal or 0x number of columns, in range, else the word is refused. */
static void set_console_width(struct hv_options *o, const char *w, size_t n)
{
	size_t key = strlen("console_width=");
	u64 v;

	if (parse_u64(w + key, n - key, &v) < 0 || v < OPTIONS_CONSOLE_WIDTH_MIN ||
	    v > OPTIONS_CONSOLE_WIDTH_MAX) {
		klog("option '%.*s': the width must be %u to %u columns; ignored", (int)n, w,
		     OPTIONS_CONSOLE_WIDTH_MIN, OPTIONS_CONSOLE_WIDTH_MAX);
		return;
	}
	o->console_width = (u32)v;
}

static void apply(struct hv_options *o, const char *w, size_t n)
{
	if (word_is(w, n, "exit_when_done"))
		o->exit_when_done = true;
	else if (word_is(w, n, "apic=xapic"))
		o->force_xapic = true;
	else if (word_is(w, n, "apic=x2apic"))
		o->force_xapic = false;
	else if (word_is(w, n, "colour=on"))
		o->colour = true;
	else if (word_is(w, n, "colour=off"))
		o->colour = false;
	else if (starts_with(w, n, "console_width="))
		set_console_width(o, w, n);
	else if (word_is(w, n, "selftest=panic"))
		o->selftest_panic = true;
	else if (word_is(w, n, "selftest=bad_entry"))
		o->selftest_bad_entry = true;
	else if (word_is(w, n, "selftest=bad_control"))
		o->selftest_bad_control = true;
	else if (word_is(w, n, "selftest=remote"))
		o->selftest_remote = true;
	else if (word_is(w, n, "selftest=dirty"))
		o->selftest_dirty = true;
	else if (word_is(w, n, "selftest=pools"))
		o->selftest_pools = true;
	else if (word_is(w, n, "selftest=switch"))
		o->selftest_switch = true;
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
