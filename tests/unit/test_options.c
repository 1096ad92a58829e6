/*
 * Unit tests of kernel/options.c, the parser of the hypervisor's own
 * command line: each known option, a loader's leading image path, an
 * unknown word (named in one line and ignored), a known key with a value
 * it does not take (named as a bad value, with the values it takes, and
 * ignored), runs of spaces and tabs, and the empty line.  colour=on|off
 * sets the tag colour flag; console_width=N the width of a partition's
 * rows, 40 to 1000, and a value outside that is refused in one line.  The
 * selftest options that spoil a partition's first VM entry are parsed
 * like the others.
 */
/* unit-sources: kernel/options.c lib/lib.c */
#include "tests/unit/unit.h"

#include <stdio.h>

#include "kernel/options.h"

static struct hv_options parse(const char *cmdline)
{
	struct hv_options o;

	/* Garbage first: the parser must reset every field itself. */
	__builtin_memset(&o, 0xff, sizeof(o));
	console_capture_reset();
	options_parse(cmdline, &o);
	return o;
}

static void test_empty(void **state)
{
	(void)state;
	struct hv_options o = parse("");
	assert_false(o.exit_when_done);
	assert_false(o.force_xapic);
	assert_false(o.selftest_panic);
	assert_false(o.selftest_bad_entry);
	assert_false(o.selftest_bad_control);
	assert_false(o.colour);
	assert_console_quiet();

	o = parse(" \t  ");
	assert_false(o.exit_when_done);
	assert_false(o.force_xapic);
	assert_false(o.selftest_panic);
	assert_false(o.selftest_bad_entry);
	assert_false(o.selftest_bad_control);
	assert_console_quiet();
}

static void test_exit_when_done(void **state)
{
	(void)state;
	struct hv_options o = parse("exit_when_done");
	assert_true(o.exit_when_done);
	assert_false(o.force_xapic);
	assert_false(o.selftest_panic);
	assert_console_quiet();
}

static void test_apic(void **state)
{
	(void)state;
	struct hv_options o = parse("apic=xapic");
	assert_true(o.force_xapic);
	assert_false(o.exit_when_done);
	assert_console_quiet();

	o = parse("apic=x2apic");
	assert_false(o.force_xapic);
	assert_console_quiet();

	/* The last one wins. */
	o = parse("apic=xapic apic=x2apic");
	assert_false(o.force_xapic);
	o = parse("apic=x2apic apic=xapic");
	assert_true(o.force_xapic);
	assert_console_quiet();
}

static void test_colour(void **state)
{
	(void)state;
	struct hv_options o = parse("colour=on");
	assert_true(o.colour);
	assert_false(o.exit_when_done);
	assert_false(o.force_xapic);
	assert_console_quiet();

	o = parse("colour=off");
	assert_false(o.colour);
	assert_console_quiet();

	/* The last one wins. */
	o = parse("colour=on colour=off");
	assert_false(o.colour);
	o = parse("colour=off colour=on exit_when_done");
	assert_true(o.colour);
	assert_true(o.exit_when_done);
	assert_console_quiet();

	/*
	 * Other spellings are named and ignored: an unknown word as such, a
	 * value colour= does not take as a bad value, with the two it takes.
	 */
	o = parse("colour color=on colour=yes colour=ON colour=");
	assert_false(o.colour);
	assert_int_equal(console_lines(), 5);
	assert_int_equal(console_lines_with("option 'colour' is unknown"), 1);
	assert_int_equal(console_lines_with("option 'color=on' is unknown"), 1);
	assert_int_equal(console_lines_with("cloison: bad value \"yes\" for option colour= (on or "
					    "off); ignored\n"),
			 1);
	assert_int_equal(console_lines_with("cloison: bad value \"ON\" for option colour= (on or "
					    "off); ignored\n"),
			 1);
	assert_int_equal(console_lines_with("cloison: bad value \"\" for option colour= (on or "
					    "off); ignored\n"),
			 1);
}

static void test_console_width(void **state)
{
	(void)state;
	struct hv_options o = parse("");
	assert_int_equal(o.console_width, 80);

	o = parse("console_width=132");
	assert_int_equal(o.console_width, 132);
	assert_console_quiet();
	/* The limits are allowed, hex too; the last one wins. */
	o = parse("console_width=40");
	assert_int_equal(o.console_width, 40);
	o = parse("console_width=1000");
	assert_int_equal(o.console_width, 1000);
	o = parse("console_width=0x50 exit_when_done");
	assert_int_equal(o.console_width, 80);
	assert_true(o.exit_when_done);
	o = parse("console_width=100 console_width=120");
	assert_int_equal(o.console_width, 120);
	assert_console_quiet();

	/* Out of range or not a number: one line each, the value before it kept. */
	o = parse("console_width=39");
	assert_int_equal(o.console_width, 80);
	assert_console(1, "cloison: bad value \"39\" for option console_width= (40 to 1000 "
			  "columns); ignored\n");
	o = parse("console_width=120 console_width=1001");
	assert_int_equal(o.console_width, 120);
	assert_console(1, "cloison: bad value \"1001\" for option console_width= (40 to 1000 "
			  "columns); ignored\n");
	o = parse("console_width=0 console_width= console_width=wide console_width=-80 "
		  "console_width=80x console_width=99999999999999999999999");
	assert_int_equal(o.console_width, 80);
	assert_int_equal(console_lines(), 6);
	assert_int_equal(console_lines_with("for option console_width= (40 to 1000 columns); "
					    "ignored"),
			 6);
	/* Near misses of the key are unknown words. */
	o = parse("console_width console-width=100 CONSOLE_WIDTH=100");
	assert_int_equal(o.console_width, 80);
	assert_int_equal(console_lines_with("is unknown; ignored"), 3);
}

static void test_selftest_panic(void **state)
{
	(void)state;
	struct hv_options o = parse("selftest=panic");
	assert_true(o.selftest_panic);
	assert_false(o.exit_when_done);
	assert_false(o.force_xapic);
	assert_console_quiet();
}

static void test_selftest_bad_entry(void **state)
{
	(void)state;
	struct hv_options o = parse("selftest=bad_entry");
	assert_true(o.selftest_bad_entry);
	assert_false(o.selftest_bad_control);
	assert_false(o.selftest_panic);
	assert_false(o.exit_when_done);
	assert_console_quiet();

	o = parse("selftest=bad_control");
	assert_true(o.selftest_bad_control);
	assert_false(o.selftest_bad_entry);
	assert_false(o.selftest_panic);
	assert_console_quiet();

	/* Both may be asked for, beside the others. */
	o = parse("exit_when_done selftest=bad_entry selftest=bad_control");
	assert_true(o.exit_when_done);
	assert_true(o.selftest_bad_entry);
	assert_true(o.selftest_bad_control);
	assert_false(o.selftest_panic);
	assert_console_quiet();

	/* Near misses are named and ignored: bad values of selftest=, with all it takes. */
	o = parse("selftest=bad selftest=bad_entry_ selftest=BAD_CONTROL selftest= bad_entry");
	assert_false(o.selftest_bad_entry);
	assert_false(o.selftest_bad_control);
	assert_int_equal(console_lines(), 5);
	assert_int_equal(console_lines_with("cloison: bad value \"bad\" for option selftest= "
					    "(panic, bad_entry, bad_control, remote, dirty, pools "
					    "or switch); ignored\n"),
			 1);
	assert_int_equal(console_lines_with("bad value \"bad_entry_\" for option selftest= "), 1);
	assert_int_equal(console_lines_with("bad value \"BAD_CONTROL\" for option selftest= "), 1);
	assert_int_equal(console_lines_with("bad value \"\" for option selftest= "), 1);
	assert_int_equal(console_lines_with("option 'bad_entry' is unknown"), 1);
}

static void test_selftest_switch(void **state)
{
	(void)state;
	struct hv_options o = parse("exit_when_done selftest=switch");
	assert_true(o.selftest_switch);
	assert_true(o.exit_when_done);
	assert_false(o.selftest_remote);
	assert_console_quiet();

	o = parse("selftest=switches selftest=Switch");
	assert_false(o.selftest_switch);
	assert_int_equal(console_lines(), 2);
	assert_int_equal(console_lines_with("for option selftest= (panic, "), 2);
}

/* Each selftest= word sets its own flag and no other, and says nothing. */
static void test_selftest_each(void **state)
{
	(void)state;
	static const char *const names[] = { "panic", "bad_entry", "bad_control", "remote",
					     "dirty", "pools",	   "switch" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char word[32];
		struct hv_options o;

		snprintf(word, sizeof(word), "selftest=%s", names[i]);
		o = parse(word);
		assert_console_quiet();
		bool set[] = { o.selftest_panic,  o.selftest_bad_entry, o.selftest_bad_control,
			       o.selftest_remote, o.selftest_dirty,	o.selftest_pools,
			       o.selftest_switch };
		for (size_t j = 0; j < sizeof(set) / sizeof(set[0]); j++)
			assert_int_equal(set[j], i == j);
		assert_false(o.exit_when_done || o.force_xapic || o.colour);
		assert_int_equal(o.console_width, 80);
	}
}

static void test_all_together(void **state)
{
	(void)state;
	struct hv_options o = parse("exit_when_done apic=xapic selftest=panic "
				    "selftest=bad_entry selftest=bad_control colour=on");
	assert_true(o.exit_when_done);
	assert_true(o.colour);
	assert_true(o.force_xapic);
	assert_true(o.selftest_panic);
	assert_true(o.selftest_bad_entry);
	assert_true(o.selftest_bad_control);
	assert_console_quiet();
}

static void test_leading_path(void **state)
{
	(void)state;
	struct hv_options o = parse("/boot/cloison.elf exit_when_done");
	assert_true(o.exit_when_done);
	assert_console_quiet();

	o = parse("  /cloison.elf");
	assert_false(o.exit_when_done);
	assert_console_quiet();

	/* Only the first word may be a path. */
	o = parse("exit_when_done /boot/x");
	assert_true(o.exit_when_done);
	assert_console(1, "cloison: option '/boot/x' is unknown; ignored");
}

static void test_unknown_word(void **state)
{
	(void)state;
	struct hv_options o = parse("exit_when_done apic=foo selftest=panic");
	assert_true(o.exit_when_done);
	assert_false(o.force_xapic);
	assert_true(o.selftest_panic);
	assert_console(1, "cloison: bad value \"foo\" for option apic= (xapic or x2apic); "
			  "ignored\n");

	/*
	 * Prefixes and extensions of a known word are not that word; a flag
	 * given a value, and a key without one, are unknown words too.
	 */
	o = parse("exit_when exit_when_done_ EXIT_WHEN_DONE exit_when_done=yes apic colour");
	assert_false(o.exit_when_done);
	assert_int_equal(console_lines(), 6);
	assert_int_equal(console_lines_with("option 'exit_when' is unknown"), 1);
	assert_int_equal(console_lines_with("option 'exit_when_done_' is unknown"), 1);
	assert_int_equal(console_lines_with("option 'EXIT_WHEN_DONE' is unknown"), 1);
	assert_int_equal(console_lines_with("option 'exit_when_done=yes' is unknown"), 1);
	assert_int_equal(console_lines_with("option 'apic' is unknown"), 1);
	assert_int_equal(console_lines_with("option 'colour' is unknown"), 1);
}

static void test_spaces_and_tabs(void **state)
{
	(void)state;
	struct hv_options o = parse("  \texit_when_done\t\t  apic=xapic   \t");
	assert_true(o.exit_when_done);
	assert_true(o.force_xapic);
	assert_false(o.selftest_panic);
	assert_console_quiet();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_exit_when_done),
		cmocka_unit_test(test_apic),
		cmocka_unit_test(test_selftest_panic),
		cmocka_unit_test(test_selftest_bad_entry),
		cmocka_unit_test(test_selftest_switch),
		cmocka_unit_test(test_selftest_each),
		cmocka_unit_test(test_all_together),
		cmocka_unit_test(test_leading_path),
		cmocka_unit_test(test_unknown_word),
		cmocka_unit_test(test_spaces_and_tabs),
		/* Options of the console multiplexer. */
		cmocka_unit_test(test_colour),
		cmocka_unit_test(test_console_width),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
