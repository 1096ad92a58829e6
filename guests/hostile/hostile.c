/*
 * hostile: the entry of the hostile catalog's guest (hostile.h).  It
 * reads case=NAME from its partition line and runs that case; a line
 * without case= runs "pointers", the first one written, whose last step
 * reads outside the partition's RAM and must get it stopped (the mixed
 * scenarios use it that way as "reader").
 */
#include "guests/hostile/hostile.h"
#include "kernel/format.h"

static const struct hostile_case cases[] = {
	{ "pointers", case_pointers },
};

const char *hostile_name = "?";

int hcheck(const char *what, long long got, long long want)
{
	char who[48];

	format(who, sizeof(who), "hostile %s", hostile_name);
	return guest_check(who, what, got, want);
}

void hsay(const char *fmt, ...)
{
	char line[160];
	va_list ap;
	int n = format(line, sizeof(line), "hostile %s: ", hostile_name);

	if (n < 0 || n >= (int)sizeof(line))
		n = 0;

	va_start(ap, fmt);
	format_v(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	printf("%s\n", line);
}

static bool same(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

int guest_main(unsigned magic, unsigned info)
{
	char name[32] = "pointers";

	if (!hv_present()) {
		printf("hostile: needs cloison\n");
		return 1;
	}
	cmdline_value(guest_cmdline(magic, info), "case", name, sizeof(name));
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (same(cases[i].name, name)) {
			int failures;

			hostile_name = cases[i].name;
			failures = cases[i].run(magic, info);
			hsay("%d failures", failures);
			return failures;
		}
	}
	printf("hostile: no case named '%s'\n", name);
	return 99;
}
