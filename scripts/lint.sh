#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/lint.sh KDIR LINUX_SRC: the kernel-side style gate, as TAP.
#  1. checkpatch.pl --strict (from linux-source) on every kmod/ source file
#  2. a full rebuild with W=1 and sparse (C=2): no warning may remain
set -u

KDIR=${1:?usage: lint.sh KDIR LINUX_SRC}
LINUX_SRC=${2:?usage: lint.sh KDIR LINUX_SRC}
TOP=$(cd "$(dirname "$0")/.." && pwd)
log=$(mktemp)
trap 'rm -f "$log"' EXIT

cd "$TOP" || exit 1
echo "TAP version 13"
echo "1..2"

mapfile -t files < <(find kmod -path kmod/tests -prune -o \
	\( -name '*.[ch]' ! -name '*.mod.c' \) -print | sort)
if ! "$LINUX_SRC/scripts/checkpatch.pl" --strict --no-tree --terse \
	-f "${files[@]}" >"$log" 2>&1; then
	grep -v '^total: ' "$log" | sed 's/^/# /'
	echo "not ok 1 lint: checkpatch --strict"
else
	echo "ok 1 lint: checkpatch --strict (${#files[@]} files)"
fi

if make -s -C "$KDIR" M="$TOP" W=1 C=2 modules >"$log" 2>&1 &&
   ! grep -E -q 'warning:|error:' "$log"; then
	echo "ok 2 lint: W=1 and sparse"
else
	grep -E 'warning:|error:' "$log" | sed 's/^/# /'
	tail -n 5 "$log" | sed 's/^/# /'
	echo "not ok 2 lint: W=1 and sparse"
fi
