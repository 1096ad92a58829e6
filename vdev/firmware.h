/*
 * The firmware tables a partition finds in its memory: the ACPI tables
 * (RSDP, XSDT, RSDT, FADT, FACS, DSDT, MADT) that tell an OS its CPUs,
 * interrupt controllers, ISA interrupt routes, fixed power-management
 * registers and how to power off and reset, plus a small SMBIOS table
 * (vdev/firmware.c says why).  vfw_build writes them into a buffer that
 * the caller then copies to guest-physical GUEST_FW_BASE; the RSDP lands
 * at GUEST_RSDP, where an OS's scan of the BIOS area finds it and where
 * a loader points the OS at it.  Marking the area reserved in the memory
 * map is the loader's job.
 */
#ifndef VDEV_FIRMWARE_H
#define VDEV_FIRMWARE_H

#include "lib/types.h"

#define VFW_OEM_ID "CLOISN"	    /* the tables' OEM id (6 characters) */
#define VFW_OEM_TABLE_ID "CLOISON " /* their OEM table id (8 characters) */
#define VFW_MAX_CPUS 254	    /* xAPIC ids 0..253; the I/O APIC takes id ncpus */

struct vfw_config {
	u32 ncpus; /* CPUs with APIC ids and ACPI processor UIDs 0..ncpus-1, all enabled */
};

/*
 * Write the tables for a partition described by c into buf, which stands
 * for guest-physical [GUEST_FW_BASE, GUEST_FW_BASE + size); every byte of
 * it is written (the rest is zero).  Returns 0, -EINVAL when ncpus is 0
 * or above VFW_MAX_CPUS, or -E2BIG when size is too small (buf is then
 * untouched).  GUEST_FW_SIZE is always enough.
 */
int vfw_build(u8 *buf, u32 size, const struct vfw_config *c);

#endif
