# cloison: the whole build.  Plain make, one object list per folder.
#
#   make             build/cloison.elf (Multiboot2 ELF64)
#   make iso         build/cloison.iso (BIOS + UEFI, CD and USB stick)
#   make run         boot the demo in QEMU with the console on this terminal
#   make run-linux   the same with Debian's kernel in a partition (downloads it once)
#   make test        unit tests + boot tests on every lane; last line "N passed, N failed"
#   make test-slow   the boot scenarios too long for make test (tests/boot/slow/)
#   make debug       QEMU's gdb stub with gdb attached, symbols loaded
#   make run-bochs   the VMX lane (Bochs), interactive
#   make bench       exit-path benchmarks (Bochs instruction counts)
#   make mutants     deliberate breakages, each of which a test must catch (MUTANTS=names)
#   make soak        an hour of the mixed workload and the in-guest fuzzer (SOAK_S, SOAK_LANE)
#   make layers      check that each source folder includes only from the floors below it
#   make lint        check grub.cfg files with the hypervisor's own parsers (CFG=files)
#   make fuzz        fuzz the parsers of outside input and the hypercall arguments with
#                    libFuzzer, FUZZ_S seconds each (default 60; FUZZ="mb2 hypercall" for
#                    some); make fuzz-replay replays the checked-in corpus (part of
#                    make test), make fuzz-merge minimises it
#   make lab         a course lab's student tree: LAB=N [DIR=path] (docs/labs/README.md)
#   make grade       grade a lab: LAB=N (in a student tree, its own lab)
#   make format-check / make format
#
# Cross builds: make CROSS=x86_64-linux-gnu-   or   make CROSS=x86_64-elf-

CROSS ?=
ifeq ($(CROSS),)
ifneq ($(shell uname -m),x86_64)
$(error this host is $(shell uname -m): build with a cross compiler, e.g. make CROSS=x86_64-linux-gnu- (Debian: apt-get install gcc-x86-64-linux-gnu binutils-x86-64-linux-gnu))
endif
endif
CC := $(CROSS)gcc
LD := $(CROSS)ld
OBJCOPY := $(CROSS)objcopy
HOSTCC ?= cc
B := build
V ?= 0
Q := $(if $(filter 1,$(V)),,@)

WARN := -Wall -Wextra -Werror -Wmissing-prototypes -Wstrict-prototypes -Wshadow \
	-Wpointer-arith -Wundef -Wvla
# A course lab's student tree (tools/lab.sh) has a file LAB: the parts not
# written yet leave parameters, helpers and variables unused.
ifneq ($(wildcard LAB),)
WARN += -Wno-unused-parameter -Wno-unused-function -Wno-unused-variable \
	-Wno-unused-but-set-variable
endif
CFLAGS := -std=gnu11 -O2 -g $(WARN) -ffreestanding -fno-builtin -fno-stack-protector \
	-fno-pic -fno-pie -mno-red-zone -mcmodel=kernel -mgeneral-regs-only \
	-fno-omit-frame-pointer -fno-asynchronous-unwind-tables -fno-common \
	-fcf-protection=none -fno-strict-aliasing -I. -I$(B) -MMD -MP
ASFLAGS := -I. -I$(B) -D__ASSEMBLY__ -MMD -MP -fno-pic -fno-pie
NO_RWX_WARN := $(shell $(LD) --help 2>/dev/null | grep -q no-warn-rwx-segments && echo --no-warn-rwx-segments)
LDFLAGS := -nostdlib -static -z max-page-size=0x1000 -z noexecstack $(NO_RWX_WARN)

# Per-folder object lists.
BOOT_OBJS := boot/entry.o boot/trampoline.o
KERNEL_OBJS := $(patsubst %.c,%.o,$(wildcard kernel/*.c)) kernel/traps.o
KERNEL_OBJS := $(filter-out kernel/asm-offsets.o,$(KERNEL_OBJS))
LIB_OBJS := $(patsubst %.c,%.o,$(wildcard lib/*.c))
DRIVER_OBJS := $(patsubst %.c,%.o,$(wildcard drivers/*.c))
VDEV_OBJS := $(patsubst %.c,%.o,$(wildcard vdev/*.c))
VMX_OBJS := $(filter-out vmx/asm-offsets.o,$(patsubst %.c,%.o,$(wildcard vmx/*.c))) vmx/entry.o
SVM_OBJS := $(filter-out svm/asm-offsets.o,$(patsubst %.c,%.o,$(wildcard svm/*.c))) svm/entry.o
OBJS := $(addprefix $(B)/,$(BOOT_OBJS) $(LIB_OBJS) $(KERNEL_OBJS) $(DRIVER_OBJS) $(VDEV_OBJS) $(VMX_OBJS) $(SVM_OBJS))

.PHONY: all iso run run-linux test test-slow unit boot-tests debug run-bochs bench format format-check clean deps guests \
	layers linux-guest lint lint-tests lab grade mutants soak bad-images fuzz fuzz-replay fuzz-merge
all: $(B)/cloison.elf guests bad-images

# Structure offsets for assembly, generated from C (kernel/asm-offsets.c).
OFFSET_SRCS := kernel/asm-offsets.c vmx/asm-offsets.c svm/asm-offsets.c
$(B)/asm-offsets.h: $(OFFSET_SRCS) lib/*.h kernel/*.h vmx/*.h svm/*.h
	@mkdir -p $(B)
	@echo "  GEN     $@"
	$(Q)cat $(OFFSET_SRCS) | $(CC) $(CFLAGS) -S -o $(B)/asm-offsets.s -x c -
	$(Q)sed -n 's/.*@@OFFSET \([A-Z0-9_]*\) \$$\{0,1\}\([0-9-]*\).*/#define \1 \2/p' $(B)/asm-offsets.s > $@.tmp
	$(Q)mv $@.tmp $@

$(B)/%.o: %.c | $(B)/asm-offsets.h
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS) -c -o $@ $<

$(B)/%.o: %.S $(B)/asm-offsets.h
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	$(Q)$(CC) $(ASFLAGS) -c -o $@ $<

$(B)/cloison.elf: $(OBJS) linker.ld
	@echo "  LD      $@"
	$(Q)$(LD) $(LDFLAGS) -T linker.ld -o $@ $(OBJS)

-include $(OBJS:.o=.d)

include guests/Makefile.inc
include tests/boot/Makefile.inc

# ---- ISO -------------------------------------------------------------------
GRUB_CFG ?= iso/grub.cfg
iso: $(B)/cloison.iso
$(B)/cloison.iso: $(B)/cloison.elf $(GUEST_ELFS) $(GRUB_CFG) tools/mkiso.sh
	@echo "  ISO     $@"
	$(Q)tools/mkiso.sh $@ $(GRUB_CFG) $(B)/cloison.elf $(GUEST_ELFS)

# ---- everyday targets ------------------------------------------------------
deps:
	@tools/deps.sh

run: deps $(B)/cloison.iso
	tools/run-qemu.sh $(B)/cloison.iso

# The Linux demo: its own ISO, with Debian's kernel (tools/linux-guest.sh).
LINUX_FILES := $(B)/linux/vmlinuz $(B)/linux/initrd.img
$(B)/linux/.stamp: tools/linux-guest.sh tools/linux-init.sh
	@tools/linux-guest.sh --force
	@touch $@
$(LINUX_FILES): $(B)/linux/.stamp
$(B)/cloison-linux.iso: $(B)/cloison.elf $(GUEST_ELFS) $(LINUX_FILES) iso/linux.cfg tools/mkiso.sh
	@echo "  ISO     $@"
	$(Q)tools/mkiso.sh $@ iso/linux.cfg $(B)/cloison.elf $(GUEST_ELFS) $(LINUX_FILES)

run-linux: deps $(B)/cloison-linux.iso
	tools/run-qemu.sh $(B)/cloison-linux.iso

debug: deps $(B)/cloison.iso
	tools/run-qemu.sh --debug $(B)/cloison.iso

run-bochs: deps $(B)/cloison.iso
	tools/run-bochs.sh $(B)/cloison.iso

test: deps
	@tools/test.sh

unit:
	@tools/unit.sh

layers:
	@tools/layers.sh

# The Linux guest (tools/linux-guest.sh): Debian's kernel and a busybox initramfs.
linux-guest: $(LINUX_FILES)

boot-tests: all
	@tests/boot/run.sh

bench: deps
	@tools/bench.sh $(LANES)

# Boot scenarios too long for make test (tests/boot/slow/): Linux on the other lanes.
test-slow: deps all linux-guest
	@tests/boot/run.sh tests/boot/slow/*.scenario

lab:
	@tools/lab.sh "$(LAB)" $(DIR)

grade: deps
	@tools/grade.sh $(LAB)

mutants: deps
	@tools/mutants.sh $(MUTANTS)

soak: deps
	@tools/soak.sh

# ---- grub.cfg linter (host tool) -------------------------------------------
# tools/lint/ with the hypervisor's own parsers, built for this machine.
# lib/lib.c defines memset, strlen, ... under libc's names; as in
# tools/unit.sh it is built with renames so that it does not replace
# libc's functions in a host program (only its parse_u64 is wanted).
LINT := $(B)/cloison-lint
LINT_SRCS := tools/lint/cloison-lint.c tools/lint/lint.c tools/lint/grub_script.c kernel/config.c \
	kernel/options.c lib/format.c lib/lib.c
LINT_OBJS := $(patsubst %.c,$(B)/lint/%.o,$(LINT_SRCS))
LINT_CFLAGS := -std=gnu11 -O2 -g $(WARN) -I. -MMD -MP
LINT_RENAMES := $(foreach f,memset memcpy memmove memcmp strlen strnlen strcmp strncmp,-D$(f)=k_$(f))
# Every grub.cfg of the tree that should be clean.  tests/boot/hostile.grub.cfg, args.grub.cfg
# and tests/boot/catalog.grub.cfg are bad on purpose; tests/lint/run.sh checks
# that exactly their bad lines are found.
CFG ?= $(filter-out tests/boot/hostile.grub.cfg tests/boot/catalog.grub.cfg tests/boot/args.grub.cfg,$(sort $(wildcard iso/*.cfg tests/boot/*.cfg)))

$(B)/lint/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $<"
	$(Q)$(HOSTCC) $(LINT_CFLAGS) -c -o $@ $<
$(B)/lint/lib/lib.o: lib/lib.c
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $<"
	$(Q)$(HOSTCC) $(LINT_CFLAGS) -fno-builtin $(LINT_RENAMES) -c -o $@ $<
$(LINT): $(LINT_OBJS)
	@echo "  HOSTLD  $@"
	$(Q)$(HOSTCC) -o $@ $(LINT_OBJS)

-include $(LINT_OBJS:.o=.d)

lint: $(LINT)
	$(LINT) $(CFG)

lint-tests: $(LINT)
	@tests/lint/run.sh

# ---- fuzzing (host) ---------------------------------------------------------
# One libFuzzer harness per parser of outside input, tests/fuzz/fuzz_*.c
# (config, mb2, acpi, loader, grub, and hypercall for the registers of a
# hypercall), built by tools/fuzz.sh from the tree's own sources (as
# tools/unit.sh).
# make fuzz needs clang with its sanitizer runtimes; the replay of the
# checked-in corpus needs only the host cc.
FUZZ_S ?= 60
FUZZ ?=
fuzz:
	@tools/deps.sh clang libclang-rt-dev
	@FUZZ_S=$(FUZZ_S) tools/fuzz.sh run $(FUZZ)

fuzz-replay:
	@tools/fuzz.sh replay $(FUZZ)

fuzz-merge:
	@tools/deps.sh clang libclang-rt-dev
	@tools/fuzz.sh merge $(FUZZ)

FORMAT_FILES = $(shell git ls-files '*.c' '*.h' 2>/dev/null)
format:
	clang-format -i $(FORMAT_FILES)
format-check:
	@clang-format --dry-run --Werror $(FORMAT_FILES) && echo "format-check: ok"

clean:
	rm -rf $(B)
