#!/bin/bash
# The exit path, instruction by instruction: boots the bench guest
# (guests/bench) alone on one CPU of a Bochs lane, stops at its CPUID (or
# its null hypercall) in the timed loop, and has Bochs' debugger trace
# one round trip.  Prints every instruction from the guest's CPUID or
# VMCALL/VMMCALL to its next instruction, then how many the hypervisor
# ran.  This is how docs/benchmarks.md found where the exit path spends
# its instructions.
#
#   tools/trace-exit.sh [LANE] [cpuid|hypercall]   (default: bochs-vmx cpuid)
#
# The 10th round trip is traced (the first ones may take colder paths);
# the full trace is kept in build/trace-exit-LANE-WHAT.txt.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 2
lane=${1:-bochs-vmx}
what=${2:-cpuid}
# shellcheck source=tools/lanes.conf
. tools/lanes.conf
case $lane in
bochs-vmx | bochs-svm) ;;
*) echo "trace-exit: LANE is bochs-vmx or bochs-svm (only Bochs counts instructions)"; exit 2 ;;
esac
make -s all || exit 1

# The instruction to stop at, from the bench guest's code: the CPUID that
# RDTSC follows (the timed loop), or the hypercall instruction of hv_call.
case $what in
cpuid) pattern='cpuid' next='rdtsc' ;;
hypercall) pattern='vmcall' next='' ;;
*) echo "trace-exit: WHAT is cpuid or hypercall"; exit 2 ;;
esac
[ "$lane" = bochs-svm ] && [ "$what" = hypercall ] && pattern='vmmcall'
at=$(objdump -d build/guests/bench.elf | awk -v p="$pattern" -v n="$next" '
	$NF == p { cand = $1; sub(":", "", cand); want = 1; next }
	want { if (n == "" || $NF == n) { print cand; exit } want = 0 }')
if [ -z "$at" ]; then
	echo "trace-exit: no $pattern found in build/guests/bench.elf"
	exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat >"$work/grub.cfg" <<CFG
serial --unit=0 --speed=115200
terminal_input serial
terminal_output serial
set timeout=0
menuentry "cloison trace" {
	multiboot2 /boot/cloison.elf exit_when_done
	module2 /boot/bench.elf name=bench mem=4M cpus=0 -- name=bench
	boot
}
CFG
tools/mkiso.sh "$work/bench.iso" "$work/grub.cfg" build/cloison.elf build/guests/bench.elf >/dev/null || exit 1
# shellcheck disable=SC2034 # read by bochs_config
CPUS=1 # one CPU: the trace holds only the bench guest's CPU
bochs_config "$lane" "$work/bench.iso" "mode=file, dev=$work/com1.log" "$work/bochs.log" >"$work/bochsrc"
{
	echo "lb 0x$at"
	for _ in $(seq 10); do echo c; done
	echo "trace on"
	echo "s 1000"
	echo q
} >"$work/cmds"
(cd "$work" && timeout 600 bochs-bin -q -f bochsrc -rc cmds) </dev/null >"$work/out.txt" 2>&1
out=build/trace-exit-$lane-$what.txt
# From the traced guest instruction to the first guest instruction after
# it (the host runs in selector 0x18, the 32-bit guest in 0x08).
awk '/^Tracing enabled/ { on = 1; next }
	on && /^\([0-9]+\)\.\[/ {
		host = ($3 ~ /^0018:/)
		if (started && !host) { print; exit }
		if (host) started = 1
		print
	}' "$work/out.txt" | sed 's/ (unk. ctxt)//' >"$out"
n=$(grep -c ' 0018:' "$out")
if [ "$n" -eq 0 ]; then
	echo "trace-exit: no trace (Bochs' output: see $work/out.txt)"
	trap - EXIT
	exit 1
fi
cut -c1-120 "$out"
echo "trace-exit: $lane, $what at guest 0x$at: $n hypervisor instructions (the trace: $out)"
