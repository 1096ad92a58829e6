/*
 * The VMX backend (SDM 3C chapters 24-29): VMXON per CPU, one VMCS per
 * vCPU with every control derived from the capability MSRs, EPT with a
 * VPID per vCPU, unrestricted guest for the Multiboot entry state, I/O
 * and MSR bitmaps that send every access to kernel/, and an exception
 * bitmap that intercepts #AC and #DB (so a guest cannot wedge the CPU
 * with an endless event-delivery loop) and #UD (for VMMCALL).
 */
#include "vmx/vmx.h"
#include "boot/boot.h"
#include "kernel/console.h"
#include "kernel/cpu.h"
#include "kernel/exit.h"
#include "kernel/memory.h"
#include "kernel/paging.h"
#include "kernel/platform.h"
#include "kernel/trap.h"
#include "kernel/virt.h"
#include "lib/lib.h"
#include "lib/x86.h"
#include "vmx/vmcs.h"

#define EXC_INTERCEPTS ((1u << EXC_DB) | (1u << EXC_UD) | (1u << EXC_AC))

/* What this CPU model allows, read once in vmx_cpu_enable(). */
static struct {
	bool true_ctls;
	u32 revision;
	u64 cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	u32 pin, proc, proc2, exit, entry;
	bool intr_window; /* interrupt-window exiting may be turned on */
	bool io_info;	  /* INS/OUTS exits say address size and segment */
	u32 timer_rate;	  /* preemption timer: one count per 2^rate TSC ticks */
	bool timer_rearm; /* the timer's count does not survive exits: set it at each entry */
	u64 invept_type;  /* 1 single-context, 2 all-context, 0 none */
	u64 io_bitmap_a, io_bitmap_b, msr_bitmap; /* shared by all vCPUs */
} caps;

static u64 vmxon_region[MAX_CPUS];

/*
 * The syscall MSRs, which the VMCS does not switch: kept per vCPU (by
 * tag) and written to the CPU only when another vCPU's values are there.
 * The host does not use SYSCALL or SWAPGS, so the guest's values may
 * stay loaded while the host runs.
 */
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_CSTAR 0xc0000083
#define MSR_SFMASK 0xc0000084

static const struct {
	enum vreg reg;
	u32 msr;
} lazy_msrs[] = {
	{ VREG_STAR, MSR_STAR },
	{ VREG_LSTAR, MSR_LSTAR },
	{ VREG_CSTAR, MSR_CSTAR },
	{ VREG_SFMASK, MSR_SFMASK },
	{ VREG_KERNEL_GS_BASE, MSR_KERNEL_GS_BASE },
};
#define LAZY_MSRS ARRAY_SIZE(lazy_msrs)

#define MAX_TAGS 576 /* partition id + 64 * vCPU index (kernel/partition.c), below 64 * 9 */
static u64 lazy[MAX_TAGS][LAZY_MSRS]; /* indexed by vCPU tag (VPID), then slot */
/* CR2 and DR6, which the VMCS does not switch either (SDM 3C §27.3, §28.3). */
static struct {
	u64 cr2, dr6;
} lazy_regs[MAX_TAGS];
static struct vcpu *msrs_loaded[MAX_CPUS];
#define DR6_RESET 0xffff0ff0ull
#define DR6_EXIT_BITS 0x600full /* B0-B3, BD, BS: in DR6 and in a #DB exit's qualification */

static inline u64 read_dr6(void)
{
	u64 v;
	__asm__ volatile("mov %%dr6, %0" : "=r"(v));
	return v;
}

static inline void write_dr6(u64 v)
{
	__asm__ volatile("mov %0, %%dr6" ::"r"(v));
}

/* Forget what tag held: the next vCPU with it starts from the reset values. */
static void lazy_reset(u32 tag)
{
	memset(lazy[tag], 0, sizeof(lazy[tag]));
	lazy_regs[tag].cr2 = 0;
	lazy_regs[tag].dr6 = DR6_RESET;
}

/* Index of r in lazy_msrs, or -1. */
static int lazy_slot(enum vreg r)
{
	for (u32 i = 0; i < LAZY_MSRS; i++)
		if (lazy_msrs[i].reg == r)
			return (int)i;
	return -1;
}

/*
 * A control value: the bits we want, plus the ones the CPU insists on
 * (allowed-0, low half), limited to the ones it allows (allowed-1, high
 * half).  SDM 3D §A.3-A.5.  Returns false when a wanted bit is missing.
 */
static bool adjust(u32 msr, u32 want, u32 *out)
{
	u64 v = rdmsr(msr);
	*out = (want | (u32)v) & (u32)(v >> 32);
	return (*out & want) == want;
}

static bool read_caps(void)
{
	u64 basic = rdmsr(MSR_VMX_BASIC);
	bool tc = basic & VMX_BASIC_TRUE_CTLS;
	u32 proc2_allowed;
	u64 ept;
	bool ok = true;

	caps.true_ctls = tc;
	caps.revision = (u32)basic & 0x7fffffffu;
	caps.cr0_fixed0 = rdmsr(MSR_VMX_CR0_FIXED0);
	caps.cr0_fixed1 = rdmsr(MSR_VMX_CR0_FIXED1);
	caps.cr4_fixed0 = rdmsr(MSR_VMX_CR4_FIXED0);
	caps.cr4_fixed1 = rdmsr(MSR_VMX_CR4_FIXED1);

	caps.io_info = basic & VMX_BASIC_IO_INFO;
	ok &= adjust(tc ? MSR_VMX_TRUE_PINBASED_CTLS : MSR_VMX_PINBASED_CTLS,
		     PIN_EXTERNAL_INTERRUPT | PIN_NMI, &caps.pin);
	/*
	 * The preemption timer ends a slice inside a guest that never exits
	 * even where the host's timer interrupt does not get it out (Bochs
	 * 2.7 with the guest's IF clear: docs/hardware.md).
	 */
	caps.pin |= PIN_PREEMPTION_TIMER &
		    vmx_allowed1(rdmsr(tc ? MSR_VMX_TRUE_PINBASED_CTLS : MSR_VMX_PINBASED_CTLS));
	caps.timer_rate = (u32)rdmsr(MSR_VMX_MISC) & VMX_MISC_TIMER_RATE;
	/* CR8 exits, so that a guest's task priority never reaches the host's LAPIC. */
	ok &= adjust(tc ? MSR_VMX_TRUE_PROCBASED_CTLS : MSR_VMX_PROCBASED_CTLS,
		     PROC_HLT | PROC_MWAIT | PROC_MONITOR | PROC_RDPMC | PROC_IO_BITMAPS |
			     PROC_MSR_BITMAPS | PROC_CR8_LOAD | PROC_CR8_STORE |
			     PROC_SECONDARY_CONTROLS,
		     &caps.proc);
	caps.intr_window =
		vmx_allowed1(rdmsr(tc ? MSR_VMX_TRUE_PROCBASED_CTLS : MSR_VMX_PROCBASED_CTLS)) &
		PROC_INTR_WINDOW;
	/* With EPT, CR3 accesses need not exit (cleared if the CPU allows). */
	caps.proc &= ~((PROC_CR3_LOAD | PROC_CR3_STORE) &
		       ~(u32)rdmsr(tc ? MSR_VMX_TRUE_PROCBASED_CTLS : MSR_VMX_PROCBASED_CTLS));
	proc2_allowed = vmx_allowed1(rdmsr(MSR_VMX_PROCBASED_CTLS2));
	caps.proc2 = PROC2_EPT | PROC2_VPID | PROC2_UNRESTRICTED_GUEST | PROC2_WBINVD |
		     (proc2_allowed & PROC2_INVPCID);
	if ((proc2_allowed & caps.proc2) != caps.proc2) {
		klog("vmx: this CPU lacks %s%s%s%s; cloison needs them to run partitions",
		     proc2_allowed & PROC2_EPT ? "" : "EPT ",
		     proc2_allowed & PROC2_VPID ? "" : "VPID ",
		     proc2_allowed & PROC2_UNRESTRICTED_GUEST ? "" : "unrestricted-guest ",
		     proc2_allowed & PROC2_WBINVD ? "" : "WBINVD-exiting");
		return false;
	}
	ept = rdmsr(MSR_VMX_EPT_VPID_CAP);
	if (!(ept & EPT_CAP_WALK_4) || !(ept & EPT_CAP_WB)) {
		klog("vmx: EPT lacks 4-level walks or write-back tables; cannot run partitions");
		return false;
	}
	if ((ept & EPT_CAP_INVEPT) && (ept & EPT_CAP_INVEPT_SINGLE))
		caps.invept_type = 1;
	else if ((ept & EPT_CAP_INVEPT) && (ept & EPT_CAP_INVEPT_ALL))
		caps.invept_type = 2;
	/*
	 * The debug controls are default settings that the TRUE control MSRs
	 * may let go: without them the guest would run on the CPU's own DR7
	 * and DEBUGCTL, and its MOV to DR7 would outlive it.
	 */
	ok &= adjust(tc ? MSR_VMX_TRUE_EXIT_CTLS : MSR_VMX_EXIT_CTLS,
		     EXIT_SAVE_DEBUG | EXIT_HOST_64BIT | EXIT_SAVE_EFER | EXIT_LOAD_EFER |
			     EXIT_SAVE_PAT | EXIT_LOAD_PAT,
		     &caps.exit);
	/* The timer's count survives exits when the CPU saves it; otherwise it is set each entry.
	 */
	if (caps.pin & PIN_PREEMPTION_TIMER)
		caps.exit |= EXIT_SAVE_PREEMPTION_TIMER &
			     vmx_allowed1(rdmsr(tc ? MSR_VMX_TRUE_EXIT_CTLS : MSR_VMX_EXIT_CTLS));
	caps.timer_rearm =
		(caps.pin & PIN_PREEMPTION_TIMER) && !(caps.exit & EXIT_SAVE_PREEMPTION_TIMER);
	ok &= adjust(tc ? MSR_VMX_TRUE_ENTRY_CTLS : MSR_VMX_ENTRY_CTLS,
		     ENTRY_LOAD_DEBUG | ENTRY_LOAD_EFER | ENTRY_LOAD_PAT, &caps.entry);
	caps.entry &= ~ENTRY_IA32E_GUEST; /* guests start in 32-bit mode */
	if (!ok)
		klog("vmx: a required VM-execution, exit or entry control is missing");
	return ok;
}

static u64 alloc_filled_frame(u8 fill)
{
	u64 f = frame_alloc_zeroed();
	if (f)
		memset(phys_to_virt(f), fill, FRAME_SIZE);
	return f;
}

/* SDM 3C §24.7: CR0/CR4 fixed bits, IA32_FEATURE_CONTROL, then VMXON. */
static int vmx_cpu_enable(void)
{
	u32 cpu = this_cpu()->index;
	u64 fc = rdmsr(MSR_IA32_FEATURE_CONTROL);
	bool failed;

	/* lab 2: let VMX be used outside SMX, through IA32_FEATURE_CONTROL */
	if (!(fc & FEATURE_CONTROL_LOCK)) {
		wrmsr(MSR_IA32_FEATURE_CONTROL,
		      fc | FEATURE_CONTROL_LOCK | FEATURE_CONTROL_VMX_OUTSIDE_SMX);
	} else if (!(fc & FEATURE_CONTROL_VMX_OUTSIDE_SMX)) {
		klog("vmx: firmware locked VT-x off; no partition can run");
		return -ENODEV;
	}
	/* lab 2: end */
	if (cpu == 0 && !read_caps())
		return -ENODEV;
	if (!caps.msr_bitmap) {
		/* All ones: every port and every MSR access exits to kernel/. */
		caps.io_bitmap_a = alloc_filled_frame(0xff);
		caps.io_bitmap_b = alloc_filled_frame(0xff);
		caps.msr_bitmap = alloc_filled_frame(0xff);
	}
	if (!vmxon_region[cpu])
		vmxon_region[cpu] = frame_alloc_zeroed();
	if (!vmxon_region[cpu] || !caps.msr_bitmap || !caps.io_bitmap_a || !caps.io_bitmap_b) {
		klog("vmx: out of memory for the VMXON region and bitmaps");
		return -ENOMEM;
	}
	/* lab 2: enter VMX operation: the VMXON region, the CR0 and CR4 fixed bits, VMXON */
	*(u32 *)phys_to_virt(vmxon_region[cpu]) = caps.revision;
	write_cr0((read_cr0() | caps.cr0_fixed0) & caps.cr0_fixed1);
	write_cr4((read_cr4() | CR4_VMXE | caps.cr4_fixed0) & caps.cr4_fixed1);
	__asm__ volatile("vmxon %1; setna %0"
			 : "=qm"(failed)
			 : "m"(vmxon_region[cpu])
			 : "cc", "memory");
	if (failed) {
		klog("vmx: VMXON failed on cpu %u", cpu);
		return -EIO;
	}
	/* lab 2: end */
	return 0;
}

/* Host state that depends on the CPU the VMCS is current on. */
static void write_host_state(void)
{
	struct percpu *c = this_cpu();
	struct PACKED {
		u16 limit;
		u64 base;
	} idtr;

	__asm__ volatile("sidt %0" : "=m"(idtr));
	vmcs_writen(VMCS_HOST_CR0, read_cr0());
	vmcs_writen(VMCS_HOST_CR3, read_cr3());
	vmcs_writen(VMCS_HOST_CR4, read_cr4());
	vmcs_write16(VMCS_HOST_CS_SEL, SEL_CODE64);
	vmcs_write16(VMCS_HOST_SS_SEL, SEL_DATA);
	vmcs_write16(VMCS_HOST_DS_SEL, SEL_DATA);
	vmcs_write16(VMCS_HOST_ES_SEL, SEL_DATA);
	vmcs_write16(VMCS_HOST_FS_SEL, 0);
	vmcs_write16(VMCS_HOST_GS_SEL, 0);
	vmcs_write16(VMCS_HOST_TR_SEL, SEL_TSS);
	vmcs_writen(VMCS_HOST_FS_BASE, 0);
	vmcs_writen(VMCS_HOST_GS_BASE, (u64)c);
	vmcs_writen(VMCS_HOST_TR_BASE, (u64)&c->tss);
	vmcs_writen(VMCS_HOST_GDTR_BASE, (u64)c->gdt);
	vmcs_writen(VMCS_HOST_IDTR_BASE, idtr.base);
	vmcs_write32(VMCS_HOST_SYSENTER_CS, 0);
	vmcs_writen(VMCS_HOST_SYSENTER_ESP, 0);
	vmcs_writen(VMCS_HOST_SYSENTER_EIP, 0);
	vmcs_write64(VMCS_HOST_EFER, rdmsr(MSR_EFER));
	vmcs_write64(VMCS_HOST_PAT, rdmsr(MSR_IA32_PAT));
	vmcs_writen(VMCS_HOST_RIP, (u64)vmx_exit_stub);
}

/* Make v's VMCS the current one on this CPU (kept in this_cpu()->vcpu_loaded). */
static void load_slow(struct vcpu *v)
{
	__asm__ volatile("vmptrld %0" ::"m"(v->vmcs_phys) : "cc", "memory");
	this_cpu()->vcpu_loaded = v;
	write_host_state();
}

static inline void load(struct vcpu *v)
{
	if (this_cpu()->vcpu_loaded != v)
		load_slow(v);
}

static u64 cr0_host_owned(void)
{
	return (caps.cr0_fixed0 | ~caps.cr0_fixed1) & ~(CR0_PE | CR0_PG);
}
static u64 cr4_host_owned(void)
{
	return caps.cr4_fixed0 | ~caps.cr4_fixed1;
}

static int vmx_vcpu_create(struct vcpu *v, u64 slat_root, u32 tag)
{
	u64 f = frame_alloc_zeroed();

	if (tag == 0 || tag >= MAX_TAGS) {
		klog("vmx: vCPU tag %u out of range", tag);
		return -EINVAL;
	}
	if (!f)
		return -ENOMEM;
	v->vmcs = phys_to_virt(f);
	v->vmcs_phys = f;
	v->id = tag;
	v->launched = false;
	*(u32 *)v->vmcs = caps.revision;
	__asm__ volatile("vmclear %0" ::"m"(v->vmcs_phys) : "cc", "memory");
	load_slow(v);

	vmcs_write32(VMCS_PIN_CONTROLS, caps.pin);
	vmcs_write32(VMCS_PROC_CONTROLS, caps.proc);
	vmcs_write32(VMCS_PROC2_CONTROLS, caps.proc2);
	vmcs_write32(VMCS_EXIT_CONTROLS, caps.exit);
	vmcs_write32(VMCS_ENTRY_CONTROLS, caps.entry);
	vmcs_write32(VMCS_EXCEPTION_BITMAP, EXC_INTERCEPTS);
	vmcs_write32(VMCS_PF_ERROR_MASK, 0);
	vmcs_write32(VMCS_PF_ERROR_MATCH, 0);
	vmcs_write32(VMCS_CR3_TARGET_COUNT, 0);
	vmcs_write32(VMCS_EXIT_MSR_STORE_COUNT, 0);
	vmcs_write32(VMCS_EXIT_MSR_LOAD_COUNT, 0);
	vmcs_write32(VMCS_ENTRY_MSR_LOAD_COUNT, 0);
	vmcs_write32(VMCS_ENTRY_INTR_INFO, 0);
	vmcs_write64(VMCS_IO_BITMAP_A, caps.io_bitmap_a);
	vmcs_write64(VMCS_IO_BITMAP_B, caps.io_bitmap_b);
	vmcs_write64(VMCS_MSR_BITMAP, caps.msr_bitmap);
	vmcs_write64(VMCS_EPT_POINTER, slat_root | EPTP_WB | EPTP_WALK_4);
	vmcs_write16(VMCS_VPID, tag);
	vmcs_writen(VMCS_CR0_MASK, cr0_host_owned());
	vmcs_writen(VMCS_CR4_MASK, cr4_host_owned());
	vmcs_write64(VMCS_LINK_POINTER, ~0ull);
	lazy_reset(tag);
	return 0;
}

static void vmx_vcpu_destroy(struct vcpu *v)
{
	for (u32 i = 0; i < MAX_CPUS; i++) {
		if (percpus[i].vcpu_loaded == v)
			percpus[i].vcpu_loaded = NULL;
		if (msrs_loaded[i] == v)
			msrs_loaded[i] = NULL;
	}
	__asm__ volatile("vmclear %0" ::"m"(v->vmcs_phys) : "cc", "memory");
	frame_free(&frames, v->vmcs_phys, 1);
	v->vmcs = NULL;
	v->vmcs_phys = 0;
}

static void set_cr0(u64 value)
{
	vmcs_writen(VMCS_CR0_SHADOW, value);
	vmcs_writen(VMCS_GUEST_CR0,
		    (value | (caps.cr0_fixed0 & ~(CR0_PE | CR0_PG))) & caps.cr0_fixed1);
}

static void set_cr4(u64 value)
{
	vmcs_writen(VMCS_CR4_SHADOW, value);
	vmcs_writen(VMCS_GUEST_CR4, (value | caps.cr4_fixed0) & caps.cr4_fixed1);
}

/* Flat 4 GiB segments, as Multiboot promises (spec §3.2). */
#define AR_CODE32 0xc09bu /* G, D, P, S, type 11 (execute/read, accessed) */
#define AR_DATA32 0xc093u /* G, D, P, S, type 3 (read/write, accessed) */
#define AR_TSS_BUSY 0x008bu
#define AR_CODE16 0x009bu /* P, S, type 11: a real-mode code segment */
#define AR_DATA16 0x0093u /* P, S, type 3: a real-mode data segment */

/* Real mode, as a STARTUP IPI leaves the CPU (unrestricted guest, SDM 3C §26.3.1.2). */
static void reset_real(const struct vcpu_boot_state *s, const u32 (*data_fields)[4], u32 n)
{
	for (u32 i = 0; i < n; i++) {
		vmcs_write(data_fields[i][0], 0);
		vmcs_write(data_fields[i][1], 0xffff);
		vmcs_write(data_fields[i][2], AR_DATA16);
		vmcs_write(data_fields[i][3], 0);
	}
	vmcs_write16(VMCS_GUEST_CS_SEL, s->cs);
	vmcs_write32(VMCS_GUEST_CS_LIMIT, 0xffff);
	vmcs_write32(VMCS_GUEST_CS_AR, AR_CODE16);
	vmcs_writen(VMCS_GUEST_CS_BASE, (u64)s->cs << 4);
	vmcs_write32(VMCS_GUEST_GDTR_LIMIT, 0xffff);
	vmcs_writen(VMCS_GUEST_GDTR_BASE, 0);
	vmcs_write32(VMCS_GUEST_IDTR_LIMIT, 0xffff);
	set_cr0(CR0_ET);
}

static void vmx_vcpu_reset(struct vcpu *v, const struct vcpu_boot_state *s)
{
	static const struct {
		u32 limit, ar;
		u64 base;
	} data = { 0xffffffffu, AR_DATA32, 0 }; /* the selector is the boot state's */
	static const u32 data_fields[][4] = {
		{ VMCS_GUEST_ES_SEL, VMCS_GUEST_ES_LIMIT, VMCS_GUEST_ES_AR, VMCS_GUEST_ES_BASE },
		{ VMCS_GUEST_SS_SEL, VMCS_GUEST_SS_LIMIT, VMCS_GUEST_SS_AR, VMCS_GUEST_SS_BASE },
		{ VMCS_GUEST_DS_SEL, VMCS_GUEST_DS_LIMIT, VMCS_GUEST_DS_AR, VMCS_GUEST_DS_BASE },
		{ VMCS_GUEST_FS_SEL, VMCS_GUEST_FS_LIMIT, VMCS_GUEST_FS_AR, VMCS_GUEST_FS_BASE },
		{ VMCS_GUEST_GS_SEL, VMCS_GUEST_GS_LIMIT, VMCS_GUEST_GS_AR, VMCS_GUEST_GS_BASE },
	};

	if (v->launched) {
		/* Back to the clear launch state, so that VMLAUNCH is right again (SDM 3C
		 * §25.11.3). */
		__asm__ volatile("vmclear %0" ::"m"(v->vmcs_phys) : "cc", "memory");
		load_slow(v);
	}
	load(v);
	memset(&v->regs, 0, sizeof(v->regs));
	v->regs.rax = s->eax;
	v->regs.rbx = s->ebx;
	v->regs.rsi = s->esi;
	/* lab 3: the guest-state area for the Multiboot entry state */
	for (u32 i = 0; i < ARRAY_SIZE(data_fields); i++) {
		vmcs_write(data_fields[i][0], vcpu_boot_ds(s));
		vmcs_write(data_fields[i][1], data.limit);
		vmcs_write(data_fields[i][2], data.ar);
		vmcs_write(data_fields[i][3], data.base);
	}
	vmcs_write16(VMCS_GUEST_CS_SEL, vcpu_boot_cs(s));
	vmcs_write32(VMCS_GUEST_CS_LIMIT, 0xffffffffu);
	vmcs_write32(VMCS_GUEST_CS_AR, AR_CODE32);
	vmcs_writen(VMCS_GUEST_CS_BASE, 0);
	vmcs_write16(VMCS_GUEST_LDTR_SEL, 0);
	vmcs_write32(VMCS_GUEST_LDTR_LIMIT, 0);
	vmcs_write32(VMCS_GUEST_LDTR_AR, VMX_AR_UNUSABLE);
	vmcs_writen(VMCS_GUEST_LDTR_BASE, 0);
	vmcs_write16(VMCS_GUEST_TR_SEL, 0);
	vmcs_write32(VMCS_GUEST_TR_LIMIT, 0xff);
	vmcs_write32(VMCS_GUEST_TR_AR, AR_TSS_BUSY);
	vmcs_writen(VMCS_GUEST_TR_BASE, 0);
	vmcs_write32(VMCS_GUEST_GDTR_LIMIT, s->gdt_limit);
	vmcs_writen(VMCS_GUEST_GDTR_BASE, s->gdt_base);
	vmcs_write32(VMCS_GUEST_IDTR_LIMIT, 0);
	vmcs_writen(VMCS_GUEST_IDTR_BASE, 0);

	set_cr0(CR0_PE | CR0_ET);
	vmcs_writen(VMCS_GUEST_CR3, 0);
	set_cr4(0);
	vmcs_writen(VMCS_GUEST_DR7, 0x400);
	vmcs_write64(VMCS_GUEST_DEBUGCTL, 0);
	vmcs_write64(VMCS_GUEST_EFER, 0);
	vmcs_write64(VMCS_GUEST_PAT, 0x0007040600070406ull); /* the reset value */
	vmcs_write32(VMCS_ENTRY_CONTROLS, caps.entry);
	vmcs_write32(VMCS_PROC_CONTROLS, caps.proc); /* no interrupt window asked */
	vmcs_write32(VMCS_ENTRY_INTR_INFO, 0);
	vmcs_writen(VMCS_GUEST_RSP, 0);
	vmcs_writen(VMCS_GUEST_RIP, s->eip);
	vmcs_writen(VMCS_GUEST_RFLAGS, 0x2);
	vmcs_write32(VMCS_GUEST_INTERRUPTIBILITY, 0);
	vmcs_write32(VMCS_GUEST_ACTIVITY, 0);
	vmcs_writen(VMCS_GUEST_PENDING_DBG, 0);
	vmcs_write32(VMCS_GUEST_SYSENTER_CS, 0);
	vmcs_writen(VMCS_GUEST_SYSENTER_ESP, 0);
	vmcs_writen(VMCS_GUEST_SYSENTER_EIP, 0);
	/* lab 3: end */
	if (s->real)
		reset_real(s, data_fields, ARRAY_SIZE(data_fields));
	lazy_reset(v->id);
	v->tpr = 0;
	if (msrs_loaded[this_cpu()->index] == v)
		msrs_loaded[this_cpu()->index] = NULL; /* reload its zeroed MSRs at its next run */
	/*
	 * Leave the VMCS clear and current nowhere: the CPU that runs it next
	 * may be another one, and a VMCS must be active on one CPU at a time
	 * (SDM 3C §25.11.1).  Its first run loads it again.
	 */
	__asm__ volatile("vmclear %0" ::"m"(v->vmcs_phys) : "cc", "memory");
	this_cpu()->vcpu_loaded = NULL;
	v->launched = false;
}

/*
 * Before the first VMLAUNCH of the current VMCS: drop the guest-physical
 * translations this CPU may hold under its EPTP.  They are tagged by the
 * EPT root alone, not by VPID (SDM 3C §29.4), and a partition started
 * after another stopped may get that one's freed root frame.
 */
static void forget_guest_physical(void)
{
	struct {
		u64 eptp, zero;
	} desc = { vmcs_read64(VMCS_EPT_POINTER), 0 };

	if (caps.invept_type)
		__asm__ volatile("invept %0, %1" ::"m"(desc), "r"(caps.invept_type)
				 : "cc", "memory");
}

static void load_lazy_msrs(struct vcpu *v)
{
	u32 cpu = this_cpu()->index;
	struct vcpu *old = msrs_loaded[cpu];

	if (old == v)
		return;
	/*
	 * SWAPGS changes KERNEL_GS_BASE without an exit, a page fault CR2 and
	 * a debug exception DR6: keep the outgoing vCPU's values.
	 */
	if (old) {
		lazy[old->id][lazy_slot(VREG_KERNEL_GS_BASE)] = rdmsr(MSR_KERNEL_GS_BASE);
		lazy_regs[old->id].cr2 = read_cr2();
		lazy_regs[old->id].dr6 = read_dr6();
	}
	/* Only values msr.c checked, or the reset values, are here: WRMSR cannot fault. */
	for (u32 i = 0; i < LAZY_MSRS; i++)
		wrmsr(lazy_msrs[i].msr, lazy[v->id][i]);
	write_cr2(lazy_regs[v->id].cr2);
	write_dr6(lazy_regs[v->id].dr6);
	msrs_loaded[cpu] = v;
}

static void decode_io(struct vm_exit *e, u64 q)
{
	/* SDM 3C table 28-5: size-1 in bits 2:0, IN in bit 3, string 4, REP 5, port 31:16. */
	e->kind = EXIT_IO;
	e->io.size = (u8)((q & 7) + 1);
	e->io.in = q & (1u << 3);
	e->io.string = q & (1u << 4);
	e->io.rep = q & (1u << 5);
	e->io.port = (u16)(q >> 16);
	e->io.asize = 0;
	e->io.seg = SEG_NONE;
	if (e->io.string && caps.io_info) {
		/* SDM 3C table 28-8: address size in bits 9:7 (0 = 16-bit), segment in 17:15. */
		u32 info = vmcs_read32(VMCS_EXIT_INSTR_INFO);
		e->io.asize = (u8)(2u << ((info >> 7) & 3));
		e->io.seg = (u8)((info >> 15) & 7);
	}
}

static void decode_cr(struct vm_exit *e, u64 q)
{
	/* SDM 3C table 28-3: CR in bits 3:0, access type 5:4, register 11:8, LMSW data 31:16. */
	e->kind = EXIT_CR_ACCESS;
	e->cr.cr = (u8)(q & 15);
	e->cr.type = (u8)((q >> 4) & 3);
	e->cr.gpr = (u8)((q >> 8) & 15);
	e->cr.lmsw = (u16)(q >> 16);
	e->cr.reexecute = true; /* only the read shadow need change */
}

/* The event an exit cut short, if any (bit 31 set); see requeue_cut_event(). */
static u32 idt_vectoring(void)
{
	return vmcs_read32(VMCS_IDT_VECTORING_INFO);
}

/*
 * Decode an exit into e.  Returns the IDT-vectoring information (SDM 3C
 * §28.2.4) for the exits that can come while an event is delivered, and
 * 0 for those caused by an instruction, which cannot: the field is not
 * read on the path of the commonest exits.
 */
static u32 decode(struct vcpu *v, u32 reason, struct vm_exit *e)
{
	u32 basic = reason & 0xffff;
	u64 q;
	u32 info, cut;

	e->raw_code = reason;
	e->insn_len = vmcs_read32(VMCS_EXIT_INSTR_LEN);
	if (reason & VMX_EXIT_REASON_ENTRY_FAILURE) {
		vmx_explain_entry_failure(v, false, reason);
		e->kind = EXIT_ENTRY_FAILED;
		return 0;
	}
	switch (basic) {
	case VMX_EXIT_EXCEPTION_NMI:
		info = vmcs_read32(VMCS_EXIT_INTR_INFO);
		if (((info >> INTR_INFO_TYPE_SHIFT) & 7) == INTR_TYPE_NMI) {
			e->kind = EXIT_INTERRUPT;
			__asm__ volatile("int $2"); /* hand the NMI to the host's handler */
			return idt_vectoring();
		}
		e->kind = EXIT_EXCEPTION;
		e->exc.vector = (u8)(info & INTR_INFO_VECTOR);
		e->exc.has_error = info & INTR_INFO_HAS_ERROR;
		e->exc.error = e->exc.has_error ? vmcs_read32(VMCS_EXIT_INTR_ERROR) : 0;
		/* A #DB exit leaves DR6 alone; the qualification has its bits (SDM 3C §28.2.1). */
		e->exc.dr6 = e->exc.vector == EXC_DB
				     ? (u32)vmcs_readn(VMCS_EXIT_QUALIFICATION) & DR6_EXIT_BITS
				     : 0;
		return idt_vectoring();
	case VMX_EXIT_EXTERNAL_INTERRUPT:
	case VMX_EXIT_PREEMPTION_TIMER: /* the slice is over: as the timer interrupt says */
		e->kind = EXIT_INTERRUPT;
		return idt_vectoring();
	case VMX_EXIT_TRIPLE_FAULT:
		e->kind = EXIT_TRIPLE_FAULT;
		return idt_vectoring();
	case VMX_EXIT_CPUID:
		e->kind = EXIT_CPUID;
		return 0;
	case VMX_EXIT_HLT:
		e->kind = EXIT_HLT;
		return 0;
	case VMX_EXIT_INTERRUPT_WINDOW:
		e->kind = EXIT_INTR_WINDOW;
		return 0;
	case VMX_EXIT_INVD:
	case VMX_EXIT_WBINVD:
		e->kind = EXIT_CACHE_FLUSH;
		return 0;
	case VMX_EXIT_XSETBV:
		e->kind = EXIT_XSETBV;
		return 0;
	case VMX_EXIT_CR_ACCESS:
		decode_cr(e, vmcs_readn(VMCS_EXIT_QUALIFICATION));
		return 0;
	case VMX_EXIT_VMCALL:
		e->kind = EXIT_HYPERCALL;
		return 0;
	case VMX_EXIT_GETSEC:
	case VMX_EXIT_VMCLEAR ... VMX_EXIT_VMXON:
	case VMX_EXIT_INVEPT:
	case VMX_EXIT_INVVPID:
	case VMX_EXIT_VMFUNC:
	case VMX_EXIT_MONITOR:
	case VMX_EXIT_MWAIT:
		e->kind = EXIT_ABSENT_INSN;
		return 0;
	case VMX_EXIT_RDPMC:
		e->kind = EXIT_RDPMC;
		return 0;
	case VMX_EXIT_IO:
		decode_io(e, vmcs_readn(VMCS_EXIT_QUALIFICATION));
		return 0;
	case VMX_EXIT_RDMSR:
	case VMX_EXIT_WRMSR:
		e->kind = basic == VMX_EXIT_RDMSR ? EXIT_MSR_READ : EXIT_MSR_WRITE;
		e->msr = (u32)v->regs.rcx;
		return 0;
	case VMX_EXIT_EPT_VIOLATION:
		q = vmcs_readn(VMCS_EXIT_QUALIFICATION);
		e->kind = EXIT_SLAT_VIOLATION;
		e->slat.gpa = vmcs_read64(VMCS_GUEST_PHYSICAL_ADDRESS);
		e->slat.read = q & 1;
		e->slat.write = q & 2;
		e->slat.fetch = q & 4;
		/* SDM 3C table 28-7: bit 7, the linear address is valid; bit 8, it was translated.
		 */
		cut = idt_vectoring();
		e->slat.data = (q & 0x180) == 0x180 && !(cut & INTR_INFO_VALID);
		return cut;
	default: /* a task switch through the IDT, among others */
		e->kind = EXIT_UNHANDLED;
		return idt_vectoring();
	}
}

/* Step over the instruction that exited. */
static void advance(struct vcpu *v, u32 len)
{
	u32 blocking = vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY);

	vmcs_writen(VMCS_GUEST_RIP, exit_next_rip(v, vmcs_readn(VMCS_GUEST_RIP), len));
	/* Blocking by STI and by MOV SS ends with the instruction (SDM 3C §25.4.2). */
	if (blocking & 3)
		vmcs_write32(VMCS_GUEST_INTERRUPTIBILITY, blocking & ~3u);
}

/* Let the preemption timer end the guest's slice at this CPU's slice_end. */
static void arm_preemption_timer(void)
{
	s64 left = (s64)(this_cpu_read(slice_end) - rdtsc());

	if (caps.pin & PIN_PREEMPTION_TIMER)
		vmcs_write32(VMCS_PREEMPTION_TIMER,
			     left <= 0 ? 0 : MIN((u64)left >> caps.timer_rate, 0xffffffffull));
}

/*
 * An event whose delivery the exit cut short (the IDT-vectoring
 * information, SDM 3C §28.2.4) is not lost: an external interrupt waits
 * again in pending_irq; a hardware exception is injected again at the
 * next entry (every exit clears the entry's interruption field); an NMI
 * cloison never injects, and an INT n, INT3 or INTO runs again, RIP
 * still on it.  Called before the exit's handler, while v is surely
 * alive: an action of EXIT_STOP may also mean only that the slice ended
 * at this exit, and the event must survive that.  A handler that injects
 * an exception of its own overwrites the one put back here.
 */
static void requeue_cut_event(struct vcpu *v, u32 info)
{
	u32 type = (info >> INTR_INFO_TYPE_SHIFT) & 7;

	if (type == INTR_TYPE_EXTERNAL) {
		/* vmx_exit() offers it once the handler is done, or kernel/sched.c's run(). */
		v->cut_irq =
			VIRQ_PENDING | (u8)info; /* its own slot: the device took it as given */
	} else if (type == INTR_TYPE_HW_EXCEPTION) {
		if (info & INTR_INFO_HAS_ERROR)
			vmcs_write32(VMCS_ENTRY_EXCEPTION_ERROR,
				     vmcs_read32(VMCS_IDT_VECTORING_ERROR));
		vmcs_write32(VMCS_ENTRY_INTR_INFO, info & ~(1u << 12)); /* bit 12: undefined here */
	}
}

bool vmx_exit(struct vcpu *v)
{
	struct vm_exit e;
	u32 action, cut;

	v->launched = true;
	cut = decode(v, vmcs_read32(VMCS_EXIT_REASON), &e);
	if (cut & INTR_INFO_VALID)
		requeue_cut_event(v, cut);
	action = exit_handle(v, &e);
	if ((action & EXIT_RESUME) && ((cut & INTR_INFO_VALID) || v->irq_check))
		platform_deliver(v); /* the interrupt put back, a device's, or a window */
	if (action & EXIT_ADVANCE)
		advance(v, e.insn_len);
	if (caps.timer_rearm && (action & EXIT_RESUME))
		arm_preemption_timer();
	return action & EXIT_RESUME;
}

static void vmx_vcpu_run(struct vcpu *v)
{
	struct vm_exit e = { .kind = EXIT_ENTRY_FAILED };

	load(v);
	load_lazy_msrs(v);
	v->last_cpu = this_cpu()->index;
	if (!v->launched)
		forget_guest_physical();
	arm_preemption_timer();
	if (vmx_enter(v, v->launched)) {
		vmx_explain_entry_failure(v, true, 0);
		e.raw_code = vmcs_read32(VMCS_INSTRUCTION_ERROR);
		exit_handle(v, &e);
	}
}

/* raw_code is the exit reason, or the VM-instruction error when VMLAUNCH/VMRESUME failed. */
static const char *vmx_exit_name(const struct vm_exit *e)
{
	if (e->kind == EXIT_ENTRY_FAILED && !(e->raw_code & VMX_EXIT_REASON_ENTRY_FAILURE))
		return "VMLAUNCH/VMRESUME failed";
	return vmx_exit_reason_name((u32)e->raw_code & 0xffff);
}

static u64 vmx_get(struct vcpu *v, enum vreg r)
{
	int slot;

	load(v);
	switch (r) {
	case VREG_RIP:
		return vmcs_readn(VMCS_GUEST_RIP);
	case VREG_RSP:
		return vmcs_readn(VMCS_GUEST_RSP);
	case VREG_RFLAGS:
		return vmcs_readn(VMCS_GUEST_RFLAGS);
	case VREG_CR0:
		return (vmcs_readn(VMCS_GUEST_CR0) & ~cr0_host_owned()) |
		       (vmcs_readn(VMCS_CR0_SHADOW) & cr0_host_owned());
	case VREG_CR3:
		return vmcs_readn(VMCS_GUEST_CR3);
	case VREG_CR4:
		return (vmcs_readn(VMCS_GUEST_CR4) & ~cr4_host_owned()) |
		       (vmcs_readn(VMCS_CR4_SHADOW) & cr4_host_owned());
	case VREG_EFER:
		return vmcs_read64(VMCS_GUEST_EFER);
	case VREG_CS_BASE:
		return vmcs_readn(VMCS_GUEST_CS_BASE);
	case VREG_CS_SEL:
		return vmcs_read16(VMCS_GUEST_CS_SEL);
	case VREG_CS_ATTR:
		return vmcs_read32(VMCS_GUEST_CS_AR);
	case VREG_CPL: /* SS.DPL (SDM 3C §25.4.1) */
		return (vmcs_read32(VMCS_GUEST_SS_AR) >> 5) & 3;
	case VREG_TPR:
		return v->tpr;
	case VREG_DR6: /* live while v's registers are on this CPU (load_lazy_msrs) */
		return msrs_loaded[this_cpu()->index] == v ? read_dr6() : lazy_regs[v->id].dr6;
	case VREG_CR2: /* the same */
		return msrs_loaded[this_cpu()->index] == v ? read_cr2() : lazy_regs[v->id].cr2;
	case VREG_ES_BASE:
		return vmcs_readn(VMCS_GUEST_ES_BASE);
	case VREG_SS_BASE:
		return vmcs_readn(VMCS_GUEST_SS_BASE);
	case VREG_DS_BASE:
		return vmcs_readn(VMCS_GUEST_DS_BASE);
	case VREG_FS_BASE:
		return vmcs_readn(VMCS_GUEST_FS_BASE);
	case VREG_GS_BASE:
		return vmcs_readn(VMCS_GUEST_GS_BASE);
	case VREG_SYSENTER_CS:
		return vmcs_read32(VMCS_GUEST_SYSENTER_CS);
	case VREG_SYSENTER_ESP:
		return vmcs_readn(VMCS_GUEST_SYSENTER_ESP);
	case VREG_SYSENTER_EIP:
		return vmcs_readn(VMCS_GUEST_SYSENTER_EIP);
	case VREG_PAT:
		return vmcs_read64(VMCS_GUEST_PAT);
	default:
		slot = lazy_slot(r);
		if (slot < 0)
			return 0;
		if (msrs_loaded[this_cpu()->index] == v) /* live: SWAPGS may have changed it */
			return rdmsr(lazy_msrs[slot].msr);
		return lazy[v->id][slot];
	}
}

/*
 * CR0.PE is never host-owned (cr0_host_owned()), so the VMCS has the
 * guest's; the CPL is SS.DPL (SDM 3C §25.4.1), 3 in virtual-8086 mode.
 */
static enum guest_mode vmx_mode(struct vcpu *v, u32 *cpl)
{
	load(v);
	if (vmcs_readn(VMCS_GUEST_RFLAGS) & RFLAGS_VM)
		*cpl = 3;
	else
		*cpl = (vmcs_read32(VMCS_GUEST_SS_AR) >> 5) & 3;
	return guest_mode_of(vmcs_readn(VMCS_GUEST_CR0), vmcs_read64(VMCS_GUEST_EFER),
			     vmcs_read32(VMCS_GUEST_CS_AR));
}

static void vmx_set(struct vcpu *v, enum vreg r, u64 value)
{
	int slot;

	load(v);
	switch (r) {
	case VREG_RIP:
		vmcs_writen(VMCS_GUEST_RIP, value);
		break;
	case VREG_RSP:
		vmcs_writen(VMCS_GUEST_RSP, value);
		break;
	case VREG_RFLAGS:
		vmcs_writen(VMCS_GUEST_RFLAGS, value);
		break;
	case VREG_CR0:
		set_cr0(value);
		break;
	case VREG_CR0_SHADOW:
		vmcs_writen(VMCS_CR0_SHADOW, value);
		break;
	case VREG_TPR:
		v->tpr = (u8)(value & 15);
		break;
	case VREG_DR6:
		lazy_regs[v->id].dr6 = value;
		if (msrs_loaded[this_cpu()->index] == v)
			write_dr6(value);
		break;
	case VREG_CR2:
		lazy_regs[v->id].cr2 = value;
		if (msrs_loaded[this_cpu()->index] == v)
			write_cr2(value);
		break;
	case VREG_CR3:
		vmcs_writen(VMCS_GUEST_CR3, value);
		break;
	case VREG_CR4:
		set_cr4(value);
		break;
	case VREG_EFER:
		vmcs_write64(VMCS_GUEST_EFER, value);
		vmcs_write32(VMCS_ENTRY_CONTROLS,
			     (vmcs_read32(VMCS_ENTRY_CONTROLS) & ~ENTRY_IA32E_GUEST) |
				     ((value & EFER_LMA) ? ENTRY_IA32E_GUEST : 0));
		break;
	case VREG_FS_BASE:
		vmcs_writen(VMCS_GUEST_FS_BASE, value);
		break;
	case VREG_GS_BASE:
		vmcs_writen(VMCS_GUEST_GS_BASE, value);
		break;
	case VREG_SYSENTER_CS:
		vmcs_write32(VMCS_GUEST_SYSENTER_CS, value);
		break;
	case VREG_SYSENTER_ESP:
		vmcs_writen(VMCS_GUEST_SYSENTER_ESP, value);
		break;
	case VREG_SYSENTER_EIP:
		vmcs_writen(VMCS_GUEST_SYSENTER_EIP, value);
		break;
	case VREG_PAT:
		vmcs_write64(VMCS_GUEST_PAT, value);
		break;
	default:
		slot = lazy_slot(r);
		if (slot < 0)
			break;
		lazy[v->id][slot] = value;
		if (msrs_loaded[this_cpu()->index] == v)
			wrmsr(lazy_msrs[slot].msr, value); /* the guest resumes without a reload */
		break;
	}
}

/*
 * An external interrupt is taken only above the guest's task priority
 * (SDM 3A §11.8.3.1), with RFLAGS.IF set, no STI or MOV SS blocking and
 * no other event being injected (SDM 3C §26.3.1.5, §27.6); otherwise
 * exit as soon as the guest can take it.
 */
static bool vmx_inject_interrupt(struct vcpu *v, u8 vector)
{
	u32 proc;

	load(v);
	proc = vmcs_read32(VMCS_PROC_CONTROLS);
	/*
	 * Held below the guest's task priority, with no window (it would exit
	 * at every instruction): its next CR8 or TPR write, which exits, retries.
	 */
	if ((vector >> 4) <= v->tpr) {
		vmcs_write32(VMCS_PROC_CONTROLS, proc & ~PROC_INTR_WINDOW);
		return false;
	}
	if ((vmcs_readn(VMCS_GUEST_RFLAGS) & RFLAGS_IF) &&
	    !(vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY) & 3u) &&
	    !(vmcs_read32(VMCS_ENTRY_INTR_INFO) & INTR_INFO_VALID)) {
		vmcs_write32(VMCS_ENTRY_INTR_INFO,
			     INTR_INFO_VALID | (INTR_TYPE_EXTERNAL << INTR_INFO_TYPE_SHIFT) |
				     vector);
		vmcs_write32(VMCS_PROC_CONTROLS, proc & ~PROC_INTR_WINDOW);
		return true;
	}
	if (caps.intr_window)
		vmcs_write32(VMCS_PROC_CONTROLS, proc | PROC_INTR_WINDOW);
	return false;
}

static void vmx_close_window(struct vcpu *v)
{
	load(v);
	vmcs_write32(VMCS_PROC_CONTROLS, vmcs_read32(VMCS_PROC_CONTROLS) & ~PROC_INTR_WINDOW);
}

static void vmx_inject_exception(struct vcpu *v, u8 vector, bool has_error, u32 error)
{
	load(v);
	vmcs_write32(VMCS_ENTRY_INTR_INFO,
		     INTR_INFO_VALID | (INTR_TYPE_HW_EXCEPTION << INTR_INFO_TYPE_SHIFT) |
			     (has_error ? INTR_INFO_HAS_ERROR : 0) | vector);
	vmcs_write32(VMCS_ENTRY_EXCEPTION_ERROR, error);
}

/* INVVPID single-context (type 1), SDM 3C §31.3. */
static void vmx_flush_slat(struct vcpu *v)
{
	struct {
		u64 vpid, addr;
	} desc = { v->id, 0 };
	__asm__ volatile("invvpid %0, %1" ::"m"(desc), "r"(1ull) : "cc", "memory");
}

static void vmx_dump(struct vcpu *v)
{
	load(v);
	klog("  cr0=%08llx cr3=%08llx cr4=%08llx efer=%llx cs=%04x/%05x",
	     (unsigned long long)vmx_get(v, VREG_CR0), (unsigned long long)vmx_get(v, VREG_CR3),
	     (unsigned long long)vmx_get(v, VREG_CR4), (unsigned long long)vmx_get(v, VREG_EFER),
	     vmcs_read16(VMCS_GUEST_CS_SEL), vmcs_read32(VMCS_GUEST_CS_AR));
	klog("  exit qualification=%llx interruption info=%x idt-vectoring info=%x",
	     (unsigned long long)vmcs_readn(VMCS_EXIT_QUALIFICATION),
	     vmcs_read32(VMCS_EXIT_INTR_INFO), vmcs_read32(VMCS_IDT_VECTORING_INFO));
}

/* SDM 3D §A.8: a CR4 bit clear in IA32_VMX_CR4_FIXED1 must be 0 in VMX operation. */
static u64 vmx_guest_cr4(void)
{
	return rdmsr(MSR_VMX_CR4_FIXED1);
}

static bool vmx_slice_timer(void)
{
	return caps.pin & PIN_PREEMPTION_TIMER;
}

const struct virt_ops vmx_ops = {
	.name = "vmx",
	.detect = vmx_detect,
	.report = vmx_report,
	.cpu_enable = vmx_cpu_enable,
	.guest_cr4 = vmx_guest_cr4,
	.slice_timer = vmx_slice_timer,
	.vcpu_create = vmx_vcpu_create,
	.vcpu_destroy = vmx_vcpu_destroy,
	.vcpu_reset = vmx_vcpu_reset,
	.vcpu_run = vmx_vcpu_run,
	.get = vmx_get,
	.set = vmx_set,
	.mode = vmx_mode,
	.inject_interrupt = vmx_inject_interrupt,
	.close_window = vmx_close_window,
	.inject_exception = vmx_inject_exception,
	.flush_slat = vmx_flush_slat,
	.exit_name = vmx_exit_name,
	.dump = vmx_dump,
	.slat = &vmx_ept_format,
};
