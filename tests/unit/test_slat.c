/*
 * Unit tests of kernel/slat.c, the SLAT builder, with both entry
 * formats: Intel EPT (vmx/ept.c) and AMD NPT (svm/npt.c).  Every test
 * runs once per format.
 *
 * Table frames come from slat_alloc_table() below: zeroed 4 KiB-aligned
 * heap blocks whose addresses serve as physical addresses (phys_to_virt
 * is the identity on the host).  A tracker records each of them, refuses
 * frees of unknown or already freed frames, and can make allocation fail
 * after N tables.  Host addresses that leaves point to are only numbers
 * and are never touched.
 *
 * The cases: 2 MiB, 1 GiB and 4 KiB leaves with their exact entry bits
 * and the table entries above them; slat_translate inside each kind of
 * leaf, for unmapped addresses and at 512 GiB and above; mapping over a
 * mapping, misaligned and out-of-range arguments; allocation failure at
 * every point; a partition's scattered 2 MiB host runs, after which a
 * walk of the whole tree (independent of slat.c) checks that every leaf
 * points into a mapped host range, at the right place, and that the
 * table frames found are exactly s.tables and the tracker's live ones;
 * slat_destroy frees every table and clears the root.
 */
/* unit-sources: kernel/slat.c vmx/ept.c svm/npt.c */
#include <stdlib.h>
#include <string.h>

#include "tests/unit/unit.h"

#include "kernel/slat.h"
#include "kernel/virt.h"

extern const struct slat_format vmx_ept_format;
extern const struct slat_format svm_npt_format;

#define ADDR_MASK 0x000ffffffffff000ull
#define ALL_ONES (~0ull)

/* ---- the two formats, as the manuals define them ------------------------ */

struct fmt {
	const struct slat_format *f;
	const char *name;
	u64 present;	/* the bits that make an entry present */
	u64 leaf_4k;	/* every bit outside the address of a 4 KiB leaf */
	u64 leaf_large; /* ... of a 2 MiB or 1 GiB leaf */
	u64 table;	/* ... of an entry pointing to a table */
};

/*
 * EPT (SDM 3C §29.3.2): R/W/X are bits 0-2, the memory type (6 = WB) is
 * bits 5:3 of leaves only, bit 7 marks a large leaf; table entries are
 * RWX with bits 3-7 clear.
 */
static const struct fmt ept = {
	.f = &vmx_ept_format,
	.name = "EPT",
	.present = 0x7,
	.leaf_4k = 0x7 | (6 << 3),
	.leaf_large = 0x7 | (6 << 3) | (1 << 7),
	.table = 0x7,
};

/* NPT (APM Vol. 2 §15.25.5): P, RW, US on every level, PS (bit 7) on large leaves. */
static const struct fmt npt = {
	.f = &svm_npt_format,
	.name = "NPT",
	.present = 0x1,
	.leaf_4k = 0x7,
	.leaf_large = 0x7 | (1 << 7),
	.table = 0x7,
};

/* ---- table frames ------------------------------------------------------- */

#define MAX_TABLES 4096

static struct {
	void *frame[MAX_TABLES];
	bool live[MAX_TABLES];
	unsigned n;	/* frames handed out since reset */
	unsigned nlive; /* of those, not yet freed */
	int budget;	/* frames still allowed; < 0: no limit */
} tr;

u64 slat_alloc_table(void)
{
	if (tr.budget == 0)
		return 0;
	if (tr.budget > 0)
		tr.budget--;
	assert_true(tr.n < MAX_TABLES);
	void *p = aligned_alloc(4096, 4096);
	assert_non_null(p);
	memset(p, 0, 4096);
	tr.frame[tr.n] = p;
	tr.live[tr.n] = true;
	tr.n++;
	tr.nlive++;
	return (u64)(uintptr_t)p;
}

/* The newest frame handed out at phys: the allocator may give a freed address again. */
static int tracked(u64 phys)
{
	for (unsigned i = tr.n; i-- > 0;)
		if ((u64)(uintptr_t)tr.frame[i] == phys)
			return (int)i;
	return -1;
}

void slat_free_table(u64 phys)
{
	int i = tracked(phys);
	if (i < 0 || !tr.live[i]) {
		print_message("slat_free_table(0x%llx): %s\n", (unsigned long long)phys,
			      i < 0 ? "never allocated" : "already freed");
		fail();
	}
	/* Scribble over it, so a use after free shows. */
	memset(tr.frame[i], 0xee, 4096);
	free(tr.frame[i]);
	tr.live[i] = false;
	tr.nlive--;
}

static void tracker_reset(int budget)
{
	for (unsigned i = 0; i < tr.n; i++)
		if (tr.live[i])
			free(tr.frame[i]);
	memset(&tr, 0, sizeof(tr));
	tr.budget = budget;
}

static int setup(void **state)
{
	(void)state;
	tracker_reset(-1);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tracker_reset(-1);
	return 0;
}

/* ---- what was mapped, and a walk that checks the tree against it --------- */

#define MAX_MAPS 128

static struct mapping {
	u64 gpa, hpa, size;
} maps[MAX_MAPS];
static unsigned nmaps;

static struct slat s;
/* After an allocation failure the tree may hold only part of the mappings. */
static bool partial;

static void init(bool allow_1g)
{
	nmaps = 0;
	partial = false;
	memset(&s, 0x5a, sizeof(s));
	assert_int_equal(slat_init(&s, allow_1g), 0);
	assert_int_not_equal(s.root, 0);
	assert_int_equal(s.tables, 1);
	assert_int_equal(tr.nlive, 1);
}

/* Map and remember a range that must succeed. */
static void map(const struct fmt *fm, u64 gpa, u64 hpa, u64 size)
{
	int err = slat_map(&s, fm->f, gpa, hpa, size);
	if (err)
		print_message("%s: slat_map(0x%llx, 0x%llx, 0x%llx) = %d\n", fm->name,
			      (unsigned long long)gpa, (unsigned long long)hpa,
			      (unsigned long long)size, err);
	assert_int_equal(err, 0);
	assert_true(nmaps < MAX_MAPS);
	maps[nmaps++] = (struct mapping){ gpa, hpa, size };
}

/* Where gpa should lead, from the list of mappings; ALL_ONES when unmapped. */
static u64 expected_hpa(u64 gpa)
{
	for (unsigned i = 0; i < nmaps; i++)
		if (gpa >= maps[i].gpa && gpa - maps[i].gpa < maps[i].size)
			return maps[i].hpa + (gpa - maps[i].gpa);
	return ALL_ONES;
}

static u64 *table_at(u64 phys)
{
	return (u64 *)(uintptr_t)phys;
}

struct walk {
	u32 tables;
	u64 leaves[3]; /* 4 KiB, 2 MiB, 1 GiB */
	u64 bytes;
};

static const u64 level_size[4] = { GiB(512), GiB(1), MiB(2), KiB(4) };

static void walk_table(const struct fmt *fm, u64 phys, int depth, u64 gpa_base, struct walk *w)
{
	int i = tracked(phys);

	/* Every table is a live frame from slat_alloc_table. */
	if (i < 0 || !tr.live[i]) {
		print_message("%s: table at depth %d (0x%llx) is not a live table frame\n",
			      fm->name, depth, (unsigned long long)phys);
		fail();
	}
	w->tables++;
	const u64 *t = table_at(phys);
	for (unsigned idx = 0; idx < 512; idx++) {
		u64 e = t[idx], ls = level_size[depth], gpa = gpa_base + idx * ls;
		u64 addr = e & ADDR_MASK, bits = e & ~ADDR_MASK;

		if (!(e & fm->present)) {
			/* Not present: all zero, nothing half-written. */
			if (e) {
				print_message("%s: non-present entry 0x%llx at depth %d index %u\n",
					      fm->name, (unsigned long long)e, depth, idx);
				fail();
			}
			/* And nothing mapped is missing. */
			assert_true(partial || expected_hpa(gpa) == ALL_ONES);
			continue;
		}
		bool large = depth > 0 && depth < 3 && (e & (1ull << 7));
		if (depth == 3 || large) {
			int kind = 3 - depth;
			if (!(depth == 3 ? bits == fm->leaf_4k : bits == fm->leaf_large)) {
				print_message("%s: leaf 0x%llx at depth %d has bits 0x%llx\n",
					      fm->name, (unsigned long long)e, depth,
					      (unsigned long long)bits);
				fail();
			}
			if (depth == 1)
				assert_true(s.allow_1g);
			assert_true(IS_ALIGNED(addr, ls));
			/* Every byte of the leaf is where the mapping put it. */
			u64 want = expected_hpa(gpa);
			if (want != addr || expected_hpa(gpa + ls - 1) != addr + ls - 1) {
				print_message("%s: gpa 0x%llx leads to 0x%llx, not 0x%llx\n",
					      fm->name, (unsigned long long)gpa,
					      (unsigned long long)addr, (unsigned long long)want);
				fail();
			}
			w->leaves[kind]++;
			w->bytes += ls;
			continue;
		}
		/* A table entry: exact bits, never bit 7 (reserved or PS). */
		if (bits != fm->table) {
			print_message("%s: table entry 0x%llx at depth %d has bits 0x%llx\n",
				      fm->name, (unsigned long long)e, depth,
				      (unsigned long long)bits);
			fail();
		}
		walk_table(fm, addr, depth + 1, gpa, w);
	}
}

/* Walk the whole tree; check it against the mappings and the table count. */
static struct walk check_tree(const struct fmt *fm)
{
	struct walk w = { 0 };
	u64 mapped = 0;

	walk_table(fm, s.root, 0, 0, &w);
	for (unsigned i = 0; i < nmaps; i++)
		mapped += maps[i].size;
	assert_int_equal(w.tables, s.tables);
	assert_int_equal(w.tables, tr.nlive);
	if (!partial)
		assert_true(w.bytes == mapped);
	return w;
}

static void translates(const struct fmt *fm, u64 gpa, u64 want)
{
	u64 hpa = ALL_ONES;
	int err = slat_translate(&s, fm->f, gpa, &hpa);
	if (err || hpa != want)
		print_message("%s: translate(0x%llx) = %d, 0x%llx; want 0x%llx\n", fm->name,
			      (unsigned long long)gpa, err, (unsigned long long)hpa,
			      (unsigned long long)want);
	assert_int_equal(err, 0);
	assert_true(hpa == want);
}

static void unmapped(const struct fmt *fm, u64 gpa)
{
	u64 hpa = 0x1234;
	int err = slat_translate(&s, fm->f, gpa, &hpa);
	if (err != -EFAULT)
		print_message("%s: translate(0x%llx) = %d, 0x%llx; want -EFAULT\n", fm->name,
			      (unsigned long long)gpa, err, (unsigned long long)hpa);
	assert_int_equal(err, -EFAULT);
}

static u64 *entry_at(u64 gpa, int depth)
{
	u64 *t = table_at(s.root);
	for (int d = 0; d < depth; d++)
		t = table_at(t[(gpa >> (39 - 9 * d)) & 511] & ADDR_MASK);
	return &t[(gpa >> (39 - 9 * depth)) & 511];
}

static void destroy(const struct fmt *fm)
{
	slat_destroy(&s, fm->f);
	assert_int_equal(s.root, 0);
	assert_int_equal(s.tables, 0);
	assert_int_equal(tr.nlive, 0);
}

/* ---- leaves of each size ------------------------------------------------ */

static void test_2m_leaves(void **state)
{
	const struct fmt *fm = *state;
	const u64 hpa = 0x12200000; /* 2 MiB-aligned, not 1 GiB-aligned */

	init(false);
	map(fm, 0, hpa, MiB(16));
	struct walk w = check_tree(fm);
	assert_int_equal(w.tables, 3); /* PML4, PDPT, PD */
	assert_int_equal(w.leaves[1], 8);
	assert_int_equal(w.leaves[0] + w.leaves[2], 0);

	/* The entries themselves. */
	u64 pml4e = *entry_at(0, 0), pdpte = *entry_at(0, 1);
	assert_true((pml4e & ~ADDR_MASK) == fm->table);
	assert_true((pdpte & ~ADDR_MASK) == fm->table);
	for (u64 i = 0; i < 8; i++)
		assert_true(*entry_at(i * MiB(2), 2) == ((hpa + i * MiB(2)) | fm->leaf_large));
	assert_true(*entry_at(MiB(16), 2) == 0);

	translates(fm, 0, hpa);
	translates(fm, 0xf34567, hpa + 0xf34567);
	translates(fm, MiB(2), hpa + MiB(2));
	translates(fm, MiB(16) - 1, hpa + MiB(16) - 1);
	unmapped(fm, MiB(16));
	unmapped(fm, GiB(1));
	unmapped(fm, GiB(511));
	unmapped(fm, GiB(512));
	unmapped(fm, GiB(512) + 0x1000);
	unmapped(fm, ALL_ONES);
	/* Bits above 47 must not wrap around to the mapped range at 0. */
	unmapped(fm, (1ull << 48) + 0x1000);
	unmapped(fm, GiB(512) * 512 + MiB(3));
	destroy(fm);
}

static void test_1g_leaves(void **state)
{
	const struct fmt *fm = *state;

	/* Two 1 GiB leaves, then what is left in 2 MiB leaves. */
	init(true);
	map(fm, GiB(1), GiB(5), GiB(2) + MiB(4));
	struct walk w = check_tree(fm);
	assert_int_equal(w.leaves[2], 2);
	assert_int_equal(w.leaves[1], 2);
	assert_int_equal(w.leaves[0], 0);
	assert_int_equal(w.tables, 3);
	assert_true(*entry_at(GiB(1), 1) == (GiB(5) | fm->leaf_large));
	assert_true(*entry_at(GiB(2), 1) == (GiB(6) | fm->leaf_large));
	assert_true((*entry_at(GiB(3), 1) & ~ADDR_MASK) == fm->table);

	translates(fm, GiB(1), GiB(5));
	translates(fm, GiB(1) + 0x12345678, GiB(5) + 0x12345678);
	translates(fm, GiB(3) - 1, GiB(7) - 1);
	translates(fm, GiB(3) + MiB(2) + 5, GiB(7) + MiB(2) + 5);
	unmapped(fm, GiB(3) + MiB(4));
	unmapped(fm, GiB(1) - 1);
	unmapped(fm, 0);
	destroy(fm);

	/* 1 GiB leaves only when both addresses are 1 GiB-aligned. */
	tracker_reset(-1);
	init(true);
	map(fm, GiB(1), GiB(5) + MiB(2), GiB(1));
	map(fm, GiB(2) + MiB(2), GiB(8), GiB(1));
	w = check_tree(fm);
	assert_int_equal(w.leaves[2], 0);
	assert_int_equal(w.leaves[1], 1024);
	translates(fm, GiB(1) + MiB(1000) + 7, GiB(5) + MiB(1002) + 7);
	translates(fm, GiB(3) + MiB(1) + 7, GiB(9) - MiB(1) + 7);
	destroy(fm);

	/* ... and only when allowed. */
	tracker_reset(-1);
	init(false);
	map(fm, GiB(1), GiB(5), GiB(1));
	w = check_tree(fm);
	assert_int_equal(w.leaves[2], 0);
	assert_int_equal(w.leaves[1], 512);
	translates(fm, GiB(1) + 0x2345678, GiB(5) + 0x2345678);
	destroy(fm);
}

static void test_4k_leaves(void **state)
{
	const struct fmt *fm = *state;

	init(true);
	/* Five pages in the middle of a page table. */
	map(fm, 0x3000, 0x7777000, 0x5000);
	/* 2 MiB-aligned guest, 4 KiB-aligned host: 4 KiB leaves, two page tables. */
	map(fm, MiB(2), 0x12345000, MiB(4));
	struct walk w = check_tree(fm);
	assert_int_equal(w.leaves[0], 5 + 1024);
	assert_int_equal(w.leaves[1] + w.leaves[2], 0);
	assert_int_equal(w.tables, 3 + 3); /* PML4, PDPT, PD, and three PTs */
	for (u64 i = 0; i < 5; i++)
		assert_true(*entry_at(0x3000 + i * 0x1000, 3) ==
			    ((0x7777000 + i * 0x1000) | fm->leaf_4k));
	assert_true(*entry_at(0x2000, 3) == 0);
	assert_true(*entry_at(0x8000, 3) == 0);
	assert_true((*entry_at(0, 2) & ~ADDR_MASK) == fm->table);

	translates(fm, 0x3abc, 0x7777abc);
	translates(fm, 0x7fff, 0x777bfff);
	translates(fm, MiB(2), 0x12345000);
	translates(fm, MiB(5) + 0x123, 0x12345000 + MiB(3) + 0x123);
	unmapped(fm, 0x2fff);
	unmapped(fm, 0x8000);
	unmapped(fm, MiB(6));
	destroy(fm);

	/* Mixed: a page, a 2 MiB leaf once both are aligned, a page again. */
	tracker_reset(-1);
	init(false);
	map(fm, 0x1ff000, 0x101ff000, MiB(2) + 0x2000);
	w = check_tree(fm);
	assert_int_equal(w.leaves[0], 2);
	assert_int_equal(w.leaves[1], 1);
	assert_true(*entry_at(MiB(2), 2) == (0x10200000 | fm->leaf_large));
	translates(fm, 0x1ff800, 0x101ff800);
	translates(fm, MiB(3), 0x10300000);
	translates(fm, MiB(4) + 0xfff, 0x10400fff);
	unmapped(fm, MiB(4) + 0x1000);
	unmapped(fm, 0x1fe000);
	destroy(fm);
}

/* ---- refusals ---------------------------------------------------------- */

static void test_remap_refused(void **state)
{
	const struct fmt *fm = *state;

	init(true);
	map(fm, 0, GiB(2), MiB(16));
	map(fm, GiB(1), GiB(4), GiB(1));
	map(fm, MiB(32), 0x5000000, 0x3000);
	u32 tables = s.tables;

	/* A 2 MiB leaf over a 2 MiB leaf. */
	assert_int_equal(slat_map(&s, fm->f, MiB(14), GiB(3), MiB(4)), -EINVAL);
	/* A page inside a 2 MiB leaf. */
	assert_int_equal(slat_map(&s, fm->f, 0x5000, 0x9000000, 0x1000), -EINVAL);
	/* A 2 MiB leaf and a page inside a 1 GiB leaf. */
	assert_int_equal(slat_map(&s, fm->f, GiB(1) + MiB(2), GiB(3), MiB(2)), -EINVAL);
	assert_int_equal(slat_map(&s, fm->f, GiB(1) + 0x1000, 0x9000000, 0x1000), -EINVAL);
	/* A 1 GiB leaf over a table. */
	assert_int_equal(slat_map(&s, fm->f, 0, GiB(3), GiB(1)), -EINVAL);
	/* A 2 MiB leaf over a page table. */
	assert_int_equal(slat_map(&s, fm->f, MiB(32), GiB(3), MiB(2)), -EINVAL);
	/* The same page again, and to the same place. */
	assert_int_equal(slat_map(&s, fm->f, MiB(32) + 0x1000, 0x9000000, 0x1000), -EINVAL);
	assert_int_equal(slat_map(&s, fm->f, MiB(32), 0x5000000, 0x1000), -EINVAL);

	/* Nothing changed. */
	assert_int_equal(s.tables, tables);
	check_tree(fm);
	translates(fm, MiB(14), GiB(2) + MiB(14));
	translates(fm, 0x5000, GiB(2) + 0x5000);
	translates(fm, GiB(1) + MiB(2), GiB(4) + MiB(2));
	translates(fm, MiB(32) + 0x1000, 0x5001000);
	unmapped(fm, MiB(32) + 0x3000);

	/* Next to the existing mappings is fine. */
	map(fm, MiB(16), GiB(3), MiB(2));
	map(fm, MiB(32) + 0x3000, 0x9000000, 0x1000);
	check_tree(fm);
	destroy(fm);
}

static void test_bad_arguments(void **state)
{
	const struct fmt *fm = *state;

	init(true);
	assert_int_equal(slat_map(&s, fm->f, 0x1001, 0x200000, 0x1000), -EINVAL);
	assert_int_equal(slat_map(&s, fm->f, 0x1000, 0x200800, 0x1000), -EINVAL);
	assert_int_equal(slat_map(&s, fm->f, 0x1000, 0x200000, 0x1001), -EINVAL);
	assert_int_equal(slat_map(&s, fm->f, 0, 0x200000, 0x800), -EINVAL);
	/* At or across 512 GiB, where the one PML4 entry ends. */
	assert_int_equal(slat_map(&s, fm->f, GiB(512), GiB(1), 0x1000), -EINVAL);
	assert_int_equal(slat_map(&s, fm->f, GiB(512) - 0x1000, GiB(1), 0x2000), -EINVAL);
	assert_int_equal(slat_map(&s, fm->f, GiB(511), GiB(1), GiB(2)), -EINVAL);
	/* Sizes that wrap around. */
	assert_int_equal(slat_map(&s, fm->f, 0x1000, GiB(1), 0 - 0x1000ull), -EINVAL);
	assert_int_equal(slat_map(&s, fm->f, 0xfffffffffffff000ull, GiB(1), 0x2000), -EINVAL);
	/* Nothing was allocated or written. */
	assert_int_equal(s.tables, 1);
	assert_int_equal(tr.nlive, 1);
	for (unsigned i = 0; i < 512; i++)
		assert_true(table_at(s.root)[i] == 0);

	/* An empty range is nothing to do; the last page below 512 GiB is fine. */
	assert_int_equal(slat_map(&s, fm->f, 0, 0, 0), 0);
	assert_int_equal(s.tables, 1);
	map(fm, GiB(512) - 0x1000, GiB(2), 0x1000);
	translates(fm, GiB(512) - 1, GiB(2) + 0xfff);
	check_tree(fm);
	destroy(fm);
}

static void test_nomem(void **state)
{
	const struct fmt *fm = *state;

	/* Not even the root. */
	tracker_reset(0);
	memset(&s, 0x5a, sizeof(s));
	assert_int_equal(slat_init(&s, false), -ENOMEM);
	assert_int_equal(s.root, 0);
	assert_int_equal(s.tables, 0);
	assert_int_equal(tr.nlive, 0);
	slat_destroy(&s, fm->f); /* harmless */
	assert_int_equal(tr.nlive, 0);

	/*
	 * 2 MiB of 4 KiB pages across two page tables needs PDPT, PD, PT,
	 * PT: fail at each of them.  The tables made so far are counted,
	 * hold nothing wrong, and slat_destroy frees them.
	 */
	for (int budget = 1; budget <= 4; budget++) {
		tracker_reset(budget);
		init(false);
		assert_int_equal(slat_map(&s, fm->f, MiB(1), 0x7000000, MiB(2)), -ENOMEM);
		assert_int_equal(s.tables, budget);
		partial = true;
		maps[nmaps++] = (struct mapping){ MiB(1), 0x7000000, MiB(2) };
		struct walk w = check_tree(fm);
		assert_int_equal(w.tables, budget);
		assert_int_equal(w.leaves[0], budget == 4 ? 256 : 0);
		destroy(fm);
	}

	/* Enough tables: the same mapping works. */
	tracker_reset(5);
	init(false);
	map(fm, MiB(1), 0x7000000, MiB(2));
	assert_int_equal(check_tree(fm).leaves[0], 512);
	destroy(fm);
}

/* ---- a partition's RAM, and tearing down -------------------------------- */

static void test_scattered_partition(void **state)
{
	const struct fmt *fm = *state;
	enum { CHUNKS = 96 }; /* 192 MiB in 2 MiB chunks */
	u64 chunk[CHUNKS];

	/*
	 * Host runs spread over 16 GiB in a scrambled order, with gaps, the
	 * way the frame allocator hands them out to alloc_ram().
	 */
	for (u64 i = 0; i < CHUNKS; i++)
		chunk[i] = GiB(1) + ((i * 37 + 11) % 257) * MiB(2) * 31;
	for (u64 i = 0; i < CHUNKS; i++)
		for (u64 j = 0; j < i; j++)
			assert_true(chunk[i] != chunk[j]);

	init(false);
	for (u64 i = 0; i < CHUNKS; i++)
		map(fm, i * MiB(2), chunk[i], MiB(2));
	struct walk w = check_tree(fm);
	assert_int_equal(w.leaves[1], CHUNKS);
	assert_int_equal(w.leaves[0] + w.leaves[2], 0);
	assert_int_equal(w.tables, 3);

	/*
	 * The independent check the walk made, said once more plainly:
	 * every leaf lies inside one of the host runs.
	 */
	const u64 *pd = table_at(*entry_at(0, 1) & ADDR_MASK);
	for (unsigned i = 0; i < 512; i++) {
		if (!(pd[i] & fm->present))
			continue;
		u64 a = pd[i] & ADDR_MASK;
		bool inside = false;
		for (unsigned c = 0; c < CHUNKS; c++)
			inside |= a >= chunk[c] && a + MiB(2) <= chunk[c] + MiB(2);
		assert_true(inside);
	}

	for (u64 i = 0; i < CHUNKS; i++) {
		translates(fm, i * MiB(2), chunk[i]);
		translates(fm, i * MiB(2) + 0x1ffff8, chunk[i] + 0x1ffff8);
	}
	unmapped(fm, CHUNKS * MiB(2));

	/* More guest memory past 1 GiB, with mixed alignment, in the same tree. */
	map(fm, GiB(1) + MiB(6), GiB(40) + 0x3000, MiB(2) + 0x3000);
	map(fm, GiB(300), GiB(100), MiB(8));
	w = check_tree(fm);
	assert_int_equal(w.leaves[0], 512 + 3);
	assert_int_equal(w.leaves[1], CHUNKS + 4);
	assert_int_equal(w.tables, 3 + 3 + 1); /* PD and two PTs; PD */
	translates(fm, GiB(300) + MiB(7), GiB(100) + MiB(7));
	translates(fm, GiB(1) + MiB(8) + 0x2fff, GiB(40) + MiB(2) + 0x5fff);
	destroy(fm);
}

static void test_destroy(void **state)
{
	const struct fmt *fm = *state;

	/* Only the root. */
	init(true);
	destroy(fm);
	assert_int_equal(tr.n, 1);

	/* Every kind of leaf and table, in many places. */
	tracker_reset(-1);
	init(true);
	map(fm, 0, GiB(2), GiB(1));			   /* a 1 GiB leaf */
	map(fm, GiB(1), GiB(4), MiB(6));		   /* 2 MiB leaves */
	map(fm, GiB(2) + 0x1000, GiB(8) + 0x1000, 0x3000); /* pages */
	map(fm, GiB(7) + MiB(4) + 0x5000, GiB(9) + 0x5000, MiB(3));
	map(fm, GiB(200), GiB(10) + 0x1000, 0x1000);
	struct walk w = check_tree(fm);
	assert_true(w.leaves[0] > 0 && w.leaves[1] > 0 && w.leaves[2] > 0);
	assert_true(tr.n > 8);
	assert_int_equal(tr.nlive, s.tables);
	destroy(fm);
	for (unsigned i = 0; i < tr.n; i++)
		assert_false(tr.live[i]);

	/* A second destroy does nothing (the tracker refuses double frees). */
	slat_destroy(&s, fm->f);
	assert_int_equal(s.root, 0);

	/* The structure can be used again after it. */
	init(false);
	map(fm, 0, GiB(2), MiB(2));
	translates(fm, 0x1234, GiB(2) + 0x1234);
	destroy(fm);
}

#define FOR(fm)                                                                                    \
	cmocka_unit_test_prestate_setup_teardown(test_2m_leaves, setup, teardown, (void *)&fm),    \
		cmocka_unit_test_prestate_setup_teardown(test_1g_leaves, setup, teardown,          \
							 (void *)&fm),                             \
		cmocka_unit_test_prestate_setup_teardown(test_4k_leaves, setup, teardown,          \
							 (void *)&fm),                             \
		cmocka_unit_test_prestate_setup_teardown(test_remap_refused, setup, teardown,      \
							 (void *)&fm),                             \
		cmocka_unit_test_prestate_setup_teardown(test_bad_arguments, setup, teardown,      \
							 (void *)&fm),                             \
		cmocka_unit_test_prestate_setup_teardown(test_nomem, setup, teardown,              \
							 (void *)&fm),                             \
		cmocka_unit_test_prestate_setup_teardown(test_scattered_partition, setup,          \
							 teardown, (void *)&fm),                   \
		cmocka_unit_test_prestate_setup_teardown(test_destroy, setup, teardown,            \
							 (void *)&fm)

int main(void)
{
	const struct CMUnitTest ept_tests[] = { FOR(ept) };
	const struct CMUnitTest npt_tests[] = { FOR(npt) };
	int failed = 0;

	failed += cmocka_run_group_tests_name("EPT (vmx/ept.c)", ept_tests, NULL, NULL);
	failed += cmocka_run_group_tests_name("NPT (svm/npt.c)", npt_tests, NULL, NULL);
	return failed;
}
