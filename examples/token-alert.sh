#!/bin/sh
# Tell the administrator when a USB token key runs low: waits for the
# alert_filter "tokens_low" of examples/tokens.sh (a pollable sysfs file,
# /sys/kernel/krg_alert/tokens_low/alerts) and, for each alert, writes a
# line to syslog (logger) or stderr, and mails it when a mailer is there.
#
#   token-alert.sh [ALERT [MAILTO]]      (defaults: tokens_low, root)
#
# Runs until killed. The same alert is also a uevent (KRG_ALERT=tokens_low
# KRG_EVENT=fired KRG_NODE=N KRG_VALUE=V ...) for udev rules or mdev, and a
# kernel log line ("alert tokens_low: node N value V fell below ...").
# TOKEN_ALERT_ONCE=1: return after the first alert (for tests).
ALERT=${1:-tokens_low}
MAILTO=${2:-root}

tell() {
	msg="krgsched: USB token key low: $1"
	if command -v logger > /dev/null 2>&1; then
		logger -t krg-token-alert -p user.warning "$msg"
	fi
	echo "$msg" >&2
	if command -v mail > /dev/null 2>&1; then
		echo "$msg" | mail -s "krgsched: token key low" "$MAILTO"
	elif command -v sendmail > /dev/null 2>&1; then
		printf 'To: %s\nSubject: krgsched: token key low\n\n%s\n' \
			"$MAILTO" "$msg" | sendmail "$MAILTO"
	fi
}

seen=$(cat /sys/kernel/krg_alert/$ALERT/alerts) || exit 1
while :; do
	# Blocks in poll(2) until the count passes what was seen.
	what=$(krgtoken wait -a "$seen" "$ALERT") || exit 1
	# One message per alert: several at once each get one (with the last).
	seen=$((seen + 1))
	tell "$what (alert $seen)"
	[ "${TOKEN_ALERT_ONCE:-0}" = 1 ] && exit 0
done
