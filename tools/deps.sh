#!/bin/bash
# Make sure the host has what `make run` and `make test` need, so that both
# work as the first command typed on a fresh Debian or Ubuntu machine.
#
#   tools/deps.sh [EXTRA_PACKAGE ...]      (`make deps`; run by make run/test)
#
# Missing Debian packages are installed with apt-get when running as root;
# otherwise the script prints the exact `sudo apt-get install` line and
# fails.  It also checks that Bochs has its rfb display plugin (the lanes run
# Bochs headless through it) and that GRUB can build both BIOS and UEFI
# images.  Silent when everything is present.  Extra packages named on the
# command line are checked too (tools/run-qemu.sh --debug asks for gdb).
set -u

packages=(qemu-system-x86 ovmf bochs bochsbios vgabios grub-pc-bin
	grub-efi-amd64-bin grub-common xorriso mtools libcmocka-dev gcc make cpio "$@")

# On another architecture (an arm64 laptop): cloison is x86-64 code, built with the cross
# compiler, and Debian builds GRUB's PC BIOS and x86-64 UEFI images for x86 only, so those two
# come from the amd64 architecture (multiarch; grub-common, the tools, stays native).
arch=$(dpkg --print-architecture 2>/dev/null || echo amd64)
foreign=''
if [ "$arch" != amd64 ]; then
	packages=("${packages[@]/#grub-pc-bin/grub-pc-bin:amd64}")
	packages=("${packages[@]/#grub-efi-amd64-bin/grub-efi-amd64-bin:amd64}")
	packages+=(gcc-x86-64-linux-gnu binutils-x86-64-linux-gnu)
	dpkg --print-foreign-architectures 2>/dev/null | grep -qx amd64 || foreign=amd64
fi

die() {
	echo "deps: $*" >&2
	exit 1
}

if ! command -v dpkg-query >/dev/null; then
	# Not Debian-like: we cannot name packages, so check for the tools.
	missing=()
	for tool in qemu-system-x86_64 bochs-bin grub-mkrescue xorriso mformat gcc make; do
		command -v "$tool" >/dev/null || missing+=("$tool")
	done
	[ ${#missing[@]} = 0 ] ||
		die "not a Debian/Ubuntu system; install these tools by hand: ${missing[*]}"
	exit 0
fi

missing=()
for p in "${packages[@]}"; do
	[ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" = installed ] ||
		missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "deps: missing packages: ${missing[*]}" >&2
		echo "deps: install them with:" >&2
		[ -n "$foreign" ] && echo "  sudo dpkg --add-architecture $foreign" >&2
		echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
		exit 1
	fi
	if [ -n "$foreign" ]; then
		echo "deps: adding the $foreign architecture (dpkg --add-architecture) for GRUB's x86 images" >&2
		dpkg --add-architecture "$foreign" || die "dpkg --add-architecture $foreign failed"
	fi
	echo "deps: installing ${missing[*]}" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q </dev/null || die "apt-get update failed"
	apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null ||
		die "apt-get install failed"
fi

# Bochs must be able to run without a window: the lanes use its rfb display.
rfb=$(dpkg-query -L bochs 2>/dev/null | grep '/libbx_rfb_gui\.so' | head -n 1)
if [ -z "$rfb" ] || [ ! -e "$rfb" ]; then
	die "this Bochs has no rfb display plugin (libbx_rfb_gui.so), which the Bochs lanes need"
fi

# grub-mkrescue puts a BIOS and a UEFI loader on the same ISO.
for dir in /usr/lib/grub/i386-pc /usr/lib/grub/x86_64-efi; do
	[ -d "$dir" ] ||
		die "$dir is missing: grub-mkrescue cannot build a BIOS+UEFI ISO (reinstall grub-pc-bin grub-efi-amd64-bin)"
done
exit 0
