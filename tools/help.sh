#!/bin/bash
# `make help`: print the Makefile's header comment, which names each
# target on one line ("#   make TARGET  what it does") and then the
# variables.  That header is the one list of targets; with --check (run by
# tools/test.sh) this script proves that it stays one: every target of
# the Makefile's .PHONY list has exactly one line there, and every line
# names a .PHONY target.  One PASS or FAIL line, then
#     help: P passed, F failed
#
#   tools/help.sh [--check] [MAKEFILE]
set -u
cd "$(dirname "$0")/.." || exit 2
check=0
if [ "${1:-}" = --check ]; then
	check=1
	shift
fi
makefile=${1:-Makefile}

# The header from its first target's line to the last comment line before
# the first line that is not one.
header() {
	sed -n '/^#   make /,${/^#/!q;s/^# \{0,1\}//;p}' "$makefile"
}
# The targets the header describes, one a line.
described() {
	header | sed -n 's/^  make \([a-z][a-z0-9-]*\) .*/\1/p'
}
# The .PHONY targets, continuation lines included, one a line.
phony() {
	sed -n '/^\.PHONY:/{:more;/\\$/{N;b more};s/^\.PHONY://;s/\\\n//g;p}' "$makefile" |
		tr -s ' \t' '\n' | sed '/^$/d'
}

if [ "$check" = 0 ]; then
	header
	exit 0
fi

why=()
missing=$(comm -23 <(phony | sort -u) <(described | sort -u))
extra=$(comm -13 <(phony | sort -u) <(described | sort -u))
twice=$(described | sort | uniq -d)
[ -z "$missing" ] || why+=("not described: $(echo $missing)")
[ -z "$extra" ] || why+=("described but not .PHONY: $(echo $extra)")
[ -z "$twice" ] || why+=("described twice: $(echo $twice)")
if [ ${#why[@]} = 0 ] && [ -n "$(phony)" ]; then
	echo "PASS  help: the header of $makefile describes each of its $(phony | sort -u | wc -l) .PHONY targets once"
	echo "help: 1 passed, 0 failed"
	exit 0
fi
[ -n "$(phony)" ] || why+=("no .PHONY line found")
echo "FAIL  help: $makefile: ${why[*]}"
echo "help: 0 passed, 1 failed"
exit 1
