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
#
# TX_MANY_BACKEND (emu, mlx5), TX_MANY_RESYNC (replay, request) and
# TX_MANY_LOSS (netem loss on tls0, before the device, e.g. "1%") choose
# the configuration of one run. Without them (the default run): the run
# above with emu in replay mode and no loss, then a smaller one where the
# resync mode and the backend matter, many connections retransmitting and
# resynchronising at once from both CPUs: mlx5 in request mode with 1%
# loss before the device (every connection sees jumps forward, asks the
# core for a resync and goes through the software fallback until the core
# answers), $TX_MANY_LOSSY_CONNS + $TX_MANY_LOSSY_CONNS2 connections,
# $TX_MANY_LOSSY_ROUNDS rounds (within mlx5's default pool of 1024).

. "$(dirname "$0")/lib.sh"

TX_MANY=${TX_MANY:-$SELFTESTS_DIR/tx_many}
TLSDEVCTL=${TLSDEVCTL:-$TOP_DIR/user/tlsdevctl}
TX_MANY_CONNS=${TX_MANY_CONNS:-1000}
TX_MANY_CONNS2=${TX_MANY_CONNS2:-200}
TX_MANY_ROUNDS=${TX_MANY_ROUNDS:-3}
TX_MANY_LOSSY_CONNS=${TX_MANY_LOSSY_CONNS:-100}
TX_MANY_LOSSY_CONNS2=${TX_MANY_LOSSY_CONNS2:-50}
TX_MANY_LOSSY_ROUNDS=${TX_MANY_LOSSY_ROUNDS:-2}
WORK=$(mktemp -d)

# The configuration of the run in progress (set_config)
NAME=tx_many
RESYNC=replay
LOSS=
N1=$TX_MANY_CONNS
N2=$TX_MANY_CONNS2
ROUNDS=$TX_MANY_ROUNDS

cleanup()
{
	nsx "$TX_NS" tc qdisc del dev tls0 root 2>/dev/null
	topo_destroy
	rm -rf "$WORK"
}

# d NAME: how much counter NAME grew between $WORK/before and $WORK/after,
# as loaded by deltas_load
d() { echo "${D[$1]:-0}"; }

# result FILE KEY: a "KEY VALUE" line of a tx_many run
result() { awk -v k="$2" '$1 == k { v = $2 } END { print v + 0 }' "$1"; }

test_many()
{
	local pid1 pid2 rc=0 rc2=0

	D=()
	rm -f "$WORK/after"
	dev_snap "$TX_NS" tls0 "$WORK/before"
	if [ -n "$LOSS" ]; then
		nsx "$TX_NS" tc qdisc add dev tls0 root netem loss "$LOSS" ||
			return 1
	fi
	"$TX_MANY" -n "$N1" -r "$ROUNDS" -p 5201 -s 1 -S \
		>"$WORK/many1" 2>&1 &
	pid1=$!
	"$TX_MANY" -n "$N2" -r "$ROUNDS" -p 5202 -s 2 -S \
		>"$WORK/many2" 2>&1 &
	pid2=$!
	wait $pid1 || rc=$?
	wait $pid2 || rc2=$?
	if [ -n "$LOSS" ]; then
		nsx "$TX_NS" tc -s qdisc show dev tls0 | grep -o "dropped [0-9]*" |
			sed 's/^/netem on tls0: /'
		nsx "$TX_NS" tc qdisc del dev tls0 root
	fi
	sed 's/^/[1] /' "$WORK/many1"
	sed 's/^/[2] /' "$WORK/many2"
	[ $rc -eq 0 ] || fail "tx_many -n $N1 exited $rc"
	[ $rc2 -eq 0 ] || fail "tx_many -n $N2 exited $rc2"
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
	deltas_load "$WORK/before" "$WORK/after"
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

# Per the device's resync mode: replay: every out-of-sequence segment
# replayed, no fallback, the whole record streams through the engine;
# request: no replay, the fallback for out-of-sequence segments, at most
# one resync request pending per connection at the end, the whole streams
# through the engine unless the device missed segments (loss before it).
# With loss, out-of-sequence segments and resyncs must have happened.
test_counters()
{
	local rc=0 c stream opened

	stream=$(($(result "$WORK/many1" stream_bytes) + $(result "$WORK/many2" stream_bytes)))
	opened=$(($(result "$WORK/many1" opened) + $(result "$WORK/many2" opened)))
	for c in tx_tls_encrypted_packets tx_tls_encrypted_bytes tx_tls_ooo \
		 tx_tls_dump_packets tx_tls_dump_bytes tx_tls_fallback_packets \
		 tx_tls_resync_req tx_tls_resync_done; do
		echo "$c +$(d $c)"
	done
	echo "record stream sent: $stream bytes"
	for c in tx_tls_drop_no_sync_data tx_tls_drop_bypass_req \
		 tx_tls_drop_no_mem tx_tls_drop_engine tx_tls_skip_no_sync_data \
		 tx_tls_ctx_refused; do
		want "$(d $c) == 0" "$c grew" || rc=1
	done
	want "$(d tx_tls_resync_done) <= $(d tx_tls_resync_req)" \
		"more resyncs done than requested" || rc=1
	if [ "$RESYNC" = replay ]; then
		want "$(d tx_tls_fallback_packets) == 0" "fallback used" || rc=1
		want "$(d tx_tls_resync_req) == 0" "replay mode requested a resync" ||
			rc=1
		want "$(d tx_tls_encrypted_bytes) >= $stream" \
			"the device encrypted less than the record streams" || rc=1
		want "$(d tx_tls_ooo) == $(d tx_tls_dump_packets)" \
			"out-of-sequence segments that were not replayed" || rc=1
		[ -z "$LOSS" ] ||
			want "$(d tx_tls_dump_packets) > 0" "no replay under loss" || rc=1
	else
		want "$(d tx_tls_dump_packets) == 0" "request mode replayed" || rc=1
		want "$(d tx_tls_fallback_packets) <= $(d tx_tls_ooo)" \
			"fallback packets that were not out of sequence" || rc=1
		want "$(d tx_tls_resync_req) <= $(d tx_tls_resync_done) + $opened" \
			"more than one resync request pending per connection" || rc=1
		if [ -n "$LOSS" ]; then
			want "$(d tx_tls_fallback_packets) > 0" "no fallback under loss" ||
				rc=1
			want "$(d tx_tls_resync_req) > 0" "no resync requested" || rc=1
			want "$(d tx_tls_resync_done) > 0" "no resync done" || rc=1
		else
			want "$(d tx_tls_resync_req) == 0" "a resync requested without loss" ||
				rc=1
			want "$(d tx_tls_encrypted_bytes) >= $stream" \
				"the device encrypted less than the record streams" || rc=1
		fi
	fi
	return $rc
}

# set_config BACKEND RESYNC LOSS N1 N2 ROUNDS: the configuration of the
# next suite; tls0 made again by tlsdevctl unless emu replay
set_config()
{
	local backend=$1 tag=

	RESYNC=$2 LOSS=$3 N1=$4 N2=$5 ROUNDS=$6
	[ "$backend" = emu ] || tag=$backend
	[ "$RESYNC" = replay ] || tag=${tag:+$tag,}$RESYNC
	[ -z "$LOSS" ] || tag=${tag:+$tag,}loss
	NAME=tx_many${tag:+[$tag]}
	[ "$backend" = emu ] && [ "$RESYNC" = replay ] && return 0
	tlsdev_remake "$TX_NS" tls0 veth0 "$TX_IP4" "$TX_IP6" \
		backend "$backend" tx-resync "$RESYNC" &&
	busywait 30000 nsx "$TX_NS" ping -c1 -W1 -q "$RX_IP4" >/dev/null &&
	busywait 30000 nsx "$TX_NS" ping -c1 -W1 -q "$RX_IP6" >/dev/null
}

# suite BACKEND RESYNC LOSS N1 N2 ROUNDS: the four tests in a configuration
suite()
{
	local t0=$SECONDS loss=

	[ -z "$3" ] || loss=", $3 loss before the device"
	if ! set_config "$@"; then
		for t in 1 2 3 4; do
			ksft_result 1 "$NAME: tls0 made with backend $1 tx-resync $2"
		done
		return
	fi
	run_test "$NAME: $N1 + $N2 connections, $ROUNDS rounds of churn$loss, data intact" \
		test_many
	run_test "$NAME: one context per connection, all deleted" test_released
	run_test "$NAME: TlsCurrTxDevice back to 0, none in software" test_tls_stat
	run_test "$NAME: device counters match the data" test_counters
	echo "# $NAME: $((SECONDS - t0)) s"
}

trap cleanup EXIT
if [ ! -x "$TX_MANY" ]; then
	echo "Bail out! $TX_MANY is not built (make -C selftests)"
	exit 1
fi
topo_create tlsdev plain || { echo "Bail out! topology"; exit 1; }
export TX_NS RX_NS

if [ -n "${TX_MANY_BACKEND:-}${TX_MANY_RESYNC:-}${TX_MANY_LOSS:-}" ]; then
	ksft_plan 4
	suite "${TX_MANY_BACKEND:-emu}" "${TX_MANY_RESYNC:-replay}" \
		"${TX_MANY_LOSS:-}" "$TX_MANY_CONNS" "$TX_MANY_CONNS2" \
		"$TX_MANY_ROUNDS"
elif [ ! -x "$TLSDEVCTL" ]; then
	ksft_plan 8
	suite emu replay "" "$TX_MANY_CONNS" "$TX_MANY_CONNS2" "$TX_MANY_ROUNDS"
	for t in 1 2 3 4; do
		ksft_result 4 "tx_many[mlx5,request,loss]: test $t" \
			"$TLSDEVCTL is not built"
	done
else
	ksft_plan 8
	suite emu replay "" "$TX_MANY_CONNS" "$TX_MANY_CONNS2" "$TX_MANY_ROUNDS"
	suite mlx5 request 1% "$TX_MANY_LOSSY_CONNS" "$TX_MANY_LOSSY_CONNS2" \
		"$TX_MANY_LOSSY_ROUNDS"
fi
ksft_exit
