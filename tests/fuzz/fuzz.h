/*
 * Shared by the fuzzing harnesses (tests/fuzz/fuzz_*.c): the entry point
 * libFuzzer calls, the check that stops the run when an invariant
 * breaks, and the console the parsers print to (console.c).  The
 * same harnesses are built with libFuzzer (`make fuzz`) and with the
 * corpus replay of replay.c (`make fuzz-replay`, part of `make test`).
 */
#ifndef TESTS_FUZZ_FUZZ_H
#define TESTS_FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* Called once per input; the bytes are only valid during the call. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Stop with the broken invariant's text and place when cond is false. */
#define FUZZ_CHECK(cond)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__,       \
				#cond);                                                            \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

/*
 * The parsers print with klog() and kprintf(); tests/fuzz/console.c
 * formats each line with the real lib/format.c (so a bad argument to
 * a format shows up here too) and drops it.
 */

#endif
