#!/bin/bash
# Boot an ISO in QEMU with cloison's serial console on this terminal
# (`make run`), or stopped at the first instruction with gdb attached
# (`make debug`).
#
#   tools/run-qemu.sh ISO              quit with Ctrl-A X
#   tools/run-qemu.sh --debug ISO      quit gdb to stop QEMU too
#
# The machine: 2 CPUs, 512 MiB, no reboot (a triple fault ends QEMU), the
# isa-debug-exit device at port 0xf4.  KVM with -cpu host (nested VMX or
# SVM) when this CPU advertises VMX or SVM and /dev/kvm is usable, else
# QEMU's emulator with -cpu max (SVM + NPT).  KVM=0 forces the emulator,
# KVM=1 forces KVM; QEMU_ARGS adds arguments; ELF names the symbol file for
# --debug (default build/cloison.elf).
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")

debug=0
if [ "${1:-}" = --debug ]; then
	debug=1
	shift
fi
if [ $# != 1 ] || [ ! -f "$1" ]; then
	echo "usage: tools/run-qemu.sh [--debug] ISO   (make run / make debug build the ISO)" >&2
	exit 2
fi
iso=$1

# KVM only helps when the host CPU can run VMX/SVM itself: some /dev/kvm
# backends (PVM, for one) cannot run a hypervisor, and their CPUs show no
# vmx/svm flag.
kvm=${KVM:-auto}
if [ "$kvm" = auto ]; then
	kvm=0
	if grep -qwE 'vmx|svm' /proc/cpuinfo 2>/dev/null && [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
		kvm=1
	fi
fi
if [ "$kvm" = 1 ]; then
	accel=(-enable-kvm -cpu host)
	how="KVM, -cpu host"
else
	accel=(-cpu max)
	how="QEMU's emulator (TCG), -cpu max"
fi

# shellcheck disable=SC2206 # (QEMU_ARGS is split into words on purpose)
args=(-machine pc "${accel[@]}" -smp 2 -m 512 -no-reboot
	-device "isa-debug-exit,iobase=0xf4,iosize=4" -cdrom "$iso" ${QEMU_ARGS:-})

if [ "$debug" = 0 ]; then
	# GRUB clears the screen, so the window title says it too.
	[ -t 1 ] && printf '\033]0;cloison in QEMU - quit: Ctrl-A X\007'
	echo "run-qemu: $how; cloison's serial console follows. Quit: Ctrl-A X (Ctrl-A C: QEMU monitor)."
	exec qemu-system-x86_64 "${args[@]}" -display none -serial mon:stdio
fi

# --debug: QEMU waits for gdb in the background, gdb in the foreground.
"$here/deps.sh" gdb || exit 1
elf=${ELF:-$root/build/cloison.elf}
serial=$root/build/debug-serial.log
mkdir -p "$(dirname "$serial")"
: >"$serial"
# (setsid: its own session, so that Ctrl-C in gdb interrupts the guest
# through gdb instead of killing QEMU)
setsid qemu-system-x86_64 "${args[@]}" -display none -monitor none -serial "file:$serial" -s -S \
	</dev/null &
qemu=$!
trap 'kill "$qemu" 2>/dev/null; wait "$qemu" 2>/dev/null' EXIT
trap 'exit 129' HUP
trap 'exit 143' TERM
sleep 0.5
if ! kill -0 "$qemu" 2>/dev/null; then
	echo "run-qemu: QEMU did not start (is another gdb stub already on port 1234?)" >&2
	exit 1
fi
echo "run-qemu: $how, stopped at the reset vector, gdb stub on :1234."
echo "run-qemu: cloison's serial output goes to $serial (watch it with: tail -f $serial)."
echo "run-qemu: e.g. 'break kmain' then 'continue'; quitting gdb stops QEMU."
gdb -q "$elf" -ex 'target remote :1234'
