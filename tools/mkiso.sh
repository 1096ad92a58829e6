#!/bin/sh
# Build a GRUB rescue ISO that boots from BIOS (El Torito and USB stick,
# via grub-pc-bin) and UEFI (via grub-efi-amd64-bin) from the same image.
#   tools/mkiso.sh OUT.iso GRUB.CFG cloison.elf [module-file ...]
# Extra files are copied to /boot/ on the ISO under their own names.
set -eu
out=$1 cfg=$2 elf=$3
shift 3
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/boot/grub"
cp "$cfg" "$dir/boot/grub/grub.cfg"
cp "$elf" "$dir/boot/cloison.elf"
for f in "$@"; do cp "$f" "$dir/boot/"; done
grub-mkrescue -o "$out" "$dir" >"$dir.log" 2>&1 || { cat "$dir.log" >&2; rm -f "$dir.log"; exit 1; }
rm -f "$dir.log"
