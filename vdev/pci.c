/*
 * PCI configuration mechanism #1 with an empty bus (PCI Local Bus
 * Specification 3.0 §3.2.2.3.2, "Software Generation of Configuration
 * Transactions").
 *
 * CONFIG_ADDRESS (0xcf8) is taken only as a dword, as on the chipsets:
 * byte and word accesses there are ordinary I/O that the model does not
 * claim.  It keeps the enable bit (31), bus (23:16), device (15:11),
 * function (10:8) and register (7:2); bits 30:24 and 1:0 are reserved
 * and read 0, as the specification asks.  Linux writes 0x80000000 and
 * expects it back before it uses the mechanism.
 *
 * CONFIG_DATA (0xcfc-0xcff): no function exists, so every read of any
 * size returns all-ones (vendor ID 0xffff: "no device") and writes go
 * nowhere, whether or not the enable bit is set (with it clear the
 * access is ordinary I/O, which nothing answers either).
 */
#include "vdev/pci.h"

#define ADDR_ENABLE (1u << 31)
#define ADDR_BUS (0xffu << 16)
#define ADDR_DEVFN (0xffu << 8) /* device 15:11, function 10:8 */
#define ADDR_REG (0x3fu << 2)
#define ADDR_KEPT (ADDR_ENABLE | ADDR_BUS | ADDR_DEVFN | ADDR_REG)

void vpci_reset(struct vpci *p)
{
	p->address = 0;
}

bool vpci_claims(u16 port, u32 size)
{
	if (port == VPCI_ADDRESS)
		return size == 4;
	return port >= VPCI_DATA && port < VPCI_DATA + 4 && size >= 1 && size <= 4 &&
	       port + size <= VPCI_DATA + 4;
}

static u32 ones(u32 size)
{
	return size >= 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
}

u32 vpci_read(struct vpci *p, u16 port, u32 size)
{
	if (port == VPCI_ADDRESS && size == 4)
		return p->address;
	return ones(size); /* the data window: no function answers */
}

void vpci_write(struct vpci *p, u16 port, u32 size, u32 value)
{
	if (port == VPCI_ADDRESS && size == 4)
		p->address = value & ADDR_KEPT;
	/* data writes: no function to take them */
}
