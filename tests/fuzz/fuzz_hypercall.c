/*
 * Fuzzing harness for the hypercall arguments (kernel/hcargs.c,
 * hcargs_decode()), which kernel/hypercall.c decodes from registers the
 * guest sets freely.  The bytes, little-endian, zero-padded when short:
 *
 *   0-31   RAX, RBX, RCX, RDX as the guest left them
 *   32-39  the partition's RAM size, steered by the flags below
 *   40-47  noise: upper register halves for the narrow-mode check
 *   48     flags: bit 0 narrow (not 64-bit mode), bit 1 CPL > 0,
 *          bit 2 virtual-8086 mode; bits 4-5 the RAM size: 0 as given
 *          (any 64-bit value), 1 a partition's (2 MiB to 64 GiB in 2 MiB
 *          steps), 2 small (0 to 64 KiB, with a fake guest RAM), 3 just
 *          below 2^64
 *
 * The fake guest RAM stands for the partition's memory when it is
 * small: a heap block of exactly its size, through which an accepted
 * buffer is copied as kernel/hypercall.c copies it (AddressSanitizer
 * sees any byte outside).
 *
 * Invariants, checked on every input (the rules of docs/hypercalls.md,
 * worked out here independently, with 128-bit sums):
 *  - A call from CPL > 0 or virtual-8086 mode is refused with -1
 *    (-EPERM) whatever its number; no other call gets -EPERM.
 *  - The number is RAX, cut to EAX in narrow mode; other numbers than
 *    1 to 6 give -ENOSYS.
 *  - CONSOLE_WRITE/READ are accepted exactly when [RBX, RBX + RCX) lies
 *    wholly inside [0, mem) without wrapping; the buffer is then RBX
 *    with RCX cut to 1024 bytes, and it lies inside [0, mem); refused,
 *    they give -EFAULT.
 *  - SET_TIMER gives -EINVAL for a vector below 32 or above 255, and
 *    otherwise that vector with the deadline RBX (64-bit mode) or
 *    ECX:EBX (narrow mode).  EXIT's code is EBX, signed.
 *  - In narrow mode the upper 32 bits of RAX, RBX, RCX and RDX change
 *    nothing.  The RAM size changes nothing but the buffer calls.
 */
/* fuzz-sources: kernel/hcargs.c */
#include <string.h>

#include "kernel/hcargs.h"
#include "kernel/hypercall.h"
#include "tests/fuzz/fuzz.h"

#define FLAG_NARROW 0x01
#define FLAG_CPL3 0x02
#define FLAG_VM86 0x04
#define RAM_SHIFT 4
#define SMALL_RAM_MAX KiB(64)

struct input {
	u64 rax, rbx, rcx, rdx;
	u64 mem;
	u64 noise;
	u8 flags;
};

static u64 get_u64(const uint8_t *p)
{
	u64 v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static struct input parse(const uint8_t *data, size_t size)
{
	uint8_t b[49] = { 0 };
	struct input in;

	memcpy(b, data, MIN(size, sizeof(b)));
	in.rax = get_u64(b);
	in.rbx = get_u64(b + 8);
	in.rcx = get_u64(b + 16);
	in.rdx = get_u64(b + 24);
	in.mem = get_u64(b + 32);
	in.noise = get_u64(b + 40);
	in.flags = b[48];
	switch ((in.flags >> RAM_SHIFT) & 3) {
	case 1:
		in.mem = MiB(2) * (1 + in.mem % 32768);
		break;
	case 2:
		in.mem %= SMALL_RAM_MAX + 1;
		break;
	case 3:
		in.mem = ~0ull - (in.mem & 0xffff);
		break;
	}
	return in;
}

static bool same_call(const struct hc_call *a, const struct hc_call *b)
{
	return a->nr == b->nr && a->err == b->err && a->gpa == b->gpa && a->len == b->len &&
	       a->deadline == b->deadline && a->vector == b->vector && a->code == b->code;
}

/* The call the ABI describes for these registers, checked against c. */
static void check_call(const struct hc_regs *r, const struct hc_call *c)
{
	u64 mask = r->narrow ? 0xffffffffull : ~0ull;
	u64 nr = r->rax & mask, a1 = r->rbx & mask, a2 = r->rcx & mask, a3 = r->rdx & mask;

	FUZZ_CHECK(c->nr == nr);
	if (r->unprivileged) {
		FUZZ_CHECK(c->err == -1 && c->err == -EPERM);
		return;
	}
	FUZZ_CHECK(c->err != -EPERM);
	switch (nr) {
	case HC_CONSOLE_WRITE:
	case HC_CONSOLE_READ:
		if ((unsigned __int128)a1 + a2 > r->mem) {
			FUZZ_CHECK(c->err == -EFAULT);
			break;
		}
		FUZZ_CHECK(c->err == 0);
		FUZZ_CHECK(c->gpa == a1 && c->len == MIN(a2, (u64)HC_CONSOLE_CHUNK));
		FUZZ_CHECK(c->len <= HC_CONSOLE_CHUNK);
		FUZZ_CHECK((unsigned __int128)c->gpa + c->len <= r->mem);
		break;
	case HC_YIELD:
	case HC_TIME:
		FUZZ_CHECK(c->err == 0);
		break;
	case HC_EXIT:
		FUZZ_CHECK(c->err == 0 && (u32)c->code == (u32)r->rbx);
		break;
	case HC_SET_TIMER:
		if (a3 < 32 || a3 > 255) {
			FUZZ_CHECK(c->err == -EINVAL);
			break;
		}
		FUZZ_CHECK(c->err == 0 && c->vector == a3);
		if (r->narrow)
			FUZZ_CHECK(c->deadline == ((u64)(u32)r->rcx << 32 | (u32)r->rbx));
		else
			FUZZ_CHECK(c->deadline == r->rbx);
		break;
	default:
		FUZZ_CHECK(c->err == -ENOSYS);
		break;
	}
}

/* Copy the accepted buffer through a fake guest RAM of exactly r->mem bytes. */
static void copy_through_ram(const struct hc_regs *r, const struct hc_call *c)
{
	u8 buf[HC_CONSOLE_CHUNK];
	u8 *ram = malloc(r->mem ? r->mem : 1);

	FUZZ_CHECK(ram);
	memset(ram, 0x5a, r->mem);
	memset(buf, 0xa5, sizeof(buf));
	if (c->nr == HC_CONSOLE_WRITE)
		memcpy(buf, ram + c->gpa, c->len);
	else
		memcpy(ram + c->gpa, buf, c->len);
	free(ram);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = parse(data, size);
	struct hc_regs r = {
		.rax = in.rax,
		.rbx = in.rbx,
		.rcx = in.rcx,
		.rdx = in.rdx,
		.narrow = in.flags & FLAG_NARROW,
		.unprivileged = in.flags & (FLAG_CPL3 | FLAG_VM86),
		.mem = in.mem,
	};
	struct hc_regs other = r;
	struct hc_call c = hcargs_decode(&r), c2;

	check_call(&r, &c);
	if (!c.err && (c.nr == HC_CONSOLE_WRITE || c.nr == HC_CONSOLE_READ) &&
	    r.mem <= SMALL_RAM_MAX)
		copy_through_ram(&r, &c);

	if (r.narrow) {
		/* Other upper halves, the same call. */
		other.rax ^= in.noise << 32;
		other.rbx ^= in.noise & 0xffffffff00000000ull;
		other.rcx ^= ~in.noise << 32;
		other.rdx ^= ~in.noise & 0xffffffff00000000ull;
		c2 = hcargs_decode(&other);
		FUZZ_CHECK(same_call(&c, &c2));
		other = r;
	}
	if (c.nr != HC_CONSOLE_WRITE && c.nr != HC_CONSOLE_READ) {
		/* Another RAM size, the same call. */
		other.mem = in.noise;
		c2 = hcargs_decode(&other);
		FUZZ_CHECK(same_call(&c, &c2));
	}
	return 0;
}
