#!/usr/bin/env bash
# Build (once per machine) the debug kernel of `make check-debug`: Debian's
# linux-source-6.12 (the reference kernel's source) configured as x86_64 defconfig +
# kvm_guest.config + tests/vm/debug.config (KASAN, lockdep, kmemleak, ...).
#
# The result is cached outside the checkout, keyed by the source package version and
# the fragment's hash: $KRG_DEBUG_CACHE (default /var/cache/krgsched/debug-kernel)/
# <version>-<hash>/{src,build}. A complete build has build/.krg-done; anything else is
# rebuilt from scratch. Older keys are removed once a new one is complete.
#
# Usage: scripts/debug-kernel.sh [--dir]
#   --dir   print the build directory of the current key and exit (0 if built, 1 if not)
# Without options: build if needed, then print the build directory on stdout. In it:
# arch/x86/boot/bzImage, root/lib/modules/<release>/ and what `make M=` needs.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
frag=$top/tests/vm/debug.config
base=${KRG_DEBUG_CACHE:-/var/cache/krgsched/debug-kernel}
tarball=/usr/src/linux-source-6.12.tar.xz
# Bump when the recipe below changes in a way the fragment does not show.
recipe=1

log() { printf 'debug-kernel: %s\n' "$*" >&2; }
die() { printf 'debug-kernel: error: %s\n' "$*" >&2; exit 1; }

ver=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null) ||
	die "linux-source-6.12 is not installed (run scripts/deps.sh)"
[ -r "$tarball" ] || die "$tarball missing (run scripts/deps.sh)"
hash=$( (echo "recipe $recipe"; cat "$frag") | sha256sum | cut -c1-12)
key=$base/${ver//[~:]/_}-$hash
build=$key/build

if [ "${1:-}" = --dir ]; then
	echo "$build"
	[ -e "$build/.krg-done" ]
	exit
fi
[ $# -eq 0 ] || die "unknown argument '$1' (usage: scripts/debug-kernel.sh [--dir])"

if [ -e "$build/.krg-done" ]; then
	log "cached: $build"
	echo "$build"
	exit 0
fi

mkdir -p "$base"
exec 9>"$base/.lock"
flock 9		# one build at a time per machine
if [ -e "$build/.krg-done" ]; then echo "$build"; exit 0; fi

start=$(date +%s)
rm -rf "$key"
mkdir -p "$key/src" "$build"
log "unpacking linux-source $ver into $key/src"
tar -xf "$tarball" -C "$key/src" --strip-components=1

kmake() { make -C "$key/src" O="$build" -s "$@"; }
log "configuring: defconfig + kvm_guest.config + $(basename "$frag")"
kmake defconfig
kmake kvm_guest.config
"$key/src/scripts/kconfig/merge_config.sh" -m -O "$build" "$build/.config" "$frag" >/dev/null
kmake olddefconfig

# Every setting of the fragment must have landed: a dependency we missed would
# otherwise only show after the build, or never.
bad=0
while IFS= read -r line; do
	case "$line" in
	CONFIG_*=*) want=$line ;;
	"# CONFIG_"*" is not set") want=$line ;;
	*) continue ;;
	esac
	opt=${want#\# }; opt=${opt%%[= ]*}
	got=$(grep -E "^($opt=|# $opt is not set)" "$build/.config" || true)
	if [ "$got" != "$want" ]; then
		# An unset option may also simply be absent (its menu is off).
		case "$want" in "# "*) [ -z "$got" ] && continue ;; esac
		log "fragment: want '$want', got '${got:-absent}'"
		bad=1
	fi
done < "$frag"
[ $bad = 0 ] || die "the configuration does not match $frag"

jobs=$(nproc)
log "building with -j$jobs (30 to 45 min on 2 cores; log: $key/build.log)"
# A line every 5 minutes, so that a CI watching for output sees progress.
# The loop's sleep is killed with it: an orphaned sleep would hold CI's output open.
( trap 'kill $! 2>/dev/null; exit 0' TERM
  while :; do
	sleep 300 & wait $!
	log "still building: $(find "$build" -name '*.o' | wc -l) objects so far"
  done ) >&2 &
beat=$!
# The trap must not fail: under set -e a failing EXIT trap becomes the script's
# status (the heartbeat is gone once it has been stopped below).
stop_beat() { kill "$beat" 2>/dev/null || true; wait "$beat" 2>/dev/null || true; }
trap stop_beat EXIT
if ! kmake -j"$jobs" bzImage modules >"$key/build.log" 2>&1; then
	tail -n 40 "$key/build.log" >&2
	die "kernel build failed (log: $key/build.log)"
fi
stop_beat
trap - EXIT
# The module tree the harness takes modules.builtin and friends from.
kmake INSTALL_MOD_PATH="$build/root" modules_install >>"$key/build.log" 2>&1
touch "$build/.krg-done"
log "built in $(( $(date +%s) - start ))s: $build"

# Only the current key is kept.
for old in "$base"/*/; do
	[ "${old%/}" = "$key" ] || rm -rf "$old"
done
echo "$build"
