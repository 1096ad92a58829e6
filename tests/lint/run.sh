#!/bin/bash
# Tests of the grub.cfg linter, build/cloison-lint (`make lint-tests`, and
# `make test` through tools/test.sh).  Three kinds of case, each printing
# one PASS or FAIL line:
#
#   cases/NAME.out        the linter run in cases/ on NAME.cfg (or on the
#                         words of NAME.args) must print exactly NAME.out,
#                         exit with NAME.status (default: 0 when NAME.out is
#                         empty, else 1) and, if NAME.err exists, print
#                         exactly that on stderr.
#   iso/*.cfg, tests/boot/*.cfg
#                         the repository's own GRUB files: clean, or exactly
#                         repo/BASENAME.out where that exists (files that
#                         are bad on purpose).
#   hostile.scenario      the lines found in tests/boot/hostile.grub.cfg (the
#                         first for each module2 line: the hypervisor refuses
#                         a line with its first problem) and the "partition
#                         config" lines the boot scenario expects from the
#                         real hypervisor must match one to one, so the linter
#                         and the hypervisor cannot drift.
#   tests/boot/**/*.scenario
#                         each scenario's grub.cfg (its template) names only
#                         files its ISO holds: the linter with --root on a
#                         folder laid out as tools/mkiso.sh lays out the ISO,
#                         cloison.elf and the scenario's modules in /boot/.
#
# Last line: "lint: P passed, F failed"; exit status 1 if F > 0.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 2
lint=${LINT:-$root/build/cloison-lint}
out=$root/build/lint-tests
# shellcheck source-path=SCRIPTDIR/../.. source=tools/tally.sh
. "$root/tools/tally.sh" # pass, fail, $passed, $failed
tally_prefix='lint: '

finish() {
	echo "lint: $passed passed, $failed failed"
	[ "$failed" = 0 ]
	exit
}

if [ ! -x "$lint" ]; then
	fail "$lint does not exist (make lint-tests builds it)"
	finish
fi
mkdir -p "$out"

# expect NAME DIR STATUS OUT [ERR] -- ARGS...: run the linter in DIR and
# compare its exit status, stdout and (if ERR is a file) stderr.
expect() {
	local name=$1 dir=$2 want_status=$3 want_out=$4 want_err=$5 status why=''
	local got=$out/${1//\//_}
	shift 6
	(cd "$dir" && "$lint" "$@") >"$got.out" 2>"$got.err"
	status=$?
	[ "$status" = "$want_status" ] || why="exit status $status, expected $want_status; "
	cmp -s "$got.out" "$want_out" || why+="stdout differs; "
	if [ -f "$want_err" ] && ! cmp -s "$got.err" "$want_err"; then
		why+="stderr differs; "
	fi
	if [ -z "$why" ]; then
		pass "$name"
		return
	fi
	fail "$name: ${why%; } (cloison-lint $*)"
	diff -u "$want_out" "$got.out" | sed 's/^/      /'
	if [ -f "$want_err" ]; then
		diff -u "$want_err" "$got.err" | sed 's/^/      /'
	else
		sed 's/^/      stderr: /' "$got.err"
	fi
}

# 1. Fixtures.
for want in tests/lint/cases/*.out; do
	name=$(basename "$want" .out)
	base=tests/lint/cases/$name
	if [ -f "$base.args" ]; then
		read -r -a args <"$base.args" || true
	else
		args=("$name.cfg")
	fi
	if [ -f "$base.status" ]; then
		status=$(<"$base.status")
	elif [ -s "$want" ]; then
		status=1
	else
		status=0
	fi
	expect "$name" tests/lint/cases "$status" "$want" "$base.err" -- "${args[@]}"
done

# 2. The repository's own GRUB files.
: >"$out/empty"
for cfg in iso/*.cfg tests/boot/*.cfg; do
	[ -e "$cfg" ] || continue
	want=tests/lint/repo/$(basename "$cfg").out
	if [ -f "$want" ]; then
		expect "$cfg" . 1 "$want" none -- "$cfg"
	else
		expect "$cfg" . 0 "$out/empty" none -- "$cfg"
	fi
done

# 3. The hostile scenario's expectations of the hypervisor, against the linter.
scenario=tests/boot/hostile.scenario
found=$out/hostile.lines
(cd "$root" && "$lint" tests/boot/hostile.grub.cfg) | awk -F: '!seen[$2]++' |
	sed 's/^[^:]*:[0-9]*: /cloison: /' >"$found"
mapfile -t patterns < <(sed -nE 's/^(has|once)[[:space:]]+(\^cloison: partition config: .*)$/\2/p' "$scenario")
if [ ${#patterns[@]} = 0 ]; then
	fail "$scenario: no 'partition config' expectations found to compare with"
	finish
fi
ok=1
for re in "${patterns[@]}"; do
	n=$(grep -cE -- "$re" "$found")
	if [ "$n" != 1 ]; then
		echo "      $n lines of the linter match the scenario's: $re"
		ok=0
	fi
done
while IFS= read -r line; do
	hit=0
	for re in "${patterns[@]}"; do
		grep -qE -- "$re" <<<"$line" && hit=1 && break
	done
	if [ $hit = 0 ]; then
		echo "      the scenario expects no such line: $line"
		ok=0
	fi
done <"$found"
if [ $ok = 1 ]; then
	pass "$scenario: the linter finds exactly the ${#patterns[@]} refusals the boot test expects"
else
	fail "$scenario: the linter and the boot test disagree"
fi

# 4. Each boot scenario's ISO holds every file its grub.cfg names (GRUB would skip a missing
#    module without a word, and the partition would never start).
for scenario in tests/boot/*.scenario tests/boot/*/*.scenario; do
	[ -e "$scenario" ] || continue
	template=$(sed -nE 's/^template[[:space:]]+([^[:space:]]+).*/\1/p' "$scenario" | tail -n 1)
	modules=$(sed -nE 's/^modules[[:space:]]+//p' "$scenario")
	template=${template:-iso/grub.cfg}
	iso=$out/iso-root/$(basename "$scenario" .scenario)
	rm -rf "$iso"
	mkdir -p "$iso/boot/grub"
	: >"$iso/boot/cloison.elf"
	for m in $modules; do : >"$iso/boot/$(basename "$m")"; done
	missing=$("$lint" --root "$iso" "$template" | grep -E '^[^:]*:[0-9]+: (multiboot2|module2): no file ')
	if [ -z "$missing" ]; then
		pass "$scenario: its ISO holds every file $template names"
	else
		fail "$scenario: $template names files its ISO does not hold"
		sed 's/^/      /' <<<"$missing"
	fi
done

finish
