#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# TX resync: an offloaded socket whose segments reach the device out of
# sequence (TCP retransmissions after loss, reordering, duplication) or get
# lost after the device, and the device's two ways to resynchronise:
#
#  - replay (default, mlx5-style): the device replays the record prefix of
#    each out-of-sequence segment (tx_tls_dump_*), never uses the software
#    fallback and never drops;
#  - request (nfp-style, "tlsdevctl link add ... tx-resync request"):
#    out-of-sequence segments go through the kernel's software fallback,
#    and after a forward jump the device asks the TLS core for a resync.
#
# A tlsxfer client in TX_NS sends through tls0 to a software kTLS tlsxfer
# server in RX_NS, which verifies every byte (SHA-256). netem on veth0
# loses, reorders or duplicates what the device already encrypted; netem on
# tls0 does it before the device (so the device sees forward jumps).
# Each transfer checks: both ends exit 0, the socket stayed offloaded
# (TlsTxSw of TX_NS unchanged, "tx: hw" at both ends of the transfer), the
# device counters agree with each other, and the context is released.
#
# Also: the device's ciphertext is byte-identical to software kTLS for the
# same keys and records (pcap of veth1, reassembled), clean and with loss;
# and deterministic loss of chosen segments (a record header, a record's
# middle, a tag) through the device's fault injection (tlsdevctl).
#
# TX_RESYNC_BACKEND=mlx5 runs the same cases through the mlx5 model
# (tx_resync_mlx5.sh); the default is emu. (null needs a null receiver,
# which does not survive loss: backends.sh covers its resync.)

. "$(dirname "$0")/lib.sh"

PORT=4433
WORK=$(mktemp -d)
TLSDEVCTL=${TLSDEVCTL:-$TOP_DIR/user/tlsdevctl}
BACKEND=${TX_RESYNC_BACKEND:-emu}
NAME=tx_resync
[ "$BACKEND" = emu ] || NAME="tx_resync[$BACKEND]"
KEY128=000102030405060708090a0b0c0d0e0f
KEY256=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
REC_PAYLOAD=16384
REC_OVERHEAD=29		# header 5, explicit nonce 8, tag 16
REC_WIRE=$((REC_PAYLOAD + REC_OVERHEAD))
MiB=1048576

# One transfer's parameters, set by the tests: address family, key
FAM=4
KEY=$KEY128

cleanup()
{
	nsx "$TX_NS" tc qdisc del dev veth0 root 2>/dev/null
	nsx "$TX_NS" tc qdisc del dev tls0 root 2>/dev/null
	topo_destroy
	rm -rf "$WORK"
}

rx_addr() { if [ "$FAM" = 6 ]; then echo "[$RX_IP6]"; else echo "$RX_IP4"; fi; }

# xfer NAME [SERVER_ARGS...] -- [CLIENT_ARGS...]: one tlsxfer transfer with
# key $KEY over IPv$FAM, the client's TX offloaded (unless told otherwise
# by the caller through --require-offload); both ends must succeed.
xfer()
{
	local name=$1 srv=() cli=() server rc=0 srv_rc t0
	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do srv+=("$1"); shift; done
	shift
	cli=("$@")

	t0=$(date +%s%3N)
	rm -f "$WORK/$name.server"	# no "listening on" of an earlier one
	nsx "$RX_NS" "$TLSXFER" server --listen "$(rx_addr):$PORT" \
		--key "$KEY" --timeout 60 "${srv[@]}" >"$WORK/$name.server" 2>&1 &
	server=$!
	# its own "listening on" line: no process to start in the netns
	busywait 30000 grep -q "^listening on" "$WORK/$name.server" || {
		kill "$server" 2>/dev/null
		wait "$server"
		sed "s/^/[$name server] /" "$WORK/$name.server"
		fail "$name: server did not start"
		return 1
	}
	nsx "$TX_NS" "$TLSXFER" client --connect "$(rx_addr):$PORT" \
		--key "$KEY" --timeout 60 "${cli[@]}" >"$WORK/$name.client" 2>&1 ||
		rc=$?
	wait "$server"
	srv_rc=$?
	echo "[$name] both ends done $(($(date +%s%3N) - t0)) ms after the server started"
	grep -E "^(throughput|end):" "$WORK/$name.client" | sed "s/^/[$name] /"
	if [ "$rc" -ne 0 ] || [ "$srv_rc" -ne 0 ]; then
		sed "s/^/[$name client] /" "$WORK/$name.client"
		sed "s/^/[$name server] /" "$WORK/$name.server"
		fail "$name: client exited $rc, server exited $srv_rc"
		return 1
	fi
}

# snap FILE: tls0's ethtool counters and TX_NS's /proc/net/tls_stat as
# "NAME VALUE" lines in FILE, loaded into S[NAME]; fails unless tls0
# released every context it was given. One process in the netns, the
# rest plain bash: a process costs 0.1 s to 1 s under TCG.
declare -A S
snap()
{
	local k v

	nsx "$TX_NS" sh -c 'ethtool -S tls0 && cat /proc/net/tls_stat' \
		>"$1.raw" || return 1
	S=()
	while read -r k v; do
		k=${k%:}
		[[ $v =~ ^[0-9]+$ ]] && S[$k]=$v && echo "$k $v"
	done <"$1.raw" >"$1"
	[ "${S[tx_tls_ctx]}" = "${S[tx_tls_del]}" ]
}

# snap_after: the transfer's context is released, then snapshot.
snap_after()
{
	local rc=0

	busywait 30000 snap "$WORK/after" ||
		{ fail "context not released within 30 s"; rc=1; }
	deltas_load "$WORK/before" "$WORK/after"
	want "${D[TlsTxSw]} == 0" "TlsTxSw grew: the socket fell back to software kTLS" ||
		rc=1
	want "${D[TlsTxDevice]} == 1" "TlsTxDevice did not grow by one" || rc=1
	return $rc
}

# Print the interesting deltas, and the replay cost per resynced byte.
report()
{
	local c line=

	for c in tx_tls_encrypted_packets tx_tls_encrypted_bytes tx_tls_ooo \
		 tx_tls_dump_packets tx_tls_dump_bytes tx_tls_resync_bytes \
		 tx_tls_resync_req tx_tls_resync_done tx_tls_fallback_packets \
		 fault_drop; do
		[ -n "${D[$c]+set}" ] && line+=" ${c#tx_tls_}=+${D[$c]}"
	done
	echo "counters:$line"
	if [ "${D[tx_tls_resync_bytes]}" -gt 0 ]; then
		echo "replayed per resynced byte: $(awk -v a="${D[tx_tls_dump_bytes]}" \
			-v b="${D[tx_tls_resync_bytes]}" 'BEGIN { printf "%.2f", a / b }')" \
		     "(${D[tx_tls_dump_bytes]} / ${D[tx_tls_resync_bytes]})"
	fi
}

# check_common BYTES: what holds for any one offloaded transfer of BYTES
check_common()
{
	local bytes=$1 rc=0 c

	want "${D[tx_tls_ctx]} == 1" "tx_tls_ctx did not count one context" || rc=1
	want "${D[tx_tls_del]} == 1" "tx_tls_del did not count one context" || rc=1
	for c in tx_tls_drop_no_sync_data tx_tls_drop_bypass_req \
		 tx_tls_drop_no_mem tx_tls_drop_engine tx_tls_skip_no_sync_data; do
		want "${D[$c]} == 0" "$c grew" || rc=1
	done
	want "${D[tx_tls_resync_bytes]} <= ${D[tx_tls_encrypted_bytes]}" \
		"more bytes encrypted after a replay than encrypted" || rc=1
	want "${D[tx_tls_dump_bytes]} <= ${D[tx_tls_dump_packets]} * ($REC_WIRE - 1)" \
		"a replayed prefix longer than a record" || rc=1
	want "${D[tx_tls_resync_done]} <= ${D[tx_tls_resync_req]}" \
		"more resyncs done than requested" || rc=1
	return $rc
}

# check_replay BYTES OOO: replay mode; OOO=1 if out-of-sequence segments
# must have happened. Every TCP payload byte went through the engine at
# least once, every out-of-sequence segment was replayed, nothing fell back.
check_replay()
{
	local bytes=$1 ooo=$2 stream rc=0

	stream=$((bytes + REC_OVERHEAD * ((bytes + REC_PAYLOAD - 1) / REC_PAYLOAD)))
	check_common "$bytes" || rc=1
	want "${D[tx_tls_encrypted_bytes]} >= $stream" \
		"the device encrypted less than the record stream" || rc=1
	want "${D[tx_tls_fallback_packets]} == 0" "replay mode used the software fallback" || rc=1
	want "${D[tx_tls_resync_req]} == 0" "replay mode requested a resync" || rc=1
	want "${D[tx_tls_ooo]} == ${D[tx_tls_dump_packets]}" \
		"out-of-sequence segments that were not replayed" || rc=1
	if [ "$ooo" = 1 ]; then
		want "${D[tx_tls_ooo]} > 0" "no out-of-sequence segment" || rc=1
		want "${D[tx_tls_dump_packets]} > 0" "the device never replayed" || rc=1
		want "${D[tx_tls_resync_bytes]} > 0" "nothing encrypted after a replay" || rc=1
	fi
	return $rc
}

# check_request BYTES OOO JUMP: request mode; OOO=1 if retransmissions
# must have happened, JUMP=1 if the device must have missed segments.
check_request()
{
	local bytes=$1 ooo=$2 jump=$3 rc=0

	check_common "$bytes" || rc=1
	want "${D[tx_tls_dump_packets]} == 0" "request mode replayed" || rc=1
	want "${D[tx_tls_fallback_packets]} <= ${D[tx_tls_ooo]}" \
		"fallback packets that were not out of sequence" || rc=1
	# at most one request is pending when the connection ends
	want "${D[tx_tls_resync_req]} <= ${D[tx_tls_resync_done]} + 1" \
		"resync requests never answered" || rc=1
	if [ "$ooo" = 1 ]; then
		want "${D[tx_tls_ooo]} > 0" "no out-of-sequence segment" || rc=1
		want "${D[tx_tls_fallback_packets]} > 0" "the fallback never ran" || rc=1
	fi
	if [ "$jump" = 1 ]; then
		want "${D[tx_tls_resync_req]} > 0" "no resync requested" || rc=1
		want "${D[tx_tls_resync_done]} > 0" "no resync done" || rc=1
	fi
	return $rc
}

# netem_dropped DEV: how many packets the netem qdisc on DEV dropped
netem_dropped()
{
	nsx "$TX_NS" tc -s qdisc show dev "$1" |
		sed -n 's/.*(dropped \([0-9]*\),.*/\1/p'
}

# netem_xfer MODE BYTES OOO DEV NETEM_ARGS...: one transfer of BYTES with
# netem on DEV (veth0: after the device, tls0: before it), checked per MODE.
# netem's loss is random and, in a fast run, may drop nothing the device
# would notice (no packet, or only the last one): then the transfer proves
# nothing about loss, so it is repeated (at most 3 times) until netem
# dropped and, where OOO says so, the device saw a segment out of sequence.
# In request mode with the loss before the device, a jump the core could
# not answer (it answers when the application pushes its next record, and
# the only drop came after the last one) is repeated the same way.
netem_xfer()
{
	local mode=$1 bytes=$2 ooo=$3 dev=$4 rc tries=0 dropped
	shift 4

	while :; do
		rc=0
		snap_before || return 1
		nsx "$TX_NS" tc qdisc add dev "$dev" root netem "$@" || return 1
		xfer netem --bytes "$bytes" -- --bytes "$bytes" \
			--require-offload tx || rc=1
		dropped=$(netem_dropped "$dev")
		nsx "$TX_NS" tc qdisc del dev "$dev" root
		[ $rc -eq 0 ] || return 1
		snap_after || rc=1
		echo "netem on $dev dropped ${dropped:-?} packets"
		tries=$((tries + 1))
		[[ " $* " == *" loss "* && $tries -lt 3 &&
		   ( "$dropped" = 0 || ( $ooo = 1 && ${D[tx_tls_ooo]:-0} = 0 ) ||
		     ( $mode = request && $dev = tls0 && $ooo = 1 &&
		       ${D[tx_tls_resync_done]:-0} = 0 ) ) ]] ||
			break
		echo "netem dropped nothing the device or the core acted on: the transfer again"
	done
	report
	if [[ " $* " == *" loss "* ]]; then
		want "${dropped:-0} > 0" "netem dropped nothing in $tries transfers" ||
			rc=1
	fi
	if [ "$mode" = replay ]; then
		check_replay "$bytes" "$ooo" || rc=1
	else
		check_request "$bytes" "$ooo" "$([ "$dev" = tls0 ] && echo "$ooo")" ||
			rc=1
	fi
	return $rc
}

# --- tlsdevctl: request mode and fault injection -------------------------

tlsdevctl_help() { "$TLSDEVCTL" help 2>&1; "$TLSDEVCTL" --help 2>&1; }

# has_tlsdevctl WORD: tlsdevctl is built and its help mentions WORD
has_tlsdevctl()
{
	[ -x "$TLSDEVCTL" ] && tlsdevctl_help | grep -q -- "$1"
}

# tls0_recreate [TLSDEVCTL_LINK_ARGS...]: a new tls0 on veth0, made by
# tlsdevctl with these arguments (or by ip link without), addressed again
tls0_recreate()
{
	busywait 30000 dev_ctx_released "$TX_NS" tls0 ||
		{ fail "tls0 holds contexts"; return 1; }
	ip -n "$TX_NS" link del tls0 || return 1
	if [ $# -gt 0 ]; then
		nsx "$TX_NS" "$TLSDEVCTL" link add tls0 link veth0 "$@" || return 1
	else
		ip -n "$TX_NS" link add link veth0 name tls0 type tlsdev || return 1
	fi
	ip -n "$TX_NS" link set tls0 up
	ip -n "$TX_NS" addr add "$TX_IP4/24" dev tls0
	ip -n "$TX_NS" addr add "$TX_IP6/64" dev tls0 nodad
	busywait 30000 nsx "$TX_NS" ping -c1 -W1 -q "$RX_IP4" >/dev/null &&
	busywait 30000 nsx "$TX_NS" ping -c1 -W1 -q "$RX_IP6" >/dev/null
}

# The TCP MSS of a connection from TX_NS to RX_NS over IPv$FAM.
mss_probe()
{
	local server mss

	nsx "$RX_NS" "$TLSXFER" server --mode tcp --listen "$(rx_addr):$PORT" \
		>/dev/null 2>&1 &
	server=$!
	busywait 30000 port_listening "$RX_NS" $PORT || { kill $server; return 1; }
	mss=$(nsx "$TX_NS" python3 - "$(rx_addr | tr -d '[]')" "$PORT" <<-'EOF'
		import socket, sys
		s = socket.create_connection((sys.argv[1], int(sys.argv[2])))
		print(s.getsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG))
		s.shutdown(socket.SHUT_WR)
		s.recv(100)
		EOF
	)
	kill $server 2>/dev/null
	wait $server 2>/dev/null
	[ -n "$mss" ] && echo "$mss"
}

# fault_segments MSS: the segments of the second record (record 1) of a
# transfer of full records, one MSS per skb. Each record is pushed whole
# by its write and goes out at once (the route's initcwnd and the
# receiver's window hold three records), so every record starts a new
# segment: K = ceil(REC_WIRE / MSS) segments per record, the last one
# short. Prints "N PREFIX LENGTH" for the segment that holds the record's
# header (it starts the record: nothing to replay), one in the middle of
# its payload, and the one with its tag (the short last one).
fault_segments()
{
	local mss=$1 k

	[ "$mss" -gt 0 ] || return 1
	k=$(((REC_WIRE + mss - 1) / mss))
	echo "$((k + 1)) 0 $mss" \
	     "$((k + k / 2)) $(((k / 2 - 1) * mss)) $mss" \
	     "$((2 * k)) $(((k - 1) * mss)) $((REC_WIRE - (k - 1) * mss))"
}

# tls0's tx_dropped (the netdev statistic, not an ethtool counter)
tx_dropped() { nsx "$TX_NS" cat /sys/class/net/tls0/statistics/tx_dropped; }

# fault_xfer MODE WHAT N PREFIX LENGTH: drop the Nth segment the device
# encrypts (one MSS each) in a transfer of 4 full records; in replay mode
# its retransmission is replayed from PREFIX bytes into its record. The
# fault's drop is counted as fault_drop only, not as tx_dropped.
fault_xfer()
{
	local mode=$1 what=$2 n=$3 prefix=$4 len=$5 rc=0 bytes=$((4 * REC_PAYLOAD))
	local dropped0

	snap_before || return 1
	dropped0=$(tx_dropped)
	nsx "$TX_NS" "$TLSDEVCTL" fault set dev tls0 tx drop nth "$n" || return 1
	xfer "fault-$what" --bytes "$bytes" -- --bytes "$bytes" --write-size $REC_PAYLOAD \
		--require-offload tx || rc=1
	nsx "$TX_NS" "$TLSDEVCTL" fault clear dev tls0 || rc=1
	[ $rc -eq 0 ] || return 1
	snap_after || rc=1
	report
	echo "dropped segment $n ($what): $len bytes at offset $prefix of record 1"
	want "${D[fault_drop]} == 1" "fault_drop did not count one drop" || rc=1
	want "$(tx_dropped) == $dropped0" "tls0 counted the fault's drop as tx_dropped" ||
		rc=1
	if [ "$mode" = replay ]; then
		check_replay "$bytes" 1 || rc=1
		# the retransmission of the dropped segment was replayed
		if [ "${D[tx_tls_dump_packets]}" -eq 1 ]; then
			want "${D[tx_tls_dump_bytes]} == $prefix" \
				"replayed a prefix other than the dropped segment's" || rc=1
			want "${D[tx_tls_resync_bytes]} == $len" \
				"resynced a segment other than the dropped one" || rc=1
		else
			echo "more than one replay: not checking the dropped one's"
		fi
	else
		check_request "$bytes" 1 0 || rc=1
	fi
	return $rc
}

# --- byte-exact comparison with software kTLS ------------------------------

# Reassemble the client->server TCP payload of a pcap: prints "LENGTH
# SHA256 FULL OTHER RESENT" (full data records, other records such as
# tlsxfer's closing alert, segments seen more than once); fails on holes,
# resent bytes that differ from the first copy, or a malformed record
# stream.
cat >"$WORK/reasm.py" <<'EOF'
import hashlib, struct, sys

def packets(path):
    data = open(path, 'rb').read()
    magic = data[:4]
    if magic in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1'):
        e = '<'
    elif magic in (b'\xa1\xb2\xc3\xd4', b'\xa1\xb2\x3c\x4d'):
        e = '>'
    else:
        sys.exit('%s: not a pcap file' % path)
    link = struct.unpack(e + 'I', data[20:24])[0] & 0xffff
    off = 24
    while off + 16 <= len(data):
        caplen, origlen = struct.unpack(e + 'II', data[off + 8:off + 16])
        pkt = data[off + 16:off + 16 + caplen]
        off += 16 + caplen
        if caplen != origlen:
            sys.exit('truncated packet in capture (%d of %d)' % (caplen, origlen))
        if link == 1:                     # Ethernet
            proto, p = struct.unpack('!H', pkt[12:14])[0], 14
        elif link == 113:                 # Linux cooked
            proto, p = struct.unpack('!H', pkt[14:16])[0], 16
        elif link == 276:                 # Linux cooked v2
            proto, p = struct.unpack('!H', pkt[0:2])[0], 20
        else:
            sys.exit('link type %d not supported' % link)
        if proto == 0x0800:
            if pkt[p + 9] != 6:
                continue
            end = p + struct.unpack('!H', pkt[p + 2:p + 4])[0]
            l4 = p + (pkt[p] & 15) * 4
        elif proto == 0x86dd:
            if pkt[p + 6] != 6:
                continue
            l4 = p + 40
            end = l4 + struct.unpack('!H', pkt[p + 4:p + 6])[0]
        else:
            continue
        sport, dport, seq = struct.unpack('!HHI', pkt[l4:l4 + 8])
        flags = pkt[l4 + 13]
        yield dport, seq, flags, pkt[l4 + (pkt[l4 + 12] >> 4) * 4:end]

def main(path, port):
    isn, fin, segs = None, None, []
    for dport, seq, flags, payload in packets(path):
        if dport != port:
            continue
        if flags & 2:                     # SYN
            isn = (seq + 1) & 0xffffffff
            continue
        if payload:
            segs.append((seq, payload))
        if flags & 1:                     # FIN
            fin = (seq + len(payload)) & 0xffffffff
    if isn is None:
        sys.exit('no SYN to port %d in the capture' % port)
    if fin is None:
        sys.exit('no FIN in the capture: it misses the end of the stream')
    size = (fin - isn) & 0xffffffff
    out, have = bytearray(size), bytearray(size)
    resent = 0
    for seq, p in segs:
        o = (seq - isn) & 0xffffffff
        if o + len(p) > size:
            sys.exit('%d bytes at stream byte %d, after the FIN' % (len(p), o))
        if have.find(1, o, o + len(p)) >= 0:
            resent += 1
            for i in range(len(p)):
                if have[o + i] and out[o + i] != p[i]:
                    sys.exit('stream byte %d sent as %#04x, then as %#04x'
                             % (o + i, out[o + i], p[i]))
        out[o:o + len(p)] = p
        have[o:o + len(p)] = b'\x01' * len(p)
    hole = have.find(0)
    if hole >= 0:
        sys.exit('stream byte %d of %d never captured' % (hole, size))
    # the record stream: TLS 1.2 headers back to back; the first record
    # may be preceded by nothing else (static keys, no handshake)
    o = full = other = 0
    while o < size:
        if size - o < 5 or out[o + 1:o + 3] != b'\x03\x03':
            sys.exit('no TLS 1.2 record header at stream byte %d' % o)
        rlen = struct.unpack('!H', out[o + 3:o + 5])[0]
        if out[o] == 23 and rlen == 8 + 16384 + 16:
            full += 1
        else:
            other += 1
        o += 5 + rlen
    if o != size:
        sys.exit('the last record is cut at stream byte %d' % size)
    print(size, hashlib.sha256(out).hexdigest(), full, other, resent)

main(sys.argv[1], int(sys.argv[2]))
EOF

# pcap_settled FILE: FILE has not grown for half a second
pcap_settled()
{
	local size

	size=$(stat -c %s "$1")
	sleep 0.5
	[ "$(stat -c %s "$1")" = "$size" ]
}

# capture NAME BYTES [CLIENT_ARGS...]: one transfer of BYTES in writes of
# one full record each, client->server stream captured on veth1;
# sets $stream to "LENGTH SHA256 FULL OTHER RESENT"
capture()
{
	local name=$1 bytes=$2 dump
	shift 2

	# not through a shell function: $! must be tcpdump itself
	ip netns exec "$RX_NS" tcpdump -i veth1 -s 0 -B 32768 -U --immediate-mode \
		-w "$WORK/$name.pcap" "tcp dst port $PORT" \
		>/dev/null 2>"$WORK/$name.tcpdump" &
	dump=$!
	# generous: under TCG with other VMs running it can take seconds
	busywait 30000 grep -q "listening on" "$WORK/$name.tcpdump" ||
		{ kill $dump; fail "tcpdump did not start"; return 1; }
	xfer "$name" --bytes "$bytes" -- --bytes "$bytes" \
		--write-size $REC_PAYLOAD "$@" ||
		{ kill $dump; wait $dump; return 1; }
	# until tcpdump has written the client's FIN and no more
	busywait 30000 pcap_settled "$WORK/$name.pcap"
	kill $dump
	wait $dump
	# A packet the filter took while tcpdump was being stopped (an ACK
	# after the FIN) may be counted but not written: the reassembly
	# below finds any hole in the stream, the ring must not overflow.
	if ! grep -q "^0 packets dropped by kernel" "$WORK/$name.tcpdump"; then
		fail "tcpdump lost packets:" "$(cat "$WORK/$name.tcpdump")"
		return 1
	fi
	stream=$(python3 "$WORK/reasm.py" "$WORK/$name.pcap" $PORT) ||
		{ fail "$name: capture does not reassemble"; return 1; }
	echo "$name stream: $stream"
	rm -f "$WORK/$name.pcap"
}

# same_as_software BYTES [NETEM_ARGS...]: the stream tls0 puts on the wire
# (through netem on veth0 if given) equals software kTLS's
same_as_software()
{
	local bytes=$1 sw hw rc=0 records
	shift

	records=$((bytes / REC_PAYLOAD))
	nsx "$TX_NS" ethtool -K tls0 tls-hw-tx-offload off || return 1
	capture sw "$bytes" || rc=1
	sw=$stream
	nsx "$TX_NS" ethtool -K tls0 tls-hw-tx-offload on
	grep -q "^tx: sw" "$WORK/sw.client" || { fail "reference was not software"; rc=1; }
	[ $rc -eq 0 ] || return 1

	snap_before || return 1
	if [ $# -gt 0 ]; then
		nsx "$TX_NS" tc qdisc add dev veth0 root netem "$@" || return 1
	fi
	capture hw "$bytes" --require-offload tx || rc=1
	[ $# -eq 0 ] || nsx "$TX_NS" tc qdisc del dev veth0 root
	hw=$stream
	[ $rc -eq 0 ] || return 1
	snap_after || rc=1
	report
	check_replay "$bytes" $(($# > 0)) || rc=1
	[ "$(echo "$sw" | cut -d' ' -f3)" = "$records" ] ||
		{ fail "software sent $(echo "$sw" | cut -d' ' -f3) full records, not $records"; rc=1; }
	[ "$(echo "$hw" | cut -d' ' -f1-4)" = "$(echo "$sw" | cut -d' ' -f1-4)" ] ||
		{ fail "offloaded stream differs from software's"; rc=1; }
	return $rc
}

# --- tests -----------------------------------------------------------------

# timed CMD...: run CMD, then say how long it took
timed()
{
	local t0 rc

	t0=$(date +%s%3N)
	"$@"
	rc=$?
	echo "($(($(date +%s%3N) - t0)) ms)"
	return $rc
}

# no_gso CMD...: run CMD with TSO/GSO off on tls0, one MSS per skb, so
# that the device sees single lost segments, not 64 KiB bursts, and a
# small transfer surely meets loss
no_gso()
{
	local rc=0

	nsx "$TX_NS" ethtool -K tls0 tso off gso off || return 1
	"$@" || rc=1
	nsx "$TX_NS" ethtool -K tls0 tso on gso on
	return $rc
}

# The transfers are small: what they assert does not depend on the size,
# only on loss having happened, which the sizes make certain (2 MiB is
# ~1450 segments; TSO/GSO off where the loss rate is low).
test_loss1() { no_gso netem_xfer replay $((2 * MiB)) 1 veth0 loss 1%; }
test_loss5_aes256_ipv6() { FAM=6 KEY=$KEY256 netem_xfer replay $((2 * MiB)) 1 veth0 loss 5%; }
test_reorder() { netem_xfer replay $((2 * MiB)) 1 veth0 delay 5ms reorder 25% 50%; }
test_duplicate_aes256_ipv6()
{
	FAM=6 KEY=$KEY256 netem_xfer replay $((2 * MiB)) 0 veth0 duplicate 5%
}

# Loss before the device: it sees jumps forward, then the retransmissions.
# (Not delay: netem orphans delayed skbs, and the kernel drops a decrypted
# skb without its socket in validate_xmit_skb, by design.)
test_loss_before_device() { no_gso netem_xfer replay $((2 * MiB)) 1 tls0 loss 2%; }

test_same_as_sw() { same_as_software $((1 * MiB)); }
# one MSS per skb, so that 3% loss surely hits some
test_same_as_sw_loss() { FAM=6 KEY=$KEY256 no_gso same_as_software $((1 * MiB)) loss 3%; }

run_fault_tests()
{
	local mode=$1 what mss seg hdr mid tag

	if ! has_tlsdevctl fault; then
		for what in "a record header" "a record's middle" "a tag"; do
			ksft_result 4 "$NAME: $mode: drop the segment holding $what" \
				"tlsdevctl not available"
		done
		return
	fi
	mss=$(mss_probe) || mss=0
	read -r -a seg <<<"$(fault_segments "$mss")"
	echo "# IPv4 MSS $mss; segments of record 1 (N prefix length): ${seg[*]}"
	hdr=("${seg[@]:0:3}") mid=("${seg[@]:3:3}") tag=("${seg[@]:6:3}")
	nsx "$TX_NS" ethtool -K tls0 tso off gso off
	ip -n "$TX_NS" route add "$RX_IP4/32" dev tls0 initcwnd 64
	run_test "$NAME: $mode: drop the segment holding a record header" \
		timed fault_xfer "$mode" header "${hdr[@]}"
	run_test "$NAME: $mode: drop the segment holding a record's middle" \
		timed fault_xfer "$mode" middle "${mid[@]}"
	run_test "$NAME: $mode: drop the segment holding a tag" \
		timed fault_xfer "$mode" tag "${tag[@]}"
	ip -n "$TX_NS" route del "$RX_IP4/32" dev tls0
	nsx "$TX_NS" ethtool -K tls0 tso on gso on
}

test_req_loss1() { no_gso netem_xfer request $((2 * MiB)) 1 veth0 loss 1%; }
test_req_loss5_aes256_ipv6() { FAM=6 KEY=$KEY256 netem_xfer request $((2 * MiB)) 1 veth0 loss 5%; }
test_req_reorder() { netem_xfer request $((2 * MiB)) 1 veth0 delay 5ms reorder 25% 50%; }
test_req_duplicate_aes256_ipv6()
{
	FAM=6 KEY=$KEY256 netem_xfer request $((2 * MiB)) 0 veth0 duplicate 5%
}
# The core answers a resync request when the application pushes its next
# record (tls_push_record), so the sender must still be writing after the
# device saw a jump: a send buffer of at most 256 KiB keeps it writing
# until the end (by default the whole transfer fits in it at once).
test_req_loss_before_device()
{
	local wmem rc=0

	wmem=$(nsx "$TX_NS" sysctl -n net.ipv4.tcp_wmem) || return 1
	nsx "$TX_NS" sysctl -qw net.ipv4.tcp_wmem="4096 65536 262144" || return 1
	no_gso netem_xfer request $((2 * MiB)) 1 tls0 loss 2% || rc=1
	nsx "$TX_NS" sysctl -qw net.ipv4.tcp_wmem="$wmem"
	return $rc
}

trap cleanup EXIT
ksft_plan 20
t0=$(date +%s%3N)
topo_create tlsdev plain || { echo "Bail out! topology"; exit 1; }
if [ "$BACKEND" != emu ]; then
	[ -x "$TLSDEVCTL" ] && tls0_recreate backend "$BACKEND" ||
		{ echo "Bail out! tls0 with backend $BACKEND"; exit 1; }
fi
echo "# topology ready in $(($(date +%s%3N) - t0)) ms"

run_test "$NAME: replay: 1% loss of single segments, AES-128 IPv4" timed test_loss1
run_test "$NAME: replay: 5% loss, AES-256 IPv6" timed test_loss5_aes256_ipv6
run_test "$NAME: replay: reordering, AES-128 IPv4" timed test_reorder
run_test "$NAME: replay: 5% duplication, AES-256 IPv6" timed test_duplicate_aes256_ipv6
run_test "$NAME: replay: 2% loss before the device (forward jumps)" \
	timed test_loss_before_device
run_test "$NAME: ciphertext byte-identical to software kTLS, AES-128 IPv4" \
	timed test_same_as_sw
run_test "$NAME: replayed ciphertext identical to software kTLS, 3% loss, AES-256 IPv6" \
	timed test_same_as_sw_loss
run_fault_tests replay

# request mode: tls0 made again by tlsdevctl
REQ_TESTS=("1% loss of single segments, AES-128 IPv4" test_req_loss1
	   "5% loss, AES-256 IPv6" test_req_loss5_aes256_ipv6
	   "reordering, AES-128 IPv4" test_req_reorder
	   "5% duplication, AES-256 IPv6" test_req_duplicate_aes256_ipv6
	   "2% loss before the device (resync requests)" test_req_loss_before_device)
if has_tlsdevctl tx-resync; then
	run_test "$NAME: request: tlsdevctl makes tls0 with tx-resync request" \
		timed tls0_recreate backend "$BACKEND" tx-resync request
	for ((i = 0; i < ${#REQ_TESTS[@]}; i += 2)); do
		run_test "$NAME: request: ${REQ_TESTS[i]}" timed "${REQ_TESTS[i + 1]}"
	done
	run_fault_tests request
else
	for t in "tlsdevctl makes tls0 with tx-resync request" \
		 "${REQ_TESTS[0]}" "${REQ_TESTS[2]}" "${REQ_TESTS[4]}" \
		 "${REQ_TESTS[6]}" "${REQ_TESTS[8]}" \
		 "drop the segment holding a record header" \
		 "drop the segment holding a record's middle" \
		 "drop the segment holding a tag"; do
		ksft_result 4 "$NAME: request: $t" "tlsdevctl not available"
	done
fi
run_test "$NAME: every context is released" \
	busywait 30000 dev_ctx_released "$TX_NS" tls0
ksft_exit
