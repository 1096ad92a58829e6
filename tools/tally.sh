# The PASS and FAIL lines of the test scripts, counted: sourced by those
# that end with "NAME: P passed, F failed" (tools/docs-check.sh,
# tools/labproof.sh, tests/boot/run.sh), which print that line from
# $passed and $failed themselves.
passed=0 failed=0
pass() {
	passed=$((passed + 1))
	echo "PASS  $*"
}
fail() {
	failed=$((failed + 1))
	echo "FAIL  $*"
}
