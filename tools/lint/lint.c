/*
 * The checks of the grub.cfg linter (see lint.h).  For each menu entry
 * it finds the multiboot2 line and the module2 lines after it, rebuilds
 * the strings GRUB would hand over (the words after the file name;
 * tools/lint/grub_script.c) and runs them through the hypervisor's own
 * parsers, compiled for this machine: kernel/options.c for the
 * hypervisor's options, kernel/config.c for each partition line and
 * each module line (for=).  It also refuses, as the hypervisor does, a
 * name an earlier partition of the entry already has, a for= that names
 * no earlier partition, a refused one or one that has its
 * CONFIG_MODULES_MAX modules, and modules past BOOT_MAX_MODULES.  Given
 * the ISO's root folder, it also looks for the file each line names.
 *
 * Each problem is one line, "FILE:LINE: " and the sentence the
 * hypervisor would print after "cloison: ".  Where the hypervisor
 * refuses a partition line with its first problem, the linter names
 * every one (config_check_module), the first being the hypervisor's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "kernel/config.h"
#include "kernel/console.h"
#include "kernel/mb2.h"
#include "kernel/options.h"
#include "lib/format.h"
#include "tools/lint/grub_script.h"
#include "tools/lint/lint.h"

#define LINE_MAX_CHARS 512 /* as kernel/console.c: a longer line ends in "..." */

/* Where the line being checked is, and what has been found so far. */
static struct {
	const char *file;
	FILE *out;
	unsigned line;
	unsigned problems;
	bool verbose;
	const char *root; /* the ISO's root folder, or NULL: files not looked for */
} here;

/* The boot one multiboot2 line starts: its partitions so far. */
struct boot {
	bool kernel; /* a multiboot2 line came first */
	u32 modules; /* module2 lines since it */
	char names[BOOT_MAX_MODULES][PARTITION_NAME_MAX + 1];
	u32 nmodules[BOOT_MAX_MODULES]; /* modules attached to each */
	u32 nnames;			/* partitions that would start: their names are taken */
	char refused[BOOT_MAX_MODULES][PARTITION_NAME_MAX + 1];
	u32 nrefused; /* names of refused partition lines (config_line_name) */
};

static void report_v(bool problem, const char *fmt, va_list ap)
{
	char buf[LINE_MAX_CHARS];
	int n = format_v(buf, sizeof(buf), fmt, ap);

	if (here.out)
		fprintf(here.out, "%s:%u: %s%s\n", here.file, here.line, buf,
			n >= (int)sizeof(buf) ? "..." : "");
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

/*
 * Is the file a multiboot2 or module2 line names, argv[file], on the
 * ISO (under here.root)?  A GRUB device before it ("(cd)/boot/x.elf")
 * names the ISO too.  Without a root, or when GRUB fills in a variable
 * of the name (or of the line, which is then not checked) at boot, it
 * counts as there.
 */
static bool on_the_iso(const struct grub_command *cmd, int file)
{
	const char *path = cmd->argv[file];
	struct stat st;
	char *full;
	bool there;

	if (!here.root || cmd->last_variable > file) /* (a later word's variable: not checked) */
		return true;
	if (cmd->last_variable == file) {
		note("note: file not looked for: GRUB fills in a variable in its name at boot");
		return true;
	}
	if (path[0] == '(' && strchr(path, ')'))
		path = strchr(path, ')') + 1;
	full = malloc(strlen(here.root) + strlen(path) + 2);
	if (!full) {
		perror("cloison-lint");
		exit(2);
	}
	sprintf(full, "%s/%s", here.root, path);
	there = stat(full, &st) == 0 && S_ISREG(st.st_mode);
	free(full);
	return there;
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
	if (!on_the_iso(cmd, 1))
		grub_problem("multiboot2: no file %s under %s: GRUB stops with \"file not found\" "
			     "and boots nothing",
			     cmd->argv[1], here.root);
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

/* The index of the partition called name in b, or -1. */
static int name_index(const struct boot *b, const char *name)
{
	for (u32 i = 0; i < b->nnames; i++)
		if (!strcmp(b->names[i], name))
			return (int)i;
	return -1;
}

static bool name_taken(const struct boot *b, const char *name)
{
	return name_index(b, name) >= 0;
}

/* A refused partition line's name (if it has one), for the for= lines that name it. */
static void remember_refused(struct boot *b, const char *str)
{
	if (b->nrefused < BOOT_MAX_MODULES && config_line_name(str, b->refused[b->nrefused]))
		b->nrefused++;
}

static bool was_refused(const struct boot *b, const char *name)
{
	for (u32 i = 0; i < b->nrefused; i++)
		if (!strcmp(b->refused[i], name))
			return true;
	return false;
}

/* A for= line naming target: attached, or refused as kernel/partition.c refuses it. */
static void check_attach(struct boot *b, u32 index, const char *str, const char *target)
{
	int p = name_index(b, target);
	char why[CONFIG_WHY_MAX];

	if (p < 0 && was_refused(b, target))
		format(why, sizeof(why), CONFIG_FOR_REFUSED, target);
	else if (p < 0)
		format(why, sizeof(why), CONFIG_FOR_UNKNOWN, target);
	else if (b->nmodules[p] == CONFIG_MODULES_MAX)
		format(why, sizeof(why), CONFIG_FOR_FULL, target, CONFIG_MODULES_MAX);
	else {
		b->nmodules[p]++;
		return;
	}
	klog(CONFIG_MODULE_REFUSED, index, str, why);
}

/* The partition line being checked, for each of its problems. */
struct line {
	u32 index;
	const char *str;
};

/* One problem of a partition line, in the line the hypervisor refuses it with. */
static void line_problem(void *ctx, const char *why)
{
	const struct line *l = ctx;

	klog(CONFIG_REFUSED, l->index, l->str, why);
}

/*
 * A partition line: each of its problems on a line of its own, in the
 * order the hypervisor looks for them, so that the first is the reason
 * it gives at boot: the line's words (config_check_module), then a name
 * an earlier partition has, then an after= that names no earlier one.
 */
static void check_partition(struct boot *b, u32 index, const char *str)
{
	struct line l = { index, str };
	struct partition_config cfg;
	char why[CONFIG_WHY_MAX];
	unsigned problems = config_check_module(str, &cfg, line_problem, &l);
	bool name_used = cfg.name[0] && name_taken(b, cfg.name);

	if (name_used) {
		format(why, sizeof(why), CONFIG_NAME_USED, cfg.name);
		line_problem(&l, why);
	}
	if (cfg.after[0] && strcmp(cfg.after, cfg.name) != 0 && !name_taken(b, cfg.after)) {
		format(why, sizeof(why), CONFIG_AFTER_UNKNOWN, cfg.after);
		line_problem(&l, why);
		problems++;
	}
	if (problems) /* (a used name alone leaves the name to the earlier line) */
		remember_refused(b, str);
	else if (!name_used)
		memcpy(b->names[b->nnames++], cfg.name, sizeof(cfg.name));
}

/* One module2 line: the refusals of kernel/mb2.c and kernel/partition.c, same words. */
static void check_module(struct boot *b, const struct grub_command *cmd)
{
	int first = 1; /* the file name's word */
	char why[CONFIG_WHY_MAX], target[PARTITION_NAME_MAX + 1];
	char *str;
	u32 index;
	int kind;

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
	if (!on_the_iso(cmd, first)) {
		/* Then cloison never sees the line, and the modules after it move up one. */
		grub_problem("module2: no file %s under %s: GRUB skips the line, and cloison "
			     "never hears of it",
			     cmd->argv[first], here.root);
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
	} else if ((kind = config_parse_attach(str, target, why, sizeof(why))) < 0) {
		klog(CONFIG_MODULE_REFUSED, index, str, why);
	} else if (kind > 0) {
		check_attach(b, index, str, target);
	} else {
		check_partition(b, index, str);
	}
	free(str);
}

int lint_text(const char *name, const char *text, size_t len, FILE *out, bool verbose,
	      const char *root)
{
	struct boot boot;
	struct grub_script s;
	struct grub_command cmd;
	unsigned kernels = 0, modules = 0;
	int r;

	if (grub_script_open(&s, text, len) < 0)
		return -1;
	here.file = name;
	here.out = out;
	here.verbose = verbose;
	here.root = root;
	here.line = 0;
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
	if (verbose && !here.problems && out)
		fprintf(out, "%s: ok (%u multiboot2 line%s, %u module2 line%s)\n", name, kernels,
			kernels == 1 ? "" : "s", modules, modules == 1 ? "" : "s");
	grub_script_close(&s);
	return (int)here.problems;
}
