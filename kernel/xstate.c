/*
 * The per-vCPU extended state of kernel/xstate.h.  With XSAVE, the host
 * runs with XCR0 holding every component offered to guests (its
 * "mask"), so that one XSAVE and one XRSTOR move a guest's whole state
 * whatever it enabled itself; the guest's own XCR0 is loaded right after
 * its state.  A component a guest did not enable is restored to its
 * initial state, so nothing of another partition survives in it.
 * Without XSAVE, FXSAVE and FXRSTOR move the x87 and SSE registers.
 */
#include "kernel/xstate.h"
#include "kernel/cpu.h"
#include "kernel/cr.h"
#include "kernel/memory.h"
#include "kernel/paging.h"
#include "kernel/vcpu.h"
#include "lib/lib.h"
#include "lib/x86.h"

/* Legacy region of an FXSAVE/XSAVE image (SDM 1 §10.5.1). */
#define FX_FCW 0    /* u16 */
#define FX_MXCSR 24 /* u32 */
#define FCW_RESET 0x037f
#define MXCSR_RESET 0x1f80

static struct vcpu *owner[MAX_CPUS]; /* whose registers each CPU holds */
static bool use_xsave;		     /* XSAVE offered to guests (xstate_init); otherwise FXSAVE */
static u64 offered;		     /* the components guests may enable, which XSAVE moves */

static inline void xsetbv(u32 index, u64 value)
{
	__asm__ volatile("xsetbv" ::"c"(index), "a"((u32)value), "d"((u32)(value >> 32))
			 : "memory");
}

static inline u64 xgetbv(u32 index)
{
	u32 lo, hi;

	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(index));
	return ((u64)hi << 32) | lo;
}

static inline void save(u8 *area)
{
	u64 m = offered;

	if (use_xsave)
		__asm__ volatile("xsave64 (%0)" ::"r"(area), "a"((u32)m), "d"((u32)(m >> 32))
				 : "memory");
	else
		__asm__ volatile("fxsave64 (%0)" ::"r"(area) : "memory");
}

static inline void restore(const u8 *area)
{
	u64 m = offered;

	if (use_xsave)
		__asm__ volatile("xrstor64 (%0)" ::"r"(area), "a"((u32)m), "d"((u32)(m >> 32))
				 : "memory");
	else
		__asm__ volatile("fxrstor64 (%0)" ::"r"(area) : "memory");
}

#define DEFINE_DR_ACCESSORS(n)                                                                     \
	static inline u64 read_dr##n(void)                                                         \
	{                                                                                          \
		u64 v;                                                                             \
		__asm__ volatile("mov %%dr" #n ", %0" : "=r"(v));                                  \
		return v;                                                                          \
	}                                                                                          \
	static inline void write_dr##n(u64 v)                                                      \
	{                                                                                          \
		__asm__ volatile("mov %0, %%dr" #n ::"r"(v));                                      \
	}
DEFINE_DR_ACCESSORS(0)
DEFINE_DR_ACCESSORS(1)
DEFINE_DR_ACCESSORS(2)
DEFINE_DR_ACCESSORS(3)
#undef DEFINE_DR_ACCESSORS

void xstate_init(bool xsave, u64 components)
{
	use_xsave = xsave;
	offered = components;
}

void xstate_cpu_init(void)
{
	/* SDM 3A §13.1: FXSAVE needs CR4.OSFXSR for the XMM registers, XSAVE CR4.OSXSAVE. */
	write_cr0((read_cr0() | CR0_MP) & ~(CR0_EM | CR0_TS));
	write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT | (use_xsave ? CR4_OSXSAVE : 0));
	if (use_xsave)
		xsetbv(0, offered);
}

int xstate_vcpu_init(struct vcpu *v)
{
	u64 f = frame_alloc_zeroed();

	if (!f)
		return -ENOMEM;
	v->xstate.area = phys_to_virt(f);
	xstate_reset(v);
	return 0;
}

/* No CPU may keep v's registers as its owner's any more. */
static void disown(struct vcpu *v)
{
	for (u32 c = 0; c < MAX_CPUS; c++)
		if (owner[c] == v)
			owner[c] = NULL;
}

void xstate_vcpu_free(struct vcpu *v)
{
	disown(v);
	if (v->xstate.area) {
		memset(v->xstate.area, 0, FRAME_SIZE);
		frame_free(&frames, virt_to_phys(v->xstate.area), 1);
		v->xstate.area = NULL;
	}
}

void xstate_reset(struct vcpu *v)
{
	u8 *a = v->xstate.area;

	/* XSTATE_BV 0 in the header: XRSTOR puts every component in its initial state. */
	memset(a, 0, FRAME_SIZE);
	*(u16 *)(a + FX_FCW) = FCW_RESET;
	*(u32 *)(a + FX_MXCSR) = MXCSR_RESET;
	v->xstate.xcr0 = use_xsave ? XFEATURE_X87 : 0;
	memset(v->xstate.dr, 0, sizeof(v->xstate.dr));
	disown(v); /* a CPU that holds its former registers loads these at its next run */
}

bool xstate_switch_to(struct vcpu *v)
{
	u32 cpu = this_cpu()->index;
	struct vcpu *old = owner[cpu];

	if (old == v)
		return false;
	/*
	 * The outgoing vCPU's XCR0 as the CPU holds it: XSETBV always exits on
	 * hardware, but QEMU 7.2 does not take SVM's XSETBV intercept, so a
	 * guest may have set it natively (the CPU checked the value).
	 */
	if (old && use_xsave)
		old->xstate.xcr0 = xgetbv(0);
	/* The whole state moves, whatever XCR0 the guest had. */
	if (use_xsave)
		xsetbv(0, offered);
	if (old) {
		save(old->xstate.area);
		old->xstate.dr[0] = read_dr0();
		old->xstate.dr[1] = read_dr1();
		old->xstate.dr[2] = read_dr2();
		old->xstate.dr[3] = read_dr3();
	}
	restore(v->xstate.area);
	if (use_xsave)
		xsetbv(0, v->xstate.xcr0);
	write_dr0(v->xstate.dr[0]);
	write_dr1(v->xstate.dr[1]);
	write_dr2(v->xstate.dr[2]);
	write_dr3(v->xstate.dr[3]);
	owner[cpu] = v;
	return true;
}

u64 xstate_xcr0(struct vcpu *v)
{
	if (use_xsave && owner[this_cpu()->index] == v)
		return xgetbv(0); /* live: see xstate_switch_to() */
	return v->xstate.xcr0;
}

int xstate_set_xcr(struct vcpu *v, u32 index, u64 value)
{
	if (!use_xsave || index != 0 || !xcr0_valid(value, offered))
		return -EPERM;
	v->xstate.xcr0 = value;
	if (owner[this_cpu()->index] == v)
		xsetbv(0, value); /* it resumes right after this exit */
	return 0;
}
