/*
 * Unit tests of vdev/i8042.c, the keyboard controller with nothing
 * plugged in: the status register (system flag, key lock never engaged,
 * input buffer never full, command/data bit, time-out), the command
 * byte and RAM, self-test and interface tests, enabling and disabling
 * the ports, the echo commands 0xD2/0xD3 (Linux's AUX loop and MUX
 * probes), the time-out answer for bytes sent to the missing keyboard
 * and mouse, IRQ 1 and IRQ 12 as levels gated by the command byte, and
 * the reset requests (0xFE and the other line-0 pulses, an output-port
 * write with bit 0 clear).  Commands are issued as Linux's i8042 driver
 * issues them.
 */
/* unit-sources: vdev/i8042.c */
#include "tests/unit/unit.h"

#include <string.h>

#include "vdev/i8042.h"

#define DATA VI8042_DATA
#define CMD VI8042_CMD

#define ST_OBF 0x01
#define ST_IBF 0x02
#define ST_SYS 0x04
#define ST_CMD 0x08
#define ST_UNLOCKED 0x10
#define ST_AUX 0x20
#define ST_TIMEOUT 0x40

#define CTR_KBDINT 0x01
#define CTR_AUXINT 0x02
#define CTR_SYS 0x04
#define CTR_KBDDIS 0x10
#define CTR_AUXDIS 0x20
#define CTR_XLATE 0x40

static struct vi8042 k;

/* The interrupt lines as the hook was told, and how many times it was called. */
static bool level[16];
static unsigned calls;

static void set_irq(void *ctx, u8 irq, bool lvl)
{
	assert_ptr_equal(ctx, &k);
	assert_true(irq == VI8042_IRQ_KBD || irq == VI8042_IRQ_AUX);
	assert_int_not_equal(level[irq], lvl); /* told only of changes */
	level[irq] = lvl;
	calls++;
}

static int setup(void **state)
{
	(void)state;
	memset(level, 0, sizeof(level));
	calls = 0;
	vi8042_init(&k, set_irq, &k);
	return 0;
}

static u8 status(void)
{
	return vi8042_read(&k, CMD);
}

static int cmd(u8 c)
{
	return vi8042_write(&k, CMD, c);
}

static int data(u8 v)
{
	return vi8042_write(&k, DATA, v);
}

/* A command that answers one byte: the byte, checked to be from the keyboard side. */
static u8 ask(u8 c)
{
	assert_int_equal(cmd(c), VPM_NONE);
	assert_int_equal(status() & (ST_OBF | ST_AUX | ST_TIMEOUT), ST_OBF);
	return vi8042_read(&k, DATA);
}

static void set_ctr(u8 v)
{
	assert_int_equal(cmd(0x60), VPM_NONE);
	assert_int_equal(data(v), VPM_NONE);
}

/* ---- status, command byte, RAM ------------------------------------------------ */

static void test_power_on_state(void **state)
{
	(void)state;
	assert_int_equal(status(), ST_SYS | ST_UNLOCKED);
	assert_int_equal(calls, 0);
	/* As firmware leaves it: keyboard on with its interrupt and translation, aux off. */
	assert_int_equal(ask(0x20), CTR_KBDINT | CTR_SYS | CTR_AUXDIS | CTR_XLATE);
	assert_int_equal(status() & ST_OBF, 0);
}

static void test_command_byte(void **state)
{
	(void)state;
	set_ctr(0x47);
	assert_int_equal(ask(0x20), 0x47);
	assert_int_equal(status() & ST_SYS, ST_SYS);
	set_ctr(0x40); /* the system flag follows bit 2 */
	assert_int_equal(ask(0x20), 0x40);
	assert_int_equal(status() & ST_SYS, 0);
	assert_int_equal(status() & ST_UNLOCKED, ST_UNLOCKED); /* Linux warns of a key lock */
}

static void test_controller_ram(void **state)
{
	(void)state;
	cmd(0x61);
	data(0x5c);
	cmd(0x7f);
	data(0xc3);
	assert_int_equal(ask(0x21), 0x5c);
	assert_int_equal(ask(0x3f), 0xc3);
	assert_int_equal(ask(0x20), 0x65); /* byte 0 untouched */
}

static void test_cmd_data_bit_and_no_ibf(void **state)
{
	(void)state;
	cmd(0xad);
	assert_int_equal(status() & (ST_CMD | ST_IBF), ST_CMD);
	cmd(0x60);
	data(0x45);
	assert_int_equal(status() & (ST_CMD | ST_IBF), 0);
}

static void test_pending_command_abandoned(void **state)
{
	(void)state;
	cmd(0x60);			   /* waits for the command byte ... */
	assert_int_equal(ask(0x20), 0x65); /* ... but a new command comes first */
	data(0xf4); /* now a byte for the (missing) keyboard, not the command byte */
	assert_int_equal(status() & ST_TIMEOUT, ST_TIMEOUT);
	vi8042_read(&k, DATA);
	assert_int_equal(ask(0x20), 0x65);
}

/* ---- tests and port control ----------------------------------------------------- */

static void test_self_and_interface_tests(void **state)
{
	(void)state;
	set_ctr(0x40); /* system flag clear, as before a self-test */
	assert_int_equal(ask(0xaa), 0x55);
	assert_int_equal(status() & ST_SYS, ST_SYS);
	assert_int_equal(ask(0xab), 0x00); /* keyboard interface: no fault */
	assert_int_equal(ask(0xa9), 0x00); /* auxiliary interface: no fault */
}

static void test_port_enable_disable(void **state)
{
	(void)state;
	cmd(0xa8);
	assert_int_equal(ask(0x20) & CTR_AUXDIS, 0);
	cmd(0xa7);
	assert_int_equal(ask(0x20) & CTR_AUXDIS, CTR_AUXDIS);
	cmd(0xad);
	assert_int_equal(ask(0x20) & CTR_KBDDIS, CTR_KBDDIS);
	cmd(0xae);
	assert_int_equal(ask(0x20) & CTR_KBDDIS, 0);
}

/* ---- bytes through the ports ------------------------------------------------------ */

static void test_keyboard_absent(void **state)
{
	(void)state;
	set_ctr(0x45);
	calls = 0;
	assert_int_equal(data(0xf2), VPM_NONE); /* GET ID to the keyboard */
	assert_int_equal(status() & (ST_OBF | ST_AUX | ST_TIMEOUT), ST_OBF | ST_TIMEOUT);
	assert_true(level[VI8042_IRQ_KBD]);
	assert_false(level[VI8042_IRQ_AUX]);
	assert_int_equal(vi8042_read(&k, DATA), 0xff);
	assert_int_equal(status() & (ST_OBF | ST_TIMEOUT), 0);
	assert_false(level[VI8042_IRQ_KBD]);
	assert_int_equal(calls, 2);
}

static void test_mouse_absent(void **state)
{
	(void)state;
	set_ctr(0x47); /* both interrupts */
	calls = 0;
	cmd(0xd4);
	assert_int_equal(calls, 0);
	data(0xf2); /* GET ID to the mouse */
	assert_int_equal(status() & (ST_OBF | ST_AUX | ST_TIMEOUT), ST_OBF | ST_AUX | ST_TIMEOUT);
	assert_true(level[VI8042_IRQ_AUX]);
	assert_false(level[VI8042_IRQ_KBD]);
	assert_int_equal(vi8042_read(&k, DATA), 0xff);
	assert_false(level[VI8042_IRQ_AUX]);
}

/* Linux's AUX loop test and its MUX probe: the controller echoes, as aux data. */
static void test_aux_loopback(void **state)
{
	static const u8 bytes[] = { 0x5a, 0xf0, 0x56, 0xa4 };

	(void)state;
	for (u32 i = 0; i < ARRAY_SIZE(bytes); i++) {
		cmd(0xd3);
		data(bytes[i]);
		assert_int_equal(status() & (ST_OBF | ST_AUX | ST_TIMEOUT), ST_OBF | ST_AUX);
		assert_int_equal(vi8042_read(&k, DATA), bytes[i]);
	}
	/* IRQ 12 only once the command byte enables it (Linux's aux IRQ test). */
	assert_false(level[VI8042_IRQ_AUX]);
	cmd(0xa8);
	set_ctr(0x47);
	cmd(0xd3);
	data(0xa5);
	assert_true(level[VI8042_IRQ_AUX]);
	assert_int_equal(vi8042_read(&k, DATA), 0xa5);
	assert_false(level[VI8042_IRQ_AUX]);
}

static void test_keyboard_echo(void **state)
{
	(void)state;
	cmd(0xd2);
	data(0x1c);
	assert_int_equal(status() & (ST_OBF | ST_AUX | ST_TIMEOUT), ST_OBF);
	assert_true(level[VI8042_IRQ_KBD]);
	assert_int_equal(vi8042_read(&k, DATA), 0x1c);
}

/* The lines are levels: enabling an interrupt with a byte waiting raises it. */
static void test_irq_follows_command_byte(void **state)
{
	(void)state;
	set_ctr(0x44); /* no interrupts */
	cmd(0xd2);
	data(0x33);
	assert_false(level[VI8042_IRQ_KBD]);
	set_ctr(0x45);
	assert_true(level[VI8042_IRQ_KBD]);
	set_ctr(0x44);
	assert_false(level[VI8042_IRQ_KBD]);
	assert_int_equal(vi8042_read(&k, DATA), 0x33); /* the byte waited throughout */
}

static void test_new_byte_replaces_unread(void **state)
{
	(void)state;
	cmd(0xd3);
	data(0x11);
	cmd(0xd2);
	data(0x22);
	assert_int_equal(status() & (ST_OBF | ST_AUX), ST_OBF);
	assert_int_equal(vi8042_read(&k, DATA), 0x22);
}

/* ---- resets ------------------------------------------------------------------------ */

static void test_pulse_reset(void **state)
{
	(void)state;
	assert_int_equal(cmd(0xfe), VPM_RESET);
	for (u32 c = 0xf0; c <= 0xff; c++)
		assert_int_equal(cmd((u8)c), (c & 1) ? VPM_NONE : VPM_RESET);
	assert_int_equal(cmd(0xff), VPM_NONE); /* Linux's "null command" */
}

static void test_output_port(void **state)
{
	(void)state;
	assert_int_equal(ask(0xd0) & 0x03, 0x03); /* reset line released, A20 on */
	assert_int_equal(cmd(0xd1), VPM_NONE);
	assert_int_equal(data(0xdf), VPM_NONE); /* what Linux writes to turn A20 on */
	assert_int_equal(ask(0xd0), 0xdf);
	assert_int_equal(cmd(0xd1), VPM_NONE);
	assert_int_equal(data(0xde), VPM_RESET); /* bit 0 clear: the reset line pulled */
	assert_int_equal(ask(0xd0) & 1, 1);
}

static void test_reset_lowers_lines(void **state)
{
	(void)state;
	data(0xee); /* no keyboard: IRQ 1 rises */
	assert_true(level[VI8042_IRQ_KBD]);
	vi8042_reset(&k);
	assert_false(level[VI8042_IRQ_KBD]);
	assert_int_equal(status(), ST_SYS | ST_UNLOCKED);
}

static void test_other_ports(void **state)
{
	(void)state;
	assert_int_equal(vi8042_read(&k, 0x61), 0xff);
	assert_int_equal(vi8042_write(&k, 0x61, 0xfe), VPM_NONE);
	assert_int_equal(vi8042_write(&k, 0x62, 0x00), VPM_NONE);
	assert_int_equal(status(), ST_SYS | ST_UNLOCKED);
	assert_int_equal(calls, 0);
}

static void test_no_hook(void **state)
{
	(void)state;
	vi8042_init(&k, NULL, NULL);
	data(0xf2);
	assert_int_equal(vi8042_read(&k, DATA), 0xff);
	assert_int_equal(calls, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_power_on_state, setup),
		cmocka_unit_test_setup(test_command_byte, setup),
		cmocka_unit_test_setup(test_controller_ram, setup),
		cmocka_unit_test_setup(test_cmd_data_bit_and_no_ibf, setup),
		cmocka_unit_test_setup(test_pending_command_abandoned, setup),
		cmocka_unit_test_setup(test_self_and_interface_tests, setup),
		cmocka_unit_test_setup(test_port_enable_disable, setup),
		cmocka_unit_test_setup(test_keyboard_absent, setup),
		cmocka_unit_test_setup(test_mouse_absent, setup),
		cmocka_unit_test_setup(test_aux_loopback, setup),
		cmocka_unit_test_setup(test_keyboard_echo, setup),
		cmocka_unit_test_setup(test_irq_follows_command_byte, setup),
		cmocka_unit_test_setup(test_new_byte_replaces_unread, setup),
		cmocka_unit_test_setup(test_pulse_reset, setup),
		cmocka_unit_test_setup(test_output_port, setup),
		cmocka_unit_test_setup(test_reset_lowers_lines, setup),
		cmocka_unit_test_setup(test_other_ports, setup),
		cmocka_unit_test_setup(test_no_hook, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
