/*
 * Finding the ACPI tables: the RSDP from GRUB's tag (or, failing that,
 * the BIOS areas), then the XSDT or RSDT, then the MADT and FADT.  Each
 * table is checksummed before use; whatever is unusable is said in one
 * line and the hypervisor carries on without it (one CPU, emulator-only
 * power-off).  Runs before the frame allocator, through the boot
 * identity map of the first 4 GiB.
 */
#include "drivers/acpi.h"
#include "lib/addr.h"
#include "lib/lib.h"
#include "lib/log.h"

#define EARLY_LIMIT GiB(4) /* what the boot page tables map */

struct acpi_info acpi;

static void note_table(u64 phys, u64 len)
{
	if (acpi.ntables < ARRAY_SIZE(acpi.tables))
		acpi.tables[acpi.ntables++] = (typeof(acpi.tables[0])){ phys, len };
}

/* A checked table at phys, or NULL (with a reason on the console). */
static const struct acpi_header *table_at(u64 phys, const char *what)
{
	const struct acpi_header *h;

	if (!phys || phys + sizeof(*h) > EARLY_LIMIT) {
		klog("acpi: %s at 0x%llx is out of reach; ignored", what, (unsigned long long)phys);
		return NULL;
	}
	h = phys_to_virt(phys);
	if (h->length < sizeof(*h) || phys + h->length > EARLY_LIMIT) {
		klog("acpi: %s at 0x%llx has a bad length (%u); ignored", what,
		     (unsigned long long)phys, h->length);
		return NULL;
	}
	if (!acpi_checksum_ok(h, h->length)) {
		klog("acpi: %.4s table at 0x%llx has a bad checksum; ignored", h->signature,
		     (unsigned long long)phys);
		return NULL;
	}
	note_table(phys, h->length);
	return h;
}

/* ACPI 6.4 §5.2.5.1: the RSDP lies in the first KiB of the EBDA or in 0xe0000-0xfffff. */
static const struct acpi_rsdp *scan_bios_areas(void)
{
	const u16 *ebda_segment = phys_to_virt(0x40e); /* BIOS data area */
	u64 ebda = (u64)*ebda_segment << 4;
	struct {
		u64 start, end;
	} areas[] = { { ebda, ebda + 1024 }, { 0xe0000, 0x100000 } };

	for (u32 a = 0; a < ARRAY_SIZE(areas); a++) {
		if (areas[a].start < 0x80000 || areas[a].end > 0x100000)
			continue;
		for (u64 p = areas[a].start; p + 20 <= areas[a].end; p += 16) {
			const struct acpi_rsdp *r = phys_to_virt(p);
			if (memcmp(r->signature, "RSD PTR ", 8) == 0 && acpi_checksum_ok(r, 20))
				return r;
		}
	}
	return NULL;
}

static void read_fadt(const struct acpi_fadt *f)
{
	const struct acpi_header *dsdt;
	u64 dsdt_phys = f->dsdt;

	acpi.have_fadt = true;
	acpi.smi_cmd = f->smi_cmd;
	acpi.acpi_enable = f->acpi_enable;
	acpi.pm1a_cnt = f->pm1a_cnt_blk;
	acpi.pm1b_cnt = f->pm1b_cnt_blk;
	if (f->pm_tmr_len == 4) {
		acpi.pm_timer = f->pm_tmr_blk;
		acpi.pm_timer_32 = f->flags & (1u << 8); /* TMR_VAL_EXT */
	}
	if (f->h.length >= offsetof(struct acpi_fadt, arm_boot_arch) &&
	    (f->flags & ACPI_FADT_RESET_REG_SUP)) {
		acpi.have_reset = true;
		acpi.reset_reg = f->reset_reg;
		acpi.reset_value = f->reset_value;
	}
	if (f->h.length >= offsetof(struct acpi_fadt, x_dsdt) + sizeof(f->x_dsdt) && f->x_dsdt)
		dsdt_phys = f->x_dsdt;
	dsdt = table_at(dsdt_phys, "DSDT");
	if (dsdt && acpi_find_s5((const u8 *)(dsdt + 1), dsdt->length - sizeof(*dsdt), &acpi.s5_a,
				 &acpi.s5_b))
		acpi.have_s5 = true;
	if (!acpi.have_s5)
		klog("acpi: no \\_S5_ object in the DSDT; ACPI power-off unavailable");
}

void acpi_init(const void *boot_rsdp, u32 boot_rsdp_len)
{
	const struct acpi_rsdp *rsdp = NULL;
	const struct acpi_header *root;
	bool xsdt;
	u32 entries;

	if (boot_rsdp && acpi_rsdp_valid(boot_rsdp, boot_rsdp_len))
		rsdp = boot_rsdp;
	if (!rsdp) {
		rsdp = scan_bios_areas();
		if (rsdp && !acpi_rsdp_valid(rsdp, rsdp->revision >= 2 ? sizeof(*rsdp) : 20))
			rsdp = NULL;
	}
	if (!rsdp) {
		klog("acpi: no valid RSDP; only the boot CPU will run and power-off uses emulator "
		     "ports");
		return;
	}
	acpi.present = true;
	memcpy(acpi.oem_id, rsdp->oem_id, 6);

	xsdt = rsdp->revision >= 2 && rsdp->xsdt_addr;
	root = table_at(xsdt ? rsdp->xsdt_addr : rsdp->rsdt_addr, xsdt ? "XSDT" : "RSDT");
	if (!root)
		return;
	entries = (root->length - sizeof(*root)) / (xsdt ? 8 : 4);
	for (u32 i = 0; i < entries; i++) {
		const u8 *slot = (const u8 *)(root + 1) + i * (xsdt ? 8 : 4);
		u64 phys;
		const struct acpi_header *h;

		if (xsdt)
			memcpy(&phys, slot, 8);
		else
			phys = *(const u32 *)slot;
		h = table_at(phys, "table");
		if (!h)
			continue;
		if (!memcmp(h->signature, "APIC", 4) && !acpi.have_madt)
			acpi.have_madt =
				acpi_parse_madt((const void *)h, &acpi.madt, ACPI_MAX_CPUS) == 0;
		else if (!memcmp(h->signature, "FACP", 4) && !acpi.have_fadt &&
			 h->length >= offsetof(struct acpi_fadt, reset_reg))
			read_fadt((const void *)h);
	}
	if (!acpi.have_madt)
		klog("acpi: no usable MADT; only the boot CPU will run");
	if (!acpi.have_fadt)
		klog("acpi: no usable FADT; power-off uses emulator ports only");
}
