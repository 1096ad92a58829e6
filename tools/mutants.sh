#!/bin/bash
# Mutation testing (`make mutants`): proof that the tests can fail.  Each
# file tests/mutants/*.mut describes one deliberate breakage of cloison
# and the fast checks that must notice it.  For each mutant this script
# copies the tree (tracked and new files, not build/) to a scratch
# folder, applies the breakage, builds, runs the checks there, and prints
#     caught  NAME  (by: the first check that failed)
# or
#     MISSED  NAME  (every check passed)
# Its last line is "mutants: C caught, M missed"; it exits non-zero when a
# mutant is missed, a breakage no longer applies, or a mutant does not
# build (a mutant that does not build proves nothing: fix the mutant).
#
#   tools/mutants.sh [NAME ...]        (default: every tests/mutants/*.mut)
#
# A .mut file:
#     # what the breakage is, and why a test must notice it
#     file: kernel/exit.c
#     check: unit test_cr              (one cmocka program of tests/unit)
#     check: boot crash qemu-svm       (a scenario, on these lanes)
#     check: lint                      (make lint-tests)
#     check: layers                    (make layers)
#     --- from
#     exact lines of the file, once
#     --- to
#     what they become
# Several check lines may be given; the mutant is caught when any fails.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 2
scratch=$(mktemp -d /tmp/cloison-mutants.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
caught=0 missed=0 broken=0

if [ $# -gt 0 ]; then
	files=()
	for n in "$@"; do files+=("tests/mutants/${n%.mut}.mut"); done
else
	files=(tests/mutants/*.mut)
fi

# parse FILE: set M_FILE, M_FROM, M_TO and the array M_CHECKS.
parse() {
	local line part=''
	M_FILE='' M_FROM='' M_TO='' M_CHECKS=()
	while IFS= read -r line || [ -n "$line" ]; do
		case $part:$line in
		*:'--- from') part=from ;;
		*:'--- to') part=to ;;
		from:*) M_FROM+=$line$'\n' ;;
		to:*) M_TO+=$line$'\n' ;;
		:file:*) M_FILE=${line#file: } ;;
		:check:*) M_CHECKS+=("${line#check: }") ;;
		esac
	done <"$1"
	[ -n "$M_FILE" ] && [ -n "$M_FROM" ] && [ ${#M_CHECKS[@]} -gt 0 ]
}

. tools/checks.sh # run_check

for f in "${files[@]}"; do
	name=$(basename "$f" .mut)
	if ! parse "$f"; then
		echo "BROKEN  $name  (needs file:, check: and --- from)"
		broken=$((broken + 1))
		continue
	fi
	dir=$scratch/$name
	mkdir -p "$dir"
	git ls-files -co --exclude-standard -z | grep -zv '^build/' | xargs -0 cp --parents -t "$dir"
	# The exact text, once; perl ships with every Debian (perl-base is essential).
	if ! FROM=$M_FROM TO=$M_TO perl -0777 -i -e '
		my $s = do { local $/; <> }; my $n = () = $s =~ /\Q$ENV{FROM}\E/g;
		die "found $n times\n" unless $n == 1;
		$s =~ s/\Q$ENV{FROM}\E/$ENV{TO}/; print $s;' "$dir/$M_FILE" 2>"$dir/apply.log"; then
		echo "BROKEN  $name  (the breakage no longer applies to $M_FILE: $(cat "$dir/apply.log"))"
		broken=$((broken + 1))
		rm -rf "$dir"
		continue
	fi
	if ! (cd "$dir" && make -s all) >"$dir/build.log" 2>&1; then
		echo "BROKEN  $name  (does not build; see the end below)"
		tail -n 5 "$dir/build.log" | sed 's/^/    | /'
		broken=$((broken + 1))
		rm -rf "$dir"
		continue
	fi
	by=''
	for c in "${M_CHECKS[@]}"; do
		if ! run_check "$dir" "$c" "$dir/check.log"; then
			by=$c
			break
		fi
	done
	if [ -n "$by" ]; then
		echo "caught  $name  (by: $by)"
		caught=$((caught + 1))
	else
		echo "MISSED  $name  (every check passed: ${M_CHECKS[*]})"
		missed=$((missed + 1))
	fi
	rm -rf "$dir"
done
echo "mutants: $caught caught, $((missed + broken)) missed"
[ $missed = 0 ] && [ $broken = 0 ]
