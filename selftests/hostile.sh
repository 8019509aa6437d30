#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Hostile input on the wire towards an RX-offloaded socket (issue 7, §2).
# A tlsxfer server in RX_NS, static keys, its RX offloaded to tls1 (emu),
# verifies the pattern. The sender in TX_NS is not kTLS: hostile.py writes,
# on a plain TCP socket, a TLS 1.2 AES-GCM record stream it seals itself
# with the same key material: valid records first (the device decrypts
# them), then one hostile variant per case (random bytes, a truncated
# record, an oversized or wrong-version header, a shifted record boundary,
# a replayed record, a flipped ciphertext byte), or a valid stream in tiny
# or random-sized segments, or through netem corruption and duplication.
#
# Each case: no hang; the receiver gets every valid byte intact and, after
# a hostile record, nothing more: it fails with one error line (EBADMSG or
# the kernel's record-header error, or truncation) and never reports a
# pattern mismatch; TlsDecryptError counts the records that failed to
# authenticate; the device decrypted the valid data and counted the forged
# tags it saw. At the end every context is released. (vm-run fails the run
# on any WARN/BUG in the kernel log.)
#
# The sender and the server run on one CPU: a veth hands each frame to the
# backlog of the CPU that sent it, so a sender moving between CPUs reorders
# its segments, which a NIC queue would not do (the device copes: that is
# rx.sh's loss test; here it would only blur what the device counts).

. "$(dirname "$0")/lib.sh"

PORT=4433
WORK=$(mktemp -d)
PYTHON=/usr/bin/python3
SENDER=$SELFTESTS_DIR/hostile.py
SEED=7
# Not tlsxfer's defaults: both ends are given the material explicitly.
KEYS=(--key 2b7e151628aed2a6abf7158809cf4f3c --salt 5a5b5c5d
      --iv 0102030405060708 --rec-seq 1000)
RUNS=0
declare -A D		# growth of each tls1 counter in the last run_pair

cleanup() { topo_destroy; rm -rf "$WORK"; }

# D[NAME]: how much each ethtool counter grew from before to after
snap_deltas()
{
	local k v

	D=()
	while read -r k v; do
		D[$k]=$v
	done < <(awk 'NR == FNR { a[$1] = $2; next } { print $1, $2 - a[$1] }' \
		"$WORK/before" "$WORK/after")
}

# run_pair NAME CASE [SENDER_ARGS...]: hostile.py --case CASE in TX_NS,
# the server in RX_NS told to expect the pattern bytes the sender claims
# to send; the sender sends once the server has its keys. Outputs in
# $WORK/NAME.*. Sets SRV_RC, SND_RC, DEC (TlsDecryptError growth), INTACT
# (pattern bytes that must arrive), GOT (bytes the server got); counters
# growth in D.
run_pair()
{
	local name=$1 kind=$2 server sender dec0 total t0 go=$WORK/$1.go
	shift 2

	t0=$SECONDS
	dec0=$(tls_stat "$RX_NS" TlsDecryptError)
	dev_snap "$RX_NS" tls1 "$WORK/before"
	timeout 120 ip netns exec "$TX_NS" taskset -c 0 "$PYTHON" "$SENDER" \
		--connect "$RX_IP4:$PORT" --case "$kind" --seed $SEED \
		--timeout 30 --go-file "$go" "${KEYS[@]}" "$@" \
		>"$WORK/$name.snd" 2>&1 &
	sender=$!
	if ! busywait 60000 grep -q '^total: ' "$WORK/$name.snd"; then
		kill $sender
		wait $sender
		cat "$WORK/$name.snd"
		fail "$name: the sender did not start"
		return 1
	fi
	total=$(awk '$1 == "total:" { print $2 }' "$WORK/$name.snd")
	timeout 120 ip netns exec "$RX_NS" taskset -c 0 "$TLSXFER" server \
		--listen "$RX_IP4:$PORT" --seed $SEED --bytes "$total" \
		--timeout 20 "${KEYS[@]}" \
		>"$WORK/$name.out" 2>"$WORK/$name.err" &
	server=$!
	RUNS=$((RUNS + 1))
	# tlsxfer prints "rx: STATE" right after installing the keys
	busywait 30000 grep -q '^rx: ' "$WORK/$name.out" ||
		echo "the server did not report its RX state"
	touch "$go"
	wait $sender
	SND_RC=$?
	wait $server
	SRV_RC=$?
	dev_snap "$RX_NS" tls1 "$WORK/after"
	snap_deltas
	DEC=$(($(tls_stat "$RX_NS" TlsDecryptError) - dec0))
	INTACT=$(awk '$1 == "intact:" { print $2 }' "$WORK/$name.snd")
	GOT=$(awk '$1 == "bytes:" { print $2 }' "$WORK/$name.out")
	echo "$name: $((SECONDS - t0)) s"
	return 0
}

# show CASE: the outputs, briefly (all of it after a failure)
show()
{
	local name=$1 full=$2 c line=

	if [ "$full" -eq 0 ]; then
		grep -E '^(rx|end|bytes|verdict):' "$WORK/$name.out" |
			sed "s/^/[server] /"
	else
		sed "s/^/[server] /" "$WORK/$name.out"
	fi
	sed "s/^/[server stderr] /" "$WORK/$name.err"
	sed "s/^/[sender] /" "$WORK/$name.snd"
	echo "exit: server $SRV_RC, sender $SND_RC; TlsDecryptError +$DEC"
	for c in rx_tls_decrypted_packets rx_tls_decrypted_bytes \
		 rx_tls_auth_fail rx_tls_err rx_tls_ooo rx_tls_sync_lost \
		 rx_tls_resync_req_pkt rx_tls_resync_res_ok; do
		line+="$c +${D[$c]}  "
	done
	echo "$line"
}

# Checks for every case; prints what is wrong, returns the number of faults.
check_common()
{
	local name=$1 bad=0

	case $SRV_RC in
	124) fail "the server hung (killed after 120 s)"; bad=$((bad + 1)) ;;
	5) fail "the server timed out: no progress"; bad=$((bad + 1)) ;;
	esac
	case $SND_RC in
	124|5) fail "the sender hung"; bad=$((bad + 1)) ;;
	0) ;;
	*) fail "the sender failed"; bad=$((bad + 1)) ;;
	esac
	grep -q '^rx: hw' "$WORK/$name.out" ||
		{ fail "the server's RX was not offloaded"; bad=$((bad + 1)); }
	if grep -E -q 'mismatch' "$WORK/$name.out" "$WORK/$name.err"; then
		fail "the receiver got a corrupted byte"
		bad=$((bad + 1))
	fi
	if [ -z "$INTACT" ] || [ "$GOT" != "$INTACT" ]; then
		fail "the receiver got ${GOT:-?} bytes, expected ${INTACT:-?}"
		bad=$((bad + 1))
	fi
	# the device decrypted real data: most of it unless it saw a gap
	# (reordering) and lost some records
	if [ "${D[rx_tls_decrypted_bytes]}" -eq 0 ] ||
	   { [ "${D[rx_tls_ooo]}" -eq 0 ] && [ -n "$INTACT" ] &&
	     [ $((D[rx_tls_decrypted_bytes] * 2)) -lt "$INTACT" ]; }; then
		fail "the device decrypted ${D[rx_tls_decrypted_bytes]} bytes" \
		     "of $INTACT"
		bad=$((bad + 1))
	fi
	return $bad
}

# case_valid NAME CASE [SENDER_ARGS...]: a valid stream must be accepted
# intact
case_valid()
{
	local name=$1 bad

	run_pair "$@" || return 1
	check_common "$name"
	bad=$?
	if [ "$SRV_RC" -ne 0 ] || ! grep -q '^verdict: OK' "$WORK/$name.out"; then
		fail "the server did not accept a valid stream"
		bad=$((bad + 1))
	fi
	grep -q '^status: OK ' "$WORK/$name.snd" ||
		{ fail "no OK status at the sender"; bad=$((bad + 1)); }
	[ ! -s "$WORK/$name.err" ] ||
		{ fail "the server reported an error"; bad=$((bad + 1)); }
	[ "$DEC" -eq 0 ] ||
		{ fail "TlsDecryptError grew by $DEC"; bad=$((bad + 1)); }
	[ "${D[rx_tls_auth_fail]}" -eq 0 ] ||
		{ fail "the device failed authentic tags"; bad=$((bad + 1)); }
	show "$name" $bad
	[ $bad -eq 0 ]
}

# case_fail CASE ERROR_ERE DEC_MIN DEC_MAX AUTH_MIN: a hostile stream; the
# server fails with one error line matching ERROR_ERE (after "tlsxfer: "),
# TlsDecryptError grows by DEC_MIN..DEC_MAX and the device counts at least
# AUTH_MIN forged tags (unless a gap made it skip the record). A record
# that fails to authenticate costs TlsDecryptError 1, or 2 when the read
# that reached it returned data: 6.1 leaves the record queued and decrypts
# it again at the next read, which then fails.
case_fail()
{
	local name=$1 ere=$2 dmin=$3 dmax=$4 amin=$5 bad

	run_pair "$name" "$name" || return 1
	check_common "$name"
	bad=$?
	if [ "$SRV_RC" -ne 1 ]; then
		fail "the server exited $SRV_RC, not 1 (a failed transfer)"
		bad=$((bad + 1))
	fi
	if [ "$(wc -l <"$WORK/$name.err")" -ne 1 ] ||
	   ! grep -E -q "^tlsxfer: ($ere)" "$WORK/$name.err"; then
		fail "expected one error line matching '$ere'"
		bad=$((bad + 1))
	fi
	grep -q '^verdict: FAIL' "$WORK/$name.out" ||
		{ fail "no FAIL verdict"; bad=$((bad + 1)); }
	if [ "$DEC" -lt "$dmin" ] || [ "$DEC" -gt "$dmax" ]; then
		fail "TlsDecryptError grew by $DEC, expected $dmin..$dmax"
		bad=$((bad + 1))
	fi
	if [ "${D[rx_tls_auth_fail]}" -lt "$amin" ]; then
		if [ "${D[rx_tls_ooo]}" -eq 0 ]; then
			fail "the device counted ${D[rx_tls_auth_fail]} forged tags"
			bad=$((bad + 1))
		else
			echo "a gap: the device may have skipped the forged record"
		fi
	fi
	show "$name" $bad
	[ $bad -eq 0 ]
}

EBADMSG='receiving: Bad message'
# what the kernel's record parser says (tls_rx_msg_size()): a length too
# big, a wrong version
EMSGSIZE='receiving: Message too long'
EINVAL='receiving: Invalid argument'
# the stream ended (EOF) before the --bytes the sender announced
SHORT='received [0-9]+ bytes, expected [0-9]+'

test_tiny()
{
	local pkts

	case_valid tiny tiny || return 1
	pkts=${D[rx_tls_decrypted_packets]}
	echo "segments decrypted in the device: $pkts"
	# the flood alone is ~12 KiB in one-byte writes (TCP coalesces some
	# while its window is full)
	[ "$pkts" -ge 1000 ] ||
		fail "only $pkts segments decrypted: the flood was coalesced"
}

# csum_errors NS: frames the IPv4 and TCP layers of NS dropped for a bad
# checksum or a broken IP header (netem may flip a bit of the IP header:
# IP drops the frame before TCP sees it, but the device, which checks the
# TCP checksum against the header as it came, counts it too)
csum_errors()
{
	nsx "$1" nstat -asz TcpInCsumErrors IpInHdrErrors IpExtInCsumErrors \
		IpExtInTruncatedPkts | awk '{ n += $2 } END { print n + 0 }'
}

# netem corrupts (a bit flipped anywhere in the frame) and duplicates
# segments of a valid stream. The sender's stack computes every TCP
# checksum (no checksum offload on veth0), so the device must verify them:
# it must leave every segment with a bad checksum to the stack (which drops
# it: TCP retransmits) and deliver the stream intact.
test_netem()
{
	local try csum0 csum err

	nsx "$TX_NS" ethtool -K veth0 tx off >/dev/null || return 1
	nsx "$TX_NS" tc qdisc add dev veth0 root netem corrupt 10% \
		duplicate 5% || return 1
	for try in 1 2 3; do
		echo "attempt $try"
		csum0=$(csum_errors "$RX_NS")
		case_valid netem valid --bytes 384K || break
		csum=$(($(csum_errors "$RX_NS") - csum0))
		err=${D[rx_tls_err]}
		echo "checksum and IP header errors +$csum, rx_tls_err +$err"
		# the corruption hit no TCP segment: once more
		[ "$csum" -gt 0 ] && break
	done
	nsx "$TX_NS" tc -s qdisc show dev veth0
	nsx "$TX_NS" tc qdisc del dev veth0 root
	nsx "$TX_NS" ethtool -K veth0 tx on >/dev/null
	[ -n "$err" ] || return 1
	[ "$err" -gt 0 ] ||
		fail "the device saw no segment with a bad checksum"
	# both count the same segments: the stack also those without
	# payload, which the device does not look at
	[ "$err" -le "$csum" ] ||
		fail "the device found more bad checksums than the stack"
}

rx_ctx_released()
{
	[ "$(dev_stat "$1" "$2" rx_tls_ctx)" = "$(dev_stat "$1" "$2" rx_tls_del)" ]
}

test_released()
{
	local bad=0 n

	busywait 10000 rx_ctx_released "$RX_NS" tls1 ||
		{ fail "tls1: rx_tls_ctx != rx_tls_del"; bad=1; }
	busywait 10000 dev_ctx_released "$RX_NS" tls1 ||
		{ fail "tls1: tx_tls_ctx != tx_tls_del"; bad=1; }
	n=$(dev_stat "$RX_NS" tls1 rx_tls_ctx)
	echo "rx_tls_ctx $n, rx_tls_del $(dev_stat "$RX_NS" tls1 rx_tls_del)," \
	     "connections $RUNS"
	[ "$n" -eq "$RUNS" ] ||
		{ fail "$n RX contexts for $RUNS connections"; bad=1; }
	for c in TlsCurrRxDevice TlsCurrRxSw TlsCurrTxDevice TlsCurrTxSw; do
		[ "$(tls_stat "$RX_NS" $c)" -eq 0 ] ||
			{ fail "$c is $(tls_stat "$RX_NS" $c)"; bad=1; }
	done
	[ $bad -eq 0 ]
}

trap cleanup EXIT
# (seconds under emulation: meanwhile, the topology)
"$PYTHON" -c 'import cryptography.hazmat.primitives.ciphers.aead' \
	2>/dev/null &
pycheck=$!
topo_create plain tlsdev
topo_rc=$?
if ! wait $pycheck; then
	ksft_plan 1
	ksft_result 4 "hostile: wire input" "no python3-cryptography"
	ksft_exit
	exit
fi
ksft_plan 13
[ $topo_rc -eq 0 ] || { echo "Bail out! topology"; exit 1; }
# MTU-sized segments as the sender writes them, no corking; the receiver
# acknowledges every segment, so that a flood of tiny ones stays tiny
nsx "$TX_NS" ethtool -K veth0 tso off gso off >/dev/null
nsx "$TX_NS" sysctl -qw net.ipv4.tcp_autocorking=0
ip -n "$RX_NS" route add "$TX_IP4/32" dev tls1 quickack 1

run_test "hostile: a valid stream from the sender is accepted" \
	case_valid valid valid --bytes 256K
run_test "hostile: random bytes" case_fail random \
	"$EBADMSG|$EMSGSIZE|$EINVAL|$SHORT" 0 2 0
run_test "hostile: a record truncated, then FIN" case_fail truncated \
	"$SHORT" 0 0 0
run_test "hostile: a record length above 2^14+256" case_fail oversized \
	"$EMSGSIZE" 0 0 0
run_test "hostile: a wrong version" case_fail version "$EINVAL" 0 0 0
run_test "hostile: a record boundary shifted (3 bytes dropped)" \
	case_fail shift-drop "$EBADMSG" 1 2 1
run_test "hostile: a record boundary shifted (5 bytes inserted)" \
	case_fail shift-insert "$EBADMSG" 1 2 1
run_test "hostile: a replayed record" case_fail replay "$EBADMSG" 1 2 1
run_test "hostile: a flipped ciphertext byte" case_fail flip "$EBADMSG" 1 2 1
run_test "hostile: a flood of 1-byte segments of valid records" test_tiny
run_test "hostile: a valid stream in random-sized segments" \
	case_valid segsizes segsizes --bytes 256K --max-write 3000
run_test "hostile: corrupted (bad checksums) and duplicated segments" \
	test_netem
run_test "hostile: every context is released" test_released
ksft_exit
