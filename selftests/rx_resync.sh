#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# RX resync: a receiving tlsdev that loses the record stream (loss,
# reordering, segments dropped before the device) and regains it through
# each of the kernel's three RX resync protocols, chosen per device with
# "tlsdevctl link add tls0 link veth0 rx-resync MODE":
#
#  - request (TLS_OFFLOAD_SYNC_TYPE_DRIVER_REQ): the device finds a header
#    and asks the core to confirm it;
#  - hint (TLS_OFFLOAD_SYNC_TYPE_CORE_NEXT_HINT): the core names where a
#    coming record starts;
#  - async (TLS_OFFLOAD_SYNC_TYPE_DRIVER_REQ_ASYNC): the device reports a
#    candidate and answers the core's query from a work item.
#
# As in rx.sh the receiver is a tlsxfer server in TX_NS whose socket's RX
# is offloaded to tls0 (on veth0); the sender is a tlsxfer client in RX_NS
# sending through tls1, its TX offloaded, or in software kTLS for the
# receiving device alone (tls-hw-tx-offload off: tls1 then passes frames
# on as a NIC without TLS offload). netem on veth1 (the sender's end of
# the wire) loses or reorders what goes to the receiver; TSO/GSO are off
# on tls1 so that frames are MTU-sized, as a NIC receives them.
# Every transfer is verified end to end (SHA-256) and checks that the
# receiver's RX stayed offloaded, no record failed authentication in the
# device (but see check_common for hint mode) nor in software, no segment
# was decrypted twice, every tls_dev_resync(RX) of the core was counted by
# the device, only the mode's protocol was used, and the contexts were
# released.
#
# Per mode:
#  (a) 16 MiB at 2 % loss: sync lost and regained through the mode's
#      protocol, TlsRxDeviceResync grew;
#  (b) reordering (delay 5ms reorder 25% 50%), IPv6, AES-256;
#  (c) the device's fault injection ("tlsdevctl fault set dev tls0 rx drop
#      nth N") drops, before the device sees it, the segment holding a
#      record's header (sync lost and regained), one in the middle of a
#      record, or the one with its tag (that record is software's, the
#      device goes on at the next header without a resync);
#  (d) 24 MiB at 1 % loss: a snapshot at three quarters and one at the end
#      show the device resyncing before and decrypting most of the rest;
#  (e) 8 MiB at 2 % loss from a software kTLS sender (the receiving device
#      alone; its counters and those of the core are checked as above).
# Measured, not asserted: the device's share of 64 MiB at 2 % loss, at the
# MTUs RX_RESYNC_MEASURE_MTUS (of veths and tlsdevs; default 9000: case
# (a) shows the share at 1500) in the modes RX_RESYNC_MEASURE_MODES
# (default the first one). The defaults keep the script within about 6
# minutes under TCG; a 64 MiB transfer at 2 % loss and MTU 1500 takes
# 80 s. RX_RESYNC_MODES="request hint async" chooses the modes.
#
# Under TCG a process costs 0.1 s to 1 s: counters are read with one
# process per snapshot, files and /proc of the namespaces with bash.

. "$(dirname "$0")/lib.sh"
shopt -s extglob

PORT=4433
DROP_PORT=4434	# the python pair's, listening all along
WORK=$(mktemp -d)
TLSDEVCTL=${TLSDEVCTL:-$TOP_DIR/user/tlsdevctl}
KEY256=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
REC_PAYLOAD=16384
REC_OVERHEAD=29		# header 5, explicit nonce 8, tag 16
REC_WIRE=$((REC_PAYLOAD + REC_OVERHEAD))
MiB=1048576
read -r -a MODES <<<"${RX_RESYNC_MODES:-request hint async}"
read -r -a MEASURE_MODES <<<"${RX_RESYNC_MEASURE_MODES-${MODES[0]}}"
read -r -a MEASURE_MTUS <<<"${RX_RESYNC_MEASURE_MTUS-9000}"

# The receiver is tls0 in TX_NS, the sender in RX_NS (lib.sh names them
# for the TX tests).
RCV_NS=$TX_NS
SND_NS=$RX_NS
SND_HW=1		# the sender's TX is offloaded to tls1 (else software)
RCV_PID=		# a process in RCV_NS: its /proc/PID/net is RCV_NS's

# One transfer's parameters, set by the tests: address family, key
FAM=4
KEY=

cleanup()
{
	local pid

	for pid in $(jobs -p); do
		kill "$pid" 2>/dev/null
	done
	topo_destroy
	rm -rf "$WORK"
}

now() { echo $((${EPOCHREALTIME/./} / 1000)); }

rcv_addr() { if [ "$FAM" = 6 ]; then echo "[$TX_IP6]"; else echo "$TX_IP4"; fi; }

# stream_len BYTES: the TLS record stream (the TCP payload the receiver
# gets) that carries BYTES of data in full records
stream_len() { echo $(($1 + REC_OVERHEAD * (($1 + REC_PAYLOAD - 1) / REC_PAYLOAD))); }

# has_line FILE PATTERN: FILE has a line matching the glob PATTERN
has_line()
{
	local l

	[ -f "$1" ] || return 1
	while IFS= read -r l; do
		# shellcheck disable=SC2053 # a glob
		[[ $l == $2 ]] && return 0
	done <"$1"
	return 1
}

# prefixed TAG FILE [PATTERN]: FILE's lines (those matching the glob
# PATTERN) as "[TAG] line"
prefixed()
{
	local l

	while IFS= read -r l; do
		# shellcheck disable=SC2053 # a glob
		[[ $l == ${3:-*} ]] && echo "[$1] $l"
	done <"$2"
}

# xfer NAME BYTES [CLIENT_ARGS...]: BYTES from a tlsxfer client in SND_NS
# to a server in RCV_NS whose RX must be offloaded (to tls0) from start to
# end; with SND_HW=1 the client's TX must be offloaded (to tls1) too. Both
# ends must verify the data. $XFER_DURING: a command run while the
# transfer is going on.
xfer()
{
	local name=$1 bytes=$2 server client rc=0 srv_rc=0 t0 key=() offl=()
	shift 2

	[ -n "$KEY" ] && key=(--key "$KEY")
	[ "$SND_HW" = 1 ] && offl=(--require-offload tx)
	t0=$(now)
	rm -f "$WORK/$name.server"
	ip netns exec "$RCV_NS" "$TLSXFER" server --listen "$(rcv_addr):$PORT" \
		"${key[@]}" --bytes "$bytes" --require-offload rx --timeout 60 \
		>"$WORK/$name.server" 2>&1 &
	server=$!
	busywait 30000 has_line "$WORK/$name.server" "listening on*" || {
		kill "$server" 2>/dev/null
		wait "$server"
		prefixed "$name server" "$WORK/$name.server"
		fail "$name: server did not start"
		return 1
	}
	ip netns exec "$SND_NS" "$TLSXFER" client --connect "$(rcv_addr):$PORT" \
		"${key[@]}" --bytes "$bytes" "${offl[@]}" --timeout 60 "$@" \
		>"$WORK/$name.client" 2>&1 &
	client=$!
	if [ -n "${XFER_DURING:-}" ]; then
		$XFER_DURING || rc=1
	fi
	wait "$client" || rc=$?
	wait "$server" || srv_rc=$?
	echo "[$name] both ends done $(($(now) - t0)) ms after the server started"
	prefixed "$name server" "$WORK/$name.server" "@(throughput|end):*"
	if [ "$rc" -ne 0 ] || [ "$srv_rc" -ne 0 ]; then
		prefixed "$name client" "$WORK/$name.client"
		prefixed "$name server" "$WORK/$name.server"
		fail "$name: client exited $rc, server exited $srv_rc"
		return 1
	fi
}

# snap FILE: tls0's ethtool counters and RCV_NS's /proc/net/tls_stat as
# "NAME VALUE" lines in FILE; fails unless tls0 released every context it
# was given.
snap()
{
	local -A s

	nsx "$RCV_NS" ethtool -S tls0 >"$1.raw" || return 1
	{
		snap_lines <"$1.raw"
		snap_lines <"/proc/$RCV_PID/net/tls_stat"
	} >"$1" || return 1
	[ "${s[rx_tls_ctx]}" = "${s[rx_tls_del]}" ] &&
	[ "${s[tx_tls_ctx]}" = "${s[tx_tls_del]}" ]
}

# snap_lines: "NAME: VALUE" or "NAME VALUE" lines in, "NAME VALUE" out,
# and into snap's s[]
snap_lines()
{
	local k v

	while read -r k v; do
		k=${k%:}
		[[ $v =~ ^[0-9]+$ ]] && s[$k]=$v && echo "$k $v"
	done
	return 0
}

# snap_after: the transfer's contexts are released, then snapshot.
snap_after()
{
	local rc=0

	busywait 30000 snap "$WORK/after" ||
		{ fail "tls0: contexts not released within 30 s"; rc=1; }
	deltas_load "$WORK/before" "$WORK/after"
	return $rc
}

report()
{
	local c line=

	for c in rx_tls_decrypted_packets rx_tls_decrypted_bytes rx_tls_ooo \
		 rx_tls_sync_lost rx_tls_resync_req_pkt rx_tls_resync_req_start \
		 rx_tls_resync_req_end rx_tls_resync_req_skip \
		 rx_tls_resync_res_ok rx_tls_resync_res_skip rx_tls_auth_fail \
		 rx_tls_err fault_drop TlsRxDeviceResync TlsDecryptError; do
		[ -n "${D[$c]+set}" ] && line+=" ${c#rx_tls_}=+${D[$c]}"
	done
	echo "counters:$line"
}

# pct PART WHOLE: PART in percent of WHOLE, one decimal
pct()
{
	local p=$(($1 * 1000 / ($2 > 0 ? $2 : 1)))

	echo "$((p / 10)).$((p % 10))"
}

# share NAME STREAM: print (and keep for the summary) the device's share
# of a record stream of STREAM bytes
share()
{
	local p

	p=$(pct "${D[rx_tls_decrypted_bytes]}" "$2")
	echo "device decrypted ${D[rx_tls_decrypted_bytes]} of $2 stream bytes ($p%)"
	echo "$1: $p%" >>"$WORK/shares"
}

# check_common STREAM: what holds for any one RX-offloaded transfer of a
# record stream of STREAM bytes: one RX context (TlsRxDevice), given back;
# no record failed its tag in the device or in software; nothing decrypted
# twice; every tls_dev_resync(RX) the core made (TlsRxDeviceResync)
# counted once by the device, taken or refused; the mode's protocol only.
check_common()
{
	local stream=$1 rc=0

	want "${D[rx_tls_ctx]} == 1" "rx_tls_ctx did not count one context" || rc=1
	want "${D[rx_tls_del]} == 1" "rx_tls_del did not count one context" || rc=1
	want "${D[TlsRxDevice]} == 1" "TlsRxDevice did not grow by one" || rc=1
	if [ "$MODE" = hint ]; then
		# Linux 6.1's CORE_NEXT_HINT, when no later record is queued
		# (tls_device_core_ctrl_rx_resync), names copied_seq as the
		# start of the next record; since the 6.0 strparser copied_seq
		# is still at the start of the record being decrypted. A hint
		# one record off fails the tag of the first record after it,
		# and the device searches again (rx.c): one record per hint.
		want "${D[rx_tls_auth_fail]} <= ${D[rx_tls_resync_res_ok]}" \
			"more tags failed in the device than hints were taken" ||
			rc=1
	else
		want "${D[rx_tls_auth_fail]} == 0" "authentication failures in the device" ||
			rc=1
	fi
	want "${D[TlsDecryptError]} == 0" "TlsDecryptError grew" || rc=1
	want "${D[rx_tls_err]} == 0" "segments left alone for errors" || rc=1
	want "${D[rx_tls_decrypted_bytes]} <= $stream + $REC_WIRE" \
		"the device decrypted more than the record stream" || rc=1
	want "${D[rx_tls_resync_res_ok]} + ${D[rx_tls_resync_res_skip]} == ${D[TlsRxDeviceResync]}" \
		"tls_dev_resync(RX) calls and the device's count of them differ" || rc=1
	case $MODE in
	request)
		want "${D[rx_tls_resync_req_start]} + ${D[rx_tls_resync_req_end]} == 0" \
			"request mode made async requests" || rc=1
		want "${D[rx_tls_resync_res_ok]} <= ${D[rx_tls_resync_req_pkt]}" \
			"more resyncs than requests" || rc=1
		;;
	hint)
		want "${D[rx_tls_resync_req_pkt]} + ${D[rx_tls_resync_req_start]} == 0" \
			"hint mode made requests" || rc=1
		;;
	async)
		want "${D[rx_tls_resync_req_end]} <= ${D[rx_tls_resync_req_start]}" \
			"more async answers than queries" || rc=1
		want "${D[rx_tls_resync_res_ok]} <= ${D[rx_tls_resync_req_end]}" \
			"more resyncs than async answers" || rc=1
		;;
	esac
	return $rc
}

# check_regained: sync was lost, and regained through the mode's protocol
check_regained()
{
	local rc=0

	want "${D[rx_tls_sync_lost]} > 0" "the device never lost sync" || rc=1
	want "${D[rx_tls_resync_res_ok]} > 0" "sync lost and never regained" || rc=1
	want "${D[TlsRxDeviceResync]} > 0" "TlsRxDeviceResync did not grow" || rc=1
	case $MODE in
	request)
		want "${D[rx_tls_resync_req_pkt]} > 0" "no resync request" || rc=1
		;;
	async)
		want "${D[rx_tls_resync_req_start]} > 0" "no async resync query" || rc=1
		want "${D[rx_tls_resync_req_end]} > 0" "no async resync answer" || rc=1
		;;
	esac
	return $rc
}

# netem_xfer NAME BYTES NETEM_ARGS...: a transfer of BYTES with netem on
# veth1; snapshots before and after (D[]); $dropped: what netem dropped
netem_xfer()
{
	local name=$1 bytes=$2 rc=0 l
	shift 2

	dropped=
	snap_before || return 1
	tc -n "$SND_NS" qdisc add dev veth1 root netem "$@" || return 1
	xfer "$name" "$bytes" || rc=1
	l=$(tc -n "$SND_NS" -s qdisc show dev veth1)
	tc -n "$SND_NS" qdisc del dev veth1 root
	[[ $l =~ \(dropped\ ([0-9]+), ]] && dropped=${BASH_REMATCH[1]}
	[ $rc -eq 0 ] || return 1
	snap_after || rc=1
	echo "netem ($*) dropped ${dropped:-?} packets"
	report
	return $rc
}

# --- the cases -----------------------------------------------------------

# (a) 2 % loss of MTU-sized frames: about one in twelve holds a record
# header, so the device loses the stream and must regain it, many times.
test_loss()
{
	local bytes=$((16 * MiB)) stream rc=0

	stream=$(stream_len $bytes)
	netem_xfer loss $bytes loss 2% || return 1
	share "$MODE, both ends, 16 MiB 2% loss" "$stream"
	want "${dropped:-0} > 0" "netem dropped nothing" || rc=1
	want "${D[rx_tls_ooo]} > 0" "2% loss caused no gap" || rc=1
	check_common "$stream" || rc=1
	check_regained || rc=1
	return $rc
}

# (b) reordering: a frame overtaken by the next is a gap to the device
# when the next arrives, and old data (passed up untouched) when it comes.
test_reorder()
{
	local bytes=$((4 * MiB)) stream rc=0

	stream=$(stream_len $bytes)
	FAM=6 KEY=$KEY256 netem_xfer reorder $bytes delay 5ms reorder 25% 50% ||
		return 1
	share "$MODE, both ends, 4 MiB reordered" "$stream"
	want "${D[rx_tls_ooo]} > 0" "reordering caused no gap" || rc=1
	check_common "$stream" || rc=1
	if [ "${D[rx_tls_sync_lost]}" -gt 0 ]; then
		want "${D[rx_tls_resync_res_ok]} > 0" "sync lost and never regained" ||
			rc=1
	fi
	return $rc
}

# (c) Drops of chosen segments before the device. A python receiver and
# sender, started once, do one connection per case (a round), so that the
# receiver's RX context exists before the first data segment (it installs
# its keys, then tells the sender to go) and the Nth segment the device
# sees is the Nth of the stream. The sender writes full records, one per
# write, TCP_NODELAY, and waits until each has left (SIOCOUTQNSD) before
# the next, so that the next does not fill up the last segment of the
# previous: with TSO/GSO off every record is K segments of one MSS, the
# last one short, whatever the windows.
cat >"$WORK/rxdrop.py" <<'EOF'
import array, fcntl, os, random, socket, struct, sys, time

TCP_ULP, SOL_TLS, TLS_TX, TLS_RX = 31, 282, 1, 2
REC = 16384
# struct tls12_crypto_info_aes_gcm_128: TLS 1.2, iv, key, salt, rec_seq
info = struct.pack('=HH', 0x0303, 51) + bytes(range(8)) + bytes(range(16)) + \
       b'\xa0\xa1\xa2\xa3' + bytes(8)
mode, addr, port, records, rounds = sys.argv[1:6]
port, records, rounds = int(port), int(records), int(rounds)
data = random.Random(7).randbytes(records * REC)

SIOCOUTQNSD = 0x894b

def notsent(c):
    b = array.array('i', [0])
    fcntl.ioctl(c, SIOCOUTQNSD, b, True)
    return b[0]

def receive(c):
    c.settimeout(60)
    c.setsockopt(socket.IPPROTO_TCP, TCP_ULP, b'tls')
    c.setsockopt(SOL_TLS, TLS_RX, info)
    c.sendall(b'G')                 # plaintext: this side has no TX keys
    got = bytearray()
    while True:
        b = c.recv(1 << 16)
        if not b:
            break
        got += b
    if got == data:
        return 'received %d bytes intact' % len(got)
    n = next((i for i in range(min(len(got), len(data))) if got[i] != data[i]),
             min(len(got), len(data)))
    return 'FAIL: received %d bytes of %d, first difference at %d' % \
           (len(got), len(data), n)

def send(c):
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    c.setsockopt(socket.IPPROTO_TCP, TCP_ULP, b'tls')
    c.setsockopt(SOL_TLS, TLS_TX, info)
    if c.recv(1) != b'G':
        return 'FAIL: no go from the receiver'
    mss = c.getsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG)
    for i in range(records):
        c.sendall(data[i * REC:(i + 1) * REC])   # one full record each
        while notsent(c):
            time.sleep(0.001)
    c.shutdown(socket.SHUT_WR)
    c.recv(1)                       # until the receiver closes
    return 'mss %d, sent' % mss

if mode == 'recv':
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # any address: tls0, which holds addr, is made again per mode
    s.bind(('0.0.0.0', port))
    s.listen(1)
    print('listening', flush=True)
for r in range(rounds):
    try:
        if mode == 'recv':
            c, _ = s.accept()
            msg = receive(c)
        else:
            go = sys.argv[6] + '.%d' % r
            while not os.path.exists(go):
                time.sleep(0.05)
            c = socket.create_connection((addr, port), timeout=60)
            msg = send(c)
        c.close()
    except OSError as e:
        msg = 'FAIL: %s' % e
    print('round %d: %s' % (r, msg), flush=True)
EOF

DROP_RECORDS=16
DROP_ROUND=0
MSS=1448	# IPv4 at MTU 1500 with TCP timestamps

# drop_start ROUNDS: the python receiver and sender, for ROUNDS rounds
drop_start()
{
	ip netns exec "$RCV_NS" python3 "$WORK/rxdrop.py" recv "$TX_IP4" $DROP_PORT \
		$DROP_RECORDS "$1" >"$WORK/drop.recv" 2>&1 &
	DROP_RCV=$!
	ip netns exec "$SND_NS" python3 "$WORK/rxdrop.py" send "$TX_IP4" $DROP_PORT \
		$DROP_RECORDS "$1" "$WORK/go" >"$WORK/drop.send" 2>&1 &
	DROP_SND=$!
	DROP_ROUNDS=$1
}

# round_done ROUND: both ends reported on ROUND, or one of them is gone
round_done()
{
	{ has_line "$WORK/drop.recv" "round $1: *" || ! kill -0 "$DROP_RCV" 2>/dev/null; } &&
	{ has_line "$WORK/drop.send" "round $1: *" || ! kill -0 "$DROP_SND" 2>/dev/null; }
}

# test_drop WHAT: the next round, with the segment of record 1 (the
# second) holding its header, one in its middle, or its tag dropped:
# record 1 is segments K+1 to 2K of the stream.
test_drop()
{
	local what=$1 round=$DROP_ROUND k n stream rc=0

	k=$(((REC_WIRE + MSS - 1) / MSS))
	case $what in
	header) n=$((k + 1)) ;;
	middle) n=$((k + k / 2)) ;;
	tag) n=$((2 * k)) ;;
	esac
	stream=$((DROP_RECORDS * REC_WIRE))
	echo "round $round: dropping segment $n ($what of record 1, $k segments a record)"
	snap_before || return 1
	nsx "$RCV_NS" "$TLSDEVCTL" fault set dev tls0 rx drop nth "$n" || return 1
	busywait 30000 has_line "$WORK/drop.recv" "listening" ||
		{ prefixed receiver "$WORK/drop.recv"; fail "receiver did not start"; return 1; }
	: >"$WORK/go.$round"
	DROP_ROUND=$((round + 1))
	busywait 60000 round_done "$round" || { fail "round $round did not end"; return 1; }
	nsx "$RCV_NS" "$TLSDEVCTL" fault clear dev tls0
	[ $DROP_ROUND -lt "$DROP_ROUNDS" ] || wait "$DROP_RCV" "$DROP_SND"
	prefixed sender "$WORK/drop.send" "round $round: *"
	prefixed receiver "$WORK/drop.recv" "round $round: *"
	has_line "$WORK/drop.recv" "round $round: received * intact" ||
		{ prefixed receiver "$WORK/drop.recv"; fail "the receiver failed"; return 1; }
	has_line "$WORK/drop.send" "round $round: mss $MSS, sent" ||
		{ prefixed sender "$WORK/drop.send"; fail "the sender failed, or its MSS is not $MSS"; return 1; }
	snap_after || return 1
	report
	share "$MODE, both ends, fault drop of a $what segment" "$stream"
	want "${D[fault_drop]} == 1" "fault_drop did not count one drop" || rc=1
	want "${D[rx_tls_ooo]} >= 1" "the drop left no gap" || rc=1
	check_common "$stream" || rc=1
	if [ "$what" = header ]; then
		# the next header's place went with the dropped one
		check_regained || rc=1
	else
		# the rest of record 1 is software's; the device goes on at the
		# next header: all the other records are decrypted in the device
		want "${D[rx_tls_sync_lost]} == 0" "a gap inside a record lost the stream" ||
			rc=1
		want "${D[TlsRxDeviceResync]} == 0" "resynced without losing sync" || rc=1
		want "${D[rx_tls_decrypted_bytes]} >= $stream - $REC_WIRE" \
			"the device did not decrypt all the other records" || rc=1
	fi
	return $rc
}

# payload_in: TCP payload bytes (retransmissions included) tls0 has
# received, from RCV_NS's /proc/net/dev (IPv4: 52 bytes of headers a
# segment)
payload_in()
{
	local dev bytes pkts rest

	while read -r dev bytes pkts rest; do
		[ "$dev" = tls0: ] && echo $((bytes - 52 * pkts)) && return 0
	done <"/proc/$RCV_PID/net/dev"
	return 1
}

# late: tls0 received 3/4 of the stream; then a snapshot (whose counters
# are a little later: what the device decrypted meanwhile counts before,
# the rest's share comes out low rather than high). Run by xfer, whose
# $client it sees: done early if the client is gone.
late()
{
	local got

	kill -0 "$client" 2>/dev/null || return 0
	got=$(payload_in) || return 1
	got=$((got - PAYLOAD0))
	[ "$got" -ge $((LONG_STREAM * 3 / 4)) ] || return 1
	LATE_IN=$got
	snap "$WORK/late" >/dev/null
	return 0
}

# (d) a long transfer: the device keeps decrypting after its resyncs. By
# the time three quarters of the stream are in it has lost and regained
# sync, and it still decrypts most of the last quarter.
test_long()
{
	local bytes=$((24 * MiB)) stream rc=0 last rest p c
	local -A L

	stream=$(stream_len $bytes)
	LONG_STREAM=$stream LATE_IN=
	PAYLOAD0=$(payload_in) || return 1
	rm -f "$WORK/late"
	XFER_DURING="busywait 120000 late" netem_xfer long $bytes loss 1% ||
		return 1
	share "$MODE, both ends, 24 MiB 1% loss" "$stream"
	check_common "$stream" || rc=1
	check_regained || rc=1
	if ! [ -s "$WORK/late" ] || [ -z "$LATE_IN" ]; then
		fail "no snapshot at three quarters"
		return 1
	fi
	deltas_load "$WORK/before" "$WORK/late"
	for c in rx_tls_decrypted_bytes rx_tls_resync_res_ok rx_tls_sync_lost; do
		L[$c]=${D[$c]}
	done
	deltas_load "$WORK/before" "$WORK/after"
	last=$((D[rx_tls_decrypted_bytes] - L[rx_tls_decrypted_bytes]))
	rest=$((stream - LATE_IN))
	p=$(pct $last $rest)
	echo "at ~$LATE_IN bytes in: decrypted ${L[rx_tls_decrypted_bytes]}," \
	     "resynced ${L[rx_tls_resync_res_ok]} times, lost sync ${L[rx_tls_sync_lost]} times"
	echo "after: decrypted $last of ~$rest ($p%), resynced" \
	     "$((D[rx_tls_resync_res_ok] - L[rx_tls_resync_res_ok])) times, lost sync" \
	     "$((D[rx_tls_sync_lost] - L[rx_tls_sync_lost])) times"
	echo "$MODE, both ends, 24 MiB 1% loss, last quarter: $p%" >>"$WORK/shares"
	want "${L[rx_tls_resync_res_ok]} > 0" "no resync in the first three quarters" ||
		rc=1
	# at 1 % loss about 11 % of the records lose a segment
	want "$last * 100 >= $rest * 60" \
		"the device decrypted less than 60% of the last quarter" || rc=1
	return $rc
}

# (e) the receiving device alone: the sender's TX in software kTLS
test_sw_sender()
{
	local bytes=$((8 * MiB)) stream rc=0

	stream=$(stream_len $bytes)
	nsx "$SND_NS" ethtool -K tls1 tls-hw-tx-offload off || return 1
	SND_HW=0 netem_xfer sw-sender $bytes loss 2% || rc=1
	nsx "$SND_NS" ethtool -K tls1 tls-hw-tx-offload on || rc=1
	[ $rc -eq 0 ] || return 1
	has_line "$WORK/sw-sender.client" "tx: sw*" ||
		{ fail "the sender's TX is not software kTLS"; rc=1; }
	share "$MODE, software sender, 8 MiB 2% loss" "$stream"
	want "${D[rx_tls_ooo]} > 0" "2% loss caused no gap" || rc=1
	check_common "$stream" || rc=1
	check_regained || rc=1
	return $rc
}

# set_mtu MTU: on both veths and both tlsdevs
set_mtu()
{
	ip -n "$SND_NS" link set veth1 mtu "$1" &&
	ip -n "$RCV_NS" link set veth0 mtu "$1" &&
	ip -n "$SND_NS" link set tls1 mtu "$1" &&
	ip -n "$RCV_NS" link set tls0 mtu "$1"
}

# Measured, not asserted: the device's share of 64 MiB at 2 % loss (the
# transfer must still be intact and clean)
measure()
{
	local mtu=$1 bytes=$((64 * MiB)) stream rc=0

	stream=$(stream_len $bytes)
	if [ "$mtu" != 1500 ]; then
		set_mtu "$mtu" || { set_mtu 1500; fail "MTU $mtu not set"; return 1; }
	fi
	netem_xfer "measure-$mtu" $bytes loss 2% || rc=1
	[ "$mtu" = 1500 ] || set_mtu 1500 || rc=1
	[ $rc -eq 0 ] || return 1
	share "$MODE, both ends, 64 MiB 2% loss, MTU $mtu" "$stream"
	check_common "$stream"
}

# tls0_recreate MODE: tls0 made again by tlsdevctl in rx-resync MODE
tls0_recreate()
{
	busywait 30000 snap "$WORK/recreate" ||
		{ fail "tls0 holds contexts"; return 1; }
	ip -n "$RCV_NS" link del tls0 || return 1
	# shellcheck disable=SC2016 # for sh
	nsx "$RCV_NS" sh -c '"$1" link add tls0 link veth0 rx-resync "$2" &&
			     "$1" link show tls0' - "$TLSDEVCTL" "$1" >"$WORK/link" ||
		{ fail "tlsdevctl: $(<"$WORK/link")"; return 1; }
	has_line "$WORK/link" "tls0: lower veth0 * rx-resync $1 *" ||
		{ fail "tls0 is not in rx-resync $1: $(<"$WORK/link")"; return 1; }
	ip -n "$RCV_NS" -batch - <<-EOF || return 1
		link set tls0 up
		addr add $TX_IP4/24 dev tls0
		addr add $TX_IP6/64 dev tls0 nodad
	EOF
	busywait 30000 nsx "$SND_NS" sh -c "ping -c1 -W1 -q $TX_IP4 && ping -c1 -W1 -q $TX_IP6" \
		>/dev/null
}

# timed CMD...: run CMD, then say how long it took
timed()
{
	local t0 rc

	t0=$(now)
	"$@"
	rc=$?
	echo "($(($(now) - t0)) ms)"
	return $rc
}

# measure_mtus MODE: the MTUs to measure MODE at
measure_mtus()
{
	[[ " ${MEASURE_MODES[*]} " == *" $1 "* ]] && echo "${MEASURE_MTUS[@]}"
}

released()
{
	busywait 30000 snap "$WORK/end" || { fail "tls0 holds contexts"; return 1; }
	busywait 30000 dev_ctx_released "$SND_NS" tls1 || fail "tls1 holds contexts"
}

# --- main ----------------------------------------------------------------

if ! [ -x "$TLSDEVCTL" ] || ! "$TLSDEVCTL" link add --help 2>&1 | grep -q rx-resync; then
	ksft_plan 1
	ksft_result 4 "rx_resync" "tlsdevctl not built"
	ksft_exit
	exit
fi

CASES=("16 MiB, 2% loss, sync regained, intact" test_loss
       "4 MiB reordered, IPv6 AES-256, intact" test_reorder
       "drop of a header segment, sync regained, intact" "test_drop header"
       "drop of a middle segment costs its record only" "test_drop middle"
       "drop of a tag segment costs its record only" "test_drop tag"
       "24 MiB, 1% loss, decrypting after each resync" test_long
       "software sender, 8 MiB, 2% loss, sync regained, intact" test_sw_sender)

trap cleanup EXIT
# per mode: tls0, the cases, the measurements; then the release
n=1
for MODE in "${MODES[@]}"; do
	n=$((n + 1 + ${#CASES[@]} / 2 + $(measure_mtus "$MODE" | wc -w)))
done
ksft_plan $n
t0=$(now)
topo_create tlsdev tlsdev || { echo "Bail out! topology"; exit 1; }
ip netns exec "$RCV_NS" sleep 1000000 &
RCV_PID=$!
# MTU-sized frames on the wire: netem would otherwise drop whole 64 KB GSO
# packets, four records at a time
nsx "$SND_NS" ethtool -K tls1 tso off gso off || { echo "Bail out! ethtool"; exit 1; }
drop_start $((3 * ${#MODES[@]}))
echo "# topology ready in $(($(now) - t0)) ms"
: >"$WORK/shares"

for MODE in "${MODES[@]}"; do
	t="rx_resync: $MODE"
	if ! run_test "$t: tlsdevctl makes tls0 with rx-resync $MODE" \
		timed tls0_recreate "$MODE"; then
		for ((i = 0; i < ${#CASES[@]}; i += 2)); do
			ksft_result 4 "$t: ${CASES[i]}" "no tls0 in rx-resync $MODE"
		done
		for m in $(measure_mtus "$MODE"); do
			ksft_result 4 "$t: 64 MiB at 2% loss, MTU $m (measured)" \
				"no tls0 in rx-resync $MODE"
		done
		continue
	fi
	for ((i = 0; i < ${#CASES[@]}; i += 2)); do
		# shellcheck disable=SC2086 # function and arguments
		run_test "$t: ${CASES[i]}" timed ${CASES[i + 1]}
	done
	for m in $(measure_mtus "$MODE"); do
		run_test "$t: 64 MiB at 2% loss, MTU $m (measured)" timed measure "$m"
	done
done
run_test "rx_resync: every context is released" released
echo "# device-decrypted share of the record stream:"
while IFS= read -r l; do echo "#   $l"; done <"$WORK/shares"
ksft_exit
