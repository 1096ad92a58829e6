/*
 * Partition configuration: each GRUB `module2 /path/guest.elf key=value
 * ...` line declares one partition (docs/configuration.md).  The parser
 * is pure; the same code is built for the host as a grub.cfg linter.
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
	char after[PARTITION_NAME_MAX +
		   1]; /* start once this partition has stopped; "" = at boot */
};

/*
 * Parse one module string ("/boot/hello.elf name=hello mem=16M").  A
 * leading path is skipped.  Returns 0, or -EINVAL with one sentence in
 * why naming the key at fault.
 */
int config_parse_module(const char *str, struct partition_config *c, char *why, size_t whylen);

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

#endif
