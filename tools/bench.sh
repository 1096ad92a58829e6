#!/bin/bash
# make bench: the exit-path benchmark.  Boots the bench guest (guests/bench)
# alone on each lane and prints its figures: RDTSC cycles for a CPUID round
# trip, a null hypercall round trip and a 32-byte CONSOLE_WRITE.  In Bochs the TSC counts emulated
# instructions, so those figures are the hypervisor's path length; under
# QEMU's software emulator they are host cycles and only roughly comparable.
#   tools/bench.sh [LANE ...]     (default: bochs-vmx bochs-svm qemu-svm)
set -u
cd "$(dirname "$0")/.." || exit 1
lanes=${*:-bochs-vmx bochs-svm qemu-svm}
make -s all || exit 1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat >"$work/grub.cfg" <<CFG
serial --unit=0 --speed=115200
terminal_input serial
terminal_output serial
set timeout=0
menuentry "cloison bench" {
	multiboot2 /boot/cloison.elf exit_when_done
	module2 /boot/bench.elf name=bench mem=4M
	boot
}
CFG
tools/mkiso.sh "$work/bench.iso" "$work/grub.cfg" build/cloison.elf build/guests/bench.elf || exit 1
status=0
for lane in $lanes; do
	tools/lane.sh "$lane" "$work/bench.iso" "$work/$lane.log" 300 '^cloison: powering off' >/dev/null 2>&1
	lines=$(tr -d '\r' <"$work/$lane.log" | grep -a '^\[bench\] bench:' | sed 's/^\[bench\] bench: //')
	if [ -z "$lines" ]; then
		echo "$lane: no result (see $work/$lane.log)"
		status=1
		continue
	fi
	echo "$lines" | sed "s/^/$lane: /"
done
exit $status
