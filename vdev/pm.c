/*
 * The ACPI fixed hardware registers of a partition, as the FADT of
 * vdev/firmware.c describes them: PM1a status and enable at
 * GUEST_PM1A_EVT, PM1a control at GUEST_PM1A_CNT, the 24-bit PM timer at
 * GUEST_PM_TMR, and the reset register GUEST_RESET_PORT.
 *
 * Every access is taken one byte lane at a time, so byte, word and dword
 * accesses all work (ACPICA uses 16-bit accesses on the PM1 registers,
 * other OSes 8-bit ones, Linux reads the timer with a 32-bit IN).  The
 * two control bits that matter are in the same byte, so a word write
 * behaves exactly as two byte writes.
 *
 * What the model decides:
 *  - SCI_EN reads 1 and cannot be cleared: the platform is in ACPI mode
 *    from the start (the FADT's SMI_CMD is 0).
 *  - SLP_EN written together with SLP_TYP = GUEST_SLP_TYP_S5 asks for
 *    power off.  The DSDT names no other sleep state, so SLP_EN with any
 *    other SLP_TYP is ignored: the guest keeps running, as a chipset
 *    does with a type it does not implement.
 *  - WAK_STS is set at power-on (the platform came out of soft-off) and
 *    is cleared by writing 1.  The other status bits are never set:
 *    nothing here generates a fixed event, so the SCI is never raised
 *    and the caller has no interrupt to wire.
 *  - The reset register, as the RST_CNT register at 0xcf9 of Intel's
 *    chipsets: writing RST_CPU (bit 2) asks for a reset (the FADT's
 *    reset value 0x06 has it); SYS_RST and FULL_RST are kept and read
 *    back.
 *  - The PM timer is computed from the guest TSC on every read, never
 *    accumulated, so it cannot drift from it.
 */
#include "vdev/pm.h"
#include "lib/lib.h"
#include "vdev/layout.h"

/* PM1 status, ACPI 6.4 §4.8.4.1.1 (Table 4.11); write 1 to clear. */
#define PM1_TMR_STS (1u << 0)
#define PM1_BM_STS (1u << 4)
#define PM1_GBL_STS (1u << 5)
#define PM1_PWRBTN_STS (1u << 8)
#define PM1_SLPBTN_STS (1u << 9)
#define PM1_RTC_STS (1u << 10)
#define PM1_PCIEXP_WAKE_STS (1u << 14)
#define PM1_WAK_STS (1u << 15)

/* PM1 enable, ACPI 6.4 §4.8.4.1.2 (Table 4.12): every defined bit is kept. */
#define PM1_TMR_EN (1u << 0)
#define PM1_GBL_EN (1u << 5)
#define PM1_PWRBTN_EN (1u << 8)
#define PM1_SLPBTN_EN (1u << 9)
#define PM1_RTC_EN (1u << 10)
#define PM1_PCIEXP_WAKE_DIS (1u << 14)
#define PM1_EN_MASK                                                                                \
	(PM1_TMR_EN | PM1_GBL_EN | PM1_PWRBTN_EN | PM1_SLPBTN_EN | PM1_RTC_EN | PM1_PCIEXP_WAKE_DIS)

/* PM1 control, ACPI 6.4 §4.8.4.2.1 (Table 4.13). */
#define PM1_SCI_EN (1u << 0)  /* reads 1: ACPI mode, always */
#define PM1_BM_RLD (1u << 1)  /* kept */
#define PM1_GBL_RLS (1u << 2) /* write-only; no firmware listens: ignored */
#define PM1_SLP_TYP_SHIFT 10  /* bits 12:10, kept */
#define PM1_SLP_TYP_MASK (7u << 10)
#define PM1_SLP_EN (1u << 13) /* write-only: enter the state SLP_TYP names */
#define PM1_CNT_KEPT (PM1_BM_RLD | PM1_SLP_TYP_MASK)

/* RST_CNT at 0xcf9 (Intel ICH/PCH datasheets, "Reset Control Register"). */
#define RST_SYS_RST (1u << 1)  /* kept: hard rather than soft reset */
#define RST_CPU (1u << 2)      /* writing 1 starts the reset */
#define RST_FULL_RST (1u << 3) /* kept: power-cycle style reset */
#define RST_KEPT (RST_SYS_RST | RST_FULL_RST)

#define PM_TIMER_MASK 0xffffffu /* 24 bits: the FADT does not set TMR_VAL_EXT */

_Static_assert(GUEST_PM1A_CNT >= GUEST_PM1A_EVT + 4 && GUEST_PM_TMR >= GUEST_PM1A_CNT + 2,
	       "the PM1a event block, control block and timer must not overlap");
_Static_assert(GUEST_RESET_VALUE &RST_CPU, "the FADT's reset value must start a reset");
_Static_assert(GUEST_SLP_TYP_S5 <= 7, "SLP_TYP is a 3-bit field");

void vpm_reset(struct vpm *pm, u64 tsc_hz, u64 now)
{
	*pm = (struct vpm){
		.tsc_hz = tsc_hz,
		.timer_base = now,
		.status = PM1_WAK_STS,
	};
}

bool vpm_claims(u16 port)
{
	return (port >= GUEST_PM1A_EVT && port < GUEST_PM1A_EVT + 4) ||
	       (port >= GUEST_PM1A_CNT && port < GUEST_PM1A_CNT + 2) ||
	       (port >= GUEST_PM_TMR && port < GUEST_PM_TMR + 4) || port == GUEST_RESET_PORT;
}

/* The PM timer at TSC now: ticks of 3.579545 MHz since the reset, 24 bits. */
static u32 timer(const struct vpm *pm, u64 now)
{
	if (now <= pm->timer_base)
		return 0;
	return (u32)(mul_div_u64(now - pm->timer_base, VPM_TIMER_HZ, pm->tsc_hz) & PM_TIMER_MASK);
}

/* Byte lane 0 or 1 of a 16-bit register. */
static u8 lane(u16 reg, u32 n)
{
	return (u8)(reg >> (8 * n));
}

static u8 read_byte(const struct vpm *pm, u16 port, u32 tmr)
{
	if (port >= GUEST_PM1A_EVT && port < GUEST_PM1A_EVT + 2)
		return lane(pm->status, port - GUEST_PM1A_EVT);
	if (port >= GUEST_PM1A_EVT + 2 && port < GUEST_PM1A_EVT + 4)
		return lane(pm->enable, port - GUEST_PM1A_EVT - 2);
	if (port >= GUEST_PM1A_CNT && port < GUEST_PM1A_CNT + 2)
		return lane(pm->control | PM1_SCI_EN, port - GUEST_PM1A_CNT);
	if (port >= GUEST_PM_TMR && port < GUEST_PM_TMR + 4)
		return (u8)(tmr >> (8 * (port - GUEST_PM_TMR)));
	if (port == GUEST_RESET_PORT)
		return pm->reset_ctl;
	return 0xff; /* a lane beyond the model's ports: nothing answers */
}

/* Replace byte lane n of *reg, keeping only the bits in mask. */
static void set_lane(u16 *reg, u32 n, u8 v, u16 mask)
{
	u16 lane_mask = (u16)(0xffu << (8 * n));
	*reg = (u16)((*reg & ~lane_mask) | (((u16)v << (8 * n)) & lane_mask & mask));
}

/* A PM1 control byte: SLP_EN is acted on, never stored (ACPI 6.4 §7.4.2 for \_S5). */
static int write_control(struct vpm *pm, u32 n, u8 v)
{
	set_lane(&pm->control, n, v, PM1_CNT_KEPT);
	if (!(((u16)v << (8 * n)) & PM1_SLP_EN))
		return VPM_NONE;
	if (((pm->control & PM1_SLP_TYP_MASK) >> PM1_SLP_TYP_SHIFT) == GUEST_SLP_TYP_S5)
		return VPM_POWER_OFF;
	return VPM_NONE; /* a sleep state this platform does not have */
}

static int write_byte(struct vpm *pm, u16 port, u8 v)
{
	if (port >= GUEST_PM1A_EVT && port < GUEST_PM1A_EVT + 2) {
		pm->status &= (u16) ~((u16)v << (8 * (port - GUEST_PM1A_EVT)));
	} else if (port >= GUEST_PM1A_EVT + 2 && port < GUEST_PM1A_EVT + 4) {
		set_lane(&pm->enable, port - GUEST_PM1A_EVT - 2, v, PM1_EN_MASK);
	} else if (port >= GUEST_PM1A_CNT && port < GUEST_PM1A_CNT + 2) {
		return write_control(pm, port - GUEST_PM1A_CNT, v);
	} else if (port == GUEST_RESET_PORT) {
		pm->reset_ctl = v & RST_KEPT;
		if (v & RST_CPU)
			return VPM_RESET;
	}
	return VPM_NONE; /* the timer is read-only; other lanes go nowhere */
}

u32 vpm_read(struct vpm *pm, u16 port, u32 size, u64 now)
{
	u32 tmr = timer(pm, now), value = 0;

	for (u32 i = 0; i < size && i < 4; i++)
		value |= (u32)read_byte(pm, (u16)(port + i), tmr) << (8 * i);
	return value;
}

int vpm_write(struct vpm *pm, u16 port, u32 size, u32 value, u64 now)
{
	int request = VPM_NONE;

	(void)now; /* nothing written depends on time */
	for (u32 i = 0; i < size && i < 4; i++) {
		int r = write_byte(pm, (u16)(port + i), (u8)(value >> (8 * i)));
		if (r != VPM_NONE)
			request = r;
	}
	return request;
}
