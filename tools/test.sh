#!/bin/bash
# The whole test suite (`make test`, which checks the host packages first):
# builds the hypervisor, runs the host unit tests (`make unit`), the tests
# of the grub.cfg linter, which also lint the tree's own GRUB files
# (`make lint-tests`), the check that each source folder includes only
# from the floors below it (`make layers`), the check that the diagrams of
# docs/ are current (`make docs-check`), the check that `make help`
# describes every target (`tools/help.sh --check`), the replay of the
# fuzzing corpus through every fuzzing harness (`make fuzz-replay`, one
# case per harness), then the boot scenarios on the emulator lanes
# (tests/boot/run.sh), and the proof that each course lab's grader fails
# its student tree on each part (tools/labproof.sh, docs/labs/README.md).
# Its last line is "N passed, N failed" over all unit cases, lint cases,
# fuzzing harnesses, boot checks and lab proofs, after a line giving the number of distinct
# checks (a boot check runs once per lane); it exits non-zero when
# anything failed.
#
#   tools/test.sh
#   make test LANES="qemu-svm bochs-vmx"    boot only these lanes
#   make test BOOT=0                        skip the boot tests
#
# LANES and BOOT may also be set in the environment.  CI uses the defaults.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 1
passed=0 failed=0 distinct=0
t0=$SECONDS
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT

section() { printf '\n==== %s\n' "$*"; }
failure() {
	echo "FAIL  $*"
	failed=$((failed + 1))
}

# count_summary PREFIX FILE STATUS WHAT: add the counts of the summary line
# "PREFIX: P passed, F failed" (the last one in FILE; make's own complaints
# may follow it) to the totals.  A missing summary, or a failing exit status
# with no failure counted, is one failure.
count_summary() {
	local last
	last=$(tr -d '\r' <"$2" | grep -aE "^$1: [0-9]+ passed, [0-9]+ failed$" | tail -n 1)
	if [[ $last =~ ^$1:\ ([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
		passed=$((passed + BASH_REMATCH[1]))
		# A unit or lint case is one check; a boot check runs on several lanes.
		if [ "$1" = boot ]; then
			local d
			d=$(tr -d '\r' <"$2" | sed -n 's/^boot: \([0-9]*\) distinct checks$/\1/p' | tail -n 1)
			distinct=$((distinct + ${d:-0}))
		else
			distinct=$((distinct + BASH_REMATCH[1] + BASH_REMATCH[2]))
		fi
		failed=$((failed + BASH_REMATCH[2]))
		if [ "$3" != 0 ] && [ "${BASH_REMATCH[2]}" = 0 ]; then
			failure "$4 exited with status $3"
		fi
	else
		failure "$4 printed no \"$1: P passed, F failed\" line (exit status $3)"
	fi
}

section "build (make all)"
built=1
if ! make -s all; then
	failure "build: make all failed"
	built=0
fi
if ! make -s linux-guest; then
	failure "build: make linux-guest failed (the Linux scenarios cannot run)"
fi

section "unit tests (make unit)"
if [ ! -f tools/unit.sh ]; then
	failure "unit: tools/unit.sh does not exist yet, so no unit test ran"
else
	make -s unit </dev/null 2>&1 | tee "$tmp"
	count_summary unit "$tmp" "${PIPESTATUS[0]}" "make unit"
fi

section "grub.cfg linter (make lint-tests)"
make -s lint-tests </dev/null 2>&1 | tee "$tmp"
count_summary lint "$tmp" "${PIPESTATUS[0]}" "make lint-tests"

section "source floors (make layers)"
make -s layers </dev/null 2>&1 | tee "$tmp"
count_summary layers "$tmp" "${PIPESTATUS[0]}" "make layers"

section "diagrams (make docs-check)"
make -s docs-check </dev/null 2>&1 | tee "$tmp"
count_summary docs "$tmp" "${PIPESTATUS[0]}" "make docs-check"

section "make help describes every target (tools/help.sh --check)"
tools/help.sh --check </dev/null 2>&1 | tee "$tmp"
count_summary help "$tmp" "${PIPESTATUS[0]}" "tools/help.sh --check"

section "fuzzing corpus replay (make fuzz-replay)"
make -s fuzz-replay </dev/null 2>&1 | tee "$tmp"
count_summary fuzz "$tmp" "${PIPESTATUS[0]}" "make fuzz-replay"

section "boot tests (tests/boot/run.sh${LANES:+, LANES=\"$LANES\"})"
if [ "${BOOT:-1}" = 0 ]; then
	echo "skipped (BOOT=0)"
elif [ "$built" = 0 ]; then
	echo "skipped: the hypervisor did not build"
else
	tests/boot/run.sh </dev/null 2>&1 | tee "$tmp"
	count_summary boot "$tmp" "${PIPESTATUS[0]}" "tests/boot/run.sh"
fi

section "course labs: each grader can fail (tools/labproof.sh)"
if [ "${BOOT:-1}" = 0 ]; then
	echo "skipped (BOOT=0: the proofs boot student trees)"
elif [ "$built" = 0 ]; then
	echo "skipped: the hypervisor did not build"
else
	tools/labproof.sh </dev/null 2>&1 | tee "$tmp"
	count_summary labs "$tmp" "${PIPESTATUS[0]}" "tools/labproof.sh"
fi

section "total ($((SECONDS - t0))s)"
echo "$distinct distinct checks (a boot check counts once, whatever the number of its lanes)"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
