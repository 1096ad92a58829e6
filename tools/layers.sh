#!/bin/bash
# The floors of the source tree, checked (`make layers`, part of make test).
# Each folder may include headers only from the folders listed for it, so
# that calls go down, never up, and no two folders import each other:
#
#   vmx/ svm/        the vendor backends, on top
#   kernel/          policy: partitions, scheduling, exits, hypercalls, consoles
#   drivers/ vdev/   the host's devices and the partitions' devices, side by side
#   lib/             the ground: types, x86 instructions, helpers, the log
#   boot/            constants of the boot code (and the assembly itself)
#
# A new folder needs a line below.  One PASS or FAIL per folder, a FAIL line
# per include that breaks the rule.
#
# Inside a floor the same holds between modules (a .c file and its header,
# named by their path without the extension): no module includes one that
# includes it back, directly or through others.  tsort(1) finds such a
# circle; a FAIL line names its modules.  The last line is
#     layers: P passed, F failed
set -u
cd "$(dirname "$0")/.." || exit 2

declare -A may=(
	[boot]="boot"
	[lib]="lib boot"
	[drivers]="drivers lib boot"
	[vdev]="vdev lib"
	[kernel]="kernel drivers vdev lib boot"
	[vmx]="vmx kernel drivers vdev lib boot"
	[svm]="svm kernel drivers vdev lib boot"
)
floors="boot lib drivers vdev kernel vmx svm"

# The source files of folder $1.
sources() {
	local f
	for f in "$1"/*.[chS] "$1"/*.inc; do
		[ -e "$f" ] && echo "$f"
	done
}

# The project headers file $1 includes, one "LINE:folder/name.h" each.
includes() {
	sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([a-z0-9_]*\/[^"]*\)".*/\1/p;=' "$1" |
		sed -n '/^[0-9]*$/{h;d};{x;G;s/\n/:/;p}'
}

passed=0
failed=0
for dir in $floors; do
	bad=0
	for f in $(sources "$dir"); do
		while IFS=: read -r line inc; do
			to=${inc%%/*}
			case " ${may[$dir]} " in
			*" $to "*) ;;
			*)
				echo "FAIL  $f:$line includes $inc: $dir/ may include only ${may[$dir]}"
				bad=1
				;;
			esac
		done < <(includes "$f")
	done
	if [ "$bad" = 0 ]; then
		echo "PASS  $dir/ includes only from: ${may[$dir]}"
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
	fi
done

# Every include between two modules, as "from to" pairs, for tsort.
edges() {
	local dir f m inc
	for dir in $floors; do
		for f in $(sources "$dir"); do
			m=${f%.*}
			echo "$m $m"
			includes "$f" | while IFS=: read -r _ inc; do
				[ "${inc%.*}" = "$m" ] || echo "$m ${inc%.*}"
			done
		done
	done
}
loops=$(edges | tsort 2>&1 >/dev/null | sed -n 's/^tsort: \([a-z].*\/.*\)$/\1/p' | sort -u | tr "\n" " ")
if [ -z "$loops" ]; then
	echo "PASS  no module includes itself through others"
	passed=$((passed + 1))
else
	echo "FAIL  modules that include each other in a circle: $loops"
	failed=$((failed + 1))
fi
echo "layers: $passed passed, $failed failed"
[ "$failed" = 0 ]
