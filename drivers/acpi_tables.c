/*
 * Pure ACPI table parsing: checksums, the RSDP, the MADT's list of CPUs
 * and the \_S5_ object in the DSDT's AML.  Nothing here touches
 * hardware, so the host unit tests run it on captured tables.
 */
#include "drivers/acpi.h"
#include "kernel/console.h"
#include "kernel/lib.h"

bool acpi_checksum_ok(const void *p, size_t len)
{
	const u8 *b = p;
	u8 sum = 0;
	for (size_t i = 0; i < len; i++)
		sum += b[i];
	return sum == 0;
}

bool acpi_rsdp_valid(const struct acpi_rsdp *r, size_t len)
{
	if (len < 20 || memcmp(r->signature, "RSD PTR ", 8) != 0) {
		klog("acpi: RSDP has no \"RSD PTR \" signature; ignored");
		return false;
	}
	if (!acpi_checksum_ok(r, 20)) {
		klog("acpi: RSDP checksum is bad; ignored");
		return false;
	}
	if (r->revision >= 2) {
		if (len < sizeof(*r) || r->length < sizeof(*r) || r->length > len) {
			klog("acpi: RSDP v2 is truncated (length %u); ignored", r->length);
			return false;
		}
		if (!acpi_checksum_ok(r, r->length)) {
			klog("acpi: RSDP extended checksum is bad; ignored");
			return false;
		}
	}
	return true;
}

static bool have_id(const struct madt_info *m, u32 id)
{
	for (u32 i = 0; i < m->ncpus; i++)
		if (m->apic_ids[i] == id)
			return true;
	return false;
}

static void add_cpu(struct madt_info *m, u32 id, u32 max_cpus)
{
	if (have_id(m, id))
		return; /* the same CPU listed as LAPIC and x2APIC */
	m->listed++;
	if (m->ncpus < max_cpus && m->ncpus < ACPI_MAX_CPUS)
		m->apic_ids[m->ncpus++] = id;
}

int acpi_parse_madt(const struct acpi_madt *madt, struct madt_info *out, u32 max_cpus)
{
	const u8 *p, *end;

	memset(out, 0, sizeof(*out));
	if (madt->h.length < sizeof(*madt)) {
		klog("acpi: MADT is truncated (length %u); ignored", madt->h.length);
		return -EINVAL;
	}
	out->lapic_addr = madt->lapic_addr;
	p = (const u8 *)madt + sizeof(*madt);
	end = (const u8 *)madt + madt->h.length;
	while (p < end) {
		if ((size_t)(end - p) < 2 || p[1] < 2 || p[1] > (size_t)(end - p)) {
			klog("acpi: MADT entry at offset %u is malformed; the rest is ignored",
			     (u32)(p - (const u8 *)madt));
			break;
		}
		switch (p[0]) {
		case MADT_LAPIC: {
			const struct madt_lapic *e = (const void *)p;
			if (e->length >= sizeof(*e) && (e->flags & MADT_CPU_ENABLED))
				add_cpu(out, e->apic_id, max_cpus);
			break;
		}
		case MADT_X2APIC: {
			const struct madt_x2apic *e = (const void *)p;
			if (e->length >= sizeof(*e) && (e->flags & MADT_CPU_ENABLED) &&
			    e->x2apic_id != 0xffffffffu)
				add_cpu(out, e->x2apic_id, max_cpus);
			break;
		}
		case MADT_LAPIC_OVERRIDE: {
			const struct madt_lapic_override *e = (const void *)p;
			if (e->length >= sizeof(*e))
				out->lapic_addr = e->address;
			break;
		}
		default:
			break;
		}
		p += p[1];
	}
	if (out->listed > out->ncpus)
		klog("acpi: MADT lists %u CPUs but cloison supports %u; the rest stay off",
		     out->listed, out->ncpus);
	return 0;
}

/* One AML integer data object: ZeroOp, OneOp, OnesOp or BytePrefix n. */
static int aml_small_int(const u8 *p, const u8 *end, u8 *v)
{
	if (p >= end)
		return -1;
	switch (p[0]) {
	case 0x00: /* ZeroOp */
		*v = 0;
		return 1;
	case 0x01: /* OneOp */
		*v = 1;
		return 1;
	case 0xff: /* OnesOp */
		*v = 0xff;
		return 1;
	case 0x0a: /* BytePrefix */
		if (p + 1 >= end)
			return -1;
		*v = p[1];
		return 2;
	default:
		return -1;
	}
}

/*
 * Look for  NameOp "_S5_" PackageOp PkgLength NumElements a b ...
 * (ACPI §20.2.5: DefName, DefPackage, PkgLength encoding).
 */
bool acpi_find_s5(const u8 *aml, size_t len, u8 *slp_typa, u8 *slp_typb)
{
	for (size_t i = 1; i + 4 < len; i++) {
		const u8 *p, *end = aml + len;
		int n;

		if (memcmp(aml + i, "_S5_", 4) != 0)
			continue;
		if (aml[i - 1] != 0x08 && !(i >= 2 && aml[i - 1] == '\\' && aml[i - 2] == 0x08))
			continue; /* not a NameOp definition */
		p = aml + i + 4;
		if (p >= end || *p++ != 0x12) /* PackageOp */
			continue;
		if (p >= end)
			continue;
		p += 1 + (*p >> 6); /* PkgLength: lead byte plus 0-3 more */
		if (p >= end)
			continue;
		p++; /* NumElements */
		n = aml_small_int(p, end, slp_typa);
		if (n < 0)
			continue;
		p += n;
		if (aml_small_int(p, end, slp_typb) < 0)
			*slp_typb = 0;
		return true;
	}
	return false;
}
