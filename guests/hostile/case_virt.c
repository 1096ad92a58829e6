/*
 * Case "virt" (class 5 of the catalog): the virtualization instructions
 * and the cache ones.  CPUID hides VMX, SVM and SMX from a partition, so
 * each of VMXON, VMXOFF, VMCLEAR, VMPTRLD, VMPTRST, VMREAD, VMWRITE,
 * VMLAUNCH, VMRESUME, INVEPT, INVVPID, VMFUNC, VMRUN, VMLOAD, VMSAVE,
 * STGI, CLGI, SKINIT, INVLPGA and GETSEC must raise #UD in the guest, as
 * on a CPU without them: the case's #UD handler sees it and the case goes
 * on.  WBINVD and INVD must complete without an exception and leave the
 * partition running.  Variant "absent": MONITOR, MWAIT, AMD's MONITORX
 * and MWAITX, and RDTSCP, which CPUID hides as well and which the CPU
 * would otherwise run, must raise #UD; RDPMC, which would read the host's
 * performance counters, #GP (CPUID offers none).  QEMU's emulator
 * ignores SVM's RDTSCP intercept: there an RDTSCP that runs must read an
 * IA32_TSC_AUX of zero, which tells nothing of the host, and says so on a
 * line of its own (catalog.scenario wants #UD on the Bochs lanes).
 *
 * The variant names the instruction (virt_vmxon, ..., virt_getsec), one
 * partition each, so that one instruction that stops the partition does
 * not hide what the others do; virt_vmx tries the other VMX instructions
 * (VMXOFF to VMFUNC) in turn and virt_cache WBINVD and INVD.  Without a
 * variant the case tries them all in turn.  The routines are in insn.S.
 */
#include "guests/hostile/cpu.h"
#include "guests/hostile/hostile.h"

void insn_vmxon(void), insn_vmxoff(void), insn_vmclear(void), insn_vmptrld(void);
void insn_vmptrst(void), insn_vmread(void), insn_vmwrite(void), insn_vmlaunch(void);
void insn_vmresume(void), insn_invept(void), insn_invvpid(void), insn_vmfunc(void);
void insn_vmrun(void), insn_vmload(void), insn_vmsave(void), insn_stgi(void);
void insn_clgi(void), insn_skinit(void), insn_invlpga(void), insn_getsec(void);
void insn_monitor(void), insn_mwait(void), insn_monitorx(void), insn_mwaitx(void);
void insn_rdtscp(void), insn_rdpmc(void), insn_wbinvd(void), insn_invd(void);
extern volatile uint32_t insn_rdtscp_aux;

static const struct {
	const char *variant, *name;
	void (*run)(void);
	int want; /* the vector, or NO_EXCEPTION */
} insns[] = {
	{ "vmxon", "VMXON", insn_vmxon, EXC_UD },
	{ "vmx", "VMXOFF", insn_vmxoff, EXC_UD },
	{ "vmx", "VMCLEAR", insn_vmclear, EXC_UD },
	{ "vmx", "VMPTRLD", insn_vmptrld, EXC_UD },
	{ "vmx", "VMPTRST", insn_vmptrst, EXC_UD },
	{ "vmx", "VMREAD", insn_vmread, EXC_UD },
	{ "vmx", "VMWRITE", insn_vmwrite, EXC_UD },
	{ "vmx", "VMLAUNCH", insn_vmlaunch, EXC_UD },
	{ "vmx", "VMRESUME", insn_vmresume, EXC_UD },
	{ "invept", "INVEPT", insn_invept, EXC_UD },
	{ "invvpid", "INVVPID", insn_invvpid, EXC_UD },
	{ "vmx", "VMFUNC", insn_vmfunc, EXC_UD },
	{ "vmrun", "VMRUN", insn_vmrun, EXC_UD },
	{ "vmload", "VMLOAD", insn_vmload, EXC_UD },
	{ "vmsave", "VMSAVE", insn_vmsave, EXC_UD },
	{ "stgi", "STGI", insn_stgi, EXC_UD },
	{ "clgi", "CLGI", insn_clgi, EXC_UD },
	{ "skinit", "SKINIT", insn_skinit, EXC_UD },
	{ "invlpga", "INVLPGA", insn_invlpga, EXC_UD },
	{ "getsec", "GETSEC", insn_getsec, EXC_UD },
	{ "absent", "MONITOR", insn_monitor, EXC_UD },
	{ "absent", "MWAIT", insn_mwait, EXC_UD },
	{ "absent", "MONITORX", insn_monitorx, EXC_UD },
	{ "absent", "MWAITX", insn_mwaitx, EXC_UD },
	{ "absent", "RDTSCP", insn_rdtscp, EXC_UD },
	{ "absent", "RDPMC", insn_rdpmc, EXC_GP },
	{ "cache", "WBINVD", insn_wbinvd, NO_EXCEPTION },
	{ "cache", "INVD", insn_invd, NO_EXCEPTION },
};

static const char *vector_name(int v)
{
	return v == NO_EXCEPTION ? "no exception"
	       : v == EXC_UD	 ? "#UD"
	       : v == EXC_GP	 ? "#GP"
				 : "another exception";
}

int case_virt(unsigned magic, unsigned info)
{
	int failures = 0, tried = 0;
	(void)magic, (void)info;

	cpu_setup();
	for (unsigned i = 0; i < sizeof(insns) / sizeof(insns[0]); i++) {
		char what[64];
		int got;

		if (*hostile_variant && !str_same(hostile_variant, insns[i].variant))
			continue;
		tried++;
		hsay("%s next", insns[i].name);
		got = trap_try(insns[i].run);
		if (insns[i].run == insn_rdtscp && got == NO_EXCEPTION) {
			failures += hcheck("RDTSCP ran (not intercepted): IA32_TSC_AUX reads 0",
					   insn_rdtscp_aux, 0);
			continue;
		}
		format(what, sizeof(what), "%s raises %s", insns[i].name,
		       vector_name(insns[i].want));
		failures += hcheck(what, got, insns[i].want);
		if (got != insns[i].want)
			hsay("%s raised %s (vector %d)", insns[i].name, vector_name(got), got);
	}
	if (!tried) {
		hsay("FAIL: no instruction is called '%s'", hostile_variant);
		failures++;
	}
	return failures;
}
