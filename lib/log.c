/*
 * klog() and kprintf(): format on the caller's stack, then one call to
 * the sink, which keeps lines from different CPUs apart (lib/log.h).
 */
#include "lib/log.h"
#include "lib/format.h"

static log_sink_fn *sink;

void log_set_sink(log_sink_fn *fn)
{
	sink = fn;
}

static void vlog(const char *prefix, const char *fmt, va_list ap, bool newline)
{
	char buf[LOG_LINE_MAX];
	int n = format_v(buf, sizeof(buf), fmt, ap);

	if (sink)
		sink(prefix, buf, n >= (int)sizeof(buf), newline);
}

void kprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(NULL, fmt, ap, false);
	va_end(ap);
}

void klog(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog("cloison: ", fmt, ap, true);
	va_end(ap);
}
