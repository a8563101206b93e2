#!/bin/sh
# Each example set-up builds the same tree from its shell script (mkdir,
# ln -s, echo) as from its .cfg file (krgsched apply), and removes cleanly.
. /krg/lib/krg.sh
krg_load_all
C=$KRG_CFS
E=/krg/examples
tap_plan 8

for ex in mosix round_robin; do
	check "$ex.sh builds its scheduler" sh $E/$ex.sh
	krgsched show --cfg $ex > /tmp/$ex.sh.cfg
	krgsched destroy $ex
	rmdir $C/probes/* 2>/dev/null
	check "$ex.cfg applies" krgsched apply $E/$ex.cfg
	krgsched show --cfg $ex > /tmp/$ex.cfg.cfg
	check "$ex: the script and the file build the same tree" \
		cmp /tmp/$ex.sh.cfg /tmp/$ex.cfg.cfg
	krgsched destroy $ex
	rmdir $C/probes/* 2>/dev/null
	check "$ex: nothing is left" test -z "$(ls $C/schedulers)$(ls $C/probes)"
done
tap_done
