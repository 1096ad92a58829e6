/*
 * The walk of a guest's own page tables for the accesses cloison makes
 * on the guest's behalf (string I/O operands, instruction bytes): the
 * translation of a linear address in every paging mode the guest may
 * use (32-bit with PSE, PAE, 4-level, 5-level), the access rights of a
 * data access (SDM 3A §4.6, APM Vol. 2 §5.6), the #PF error code when
 * it is refused (SDM 3A §4.7), and the accessed and dirty flags it sets
 * (SDM 3A §4.8).  Pure: the caller passes the guest's registers and a
 * way to reach its paging-structure entries; kernel/gpt.c does that for
 * a vCPU, tests/unit/test_pagewalk.c with a fake guest memory.
 */
#ifndef KERNEL_PAGEWALK_H
#define KERNEL_PAGEWALK_H

#include "lib/types.h"

/* Paging-structure entry bits (SDM 3A §4.3-4.5). */
#define GPTE_P (1ull << 0)
#define GPTE_RW (1ull << 1)
#define GPTE_US (1ull << 2)
#define GPTE_A (1ull << 5)
#define GPTE_D (1ull << 6)
#define GPTE_PS (1ull << 7)

/* #PF error code bits (SDM 3A §4.7). */
#define PF_ERR_P (1u << 0) /* 1: a protection violation; 0: a not-present entry */
#define PF_ERR_W (1u << 1) /* the access was a write */
#define PF_ERR_U (1u << 2) /* the access was a user-mode one (CPL 3) */

/* What the walk needs of the guest's state. */
struct walk_regs {
	u64 cr0, cr3, cr4, efer, rflags;
	u32 cpl; /* 3 in virtual-8086 mode */
};

enum walk_access {
	/*
	 * Bytes the CPU has already fetched (the instruction that exited):
	 * only the translation, no rights checked and no flag set, since
	 * the CPU did both when it fetched them.
	 */
	WALK_FETCHED,
	WALK_READ,  /* an explicit data read at the CPL */
	WALK_WRITE, /* an explicit data write at the CPL */
};

/*
 * How the walk reaches the guest's paging-structure entries: the host
 * address of the naturally aligned size-byte entry (4 or 8) at
 * guest-physical gpa, or NULL when that is not in the guest's RAM.  The
 * walk reads entries and sets flags in them with locked instructions,
 * as the CPU does: another vCPU may change them at the same time.
 */
typedef void *(*walk_map_fn)(void *ctx, u64 gpa, u32 size);

/* guest_walk(): the access may go on; the guest must get #PF; the walk met no RAM. */
#define WALK_OK 0
#define WALK_PAGE_FAULT 1
/* And -EAGAIN: the entries kept changing under the walk (try the instruction again). */

/*
 * Translate linear address la for access acc.  WALK_OK with the
 * guest-physical address in *gpa (the accessed flags of the entries
 * used, and for a write the dirty flag of the last one, are set);
 * WALK_PAGE_FAULT with the #PF error code in *error (nothing set);
 * -EFAULT when a paging structure is outside the guest's RAM; -EAGAIN.
 * With paging off the linear address is the physical one.  la is taken
 * as it is: outside long mode the caller passes a 32-bit address.
 */
int guest_walk(const struct walk_regs *r, walk_map_fn map, void *ctx, u64 la, enum walk_access acc,
	       u64 *gpa, u32 *error);

#endif
