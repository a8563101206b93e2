# Shell helpers for the in-guest scenario tests and the VM runner.
# shellcheck shell=sh

KRG_MODDIR=/krg/modules
KRG_CFS=/sys/kernel/config/krg_scheduler

# Modules in load order; unloaded in reverse.
krg_modules() {
	echo krg krg_scheduler
	for m in "$KRG_MODDIR"/*.ko; do
		m=${m##*/}; m=${m%.ko}
		case "$m" in krg|krg_scheduler) ;; *) echo "$m" ;; esac
	done
}

krg_loaded() { grep -q "^$1 " /proc/modules; }

krg_load() {
	krg_loaded "$1" || modprobe "$1"
}

krg_load_all() {
	krg_load krg && krg_load krg_scheduler
}

# Remove every scheduler and probe, then unload every module of ours, printing
# one TAP line per module.
krg_unload_all() {
	if [ -d "$KRG_CFS" ]; then
		for d in "$KRG_CFS"/schedulers/* "$KRG_CFS"/probes/*; do
			[ -d "$d" ] && rmdir "$d" 2>/dev/null
		done
	fi
	n=0
	for m in $(krg_modules | tr ' ' '\n' | sed '1!G;h;$!d'); do
		krg_loaded "$m" || continue
		n=$((n + 1))
		if rmmod "$m"; then
			echo "ok $n - rmmod $m"
		else
			echo "not ok $n - rmmod $m"
		fi
	done
}

# --- TAP for scenario scripts -----------------------------------------------
_tap_n=0
_tap_fail=0
tap_plan() { echo "TAP version 13"; echo "1..$1"; }
ok() { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n - $*"; }
not_ok() { _tap_n=$((_tap_n + 1)); _tap_fail=1; echo "not ok $_tap_n - $*"; }
skip() { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n - $* # SKIP"; }
# check DESCRIPTION COMMAND...: ok if the command succeeds
check() { d=$1; shift; if "$@"; then ok "$d"; else not_ok "$d"; fi; }
# fails DESCRIPTION ERRNO_TEXT COMMAND...: ok if the command fails and its
# stderr contains ERRNO_TEXT (e.g. "Device or resource busy")
fails() {
	d=$1; e=$2; shift 2
	if "$@" 2>/tmp/.krg-err; then
		not_ok "$d (succeeded)"
	elif grep -q "$e" /tmp/.krg-err; then
		ok "$d"
	else
		not_ok "$d (wanted '$e', got '$(cat /tmp/.krg-err)')"
	fi
}
tap_done() { exit $_tap_fail; }
# status_is DESCRIPTION STATUS COMMAND...: ok if the command exits STATUS
# (its output in /tmp/.krg-out and /tmp/.krg-err)
status_is() {
	d=$1; s=$2; shift 2
	"$@" >/tmp/.krg-out 2>/tmp/.krg-err
	rc=$?
	if [ "$rc" = "$s" ]; then ok "$d"; else not_ok "$d (exit $rc, wanted $s: $(head -c 300 /tmp/.krg-err))"; fi
}
# refused DESCRIPTION TEXT COMMAND...: a tool's refusal: exit status 1 and
# TEXT on stderr
refused() {
	d=$1; e=$2; shift 2
	"$@" >/tmp/.krg-out 2>/tmp/.krg-err
	rc=$?
	if [ "$rc" = 1 ] && grep -qF -- "$e" /tmp/.krg-err; then
		ok "$d"
	else
		not_ok "$d (exit $rc, wanted 1 and '$e', got '$(head -c 600 /tmp/.krg-err)')"
	fi
}
# as_user COMMAND ARGS...: run it as krguser (uid 1000), tools on PATH
as_user() { POSIXLY_CORRECT=1 su -s /bin/sh krguser -c 'PATH=/krg/tools:/bin; exec "$0" "$@"' "$@"; }

# --- the host control channel (tests/vm/README) -----------------------------
# krg_host REQUEST...: send one request to tests/vm/hostctl on the host (e.g.
# "usb-unplug 1") over ttyS2 and print its answer; succeeds if it is "ok".
# Only in VMs started with USB sticks (KRG_USB > 0 in /krg/run.conf).
krg_host() {
	[ -c /dev/ttyS2 ] || { echo "error no control channel"; return 1; }
	stty -F /dev/ttyS2 raw -echo 2>/dev/null
	exec 7<>/dev/ttyS2
	echo "$*" >&7
	_krg_ans=
	read -r -t 30 _krg_ans <&7
	exec 7<&-
	_krg_ans=$(printf '%s' "$_krg_ans" | tr -d '\r')
	echo "${_krg_ans:-error no answer}"
	case "$_krg_ans" in ok*) return 0 ;; *) return 1 ;; esac
}

# krg_usb_count: how many USB sticks the VM was started with.
krg_usb_count() {
	( . /krg/run.conf 2>/dev/null; echo "${KRG_USB:-0}" )
}
