/*
 * EPT entry encoding (SDM 3C §29.3.2, tables 29-1 to 29-6): bits 0-2
 * read/write/execute, bits 3-5 memory type on leaves (6 = write-back),
 * bit 7 marks a 2 MiB or 1 GiB leaf.  kernel/slat.c builds the tables.
 */
#include "kernel/virt.h"

#define EPT_R (1ull << 0)
#define EPT_W (1ull << 1)
#define EPT_X (1ull << 2)
#define EPT_RWX (EPT_R | EPT_W | EPT_X)
#define EPT_MT_WB (6ull << 3)
#define EPT_LARGE (1ull << 7)

static u64 ept_leaf(u64 hpa, int level)
{
	/* lab 4: an EPT leaf that maps hpa at this level */
	return hpa | EPT_RWX | EPT_MT_WB | (level ? EPT_LARGE : 0);
	/* lab 4: end */
}
static u64 ept_table(u64 phys)
{
	return phys | EPT_RWX;
}
static bool ept_present(u64 e)
{
	return e & EPT_RWX;
}
static bool ept_large(u64 e)
{
	return e & EPT_LARGE;
}

const struct slat_format vmx_ept_format = {
	.leaf = ept_leaf,
	.table = ept_table,
	.present = ept_present,
	.large = ept_large,
};
