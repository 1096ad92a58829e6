/*
 * The guest's command line: where the Multiboot information block keeps
 * it, and how to pick one "key=value" word out of it.  Test guests use
 * this to choose what to do from the name= of their partition line, and
 * str_same() to compare the value with the words they know.
 */
#include "guests/lib/guest.h"

#define MB1_BOOT_MAGIC 0x2badb002u
#define MB1_INFO_CMDLINE (1u << 2)
#define MB1_INFO_FLAGS 0 /* byte offsets in the information block (Multiboot 0.6.96 §3.3) */
#define MB1_INFO_CMDLINE_ADDR 16

const char *guest_cmdline(unsigned magic, unsigned info)
{
	const volatile uint32_t *blk = (const volatile uint32_t *)(uintptr_t)info;

	if (magic != MB1_BOOT_MAGIC || !info || !(blk[MB1_INFO_FLAGS / 4] & MB1_INFO_CMDLINE) ||
	    !blk[MB1_INFO_CMDLINE_ADDR / 4])
		return "";
	return (const char *)(uintptr_t)blk[MB1_INFO_CMDLINE_ADDR / 4];
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

bool cmdline_value(const char *cmdline, const char *key, char *out, size_t size)
{
	const char *p = cmdline;

	while (*p) {
		const char *k = key;
		while (is_space(*p))
			p++;
		while (*k && *p == *k)
			p++, k++;
		if (!*k && *p == '=') {
			size_t n = 0;
			for (p++; *p && !is_space(*p); p++)
				if (n + 1 < size)
					out[n++] = *p;
			if (size)
				out[n] = '\0';
			return true;
		}
		while (*p && !is_space(*p))
			p++;
	}
	return false;
}

bool str_same(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}
