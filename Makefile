# SPDX-License-Identifier: GPL-2.0
#
# tls_dev: kTLS device offload without hardware.
#
# Everyday targets (see README.rst):
#   make deps      install Debian packages, fetch the VM kernel and harness
#   make           build the modules, the tools and the test programs
#   make check     deps + build + lint + unit tests + VM selftests
#   make demo      one offloaded transfer in the VM, with its counters
#   make lint      checkpatch --strict, sparse and W=1 on kmod/
#   make install   install the modules (extra/) and the tools
#   make bench     benchmarks in the VM (QUICK=1: the quick profile, OUT=dir;
#                  not part of make check; Documentation/bench.rst)
#   make debug-kernel  build the KASAN/lockdep/kmemleak kernel (cached)
#   make check KERNEL=debug   the same check on that kernel
#
# KDIR defaults to the Debian 6.1 headers that match the VM kernel, never
# to the running kernel: `make KDIR=/path/to/tree` builds against another.

TOP := $(CURDIR)
-include $(TOP)/.cache/config.mk

# KERNEL=debug: build the modules for, and run the VM on, the debug kernel
# of scripts/debug-kernel.sh instead of Debian's.
ifeq ($(KERNEL),debug)
-include $(TOP)/.cache/debug-kernel/debug.mk
KDIR := $(or $(DEBUG_KDIR),$(error no debug kernel: run 'make debug-kernel'))
# pci=noacpi: see scripts/debug-kernel.config
VMFLAGS += --kernel $(DEBUG_KERNEL) --modules $(DEBUG_MODULES) --mem 2048 \
	--append pci=noacpi
else ifeq ($(origin KERNEL),command line)
ifneq ($(KERNEL),)
$(error KERNEL=$(KERNEL): only KERNEL=debug is known)
endif
endif

KDIR ?= $(error no kernel tree: run 'make deps' or pass KDIR=)
KMAKE = $(MAKE) -C $(KDIR) M=$(TOP) W=1
PREFIX ?= /usr/local
VMRUN := $(TOP)/scripts/vm-run
# the whole selftest suite takes about 30 minutes under TCG on 2 cores;
# the VM is killed after VM_TIMEOUT seconds
VM_TIMEOUT ?= 3600
# the modules every VM run loads; add e.g. VMFLAGS=--kvm
MODULES := kmod/tlsdev.ko kmod/tlsdev_emu.ko kmod/tlsdev_mlx5.ko kmod/tlsdev_null.ko
VMRUN_ARGS = $(foreach m,$(MODULES),--insmod $(TOP)/$(m)) $(VMFLAGS)

.PHONY: all deps modules user selftests unit lint vmtest check demo \
	bench debug-kernel install uninstall clean

all: modules user selftests

deps:
	@$(TOP)/scripts/deps.sh

modules:
	$(KMAKE) modules

user:
	$(MAKE) -C user

selftests:
	$(MAKE) -C selftests LINUX_SRC=$(LINUX_SRC)

unit:
	$(MAKE) -C user test
	$(MAKE) -C kmod/tests test fuzz-smoke

lint:
	@$(TOP)/scripts/lint.sh $(KDIR) $(LINUX_SRC)

vmtest: all
	$(VMRUN) --timeout $(VM_TIMEOUT) $(VMRUN_ARGS) -- \
		$(TOP)/selftests/run.sh $(TESTS)

check:
	@KERNEL=$(KERNEL) $(TOP)/scripts/check.sh

debug-kernel:
	@$(TOP)/scripts/debug-kernel.sh

demo: deps all
	$(VMRUN) $(VMRUN_ARGS) -- $(TOP)/scripts/demo.sh

# make bench [QUICK=1 | PROFILE=quick|medium|full] [BIG=1] [OUT=dir]
BENCH_PROFILE = $(if $(QUICK),quick,$(or $(PROFILE),full))
bench: all
	$(MAKE) -C bench
	$(TOP)/bench/run.sh --profile $(BENCH_PROFILE) $(if $(BIG),--big) \
		$(if $(OUT),--out $(abspath $(OUT)))

install: modules user
	$(KMAKE) INSTALL_MOD_DIR=extra modules_install
	install -D -m 0755 user/tlsxfer $(DESTDIR)$(PREFIX)/bin/tlsxfer
	install -D -m 0755 user/tlsdevctl $(DESTDIR)$(PREFIX)/bin/tlsdevctl

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/tlsxfer $(DESTDIR)$(PREFIX)/bin/tlsdevctl

clean:
	find kmod \( -name '*.o' -o -name '*.ko' -o -name '*.mod' -o \
		-name '*.mod.c' -o -name '.*.cmd' \) -delete
	rm -f modules.order Module.symvers kmod/modules.order
	$(MAKE) -C user clean
	$(MAKE) -C kmod/tests clean
	$(MAKE) -C selftests clean
	$(MAKE) -C bench clean
