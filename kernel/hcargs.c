/*
 * Hypercall argument decoding (kernel/hcargs.h): the guest's registers
 * turned into one checked call, as docs/hypercalls.md defines them.
 * Outside 64-bit mode every register counts for its low 32 bits only;
 * a call from CPL 1-3 or virtual-8086 mode is refused with -EPERM
 * whatever its number; a buffer must lie wholly inside the partition's
 * RAM (checked for its full length, without overflow) and is then cut
 * to HC_CONSOLE_CHUNK bytes; SET_TIMER refuses the exception vectors
 * 0-31 and anything above 255.
 */
#include "kernel/hcargs.h"
#include "kernel/hcabi.h"
#include "lib/lib.h"

struct hc_call hcargs_decode(const struct hc_regs *r)
{
	u64 mask = r->narrow ? 0xffffffffull : ~0ull;
	u64 a1 = r->rbx & mask, a2 = r->rcx & mask, a3 = r->rdx & mask;
	struct hc_call c = { .nr = r->rax & mask };

	if (r->unprivileged) {
		c.err = -EPERM;
		return c;
	}
	switch (c.nr) {
	case HC_CONSOLE_WRITE:
	case HC_CONSOLE_READ:
		/* lab 6: check a console buffer: inside the partition's RAM, one chunk at most */
		if (!range_within(a1, a2, r->mem)) {
			c.err = -EFAULT;
			break;
		}
		c.gpa = a1;
		c.len = MIN(a2, HC_CONSOLE_CHUNK);
		/* lab 6: end */
		break;
	case HC_YIELD:
	case HC_TIME:
		break;
	case HC_EXIT:
		c.code = (s32)(u32)a1;
		break;
	case HC_SET_TIMER:
		/* A 64-bit deadline: RBX in 64-bit mode, ECX:EBX otherwise; vector in RDX. */
		if (a3 < 32 || a3 > 255) {
			c.err = -EINVAL;
			break;
		}
		c.deadline = r->narrow ? (a2 << 32) | a1 : a1;
		c.vector = (u8)a3;
		break;
	default:
		c.err = -ENOSYS;
		break;
	}
	return c;
}
