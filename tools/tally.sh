# The PASS and FAIL lines of the test scripts, counted: sourced by those
# that end with "NAME: P passed, F failed" (tools/docs-check.sh,
# tools/labproof.sh, tools/soak.sh, tests/boot/run.sh, tests/lint/run.sh),
# which print that line from $passed and $failed themselves.  A script may
# set tally_prefix, which then starts the text of each line ("lint: ").
passed=0 failed=0 tally_prefix=''
pass() {
	passed=$((passed + 1))
	echo "PASS  $tally_prefix$*"
}
fail() {
	failed=$((failed + 1))
	echo "FAIL  $tally_prefix$*"
}
