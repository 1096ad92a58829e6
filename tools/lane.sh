#!/bin/bash
# Boot an ISO on one emulator lane of DESIGN.md and capture COM1.
#
#   tools/lane.sh LANE ISO SERIAL_LOG [TIMEOUT_SECONDS] [UNTIL_REGEX]
#
# Lanes: qemu-svm (QEMU TCG -cpu max, SeaBIOS), qemu-uefi (same, OVMF),
#        bochs-vmx (Bochs corei7_skylake_x), bochs-svm (Bochs ryzen).
# CPUs and memory come from tools/lanes.conf (the boot tests compare the
# "memory:" and "cpus:" lines against them).  The emulator is stopped when
# it exits by itself, when a complete line of the log (or a last line that
# has stopped growing for a second) matches UNTIL_REGEX (grep -E), or at the
# timeout.  Exit status: 0 when it stopped by itself or on the regex, 124
# on timeout, 2 on a bad lane.  The emulator's own output goes to
# SERIAL_LOG.emu, and Bochs' log to SERIAL_LOG.bochs.
set -u
lane=$1 iso=$2 log=$3 timeout=${4:-120} until=${5:-}
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tools/lanes.conf
. "$here/lanes.conf"
if ! lane_info "$lane" >/dev/null; then
	echo "lane.sh: unknown lane '$lane' ($ALL_LANES)" >&2
	exit 2
fi
# Bochs runs in a scratch directory: make the paths absolute.
iso=$(realpath -m -- "$iso") log=$(realpath -m -- "$log")

: >"$log"
: >"$log.emu"
work=$(mktemp -d)
pid=
# Never leave an emulator behind, also when interrupted.
trap '[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; rm -rf "$work"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

case $lane in
qemu-svm | qemu-uefi)
	args=(-machine pc -cpu max -smp "$CPUS" -m "$QEMU_MEM" -display none -no-reboot
		-device "isa-debug-exit,iobase=0xf4,iosize=4" -serial "file:$log" -cdrom "$iso")
	if [ "$lane" = qemu-uefi ]; then
		cp "$OVMF_VARS" "$work/vars.fd"
		args+=(-drive "if=pflash,format=raw,readonly=on,file=$OVMF_CODE"
			-drive "if=pflash,format=raw,file=$work/vars.fd")
	fi
	qemu-system-x86_64 "${args[@]}" </dev/null >"$work/emu.out" 2>&1 &
	;;
bochs-vmx | bochs-svm)
	bochs_config "$lane" "$iso" "mode=file, dev=$log" "$log.bochs" >"$work/bochsrc"
	echo c >"$work/cmds"
	(cd "$work" && exec bochs-bin -q -f bochsrc -rc cmds) </dev/null >"$work/emu.out" 2>&1 &
	;;
esac
pid=$!

# The log without CRs and without a last line still being written, so that
# UNTIL_REGEX stops the emulator only once the matching line is complete
# (the checks that follow want the whole line).
complete_lines() {
	if [ -z "$(tail -c 1 "$log")" ]; then tr -d '\r' <"$log"; else sed '$d' "$log" | tr -d '\r'; fi
}

status=124 last_size=-1 quiet=0
for ((i = 0; i < timeout * 10; i++)); do
	if ! kill -0 $pid 2>/dev/null; then
		status=0
		break
	fi
	if [ -n "$until" ]; then
		if complete_lines | grep -aqE "$until"; then
			status=0
			break
		fi
		# A last line without its newline counts once it stops growing (1 s).
		size=$(stat -c %s "$log")
		if [ "$size" = "$last_size" ]; then quiet=$((quiet + 1)); else quiet=0 last_size=$size; fi
		if [ "$quiet" -ge 10 ] && tr -d '\r' <"$log" | grep -aqE "$until"; then
			status=0
			break
		fi
	fi
	sleep 0.1
done
kill $pid 2>/dev/null && sleep 0.2 && kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
pid=
[ $status = 124 ] && echo "lane.sh: $lane timed out after ${timeout}s" >&2
cat "$work/emu.out" >>"$log.emu" 2>/dev/null
exit $status
