#!/bin/bash
# The Linux guest of the tests and the demo, from Debian's own packages:
# the kernel of linux-image-amd64 as shipped (not rebuilt), and an
# initramfs built here around busybox-static.  The packages are
# downloaded, not installed (apt-get download, dpkg-deb -x), and kept in
# build/linux/ with what is made from them:
#
#   build/linux/vmlinuz      the bzImage of linux-image-amd64's kernel
#   build/linux/initrd.img   a gzip'd cpio: busybox as init, a shell on
#                            ttyS0, /etc/rc (tools/linux-init.sh)
#
#   tools/linux-guest.sh            make both if they are missing
#   tools/linux-guest.sh --force    make them again
#
# Needs network access the first time (apt-get download); prints what
# failed and exits 1 otherwise.  The kernel's version is whatever
# linux-image-amd64 depends on in this machine's package lists.
set -eu
cd "$(dirname "$0")/.." || exit 2

out=build/linux
[ "${1:-}" = --force ] && rm -f "$out/vmlinuz" "$out/initrd.img"
if [ -s "$out/vmlinuz" ] && [ -s "$out/initrd.img" ]; then
	exit 0
fi
mkdir -p "$out/debs"

# download PACKAGE: fetch its .deb into build/linux/debs (once) and print its path.  Always
# the amd64 one: the guest is x86-64 whatever the host is (on an arm64 laptop,
# tools/deps.sh has added the amd64 architecture to apt).
download() {
	local deb
	deb=$(ls "$out/debs/$1"_*.deb 2>/dev/null | head -n 1 || true)
	if [ -z "$deb" ]; then
		(cd "$out/debs" && apt-get download "$1:amd64" >/dev/null 2>&1) || {
			echo "linux-guest: cannot download $1 (apt-get download $1 failed; is there network access?)" >&2
			exit 1
		}
		deb=$(ls "$out/debs/$1"_*.deb | head -n 1)
	fi
	echo "$deb"
}

for tool in cpio gzip dpkg-deb apt-cache; do
	command -v "$tool" >/dev/null || {
		echo "linux-guest: $tool is missing (apt-get install cpio gzip dpkg apt)" >&2
		exit 1
	}
done

# The versioned image package linux-image-amd64 stands for (a fresh
# machine may have no package lists yet: root fetches them once).
kernel_package() {
	apt-cache depends linux-image-amd64:amd64 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9][^:]*-amd64\)\(:amd64\)\{0,1\}$/\1/p' | head -n 1
}
image=$(kernel_package)
if [ -z "$image" ] && [ "$(id -u)" = 0 ]; then
	apt-get update -q >/dev/null 2>&1 || true
	image=$(kernel_package)
fi
if [ -z "$image" ]; then
	echo "linux-guest: linux-image-amd64 names no kernel package (apt-get update first?)" >&2
	exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dpkg-deb -x "$(download "$image")" "$tmp/kernel"
cp "$tmp"/kernel/boot/vmlinuz-* "$out/vmlinuz.new"

dpkg-deb -x "$(download busybox-static)" "$tmp/busybox"
root=$tmp/root
mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp,etc}
cp "$tmp/busybox/bin/busybox" "$root/bin/busybox"
ln -s ../bin/busybox "$root/sbin/init"
ln -s bin/busybox "$root/init"
cp tools/linux-init.sh "$root/etc/rc"
# busybox init: /etc/rc once, a login shell on the console, and on
# poweroff or reboot the file systems unmounted before the kernel is told.
cat >"$root/etc/inittab" <<'TAB'
::sysinit:/etc/rc
ttyS0::respawn:-/bin/sh
::shutdown:/bin/umount -a -r
TAB
echo "export PS1='guest# '" >"$root/etc/profile"
chmod 755 "$root/etc/rc" "$root/bin/busybox"
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -9) >"$out/initrd.img.new"

mv "$out/vmlinuz.new" "$out/vmlinuz"
mv "$out/initrd.img.new" "$out/initrd.img"
echo "linux-guest: $image and busybox-static -> $out/vmlinuz, $out/initrd.img"
