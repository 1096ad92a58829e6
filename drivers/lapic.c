/*
 * Local APIC (SDM 3A chapter 11).  In xAPIC mode registers are 32-bit
 * MMIO at the APIC base; in x2APIC mode the same register at offset R
 * is MSR 0x800 + R/16 and the ICR is one 64-bit MSR (SDM 3A §11.12).
 * Both modes share everything else here.
 */
#include "drivers/lapic.h"
#include "lib/lib.h"
#include "lib/log.h"
#include "lib/x86.h"

/* Register offsets (xAPIC MMIO; x2APIC MSR = 0x800 + offset / 16). */
#define REG_ID 0x20
#define REG_TPR 0x80
#define REG_EOI 0xb0
#define REG_SVR 0xf0
#define REG_ESR 0x280
#define REG_ICR_LOW 0x300
#define REG_ICR_HIGH 0x310
#define REG_LVT_TIMER 0x320
#define REG_LVT_LINT0 0x350
#define REG_LVT_LINT1 0x360
#define REG_LVT_ERROR 0x370
#define REG_TIMER_INIT 0x380
#define REG_TIMER_CUR 0x390
#define REG_TIMER_DIV 0x3e0

#define SVR_ENABLE (1u << 8)
#define LVT_MASKED (1u << 16)
#define LVT_PERIODIC (1u << 17)
#define LVT_NMI (4u << 8) /* delivery mode NMI */
#define TIMER_DIV_16 0x3

/* ICR fields (SDM 3A §11.6.1). */
#define ICR_FIXED (0u << 8)
#define ICR_NMI (4u << 8)
#define ICR_INIT (5u << 8)
#define ICR_STARTUP (6u << 8)
#define ICR_PENDING (1u << 12) /* xAPIC only */
#define ICR_ASSERT (1u << 14)
#define ICR_ALL_BUT_SELF (3u << 18)

#define X2APIC_MSR(reg) (0x800u + ((reg) >> 4))
#define MSR_X2APIC_ICR 0x830

u64 lapic_timer_hz;
static bool x2apic;
static volatile u32 *mmio;

static u32 rd(u32 reg)
{
	return x2apic ? (u32)rdmsr(X2APIC_MSR(reg)) : mmio[reg / 4];
}

static void wr(u32 reg, u32 v)
{
	if (x2apic)
		wrmsr(X2APIC_MSR(reg), v);
	else
		mmio[reg / 4] = v;
}

u64 lapic_base_phys(void)
{
	return rdmsr(MSR_IA32_APIC_BASE) & ~0xfffull;
}

void lapic_setup_bsp(void *xapic_mmio, bool force_xapic)
{
	bool can_x2 = cpuid(1, 0).ecx & CPUID1_ECX_X2APIC;

	x2apic = can_x2 && !force_xapic;
	mmio = xapic_mmio;
	klog("lapic: %s mode", x2apic ? "x2apic" : "xapic");
}

void lapic_enable(void)
{
	u64 base = rdmsr(MSR_IA32_APIC_BASE);

	/*
	 * SDM 3A §11.12.5: leaving x2APIC mode (apic=xapic after firmware chose
	 * x2APIC) needs a pass through "disabled"; entering it needs xAPIC first.
	 */
	if (!x2apic && (base & APIC_BASE_EXTD)) {
		base &= ~(APIC_BASE_EN | APIC_BASE_EXTD);
		wrmsr(MSR_IA32_APIC_BASE, base);
	}
	base |= APIC_BASE_EN;
	wrmsr(MSR_IA32_APIC_BASE, base);
	if (x2apic)
		wrmsr(MSR_IA32_APIC_BASE, base | APIC_BASE_EXTD);
	wr(REG_TPR, 0);
	wr(REG_LVT_TIMER, LVT_MASKED);
	wr(REG_LVT_LINT0, LVT_MASKED);
	wr(REG_LVT_LINT1, LVT_NMI); /* LINT1 carries NMI on PCs */
	wr(REG_LVT_ERROR, LVT_MASKED);
	wr(REG_SVR, SVR_ENABLE | 0xff);
	wr(REG_ESR, 0);
	wr(REG_EOI, 0);
}

bool lapic_is_x2apic(void)
{
	return x2apic;
}

u32 lapic_id(void)
{
	return x2apic ? rd(REG_ID) : rd(REG_ID) >> 24;
}

void lapic_eoi(void)
{
	wr(REG_EOI, 0);
}

static void send_icr(u32 dest, u32 low)
{
	if (x2apic) {
		wrmsr(MSR_X2APIC_ICR, (u64)dest << 32 | low);
		return;
	}
	wr(REG_ICR_HIGH, dest << 24);
	wr(REG_ICR_LOW, low);
	for (u32 spin = 0; spin < 1000000 && (rd(REG_ICR_LOW) & ICR_PENDING); spin++)
		cpu_relax();
}

void lapic_send_ipi(u32 apic_id, u8 vector)
{
	send_icr(apic_id, ICR_FIXED | ICR_ASSERT | vector);
}

void lapic_send_nmi(u32 apic_id)
{
	send_icr(apic_id, ICR_NMI | ICR_ASSERT);
}

void lapic_send_nmi_others(void)
{
	if (!x2apic && !mmio)
		return; /* too early: no other CPU runs yet */
	send_icr(0, ICR_NMI | ICR_ASSERT | ICR_ALL_BUT_SELF);
}

void lapic_send_init(u32 apic_id)
{
	send_icr(apic_id, ICR_INIT | ICR_ASSERT);
}

void lapic_send_sipi(u32 apic_id, u8 page)
{
	send_icr(apic_id, ICR_STARTUP | page);
}

void lapic_timer_start_raw(u32 count, u8 vector, bool periodic)
{
	wr(REG_TIMER_DIV, TIMER_DIV_16);
	wr(REG_LVT_TIMER, vector | (periodic ? LVT_PERIODIC : 0));
	wr(REG_TIMER_INIT, count);
}

u32 lapic_timer_current(void)
{
	return rd(REG_TIMER_CUR);
}

void lapic_timer_oneshot_ns(u64 ns, u8 vector)
{
	u64 ticks = mul_div_u64(ns, lapic_timer_hz, 1000000000ull);
	if (ticks == 0)
		ticks = 1;
	if (ticks > 0xffffffffull)
		ticks = 0xffffffffull;
	lapic_timer_start_raw((u32)ticks, vector, false);
}

void lapic_timer_stop(void)
{
	wr(REG_TIMER_INIT, 0);
	wr(REG_LVT_TIMER, LVT_MASKED);
}
