#!/bin/bash
# Boot-test runner: boots the hypervisor on the emulator lanes as the
# scenario files in this folder say, and checks its serial output.
#
#   tests/boot/run.sh [SCENARIO ...]     (SCENARIO: a name like "panic" or a file)
#
# Default: every tests/boot/*.scenario.  Environment: BOOT_SLOW=1 (make
# test-slow) boots each scenario on its slow-lanes instead of its lanes,
# LANES="qemu-svm ..." boots only those lanes, BOOT_JOBS=N boots N lanes at
# once (default: the number of CPUs, at least 2 and at most 4; each
# emulator keeps one busy),
# ELF=FILE tests another hypervisor image (default build/cloison.elf).
# Prints one PASS/FAIL line per check, then "boot: D distinct checks" (each
# check of a scenario once, over all its lanes) and "boot: P passed, F
# failed" as its last line; exits non-zero when a check failed.  The scenario format
# and the log files are described in tests/boot/README.md.
set -u

root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source-path=SCRIPTDIR/../.. source=tools/lanes.conf
. "$root/tools/lanes.conf"
elf=${ELF:-$root/build/cloison.elf}
out=$root/build/boot-tests
cpus=$(nproc 2>/dev/null || echo 2)
max_jobs=${BOOT_JOBS:-$((cpus < 2 ? 2 : cpus > 4 ? 4 : cpus))}
[[ $max_jobs =~ ^[1-9][0-9]*$ ]] || max_jobs=2
selected=${LANES:-$ALL_LANES}
excerpt_lines=30
. "$root/tools/tally.sh" # pass, fail, $passed, $failed

# Every check a scenario makes, once, whatever the number of lanes it runs on.
declare -A distinct=()
finish() {
	echo "boot: ${#distinct[@]} distinct checks"
	echo "boot: $passed passed, $failed failed"
	[ "$failed" = 0 ]
	exit
}
rel() { printf '%s\n' "${1#"$root"/}"; }
# trim STRING: set TRIMMED to STRING without white space around it.
trim() {
	local s=$1
	s=${s#"${s%%[![:space:]]*}"}
	TRIMMED=${s%"${s##*[![:space:]]}"}
}

# applies FILTER LANE: does a "[FILTER]" on a keyword select LANE?
applies() {
	local tok info
	[ -z "$1" ] && return 0
	info=$(lane_info "$2") || return 1
	for tok in ${1//,/ }; do
		case " $2 $info " in *" $tok "*) return 0 ;; esac
	done
	return 1
}

# unescape BYTES: set HEX to BYTES (C-style escapes: \xHH \e \n \r \t \0 \\)
# as two hex digits a byte; fails on a bad escape.
unescape() {
	local s=$1 i=0 c LC_ALL=C
	HEX=''
	while [ "$i" -lt ${#s} ]; do
		c=${s:i:1} i=$((i + 1))
		if [ "$c" = "\\" ]; then
			c=${s:i:1} i=$((i + 1))
			case $c in
			x)
				[[ ${s:i:2} =~ ^[0-9a-fA-F]{2}$ ]] || return 1
				HEX+=${s:i:2} i=$((i + 2))
				continue
				;;
			e) c=$'\e' ;;
			n) c=$'\n' ;;
			r) c=$'\r' ;;
			t) c=$'\t' ;;
			0) HEX+=00 && continue ;;
			"\\") ;;
			*) return 1 ;;
			esac
		fi
		HEX+=$(printf '%02x' "'$c")
	done
	[ -n "$HEX" ]
}

# load FILE [LANE]: read a scenario.  Sets the settings S_* as LANE sees them
# and lists the checks that apply to LANE in C_KIND/C_ARG and its typing
# steps in T_STEPS ("HEX REGEX" lines for tools/lane.sh; without LANE: the
# lane-independent settings only).  On a bad line sets S_ERROR, returns 1.
load() {
	local file=$1 lane=${2:-} n=0 line key arg filter tok re steps=0
	S_LANES='' S_SLOW_LANES='' S_OPTIONS='' S_TEMPLATE=iso/grub.cfg S_MODULES='' S_TIMEOUT=120
	S_UNTIL='' S_ERROR=''
	C_KIND=() C_ARG=() T_STEPS=''
	while IFS= read -r line || [ -n "$line" ]; do
		n=$((n + 1))
		trim "${line%$'\r'}"
		line=$TRIMMED
		if [ -z "$line" ] || [ "${line:0:1}" = "#" ]; then continue; fi
		key=${line%%[[:space:]]*}
		trim "${line:${#key}}"
		arg=$TRIMMED
		filter=''
		if [[ $key =~ ^([a-z]+)\[([^]]*)\]$ ]]; then
			key=${BASH_REMATCH[1]} filter=${BASH_REMATCH[2]}
			for tok in ${filter//,/ }; do
				case " $ALL_LANES svm vmx qemu bochs " in
				*" $tok "*) ;;
				*) S_ERROR="line $n: unknown lane, vendor or emulator '$tok' in [$filter]" && return 1 ;;
				esac
			done
		fi
		case $key in
		lanes | slow-lanes | options | template | modules)
			if [ -n "$filter" ]; then
				S_ERROR="line $n: '$key' applies to the whole scenario and takes no [lanes]"
				return 1
			fi
			;;
		timeout | until | has | once | none | rawnone | same | count | features | type) ;;
		memory | cpus | exited)
			if [ -n "$arg" ]; then
				S_ERROR="line $n: '$key' takes no argument"
				return 1
			fi
			;;
		*)
			S_ERROR="line $n: unknown keyword '$key' (see tests/boot/README.md)"
			return 1
			;;
		esac
		case $key in
		lanes | slow-lanes | timeout | has | once | none | rawnone | same | count | features | template | type)
			if [ -z "$arg" ]; then
				S_ERROR="line $n: '$key' needs an argument"
				return 1
			fi
			;;
		esac
		case $key in
		lanes | slow-lanes)
			for tok in $arg; do
				if ! lane_info "$tok" >/dev/null; then
					S_ERROR="line $n: unknown lane '$tok' ($ALL_LANES)"
					return 1
				fi
				case " $S_LANES $S_SLOW_LANES " in
				*" $tok "*) S_ERROR="line $n: lane '$tok' named twice" && return 1 ;;
				esac
			done
			if [ "$key" = lanes ]; then S_LANES=$arg; else S_SLOW_LANES=$arg; fi
			;;
		options) S_OPTIONS=$arg ;;
		template) S_TEMPLATE=$arg ;;
		modules) S_MODULES=$arg ;;
		timeout)
			if ! [[ $arg =~ ^[1-9][0-9]*$ ]]; then
				S_ERROR="line $n: timeout must be a number of seconds"
				return 1
			fi
			if [ -n "$lane" ] && applies "$filter" "$lane"; then S_TIMEOUT=$arg; fi
			;;
		count)
			if ! [[ $arg =~ ^[0-9]+\ +[^\ ] ]]; then
				S_ERROR="line $n: count needs a number and a regular expression"
				return 1
			fi
			;;&
		until | has | once | none | same | count)
			re=$arg
			[ "$key" = count ] && re=${arg#*[0-9] }
			grep -qE -- "$re" </dev/null 2>/dev/null
			if [ $? = 2 ]; then
				S_ERROR="line $n: bad regular expression: $arg"
				return 1
			fi
			if [ -n "$lane" ] && applies "$filter" "$lane"; then
				if [ "$key" = until ]; then
					S_UNTIL=$arg
				else
					C_KIND+=("$key") C_ARG+=("$arg")
				fi
			fi
			;;
		rawnone)
			LC_ALL=C grep -qaP -- "$arg" </dev/null 2>/dev/null
			if [ $? = 2 ]; then
				S_ERROR="line $n: bad Perl-compatible regular expression: $arg"
				return 1
			fi
			if [ -n "$lane" ] && applies "$filter" "$lane"; then
				C_KIND+=("$key") C_ARG+=("$arg")
			fi
			;;
		type)
			# The bytes are the last word; the regex is the rest.
			tok=${arg##*[[:space:]]}
			trim "${arg%"$tok"}"
			if [ -z "$TRIMMED" ] || ! unescape "$tok"; then
				S_ERROR="line $n: want 'type REGEX BYTES' (BYTES with the escapes \\xHH \\e \\n \\r \\t \\0 \\\\, no spaces): $arg"
				return 1
			fi
			grep -qE -- "$TRIMMED" </dev/null 2>/dev/null
			if [ $? = 2 ]; then
				S_ERROR="line $n: bad regular expression: $TRIMMED"
				return 1
			fi
			if [ -n "$lane" ] && applies "$filter" "$lane"; then
				steps=$((steps + 1)) T_STEPS+="$HEX $TRIMMED"$'\n'
				C_KIND+=("$key") C_ARG+=("$steps $tok $TRIMMED")
			fi
			;;
		*)
			if [ -n "$lane" ] && applies "$filter" "$lane"; then
				C_KIND+=("$key") C_ARG+=("$arg")
			fi
			;;
		esac
	done <"$file"
	if [ -z "$S_LANES" ]; then
		S_ERROR="no 'lanes' line"
		return 1
	fi
}

# build_iso DIR: set ISO to the ISO of the loaded scenario's option set,
# building it in DIR unless a scenario before had the same set.
declare -A iso_of=()
build_iso() {
	local key="$S_TEMPLATE|$S_OPTIONS|$S_MODULES" dir=$1 mod mods=()
	ISO=${iso_of[$key]:-}
	[ -n "$ISO" ] && return 0
	for mod in $S_MODULES; do mods+=("$root/$mod"); done
	# Add the options to the one multiboot2 line of the template.
	if ! OPTS=$S_OPTIONS awk '
		/^[[:space:]]*multiboot2[[:space:]]/ { n++; if (ENVIRON["OPTS"] != "") $0 = $0 " " ENVIRON["OPTS"] }
		{ print }
		END { exit n == 1 ? 0 : 3 }' "$root/$S_TEMPLATE" >"$dir/grub.cfg"; then
		echo "      $S_TEMPLATE must exist and have exactly one multiboot2 line"
		return 1
	fi
	"$root/tools/mkiso.sh" "$dir/cloison.iso" "$dir/grub.cfg" "$elf" "${mods[@]}" || return 1
	ISO=$dir/cloison.iso
	iso_of[$key]=$ISO
}

# check KIND ARG: run one check on the cleaned log $txt (rawnone: the raw
# log $log) of lane $lane; sets WHAT (the check, for the PASS/FAIL line)
# and WHY (what was found).
count() { grep -acE -- "$1" "$txt"; }
first() { grep -aE -m 1 -- "$1" "$txt"; }
# The raw log is matched byte by byte (C locale), with PCRE's \xHH.
raw_count() { LC_ALL=C grep -acP -- "$1" "$log"; }
raw_first() { LC_ALL=C grep -aP -m 1 -- "$1" "$log" | cat -v; }
check() {
	local kind=$1 arg=$2 n mem lines=()
	WHAT="$kind: $arg" WHY=''
	case $kind in
	has)
		n=$(count "$arg")
		[ "$n" -ge 1 ] && return 0
		WHY="no line matches"
		;;
	once)
		n=$(count "$arg")
		[ "$n" = 1 ] && return 0
		WHY="$n lines match"
		;;
	none)
		n=$(count "$arg")
		[ "$n" = 0 ] && return 0
		WHY="$n lines match, the first: $(first "$arg")"
		;;
	rawnone)
		WHAT="rawnone (raw log): $arg"
		n=$(raw_count "$arg")
		[ "$n" = 0 ] && return 0
		WHY="$n lines of $(rel "$log") match, the first (cat -v): $(raw_first "$arg")"
		;;
	count)
		local want=${arg%% *} re=${arg#* }
		re=${re#"${re%%[! ]*}"} # the spaces between
		n=$(count "$re")
		[ "$n" = "$want" ] && return 0
		WHY="$n lines match, not $want"
		;;
	same)
		local vals=() line
		mapfile -t lines < <(grep -aE -- "$arg" "$txt")
		for line in "${lines[@]}"; do
			[[ $line =~ $arg ]] && vals+=("${BASH_REMATCH[1]:-}")
		done
		if [ ${#vals[@]} -lt 2 ]; then
			WHY="${#vals[@]} lines match, need at least 2"
		elif [ "$(printf '%s\n' "${vals[@]}" | sort -u | wc -l)" = 1 ] && [ -n "${vals[0]}" ]; then
			return 0
		else
			WHY="the first group differs: $(printf '%s ' "${vals[@]}")"
		fi
		;;
	feature)
		WHAT="feature $arg: exactly one 'cloison: $arg: yes|no' line"
		n=$(count "^cloison: $arg: (yes|no)$")
		[ "$n" = 1 ] && return 0
		WHY="found $n"
		;;
	memory)
		mem=$(lane_info "$lane") mem=${mem##* }
		WHAT="memory: 'cloison: memory: N MiB usable' once, $((mem - 16)) <= N <= $mem"
		mapfile -t lines < <(grep -a '^cloison: memory:' "$txt")
		if [ ${#lines[@]} = 1 ] && [[ ${lines[0]} =~ ^cloison:\ memory:\ ([0-9]+)\ MiB\ usable$ ]]; then
			n=${BASH_REMATCH[1]}
			WHAT="$WHAT (N = $n)"
			[ "$n" -le "$mem" ] && [ "$n" -ge $((mem - 16)) ] && return 0
			WHY="the lane was given $mem MiB"
		else
			WHY="found ${#lines[@]} memory lines: ${lines[*]:-}"
		fi
		;;
	cpus)
		WHAT="cpus: exactly one 'cloison: cpus: $CPUS online' line"
		n=$(count "^cloison: cpus: $CPUS online$")
		[ "$n" = 1 ] && return 0
		WHY="found $n; cpus lines: $(first '^cloison: cpus:')"
		;;
	type)
		read -r n lines <<<"$arg"
		WHAT="type $n: sent ${lines%% *} after a line matched: ${lines#* }"
		grep -q "^$n " "$log.typed" 2>/dev/null && return 0
		if [ "$n" = 1 ]; then
			WHY="no line matched"
		elif grep -q "^$((n - 1)) " "$log.typed" 2>/dev/null; then
			WHY="no line matched after step $((n - 1)) was sent"
		else
			WHY="step $((n - 1)) was not sent"
		fi
		;;
	exited)
		WHAT="exited: the emulator stopped by itself within ${S_TIMEOUT}s"
		if [ -n "$S_UNTIL" ]; then
			WHY="scenario error: 'exited' cannot be checked together with 'until'"
		elif [ "$status" = 0 ]; then
			return 0
		else
			WHY="lane.sh exited with status $status$([ "$status" = 124 ] && echo ' (timeout)')$([ "$status" = 125 ] && echo ' (cloison halted for good)')"
		fi
		;;
	esac
	return 1
}

# excerpt: show why a lane failed.
indent() { sed 's/^/    | /'; }
excerpt() {
	echo "  ---- last $excerpt_lines lines of the serial output ($(rel "$log"), cleaned):"
	tail -n "$excerpt_lines" "$txt" | indent
	if [ -s "$log.lane" ]; then
		echo "  ---- tools/lane.sh said:"
		indent <"$log.lane"
	fi
	if [ -s "$log.emu" ] && [ "${lane%%-*}" = qemu ]; then
		echo "  ---- QEMU said ($(rel "$log.emu")):"
		tail -n 10 "$log.emu" | indent
	fi
	if [ "${lane%%-*}" = bochs ]; then
		# (without the CPU feature lists Bochs prints for every CPU)
		echo "  ---- end of the Bochs log ($(rel "$log.bochs")):"
		grep -avE $'^[0-9]+i\\[CPU[0-9 ]*\\][[:space:]]*\t' "$log.bochs" 2>/dev/null | tail -n 20 | indent
	fi
}

# finish_job JOB STATUS: check one lane run.
finish_job() {
	local j=$1 k bad=0 how
	local name=${J_NAME[$j]} lane=${J_LANE[$j]} log=${J_LOG[$j]} txt=${J_LOG[$j]%.log}.txt
	status=$2
	load "${J_FILE[$j]}" "$lane"
	# The serial log without CRs and ANSI escapes (GRUB draws its menu with them).
	tr -d '\r' <"$log" | strip_escapes | awk 1 >"$txt" # (awk: end the last line with a newline)
	case $status in
	0) how="stopped by itself" && [ -n "$S_UNTIL" ] && count "$S_UNTIL" >/dev/null && how="until matched" ;;
	124) how="timed out after ${S_TIMEOUT}s" ;;
	125) how="halted for good (its last line says so)" ;;
	*) how="lane.sh failed with status $status" ;;
	esac
	echo "      $name/$lane: $how after $((SECONDS - J_START[j]))s"
	for k in "${!C_KIND[@]}"; do
		distinct["$name|${C_KIND[$k]}|${C_ARG[$k]}"]=1
		if [ "${C_KIND[$k]}" = features ]; then
			for f in ${C_ARG[$k]}; do
				distinct["$name|feature|$f"]=1
				if check feature "$f"; then pass "$name/$lane  $WHAT"; else
					fail "$name/$lane  $WHAT -- $WHY"
					bad=1
				fi
			done
		elif check "${C_KIND[$k]}" "${C_ARG[$k]}"; then
			pass "$name/$lane  $WHAT"
		else
			fail "$name/$lane  $WHAT -- $WHY"
			bad=1
		fi
	done
	[ "$bad" = 0 ] || excerpt
}

# ---- collect the lane runs --------------------------------------------------
for l in $selected; do
	if ! lane_info "$l" >/dev/null; then
		echo "boot: unknown lane '$l' in LANES (lanes: $ALL_LANES)" >&2
		fail "boot: LANES"
		finish
	fi
done
if [ ! -f "$elf" ]; then
	fail "boot: no hypervisor image $(rel "$elf") (run make first)"
	finish
fi
if [ $# = 0 ]; then
	set -- "$root"/tests/boot/*.scenario
fi

J_NAME=() J_FILE=() J_LANE=() J_ISO=() J_LOG=() J_START=()
for s in "$@"; do
	case $s in */* | *.scenario) file=$s ;; *) file=$root/tests/boot/$s.scenario ;; esac
	name=$(basename "$file" .scenario)
	if [ ! -f "$file" ]; then
		fail "$name: no scenario file $file"
		continue
	fi
	if ! load "$file"; then
		fail "$name: $(rel "$(realpath "$file")"): $S_ERROR"
		continue
	fi
	lanes=()
	if [ "${BOOT_SLOW:-0}" = 1 ]; then want=$S_SLOW_LANES; else want=$S_LANES; fi
	for l in $want; do
		case " $selected " in *" $l "*) lanes+=("$l") ;; esac
	done
	if [ ${#lanes[@]} = 0 ]; then
		[ -n "$want" ] && echo "      $name: skipped (its lanes, $want, are not selected)"
		continue
	fi
	rm -rf "${out:?}/$name"
	mkdir -p "$out/$name"
	if ! build_iso "$out/$name"; then
		fail "$name: building the ISO (options: ${S_OPTIONS:-none})"
		continue
	fi
	for l in "${lanes[@]}"; do
		J_NAME+=("$name") J_FILE+=("$file") J_LANE+=("$l") J_ISO+=("$ISO")
		J_LOG+=("$out/$name/$l.log") J_START+=(0)
	done
done

# ---- boot them, at most $max_jobs at a time ----------------------------------
# A Bochs lane takes ~25 s of one core, a QEMU lane a few seconds: start the
# Bochs runs first, and put a QEMU run beside a Bochs run where possible.
declare -A running=() # pid -> job
pending=("${!J_NAME[@]}")
emulator() { echo "${J_LANE[$1]%%-*}"; }
start_next() {
	local i pick='' busy='' pid
	for pid in "${!running[@]}"; do busy+=" $(emulator "${running[$pid]}")"; done
	for i in "${pending[@]}"; do
		if [ -z "$busy" ]; then
			[ "$(emulator "$i")" = bochs ] && pick=$i && break
		else
			case "$busy " in *" $(emulator "$i") "*) ;; *) pick=$i && break ;; esac
		fi
	done
	pick=${pick:-${pending[0]}}
	for i in "${!pending[@]}"; do
		[ "${pending[$i]}" = "$pick" ] && unset "pending[$i]"
	done
	pending=("${pending[@]}")
	load "${J_FILE[$pick]}" "${J_LANE[$pick]}"
	echo "      ${J_NAME[$pick]}/${J_LANE[$pick]}: booting (timeout ${S_TIMEOUT}s)"
	J_START[pick]=$SECONDS
	typing=''
	if [ -n "$T_STEPS" ]; then
		typing=${J_LOG[$pick]%.log}.type
		printf '%s' "$T_STEPS" >"$typing"
	fi
	"$root/tools/lane.sh" "${J_LANE[$pick]}" "${J_ISO[$pick]}" "${J_LOG[$pick]}" \
		"$S_TIMEOUT" "$S_UNTIL" "$typing" </dev/null 2>"${J_LOG[$pick]}.lane" &
	running[$!]=$pick
}
# shellcheck disable=SC2317 # (called by the trap)
stop_all() {
	local pid
	for pid in "${!running[@]}"; do kill -TERM "$pid" 2>/dev/null; done
	wait
	echo "boot: interrupted" >&2
	exit 130
}
trap stop_all INT TERM

echo "      boot: ${#J_NAME[@]} lane runs, $max_jobs at a time; logs in $(rel "$out")/"
t0=$SECONDS
if ((BASH_VERSINFO[0] * 100 + BASH_VERSINFO[1] < 501)); then
	max_jobs=1 # wait -n -p needs bash 5.1
fi
while [ ${#pending[@]} -gt 0 ] || [ ${#running[@]} -gt 0 ]; do
	while [ ${#running[@]} -lt "$max_jobs" ] && [ ${#pending[@]} -gt 0 ]; do
		start_next
		if [ "$max_jobs" = 1 ]; then # one at a time: no need for wait -n
			pid=${!running[*]} j=${running[*]}
			wait "$pid"
			st=$?
			unset "running[$pid]"
			finish_job "$j" "$st"
		fi
	done
	[ ${#running[@]} -gt 0 ] || continue
	done_pid=''
	wait -n -p done_pid
	st=$?
	[ -n "$done_pid" ] || continue
	j=${running[$done_pid]}
	unset "running[$done_pid]"
	finish_job "$j" "$st"
done
echo "      boot: the lanes took $((SECONDS - t0))s"
finish
