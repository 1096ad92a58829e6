/*
 * The partition's platform: port and MMIO dispatch to the device models
 * of vdev/, their interrupt wiring, their time, and the choice of the
 * interrupt a vCPU takes next (kernel/platform.h).
 *
 * Wiring, as on a PC with an I/O APIC (docs/platform.md): each ISA line
 * goes to both the 8259 pair and the I/O APIC, IRQ 0 on I/O APIC pin 2
 * (the MADT's override), the others on the pin of their number.  The
 * 8259's output reaches vCPU 0 only, through LINT0 in ExtINT mode.
 * Interrupts from the I/O APIC and IPIs go to the local APICs they name;
 * a vCPU running elsewhere is kicked out of its guest to take one.
 *
 * Time: every device counts the guest's TSC, which is the host's.  The
 * local APIC timers are each vCPU's own; the PIT and the RTC run on
 * vCPU 0's ticks, which its scheduler slices are cut to.
 */
#include "kernel/platform.h"
#include "drivers/timer.h"
#include "kernel/cpu.h"
#include "kernel/insn.h"
#include "kernel/partition.h"
#include "kernel/virt.h"
#include "kernel/vmexit.h"
#include "kernel/xstate.h"
#include "lib/format.h"
#include "lib/lib.h"
#include "lib/log.h"
#include "lib/x86.h"
#include "vdev/firmware.h"
#include "vdev/layout.h"

/*
 * The time the devices see, taken under the platform's lock: the TSC, but
 * never earlier than a time they were already given.  A vCPU that waited
 * for the lock with a time read before it would otherwise hand them a
 * time behind another vCPU's, and the models assume time only goes on
 * (the RTC's clock before its last update, say).
 */
static u64 now_tsc(struct vboard *pf)
{
	u64 t = rdtsc();

	if (t < pf->now)
		t = pf->now;
	pf->now = t;
	return t;
}

/* The scheduler's, which sits above this file: given at boot (platform_init). */
static void (*wake_vcpu)(struct vcpu *v);
static void (*end_slice_at)(u64 tsc);

void platform_init(void (*wake)(struct vcpu *v), void (*end_slice)(u64 tsc))
{
	wake_vcpu = wake;
	end_slice_at = end_slice;
}

static struct partition *of(struct vboard *pf)
{
	return container_of(pf, struct partition, platform);
}

static u64 lock(struct partition *p)
{
	return spin_lock_irqsave(&p->platform.lock);
}

/*
 * Drop the lock, then wake the vCPUs that got an interrupt and act on a
 * device's power-off or reset.  Returns the exit action that request
 * asks for: EXIT_STOP, or EXIT_NEXT.
 */
static u32 unlock(struct partition *p, u64 flags)
{
	struct vboard *pf = &p->platform;
	u32 wake = pf->wake;
	int request = pf->request;

	pf->wake = 0;
	pf->request = VPM_NONE;
	spin_unlock_irqrestore(&pf->lock, flags);
	for (u32 i = 0; wake; i++, wake >>= 1)
		if (wake & 1)
			wake_vcpu(&p->vcpus[i]);
	if (request == VPM_POWER_OFF) {
		partition_exit(p, 0);
		return EXIT_STOP;
	}
	if (request == VPM_RESET) {
		partition_reset(p);
		return EXIT_STOP;
	}
	return EXIT_NEXT;
}

/* Under the lock: v may have an interrupt to take; wake it once the lock is dropped. */
static void poke(struct vcpu *v)
{
	v->irq_check = true;
	v->partition->platform.wake |= 1u << v->index;
}

void platform_write_cr8(struct vcpu *v, u64 value)
{
	struct partition *p = v->partition;
	u64 flags = lock(p);

	vlapic_set_tpr(&v->lapic, (u8)(value << 4)); /* TPR[3:0] cleared */
	poke(v);				     /* a lower priority may let one through */
	unlock(p, flags);
	virt->set(v, VREG_TPR, value);
}

/* Under the lock: when v's next device interrupt falls due, in TSC (0: none). */
static u64 next_deadline(struct vcpu *v, u64 now)
{
	struct vboard *pf = &v->partition->platform;
	u64 d = vlapic_timer_deadline(&v->lapic), o;

	if (v->index == 0) {
		o = vpit_next_irq(&pf->pit, now);
		if (o && (!d || o < d))
			d = o;
		o = vrtc_next_irq(&pf->rtc, now);
		if (o && (!d || o < d))
			d = o;
	}
	return d;
}

/*
 * Under the lock, on v's CPU during its slice: the guest has just
 * programmed a timer.  Devices' timers run between slices
 * (platform_tick), so one due before the slice's end ends the slice
 * then, and v takes its interrupt on time, not up to a slice late.
 */
static void timer_programmed(struct vcpu *v, u64 now)
{
	u64 d = next_deadline(v, now);

	if (d)
		end_slice_at(d);
}

/*
 * Under the lock, on v's CPU, after the guest wrote its local APIC (page
 * or MSR); tpr and deadline are the TPR and the timer's deadline from
 * before.  CR8 is TPR[7:4] (SDM 3A §11.8.6.1): a new TPR goes to the
 * backend's copy (VMX: what CR8 reads; SVM: V_TPR, which CR8 reads
 * natively and which gates V_IRQ).  A timer programmed anew may end the
 * slice.  Only what changed: EOI, the commonest write, touches neither.
 */
static void lapic_written(struct vcpu *v, u8 tpr, u64 deadline, u64 now)
{
	if (vlapic_tpr(&v->lapic) != tpr)
		virt->set(v, VREG_TPR, vlapic_tpr(&v->lapic) >> 4);
	if (vlapic_timer_deadline(&v->lapic) != deadline)
		timer_programmed(v, now);
	poke(v); /* EOI, TPR, timer and ICR writes change what v may take */
}

/* ---- interrupt lines -------------------------------------------------------- */

/* Drive ISA line irq to level, on the 8259 pair and on its I/O APIC pin. */
static void set_line(struct vboard *pf, u32 irq, bool level)
{
	u16 bit = (u16)(1u << irq);

	if (!!(pf->lines & bit) == level)
		return;
	pf->lines = level ? pf->lines | bit : pf->lines & ~bit;
	vpic_set_irq(&pf->pic, irq, level);
	vioapic_set_irq(&pf->ioapic, irq == GUEST_IRQ_PIT ? GUEST_PIN_PIT : irq, level);
	if (vpic_pending(&pf->pic) >= 0)
		poke(&of(pf)->vcpus[0]); /* LINT0 may take it */
}

static void pulse_line(struct vboard *pf, u32 irq)
{
	set_line(pf, irq, true);
	set_line(pf, irq, false);
}

static void kbc_irq(void *ctx, u8 irq, bool level)
{
	set_line(ctx, irq, level);
}

static void uart_line(struct partition *p)
{
	set_line(&p->platform, GUEST_IRQ_COM1, vuart_irq(&p->uart));
}

/* Fixed (or lowest-priority) vector to the local APICs matching dest. */
static void deliver_fixed(struct partition *p, u32 dest, bool logical, bool lowest, u8 vector,
			  bool level)
{
	for (u32 i = 0; i < p->nvcpus; i++) {
		struct vcpu *t = &p->vcpus[i];

		if (!vlapic_match_dest(&t->lapic, dest, logical))
			continue;
		if (vlapic_set_irq(&t->lapic, vector, level))
			poke(t);
		if (lowest)
			return; /* the first that matches: arbitration is not modelled */
	}
}

/* The I/O APIC's message (vdev/ioapic.h). */
static void ioapic_deliver(void *ctx, const struct vioapic_msg *m)
{
	struct partition *p = ctx;

	switch (m->delivery) {
	case VIOAPIC_DELIVERY_FIXED:
	case VIOAPIC_DELIVERY_LOWEST:
		deliver_fixed(p, m->dest, m->logical, m->delivery == VIOAPIC_DELIVERY_LOWEST,
			      m->vector, m->level);
		break;
	case VIOAPIC_DELIVERY_EXTINT:
		poke(&p->vcpus[0]); /* the 8259's vector, taken through vCPU 0 */
		break;
	default:
		break; /* SMI, NMI, INIT from the I/O APIC: not wired */
	}
}

/* A local APIC's EOI of a level-triggered vector. */
static void lapic_eoi(void *ctx, u8 vector)
{
	struct vcpu *v = ctx;

	vioapic_eoi(&v->partition->platform.ioapic, vector);
}

static bool ipi_target(const struct vcpu *from, const struct vcpu *t, const struct vlapic_ipi *m)
{
	switch (m->shorthand) {
	case VLAPIC_SH_SELF:
		return t == from;
	case VLAPIC_SH_ALL:
		return true;
	case VLAPIC_SH_ALL_BUT_SELF:
		return t != from;
	default:
		return vlapic_match_dest(&t->lapic, m->dest, m->logical);
	}
}

/*
 * An ICR write of from's local APIC: fixed IPIs pend in the targets'
 * IRRs; INIT and STARTUP go to the targets' own CPUs, which act on them
 * before their vCPU runs again (platform_tick).
 */
static void lapic_ipi(void *ctx, const struct vlapic_ipi *m)
{
	struct vcpu *from = ctx;
	struct partition *p = from->partition;

	for (u32 i = 0; i < p->nvcpus; i++) {
		struct vcpu *t = &p->vcpus[i];

		if (!ipi_target(from, t, m))
			continue;
		switch (m->mode) {
		case VLAPIC_DM_FIXED:
		case VLAPIC_DM_LOWEST:
			if (vlapic_set_irq(&t->lapic, m->vector, m->level_trigger))
				poke(t);
			break;
		case VLAPIC_DM_INIT:
			t->init_pending = true;
			poke(t);
			if (t == from)
				cpu_end_slice(); /* no IPI for itself: it acts on it at once */
			break;
		case VLAPIC_DM_STARTUP:
			/* Waiting, or about to: INIT may still be on its way to t's own CPU. */
			if ((t->wait_sipi || t->init_pending) && !t->sipi_pending) {
				t->sipi_vector = m->vector;
				t->sipi_pending = true;
				poke(t);
			}
			break;
		default:
			break; /* NMI, SMI, INIT de-assert: not delivered */
		}
		if (m->mode == VLAPIC_DM_LOWEST)
			break;
	}
}

/* ---- lives ------------------------------------------------------------------ */

/* The UART's line is the partition's console (vdev/uart.h). */
static bool line_can_send(void *c)
{
	return pconsole_write_ready(c);
}

static bool line_send(void *c, u8 byte)
{
	return pconsole_write(c, &byte, 1) == 1;
}

static bool line_has_input(void *c)
{
	return pconsole_has_input(c);
}

static int line_receive(void *c)
{
	return pconsole_pop_input(c);
}

static const struct vuart_line console_line = {
	.can_send = line_can_send,
	.send = line_send,
	.has_input = line_has_input,
	.receive = line_receive,
};

/* Under the lock: v's local APIC at power-on, v waiting for STARTUP unless it is vCPU 0. */
static void reset_vcpu(struct vcpu *v)
{
	struct vlapic_hooks h = { .eoi = lapic_eoi, .ipi = lapic_ipi, .ctx = v };

	vlapic_reset(&v->lapic, v->index, v->index == 0, tsc_hz, GUEST_APIC_TIMER_HZ, &h);
	v->wait_sipi = v->index != 0;
	v->init_pending = v->sipi_pending = false;
	v->irq_check = false;
}

int platform_reset(struct partition *p)
{
	static u8 tables[GUEST_FW_SIZE];
	static struct spinlock tables_lock;
	struct vboard *pf = &p->platform;
	struct vfw_config fw = { .ncpus = p->nvcpus };
	static const struct vioapic_hooks ioapic_hooks_proto = { .deliver = ioapic_deliver };
	struct vioapic_hooks ioapic_hooks = ioapic_hooks_proto;
	u64 now, flags;
	int err;

	flags = lock(p);
	now = now_tsc(pf);
	ioapic_hooks.ctx = p;
	vioapic_reset(&pf->ioapic, (u8)p->nvcpus, &ioapic_hooks);
	vpic_reset(&pf->pic);
	vpit_reset(&pf->pit, tsc_hz, now);
	vrtc_reset(&pf->rtc, timer_wall_clock(), tsc_hz, now);
	vpm_reset(&pf->pm, tsc_hz, now);
	vi8042_init(&pf->kbc, kbc_irq, pf);
	vpci_reset(&pf->pci);
	vuart_reset(&p->uart, &console_line, &p->console);
	pf->lines = 0;
	pf->live = true;
	/* Every vCPU's local APIC and signals too: a vCPU not yet reset for this life may be sent
	 * STARTUP. */
	for (u32 i = 0; i < p->nvcpus; i++)
		reset_vcpu(&p->vcpus[i]);
	unlock(p, flags);

	/* One buffer for every partition: the tables are built and copied under its lock. */
	flags = spin_lock_irqsave(&tables_lock);
	err = vfw_build(tables, sizeof(tables), &fw);
	if (!err)
		err = guest_write(p, GUEST_FW_BASE, tables, sizeof(tables));
	spin_unlock_irqrestore(&tables_lock, flags);
	if (err)
		klog("partition %s: its firmware tables do not fit (%d)", p->cfg.name, err);
	return err ? -1 : 0;
}

bool platform_take_signals(struct vcpu *v)
{
	struct partition *p = v->partition;
	struct vcpu_boot_state start = { .real = true };
	bool started = false;
	u64 flags = lock(p);

	if (v->init_pending && v->index == 0) {
		/*
		 * INIT to the bootstrap processor: a real one starts over at the
		 * firmware's reset vector, which boots the PC again.  There is no
		 * firmware here; the partition is reset, as by its reset line.
		 */
		v->init_pending = false;
		p->platform.request = VPM_RESET;
	} else if (v->init_pending) {
		/* INIT: the local APIC back to its reset state, the CPU waiting for STARTUP. */
		v->init_pending = false;
		vlapic_init_signal(&v->lapic);
		v->wait_sipi = true;
	}
	if (v->wait_sipi && v->sipi_pending) {
		v->wait_sipi = v->sipi_pending = false;
		start.cs = (u16)(v->sipi_vector << 8); /* the page vector * 4 KiB */
		started = true;
	}
	if (unlock(p, flags) == EXIT_STOP)
		return true;
	if (started) {
		virt->vcpu_reset(v, &start);
		xstate_reset(v);
		v->halted = false;
		v->pending_irq = v->cut_irq = 0;
		v->timer_deadline = 0;
	}
	return false;
}

/* ---- ports ------------------------------------------------------------------ */

/* One byte of a byte-wide device; -1 when no such device claims port. */
static int byte_in(struct partition *p, u16 port, u64 now)
{
	struct vboard *pf = &p->platform;

	switch (port) {
	case 0x20 ... 0x21:
	case 0xa0 ... 0xa1:
	case 0x4d0 ... 0x4d1:
		return vpic_read(&pf->pic, port);
	case 0x40 ... 0x43:
	case 0x61:
		return vpit_read(&pf->pit, port, now);
	case 0x60:
	case 0x64:
		return vi8042_read(&pf->kbc, port);
	case 0x70 ... 0x71:
		return vrtc_read(&pf->rtc, port, now);
	case VUART_BASE ... VUART_BASE + VUART_PORTS - 1: {
		u8 b = vuart_read(&p->uart, port - VUART_BASE);
		uart_line(p);
		return b;
	}
	default:
		return -1;
	}
}

/*
 * One byte to a byte-wide device: 1 done, 0 not claimed, -1 the UART
 * could not take it now.
 */
static int byte_out(struct partition *p, u16 port, u8 value, u64 now)
{
	struct vboard *pf = &p->platform;
	int r;

	switch (port) {
	case 0x20 ... 0x21:
	case 0xa0 ... 0xa1:
	case 0x4d0 ... 0x4d1:
		vpic_write(&pf->pic, port, value);
		if (vpic_pending(&pf->pic) >= 0)
			poke(&p->vcpus[0]);
		return 1;
	case 0x40 ... 0x43:
	case 0x61:
		vpit_write(&pf->pit, port, value, now);
		return 1;
	case 0x60:
	case 0x64:
		r = vi8042_write(&pf->kbc, port, value);
		if (r != VPM_NONE)
			pf->request = r;
		return 1;
	case 0x70 ... 0x71:
		vrtc_write(&pf->rtc, port, value, now);
		return 1;
	case VUART_BASE ... VUART_BASE + VUART_PORTS - 1:
		r = vuart_write(&p->uart, port - VUART_BASE, value) ? 1 : -1;
		uart_line(p);
		return r;
	default:
		return 0;
	}
}

u32 platform_in(struct vcpu *v, u16 port, u8 size)
{
	struct partition *p = v->partition;
	struct vboard *pf = &p->platform;
	u64 flags = lock(p), now = now_tsc(pf);
	u32 value = 0xffffffffu;

	if (vpm_claims(port)) {
		value = vpm_read(&pf->pm, port, size, now);
	} else if (vpci_claims(port, size)) {
		value = vpci_read(&pf->pci, port, size);
	} else {
		/* Byte devices: a wider access reads consecutive ports, as the ISA bus splits it.
		 */
		for (u32 i = 0; i < size; i++) {
			int b = byte_in(p, (u16)(port + i), now);
			value = (value & ~(0xffu << (8 * i))) |
				((u32)(b < 0 ? 0xff : b) << (8 * i));
		}
	}
	unlock(p, flags);
	return value;
}

u32 platform_out(struct vcpu *v, u16 port, u8 size, u32 value)
{
	struct partition *p = v->partition;
	struct vboard *pf = &p->platform;
	u64 flags = lock(p), now = now_tsc(pf);
	u32 action = EXIT_NEXT, done;
	int r;

	if (vpm_claims(port)) {
		r = vpm_write(&pf->pm, port, size, value, now);
		if (r != VPM_NONE)
			pf->request = r;
	} else if (vpci_claims(port, size)) {
		vpci_write(&pf->pci, port, size, value);
	} else {
		for (u32 i = 0; i < size; i++)
			if (byte_out(p, (u16)(port + i), (u8)(value >> (8 * i)), now) < 0)
				action = EXIT_RESUME; /* the UART is busy: the OUT again, later */
		if (v->index == 0 && ((port >= 0x40 && port <= 0x43) || port == 0x71))
			timer_programmed(v, now); /* the PIT or the RTC's periodic rate */
	}
	done = unlock(p, flags);
	return done == EXIT_STOP ? EXIT_STOP : action;
}

/* ---- MMIO ------------------------------------------------------------------- */

/* General register n (x86 numbering) of v. */
static u64 gpr_get(struct vcpu *v, u8 n)
{
	u64 *r = &v->regs.rax;

	return n == 4 ? virt->get(v, VREG_RSP) : r[n];
}

static void gpr_set(struct vcpu *v, u8 n, u64 value)
{
	u64 *r = &v->regs.rax;

	if (n == 4)
		virt->set(v, VREG_RSP, value);
	else
		r[n] = value;
}

/* The instruction at v's RIP: up to INSN_MAX bytes, fewer where the code ends on a page. */
static u32 fetch(struct vcpu *v, enum guest_mode mode, u8 *bytes)
{
	u64 rip = virt->get(v, VREG_RIP);

	if (mode != GUEST_LONG64)
		rip = (virt->get(v, VREG_CS_BASE) + rip) & 0xffffffffull;
	return guest_fetch(v, rip, bytes, INSN_MAX);
}

/* A 32-bit access to an APIC page at offset off (other sizes: see docs/platform.md). */
static u32 mmio_access(struct vcpu *v, u64 gpa, bool write, u32 value)
{
	struct vboard *pf = &v->partition->platform;
	u64 now = now_tsc(pf), deadline; /* under the lock (platform_mmio) */
	u8 tpr;

	if (gpa >= GUEST_LAPIC_BASE && gpa < GUEST_LAPIC_BASE + 0x1000) {
		if (!vlapic_enabled(&v->lapic) || vlapic_x2apic(&v->lapic))
			return write ? 0 : 0xffffffffu;
		if (!write)
			return vlapic_mmio_read(&v->lapic, (u32)(gpa - GUEST_LAPIC_BASE), now);
		tpr = vlapic_tpr(&v->lapic);
		deadline = vlapic_timer_deadline(&v->lapic);
		vlapic_mmio_write(&v->lapic, (u32)(gpa - GUEST_LAPIC_BASE), value, now);
		lapic_written(v, tpr, deadline, now);
		return 0;
	}
	if (gpa >= GUEST_IOAPIC_BASE && gpa < GUEST_IOAPIC_BASE + 0x1000) {
		if (!write)
			return vioapic_mmio_read(&pf->ioapic, (u32)(gpa - GUEST_IOAPIC_BASE));
		vioapic_mmio_write(&pf->ioapic, (u32)(gpa - GUEST_IOAPIC_BASE), value);
		return 0;
	}
	return write ? 0 : 0xffffffffu; /* the rest of the window: nothing there */
}

/*
 * Can the device at gpa take an access of size bytes?  Aligned 32-bit
 * ones everywhere (SDM 3A §11.4.1; an offset of the I/O APIC's page with
 * no register reads 0, as vdev/ioapic.h says), and the narrower ones the
 * I/O APIC takes at IOREGSEL.
 */
static bool width_ok(u64 gpa, u32 size)
{
	if (gpa >= GUEST_IOAPIC_BASE && gpa < GUEST_IOAPIC_BASE + 0x1000 &&
	    vioapic_mmio_width_ok((u32)(gpa - GUEST_IOAPIC_BASE), size))
		return true; /* IOREGSEL also takes bytes and words */
	return size == 4 && (gpa & 3) == 0;
}

/*
 * Does m address the very bytes at gpa?  The exit names the page the
 * access faulted on, not where it began: a dword read 2 bytes before the
 * local APIC's page through a page of RAM faults at the APIC page's first
 * byte.  The linear address the instruction formed must sit at gpa's
 * offset in its page.  Segment bases count outside 64-bit mode, where
 * only FS's and GS's do (SDM 3A §3.4.4).
 */
static bool at_gpa(struct vcpu *v, enum guest_mode mode, const struct insn_mmio *m, u64 gpa)
{
	static const enum vreg seg_base[] = {
		[INSN_SEG_ES] = VREG_ES_BASE, [INSN_SEG_CS] = VREG_CS_BASE,
		[INSN_SEG_SS] = VREG_SS_BASE, [INSN_SEG_DS] = VREG_DS_BASE,
		[INSN_SEG_FS] = VREG_FS_BASE, [INSN_SEG_GS] = VREG_GS_BASE,
	};
	u64 base = m->base == INSN_RIP ? virt->get(v, VREG_RIP) + m->len
		   : m->base >= 0      ? gpr_get(v, (u8)m->base)
				       : 0;
	u64 la = insn_mmio_address(m, base, m->index >= 0 ? gpr_get(v, (u8)m->index) : 0);

	if (mode != GUEST_LONG64 || m->seg == INSN_SEG_FS || m->seg == INSN_SEG_GS)
		la += virt->get(v, seg_base[m->seg]);
	return (la & 0xfff) == (gpa & 0xfff);
}

u32 platform_mmio(struct vcpu *v, struct vm_exit *e)
{
	static const enum insn_mode modes[] = {
		[GUEST_REAL] = INSN_MODE16,
		[GUEST_PROTECTED16] = INSN_MODE16,
		[GUEST_PROTECTED32] = INSN_MODE32,
		[GUEST_LONG64] = INSN_MODE64,
	};
	struct partition *p = v->partition;
	u8 bytes[INSN_MAX];
	struct insn_mmio m;
	char why[96] = "", hex[3 * INSN_MAX + 1] = "(unreadable)";
	enum guest_mode mode = virt_guest_mode(v);
	u32 n = fetch(v, mode, bytes);
	u64 flags, value;

	if (insn_decode_mmio(bytes, n, modes[mode], &m, why, sizeof(why)) < 0 ||
	    !width_ok(e->slat.gpa, m.size) || !at_gpa(v, mode, &m, e->slat.gpa)) {
		for (u32 i = 0, len = 0; i < n && i < 8; i++)
			len += format(hex + len, sizeof(hex) - len, "%s%02x", i ? " " : "",
				      bytes[i]);
		if (!why[0])
			format(why, sizeof(why), "a %u-byte %s", m.size,
			       m.write ? "write" : "read");
		partition_crash(p, "device access at GPA 0x%llx it cannot emulate: %s; bytes %s",
				(unsigned long long)e->slat.gpa, why, hex);
		return EXIT_STOP;
	}
	flags = lock(p);
	if (m.write) {
		value = m.has_imm ? m.imm : insn_mmio_store_value(&m, gpr_get(v, m.gpr));
		mmio_access(v, e->slat.gpa, true, (u32)value);
	} else {
		value = mmio_access(v, e->slat.gpa, false, 0);
		gpr_set(v, m.gpr, insn_mmio_load(&m, gpr_get(v, m.gpr), value));
	}
	e->insn_len = m.len;
	return unlock(p, flags);
}

/* ---- MSRs ------------------------------------------------------------------- */

bool platform_owns_msr(u32 msr)
{
	return vlapic_owns_msr(msr);
}

int platform_msr_read(struct vcpu *v, u32 msr, u64 *value)
{
	struct partition *p = v->partition;
	u64 flags = lock(p);
	int err = vlapic_msr_read(&v->lapic, msr, now_tsc(&p->platform), value);

	unlock(p, flags);
	return err;
}

int platform_msr_write(struct vcpu *v, u32 msr, u64 value)
{
	struct partition *p = v->partition;
	u64 flags = lock(p);
	u64 now = now_tsc(&p->platform), deadline = vlapic_timer_deadline(&v->lapic);
	u8 tpr = vlapic_tpr(&v->lapic);
	int err = vlapic_msr_write(&v->lapic, msr, value, now);

	lapic_written(v, tpr, deadline, now);
	unlock(p, flags);
	return err;
}

/* ---- time ------------------------------------------------------------------- */

void platform_tick(struct vcpu *v)
{
	struct partition *p = v->partition;
	struct vboard *pf = &p->platform;
	u64 now, flags, due;

	if (!pf->live)
		return; /* not loaded yet: its devices have no time */
	flags = lock(p);
	now = now_tsc(pf);
	due = vlapic_timer_deadline(&v->lapic);

	if (due && now >= due) {
		vlapic_timer_update(&v->lapic, now);
		poke(v);
	}
	if (v->index == 0) {
		if (vpit_update(&pf->pit, now))
			pulse_line(pf, GUEST_IRQ_PIT);
		if (vrtc_update(&pf->rtc, now))
			pulse_line(pf, GUEST_IRQ_RTC);
		vuart_poll(&p->uart);
		uart_line(p);
	}
	pf->wake &= ~(1u << v->index); /* it is about to run: no need to wake it */
	unlock(p, flags);
}

u64 platform_deadline(struct vcpu *v)
{
	struct partition *p = v->partition;
	u64 d, flags;

	if (!p->platform.live)
		return 0;
	flags = lock(p); /* another vCPU may be programming the PIT */
	d = next_deadline(v, now_tsc(&p->platform));
	spin_unlock_irqrestore(&p->platform.lock, flags); /* nothing to wake: no device changed */
	return d;
}

/* ---- the next interrupt ----------------------------------------------------- */

/* The vector v would take now, and whether it is the 8259's; -1: none. */
static int next_vector(struct vcpu *v, bool *from_pic)
{
	int vec = vlapic_pending(&v->lapic);

	*from_pic = false;
	if (vec < 0 && v->index == 0 && vlapic_lint0_extint(&v->lapic)) {
		vec = vpic_pending(&v->partition->platform.pic);
		*from_pic = vec >= 0;
	}
	return vec;
}

bool platform_irq_waiting(struct vcpu *v, bool maskable)
{
	struct partition *p = v->partition;
	bool pic;
	u64 flags = lock(p);
	int vec = maskable ? next_vector(v, &pic) : -1;

	if (vec >= 0)
		v->irq_check = true; /* its next entry offers it */
	unlock(p, flags);
	return vec >= 0 || v->init_pending || v->sipi_pending;
}

/*
 * Give the backend the interrupt v should take next (its local APIC's,
 * or the PIC's through LINT0), and tell the device it was taken when the
 * backend injected it.  True while one still waits (the backend opened a
 * window for it); v->irq_check is set to that, under the lock.
 */
static bool offer(struct vcpu *v)
{
	struct partition *p = v->partition;
	bool pic, waits;
	u64 flags = lock(p);
	int vec = next_vector(v, &pic);

	if (vec >= 0 && virt->inject_interrupt(v, (u8)vec)) {
		if (pic)
			vpic_ack(&p->platform.pic);
		else
			vlapic_accept(&v->lapic, (u8)vec);
		v->halted = false; /* an interrupt it takes ends a HLT, as on hardware */
		vec = next_vector(v, &pic);
	}
	waits = vec >= 0;
	v->irq_check = waits; /* under the lock: a poke from another CPU is not lost */
	unlock(p, flags);
	return waits;
}

bool platform_deliver(struct vcpu *v)
{
	u8 timer = (u8)v->pending_irq;

	/* First the interrupt an exit cut short: its device counts it as delivered. */
	if (v->cut_irq) {
		if (!virt->inject_interrupt(v, (u8)v->cut_irq))
			return false; /* a window is open for it */
		v->cut_irq = 0;
		v->halted = false;
	}
	/*
	 * Then SET_TIMER's vector.  Held back by CR8, it waits for a CR8 write
	 * (which exits) without a window, and the devices' go first meanwhile.
	 */
	if ((v->pending_irq & VIRQ_PENDING) && (timer >> 4) > virt->get(v, VREG_TPR)) {
		if (!virt->inject_interrupt(v, timer))
			return false; /* a window is open for it */
		v->pending_irq = 0;
		v->halted = false; /* an interrupt it takes ends a HLT, as on hardware */
	}
	/* Then its devices', when something may have changed. */
	if (v->irq_check)
		offer(v); /* sets irq_check again while one still waits */
	return !v->irq_check;
}
