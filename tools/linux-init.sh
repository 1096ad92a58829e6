#!/bin/busybox sh
# /etc/rc of the Linux guest's initramfs (tools/linux-guest.sh builds it):
# busybox's init runs it once at boot (/etc/inittab), then keeps a shell
# on the console.  It installs busybox's applets and mounts /proc, /sys
# and /dev.  The line "linux-guest: shell ready" tells the tests the
# shell is coming; "poweroff" ends the partition through ACPI S5.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
echo "linux-guest: shell ready ($(nproc) CPUs)"
