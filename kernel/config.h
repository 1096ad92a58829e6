/*
 * Partition configuration: each GRUB `module2 /path/guest.elf key=value
 * ... [-- guest command line]` line declares one partition, and a
 * `module2 FILE for=<name>` line attaches FILE to an earlier partition
 * as its next module (docs/configuration.md).  The parser is pure; the
 * same code is built for the host as a grub.cfg linter.  Whether the
 * partition a module names exists, and what the loaders do with the
 * command line and the modules, is for kernel/partition.c.
 */
#ifndef KERNEL_CONFIG_H
#define KERNEL_CONFIG_H

#include "lib/types.h"

#define PARTITION_NAME_MAX 16
#define PARTITION_MEM_MIN MiB(2)
#define PARTITION_MEM_MAX GiB(64)
#define CONFIG_CPU_MAX 63 /* highest CPU index cpus= may name: one bit of a u64 each */
#define CONFIG_WEIGHT_DEFAULT 256
#define CONFIG_WEIGHT_MAX 65535
#define CONFIG_CAP_NONE 100 /* percent: no ceiling */
#define CONFIG_RESTART_LIMIT_DEFAULT 3
#define CONFIG_RESTART_LIMIT_MAX 1000
#define CONFIG_VCPUS_MAX 8   /* vCPUs of one partition */
#define CONFIG_MODULES_MAX 8 /* modules one partition may have attached (for=) */

enum on_crash {
	ON_CRASH_STOP, /* the default: a crashed partition stays stopped */
	ON_CRASH_RESTART,
};

struct partition_config {
	char name[PARTITION_NAME_MAX + 1];
	u64 mem;    /* bytes, a multiple of 2 MiB */
	u64 cpus;   /* bit i: may run on CPU i; 0 = not pinned, placed by load */
	u32 weight; /* 1..65535, share of CPU time in proportion to the others' */
	u32 cap;    /* 1..100 percent of one CPU; 100 = no ceiling */
	enum on_crash on_crash;
	u32 restart_limit; /* restarts allowed with on_crash=restart, 0..1000 */
	u32 vcpus;	   /* 1..CONFIG_VCPUS_MAX */
	char after[PARTITION_NAME_MAX +
		   1]; /* start once this partition has stopped; "" = at boot */
	/*
	 * The guest's command line: the text after a lone "--" word and the
	 * one blank after it, as it is; "" without one.  It points into the
	 * parsed string, which must outlive this.
	 */
	const char *args;
};

/* The longest sentence about one problem of a line (kernel/partition.c's buffer for it). */
#define CONFIG_WHY_MAX 160

/*
 * Parse one module string ("/boot/hello.elf name=hello mem=16M -- quiet").
 * A leading path is skipped; the words after a lone "--" are the guest's
 * (c->args) and are not parsed.  Returns 0, or -EINVAL with one sentence
 * in why naming the key at fault: the line's first problem, as
 * config_check_module() finds them.
 */
int config_parse_module(const char *str, struct partition_config *c, char *why, size_t whylen);

/*
 * The same parse, going on past each problem to the end of the line:
 * problem(ctx, sentence) is called for every bad word, in the order of
 * the words, then for a missing name= or an after= that names the line's
 * own name.  Returns the number of problems; with none, c is what
 * config_parse_module() gives.  The grub.cfg linter names every mistake
 * of a line this way; the hypervisor refuses the line with the first.
 */
unsigned config_check_module(const char *str, struct partition_config *c,
			     void (*problem)(void *ctx, const char *why), void *ctx);

/*
 * Is str a module line ("[path] for=<name>")?  1 with the partition's
 * name in target; 0 when no for= word comes before a lone "--" (a
 * partition line: see config_parse_module); -EINVAL with one sentence in
 * why when for= comes with any other word or its value is no name.
 */
int config_parse_attach(const char *str, char target[PARTITION_NAME_MAX + 1], char *why,
			size_t whylen);

/*
 * The name= of a partition line, found even when the line is refused
 * (so that its modules can say so): true with the last valid name= word
 * before "--" in name, false when there is none.
 */
bool config_line_name(const char *str, char name[PARTITION_NAME_MAX + 1]);

/* The leading path some loaders pass ("/boot/x.elf"), len bytes long, or NULL without one. */
const char *config_line_path(const char *str, size_t *len);

/* Parse a size with an optional K, M or G suffix (binary units). */
int config_parse_size(const char *s, size_t len, u64 *out);

/*
 * Parse a CPU list ("0", "0,1", "0-3", "1,3-5") of decimal indices
 * 0..CONFIG_CPU_MAX into a bitmap.  Returns 0, -EINVAL when it is not
 * a list (empty, stray characters, a backward range) or -ERANGE when an
 * index is above CONFIG_CPU_MAX.  Nothing is stored on failure.
 */
int config_parse_cpus(const char *s, size_t len, u64 *out);

/*
 * The line logged when module `index` is refused: the index, the module
 * string and the reason (kernel/partition.c).  The grub.cfg linter
 * (tools/lint/) prints the same line, so both say the same words.
 */
#define CONFIG_REFUSED "partition config: module %u (%s): %s; partition not started"
/* The reason when cpus= names no CPU that is online (checked at boot only). */
#define CONFIG_CPUS_OFFLINE "cpus: none of these CPUs is online (%u online)"
/* The reason when after= names no partition declared before this one. */
#define CONFIG_AFTER_UNKNOWN "after: no partition before this one is named '%s'"
/* The reason when an earlier partition already has this name. */
#define CONFIG_NAME_USED "name: '%s' is already used"
/*
 * The line logged when the module line `index` (a for= line) is not
 * attached: the index, the module string and the reason, one of the
 * three below or one from config_parse_attach.
 */
#define CONFIG_MODULE_REFUSED "partition config: module %u (%s): %s; module skipped"
/* for= names no partition declared before this line. */
#define CONFIG_FOR_UNKNOWN "for: no partition before this one is named '%s'"
/* for= names a partition whose own line was refused. */
#define CONFIG_FOR_REFUSED "for: partition '%s' was refused"
/* for= names a partition that has CONFIG_MODULES_MAX modules already. */
#define CONFIG_FOR_FULL "for: partition '%s' already has %u modules, the most it may have"

#endif
