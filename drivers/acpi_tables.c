/*
 * Pure ACPI table parsing: checksums, the RSDP, the MADT's list of CPUs,
 * I/O APICs and ISA interrupt routes, and the \_S5_ object in the DSDT's
 * AML.  Nothing here touches
 * hardware, so the host unit tests run it on captured tables.
 */
#include "drivers/acpi.h"
#include "lib/lib.h"
#include "lib/log.h"

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
		if (len < sizeof(*r)) { /* only the v1 part was copied: no length to read */
			klog("acpi: RSDP v2 is truncated (%u bytes); ignored", (u32)len);
			return false;
		}
		if (r->length < sizeof(*r) || r->length > len) {
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

/* Is p an enabled CPU's LAPIC or x2APIC entry?  Then *id is its APIC id. */
static bool cpu_entry(const u8 *p, u32 *id)
{
	switch (p[0]) {
	case ACPI_MADT_LAPIC: {
		const struct acpi_madt_lapic *e = (const void *)p;
		if (e->length < sizeof(*e) || !(e->flags & ACPI_MADT_ENABLED))
			return false;
		*id = e->apic_id;
		return true;
	}
	case ACPI_MADT_X2APIC: {
		const struct acpi_madt_x2apic *e = (const void *)p;
		if (e->length < sizeof(*e) || !(e->flags & ACPI_MADT_ENABLED) ||
		    e->x2apic_id == 0xffffffffu)
			return false;
		*id = e->x2apic_id;
		return true;
	}
	default:
		return false;
	}
}

/*
 * Did an entry in [first, p) already list this CPU (the same CPU listed as
 * LAPIC and x2APIC)?  Rescanning the table, not apic_ids, keeps the count
 * right for CPUs beyond max_cpus too.  The entries there were checked.
 */
static bool listed_before(const u8 *first, const u8 *p, u32 id)
{
	u32 other;
	for (const u8 *q = first; q < p; q += q[1])
		if (cpu_entry(q, &other) && other == id)
			return true;
	return false;
}

/* An I/O APIC entry: counted, and kept while there is room. */
static void add_ioapic(struct madt_info *out, const struct acpi_madt_ioapic *e)
{
	if (e->length < sizeof(*e))
		return;
	out->ioapics_listed++;
	if (out->nioapics == ACPI_MAX_IOAPICS)
		return;
	out->ioapics[out->nioapics].address = e->address;
	out->ioapics[out->nioapics].gsi_base = e->gsi_base;
	out->nioapics++;
}

/* An interrupt source override of an ISA IRQ. */
static void override_isa(struct madt_info *out, const struct acpi_madt_isa_override *e)
{
	if (e->length < sizeof(*e) || e->bus != 0 || e->source >= ISA_IRQS)
		return;
	out->isa[e->source].gsi = e->gsi;
	out->isa[e->source].active_low =
		(e->flags & ACPI_INTI_POLARITY_MASK) == ACPI_INTI_POLARITY_LOW;
	out->isa[e->source].level = (e->flags & ACPI_INTI_TRIGGER_MASK) == ACPI_INTI_TRIGGER_LEVEL;
}

int acpi_parse_madt(const struct acpi_madt *madt, struct madt_info *out, u32 max_cpus)
{
	const u8 *first, *p, *end;

	memset(out, 0, sizeof(*out));
	for (u32 irq = 0; irq < ISA_IRQS; irq++)
		out->isa[irq].gsi = irq; /* ISA IRQs are identity-mapped unless overridden */
	if (madt->h.length < sizeof(*madt)) {
		klog("acpi: MADT is truncated (length %u); ignored", madt->h.length);
		return -EINVAL;
	}
	out->lapic_addr = madt->lapic_addr;
	first = (const u8 *)madt + sizeof(*madt);
	end = (const u8 *)madt + madt->h.length;
	for (p = first; p < end; p += p[1]) {
		u32 id;

		if ((size_t)(end - p) < 2 || p[1] < 2 || p[1] > (size_t)(end - p)) {
			klog("acpi: MADT entry at offset %u is malformed; the rest is ignored",
			     (u32)(p - (const u8 *)madt));
			break;
		}
		if (cpu_entry(p, &id)) {
			if (listed_before(first, p, id))
				continue;
			out->listed++;
			if (out->ncpus < max_cpus && out->ncpus < ACPI_MAX_CPUS)
				out->apic_ids[out->ncpus++] = id;
		} else if (p[0] == ACPI_MADT_LAPIC_OVERRIDE) {
			const struct acpi_madt_lapic_override *e = (const void *)p;
			if (e->length >= sizeof(*e))
				out->lapic_addr = e->address;
		} else if (p[0] == ACPI_MADT_IOAPIC) {
			add_ioapic(out, (const void *)p);
		} else if (p[0] == ACPI_MADT_ISA_OVERRIDE) {
			override_isa(out, (const void *)p);
		}
	}
	if (out->listed > out->ncpus)
		klog("acpi: MADT lists %u CPUs but cloison supports %u; the rest stay off",
		     out->listed, out->ncpus);
	if (out->ioapics_listed > out->nioapics)
		klog("acpi: MADT lists %u I/O APICs but cloison supports %u; the rest stay unused",
		     out->ioapics_listed, out->nioapics);
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
 * The end of the package whose PkgLength starts at p (ACPI §20.2.4: bits
 * 7-6 of the lead byte count the bytes that follow; the length includes
 * them), or NULL when it is malformed or runs past end.
 */
static const u8 *aml_pkg_end(const u8 *p, const u8 *end)
{
	size_t extra, len;

	if (p >= end)
		return NULL;
	extra = p[0] >> 6;
	if ((size_t)(end - p) < 1 + extra)
		return NULL;
	len = extra ? p[0] & 0x0f : p[0] & 0x3f;
	for (size_t k = 1; k <= extra; k++)
		len |= (size_t)p[k] << (8 * k - 4);
	if (len < 1 + extra || len > (size_t)(end - p))
		return NULL;
	return p + len;
}

/*
 * Look for  NameOp "_S5_" PackageOp PkgLength NumElements a b ...
 * (ACPI §20.2.5: DefName, DefPackage, PkgLength encoding).
 */
bool acpi_find_s5(const u8 *aml, size_t len, u8 *slp_typa, u8 *slp_typb)
{
	for (size_t i = 1; i + 4 < len; i++) {
		const u8 *p, *pkg_end, *end = aml + len;
		int n;

		if (memcmp(aml + i, "_S5_", 4) != 0)
			continue;
		if (aml[i - 1] != 0x08 && !(i >= 2 && aml[i - 1] == '\\' && aml[i - 2] == 0x08))
			continue; /* not a NameOp definition */
		p = aml + i + 4;
		if (p >= end || *p++ != 0x12) /* PackageOp */
			continue;
		pkg_end = aml_pkg_end(p, end);
		if (!pkg_end)
			continue;   /* truncated package */
		p += 1 + (*p >> 6); /* PkgLength: lead byte plus 0-3 more */
		if (p >= pkg_end)
			continue;
		p++; /* NumElements */
		n = aml_small_int(p, pkg_end, slp_typa);
		if (n < 0)
			continue;
		p += n;
		if (aml_small_int(p, pkg_end, slp_typb) < 0)
			*slp_typb = 0;
		return true;
	}
	return false;
}
