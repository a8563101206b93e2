#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# PAM session hook for the local_user_presence probe: announces interactive
# sessions opening and closing (Kerrighed's local_user_notifier files).
# Install it as root, e.g. /usr/local/sbin/krg-user-presence, and add to
# /etc/pam.d/common-session (or to login's and sshd's files only):
#
#   session optional pam_exec.so quiet /usr/local/sbin/krg-user-presence
#
# pam_exec runs it as root with PAM_TYPE and PAM_USER set; only root may
# write the probe's files. Sessions of system users (uid < 1000) and
# non-interactive services (cron) are not counted. It never fails the login:
# without the probe (mkdir probes/local_user_presence) it does nothing.
lup=/sys/kernel/config/krg_scheduler/probes/local_user_presence

case "$PAM_SERVICE" in cron|atd|systemd-user) exit 0 ;; esac
uid=$(id -u "$PAM_USER" 2>/dev/null) || exit 0
[ "$uid" -ge "${KRG_MIN_UID:-1000}" ] || exit 0
[ -d "$lup" ] || exit 0
case "$PAM_TYPE" in
open_session) echo 1 > "$lup/connection" ;;
close_session) echo 1 > "$lup/disconnection" ;;
esac 2>/dev/null
exit 0
