/*
 * printf-style formatting into a caller's buffer.  Pure code with no
 * side effects: the console, panic path and unit tests all use it.
 *
 * Supported: %d %i %u %x %X %p %s %c %%, flags '-' '0', a field width
 * (or '*'), a precision for %s, and the length modifiers hh h l ll z.
 */
#ifndef LIB_FORMAT_H
#define LIB_FORMAT_H

#include "lib/types.h"

/*
 * Format into buf (always NUL-terminated when size > 0).  Returns the
 * length the full result would have had, like vsnprintf.
 */
int format_v(char *buf, size_t size, const char *fmt, va_list ap);
int format(char *buf, size_t size, const char *fmt, ...) PRINTF_LIKE(3, 4);

#endif
