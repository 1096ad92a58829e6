/*
 * The guest page walk of kernel/pagewalk.h: translation in the four
 * paging modes (SDM 3A §4.3 32-bit, §4.4 PAE, §4.5 4- and 5-level; APM
 * Vol. 2 §5.3), the rights of a data access (SDM 3A §4.6, APM Vol. 2
 * §5.6), the #PF error code (SDM 3A §4.7) and the accessed and dirty
 * flags (SDM 3A §4.8), set with LOCK CMPXCHG as the CPU sets them.
 * Reserved bits and protection keys are not checked.
 */
#include "kernel/pagewalk.h"
#include "kernel/cr.h"
#include "lib/x86.h"

#define ADDR_4K 0x000ffffffffff000ull /* bits 51:12 of an 8-byte entry */
#define WALK_TRIES 16		      /* walks before giving up on entries that keep changing */

/* One entry the walk used, to set its accessed (and dirty) flag once the access is allowed. */
struct used {
	void *at;
	u64 value;
	u32 size;
};

static u64 load(const void *at, u32 size)
{
	if (size == 4)
		return __atomic_load_n((const u32 *)at, __ATOMIC_ACQUIRE);
	return __atomic_load_n((const u64 *)at, __ATOMIC_ACQUIRE);
}

/* Set bits in the entry if it still holds old: false when it changed meanwhile. */
static bool set_flags(const struct used *u, u64 bits)
{
	if ((u->value & bits) == bits)
		return true;
	if (u->size == 4) {
		u32 old = (u32)u->value;
		return __atomic_compare_exchange_n((u32 *)u->at, &old, old | (u32)bits, false,
						   __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
	}
	u64 old = u->value;
	return __atomic_compare_exchange_n((u64 *)u->at, &old, old | bits, false, __ATOMIC_SEQ_CST,
					   __ATOMIC_SEQ_CST);
}

/*
 * Is the data access allowed on a page whose entries all have U/S set
 * (user) and all R/W set (writable)?  SDM 3A §4.6.1: CPL 3 reaches user
 * pages only, and writes them only when they are writable; CPL 0-2
 * reaches user pages only without SMAP or with RFLAGS.AC set, and
 * writes read-only pages only while CR0.WP is clear.
 */
static bool allowed(const struct walk_regs *r, bool write, bool user, bool writable)
{
	if (r->cpl == 3)
		return user && (!write || writable);
	if (user && (r->cr4 & CR4_SMAP) && !(r->rflags & RFLAGS_AC))
		return false;
	return !write || writable || !(r->cr0 & CR0_WP);
}

/*
 * One walk: WALK_OK, WALK_PAGE_FAULT, -EFAULT, or 1 + WALK_PAGE_FAULT
 * when an entry changed before its flags could be set (walk again).
 */
#define WALK_AGAIN (WALK_PAGE_FAULT + 1)

static int walk_once(const struct walk_regs *r, walk_map_fn map, void *ctx, u64 la,
		     enum walk_access acc, u64 *gpa, u32 *error)
{
	bool pae = r->cr4 & CR4_PAE, lma = r->efer & EFER_LMA;
	int levels = !pae ? 2 : !lma ? 3 : (r->cr4 & CR4_LA57) ? 5 : 4;
	u32 size = pae ? 8 : 4;
	bool write = acc == WALK_WRITE, user = true, writable = true;
	struct used used[5];
	u32 nused = 0;
	u64 table, e = 0;

	*error = (write ? PF_ERR_W : 0) | (r->cpl == 3 ? PF_ERR_U : 0);
	if (!lma)
		la &= 0xffffffffull;
	table = levels == 2   ? r->cr3 & 0xfffff000ull
		: levels == 3 ? r->cr3 & 0xffffffe0ull
			      : r->cr3 & ADDR_4K;
	for (int l = levels; l >= 1; l--) {
		/* 32-bit paging: 10 bits per level; else 9, but 2 for PAE's PDPT. */
		unsigned shift = levels == 2 ? 12 + 10 * (l - 1) : 12 + 9 * (l - 1);
		u64 idx = (la >> shift) & (levels == 2 ? 1023 : levels == 3 && l == 3 ? 3 : 511);
		void *at = map(ctx, table + idx * size, size);
		bool leaf;

		if (!at)
			return -EFAULT;
		e = load(at, size);
		if (!(e & GPTE_P))
			return WALK_PAGE_FAULT; /* not present: P clear in the error code */
		if (levels == 3 && l == 3) {
			/* A PAE PDPTE has no R/W, U/S or accessed flag (SDM 3A §4.4.1). */
			table = e & ADDR_4K;
			continue;
		}
		user &= !!(e & GPTE_US);
		writable &= !!(e & GPTE_RW);
		used[nused++] = (struct used){ at, e, size };
		if (l == 1)
			break;
		if (levels == 2) /* a 4 MiB page: CR4.PSE and PS in the PDE */
			leaf = (r->cr4 & CR4_PSE) && (e & GPTE_PS);
		else /* 2 MiB pages in a PDE, 1 GiB pages in a PDPTE of 4- and 5-level paging */
			leaf = (e & GPTE_PS) && (l == 2 || (l == 3 && levels >= 4));
		if (leaf) {
			u64 page = 1ull << shift;
			if (levels == 2) /* PSE-36: physical bits 39:32 in PDE bits 20:13 */
				*gpa = (e & 0xffc00000ull) | ((e >> 13) & 0xff) << 32;
			else
				*gpa = e & ADDR_4K & ~(page - 1);
			*gpa |= la & (page - 1);
			goto found;
		}
		table = levels == 2 ? e & 0xfffff000ull : e & ADDR_4K;
	}
	*gpa = (levels == 2 ? e & 0xfffff000ull : e & ADDR_4K) | (la & 0xfff);
found:
	if (acc == WALK_FETCHED)
		return WALK_OK;
	if (!allowed(r, write, user, writable)) {
		*error |= PF_ERR_P;
		return WALK_PAGE_FAULT;
	}
	for (u32 i = 0; i < nused; i++)
		if (!set_flags(&used[i], GPTE_A | (write && i == nused - 1 ? GPTE_D : 0)))
			return WALK_AGAIN;
	return WALK_OK;
}

int guest_walk(const struct walk_regs *r, walk_map_fn map, void *ctx, u64 la, enum walk_access acc,
	       u64 *gpa, u32 *error)
{
	*error = 0;
	if (!(r->cr0 & CR0_PG)) {
		*gpa = la & 0xffffffffull;
		return WALK_OK;
	}
	for (int tries = 0; tries < WALK_TRIES; tries++) {
		int got = walk_once(r, map, ctx, la, acc, gpa, error);
		if (got != WALK_AGAIN)
			return got;
	}
	return -EAGAIN;
}
