#!/bin/bash
# The course labs' student trees (`make lab`, docs/labs/README.md).
#
#   tools/lab.sh N [DIR]         write lab N's student tree to DIR (default build/lab-N)
#   tools/lab.sh --parts N       list lab N's parts: "FILE<TAB>LINE<TAB>WHAT", one a line
#
# A part is code between two marker lines in the source, each a C comment
# alone on its line (C and assembly alike):
#     /* lab N: what the part does */
#     /* lab N: end */
# The student tree is this tree (its tracked and new files, not build/)
# with the code of each part of lab N replaced by one LAB_TODO("what the
# part does") (lib/lab.h; in assembly, LAB_TODO "what", boot/lab.inc), the
# markers kept.  It builds, and stops cleanly where a missing part is
# reached.  Its root gets a file LAB holding N: the build then tolerates
# what a missing part leaves unused (Makefile, tools/unit.sh), and `make
# grade` grades lab N.  Where git is installed the tree is a repository
# with one commit.
#
# For tools/labproof.sh: LAB_ONLY=K stubs the Kth part alone, and
# LAB_KEEP_BUILD=1 copies build/ too, so that only what changed is rebuilt.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 2

# The tree's source files that may hold parts.
sources() {
	git ls-files -co --exclude-standard -- '*.c' '*.h' '*.S' | grep -v '^build/' | grep -v '^lib/lab.h$'
}

# parts N: list lab N's parts; check every marker of every lab on the way
# (an end without a start, a start inside a part, a part left open).
parts() {
	sources | xargs awk -v lab="$1" '
		function fail(why) { printf "lab: %s:%d: %s\n", FILENAME, FNR, why > "/dev/stderr"; bad = 1 }
		FNR == 1 && open { fail("part \"" title "\" is never closed"); open = 0 }
		/^[ \t]*\/\* lab [0-9]+: .* \*\/[ \t]*$/ {
			s = $0
			sub(/^[ \t]*\/\* lab /, "", s)
			sub(/ \*\/[ \t]*$/, "", s)
			n = s; sub(/:.*/, "", n)
			what = s; sub(/^[0-9]+: /, "", what)
			if (what == "end") {
				if (!open) fail("\"lab " n ": end\" closes no part")
				else if (n != opened) fail("\"lab " n ": end\" closes a part of lab " opened)
				open = 0
				next
			}
			if (open) fail("a part starts inside part \"" title "\"")
			open = 1; opened = n; title = what
			if (n == lab) printf "%s\t%d\t%s\n", FILENAME, FNR, what
		}
		END {
			if (open) fail("part \"" title "\" is never closed")
			exit bad
		}'
}

# stub FILE LINES...: replace the code of the parts that start at these
# lines of FILE (the tree's copy) with LAB_TODO.
stub() {
	local file=$1
	shift
	awk -v lines=" $* " -v asm="$([[ $file == *.S ]] && echo 1)" '
		index(lines, " " FNR " ") {
			print
			indent = $0; sub(/[^ \t].*/, "", indent)
			what = $0; sub(/^[ \t]*\/\* lab [0-9]+: /, "", what); sub(/ \*\/[ \t]*$/, "", what)
			gsub(/"/, "\\\"", what)
			if (asm) print indent "LAB_TODO \"" what "\""
			else print indent "LAB_TODO(\"" what "\");"
			skip = 1
			next
		}
		skip && /^[ \t]*\/\* lab [0-9]+: end \*\/[ \t]*$/ { skip = 0 }
		!skip' "$file" >"$file.lab" && mv "$file.lab" "$file"
	# LAB_TODO's declaration (C) or macro (assembly), before the file's first #include.
	local inc='lib\/lab.h'
	[[ $file == *.S ]] && inc='boot\/lab.inc'
	sed -i "0,/^#include /s//#include \"$inc\"\n#include /" "$file"
}

if [ "${1:-}" = --parts ]; then
	[ $# = 2 ] || { echo "usage: tools/lab.sh --parts N" >&2; exit 2; }
	parts "$2"
	exit
fi

lab=${1:-}
folder=$(ls -d labs/0"$lab"-*/ 2>/dev/null | head -n 1)
if ! [[ $lab =~ ^[1-9]$ ]] || [ -z "$folder" ]; then
	echo "lab: no lab '$lab'; the labs are:" >&2
	for f in labs/0*/grade.conf; do
		printf '  %s  %s\n' "$(basename "$(dirname "$f")" | cut -c2)" \
			"$(sed -n 's/^title[[:space:]]*//p' "$f")" >&2
	done
	echo "usage: make lab LAB=N [DIR=path]" >&2
	exit 2
fi
dir=${2:-build/lab-$lab}
title=$(sed -n 's/^title[[:space:]]*//p' "$folder/grade.conf")
if [ -e "$dir" ] && [ -n "$(ls -A "$dir" 2>/dev/null)" ]; then
	echo "lab: $dir exists and is not empty; remove it or give another DIR=" >&2
	exit 2
fi
list=$(parts "$lab") || exit 2
if [ -z "$list" ]; then
	echo "lab: lab $lab has no part marked in the source" >&2
	exit 2
fi
if [ -n "${LAB_ONLY:-}" ]; then
	list=$(sed -n "${LAB_ONLY}p" <<<"$list")
	[ -n "$list" ] || { echo "lab: lab $lab has no part $LAB_ONLY" >&2; exit 2; }
fi

mkdir -p "$dir" || exit 2
sources >/dev/null # (fails early outside a git checkout)
git ls-files -co --exclude-standard -z | grep -zv '^build/' | xargs -0 cp -p --parents -t "$dir" || exit 2
# (The objects, with their times, but not the logs, Linux or the ISOs.  The
# sources keep their times too, cp -p: only the stubbed files are newer
# than their objects, so only they are compiled again.)
[ "${LAB_KEEP_BUILD:-0}" = 1 ] && [ -d build ] &&
	tar -cf - --exclude=build/boot-tests --exclude=build/linux --exclude=build/fuzz \
		--exclude=build/soak --exclude=build/grade --exclude=build/labproof \
		--exclude='build/lab-*' --exclude='build/*.iso' build | tar -C "$dir" -xf -
for file in $(cut -f1 <<<"$list" | sort -u); do
	# shellcheck disable=SC2046 # (one line number a word)
	stub "$dir/$file" $(awk -F'\t' -v f="$file" '$1 == f { print $2 }' <<<"$list")
done
echo "$lab" >"$dir/LAB"

if command -v git >/dev/null && [ "${LAB_KEEP_BUILD:-0}" != 1 ]; then
	(cd "$dir" && git init -q && git add -A &&
		git -c user.name=cloison -c user.email=labs@cloison.invalid \
			commit -q -m "lab $lab: $title (the student tree)") ||
		echo "lab: could not make $dir a git repository; the files are there" >&2
fi
echo "lab $lab ($title): the student tree is in $dir"
echo "the parts to write, each marked \"lab $lab: ...\" in the source:"
awk -F'\t' '{ printf "  %s:%d  %s\n", $1, $2 + 1, $3 }' <<<"$list"
name=$(basename "$folder")
echo "the handout: docs/labs/$name.en.md (en français : docs/labs/$name.fr.md)"
echo "then: cd $dir && make grade"
