/*
 * Unit tests of kernel/pagewalk.c, the guest page walk, on a fake guest
 * RAM (a heap block whose offsets are the guest-physical addresses).
 * For each paging mode (32-bit with 4 KiB and, with CR4.PSE, 4 MiB
 * pages and PSE-36 addresses; PAE with 4 KiB and 2 MiB pages; 4-level
 * with 4 KiB, 2 MiB and 1 GiB pages; 5-level) the tables are built for
 * one linear address, then: the translation; every combination of CPL
 * (0 and 3), read or write, U/S and R/W (cleared in the leaf or in a
 * table above it), CR0.WP, CR4.SMAP and RFLAGS.AC against the rules of
 * SDM 3A §4.6 written out here once more; the #PF error code of each
 * refusal and of a not-present entry at every level; the accessed flags
 * of every entry used and the dirty flag of the leaf for a write (and
 * none of them for a refused access or for fetched instruction bytes,
 * and no flag in a PAE PDPTE); tables outside the RAM; paging off; and
 * an entry that another vCPU changes during the walk.
 */
/* unit-sources: kernel/pagewalk.c */
#include "tests/unit/unit.h"

#include <stdlib.h>
#include <string.h>

#include "kernel/cr.h"
#include "kernel/pagewalk.h"
#include "lib/x86.h"

#define RAM_SIZE (128 * 4096)
#define PAGE_PA 0x40000ull /* where the walk's page lands (4 KiB pages) */

enum mode { M32, M32_PSE, PAE, PAE_2M, L4, L4_2M, L4_1G, L5, MODES };
static const char *const mode_name[MODES] = { "32-bit",	       "32-bit 4 MiB", "PAE",
					      "PAE 2 MiB",     "4-level",      "4-level 2 MiB",
					      "4-level 1 GiB", "5-level" };

struct world {
	u8 *ram;
	u64 next;	  /* the next free table page */
	u64 entry_at[6];  /* guest-physical address of the entry used at each level */
	u32 size;	  /* entry size */
	int levels, leaf; /* levels of the mode, level of the leaf */
	u64 la, pa;	  /* the linear address built, the physical address it reaches */
	struct walk_regs r;
	/* The change_* hook of map_fake: XOR change_bits into the entry at
	 * change_at the next change_times times a table page is mapped. */
	u64 change_at, change_bits;
	int change_times;
};

static void *map_fake(void *ctx, u64 gpa, u32 size)
{
	struct world *w = ctx;

	if (gpa > RAM_SIZE - size)
		return NULL;
	if (w->change_times && gpa != w->change_at) {
		w->change_times--;
		if (w->size == 4)
			*(u32 *)(w->ram + w->change_at) ^= (u32)w->change_bits;
		else
			*(u64 *)(w->ram + w->change_at) ^= w->change_bits;
	}
	return w->ram + gpa;
}

static u64 entry(const struct world *w, int level)
{
	if (w->size == 4)
		return *(u32 *)(w->ram + w->entry_at[level]);
	return *(u64 *)(w->ram + w->entry_at[level]);
}

static void set_entry(struct world *w, int level, u64 value)
{
	if (w->size == 4)
		*(u32 *)(w->ram + w->entry_at[level]) = (u32)value;
	else
		*(u64 *)(w->ram + w->entry_at[level]) = value;
}

static u64 new_table(struct world *w)
{
	u64 at = w->next;
	w->next += 4096;
	assert_true(w->next <= RAM_SIZE);
	return at;
}

/*
 * Tables for la in mode m, every entry with flags (P, R/W, U/S given by
 * the caller), the leaf at its level; the regs for paging in that mode
 * at CPL 0, WP, SMAP and AC clear.
 */
static void build(struct world *w, enum mode m, u64 la, u64 flags)
{
	static const int levels[MODES] = { 2, 2, 3, 3, 4, 4, 4, 5 };
	static const int leaf[MODES] = { 1, 2, 1, 2, 1, 2, 3, 1 };
	u64 table, cr3;

	memset(w->ram, 0, RAM_SIZE);
	memset(w->entry_at, 0, sizeof(w->entry_at));
	w->next = 0x1000;
	w->change_times = 0;
	w->levels = levels[m];
	w->leaf = leaf[m];
	w->size = m <= M32_PSE ? 4 : 8;
	w->la = la;
	table = cr3 = new_table(w);
	if (m == PAE || m == PAE_2M) /* a PDPT is 32 bytes, 32-byte aligned */
		cr3 = table = 0x20 * 5;
	for (int l = w->levels; l >= w->leaf; l--) {
		unsigned shift = w->size == 4 ? 12 + 10 * (l - 1) : 12 + 9 * (l - 1);
		u64 idx = (la >> shift) & (w->size == 4 ? 1023 : 511);
		u64 e;

		if (w->levels == 3 && l == 3)
			idx &= 3;
		w->entry_at[l] = table + idx * w->size;
		if (l == w->leaf) {
			u64 page = 1ull << shift;
			w->pa = l == 1			 ? PAGE_PA
				: l == 2 && w->size == 4 ? 0x12c00000ull
				: l == 2		 ? 0x7e00000ull
							 : 0x3c0000000ull;
			e = w->pa | flags | (l > 1 ? GPTE_PS : 0);
			if (m == M32_PSE) { /* PSE-36: physical bits 39:32 in bits 20:13 */
				e |= 0x5ull << 13;
				w->pa |= 0x5ull << 32;
			}
			w->pa |= la & (page - 1);
		} else if (w->levels == 3 && l == 3) {
			table = new_table(w);
			e = table | GPTE_P; /* a PAE PDPTE has no rights */
		} else {
			table = new_table(w);
			e = table | flags;
		}
		set_entry(w, l, e);
	}
	w->r = (struct walk_regs){
		.cr0 = CR0_PE | CR0_PG,
		.cr3 = cr3,
		.cr4 = m == M32_PSE ? CR4_PSE
		       : m == M32   ? 0
		       : m == L5    ? CR4_PAE | CR4_LA57
				    : CR4_PAE,
		.efer = m >= L4 ? EFER_LME | EFER_LMA : 0,
		.rflags = 2,
	};
}

/* A linear address that uses every index bit of mode m, with a page offset. */
static u64 some_la(enum mode m)
{
	if (m <= PAE_2M)
		return 0xb5a4c123ull;
	if (m == L5)
		return 0xff5a5a5a5a5a5123ull & 0x01ffffffffffffffull;
	return 0x00007a5a5a5a5123ull;
}

static int walk(struct world *w, enum walk_access acc, u64 *gpa, u32 *error)
{
	return guest_walk(&w->r, map_fake, w, w->la, acc, gpa, error);
}

static struct world *world(void)
{
	static struct world w;

	if (!w.ram)
		w.ram = aligned_alloc(4096, RAM_SIZE);
	return &w;
}

static void test_translate(void **state)
{
	struct world *w = world();
	(void)state;

	for (enum mode m = 0; m < MODES; m++) {
		u64 gpa = 0;
		u32 error = 0xdead;

		build(w, m, some_la(m), GPTE_P | GPTE_RW | GPTE_US);
		if (walk(w, WALK_READ, &gpa, &error) != WALK_OK || gpa != w->pa)
			print_message("%s: la 0x%llx -> 0x%llx, want 0x%llx\n", mode_name[m],
				      (unsigned long long)w->la, (unsigned long long)gpa,
				      (unsigned long long)w->pa);
		assert_int_equal(walk(w, WALK_READ, &gpa, &error), WALK_OK);
		assert_int_equal(gpa, w->pa);
		assert_int_equal(error, 0);
	}
}

/* SDM 3A §4.6.1, stated the way the manual lists it. */
static bool sdm_allows(u32 cpl, bool write, bool us, bool rw, bool wp, bool smap, bool ac)
{
	if (cpl == 3) { /* user-mode access */
		if (!us)
			return false; /* supervisor-mode address */
		return !write || rw;
	}
	/* supervisor-mode access */
	if (!us) /* supervisor-mode address */
		return !write || rw || !wp;
	if (smap && !ac)
		return false;
	if (!write)
		return true;
	return wp ? rw : true;
}

static void test_rights(void **state)
{
	struct world *w = world();
	(void)state;

	for (enum mode m = 0; m < MODES; m++) {
		for (u32 bits = 0; bits < 256; bits++) {
			u32 cpl = bits & 1 ? 3 : 0;
			bool write = bits & 2, us = bits & 4, rw = bits & 8, wp = bits & 16,
			     smap = bits & 32, ac = bits & 64, upper = bits & 128;
			u64 flags = GPTE_P | (us ? GPTE_US : 0) | (rw ? GPTE_RW : 0);
			bool want = sdm_allows(cpl, write, us, rw, wp, smap, ac);
			u32 want_error =
				PF_ERR_P | (write ? PF_ERR_W : 0) | (cpl == 3 ? PF_ERR_U : 0);
			u64 gpa = 0;
			u32 error = 0;
			int got;

			if (upper) {
				/* The right taken away one level above the leaf only (not a PAE
				 * PDPTE). */
				int l;
				build(w, m, some_la(m), GPTE_P | GPTE_RW | GPTE_US);
				l = w->leaf + 1 + (w->levels == 3 && w->leaf == 2);
				if (l > w->levels)
					continue;
				set_entry(w, l, (entry(w, l) & ~(GPTE_RW | GPTE_US)) | flags);
			} else {
				build(w, m, some_la(m), flags);
			}
			w->r.cr0 |= wp ? CR0_WP : 0;
			w->r.cr4 |= smap ? CR4_SMAP : 0;
			w->r.rflags |= ac ? RFLAGS_AC : 0;
			w->r.cpl = cpl;
			got = walk(w, write ? WALK_WRITE : WALK_READ, &gpa, &error);
			if (got != (want ? WALK_OK : WALK_PAGE_FAULT))
				print_message("%s: cpl %u %s us %d rw %d wp %d smap %d ac %d%s: "
					      "%d, want %s\n",
					      mode_name[m], cpl, write ? "write" : "read", us, rw,
					      wp, smap, ac, upper ? " (above the leaf)" : "", got,
					      want ? "allowed" : "#PF");
			assert_int_equal(got, want ? WALK_OK : WALK_PAGE_FAULT);
			if (want) {
				assert_int_equal(gpa, w->pa);
			} else {
				assert_int_equal(error, want_error);
				/* A refused access sets no flag. */
				for (int l = w->levels; l >= w->leaf; l--)
					assert_int_equal(entry(w, l) & (GPTE_A | GPTE_D), 0);
			}
			/* Instruction bytes already fetched: translated whatever the rights. */
			assert_int_equal(walk(w, WALK_FETCHED, &gpa, &error), WALK_OK);
			assert_int_equal(gpa, w->pa);
		}
	}
}

/* The error codes the catalog's guest expects, one by one. */
static void test_error_codes(void **state)
{
	struct world *w = world();
	u64 gpa;
	u32 error;
	(void)state;

	build(w, L4, some_la(L4), GPTE_P | GPTE_US); /* a read-only user page */
	w->r.cpl = 3;
	assert_int_equal(walk(w, WALK_WRITE, &gpa, &error), WALK_PAGE_FAULT);
	assert_int_equal(error, 7); /* P, W, U */
	assert_int_equal(walk(w, WALK_READ, &gpa, &error), WALK_OK);
	build(w, M32, some_la(M32), GPTE_P | GPTE_RW); /* a supervisor page */
	w->r.cpl = 3;
	assert_int_equal(walk(w, WALK_READ, &gpa, &error), WALK_PAGE_FAULT);
	assert_int_equal(error, 5); /* P, U */
	assert_int_equal(walk(w, WALK_WRITE, &gpa, &error), WALK_PAGE_FAULT);
	assert_int_equal(error, 7);
	build(w, PAE, some_la(PAE), GPTE_P); /* read-only, supervisor */
	w->r.cr0 |= CR0_WP;
	assert_int_equal(walk(w, WALK_WRITE, &gpa, &error), WALK_PAGE_FAULT);
	assert_int_equal(error, 3); /* P, W */
	w->r.cr0 &= ~CR0_WP;
	assert_int_equal(walk(w, WALK_WRITE, &gpa, &error), WALK_OK);
}

static void test_not_present(void **state)
{
	struct world *w = world();
	(void)state;

	for (enum mode m = 0; m < MODES; m++) {
		build(w, m, some_la(m), GPTE_P | GPTE_RW | GPTE_US);
		for (int l = w->levels; l >= w->leaf; l--) {
			for (u32 k = 0; k < 4; k++) {
				bool write = k & 1;
				u32 cpl = k & 2 ? 3 : 0;
				u64 gpa;
				u32 error = 0;
				u64 saved;

				build(w, m, some_la(m), GPTE_P | GPTE_RW | GPTE_US);
				saved = entry(w, l);
				set_entry(w, l, saved & ~GPTE_P);
				w->r.cpl = cpl;
				assert_int_equal(
					walk(w, write ? WALK_WRITE : WALK_READ, &gpa, &error),
					WALK_PAGE_FAULT);
				assert_int_equal(error, (write ? PF_ERR_W : 0) |
								(cpl == 3 ? PF_ERR_U : 0));
				/* Nothing set, not even in the entries above. */
				for (int u = w->levels; u >= w->leaf; u--)
					if (u != l)
						assert_int_equal(entry(w, u) & GPTE_A, 0);
				assert_int_equal(entry(w, l), saved & ~GPTE_P);
				assert_int_equal(walk(w, WALK_FETCHED, &gpa, &error),
						 WALK_PAGE_FAULT);
			}
		}
	}
}

static void test_accessed_dirty(void **state)
{
	struct world *w = world();
	(void)state;

	for (enum mode m = 0; m < MODES; m++) {
		for (int write = 0; write < 2; write++) {
			u64 gpa;
			u32 error;
			bool pae = m == PAE || m == PAE_2M;

			build(w, m, some_la(m), GPTE_P | GPTE_RW | GPTE_US);
			w->r.cpl = 3;
			/* Fetched bytes set nothing. */
			assert_int_equal(walk(w, WALK_FETCHED, &gpa, &error), WALK_OK);
			for (int l = w->levels; l >= w->leaf; l--)
				assert_int_equal(entry(w, l) & (GPTE_A | GPTE_D), 0);
			assert_int_equal(walk(w, write ? WALK_WRITE : WALK_READ, &gpa, &error),
					 WALK_OK);
			for (int l = w->levels; l >= w->leaf; l--) {
				u64 e = entry(w, l);
				if (pae && l == 3) { /* the PDPTE: untouched */
					assert_int_equal(e & 0xfff, GPTE_P);
					continue;
				}
				assert_true(e & GPTE_A);
				/* Dirty: the leaf of a write only. */
				assert_int_equal(!!(e & GPTE_D), write && l == w->leaf);
				assert_true(e & GPTE_P);
			}
		}
	}
	/* A read after a write keeps D; a write after a read adds it. */
	build(w, L4, some_la(L4), GPTE_P | GPTE_RW);
	{
		u64 gpa;
		u32 error;
		assert_int_equal(walk(w, WALK_READ, &gpa, &error), WALK_OK);
		assert_int_equal(entry(w, 1) & (GPTE_A | GPTE_D), GPTE_A);
		assert_int_equal(walk(w, WALK_WRITE, &gpa, &error), WALK_OK);
		assert_int_equal(entry(w, 1) & (GPTE_A | GPTE_D), GPTE_A | GPTE_D);
		assert_int_equal(walk(w, WALK_READ, &gpa, &error), WALK_OK);
		assert_int_equal(entry(w, 1) & (GPTE_A | GPTE_D), GPTE_A | GPTE_D);
	}
}

/* Another vCPU changes an entry after the walk read it: the flags go into the new value. */
static void test_concurrent_change(void **state)
{
	struct world *w = world();
	u64 gpa;
	u32 error;
	(void)state;

	build(w, L4, some_la(L4), GPTE_P | GPTE_RW | GPTE_US);
	w->change_at = w->entry_at[4];
	w->change_bits = 1ull << 9; /* an available bit, the OS's own */
	w->change_times = 1;
	assert_int_equal(walk(w, WALK_WRITE, &gpa, &error), WALK_OK);
	assert_int_equal(entry(w, 4) & ((1ull << 9) | GPTE_A), (1ull << 9) | GPTE_A);
	assert_int_equal(entry(w, 1) & (GPTE_A | GPTE_D), GPTE_A | GPTE_D);
	/* Changing all the time: the walk gives up. */
	build(w, M32, some_la(M32), GPTE_P | GPTE_RW | GPTE_US);
	w->change_at = w->entry_at[2];
	w->change_bits = 1u << 9;
	w->change_times = 1000;
	assert_int_equal(walk(w, WALK_READ, &gpa, &error), -EAGAIN);
	/* The PDE made not present while the walk is on its way down: #PF, nothing set. */
	build(w, PAE, some_la(PAE), GPTE_P | GPTE_RW | GPTE_US);
	w->change_at = w->entry_at[2];
	w->change_bits = GPTE_P;
	w->change_times = 1;
	assert_int_equal(walk(w, WALK_READ, &gpa, &error), WALK_PAGE_FAULT);
	assert_int_equal(error, 0);
	assert_int_equal(entry(w, 2) & GPTE_A, 0);
}

static void test_outside_ram(void **state)
{
	struct world *w = world();
	u64 gpa;
	u32 error;
	(void)state;

	build(w, L4, some_la(L4), GPTE_P | GPTE_RW | GPTE_US);
	set_entry(w, 2, (entry(w, 2) & 0xfff) | 0x40000000ull); /* the page table at 1 GiB */
	assert_int_equal(walk(w, WALK_READ, &gpa, &error), -EFAULT);
	w->r.cr3 = 0x80000000ull;
	assert_int_equal(walk(w, WALK_FETCHED, &gpa, &error), -EFAULT);
}

static void test_special_cases(void **state)
{
	struct world *w = world();
	u64 gpa;
	u32 error;
	(void)state;

	/* Paging off: the linear address is the physical one, 32 bits of it. */
	build(w, M32, some_la(M32), GPTE_P);
	w->r.cr0 = CR0_PE;
	w->la = 0x123456789ull;
	w->r.cpl = 3;
	assert_int_equal(walk(w, WALK_WRITE, &gpa, &error), WALK_OK);
	assert_int_equal(gpa, 0x23456789ull);
	/* 32-bit paging without CR4.PSE: PS in a PDE is ignored, the PDE points to a table. */
	build(w, M32, some_la(M32), GPTE_P | GPTE_RW | GPTE_US);
	set_entry(w, 2, entry(w, 2) | GPTE_PS);
	assert_int_equal(walk(w, WALK_READ, &gpa, &error), WALK_OK);
	assert_int_equal(gpa, w->pa);
	/* Outside long mode only 32 bits of the linear address count. */
	w->la |= 0xabcd00000000ull;
	assert_int_equal(walk(w, WALK_READ, &gpa, &error), WALK_OK);
	assert_int_equal(gpa, w->pa);
	/* 5-level paging: bits 56:48 choose the PML5 entry, so without LA57 it is another walk. */
	build(w, L5, some_la(L5), GPTE_P | GPTE_RW | GPTE_US);
	assert_int_equal(walk(w, WALK_READ, &gpa, &error), WALK_OK);
	assert_int_equal(gpa, w->pa);
	w->r.cr4 &= ~CR4_LA57;
	assert_int_not_equal(walk(w, WALK_READ, &gpa, &error), WALK_OK);
	/* The PCID in CR3 bits 11:0 is no part of the PML4's address. */
	build(w, L4, some_la(L4), GPTE_P | GPTE_RW | GPTE_US);
	w->r.cr3 |= 0x5a5;
	w->r.cr4 |= CR4_PCIDE;
	assert_int_equal(walk(w, WALK_READ, &gpa, &error), WALK_OK);
	assert_int_equal(gpa, w->pa);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_translate),      cmocka_unit_test(test_rights),
		cmocka_unit_test(test_error_codes),    cmocka_unit_test(test_not_present),
		cmocka_unit_test(test_accessed_dirty), cmocka_unit_test(test_concurrent_change),
		cmocka_unit_test(test_outside_ram),    cmocka_unit_test(test_special_cases),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
