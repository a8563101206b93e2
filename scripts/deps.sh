#!/usr/bin/env bash
# Install everything krgsched needs to build, test and demo, on Debian 12 (bookworm),
# as root. Idempotent and non-interactive: a second run changes nothing.
#
#  - bookworm-backports is added (same mirror as the existing Debian source) for
#    libbpf 1.4 / bpftool 7.5 and the Linux 6.12 kernel;
#  - the reference kernel is the newest Debian 12 build of Linux 6.12 that apt offers,
#    resolved now (never hard-coded): its headers are installed (they build our modules
#    and carry a BTF vmlinux), and its image and module tree are unpacked into
#    $KRG_CACHE (default: <checkout>/.cache, ignored by git) for the VM harness;
#  - linux-source-6.12 provides kselftest_harness.h for the tests.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cache=${KRG_CACHE:-$top/.cache}
export DEBIAN_FRONTEND=noninteractive

log() { printf 'deps: %s\n' "$*"; }
die() { printf 'deps: error: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (installs packages)"
[ -r /etc/os-release ] && . /etc/os-release
[ "${VERSION_CODENAME:-}" = bookworm ] || die "needs Debian 12 (bookworm), found '${PRETTY_NAME:-unknown}'"
[ "$(dpkg --print-architecture)" = amd64 ] || die "needs an amd64 machine"

# --- bookworm-backports, from the mirror the machine already uses -------------------
bp_list=/etc/apt/sources.list.d/krgsched-backports.list
if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
	uri=$(grep -rhs -E '^(URIs:|deb )' /etc/apt/sources.list.d/ /etc/apt/sources.list |
	      grep -v -e security -e nodesource -e google |
	      grep -oE 'https?://[^ ]*debian/?' | head -n1 || true)
	[ -n "$uri" ] || uri=http://deb.debian.org/debian
	log "adding bookworm-backports from $uri"
	echo "deb $uri bookworm-backports main" > "$bp_list"
	need_update=1
fi

stamp=/var/lib/apt/periodic/krgsched-update-stamp
if [ -n "${need_update:-}" ] || [ ! -e "$stamp" ] ||
   [ -n "$(find "$stamp" -mmin +720 2>/dev/null)" ]; then
	log "apt-get update"
	apt-get update -qq
	mkdir -p "$(dirname "$stamp")" && touch "$stamp"
fi

# --- the reference kernel: newest Debian 12 build of 6.12 ----------------------------
abi=$(apt-cache search --names-only '^linux-headers-6\.12\.[0-9]+\+deb12-amd64$' |
      awk '{print $1}' | sed 's/^linux-headers-//' | sort -V | tail -n1)
[ -n "$abi" ] || die "apt offers no linux-headers-6.12.*+deb12-amd64 (is bookworm-backports or -security reachable?)"
log "reference kernel: $abi"

pkgs=(
	# build
	build-essential gcc make bc kmod pahole libelf-dev zlib1g-dev pkg-config
	# BPF
	clang llvm
	# tools (krgsched reads libconfig files)
	libconfig-dev
	# VM harness
	qemu-system-x86 busybox-static cpio xz-utils
	# USB sticks of the VM harness (tests/vm/run --usb): FAT images made on the
	# host with mkfs.vfat (dosfstools), files put in them with mcopy (mtools)
	dosfstools mtools
	# the reference kernel's headers, and the source package for kselftest headers
	# and for the debug kernel of `make check-debug` (scripts/debug-kernel.sh)
	"linux-headers-$abi" linux-source-6.12 flex bison libssl-dev
	# the cluster harness (tests/cluster): corosync runs in the guests only,
	# never on this machine (see below); its client libraries build krgd.
	# Guests share a directory over virtio-9p (qemu's own).
	corosync libcpg-dev libquorum-dev libcmap-dev
	# the replicated tree's front filesystem (issue 16; its spike prototype,
	# bench/replication_bench.c): libfuse3, whose .so reaches the cluster guests
	libfuse3-dev
	# processes crossing machines (issue 17): CRIU dumps and restores them; it
	# runs in the cluster guests only (tests/vm/mkinitramfs copies it there)
	criu
)
bp_pkgs=(libbpf-dev bpftool)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
for p in "${bp_pkgs[@]}"; do
	v=$(dpkg-query -W -f='${Version}' "$p" 2>/dev/null || true)
	case "$v" in *bpo*|*~bpo*) ;; *) missing+=("$p/bookworm-backports") ;; esac
done
if [ ${#missing[@]} -gt 0 ]; then
	log "installing: ${missing[*]}"
	# No service of a package starts here (corosync's would join a ring on
	# this machine): policy-rc.d says no for the length of the install.
	prc=/usr/sbin/policy-rc.d
	own_prc=
	if [ ! -e "$prc" ]; then
		printf '#!/bin/sh\nexit 101\n' > "$prc" && chmod 755 "$prc" && own_prc=1
	fi
	apt-get install -y -qq --no-install-recommends "${missing[@]}" || {
		[ -z "$own_prc" ] || rm -f "$prc"; die "apt-get install failed"; }
	[ -z "$own_prc" ] || rm -f "$prc"
fi
# ... nor at the next boot.
if command -v systemctl > /dev/null && [ -d /run/systemd/system ]; then
	systemctl disable --now corosync.service > /dev/null 2>&1 || true
fi

# --- the reference kernel image and module tree, unpacked into the cache --------------
kdir=$cache/kernel/$abi
if [ ! -e "$kdir/.done" ]; then
	log "fetching linux-image-$abi-unsigned into $kdir"
	rm -rf "$kdir" && mkdir -p "$kdir/deb"
	(cd "$kdir/deb" && apt-get download -qq -o APT::Sandbox::User=root "linux-image-$abi-unsigned")
	dpkg -x "$kdir"/deb/*.deb "$kdir/root"
	rm -rf "$kdir/deb"
	touch "$kdir/.done"
fi
ln -sfn "$abi" "$cache/kernel/current"

# --- kselftest headers and checkpatch from linux-source-6.12 ---------------------
ks=$cache/kselftest
src=$(ls /usr/src/linux-source-6.12.tar.* 2>/dev/null | sort -V | tail -n1)
[ -n "$src" ] || die "linux-source-6.12 tarball not found under /usr/src"
if [ ! -e "$ks/.done" ] || [ "$(cat "$ks/.done")" != "$src" ]; then
	log "extracting kselftest headers from $src"
	rm -rf "$ks" && mkdir -p "$ks"
	base=$(basename "$src"); base=${base%.tar.*}
	tar -xf "$src" -C "$ks" --strip-components=4 --wildcards \
		"$base/tools/testing/selftests/kselftest.h" \
		"$base/tools/testing/selftests/kselftest_harness.h"
	echo "$src" > "$ks/.done"
fi
cp=$cache/checkpatch
if [ ! -e "$cp/.done" ] || [ "$(cat "$cp/.done")" != "$src" ]; then
	log "extracting checkpatch from $src"
	rm -rf "$cp" && mkdir -p "$cp"
	base=$(basename "$src"); base=${base%.tar.*}
	tar -xf "$src" -C "$cp" --strip-components=2 \
		"$base/scripts/checkpatch.pl" "$base/scripts/spelling.txt" \
		"$base/scripts/const_structs.checkpatch"
	echo "$src" > "$cp/.done"
fi

log "ok ($abi)"
