/*
 * Case "apic-mmio" (class 18 of the catalog): the APIC window
 * 0xfec00000-0xfeffffff, which the SLAT leaves unmapped so that every
 * access exits and cloison decodes the instruction (kernel/insn.c).  It
 * must emulate the MOVs a driver uses and refuse anything else by
 * stopping the partition with a crash line that names the instruction's
 * bytes; it must never guess.
 *
 * The case without a variant ("apic-mmio") does what must work, then
 * exits 0:
 *   - the accepted forms on the local APIC's TPR: MOV to and from a
 *     register (89, 8B), an immediate (C7), a direct offset (A1, A3), a
 *     base with SIB and displacement, an ES override, and in 64-bit mode
 *     the registers R9 and R10 (a REX prefix); on the I/O APIC's index
 *     register a byte and a word store and MOVZX loads;
 *   - a 32-bit read at every dword offset of the local APIC's page:
 *     registers that do not exist, and offsets inside a register's 16
 *     bytes, read 0; writes to them change nothing and ESR says
 *     "illegal register address" (SDM 3A §11.4.1, §11.5.3);
 *   - the rest of the window (0xfec01000-0xfedfffff, 0xfee01000-
 *     0xfeffffff): nothing is there, every read is all ones.
 * Each variant tries one access that cloison must refuse, from 1.1 s
 * after its start, 100 ms apart (the heartbeat beside them is beating
 * then), and fails if it comes back:
 *   lock   LOCK OR to the TPR              rep    REP MOVSD from the page
 *   wide   an 8-byte MOV (64-bit mode)      rmw    ADD to the TPR
 *   cross  a dword across the page's end    fetch  a CALL to 0xfee00000
 *   split  a dword whose first half is RAM and second half the local
 *          APIC, by 32-bit paging: cloison sees an aligned dword at
 *          0xfee00000 and must still not take it for one
 * Variant "ioapic" reads every dword offset of the I/O APIC's page,
 * where vdev/ioapic.h says offsets other than the three registers read 0.
 */
#include "guests/hostile/apic.h"
#include "guests/hostile/hostile.h"

#define MS 1000000ull
#define SPLIT_LINEAR 0x3fe000u /* two pages of linear memory for "split" */
#define SPLIT_RAM 0x1ff000u    /* the last page of the partition's 2 MiB */
#define SPLIT_AT (SPLIT_LINEAR + 0xffe)
#define ALL_ONES 0xffffffffu

/*
 * 64-bit routines for long_call (RBX: the address): an 8-byte load, and
 * 32-bit MOVs through R9 and R10, which need a REX prefix.
 */
void apic_mmio_load64(void), apic_mmio_store_r9(void), apic_mmio_load_r10(void);
__asm__(".pushsection .text\n"
	".code64\n"
	".globl apic_mmio_load64, apic_mmio_store_r9, apic_mmio_load_r10\n"
	"apic_mmio_load64:\n\tmovq (%rbx), %rax\n\tret\n"
	"apic_mmio_store_r9:\n\tmovl %eax, %r9d\n\tmovl %r9d, (%rbx)\n\tret\n"
	"apic_mmio_load_r10:\n\tmovl (%rbx), %r10d\n\tmovl %r10d, %eax\n\tret\n"
	".code32\n"
	".popsection");

/*
 * long.S maps the first GiB and 4-5 GiB only; for the APICs the 64-bit
 * page tables get a directory of 2 MiB pages over 3-4 GiB too, in place
 * of cpu.c's while a routine runs.
 */
static uint64_t pdpt[512] __attribute__((aligned(4096)));
static uint64_t pd_low[512] __attribute__((aligned(4096)));
static uint64_t pd_top[512] __attribute__((aligned(4096)));
#define PTE_P_RW_PS 0x83ull /* present, writable, 2 MiB page */

static void long_apic_call(void (*fn)(void), struct long_regs *r)
{
	uint64_t saved = long_pml4[0];

	for (uint64_t i = 0; i < 512; i++) {
		pd_low[i] = (i << 21) | PTE_P_RW_PS;
		pd_top[i] = (3ull << 30) + (i << 21) + PTE_P_RW_PS;
	}
	pdpt[0] = (uint32_t)(uintptr_t)pd_low | 3u;
	pdpt[3] = (uint32_t)(uintptr_t)pd_top | 3u;
	long_pml4[0] = (uint32_t)(uintptr_t)pdpt | 3u;
	long_call(fn, r);
	long_pml4[0] = saved;
}

static int check_tpr(const char *form, uint32_t want)
{
	char what[96];

	format(what, sizeof(what), "%s: the TPR reads back", form);
	return hcheck(what, lapic_read(LAPIC_TPR), want);
}

static int lapic_forms(void)
{
	uint32_t tpr = LAPIC_BASE + LAPIC_TPR, v = 0;
	struct long_regs r = { .rbx = tpr };
	int failures = 0;

	__asm__ volatile("movl %0, (%1)" ::"a"(0x10), "b"(tpr) : "memory"); /* 89 03 */
	failures += check_tpr("MOV r/m32, r32 (89)", 0x10);
	__asm__ volatile("movl (%1), %0" : "=c"(v) : "b"(tpr) : "memory"); /* 8B 0B */
	failures += hcheck("MOV r32, r/m32 (8B) reads the TPR", v, 0x10);
	__asm__ volatile("movl $0x20, (%0)" ::"b"(tpr) : "memory"); /* C7 03 imm32 */
	failures += check_tpr("MOV r/m32, imm32 (C7)", 0x20);
	__asm__ volatile("movl $0x30, 0x80(%0)" ::"b"(LAPIC_BASE) : "memory"); /* C7 83 disp32 */
	failures += check_tpr("MOV with base and disp32", 0x30);
	__asm__ volatile("movl %%eax, 0xfee00080" ::"a"(0x40) : "memory"); /* A3 moffs32 */
	failures += check_tpr("MOV moffs32, EAX (A3)", 0x40);
	__asm__ volatile("movl 0xfee00080, %%eax" : "=a"(v) : : "memory"); /* A1 moffs32 */
	failures += hcheck("MOV EAX, moffs32 (A1) reads the TPR", v, 0x40);
	__asm__ volatile("movl 0x10(%1,%2,4), %0" /* 8B 7C B3 10: SIB, disp8 */
			 : "=D"(v)
			 : "b"(LAPIC_BASE), "S"(0x1c)
			 : "memory");
	failures += hcheck("MOV with base, index*4 and disp8 reads the TPR", v, 0x40);
	__asm__ volatile("movl %%es:(%1), %0" : "=d"(v) : "b"(tpr) : "memory"); /* 26 8B 13 */
	failures += hcheck("MOV with an ES override reads the TPR", v, 0x40);
	failures += hcheck("PPR follows the TPR", lapic_read(LAPIC_PPR), 0x40);

	r.rax = 0x50;
	long_apic_call(apic_mmio_store_r9, &r); /* 44 89 0B */
	failures += check_tpr("64-bit MOV from R9D (REX.R)", 0x50);
	r = (struct long_regs){ .rbx = tpr };
	long_apic_call(apic_mmio_load_r10, &r); /* 44 8B 13 */
	failures += hcheck("64-bit MOV to R10D (REX.R) reads the TPR", r.rax, 0x50);
	failures += hcheck("64-bit routines came back without an exception", r.vector, 0xffffffffu);
	lapic_write(LAPIC_TPR, 0);
	return failures;
}

static int ioapic_forms(void)
{
	uint32_t sel = IOAPIC_BASE + IOAPIC_IOREGSEL, v = 0;
	int failures = 0;

	__asm__ volatile("movb $1, (%0)" ::"b"(sel) : "memory"); /* C6 03 01 */
	v = mmio_read32(IOAPIC_BASE + IOAPIC_IOWIN);
	failures += hcheck("I/O APIC: byte MOV to IOREGSEL (C6) selects the version register",
			   (v & 0xff) == 0x20 && ((v >> 16) & 0xff) == 23, 1);
	__asm__ volatile("movzbl (%1), %0" : "=a"(v) : "b"(sel) : "memory"); /* 0F B6 03 */
	failures += hcheck("I/O APIC: MOVZX of IOREGSEL's byte (0F B6) reads 1", v, 1);
	__asm__ volatile("movw $0, (%0)" ::"b"(sel) : "memory");	     /* 66 C7 03 imm16 */
	__asm__ volatile("movzwl (%1), %0" : "=a"(v) : "b"(sel) : "memory"); /* 0F B7 03 */
	failures += hcheck("I/O APIC: word MOV (66 C7) and MOVZX (0F B7) of IOREGSEL", v, 0);
	return failures;
}

/* The registers of the xAPIC page, 16-byte aligned (SDM 3A table 11-1); the rest is reserved. */
static bool lapic_register(uint32_t off)
{
	if (off & 0xf)
		return false;
	return off == LAPIC_ID || off == LAPIC_VERSION || (off >= LAPIC_TPR && off <= LAPIC_ESR) ||
	       (off >= LAPIC_ICR_LOW && off <= LAPIC_TIMER_CURRENT) || off == LAPIC_TIMER_DCR;
}

static int every_lapic_offset(void)
{
	uint32_t nonzero = 0, first = 0, first_v = 0, reads = 0, after = 0;
	int failures = 0;

	(void)lapic_esr();
	for (uint32_t off = 0; off < 0x1000; off += 4) {
		uint32_t v = lapic_read(off);

		reads++;
		if (!lapic_register(off) && v && !nonzero++)
			first = off, first_v = v;
	}
	hsay("read every dword of the local APIC page: %u reads", reads);
	if (nonzero)
		hsay("FAIL: %u reserved offsets read non-zero, the first 0x%x (0x%x)", nonzero,
		     first, first_v);
	failures += hcheck("every reserved offset of the local APIC page reads 0", nonzero, 0);
	failures +=
		hcheck("the version register reads 0x50014", lapic_read(LAPIC_VERSION), 0x50014);
	failures += hcheck("ESR says illegal register address after the reads",
			   lapic_esr() & ESR_ILLEGAL_REGISTER, ESR_ILLEGAL_REGISTER);
	for (uint32_t off = 0; off < 0x1000; off += 4)
		if (!lapic_register(off))
			lapic_write(off, ALL_ONES);
	for (uint32_t off = 0; off < 0x1000; off += 4)
		if (!lapic_register(off) && lapic_read(off))
			after++;
	failures += hcheck("all ones written at every reserved offset: still reads 0", after, 0);
	failures += hcheck("ESR says illegal register address after the writes",
			   lapic_esr() & ESR_ILLEGAL_REGISTER, ESR_ILLEGAL_REGISTER);
	failures += hcheck("the version register still reads 0x50014", lapic_read(LAPIC_VERSION),
			   0x50014);
	return failures;
}

static int rest_of_window(void)
{
	uint32_t bad = 0, first = 0, pages = 0;

	for (uint32_t page = IOAPIC_BASE + 0x1000; page < APIC_WINDOW_END; page += 0x1000) {
		if (page == LAPIC_BASE)
			continue;
		pages++;
		mmio_write32(page + 0x10, 0);
		if ((mmio_read32(page) != ALL_ONES || mmio_read32(page + 0xffc) != ALL_ONES ||
		     mmio_read32(page + 0x10) != ALL_ONES) &&
		    !bad++)
			first = page;
	}
	hsay("%u pages of the window without a device: read, written, read again", pages);
	if (bad)
		hsay("FAIL: %u pages read other than all ones, the first 0x%x", bad, first);
	return hcheck("the rest of the window reads all ones and keeps nothing", bad, 0);
}

static int every_ioapic_offset(void)
{
	uint32_t nonzero = 0, first = 0, v;

	mmio_write32(IOAPIC_BASE + IOAPIC_IOREGSEL, IOAPIC_REG_VERSION);
	for (uint32_t off = 0; off < 0x1000; off += 4) {
		if (off == IOAPIC_IOREGSEL || off == IOAPIC_IOWIN)
			continue;
		v = mmio_read32(IOAPIC_BASE + off);
		if (v && !nonzero++)
			first = off;
	}
	hsay("read every dword of the I/O APIC page");
	if (nonzero)
		hsay("FAIL: %u offsets read non-zero, the first 0x%x", nonzero, first);
	return hcheck("every I/O APIC offset but IOREGSEL and IOWIN reads 0", nonzero, 0);
}

/* A refused access, then what it returned if it did (it must not). */
static int refused(const char *v)
{
	uint32_t got = 0, b = LAPIC_BASE;
	static uint32_t buf[4];

	if (str_same(v, "lock")) {
		hsay("LOCK OR to the TPR next");
		__asm__ volatile("lock orl $0, (%0)" ::"b"(b + LAPIC_TPR)
				 : "memory"); /* F0 83 0B */
	} else if (str_same(v, "rep")) {
		uint32_t si = b + LAPIC_VERSION, di = (uint32_t)(uintptr_t)buf, cx = 4;
		hsay("REP MOVSD from the local APIC page next");
		__asm__ volatile("cld\n\trep movsl" : "+S"(si), "+D"(di), "+c"(cx) : : "memory");
	} else if (str_same(v, "wide")) {
		struct long_regs r = { .rbx = b + LAPIC_VERSION };
		hsay("an 8-byte MOV from the version register next");
		long_apic_call(apic_mmio_load64, &r); /* 48 8B 03 */
		got = (uint32_t)r.rax;
	} else if (str_same(v, "rmw")) {
		hsay("ADD to the TPR next");
		__asm__ volatile("addl %0, (%1)" ::"a"(1), "b"(b + LAPIC_TPR)
				 : "memory"); /* 01 03 */
	} else if (str_same(v, "cross")) {
		hsay("a dword read across the end of the local APIC page next");
		__asm__ volatile("movl 0xffe(%1), %0" : "=a"(got) : "b"(b) : "memory");
	} else if (str_same(v, "fetch")) {
		hsay("a call to 0xfee00000 next");
		((void (*)(void))(uintptr_t)LAPIC_BASE)();
	} else {
		hsay("FAIL: variant '%s': want lock, rep, wide, rmw, cross, split, fetch or ioapic",
		     v);
		return 1;
	}
	hsay("FAIL: the refused access came back (0x%x)", got);
	return 1;
}

/*
 * "split": linear SPLIT_LINEAR is the RAM page SPLIT_RAM, the next
 * linear page the local APIC.  The dword at SPLIT_AT is two bytes of
 * each: on hardware, 0xbeef from RAM and two bytes of a reserved
 * register.  One instruction, two devices: it must stop the partition.
 */
static int split(void)
{
	volatile uint16_t *ram_half = (volatile uint16_t *)(uintptr_t)(SPLIT_RAM + 0xffe);
	uint32_t got;
	int failures = 0;

	*ram_half = 0xbeef;
	paging32_map(SPLIT_LINEAR, SPLIT_RAM);
	paging32_map(SPLIT_LINEAR + 0x1000, LAPIC_BASE);
	paging32_on();
	hsay("a dword read, half RAM and half local APIC, next");
	__asm__ volatile("movl (%1), %0" : "=a"(got) : "b"(SPLIT_AT) : "memory"); /* 8B 03 */
	hsay("FAIL: the read across RAM and the local APIC came back with 0x%x (the RAM half is "
	     "0xbeef)",
	     got);
	failures++;
	__asm__ volatile("movl %0, (%1)" ::"a"(0x12345678), "b"(SPLIT_AT) : "memory");
	paging_off();
	if (*ram_half != 0x5678)
		hsay("FAIL: the write across RAM and the local APIC left the RAM half 0x%x, not "
		     "0x5678",
		     *ram_half);
	return failures + (*ram_half != 0x5678);
}

static const char *const refused_order[] = {
	"lock", "rep", "wide", "rmw", "cross", "split", "fetch"
};

int case_apic_mmio(unsigned magic, unsigned info)
{
	const char *v = hostile_variant;
	int failures = 0;
	(void)magic, (void)info;

	cpu_setup();
	if (!v[0]) {
		failures += lapic_forms();
		failures += ioapic_forms();
		failures += every_lapic_offset();
		failures += rest_of_window();
		return failures;
	}
	if (str_same(v, "ioapic"))
		return every_ioapic_offset();
	/* One after the other, 100 ms apart, while the heartbeat beats. */
	for (unsigned i = 0; i < sizeof(refused_order) / sizeof(refused_order[0]); i++)
		if (str_same(v, refused_order[i]))
			while (hv_time_ns() - hostile_t0 < (1100 + 100 * i) * MS)
				sleep_ns(20 * MS);
	return str_same(v, "split") ? split() : refused(v);
}
