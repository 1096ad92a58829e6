/*
 * Unit tests of kernel/vuart.c, the 16550 a partition sees, against a
 * pretend console (the pconsole_* functions below): a byte written to
 * THR goes to the console, or is refused with nothing changed when the
 * console cannot take it, so that the guest's OUT is executed again;
 * LSR reads "transmitter empty" (THRE and TEMT) only while the console
 * could take a byte, and "data ready" while input waits; RBR pops the
 * input; DLAB turns offsets 0 and 1 into the divisor latch, which never
 * reaches the console; the other registers keep what they are given.
 */
/* unit-sources: kernel/vuart.c */
#include "tests/unit/unit.h"

#include <string.h>

#include "kernel/pconsole.h"
#include "kernel/vuart.h"

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

static struct pconsole console;
static bool takes; /* pconsole_write takes bytes */
static bool ready; /* pconsole_write_ready says yes */
static u8 out[64]; /* what it took */
static unsigned nout;
static const char *input; /* typed bytes not yet read */

u64 pconsole_write(struct pconsole *c, const u8 *buf, u64 len)
{
	assert_ptr_equal(c, &console);
	if (!takes)
		return 0;
	for (u64 i = 0; i < len && nout < sizeof(out); i++)
		out[nout++] = buf[i];
	return len;
}

bool pconsole_write_ready(const struct pconsole *c)
{
	assert_ptr_equal(c, &console);
	return ready;
}

int pconsole_pop_input(struct pconsole *c)
{
	assert_ptr_equal(c, &console);
	return *input ? (u8)*input++ : -1;
}

bool pconsole_has_input(const struct pconsole *c)
{
	assert_ptr_equal(c, &console);
	return *input;
}

static struct vuart u;

static int reset(void **state)
{
	(void)state;
	vuart_reset(&u);
	takes = ready = true;
	nout = 0;
	input = "";
	return 0;
}

/* ---- transmit --------------------------------------------------------------- */

static void test_transmit(void **state)
{
	(void)state;
	assert_int_equal(vuart_read(&u, &console, LSR), LSR_THRE | LSR_TEMT);
	assert_true(vuart_write(&u, &console, THR, 'h'));
	assert_true(vuart_write(&u, &console, THR, 0xc3));
	assert_int_equal(nout, 2);
	assert_memory_equal(out, "h\xc3", 2);
}

static void test_busy_console(void **state)
{
	(void)state;
	struct vuart before;

	/* The console cannot take a line: the transmitter reads busy, as a 16550 sending. */
	ready = false;
	assert_int_equal(vuart_read(&u, &console, LSR) & (LSR_THRE | LSR_TEMT), 0);
	/* A byte written anyway is refused, and nothing changes. */
	takes = false;
	before = u;
	assert_false(vuart_write(&u, &console, THR, '\n'));
	assert_memory_equal(&u, &before, sizeof(u));
	assert_int_equal(nout, 0);
	/* Once it can, the same OUT goes through. */
	takes = ready = true;
	assert_int_equal(vuart_read(&u, &console, LSR), LSR_THRE | LSR_TEMT);
	assert_true(vuart_write(&u, &console, THR, '\n'));
	assert_int_equal(nout, 1);

	/* Busy transmitter and waiting input: "data ready" alone. */
	ready = false;
	input = "x";
	assert_int_equal(vuart_read(&u, &console, LSR), LSR_DR);
}

static void test_divisor_latch(void **state)
{
	(void)state;
	/* With DLAB, offsets 0 and 1 are the divisor; nothing goes to the console, busy or not. */
	takes = ready = false;
	assert_true(vuart_write(&u, &console, LCR, 0x83));
	assert_true(vuart_write(&u, &console, THR, 0x0c));
	assert_true(vuart_write(&u, &console, IER, 0x01));
	assert_int_equal(vuart_read(&u, &console, THR), 0x0c);
	assert_int_equal(vuart_read(&u, &console, IER), 0x01);
	assert_int_equal(nout, 0);
	assert_true(vuart_write(&u, &console, LCR, 0x03));
	assert_int_equal(vuart_read(&u, &console, LCR), 0x03);
	assert_int_equal(vuart_read(&u, &console, IER), 0x00);
}

/* ---- receive and the rest --------------------------------------------------- */

static void test_receive(void **state)
{
	(void)state;
	input = "ab";
	assert_int_equal(vuart_read(&u, &console, LSR), LSR_THRE | LSR_TEMT | LSR_DR);
	assert_int_equal(vuart_read(&u, &console, THR), 'a');
	assert_int_equal(vuart_read(&u, &console, THR), 'b');
	assert_int_equal(vuart_read(&u, &console, LSR), LSR_THRE | LSR_TEMT);
	assert_int_equal(vuart_read(&u, &console, THR), 0); /* nothing waiting */
}

static void test_other_registers(void **state)
{
	(void)state;
	/* Busy or not, the other registers take their writes. */
	takes = ready = false;
	assert_true(vuart_write(&u, &console, IER, 0xff));
	assert_int_equal(vuart_read(&u, &console, IER), 0x0f);
	assert_true(vuart_write(&u, &console, MCR, 0xff));
	assert_int_equal(vuart_read(&u, &console, MCR), 0x1f);
	assert_true(vuart_write(&u, &console, SCR, 0x5a));
	assert_int_equal(vuart_read(&u, &console, SCR), 0x5a);
	assert_true(vuart_write(&u, &console, IIR, 0xc7));     /* FCR */
	assert_int_equal(vuart_read(&u, &console, IIR), 0x01); /* no interrupt pending */
	assert_true(vuart_write(&u, &console, LSR, 0));
	assert_true(vuart_write(&u, &console, MSR, 0));
	assert_true(vuart_write(&u, &console, MCR, 0x0f)); /* not looping back */
	assert_int_equal(vuart_read(&u, &console, MSR), 0xb0);
	assert_int_equal(nout, 0);
}

/* Loopback (MCR bit 4): THR comes back in RBR, not on the line; MSR shows MCR's outputs. */
static void test_loopback(void **state)
{
	(void)state;
	assert_true(vuart_write(&u, &console, MCR, 0x10 | 0x02 | 0x08)); /* LOOP, RTS, OUT2 */
	assert_int_equal(vuart_read(&u, &console, MSR), 0x90);		 /* CTS, DCD */
	assert_true(vuart_write(&u, &console, MCR, 0x10 | 0x01 | 0x04)); /* LOOP, DTR, OUT1 */
	assert_int_equal(vuart_read(&u, &console, MSR), 0x60);		 /* DSR, RI */
	for (int i = 0; i < 20; i++) /* 4 more than the FIFO holds: lost, as an overrun */
		assert_true(vuart_write(&u, &console, THR, (u8)('a' + i)));
	assert_int_equal(nout, 0); /* nothing went to the console */
	for (int i = 0; i < 16; i++) {
		assert_int_equal(vuart_read(&u, &console, LSR) & LSR_DR, LSR_DR);
		assert_int_equal(vuart_read(&u, &console, THR), 'a' + i);
	}
	assert_int_equal(vuart_read(&u, &console, LSR) & LSR_DR, 0);
	/* Out of loopback: what was left goes, and THR prints again. */
	assert_true(vuart_write(&u, &console, THR, 'z'));
	assert_true(vuart_write(&u, &console, MCR, 0));
	assert_true(vuart_write(&u, &console, THR, 'y'));
	assert_int_equal(nout, 1);
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
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
