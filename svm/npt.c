/*
 * NPT entry encoding (APM Vol. 2 §15.25.5): nested page tables are
 * ordinary long-mode page tables.  Every guest access counts as a user
 * access, so each level sets P, RW and US; bit 7 (PS) marks a 2 MiB or
 * 1 GiB leaf.  Caching is write-back (PAT/PCD/PWT clear).  kernel/slat.c
 * builds the tables.
 */
#include "kernel/virt.h"

#define NPT_P (1ull << 0)
#define NPT_RW (1ull << 1)
#define NPT_US (1ull << 2)
#define NPT_PS (1ull << 7)
#define NPT_ACCESS (NPT_P | NPT_RW | NPT_US)

static u64 npt_leaf(u64 hpa, int level)
{
	/* lab 4: an NPT leaf that maps hpa at this level */
	return hpa | NPT_ACCESS | (level ? NPT_PS : 0);
	/* lab 4: end */
}
static u64 npt_table(u64 phys)
{
	return phys | NPT_ACCESS;
}
static bool npt_present(u64 e)
{
	return e & NPT_P;
}
static bool npt_large(u64 e)
{
	return e & NPT_PS;
}

const struct slat_format svm_npt_format = {
	.leaf = npt_leaf,
	.table = npt_table,
	.present = npt_present,
	.large = npt_large,
};
