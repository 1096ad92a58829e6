#!/bin/bash
# Proof that each course lab's grader can fail (part of `make test`,
# docs/labs/README.md).  For every lab (labs/0N-*/grade.conf):
#   - every check of its grader is one that make test runs on the main
#     tree (the unit program, the scenario on that lane), so the main
#     tree, which is the reference solution, passes the grader whenever
#     make test passes;
#   - its student tree (tools/lab.sh, every part missing) builds;
#   - for each part alone, a tree with only that part missing builds, and
#     one of the grader's checks fails there because of it: the check's
#     logs say that this part is "not written yet".
# Checks are tried cheapest first (unit programs, then QEMU lanes, then
# Bochs), and each part stops at its first failing check.  LAB_JOBS
# parts at once (default: the CPUs, at most 4).  The last line is
# "labs: P passed, F failed"; the trees and logs are in build/labproof/.
#
#   tools/labproof.sh [N ...]      (default: every lab)
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 2
. tools/checks.sh
out=$root/build/labproof
rm -rf "$out"
mkdir -p "$out"
. tools/tally.sh # pass, fail, $passed, $failed

# The grader's checks of conf, cheapest first: unit programs, then QEMU,
# then Bochs.  With FILE, a part's file: a part in vmx/ can only be
# reached on a VMX lane, and one in svm/ on an SVM lane, so the other
# vendor's lanes go last.
checks_by_cost() {
	sed -n 's/^check[[:space:]]\+[0-9]\+[[:space:]]\+//p' "$1" |
		awk -v file="${2:-}" '{
			c = /^unit/ ? 0 : /qemu/ ? 1 : /^boot/ ? 2 : 0
			if (file ~ /^vmx\// && /svm/) c = 9
			if (file ~ /^svm\// && /vmx/) c = 9
			print c "\t" $0
		}' | sort -s -n -k1,1 | cut -f2-
}

# prove_part N K DIR: the tree DIR (lab N, part K missing) builds, and a
# check fails because of it.  One line on stdout; status 0 when proven.
prove_part() {
	local lab=$1 k=$2 dir=$3 conf c i=0 what
	conf=$(ls "$root"/labs/0"$lab"-*/grade.conf)
	what=$(sed -n "${k}p" "$dir.parts" | awk -F'\t' '{ printf "%s:%d %s", $1, $2 + 1, $3 }')
	if ! (cd "$dir" && make -s all) >"$dir.build.log" 2>&1; then
		echo "lab $lab part $k ($what): the tree without it does not build ($dir.build.log)"
		return 1
	fi
	while read -r c; do
		i=$((i + 1))
		rm -rf "$dir/build/boot-tests"
		BOOT_JOBS=1 run_check "$dir" "$c" "$dir.check$i.log" && continue
		if cat "$dir.check$i.log" "$dir"/build/boot-tests/*/*.txt 2>/dev/null |
			grep -aqF -- "$(sed -n "${k}p" "$dir.parts" | cut -f3): not written yet"; then
			echo "lab $lab part $k ($what): caught by $c"
			return 0
		fi
		echo "lab $lab part $k ($what): $c failed, but not because of this part ($dir.check$i.log)"
		return 1
	done < <(checks_by_cost "$conf" "$(sed -n "${k}p" "$dir.parts" | cut -f1)")
	echo "lab $lab part $k ($what): every check of the grader passes without it"
	return 1
}

labs=("$@")
[ ${#labs[@]} = 0 ] && for f in labs/0*/grade.conf; do labs+=("$(basename "$(dirname "$f")" | cut -c2)"); done
jobs=${LAB_JOBS:-$(nproc 2>/dev/null || echo 2)}
[ "$jobs" -gt 4 ] && jobs=4

make -s all >/dev/null 2>&1 || echo "labproof: the main tree does not build; the proofs below cannot hold"
work=() # "N K DIR" of each part to prove
for lab in "${labs[@]}"; do
	conf=$(ls labs/0"$lab"-*/grade.conf 2>/dev/null)
	if [ -z "$conf" ]; then
		fail "lab $lab: no labs/0$lab-*/grade.conf"
		continue
	fi
	# Every check of the grader is one that make test runs.
	bad=0
	while read -r c; do
		if ! why=$(check_exists "$root" "$c"); then
			fail "lab $lab: the grader's check '$c' is not one make test runs: $why"
			bad=1
		fi
	done < <(checks_by_cost "$conf")
	[ $bad = 0 ] && pass "lab $lab: each check of its grader runs in make test on the main tree"
	if ! parts=$(tools/lab.sh --parts "$lab" 2>"$out/lab$lab.parts.err") || [ -z "$parts" ]; then
		fail "lab $lab: no part is marked, or the markers are wrong: $(head -n 1 "$out/lab$lab.parts.err")"
		continue
	fi
	# The whole student tree builds.
	if LAB_KEEP_BUILD=1 tools/lab.sh "$lab" "$out/lab$lab" >"$out/lab$lab.log" 2>&1 &&
		(cd "$out/lab$lab" && make -s all) >"$out/lab$lab.build.log" 2>&1; then
		pass "lab $lab: its student tree builds ($(grep -c . <<<"$parts") parts to write)"
	else
		fail "lab $lab: its student tree does not build ($out/lab$lab.log, $out/lab$lab.build.log)"
	fi
	rm -rf "$out/lab$lab"
	n=$(grep -c . <<<"$parts")
	for ((k = 1; k <= n; k++)); do
		dir=$out/lab$lab-part$k
		LAB_ONLY=$k LAB_KEEP_BUILD=1 tools/lab.sh "$lab" "$dir" >"$dir.log" 2>&1 ||
			{ fail "lab $lab part $k: tools/lab.sh failed ($dir.log)"; continue; }
		printf '%s\n' "$parts" >"$dir.parts" # (prove_part reads its line K)
		work+=("$lab $k $dir")
	done
done

# The parts, LAB_JOBS at a time.
running=0
for w in "${work[@]}"; do
	read -r lab k dir <<<"$w"
	# (A tree whose proof failed is kept for a look.)
	(prove_part "$lab" "$k" "$dir" >"$dir.result" && echo ok >>"$dir.result" && rm -rf "$dir") &
	running=$((running + 1))
	if [ $running -ge "$jobs" ]; then
		wait -n
		running=$((running - 1))
	fi
done
wait
for w in "${work[@]}"; do
	read -r lab k dir <<<"$w"
	if [ "$(tail -n 1 "$dir.result" 2>/dev/null)" = ok ]; then
		pass "$(head -n 1 "$dir.result")"
	else
		fail "$(head -n 1 "$dir.result" 2>/dev/null || echo "lab $lab part $k: no result")"
	fi
done
echo "labs: $passed passed, $failed failed"
[ $failed = 0 ]
