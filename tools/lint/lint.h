/*
 * The checks of the grub.cfg linter, apart from its command line and
 * its files (tools/lint/cloison-lint.c): one GRUB configuration, given
 * as bytes, run through the hypervisor's own parsers.  The fuzzing
 * harness (tests/fuzz/fuzz_grub.c) calls the same function on bytes it
 * makes up.
 */
#ifndef TOOLS_LINT_LINT_H
#define TOOLS_LINT_LINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/*
 * Check text[0..len), read from the file called name, and print each
 * problem to out as "NAME:LINE: sentence" (out may be NULL: count
 * only).  With verbose, also the lines that could not be checked, and
 * "NAME: ok (...)" when nothing is wrong.  With root (a folder, or
 * NULL), also that the file of each multiboot2 and module2 line is
 * under root, as on the ISO built from it.  Returns the number of
 * problems, or -1 when out of memory.
 */
int lint_text(const char *name, const char *text, size_t len, FILE *out, bool verbose,
	      const char *root);

#endif
