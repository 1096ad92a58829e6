/*
 * heartbeat: a partition whose beats must come on time, whatever its
 * neighbours on the same CPU do (tests/boot/mixed.scenario puts it
 * beside a console flooder).  It first sleeps QUIET_NS, then a periodic
 * SET_TIMER tick (guests/lib/timer.c) beats every PERIOD_NS for BEATS
 * beats; between beats the partition halts.  Each beat reads TIME and keeps its lateness against
 * the ideal schedule t0 + k * PERIOD_NS, where t0 is read just before the
 * tick starts (so the ideal is at most one hypercall early, never late).
 *
 * It prints the first beat and every tenth, then one summary line:
 *   heartbeat: N beats, worst W ms late (beat K), M missed, bound B ms
 * A beat later than LATE_BOUND_NS, or one that came before its time,
 * gets a FAIL line (the first few), and the partition then exits with
 * the number of bad beats; 0 when every beat was on time.  "Missed"
 * counts beats that came after the next beat was already due.
 *
 * The bound.  The scheduler cuts the running slice at a halted
 * partition's deadline, and the woken one runs first (docs/scheduling.md),
 * so a beat should wait only for the exit its neighbour is in.  A console
 * exit is short: the hypervisor copies the line into its output ring, or
 * (the ring nearly full) takes nothing and the guest writes it again, by
 * hypercall or through the emulated UART alike.  Only the hypervisor's
 * own lines still wait for the UART when the ring is full: up to about
 * 16 ms at 115200 baud for a long line, and the neighbour's exit may
 * first wait as long for another CPU's block of lines (a crash record).
 * Two such waits and one slice (RUNQ_SLICE_NS, 10 ms) come to about
 * 42 ms: LATE_BOUND_NS is 45 ms, just under a period.  A
 * neighbour that kept the CPU for a few slices in a row breaks it, and
 * one that starves the heartbeat makes beats fall behind for good.  It is
 * a check against starvation, not a latency goal.
 *
 * Why the quiet second first: when a partition stops or restarts, the
 * hypervisor scrubs its RAM in that exit, on the CPU it ran on; for 2 MiB
 * that held the CPU 25 to 70 ms under QEMU while the scrub went byte by
 * byte (about 1 ms now, 8 bytes a store; more with more RAM), and no beat
 * can come meanwhile.  The boot storm of the mixed
 * scenario (starts, crashes, restarts) is over after QUIET_NS; the beats
 * measure the neighbours that keep running.
 */
#include "guests/lib/guest.h"

#define MS 1000000ull
#define PERIOD_NS (50 * MS)
#define BEATS 30
#define QUIET_NS (1000 * MS)
#define LATE_BOUND_NS (45 * MS)
#define MAX_FAIL_LINES 5

static uint64_t t0;
static volatile unsigned beats;
static int64_t late_ns[BEATS]; /* beat k + 1: TIME minus t0 + (k + 1) * PERIOD_NS */

/* In the timer's interrupt handler: note when this beat came. */
static void on_beat(void)
{
	unsigned k = beats;

	if (k < BEATS)
		late_ns[k] = (int64_t)(hv_time_ns() - (t0 + (k + 1) * PERIOD_NS));
	beats = k + 1;
}

/* A lateness in 32 bits (0 for early, about 4.3 s at most): no 64-bit division here. */
static uint32_t clamp_ns(int64_t ns)
{
	return ns < 0 ? 0 : ns > 0xffffffffll ? 0xffffffffu : (uint32_t)ns;
}

static void print_beat(const char *prefix, unsigned beat, int64_t ns, const char *suffix)
{
	uint32_t v = clamp_ns(ns);

	printf("heartbeat: %sbeat %u: %u.%03u ms late%s\n", prefix, beat, v / 1000000u,
	       v / 1000u % 1000u, suffix);
}

int guest_main(unsigned magic, unsigned info)
{
	unsigned printed = 0, worst = 0, missed = 0, bad = 0;
	uint32_t w;
	(void)magic, (void)info;

	if (!hv_present()) {
		printf("heartbeat: needs cloison's SET_TIMER; nothing to do natively\n");
		return 0;
	}
	timer_init();
	sleep_ns(QUIET_NS);
	t0 = hv_time_ns();
	tick_start(PERIOD_NS, on_beat);
	for (;;) {
		unsigned now;
		__asm__ volatile("cli" ::: "memory");
		now = beats < BEATS ? beats : BEATS;
		if (printed == now && now < BEATS) {
			__asm__ volatile("sti; hlt" ::: "memory"); /* STI's shadow covers HLT */
			continue;
		}
		__asm__ volatile("sti" ::: "memory");
		/* Printing waits between beats, so it never delays the next one. */
		for (; printed < now; printed++)
			if (printed == 0 || (printed + 1) % 10 == 0)
				print_beat("", printed + 1, late_ns[printed], "");
		if (now == BEATS)
			break;
	}
	tick_stop();
	for (unsigned k = 0; k < BEATS; k++) {
		bool early = late_ns[k] < 0;
		bool late = late_ns[k] > (int64_t)LATE_BOUND_NS;
		if (late_ns[k] > late_ns[worst])
			worst = k;
		missed += late_ns[k] >= (int64_t)PERIOD_NS;
		if (!early && !late)
			continue;
		if (bad++ < MAX_FAIL_LINES) {
			if (early)
				printf("heartbeat: FAIL: beat %u came %u ns early\n", k + 1,
				       (unsigned)(uint32_t)-late_ns[k]);
			else
				print_beat("FAIL: ", k + 1, late_ns[k], " (past the bound)");
		}
	}
	w = clamp_ns(late_ns[worst]);
	printf("heartbeat: %u beats, worst %u.%03u ms late (beat %u), %u missed, bound %u ms\n",
	       BEATS, w / 1000000u, w / 1000u % 1000u, worst + 1, missed,
	       (unsigned)(LATE_BOUND_NS / MS));
	return (int)bad;
}
