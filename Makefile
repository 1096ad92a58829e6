# cloison: the whole build.  Plain make, one object list per folder.
# `make help` prints the lines below: one per target, then the variables.
#
#   make all           build/cloison.elf, the guests and the bad test images (plain make does this)
#   make iso           build/cloison.iso (BIOS + UEFI, CD and USB stick) from GRUB_CFG
#   make run           boot build/cloison.iso in QEMU with the console on this terminal
#   make run-linux     the same with Debian's kernel in a partition (downloads it once)
#   make run-bochs     the VMX lane (Bochs), interactive
#   make debug         QEMU's gdb stub with gdb attached, symbols loaded
#   make test          unit tests + boot tests on every lane; last line "N passed, N failed"
#   make test-slow     the boot scenarios on their slow-lanes, left out of make test
#   make unit          the host unit tests of the pure code (tests/unit/)
#   make boot-tests    the boot scenarios alone (tests/boot/run.sh; LANES="qemu-svm ...")
#   make lint          check grub.cfg files with the hypervisor's own parsers (CFG=, ROOT=)
#   make lint-tests    the linter's own tests (tests/lint/)
#   make layers        check that each source folder includes only from the floors below it
#   make bench         exit-path benchmarks (Bochs instruction counts)
#   make mutants       deliberate breakages, each of which a test must catch (MUTANTS=names)
#   make soak          an hour of the mixed workload and the in-guest fuzzer (SOAK_S, SOAK_LANE)
#   make fuzz          fuzz the outside input's parsers with libFuzzer (FUZZ_S=60, FUZZ="mb2 ...")
#   make fuzz-replay   replay the checked-in fuzzing corpus (part of make test)
#   make fuzz-merge    minimise the checked-in fuzzing corpus
#   make format        format the C files git knows with clang-format
#   make format-check  check that format, changing nothing
#   make deps          install the host packages the build and the emulators need
#   make guests        the test guests alone (build/guests/)
#   make bad-images    the malformed guest images of the catalog scenario (build/bad/)
#   make linux-guest   Debian's kernel and a busybox initramfs (tools/linux-guest.sh)
#   make docs          render docs/diagrams/*.dot into the SVGs beside them (needs Graphviz)
#   make docs-check    check without Graphviz that each SVG comes from its current source
#   make lab           a course lab's student tree: LAB=N [DIR=path] (docs/labs/README.md)
#   make grade         grade a lab: LAB=N (in a student tree, its own lab)
#   make clean         remove build/
#   make help          this list
#
# GRUB_CFG=file picks the grub.cfg of make iso, run, debug and run-bochs (iso/grub.cfg).
# V=1 shows the commands.  Cross builds: make CROSS=x86_64-linux-gnu- or CROSS=x86_64-elf-

CROSS ?=
# On another host (an arm64 laptop, ...) cloison and its guests are built with Debian's cross
# compiler, which tools/deps.sh installs there (gcc-x86-64-linux-gnu); host tools use HOSTCC.
ifeq ($(CROSS),)
ifneq ($(shell uname -m),x86_64)
CROSS := x86_64-linux-gnu-
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
	layers linux-guest lint lint-tests lab grade mutants soak bad-images fuzz fuzz-replay \
	fuzz-merge docs docs-check help
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
# The name of the grub.cfg the ISO was built from, rewritten only when GRUB_CFG names another:
# then the ISO is built again, so that make run after make iso GRUB_CFG=other.cfg boots
# iso/grub.cfg, not other.cfg.  (FORCE: looked at every time; unchanged, it rebuilds nothing.)
ISO_CFG := $(B)/cloison.iso.cfg
# The folder the ISO is built from, kept (tools/mkiso.sh --keep) for make lint.
ISO_ROOT := $(B)/iso-root
$(ISO_CFG): FORCE
	@mkdir -p $(B)
	$(Q)printf '%s\n' '$(GRUB_CFG)' | cmp -s - $@ || printf '%s\n' '$(GRUB_CFG)' >$@
FORCE:
iso: $(B)/cloison.iso
$(B)/cloison.iso: $(B)/cloison.elf $(GUEST_ELFS) $(GRUB_CFG) $(ISO_CFG) tools/mkiso.sh
	@echo "  ISO     $@ from $(GRUB_CFG)"
	$(Q)tools/mkiso.sh --keep $(ISO_ROOT) $@ $(GRUB_CFG) $(B)/cloison.elf $(GUEST_ELFS)
# What make run, debug and run-bochs say before they boot it.
BOOTS = @echo "$@: build/cloison.iso, built from $(GRUB_CFG)"

# ---- everyday targets ------------------------------------------------------
# The header of this file, one line per target (tools/help.sh; make test checks that it
# names every .PHONY target).
help:
	@tools/help.sh

deps:
	@tools/deps.sh

run: deps $(B)/cloison.iso
	$(BOOTS)
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
	$(BOOTS)
	tools/run-qemu.sh --debug $(B)/cloison.iso

run-bochs: deps $(B)/cloison.iso
	$(BOOTS)
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

# Each boot scenario on its slow-lanes: the lanes make test leaves out to keep within its time
# (Linux on qemu-uefi and bochs-svm, the scheduling and console scenarios on bochs-svm, ...).
test-slow: deps all linux-guest
	@BOOT_SLOW=1 tests/boot/run.sh

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

# ROOT=dir: also look in dir, the folder an ISO is built from, for the file each multiboot2 and
# module2 line names.  Without ROOT, once make iso has kept build/iso-root, the grub.cfg
# build/cloison.iso is built from (its copy there) is checked against that folder as well.
ROOT ?=
LINT_CFG_RUN = $(LINT) $(if $(ROOT),--root $(ROOT) )$(CFG)
LINT_ISO_CFG = $(if $(ROOT),,$(wildcard $(ISO_ROOT)/boot/grub/grub.cfg))
LINT_ISO_RUN = $(LINT) --root $(ISO_ROOT) $(LINT_ISO_CFG)
lint: $(LINT)
	@echo "$(LINT_CFG_RUN)"; status=0; $(LINT_CFG_RUN) || status=$$?; \
	if [ -n "$(LINT_ISO_CFG)" ]; then \
		echo "$(LINT_ISO_RUN)"; $(LINT_ISO_RUN) || { s=$$?; [ $$s -lt $$status ] || status=$$s; }; \
	fi; exit $$status

lint-tests: $(LINT)
	@tests/lint/run.sh

# ---- fuzzing (host) ---------------------------------------------------------
# One libFuzzer harness per parser of outside input, tests/fuzz/fuzz_*.c
# (config, mb2, acpi, loader, linux, grub, and hypercall for the registers
# of a hypercall), built by tools/fuzz.sh from the tree's own sources (as
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

# ---- diagrams ----------------------------------------------------------------
# docs/diagrams/NAME.dot, drawn with Graphviz into NAME.svg, which is checked in so that
# the docs show it without Graphviz.  The SVG's second line says what it is (the first line
# of its source) and where it comes from; its last line names the SHA-256 of its source,
# which tools/docs-check.sh (make docs-check) compares; it also checks the names shown.
DOT ?= dot
DIAGRAMS := $(patsubst %.dot,%.svg,$(wildcard docs/diagrams/*.dot))
docs: $(DIAGRAMS)
docs/diagrams/%.svg: docs/diagrams/%.dot
	@command -v $(DOT) >/dev/null || { echo "make docs needs Graphviz's dot (Debian: apt-get install graphviz)" >&2; exit 1; }
	@echo "  DOT     $@"
	$(Q)$(DOT) -Tsvg $< >$@.raw || { rm -f $@.raw; exit 1; }
	$(Q)what=$$(sed -n '1s#^// *##p' $<); \
		awk -v c="<!-- $$what Drawn from $< by make docs: edit that file, not this one. -->" \
		'{ print } NR == 1 { print c }' $@.raw >$@.tmp
	$(Q)rm -f $@.raw
	$(Q)printf '<!-- source %s sha256 %s -->\n' $< $$(sha256sum <$< | cut -d' ' -f1) >>$@.tmp
	$(Q)mv $@.tmp $@

docs-check:
	@tools/docs-check.sh

FORMAT_FILES = $(shell git ls-files '*.c' '*.h' 2>/dev/null)
format:
	clang-format -i $(FORMAT_FILES)
format-check:
	@clang-format --dry-run --Werror $(FORMAT_FILES) && echo "format-check: ok"

clean:
	rm -rf $(B)
