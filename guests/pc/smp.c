/*
 * The second vCPU, started as an OS starts an application processor
 * (SDM 3A §8.4.4.1, the MP specification's INIT-SIPI-SIPI): the boot
 * vCPU copies the real-mode trampoline (trampoline.S) below 1 MiB, sends
 * INIT (assert, then de-assert) and two STARTUP IPIs naming its page
 * through the xAPIC ICR, and waits for the AP to report.  The AP checks
 * its own identity (CPUID's initial APIC id, the APIC id register,
 * IA32_APIC_BASE without the BSP bit), enables its local APIC and
 * halts; the boot vCPU then sends it fixed IPIs one by one, which the AP
 * counts.  Each side prints its own lines, one side at a time.  With
 * more than two vCPUs, only the one with APIC id 1 is started.
 *
 * Then the AP spins with interrupts enabled and without a single exit,
 * as a busy OS's CPU does, and the boot vCPU sends it SPIN_IPIS more,
 * each right after it saw the AP's loop move (so the AP is on its CPU
 * then).  Such an IPI reaches the AP only if the hypervisor makes its
 * CPU leave the guest at once (cloison's notify IPI) and offers the
 * interrupt at the exit that follows, which resumes the guest without
 * stepping over anything.  Otherwise it waits for the AP's slice to end,
 * up to 10 ms.  The median time from the ICR write to the AP's handler is
 * printed; under Bochs, whose TSC counts instructions, the scenario
 * wants it below 1 ms.
 */
#include "guests/pc/pc.h"

#define IPIS 3
#define SPIN_IPIS 21
#define AP_ID 1

enum { AP_OFF, AP_REPORTED, AP_COUNTED };

extern const uint8_t ap_trampoline[], ap_trampoline_end[];
void ap_main(void);

static volatile unsigned ap_state, ap_ipis;
static volatile unsigned ap_spin; /* 1: the AP spins with IF set (ap_beat moves), not HLT */
static volatile unsigned ap_beat;

struct frame;

__attribute__((interrupt)) static void on_ipi(struct frame *f)
{
	(void)f;
	ap_ipis++;
	lapic_eoi();
}

/* Runs on the AP, on its own stack, with the BSP's GDT and IDT loaded again. */
void ap_main(void)
{
	uint32_t a, b, c, d;

	desc_init();
	cpuid(1, &a, &b, &c, &d);
	pc_check("ap: cpuid 1 initial APIC id", b >> 24, AP_ID);
	pc_check("ap: APIC id register", lapic_read(LAPIC_ID) >> 24, AP_ID);
	pc_check("ap: IA32_APIC_BASE (enabled, not BSP)", rdmsr(MSR_APIC_BASE),
		 LAPIC_BASE | APIC_BASE_EN);
	pc_check("ap: SVR 0xff after INIT", lapic_read(LAPIC_SVR) & 0x1ff, 0xff);
	lapic_enable();
	ap_state = AP_REPORTED;
	for (;;) {
		__asm__ volatile("cli" ::: "memory");
		if (ap_ipis >= IPIS && ap_state == AP_REPORTED) {
			pc_check("ap: fixed IPIs of vector 0x50 taken", ap_ipis, IPIS);
			ap_state = AP_COUNTED;
		}
		if (ap_spin == 1) {
			__asm__ volatile("sti" ::: "memory");
			while (ap_spin == 1)
				ap_beat++; /* no exit: only an interrupt stops it */
			continue;
		}
		__asm__ volatile("sti; hlt" ::: "memory");
	}
}

static bool spin_until(volatile unsigned *v, unsigned want, uint32_t ms)
{
	uint64_t end = rdtsc() + pc_ms(ms);

	while (*v < want) {
		if (rdtsc() > end)
			return false;
		__asm__ volatile("pause");
	}
	return true;
}

static void icr(uint32_t low)
{
	uint64_t end = rdtsc() + pc_ms(100);

	while ((lapic_read(LAPIC_ICR_LOW) & ICR_DELIVERY_PENDING) && rdtsc() < end)
		;
	lapic_write(LAPIC_ICR_HIGH, (uint32_t)AP_ID << ICR_DEST_SHIFT);
	lapic_write(LAPIC_ICR_LOW, low);
}

/* One IPI to the spinning AP, sent once its loop is seen to move: TSC ticks until taken, or 0. */
static uint64_t spin_ipi(void)
{
	unsigned beat = ap_beat, taken = ap_ipis;
	uint64_t t0, end = rdtsc() + pc_ms(1000);

	while (ap_beat == beat)
		if (rdtsc() > end)
			return 0;
	t0 = rdtsc();
	icr(VEC_IPI | ICR_ASSERT);
	while (ap_ipis == taken)
		if (rdtsc() > end)
			return 0;
	return rdtsc() - t0;
}

static void spin_ipis(void)
{
	uint64_t took[SPIN_IPIS], t;
	unsigned n = 0;
	uint32_t median, worst;

	ap_spin = 1;
	icr(VEC_IPI | ICR_ASSERT); /* wakes it from its HLT into the loop */
	if (!spin_until(&ap_ipis, IPIS + 1, 1000)) {
		pc_verdict("smp: the AP woke to spin", false, "no IPI taken in 1 s");
		return;
	}
	while (n < SPIN_IPIS && (t = spin_ipi()) != 0) {
		unsigned i = n++;

		for (; i > 0 && took[i - 1] > t; i--) /* kept sorted */
			took[i] = took[i - 1];
		took[i] = t;
	}
	ap_spin = 2; /* back to HLT */
	if (pc_verdict("smp: each fixed IPI reaches an AP that spins with IF set", n == SPIN_IPIS,
		       "%u of %u taken within 1 s", n, SPIN_IPIS))
		return;
	median = pc_us(took[SPIN_IPIS / 2]);
	worst = pc_us(took[SPIN_IPIS - 1]);
	printf("pc: smp: IPIs to an AP that spins: median %u.%03u ms, worst %u.%03u ms\n",
	       median / 1000, median % 1000, worst / 1000, worst % 1000);
}

void smp_checks(void)
{
	uintptr_t at = PC_TRAMPOLINE;
	volatile uint8_t *to;
	unsigned sent;

	desc_set_handler(VEC_IPI, (void *)on_ipi);
	lapic_enable();
	__asm__("" : "+r"(at)); /* a physical address, not an object the compiler knows */
	to = (volatile uint8_t *)at;
	for (const uint8_t *p = ap_trampoline; p < ap_trampoline_end; p++)
		*to++ = *p;

	icr(ICR_INIT | ICR_LEVEL | ICR_ASSERT);
	pc_spin_ms(10);
	icr(ICR_INIT | ICR_LEVEL); /* de-assert */
	for (int i = 0; i < 2; i++) {
		icr(ICR_STARTUP | ICR_ASSERT | (PC_TRAMPOLINE >> 12));
		pc_spin_ms(1);
	}
	if (pc_verdict("smp: AP started by INIT, STARTUP, STARTUP",
		       spin_until(&ap_state, AP_REPORTED, 5000), "no word from it in 5 s"))
		return;
	for (sent = 0; sent < IPIS; sent++) {
		icr(VEC_IPI | ICR_ASSERT);
		if (!spin_until(&ap_ipis, sent + 1, 1000))
			break;
	}
	if (pc_verdict("smp: each fixed IPI reaches the AP",
		       sent == IPIS && spin_until(&ap_state, AP_COUNTED, 1000), "%u of %u taken",
		       ap_ipis, IPIS))
		return;
	spin_ipis();
}
