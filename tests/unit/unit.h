/*
 * Shared by the host unit tests: the headers cmocka needs before its
 * own, and the captured console of stub_console.c, so that a test can
 * check the exact lines the code under test printed with klog().
 */
#ifndef TESTS_UNIT_UNIT_H
#define TESTS_UNIT_UNIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

/* Forget everything printed so far (and the count of holds taken). */
void console_capture_reset(void);
/* The console hold (console_hold): how deep it is now, how many outermost holds were taken. */
unsigned console_hold_depth(void);
unsigned console_holds_taken(void);
/* Pretend another CPU holds the console: console_try_hold() fails while nothing is held here. */
void console_set_held_elsewhere(bool held);
/* What console_room() says from now on (at first: plenty). */
void console_set_room(unsigned bytes);
/* Everything printed since the last reset, as one string. */
const char *console_captured(void);
/* Number of complete lines printed since the last reset. */
unsigned console_lines(void);
/* Number of those lines that contain needle. */
unsigned console_lines_with(const char *needle);

/*
 * Assert that exactly n lines were printed, that one of them contains
 * needle, and show the captured output when that fails.
 */
#define assert_console(n, needle)                                                                  \
	do {                                                                                       \
		if (console_lines() != (unsigned)(n) || !console_lines_with(needle))               \
			print_message("captured console:\n%s", console_captured());                \
		assert_int_equal(console_lines(), (n));                                            \
		assert_int_equal(console_lines_with(needle), 1);                                   \
	} while (0)

/* Assert that nothing was printed. */
#define assert_console_quiet()                                                                     \
	do {                                                                                       \
		if (console_lines())                                                               \
			print_message("captured console:\n%s", console_captured());                \
		assert_int_equal(console_lines(), 0);                                              \
	} while (0)

#endif
