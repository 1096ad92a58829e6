#!/bin/bash
# The soak test (`make soak`): one long boot of the mixed workload and the
# in-guest fuzzer, then a check that nothing leaked and nothing was lost.
#
#   tools/soak.sh                 SOAK_S seconds (default 3600) on SOAK_LANE (default qemu-svm)
#   SOAK_S=600 SOAK_LANE=bochs-vmx tools/soak.sh
#
# The partitions (tests/soak/grub.cfg.in, the mixed scenario's six and
# two fuzzers): on CPU 0 a fuzzer that runs SOAK_S seconds from one seed,
# on CPU 1 one that crashes after every 20,000 operations and is restarted
# (SOAK_S / 4 times, at most 1000, a new seed each life), beside the heartbeat, the
# console flood, the partition that reads outside its RAM, the one that
# crashes and restarts, the sleeper and a plain neighbour.  The hypervisor
# runs with selftest=pools, which prints what its allocators hold before
# the first partition and after the last one; the two lines must be the
# same.  Every byte the flood offered must be shown or reported dropped.
# Then the checks of tests/soak/scenario.in.  The last line is
# "soak: P passed, F failed"; the log is kept in build/soak/.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 2
secs=${SOAK_S:-3600}
lane=${SOAK_LANE:-qemu-svm}
[[ $secs =~ ^[1-9][0-9]*$ ]] || { echo "soak: SOAK_S must be a number of seconds"; exit 2; }
out=$root/build/soak
mkdir -p "$out"

make -s all || exit 1
# The fuzzer's run length is in its name: gfuzz_SEED_Ns (seed 0: from TIME).
crasher=virt
[ "$lane" = bochs-svm ] || crasher=triple # Bochs 2.7 cannot take a triple fault under SVM
# About one life of the restarting fuzzer every 4 s, at most the 1000 a partition line allows.
restarts=$((secs / 4 < 1 ? 1 : secs / 4 > 1000 ? 1000 : secs / 4))
sed -e "s/@SECONDS@/$secs/g" -e "s/@CRASHER@/$crasher/g" -e "s/@RESTARTS@/$restarts/g" \
	tests/soak/grub.cfg.in >"$out/grub.cfg"
sed -e "s|@TIMEOUT@|$((secs * 2 + 600))|" -e "s|@LANE@|$lane|" -e "s|@CFG@|build/soak/grub.cfg|" \
	-e "s/@CRASHER@/$crasher/g" tests/soak/scenario.in >"$out/soak.scenario"
echo "soak: $secs s on $lane (the log: build/boot-tests/soak/$lane.txt)"
BOOT_JOBS=1 LANES=$lane tests/boot/run.sh "$out/soak.scenario" | tee "$out/run.log"
. tools/tally.sh # pass, fail, $passed, $failed: the boot run's counts, then the flood's check
passed=$(sed -n 's/^boot: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$out/run.log")
failed=$(sed -n 's/^boot: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$out/run.log")
passed=${passed:-0} failed=${failed:-1}

# Every byte the flood offered was shown or counted as dropped: the first
# row of each of its lines (a line is 151 bytes with its newline), and
# the drop reports, add up to what it says it offered.
txt=$root/build/boot-tests/soak/$lane.txt
offered=$(sed -n 's/^\[flood\] flood: offered \([0-9]*\) bytes.*/\1/p' "$txt" | head -n 1)
shown=$(grep -ac '^\[flood\] flood [0-9]\{6\} ' "$txt")
dropped=$(sed -n 's/^cloison: partition flood: dropped \([0-9]*\) bytes.*/\1/p' "$txt" | awk '{ n += $1 } END { print n + 0 }')
if [ -n "$offered" ] && [ $((shown * 151 + dropped)) = "$offered" ]; then
	pass "soak/$lane  flood: $shown lines shown ($((shown * 151)) bytes) + $dropped dropped = $offered offered"
else
	fail "soak/$lane  flood: $shown lines shown ($((shown * 151)) bytes) + $dropped dropped, offered ${offered:-?}"
fi
grep -a '^cloison: pools:' "$txt" | sed 's/^/      /'
echo "soak: $passed passed, $failed failed"
[ "$failed" = 0 ]
