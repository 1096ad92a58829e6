# One check of the tree, by name: shared by tools/mutants.sh (does a
# breakage get caught?), tools/grade.sh (does a student's lab pass?) and
# tools/labproof.sh (does each lab's grader fail the student tree?).
# Sourced, not run.  A check is one of
#     unit PROGRAM          one cmocka program of tests/unit (e.g. unit test_cr)
#     boot SCENARIO LANES   a boot scenario (tests/boot/SCENARIO.scenario) on these
#                           lanes (default qemu-svm)
#     lint                  make lint-tests
#     layers                make layers
#
# run_check DIR CHECK LOG: run CHECK in the tree DIR, its output in LOG;
# status 0 when it passes, 1 when it fails, 2 when CHECK is not a check.
run_check() {
	local dir=$1 kind=${2%% *} rest=${2#* } log=$3
	case $kind in
	unit) (cd "$dir" && UNIT_TESTS=$rest tools/unit.sh) >"$log" 2>&1 ;;
	lint) (cd "$dir" && make -s lint-tests) >"$log" 2>&1 ;;
	layers) (cd "$dir" && tools/layers.sh) >"$log" 2>&1 ;;
	boot)
		local scenario=${rest%% *} lanes=${rest#* }
		[ "$lanes" = "$rest" ] && lanes=qemu-svm
		(cd "$dir" && LANES=$lanes BOOT_JOBS=${BOOT_JOBS:-2} tests/boot/run.sh "$scenario") >"$log" 2>&1
		;;
	*)
		echo "unknown check '$2' (unit PROGRAM, boot SCENARIO LANES, lint or layers)" >"$log"
		return 2
		;;
	esac || return 1
}

# check_exists DIR CHECK: is CHECK a check that the tree DIR has (the
# program, the scenario and each lane it names)?  Says why not on stdout.
check_exists() {
	local dir=$1 kind=${2%% *} rest=${2#* }
	case $kind in
	unit) [ -f "$dir/tests/unit/$rest.c" ] || { echo "no tests/unit/$rest.c"; return 1; } ;;
	lint | layers) [ "$rest" = "$kind" ] || { echo "'$kind' takes no argument"; return 1; } ;;
	boot)
		local scenario=${rest%% *} lanes=${rest#* } lane want
		[ -f "$dir/tests/boot/$scenario.scenario" ] || { echo "no tests/boot/$scenario.scenario"; return 1; }
		[ "$lanes" = "$rest" ] && lanes=qemu-svm
		want=$(sed -n 's/^lanes[[:space:]]*//p' "$dir/tests/boot/$scenario.scenario")
		for lane in $lanes; do
			[[ " $want " == *" $lane "* ]] ||
				{ echo "$scenario does not run on $lane in make test (its lanes: $want)"; return 1; }
		done
		;;
	*) echo "unknown check '$2'"; return 1 ;;
	esac
}
