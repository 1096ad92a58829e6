#!/bin/bash
# Grading a course lab (`make grade`, docs/labs/README.md).
#
#   tools/grade.sh [N]     grade lab N (default: the lab of this student tree, its LAB file)
#
# labs/0N-*/grade.conf says what to run: "title TEXT" once, then lines
# "check POINTS CHECK", CHECK as tools/checks.sh names it (unit PROGRAM,
# boot SCENARIO LANE, lint, layers).  The tree is built first; then each
# check runs in this tree and prints
#     PASS  10/10  unit test_mb2
#     FAIL   0/15  boot boot bochs-vmx  (why, and the log)
# and the last line is "grade: lab N: P of T points, C of K checks
# passed".  Exit status 0 when every check passed.  The logs are in
# build/grade/lab-N/.  Grading needs no VT-x: the lanes are emulators.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 2
. tools/checks.sh

lab=${1:-}
[ -z "$lab" ] && [ -f LAB ] && lab=$(cat LAB)
conf=$(ls labs/0"$lab"-*/grade.conf 2>/dev/null | head -n 1)
if ! [[ $lab =~ ^[1-9]$ ]] || [ -z "$conf" ]; then
	echo "grade: which lab?  make grade LAB=N, N one of: $(ls -d labs/0*/ | sed 's|labs/0\([0-9]\).*|\1|' | tr '\n' ' ')" >&2
	exit 2
fi
title=$(sed -n 's/^title[[:space:]]*//p' "$conf")
out=build/grade/lab-$lab
rm -rf "$out"
mkdir -p "$out"

# why LOG: one line on why a check failed, from its log and the serial logs it made.
why() {
	local hit
	hit=$(grep -ah 'not written yet' "$1" build/boot-tests/*/*.txt 2>/dev/null | head -n 1)
	[ -n "$hit" ] || hit=$(grep -aE '^(FAIL|\[  FAILED|unit: .* does not build)' "$1" | head -n 1)
	[ -n "$hit" ] || hit=$(tail -n 1 "$1")
	echo "$hit"
}

echo "grade: lab $lab: $title"
built=1
if ! make -s all >"$out/build.log" 2>&1; then
	built=0
	echo "grade: the tree does not build (the end of $out/build.log):"
	tail -n 15 "$out/build.log" | sed 's/^/    | /'
fi
rm -rf build/boot-tests # (why() reads only this run's serial logs)
got=0 total=0 passed=0 k=0
while read -r key points check; do
	[ "$key" = check ] || continue
	k=$((k + 1))
	total=$((total + points))
	log=$out/$k.log
	if [ $built = 1 ] && run_check "$root" "$check" "$log"; then
		printf '  PASS  %3s/%-3s %s\n' "$points" "$points" "$check"
		got=$((got + points)) passed=$((passed + 1))
	elif [ $built = 0 ]; then
		printf '  FAIL  %3s/%-3s %s  (the tree does not build)\n' 0 "$points" "$check"
	else
		printf '  FAIL  %3s/%-3s %s\n        %s\n        (log: %s)\n' 0 "$points" "$check" \
			"$(why "$log")" "$log"
	fi
done < <(grep -v '^[[:space:]]*#' "$conf")
echo "grade: lab $lab: $got of $total points, $passed of $k checks passed"
[ "$passed" = "$k" ]
