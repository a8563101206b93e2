#!/usr/bin/env bash
# `make style`: the kernel's checkpatch.pl (from linux-source-6.12, extracted by
# deps.sh) over every kernel-side C file and header of the project.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cp=${KRG_CACHE:-$top/.cache}/checkpatch/checkpatch.pl
[ -x "$cp" ] || { echo "checkpatch: $cp missing; run scripts/deps.sh" >&2; exit 1; }
cd "$top"
files=$(git ls-files -- 'kernel/*.[ch]' 'core/*.[ch]' 'probes/*.[ch]' \
	'filters/*.[ch]' 'policies/*.[ch]' 'include/*.h' 'tests/kmod/*.[ch]' \
	'examples/components/*.[ch]')
[ -n "$files" ] || exit 0
# BIT_MACRO: uapi headers cannot use BIT(). MACRO_ARG_REUSE: the component
# declaration macros paste the type name, which has no side effects.
# ENOSYS: Kerrighed returned it for capabilities the kernel does not
# support, and krgsched keeps its errnos.
# shellcheck disable=SC2086
"$cp" --no-tree --strict --terse --show-types -f \
	--ignore SPDX_LICENSE_TAG,BIT_MACRO,MACRO_ARG_REUSE,ENOSYS,FILE_PATH_CHANGES,CONFIG_DESCRIPTION $files
