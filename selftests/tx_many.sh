#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Many concurrent offloaded connections with churn: tx_many opens
# $TX_MANY_CONNS connections through tls0, each with keys of its own,
# moves data on all of them, closes half (client first with data in
# flight, server first, client RST) and opens new ones, for a few rounds.
# A second, smaller tx_many runs at the same time, so that both CPUs
# drive the device (each checks TlsCurrTxDevice against its own count as a
# lower bound; the exact count is checked at the end). Then: every context the device was given has been
# deleted, TlsCurrTxDevice is back to 0, nothing was dropped and the
# device counters agree with the data sent.

. "$(dirname "$0")/lib.sh"

TX_MANY=${TX_MANY:-$SELFTESTS_DIR/tx_many}
TX_MANY_CONNS=${TX_MANY_CONNS:-1000}
TX_MANY_CONNS2=${TX_MANY_CONNS2:-200}
TX_MANY_ROUNDS=${TX_MANY_ROUNDS:-3}
WORK=$(mktemp -d)

cleanup() { topo_destroy; rm -rf "$WORK"; }

d() { snap_delta "$WORK/before" "$WORK/after" "$1"; }
want() { (($1)) || fail "$2 ($1)"; }

# result FILE KEY: a "KEY VALUE" line of a tx_many run
result() { awk -v k="$2" '$1 == k { v = $2 } END { print v + 0 }' "$1"; }

test_many()
{
	local pid1 pid2 rc=0 rc2=0

	dev_snap "$TX_NS" tls0 "$WORK/before"
	"$TX_MANY" -n "$TX_MANY_CONNS" -r "$TX_MANY_ROUNDS" -p 5201 -s 1 -S \
		>"$WORK/many1" 2>&1 &
	pid1=$!
	"$TX_MANY" -n "$TX_MANY_CONNS2" -r "$TX_MANY_ROUNDS" -p 5202 -s 2 -S \
		>"$WORK/many2" 2>&1 &
	pid2=$!
	wait $pid1 || rc=$?
	wait $pid2 || rc2=$?
	sed 's/^/[1] /' "$WORK/many1"
	sed 's/^/[2] /' "$WORK/many2"
	[ $rc -eq 0 ] || fail "tx_many -n $TX_MANY_CONNS exited $rc"
	[ $rc2 -eq 0 ] || fail "tx_many -n $TX_MANY_CONNS2 exited $rc2"
	[ $rc -eq 0 ] && [ $rc2 -eq 0 ]
}

test_released()
{
	local opened

	busywait 30000 dev_ctx_released "$TX_NS" tls0 ||
		fail "tx_tls_ctx $(dev_stat "$TX_NS" tls0 tx_tls_ctx) !=" \
		     "tx_tls_del $(dev_stat "$TX_NS" tls0 tx_tls_del) after 30 s" ||
		return 1
	dev_snap "$TX_NS" tls0 "$WORK/after"
	opened=$(($(result "$WORK/many1" opened) + $(result "$WORK/many2" opened)))
	echo "contexts: $(d tx_tls_ctx) added, $(d tx_tls_del) deleted, $opened connections"
	want "$(d tx_tls_ctx) == $opened" "not one context per connection"
}

test_tls_stat()
{
	local rc=0

	nsx "$TX_NS" cat /proc/net/tls_stat | grep Tx | tr '\n' ' '
	echo
	[ "$(tls_stat "$TX_NS" TlsCurrTxDevice)" = 0 ] ||
		{ fail "TlsCurrTxDevice is not 0"; rc=1; }
	[ "$(tls_stat "$TX_NS" TlsTxSw)" = 0 ] ||
		{ fail "TlsTxSw is not 0: connections were not offloaded"; rc=1; }
	return $rc
}

test_counters()
{
	local rc=0 c stream

	stream=$(($(result "$WORK/many1" stream_bytes) + $(result "$WORK/many2" stream_bytes)))
	for c in tx_tls_encrypted_packets tx_tls_encrypted_bytes tx_tls_ooo \
		 tx_tls_dump_packets tx_tls_dump_bytes tx_tls_fallback_packets; do
		echo "$c +$(d $c)"
	done
	echo "record stream sent: $stream bytes"
	for c in tx_tls_drop_no_sync_data tx_tls_drop_bypass_req \
		 tx_tls_drop_no_mem tx_tls_drop_engine tx_tls_skip_no_sync_data \
		 tx_tls_fallback_packets tx_tls_ctx_refused; do
		want "$(d $c) == 0" "$c grew" || rc=1
	done
	want "$(d tx_tls_encrypted_bytes) >= $stream" \
		"the device encrypted less than the record streams" || rc=1
	want "$(d tx_tls_ooo) == $(d tx_tls_dump_packets)" \
		"out-of-sequence segments that were not replayed" || rc=1
	return $rc
}

trap cleanup EXIT
ksft_plan 4
if [ ! -x "$TX_MANY" ]; then
	echo "Bail out! $TX_MANY is not built (make -C selftests)"
	exit 1
fi
topo_create tlsdev plain || { echo "Bail out! topology"; exit 1; }
export TX_NS RX_NS

run_test "tx_many: $TX_MANY_CONNS + $TX_MANY_CONNS2 connections, $TX_MANY_ROUNDS rounds of churn, data intact" \
	test_many
run_test "tx_many: one context per connection, all deleted" test_released
run_test "tx_many: TlsCurrTxDevice back to 0, none in software" test_tls_stat
run_test "tx_many: no drops, device counters match the data" test_counters
ksft_exit
