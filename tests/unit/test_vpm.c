/*
 * Unit tests of vdev/pm.c, the ACPI fixed registers a partition sees:
 * PM1a status (WAK_STS at power-on, write 1 to clear), PM1a enable
 * (defined bits kept), PM1a control (SCI_EN stuck at 1, SLP_TYP kept,
 * SLP_EN with \_S5's type = power off, any other type ignored), the PM
 * timer (3.579545 MHz from the TSC, 24 bits, computed rather than
 * accumulated), the reset register at 0xcf9, byte/word/dword accesses,
 * and which ports the model claims.
 */
/* unit-sources: vdev/pm.c */
#include "tests/unit/unit.h"

#include "vdev/layout.h"
#include "vdev/pm.h"

#define STS GUEST_PM1A_EVT
#define EN (GUEST_PM1A_EVT + 2)
#define CNT GUEST_PM1A_CNT
#define TMR GUEST_PM_TMR
#define RST GUEST_RESET_PORT

#define WAK_STS 0x8000
#define SCI_EN 0x0001
#define SLP_EN (1u << 13)
#define SLP_TYP(t) ((u32)(t) << 10)

#define TSC_HZ 2500000000ull /* 2.5 GHz */
#define T0 1000000ull	     /* the TSC at reset */

static struct vpm pm;

static int reset(void **state)
{
	(void)state;
	vpm_reset(&pm, TSC_HZ, T0);
	return 0;
}

static u32 rd(u16 port, u32 size)
{
	return vpm_read(&pm, port, size, T0);
}

static int wr(u16 port, u32 size, u32 value)
{
	return vpm_write(&pm, port, size, value, T0);
}

/* ---- PM1 status and enable --------------------------------------------------- */

static void test_status_wak_at_power_on(void **state)
{
	(void)state;
	assert_int_equal(rd(STS, 2), WAK_STS);
	assert_int_equal(wr(STS, 2, 0), VPM_NONE); /* writing 0 clears nothing */
	assert_int_equal(rd(STS, 2), WAK_STS);
	assert_int_equal(wr(STS, 2, WAK_STS), VPM_NONE);
	assert_int_equal(rd(STS, 2), 0);
	assert_int_equal(wr(STS, 2, 0xffff), VPM_NONE); /* clearing cannot set */
	assert_int_equal(rd(STS, 2), 0);
}

static void test_status_bytes(void **state)
{
	(void)state;
	assert_int_equal(rd(STS, 1), 0x00);
	assert_int_equal(rd(STS + 1, 1), 0x80);
	wr(STS, 1, 0xff); /* the low byte holds no WAK_STS */
	assert_int_equal(rd(STS, 2), WAK_STS);
	wr(STS + 1, 1, 0x80);
	assert_int_equal(rd(STS, 2), 0);
}

static void test_enable_keeps_defined_bits(void **state)
{
	(void)state;
	assert_int_equal(rd(EN, 2), 0);
	wr(EN, 2, 0xffff);
	/* TMR_EN, GBL_EN, PWRBTN_EN, SLPBTN_EN, RTC_EN, PCIEXP_WAKE_DIS */
	assert_int_equal(rd(EN, 2), 0x4721);
	wr(EN, 2, 0);
	/* ACPICA checks that GBL_EN reads back before it uses the global lock. */
	wr(EN, 1, 0x20);
	assert_int_equal(rd(EN, 2), 0x0020);
	wr(EN + 1, 1, 0x01); /* PWRBTN_EN; the low byte stays */
	assert_int_equal(rd(EN, 2), 0x0120);
	assert_int_equal(rd(STS, 2), WAK_STS); /* enable writes do not touch status */
}

static void test_event_block_dword(void **state)
{
	(void)state;
	wr(EN, 2, 0x0100);
	assert_int_equal(rd(STS, 4), WAK_STS | 0x0100u << 16);
	wr(STS, 4, 0x00208000); /* clears WAK_STS, sets GBL_EN alone */
	assert_int_equal(rd(STS, 4), 0x0020u << 16);
}

/* ---- PM1 control -------------------------------------------------------------- */

static void test_sci_en_reads_one(void **state)
{
	(void)state;
	assert_int_equal(rd(CNT, 2), SCI_EN);
	wr(CNT, 2, 0);
	assert_int_equal(rd(CNT, 2) & SCI_EN, SCI_EN);
	assert_int_equal(rd(CNT, 1) & SCI_EN, SCI_EN);
}

static void test_slp_typ_kept_slp_en_not(void **state)
{
	(void)state;
	assert_int_equal(wr(CNT, 2, SLP_TYP(5)), VPM_NONE); /* type alone: no transition */
	assert_int_equal(rd(CNT, 2), SLP_TYP(5) | SCI_EN);
	assert_int_equal(wr(CNT, 2, SLP_TYP(3) | 0x0002), VPM_NONE); /* BM_RLD kept too */
	assert_int_equal(rd(CNT, 2), SLP_TYP(3) | 0x0002 | SCI_EN);
	wr(CNT, 2, SLP_TYP(2) | SLP_EN | 0x0004); /* GBL_RLS, SLP_EN: write-only */
	assert_int_equal(rd(CNT, 2), SLP_TYP(2) | SCI_EN);
}

static void test_s5_powers_off(void **state)
{
	(void)state;
	assert_int_equal(wr(CNT, 2, SLP_TYP(GUEST_SLP_TYP_S5) | SLP_EN), VPM_POWER_OFF);
}

/* ACPICA's order: read, write SLP_TYP alone, then the same with SLP_EN. */
static void test_s5_acpica_sequence(void **state)
{
	u32 v;

	(void)state;
	wr(STS, 2, 0xffff); /* clear WAK_STS and the rest */
	v = rd(CNT, 2) & ~(SLP_TYP(7) | SLP_EN);
	v |= SLP_TYP(GUEST_SLP_TYP_S5);
	assert_int_equal(wr(CNT, 2, v), VPM_NONE);
	assert_int_equal(wr(CNT, 2, v | SLP_EN), VPM_POWER_OFF);
}

static void test_s5_byte_write(void **state)
{
	(void)state;
	/* SLP_TYP and SLP_EN are both in the high byte. */
	assert_int_equal(wr(CNT + 1, 1, (GUEST_SLP_TYP_S5 << 2) | 0x20), VPM_POWER_OFF);
	assert_int_equal(wr(CNT, 1, 0xff), VPM_NONE); /* the low byte cannot ask */
}

static void test_other_sleep_types_ignored(void **state)
{
	(void)state;
	for (u32 t = 0; t < 8; t++) {
		if (t == GUEST_SLP_TYP_S5)
			continue;
		assert_int_equal(wr(CNT, 2, SLP_TYP(t) | SLP_EN), VPM_NONE);
		assert_int_equal(rd(CNT, 2), SLP_TYP(t) | SCI_EN);
	}
}

/* SLP_EN acts on the type written with it, not on an earlier one. */
static void test_slp_en_uses_written_type(void **state)
{
	(void)state;
	wr(CNT, 2, SLP_TYP(GUEST_SLP_TYP_S5));
	assert_int_equal(wr(CNT, 2, SLP_TYP(1) | SLP_EN), VPM_NONE);
}

/* ---- the PM timer ------------------------------------------------------------- */

static void test_timer_starts_at_reset(void **state)
{
	(void)state;
	assert_int_equal(vpm_read(&pm, TMR, 4, T0), 0);
	assert_int_equal(vpm_read(&pm, TMR, 4, T0 - 5), 0); /* before the reset: still 0 */
	vpm_reset(&pm, TSC_HZ, 5 * T0);
	assert_int_equal(vpm_read(&pm, TMR, 4, 5 * T0), 0);
}

static void test_timer_rate(void **state)
{
	(void)state;
	/* One second of TSC is 3579545 ticks; one tick is 2500000000 / 3579545 cycles. */
	assert_int_equal(vpm_read(&pm, TMR, 4, T0 + TSC_HZ / 10), 357954);
	assert_int_equal(vpm_read(&pm, TMR, 4, T0 + TSC_HZ), 3579545);
	assert_int_equal(vpm_read(&pm, TMR, 4, T0 + 699), 1); /* 698.4 cycles per tick */
	assert_int_equal(vpm_read(&pm, TMR, 4, T0 + 698), 0);
}

static void test_timer_24_bits(void **state)
{
	u64 wrap = (1ull << 24) * TSC_HZ / VPM_TIMER_HZ; /* about 4.69 s */

	(void)state;
	assert_int_equal(vpm_read(&pm, TMR, 4, T0 + 5 * TSC_HZ), (5ull * VPM_TIMER_HZ) & 0xffffff);
	assert_true(vpm_read(&pm, TMR, 4, T0 + wrap - 1000) > 0xfffff0);
	assert_true(vpm_read(&pm, TMR, 4, T0 + wrap + 2000) < 0x10);
	for (u64 t = 0; t < 3 * wrap; t += wrap / 7)
		assert_int_equal(vpm_read(&pm, TMR, 4, T0 + t) >> 24, 0);
}

/* Reads in between change nothing: the value at a time is the same for every history. */
static void test_timer_no_drift(void **state)
{
	struct vpm fresh;
	u64 t = T0;

	(void)state;
	for (u32 i = 0; i < 100000; i++) {
		t += 1 + (i * 7919u) % 5000; /* irregular steps, many shorter than a tick */
		vpm_read(&pm, TMR, 4, t);
	}
	vpm_reset(&fresh, TSC_HZ, T0);
	assert_int_equal(vpm_read(&pm, TMR, 4, t), vpm_read(&fresh, TMR, 4, t));
	/* A day in, still exact: ticks = elapsed * 3579545 / tsc_hz. */
	t = T0 + 86400ull * TSC_HZ + 12345;
	assert_int_equal(vpm_read(&pm, TMR, 4, t),
			 (u32)((unsigned __int128)(86400ull * TSC_HZ + 12345) * 3579545u / TSC_HZ) &
				 0xffffff);
}

static void test_timer_narrow_reads_and_writes(void **state)
{
	u64 t = T0 + 3 * TSC_HZ + 777;
	u32 v;

	(void)state;
	v = vpm_read(&pm, TMR, 4, t);
	assert_int_not_equal(v & 0xff00ff, 0);
	assert_int_equal(vpm_read(&pm, TMR, 1, t), v & 0xff);
	assert_int_equal(vpm_read(&pm, TMR + 1, 1, t), (v >> 8) & 0xff);
	assert_int_equal(vpm_read(&pm, TMR + 2, 2, t), v >> 16);
	assert_int_equal(vpm_read(&pm, TMR + 3, 1, t), 0);
	assert_int_equal(vpm_write(&pm, TMR, 4, 0, t), VPM_NONE); /* read-only */
	assert_int_equal(vpm_read(&pm, TMR, 4, t), v);
}

/* ---- the reset register and the ports ------------------------------------------ */

static void test_reset_register(void **state)
{
	(void)state;
	assert_int_equal(wr(RST, 1, GUEST_RESET_VALUE), VPM_RESET);
	assert_int_equal(wr(RST, 1, 0x04), VPM_RESET); /* RST_CPU alone */
	assert_int_equal(wr(RST, 1, 0x0e), VPM_RESET);
	assert_int_equal(rd(RST, 1), 0x0a); /* SYS_RST and FULL_RST kept, RST_CPU not */
	assert_int_equal(wr(RST, 1, 0x02), VPM_NONE);
	assert_int_equal(wr(RST, 1, 0x08), VPM_NONE);
	assert_int_equal(wr(RST, 1, 0xfb), VPM_NONE); /* everything but bit 2 */
	assert_int_equal(rd(RST, 1), 0x0a);
}

static void test_claims(void **state)
{
	(void)state;
	for (u16 p = GUEST_PM1A_EVT; p < GUEST_PM1A_EVT + 4; p++)
		assert_true(vpm_claims(p));
	assert_true(vpm_claims(GUEST_PM1A_CNT) && vpm_claims(GUEST_PM1A_CNT + 1));
	for (u16 p = GUEST_PM_TMR; p < GUEST_PM_TMR + 4; p++)
		assert_true(vpm_claims(p));
	assert_false(vpm_claims(GUEST_PM1A_CNT + 2)); /* 0x606-0x607: between the blocks */
	assert_false(vpm_claims(GUEST_PM1A_CNT + 3));
	assert_true(vpm_claims(GUEST_RESET_PORT));
	assert_false(vpm_claims(GUEST_PM1A_EVT - 1));
	assert_false(vpm_claims(GUEST_PM_TMR + 4));
	assert_false(vpm_claims(0xcf8));
	assert_false(vpm_claims(0xcfa));
	assert_false(vpm_claims(0xcfc));
}

static void test_reset_forgets(void **state)
{
	(void)state;
	wr(STS, 2, WAK_STS);
	wr(EN, 2, 0x0121);
	wr(CNT, 2, SLP_TYP(3) | 2);
	wr(RST, 1, 0x0a);
	vpm_reset(&pm, TSC_HZ, T0);
	assert_int_equal(rd(STS, 2), WAK_STS);
	assert_int_equal(rd(EN, 2), 0);
	assert_int_equal(rd(CNT, 2), SCI_EN);
	assert_int_equal(rd(RST, 1), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_status_wak_at_power_on, reset),
		cmocka_unit_test_setup(test_status_bytes, reset),
		cmocka_unit_test_setup(test_enable_keeps_defined_bits, reset),
		cmocka_unit_test_setup(test_event_block_dword, reset),
		cmocka_unit_test_setup(test_sci_en_reads_one, reset),
		cmocka_unit_test_setup(test_slp_typ_kept_slp_en_not, reset),
		cmocka_unit_test_setup(test_s5_powers_off, reset),
		cmocka_unit_test_setup(test_s5_acpica_sequence, reset),
		cmocka_unit_test_setup(test_s5_byte_write, reset),
		cmocka_unit_test_setup(test_other_sleep_types_ignored, reset),
		cmocka_unit_test_setup(test_slp_en_uses_written_type, reset),
		cmocka_unit_test_setup(test_timer_starts_at_reset, reset),
		cmocka_unit_test_setup(test_timer_rate, reset),
		cmocka_unit_test_setup(test_timer_24_bits, reset),
		cmocka_unit_test_setup(test_timer_no_drift, reset),
		cmocka_unit_test_setup(test_timer_narrow_reads_and_writes, reset),
		cmocka_unit_test_setup(test_reset_register, reset),
		cmocka_unit_test_setup(test_claims, reset),
		cmocka_unit_test_setup(test_reset_forgets, reset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
