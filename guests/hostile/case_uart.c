/*
 * Case "uart16550" (class 11 of the catalog): every register of the
 * emulated 16550 at 0x3f8-0x3ff (PC16550D register map), as a driver
 * that probes it would use them:
 *   - the divisor latch (DLAB on) stored and read back; IER keeps its
 *     low 4 bits; LCR, MCR (5 bits) and SCR read back;
 *   - IIR says no interrupt is pending, LSR that THR is empty;
 *   - FIFO control writes change nothing else;
 *   - a burst of lines written to THR as fast as the guest can (what the
 *     console does with them is the console's business; the scenario
 *     looks for the first and the last);
 *   - loopback (MCR bit 4), as a real 16550 behaves: a byte written to
 *     THR comes back in RBR with LSR.DR set, and is not sent (the bytes
 *     spell "LEAK", which the scenario looks for); MSR's upper half shows
 *     MCR's outputs (CTS = RTS, DSR = DTR, RI = OUT1, DCD = OUT2).
 */
#include "guests/hostile/cpu.h"
#include "guests/hostile/hostile.h"

#define COM1 0x3f8
#define RBR 0
#define THR 0
#define DLL 0
#define IER 1
#define DLM 1
#define IIR 2
#define FCR 2
#define LCR 3
#define MCR 4
#define LSR 5
#define MSR 6
#define SCR 7
#define LCR_DLAB 0x80
#define LCR_8N1 0x03
#define MCR_DTR 0x01
#define MCR_RTS 0x02
#define MCR_OUT1 0x04
#define MCR_OUT2 0x08
#define MCR_LOOP 0x10
#define LSR_DR 0x01
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
#define BURST_LINES 40

static uint8_t rd(unsigned reg)
{
	return inb((uint16_t)(COM1 + reg));
}

static void wr(unsigned reg, uint8_t v)
{
	outb((uint16_t)(COM1 + reg), v);
}

static int registers(void)
{
	int failures = 0;

	wr(LCR, LCR_DLAB | LCR_8N1);
	wr(DLL, 0x0c);
	wr(DLM, 0x00);
	failures += hcheck("DLL reads back 0x0c", rd(DLL), 0x0c);
	failures += hcheck("DLM reads back 0x00", rd(DLM), 0x00);
	wr(DLL, 0x34);
	wr(DLM, 0x12);
	failures += hcheck("DLL reads back 0x34", rd(DLL), 0x34);
	failures += hcheck("DLM reads back 0x12", rd(DLM), 0x12);
	failures += hcheck("LCR reads back with DLAB", rd(LCR), LCR_DLAB | LCR_8N1);
	wr(LCR, LCR_8N1);
	wr(IER, 0xff);
	failures += hcheck("IER keeps its low 4 bits", rd(IER), 0x0f);
	wr(IER, 0);
	wr(LCR, LCR_DLAB | LCR_8N1);
	failures += hcheck("the divisor survives DLAB off and on", rd(DLL) | rd(DLM) << 8, 0x1234);
	wr(LCR, 0x1b);
	failures += hcheck("LCR reads back 0x1b", rd(LCR), 0x1b);
	wr(LCR, LCR_8N1);
	wr(MCR, 0x0f);
	failures += hcheck("MCR reads back 0x0f", rd(MCR), 0x0f);
	wr(MCR, 0xe0);
	failures += hcheck("MCR keeps 5 bits", rd(MCR), 0x00);
	wr(SCR, 0x5a);
	failures += hcheck("SCR reads back 0x5a", rd(SCR), 0x5a);
	wr(SCR, 0xa5);
	failures += hcheck("SCR reads back 0xa5", rd(SCR), 0xa5);
	failures += hcheck("IIR says no interrupt pending", rd(IIR) & 0x0f, 0x01);
	failures +=
		hcheck("LSR says THR empty", rd(LSR) & (LSR_THRE | LSR_TEMT), LSR_THRE | LSR_TEMT);
	wr(FCR, 0x07);
	wr(FCR, 0xc7);
	wr(FCR, 0x00);
	failures += hcheck("FIFO control leaves LCR, SCR and IER",
			   rd(LCR) == LCR_8N1 && rd(SCR) == 0xa5 && rd(IER) == 0, 1);
	return failures;
}

static void burst(void)
{
	for (unsigned n = 0; n < BURST_LINES; n++) {
		char line[80];
		int len = format(
			line, sizeof(line),
			"hostile uart16550: burst %02u 0123456789abcdefghijklmnopqrstuvwxyz\n", n);
		for (int i = 0; i < len; i++)
			wr(THR, (uint8_t)line[i]);
	}
}

static int loopback(void)
{
	static const char bytes[] = "LEAK through loopback\n";
	unsigned back = 0;
	int failures = 0;

	while (rd(LSR) & LSR_DR)
		(void)rd(RBR);
	wr(MCR, MCR_LOOP | MCR_RTS | MCR_OUT2);
	failures +=
		hcheck("loopback: MSR shows CTS and DCD for RTS and OUT2", rd(MSR) & 0xf0, 0x90);
	wr(MCR, MCR_LOOP | MCR_DTR | MCR_OUT1);
	failures += hcheck("loopback: MSR shows DSR and RI for DTR and OUT1", rd(MSR) & 0xf0, 0x60);
	for (unsigned i = 0; i < sizeof(bytes) - 1; i++) {
		wr(THR, (uint8_t)bytes[i]);
		if ((rd(LSR) & LSR_DR) && rd(RBR) == (uint8_t)bytes[i])
			back++;
	}
	wr(MCR, 0);
	failures += hcheck("loopback: every byte written to THR came back in RBR", back,
			   sizeof(bytes) - 1);
	if (back != sizeof(bytes) - 1)
		hsay("FAIL: loopback mode (MCR bit 4) is not emulated: %u of %u bytes came back",
		     back, (unsigned)sizeof(bytes) - 1);
	return failures;
}

int case_uart16550(unsigned magic, unsigned info)
{
	int failures = 0;
	(void)magic, (void)info;

	failures += registers();
	burst();
	failures += loopback();
	wr(LCR, LCR_8N1);
	return failures;
}
