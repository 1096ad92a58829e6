#!/bin/bash
# Fuzzing of the parsers fed from outside the hypervisor, and of the
# hypercall arguments a guest passes in its registers (tests/fuzz/):
#
#   tools/fuzz.sh run [NAME...]     `make fuzz`: each harness FUZZ_S seconds
#                                   (default 60) with libFuzzer
#   tools/fuzz.sh replay [NAME...]  `make fuzz-replay` (and `make test`):
#                                   the checked-in corpus, no clang needed
#   tools/fuzz.sh merge [NAME...]   `make fuzz-merge`: minimise the corpus
#                                   with what `run` found
#
# Every tests/fuzz/fuzz_NAME.c is one harness.  Lines of their own
#     /* fuzz-sources: kernel/mb2.c tests/fuzz/console.c lib/format.c */
# name the sources it is linked with.  As in tools/unit.sh they are the
# tree's own files, and lib/lib.c is compiled with -fno-builtin and
# renames (-Dmemset=k_memset, ...) so that it does not replace libc's
# functions in a host program; the others use libc's, which the
# sanitizers watch.
#
# run: clang with -fsanitize=fuzzer,address,undefined, corpus
# tests/fuzz/corpus/NAME (read only) plus build/fuzz/work/NAME (where new
# inputs go), crash reproducers in build/fuzz/crashes/NAME/.  Prints per
# harness the executions, libFuzzer's coverage (cov: edges, ft:
# features), the corpus size and the crashes.  FUZZ_ARGS adds libFuzzer
# options (e.g. FUZZ_ARGS=-max_len=16384).  Exit status 1 if a harness
# crashed.
#
# replay: the host cc (HOSTCC) with tests/fuzz/replay.c as main(), and
# with AddressSanitizer and UBSan when this compiler can build and run
# them (FUZZ_SANITIZE=0 turns them off).  One case per harness: it passes
# when every file of its corpus passes.  Last line exactly
#     fuzz: P passed, F failed
#
# merge: libFuzzer's -merge=1 into a fresh directory, which then replaces
# tests/fuzz/corpus/NAME.  It counts edges only (-use_counters=0, not how
# often each runs), so the checked-in corpus keeps about one small input
# per code edge reached and stays small; the fuller corpus of a run stays
# in build/fuzz/work/NAME.  Files named seed-* (the real inputs of
# tests/fuzz/seeds.sh) and repro-* (reproducers of bugs found, named
# after them) are kept as they are, and the merge adds only what they do
# not reach.
set -u
cd "$(dirname "$0")/.." || exit 2

mode=${1:-}
shift
out=build/fuzz
renames=()
for f in memset memcpy memmove memcmp strlen strnlen strcmp strncmp; do
	renames+=("-D$f=k_$f")
done

names=("$@")
if [ ${#names[@]} = 0 ]; then
	for h in tests/fuzz/fuzz_*.c; do
		[ -e "$h" ] && names+=("$(basename "$h" .c | sed 's/^fuzz_//')")
	done
fi

# build CC DIR FLAGS... -- NAME EXTRA_SOURCES...: link build/fuzz/DIR/fuzz_NAME.
build() {
	local cc=$1 dir=$out/$2
	shift 2
	local flags=()
	while [ "$1" != -- ]; do
		flags+=("$1")
		shift
	done
	shift
	local name=$1
	shift
	local harness=tests/fuzz/fuzz_$name.c objs=() src obj
	if [ ! -f "$harness" ]; then
		echo "fuzz: no harness $harness" >&2
		return 1
	fi
	local sources
	sources=$(sed -n 's|^/\* fuzz-sources: \(.*\) \*/$|\1|p' "$harness")
	for src in "$harness" $sources "$@"; do
		obj=$dir/obj/$name/${src%.c}.o
		mkdir -p "$(dirname "$obj")"
		if [ "$src" = lib/lib.c ]; then
			"$cc" "${flags[@]}" -fno-builtin "${renames[@]}" -c -o "$obj" "$src" || return 1
		else
			"$cc" "${flags[@]}" -c -o "$obj" "$src" || return 1
		fi
		objs+=("$obj")
	done
	"$cc" "${flags[@]}" -o "$dir/fuzz_$name" "${objs[@]}"
}

common=(-std=gnu11 -g -O1 -I. -Wall -Wextra -Werror -Wmissing-prototypes -Wshadow
	-fno-omit-frame-pointer -DCLOISON_HOST_TEST)

# ---- replay ------------------------------------------------------------------
replay() {
	local cc=${HOSTCC:-cc} flags=("${common[@]}") passed=0 failed=0 name
	if [ "${FUZZ_SANITIZE:-1}" != 0 ]; then
		local san=(-fsanitize=address,undefined -fno-sanitize-recover=all)
		mkdir -p "$out"
		echo 'int main(void) { return 0; }' >"$out/probe.c"
		if "$cc" "${san[@]}" -o "$out/probe" "$out/probe.c" 2>/dev/null &&
			ASAN_OPTIONS=detect_leaks=0 "$out/probe" 2>/dev/null; then
			flags+=("${san[@]}")
		else
			echo "fuzz: no AddressSanitizer/UBSan with $cc here; replaying without them"
		fi
	fi
	# Leak checking needs ptrace, which containers often forbid (as tools/unit.sh).
	export ASAN_OPTIONS=detect_leaks=0
	export UBSAN_OPTIONS=print_stacktrace=1
	# The harnesses build side by side (each in its own folder), then replay one by one.
	local -A builder
	mkdir -p "$out/replay"
	for name in "${names[@]}"; do
		build "$cc" replay "${flags[@]}" -- "$name" tests/fuzz/replay.c \
			>"$out/replay/build_$name.log" 2>&1 &
		builder[$name]=$!
	done
	for name in "${names[@]}"; do
		if ! wait "${builder[$name]}"; then
			cat "$out/replay/build_$name.log"
			echo "FAIL  fuzz_$name: does not build"
			failed=$((failed + 1))
		elif timeout 120 "$out/replay/fuzz_$name" "tests/fuzz/corpus/$name"; then
			passed=$((passed + 1))
		else
			echo "FAIL  fuzz_$name: its corpus does not replay cleanly"
			failed=$((failed + 1))
		fi
	done
	echo "fuzz: $passed passed, $failed failed"
	[ $failed = 0 ]
}

# ---- run and merge (libFuzzer) -------------------------------------------------
libfuzzer_flags=("${common[@]}" -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all)

need_libfuzzer() {
	local cc=${FUZZ_CC:-clang}
	if ! command -v "$cc" >/dev/null; then
		echo "fuzz: $cc is missing (Debian: apt-get install clang libclang-rt-dev)" >&2
		exit 1
	fi
	mkdir -p "$out"
	printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
		'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);' \
		'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }' \
		>"$out/probe-fuzzer.c"
	if ! "$cc" -fsanitize=fuzzer,address,undefined -o "$out/probe-fuzzer" \
		"$out/probe-fuzzer.c" 2>/dev/null; then
		echo "fuzz: $cc cannot link -fsanitize=fuzzer,address,undefined" \
			"(Debian: apt-get install libclang-rt-dev)" >&2
		exit 1
	fi
}

# The last value of a libFuzzer status field ("cov: 123") in a log.
field() {
	grep -aoE "$1: [0-9]+" "$2" | tail -n 1 | awk '{ print $2 }'
}

run() {
	local cc=${FUZZ_CC:-clang} secs=${FUZZ_S:-60} status=0 name log crashes runs
	need_libfuzzer
	for name in "${names[@]}"; do
		build "$cc" libfuzzer "${libfuzzer_flags[@]}" -- "$name" || exit 1
	done
	for name in "${names[@]}"; do
		local work=$out/work/$name art=$out/crashes/$name
		mkdir -p "$work" "$art" "tests/fuzz/corpus/$name"
		log=$out/fuzz_$name.log
		echo "== fuzz_$name: $secs s"
		# shellcheck disable=SC2086 # FUZZ_ARGS is a list of options
		"$out/libfuzzer/fuzz_$name" -max_total_time="$secs" -print_final_stats=1 \
			-artifact_prefix="$art/" ${FUZZ_ARGS:-} "$work" "tests/fuzz/corpus/$name" \
			>"$log" 2>&1
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
		crashes=$(find "$art" -type f | wc -l)
		printf 'fuzz_%s: %s executions, cov: %s ft: %s, corpus %s checked in + %s in %s, crashes: %s\n' \
			"$name" "${runs:-?}" "$(field cov "$log")" "$(field ft "$log")" \
			"$(find "tests/fuzz/corpus/$name" -type f | wc -l)" \
			"$(find "$work" -type f | wc -l)" "$work" "$crashes"
		if [ "$crashes" != 0 ]; then
			find "$art" -type f | sed 's/^/  reproducer: /'
			grep -a -m 1 -E 'ERROR|invariant broken|runtime error' "$log" | sed 's/^/  /'
			echo "  log: $log"
			status=1
		fi
	done
	return $status
}

merge() {
	local cc=${FUZZ_CC:-clang} name
	need_libfuzzer
	for name in "${names[@]}"; do
		build "$cc" libfuzzer "${libfuzzer_flags[@]}" -- "$name" || exit 1
	done
	for name in "${names[@]}"; do
		local corpus=tests/fuzz/corpus/$name new=$out/merged/$name
		rm -rf "$new"
		mkdir -p "$new" "$out/work/$name" "$corpus"
		find "$corpus" -maxdepth 1 -type f \( -name 'seed-*' -o -name 'repro-*' \) \
			-exec cp {} "$new/" \;
		"$out/libfuzzer/fuzz_$name" -merge=1 -use_counters=0 "$new" "$corpus" "$out/work/$name" \
			>"$out/merge_$name.log" 2>&1 || {
			echo "fuzz: merging $name failed; see $out/merge_$name.log" >&2
			exit 1
		}
		find "$corpus" -maxdepth 1 -type f -delete
		cp "$new"/* "$corpus/"
		echo "fuzz_$name: corpus $(find "$corpus" -type f | wc -l) inputs," \
			"$(cat "$corpus"/* | wc -c) bytes"
	done
}

case $mode in
run) run ;;
replay) replay ;;
merge) merge ;;
*)
	echo "usage: tools/fuzz.sh run|replay|merge [NAME...]" >&2
	exit 2
	;;
esac
