#!/bin/bash
# Boot an ISO on one emulator lane (tools/lanes.conf, README.md) and capture COM1.
#
#   tools/lane.sh LANE ISO SERIAL_LOG [TIMEOUT_SECONDS] [UNTIL_REGEX] [TYPE_FILE]
#
# Lanes: qemu-svm (QEMU TCG -cpu max, SeaBIOS), qemu-uefi (same, OVMF),
#        bochs-vmx (Bochs corei7_skylake_x), bochs-svm (Bochs ryzen).
# CPUs and memory come from tools/lanes.conf (the boot tests compare the
# "memory:" and "cpus:" lines against them).  The emulator is stopped when
# it exits by itself, when a complete line of the log (or a last line that
# has stopped growing for a second) matches UNTIL_REGEX (grep -E), or at the
# timeout, or when cloison's last line says that it halted for good (a
# panic or a failed boot: nothing more can come).  Exit status: 0 when it
# stopped by itself or on the regex, 124 on timeout, 125 when halted for
# good, 2 on a bad lane.  The emulator's own output goes to
# SERIAL_LOG.emu, and Bochs' log to SERIAL_LOG.bochs.
#
# TYPE_FILE types on COM1.  Each line is a step, "HEX REGEX": once a
# complete line of the log matches REGEX (grep -E, on the log without CRs
# and ANSI escapes), the bytes HEX (two hex digits each, e.g. 1d or
# 1b5b410a) are sent to the machine's COM1.  An unfinished last line (a
# prompt, which waits for what is typed) counts too, once it has not
# grown for half a second.  Steps run in order; a step
# looks only at the lines that were not yet complete when the step before
# it was sent (the first step at the whole log).  Each step sent adds
# "N SECONDS" (its number from 1, seconds since the start) to
# SERIAL_LOG.typed; a step never sent is reported on stderr.  COM1 then
# goes through a pipe (QEMU: -chardev pipe, two FIFOs) or a TCP socket to
# 127.0.0.1 (Bochs: com1 mode=socket-server), copied into SERIAL_LOG byte
# for byte; without TYPE_FILE it is written to the file as before.
#
# QEMU_EXTRA (environment): more QEMU arguments, split at spaces, for a
# look inside a run that hangs; e.g. QEMU_EXTRA="-monitor
# unix:/tmp/mon.sock,server,nowait" and then "info registers -a" on it.
set -u
lane=$1 iso=$2 log=$3 timeout=${4:-120} until=${5:-} typing=${6:-}
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tools/lanes.conf
. "$here/lanes.conf"
if ! lane_info "$lane" >/dev/null; then
	echo "lane.sh: unknown lane '$lane' ($ALL_LANES)" >&2
	exit 2
fi
# The typing steps: bytes as a printf format (\xHH...) and the regex.
T_BYTES=() T_RE=()
if [ -n "$typing" ]; then
	while read -r hex re || [ -n "$hex" ]; do
		if ! [[ $hex =~ ^([0-9a-fA-F]{2})+$ ]] || [ -z "$re" ]; then
			echo "lane.sh: $typing: want 'HEX REGEX' lines, not '$hex $re'" >&2
			exit 2
		fi
		fmt=''
		for ((j = 0; j < ${#hex}; j += 2)); do fmt+="\\x${hex:j:2}"; done
		T_BYTES+=("$fmt") T_RE+=("$re")
	done <"$typing"
fi
# Bochs runs in a scratch directory: make the paths absolute.
iso=$(realpath -m -- "$iso") log=$(realpath -m -- "$log")

: >"$log"
: >"$log.emu"
[ -n "$typing" ] && : >"$log.typed"
work=$(mktemp -d)
pid='' copier='' com1=''
# Never leave an emulator (or the copier of its COM1) behind, also when interrupted.
trap '[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; [ -n "$copier" ] && kill "$copier" 2>/dev/null; rm -rf "$work"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# listening PID PORT: has process PID a socket listening on 127.0.0.1:PORT?
# (/proc/net/tcp: local address as hex IP:PORT, state 0A = LISTEN, inode.)
listening() {
	local inode fd
	inode=$(awk -v a="$(printf '0100007F:%04X' "$2")" '$2 == a && $4 == "0A" { print $10 }' /proc/net/tcp)
	[ -n "$inode" ] || return 1
	for fd in /proc/"$1"/fd/*; do
		[ "$(readlink "$fd")" = "socket:[$inode]" ] && return 0
	done
	return 1
}

case $lane in
qemu-svm | qemu-uefi)
	serial=(-serial "file:$log")
	if [ -n "$typing" ]; then
		# QEMU opens PATH.in and PATH.out read-write, so neither open blocks.
		mkfifo "$work/com1.in" "$work/com1.out"
		cat "$work/com1.out" >"$log" &
		copier=$!
		exec {com1}<>"$work/com1.in"
		serial=(-chardev "pipe,id=com1,path=$work/com1" -serial chardev:com1)
	fi
	args=(-machine pc -cpu max -smp "$CPUS" -m "$QEMU_MEM" -display none -no-reboot
		-device "isa-debug-exit,iobase=0xf4,iosize=4" "${serial[@]}" -cdrom "$iso")
	if [ "$lane" = qemu-uefi ]; then
		cp "$OVMF_VARS" "$work/vars.fd"
		args+=(-drive "if=pflash,format=raw,readonly=on,file=$OVMF_CODE"
			-drive "if=pflash,format=raw,file=$work/vars.fd")
	fi
	# shellcheck disable=SC2206 # QEMU_EXTRA is split at spaces on purpose
	args+=(${QEMU_EXTRA:-})
	qemu-system-x86_64 "${args[@]}" </dev/null >"$work/emu.out" 2>&1 &
	pid=$!
	;;
bochs-vmx | bochs-svm)
	echo c >"$work/cmds"
	start_bochs() { # COM1
		bochs_config "$lane" "$iso" "$1" "$log.bochs" >"$work/bochsrc"
		(cd "$work" && exec bochs-bin -q -f bochsrc -rc cmds) </dev/null >"$work/emu.out" 2>&1 &
		pid=$!
	}
	if [ -z "$typing" ]; then
		start_bochs "mode=file, dev=$log"
	fi
	# With typing, Bochs listens on a port of 127.0.0.1 picked at random and
	# waits (before the machine starts) until this script connects.  It
	# connects only once that Bochs itself has the listening socket, so
	# never to another program's port; when Bochs cannot bind the port
	# (taken), it stops, and another port is tried.
	try=0
	while [ -n "$typing" ] && [ -z "$com1" ] && [ $((try++)) -lt 5 ]; do
		port=$((20000 + RANDOM % 12000))
		start_bochs "mode=socket-server, dev=127.0.0.1:$port"
		for ((i = 0; i < 300; i++)); do
			listening "$pid" "$port" && break
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		if listening "$pid" "$port" && { exec {com1}<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null; then
			cat <&"$com1" >"$log" &
			copier=$!
			break
		fi
		com1=''
		kill -9 "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		pid=''
		echo "lane.sh: Bochs did not listen for COM1 on port $port; trying another" >&2
		cat "$work/emu.out" >>"$log.emu" 2>/dev/null
	done
	if [ -n "$typing" ] && [ -z "$com1" ]; then
		echo "lane.sh: could not connect to Bochs' COM1" >&2
		exit 1
	fi
	;;
esac

# The log without CRs and without a last line still being written, so that
# UNTIL_REGEX stops the emulator only once the matching line is complete
# (the checks that follow want the whole line).
complete_lines() {
	if [ -z "$(tail -c 1 "$log")" ]; then tr -d '\r' <"$log"; else sed '$d' "$log" | tr -d '\r'; fi
}

# type_step: send the next typing step once its line has come.
step=0 seen=0 typed_size=-1 type_quiet=0
type_step() {
	local lines n size prompt=''
	size=$(stat -c %s "$log")
	if [ "$size" = "$typed_size" ]; then
		# Nothing new since the last look; after 0.5 s of that, an unfinished
		# last line gets its one look.
		type_quiet=$((type_quiet + 1))
		[ "$type_quiet" = 5 ] && [ -n "$(tail -c 1 "$log")" ] || return
		prompt=$(tail -n 1 "$log" | tr -d '\r' | strip_escapes)
	else
		type_quiet=0
	fi
	typed_size=$size
	# Cleaned as tests/boot/run.sh cleans it: GRUB draws its menu with ANSI escapes.
	lines=$(complete_lines | strip_escapes)
	n=$(printf '%s' "$lines" | grep -c '')
	if { tail -n +$((seen + 1)) <<<"$lines" && [ -n "$prompt" ] && printf '%s\n' "$prompt"; } |
		grep -aqE -- "${T_RE[step]}"; then
		# (A socket whose emulator has gone must fail the write, not kill this
		# script: hence the subshell that ignores SIGPIPE.)
		# shellcheck disable=SC2059 # (the format is \xHH escapes only)
		if ! (trap '' PIPE && printf "${T_BYTES[step]}" >&"$com1") 2>/dev/null; then
			echo "lane.sh: could not send step $((step + 1)) to COM1" >&2
			return
		fi
		step=$((step + 1)) seen=$n
		echo "$step $SECONDS" >>"$log.typed"
	fi
}

# A hypervisor that has stopped for good says so in its last line (a panic,
# kernel/panic.c; a boot it could not make, boot/entry.S): nothing more can
# come, so the run ends there (status 125) rather than at its timeout.
halted_re='^cloison: (all CPUs stopped; the system is halted|boot: .*; stopped$)'
status=124 last_size=-1 quiet=0 halt_size=-1 halt_quiet=0
for ((i = 0; i < timeout * 10; i++)); do
	if ! kill -0 $pid 2>/dev/null; then
		status=0
		break
	fi
	[ "$step" -lt "${#T_RE[@]}" ] && type_step
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
	# (Looked for once the log has not grown for a second, in its end only.)
	size=$(stat -c %s "$log")
	if [ "$size" != "$halt_size" ]; then
		halt_size=$size halt_quiet=0
	elif [ $((++halt_quiet)) = 10 ] && tail -c 2048 "$log" | tr -d '\r' | grep -aqE "$halted_re"; then
		status=125
		break
	fi
	sleep 0.1
done
kill $pid 2>/dev/null && sleep 0.2 && kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
pid=
if [ -n "$copier" ]; then
	# The copier ends at the end of its input, once the emulator has gone.
	# If QEMU never opened its FIFO, open it here so that the copier's open returns.
	[ -p "$work/com1.out" ] && exec {out}<>"$work/com1.out" && exec {out}>&-
	wait "$copier"
	copier=''
fi
[ -n "$com1" ] && exec {com1}>&-
[ $status = 124 ] && echo "lane.sh: $lane timed out after ${timeout}s" >&2
for ((k = step; k < ${#T_RE[@]}; k++)); do
	echo "lane.sh: type step $((k + 1)) not sent: no line matched ${T_RE[k]}" >&2
done
cat "$work/emu.out" >>"$log.emu" 2>/dev/null
exit $status
