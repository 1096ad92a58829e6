/*
 * PCI configuration mechanism #1 of a partition, with no device behind
 * it: the address register at 0xcf8 (dword accesses only) and the data
 * window at 0xcfc-0xcff.  An OS finds the mechanism (the address register
 * keeps what is written), scans, and finds every function absent.  Byte
 * and word accesses at 0xcf8-0xcfb are not the address register and are
 * not the model's: 0xcf9 is the reset register (vdev/pm.c).  Not
 * thread-safe.
 */
#ifndef VDEV_PCI_H
#define VDEV_PCI_H

#include "lib/types.h"

#define VPCI_ADDRESS 0xcf8
#define VPCI_DATA 0xcfc /* 4 ports */

struct vpci {
	u32 address; /* CONFIG_ADDRESS as it reads back */
};

/* Power-on state: the address register reads 0. */
void vpci_reset(struct vpci *p);
/* An IN the model claims: the address register, or all-ones from the data window. */
u32 vpci_read(struct vpci *p, u16 port, u32 size);
/* An OUT the model claims: the address register keeps it; data writes are dropped. */
void vpci_write(struct vpci *p, u16 port, u32 size, u32 value);
/* Is an access of size bytes at port the model's?  0xcf8 with size 4, or inside 0xcfc-0xcff. */
bool vpci_claims(u16 port, u32 size);

#endif
