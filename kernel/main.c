/*
 * kmain: the hypervisor's init sequence, in the order a reader should
 * follow it.  boot/entry.S calls it on the boot CPU in long mode.
 *
 *   console -> CPU tables (so faults are reported) -> boot information
 *   -> options -> ACPI -> memory -> LAPIC mode -> paging -> LAPIC and
 *   timers -> other CPUs -> what the CPU can virtualize -> VMX/SVM on
 *   -> one partition per GRUB module -> run them (sched.c)
 */
#include "drivers/acpi.h"
#include "drivers/cmos.h"
#include "drivers/ioapic.h"
#include "drivers/lapic.h"
#include "drivers/power.h"
#include "drivers/timer.h"
#include "kernel/console.h"
#include "kernel/cpu.h"
#include "kernel/cpuid.h"
#include "kernel/exit.h"
#include "kernel/mb2.h"
#include "kernel/memory.h"
#include "kernel/options.h"
#include "kernel/paging.h"
#include "kernel/panic.h"
#include "kernel/partition.h"
#include "kernel/platform.h"
#include "kernel/sched.h"
#include "kernel/smp.h"
#include "kernel/spec.h"
#include "kernel/trap.h"
#include "kernel/virt.h"
#include "kernel/watchdog.h"
#include "kernel/xstate.h"
#include "lib/lib.h"
#include "lib/x86.h"

#define PIC1_DATA 0x21
#define PIC2_DATA 0xa1

extern const char _image_start_phys[], _image_end_phys[];

struct boot_info boot_info;
#define WALL_CLOCK_FALLBACK 1767225600ull /* 2026-01-01 00:00:00 UTC */

static struct hv_options options;
static u8 bsp_ist[3 * IST_STACK_SIZE] __attribute__((aligned(16)));

static void selftest_panic(void)
{
	klog("selftest: faulting on purpose to test the panic path");
	*(volatile u64 *)0xdead000000000000ull = 1; /* non-canonical: #GP */
}

/*
 * selftest=bad_entry: a guest CR0 that both vendors must refuse, so the
 * first entry of the first partition fails and the explainer runs.
 * PG set with PE clear is refused by VMX even with unrestricted guest
 * (SDM 3C §27.3.1.1), and the VMX backend's fixed-bit adjustment leaves
 * PE and PG as given.  SVM takes PG without PE as paged real mode, so NW
 * set with CD clear is there for it (APM Vol. 2 §15.5.1).
 */
#define SELFTEST_BAD_CR0 (CR0_PG | CR0_NW | CR0_ET)
/*
 * selftest=bad_control: a hardware exception with vector 32, which names
 * no exception.  VMX refuses the VM-entry interruption-information field,
 * so VMLAUNCH fails with VM-instruction error 7 (SDM 3C §27.2.1.3); SVM
 * refuses EVENTINJ with VMEXIT_INVALID (APM Vol. 2 §15.20).
 */
#define SELFTEST_BAD_VECTOR 32

/* Spoil the first partition's next entry as the selftest options ask. */
static void selftest_spoil_entry(const struct hv_options *o)
{
	struct partition *p = NULL;

	for (u32 i = 0; i < MAX_PARTITIONS && !p; i++)
		if (partitions[i].state == PARTITION_RUNNABLE)
			p = &partitions[i];
	if (!p) {
		klog("selftest: no partition to spoil");
		return;
	}
	if (o->selftest_bad_entry) {
		klog("selftest: partition %s gets guest CR0 0x%llx, which no CPU may enter",
		     p->cfg.name, (unsigned long long)SELFTEST_BAD_CR0);
		virt->set(&p->vcpus[0], VREG_CR0, SELFTEST_BAD_CR0);
	}
	if (o->selftest_bad_control) {
		klog("selftest: partition %s gets exception vector %u to inject, which no CPU "
		     "may deliver",
		     p->cfg.name, SELFTEST_BAD_VECTOR);
		virt->inject_exception(&p->vcpus[0], SELFTEST_BAD_VECTOR, false, 0);
	}
}

/*
 * selftest=dirty: write a pattern over every free frame, as memory a
 * previous OS or the firmware left behind could hold, so that a
 * partition's scan of its fresh RAM shows whether cloison zeroed it
 * (tests/boot/scrub.scenario).
 */
static void selftest_dirty_free(void)
{
	for (u64 f = 0; f < frames.nframes; f++)
		if (frame_is_free(&frames, f * FRAME_SIZE))
			memset(phys_to_virt(f * FRAME_SIZE), 0xa5, FRAME_SIZE);
	klog("selftest: every free frame holds 0xa5 bytes");
}

/*
 * selftest=switch: what the registers of one partition switch cost,
 * timed on the boot CPU before any partition runs.  Two scratch vCPUs
 * take turns, switched as kernel/sched.c's run() switches partitions
 * (xstate_switch_to(), then spec_switch()); the first, untimed switch
 * has nothing to save.  docs/benchmarks.md uses the figure.
 */
#define SELFTEST_SWITCHES 64

static void selftest_switch_cost(void)
{
	static struct vcpu scratch[2];
	u32 t[SELFTEST_SWITCHES];

	if (xstate_vcpu_init(&scratch[0]) < 0 || xstate_vcpu_init(&scratch[1]) < 0) {
		klog("selftest: switch: no frame for the scratch vCPUs");
		goto out;
	}
	xstate_switch_to(&scratch[1]);
	for (u32 i = 0; i < SELFTEST_SWITCHES; i++) {
		u64 t0 = rdtsc();

		if (xstate_switch_to(&scratch[i & 1]))
			spec_switch();
		t[i] = (u32)(rdtsc() - t0);
	}
	for (u32 i = 1; i < SELFTEST_SWITCHES; i++) /* insertion sort, for the median */
		for (u32 j = i; j > 0 && t[j - 1] > t[j]; j--) {
			u32 x = t[j];
			t[j] = t[j - 1];
			t[j - 1] = x;
		}
	klog("selftest: switch of registers (XCR0 0x%llx, %u-byte image): min %u median %u cycles",
	     (unsigned long long)guest_features.xcr0_allowed, guest_features.xsave_size, t[0],
	     t[SELFTEST_SWITCHES / 2]);
out:
	xstate_vcpu_free(&scratch[0]);
	xstate_vcpu_free(&scratch[1]);
}

/* The date partitions' RTCs start from: the machine's own RTC, or a fixed one without. */
static void read_wall_clock(void)
{
	u64 epoch;

	if (cmos_read_epoch(&epoch) < 0) {
		epoch = WALL_CLOCK_FALLBACK;
		klog("rtc: the machine's RTC is unreadable; partitions' clocks start at "
		     "2026-01-01");
	}
	timer_set_wall_clock(epoch);
}

static volatile u32 selftest_fired;

static void selftest_irq(struct trap_frame *f)
{
	(void)f;
	selftest_fired++;
}

/* Does the LAPIC timer interrupt arrive?  Says so when it does not. */
static bool check_timer(void)
{
	u64 deadline;

	if (!lapic_timer_hz) {
		klog("timer: the lapic timer does not count; no time slices possible");
		return false;
	}
	trap_set_handler(VEC_TIMER, selftest_irq);
	selftest_fired = 0;
	lapic_timer_oneshot_ns(1000000, VEC_TIMER); /* 1 ms */
	deadline = rdtsc() + tsc_hz / 10;	    /* allow 100 ms */
	irq_enable();
	while (!selftest_fired && rdtsc() < deadline)
		cpu_relax();
	irq_disable();
	trap_set_handler(VEC_TIMER, NULL);
	if (!selftest_fired) {
		klog("timer: lapic one-shot interrupt did not arrive");
		return false;
	}
	return true;
}

NORETURN void kmain(u32 magic, u64 mbi_phys);
void kmain(u32 magic, u64 mbi_phys)
{
	console_init();
	trap_init();
	trap_set_handler(VEC_COM1, console_irq); /* fires once console_use_irq() routes COM1 */
	cpu_setup(&percpus[0], 0, 0, bsp_ist);
	trap_load();
	if (mb2_parse(magic, phys_to_virt(mbi_phys), mbi_phys, &boot_info) < 0)
		panic("boot: unusable boot information");
	klog("starting (loader: %s)", boot_info.loader);
	options_parse(boot_info.cmdline, &options);
	mb2_check_modules(&boot_info, (u64)_image_start_phys, (u64)_image_end_phys);

	/* The 8259 PICs stay masked: device interrupts come through the I/O APIC. */
	outb(PIC1_DATA, 0xff);
	outb(PIC2_DATA, 0xff);

	acpi_init(boot_info.rsdp, boot_info.rsdp_len);
	memory_init(&boot_info);
	lapic_setup_bsp(
		paging_map_mmio(acpi.have_madt ? acpi.madt.lapic_addr : lapic_base_phys(), 4096),
		options.force_xapic);
	paging_init(memory_top);
	lapic_enable();
	for (u32 i = 0; acpi.have_madt && i < acpi.madt.nioapics; i++)
		ioapic_add(paging_map_mmio(acpi.madt.ioapics[i].address, 4096),
			   acpi.madt.ioapics[i].gsi_base);
	percpus[0].apic_id = lapic_id();
	percpus[0].online = true;
	timer_calibrate(VEC_TIMER);
	check_timer();
	read_wall_clock();
	smp_init();
	exit_check_handlers(); /* the exit path relies on it */
	virt_init();

	cpuid_init(virt ? virt->guest_cr4() : ~0ull);
	xstate_init(guest_features.xsave, guest_features.xcr0_allowed);
	xstate_cpu_init();
	spec_init();
	if (options.selftest_switch)
		selftest_switch_cost();
	if (virt && virt->cpu_enable() < 0)
		virt = NULL;
	pconsole_setup(options.colour, options.console_width);
	platform_init(sched_notify_vcpu, sched_end_slice_at);
	sched_start_cpus();
	watchdog_start();
	if (options.selftest_panic)
		selftest_panic(); /* the other CPUs in their loops, the watchdog's NMIs coming */
	if (options.selftest_dirty)
		selftest_dirty_free();
	if (options.selftest_pools)
		partition_report_pools();
	partition_create_all();
	if (options.selftest_bad_entry || options.selftest_bad_control)
		selftest_spoil_entry(&options);
	sched_run(options.exit_when_done, options.selftest_remote, options.selftest_pools);
}
