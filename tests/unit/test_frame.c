/*
 * Unit tests of kernel/frame.c, the physical frame allocator: the
 * free-frame accounting of init, release and reserve; frame 0 is never
 * handed out; single frames until exhaustion; frame_free refuses double
 * and misaligned frees and then changes nothing; frame_alloc_run gives
 * aligned contiguous free runs (512 frames on 2 MiB boundaries for guest
 * RAM), skips holes and fails when no region is large enough;
 * reservations never come back from any allocation; and frame_find_gap.
 * Bitmaps are heap blocks of exactly frame_bitmap_bytes(), so the
 * sanitizer catches any access past them.
 */
/* unit-sources: kernel/frame.c */
#include <stdlib.h>
#include <string.h>

#include "tests/unit/unit.h"

#include "kernel/frame.h"

#define F(n) ((u64)(n)*FRAME_SIZE) /* address of frame n */

static struct frame_pool pool;

/* A pool covering [0, top), every frame in use. */
static struct frame_pool *new_pool(u64 top)
{
	u64 *bitmap = malloc(frame_bitmap_bytes(top) ? frame_bitmap_bytes(top) : 1);

	assert_non_null(bitmap);
	memset(bitmap, 0xa5, frame_bitmap_bytes(top)); /* init must clear it */
	frame_pool_init(&pool, bitmap, top);
	return &pool;
}

static int teardown(void **state)
{
	(void)state;
	free(pool.bitmap);
	pool.bitmap = NULL;
	return 0;
}

/* Count free frames by asking frame_is_free about each one. */
static u64 count_free(const struct frame_pool *p)
{
	u64 n = 0;
	for (u64 f = 0; f < p->nframes; f++)
		n += frame_is_free(p, F(f));
	return n;
}

static void test_bitmap_bytes(void **state)
{
	(void)state;
	assert_int_equal(frame_bitmap_bytes(0), 0);
	assert_int_equal(frame_bitmap_bytes(1), 8); /* one frame, one word */
	assert_int_equal(frame_bitmap_bytes(F(64)), 8);
	assert_int_equal(frame_bitmap_bytes(F(64) + 1), 16);
	assert_int_equal(frame_bitmap_bytes(GiB(4)), GiB(4) / FRAME_SIZE / 8);
}

static void test_init_all_used(void **state)
{
	(void)state;
	struct frame_pool *p = new_pool(MiB(1) + 100); /* a partial last frame counts */
	assert_int_equal(p->nframes, 257);
	assert_int_equal(p->free_frames, 0);
	assert_int_equal(count_free(p), 0);
	assert_int_equal(frame_alloc(p), 0);
	assert_int_equal(frame_alloc_run(p, 1, FRAME_SIZE), 0);
}

static void test_release_reserve_accounting(void **state)
{
	(void)state;
	struct frame_pool *p = new_pool(MiB(16));

	/* Frame 0 stays used even when released. */
	frame_pool_release(p, 0, MiB(1));
	assert_int_equal(p->free_frames, 255);
	assert_false(frame_is_free(p, 0));
	assert_true(frame_is_free(p, F(1)));
	assert_int_equal(count_free(p), p->free_frames);

	/* Releasing twice counts once. */
	frame_pool_release(p, 0, MiB(1));
	assert_int_equal(p->free_frames, 255);

	/* Only whole frames inside the range are released. */
	frame_pool_release(p, F(300) + 0x800, F(2));
	assert_int_equal(p->free_frames, 256);
	assert_false(frame_is_free(p, F(300)));
	assert_true(frame_is_free(p, F(301)));
	assert_false(frame_is_free(p, F(302)));

	/* Beyond the pool: clipped, and nothing outside the bitmap is touched. */
	frame_pool_release(p, MiB(15), MiB(100));
	assert_int_equal(p->free_frames, 256 + 256);
	frame_pool_release(p, MiB(32), MiB(1));
	frame_pool_release(p, UINT64_MAX - 0x10000, 0x20000); /* wraps */
	frame_pool_release(p, UINT64_MAX - 10, 5);	      /* no whole frame */
	frame_pool_release(p, UINT64_MAX - 10, 100);	      /* no whole frame, wraps */
	assert_int_equal(p->free_frames, 512);
	assert_int_equal(count_free(p), p->free_frames);

	/* Every frame touching a reservation goes, partial ones too. */
	frame_pool_reserve(p, F(10) + 0x800, 0x1000);
	assert_int_equal(p->free_frames, 510);
	assert_false(frame_is_free(p, F(10)));
	assert_false(frame_is_free(p, F(11)));
	assert_true(frame_is_free(p, F(12)));

	/* Reserving twice, or nothing, changes nothing. */
	frame_pool_reserve(p, F(10), F(2));
	frame_pool_reserve(p, F(20), 0);
	assert_int_equal(p->free_frames, 510);
	assert_true(frame_is_free(p, F(20)));

	/* A reservation running off the top of the address space. */
	frame_pool_reserve(p, MiB(15) + F(10), UINT64_MAX);
	assert_int_equal(p->free_frames, 510 - 246);
	assert_true(frame_is_free(p, MiB(15) + F(9)));
	assert_false(frame_is_free(p, MiB(16) - FRAME_SIZE));
	frame_pool_reserve(p, UINT64_MAX - 10, 100);
	assert_int_equal(p->free_frames, 264);
	assert_int_equal(count_free(p), p->free_frames);

	/* Out of range questions are answered "not free". */
	assert_false(frame_is_free(p, MiB(16)));
	assert_false(frame_is_free(p, UINT64_MAX));
}

static void test_single_until_exhausted(void **state)
{
	(void)state;
	struct frame_pool *p = new_pool(MiB(1));
	static bool seen[256];

	frame_pool_release(p, 0, MiB(1));
	assert_int_equal(p->free_frames, 255);
	memset(seen, 0, sizeof(seen));
	for (int i = 0; i < 255; i++) {
		u64 a = frame_alloc(p);
		assert_int_not_equal(a, 0);
		assert_true(IS_ALIGNED(a, FRAME_SIZE));
		assert_true(a < MiB(1));
		assert_false(seen[a / FRAME_SIZE]); /* never twice */
		seen[a / FRAME_SIZE] = true;
		assert_false(frame_is_free(p, a));
		assert_int_equal(p->free_frames, 254 - i);
	}
	assert_int_equal(frame_alloc(p), 0);
	assert_int_equal(frame_alloc(p), 0);
	assert_int_equal(p->free_frames, 0);

	/* A freed frame is the one that comes back. */
	assert_int_equal(frame_free(p, F(77), 1), 0);
	assert_int_equal(p->free_frames, 1);
	assert_int_equal(frame_alloc(p), F(77));
	assert_int_equal(frame_alloc(p), 0);
}

static void test_frame_zero_never_handed_out(void **state)
{
	(void)state;
	struct frame_pool *p = new_pool(F(130));

	frame_pool_release(p, 0, F(130));
	assert_false(frame_is_free(p, 0));
	/* A run with no alignment could start at frame 0; it must not. */
	assert_int_equal(frame_alloc_run(p, 4, 1), F(1));
	assert_int_equal(frame_alloc_run(p, 4, 0), F(5));
	u64 a;
	while ((a = frame_alloc(p)) != 0)
		assert_true(a >= F(1) && a < F(130));
	assert_int_equal(p->free_frames, 0);
	/* And frame 0 cannot be given back. */
	assert_int_equal(frame_free(p, 0, 1), -EINVAL);
	assert_int_equal(p->free_frames, 0);
}

static void test_free_errors_change_nothing(void **state)
{
	(void)state;
	struct frame_pool *p = new_pool(MiB(1));
	u64 before[sizeof(u64) * 4];

	frame_pool_release(p, F(1), F(100));
	u64 a = frame_alloc_run(p, 8, FRAME_SIZE);
	assert_int_equal(a, F(1));
	assert_int_equal(p->free_frames, 92);
	memcpy(before, p->bitmap, frame_bitmap_bytes(MiB(1)));

	/* Double free of a free frame, and of a run partly free. */
	assert_int_equal(frame_free(p, F(50), 1), -EINVAL);
	assert_int_equal(frame_free(p, a, 9), -EINVAL);
	/* Misaligned, frame 0, past the pool, wrapping count. */
	assert_int_equal(frame_free(p, a + 1, 1), -EINVAL);
	assert_int_equal(frame_free(p, a + 0x800, 1), -EINVAL);
	assert_int_equal(frame_free(p, 0, 1), -EINVAL);
	assert_int_equal(frame_free(p, MiB(1), 1), -EINVAL);
	assert_int_equal(frame_free(p, F(250), 10), -EINVAL);
	assert_int_equal(frame_free(p, a, UINT64_MAX), -EINVAL);
	assert_int_equal(p->free_frames, 92);
	assert_memory_equal(before, p->bitmap, frame_bitmap_bytes(MiB(1)));

	/* The good free works once, then is a double free. */
	assert_int_equal(frame_free(p, a, 8), 0);
	assert_int_equal(p->free_frames, 100);
	assert_int_equal(frame_free(p, a, 8), -EINVAL);
	assert_int_equal(frame_free(p, a + F(7), 1), -EINVAL);
	assert_int_equal(p->free_frames, 100);
}

/* Do [a, a+alen) and [b, b+blen) overlap?  (Small values, no wrap.) */
static bool overlaps(u64 a, u64 alen, u64 b, u64 blen)
{
	return a < b + blen && b < a + alen;
}

/* Check that [a, a + n frames) is in the pool and allocated. */
static void assert_run_used(const struct frame_pool *p, u64 a, u64 n)
{
	for (u64 i = 0; i < n; i++)
		assert_false(frame_is_free(p, a + F(i)));
}

static void test_run_2m(void **state)
{
	(void)state;
	struct frame_pool *p = new_pool(MiB(64));

	frame_pool_release(p, MiB(1), MiB(63));
	u64 free0 = p->free_frames;
	assert_int_equal(free0, 63 * 256);

	u64 a = frame_alloc_run(p, FRAMES_PER_2M, MiB(2));
	assert_int_equal(a, MiB(2)); /* [1M, 2M) is free but not aligned */
	assert_run_used(p, a, FRAMES_PER_2M);
	assert_true(frame_is_free(p, a - FRAME_SIZE));
	assert_true(frame_is_free(p, a + MiB(2)));
	assert_int_equal(p->free_frames, free0 - 512);
	assert_int_equal(count_free(p), p->free_frames);

	u64 b = frame_alloc_run(p, FRAMES_PER_2M, MiB(2));
	assert_int_equal(b, MiB(4));
	assert_run_used(p, b, FRAMES_PER_2M);

	/* Freed runs are found again. */
	assert_int_equal(frame_free(p, a, FRAMES_PER_2M), 0);
	assert_int_equal(frame_alloc_run(p, FRAMES_PER_2M, MiB(2)), MiB(2));

	/* Bad requests. */
	assert_int_equal(frame_alloc_run(p, 0, MiB(2)), 0);
	assert_int_equal(frame_alloc_run(p, 1, MiB(3)), 0); /* not a power of two */
}

static void test_run_skips_holes(void **state)
{
	(void)state;
	struct frame_pool *p = new_pool(MiB(32));

	frame_pool_release(p, 0, MiB(32));
	frame_pool_reserve(p, MiB(2) + F(100), 1);  /* hole in [2M, 4M) */
	frame_pool_reserve(p, MiB(5), FRAME_SIZE);  /* hole in [4M, 6M) */
	frame_pool_reserve(p, MiB(8) - 1, 2);	    /* touches [6M, 8M) and [8M, 10M) */
	frame_pool_reserve(p, MiB(11), MiB(1) + 1); /* [10M, 12M) and [12M, 14M) */
	u64 a = frame_alloc_run(p, FRAMES_PER_2M, MiB(2));
	assert_int_equal(a, MiB(14));
	assert_run_used(p, a, FRAMES_PER_2M);
	assert_int_equal(frame_alloc_run(p, FRAMES_PER_2M, MiB(2)), MiB(16));

	/* Unaligned runs fit into the holes' gaps. */
	u64 before = p->free_frames;
	a = frame_alloc_run(p, 200, FRAME_SIZE);
	assert_int_equal(a, F(1));
	assert_run_used(p, a, 200);
	a = frame_alloc_run(p, 400, FRAME_SIZE);
	assert_int_equal(a, F(201)); /* [201, 601) is clear of the hole at 612 */
	a = frame_alloc_run(p, 20, FRAME_SIZE);
	assert_int_equal(a, F(613)); /* [601, 612) is too short */
	assert_int_equal(p->free_frames, before - 620);
	assert_int_equal(count_free(p), p->free_frames);
}

static void test_run_too_large(void **state)
{
	(void)state;
	struct frame_pool *p = new_pool(MiB(32));

	frame_pool_release(p, MiB(1), MiB(9));	/* 2304 frames */
	frame_pool_release(p, MiB(12), MiB(8)); /* 2048 frames */
	u64 before = p->free_frames;
	assert_int_equal(before, 4352);

	/* More than any one region, though less than all free frames. */
	assert_int_equal(frame_alloc_run(p, 2305, FRAME_SIZE), 0);
	assert_int_equal(frame_alloc_run(p, 4352, FRAME_SIZE), 0);
	/* More than the pool. */
	assert_int_equal(frame_alloc_run(p, 1u << 20, FRAME_SIZE), 0);
	assert_int_equal(frame_alloc_run(p, UINT64_MAX, FRAME_SIZE), 0);
	/* The largest region fits, but not with 2 MiB alignment: [2M, 10M) is 2048. */
	assert_int_equal(frame_alloc_run(p, 2049, MiB(2)), 0);
	assert_int_equal(p->free_frames, before);
	assert_int_equal(count_free(p), before);

	assert_int_equal(frame_alloc_run(p, 2304, FRAME_SIZE), MiB(1));
	assert_int_equal(frame_alloc_run(p, 2048, MiB(2)), MiB(12));
	assert_int_equal(p->free_frames, 0);
}

static void test_reserved_never_handed_out(void **state)
{
	(void)state;
	static const struct phys_range reserved[] = {
		{ 0x9f000, 0x61000 },	    /* EBDA, BIOS */
		{ MiB(1), MiB(2) + 0x123 }, /* image */
		{ MiB(4) + 0x10, 0x10 },    /* boot information */
		{ MiB(6) - 1, 2 },	    /* straddles a 2 MiB boundary */
		{ MiB(8) - FRAME_SIZE, FRAME_SIZE },
	};
	struct frame_pool *p = new_pool(MiB(8));

	frame_pool_release(p, 0, MiB(8));
	for (size_t i = 0; i < ARRAY_SIZE(reserved); i++)
		frame_pool_reserve(p, reserved[i].base, reserved[i].len);
	u64 expect = p->free_frames;
	assert_int_equal(count_free(p), expect);

	/* Take everything: runs first, then single frames. */
	u64 got = 0, a;
	while ((a = frame_alloc_run(p, FRAMES_PER_2M, MiB(2))) != 0) {
		for (size_t i = 0; i < ARRAY_SIZE(reserved); i++)
			assert_false(overlaps(a, MiB(2), reserved[i].base, reserved[i].len));
		got += FRAMES_PER_2M;
	}
	while ((a = frame_alloc_run(p, 3, FRAME_SIZE)) != 0) {
		for (size_t i = 0; i < ARRAY_SIZE(reserved); i++)
			assert_false(overlaps(a, F(3), reserved[i].base, reserved[i].len));
		got += 3;
	}
	while ((a = frame_alloc(p)) != 0) {
		assert_int_not_equal(a, 0);
		for (size_t i = 0; i < ARRAY_SIZE(reserved); i++)
			assert_false(overlaps(a, FRAME_SIZE, reserved[i].base, reserved[i].len));
		got++;
	}
	assert_int_equal(got, expect);
	assert_int_equal(p->free_frames, 0);
}

static void test_find_gap(void **state)
{
	(void)state;
	static const struct phys_range usable[] = {
		{ 0, 0x9f000 },
		{ MiB(1), MiB(63) },
	};
	static const struct phys_range reserved[] = {
		{ MiB(1), MiB(2) },	    /* image */
		{ MiB(3), 0x123 },	    /* boot information */
		{ MiB(3) + 0x2000, 0x100 }, /* a module */
	};

	/* Small enough for low memory, never at address 0. */
	assert_int_equal(frame_find_gap(usable, 2, reserved, 3, 0x1000, GiB(4)), 0x1000);
	/* Too large for low memory: skips the image and both small ranges. */
	assert_int_equal(frame_find_gap(usable, 2, reserved, 3, MiB(1), GiB(4)), MiB(3) + 0x3000);
	/* Between the two small ranges there is exactly one page. */
	assert_int_equal(frame_find_gap(usable + 1, 1, reserved, 3, 0x1000, GiB(4)),
			 MiB(3) + 0x1000);
	assert_int_equal(frame_find_gap(usable + 1, 1, reserved, 3, 0x1001, GiB(4)),
			 MiB(3) + 0x3000);
	/* The limit: the gap must end at or below it. */
	assert_int_equal(frame_find_gap(usable, 2, reserved, 3, MiB(1), MiB(4) + 0x3000),
			 MiB(3) + 0x3000);
	assert_int_equal(frame_find_gap(usable, 2, reserved, 3, MiB(1), MiB(4) + 0x2fff), 0);
	assert_int_equal(frame_find_gap(usable, 2, reserved, 3, 0x1000, 0x1fff), 0);
	/* None at all. */
	assert_int_equal(frame_find_gap(usable, 2, reserved, 3, MiB(64), GiB(4)), 0);
	assert_int_equal(frame_find_gap(usable, 0, reserved, 3, 0x1000, GiB(4)), 0);
	/* An unaligned usable range starts at its first whole page. */
	static const struct phys_range odd[] = { { MiB(16) + 1, MiB(1) } };
	assert_int_equal(frame_find_gap(odd, 1, NULL, 0, 0x1000, GiB(4)), MiB(16) + 0x1000);
	assert_int_equal(frame_find_gap(odd, 1, NULL, 0, MiB(1), GiB(4)), 0);
	/* A gap must be clear of every reservation, whatever their order. */
	static const struct phys_range unordered[] = {
		{ MiB(3) + 0x2000, 0x100 },
		{ MiB(3), 0x123 },
		{ MiB(1), MiB(2) },
	};
	assert_int_equal(frame_find_gap(usable + 1, 1, unordered, 3, 0x2000, GiB(4)),
			 MiB(3) + 0x3000);
	/* A reservation up to the top of the address space ends the search. */
	static const struct phys_range to_the_top[] = { { MiB(2), 0 - MiB(2) } };
	assert_int_equal(frame_find_gap(usable + 1, 1, to_the_top, 1, 0x1000, GiB(4)), MiB(1));
	assert_int_equal(frame_find_gap(usable + 1, 1, to_the_top, 1, MiB(1) + 1, GiB(4)), 0);
	assert_int_equal(frame_find_gap(usable + 1, 1, to_the_top, 1, MiB(4), GiB(4)), 0);
}

int main(void)
{
#define T(f) cmocka_unit_test_teardown(f, teardown)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bitmap_bytes),
		T(test_init_all_used),
		T(test_release_reserve_accounting),
		T(test_single_until_exhausted),
		T(test_frame_zero_never_handed_out),
		T(test_free_errors_change_nothing),
		T(test_run_2m),
		T(test_run_skips_holes),
		T(test_run_too_large),
		T(test_reserved_never_handed_out),
		cmocka_unit_test(test_find_gap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
