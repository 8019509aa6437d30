#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Real TLS handshakes and the key hand-off to kernel TLS: tlsxfer --mode
# ktls on the tlsdev side (TX_NS, tls0) against unmodified openssl
# s_client/s_server (with and without OpenSSL's own kTLS) and against
# tlsxfer --mode ktls-openssl, TLS 1.2 (AES-128/256-GCM) and TLS 1.3; data
# checked byte for byte in both directions; write, sendfile and splice
# (sending and receiving), 1 byte and sizes that are not whole records;
# offload state per direction and each reason for sw; SNI and ALPN; mutual
# TLS failures; bad peers and bad input; the progress line on a pty. Sizes
# are small: under QEMU/TCG a handshake takes a second or two and crypto
# runs at a few MB/s.
#
#   scripts/vm-run --insmod kmod/tlsdev.ko --insmod kmod/tlsdev_emu.ko -- \
#       selftests/handshake.sh
#   make vmtest TESTS=handshake.sh

. "$(dirname "$0")/lib.sh"

PORT=4433
SZ=512K
# The AES-128-GCM TLS 1.2 cases against openssl move BIG each way (TX and
# RX offloaded on our side); the others SZ. FILE/BYTES select per case.
BIG=16M
WORK=$(mktemp -d)
PKI=$WORK/pki
# Per-command safety net on top of tlsxfer's own --timeout.
TMO=(timeout 90)
TO=(--timeout 30)

SRV_CERT=(--cert "$PKI/server-cert.pem" --cert-key "$PKI/server-key.pem")
CLI_CERT=(--cert "$PKI/client-cert.pem" --cert-key "$PKI/client-key.pem")
CA=(--ca "$PKI/ca-cert.pem")
OSSL_CLI_CERT=(-cert "$PKI/client-cert.pem" -key "$PKI/client-key.pem")
OSSL_SRV_CERT=(-cert "$PKI/server-cert.pem" -key "$PKI/server-key.pem")

AES128_12=ECDHE-ECDSA-AES128-GCM-SHA256
AES256_12=ECDHE-ECDSA-AES256-GCM-SHA384
AES128_13=TLS_AES_128_GCM_SHA256
CTL=${TLSDEVCTL:-$TOP_DIR/user/tlsdevctl}

cleanup()
{
	local p
	for p in $(jobs -p); do kill "$p" 2>/dev/null; done
	topo_destroy
	rm -rf "$WORK"
}

# tlsx NS OUT ARGS...: tlsxfer in NS, stdout+stderr to OUT
tlsx() { local ns=$1 out=$2; shift 2; nsx "$ns" "${TMO[@]}" "$TLSXFER" "$@" "${TO[@]}" >"$out" 2>&1; }

# server_bg NS OUT ARGS...: tlsxfer server in the background, listening
# on the NS side's address; sets $spid
server_bg()
{
	local ns=$1 out=$2 addr=$TX_IP4
	shift 2
	[ "$ns" = "$RX_NS" ] && addr=$RX_IP4
	tlsx "$ns" "$out" server --listen "$addr:$PORT" "$@" &
	spid=$!
	busywait 20000 port_listening "$ns" $PORT ||
		{ fail "server did not start: $(cat "$out")"; return 1; }
}

# ossl_server NAME KTLS ARGS...: openssl s_server in RX_NS (mTLS), stdin a
# FIFO that never ends (s_server quits at stdin EOF), stdout to NAME.out;
# KTLS=ktls turns on OpenSSL's kTLS (s_server 3.0 has no -ktls: the
# "Options = KTLS" config does it); sets $opid
ossl_server()
{
	local name=$1 ktls=$2 env=()
	shift 2
	[ "$ktls" = ktls ] && env=(OPENSSL_CONF="$WORK/ktls.cnf")
	mkfifo "$WORK/$name.fifo"
	exec 7<>"$WORK/$name.fifo"
	nsx "$RX_NS" env "${env[@]}" "${TMO[@]}" openssl s_server -quiet \
		-naccept 1 -accept "$RX_IP4:$PORT" "${OSSL_SRV_CERT[@]}" \
		-CAfile "$PKI/ca-cert.pem" -Verify 1 "$@" \
		<&7 >"$WORK/$name.out" 2>"$WORK/$name.err" &
	opid=$!
	exec 7>&-
	busywait 20000 port_listening "$RX_NS" $PORT ||
		{ fail "s_server did not start: $(cat "$WORK/$name.err")"; return 1; }
}

# s_client in RX_NS against our server in TX_NS
ossl_client()
{
	nsx "$RX_NS" "${TMO[@]}" openssl s_client -connect "$TX_IP4:$PORT" \
		-servername localhost -verify_hostname localhost \
		-verify_return_error -CAfile "$PKI/ca-cert.pem" \
		"${OSSL_CLI_CERT[@]}" "$@"
}

sha_of() { sha256sum "$1" | cut -d' ' -f1; }
# the "sha256: ..." line of a tlsxfer output
sha_line() { sed -n 's/^sha256: //p' "$1"; }
has() { grep -q -- "$2" "$1" || fail "$(basename "$1"): no '$2'"; }
show() { sed "s/^/[$(basename "$1")] /" "$1"; }

stat_sum() { echo $(($(tls_stat "$1" TlsTxSw) + $(tls_stat "$1" TlsTxDevice) + $(tls_stat "$1" TlsRxSw))); }

# ---------------------------------------------------------------------------

setup_pki()
{
	"$TOP_DIR/scripts/mkcerts.sh" "$PKI" >/dev/null || return 1
	cat >"$WORK/ktls.cnf" <<-EOF
	openssl_conf = openssl_init
	[openssl_init]
	ssl_conf = ssl_sect
	[ssl_sect]
	system_default = ktls_sect
	[ktls_sect]
	Options = KTLS
	EOF
	head -c $SZ /dev/urandom >"$WORK/file"
	# not a multiple of the 16 KiB record size
	head -c 300001 /dev/urandom >"$WORK/odd"
	head -c $BIG /dev/urandom >"$WORK/big"
}

# Our ktls server on tls0 <-> s_client: s_client sends a file, then our
# server sends the pattern back on a second connection.
# sclient TLSVER S_CLIENT_CIPHER_ARGS... ; TLSVER 1.2 expects tx hw
sclient_case()
{
	local v=$1 n=sc$1-$RANDOM rc=0 dev0 sha
	shift
	sha=$(sha_of "${FILE:-$WORK/file}")
	server_bg "$TX_NS" "$WORK/$n.in" --mode ktls "${SRV_CERT[@]}" "${CA[@]}" \
		--sni localhost --no-status --expect-sha256 "$sha" || return 1
	ossl_client -quiet -no_ign_eof -nocommands "$@" <"${FILE:-$WORK/file}" \
		>/dev/null 2>"$WORK/$n.cerr"
	wait "$spid" || { show "$WORK/$n.in"; show "$WORK/$n.cerr"; fail "receiving from s_client"; return 1; }
	has "$WORK/$n.in" "Certificate verified: YES" || rc=1
	has "$WORK/$n.in" "Subject: /C=US/ST=CA/L=SantaClara/O=TestOrg/CN=Test Client" || rc=1
	has "$WORK/$n.in" "SNI: localhost" || rc=1
	has "$WORK/$n.in" "^Loading CA certificate: $PKI/ca-cert.pem" || rc=1

	dev0=$(tls_stat "$TX_NS" TlsTxDevice)
	server_bg "$TX_NS" "$WORK/$n.out" --mode ktls "${SRV_CERT[@]}" "${CA[@]}" \
		--reverse --no-status --bytes "${BYTES:-$SZ}" --seed 5 || return 1
	ossl_client -quiet "$@" </dev/null >"$WORK/$n.data" 2>"$WORK/$n.cerr2"
	wait "$spid" || { show "$WORK/$n.out"; show "$WORK/$n.cerr2"; fail "sending to s_client"; return 1; }
	show "$WORK/$n.out" | grep -E "Protocol|Cipher|^\[.*\] (tx|rx|route):"
	[ "$(sha_of "$WORK/$n.data")" = "$(sha_line "$WORK/$n.out")" ] ||
		{ fail "s_client got different data ($(wc -c <"$WORK/$n.data") bytes)"; rc=1; }
	echo "$n: $(wc -c <"${FILE:-$WORK/file}") bytes in, $(wc -c <"$WORK/$n.data") out"
	rm -f "$WORK/$n.data"
	if [ "$v" = 1.2 ]; then
		has "$WORK/$n.in" "^rx: hw$" || rc=1
		has "$WORK/$n.out" "^tx: hw$" || rc=1
		[ "$(tls_stat "$TX_NS" TlsTxDevice)" -eq $((dev0 + 1)) ] ||
			{ fail "TlsTxDevice did not grow"; rc=1; }
	else
		has "$WORK/$n.out" "^tx: sw (TLS 1.3: the kernel" || rc=1
		[ "$(tls_stat "$TX_NS" TlsTxDevice)" -eq "$dev0" ] ||
			{ fail "TlsTxDevice grew for TLS 1.3"; rc=1; }
	fi
	return $rc
}

test_sclient_12_aes128() { FILE=$WORK/big BYTES=$BIG sclient_case 1.2 -tls1_2 -cipher $AES128_12; }
test_sclient_12_aes256() { sclient_case 1.2 -tls1_2 -cipher $AES256_12; }
test_sclient_13() { sclient_case 1.3 -tls1_3 -ciphersuites $AES128_13; }

# Our ktls client on tls0 -> s_server: send; then (RECV=1) receive what
# s_server reads from its stdin.
# sserver_case KTLS TLSVER EXPECT_TX [tlsxfer args...]
sserver_case()
{
	local ktls=$1 v=$2 n=ss$2-$1-$RANDOM rc=0 crc=0 dev0 rx0 want_rc=0
	shift 2
	[ "$v" = 1.3 ] && want_rc=4 # with --require-offload tx: not hw
	rx0=$(tls_stat "$RX_NS" TlsRxSw)
	dev0=$(tls_stat "$TX_NS" TlsTxDevice)
	ossl_server "$n" "$ktls" || return 1
	tlsx "$TX_NS" "$WORK/$n.cli" client --mode ktls --connect "$RX_IP4:$PORT" \
		"${CLI_CERT[@]}" "${CA[@]}" --sni localhost --no-status \
		--bytes "${BYTES:-$SZ}" --seed 9 --require-offload tx "$@" || crc=$?
	wait "$opid"
	show "$WORK/$n.cli" | grep -E "Protocol|Cipher|^\[.*\] (tx|rx|route|tickets|verdict)"
	[ "$crc" -eq "$want_rc" ] ||
		{ show "$WORK/$n.cli"; show "$WORK/$n.err"; fail "client exit $crc, want $want_rc"; return 1; }
	[ "$(sha_of "$WORK/$n.out")" = "$(sha_line "$WORK/$n.cli")" ] ||
		{ fail "s_server got different data ($(wc -c <"$WORK/$n.out") bytes)"; rc=1; }
	echo "$n: s_server got $(wc -c <"$WORK/$n.out") bytes"
	rm -f "$WORK/$n.out"
	if [ "$v" = 1.2 ]; then
		has "$WORK/$n.cli" "^tx: hw$" || rc=1
		[ "$(tls_stat "$TX_NS" TlsTxDevice)" -eq $((dev0 + 1)) ] ||
			{ fail "TlsTxDevice did not grow"; rc=1; }
	else
		has "$WORK/$n.cli" "^tx: sw (TLS 1.3: the kernel" || rc=1
		has "$WORK/$n.cli" "offload requirement not met: tx is sw: TLS 1.3" || rc=1
	fi
	if [ "$ktls" = ktls ]; then
		# OpenSSL's own kTLS decrypted what we sent
		[ "$(tls_stat "$RX_NS" TlsRxSw)" -gt "$rx0" ] ||
			[ "$v" = 1.3 ] || { fail "s_server did not use kTLS RX"; rc=1; }
	fi
	return $rc
}

# sserver_recv KTLS TLSVER [tlsxfer args...]: s_server sends, we receive
sserver_recv()
{
	local ktls=$1 v=$2 n=sr$2-$1-$RANDOM cpid crc=0
	shift 2
	ossl_server "$n" "$ktls" || return 1
	tlsx "$TX_NS" "$WORK/$n.cli" client --mode ktls --connect "$RX_IP4:$PORT" \
		"${CLI_CERT[@]}" "${CA[@]}" --reverse --no-status --bytes "${BYTES:-$SZ}" \
		--expect-sha256 "$(sha_of "${FILE:-$WORK/file}")" "$@" &
	cpid=$!
	# s_server reads stdin only once the session is up
	busywait 30000 grep -qs "^rx: " "$WORK/$n.cli" ||
		{ fail "client did not get through the handshake"; show "$WORK/$n.cli"; return 1; }
	cat "${FILE:-$WORK/file}" >"$WORK/$n.fifo" &
	wait "$cpid" || crc=$?
	wait "$opid"
	show "$WORK/$n.cli" | grep -E "Protocol|^\[.*\] (rx|tickets|verdict)"
	[ "$crc" -eq 0 ] || { show "$WORK/$n.cli"; show "$WORK/$n.err"; fail "client exit $crc"; return 1; }
	[ "$v" = 1.2 ] || has "$WORK/$n.cli" "^tickets after hand-off: [1-9]" || return 1
}

test_sserver_12_aes128()
{
	FILE=$WORK/big BYTES=$BIG sserver_case plain 1.2 --tls 1.2 --ciphers $AES128_12 &&
	FILE=$WORK/big BYTES=$BIG sserver_recv plain 1.2 --tls 1.2 --ciphers $AES128_12 \
		--require-offload rx
}
test_sserver_12_aes256_ktls()
{
	sserver_case ktls 1.2 --tls 1.2 --ciphers $AES256_12 &&
	sserver_recv ktls 1.2 --tls 1.2 --ciphers $AES256_12
}
test_sserver_13()
{
	sserver_case ktls 1.3 --tls 1.3 --ciphersuites $AES128_13 &&
	sserver_recv plain 1.3 --tls 1.3
}

# tlsxfer --mode ktls (tls0) <-> tlsxfer --mode ktls-openssl
test_ktls_openssl()
{
	local n=ko-$RANDOM rc=0

	# 1.2: we send (offloaded) to OpenSSL's kTLS RX
	server_bg "$RX_NS" "$WORK/$n.s1" --mode ktls-openssl "${SRV_CERT[@]}" \
		--bytes $SZ --seed 3 || return 1
	tlsx "$TX_NS" "$WORK/$n.c1" client --mode ktls --connect "$RX_IP4:$PORT" \
		"${CA[@]}" --tls 1.2 --bytes $SZ --seed 3 --require-offload tx ||
		{ show "$WORK/$n.c1"; rc=1; }
	wait "$spid" || { show "$WORK/$n.s1"; rc=1; }
	grep -h "^kTLS" "$WORK/$n.s1"
	has "$WORK/$n.c1" "^tx: hw$" || rc=1
	# 1.3: OpenSSL's kTLS sends, our kernel RX decrypts
	server_bg "$RX_NS" "$WORK/$n.s2" --mode ktls-openssl "${SRV_CERT[@]}" \
		--reverse --bytes $SZ --seed 4 || return 1
	tlsx "$TX_NS" "$WORK/$n.c2" client --mode ktls --connect "$RX_IP4:$PORT" \
		"${CA[@]}" --tls 1.3 --reverse --bytes $SZ --seed 4 ||
		{ show "$WORK/$n.c2"; rc=1; }
	wait "$spid" || { show "$WORK/$n.s2"; rc=1; }
	grep -h "^kTLS" "$WORK/$n.s2"
	has "$WORK/$n.c2" "^rx: sw" || rc=1
	# 1.2, roles swapped: OpenSSL's kTLS on tls0 is offloaded too
	server_bg "$RX_NS" "$WORK/$n.s3" --mode ktls "${SRV_CERT[@]}" \
		--bytes $SZ --seed 6 || return 1
	tlsx "$TX_NS" "$WORK/$n.c3" client --mode ktls-openssl --connect \
		"$RX_IP4:$PORT" "${CA[@]}" --tls 1.2 --bytes $SZ --seed 6 ||
		{ show "$WORK/$n.c3"; rc=1; }
	wait "$spid" || { show "$WORK/$n.s3"; rc=1; }
	has "$WORK/$n.c3" "^tx: hw$" || rc=1
	return $rc
}

# Echo (both directions on one connection), splice and sendfile, JSON
test_echo_splice_json()
{
	local n=es-$RANDOM rc=0 sha

	server_bg "$RX_NS" "$WORK/$n.s1" --mode ktls "${SRV_CERT[@]}" --echo \
		--bytes $SZ --seed 8 || return 1
	tlsx "$TX_NS" "$WORK/$n.c1" client --mode ktls --connect "$RX_IP4:$PORT" \
		"${CA[@]}" --tls 1.2 --ciphers $AES256_12 --echo --bytes $SZ \
		--seed 8 --write-size 1-65536 --json || rc=1
	wait "$spid" || { show "$WORK/$n.s1"; rc=1; }
	python3 - "$WORK/$n.c1" <<-'PY' || { show "$WORK/$n.c1"; rc=1; }
	import json, sys
	d = json.load(open(sys.argv[1]))
	assert d["verdict"] == "OK" and d["verified"], d
	assert d["offload"]["tx"] == "hw", d["offload"]
	assert d["route"]["ifname"] == "tls0", d["route"]
	assert d["route"]["tls_hw_tx_offload"] == "on", d["route"]
	assert d["offload_reason"]["tx"] is None, d["offload_reason"]
	assert d["handshake"]["protocol"] == "TLSv1.2", d["handshake"]
	assert d["handshake"]["peer_certificate"]["verified"], d["handshake"]
	assert d["handshake"]["tx_rec_seq"] == 1, d["handshake"]
	assert d["echo_rtt_s"]["max"] > 0 and d["first_byte_s"] > 0
	assert d["data_path"] == "write+read", d["data_path"]
	print("echo:", d["bytes"], "bytes,", d["cipher"], "tx", d["offload"]["tx"],
	      "rx", d["offload"]["rx"], d["offload_reason"]["rx"] or "")
	PY
	sha=$(sha_of "$WORK/file")
	server_bg "$RX_NS" "$WORK/$n.s2" --mode ktls "${SRV_CERT[@]}" \
		--expect-sha256 "$sha" || return 1
	tlsx "$TX_NS" "$WORK/$n.c2" client --mode ktls --connect "$RX_IP4:$PORT" \
		"${CA[@]}" --tls 1.2 --file "$WORK/file" --splice \
		--require-offload tx || { show "$WORK/$n.c2"; rc=1; }
	wait "$spid" || { show "$WORK/$n.s2"; rc=1; }
	has "$WORK/$n.c2" "^data path: splice$" || rc=1
	server_bg "$RX_NS" "$WORK/$n.s3" --mode ktls "${SRV_CERT[@]}" \
		--expect-sha256 "$sha" || return 1
	tlsx "$TX_NS" "$WORK/$n.c3" client --mode ktls --connect "$RX_IP4:$PORT" \
		"${CA[@]}" --tls 1.3 --file "$WORK/file" --sendfile ||
		{ show "$WORK/$n.c3"; rc=1; }
	wait "$spid" || { show "$WORK/$n.s3"; rc=1; }
	has "$WORK/$n.c3" "^data path: sendfile$" || rc=1
	return $rc
}

# A cipher the hand-off does not take: userspace fallback, or exit 3
test_chacha_fallback()
{
	local n=cc-$RANDOM rc=0 crc=0

	server_bg "$RX_NS" "$WORK/$n.s1" --mode ktls "${SRV_CERT[@]}" \
		--bytes 64K || return 1
	tlsx "$TX_NS" "$WORK/$n.c1" client --mode ktls --connect "$RX_IP4:$PORT" \
		"${CA[@]}" --tls 1.3 --ciphersuites TLS_CHACHA20_POLY1305_SHA256 \
		--bytes 64K || { show "$WORK/$n.c1"; rc=1; }
	wait "$spid" || { show "$WORK/$n.s1"; rc=1; }
	has "$WORK/$n.c1" "tlsxfer hands only AES-128-GCM and AES-256-GCM" || rc=1
	has "$WORK/$n.c1" "^tx: none (userspace TLS" || rc=1
	server_bg "$RX_NS" "$WORK/$n.s2" --mode ktls "${SRV_CERT[@]}" || return 1
	tlsx "$TX_NS" "$WORK/$n.c2" client --mode ktls --connect "$RX_IP4:$PORT" \
		"${CA[@]}" --tls 1.3 --ciphersuites TLS_CHACHA20_POLY1305_SHA256 \
		--require-ktls --bytes 64K || crc=$?
	wait "$spid"
	[ "$crc" -eq 3 ] || { show "$WORK/$n.c2"; fail "--require-ktls: exit $crc, want 3"; rc=1; }
	grep "^tlsxfer: --require-ktls" "$WORK/$n.c2"
	return $rc
}

# mtls_case NAME TLSVER WANT_CLIENT_RC CLIENT_ARGS...: our server (tls0,
# mTLS) must fail the handshake with exit 6 and one clear line, and no
# kTLS key may have been installed on either side.
mtls_case()
{
	local name=$1 v=$2 want_c=$3 n=mt-$1-$2 crc=0 src=0 before_tx before_rx
	shift 3
	before_tx=$(stat_sum "$TX_NS")
	before_rx=$(stat_sum "$RX_NS")
	server_bg "$TX_NS" "$WORK/$n.s" --mode ktls "${SRV_CERT[@]}" "${CA[@]}" \
		--tls "$v" || return 1
	tlsx "$RX_NS" "$WORK/$n.c" client --mode ktls --connect "$TX_IP4:$PORT" \
		"${CA[@]}" --bytes 64K "$@" || crc=$?
	wait "$spid" || src=$?
	echo "$name TLS $v: server exit $src: $(grep '^tlsxfer:' "$WORK/$n.s")"
	echo "$name TLS $v: client exit $crc: $(grep '^tlsxfer:' "$WORK/$n.c" | head -n1)"
	[ "$src" -eq 6 ] || { show "$WORK/$n.s"; fail "server exit $src, want 6"; return 1; }
	[ "$(grep -c '^tlsxfer:' "$WORK/$n.s")" -eq 1 ] || { fail "server: not one error line"; return 1; }
	[ "$crc" -eq "$want_c" ] || { show "$WORK/$n.c"; fail "client exit $crc, want $want_c"; return 1; }
	[ "$(stat_sum "$TX_NS")" -eq "$before_tx" ] || { fail "server side installed keys"; return 1; }
	# TLS 1.3: the client learns of the rejection after its hand-off, from
	# the alert record (TLS_GET_RECORD_TYPE)
	if [ "$v" = 1.3 ]; then
		grep -q "^tlsxfer: .*the peer sent alert '" "$WORK/$n.c" ||
			{ show "$WORK/$n.c"; fail "client: the alert is not reported"; return 1; }
	fi
	# TLS 1.3: the client finishes first and hands off before the server
	# rejects it; only TLS 1.2 keeps the client's kernel untouched
	if [ "$v" = 1.2 ]; then
		[ "$(stat_sum "$RX_NS")" -eq "$before_rx" ] || { fail "client side installed keys"; return 1; }
	fi
}

test_mtls_wrong_ca()
{
	mtls_case other-ca 1.2 6 --cert "$PKI/client-other-cert.pem" \
		--cert-key "$PKI/client-other-key.pem" &&
	grep -q "certificate verify failed: unable to get local issuer" "$WORK/mt-other-ca-1.2.s" &&
	mtls_case other-ca 1.3 6 --cert "$PKI/client-other-cert.pem" \
		--cert-key "$PKI/client-other-key.pem"
}

test_mtls_no_cert()
{
	mtls_case no-cert 1.2 6 &&
	grep -q "sent no certificate" "$WORK/mt-no-cert-1.2.s" &&
	mtls_case no-cert 1.3 6
}

test_mtls_expired()
{
	mtls_case expired 1.2 6 --cert "$PKI/client-expired-cert.pem" \
		--cert-key "$PKI/client-expired-key.pem" &&
	grep -q "certificate has expired" "$WORK/mt-expired-1.2.s"
}

# The client rejects a server certificate from another CA.
test_server_wrong_ca()
{
	local n=swca crc=0 before

	before=$(stat_sum "$TX_NS")
	server_bg "$RX_NS" "$WORK/$n.s" --mode ktls --cert "$PKI/server-other-cert.pem" \
		--cert-key "$PKI/server-other-key.pem" || return 1
	tlsx "$TX_NS" "$WORK/$n.c" client --mode ktls --connect "$RX_IP4:$PORT" \
		"${CA[@]}" --bytes 64K || crc=$?
	wait "$spid"
	grep "^tlsxfer:" "$WORK/$n.c"
	[ "$crc" -eq 6 ] || { show "$WORK/$n.c"; fail "client exit $crc, want 6"; return 1; }
	grep -q "server certificate verify failed" "$WORK/$n.c" || { fail "no clear message"; return 1; }
	[ "$(stat_sum "$TX_NS")" -eq "$before" ] || fail "keys installed"
}

# expect_fail NAME RC... -- CMD...: CMD exits with one of the codes, one
# error line on stderr, in time (the per-command timeout would give 124)
expect_fail()
{
	local name=$1 codes=() rc=0 c
	shift
	while [ "$1" != -- ]; do codes+=("$1"); shift; done
	shift
	"$@" >"$WORK/$name.out" 2>"$WORK/$name.err" || rc=$?
	echo "$name: exit $rc: $(cat "$WORK/$name.err")"
	for c in "${codes[@]}"; do
		if [ "$rc" -eq "$c" ]; then
			[ "$(wc -l <"$WORK/$name.err")" -eq 1 ] ||
				{ fail "$name: stderr is not one line"; return 1; }
			return 0
		fi
	done
	fail "$name: exit $rc, want ${codes[*]}"
}

# A peer in RX_NS written in python: garbage, or closing at some point.
# py_peer MODE: listen on RX_IP4:PORT and ...
#   garbage-server: send 1000 random bytes when a client connects
#   close-server:   read the ClientHello, then close
#   silent-server:  read the ClientHello, answer nothing for 5 s
py_peer()
{
	nsx "$RX_NS" "${TMO[@]}" python3 - "$RX_IP4" "$PORT" "$1" <<-'PY' &
	import os, socket, sys, time
	l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
	l.bind((sys.argv[1], int(sys.argv[2]))); l.listen(1)
	c, _ = l.accept()
	if sys.argv[3] == "garbage-server":
	    c.sendall(os.urandom(1000))
	    c.recv(65536)
	elif sys.argv[3] == "silent-server":
	    c.recv(65536)
	    time.sleep(5)
	else:
	    c.recv(65536)
	c.close()
	PY
	ppid=$!
	busywait 20000 port_listening "$RX_NS" $PORT
}

# py_client MODE: connect to our server in TX_NS and ...
#   garbage: send 1000 random bytes; half-hello: a truncated ClientHello
py_client()
{
	nsx "$RX_NS" "${TMO[@]}" python3 - "$TX_IP4" "$PORT" "$1" <<-'PY'
	import os, socket, sys, time
	s = socket.create_connection((sys.argv[1], int(sys.argv[2])))
	if sys.argv[3] == "garbage":
	    s.sendall(os.urandom(1000))
	else:
	    s.sendall(bytes([22, 3, 1, 2, 0, 1, 0, 1, 252, 3, 3]) + os.urandom(20))
	time.sleep(0.5)
	s.close()
	PY
}

test_bad_peers()
{
	local rc=0

	expect_fail unreachable 3 5 -- nsx "$TX_NS" "${TMO[@]}" "$TLSXFER" client \
		--mode ktls --connect 198.18.0.99:$PORT "${CA[@]}" --timeout 3 || rc=1
	expect_fail refused 3 -- nsx "$TX_NS" "${TMO[@]}" "$TLSXFER" client \
		--mode ktls --connect "$RX_IP4:$PORT" "${CA[@]}" || rc=1
	expect_fail unreadable-file 3 -- nsx "$TX_NS" "$TLSXFER" client \
		--mode ktls --connect "$RX_IP4:$PORT" "${CA[@]}" --file /nonexistent || rc=1
	# garbage instead of a ServerHello / ClientHello
	py_peer garbage-server
	expect_fail garbage-from-server 6 -- nsx "$TX_NS" "${TMO[@]}" "$TLSXFER" \
		client --mode ktls --connect "$RX_IP4:$PORT" "${CA[@]}" --timeout 10 || rc=1
	wait "$ppid"
	py_peer close-server
	expect_fail server-closes-in-handshake 6 -- nsx "$TX_NS" "${TMO[@]}" "$TLSXFER" \
		client --mode ktls --connect "$RX_IP4:$PORT" "${CA[@]}" --timeout 10 || rc=1
	wait "$ppid"
	# a server that never answers the ClientHello: the handshake times out
	py_peer silent-server
	expect_fail server-silent-in-handshake 5 -- nsx "$TX_NS" "${TMO[@]}" "$TLSXFER" \
		client --mode ktls --connect "$RX_IP4:$PORT" "${CA[@]}" --timeout 2 || rc=1
	grep -q "timeout: TLS handshake" "$WORK/server-silent-in-handshake.err" || rc=1
	wait "$ppid"
	for m in garbage half-hello; do
		tlsx "$TX_NS" "$WORK/bp-$m.s" server --listen "$TX_IP4:$PORT" \
			--mode ktls "${SRV_CERT[@]}" --timeout 10 &
		spid=$!
		busywait 20000 port_listening "$TX_NS" $PORT || return 1
		py_client $m
		local src=0
		wait "$spid" || src=$?
		echo "client sends $m: server exit $src: $(grep '^tlsxfer:' "$WORK/bp-$m.s")"
		[ "$src" -eq 6 ] || { fail "server exit $src, want 6"; rc=1; }
	done
	return $rc
}

# The peer goes away mid-transfer: s_client killed while sending, and a
# client that stops answering.
test_peer_dies_mid_transfer()
{
	local n=mid rc=0 src=0 victim

	server_bg "$TX_NS" "$WORK/$n.s" --mode ktls "${SRV_CERT[@]}" --no-status \
		--timeout 20 || return 1
	# s_client's stdin: 32K in a FIFO that never ends; not through nsx
	# (a function): "ip netns exec" execs, so $! is s_client itself
	mkfifo "$WORK/$n.fifo"
	exec 8<>"$WORK/$n.fifo"
	head -c 32K "$WORK/file" >&8
	ip netns exec "$RX_NS" openssl s_client -connect "$TX_IP4:$PORT" -quiet \
		-no_ign_eof -nocommands -CAfile "$PKI/ca-cert.pem" \
		<&8 >/dev/null 2>&1 &
	victim=$!
	disown "$victim"
	exec 8>&-
	busywait 30000 grep -qs "^rx: " "$WORK/$n.s" || { fail "no handshake"; rc=1; }
	sleep 1
	kill -9 "$victim"
	wait "$spid" || src=$?
	echo "s_client killed: server exit $src: $(grep '^tlsxfer:' "$WORK/$n.s")"
	[ "$src" -eq 1 ] || { show "$WORK/$n.s"; fail "server exit $src, want 1"; rc=1; }
	grep -q "without close_notify" "$WORK/$n.s" || { fail "truncation not reported"; rc=1; }
	return $rc
}

# Sizes that are not whole records, splice on the receiving side (the
# kernel TLS splice_read path, hw RX on tls0 and sw), sendfile and splice
# on the sending side in the server->client direction, and splice under
# OpenSSL's own kTLS RX (control records through SSL_read).
test_sizes_splice()
{
	local n=sz-$RANDOM rc=0 sha

	sha=$(sha_of "$WORK/odd")
	# 1 byte, TLS 1.2, received with splice through tls0 (rx hw)
	server_bg "$TX_NS" "$WORK/$n.s1" --mode ktls "${SRV_CERT[@]}" --splice \
		--bytes 1 --seed 11 --require-offload rx || return 1
	tlsx "$RX_NS" "$WORK/$n.c1" client --mode ktls --connect "$TX_IP4:$PORT" \
		"${CA[@]}" --tls 1.2 --bytes 1 --seed 11 || { show "$WORK/$n.c1"; rc=1; }
	wait "$spid" || { show "$WORK/$n.s1"; fail "1 byte"; rc=1; }
	has "$WORK/$n.s1" "^data path: splice$" || rc=1
	has "$WORK/$n.s1" "^bytes: 1$" || rc=1
	# 100003 bytes in writes of 1..20000, TLS 1.3 (rx sw), splice
	server_bg "$TX_NS" "$WORK/$n.s2" --mode ktls "${SRV_CERT[@]}" --splice \
		--bytes 100003 --seed 12 || return 1
	tlsx "$RX_NS" "$WORK/$n.c2" client --mode ktls --connect "$TX_IP4:$PORT" \
		"${CA[@]}" --tls 1.3 --bytes 100003 --seed 12 --write-size 1-20000 ||
		{ show "$WORK/$n.c2"; rc=1; }
	wait "$spid" || { show "$WORK/$n.s2"; fail "100003 bytes, TLS 1.3"; rc=1; }
	# server -> client: sendfile offloaded on tls0, client splices
	server_bg "$TX_NS" "$WORK/$n.s3" --mode ktls "${SRV_CERT[@]}" --reverse \
		--file "$WORK/odd" --sendfile --require-offload tx || return 1
	tlsx "$RX_NS" "$WORK/$n.c3" client --mode ktls --connect "$TX_IP4:$PORT" \
		"${CA[@]}" --tls 1.2 --reverse --splice --expect-sha256 "$sha" ||
		{ show "$WORK/$n.c3"; rc=1; }
	wait "$spid" || { show "$WORK/$n.s3"; fail "reverse sendfile"; rc=1; }
	has "$WORK/$n.s3" "^data path: sendfile$" || rc=1
	# server -> client: splice, TLS 1.3
	server_bg "$TX_NS" "$WORK/$n.s4" --mode ktls "${SRV_CERT[@]}" --reverse \
		--file "$WORK/odd" --splice || return 1
	tlsx "$RX_NS" "$WORK/$n.c4" client --mode ktls --connect "$TX_IP4:$PORT" \
		"${CA[@]}" --tls 1.3 --reverse --expect-sha256 "$sha" ||
		{ show "$WORK/$n.c4"; rc=1; }
	wait "$spid" || { show "$WORK/$n.s4"; fail "reverse splice"; rc=1; }
	has "$WORK/$n.s4" "^data path: splice$" || rc=1
	# splice under OpenSSL's kTLS RX: close_notify is a control record
	server_bg "$RX_NS" "$WORK/$n.s5" --mode ktls-openssl "${SRV_CERT[@]}" \
		--splice --expect-sha256 "$sha" || return 1
	tlsx "$TX_NS" "$WORK/$n.c5" client --mode ktls --connect "$RX_IP4:$PORT" \
		"${CA[@]}" --tls 1.2 --file "$WORK/odd" --require-offload tx ||
		{ show "$WORK/$n.c5"; rc=1; }
	wait "$spid" || { show "$WORK/$n.s5"; fail "splice, OpenSSL kTLS RX"; rc=1; }
	has "$WORK/$n.s5" "^kTLS: OpenSSL enabled tx+rx" || rc=1
	echo "1 byte, 100003 bytes, 2x 300001 bytes reverse, 300001 bytes to OpenSSL kTLS: intact"
	return $rc
}

# Why a direction is not hw, case by case: a route not via a tlsdev, the
# device's offload feature off, the device refusing the connection.
test_offload_reasons()
{
	local n=why-$RANDOM rc=0 crc=0

	# our server on the plain veth: sw, the route is the reason
	server_bg "$RX_NS" "$WORK/$n.s1" --mode ktls "${SRV_CERT[@]}" \
		--bytes 64K || return 1
	tlsx "$TX_NS" "$WORK/$n.c1" client --mode ktls --connect "$RX_IP4:$PORT" \
		"${CA[@]}" --tls 1.2 --bytes 64K || { show "$WORK/$n.c1"; rc=1; }
	wait "$spid" || { show "$WORK/$n.s1"; rc=1; }
	grep -E "^(tx|rx): " "$WORK/$n.s1"
	has "$WORK/$n.s1" "^tx: sw (route via veth1: tls-hw-tx-offload" || rc=1
	has "$WORK/$n.s1" "^rx: sw (route via veth1: tls-hw-rx-offload" || rc=1
	# tls-hw-tx-offload off on tls0
	nsx "$TX_NS" ethtool -K tls0 tls-hw-tx-offload off || return 1
	server_bg "$RX_NS" "$WORK/$n.s2" --mode ktls "${SRV_CERT[@]}" \
		--bytes 64K || return 1
	tlsx "$TX_NS" "$WORK/$n.c2" client --mode ktls --connect "$RX_IP4:$PORT" \
		"${CA[@]}" --tls 1.2 --bytes 64K --require-offload tx || crc=$?
	wait "$spid" || { show "$WORK/$n.s2"; rc=1; }
	nsx "$TX_NS" ethtool -K tls0 tls-hw-tx-offload on
	grep "^tlsxfer:" "$WORK/$n.c2"
	[ "$crc" -eq 4 ] || { show "$WORK/$n.c2"; fail "offload off: exit $crc, want 4"; rc=1; }
	has "$WORK/$n.c2" "tx is sw: route via tls0: tls-hw-tx-offload off" || rc=1
	# the device refuses the next connection (tls_dev_add fails once):
	# TX, installed first, falls back to sw; RX still goes to the device
	nsx "$TX_NS" "$CTL" fault set dev tls0 add-fail 1 || return 1
	server_bg "$RX_NS" "$WORK/$n.s3" --mode ktls "${SRV_CERT[@]}" \
		--reverse --bytes 64K || return 1
	crc=0
	tlsx "$TX_NS" "$WORK/$n.c3" client --mode ktls --connect "$RX_IP4:$PORT" \
		"${CA[@]}" --tls 1.2 --reverse --bytes 64K --require-offload both || crc=$?
	wait "$spid" || { show "$WORK/$n.s3"; rc=1; }
	nsx "$TX_NS" "$CTL" fault clear dev tls0
	grep -E "^(tx|rx): |^tlsxfer:" "$WORK/$n.c3"
	[ "$crc" -eq 4 ] || { show "$WORK/$n.c3"; fail "add-fail: exit $crc, want 4"; rc=1; }
	has "$WORK/$n.c3" "^tx: sw (tls0 has tls-hw-tx-offload on, but the offload was refused" || rc=1
	has "$WORK/$n.c3" "^rx: hw$" || rc=1
	return $rc
}

# SNI and ALPN against openssl, both roles
test_sni_alpn()
{
	local n=alpn-$RANDOM rc=0

	ossl_server "$n" plain -alpn h2,http/1.1 || return 1
	tlsx "$TX_NS" "$WORK/$n.cli" client --mode ktls --connect "$RX_IP4:$PORT" \
		"${CLI_CERT[@]}" "${CA[@]}" --sni localhost --alpn http/1.1,h3 \
		--no-status --bytes 64K --tls 1.2 || { show "$WORK/$n.cli"; rc=1; }
	wait "$opid"
	has "$WORK/$n.cli" "^ALPN: http/1.1$" || rc=1
	has "$WORK/$n.cli" "^SNI: localhost$" || rc=1
	head -c 64K "$WORK/file" >"$WORK/$n.64k"
	server_bg "$TX_NS" "$WORK/$n.srv" --mode ktls "${SRV_CERT[@]}" --sni localhost \
		--alpn h2 --no-status --expect-sha256 "$(sha_of "$WORK/$n.64k")" || return 1
	ossl_client -quiet -no_ign_eof -nocommands -tls1_2 -alpn h3,h2 \
		<"$WORK/$n.64k" >/dev/null 2>"$WORK/$n.cerr"
	wait "$spid" || { show "$WORK/$n.srv"; show "$WORK/$n.cerr"; rc=1; }
	has "$WORK/$n.srv" "^ALPN: h2$" || rc=1
	has "$WORK/$n.srv" "^SNI: localhost$" || rc=1
	has "$WORK/$n.srv" "^rx: hw$" || rc=1
	return $rc
}

# A TLS peer (python) that reads a little after the handshake and then
# resets the connection while our offloaded sender is busy: one line,
# exit 1, no hang.
test_sender_peer_resets()
{
	nsx "$RX_NS" "${TMO[@]}" python3 - "$RX_IP4" "$PORT" "$PKI" <<-'PY' &
	import socket, ssl, sys
	ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
	ctx.load_cert_chain(sys.argv[3] + "/server-cert.pem", sys.argv[3] + "/server-key.pem")
	l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
	l.bind((sys.argv[1], int(sys.argv[2]))); l.listen(1)
	c, _ = l.accept()
	s = ctx.wrap_socket(c, server_side=True)
	got = 0
	while got < 65536:
	    got += len(s.recv(65536))
	s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\1\0\0\0\0\0\0\0")
	s.close()
	PY
	ppid=$!
	busywait 20000 port_listening "$RX_NS" $PORT || return 1
	expect_fail peer-resets-mid-transfer 1 -- nsx "$TX_NS" "${TMO[@]}" "$TLSXFER" \
		client --mode ktls --connect "$RX_IP4:$PORT" "${CA[@]}" --tls 1.2 \
		--bytes 64M --timeout 20 || return 1
	wait "$ppid"
	grep -qE "Connection reset|Broken pipe" "$WORK/peer-resets-mid-transfer.err" ||
		{ fail "no reset reported"; return 1; }
}

# The progress line on a terminal (a pty): a python TLS client pauses 1.5 s
# mid-stream, so the transfer outlasts the 1 s before the first line.
test_progress_tty()
{
	local n=tty-$RANDOM rc=0 sha

	cat >"$WORK/ptyrun.py" <<-'PY'
	import os, pty, sys
	pid, fd = pty.fork()
	if pid == 0:
	    os.execvp(sys.argv[2], sys.argv[2:])
	out = open(sys.argv[1], "wb")
	while True:
	    try:
	        b = os.read(fd, 4096)
	    except OSError:
	        break
	    if not b:
	        break
	    out.write(b)
	sys.exit(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
	PY
	head -c 600000 "$WORK/big" >"$WORK/$n.data"
	sha=$(sha_of "$WORK/$n.data")
	nsx "$TX_NS" "${TMO[@]}" python3 "$WORK/ptyrun.py" "$WORK/$n.s" "$TLSXFER" \
		server --listen "$TX_IP4:$PORT" --mode ktls "${SRV_CERT[@]}" \
		--no-status --expect-sha256 "$sha" --timeout 30 &
	spid=$!
	busywait 20000 port_listening "$TX_NS" $PORT || return 1
	nsx "$RX_NS" "${TMO[@]}" python3 - "$TX_IP4" "$PORT" "$PKI/ca-cert.pem" \
		"$WORK/$n.data" <<-'PY' || rc=1
	import socket, ssl, sys, time
	ctx = ssl.create_default_context(cafile=sys.argv[3])
	s = ctx.wrap_socket(socket.create_connection((sys.argv[1], int(sys.argv[2]))),
	                    server_hostname="localhost")
	data = open(sys.argv[4], "rb").read()
	s.sendall(data[:300000])
	time.sleep(1.5)
	s.sendall(data[300000:])
	s.unwrap()
	PY
	wait "$spid" || { show "$WORK/$n.s"; fail "server under a pty"; rc=1; }
	grep -aq $'\r''tlsxfer: [0-9.]* MiB, [0-9.]* MB/s' "$WORK/$n.s" ||
		{ show "$WORK/$n.s"; fail "no progress line"; rc=1; }
	grep -a "verdict" "$WORK/$n.s"
	return $rc
}

# timed FUNC: run a test function and say how long it took
timed()
{
	local t0=$SECONDS rc=0
	"$@" || rc=$?
	echo "($((SECONDS - t0)) s)"
	return $rc
}

test_released()
{
	busywait 10000 dev_ctx_released "$TX_NS" tls0 ||
		fail "tx_tls_ctx $(dev_stat "$TX_NS" tls0 tx_tls_ctx) !=" \
		     "tx_tls_del $(dev_stat "$TX_NS" tls0 tx_tls_del)"
}

trap cleanup EXIT
ksft_plan 21
topo_create tlsdev plain || { echo "Bail out! topology"; exit 1; }
setup_pki || { echo "Bail out! certificates"; exit 1; }
run_test "s_client <-> ktls server: TLS 1.2 AES-128-GCM, $BIG each way, rx+tx hw" timed test_sclient_12_aes128
run_test "s_client <-> ktls server: TLS 1.2 AES-256-GCM, tx hw" timed test_sclient_12_aes256
run_test "s_client <-> ktls server: TLS 1.3, tx sw (reason)" timed test_sclient_13
run_test "ktls client <-> s_server: TLS 1.2 AES-128-GCM, $BIG each way, tx+rx hw" timed test_sserver_12_aes128
run_test "ktls client <-> s_server (kTLS): TLS 1.2 AES-256-GCM" timed test_sserver_12_aes256_ktls
run_test "ktls client <-> s_server (kTLS, plain): TLS 1.3, tickets skipped" timed test_sserver_13
run_test "ktls <-> ktls-openssl interop" timed test_ktls_openssl
run_test "echo, splice, sendfile, JSON" timed test_echo_splice_json
run_test "chacha20: userspace fallback, --require-ktls exits 3" timed test_chacha_fallback
run_test "mTLS: client cert from another CA is refused" timed test_mtls_wrong_ca
run_test "mTLS: missing client cert is refused" timed test_mtls_no_cert
run_test "mTLS: expired client cert is refused" timed test_mtls_expired
run_test "server cert from another CA is refused" timed test_server_wrong_ca
run_test "bad peers and input: one line, right exit code" timed test_bad_peers
run_test "peer dies mid-transfer: truncation reported" timed test_peer_dies_mid_transfer
run_test "sizes 1 and 100003, splice receive, reverse sendfile/splice" timed test_sizes_splice
run_test "offload reasons: route, feature off, device refused" timed test_offload_reasons
run_test "SNI and ALPN against openssl, both roles" timed test_sni_alpn
run_test "peer resets mid-transfer: sender fails in one line" timed test_sender_peer_resets
run_test "progress line on a terminal" timed test_progress_tty
run_test "every tls0 context is released" timed test_released
ksft_exit
