#!/bin/bash
# make bench: the exit-path benchmark.  Boots the bench guest (guests/bench)
# on each lane and prints its figures: RDTSC cycles for a CPUID round trip,
# a null hypercall round trip, a 32-byte CONSOLE_WRITE and a YIELD, all
# alone on CPU 0 (partition "bench"); then, once it has stopped, a YIELD
# with a second partition ("yielder") yielding on the same CPU, so that
# each round trip is two partition switches (partition "bench-switch").
# selftest=switch adds the hypervisor's own count of one register switch.
# In Bochs the TSC counts emulated instructions, so those figures are the
# hypervisor's path length; under QEMU's software emulator they are host
# cycles and only roughly comparable.
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
	multiboot2 /boot/cloison.elf exit_when_done selftest=switch
	module2 /boot/bench.elf name=bench mem=4M cpus=0 -- name=bench
	module2 /boot/bench.elf name=bench-switch mem=4M cpus=0 after=bench -- name=bench-switch
	module2 /boot/bench.elf name=yielder mem=4M cpus=0 after=bench -- name=yielder
	boot
}
CFG
tools/mkiso.sh "$work/bench.iso" "$work/grub.cfg" build/cloison.elf build/guests/bench.elf || exit 1
status=0
for lane in $lanes; do
	tools/lane.sh "$lane" "$work/bench.iso" "$work/$lane.log" 300 '^cloison: powering off' >/dev/null 2>&1
	mkdir -p build && cp "$work/$lane.log" "build/bench-$lane.log" # kept for a look afterwards
	lines=$(tr -d '\r' <"$work/$lane.log" | grep -a -e '^\[bench[a-z-]*\] bench:' -e '^cloison: selftest: switch' |
		sed -e 's/^\[bench[a-z-]*\] bench: //' -e 's/^cloison: selftest: //')
	if [ -z "$lines" ]; then
		echo "$lane: no result (see build/bench-$lane.log)"
		status=1
		continue
	fi
	echo "$lines" | sed "s/^/$lane: /"
done
exit $status
