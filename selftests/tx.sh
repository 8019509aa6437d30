#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# TX offload end to end: a tlsxfer client in TX_NS sends through tls0
# (tlsdev, emu backend) to a software kTLS tlsxfer server in RX_NS, which
# verifies every byte. Checks what the socket, the TLS core and the device
# report, that the wire carries ciphertext, and that retransmissions (netem
# loss) still deliver intact data.

. "$(dirname "$0")/lib.sh"

PORT=4433
WORK=$(mktemp -d)

cleanup() { topo_destroy; rm -rf "$WORK"; }

# xfer NAME SERVER_ARGS -- CLIENT_ARGS: one transfer; both ends must succeed
xfer()
{
	local name=$1 srv=() cli=() server rc=0 srv_rc
	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do srv+=("$1"); shift; done
	shift
	cli=("$@")

	ip netns exec "$RX_NS" "$TLSXFER" server --listen "${SRV_ADDR:-$RX_IP4}:$PORT" \
		"${srv[@]}" >"$WORK/$name.server" 2>&1 &
	server=$!
	busywait 30000 port_listening "$RX_NS" $PORT || {
		kill "$server" 2>/dev/null
		fail "$name: server did not start"
		return 1
	}
	nsx "$TX_NS" "$TLSXFER" client --connect "${CLI_ADDR:-$RX_IP4:$PORT}" \
		"${cli[@]}" >"$WORK/$name.client" 2>&1 || rc=$?
	wait "$server"
	srv_rc=$?
	[ "$rc" -ne 0 ] || rc=$srv_rc
	sed "s/^/[$name client] /" "$WORK/$name.client"
	[ "$rc" -eq 0 ] || sed "s/^/[$name server] /" "$WORK/$name.server"
	return "$rc"
}

# delta_check NS NAME BEFORE EXPECT: /proc/net/tls_stat NAME grew by EXPECT
stat_grew()
{
	local now

	now=$(tls_stat "$1" "$2")
	[ $((now - $3)) -eq "$4" ] ||
		fail "$2 grew by $((now - $3)), expected $4"
}

test_bulk()
{
	local dev0 sw0 pk0 pk1

	dev0=$(tls_stat "$TX_NS" TlsTxDevice)
	sw0=$(tls_stat "$TX_NS" TlsTxSw)
	pk0=$(dev_stat "$TX_NS" tls0 tx_tls_encrypted_packets)

	xfer bulk --bytes 64M -- --bytes 64M --require-offload tx || return 1
	grep -q "tx: hw" "$WORK/bulk.client" || fail "client did not report tx: hw"
	stat_grew "$TX_NS" TlsTxDevice "$dev0" 1 || return 1
	stat_grew "$TX_NS" TlsTxSw "$sw0" 0 || return 1
	pk1=$(dev_stat "$TX_NS" tls0 tx_tls_encrypted_packets)
	[ "$pk1" -gt "$pk0" ] || fail "tx_tls_encrypted_packets did not grow"
	echo "encrypted packets: $((pk1 - pk0))"
}

test_small_writes()
{
	xfer small --bytes 4M --seed 7 -- --bytes 4M --seed 7 \
		--write-size 1-16384 --require-offload tx
}

test_aes256_ipv6_sendfile()
{
	head -c 16M /dev/urandom >"$WORK/file"
	SRV_ADDR="[$RX_IP6]" CLI_ADDR="[$RX_IP6]:$PORT" \
	xfer sendfile --expect-sha256 "$(sha256sum "$WORK/file" | cut -d' ' -f1)" \
		--key 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f \
		-- --file "$WORK/file" --sendfile \
		--key 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f \
		--require-offload tx
}

# capture NAME MODE: send the marker file with MODE while capturing on
# the receiver's veth; sets $seen to how often the marker shows on the wire
capture()
{
	local name=$1 mode=$2 dump

	# not through a shell function: $! must be tcpdump itself
	ip netns exec "$RX_NS" tcpdump -i veth1 -s 0 -U --immediate-mode -w "$WORK/$name.pcap" \
		"tcp port $PORT" >/dev/null 2>"$WORK/$name.tcpdump" &
	dump=$!
	busywait 30000 grep -q "listening on" "$WORK/$name.tcpdump" ||
		{ kill $dump; fail "tcpdump did not start"; return 1; }
	xfer "$name" --mode "$mode" --expect-sha256 \
		"$(sha256sum "$WORK/marker" | cut -d' ' -f1)" -- \
		--mode "$mode" --file "$WORK/marker" >/dev/null ||
		{ kill $dump; fail "$mode transfer failed"; return 1; }
	sleep 0.5
	kill $dump
	wait $dump
	seen=$(grep -a -o "TLSDEV-PLAINTEXT-MARKER" "$WORK/$name.pcap" | wc -l)
}

test_wire_is_ciphertext()
{
	yes "TLSDEV-PLAINTEXT-MARKER-0123456789" | head -c 1M >"$WORK/marker"
	# control: the capture does see plaintext sent over plain TCP
	capture plain tcp || return 1
	[ "$seen" -gt 0 ] || fail "marker not seen on plain TCP: capture broken"
	capture offload static || return 1
	[ "$seen" -eq 0 ] || fail "plaintext on the wire: marker seen $seen times"
}

test_retransmit()
{
	local rc=0 c sw0

	sw0=$(tls_stat "$TX_NS" TlsTxSw)
	dev_snap "$TX_NS" tls0 "$WORK/before"
	nsx "$TX_NS" tc qdisc add dev veth0 root netem loss 2% || return 1
	xfer loss --bytes 16M -- --bytes 16M --require-offload tx --timeout 60 ||
		rc=1
	nsx "$TX_NS" tc qdisc del dev veth0 root
	[ $rc -eq 0 ] || return 1
	dev_snap "$TX_NS" tls0 "$WORK/after"
	for c in tx_tls_ooo tx_tls_dump_packets tx_tls_dump_bytes \
		 tx_tls_fallback_packets tx_tls_drop_no_sync_data; do
		echo "$c +$(snap_delta "$WORK/before" "$WORK/after" $c)"
	done
	d() { snap_delta "$WORK/before" "$WORK/after" "$1"; }
	[ "$(d tx_tls_ooo)" -gt 0 ] || fail "2% loss caused no out-of-order segment"
	[ "$(d tx_tls_dump_packets)" -gt 0 ] || fail "the device never replayed a record"
	[ "$(d tx_tls_fallback_packets)" -eq 0 ] ||
		fail "replay mode used the software fallback"
	[ "$(d tx_tls_drop_no_sync_data)" -eq 0 ] || fail "segments dropped for no record"
	stat_grew "$TX_NS" TlsTxSw "$sw0" 0
}

# ip link names the lower device: tls0@veth0, and the same ifindex
test_iflink()
{
	local lower

	nsx "$TX_NS" ip -o link show tls0 | grep -q "^[0-9]*: tls0@veth0:" ||
		fail "ip link does not show tls0@veth0:" \
		     "$(nsx "$TX_NS" ip -o link show tls0)" || return 1
	lower=$(nsx "$TX_NS" cat /sys/class/net/veth0/ifindex)
	[ "$(nsx "$TX_NS" cat /sys/class/net/tls0/iflink)" = "$lower" ] ||
		fail "tls0's iflink is not veth0's ifindex $lower"
}

test_offload_off()
{
	local sw0 rc=0

	sw0=$(tls_stat "$TX_NS" TlsTxSw)
	nsx "$TX_NS" ethtool -K tls0 tls-hw-tx-offload off || return 1
	xfer off --bytes 4M -- --bytes 4M || rc=1
	grep -q "tx: sw" "$WORK/off.client" || { fail "tx is not sw"; rc=1; }
	stat_grew "$TX_NS" TlsTxSw "$sw0" 1 || rc=1
	# and the tool says so when offload is required
	xfer off-req --bytes 64K -- --bytes 64K --require-offload tx
	[ $? -eq 4 ] || { fail "--require-offload tx did not exit 4"; rc=1; }
	nsx "$TX_NS" ethtool -K tls0 tls-hw-tx-offload on
	return $rc
}

test_released()
{
	busywait 30000 dev_ctx_released "$TX_NS" tls0 ||
		fail "tx_tls_ctx $(dev_stat "$TX_NS" tls0 tx_tls_ctx) !=" \
		     "tx_tls_del $(dev_stat "$TX_NS" tls0 tx_tls_del)"
}

trap cleanup EXIT
ksft_plan 8
topo_create tlsdev plain || { echo "Bail out! topology"; exit 1; }
run_test "tx: ip link shows tls0@veth0" test_iflink
run_test "tx: 64 MiB AES-128 IPv4, offloaded and intact" test_bulk
run_test "tx: writes of 1..16384 bytes" test_small_writes
run_test "tx: AES-256 IPv6 sendfile" test_aes256_ipv6_sendfile
run_test "tx: the wire carries ciphertext" test_wire_is_ciphertext
run_test "tx: 2% loss, the device replays records, data intact" test_retransmit
run_test "tx: offload off gives software kTLS" test_offload_off
run_test "tx: every context is released" test_released
ksft_exit
