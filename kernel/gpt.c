/*
 * Reading guest memory at a guest-virtual address: walks the guest's
 * own page tables (32-bit, PAE or 4-level, SDM 3A §4.3-4.5) with every
 * table read going through the partition's SLAT view, then copies.
 * Used to fetch instruction bytes and string I/O operands.
 */
#include "kernel/partition.h"
#include "kernel/virt.h"
#include "lib/x86.h"

#define PG_P (1ull << 0)
#define PG_PS (1ull << 7)
#define ADDR_4K 0x000ffffffffff000ull

/* Guest-physical address of gva, or -EFAULT when it is not mapped. */
static int translate(struct vcpu *v, u64 gva, u64 *gpa)
{
	struct partition *p = v->partition;
	u64 cr0 = virt->get(v, VREG_CR0), cr4 = virt->get(v, VREG_CR4);
	u64 efer = virt->get(v, VREG_EFER), table = virt->get(v, VREG_CR3);

	if (!(cr0 & CR0_PG)) {
		*gpa = gva & 0xffffffffull;
		return 0;
	}
	if (!(cr4 & CR4_PAE)) { /* 32-bit paging: 10 + 10 + 12 */
		u32 pde, pte;
		gva &= 0xffffffffull;
		if (guest_read(p, (table & 0xfffff000u) + ((gva >> 22) & 1023) * 4, &pde, 4) < 0 ||
		    !(pde & PG_P))
			return -EFAULT;
		if ((pde & PG_PS) && (cr4 & CR4_PSE)) {
			*gpa = (pde & 0xffc00000u) | (gva & 0x3fffff);
			return 0;
		}
		if (guest_read(p, (pde & 0xfffff000u) + ((gva >> 12) & 1023) * 4, &pte, 4) < 0 ||
		    !(pte & PG_P))
			return -EFAULT;
		*gpa = (pte & 0xfffff000u) | (gva & 0xfff);
		return 0;
	}
	/* PAE (3 levels from the PDPT), long mode (4 levels, 5 with CR4.LA57). */
	int levels = (efer & EFER_LMA) ? ((cr4 & CR4_LA57) ? 5 : 4) : 3;
	u64 e = 0;
	if (levels == 3) {
		gva &= 0xffffffffull;
		table &= 0xffffffe0ull;
	} else {
		table &= ADDR_4K;
	}
	for (int l = levels; l >= 1; l--) {
		unsigned shift = 12 + 9 * (l - 1);
		unsigned idx = (gva >> shift) & (l == 3 && levels == 3 ? 3 : 511);
		if (guest_read(p, table + idx * 8, &e, 8) < 0 || !(e & PG_P))
			return -EFAULT;
		if (l <= 3 && l >= 2 && (e & PG_PS) && !(levels == 3 && l == 3)) {
			u64 size = 1ull << shift;
			*gpa = (e & ADDR_4K & ~(size - 1)) | (gva & (size - 1));
			return 0;
		}
		table = e & ADDR_4K;
	}
	*gpa = table | (gva & 0xfff);
	return 0;
}

static int copy_virt(struct vcpu *v, u64 gva, void *buf, u64 len, bool write)
{
	u8 *b = buf;
	while (len) {
		u64 gpa, n = MIN(len, 4096 - (gva & 4095));
		if (translate(v, gva, &gpa) < 0)
			return -EFAULT;
		if ((write ? guest_write(v->partition, gpa, b, n)
			   : guest_read(v->partition, gpa, b, n)) < 0)
			return -EFAULT;
		gva += n, b += n, len -= n;
	}
	return 0;
}

int guest_read_virt(struct vcpu *v, u64 gva, void *dst, u64 len)
{
	return copy_virt(v, gva, dst, len, false);
}

u32 guest_fetch(struct vcpu *v, u64 gva, u8 *bytes, u32 max)
{
	u32 to_page_end = (u32)(0x1000 - (gva & 0xfff));

	if (copy_virt(v, gva, bytes, max, false) == 0)
		return max;
	/* The next page may be unmapped: the instruction may still end before it. */
	if (to_page_end < max && copy_virt(v, gva, bytes, to_page_end, false) == 0)
		return to_page_end;
	return 0;
}

int guest_write_virt(struct vcpu *v, u64 gva, const void *src, u64 len)
{
	return copy_virt(v, gva, (void *)src, len, true);
}
