# SPDX-License-Identifier: GPL-2.0
# krgsched top-level Makefile. `make help` lists the targets.

ifneq ($(KERNELRELEASE),)
# Invoked by Kbuild: the real list is in ./Kbuild.
include $(src)/Kbuild
else

TOP	:= $(CURDIR)
KRG_CACHE ?= $(TOP)/.cache
# The reference kernel deps.sh resolved (cache/kernel/current -> <abi>).
KABI	?= $(notdir $(realpath $(KRG_CACHE)/kernel/current))
KDIR	?= /usr/src/linux-headers-$(KABI)
V	?= 0

export KRG_CACHE KDIR KABI V

KMOD_DIRS := kernel core probes filters policies tests/kmod examples/components

ifeq ($(V),1)
Q :=
else
Q := @
MAKEFLAGS += --no-print-directory
endif

.DELETE_ON_ERROR:
.PHONY: demo bench bpf all modules tools tests unit vm-tests check check-unit check-debug check-debug-selftest check-vm vm-shell \
	clean help style kdir-check

all: modules tools tests bench bpf

kdir-check:
	@test -n "$(KABI)" -a -d "$(KDIR)" || { \
		echo "error: kernel headers not found (KDIR='$(KDIR)');" \
		     "run scripts/deps.sh as root first" >&2; exit 1; }

modules: kdir-check
	$(Q)$(MAKE) -C $(KDIR) M=$(TOP) W=1 modules

tools:
	$(Q)$(MAKE) -C tools

# BPF policies: their types come from krg_scheduler.ko's BTF.
bpf: modules
	$(Q)$(MAKE) -C bpf

tests: unit vm-tests

unit: tools
	$(Q)$(MAKE) -C tests unit

vm-tests: tools
	$(Q)$(MAKE) -C tests vm

check: all
	$(Q)scripts/check.sh

check-unit: unit
	$(Q)$(MAKE) -C tests run-unit

# The suite again on a KASAN + lockdep + kmemleak kernel (built once per machine).
check-debug: all
	$(Q)scripts/check-debug.sh $(if $(T),$(T))

# Does check-debug catch what it claims to? Four bugs on purpose, four failures.
check-debug-selftest: all
	$(Q)scripts/check-debug.sh --selftest

check-vm: all
	$(Q)tests/vm/run $(if $(T),$(T))

bench: tools
	$(Q)$(MAKE) -C bench

demo: all
	$(Q)scripts/demo.sh $(VMFLAGS)

vm-shell: all
	$(Q)tests/vm/run --shell $(VMFLAGS)

style:
	$(Q)scripts/checkpatch.sh

clean:
	@# Not Kbuild's clean: it would also delete the reference kernel's modules
	@# in .cache. Only our module directories are swept.
	$(Q)find $(KMOD_DIRS) \( -name '*.o' -o -name '*.ko' -o -name '*.mod' \
		-o -name '*.mod.c' -o -name '.*.cmd' -o -name 'modules.order' -o -name '.*.o.d' \) \
		-delete 2>/dev/null || true
	$(Q)rm -f Module.symvers modules.order .*.cmd .module-common.o
	$(Q)$(MAKE) -C tools clean
	$(Q)$(MAKE) -C tests clean
	$(Q)$(MAKE) -C bench clean
	$(Q)$(MAKE) -C bpf clean
	$(Q)rm -rf build

help:
	@echo 'krgsched: targets'
	@echo '  all (default) build every kernel module, tool and test'
	@echo '  modules       kernel modules only (KDIR=$(KDIR))'
	@echo '  tools         user tools (tools/)'
	@echo '  demo          the demo: jobs spread over NUMA nodes by the MOSIX balancer'
	@echo '  check         host unit tests, then the VM suite; "N passed, N failed"'
	@echo '  check-unit    host unit tests only'
	@echo '  check-vm      VM suite only; T="name ..." runs a subset'
	@echo '  check-debug   VM suite on the debug kernel (KASAN, lockdep, kmemleak);'
	@echo '                builds that kernel first if needed (~20 min, cached)'
	@echo '  check-debug-selftest  four bugs on purpose: check-debug must catch each'
	@echo '  vm-shell      interactive guest, everything loaded, configfs mounted'
	@echo '                (VMFLAGS="--nodes 4 --mem 1024" to shape it)'
	@echo '  style         checkpatch over the kernel sources'
	@echo '  bench         build the benchmarks; run one with tests/vm/run --bench NAME'
	@echo '  clean         remove build products'
	@echo 'Variables: KDIR (kernel headers), V=1 (show commands), KRG_CACHE'

endif
