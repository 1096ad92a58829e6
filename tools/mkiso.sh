#!/bin/sh
# Build a GRUB rescue ISO that boots from BIOS (El Torito and USB stick,
# via grub-pc-bin) and UEFI (via grub-efi-amd64-bin) from the same image.
#   tools/mkiso.sh [--keep DIR] OUT.iso GRUB.CFG cloison.elf [module-file ...]
# Extra files are copied to /boot/ on the ISO under their own names.
# The ISO is made from a folder laid out as the ISO: /boot/grub/grub.cfg,
# /boot/cloison.elf and the extra files.  That folder is a temporary one,
# or with --keep DIR, DIR (emptied first), left in place so that the
# grub.cfg linter can look for the files a grub.cfg names in it
# (build/cloison-lint --root DIR; make iso keeps build/iso-root).
set -eu
keep=
if [ "${1:-}" = --keep ]; then
	keep=$2
	shift 2
fi
out=$1 cfg=$2 elf=$3
shift 3
if [ -n "$keep" ]; then
	dir=$keep
	rm -rf "$dir"
	mkdir -p "$dir"
else
	dir=$(mktemp -d)
	trap 'rm -rf "$dir"' EXIT
fi
mkdir -p "$dir/boot/grub"
cp "$cfg" "$dir/boot/grub/grub.cfg"
cp "$elf" "$dir/boot/cloison.elf"
for f in "$@"; do cp "$f" "$dir/boot/"; done
grub-mkrescue -o "$out" "$dir" >"$dir.log" 2>&1 || { cat "$dir.log" >&2; rm -f "$dir.log"; exit 1; }
rm -f "$dir.log"
