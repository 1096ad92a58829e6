/*
 * Partition configuration: each GRUB `module2 /path/guest.elf key=value
 * ...` line declares one partition (docs/configuration.md).  The parser
 * is pure; the same code is built for the host as a grub.cfg linter.
 */
#ifndef KERNEL_CONFIG_H
#define KERNEL_CONFIG_H

#include "kernel/types.h"

#define PARTITION_NAME_MAX 16
#define PARTITION_MEM_MIN MiB(2)
#define PARTITION_MEM_MAX GiB(64)

struct partition_config {
	char name[PARTITION_NAME_MAX + 1];
	u64 mem; /* bytes, a multiple of 2 MiB */
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
 * The line logged when module `index` is refused: the index, the module
 * string and the reason (kernel/partition.c).  The grub.cfg linter
 * (tools/lint/) prints the same line, so both say the same words.
 */
#define CONFIG_REFUSED "partition config: module %u (%s): %s; partition not started"
/* The reason when an earlier partition already has this name. */
#define CONFIG_NAME_USED "name: '%s' is already used"

#endif
