#!/bin/bash
# Boot an ISO on one emulator lane of DESIGN.md and capture COM1.
#
#   tools/lane.sh LANE ISO SERIAL_LOG [TIMEOUT_SECONDS] [UNTIL_REGEX]
#
# Lanes: qemu-svm (QEMU TCG -cpu max, SeaBIOS), qemu-uefi (same, OVMF),
#        bochs-vmx (Bochs corei7_skylake_x), bochs-svm (Bochs ryzen).
# All lanes get 2 CPUs.  Memory: LANE_MEM_<lane> below (the boot tests
# compare the "memory:" line against it).  The emulator is stopped when
# it exits by itself, when UNTIL_REGEX appears in the log, or at the
# timeout.  Exit status: 0 when it stopped by itself or on the regex,
# 124 on timeout.  Bochs' own log goes to SERIAL_LOG.bochs.
set -u
lane=$1 iso=$2 log=$3 timeout=${4:-120} until=${5:-}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lanes.conf"

: >"$log"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

case $lane in
qemu-svm | qemu-uefi)
	args=(-machine pc -cpu max -smp "$CPUS" -m "$QEMU_MEM" -display none -no-reboot
		-device isa-debug-exit,iobase=0xf4,iosize=4 -serial "file:$log" -cdrom "$iso")
	if [ "$lane" = qemu-uefi ]; then
		cp "$OVMF_VARS" "$work/vars.fd"
		args+=(-drive "if=pflash,format=raw,readonly=on,file=$OVMF_CODE"
			-drive "if=pflash,format=raw,file=$work/vars.fd")
	fi
	qemu-system-x86_64 "${args[@]}" </dev/null >"$work/emu.out" 2>&1 &
	;;
bochs-vmx | bochs-svm)
	model=corei7_skylake_x
	[ "$lane" = bochs-svm ] && model=ryzen
	cat >"$work/bochsrc" <<RC
memory: guest=$BOCHS_MEM, host=$BOCHS_MEM
romimage: file=/usr/share/bochs/BIOS-bochs-latest
vgaromimage: file=/usr/share/vgabios/vgabios.bin
cpu: model=$model, count=$CPUS, ips=200000000, reset_on_triple_fault=0
ata0-master: type=cdrom, path=$iso, status=inserted
boot: cdrom
com1: enabled=1, mode=file, dev=$log
display_library: rfb, options="timeout=0"
clock: sync=none, time0=local
log: $log.bochs
panic: action=fatal
error: action=report
info: action=report
debug: action=ignore
sound: driver=dummy
speaker: enabled=0
RC
	echo c >"$work/cmds"
	(cd "$work" && exec bochs-bin -q -f bochsrc -rc cmds) </dev/null >"$work/emu.out" 2>&1 &
	;;
*)
	echo "lane.sh: unknown lane '$lane' (qemu-svm, qemu-uefi, bochs-vmx, bochs-svm)" >&2
	exit 2
	;;
esac
pid=$!

status=124
for ((i = 0; i < timeout * 10; i++)); do
	if ! kill -0 $pid 2>/dev/null; then
		status=0
		break
	fi
	if [ -n "$until" ] && tr -d '\r' <"$log" | grep -aqE "$until"; then
		status=0
		break
	fi
	sleep 0.1
done
kill $pid 2>/dev/null && sleep 0.2 && kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
[ $status = 124 ] && echo "lane.sh: $lane timed out after ${timeout}s" >&2
cat "$work/emu.out" >>"$log.emu" 2>/dev/null
exit $status
