/*
 * Console output for the hypervisor: formats a line with format_v() and
 * appends it to one ring under one lock, so lines from different CPUs
 * never interleave.  "\n" is sent as CR LF for terminals.
 *
 * The ring is emptied into COM1 in one of two ways.  At boot, and after
 * console_sync(), the writer waits until its line has left: output is
 * synchronous.  Once console_use_irq() has routed COM1's interrupt to
 * the boot CPU, a writer only fills the transmitter if it is empty, and
 * the interrupt ("transmitter empty", console_irq(), which the boot code
 * registers for VEC_COM1) refills it: a guest's
 * CONSOLE_WRITE costs a copy, not the 87 us per byte of 115200 baud.
 * When the ring is full a writer waits for room: output is delayed, never
 * dropped.  A partition's line does not wait: the multiplexer checks
 * console_room() first and the guest is told to call again
 * (kernel/conmux.c).  The same interrupt hands typed bytes on.
 *
 * A CPU may hold the console (console_hold) to print several lines as
 * one block: other CPUs' lines wait for its release, outside the lock.
 * While it holds, the holder drains a full ring by polling the UART
 * itself, as any writer does, so it never depends on COM1's interrupt,
 * which only the boot CPU takes and which a waiting boot CPU may have
 * masked.
 *
 * One line may be left open (console_open_line): the terminal's cursor
 * then stays at its end until more of it comes or other output ends it.
 */
#include "kernel/console.h"
#include "drivers/ioapic.h"
#include "drivers/uart.h"
#include "kernel/cpu.h"
#include "kernel/trapframe.h"
#include "lib/spinlock.h"

#define RING_BYTES KiB(32) /* about 2.8 s of output at 115200 baud */
#define COM1_IRQ 4

static struct spinlock lock = SPINLOCK_INIT;
static u8 ring[RING_BYTES];
static u32 head, tail;		  /* free-running; under lock */
static bool async;		  /* COM1's interrupt empties the ring */
static void (*on_input)(u8 byte); /* called for each typed byte */
static u64 open_ticket;		  /* the open line's, or 0; under lock */
static u64 tickets;		  /* the last ticket given; under lock */

/*
 * The hold (console_hold): 1 + the index of the CPU whose lines the
 * others wait for, or 0.  hold_depth counts that CPU's nested holds;
 * only the holder touches it.  After a panic (console_break_lock)
 * nobody holds or waits any more.
 */
static u32 holder;
static u32 hold_depth;
static bool holds_broken;

static log_sink_fn write_line;

void console_init(void)
{
	uart_init(UART_COM1);
	log_set_sink(write_line);
}

void console_break_lock(void)
{
	holds_broken = true; /* panic: its report must not wait for anybody */
	holder = 0;
	hold_depth = 0;
	lock.locked = 0;
	async = false; /* panic: the other CPUs are stopping; this one writes it all out */
}

static u32 me(void)
{
	return this_cpu()->index + 1;
}

/* Does another CPU hold the console?  (No CPU lookup while nobody does: early boot.) */
static bool held_elsewhere(void)
{
	u32 h = __atomic_load_n(&holder, __ATOMIC_ACQUIRE);

	return h && h != me() && !__atomic_load_n(&holds_broken, __ATOMIC_RELAXED);
}

/*
 * Interrupts are off while the hold changes hands, so that an
 * interrupt handler on this CPU that holds and releases (a typed byte
 * moving the focus) never sees the hold taken with its depth not yet
 * set.
 */
bool console_try_hold(void)
{
	u64 flags = read_rflags();
	u32 mine = me(), none = 0;
	bool held = true;

	irq_disable();
	if (__atomic_load_n(&holds_broken, __ATOMIC_RELAXED))
		; /* after a panic, every CPU prints as if it held the console */
	else if (__atomic_load_n(&holder, __ATOMIC_RELAXED) == mine)
		hold_depth++;
	else if (__atomic_compare_exchange_n(&holder, &none, mine, false, __ATOMIC_ACQUIRE,
					     __ATOMIC_RELAXED))
		hold_depth = 1;
	else
		held = false;
	if (flags & RFLAGS_IF)
		irq_enable();
	return held;
}

void console_hold(void)
{
	while (!console_try_hold())
		while (held_elsewhere())
			cpu_relax();
}

void console_release(void)
{
	u64 flags = read_rflags();

	irq_disable();
	if (!__atomic_load_n(&holds_broken, __ATOMIC_RELAXED) && hold_depth && !--hold_depth)
		__atomic_store_n(&holder, 0, __ATOMIC_RELEASE);
	if (flags & RFLAGS_IF)
		irq_enable();
}

/*
 * Take the lock to print a line: at once if nobody holds the console or
 * this CPU does, else once the holder has let go.  The wait is outside
 * the lock, so that the holder's own lines go on meanwhile.
 */
static u64 lock_for_line(void)
{
	for (;;) {
		u64 flags = spin_lock_irqsave(&lock);
		if (!held_elsewhere())
			return flags;
		spin_unlock_irqrestore(&lock, flags);
		while (held_elsewhere())
			cpu_relax();
	}
}

/* Fill the transmitter from the ring; with wait, wait for it to take at least one batch. */
static void send(bool wait)
{
	for (u32 room = head != tail ? uart_tx_room(UART_COM1, wait) : 0; room && head != tail;
	     room--)
		uart_send(UART_COM1, ring[tail++ % RING_BYTES]);
}

static void put(u8 c)
{
	if (!uart_present())
		return;
	while (head - tail == RING_BYTES)
		send(true);
	ring[head++ % RING_BYTES] = c;
}

static void emit(const char *s, size_t n)
{
	for (size_t i = 0; i < n && s[i]; i++) {
		if (s[i] == '\n')
			put('\r');
		put((u8)s[i]);
	}
}

/* Under the lock: start the transmitter, or (synchronous) wait until the ring is empty. */
static void push_out(void)
{
	if (async)
		send(false);
	else
		while (head != tail)
			send(true);
}

/* Under the lock: end the open line, so that what comes next starts a row of its own. */
static void close_open(void)
{
	if (open_ticket)
		emit("\n", 1);
	open_ticket = 0;
}

/* The log's sink (lib/log.h): one line, under the lock, never cut by another CPU's. */
static void write_line(const char *prefix, const char *text, bool cut, bool newline)
{
	u64 flags = lock_for_line();

	close_open();
	if (prefix)
		emit(prefix, LOG_LINE_MAX);
	emit(text, LOG_LINE_MAX);
	if (cut)
		emit("...", 3);
	if (newline)
		emit("\n", 1);
	push_out();
	spin_unlock_irqrestore(&lock, flags);
}

void console_service(void)
{
	u64 flags;
	int b;

	/* Only the boot CPU reads received bytes; on_input takes its own locks. */
	while ((b = uart_getc(UART_COM1)) >= 0)
		if (on_input)
			on_input((u8)b);
	flags = spin_lock_irqsave(&lock);
	send(false);
	spin_unlock_irqrestore(&lock, flags);
}

/* The bound keeps a UART that never lets go from holding this CPU. */
void console_irq(struct trap_frame *f)
{
	(void)f;
	for (u32 round = 0; round < 64 && uart_irq_pending(UART_COM1); round++)
		console_service();
}

bool console_use_irq(u32 apic_id, void (*input)(u8 byte))
{
	u64 flags;

	on_input = input;
	if (!uart_present() || !ioapic_route_isa(COM1_IRQ, VEC_COM1, apic_id))
		return false;
	flags = spin_lock_irqsave(&lock);
	async = true;
	uart_irq_enable(UART_COM1);
	spin_unlock_irqrestore(&lock, flags);
	return true;
}

u32 console_room(void)
{
	if (!__atomic_load_n(&async, __ATOMIC_RELAXED))
		return 0xffffffffu;
	return RING_BYTES - (__atomic_load_n(&head, __ATOMIC_RELAXED) -
			     __atomic_load_n(&tail, __ATOMIC_RELAXED));
}

u64 console_open_line(u64 ticket, const char *text, u32 n)
{
	u64 flags = lock_for_line();

	if (!ticket || ticket != open_ticket) {
		close_open();
		ticket = ++tickets;
	}
	emit(text, n);
	open_ticket = n && text[n - 1] == '\n' ? 0 : ticket;
	push_out();
	spin_unlock_irqrestore(&lock, flags);
	return open_ticket;
}

bool console_line_open(u64 ticket)
{
	u64 flags;
	bool open;

	if (!ticket) /* most lines: their partition never had an open line; no lock for them */
		return false;
	flags = spin_lock_irqsave(&lock);
	open = ticket == open_ticket;

	spin_unlock_irqrestore(&lock, flags);
	return open;
}

void console_sync(void)
{
	u64 flags = spin_lock_irqsave(&lock);

	async = false;
	push_out();
	spin_unlock_irqrestore(&lock, flags);
}
