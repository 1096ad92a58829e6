/*
 * The hypervisor's own options, from the command line on its multiboot2
 * line in grub.cfg (docs/configuration.md lists them).  Parsing is pure
 * and unit-tested.
 */
#ifndef KERNEL_OPTIONS_H
#define KERNEL_OPTIONS_H

#include "lib/types.h"

struct hv_options {
	bool exit_when_done; /* power off once no partition is left running */
	bool force_xapic;    /* apic=xapic: do not use x2APIC mode */
	bool colour;	     /* colour=on: partition tags in ANSI colours */
	u32 console_width;   /* console_width=N: columns of a partition's rows, tag included */
	bool selftest_panic; /* selftest=panic: fault on purpose to test the panic path */
	/* selftest=bad_entry: give the first partition a guest CR0 the CPU must refuse */
	bool selftest_bad_entry;
	/* selftest=bad_control: give it an event to inject that the CPU must refuse */
	bool selftest_bad_control;
	/* selftest=remote: pause, resume and stop a partition on another CPU from the boot CPU */
	bool selftest_remote;
	/* selftest=dirty: fill every free frame with a pattern before partitions get RAM */
	bool selftest_dirty;
	/* selftest=pools: print what the allocators hold before the partitions and after them */
	bool selftest_pools;
	/* selftest=switch: time the register switch between two vCPUs before partitions run */
	bool selftest_switch;
};

/* console_width=: the default, and the range outside which a value is refused. */
#define OPTIONS_CONSOLE_WIDTH 80
#define OPTIONS_CONSOLE_WIDTH_MIN 40
#define OPTIONS_CONSOLE_WIDTH_MAX 1000

/* Parse cmdline; unknown or malformed options are reported and skipped. */
void options_parse(const char *cmdline, struct hv_options *o);

#endif
