/*
 * Unit tests of vdev/ioapic.c, the I/O APIC a partition sees, through
 * what a guest and its devices can see: the registers behind IOREGSEL
 * and IOWIN, and the messages that reach the deliver hook (recorded
 * below).  Edge pins send once per rising assertion and lose edges while
 * masked; level pins send while asserted and hold remote IRR until an
 * EOI of their vector, which sends again if the line is still up.
 */
/* unit-sources: vdev/ioapic.c */
#include "tests/unit/unit.h"

#include "vdev/ioapic.h"

#define REG_ID 0x00
#define REG_VERSION 0x01
#define REG_ARB 0x02
#define REG_LOW(pin) (0x10 + 2 * (pin))
#define REG_HIGH(pin) (0x11 + 2 * (pin))

/* Redirection entry, low half. */
#define LO_DELIVERY(m) ((u32)(m) << 8)
#define LO_LOGICAL (1u << 11)
#define LO_PENDING (1u << 12)
#define LO_ACTIVE_LOW (1u << 13)
#define LO_REMOTE_IRR (1u << 14)
#define LO_LEVEL (1u << 15)
#define LO_MASKED (1u << 16)
#define HI_DEST(d) ((u32)(d) << 24)

/* ---- the pretend local APICs ---------------------------------------------- */

static struct vioapic io;
static struct vioapic_msg sent[32];
static unsigned nsent;
static int ctx_tag;

static void deliver(void *ctx, const struct vioapic_msg *m)
{
	assert_ptr_equal(ctx, &ctx_tag);
	if (nsent < ARRAY_SIZE(sent))
		sent[nsent] = *m;
	nsent++;
}

static const struct vioapic_hooks hooks = { .deliver = deliver, .ctx = &ctx_tag };

static int reset(void **state)
{
	(void)state;
	vioapic_reset(&io, 2, &hooks);
	nsent = 0;
	return 0;
}

static u32 reg_read(u32 reg)
{
	vioapic_mmio_write(&io, VIOAPIC_IOREGSEL, reg);
	return vioapic_mmio_read(&io, VIOAPIC_IOWIN);
}

static void reg_write(u32 reg, u32 value)
{
	vioapic_mmio_write(&io, VIOAPIC_IOREGSEL, reg);
	vioapic_mmio_write(&io, VIOAPIC_IOWIN, value);
}

/* Program pin's entry, high half first as Linux does. */
static void route(u32 pin, u32 low, u32 high)
{
	reg_write(REG_HIGH(pin), high);
	reg_write(REG_LOW(pin), low);
}

static bool remote_irr(u32 pin)
{
	return reg_read(REG_LOW(pin)) & LO_REMOTE_IRR;
}

/* ---- registers -------------------------------------------------------------- */

static void test_regsel_reads_back(void **state)
{
	(void)state;
	vioapic_mmio_write(&io, VIOAPIC_IOREGSEL, 0x12);
	assert_int_equal(vioapic_mmio_read(&io, VIOAPIC_IOREGSEL), 0x12);
	/* IOREGSEL is 8 bits: the rest reads 0. */
	vioapic_mmio_write(&io, VIOAPIC_IOREGSEL, 0xabcd0101);
	assert_int_equal(vioapic_mmio_read(&io, VIOAPIC_IOREGSEL), 0x01);
	assert_int_equal(vioapic_mmio_read(&io, VIOAPIC_IOWIN), 0x00170020);
}

static void test_access_widths(void **state)
{
	(void)state;
	assert_true(vioapic_mmio_width_ok(VIOAPIC_IOREGSEL, 1));
	assert_true(vioapic_mmio_width_ok(VIOAPIC_IOREGSEL, 2));
	assert_true(vioapic_mmio_width_ok(VIOAPIC_IOREGSEL, 4));
	assert_true(vioapic_mmio_width_ok(VIOAPIC_IOWIN, 4));
	assert_true(vioapic_mmio_width_ok(VIOAPIC_EOI, 4));
	assert_false(vioapic_mmio_width_ok(VIOAPIC_IOREGSEL, 8));
	assert_false(vioapic_mmio_width_ok(VIOAPIC_IOWIN, 1));
	assert_false(vioapic_mmio_width_ok(VIOAPIC_IOWIN, 8));
	assert_false(vioapic_mmio_width_ok(VIOAPIC_EOI, 2));
	assert_false(vioapic_mmio_width_ok(0x11, 1));
	assert_false(vioapic_mmio_width_ok(0x20, 4));
}

static void test_version_and_max_entry(void **state)
{
	(void)state;
	u32 v = reg_read(REG_VERSION);

	assert_int_equal(v & 0xff, 0x20);
	assert_int_equal((v >> 16) & 0xff, GUEST_IOAPIC_PINS - 1);
	assert_int_equal(v, 0x00170020);
}

static void test_id_writable(void **state)
{
	(void)state;
	assert_int_equal(reg_read(REG_ID), 2u << 24);
	reg_write(REG_ID, 0xf5ffffff);
	assert_int_equal(reg_read(REG_ID), 5u << 24);
	/* The arbitration register reads the ID. */
	assert_int_equal(reg_read(REG_ARB), 5u << 24);
	/* reset keeps 4 bits of the ID it is given */
	vioapic_reset(&io, 0x1e, &hooks);
	assert_int_equal(reg_read(REG_ID), 0xeu << 24);
}

static void test_version_and_arbitration_read_only(void **state)
{
	(void)state;
	reg_write(REG_VERSION, 0);
	reg_write(REG_ARB, 0x0f000000);
	assert_int_equal(reg_read(REG_VERSION), 0x00170020);
	assert_int_equal(reg_read(REG_ARB), 2u << 24);
	assert_int_equal(reg_read(REG_ID), 2u << 24);
}

static void test_unknown_registers(void **state)
{
	(void)state;
	static const u32 regs[] = { 0x03, 0x0f, REG_HIGH(GUEST_IOAPIC_PINS - 1) + 1, 0x80, 0xff };

	for (unsigned i = 0; i < ARRAY_SIZE(regs); i++) {
		reg_write(regs[i], 0xffffffff);
		assert_int_equal(reg_read(regs[i]), 0);
	}
	/* Nothing else moved. */
	assert_int_equal(reg_read(REG_ID), 2u << 24);
	assert_int_equal(reg_read(REG_LOW(GUEST_IOAPIC_PINS - 1)), LO_MASKED);
}

static void test_other_offsets(void **state)
{
	(void)state;
	vioapic_mmio_write(&io, VIOAPIC_IOREGSEL, REG_ID);
	vioapic_mmio_write(&io, 0x20, 0x12);
	vioapic_mmio_write(&io, 0x14, 0x0f000000);
	assert_int_equal(vioapic_mmio_read(&io, VIOAPIC_IOREGSEL), REG_ID);
	assert_int_equal(vioapic_mmio_read(&io, VIOAPIC_IOWIN), 2u << 24);
	assert_int_equal(vioapic_mmio_read(&io, 0x20), 0);
	assert_int_equal(vioapic_mmio_read(&io, 0x04), 0);
	/* The EOI register is write-only. */
	assert_int_equal(vioapic_mmio_read(&io, VIOAPIC_EOI), 0);
}

static void test_reset_masks_every_entry(void **state)
{
	(void)state;
	for (u32 pin = 0; pin < GUEST_IOAPIC_PINS; pin++) {
		assert_int_equal(reg_read(REG_LOW(pin)), LO_MASKED);
		assert_int_equal(reg_read(REG_HIGH(pin)), 0);
	}
	/* and nothing is delivered from them */
	for (u32 pin = 0; pin < GUEST_IOAPIC_PINS; pin++)
		vioapic_set_irq(&io, pin, true);
	assert_int_equal(nsent, 0);
}

static void test_entry_reads_back(void **state)
{
	(void)state;
	u32 low = 0x45 | LO_DELIVERY(VIOAPIC_DELIVERY_LOWEST) | LO_LOGICAL | LO_ACTIVE_LOW |
		  LO_LEVEL | LO_MASKED;

	route(GUEST_IOAPIC_PINS - 1, low, HI_DEST(0xa5));
	assert_int_equal(reg_read(REG_LOW(GUEST_IOAPIC_PINS - 1)), low);
	assert_int_equal(reg_read(REG_HIGH(GUEST_IOAPIC_PINS - 1)), HI_DEST(0xa5));
}

static void test_read_only_and_reserved_bits(void **state)
{
	(void)state;
	route(3, 0xffffffff, 0xffffffff);
	/* Delivery status, remote IRR and bits 31:17 read 0; bits 55:32 too. */
	assert_int_equal(reg_read(REG_LOW(3)), 0x0001afff);
	assert_int_equal(reg_read(REG_HIGH(3)), 0xff000000);
}

static void test_every_pin_delivers(void **state)
{
	(void)state;
	for (u32 pin = 0; pin < GUEST_IOAPIC_PINS; pin++) {
		route(pin, 0x80 + pin, HI_DEST(pin));
		vioapic_set_irq(&io, pin, true);
		assert_int_equal(nsent, pin + 1);
		assert_int_equal(sent[pin].vector, 0x80 + pin);
		assert_int_equal(sent[pin].dest, pin);
	}
}

/* ---- edge pins ---------------------------------------------------------------- */

static void test_edge_once_per_rising_edge(void **state)
{
	(void)state;
	route(4, 0x34, HI_DEST(1));
	vioapic_set_irq(&io, 4, true);
	assert_int_equal(nsent, 1);
	vioapic_set_irq(&io, 4, true); /* still high: no new edge */
	assert_int_equal(nsent, 1);
	vioapic_set_irq(&io, 4, false);
	assert_int_equal(nsent, 1);
	vioapic_set_irq(&io, 4, true);
	assert_int_equal(nsent, 2);
	assert_int_equal(sent[1].vector, 0x34);
	assert_false(sent[1].level);
	assert_false(remote_irr(4));
}

static void test_masked_edge_is_lost(void **state)
{
	(void)state;
	route(4, 0x34 | LO_MASKED, 0);
	vioapic_set_irq(&io, 4, true);
	assert_int_equal(nsent, 0);
	route(4, 0x34, 0); /* unmasking does not bring the edge back */
	assert_int_equal(nsent, 0);
	vioapic_set_irq(&io, 4, false);
	vioapic_set_irq(&io, 4, true);
	assert_int_equal(nsent, 1);
}

static void test_message_fields(void **state)
{
	(void)state;
	route(7, 0x61 | LO_DELIVERY(VIOAPIC_DELIVERY_LOWEST) | LO_LOGICAL, HI_DEST(0x0c));
	route(8, 0x62, HI_DEST(3));
	vioapic_set_irq(&io, 7, true);
	vioapic_set_irq(&io, 8, true);
	assert_int_equal(nsent, 2);
	assert_int_equal(sent[0].vector, 0x61);
	assert_int_equal(sent[0].delivery, VIOAPIC_DELIVERY_LOWEST);
	assert_true(sent[0].logical);
	assert_int_equal(sent[0].dest, 0x0c);
	assert_false(sent[0].level);
	assert_int_equal(sent[1].vector, 0x62);
	assert_int_equal(sent[1].delivery, VIOAPIC_DELIVERY_FIXED);
	assert_false(sent[1].logical);
	assert_int_equal(sent[1].dest, 3);
}

static void test_polarity_does_not_invert(void **state)
{
	(void)state;
	route(9, 0x41 | LO_ACTIVE_LOW | LO_LEVEL, 0);
	assert_int_equal(nsent, 0); /* the line is not asserted */
	vioapic_set_irq(&io, 9, true);
	assert_int_equal(nsent, 1);
	vioapic_set_irq(&io, 9, false);
	vioapic_eoi(&io, 0x41);
	assert_int_equal(nsent, 1);
}

/* ---- level pins ----------------------------------------------------------------- */

static void test_level_sets_remote_irr(void **state)
{
	(void)state;
	route(10, 0x50 | LO_LEVEL, HI_DEST(1));
	assert_false(remote_irr(10));
	vioapic_set_irq(&io, 10, true);
	assert_int_equal(nsent, 1);
	assert_true(sent[0].level);
	assert_true(remote_irr(10));
	/* In service: asserting again sends nothing. */
	vioapic_set_irq(&io, 10, true);
	vioapic_set_irq(&io, 10, false);
	vioapic_set_irq(&io, 10, true);
	assert_int_equal(nsent, 1);
}

static void test_level_eoi_register_redelivers(void **state)
{
	(void)state;
	route(10, 0x50 | LO_LEVEL, 0);
	vioapic_set_irq(&io, 10, true);
	vioapic_mmio_write(&io, VIOAPIC_EOI, 0xffffff50); /* the vector is bits 7:0 */
	assert_int_equal(nsent, 2);
	assert_int_equal(sent[1].vector, 0x50);
	assert_true(remote_irr(10));
}

static void test_level_vioapic_eoi_redelivers(void **state)
{
	(void)state;
	route(10, 0x50 | LO_LEVEL, 0);
	vioapic_set_irq(&io, 10, true);
	vioapic_eoi(&io, 0x50);
	assert_int_equal(nsent, 2);
	assert_true(remote_irr(10));
}

static void test_level_eoi_after_deassert(void **state)
{
	(void)state;
	route(10, 0x50 | LO_LEVEL, 0);
	vioapic_set_irq(&io, 10, true);
	vioapic_set_irq(&io, 10, false);
	vioapic_mmio_write(&io, VIOAPIC_EOI, 0x50);
	assert_int_equal(nsent, 1);
	assert_false(remote_irr(10));
	vioapic_set_irq(&io, 10, true);
	assert_int_equal(nsent, 2);
}

static void test_eoi_of_other_vector(void **state)
{
	(void)state;
	route(10, 0x50 | LO_LEVEL, 0);
	vioapic_set_irq(&io, 10, true);
	vioapic_eoi(&io, 0x51);
	vioapic_mmio_write(&io, VIOAPIC_EOI, 0x51);
	vioapic_eoi(&io, 0x10);
	assert_int_equal(nsent, 1);
	assert_true(remote_irr(10));
}

static void test_eoi_clears_every_entry_with_vector(void **state)
{
	(void)state;
	route(16, 0x70 | LO_LEVEL, 0);
	route(17, 0x70 | LO_LEVEL, 0);
	vioapic_set_irq(&io, 16, true);
	vioapic_set_irq(&io, 17, true);
	vioapic_set_irq(&io, 17, false);
	assert_int_equal(nsent, 2);
	vioapic_eoi(&io, 0x70);
	assert_false(remote_irr(17));
	assert_true(remote_irr(16)); /* cleared, and set again by the new message */
	assert_int_equal(nsent, 3);
}

static void test_unmask_asserted_level(void **state)
{
	(void)state;
	route(11, 0x51 | LO_LEVEL | LO_MASKED, 0);
	vioapic_set_irq(&io, 11, true);
	assert_int_equal(nsent, 0);
	assert_false(remote_irr(11)); /* a masked pin has no side effects */
	route(11, 0x51 | LO_LEVEL, 0);
	assert_int_equal(nsent, 1);
	assert_true(remote_irr(11));
}

static void test_remask_keeps_remote_irr(void **state)
{
	(void)state;
	route(11, 0x51 | LO_LEVEL, 0);
	vioapic_set_irq(&io, 11, true);
	route(11, 0x51 | LO_LEVEL | LO_MASKED, 0);
	route(11, 0x51 | LO_LEVEL, 0);
	assert_int_equal(nsent, 1); /* still in service: no second message */
	assert_true(remote_irr(11));
}

static void test_level_to_edge_clears_remote_irr(void **state)
{
	(void)state;
	route(12, 0x52 | LO_LEVEL, 0);
	vioapic_set_irq(&io, 12, true);
	assert_true(remote_irr(12));
	route(12, 0x52 | LO_MASKED, 0);
	assert_false(remote_irr(12));
	/* Back to level while the line is up: a new message. */
	route(12, 0x52 | LO_LEVEL, 0);
	assert_int_equal(nsent, 2);
}

/* ---- what is not delivered ---------------------------------------------------- */

static void test_vector_below_16_not_delivered(void **state)
{
	(void)state;
	route(5, 0x0f, 0);
	route(6, 0x0f | LO_DELIVERY(VIOAPIC_DELIVERY_LOWEST) | LO_LEVEL, 0);
	vioapic_set_irq(&io, 5, true);
	vioapic_set_irq(&io, 6, true);
	assert_int_equal(nsent, 0);
	assert_false(remote_irr(6));
	/* Vector 16 is the first one that goes. */
	vioapic_set_irq(&io, 5, false);
	route(5, 0x10, 0);
	vioapic_set_irq(&io, 5, true);
	assert_int_equal(nsent, 1);
}

static void test_nmi_is_edge_whatever_its_trigger(void **state)
{
	(void)state;
	route(13, LO_DELIVERY(VIOAPIC_DELIVERY_NMI) | LO_LEVEL, HI_DEST(1));
	vioapic_set_irq(&io, 13, true);
	assert_int_equal(nsent, 1);
	assert_int_equal(sent[0].delivery, VIOAPIC_DELIVERY_NMI);
	assert_false(sent[0].level);
	assert_false(remote_irr(13));
	vioapic_set_irq(&io, 13, true);
	assert_int_equal(nsent, 1);
}

static void test_extint_delivered(void **state)
{
	(void)state;
	route(0, LO_DELIVERY(VIOAPIC_DELIVERY_EXTINT), 0);
	vioapic_set_irq(&io, 0, true);
	assert_int_equal(nsent, 1);
	assert_int_equal(sent[0].delivery, VIOAPIC_DELIVERY_EXTINT);
}

static void test_reserved_delivery_modes(void **state)
{
	(void)state;
	route(14, 0x60 | LO_DELIVERY(3), 0);
	route(15, 0x60 | LO_DELIVERY(6) | LO_LEVEL, 0);
	vioapic_set_irq(&io, 14, true);
	vioapic_set_irq(&io, 15, true);
	assert_int_equal(nsent, 0);
	assert_false(remote_irr(15));
}

static void test_out_of_range_pin_ignored(void **state)
{
	(void)state;
	for (u32 pin = 0; pin < GUEST_IOAPIC_PINS; pin++)
		route(pin, 0x80 + pin, 0);
	vioapic_set_irq(&io, GUEST_IOAPIC_PINS, true);
	vioapic_set_irq(&io, 32, true);
	vioapic_set_irq(&io, 0xffffffff, true);
	assert_int_equal(nsent, 0);
}

static void test_no_hook(void **state)
{
	(void)state;
	vioapic_reset(&io, 0, NULL);
	route(10, 0x50 | LO_LEVEL, 0);
	vioapic_set_irq(&io, 10, true);
	assert_true(remote_irr(10));
	assert_int_equal(nsent, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_regsel_reads_back, reset),
		cmocka_unit_test_setup(test_access_widths, reset),
		cmocka_unit_test_setup(test_version_and_max_entry, reset),
		cmocka_unit_test_setup(test_id_writable, reset),
		cmocka_unit_test_setup(test_version_and_arbitration_read_only, reset),
		cmocka_unit_test_setup(test_unknown_registers, reset),
		cmocka_unit_test_setup(test_other_offsets, reset),
		cmocka_unit_test_setup(test_reset_masks_every_entry, reset),
		cmocka_unit_test_setup(test_entry_reads_back, reset),
		cmocka_unit_test_setup(test_read_only_and_reserved_bits, reset),
		cmocka_unit_test_setup(test_every_pin_delivers, reset),
		cmocka_unit_test_setup(test_edge_once_per_rising_edge, reset),
		cmocka_unit_test_setup(test_masked_edge_is_lost, reset),
		cmocka_unit_test_setup(test_message_fields, reset),
		cmocka_unit_test_setup(test_polarity_does_not_invert, reset),
		cmocka_unit_test_setup(test_level_sets_remote_irr, reset),
		cmocka_unit_test_setup(test_level_eoi_register_redelivers, reset),
		cmocka_unit_test_setup(test_level_vioapic_eoi_redelivers, reset),
		cmocka_unit_test_setup(test_level_eoi_after_deassert, reset),
		cmocka_unit_test_setup(test_eoi_of_other_vector, reset),
		cmocka_unit_test_setup(test_eoi_clears_every_entry_with_vector, reset),
		cmocka_unit_test_setup(test_unmask_asserted_level, reset),
		cmocka_unit_test_setup(test_remask_keeps_remote_irr, reset),
		cmocka_unit_test_setup(test_level_to_edge_clears_remote_irr, reset),
		cmocka_unit_test_setup(test_vector_below_16_not_delivered, reset),
		cmocka_unit_test_setup(test_nmi_is_edge_whatever_its_trigger, reset),
		cmocka_unit_test_setup(test_extint_delivered, reset),
		cmocka_unit_test_setup(test_reserved_delivery_modes, reset),
		cmocka_unit_test_setup(test_out_of_range_pin_ignored, reset),
		cmocka_unit_test_setup(test_no_hook, reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
