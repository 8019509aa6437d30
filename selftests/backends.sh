#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The backends, each behind tls0 in TX_NS with a software kTLS receiver in
# RX_NS (Documentation/backends.rst):
#  - each backend: 64 MiB under 2% netem loss on veth0, intact, every
#    retransmission resynced by the device (tx_tls_ooo > 0, all replayed,
#    no fallback, no drop, TlsTxSw unchanged, the context released);
#  - emu and mlx5: 16 MiB offloaded and intact;
#  - emu: the engine's keystream from the SIMD __ctr(aes) and, with
#    tlsdev.gcm_simd=N, from the ctr template, records right either way;
#  - mlx5: the context pool (reloaded with pool_size=2: of 3 concurrent
#    connections exactly 2 are offloaded, the third stays in software),
#    the pool accounting, and a device without the AES-256 capability;
#  - null: records framed but not encrypted (checked on the wire), which a
#    software kTLS receiver rejects with EBADMSG and a null tlsdev receiver
#    (RX offload) accepts on a lossless link; under loss a raw reader
#    checks the stream against the one computed from the plaintext.
# Devices are created with user/tlsdevctl (link add ... backend NAME). The
# backend modules are used as loaded (make vmtest loads them), else
# insmod'ed from kmod/.

. "$(dirname "$0")/lib.sh"

PORT=4433
WORK=$(mktemp -d)
KMOD_DIR=$TOP_DIR/kmod
TLSDEVCTL=${TLSDEVCTL:-$TOP_DIR/user/tlsdevctl}
[ -x "$TLSDEVCTL" ] || { echo "Bail out! $TLSDEVCTL is not built"; exit 1; }
MLX5_POOL=/sys/kernel/debug/tlsdev_mlx5/pool

cleanup()
{
	local pid

	for pid in $(jobs -p); do
		kill -CONT "$pid" 2>/dev/null
		kill "$pid" 2>/dev/null
	done
	topo_destroy
	rm -rf "$WORK"
}

# link_add NS LOWER NAME BACKEND: a tlsdev with BACKEND, in NS (stock ip
# cannot pass IFLA_TLSDEV_BACKEND), which says it has that backend
link_add()
{
	local ns=$1 lower=$2 name=$3 backend=$4

	nsx "$ns" "$TLSDEVCTL" link add "$name" link "$lower" \
		backend "$backend" || return 1
	nsx "$ns" "$TLSDEVCTL" link show "$name" |
		grep -q "^$name: .* backend $backend " ||
		fail "$name: tlsdevctl link show does not say backend $backend"
}

# side_backend NS LOWER NAME BACKEND IP4 IP6: move a side of lib.sh's
# topology from LOWER to a tlsdev NAME with BACKEND on it
side_backend()
{
	local ns=$1 lower=$2 name=$3 backend=$4

	ip -n "$ns" addr flush dev "$lower"
	link_add "$ns" "$lower" "$name" "$backend" || return 1
	ip -n "$ns" link set "$name" up
	ip -n "$ns" addr add "$5/24" dev "$name"
	ip -n "$ns" addr add "$6/64" dev "$name" nodad
}

# topo_backend TX_BACKEND [RX_BACKEND]: lib.sh's topology with tls0
# (TX_BACKEND) on veth0, and tls1 (RX_BACKEND) on veth1 if given
topo_backend()
{
	topo_create plain plain || return 1
	side_backend "$TX_NS" veth0 tls0 "$1" "$TX_IP4" "$TX_IP6" || return 1
	if [ -n "${2:-}" ]; then
		side_backend "$RX_NS" veth1 tls1 "$2" "$RX_IP4" "$RX_IP6" ||
			return 1
	fi
	busywait 30000 nsx "$TX_NS" ping -c1 -W1 -q "$RX_IP4" >/dev/null
}

# topo_done: tls0 released every context, then the namespaces go
topo_done()
{
	local rc=0

	nsx "$TX_NS" ip link show tls0 >/dev/null 2>&1 ||
		{ fail "no tls0"; topo_destroy; return 1; }
	busywait 30000 dev_ctx_released "$TX_NS" tls0 || {
		fail "tx_tls_ctx $(dev_stat "$TX_NS" tls0 tx_tls_ctx) !=" \
		     "tx_tls_del $(dev_stat "$TX_NS" tls0 tx_tls_del)"
		rc=1
	}
	topo_destroy
	return $rc
}

backend_loaded() { [ -d "/sys/module/tlsdev_$1" ]; }

# backend_load NAME [PARAM=VALUE...]: (re)load tlsdev_NAME.ko from kmod/,
# once no device uses it any more (namespaces are torn down asynchronously)
backend_load()
{
	local name=$1 mod=tlsdev_$1
	shift

	if backend_loaded "$name"; then
		busywait 30000 grep -qx 0 "/sys/module/$mod/refcnt" ||
			{ fail "$mod still in use"; return 1; }
		rmmod "$mod" || return 1
	fi
	insmod "$KMOD_DIR/$mod.ko" "$@"
}

# pool_stat NAME: a line of the mlx5 backend's debugfs pool file
pool_stat() { awk -v k="$1:" '$1 == k { print $2 }' "$MLX5_POOL"; }

pool_is() { [ "$(pool_stat "$1")" = "$2" ]; }

# xfer_start NAME PORT SERVER_ARGS -- CLIENT_ARGS: start a server in RX_NS
# and its client in TX_NS, in the background; xfer_wait NAME collects them.
# With XFER_STOP=1, the server is stopped (SIGSTOP) once it listens, so
# the client connects and installs its keys but cannot finish.
xfer_start()
{
	local name=$1 port=$2 srv=() cli=()
	shift 2
	while [ $# -gt 0 ] && [ "$1" != -- ]; do srv+=("$1"); shift; done
	shift
	cli=("$@")

	ip netns exec "$RX_NS" "$TLSXFER" server --listen "$RX_IP4:$port" \
		"${srv[@]}" >"$WORK/$name.server" 2>&1 &
	echo $! >"$WORK/$name.spid"
	busywait 30000 port_listening "$RX_NS" "$port" ||
		{ fail "$name: server did not start"; return 1; }
	[ -z "${XFER_STOP:-}" ] || kill -STOP "$(cat "$WORK/$name.spid")"
	nsx "$TX_NS" "$TLSXFER" client --connect "$RX_IP4:$port" \
		"${cli[@]}" >"$WORK/$name.client" 2>&1 &
	echo $! >"$WORK/$name.cpid"
}

# xfer_wait NAME: wait for both ends; sets $cli_rc and $srv_rc
xfer_wait()
{
	local name=$1

	wait "$(cat "$WORK/$name.cpid")"
	cli_rc=$?
	wait "$(cat "$WORK/$name.spid")"
	srv_rc=$?
	sed "s/^/[$name client] /" "$WORK/$name.client"
	if [ "$cli_rc" -ne 0 ] || [ "$srv_rc" -ne 0 ]; then
		sed "s/^/[$name server] /" "$WORK/$name.server"
	fi
}

# xfer NAME SERVER_ARGS -- CLIENT_ARGS: one transfer; both ends succeed
xfer()
{
	local name=$1
	shift

	xfer_start "$name" $PORT "$@" || return 1
	xfer_wait "$name"
	[ "$cli_rc" -eq 0 ] && [ "$srv_rc" -eq 0 ]
}

test_bulk()
{
	local pk0 pk1

	pk0=$(dev_stat "$TX_NS" tls0 tx_tls_encrypted_packets)
	xfer bulk --bytes 16M -- --bytes 16M --require-offload tx || return 1
	pk1=$(dev_stat "$TX_NS" tls0 tx_tls_encrypted_packets)
	[ "$pk1" -gt "$pk0" ] || fail "tx_tls_encrypted_packets did not grow"
}

# crypto_refcnt DRIVER: /proc/crypto's refcnt of DRIVER (transforms using
# it, plus one for the registration), empty when there is no such driver
crypto_refcnt()
{
	awk -v d="$1" '$1 == "driver" { m = $3 == d }
		m && $1 == "refcnt" { print $3; exit }' /proc/crypto
}

# live_ctx: tls0's TX and RX contexts in use
live_ctx()
{
	echo $(( $(dev_stat "$TX_NS" tls0 tx_tls_ctx) - \
		 $(dev_stat "$TX_NS" tls0 tx_tls_del) + \
		 $(dev_stat "$TX_NS" tls0 rx_tls_ctx) - \
		 $(dev_stat "$TX_NS" tls0 rx_tls_del) ))
}

live_ctx_is() { [ "$(live_ctx)" -eq "$1" ]; }

# The engine's keystream (kmod/gcm.c): each context of an offloaded
# connection holds a transform of the SIMD "__ctr(aes)", none with
# tlsdev.gcm_simd=N (the ctr template does every block); the records are
# right either way (the software kTLS receiver checks every tag, tlsxfer
# the data). The static-key client installs TX and RX keys, both on tls0:
# two contexts.
test_gcm_simd()
{
	local param=/sys/module/tlsdev/parameters/gcm_simd
	local simd=__ctr-aes-aesni v n0 n1 want base rc=0

	[ -n "$(crypto_refcnt $simd)" ] ||
		{ echo "no $simd in /proc/crypto (aesni_intel)"; return 4; }
	for v in Y N; do
		echo $v >$param
		want=2
		[ $v = Y ] || want=0
		base=$(live_ctx)
		n0=$(crypto_refcnt $simd)
		XFER_STOP=1 xfer_start simd$v $PORT --bytes 4M -- --bytes 4M \
			--require-offload both || { rc=1; break; }
		busywait 30000 live_ctx_is $((base + 2)) ||
			{ fail "gcm_simd=$v: $(($(live_ctx) - base)) contexts, not 2"; rc=1; }
		n1=$(crypto_refcnt $simd)
		kill -CONT "$(cat "$WORK/simd$v.spid")"
		xfer_wait simd$v
		echo "gcm_simd=$v: $simd refcnt $n0 -> $n1 while offloaded"
		[ "$cli_rc" -eq 0 ] && [ "$srv_rc" -eq 0 ] ||
			{ fail "gcm_simd=$v: transfer failed"; rc=1; }
		[ $((n1 - n0)) -eq $want ] ||
			{ fail "gcm_simd=$v: $((n1 - n0)) SIMD transforms, not $want"; rc=1; }
	done
	echo Y >$param
	return $rc
}

d() { snap_delta "$WORK/before" "$WORK/after" "$1"; }

# loss_start / loss_end: around one offloaded transfer under 2% netem loss
# on veth0 (after the device): the device resynced every retransmission
# by replay, nothing was dropped or fell back to software, TlsTxSw did
# not grow and the connection's context was released.
loss_start()
{
	busywait 30000 dev_ctx_released "$TX_NS" tls0 ||
		{ fail "tls0 holds contexts from an earlier transfer"; return 1; }
	dev_snap "$TX_NS" tls0 "$WORK/before"
	sw0=$(tls_stat "$TX_NS" TlsTxSw)
	nsx "$TX_NS" tc qdisc add dev veth0 root netem loss 2%
}

loss_end()
{
	local rc=0 c

	nsx "$TX_NS" tc qdisc del dev veth0 root
	busywait 30000 dev_ctx_released "$TX_NS" tls0 ||
		{ fail "context not released within 30 s"; rc=1; }
	dev_snap "$TX_NS" tls0 "$WORK/after"
	for c in tx_tls_encrypted_packets tx_tls_encrypted_bytes tx_tls_ooo \
		 tx_tls_dump_packets tx_tls_dump_bytes tx_tls_resync_bytes; do
		echo "$c +$(d $c)"
	done
	want "$(d tx_tls_ctx) == 1 && $(d tx_tls_del) == 1" \
		"not one context added and deleted" || rc=1
	want "$(d tx_tls_ooo) > 0" "2% loss caused no out-of-sequence segment" || rc=1
	want "$(d tx_tls_dump_packets) == $(d tx_tls_ooo)" \
		"out-of-sequence segments that were not replayed" || rc=1
	want "$(d tx_tls_encrypted_bytes) >= $1" \
		"the device encrypted less than the record stream" || rc=1
	for c in tx_tls_fallback_packets tx_tls_drop_no_sync_data \
		 tx_tls_drop_bypass_req tx_tls_drop_no_mem tx_tls_drop_engine \
		 tx_tls_skip_no_sync_data; do
		want "$(d $c) == 0" "$c grew" || rc=1
	done
	[ "$(tls_stat "$TX_NS" TlsTxSw)" = "$sw0" ] ||
		{ fail "TlsTxSw grew: the socket fell back to software kTLS"; rc=1; }
	return $rc
}

# The data records of N bytes in full records (16384 + 29 bytes each)
stream_bytes() { echo $(($1 + 29 * ($1 / 16384))); }

# LOSS_MIB at 2% loss (the TX issue asks 64 MiB), verified by
# the software kTLS receiver
LOSS_MIB=64
test_loss()
{
	local rc=0

	loss_start || return 1
	xfer loss --bytes ${LOSS_MIB}M --timeout 60 -- --bytes ${LOSS_MIB}M \
		--require-offload tx --timeout 60 || rc=1
	loss_end "$(stream_bytes $((LOSS_MIB << 20)))" || rc=1
	return $rc
}

# setup NAME: tls0 with backend NAME, its module loaded if it was not
setup()
{
	local name=$1

	backend_loaded "$name" || backend_load "$name" || return 1
	backend_loaded mlx5 && alloc0=$(pool_stat alloc)
	topo_backend "$name"
}

# teardown NAME: every context released, and the mlx5 pool accounting
teardown()
{
	local name=$1 rc=0

	topo_done || rc=1
	backend_loaded mlx5 || return $rc
	if [ "$name" = mlx5 ]; then
		[ "$(pool_stat alloc)" -gt "$alloc0" ] ||
			{ fail "no context came from the pool"; rc=1; }
		busywait 30000 pool_is in_use 0 ||
			{ fail "pool in_use $(pool_stat in_use) after release"; rc=1; }
		pool_is free "$(pool_stat alloc)" ||
			{ fail "pool: alloc $(pool_stat alloc), free $(pool_stat free)"; rc=1; }
		cat "$MLX5_POOL"
	elif [ "$(pool_stat alloc)" != "$alloc0" ]; then
		fail "the $name device took mlx5 contexts"
		rc=1
	fi
	return $rc
}

test_mlx5_nocap()
{
	local key=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
	local param=/sys/module/tlsdev_mlx5/parameters/aes_gcm_256 nocap0 rc=0

	nocap0=$(pool_stat refused_cipher)
	# RX contexts come from the same pool: count the TX one only
	nsx "$TX_NS" ethtool -K tls0 tls-hw-rx-offload off
	echo N >$param
	xfer nocap --bytes 1M --key $key -- --bytes 1M --key $key || rc=1
	echo Y >$param
	nsx "$TX_NS" ethtool -K tls0 tls-hw-rx-offload on
	[ $rc -eq 0 ] || return 1
	grep -q "^tx: sw" "$WORK/nocap.client" ||
		{ fail "AES-256 was offloaded"; rc=1; }
	[ "$(pool_stat refused_cipher)" -eq $((nocap0 + 1)) ] ||
		{ fail "refused_cipher did not count it"; rc=1; }
	return $rc
}

# tls_dev_add sleeps install_usec: a connection takes at least that long
test_mlx5_latency()
{
	local param=/sys/module/tlsdev_mlx5/parameters/install_usec old t0 ms rc=0

	old=$(cat $param)
	echo 300000 >$param
	t0=$(date +%s%3N)
	xfer latency --bytes 1K -- --bytes 1K --require-offload tx || rc=1
	ms=$(($(date +%s%3N) - t0))
	echo "$old" >$param
	[ $rc -eq 0 ] || return 1
	echo "a 1 KiB transfer with install_usec=300000 took $ms ms"
	[ $ms -ge 300 ] || fail "it took less than the install latency"
}

# tx_keys BASE: TX kTLS sockets open in TX_NS (device or software), minus BASE
tx_keys()
{
	echo $(( $(tls_stat "$TX_NS" TlsCurrTxDevice) + \
		 $(tls_stat "$TX_NS" TlsCurrTxSw) - $1 ))
}

tx_keys_installed() { [ "$(tx_keys "$1")" -eq "$2" ]; }

# Of 3 connections that install their keys while a pool of 2 is free,
# exactly 2 are offloaded; the third stays in software, and all 3 deliver.
test_mlx5_pool()
{
	local base i hw sw rc=0

	backend_load mlx5 pool_size=2 || return 1
	topo_backend mlx5 || { fail "topology"; return 1; }
	# the clients only send: keep their RX contexts out of the pool
	nsx "$TX_NS" ethtool -K tls0 tls-hw-rx-offload off
	cat "$MLX5_POOL"
	base=$(tx_keys 0)
	for i in 0 1 2; do
		XFER_STOP=1 xfer_start pool$i $((PORT + i)) --bytes 16M \
			--timeout 60 -- --bytes 16M --timeout 60 || rc=1
	done
	busywait 30000 tx_keys_installed "$base" 3 ||
		{ fail "only $(tx_keys "$base") of 3 clients installed their keys"; rc=1; }
	echo "while the 3 connections are open:"
	cat "$MLX5_POOL"
	pool_is in_use 2 || { fail "pool in_use is not 2"; rc=1; }
	pool_is refused_full 1 || { fail "pool refused_full is not 1"; rc=1; }
	[ "$(tls_stat "$TX_NS" TlsCurrTxDevice)" -eq 2 ] ||
		{ fail "TlsCurrTxDevice is not 2"; rc=1; }
	for i in 0 1 2; do
		kill -CONT "$(cat "$WORK/pool$i.spid")"
	done
	hw=0 sw=0
	for i in 0 1 2; do
		xfer_wait pool$i
		if [ "$cli_rc" -ne 0 ] || [ "$srv_rc" -ne 0 ]; then
			fail "connection $i failed"
			rc=1
		fi
		grep -q "^tx: hw" "$WORK/pool$i.client" && hw=$((hw + 1))
		grep -q "^tx: sw" "$WORK/pool$i.client" && sw=$((sw + 1))
	done
	echo "offloaded: $hw, software: $sw"
	if [ $hw -ne 2 ] || [ $sw -ne 1 ]; then
		fail "expected 2 hw and 1 sw connections"
		rc=1
	fi
	topo_done || rc=1
	busywait 30000 pool_is in_use 0 ||
		{ fail "pool in_use $(pool_stat in_use) after release"; rc=1; }
	pool_is peak 2 || { fail "pool peak $(pool_stat peak), not 2"; rc=1; }
	backend_load mlx5 || rc=1
	return $rc
}

# capture NAME CHECK SERVER_ARGS -- CLIENT_ARGS: a transfer with tcpdump
# on the receiver's veth, kept running until "CHECK PCAP" passes or 30 s
# have passed; the transfer's status in $cli_rc/$srv_rc
capture()
{
	local name=$1 check=$2 dump rc=0
	shift 2

	# -B: a 64 MiB ring, so that a slow (debug) kernel's tcpdump does not
	# fall behind a 1 MiB transfer and drop packets
	ip netns exec "$RX_NS" tcpdump -i veth1 -s 0 -B 65536 -U --immediate-mode \
		-w "$WORK/$name.pcap" "tcp port $PORT" >/dev/null 2>"$WORK/$name.tcpdump" &
	dump=$!
	busywait 30000 grep -q "listening on" "$WORK/$name.tcpdump" ||
		{ kill $dump; fail "tcpdump did not start"; return 1; }
	xfer_start "$name" $PORT "$@" || { kill $dump; return 1; }
	xfer_wait "$name"
	# tcpdump may still be behind: the check fails until it caught up
	busywait 30000 "$check" "$WORK/$name.pcap" >/dev/null 2>&1
	kill $dump
	wait $dump
	cat "$WORK/$name.tcpdump"
	grep -q "^0 packets dropped by kernel" "$WORK/$name.tcpdump" ||
		{ fail "tcpdump lost packets: the capture is incomplete"; rc=1; }
	grep -q "^tx: hw" "$WORK/$name.client" ||
		{ fail "tx is not offloaded"; rc=1; }
	return $rc
}

# check_framing PCAP PLAIN: the client's TCP stream in PCAP is TLS 1.2
# records with zero tags, whose application data payloads are PLAIN (an
# alert, close_notify, may follow)
check_framing()
{
	python3 - "$1" "$2" "$PORT" <<'EOF'
import struct, sys

pcap, plain, port = sys.argv[1], open(sys.argv[2], "rb").read(), int(sys.argv[3])
buf = open(pcap, "rb").read()
magic, = struct.unpack_from("<I", buf)
assert magic == 0xa1b2c3d4, "not a little-endian microsecond pcap"
assert struct.unpack_from("<I", buf, 20)[0] == 1, "not Ethernet"
off, segs, isn = 24, {}, None
while off + 16 <= len(buf):
    _, _, caplen, wirelen = struct.unpack_from("<IIII", buf, off)
    pkt = buf[off + 16:off + 16 + caplen]
    if len(pkt) < caplen:			# tcpdump is writing it
        break
    off += 16 + caplen
    assert caplen == wirelen, "truncated capture"
    if struct.unpack_from("!H", pkt, 12)[0] != 0x0800:
        continue
    ihl = (pkt[14] & 0xf) * 4
    iplen, = struct.unpack_from("!H", pkt, 16)
    tcp = 14 + ihl
    dport, seq = struct.unpack_from("!xxHI", pkt, tcp)
    if dport != port:
        continue
    doff, flags = pkt[tcp + 12] >> 4, pkt[tcp + 13]
    if flags & 0x02:
        isn = seq + 1
    payload = pkt[tcp + doff * 4:14 + iplen]
    if payload:
        segs.setdefault(seq, payload)
assert isn is not None, "no SYN captured"
stream, nxt = bytearray(), isn
for seq in sorted(segs, key=lambda s: (s - isn) & 0xffffffff):
    rel, data = (seq - nxt) & 0xffffffff, segs[seq]
    if rel > 0x7fffffff:			# overlaps what we have
        data = data[(nxt - seq) & 0xffffffff:]
    elif rel:
        sys.exit("a hole of %d bytes at stream offset %d" % (rel, nxt - isn))
    stream += data
    nxt = (nxt + len(data)) & 0xffffffff
payload, pos, recs, alerts = bytearray(), 0, 0, 0
while pos < len(stream):
    if pos + 5 > len(stream):
        sys.exit("record %d: header truncated" % recs)
    typ, ver, ln = struct.unpack_from("!BHH", stream, pos)
    if typ not in (21, 23) or ver != 0x0303 or ln < 24:
        sys.exit("record %d: type %d version %#x length %d" % (recs, typ, ver, ln))
    rec = stream[pos + 5:pos + 5 + ln]
    if len(rec) < ln:
        sys.exit("record %d truncated" % recs)
    if rec[-16:] != bytes(16):
        sys.exit("record %d: the tag is not zero: %s" % (recs, rec[-16:].hex()))
    if typ == 23:
        payload += rec[8:-16]
    else:
        alerts += 1
    pos += 5 + ln
    recs += 1
print("%d bytes on the wire, %d records (%d alerts), %d payload bytes" %
      (len(stream), recs, alerts, len(payload)))
if payload != plain:
    diff = next((i for i, (a, b) in enumerate(zip(payload, plain)) if a != b),
                min(len(payload), len(plain)))
    sys.exit("the payloads differ from the plaintext at offset %d" % diff)
EOF
}

# null_stream_sha FILE: the SHA-256 of the record stream a null device
# sends for FILE written in full records with tlsxfer's default IV:
# record i is its header, the explicit nonce IV + i (what the TLS core
# writes), the plaintext and a zero tag; the close_notify alert ends it
null_stream_sha()
{
	python3 - "$1" <<'EOF'
import hashlib, sys

data, iv, h, n = open(sys.argv[1], "rb").read(), 1, hashlib.sha256(), 0
for off in range(0, len(data), 16384):
    p = data[off:off + 16384]
    h.update(bytes([23, 3, 3]) + (8 + len(p) + 16).to_bytes(2, "big") +
             (iv + n).to_bytes(8, "big") + p + bytes(16))
    n += 1
h.update(bytes([21, 3, 3, 0, 26]) + (iv + n).to_bytes(8, "big") +
         bytes([1, 0]) + bytes(16))
print(h.hexdigest())
EOF
}

# null at 2% loss: a null receiver cannot take it (the TLS core hands the
# records its device gave up on to software kTLS: EBADMSG), so a raw
# reader checks the whole stream, replayed records included, against the
# one computed from the plaintext
test_null_loss()
{
	local rc=0 sha

	head -c ${LOSS_MIB}M /dev/urandom >"$WORK/plain"
	sha=$(null_stream_sha "$WORK/plain") || return 1
	loss_start || return 1
	xfer null-loss --no-rx-keys --no-status --expect-sha256 "$sha" \
		--timeout 60 -- --file "$WORK/plain" --no-status \
		--require-offload tx --timeout 60 || rc=1
	grep "^verdict:" "$WORK/null-loss.server" | sed "s/^/[null-loss server] /"
	loss_end "$(stream_bytes $((LOSS_MIB << 20)))" || rc=1
	rm -f "$WORK/plain"
	return $rc
}

null_framing_ok() { check_framing "$1" "$WORK/plain"; }

test_null_framing()
{
	# the receiver reads the raw stream (no keys): it cannot verify it
	capture framing null_framing_ok --no-rx-keys --timeout 20 -- \
		--file "$WORK/plain" --timeout 20 || return 1
	null_framing_ok "$WORK/framing.pcap"
}

test_null_ebadmsg()
{
	local rc=0

	xfer_start ebadmsg $PORT --expect-sha256 \
		"$(sha256sum "$WORK/plain" | cut -d' ' -f1)" --timeout 20 -- \
		--file "$WORK/plain" --timeout 20 --require-offload tx || return 1
	xfer_wait ebadmsg
	grep -q "^tx: hw" "$WORK/ebadmsg.client" ||
		{ fail "tx is not offloaded"; rc=1; }
	[ "$srv_rc" -eq 1 ] ||
		{ fail "the receiver exited with $srv_rc, not 1"; rc=1; }
	grep -q "EBADMSG\|Bad message" "$WORK/ebadmsg.server" ||
		{ fail "the receiver did not fail with EBADMSG"; rc=1; }
	[ "$cli_rc" -ne 0 ] || { fail "the sender reported success"; rc=1; }
	return $rc
}

rx_ctx_added() { [ "$(dev_stat "$1" "$2" rx_tls_ctx)" -ge 1 ]; }

rx_ctx_released()
{
	[ "$(dev_stat "$1" "$2" rx_tls_ctx)" = "$(dev_stat "$1" "$2" rx_tls_del)" ]
}

# null on both ends: the receiving device's RX offload "decrypts" (leaves
# the payload) and finds the zero tags it expects, so the data is intact.
# Only if the device gets every record: one that reaches software kTLS
# fails with EBADMSG. So the sender (the server, --reverse) is held until
# the receiver's RX context exists, or the first records could arrive
# before it and go to software.
# null_pair_xfer: 4 MiB from a null tls1 to a null tls0 with RX offload,
# the sender held until the receiver's RX context exists
null_pair_xfer()
{
	XFER_STOP=1 xfer_start pair $PORT --reverse --bytes 4M \
		--require-offload tx -- --reverse --bytes 4M \
		--require-offload rx || return 1
	busywait 30000 rx_ctx_added "$TX_NS" tls0 || offloaded=0
	kill -CONT "$(cat "$WORK/pair.spid")"
	xfer_wait pair
	[ "$cli_rc" -eq 0 ] && [ "$srv_rc" -eq 0 ]
}

# A segment the sender retransmits may reach the receiving device as partly
# old data, which goes up unmarked to software kTLS: EBADMSG for a null
# record (Documentation/backends.rst). A transfer that failed after
# retransmissions (a loaded host's spurious timeouts: the link is lossless)
# is repeated, at most 3 times; one that failed without any fails the case.
test_null_pair()
{
	local rc=0 tries=0 re0 re offloaded

	topo_backend null null || { fail "topology"; return 1; }
	if ! nsx "$TX_NS" ethtool -k tls0 | grep -q "tls-hw-rx-offload: on"; then
		echo "tlsdev has no RX offload"
		topo_destroy
		return 4
	fi
	while :; do
		tries=$((tries + 1))
		offloaded=1
		re0=$(tcp_retrans "$RX_NS")
		null_pair_xfer && [ $offloaded = 1 ] && break
		[ $offloaded = 1 ] ||
			{ fail "the receiver's RX was not offloaded"; rc=1; break; }
		re=$(($(tcp_retrans "$RX_NS") - re0))
		echo "transfer $tries failed; the sender retransmitted $re segments"
		if [ "$re" -eq 0 ] || [ $tries -ge 3 ]; then
			fail "the transfer failed"
			rc=1
			break
		fi
		busywait 30000 rx_ctx_released "$TX_NS" tls0 ||
			{ fail "tls0 holds RX contexts"; rc=1; break; }
	done
	echo "tls0: rx_tls_decrypted_packets" \
	     "$(dev_stat "$TX_NS" tls0 rx_tls_decrypted_packets)," \
	     "rx_tls_auth_fail $(dev_stat "$TX_NS" tls0 rx_tls_auth_fail)"
	[ "$(dev_stat "$TX_NS" tls0 rx_tls_decrypted_packets)" -gt 0 ] ||
		{ fail "tls0 did not take the records"; rc=1; }
	[ "$(dev_stat "$TX_NS" tls0 rx_tls_auth_fail)" -eq 0 ] ||
		{ fail "tls0 failed tags"; rc=1; }
	busywait 30000 rx_ctx_released "$TX_NS" tls0 ||
		{ fail "tls0 holds RX contexts"; rc=1; }
	busywait 30000 rx_ctx_released "$RX_NS" tls1 ||
		{ fail "tls1 holds RX contexts"; rc=1; }
	topo_done || rc=1
	return $rc
}

trap cleanup EXIT
ktls_warmup || { echo "Bail out! kTLS warm-up"; exit 1; }
mountpoint -q /sys/kernel/debug || mount -t debugfs debugfs /sys/kernel/debug
head -c 1M /dev/urandom >"$WORK/plain"
alloc0=

ksft_plan 18
for be in emu mlx5; do
	run_test "$be: tls0 created with backend $be" setup $be
	run_test "$be: 16 MiB offloaded and intact" test_bulk
	if [ $be = emu ]; then
		run_test "emu: keystream from __ctr(aes), or the ctr template (gcm_simd=N)" \
			test_gcm_simd
	fi
	run_test "$be: $LOSS_MIB MiB at 2% loss, records replayed, data intact" test_loss
	if [ $be = mlx5 ]; then
		run_test "mlx5: no AES-256 capability: software kTLS" \
			test_mlx5_nocap
		run_test "mlx5: tls_dev_add takes install_usec" \
			test_mlx5_latency
	fi
	run_test "$be: contexts released" teardown $be
done
run_test "mlx5: pool of 2, 3 connections, exactly 2 offloaded" test_mlx5_pool
run_test "null: tls0 created with backend null" setup null
run_test "null: records framed, payload in plaintext, tags zero" \
	test_null_framing
run_test "null: a software kTLS receiver rejects it (EBADMSG)" \
	test_null_ebadmsg
run_test "null: $LOSS_MIB MiB at 2% loss, records replayed, raw stream intact" \
	test_null_loss
run_test "null: contexts released" teardown null
run_test "null: a null tlsdev receiver (RX offload) accepts it" test_null_pair
ksft_exit
