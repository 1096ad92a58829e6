/*
 * Partitions: a name, guest RAM at guest-physical [0, mem) backed by
 * host frames that belong to it alone, its SLAT tables, one vCPU, a
 * console, an emulated UART, a crash policy with its restart count, and
 * an exit status.  partition.c creates
 * them from GRUB modules and stops them; sched.c runs them.
 */
#ifndef KERNEL_PARTITION_H
#define KERNEL_PARTITION_H

#include "kernel/config.h"
#include "kernel/pconsole.h"
#include "kernel/runq.h"
#include "kernel/slat.h"
#include "kernel/vcpu.h"
#include "lib/spinlock.h"
#include "lib/types.h"
#include "vdev/board.h"
#include "vdev/uart.h"

#define MAX_PARTITIONS 64
#define PARTITION_VCPUS_MAX CONFIG_VCPUS_MAX
#define RAM_CHUNK MiB(2) /* guest RAM is allocated in 2 MiB-aligned runs */

enum partition_state {
	PARTITION_FREE,	   /* slot unused */
	PARTITION_WAITING, /* after=: created, nothing allocated, until that partition stops */
	PARTITION_RUNNABLE,
	PARTITION_STOPPING, /* exited or crashed; its RAM is being scrubbed (WORK_STOP) */
	PARTITION_STOPPED,  /* RAM scrubbed and returned */
};

/* Work a partition does in its own slices before its guest may run (partition_work). */
enum partition_work {
	WORK_NONE,
	WORK_LOAD, /* scrub its RAM, then load its image: a new or restarted life */
	WORK_STOP, /* scrub its RAM, then return it: then it is PARTITION_STOPPED */
};

struct boot_module;

struct partition {
	u32 id; /* 1-based, reported by CPUID 0x40000001 */
	enum partition_state state;
	struct partition_config cfg;
	const struct boot_module *module;
	/* Modules given to its guest (for= lines), in line order: initrd, Multiboot modules. */
	const struct boot_module *attached[CONFIG_MODULES_MAX];
	u32 nattached;
	u64 *chunks; /* host physical address of each RAM_CHUNK */
	u32 nchunks;
	struct slat slat;
	struct vcpu vcpus[PARTITION_VCPUS_MAX]; /* [0, nvcpus) are in use */
	u32 nvcpus;
	struct vcpu_boot_state boot; /* vCPU 0's entry state, from the image (kernel/virt.h) */
	enum partition_work work;    /* pending, done by partition_work() */
	u32 scrub_next;		     /* the next RAM chunk the pending work scrubs */
	struct pconsole console;
	struct vuart uart;
	struct vboard platform; /* its devices but the UART (kernel/platform.c) */
	int exit_code;
	bool crashed;
	u32 restarts;	  /* times on_crash=restart has started it again */
	u32 guest_resets; /* times its guest reset it (partition_reset) */
	/*
	 * Its lives: restart() starts the next one.  Each vCPU resets itself
	 * for it on its own CPU (vcpu.life catches up), and vCPU 0 loads the
	 * image once no other vCPU is in the guest.
	 */
	u32 life;
	u32 vcpus_retired;    /* vCPUs whose CPU has let them go since it stopped */
	struct spinlock lock; /* its lifecycle: exit, crash, restart and stop, once each */
	u64 placed_ns;	      /* time_ns() when its vCPUs were put on their queues */
};

/* Hypervisor memory one partition costs besides its RAM, in bytes. */
struct partition_overhead {
	u64 slat;     /* its SLAT table frames */
	u64 vcpu;     /* its VMCS or VMCB page */
	u64 xstate;   /* its FPU/SSE/AVX image (kernel/xstate.c) */
	u64 ram_list; /* the frames listing its RAM chunks */
	u64 record;   /* its struct partition (console, UART, vCPU registers) */
	u64 total;
};

extern struct partition partitions[MAX_PARTITIONS];

/*
 * Create one partition per partition line, attach the modules of the
 * for= lines to them, then start those that do not wait (after=).  Bad
 * lines are refused with a reason; the others still start.
 */
void partition_create_all(void);
/* Stop p: print the lifecycle line, scrub and free its memory. */
void partition_exit(struct partition *p, int code);
void partition_crash(struct partition *p, const char *fmt, ...) PRINTF_LIKE(2, 3);
/*
 * Would an exit, crash or reset of p be acted on now, or is p stopping
 * or already restarting (an event of the life that ended)?  Every such
 * event holds the console first (console_hold), so under that hold the
 * answer stands until the event is taken.
 */
bool partition_takes_event(const struct partition *p);
/* Partitions runnable or waiting: the scheduler runs while there are any. */
u32 partition_count_running(void);
/* A partition waiting (after=) for stopped to stop, or NULL. */
struct partition *partition_waiting_for(const struct partition *stopped);
/*
 * Start a created or waiting partition: 0 when it is runnable (place
 * it), -1 when it could not start (said why and undone; it is stopped,
 * and those waiting for it may start in turn).
 */
int partition_start(struct partition *p);
/*
 * Do p's pending work (scrub, then load or free), 2 MiB at a time, with
 * interrupts taken in between, until it is done (true) or this CPU's
 * slice is over (false: call again in its next slice).  On p's own CPU.
 * A load ends with reset_devices(p), which puts the partition's devices
 * (kernel/platform.c, a floor above this file) at power-on: -1 stops the
 * partition.
 */
bool partition_work(struct partition *p, int (*reset_devices)(struct partition *p));
/* On v's own CPU: reset v for its partition's current life, if it is not yet. */
void partition_vcpu_sync(struct vcpu *v);
/* On v's own CPU, once its partition stops: free its VMCS or VMCB and FPU state. */
void partition_vcpu_retire(struct vcpu *v);
/*
 * The guest reset its machine (the i8042's reset line, the ACPI reset
 * register): "partition <name> reset by its guest", then its next life,
 * as a restart after a crash but not counted against restart_limit.
 */
void partition_reset(struct partition *p);
/* Stop p on request (kernel/sched.c, on p's own CPU): "partition <name> stopped: <why>". */
void partition_stop(struct partition *p, const char *why);
/* Stop a started partition that cannot be run, saying why. */
void partition_abandon(struct partition *p, const char *why);
/*
 * The test aid selftest=pools: one line with what every allocator
 * partitions take from has free, "cloison: pools: N frames free, P
 * partitions hold resources, C console ports": the same before any
 * partition and after all have stopped, or something leaked.
 */
void partition_report_pools(void);
/* What p costs the hypervisor besides its RAM (printed when it starts). */
void partition_overhead(const struct partition *p, struct partition_overhead *o);

/* Guest-physical access through the partition's own SLAT view. */
int guest_read(struct partition *p, u64 gpa, void *dst, u64 len);
int guest_write(struct partition *p, u64 gpa, const void *src, u64 len);
/* Is [gpa, gpa+len) wholly inside the partition's RAM?  Overflow-safe. */
bool guest_range_ok(const struct partition *p, u64 gpa, u64 len);
/*
 * A data access the guest's instruction makes and cloison carries out
 * (a string I/O element, at most a page long): where its bytes are in
 * guest-physical memory, in one piece or two where it crosses a page.
 * guest_data_map() walks v's page tables as its CPU would, at its CPL
 * (kernel/pagewalk.c): WALK_OK, with the accessed flags (and for a write
 * the dirty flag) set; WALK_PAGE_FAULT when the guest must get #PF
 * instead, error code pf_error and CR2 pf_addr; -EFAULT when its page
 * tables are outside its RAM; -EAGAIN when they kept changing under the
 * walk.  guest_data_copy() then moves the bytes (-EFAULT where they are
 * not in its RAM).
 */
struct guest_data {
	u64 gpa[2];
	u32 len[2];
	u32 pf_error;
	u64 pf_addr;
};
int guest_data_map(struct vcpu *v, u64 gva, u32 len, bool write, struct guest_data *d);
int guest_data_copy(struct vcpu *v, const struct guest_data *d, void *buf, bool write);
/*
 * Instruction bytes at a guest-virtual address that the CPU has already
 * fetched: translated through the guest's page tables without access
 * rights and without setting flags.
 */
int guest_read_code(struct vcpu *v, u64 gva, void *dst, u64 len);
/*
 * Instruction bytes at gva: up to max, fewer when the code ends on a
 * page before an unmapped one.  Returns how many were read (0: none).
 */
u32 guest_fetch(struct vcpu *v, u64 gva, u8 *bytes, u32 max);

#endif
