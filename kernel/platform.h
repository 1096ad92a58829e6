/*
 * The small PC a partition is (docs/platform.md): the glue between the
 * exits of its vCPUs and the device models of vdev/.  It owns the
 * partition's devices (I/O APIC, PICs, PIT, RTC, UART, i8042, ACPI PM
 * registers, PCI "no device") and each vCPU's local APIC, wires their
 * interrupt lines and hooks, gives them the time (the guest's TSC), and
 * decides which interrupt a vCPU takes next.  The models themselves are
 * pure; this file is where they meet the scheduler, the vendor contract
 * and guest memory.  Its floor: above the partition (kernel/partition.c,
 * which holds the devices as its board, vdev/board.h), below the exit
 * handlers and the scheduler, which call it; it reaches the scheduler
 * only through the two functions it is given at boot (platform_init).
 *
 * Locking: one lock per partition covers every device of it, the local
 * APICs of its vCPUs included.  A vCPU to wake because of what happened
 * under the lock is woken once the lock is dropped (the scheduler's
 * locks come first).
 */
#ifndef KERNEL_PLATFORM_H
#define KERNEL_PLATFORM_H

#include "lib/types.h"

struct partition;
struct vcpu;
struct vm_exit;

/*
 * Once at boot, before any partition starts: the two things the platform
 * asks of the scheduler, which sits above it (kernel/sched.c).  wake
 * makes a vCPU that got an interrupt look at it, leaving its guest if it
 * runs on another CPU; end_slice ends the running guest's slice sooner,
 * at a TSC value (a timer it programmed falls due then).
 */
void platform_init(void (*wake)(struct vcpu *v), void (*end_slice)(u64 tsc));

/*
 * A new life of p (start or restart), on vCPU 0's CPU once its RAM is
 * loaded: every device to its power-on state, the firmware tables into
 * guest memory.  0, or -1 when the tables do not fit (said why).  It is
 * also the one place that puts each vCPU's local APIC and start signals
 * (wait_sipi, init_pending, sipi_pending, irq_check) at power-on, so it
 * must run before the load's work is marked done: until then no vCPU
 * runs or reads them (kernel/sched.c).
 */
int platform_reset(struct partition *p);
/*
 * On v's own CPU before it runs: act on an INIT (back to waiting for
 * STARTUP) or a STARTUP IPI (real mode at the page it names) sent to it.
 * An INIT to vCPU 0 resets the partition instead: true then.
 */
bool platform_take_signals(struct vcpu *v);

/*
 * Port I/O of size 1, 2 or 4 bytes.  Ports no device claims read
 * all-ones and drop writes.  platform_out() returns the action for the
 * exit (kernel/vmexit.h): EXIT_NEXT, EXIT_RESUME when the UART could not
 * take the byte now (the OUT runs again later), EXIT_STOP when the
 * write powered the partition off or reset it.
 */
u32 platform_in(struct vcpu *v, u16 port, u8 size);
u32 platform_out(struct vcpu *v, u16 port, u8 size, u32 value);

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
 * Interrupts.  Hand v's pending interrupts to the backend, in order: the
 * one an exit cut short, SET_TIMER's vector (kernel/hypercall.c), then
 * its devices' (its local APIC's, or the PIC's through LINT0).  True
 * once none is left pending; otherwise the backend opened a window and
 * an EXIT_INTR_WINDOW exit will retry.
 */
bool platform_deliver(struct vcpu *v);
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
