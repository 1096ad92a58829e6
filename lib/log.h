/*
 * The hypervisor's log, at the ground floor so that every layer may
 * write to it: klog() and kprintf() format a line with lib/format.c and
 * hand it to one sink.  kernel/console.c installs the sink at boot (its
 * ring, lock and COM1); until then lines are dropped.  Host programs
 * built from the tree's sources bring their own klog() and kprintf()
 * (tests/unit/stub_console.c, tests/fuzz/console.c).
 *
 * Console contract (docs/console.md): every hypervisor line starts with
 * "cloison: ".  Use klog() for those; kprintf() writes raw text.
 */
#ifndef LIB_LOG_H
#define LIB_LOG_H

#include "lib/types.h"

#define LOG_LINE_MAX 512 /* longer text is cut and ends in "..." */

void kprintf(const char *fmt, ...) PRINTF_LIKE(1, 2);
/* One hypervisor line: "cloison: " + text + "\n". */
void klog(const char *fmt, ...) PRINTF_LIKE(1, 2);

/*
 * Where lines go: prefix (or NULL), then text, then "..." when cut,
 * then "\n" when newline is set, all as one unit.
 */
typedef void log_sink_fn(const char *prefix, const char *text, bool cut, bool newline);
void log_set_sink(log_sink_fn *sink);

#endif
