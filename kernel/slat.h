/*
 * Second-level address translation (SLAT) tables for partitions: one
 * builder for Intel EPT and AMD NPT, which share the 4-level layout and
 * differ only in entry bits (struct slat_format, from the backend).
 * Pure logic over frames from slat_alloc_table(); unit-tested on host.
 */
#ifndef KERNEL_SLAT_H
#define KERNEL_SLAT_H

#include "lib/types.h"

struct slat_format;

struct slat {
	u64 root;   /* physical address of the top-level table */
	u32 tables; /* table frames in use, root included */
	bool allow_1g;
};

/* Provided by the kernel (memory.c) or the unit tests. */
u64 slat_alloc_table(void); /* one zeroed frame, or 0 */
void slat_free_table(u64 phys);

int slat_init(struct slat *s, bool allow_1g);
/*
 * Map guest-physical [gpa, gpa+size) to host-physical [hpa, hpa+size)
 * with the largest leaves alignment allows.  0 or -ENOMEM / -EINVAL.
 */
int slat_map(struct slat *s, const struct slat_format *f, u64 gpa, u64 hpa, u64 size);
/* Host-physical address behind gpa, or -EFAULT when it is unmapped. */
int slat_translate(const struct slat *s, const struct slat_format *f, u64 gpa, u64 *hpa);
/* Free every table (not the memory the leaves point to). */
void slat_destroy(struct slat *s, const struct slat_format *f);

#endif
