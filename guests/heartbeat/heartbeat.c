/*
 * heartbeat: a partition whose beats must come on time, whatever its
 * neighbours on the same CPU do (tests/boot/mixed.scenario puts it
 * beside a console flooder).  It first sleeps QUIET_NS, then a periodic
 * SET_TIMER tick (guests/lib/timer.c) beats every PERIOD_NS for BEATS
 * beats; between beats the partition halts.  Each beat reads TIME and keeps its lateness against
 * the ideal schedule t0 + k * PERIOD_NS, where t0 is read just before the
 * tick starts (so the ideal is at most one hypercall early, never late).
 *
 * With "until=input" on its command line (after the "--" of its partition
 * line) it beats instead until a byte is typed to it: a neighbour that
 * runs for minutes (tests/boot/linux.scenario) can then be shown to have
 * ended while the heartbeat still beat.  That mode prints beat 1 and
 * every 100th (5 s), not every tenth.
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
#define RING 64 /* beats noted by the handler and not yet looked at by the loop: at most 1 or 2 */

static uint64_t t0;
static volatile unsigned beats;
static int64_t late_ns[RING]; /* beat k + 1, at k % RING: TIME minus t0 + (k + 1) * PERIOD_NS */

/* In the timer's interrupt handler: note when this beat came. */
static void on_beat(void)
{
	unsigned k = beats;

	late_ns[k % RING] = (int64_t)(hv_time_ns() - (t0 + (k + 1) * PERIOD_NS));
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

/* What the beats came to so far. */
struct tally {
	unsigned worst, missed, bad; /* worst: the beat's number, from 1 */
	int64_t worst_ns;
};

/* Look at beat k + 1: count it, and print it if it is one to show or a bad one. */
static void judge(struct tally *t, unsigned k, int64_t ns, unsigned every)
{
	bool early = ns < 0;
	bool late = ns > (int64_t)LATE_BOUND_NS;

	if (k == 0 || (k + 1) % every == 0)
		print_beat("", k + 1, ns, "");
	if (!t->worst || ns > t->worst_ns)
		t->worst = k + 1, t->worst_ns = ns;
	t->missed += ns >= (int64_t)PERIOD_NS;
	if (!early && !late)
		return;
	if (t->bad++ >= MAX_FAIL_LINES)
		return;
	if (early)
		printf("heartbeat: FAIL: beat %u came %u ns early\n", k + 1,
		       (unsigned)(uint32_t)-ns);
	else
		print_beat("FAIL: ", k + 1, ns, " (past the bound)");
}

/* until=input: has a byte been typed to this partition? */
static bool typed(void)
{
	char c;

	return console_read(&c, 1) > 0;
}

int guest_main(unsigned magic, unsigned info)
{
	char until[8];
	bool forever = cmdline_value(guest_cmdline(magic, info), "until", until, sizeof(until)) &&
		       str_same(until, "input");
	bool stop = false;
	unsigned every = forever ? 100 : 10, looked = 0;
	struct tally t = { 0 };
	uint32_t w;

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
		now = forever || beats < BEATS ? beats : BEATS;
		if (forever && !stop)
			stop = typed();
		if (looked == now && !stop && (forever || now < BEATS)) {
			__asm__ volatile("sti; hlt" ::: "memory"); /* STI's shadow covers HLT */
			continue;
		}
		__asm__ volatile("sti" ::: "memory");
		/* Printing waits between beats, so it never delays the next one. */
		for (; looked < now; looked++)
			judge(&t, looked, late_ns[looked % RING], every);
		if (forever ? stop : now == BEATS)
			break;
	}
	tick_stop();
	w = clamp_ns(t.worst_ns);
	printf("heartbeat: %u beats, worst %u.%03u ms late (beat %u), %u missed, bound %u ms\n",
	       looked, w / 1000000u, w / 1000u % 1000u, t.worst, t.missed,
	       (unsigned)(LATE_BOUND_NS / MS));
	return (int)t.bad;
}
