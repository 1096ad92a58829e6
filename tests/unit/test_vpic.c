/*
 * Unit tests of vdev/pic.c, the 8259A pair a partition sees, through
 * the ports a guest uses and the INT output and acknowledge cycle the
 * vCPU sees: initialisation as Linux does it, the mask, fixed priority
 * with the slave on IR2, EOIs, reading IRR and ISR, polling, auto-EOI,
 * spurious acknowledges and the ELCR's level IRQs.
 */
/* unit-sources: vdev/pic.c */
#include "tests/unit/unit.h"

#include "vdev/pic.h"

#define M_CMD 0x20
#define M_DATA 0x21
#define S_CMD 0xa0
#define S_DATA 0xa1
#define ELCR0 0x4d0
#define ELCR1 0x4d1

#define MBASE 0x30 /* Linux's ISA_IRQ_VECTOR(0) */
#define SBASE 0x38

#define OCW2_EOI 0x20
#define OCW2_SPECIFIC_EOI(l) (0x60 | (l))
#define OCW3_READ_IRR 0x0a
#define OCW3_READ_ISR 0x0b
#define OCW3_POLL 0x0c
#define OCW3_SET_SMM 0x68
#define OCW3_CLEAR_SMM 0x48

static struct vpic p;

/* Linux's init_8259A(): ICW1 0x11, ICW2 base, ICW3 4 / 2, ICW4 1 (3 for auto-EOI on the master). */
static void init_pics(bool auto_eoi)
{
	vpic_write(&p, M_DATA, 0xff);
	vpic_write(&p, S_DATA, 0xff);
	vpic_write(&p, M_CMD, 0x11);
	vpic_write(&p, M_DATA, MBASE);
	vpic_write(&p, M_DATA, 1u << VPIC_CASCADE_IRQ);
	vpic_write(&p, M_DATA, auto_eoi ? 0x03 : 0x01);
	vpic_write(&p, S_CMD, 0x11);
	vpic_write(&p, S_DATA, SBASE);
	vpic_write(&p, S_DATA, VPIC_CASCADE_IRQ);
	vpic_write(&p, S_DATA, 0x01);
}

static int reset(void **state)
{
	(void)state;
	vpic_reset(&p);
	return 0;
}

static int reset_and_init(void **state)
{
	(void)state;
	vpic_reset(&p);
	init_pics(false);
	return 0;
}

static void pulse(u32 irq)
{
	vpic_set_irq(&p, irq, true);
	vpic_set_irq(&p, irq, false);
}

static u8 read_isr(u16 cmd)
{
	vpic_write(&p, cmd, OCW3_READ_ISR);
	return vpic_read(&p, cmd);
}

static u8 read_irr(u16 cmd)
{
	vpic_write(&p, cmd, OCW3_READ_IRR);
	return vpic_read(&p, cmd);
}

/* ---- reset, initialisation, mask ------------------------------------------- */

static void test_reset_all_masked(void **state)
{
	(void)state;
	assert_int_equal(vpic_read(&p, M_DATA), 0xff);
	assert_int_equal(vpic_read(&p, S_DATA), 0xff);
	assert_int_equal(vpic_read(&p, ELCR0), 0);
	assert_int_equal(vpic_read(&p, ELCR1), 0);
	vpic_set_irq(&p, 0, true);
	vpic_set_irq(&p, 8, true);
	assert_int_equal(vpic_pending(&p), -1);
}

static void test_mask_probe_reads_back(void **state)
{
	(void)state;
	vpic_write(&p, M_DATA, 0xfb);
	assert_int_equal(vpic_read(&p, M_DATA), 0xfb);
	vpic_write(&p, M_DATA, 0xff);
	assert_int_equal(vpic_read(&p, M_DATA), 0xff);
	vpic_write(&p, S_DATA, 0x5a);
	assert_int_equal(vpic_read(&p, S_DATA), 0x5a);
	assert_int_equal(vpic_read(&p, M_DATA), 0xff);
}

static void test_linux_init_sequence(void **state)
{
	(void)state;
	init_pics(false);
	/* ICW1 cleared the masks; ICW2-4 did not land in them. */
	assert_int_equal(vpic_read(&p, M_DATA), 0);
	assert_int_equal(vpic_read(&p, S_DATA), 0);
	/* The next data write is OCW1 again. */
	vpic_write(&p, M_DATA, 0xfa);
	assert_int_equal(vpic_read(&p, M_DATA), 0xfa);
	vpic_write(&p, M_DATA, 0);
	pulse(1);
	assert_int_equal(vpic_pending(&p), MBASE + 1);
	assert_int_equal(vpic_ack(&p), MBASE + 1);
	vpic_write(&p, M_CMD, OCW2_EOI);
	pulse(14);
	assert_int_equal(vpic_pending(&p), SBASE + 6);
}

static void test_init_single_mode_skips_icw3(void **state)
{
	(void)state;
	vpic_write(&p, M_CMD, 0x13); /* single, ICW4 */
	vpic_write(&p, M_DATA, 0x48);
	vpic_write(&p, M_DATA, 0x01); /* ICW4 */
	vpic_write(&p, M_DATA, 0xf7); /* OCW1 */
	assert_int_equal(vpic_read(&p, M_DATA), 0xf7);
	pulse(3);
	assert_int_equal(vpic_ack(&p), 0x4b);
}

static void test_init_without_icw4(void **state)
{
	(void)state;
	vpic_write(&p, M_CMD, 0x10); /* cascade, no ICW4 */
	vpic_write(&p, M_DATA, 0x20);
	vpic_write(&p, M_DATA, 0x04); /* ICW3 */
	vpic_write(&p, M_DATA, 0x3c); /* OCW1 */
	assert_int_equal(vpic_read(&p, M_DATA), 0x3c);
}

static void test_icw2_low_bits_ignored(void **state)
{
	(void)state;
	vpic_write(&p, M_CMD, 0x11);
	vpic_write(&p, M_DATA, 0x27);
	vpic_write(&p, M_DATA, 0x04);
	vpic_write(&p, M_DATA, 0x01);
	pulse(5);
	assert_int_equal(vpic_ack(&p), 0x25);
}

static void test_icw1_resets_state(void **state)
{
	(void)state;
	vpic_write(&p, ELCR0, 1u << 5);
	vpic_set_irq(&p, 5, true); /* level, held high */
	vpic_set_irq(&p, 3, true); /* edge, held high */
	assert_int_equal(vpic_ack(&p), MBASE + 3);
	pulse(6); /* latched, held back by IRQ 3 in service */
	vpic_write(&p, M_DATA, 0x80);
	vpic_write(&p, M_CMD, OCW3_READ_ISR);
	init_pics(false);
	/* Reads give IRR again, where only the level request is left. */
	assert_int_equal(vpic_read(&p, M_CMD), 1u << 5);
	assert_int_equal(read_isr(M_CMD), 0);
	assert_int_equal(vpic_read(&p, M_DATA), 0);
	vpic_set_irq(&p, 5, false);
	assert_int_equal(vpic_pending(&p), -1);
	/* The edge line must fall and rise again. */
	vpic_set_irq(&p, 3, true);
	assert_int_equal(vpic_pending(&p), -1);
	vpic_set_irq(&p, 3, false);
	vpic_set_irq(&p, 3, true);
	assert_int_equal(vpic_pending(&p), MBASE + 3);
}

/* ---- requests and priority ------------------------------------------------------ */

static void test_edge_latched_until_ack(void **state)
{
	(void)state;
	pulse(4);
	assert_int_equal(read_irr(M_CMD), 1u << 4);
	assert_int_equal(vpic_pending(&p), MBASE + 4);
	assert_int_equal(vpic_pending(&p), MBASE + 4); /* looking changes nothing */
	assert_int_equal(vpic_ack(&p), MBASE + 4);
	assert_int_equal(read_irr(M_CMD), 0);
	assert_int_equal(read_isr(M_CMD), 1u << 4);
	assert_int_equal(vpic_pending(&p), -1);
}

static void test_edge_held_high_raises_once(void **state)
{
	(void)state;
	vpic_set_irq(&p, 4, true);
	assert_int_equal(vpic_ack(&p), MBASE + 4);
	vpic_write(&p, M_CMD, OCW2_EOI);
	vpic_set_irq(&p, 4, true);
	assert_int_equal(vpic_pending(&p), -1);
}

static void test_masked_edge_stays_latched(void **state)
{
	(void)state;
	vpic_write(&p, M_DATA, 1u << 4);
	pulse(4);
	assert_int_equal(vpic_pending(&p), -1);
	assert_int_equal(read_irr(M_CMD), 1u << 4);
	vpic_write(&p, M_DATA, 0);
	assert_int_equal(vpic_pending(&p), MBASE + 4);
}

static void test_fixed_priority_on_master(void **state)
{
	(void)state;
	pulse(6);
	pulse(3);
	pulse(1);
	assert_int_equal(vpic_ack(&p), MBASE + 1);
	vpic_write(&p, M_CMD, OCW2_EOI);
	assert_int_equal(vpic_ack(&p), MBASE + 3);
	vpic_write(&p, M_CMD, OCW2_EOI);
	assert_int_equal(vpic_ack(&p), MBASE + 6);
}

static void test_in_service_blocks_lower_and_equal(void **state)
{
	(void)state;
	pulse(3);
	assert_int_equal(vpic_ack(&p), MBASE + 3);
	pulse(5);
	pulse(3);
	assert_int_equal(vpic_pending(&p), -1);
	pulse(0); /* higher priority: nests */
	assert_int_equal(vpic_ack(&p), MBASE + 0);
	assert_int_equal(read_isr(M_CMD), 0x09);
}

static void test_slave_takes_place_of_irq2(void **state)
{
	(void)state;
	pulse(3);
	pulse(9);
	assert_int_equal(vpic_pending(&p), SBASE + 1);
	pulse(1);
	assert_int_equal(vpic_pending(&p), MBASE + 1);
}

static void test_slave_priority(void **state)
{
	(void)state;
	pulse(15);
	pulse(12);
	assert_int_equal(vpic_ack(&p), SBASE + 4);
}

static void test_cascade_through_irq2(void **state)
{
	(void)state;
	pulse(10);
	/* The master sees the slave's INT on IR2. */
	assert_int_equal(read_irr(M_CMD), 1u << 2);
	assert_int_equal(read_irr(S_CMD), 1u << 2);
	assert_int_equal(vpic_ack(&p), SBASE + 2);
	assert_int_equal(read_isr(M_CMD), 1u << 2);
	assert_int_equal(read_isr(S_CMD), 1u << 2);
	assert_int_equal(read_irr(M_CMD), 0);
}

static void test_cascade_needs_both_eois(void **state)
{
	(void)state;
	pulse(10);
	assert_int_equal(vpic_ack(&p), SBASE + 2);
	pulse(11);
	vpic_write(&p, S_CMD, OCW2_EOI);
	/* The master's IR2 is still in service. */
	assert_int_equal(vpic_pending(&p), -1);
	vpic_write(&p, M_CMD, OCW2_EOI);
	assert_int_equal(vpic_pending(&p), SBASE + 3);
}

static void test_master_mask_bit2_blocks_slave(void **state)
{
	(void)state;
	vpic_write(&p, M_DATA, 1u << 2);
	pulse(8);
	assert_int_equal(vpic_pending(&p), -1);
	vpic_write(&p, M_DATA, 0);
	vpic_write(&p, S_DATA, 1u << 0);
	assert_int_equal(vpic_pending(&p), -1);
	vpic_write(&p, S_DATA, 0);
	assert_int_equal(vpic_pending(&p), SBASE + 0);
}

/* ---- EOI --------------------------------------------------------------------- */

static void test_non_specific_eoi_clears_highest(void **state)
{
	(void)state;
	pulse(3);
	assert_int_equal(vpic_ack(&p), MBASE + 3);
	pulse(1);
	assert_int_equal(vpic_ack(&p), MBASE + 1);
	assert_int_equal(read_isr(M_CMD), 0x0a);
	vpic_write(&p, M_CMD, OCW2_EOI);
	assert_int_equal(read_isr(M_CMD), 0x08);
	vpic_write(&p, M_CMD, OCW2_EOI);
	assert_int_equal(read_isr(M_CMD), 0);
}

static void test_specific_eoi(void **state)
{
	(void)state;
	pulse(3);
	assert_int_equal(vpic_ack(&p), MBASE + 3);
	pulse(1);
	assert_int_equal(vpic_ack(&p), MBASE + 1);
	vpic_write(&p, M_CMD, OCW2_SPECIFIC_EOI(3));
	assert_int_equal(read_isr(M_CMD), 0x02);
	vpic_write(&p, M_CMD, OCW2_SPECIFIC_EOI(5)); /* not in service: nothing */
	assert_int_equal(read_isr(M_CMD), 0x02);
}

static void test_rotate_commands(void **state)
{
	(void)state;
	pulse(0);
	assert_int_equal(vpic_ack(&p), MBASE + 0);
	/* Rotate on non-specific EOI: the EOI happens, the priority stays fixed. */
	vpic_write(&p, M_CMD, 0xa0);
	assert_int_equal(read_isr(M_CMD), 0);
	vpic_write(&p, M_CMD, 0xc7); /* set priority: ignored */
	vpic_write(&p, M_CMD, 0x80); /* rotate in auto-EOI: ignored */
	pulse(7);
	pulse(0);
	assert_int_equal(vpic_ack(&p), MBASE + 0);
	assert_int_equal(read_isr(M_CMD), 0x01);
	vpic_write(&p, M_CMD, 0xe0); /* rotate on specific EOI, level 0 */
	assert_int_equal(read_isr(M_CMD), 0);
}

static void test_auto_eoi(void **state)
{
	(void)state;
	init_pics(true);
	pulse(5);
	assert_int_equal(vpic_ack(&p), MBASE + 5);
	assert_int_equal(read_isr(M_CMD), 0);
	pulse(6); /* lower priority, and nothing in service */
	assert_int_equal(vpic_ack(&p), MBASE + 6);
	/* The slave was set up without auto-EOI; the master's IR2 leaves at once. */
	pulse(9);
	assert_int_equal(vpic_ack(&p), SBASE + 1);
	assert_int_equal(read_isr(M_CMD), 0);
	assert_int_equal(read_isr(S_CMD), 1u << 1);
}

/* ---- reading the chip ------------------------------------------------------------ */

static void test_read_selection_persists(void **state)
{
	(void)state;
	pulse(5);
	pulse(6);
	assert_int_equal(vpic_ack(&p), MBASE + 5);
	vpic_write(&p, M_CMD, OCW3_READ_ISR);
	assert_int_equal(vpic_read(&p, M_CMD), 1u << 5);
	assert_int_equal(vpic_read(&p, M_CMD), 1u << 5);
	vpic_write(&p, M_CMD, 0x08); /* OCW3 without RR: the choice stays */
	assert_int_equal(vpic_read(&p, M_CMD), 1u << 5);
	vpic_write(&p, M_CMD, OCW3_READ_IRR);
	assert_int_equal(vpic_read(&p, M_CMD), 1u << 6);
	assert_int_equal(vpic_read(&p, M_CMD), 1u << 6);
}

static void test_poll(void **state)
{
	(void)state;
	pulse(6);
	pulse(4);
	vpic_write(&p, M_CMD, OCW3_POLL);
	assert_int_equal(vpic_read(&p, M_CMD), 0x80 | 4);
	/* The poll acknowledged IRQ 4; the next read is IRR again. */
	assert_int_equal(vpic_read(&p, M_CMD), 1u << 6);
	assert_int_equal(read_isr(M_CMD), 1u << 4);
	vpic_write(&p, M_CMD, OCW2_EOI);
	vpic_write(&p, M_CMD, OCW3_POLL);
	assert_int_equal(vpic_read(&p, M_CMD), 0x80 | 6);
	vpic_write(&p, M_CMD, OCW2_EOI);
	vpic_write(&p, M_CMD, OCW3_POLL);
	assert_int_equal(vpic_read(&p, M_CMD), 0); /* no request */
}

static void test_poll_slave(void **state)
{
	(void)state;
	pulse(13);
	vpic_write(&p, M_CMD, OCW3_POLL);
	assert_int_equal(vpic_read(&p, M_CMD), 0x80 | 2);
	vpic_write(&p, S_CMD, OCW3_POLL);
	assert_int_equal(vpic_read(&p, S_CMD), 0x80 | 5);
	assert_int_equal(read_isr(S_CMD), 1u << 5);
}

static void test_special_mask_mode(void **state)
{
	(void)state;
	pulse(3);
	assert_int_equal(vpic_ack(&p), MBASE + 3);
	pulse(5);
	assert_int_equal(vpic_pending(&p), -1);
	/* Masking the level in service lets the lower levels through. */
	vpic_write(&p, M_DATA, 1u << 3);
	vpic_write(&p, M_CMD, OCW3_SET_SMM);
	assert_int_equal(vpic_pending(&p), MBASE + 5);
	vpic_write(&p, M_CMD, OCW3_CLEAR_SMM);
	assert_int_equal(vpic_pending(&p), -1);
}

/* ---- spurious, level, ELCR ---------------------------------------------------------- */

static void test_spurious_when_request_vanished(void **state)
{
	(void)state;
	vpic_write(&p, ELCR0, 1u << 5);
	vpic_set_irq(&p, 5, true);
	assert_int_equal(vpic_pending(&p), MBASE + 5);
	vpic_set_irq(&p, 5, false);
	assert_int_equal(vpic_pending(&p), -1);
	assert_int_equal(vpic_ack(&p), MBASE + 7);
	assert_int_equal(read_isr(M_CMD), 0);
	/* Masked after INT went up: the same. */
	pulse(4);
	vpic_write(&p, M_DATA, 1u << 4);
	assert_int_equal(vpic_ack(&p), MBASE + 7);
	assert_int_equal(read_isr(M_CMD), 0);
}

static void test_elcr_fixed_edge_bits(void **state)
{
	(void)state;
	vpic_write(&p, ELCR0, 0xff);
	vpic_write(&p, ELCR1, 0xff);
	assert_int_equal(vpic_read(&p, ELCR0), 0xf8);
	assert_int_equal(vpic_read(&p, ELCR1), 0xde);
	vpic_write(&p, ELCR0, 0x20);
	assert_int_equal(vpic_read(&p, ELCR0), 0x20);
	assert_int_equal(vpic_read(&p, ELCR1), 0xde);
}

static void test_elcr_level_reraises(void **state)
{
	(void)state;
	vpic_write(&p, ELCR1, 1u << 3); /* IRQ 11 */
	vpic_set_irq(&p, 11, true);
	assert_int_equal(vpic_ack(&p), SBASE + 3);
	assert_int_equal(read_irr(S_CMD), 1u << 3); /* still asserted */
	vpic_write(&p, S_CMD, OCW2_EOI);
	vpic_write(&p, M_CMD, OCW2_EOI);
	assert_int_equal(vpic_pending(&p), SBASE + 3);
	assert_int_equal(vpic_ack(&p), SBASE + 3);
	vpic_set_irq(&p, 11, false);
	vpic_write(&p, S_CMD, OCW2_EOI);
	vpic_write(&p, M_CMD, OCW2_EOI);
	assert_int_equal(vpic_pending(&p), -1);
}

static void test_elcr_change_of_mode(void **state)
{
	(void)state;
	/* A line already high when made level requests at once. */
	vpic_set_irq(&p, 5, true);
	assert_int_equal(vpic_ack(&p), MBASE + 5);
	vpic_write(&p, M_CMD, OCW2_EOI);
	assert_int_equal(vpic_pending(&p), -1);
	vpic_write(&p, ELCR0, 1u << 5);
	assert_int_equal(vpic_pending(&p), MBASE + 5);
	/* Made edge again: the level request goes, a new edge is needed. */
	vpic_write(&p, ELCR0, 0);
	assert_int_equal(vpic_pending(&p), -1);
	/* An edge latched before a change of another IRQ stays. */
	pulse(6);
	vpic_write(&p, ELCR0, 1u << 7);
	assert_int_equal(vpic_pending(&p), MBASE + 6);
}

static void test_bad_irqs_and_ports(void **state)
{
	(void)state;
	vpic_set_irq(&p, VPIC_CASCADE_IRQ, true);
	vpic_set_irq(&p, 16, true);
	vpic_set_irq(&p, 0xffffffff, true);
	assert_int_equal(vpic_pending(&p), -1);
	assert_int_equal(read_irr(M_CMD), 0);
	assert_int_equal(read_irr(S_CMD), 0);
	assert_int_equal(vpic_read(&p, 0x22), 0xff);
	vpic_write(&p, 0x22, 0x00);
	vpic_write(&p, 0x4d2, 0xff);
	assert_int_equal(vpic_read(&p, M_DATA), 0);
	assert_int_equal(vpic_read(&p, ELCR0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_reset_all_masked, reset),
		cmocka_unit_test_setup(test_mask_probe_reads_back, reset),
		cmocka_unit_test_setup(test_linux_init_sequence, reset),
		cmocka_unit_test_setup(test_init_single_mode_skips_icw3, reset),
		cmocka_unit_test_setup(test_init_without_icw4, reset),
		cmocka_unit_test_setup(test_icw2_low_bits_ignored, reset),
		cmocka_unit_test_setup(test_icw1_resets_state, reset_and_init),
		cmocka_unit_test_setup(test_edge_latched_until_ack, reset_and_init),
		cmocka_unit_test_setup(test_edge_held_high_raises_once, reset_and_init),
		cmocka_unit_test_setup(test_masked_edge_stays_latched, reset_and_init),
		cmocka_unit_test_setup(test_fixed_priority_on_master, reset_and_init),
		cmocka_unit_test_setup(test_in_service_blocks_lower_and_equal, reset_and_init),
		cmocka_unit_test_setup(test_slave_takes_place_of_irq2, reset_and_init),
		cmocka_unit_test_setup(test_slave_priority, reset_and_init),
		cmocka_unit_test_setup(test_cascade_through_irq2, reset_and_init),
		cmocka_unit_test_setup(test_cascade_needs_both_eois, reset_and_init),
		cmocka_unit_test_setup(test_master_mask_bit2_blocks_slave, reset_and_init),
		cmocka_unit_test_setup(test_non_specific_eoi_clears_highest, reset_and_init),
		cmocka_unit_test_setup(test_specific_eoi, reset_and_init),
		cmocka_unit_test_setup(test_rotate_commands, reset_and_init),
		cmocka_unit_test_setup(test_auto_eoi, reset),
		cmocka_unit_test_setup(test_read_selection_persists, reset_and_init),
		cmocka_unit_test_setup(test_poll, reset_and_init),
		cmocka_unit_test_setup(test_poll_slave, reset_and_init),
		cmocka_unit_test_setup(test_special_mask_mode, reset_and_init),
		cmocka_unit_test_setup(test_spurious_when_request_vanished, reset_and_init),
		cmocka_unit_test_setup(test_elcr_fixed_edge_bits, reset),
		cmocka_unit_test_setup(test_elcr_level_reraises, reset_and_init),
		cmocka_unit_test_setup(test_elcr_change_of_mode, reset_and_init),
		cmocka_unit_test_setup(test_bad_irqs_and_ports, reset_and_init),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
