/*
 * Unit tests of vdev/uart.c, the 16550A a partition sees, against a
 * pretend console wired to it (the line hooks below): a byte written to
 * THR goes to the console, or is refused with nothing changed when the
 * console cannot take it, so that the guest's OUT is executed again;
 * LSR reads "transmitter empty" (THRE and TEMT) only while the console
 * could take a byte, and "data ready" while input waits; RBR pops the
 * input; DLAB turns offsets 0 and 1 into the divisor latch, which never
 * reaches the console; the other registers keep what they are given.
 */
/* unit-sources: vdev/uart.c */
#include "tests/unit/unit.h"

#include <string.h>

#include "vdev/uart.h"

#define THR 0
#define IER 1
#define IIR 2
#define LCR 3
#define MCR 4
#define LSR 5
#define MSR 6
#define SCR 7
#define LSR_DR 0x01
#define LSR_THRE 0x20
#define LSR_TEMT 0x40

/* ---- the pretend console ---------------------------------------------------- */

static int console; /* the line's ctx */
static bool takes;  /* send() takes bytes */
static bool ready;  /* can_send() says yes */
static u8 out[64];  /* what it took */
static unsigned nout;
static const char *input; /* typed bytes not yet read */

static bool line_send(void *ctx, u8 byte)
{
	assert_ptr_equal(ctx, &console);
	if (!takes)
		return false;
	if (nout < sizeof(out))
		out[nout++] = byte;
	return true;
}

static bool line_can_send(void *ctx)
{
	assert_ptr_equal(ctx, &console);
	return ready;
}

static int line_receive(void *ctx)
{
	assert_ptr_equal(ctx, &console);
	return *input ? (u8)*input++ : -1;
}

static bool line_has_input(void *ctx)
{
	assert_ptr_equal(ctx, &console);
	return *input;
}

static const struct vuart_line line = {
	.can_send = line_can_send,
	.send = line_send,
	.has_input = line_has_input,
	.receive = line_receive,
};

static struct vuart u;

static int reset(void **state)
{
	(void)state;
	vuart_reset(&u, &line, &console);
	takes = ready = true;
	nout = 0;
	input = "";
	return 0;
}

/* ---- transmit --------------------------------------------------------------- */

static void test_transmit(void **state)
{
	(void)state;
	assert_int_equal(vuart_read(&u, LSR), LSR_THRE | LSR_TEMT);
	assert_true(vuart_write(&u, THR, 'h'));
	assert_true(vuart_write(&u, THR, 0xc3));
	assert_int_equal(nout, 2);
	assert_memory_equal(out, "h\xc3", 2);
}

static void test_busy_console(void **state)
{
	(void)state;
	struct vuart before;

	/* The console cannot take a line: the transmitter reads busy, as a 16550 sending. */
	ready = false;
	assert_int_equal(vuart_read(&u, LSR) & (LSR_THRE | LSR_TEMT), 0);
	/* A byte written anyway is refused, and nothing changes. */
	takes = false;
	before = u;
	assert_false(vuart_write(&u, THR, '\n'));
	assert_memory_equal(&u, &before, sizeof(u));
	assert_int_equal(nout, 0);
	/* Once it can, the same OUT goes through. */
	takes = ready = true;
	assert_int_equal(vuart_read(&u, LSR), LSR_THRE | LSR_TEMT);
	assert_true(vuart_write(&u, THR, '\n'));
	assert_int_equal(nout, 1);

	/* Busy transmitter and waiting input: "data ready" alone. */
	ready = false;
	input = "x";
	assert_int_equal(vuart_read(&u, LSR), LSR_DR);
}

static void test_divisor_latch(void **state)
{
	(void)state;
	/* With DLAB, offsets 0 and 1 are the divisor; nothing goes to the console, busy or not. */
	takes = ready = false;
	assert_true(vuart_write(&u, LCR, 0x83));
	assert_true(vuart_write(&u, THR, 0x0c));
	assert_true(vuart_write(&u, IER, 0x01));
	assert_int_equal(vuart_read(&u, THR), 0x0c);
	assert_int_equal(vuart_read(&u, IER), 0x01);
	assert_int_equal(nout, 0);
	assert_true(vuart_write(&u, LCR, 0x03));
	assert_int_equal(vuart_read(&u, LCR), 0x03);
	assert_int_equal(vuart_read(&u, IER), 0x00);
}

/* ---- receive and the rest --------------------------------------------------- */

static void test_receive(void **state)
{
	(void)state;
	input = "ab";
	assert_int_equal(vuart_read(&u, LSR), LSR_THRE | LSR_TEMT | LSR_DR);
	assert_int_equal(vuart_read(&u, THR), 'a');
	assert_int_equal(vuart_read(&u, THR), 'b');
	assert_int_equal(vuart_read(&u, LSR), LSR_THRE | LSR_TEMT);
	assert_int_equal(vuart_read(&u, THR), 0); /* nothing waiting */
}

static void test_other_registers(void **state)
{
	(void)state;
	/* Busy or not, the other registers take their writes. */
	takes = ready = false;
	assert_true(vuart_write(&u, IER, 0xff));
	assert_int_equal(vuart_read(&u, IER), 0x0f);
	assert_true(vuart_write(&u, MCR, 0xff));
	assert_int_equal(vuart_read(&u, MCR), 0x1f);
	assert_true(vuart_write(&u, SCR, 0x5a));
	assert_int_equal(vuart_read(&u, SCR), 0x5a);
	assert_true(vuart_write(&u, IIR, 0xc7));     /* FCR: FIFOs on */
	assert_int_equal(vuart_read(&u, IIR), 0xc1); /* a 16550A, no interrupt pending */
	assert_true(vuart_write(&u, LSR, 0));
	assert_true(vuart_write(&u, MSR, 0));
	assert_true(vuart_write(&u, MCR, 0x0f)); /* not looping back */
	assert_int_equal(vuart_read(&u, MSR), 0xb0);
	assert_int_equal(nout, 0);
}

/* Loopback (MCR bit 4): THR comes back in RBR, not on the line; MSR shows MCR's outputs. */
static void test_loopback(void **state)
{
	(void)state;
	assert_true(vuart_write(&u, MCR, 0x10 | 0x02 | 0x08)); /* LOOP, RTS, OUT2 */
	assert_int_equal(vuart_read(&u, MSR), 0x90);	       /* CTS, DCD */
	assert_true(vuart_write(&u, MCR, 0x10 | 0x01 | 0x04)); /* LOOP, DTR, OUT1 */
	assert_int_equal(vuart_read(&u, MSR), 0x60);	       /* DSR, RI */
	for (int i = 0; i < 20; i++) /* 4 more than the FIFO holds: lost, as an overrun */
		assert_true(vuart_write(&u, THR, (u8)('a' + i)));
	assert_int_equal(nout, 0); /* nothing went to the console */
	for (int i = 0; i < 16; i++) {
		assert_int_equal(vuart_read(&u, LSR) & LSR_DR, LSR_DR);
		assert_int_equal(vuart_read(&u, THR), 'a' + i);
	}
	assert_int_equal(vuart_read(&u, LSR) & LSR_DR, 0);
	/* Out of loopback: what was left goes, and THR prints again. */
	assert_true(vuart_write(&u, THR, 'z'));
	assert_true(vuart_write(&u, MCR, 0));
	assert_true(vuart_write(&u, THR, 'y'));
	assert_int_equal(nout, 1);
}

/* ---- interrupts ------------------------------------------------------------- */

#define IER_RDA 0x01
#define IER_THRE 0x02
#define MCR_OUT2 0x08
#define IIR_NONE 0x01
#define IIR_THRE 0x02
#define IIR_RDA 0x04

/* FCR's FIFO enable shows in IIR's top bits: how Linux tells a 16550A from a 16450. */
static void test_fifo_identifies_16550a(void **state)
{
	(void)state;
	assert_int_equal(vuart_read(&u, IIR), IIR_NONE);
	vuart_write(&u, IIR, 0x01);
	assert_int_equal(vuart_read(&u, IIR), 0xc0 | IIR_NONE);
	vuart_write(&u, IIR, 0x00);
	assert_int_equal(vuart_read(&u, IIR), IIR_NONE);
}

/*
 * Enabling ETBEI with the transmitter empty raises THRE; reading IIR
 * clears it; disabling and enabling again raises it again (Linux's
 * check for UARTs that do not re-assert THRE); a byte sent raises it.
 */
static void test_thre_interrupt(void **state)
{
	(void)state;
	vuart_write(&u, MCR, MCR_OUT2);
	assert_false(vuart_irq(&u));
	vuart_write(&u, IER, IER_THRE);
	assert_true(vuart_irq(&u));
	assert_int_equal(vuart_read(&u, IIR), IIR_THRE);
	assert_false(vuart_irq(&u));
	assert_int_equal(vuart_read(&u, IIR), IIR_NONE);
	vuart_write(&u, IER, 0);
	vuart_write(&u, IER, IER_THRE);
	assert_int_equal(vuart_read(&u, IIR), IIR_THRE);
	assert_true(vuart_write(&u, THR, 'x'));
	assert_true(vuart_irq(&u));
	assert_int_equal(vuart_read(&u, IIR), IIR_THRE);
}

/* The line is driven only while OUT2 is set, as on a PC. */
static void test_irq_needs_out2(void **state)
{
	(void)state;
	vuart_write(&u, IER, IER_THRE);
	assert_false(vuart_irq(&u));
	vuart_write(&u, MCR, MCR_OUT2);
	assert_true(vuart_irq(&u));
	vuart_write(&u, MCR, 0);
	assert_false(vuart_irq(&u));
}

/* A busy line holds THRE back until vuart_poll() finds room again. */
static void test_thre_after_busy_line(void **state)
{
	(void)state;
	ready = takes = false;
	vuart_write(&u, MCR, MCR_OUT2);
	vuart_write(&u, IER, IER_THRE);
	assert_false(vuart_irq(&u));
	assert_false(vuart_write(&u, THR, 'x'));
	vuart_poll(&u);
	assert_false(vuart_irq(&u));
	ready = takes = true;
	vuart_poll(&u);
	assert_true(vuart_irq(&u));
	assert_int_equal(vuart_read(&u, IIR), IIR_THRE);
}

/* Typed bytes raise "received data available" until read; it outranks THRE. */
static void test_receive_interrupt(void **state)
{
	(void)state;
	input = "ab";
	vuart_write(&u, MCR, MCR_OUT2);
	vuart_write(&u, IER, IER_RDA | IER_THRE);
	assert_true(vuart_irq(&u));
	assert_int_equal(vuart_read(&u, IIR), IIR_RDA);
	assert_int_equal(vuart_read(&u, THR), 'a');
	assert_int_equal(vuart_read(&u, IIR), IIR_RDA);
	assert_int_equal(vuart_read(&u, THR), 'b');
	assert_int_equal(vuart_read(&u, IIR), IIR_THRE);
	assert_int_equal(vuart_read(&u, IIR), IIR_NONE);
	assert_false(vuart_irq(&u));
	vuart_write(&u, IER, 0);
	input = "c";
	assert_false(vuart_irq(&u)); /* ERBFI off: nothing */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_transmit, reset),
		cmocka_unit_test_setup(test_loopback, reset),
		cmocka_unit_test_setup(test_busy_console, reset),
		cmocka_unit_test_setup(test_divisor_latch, reset),
		cmocka_unit_test_setup(test_receive, reset),
		cmocka_unit_test_setup(test_other_registers, reset),
		cmocka_unit_test_setup(test_fifo_identifies_16550a, reset),
		cmocka_unit_test_setup(test_thre_interrupt, reset),
		cmocka_unit_test_setup(test_irq_needs_out2, reset),
		cmocka_unit_test_setup(test_thre_after_busy_line, reset),
		cmocka_unit_test_setup(test_receive_interrupt, reset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
