#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: install what is missing, build, lint, run the unit tests
# on the host and the selftests in the VM. Every stage is logged under
# .cache/check/; results are counted from TAP lines ("ok"/"not ok") and
# from "N passed, M failed" lines. The last line is the total, and the
# exit status is non-zero if anything failed.
set -u

TOP=$(cd "$(dirname "$0")/.." && pwd)
LOGDIR=$TOP/.cache/check
passed=0
failed=0

cd "$TOP" || exit 1
mkdir -p "$LOGDIR"

# count LOG: print the numbers of passed and failed results in LOG
count()
{
	tr -d '\r' <"$1" | awk '
		/^ok /				{ p++ }
		/^not ok /			{ f++ }
		/^[0-9]+ passed, [0-9]+ failed/	{ p += $1; f += $3 }
		END				{ print p + 0, f + 0 }'
}

# stage NAME CMD...: run CMD, log it, count its results; a stage that
# fails without reporting a failure counts as one failure.
stage()
{
	local name=$1 log=$LOGDIR/$1.log rc p f
	shift

	echo "== $name: $*"
	"$@" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	read -r p f < <(count "$log")
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - $name: '$*' exited with status $rc" | tee -a "$log"
		failed=$((failed + 1))
	elif [ "$rc" -eq 0 ] && [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
		passed=$((passed + 1))
	fi
	return "$rc"
}

finish()
{
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit
}

# KERNEL=debug (make check KERNEL=debug): the selftests run on the debug
# kernel of scripts/debug-kernel.sh, built first if needed; the modules are
# built (and linted) against it.
KERNEL=${KERNEL:-}
export KERNEL

stage deps make -s deps || finish
if [ "$KERNEL" = debug ]; then
	stage debug-kernel make -s debug-kernel || finish
fi
stage build make -s all || finish
stage lint make -s lint
stage unit-user make -s -C user test
stage smoke-user make -s -C user smoke
stage unit-tracker make -s -C kmod/tests test
stage fuzz-tracker make -s -C kmod/tests fuzz-smoke
stage vm make -s vmtest
finish
