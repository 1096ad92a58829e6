/*
 * The hostile catalog's guest: one program, many cases.  Each partition
 * line names its case with its name= (hostile.c says how); hostile.c
 * finds it in the table and runs it.  A case tries one class of misbehaviour from the
 * guest's side, checks what came back with hcheck() (one "hostile
 * NAME: what: ok" line per check, or a FAIL line) and returns its
 * number of failures, which becomes the partition's exit code.  A case
 * that is meant to be stopped by the hypervisor (a triple fault, an
 * access outside RAM) says so before it goes, and the boot scenario
 * checks the hypervisor's line.  docs/security.md lists the cases.
 */
#ifndef GUESTS_HOSTILE_HOSTILE_H
#define GUESTS_HOSTILE_HOSTILE_H

#include "guests/lib/guest.h"
#include "lib/format.h"

struct hostile_case {
	const char *name;
	int (*run)(unsigned magic, unsigned info);
};

/* The running case's name, for the lines it prints, and its variant ("" or what follows '_'). */
extern const char *hostile_name;
extern const char *hostile_variant;
/* The partition's RAM in bytes, from the Multiboot information block (0 if it says none). */
extern uint32_t hostile_ram;
/* TIME when the case started, close to when its neighbours started. */
extern uint64_t hostile_t0;
/*
 * How many vCPUs have run the image's entry point in this life: each
 * adds one there (guest_main), in low RAM outside the image, which a
 * reset scrubs.  Only vCPU 0 should ever get there; another says FAIL
 * and stops (case_mp_more.c's mp-reset looks for it).
 */
#define HOSTILE_ENTRIES_AT 0x5100
#define hostile_entries ((volatile uint32_t *)HOSTILE_ENTRIES_AT)

/* One check of the running case: "hostile NAME: what: ok" or a FAIL line; 1 on FAIL. */
int hcheck(const char *what, long long got, long long want);
/* "hostile NAME: <text>" on a line of its own. */
void hsay(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

unsigned hstrlen(const char *s);
/* n / d without libgcc (a 32-bit guest has no 64-bit division), and nanoseconds in ms. */
uint64_t hdiv(uint64_t n, uint64_t d);
uint32_t hms(uint64_t ns);
bool hprefix(const char *s, const char *prefix);

/* The cases, one per file (case_*.c); hostile.c's table has their names. */
int case_pointers(unsigned magic, unsigned info);
int case_numbers(unsigned magic, unsigned info);
int case_privilege(unsigned magic, unsigned info);
int case_ripwrap(unsigned magic, unsigned info);
int case_virt(unsigned magic, unsigned info);
int case_df(unsigned magic, unsigned info);
int case_triple(unsigned magic, unsigned info);
int case_storm(unsigned magic, unsigned info);
int case_gp(unsigned magic, unsigned info);
int case_unbacked(unsigned magic, unsigned info);
int case_ports(unsigned magic, unsigned info);
int case_ports_paging(unsigned magic, unsigned info);
int case_uart16550(unsigned magic, unsigned info);
int case_shadow(unsigned magic, unsigned info);
int case_console(unsigned magic, unsigned info);
int case_time(unsigned magic, unsigned info);
int case_cli_spin(unsigned magic, unsigned info);
int case_sti_spin(unsigned magic, unsigned info);
int case_cli_loop(unsigned magic, unsigned info);
int case_hlt_cli(unsigned magic, unsigned info);
int case_yield_storm(unsigned magic, unsigned info);
int case_deadline_spin(unsigned magic, unsigned info);
int case_share(unsigned magic, unsigned info);
int case_idle(unsigned magic, unsigned info);
int case_regs(unsigned magic, unsigned info);
int case_cpuid_msr(unsigned magic, unsigned info);
int case_apic_mmio(unsigned magic, unsigned info);
int case_apic_bad(unsigned magic, unsigned info);
int case_apic_flood(unsigned magic, unsigned info);
int case_pc_ports(unsigned magic, unsigned info);
int case_reset(unsigned magic, unsigned info);
int case_mp(unsigned magic, unsigned info);
int case_mp_more(unsigned magic, unsigned info);
int case_apic_timer(unsigned magic, unsigned info);
int case_hlt_masked(unsigned magic, unsigned info);

#endif
