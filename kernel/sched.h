/*
 * Running partitions on every CPU (kernel/sched.c), with the policy of
 * kernel/runq.c.
 */
#ifndef KERNEL_SCHED_H
#define KERNEL_SCHED_H

#include "lib/types.h"

#define SCHED_MIN_SLICE_NS 20000ull    /* the shortest one-shot programmed: 20 us */
#define SCHED_IDLE_POLL_NS 10000000ull /* an idle boot CPU polls COM1 this often if it must */
#define SCHED_AP_WAIT_NS 1000000000ull /* how long the BSP waits for the APs at start and end */

/*
 * On the BSP, before partitions are created: let every AP turn
 * virtualization on (and take its frames for it), and wait until each
 * has, or gave up, or SCHED_AP_WAIT_NS passed.
 */
void sched_start_cpus(void);
/*
 * On the BSP: start every CPU's loop, run partitions until none is left;
 * never returns.  selftest_remote: see selftest_remote_step() in sched.c;
 * report_pools: print partition_report_pools() once all have stopped.
 */
NORETURN void sched_run(bool exit_when_done, bool selftest_remote, bool report_pools);
/* On each AP once it is online: wait for sched_run(), then run its queue; never returns. */
NORETURN void sched_ap_main(void);

struct partition;
/*
 * An event for p (typed input): if its vCPU is blocked, make it
 * runnable, and kick its CPU when it should run at once.  Any CPU.
 */
void sched_wake(struct partition *p);
struct vcpu;
/* The same for one vCPU: wake it if blocked, and make its CPU look at it now. */
void sched_wake_vcpu(struct vcpu *v);
/*
 * v has an interrupt to take: wake it if it is blocked, and if it is in
 * its guest on another CPU, make that CPU leave the guest to look.
 */
void sched_notify_vcpu(struct vcpu *v);
/*
 * In an exit of the running vCPU: end its slice at TSC value tsc if that
 * is sooner than the slice's end (a timer it just programmed falls due).
 */
void sched_end_slice_at(u64 tsc);

/* Requests to a partition's own CPU (sched_request). */
#define SCHED_REQ_STOP (1u << 0)   /* stop it: "partition <name> stopped: on request" */
#define SCHED_REQ_PAUSE (1u << 1)  /* take it off the CPU until a resume */
#define SCHED_REQ_RESUME (1u << 2) /* let a paused partition run again */
/*
 * Ask the CPU p runs on to stop, pause or resume it, from any CPU: the
 * request is noted and that CPU kicked; it acts at its guest's next exit
 * (at once if the guest is not running).  Ignored once p has stopped.
 */
void sched_request(struct partition *p, u32 req);

#endif
