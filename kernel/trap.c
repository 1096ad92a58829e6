/*
 * The IDT and the dispatcher behind traps.S.  Exceptions in the
 * hypervisor are bugs: they go to the panic path with the full frame.
 * An NMI either stops this CPU (when another CPU has panicked) or is
 * reported.  Interrupts go to the handler registered for their vector,
 * then the LAPIC gets its EOI.
 */
#include "kernel/trap.h"
#include "boot/boot.h"
#include "drivers/lapic.h"
#include "kernel/console.h"
#include "kernel/cpu.h"
#include "kernel/panic.h"
#include "lib/x86.h"

struct idt_gate {
	u16 offset_low;
	u16 selector;
	u8 ist;
	u8 type; /* present, DPL 0, 64-bit interrupt gate = 0x8e */
	u16 offset_mid;
	u32 offset_high;
	u32 reserved;
} PACKED;
_Static_assert(sizeof(struct idt_gate) == 16, "IDT gate (SDM 3A §6.14.1)");

#define GATE_INTERRUPT 0x8e
#define STUB_SIZE 16

extern const u8 trap_stubs[];
static struct idt_gate idt[256] __attribute__((aligned(16)));
static irq_handler_t handlers[256];

static const char *const names[32] = {
	"#DE divide error",
	"#DB debug",
	"NMI",
	"#BP breakpoint",
	"#OF overflow",
	"#BR bound range",
	"#UD invalid opcode",
	"#NM device not available",
	"#DF double fault",
	"coprocessor overrun",
	"#TS invalid TSS",
	"#NP segment not present",
	"#SS stack fault",
	"#GP general protection",
	"#PF page fault",
	"reserved 15",
	"#MF x87 error",
	"#AC alignment check",
	"#MC machine check",
	"#XM SIMD error",
	"#VE virtualization",
	"#CP control protection",
	"reserved 22",
	"reserved 23",
	"reserved 24",
	"reserved 25",
	"reserved 26",
	"reserved 27",
	"#HV hypervisor injection",
	"#VC VMM communication",
	"#SX security",
	"reserved 31",
};

const char *trap_name(u64 vector)
{
	return vector < 32 ? names[vector] : "interrupt";
}

void trap_init(void)
{
	for (int v = 0; v < 256; v++) {
		u64 a = (u64)(trap_stubs + v * STUB_SIZE);
		u8 ist = 0;
		if (v == EXC_NMI)
			ist = IST_NMI;
		else if (v == EXC_DF)
			ist = IST_DF;
		else if (v == EXC_MC)
			ist = IST_MC;
		idt[v] = (struct idt_gate){ (u16)a,	    SEL_CODE64,	    ist, GATE_INTERRUPT,
					    (u16)(a >> 16), (u32)(a >> 32), 0 };
	}
}

void trap_load(void)
{
	struct PACKED {
		u16 limit;
		u64 base;
	} idtr = { sizeof(idt) - 1, (u64)idt };
	__asm__ volatile("lidt %0" ::"m"(idtr));
}

void trap_set_handler(u8 vector, irq_handler_t h)
{
	handlers[vector] = h;
}

void trap_dispatch(struct trap_frame *f)
{
	if (f->vector == EXC_NMI) {
		if (panic_elsewhere())
			cpu_stop();
		if (handlers[EXC_NMI])
			handlers[EXC_NMI](f);
		else
			klog("cpu %u: NMI received and ignored", this_cpu()->index);
		return;
	}
	if (f->vector < 32)
		panic_frame(f, "%s", trap_name(f->vector));
	if (f->vector == VEC_SPURIOUS)
		return; /* spurious: no EOI (SDM 3A §11.9) */
	if (handlers[f->vector])
		handlers[f->vector](f);
	lapic_eoi();
}
