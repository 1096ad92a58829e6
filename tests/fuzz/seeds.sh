#!/bin/bash
# Writes the seed inputs the fuzzing corpus started from, into DIR
# (default build/fuzz/seeds), one folder per harness:
#
#   config   the options of every multiboot2 line and the words of every
#            module2 line in the tree's GRUB files and linter cases
#   grub     those GRUB files themselves
#   mb2, acpi, loader (hand-made images), linux, hypercall
#            from tests/fuzz/seeds.c
#   loader   also two built guests (make guests), stripped, whole and
#            cut at 4 KiB
#
# Every file is called seed-*.  The checked-in corpus (tests/fuzz/corpus/)
# holds these seeds, which `make fuzz-merge` keeps as they are, and what
# fuzzing found beyond them.  To refresh the seeds:
#   tests/fuzz/seeds.sh && for d in build/fuzz/seeds/*; do
#   rm -f tests/fuzz/corpus/${d##*/}/seed-*; cp $d/* tests/fuzz/corpus/${d##*/}/; done
set -eu
cd "$(dirname "$0")/../.."
dir=${1:-build/fuzz/seeds}
mkdir -p build/fuzz "$dir"/{config,grub,mb2,acpi,loader,linux,hypercall}

cc=${HOSTCC:-cc}
$cc -std=gnu11 -I. -Wall -Wextra -Werror -o build/fuzz/seeds-bin tests/fuzz/seeds.c \
	tests/unit/acpi_captured.c
build/fuzz/seeds-bin "$dir"

cfgs=$(ls iso/*.cfg tests/boot/*.cfg tests/lint/cases/*.cfg)
n=0
for f in $cfgs; do
	cp "$f" "$dir/grub/seed-$(echo "$f" | tr / -)"
done
# The words after the file name, as the parsers get them (quotes left as they are).
sed -n 's/^[[:space:]]*\(multiboot2\|module2\)[[:space:]]\+[^[:space:]]*[[:space:]]*//p' $cfgs |
	tr -d '\r' | sort -u | while IFS= read -r line; do
	n=$((n + 1))
	printf '%s' "$line" >"$dir/config/seed-line-$n"
done

make -s guests
for g in hello hello64; do
	objcopy --strip-all "build/guests/$g.elf" "$dir/loader/seed-$g"
	head -c 4096 "$dir/loader/seed-$g" >"$dir/loader/seed-$g-4k"
done
echo "seeds: $(find "$dir" -type f | wc -l) files in $dir"
