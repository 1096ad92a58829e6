#!/bin/bash
# Build and run cloison's host unit tests (`make unit`): the pure parts of
# the hypervisor, compiled from the tree's own sources for this machine
# and checked with cmocka.
#
# Every tests/unit/test_*.c is one cmocka program.  A line of its own
#     /* unit-sources: kernel/mb2.c drivers/acpi_tables.c */
# names the sources it tests.  Those are compiled as they are in the tree
# (no copies) with the host cc and -DCLOISON_HOST_TEST, and linked with
# tests/unit/stub_console.c (a console that captures klog() lines,
# formatted by the real lib/format.c) and with libcmocka.
#
# lib/lib.c defines memset, memcpy, strlen, ... under their standard
# names (GCC emits calls to some of them by itself).  Linked into a host
# program they would replace libc's own functions for the whole process,
# cmocka and libc included.  So: the pure modules simply use libc's
# functions on the host (same contracts), and lib/lib.c is linked
# only into a test that lists it, compiled with -fno-builtin and renames
# (-Dmemset=k_memset, ...).  That test file gets the same renames, so it
# calls and checks the kernel's own versions under the k_ names, and
# parse_u64() keeps its name.
#
# When the compiler can build and run with AddressSanitizer and UBSan
# (UNIT_SANITIZE=0 turns this off), everything is built with them, so an
# out-of-bounds read in a parser fails its test even when its result
# looks right.
#
# UNIT_TESTS="test_cr test_insn" runs only those programs (tools/mutants.sh).
#
# Output: cmocka's own, then as the last line exactly
#     unit: P passed, F failed
# counting test cases over all programs; a program that does not build,
# crashes or hangs counts as at least one failure.  Exit status 1 if F > 0.
set -u
cd "$(dirname "$0")/.." || exit 2

cc=${HOSTCC:-cc}
out=build/unit
# -pthread: tests/unit/test_spsc.c runs a producer and a consumer thread.
cflags=(-DCLOISON_HOST_TEST -I. -std=gnu11 -Wall -Wextra -Werror -g -pthread)
# A course lab's student tree (tools/lab.sh): what a missing part leaves unused is no error.
[ -f LAB ] && cflags+=(-Wno-unused-parameter -Wno-unused-function -Wno-unused-variable
	-Wno-unused-but-set-variable)
renames=()
for f in memset memcpy memmove memcmp strlen strnlen strcmp strncmp; do
	renames+=("-D$f=k_$f")
done
always=(tests/unit/stub_console.c lib/format.c)
mkdir -p "$out"

# Sanitizers, if this compiler and machine can run them.
if [ "${UNIT_SANITIZE:-1}" != 0 ]; then
	san=(-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
	echo 'int main(void) { return 0; }' >"$out/probe.c"
	if "$cc" "${san[@]}" -o "$out/probe" "$out/probe.c" 2>/dev/null &&
		ASAN_OPTIONS=detect_leaks=0 "$out/probe" 2>/dev/null; then
		cflags+=("${san[@]}")
	else
		echo "unit: no AddressSanitizer/UBSan here; building without them"
	fi
fi
# Leak checking needs ptrace, which containers often forbid; leaks are
# not what these tests look for.
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1

# compile SOURCE [EXTRA FLAGS...]: object path on stdout, or failure.
compile() {
	local src=$1 obj=$out/obj/${1%.c}.o
	shift
	mkdir -p "$(dirname "$obj")"
	"$cc" "${cflags[@]}" "$@" -c -o "$obj" "$src" >&2 || return 1
	echo "$obj"
}

passed=0 failed=0
for test in tests/unit/test_*.c; do
	[ -e "$test" ] || continue
	name=$(basename "$test" .c)
	if [ -n "${UNIT_TESTS:-}" ] && [[ " $UNIT_TESTS " != *" $name "* ]]; then
		continue
	fi
	bin=$out/$name
	sources=$(sed -n 's|^/\* unit-sources: \(.*\) \*/$|\1|p' "$test")
	echo "== $name (${sources:-no sources listed})"

	objs=() ok=1 test_flags=()
	for src in $(printf '%s\n' $sources "${always[@]}" | awk '!seen[$0]++'); do
		if [ "$src" = lib/lib.c ]; then
			obj=$(compile "$src" -fno-builtin "${renames[@]}") || ok=0
			test_flags=(-fno-builtin "${renames[@]}")
		else
			obj=$(compile "$src") || ok=0
		fi
		objs+=("$obj")
	done
	if [ $ok = 1 ]; then
		obj=$(compile "$test" "${test_flags[@]}") || ok=0
		objs+=("$obj")
	fi
	if [ $ok = 1 ]; then
		"$cc" "${cflags[@]}" -o "$bin" "${objs[@]}" -lcmocka || ok=0
	fi
	if [ $ok = 0 ]; then
		echo "unit: $name does not build"
		failed=$((failed + 1))
		continue
	fi

	# cmocka prints "[==========] Running N test(s)." then one
	# "[       OK ]" line per passing case.
	timeout 60 "$bin" 2>&1 | tee "$out/$name.log"
	status=${PIPESTATUS[0]}
	ran=$(sed -n 's/^\[==========\] Running \([0-9]*\) test(s)\./\1/p' "$out/$name.log" |
		awk '{ n += $1 } END { print n + 0 }')
	ok_cases=$(grep -c '^\[       OK \]' "$out/$name.log")
	skipped=$(sed -n 's/^\[  SKIPPED \] \([0-9]*\) test(s), listed below:/\1/p' "$out/$name.log" |
		awk '{ n += $1 } END { print n + 0 }')
	bad=$((ran - ok_cases - skipped))
	if [ "$status" != 0 ] && [ $bad -le 0 ]; then
		echo "unit: $name exited with status $status"
		bad=1
	fi
	[ $bad -lt 0 ] && bad=0
	passed=$((passed + ok_cases))
	failed=$((failed + bad))
done

echo "unit: $passed passed, $failed failed"
[ $failed = 0 ]
