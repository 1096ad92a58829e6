/*
 * cloison-lint: checks grub.cfg files for what cloison would refuse at
 * boot, without booting.  For each menu entry it finds the multiboot2
 * line and the module2 lines after it, rebuilds the strings GRUB would
 * hand over (the words after the file name; tools/lint/grub_script.c)
 * and runs them through the hypervisor's own parsers, compiled for this
 * machine: kernel/options.c for the hypervisor's options,
 * kernel/config.c for each partition line.  It also refuses, as the
 * hypervisor does, a name an earlier partition of the entry already has
 * and modules past BOOT_MAX_MODULES.  tests/lint/run.sh checks it
 * against the refusals the hostile boot scenario expects.
 *
 * Each problem is one line, "FILE:LINE: " and the sentence the
 * hypervisor would print after "cloison: ".  Exit status: 0 clean, 1
 * problems, 2 usage or read errors.  What depends on the machine or on
 * the image files (free RAM, a missing Multiboot1 header) cannot be
 * seen here.  The user's side of this is docs/configuration.md,
 * "Checking a grub.cfg without booting".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/config.h"
#include "kernel/console.h"
#include "kernel/format.h"
#include "kernel/mb2.h"
#include "kernel/options.h"
#include "tools/lint/grub_script.h"

#define LINE_MAX_CHARS 512 /* as kernel/console.c: a longer line ends in "..." */
#define WHY_MAX 160	   /* as the reason buffer of kernel/partition.c */

/* Where the line being checked is, and what has been found so far. */
static struct {
	const char *file;
	unsigned line;
	unsigned problems;
	bool verbose;
} here;

/* The boot one multiboot2 line starts: its partitions so far. */
struct boot {
	bool kernel; /* a multiboot2 line came first */
	u32 modules; /* module2 lines since it */
	char names[BOOT_MAX_MODULES][PARTITION_NAME_MAX + 1];
	u32 nnames; /* partitions that would start: their names are taken */
};

static void report_v(bool problem, const char *fmt, va_list ap)
{
	char buf[LINE_MAX_CHARS];
	int n = format_v(buf, sizeof(buf), fmt, ap);

	printf("%s:%u: %s%s\n", here.file, here.line, buf, n >= (int)sizeof(buf) ? "..." : "");
	here.problems += problem;
}

/* The hypervisor's console, as the parsers call it: every line is a problem found. */
void klog(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	report_v(true, fmt, ap);
	va_end(ap);
}

/* A problem GRUB itself would stop at, in the linter's own words. */
static void PRINTF_LIKE(1, 2) grub_problem(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	report_v(true, fmt, ap);
	va_end(ap);
}

/* With -v: a line the linter could not check. */
static void PRINTF_LIKE(1, 2) note(const char *fmt, ...)
{
	va_list ap;
	if (!here.verbose)
		return;
	va_start(ap, fmt);
	report_v(false, fmt, ap);
	va_end(ap);
}

static void check_kernel(struct boot *b, const struct grub_command *cmd)
{
	struct hv_options o;
	char *str;

	/* GRUB's multiboot2 starts a new boot: earlier modules are dropped. */
	memset(b, 0, sizeof(*b));
	b->kernel = true;
	if (cmd->argc < 2) {
		grub_problem("multiboot2 without a file name: GRUB stops with \"filename "
			     "expected\"");
		return;
	}
	if (cmd->last_variable >= 2) {
		note("note: not checked: GRUB fills in a variable in this line at boot");
		return;
	}
	/* GRUB passes the words after the file name. */
	str = grub_loader_string(cmd->argc - 2, cmd->argv + 2);
	if (!str) {
		perror("cloison-lint");
		exit(2);
	}
	options_parse(str, &o);
	free(str);
}

static bool name_taken(const struct boot *b, const char *name)
{
	for (u32 i = 0; i < b->nnames; i++)
		if (!strcmp(b->names[i], name))
			return true;
	return false;
}

/* One module2 line: the refusals of kernel/mb2.c and kernel/partition.c, same words. */
static void check_module(struct boot *b, const struct grub_command *cmd)
{
	int first = 1; /* the file name's word */
	struct partition_config cfg;
	char why[WHY_MAX];
	char *str;
	u32 index;

	if (!b->kernel) {
		grub_problem("module2 before any multiboot2 line: GRUB stops with \"you need to "
			     "load the kernel first\"");
		return;
	}
	if (first < cmd->argc && !strcmp(cmd->argv[first], "--nounzip"))
		first++;
	if (first == cmd->argc) {
		grub_problem("module2 without a file name: GRUB stops with \"filename expected\"");
		return;
	}
	index = b->modules++;
	if (cmd->last_variable > first) {
		note("note: not checked: GRUB fills in a variable in this line at boot");
		return;
	}
	/* GRUB passes the words after the file name. */
	str = grub_loader_string(cmd->argc - first - 1, cmd->argv + first + 1);
	if (!str) {
		perror("cloison-lint");
		exit(2);
	}
	if (index >= BOOT_MAX_MODULES) {
		klog(MB2_TOO_MANY_MODULES, BOOT_MAX_MODULES, index, str);
	} else if (config_parse_module(str, &cfg, why, sizeof(why)) < 0) {
		klog(CONFIG_REFUSED, index, str, why);
	} else if (name_taken(b, cfg.name)) {
		format(why, sizeof(why), CONFIG_NAME_USED, cfg.name);
		klog(CONFIG_REFUSED, index, str, why);
	} else if (cfg.after[0] && !name_taken(b, cfg.after)) {
		format(why, sizeof(why), CONFIG_AFTER_UNKNOWN, cfg.after);
		klog(CONFIG_REFUSED, index, str, why);
	} else {
		memcpy(b->names[b->nnames++], cfg.name, sizeof(cfg.name));
	}
	free(str);
}

static char *read_all(FILE *f, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);

	while (buf) {
		n += fread(buf + n, 1, cap - n, f);
		if (n < cap)
			break;
		cap *= 2;
		char *bigger = realloc(buf, cap);
		if (!bigger)
			free(buf);
		buf = bigger;
	}
	if (buf && ferror(f)) {
		free(buf);
		return NULL;
	}
	*len = n;
	return buf;
}

/* Lint one file.  Returns the number of problems, or -1 if it cannot be read. */
static int lint_file(const char *path)
{
	struct boot boot;
	struct grub_script s;
	struct grub_command cmd;
	unsigned kernels = 0, modules = 0;
	size_t len;
	char *text;
	FILE *f;
	int r;

	f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "cloison-lint: %s: %s\n", path, strerror(errno));
		return -1;
	}
	text = read_all(f, &len);
	if (!text || grub_script_open(&s, text, len) < 0) {
		fprintf(stderr, "cloison-lint: %s: %s\n", path,
			text ? "out of memory" : strerror(errno ? errno : EIO));
		fclose(f);
		free(text);
		return -1;
	}
	fclose(f);

	here.file = path;
	here.problems = 0;
	memset(&boot, 0, sizeof(boot));
	while ((r = grub_script_next(&s, &cmd)) > 0) {
		const char *verb = cmd.argv[0];

		here.line = cmd.line;
		if (!strcmp(verb, "menuentry") || !strcmp(verb, "submenu") || !strcmp(verb, "}")) {
			boot.kernel = false; /* a new entry loads its own kernel */
		} else if (!strcmp(verb, "multiboot2")) {
			check_kernel(&boot, &cmd);
			kernels++;
		} else if (!strcmp(verb, "module2")) {
			check_module(&boot, &cmd);
			modules++;
		}
	}
	if (r < 0) {
		here.line = s.error_line;
		grub_problem("%s: GRUB cannot read this file", s.error);
	}
	if (here.verbose && !here.problems)
		printf("%s: ok (%u multiboot2 line%s, %u module2 line%s)\n", path, kernels,
		       kernels == 1 ? "" : "s", modules, modules == 1 ? "" : "s");
	grub_script_close(&s);
	free(text);
	return (int)here.problems;
}

static void usage(FILE *to)
{
	fputs("usage: cloison-lint [-v] GRUB_CFG...\n"
	      "Checks the multiboot2 and module2 lines of each file with cloison's own parsers.\n"
	      "Prints one line per problem, FILE:LINE: and what cloison would say at boot.\n"
	      "  -v  also say which files are clean and which lines could not be checked\n"
	      "Exit status: 0 no problem, 1 problems found, 2 usage or read error.\n",
	      to);
}

int main(int argc, char **argv)
{
	int first = 1, status = 0;

	for (; first < argc && argv[first][0] == '-'; first++) {
		if (!strcmp(argv[first], "--")) {
			first++;
			break;
		}
		if (!strcmp(argv[first], "-v")) {
			here.verbose = true;
		} else if (!strcmp(argv[first], "-h") || !strcmp(argv[first], "--help")) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "cloison-lint: unknown option '%s'\n", argv[first]);
			usage(stderr);
			return 2;
		}
	}
	if (first == argc) {
		fputs("cloison-lint: no grub.cfg file named\n", stderr);
		usage(stderr);
		return 2;
	}
	for (int i = first; i < argc; i++) {
		int problems = lint_file(argv[i]);
		if (problems < 0)
			status = 2;
		else if (problems > 0 && status == 0)
			status = 1;
	}
	return status;
}
