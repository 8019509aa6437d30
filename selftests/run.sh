#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs the selftests inside the VM (scripts/vm-run loads the modules
# first): every test prints TAP; a test that exits non-zero without a
# failing TAP line gets one here. Last, the modules must unload cleanly.
#
#   selftests/run.sh [TEST...]      default: all of them, in order

cd "$(dirname "$0")" || exit 1

# The default run: tests seen passing in a full run. Others can be run by
# name (make vmtest TESTS="tx.sh ..."), see Documentation/testing.rst.
TESTS=(rx.sh link.sh tls_tx.sh tx.sh backends.sh ctl.sh nlfuzz.sh
       handshake.sh tx_resync.sh tx_resync_mlx5.sh tx_wrap.sh tx_many.sh
       rx_resync.sh lifecycle.sh hostile.sh)
[ $# -gt 0 ] && TESTS=("$@")
TEST_TIMEOUT=${TEST_TIMEOUT:-900}
failed=0

for t in "${TESTS[@]}"; do
	echo "# selftest: $t"
	start=$SECONDS
	out=$(mktemp)
	timeout "$TEST_TIMEOUT" "./$t" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	if [ "$rc" -ne 0 ]; then
		failed=1
		grep -q '^not ok ' "$out" ||
			echo "not ok - $t exited with status $rc"
	fi
	rm -f "$out"
	echo "# selftest: $t: $((SECONDS - start)) s"
done

# Every device and context is gone, so the modules must unload.
mods=$(lsmod | awk '$1 ~ /^tlsdev/ { print $1 }' | sort -r | tr '\n' ' ')
if [ -n "$mods" ]; then
	# shellcheck disable=SC2086
	if rmmod $mods; then
		echo "ok - modules unload: $mods"
	else
		echo "not ok - modules unload: $mods"
		failed=1
	fi
fi
exit $failed
