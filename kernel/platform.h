/*
 * The small PC a partition is (docs/platform.md): the glue between the
 * exits of its vCPUs and the device models of vdev/.  It owns the
 * partition's devices (I/O APIC, PICs, PIT, RTC, UART, i8042, ACPI PM
 * registers, PCI "no device") and each vCPU's local APIC, wires their
 * interrupt lines and hooks, gives them the time (the guest's TSC), and
 * decides which interrupt a vCPU takes next.  The models themselves are
 * pure; this file is where they meet the scheduler, the vendor contract
 * and guest memory.
 *
 * Locking: one lock per partition covers every device of it, the local
 * APICs of its vCPUs included.  A vCPU to wake because of what happened
 * under the lock is woken once the lock is dropped (the scheduler's
 * locks come first).
 */
#ifndef KERNEL_PLATFORM_H
#define KERNEL_PLATFORM_H

#include "lib/spinlock.h"
#include "lib/types.h"
#include "vdev/i8042.h"
#include "vdev/ioapic.h"
#include "vdev/pci.h"
#include "vdev/pic.h"
#include "vdev/pit.h"
#include "vdev/pm.h"
#include "vdev/rtc.h"

struct partition;
struct vcpu;
struct vm_exit;

/* The frequency the guest's local APIC timers count at, before their dividers. */
#define PLATFORM_APIC_TIMER_HZ 25000000ull /* as an Intel core crystal: CPUID 0x15 ECX */

struct platform {
	struct spinlock lock;
	struct vioapic ioapic;
	struct vpic pic;
	struct vpit pit;
	struct vrtc rtc;
	struct vpm pm;
	struct vi8042 kbc;
	struct vpci pci;
	u16 lines;   /* ISA interrupt lines 0-15 as last driven */
	u32 wake;    /* under the lock: vCPUs (bit = index) to wake once it is dropped */
	int request; /* under the lock: VPM_POWER_OFF or VPM_RESET asked by a device */
	bool live;   /* reset for the current life: its devices count time */
	u64 now;     /* under the lock: the latest time the devices were given (now_tsc) */
};

/*
 * A new life of p (start or restart), on vCPU 0's CPU once its RAM is
 * loaded: every device to its power-on state, the firmware tables into
 * guest memory.  0, or -1 when the tables do not fit (said why).
 */
int platform_reset(struct partition *p);
/* On v's own CPU, as it is reset for a new life: its local APIC too. */
void platform_vcpu_reset(struct vcpu *v);
/*
 * On v's own CPU before it runs: act on an INIT (back to waiting for
 * STARTUP) or a STARTUP IPI (real mode at the page it names) sent to it.
 * An INIT to vCPU 0 resets the partition instead: true then.
 */
bool platform_take_signals(struct vcpu *v);

/*
 * Port I/O of size 1, 2 or 4 bytes.  Ports no device claims read
 * all-ones and drop writes.  platform_out() returns the action for the
 * exit (kernel/exit.h): EXIT_NEXT, EXIT_RESUME when the UART could not
 * take the byte now (the OUT runs again later), EXIT_STOP when the
 * write powered the partition off or reset it.
 */
u32 platform_in(struct vcpu *v, u16 port, u8 size);
u32 platform_out(struct vcpu *v, u16 port, u8 size, u32 value);

/* Is gpa in the emulated APIC window (unmapped in the SLAT)? */
bool platform_is_mmio(u64 gpa);
/*
 * A SLAT violation in the APIC window: decode the instruction at RIP
 * (kernel/insn.c), do the access, set e->insn_len.  Returns the action
 * (EXIT_NEXT), or EXIT_STOP when the partition crashed (an instruction
 * it cannot emulate: the crash record names its bytes).
 */
u32 platform_mmio(struct vcpu *v, struct vm_exit *e);

/* MOV to CR8 (value 0-15, checked): the local APIC's TPR[7:4], on v's CPU. */
void platform_write_cr8(struct vcpu *v, u64 value);

/* MSRs of the local APIC (IA32_APIC_BASE, x2APIC, IA32_TSC_DEADLINE): -1 is #GP. */
bool platform_owns_msr(u32 msr);
int platform_msr_read(struct vcpu *v, u32 msr, u64 *value);
int platform_msr_write(struct vcpu *v, u32 msr, u64 value);

/*
 * Interrupts.  platform_offer() gives the backend the interrupt v should
 * take next (its local APIC's, or the PIC's through LINT0), and tells
 * the device it was taken when the backend injected it.  Returns true
 * while one still waits (the backend opened a window for it), and sets
 * v->irq_check to that, under the lock.
 */
bool platform_offer(struct vcpu *v);
/*
 * Does something wait for v that ends its HLT?  An INIT or STARTUP
 * always; an interrupt only when maskable says v takes them (RFLAGS.IF
 * was set at the HLT), as on hardware.
 */
bool platform_irq_waiting(struct vcpu *v, bool maskable);
/* Run v's timers (and, on vCPU 0, the partition's) up to now; on v's CPU before it runs. */
void platform_tick(struct vcpu *v);
/* The guest TSC value of v's next timer event, or 0: none. */
u64 platform_deadline(struct vcpu *v);

#endif
