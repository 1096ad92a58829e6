#!/bin/bash
# Writes the seed inputs the fuzzing corpus started from, into DIR
# (default build/fuzz/seeds), one folder per harness:
#
#   config   the options of every multiboot2 line and the words of every
#            module2 line in the tree's GRUB files and linter cases
#   grub     those GRUB files themselves
#   mb2, acpi, loader (hand-made images)   from tests/fuzz/seeds.c
#   loader   also two built guests (make guests), stripped, whole and
#            cut at 4 KiB
#
# The checked-in corpus (tests/fuzz/corpus/) is these seeds after fuzzing
# and `tools/fuzz.sh merge`; run this only to start a corpus afresh:
#   tests/fuzz/seeds.sh && cp -r build/fuzz/seeds/* build/fuzz/work/ && make fuzz-merge
set -eu
cd "$(dirname "$0")/../.."
dir=${1:-build/fuzz/seeds}
mkdir -p "$dir"/{config,grub,mb2,acpi,loader}

cc=${HOSTCC:-cc}
$cc -std=gnu11 -I. -Wall -Wextra -Werror -o build/fuzz/seeds-bin tests/fuzz/seeds.c \
	tests/unit/acpi_captured.c
build/fuzz/seeds-bin "$dir"

cfgs=$(ls iso/*.cfg tests/boot/*.cfg tests/lint/cases/*.cfg)
n=0
for f in $cfgs; do
	cp "$f" "$dir/grub/$(echo "$f" | tr / -)"
done
# The words after the file name, as the parsers get them (quotes left as they are).
sed -n 's/^[[:space:]]*\(multiboot2\|module2\)[[:space:]]\+[^[:space:]]*[[:space:]]*//p' $cfgs |
	tr -d '\r' | sort -u | while IFS= read -r line; do
	n=$((n + 1))
	printf '%s' "$line" >"$dir/config/line-$n"
done

make -s guests
for g in hello hello64; do
	objcopy --strip-all "build/guests/$g.elf" "$dir/loader/$g"
	head -c 4096 "$dir/loader/$g" >"$dir/loader/$g-4k"
done
echo "seeds: $(find "$dir" -type f | wc -l) files in $dir"
