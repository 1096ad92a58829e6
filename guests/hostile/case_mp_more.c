/*
 * Cases "mp-console", "mp-sipi" and "mp-reset" (class 23 of the
 * catalog): what two vCPUs of one partition (vcpus=2) do to each other
 * through the hypervisor's shared state, each judged by the guest's own
 * console lines.  vCPU 0 starts vCPU 1 by INIT and STARTUP into
 * ap32.S's trampoline, which brings it to 32-bit C code here, or into
 * a real-mode loop (mp-sipi).
 *   mp-console  both vCPUs write their lines at the same moment, four
 *               lines in one CONSOLE_WRITE, 20 times (after a barrier
 *               in RAM each time), then 10 lines each in turns: vCPU 1's
 *               through the 16550 at 0x3f8 a byte per OUT, vCPU 0's by
 *               hypercall with the 4-byte UTF-8 character cut into one
 *               write per byte.  Every line has the same form, "mpcon
 *               v<vCPU> n<seq> <fixed text>", so a line mixed from two
 *               writes, or cut, shows in the log (the scenario counts
 *               the exact ones).  It starts at 5 s of TIME, once its
 *               neighbours are done, so that the console always has room
 *               and no line must wait.
 *   mp-sipi     vCPU 1 spins without exits in real-mode code; vCPU 0
 *               sends INIT and at once STARTUP to another page, 5
 *               times: each time vCPU 1 must start over at the new page
 *               (it writes its CS to RAM) within 2 s.
 *   mp-reset    vCPU 1 spins (arming SET_TIMER over and over, so that
 *               its CPU keeps looking at it while the partition is out);
 *               vCPU 0 resets the partition through port 0xcf9, life
 *               after life until 2.5 s of TIME, then a last life.  In
 *               every life vCPU 0 alone must have run the image's entry
 *               point (hostile.c counts who does, and a vCPU but 0 that
 *               gets there says FAIL and stops), and vCPU 1 must start
 *               again by INIT and STARTUP.
 */
#include "guests/hostile/apic.h"
#include "guests/hostile/hostile.h"

#define MS 1000000ull
#define US 1000ull
#define AP32_PAGE 0x21 /* ap32.S's copy: 0x21000 */
#define WAIT_MS 2000

extern const char ap32_blob[], ap32_gdtr[], ap32_blob_end[];
void ap32_main(void);

static void (*volatile ap32_fn)(void);

/* Called by ap32.S on vCPU 1, in 32-bit protected mode, on a stack of its own. */
void ap32_main(void)
{
	ap32_fn();
}

/* Start vCPU 1 in fn, in 32-bit protected mode with this vCPU's GDT (no IDT, IF clear). */
static void ap32_start(void (*fn)(void))
{
	struct __attribute__((packed)) {
		uint16_t limit;
		uint32_t base;
	} gdtr;
	volatile char *to = (volatile char *)(uintptr_t)(AP32_PAGE << 12);
	const char *from = (const char *)&gdtr;

	ap32_fn = fn;
	for (uint32_t i = 0; i < (uint32_t)(ap32_blob_end - ap32_blob); i++)
		to[i] = ap32_blob[i];
	__asm__ volatile("sgdt %0" : "=m"(gdtr));
	for (uint32_t i = 0; i < sizeof(gdtr); i++)
		to[(ap32_gdtr - ap32_blob) + i] = from[i];
	lapic_write(LAPIC_SVR, SVR_ENABLE | 0xff);
	lapic_ipi(1, ICR_INIT | ICR_ASSERT);
	lapic_ipi(1, ICR_STARTUP | ICR_ASSERT | AP32_PAGE);
}

/* TSC ticks per ms (CPUID 0x40000010, docs/platform.md), set by vCPU 0 before vCPU 1 starts. */
static uint32_t tsc_khz;

/* Wait until *w is at least want, for up to ms of TSC time (no exit); true if it came. */
static bool wait_at_least(volatile uint32_t *w, uint32_t want, uint32_t ms)
{
	uint64_t t0 = rdtsc();

	while (*w < want)
		if (rdtsc() - t0 > (uint64_t)ms * tsc_khz)
			return false;
	return true;
}

/* ---- mp-console ------------------------------------------------------------ */

#define CON_PER_WRITE 4
#define CON_AT_ONCE (20 * CON_PER_WRITE)
#define CON_LINE_MAX 72
#define CON_IN_TURNS 10
#define CON_START_MS 5000
#define COM1 0x3f8
/* é, €, 𝄞: characters of 2, 3 and 4 bytes; the 4-byte one is CON_CUT bytes into the tail. */
static const char con_tail[] =
	" abcdefghijklmnopqrstuvwxyz0123456789 \xc3\xa9\xe2\x82\xac\xf0\x9d\x84\x9e end\n";
#define CON_CUT 43

static volatile uint32_t con_arrived[2], con_turn, con_done[2], con_go;

/* Line seq of vCPU v: "mpcon v1 n0042 abc...". */
static uint32_t con_line(char *buf, uint32_t size, uint32_t v, uint32_t seq)
{
	return (uint32_t)format(buf, size, "mpcon v%u n%04u%s", v, seq, con_tail);
}

/* The other vCPU has come to line seq too (or is gone for 2 s). */
static void con_barrier(uint32_t v, uint32_t seq)
{
	__atomic_store_n(&con_arrived[v], seq + 1, __ATOMIC_SEQ_CST);
	wait_at_least(&con_arrived[1 - v], seq + 1, WAIT_MS);
}

static void con_at_once(uint32_t v)
{
	char text[CON_PER_WRITE * CON_LINE_MAX];

	for (uint32_t seq = 0; seq < CON_AT_ONCE; seq += CON_PER_WRITE) {
		uint32_t n = 0;

		for (uint32_t k = 0; k < CON_PER_WRITE; k++)
			n += con_line(text + n, CON_LINE_MAX, v, seq + k);
		con_barrier(v, seq);
		console_write(text, n); /* one CONSOLE_WRITE, unless the console is busy */
	}
	/*
	 * Both done before the turns: a write of one would land inside a line
	 * the other writes in pieces (the console keeps one line per
	 * partition, not per vCPU).
	 */
	con_barrier(v, CON_AT_ONCE);
}

static void con_ap(void)
{
	char line[CON_LINE_MAX];

	con_at_once(1);
	for (uint32_t k = 0; k < CON_IN_TURNS; k++) {
		uint32_t n = con_line(line, sizeof(line), 1, CON_AT_ONCE + k);

		wait_at_least(&con_turn, 2 * k + 1, WAIT_MS);
		for (uint32_t i = 0; i < n; i++)
			outb(COM1, (uint8_t)line[i]); /* refused while busy: the OUT comes again */
		__atomic_store_n(&con_turn, 2 * k + 2, __ATOMIC_SEQ_CST);
	}
	__atomic_store_n(&con_done[1], 1, __ATOMIC_SEQ_CST);
	for (;;)
		__asm__ volatile("hlt");
}

static int mp_console(void)
{
	char line[CON_LINE_MAX];
	int failures = 0;

	while (hv_time_ns() < CON_START_MS * MS)
		sleep_ns(20 * MS);
	ap32_start(con_ap);
	hsay("both vCPUs write %u lines at once, then %u each in turns", CON_AT_ONCE, CON_IN_TURNS);
	con_at_once(0);
	for (uint32_t k = 0; k < CON_IN_TURNS; k++) {
		uint32_t n = con_line(line, sizeof(line), 0, CON_AT_ONCE + k), cut = 14 + CON_CUT;

		wait_at_least(&con_turn, 2 * k, WAIT_MS);
		console_write(line, cut);
		for (uint32_t i = cut; i < cut + 4; i++)
			console_write(line + i, 1); /* the 4-byte character, a write per byte */
		console_write(line + cut + 4, n - cut - 4);
		__atomic_store_n(&con_turn, 2 * k + 1, __ATOMIC_SEQ_CST);
	}
	failures +=
		hcheck("vCPU 1 wrote all its lines",
		       wait_at_least(&con_done[1], 1, WAIT_MS) && con_turn == 2 * CON_IN_TURNS, 1);
	return failures;
}

/* ---- mp-sipi --------------------------------------------------------------- */

#define SIPI_ROUNDS 5
#define SIPI_PAGE0 0x40 /* round r starts vCPU 1 at page SIPI_PAGE0 + r */
#define SIPI_MARK 0x5000
#define SIPI_SPIN 0x5004

/* Real mode: write CS to SIPI_MARK, then count at SIPI_SPIN forever, without an exit. */
extern const char sipi_blob[], sipi_blob_end[];
__asm__(".pushsection .rodata\n"
	".code16\n"
	".globl sipi_blob, sipi_blob_end\n"
	"sipi_blob:\n"
	"\tcli\n"
	"\txorw %ax, %ax\n"
	"\tmovw %ax, %ds\n"
	"\tmovw %cs, %ax\n"
	"\tmovl $0, 0x5000\n"
	"\tmovw %ax, 0x5000\n"
	"1:\tincl 0x5004\n"
	"\tjmp 1b\n"
	"sipi_blob_end:\n"
	".code32\n"
	".popsection");

static volatile uint32_t *const sipi_mark = (volatile uint32_t *)SIPI_MARK;
static volatile uint32_t *const sipi_spin = (volatile uint32_t *)SIPI_SPIN;

static int mp_sipi(void)
{
	int failures = 0;

	lapic_write(LAPIC_SVR, SVR_ENABLE | 0xff);
	for (uint32_t r = 0; r < SIPI_ROUNDS; r++) {
		uint32_t page = SIPI_PAGE0 + r, spins;
		volatile char *to = (volatile char *)(uintptr_t)(page << 12);
		uint64_t t0;
		char what[96];

		for (uint32_t i = 0; i < (uint32_t)(sipi_blob_end - sipi_blob); i++)
			to[i] = sipi_blob[i];
		/* Round 0 starts it from its wait; later ones while it spins (a moment ago too). */
		lapic_ipi(1, ICR_INIT | ICR_ASSERT);
		lapic_ipi(1, ICR_STARTUP | ICR_ASSERT | page);
		t0 = hv_time_ns();
		while (*sipi_mark != page << 8 && hv_time_ns() - t0 < WAIT_MS * MS)
			__asm__ volatile("pause");
		format(what, sizeof(what), "%s, STARTUP at once, vCPU 1 runs at page 0x%x",
		       r ? "INIT to a vCPU 1 that spins" : "INIT to vCPU 1", page);
		failures += hcheck(what, *sipi_mark, page << 8);
		spins = *sipi_spin;
		/* Up to 500 ms: sharing a CPU, vCPU 1 runs only once this one halts. */
		t0 = hv_time_ns();
		while (*sipi_spin == spins && hv_time_ns() - t0 < 500 * MS)
			sleep_ns(MS);
		failures += hcheck("it spins there", *sipi_spin != spins, 1);
		if (failures)
			break;
	}
	return failures;
}

/* ---- mp-reset -------------------------------------------------------------- */

#define LIVES_END_MS 2500
#define CF9 0xcf9

static volatile uint32_t reset_spins;

static void reset_ap(void)
{
	for (;;) {
		/* Always armed, soon due: its CPU looks at it again and again while it waits. */
		hv_set_timer(hv_time_ns() + 20 * US, COUNT_VECTOR);
		reset_spins++;
	}
}

static int mp_reset(void)
{
	uint32_t started = hms(hostile_t0), entries = *hostile_entries;
	int failures = 0;

	/* Said in the last life only, or when it fails. */
	if (entries != 1 || started >= LIVES_END_MS)
		failures +=
			hcheck("vCPUs that ran the image's entry point in this life", entries, 1);
	ap32_start(reset_ap);
	if (!wait_at_least(&reset_spins, 1000, WAIT_MS))
		failures += hcheck("vCPU 1, started by INIT and STARTUP, spins",
				   reset_spins >= 1000, 1);
	if (started < LIVES_END_MS) {
		if (failures)
			return failures;
		sleep_ns(10 * MS);
		outb(CF9, 0x06);
		sleep_ns(100 * MS);
		hsay("FAIL: still running after the reset");
		return 1;
	}
	hsay("the last life, started at %u ms", started);
	sleep_ns(200 * MS);
	failures +=
		hcheck("vCPUs that ran the image's entry point, 200 ms on", *hostile_entries, 1);
	failures += hcheck("vCPU 1 spins, started by INIT and STARTUP", reset_spins >= 1000, 1);
	return failures;
}

int case_mp_more(unsigned magic, unsigned info)
{
	uint32_t r[4];
	(void)magic, (void)info;

	cpuid(0x40000010, &r[0], &r[1], &r[2], &r[3]);
	tsc_khz = r[0];
	cpu_setup();
	if (str_same(hostile_name, "mp-console"))
		return mp_console();
	if (str_same(hostile_name, "mp-sipi"))
		return mp_sipi();
	return mp_reset();
}
