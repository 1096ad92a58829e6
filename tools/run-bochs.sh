#!/bin/bash
# Boot an ISO on the bochs-vmx lane (Bochs, corei7_skylake_x: VMX + EPT)
# with cloison's serial console on this terminal (`make run-bochs`).  The
# machine is the one tools/lane.sh boots in the tests (same bochsrc, from
# tools/lanes.conf); only COM1 differs.
#
#   tools/run-bochs.sh ISO             LANE=bochs-svm for the AMD model
#
# Quit with Ctrl-C: every other key goes to the guest's COM1.  Bochs' log
# goes to build/bochs.log, its own output to build/bochs.log.out.
#
#   BOCHS_DEBUG=1 tools/run-bochs.sh ISO
#
# stops in Bochs' own debugger before the first instruction, on this
# terminal ("help"; "lb ADDR" breaks at a physical address, "c" goes on,
# "r" and "sreg" show registers, "x /4gx ADDR" memory, "q" quits); COM1
# then goes to build/bochs-serial.log (follow it with tail -f elsewhere).
# Needs a terminal: for a batch run use tools/lane.sh bochs-vmx ISO LOG.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
# shellcheck source=tools/lanes.conf
. "$here/lanes.conf"
lane=${LANE:-bochs-vmx}

if [ $# != 1 ] || [ ! -f "$1" ]; then
	echo "usage: tools/run-bochs.sh ISO   (make run-bochs builds the ISO)" >&2
	exit 2
fi
case $lane in bochs-vmx | bochs-svm) ;; *)
	echo "run-bochs: LANE must be bochs-vmx or bochs-svm, not '$lane'" >&2
	exit 2
	;;
esac
if [ ! -t 0 ] || [ ! -t 1 ]; then
	echo "run-bochs: needs a terminal (Bochs puts the serial console on it);" \
		"for a batch run use: tools/lane.sh $lane ISO LOG [TIMEOUT] [UNTIL_REGEX]" >&2
	exit 1
fi

iso=$(realpath -- "$1")
if [ "${BOCHS_DEBUG:-0}" = 1 ]; then
	log=$root/build/bochs.log
	mkdir -p "$(dirname "$log")"
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
	bochs_config "$lane" "$iso" "mode=file, dev=$root/build/bochs-serial.log" "$log" >"$work/bochsrc"
	echo "run-bochs: $lane in Bochs' debugger; COM1 goes to build/bochs-serial.log."
	(cd "$work" && bochs-bin -q -f bochsrc)
	exit
fi
tty=$(tty)
log=$root/build/bochs.log
mkdir -p "$(dirname "$log")"
work=$(mktemp -d)
saved_tty=$(stty -g)
restore_tty() { stty "$saved_tty" 2>/dev/null || stty sane; }
bochs=
# Stop Bochs and give the terminal back as it was, whatever happens.
trap '[ -n "$bochs" ] && kill -9 "$bochs" 2>/dev/null; restore_tty; rm -rf "$work"' EXIT
trap 'restore_tty; printf "\nrun-bochs: stopped.\n"; exit 0' INT # the way to quit
trap 'exit 129' HUP
trap 'exit 143' TERM
bochs_config "$lane" "$iso" "mode=term, dev=$tty" "$log" >"$work/bochsrc"
echo c >"$work/cmds" # Bochs' debugger: continue at once

echo "run-bochs: $lane; cloison's serial console follows (Bochs takes ~20 s to reach it)."
echo "run-bochs: quit with Ctrl-C.  Bochs' log: ${log#"$root"/}, its output: ${log#"$root"/}.out"
# Bochs gets its own session, so the terminal's Ctrl-C reaches only this
# script; it opens the terminal itself (com1 mode=term) and makes it raw.
(cd "$work" && exec setsid bochs-bin -q -f bochsrc -rc cmds) </dev/null >"$log.out" 2>&1 &
bochs=$!
# Once Bochs has made the terminal raw (no signal keys), give Ctrl-C back.
for ((i = 0; i < 100; i++)); do
	case $(stty -a) in *-isig*) break ;; esac
	kill -0 "$bochs" 2>/dev/null || break
	sleep 0.1
done
stty isig intr '^C'
wait "$bochs"
bochs=
restore_tty
why=$(grep -a -A 1 'Bochs is exiting with the following message' "$log.out" | tail -n 1)
echo
echo "run-bochs: Bochs stopped${why:+: $why} (its output: ${log#"$root"/}.out)."
