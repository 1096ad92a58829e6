/*
 * The formatter behind kprintf: a small vsnprintf.  It writes at most
 * size-1 characters and counts the rest, so callers can detect
 * truncation.  No floating point (the kernel is built without SSE).
 */
#include "lib/format.h"

struct out {
	char *buf;
	size_t size;
	size_t len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void pad(struct out *o, char c, int n)
{
	while (n-- > 0)
		put(o, c);
}

struct spec {
	bool left;
	bool zero;
	int width;
	int precision; /* -1: none */
};

static void put_str(struct out *o, const char *s, const struct spec *sp)
{
	int n = 0;

	if (!s)
		s = "(null)";
	while ((sp->precision < 0 || n < sp->precision) && s[n]) /* no byte past the precision */
		n++;
	if (!sp->left)
		pad(o, ' ', sp->width - n);
	for (int i = 0; i < n; i++)
		put(o, s[i]);
	if (sp->left)
		pad(o, ' ', sp->width - n);
}

/* *v / base, returning the remainder; no 64-bit division helper needed on i386. */
static unsigned divmod(u64 *v, unsigned base)
{
#ifdef __x86_64__
	unsigned r = (unsigned)(*v % base);
	*v /= base;
	return r;
#else
	u64 q = 0, r = 0;
	for (int i = 63; i >= 0; i--) {
		r = (r << 1) | ((*v >> i) & 1);
		if (r >= base) {
			r -= base;
			q |= 1ull << i;
		}
	}
	*v = q;
	return (unsigned)r;
#endif
}

static void put_num(struct out *o, u64 v, bool negative, unsigned base, bool upper,
		    const char *prefix, const struct spec *sp)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0, plen = 0, len;

	do {
		tmp[n++] = digits[divmod(&v, base)];
	} while (v);
	if (negative)
		prefix = "-";
	while (prefix && prefix[plen])
		plen++;
	len = n + plen;

	if (!sp->left && !sp->zero)
		pad(o, ' ', sp->width - len);
	for (int i = 0; i < plen; i++)
		put(o, prefix[i]);
	if (!sp->left && sp->zero)
		pad(o, '0', sp->width - len);
	while (n)
		put(o, tmp[--n]);
	if (sp->left)
		pad(o, ' ', sp->width - len);
}

int format_v(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };

	for (; *fmt; fmt++) {
		struct spec sp = { false, false, 0, -1 };
		int lng = 0; /* 0 int, 1 long, 2 long long, -1 short, -2 char */
		bool sz = false;

		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		fmt++;
		for (;; fmt++) {
			if (*fmt == '-')
				sp.left = true;
			else if (*fmt == '0')
				sp.zero = true;
			else
				break;
		}
		if (*fmt == '*') {
			sp.width = va_arg(ap, int);
			if (sp.width < 0) {
				sp.left = true;
				sp.width = -sp.width;
			}
			fmt++;
		} else {
			while (*fmt >= '0' && *fmt <= '9')
				sp.width = sp.width * 10 + (*fmt++ - '0');
		}
		if (*fmt == '.') {
			fmt++;
			sp.precision = 0;
			if (*fmt == '*') {
				sp.precision = va_arg(ap, int);
				fmt++;
			} else {
				while (*fmt >= '0' && *fmt <= '9')
					sp.precision = sp.precision * 10 + (*fmt++ - '0');
			}
		}
		for (;; fmt++) {
			if (*fmt == 'l')
				lng = lng < 0 ? 1 : lng + 1;
			else if (*fmt == 'h')
				lng--;
			else if (*fmt == 'z')
				sz = true;
			else
				break;
		}

		u64 uv;
		s64 sv;
		switch (*fmt) {
		case 'd':
		case 'i':
			if (sz || lng >= 1)
				sv = lng >= 2 ? va_arg(ap, long long) : va_arg(ap, long);
			else
				sv = va_arg(ap, int);
			if (lng == -1)
				sv = (short)sv;
			else if (lng <= -2)
				sv = (signed char)sv;
			uv = sv < 0 ? (u64)0 - (u64)sv : (u64)sv;
			put_num(&o, uv, sv < 0, 10, false, NULL, &sp);
			break;
		case 'u':
		case 'x':
		case 'X':
			if (sz)
				uv = va_arg(ap, size_t);
			else if (lng >= 2)
				uv = va_arg(ap, unsigned long long);
			else if (lng == 1)
				uv = va_arg(ap, unsigned long);
			else
				uv = va_arg(ap, unsigned int);
			if (lng == -1)
				uv = (u16)uv;
			else if (lng <= -2)
				uv = (u8)uv;
			put_num(&o, uv, false, *fmt == 'u' ? 10 : 16, *fmt == 'X', NULL, &sp);
			break;
		case 'p':
			put_num(&o, (u64)(uintptr_t)va_arg(ap, void *), false, 16, false, "0x",
				&sp);
			break;
		case 's':
			put_str(&o, va_arg(ap, const char *), &sp);
			break;
		case 'c': {
			char c[2] = { (char)va_arg(ap, int), 0 };
			sp.precision = 1;
			if (!c[0]) {
				put(&o, 0);
				break;
			}
			put_str(&o, c, &sp);
			break;
		}
		case '%':
			put(&o, '%');
			break;
		case '\0':
			fmt--; /* lone '%' at the end: stop at the NUL */
			break;
		default: /* unknown conversion: print it as written */
			put(&o, '%');
			put(&o, *fmt);
			break;
		}
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int format(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = format_v(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
