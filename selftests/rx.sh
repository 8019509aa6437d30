#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# RX offload: tlsdev on both ends. A tlsxfer client in RX_NS sends through
# tls1 (TX offloaded) to a server in TX_NS whose socket's RX is offloaded
# to tls0, which decrypts in the device. Checks data, what the socket and
# the device report, loss and resync, and records the device must leave
# alone.

. "$(dirname "$0")/lib.sh"

PORT=4433
WORK=$(mktemp -d)

cleanup() { topo_destroy; rm -rf "$WORK"; }

# xfer NAME SERVER_ARGS -- CLIENT_ARGS: client in RX_NS -> server in TX_NS
xfer()
{
	local name=$1 srv=() server rc=0 srv_rc
	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do srv+=("$1"); shift; done
	shift

	ip netns exec "$TX_NS" "$TLSXFER" server --listen "$TX_IP4:$PORT" \
		"${srv[@]}" >"$WORK/$name.server" 2>&1 &
	server=$!
	busywait 5000 port_listening "$TX_NS" $PORT ||
		{ kill $server; fail "$name: server did not start"; return 1; }
	nsx "$RX_NS" "$TLSXFER" client --connect "$TX_IP4:$PORT" "$@" \
		>"$WORK/$name.client" 2>&1 || rc=$?
	wait $server
	srv_rc=$?
	sed "s/^/[$name server] /" "$WORK/$name.server"
	[ "$rc" -eq 0 ] || sed "s/^/[$name client] /" "$WORK/$name.client"
	[ "$rc" -ne 0 ] || rc=$srv_rc
	return "$rc"
}

d() { snap_delta "$WORK/before" "$WORK/after" "$1"; }

# how the device kept its place in the stream, from before to after
sync_counters()
{
	local c

	for c in rx_tls_ooo rx_tls_sync_lost rx_tls_resync_req_pkt \
		 rx_tls_resync_res_ok rx_tls_resync_res_skip rx_tls_auth_fail; do
		echo "$c +$(d $c)"
	done
}

# decrypted_share BYTES PERCENT: the device decrypted PERCENT of BYTES
decrypted_share()
{
	local got

	got=$(d rx_tls_decrypted_bytes)
	echo "device decrypted $got of $1 bytes ($((got * 100 / $1))%)"
	[ $((got * 100)) -ge $(($1 * $2)) ] ||
		fail "the device decrypted less than $2%"
}

test_rx_bulk()
{
	local dev0 err0 re0 re ofo0

	dev0=$(tls_stat "$TX_NS" TlsRxDevice)
	err0=$(tls_stat "$TX_NS" TlsDecryptError)
	re0=$(tcp_retrans "$RX_NS")
	ofo0=$(tcp_ofo "$TX_NS")
	dev_snap "$TX_NS" tls0 "$WORK/before"
	xfer bulk --bytes 16M --require-offload rx -- --bytes 16M \
		--require-offload tx || return 1
	dev_snap "$TX_NS" tls0 "$WORK/after"
	re=$(($(tcp_retrans "$RX_NS") - re0))
	grep -q "rx: hw" "$WORK/bulk.server" || fail "server RX is not hw"
	[ $(($(tls_stat "$TX_NS" TlsRxDevice) - dev0)) -eq 1 ] ||
		fail "TlsRxDevice did not grow by 1"
	[ "$(tls_stat "$TX_NS" TlsDecryptError)" -eq "$err0" ] ||
		fail "TlsDecryptError grew"
	# A lossless link, but a loaded host's spurious timeouts make TCP
	# retransmit, and a record with a retransmitted (old) segment is
	# software's: then 90 % is the bar, 99 % without retransmissions.
	echo "the sender retransmitted $re segments," \
	     "the receiver queued $(($(tcp_ofo "$TX_NS") - ofo0)) out of order"
	sync_counters
	decrypted_share $((16 << 20)) "$([ "$re" -eq 0 ] && echo 99 || echo 90)"
}

test_rx_loss()
{
	local rs0 rc=0

	rs0=$(tls_stat "$TX_NS" TlsRxDeviceResync)
	dev_snap "$TX_NS" tls0 "$WORK/before"
	# MTU-sized frames on the wire, as a NIC receives them: netem would
	# otherwise drop whole 64 KB GSO packets, four records at a time
	nsx "$RX_NS" ethtool -K tls1 tso off gso off || return 1
	nsx "$RX_NS" tc qdisc add dev veth1 root netem loss 2% || return 1
	xfer loss --bytes 16M --require-offload rx --timeout 60 -- \
		--bytes 16M --timeout 60 || rc=1
	nsx "$RX_NS" tc qdisc del dev veth1 root
	nsx "$RX_NS" ethtool -K tls1 tso on gso on
	[ $rc -eq 0 ] || return 1
	dev_snap "$TX_NS" tls0 "$WORK/after"
	sync_counters
	echo "TlsRxDeviceResync +$(($(tls_stat "$TX_NS" TlsRxDeviceResync) - rs0))"
	[ "$(d rx_tls_ooo)" -gt 0 ] || fail "2% loss caused no gap"
	[ "$(d rx_tls_auth_fail)" -eq 0 ] || fail "authentication failures"
	if [ "$(d rx_tls_sync_lost)" -gt 0 ]; then
		[ "$(d rx_tls_resync_res_ok)" -gt 0 ] ||
			fail "sync lost and never regained"
	fi
	# A record with a lost segment is software's (tls-offload.rst: the
	# rest of it cannot be handled); with 11 segments a record, 2% loss
	# hits about 20% of the records.
	decrypted_share $((16 << 20)) 70
}

# The sender sends plaintext into an RX-offloaded socket: no record is
# valid, the device must pass everything up untouched and software fails.
test_rx_malformed()
{
	local rc

	dev_snap "$TX_NS" tls0 "$WORK/before"
	xfer plain --bytes 64K --timeout 10 -- --bytes 64K --no-tx-keys \
		--timeout 10
	rc=$?
	dev_snap "$TX_NS" tls0 "$WORK/after"
	[ $rc -ne 0 ] || { fail "plaintext was accepted by a kTLS receiver"; return 1; }
	grep -q -i "receiving: \(bad message\|message too long\|invalid\)" \
		"$WORK/plain.server" ||
		{ fail "the receiver did not report a TLS error"; return 1; }
	[ "$(d rx_tls_decrypted_packets)" -eq 0 ] ||
		fail "the device decrypted garbage"
}

test_released()
{
	local ns dev

	for ns in "$TX_NS:tls0" "$RX_NS:tls1"; do
		dev=${ns#*:}
		ns=${ns%:*}
		busywait 10000 rx_ctx_released "$ns" "$dev" ||
			fail "$dev: rx_tls_ctx != rx_tls_del"
		busywait 10000 dev_ctx_released "$ns" "$dev" ||
			fail "$dev: tx_tls_ctx != tx_tls_del"
	done
}

rx_ctx_released()
{
	[ "$(dev_stat "$1" "$2" rx_tls_ctx)" = "$(dev_stat "$1" "$2" rx_tls_del)" ]
}

trap cleanup EXIT
ksft_plan 4
topo_create tlsdev tlsdev || { echo "Bail out! topology"; exit 1; }
run_test "rx: 16 MiB decrypted in the device, intact" test_rx_bulk
run_test "rx: 2% loss, request-mode resync, intact" test_rx_loss
run_test "rx: malformed records are passed up untouched" test_rx_malformed
run_test "rx: every context is released" test_released
ksft_exit
