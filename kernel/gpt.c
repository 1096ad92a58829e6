/*
 * Guest memory at guest-virtual addresses, for a vCPU: its registers
 * and its RAM (through the partition's SLAT view) handed to the guest
 * page walk of kernel/pagewalk.c.  Data accesses made for the guest
 * (string I/O operands) get the rights its CPU would check and set the
 * accessed and dirty flags, or a #PF for the guest; instruction bytes
 * the CPU already fetched are only translated.
 */
#include "kernel/pagewalk.h"
#include "kernel/partition.h"
#include "kernel/virt.h"
#include "lib/addr.h"
#include "lib/x86.h"

/* walk_map_fn for a partition: its RAM's host address of a paging-structure entry. */
static void *map_entry(void *ctx, u64 gpa, u32 size)
{
	struct partition *p = ctx;
	u64 hpa;

	if (!guest_range_ok(p, gpa, size) || slat_translate(&p->slat, virt->slat, gpa, &hpa) < 0)
		return NULL;
	return phys_to_virt(hpa);
}

static void walk_regs_of(struct vcpu *v, struct walk_regs *r)
{
	u32 cpl;

	virt->mode(v, &cpl); /* the CPL, 3 in virtual-8086 mode */
	*r = (struct walk_regs){
		.cr0 = virt->get(v, VREG_CR0),
		.cr3 = virt->get(v, VREG_CR3),
		.cr4 = virt->get(v, VREG_CR4),
		.efer = virt->get(v, VREG_EFER),
		.rflags = virt->get(v, VREG_RFLAGS),
		.cpl = cpl,
	};
}

/* Linear addresses wrap at 4 GiB outside long mode. */
static u64 linear(const struct walk_regs *r, u64 la)
{
	return (r->efer & EFER_LMA) ? la : la & 0xffffffffull;
}

int guest_data_map(struct vcpu *v, u64 gva, u32 len, bool write, struct guest_data *d)
{
	struct walk_regs r;
	u32 first = (u32)MIN((u64)len, 0x1000 - (gva & 0xfff));

	walk_regs_of(v, &r);
	*d = (struct guest_data){ .len = { first, len - first } };
	for (int i = 0; i < 2 && d->len[i]; i++) {
		u64 la = linear(&r, gva + (i ? first : 0));
		int got = guest_walk(&r, map_entry, v->partition, la,
				     write ? WALK_WRITE : WALK_READ, &d->gpa[i], &d->pf_error);
		if (got == WALK_PAGE_FAULT)
			d->pf_addr = la;
		if (got != WALK_OK)
			return got;
	}
	return WALK_OK;
}

int guest_data_copy(struct vcpu *v, const struct guest_data *d, void *buf, bool write)
{
	u8 *b = buf;

	for (int i = 0; i < 2 && d->len[i]; i++) {
		if ((write ? guest_write(v->partition, d->gpa[i], b, d->len[i])
			   : guest_read(v->partition, d->gpa[i], b, d->len[i])) < 0)
			return -EFAULT;
		b += d->len[i];
	}
	return 0;
}

/* Instruction bytes: translated page by page, no rights checked, no flag set. */
int guest_read_code(struct vcpu *v, u64 gva, void *dst, u64 len)
{
	struct walk_regs r;
	u8 *b = dst;

	walk_regs_of(v, &r);
	while (len) {
		u64 gpa, n = MIN(len, 0x1000 - (gva & 0xfff));
		u32 error;

		if (guest_walk(&r, map_entry, v->partition, linear(&r, gva), WALK_FETCHED, &gpa,
			       &error) != WALK_OK ||
		    guest_read(v->partition, gpa, b, n) < 0)
			return -EFAULT;
		gva += n, b += n, len -= n;
	}
	return 0;
}

u32 guest_fetch(struct vcpu *v, u64 gva, u8 *bytes, u32 max)
{
	u32 to_page_end = (u32)(0x1000 - (gva & 0xfff));

	if (guest_read_code(v, gva, bytes, max) == 0)
		return max;
	/* The next page may be unmapped: the instruction may still end before it. */
	if (to_page_end < max && guest_read_code(v, gva, bytes, to_page_end) == 0)
		return to_page_end;
	return 0;
}
