#!/bin/bash
# The diagrams of docs/diagrams/, checked (`make docs-check`, part of make
# test).  Graphviz is not needed: `make docs` renders each NAME.dot into the
# NAME.svg checked in beside it and ends the SVG with a comment giving the
# SHA-256 of the source it came from.  For each NAME.dot this checks that
#   - NAME.svg is there and was rendered from this very source;
#   - every file it names (a path with a slash and an extension) exists, every
#     name() it shows is called or defined somewhere in the sources, and every
#     other identifier with an underscore appears in them as a whole word;
#   - some page of docs/ (or the README) shows NAME.svg.
# One PASS or FAIL line per check, with the reason, and as the last line
#     docs: P passed, F failed
set -u
cd "$(dirname "$0")/.." || exit 2

. tools/tally.sh # pass, fail, $passed, $failed
# The sources a diagram may name things from: git's, new files included, or without git
# every such file outside build/.
mapfile -t srcs < <(git ls-files --cached --others --exclude-standard -- '*.c' '*.h' '*.S' \
	'*.inc' '*.ld' 2>/dev/null)
[ ${#srcs[@]} -gt 0 ] || mapfile -t srcs < <(find . -path ./build -prune -o \
	\( -name '*.[chS]' -o -name '*.inc' -o -name '*.ld' \) -print)

for dot in docs/diagrams/*.dot; do
	[ -e "$dot" ] || continue
	svg=${dot%.dot}.svg
	want=$(sha256sum <"$dot" | cut -d' ' -f1)
	if [ ! -f "$svg" ]; then
		fail "$dot: $svg is missing (make docs renders it)"
	elif ! tail -n 1 "$svg" | grep -q "^<!-- source $dot sha256 $want -->$"; then
		fail "$dot: $svg was not rendered from this source (make docs, then commit both)"
	else
		pass "$dot: $svg rendered from this source"
	fi

	# What is drawn: not the comments (//), not Graphviz's line breaks (\l, \n) or the
	# names of clusters.  A path that starts with / is one on the ISO, not in the tree.
	text=$(sed 's#^[[:space:]]*//.*##; s#\\[lnr]# #g; s#cluster_[A-Za-z0-9_]*##g' "$dot")
	bad=()
	while read -r f; do
		[ -e "$f" ] || bad+=("file $f")
	done < <(grep -oE '(^|[^A-Za-z0-9_./-])[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)+\.[A-Za-z]+' <<<"$text" |
		sed 's#^[^A-Za-z0-9_.-]##' | sort -u)
	while read -r fn; do
		grep -qE "(^|[^A-Za-z0-9_])$fn\(" "${srcs[@]}" || bad+=("function $fn()")
	done < <(grep -oE '[A-Za-z_][A-Za-z0-9_]*\(' <<<"$text" | tr -d '(' | sort -u)
	while read -r id; do
		grep -qw -- "$id" "${srcs[@]}" || bad+=("name $id")
	done < <(grep -oE '(^|[^A-Za-z0-9_./-])_?[A-Za-z][A-Za-z0-9]*_[A-Za-z0-9_]*' <<<"$text" |
		sed 's/^[^A-Za-z_]//' | sort -u)
	if [ ${#bad[@]} = 0 ]; then
		pass "$dot: every file, function and name it shows is in the tree"
	else
		fail "$dot: not in the tree: ${bad[*]}"
	fi

	if grep -qF "diagrams/$(basename "$svg")" docs/*.md README.md; then
		pass "$dot: shown in $(grep -lF "diagrams/$(basename "$svg")" docs/*.md README.md | tr '\n' ' ' | sed 's/ $//')"
	else
		fail "$dot: no page of docs/ shows $svg"
	fi
done
echo "docs: $passed passed, $failed failed"
[ "$failed" = 0 ]
