#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# End-to-end tests of tlsxfer over loopback.
#
#   tests/tlsxfer_tests.sh [--tlsxfer PATH] [--quick] [GROUP...]
#
# Groups: cli (options, help, exit codes), tcp (plain TCP transfers),
# tls (OpenSSL handshakes in userspace TLS: versions, mTLS, SNI, ALPN,
# echo, failures; certificates from scripts/mkcerts.sh), ktls (static kTLS
# and the handshake modes ktls/ktls-openssl; skipped when the kernel has no
# "tls" ULP).  Default: all four.  --quick uses smaller transfers.  kTLS under QEMU/TCG is slow
# (a few MB/s), so sizes stay small.  Prints PASS/FAIL/SKIP per case and
# "N passed, M failed, K skipped" last; exits 1 on any failure.
#
# Typical: make -C user smoke          (host; ktls skipped without tls.ko)
#          scripts/vm-run -- user/tests/tlsxfer_tests.sh    (Debian 6.1 VM)

set -u

HERE=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
TLSXFER=$HERE/../tlsxfer
QUICK=0
GROUPS_SEL=()
while [ $# -gt 0 ]; do
	case $1 in
	--tlsxfer) TLSXFER=$2; shift 2 ;;
	--quick) QUICK=1; shift ;;
	-h|--help) sed -n '3,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) GROUPS_SEL+=("$1"); shift ;;
	esac
done
[ ${#GROUPS_SEL[@]} -eq 0 ] && GROUPS_SEL=(cli tcp tls ktls)
TLSXFER=$(readlink -f -- "$TLSXFER")
[ -x "$TLSXFER" ] || { echo "tlsxfer_tests: $TLSXFER not built" >&2; exit 2; }

TMP=$(mktemp -d)
SRV_PID=
cleanup() {
	[ -n "$SRV_PID" ] && kill "$SRV_PID" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

PASS=0 FAIL=0 SKIP=0
# Not TAP: only the final "N passed, M failed" line is a count.
ok()   { PASS=$((PASS + 1)); echo "PASS $1"; }
bad()  { FAIL=$((FAIL + 1)); echo "FAIL $1: $2"; }
skip() { SKIP=$((SKIP + 1)); echo "SKIP $1: $2"; }

# Per-command safety net on top of tlsxfer's own --timeout.
T="timeout 300"
TO="--timeout 20"

# start_server OUTFILE ARGS... : starts a server, sets SRV_PID and PORT
start_server() {
	local out=$1 i
	shift
	$T "$TLSXFER" server $TO "$@" >"$out" 2>"$out.err" &
	SRV_PID=$!
	PORT=
	for i in $(seq 1 100); do
		PORT=$(sed -n 's/^listening on .*:\([0-9]*\)$/\1/p' "$out" \
			"$out.err" 2>/dev/null | head -n1)
		[ -n "$PORT" ] && return 0
		kill -0 "$SRV_PID" 2>/dev/null || break
		sleep 0.1
	done
	return 1
}

wait_server() {
	wait "$SRV_PID"
	SRV_RC=$?
	SRV_PID=
}

# pair NAME EXP_SRV EXP_CLI LISTEN CONNECT_HOST -- SRV_ARGS... -- CLI_ARGS...
# Runs a server and a client; checks both exit codes.  Outputs are kept in
# $TMP/NAME.{srv,cli}[.err] for extra checks by the caller.
pair() {
	local name=$1 exp_s=$2 exp_c=$3 listen=$4 host=$5
	shift 5
	local sargs=() cargs=()
	[ "$1" = "--" ] && shift
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do sargs+=("$1"); shift; done
	[ $# -gt 0 ] && shift
	cargs=("$@")
	S=$TMP/$name.srv C=$TMP/$name.cli
	if ! start_server "$S" --listen "$listen" "${sargs[@]}"; then
		wait_server
		bad "$name" "server did not start (rc $SRV_RC): $(head -c 300 "$S.err")"
		return 1
	fi
	$T "$TLSXFER" client $TO --connect "$host:$PORT" "${cargs[@]}" \
		>"$C" 2>"$C.err"
	CLI_RC=$?
	wait_server
	if [ "$SRV_RC" != "$exp_s" ] || [ "$CLI_RC" != "$exp_c" ]; then
		bad "$name" "server rc $SRV_RC (want $exp_s), client rc $CLI_RC (want $exp_c); server: $(tr '\n' ' ' <"$S.err" | head -c 300) client: $(tr '\n' ' ' <"$C.err" | head -c 300)"
		return 1
	fi
	return 0
}

# expect_rc NAME WANT CMD... : run CMD, check exit code and (for usage
# errors) a single "tlsxfer: ..." line on stderr.
expect_rc() {
	local name=$1 want=$2 rc
	shift 2
	$T "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	if [ "$rc" != "$want" ]; then
		bad "$name" "rc $rc, want $want: $(head -c 300 "$TMP/err")"
		return 1
	fi
	if [ "$want" = 2 ]; then
		if [ "$(wc -l <"$TMP/err")" != 1 ] ||
		   ! grep -q '^tlsxfer: ' "$TMP/err"; then
			bad "$name" "stderr is not one 'tlsxfer: ...' line: $(cat "$TMP/err")"
			return 1
		fi
	fi
	ok "$name"
}

has() { grep -q -- "$2" "$1"; }

group_cli() {
	local X=$TLSXFER
	expect_rc help 0 "$X" --help
	expect_rc help-server 0 "$X" server --help
	expect_rc help-client 0 "$X" client --help
	has "$TMP/out" "Exit codes" || bad help-content "no exit codes in help"
	expect_rc no-command 2 "$X"
	expect_rc bad-command 2 "$X" serve
	expect_rc unknown-option 2 "$X" server --frobnicate
	expect_rc missing-arg 2 "$X" server --listen
	expect_rc extra-arg 2 "$X" server foo
	expect_rc client-needs-connect 2 "$X" client
	expect_rc connect-on-server 2 "$X" server --connect 127.0.0.1:1
	expect_rc bad-mode 2 "$X" client --connect 127.0.0.1:1 --mode foo
	expect_rc key-odd 2 "$X" client --connect 127.0.0.1:1 --key 123
	expect_rc key-badchar 2 "$X" client --connect 127.0.0.1:1 --key 000102030405060708090a0b0c0d0e0g
	expect_rc key-size 2 "$X" client --connect 127.0.0.1:1 --key 0001020304050607
	if grep -q 0001020304050607 "$TMP/err"; then bad key-not-echoed "key echoed"; else ok key-not-echoed; fi
	expect_rc salt-size 2 "$X" client --connect 127.0.0.1:1 --salt 0102
	expect_rc iv-size 2 "$X" client --connect 127.0.0.1:1 --iv 01
	expect_rc rec-seq-bad 2 "$X" client --connect 127.0.0.1:1 --rec-seq -1
	expect_rc bytes-overflow 2 "$X" client --connect 127.0.0.1:1 --bytes 99999999999T
	expect_rc bytes-bad 2 "$X" client --connect 127.0.0.1:1 --bytes 1.5G
	expect_rc wsize-order 2 "$X" client --connect 127.0.0.1:1 --write-size 10-1
	expect_rc wsize-zero 2 "$X" client --connect 127.0.0.1:1 --write-size 0-10
	expect_rc timeout-zero 2 "$X" client --connect 127.0.0.1:1 --timeout 0
	expect_rc require-bad 2 "$X" client --connect 127.0.0.1:1 --require-offload up
	expect_rc require-tcp 2 "$X" client --connect 127.0.0.1:1 --mode tcp --require-offload tx
	expect_rc key-with-tcp 2 "$X" client --connect 127.0.0.1:1 --mode tcp --key 000102030405060708090a0b0c0d0e0f
	expect_rc no-keys-both 2 "$X" client --connect 127.0.0.1:1 --no-tx-keys --no-rx-keys
	expect_rc sendfile-no-file 2 "$X" client --connect 127.0.0.1:1 --sendfile
	expect_rc file-on-receiver 2 "$X" server --file /etc/hostname
	expect_rc expect-on-sender 2 "$X" client --connect 127.0.0.1:1 --expect-sha256 00
	expect_rc expect-size 2 "$X" server --expect-sha256 00
	expect_rc v4-and-v6 2 "$X" client --connect 127.0.0.1:1 -4 -6
	expect_rc addr-no-port 2 "$X" client --connect 127.0.0.1 --mode tcp
	expect_rc addr-empty-port 2 "$X" client --connect 127.0.0.1: --mode tcp
	expect_rc addr-bad-port 2 "$X" server --listen 127.0.0.1:70000 --mode tcp
	expect_rc addr-no-host 2 "$X" client --connect :4433 --mode tcp
	expect_rc addr-unbracketed-v6 2 "$X" client --connect ::1:4433 --mode tcp
	expect_rc addr-v6-no-port 2 "$X" client --connect '[::1]' --mode tcp
	expect_rc v6-with-4 2 "$X" client --connect '[::1]:4433' -4 --mode tcp
	# handshake-mode options
	expect_rc cert-with-tcp 2 "$X" client --connect 127.0.0.1:1 --mode tcp --ca /etc/hostname
	expect_rc cert-with-static 2 "$X" server --cert /etc/hostname
	expect_rc tls-server-needs-cert 2 "$X" server --mode openssl
	expect_rc no-verify-on-server 2 "$X" server --mode openssl --no-verify
	expect_rc tls-version-bad 2 "$X" client --connect 127.0.0.1:1 --mode openssl --tls 1.1
	expect_rc alpn-empty 2 "$X" client --connect 127.0.0.1:1 --mode openssl --alpn ''
	expect_rc alpn-empty-item 2 "$X" client --connect 127.0.0.1:1 --mode openssl --alpn h2,,x
	expect_rc sni-empty 2 "$X" client --connect 127.0.0.1:1 --mode openssl --sni ''
	expect_rc require-ktls-openssl 2 "$X" client --connect 127.0.0.1:1 --mode openssl --require-ktls
	expect_rc require-offload-openssl 2 "$X" client --connect 127.0.0.1:1 --mode openssl --require-offload tx
	expect_rc cert-key-alone 2 "$X" client --connect 127.0.0.1:1 --mode openssl --cert-key /etc/hostname
	expect_rc echo-reverse 2 "$X" client --connect 127.0.0.1:1 --mode tcp --echo --reverse
	expect_rc echo-big-writes 2 "$X" client --connect 127.0.0.1:1 --mode tcp --echo --write-size 1M
	expect_rc echo-no-status 2 "$X" client --connect 127.0.0.1:1 --mode tcp --echo --no-status
	expect_rc splice-no-file 2 "$X" client --connect 127.0.0.1:1 --mode tcp --splice
	expect_rc echo-client-splice 2 "$X" client --connect 127.0.0.1:1 --mode tcp --echo --file /etc/hostname --splice
	expect_rc echo-server-sendfile 2 "$X" server --mode tcp --echo --sendfile
	expect_rc splice-receive-userspace-tls 2 "$X" server --mode openssl --cert /etc/hostname --splice
	expect_rc splice-and-sendfile 2 "$X" client --connect 127.0.0.1:1 --mode tcp --file /etc/hostname --splice --sendfile
	expect_rc sendfile-userspace-tls 2 "$X" client --connect 127.0.0.1:1 --mode openssl --file /etc/hostname --sendfile
	expect_rc ciphers-bogus 2 "$X" client --connect 127.0.0.1:1 --mode openssl --ciphers BOGUS
	expect_rc ciphersuites-bogus 2 "$X" client --connect 127.0.0.1:1 --mode openssl --ciphersuites BOGUS
	# bad certificate files fail before listening/connecting
	expect_rc cert-missing 3 "$X" server --mode openssl --listen 127.0.0.1:0 --cert /nonexistent
	expect_rc ca-not-pem 3 "$X" client --connect 127.0.0.1:1 --mode openssl --ca /etc/hostname
	expect_rc v4-with-6 3 "$X" client --connect 127.0.0.1:4433 -6 --mode tcp
	expect_rc file-is-dir 3 "$X" client --connect 127.0.0.1:1 --mode tcp --file /
	expect_rc file-missing 3 "$X" client --connect 127.0.0.1:1 --mode tcp --file /nonexistent
	expect_rc resolve-fail 3 "$X" client --connect no-such-host.invalid:4433 --mode tcp
	# Connection refused: find a free port by binding and closing.
	local port
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 1)
	expect_rc connect-refused 3 "$X" client --connect 127.0.0.1:$port --mode tcp
	expect_rc accept-timeout 5 "$X" server --listen 127.0.0.1:0 --timeout 0.5 --mode tcp
	expect_rc listen-bad-addr 3 "$X" server --listen 192.0.2.1:0 --mode tcp
	expect_rc json-timeout 5 "$X" server --listen 127.0.0.1:0 --timeout 0.3 --mode tcp --json
	if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["exit_code"]==5 and d["error"]' "$TMP/out" 2>/dev/null; then
		ok json-error-object
	else
		bad json-error-object "$(cat "$TMP/out")"
	fi
}

# Sizes
if [ "$QUICK" = 1 ]; then BIG=2M MID=1M; else BIG=16M MID=4M; fi

group_tcp() {
	pair tcp-basic 0 0 127.0.0.1:0 127.0.0.1 -- --mode tcp --bytes 64M -- --mode tcp --bytes 64M &&
		has "$C" "tx: none" && has "$S" "verdict: OK$" && ok tcp-basic
	# the largest size the tool promises, pattern-checked end to end
	[ "$QUICK" = 1 ] ||
	{ pair tcp-2g 0 0 127.0.0.1:0 127.0.0.1 -- --mode tcp --bytes 2G -- --mode tcp --bytes 2G &&
		has "$S" "^bytes: 2147483648$" && has "$S" "verdict: OK$" && ok tcp-2g; }
	pair tcp-v6 0 0 '[::1]:0' '[::1]' -- --mode tcp -- --mode tcp --bytes 8M && ok tcp-v6
	pair tcp-reverse 0 0 127.0.0.1:0 127.0.0.1 -- --mode tcp --reverse --bytes 8M --write-size 1-16384 -- --mode tcp --reverse --bytes 8M --seed 1 &&
		has "$C" "role: client, receiving" && ok tcp-reverse
	head -c 3000001 /dev/urandom >"$TMP/file"
	local sha
	sha=$(sha256sum "$TMP/file" | cut -d' ' -f1)
	pair tcp-sendfile 0 0 127.0.0.1:0 127.0.0.1 -- --mode tcp --expect-sha256 "$sha" -- --mode tcp --file "$TMP/file" --sendfile --write-size 1000-70000 &&
		has "$S" "bytes: 3000001" && ok tcp-sendfile
	pair tcp-file-read 0 0 127.0.0.1:0 127.0.0.1 -- --mode tcp --expect-sha256 "$sha" -- --mode tcp --file "$TMP/file" && ok tcp-file-read
	pair tcp-splice-both 0 0 127.0.0.1:0 127.0.0.1 -- --mode tcp --splice --expect-sha256 "$sha" -- --mode tcp --file "$TMP/file" --splice --write-size 1000-70000 &&
		has "$S" "^data path: splice$" && has "$C" "^data path: splice$" && has "$S" "bytes: 3000001" && ok tcp-splice-both
	pair tcp-reverse-sendfile 0 0 127.0.0.1:0 127.0.0.1 -- --mode tcp --reverse --file "$TMP/file" --sendfile -- --mode tcp --reverse --splice --expect-sha256 "$sha" &&
		has "$S" "^data path: sendfile$" && has "$C" "^data path: splice$" && ok tcp-reverse-sendfile
	pair tcp-one-byte 0 0 127.0.0.1:0 127.0.0.1 -- --mode tcp --bytes 1 --seed 7 --splice -- --mode tcp --bytes 1 --seed 7 &&
		has "$S" "^bytes: 1$" && ok tcp-one-byte
	pair tcp-echo-splice 0 0 127.0.0.1:0 127.0.0.1 -- --mode tcp --echo --splice -- --mode tcp --echo --bytes 100003 --write-size 1-9000 &&
		has "$S" "^data path: splice+write$" && ok tcp-echo-splice
	pair tcp-seed-mismatch 1 1 127.0.0.1:0 127.0.0.1 -- --mode tcp --seed 2 -- --mode tcp --bytes 1M &&
		has "$S.err" "mismatch at offset 0" && has "$C.err" "receiver reported failure" && ok tcp-seed-mismatch
	pair tcp-short 1 1 127.0.0.1:0 127.0.0.1 -- --mode tcp --bytes 2M -- --mode tcp --bytes 1M &&
		has "$S.err" "expected 2097152" && ok tcp-short
	pair tcp-sha-mismatch 1 1 127.0.0.1:0 127.0.0.1 -- --mode tcp --expect-sha256 "$sha" -- --mode tcp --bytes 1K && ok tcp-sha-mismatch
	# Idle peers (python3): every wait must end with exit 5.
	if command -v python3 >/dev/null; then
		start_server "$TMP/idle.srv" --listen 127.0.0.1:0 --mode tcp --timeout 1
		python3 -c 'import socket,sys,time; s=socket.create_connection(("127.0.0.1",int(sys.argv[1]))); time.sleep(3)' "$PORT" &
		wait_server
		[ "$SRV_RC" = 5 ] && ok receiver-idle-timeout || bad receiver-idle-timeout "rc $SRV_RC"
		idle_peer() { # MODE: hold = accept and sleep; drain = read to EOF, then sleep
			python3 -u -c '
import socket, sys, time
l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen(1); l.settimeout(60)
print(l.getsockname()[1], flush=True)
c, _ = l.accept()
if sys.argv[1] == "drain":
    while c.recv(65536): pass
time.sleep(3)' "$1" >"$TMP/idle.port" &
			for _ in $(seq 300); do [ -s "$TMP/idle.port" ] && break; sleep 0.1; done
			cat "$TMP/idle.port"
		}
		port=$(idle_peer hold)
		expect_rc client-receive-timeout 5 "$TLSXFER" client --mode tcp --reverse --timeout 1 --connect 127.0.0.1:$port
		port=$(idle_peer drain)
		expect_rc sender-status-timeout 5 "$TLSXFER" client --mode tcp --bytes 1M --timeout 1 --connect 127.0.0.1:$port
		wait
	else
		skip idle-timeouts "no python3"
	fi
	pair tcp-json 0 0 127.0.0.1:0 127.0.0.1 -- --mode tcp --json -- --mode tcp --json --bytes 1M &&
		python3 - "$S" "$C" <<'PY' && ok tcp-json || bad tcp-json "bad JSON"
import json, sys
s = json.load(open(sys.argv[1])); c = json.load(open(sys.argv[2]))
assert s["verdict"] == "OK" and c["verdict"] == "OK", (s, c)
assert s["sha256"] == c["sha256"] and s["bytes"] == 1048576
assert c["offload"] == {"tx": "none", "rx": "none"}, c["offload"]
assert c["receiver_status"].startswith("OK 1048576 ")
PY
}

PKI=$TMP/pki
make_pki() {
	[ -s "$PKI/ca-cert.pem" ] && return 0
	"$HERE/../../scripts/mkcerts.sh" "$PKI" >/dev/null
}

group_tls() {
	if ! make_pki; then
		bad tls-pki "scripts/mkcerts.sh failed"
		return
	fi
	local SC=(--cert "$PKI/server-cert.pem" --cert-key "$PKI/server-key.pem")
	local CC=(--cert "$PKI/client-cert.pem" --cert-key "$PKI/client-key.pem")
	local CA=(--ca "$PKI/ca-cert.pem")
	local O=(--mode openssl)

	pair tls-mtls 0 0 127.0.0.1:0 127.0.0.1 -- "${O[@]}" "${SC[@]}" "${CA[@]}" --bytes $MID -- "${O[@]}" "${CC[@]}" "${CA[@]}" --bytes $MID &&
		has "$C" "^TLS handshake completed successfully" && has "$C" "^Protocol: TLSv1.3" &&
		has "$C" "^Subject: /C=US/ST=CA/L=SantaClara/O=TestOrg/CN=localhost" &&
		has "$C" "^Issuer: /C=US/ST=CA/L=SantaClara/O=TestCA/CN=Test CA" &&
		has "$C" "^Certificate verified: YES" &&
		has "$S" "^=== Client Certificate ===" && has "$S" "CN=Test Client" &&
		has "$S" "^Certificate verified: YES" && has "$S" "^tx: none (userspace TLS" &&
		has "$S" "^latency: handshake .* ms, first byte" && has "$S" "^cpu: user" && ok tls-mtls
	pair tls12-aes128 0 0 127.0.0.1:0 127.0.0.1 -- "${O[@]}" "${SC[@]}" --reverse --bytes 1M -- "${O[@]}" "${CA[@]}" --tls 1.2 --ciphers ECDHE-ECDSA-AES128-GCM-SHA256 --reverse --bytes 1M &&
		has "$C" "^Cipher: ECDHE-ECDSA-AES128-GCM-SHA256" && has "$C" "^tls: 1.2, cipher: aes-gcm-128" && ok tls12-aes128
	pair tls12-aes256-v6 0 0 '[::1]:0' '[::1]' -- "${O[@]}" "${SC[@]}" --tls 1.2 -- "${O[@]}" "${CA[@]}" --ciphers ECDHE-ECDSA-AES256-GCM-SHA384 --bytes 1M &&
		has "$S" "^tls: 1.2, cipher: aes-gcm-256" && ok tls12-aes256-v6
	pair tls13-aes128 0 0 127.0.0.1:0 127.0.0.1 -- "${O[@]}" "${SC[@]}" --ciphersuites TLS_AES_128_GCM_SHA256 -- "${O[@]}" "${CA[@]}" --tls 1.3 --bytes 1M --write-size 1-20000 &&
		has "$C" "^Cipher: TLS_AES_128_GCM_SHA256" && ok tls13-aes128
	pair tls-sni-alpn 0 0 127.0.0.1:0 localhost -- "${O[@]}" "${SC[@]}" --sni server.test --alpn h2,http/1.1 -- "${O[@]}" "${CA[@]}" --sni server.test --alpn x,http/1.1 --bytes 64K &&
		has "$S" "^SNI: server.test" && has "$C" "^ALPN: http/1.1" && has "$S" "^ALPN: http/1.1" && ok tls-sni-alpn
	pair tls-sni-default 0 0 127.0.0.1:0 localhost -- "${O[@]}" "${SC[@]}" -- "${O[@]}" "${CA[@]}" --bytes 64K &&
		has "$S" "^SNI: localhost" && ok tls-sni-default
	pair tls-echo 0 0 127.0.0.1:0 127.0.0.1 -- "${O[@]}" "${SC[@]}" --echo --bytes $MID -- "${O[@]}" "${CA[@]}" --echo --bytes $MID --write-size 1-65536 &&
		has "$C" "^role: client, sending, verifying the echo" && has "$C" "^echo rtt: min" && has "$S" "^role: server, echoing" && ok tls-echo
	pair tls-json 0 0 127.0.0.1:0 127.0.0.1 -- "${O[@]}" "${SC[@]}" "${CA[@]}" --json -- "${O[@]}" "${CC[@]}" "${CA[@]}" --json --bytes 1M &&
		python3 - "$S" "$C" <<'PY' && ok tls-json || bad tls-json "bad JSON"
import json, sys
s = json.load(open(sys.argv[1])); c = json.load(open(sys.argv[2]))
for d in (s, c):
    assert d["verdict"] == "OK" and d["mode"] == "openssl", d
    h = d["handshake"]
    assert h["protocol"] == "TLSv1.3" and h["peer_certificate"]["verified"], h
    assert h["handshake_s"] > 0 and d["cpu_user_s"] >= 0, d
    assert d["offload"] == {"tx": "none", "rx": "none"}, d["offload"]
    assert d["offload_reason"]["tx"].startswith("userspace TLS"), d
assert s["handshake"]["peer_certificate"]["subject"].endswith("CN=Test Client")
assert s["first_byte_s"] > 0
PY
	# failures: exit 6 and a clear line
	pair tls-mtls-no-cert 6 6 127.0.0.1:0 127.0.0.1 -- "${O[@]}" "${SC[@]}" "${CA[@]}" --tls 1.2 -- "${O[@]}" "${CA[@]}" --bytes 64K &&
		has "$S.err" "the client sent no certificate" && has "$C.err" "asked for a client certificate" && ok tls-mtls-no-cert
	pair tls-mtls-other-ca 6 6 127.0.0.1:0 127.0.0.1 -- "${O[@]}" "${SC[@]}" "${CA[@]}" -- "${O[@]}" "${CA[@]}" --tls 1.2 --cert "$PKI/client-other-cert.pem" --cert-key "$PKI/client-other-key.pem" --bytes 64K &&
		has "$S.err" "client certificate verify failed: unable to get local issuer certificate" && ok tls-mtls-other-ca
	pair tls-mtls-expired-13 6 6 127.0.0.1:0 127.0.0.1 -- "${O[@]}" "${SC[@]}" "${CA[@]}" -- "${O[@]}" "${CA[@]}" --cert "$PKI/client-expired-cert.pem" --cert-key "$PKI/client-expired-key.pem" --bytes 64K &&
		has "$S.err" "certificate has expired" && has "$C.err" "alert 'certificate expired'" && ok tls-mtls-expired-13
	pair tls-server-other-ca 6 6 127.0.0.1:0 127.0.0.1 -- "${O[@]}" --cert "$PKI/server-other-cert.pem" --cert-key "$PKI/server-other-key.pem" -- "${O[@]}" "${CA[@]}" --bytes 64K &&
		has "$C.err" "server certificate verify failed" && ok tls-server-other-ca
	pair tls-wrong-name 6 6 127.0.0.1:0 127.0.0.1 -- "${O[@]}" "${SC[@]}" -- "${O[@]}" "${CA[@]}" --sni wrong.test --bytes 64K &&
		has "$C.err" "Hostname mismatch" && ok tls-wrong-name
	pair tls-sni-refused 6 6 127.0.0.1:0 127.0.0.1 -- "${O[@]}" "${SC[@]}" --sni server.test -- "${O[@]}" "${CA[@]}" --sni localhost --bytes 64K &&
		has "$S.err" "--sni wants 'server.test'" && ok tls-sni-refused
	pair tls-alpn-mismatch 6 6 127.0.0.1:0 127.0.0.1 -- "${O[@]}" "${SC[@]}" --alpn h2 -- "${O[@]}" "${CA[@]}" --alpn http/1.1 --bytes 64K &&
		ok tls-alpn-mismatch
	pair tls-no-common-version 6 6 127.0.0.1:0 127.0.0.1 -- "${O[@]}" "${SC[@]}" --tls 1.3 -- "${O[@]}" "${CA[@]}" --tls 1.2 --bytes 64K &&
		ok tls-no-common-version
	pair tls-no-verify 0 0 127.0.0.1:0 127.0.0.1 -- "${O[@]}" --cert "$PKI/server-other-cert.pem" --cert-key "$PKI/server-other-key.pem" -- "${O[@]}" --no-verify --bytes 64K &&
		has "$C" "^Certificate verified: NO (not checked: --no-verify)" && ok tls-no-verify
	pair tls-vs-plain-tcp 6 1 127.0.0.1:0 127.0.0.1 -- "${O[@]}" "${SC[@]}" --timeout 5 -- --mode tcp --bytes 64K --timeout 5 &&
		has "$S.err" "does not speak TLS" && ok tls-vs-plain-tcp
	# a TLS peer that stops without close_notify: truncation
	if python3 -c 'import ssl' 2>/dev/null; then
		start_server "$TMP/trunc.srv" --listen 127.0.0.1:0 "${O[@]}" "${SC[@]}"
		python3 - "$PORT" "$PKI/ca-cert.pem" <<'PY'
import socket, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[2])
ss = ctx.wrap_socket(socket.create_connection(("127.0.0.1", int(sys.argv[1]))),
                     server_hostname="localhost")
ss.sendall(b"x" * 100000)
ss.close()  # no close_notify (that would be unwrap())
PY
		wait_server
		if [ "$SRV_RC" = 1 ] && grep -q "without close_notify after 100000 bytes" "$TMP/trunc.srv.err"; then
			ok tls-truncation
		else
			bad tls-truncation "rc $SRV_RC: $(cat "$TMP/trunc.srv.err")"
		fi
	else
		skip tls-truncation "no python3 ssl"
	fi
}

ktls_available() {
	local fail=$FAIL rc=0
	if ! pair ktls-probe 0 0 127.0.0.1:0 127.0.0.1 -- --bytes 1 -- --bytes 1 >/dev/null 2>&1 &&
	   grep -q "tls module not available" "$TMP/ktls-probe.srv.err" 2>/dev/null; then
		rc=1 # anything else: let the test cases show the problem
	fi
	FAIL=$fail # the probe is not a test case
	return $rc
}

K256=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f

group_ktls() {
	if ! ktls_available; then
		skip ktls "kernel has no tls ULP (TCP_ULP: ENOENT)"
		return
	fi
	pair ktls-v4 0 0 127.0.0.1:0 127.0.0.1 -- --bytes $BIG -- --bytes $BIG &&
		has "$S" "^tx: sw" && has "$S" "^rx: sw" && has "$C" "^tx: sw" && has "$C" "^rx: sw" &&
		has "$C" "cipher: aes-gcm-128" && has "$C" "end: tx sw, rx sw" && ok ktls-v4
	pair ktls-v6-aes256 0 0 '[::1]:0' '[::1]' -- --key $K256 --bytes $MID -- --key $K256 --bytes $MID &&
		has "$S" "cipher: aes-gcm-256" && has "$C" "^tx: sw" && ok ktls-v6-aes256
	pair ktls-dualstack-mapped 0 0 '[::]:0' 127.0.0.1 -- -6 --bytes 1M -- --bytes 1M &&
		has "$S" "^rx: sw" && has "$S" "peer: \[::ffff:127.0.0.1\]" && ok ktls-dualstack-mapped
	head -c 3000001 /dev/urandom >"$TMP/kfile"
	local sha
	sha=$(sha256sum "$TMP/kfile" | cut -d' ' -f1)
	pair ktls-sendfile 0 0 127.0.0.1:0 127.0.0.1 -- --expect-sha256 "$sha" -- --file "$TMP/kfile" --sendfile &&
		has "$S" "bytes: 3000001" && ok ktls-sendfile
	pair ktls-sendfile-small-writes 0 0 127.0.0.1:0 127.0.0.1 -- --expect-sha256 "$sha" -- --file "$TMP/kfile" --sendfile --write-size 1-16384 && ok ktls-sendfile-small-writes
	pair ktls-small-writes 0 0 127.0.0.1:0 127.0.0.1 -- --bytes $MID --seed 9 -- --bytes $MID --seed 9 --write-size 1-16384 && ok ktls-small-writes
	pair ktls-reverse 0 0 127.0.0.1:0 127.0.0.1 -- --reverse --bytes $MID -- --reverse --bytes $MID &&
		has "$S" "role: server, sending" && ok ktls-reverse
	pair ktls-rec-seq 0 0 127.0.0.1:0 127.0.0.1 -- --rec-seq 0x123456789abcdef --bytes 1M -- --rec-seq 0x123456789abcdef --bytes 1M && ok ktls-rec-seq
	# 16 records before the 64-bit sequence number would wrap: the kernel
	# refuses to go on (EBADMSG on the sender), the receiver sees a short
	# stream.
	pair ktls-rec-seq-wrap 1 1 127.0.0.1:0 127.0.0.1 -- --rec-seq 0xfffffffffffffff0 --bytes 1M -- --rec-seq 0xfffffffffffffff0 --bytes 1M &&
		has "$C.err" "Bad message" && has "$S.err" "received 245760 bytes" && ok ktls-rec-seq-wrap
	pair ktls-key-mismatch 1 1 127.0.0.1:0 127.0.0.1 -- --bytes 1M -- --key 0f0e0d0c0b0a09080706050403020100 --bytes 1M &&
		has "$S.err" "Bad message" && ok ktls-key-mismatch
	pair ktls-cipher-mismatch 1 1 127.0.0.1:0 127.0.0.1 -- --key $K256 -- --bytes 256K && ok ktls-cipher-mismatch
	pair ktls-recseq-mismatch 1 1 127.0.0.1:0 127.0.0.1 -- --rec-seq 1 -- --bytes 256K && ok ktls-recseq-mismatch
	pair ktls-require-tx 0 4 127.0.0.1:0 127.0.0.1 -- --bytes 1M -- --bytes 1M --require-offload tx &&
		has "$C.err" "offload requirement not met: tx is sw" && ok ktls-require-tx
	pair ktls-require-rx-server 4 0 127.0.0.1:0 127.0.0.1 -- --require-offload rx -- --bytes 256K && ok ktls-require-rx-server
	# Sender installs only TX, receiver only RX: the status line travels
	# back in plaintext.
	pair ktls-one-direction 0 0 127.0.0.1:0 127.0.0.1 -- --no-tx-keys --bytes 1M -- --no-rx-keys --bytes 1M &&
		has "$C" "^tx: sw" && has "$C" "^rx: none" && has "$S" "^tx: none" && has "$S" "^rx: sw" && ok ktls-one-direction
	# Receiver without RX keys sees ciphertext: must fail, not hang.
	pair ktls-rx-plaintext-mismatch 1 1 127.0.0.1:0 127.0.0.1 -- --no-rx-keys --bytes 256K -- --bytes 256K && ok ktls-rx-plaintext-mismatch
	# handshake modes: our key hand-off against itself, userspace TLS and
	# OpenSSL's own kTLS
	if make_pki; then
		local SC=(--cert "$PKI/server-cert.pem" --cert-key "$PKI/server-key.pem")
		local CA=(--ca "$PKI/ca-cert.pem")
		local v m
		for v in 1.2 1.3; do
			pair ktls-hs-$v 0 0 127.0.0.1:0 127.0.0.1 -- --mode ktls "${SC[@]}" --bytes $MID -- --mode ktls "${CA[@]}" --tls $v --bytes $MID &&
				has "$C" "^kTLS: keys handed to the kernel" && has "$C" "^tx: sw (route via lo: tls-hw-tx-offload not offered)" &&
				has "$S" "^rx: sw" && ok ktls-hs-$v
			for m in openssl ktls-openssl; do
				pair ktls-vs-$m-$v 0 0 127.0.0.1:0 127.0.0.1 -- --mode $m "${SC[@]}" --echo -- --mode ktls "${CA[@]}" --tls $v --echo --bytes 1M &&
					has "$C" "^kTLS: keys handed" && ok ktls-vs-$m-$v
				pair ktls-rev-$m-$v 0 0 127.0.0.1:0 127.0.0.1 -- --mode ktls "${SC[@]}" --reverse --bytes 1M -- --mode $m "${CA[@]}" --tls $v --reverse --bytes 1M &&
					ok ktls-rev-$m-$v
			done
		done
		local sha
		sha=$(sha256sum "$TMP/kfile" | cut -d' ' -f1)
		pair ktls-hs-splice 0 0 127.0.0.1:0 127.0.0.1 -- --mode ktls "${SC[@]}" --expect-sha256 "$sha" -- --mode ktls "${CA[@]}" --file "$TMP/kfile" --splice --write-size 1000-70000 && ok ktls-hs-splice
		pair ktls-hs-sendfile 0 0 127.0.0.1:0 127.0.0.1 -- --mode ktls-openssl "${SC[@]}" --expect-sha256 "$sha" -- --mode ktls-openssl "${CA[@]}" --tls 1.2 --file "$TMP/kfile" --sendfile && ok ktls-hs-sendfile
		for v in 1.2 1.3; do
			pair ktls-hs-splice-recv-$v 0 0 127.0.0.1:0 127.0.0.1 -- --mode ktls "${SC[@]}" --splice --expect-sha256 "$sha" -- --mode ktls "${CA[@]}" --tls $v --file "$TMP/kfile" --write-size 1-20000 &&
				has "$S" "^data path: splice$" && ok ktls-hs-splice-recv-$v
		done
		pair ktls-openssl-splice-recv 0 0 127.0.0.1:0 127.0.0.1 -- --mode ktls-openssl "${SC[@]}" --splice --expect-sha256 "$sha" -- --mode ktls "${CA[@]}" --tls 1.2 --file "$TMP/kfile" && ok ktls-openssl-splice-recv
		pair ktls-openssl-splice-no-rx 3 1 127.0.0.1:0 127.0.0.1 -- --mode ktls-openssl "${SC[@]}" --splice -- --mode ktls "${CA[@]}" --tls 1.3 --bytes 64K &&
			has "$S.err" "splice needs kernel TLS RX, and OpenSSL did not enable it" && ok ktls-openssl-splice-no-rx
		pair ktls-hs-require 0 4 127.0.0.1:0 127.0.0.1 -- --mode ktls "${SC[@]}" -- --mode ktls "${CA[@]}" --bytes 64K --require-offload tx &&
			has "$C.err" "tx is sw: route via lo" && ok ktls-hs-require
		pair ktls-hs-chacha 0 0 127.0.0.1:0 127.0.0.1 -- --mode ktls "${SC[@]}" -- --mode ktls "${CA[@]}" --ciphersuites TLS_CHACHA20_POLY1305_SHA256 --bytes 64K &&
			has "$C.err" "hands only AES-128-GCM and AES-256-GCM" && has "$C" "^tx: none (userspace TLS" && ok ktls-hs-chacha
		pair ktls-hs-require-ktls 0 3 127.0.0.1:0 127.0.0.1 -- --mode ktls "${SC[@]}" --bytes 0 -- --mode ktls "${CA[@]}" --ciphersuites TLS_CHACHA20_POLY1305_SHA256 --require-ktls --bytes 64K &&
			ok ktls-hs-require-ktls
	else
		bad ktls-pki "scripts/mkcerts.sh failed"
	fi
	pair ktls-json 0 0 127.0.0.1:0 127.0.0.1 -- --json --bytes 1M -- --json --bytes 1M --write-size 100-5000 &&
		python3 - "$S" "$C" <<'PY' && ok ktls-json || bad ktls-json "bad JSON"
import json, sys
s = json.load(open(sys.argv[1])); c = json.load(open(sys.argv[2]))
for d in (s, c):
    assert d["verdict"] == "OK" and d["exit_code"] == 0, d
    assert d["offload"] == {"tx": "sw", "rx": "sw"}, d["offload"]
    assert d["offload_end"] == {"tx": "sw", "rx": "sw"}, d["offload_end"]
    assert d["cipher"] == "aes-gcm-128" and d["tls_version"] == "1.2", d
assert s["verified"] and c["verified"] and s["sha256"] == c["sha256"]
PY
}

for g in "${GROUPS_SEL[@]}"; do
	case $g in
	cli|tcp|tls|ktls) "group_$g" ;;
	*) echo "tlsxfer_tests: unknown group '$g'" >&2; exit 2 ;;
	esac
done
echo "$PASS passed, $FAIL failed, $SKIP skipped"
[ "$FAIL" = 0 ]
