/*
 * SMP bring-up.  For each CPU in the MADT other than the boot CPU:
 * allocate its stacks, fill the trampoline parameters, send INIT, then
 * up to two SIPIs (SDM 3A §8.4.4.1), and wait for the AP to say it is
 * online.  APs are started one at a time because they share the one
 * parameter block.  A CPU that does not answer is reported and left
 * out; the machine carries on with the others.
 */
#include "kernel/smp.h"
#include "boot/boot.h"
#include "drivers/acpi.h"
#include "drivers/lapic.h"
#include "drivers/timer.h"
#include "kernel/console.h"
#include "kernel/cpu.h"
#include "kernel/memory.h"
#include "kernel/paging.h"
#include "kernel/sched.h"
#include "kernel/trap.h"
#include "lib/lib.h"
#include "lib/x86.h"

extern const u8 trampoline_start[], trampoline_end[], trampoline_params[];
extern const u8 boot_pml4[];

/* Stack and IST stacks of one AP, as one contiguous allocation. */
#define AP_STACK_FRAMES ((KSTACK_SIZE + 3 * IST_STACK_SIZE) / FRAME_SIZE)

static NORETURN void ap_main(struct percpu *c)
{
	write_cr3(paging_cr3);
	cpu_setup(c, c->index, c->apic_id, (u8 *)c->stack_top);
	trap_load();
	lapic_enable();
	__atomic_store_n(&c->online, true, __ATOMIC_RELEASE);
	__atomic_fetch_add(&cpus_online, 1, __ATOMIC_SEQ_CST);
	sched_ap_main(); /* waits for the scheduler to start */
}

static bool start_ap(u32 index, u32 apic_id)
{
	struct percpu *c = &percpus[index];
	struct trampoline_params *tp;
	u64 stack = frame_alloc_run(&frames, AP_STACK_FRAMES, FRAME_SIZE);
	u8 *base;

	if (!stack) {
		klog("smp: no memory for the stacks of cpu %u; not started", index);
		return false;
	}
	base = phys_to_virt(stack);
	c->index = index;
	c->apic_id = apic_id;
	/* Layout: 3 IST stacks, then the kernel stack; stack_top doubles as the IST base. */
	c->stack_top = (u64)base + KSTACK_SIZE;
	tp = phys_to_virt(TRAMPOLINE_PHYS + (u64)(trampoline_params - trampoline_start));
	tp->cr3 = virt_to_phys(boot_pml4);
	tp->efer = rdmsr(MSR_EFER) & (EFER_LME | EFER_NXE);
	tp->stack = c->stack_top;
	tp->entry = (u64)ap_main;
	tp->arg = (u64)c;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);

	lapic_send_init(apic_id);
	udelay(10000);
	for (int sipi = 0; sipi < 2 && !c->online; sipi++) {
		lapic_send_sipi(apic_id, TRAMPOLINE_PHYS >> 12);
		for (int wait = 0; wait < 1000 && !__atomic_load_n(&c->online, __ATOMIC_ACQUIRE);
		     wait++)
			udelay(sipi == 0 ? 1 : 100);
	}
	if (!c->online) {
		klog("smp: cpu %u (apic id %u) did not start; carrying on without it", index,
		     apic_id);
		frame_free(&frames, stack, AP_STACK_FRAMES);
		return false;
	}
	return true;
}

void smp_init(void)
{
	u32 bsp = lapic_id(), next = 1;

	cpus_online = 1;
	if (acpi.have_madt) {
		memcpy(phys_to_virt(TRAMPOLINE_PHYS), trampoline_start,
		       (size_t)(trampoline_end - trampoline_start));
		for (u32 i = 0; i < acpi.madt.ncpus && next < MAX_CPUS; i++) {
			if (acpi.madt.apic_ids[i] == bsp)
				continue;
			if (start_ap(next, acpi.madt.apic_ids[i]))
				next++;
		}
	}
	klog("cpus: %u online", cpus_online);
}
