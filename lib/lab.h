/*
 * The course labs' stop sign (docs/labs/README.md).  A part of cloison
 * that a lab gives the student to write sits between two one-line
 * comments, "lab N: what the part does" and "lab N: end", each alone on
 * its line (in assembly too).  `make lab LAB=N` writes a student tree in
 * which the code between them is one LAB_TODO("what the part does") (in
 * the boot assembly, the macro of boot/lab.inc).  That builds, and stops
 * cleanly where the part is reached: in the hypervisor with a panic that
 * names the part and its place (kernel/panic.c), in a host unit test
 * with a failed test (tests/unit/stub_console.c).  The main tree never
 * calls it.
 */
#ifndef LIB_LAB_H
#define LIB_LAB_H

#include "lib/types.h"

#define LAB_TODO(what) lab_todo(__FILE__, __LINE__, what)
NORETURN void lab_todo(const char *file, int line, const char *what);

#endif
