#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Lifecycle events under load (Documentation/testing.rst). tlsdev on both
# ends (tls0 on veth0, tls1 on veth1, emu backend), four echo connections
# in flight, so both directions of both ends are offloaded; then one event:
#  - survivable ones: tls0 down and up, MTU changes on both lower devices,
#    ethtool -K toggling both offloads on both ends, a detour route so
#    segments leave through a device without offload and arrive on one
#    without it (the core's software fallback and the RX resync take
#    them), rmmod of the backend and of the core refused while in use:
#    every connection must finish with intact data;
#  - destructive ones: deleting tls0, deleting the lower device, moving
#    tls0 or the lower device to another netns, deleting the namespaces
#    with the sockets, killing every process while TX replays and RX
#    resyncs are pending under loss: every connection must finish intact
#    or fail cleanly (a non-zero exit, no corrupted byte, no hang).
# After each case the devices go, and every context the driver created
# must have been destroyed: its "created"/"destroyed" debug lines pair up
# in the kernel log (as WireGuard's netns test checks its peers).

. "$(dirname "$0")/lib.sh"

WORK=$(mktemp -d)
NCONN=4
BASE_PORT=4440
BYTES=${LIFECYCLE_BYTES:-12M}
# inactivity timeout of the transfers: a destructive case waits it out
XFER_TIMEOUT=30
t0=0	# when the case began (setup)
DYNDBG=/sys/kernel/debug/dynamic_debug/control
pids=()

cleanup()
{
	kill_all
	topo_destroy
	ip netns del "$OTHER_NS" 2>/dev/null
	[ -w $DYNDBG ] && echo 'module tlsdev -p' >$DYNDBG
	rm -rf "$WORK"
}
OTHER_NS=tlsdev-other-$$

kill_all()
{
	local p

	for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
	pids=()
}

# start: NCONN echo connections, client in TX_NS, server in RX_NS
start()
{
	local i port

	for i in $(seq 1 $NCONN); do
		port=$((BASE_PORT + i))
		nsx "$RX_NS" "$TLSXFER" server --listen "$RX_IP4:$port" --echo \
			--seed "$i" --timeout $XFER_TIMEOUT >"$WORK/srv$i" 2>&1 &
		pids+=($!)
	done
	# all listening, then the clients back to back: under TCG a process
	# start can take a second, and the connections must overlap
	busywait 30000 all_listening || {
		cat "$WORK"/srv*
		fail "the servers did not start"
		return 1
	}
	for i in $(seq 1 $NCONN); do
		port=$((BASE_PORT + i))
		nsx "$TX_NS" "$TLSXFER" client --connect "$RX_IP4:$port" \
			--echo --bytes "$BYTES" --seed "$i" --timeout $XFER_TIMEOUT \
			>"$WORK/cli$i" 2>&1 &
		pids+=($!)
	done
	# every connection offloaded both ways at both ends before the event
	busywait 60000 ctx_at_least "$TX_NS" tls0 $NCONN &&
	busywait 60000 ctx_at_least "$RX_NS" tls1 $NCONN &&
		echo "all offloaded $((SECONDS - t0)) s into the case" && return 0
	for i in $(seq 1 $NCONN); do
		sed "s/^/[srv$i] /" "$WORK/srv$i"
		sed "s/^/[cli$i] /" "$WORK/cli$i"
	done
	nsx "$TX_NS" ethtool -S tls0 | grep -E "_ctx|_del|refused"
	nsx "$RX_NS" ethtool -S tls1 | grep -E "_ctx|_del|refused"
	fail "not all $NCONN connections were offloaded"
}

# all_listening: the NCONN servers listen
all_listening()
{
	[ "$(nsx "$RX_NS" ss -Htln "sport >= :$((BASE_PORT + 1)) and sport <= :$((BASE_PORT + NCONN))" |
	     wc -l)" -eq $NCONN ]
}

# ctx_at_least NS DEV N: DEV added N TX and N RX contexts
ctx_at_least()
{
	[ "$(dev_stat "$1" "$2" tx_tls_ctx)" -ge "$3" ] &&
	[ "$(dev_stat "$1" "$2" rx_tls_ctx)" -ge "$3" ]
}

# running: any transfer process still alive
running()
{
	local p

	for p in "${pids[@]}"; do
		kill -0 "$p" 2>/dev/null && return 0
	done
	return 1
}

# finish MODE: wait for every transfer (no hang: 120 s at most), then
# check each one: MODE intact = all exited 0; MODE clean = each exited 0
# or failed without a corrupted byte
finish()
{
	local mode=$1 i rc=0 f p st t1=$SECONDS

	if ! busywait 120000 eval '! running'; then
		fail "transfers still running 120 s after the event (hang)"
		rc=1
	fi
	for p in "${pids[@]}"; do
		kill -9 "$p" 2>/dev/null
	done
	i=0
	for p in "${pids[@]}"; do
		i=$((i + 1))
		wait "$p"
		st=$?
		[ "$i" -le $NCONN ] && f=$WORK/srv$i || f=$WORK/cli$((i - NCONN))
		if grep -qE "mismatch|EBADMSG" "$f"; then
			sed "s|^|[$(basename "$f")] |" "$f"
			fail "$(basename "$f"): corrupted data"
			rc=1
		elif [ "$st" -eq 137 ]; then
			fail "$(basename "$f"): had to be killed"
			rc=1
		elif [ "$st" -ne 0 ] && [ "$mode" = intact ]; then
			sed "s|^|[$(basename "$f")] |" "$f"
			fail "$(basename "$f"): exit $st, data not delivered"
			rc=1
		elif [ "$st" -ne 0 ]; then
			echo "$(basename "$f"): exit $st: $(grep -m1 -i "error\|timeout\|failed" "$f")"
		fi
	done
	pids=()
	echo "transfers over $((SECONDS - t1)) s after the event"
	return $rc
}

# conns_paired: every connection the driver created was destroyed
conns_paired()
{
	dmesg | awk '
		/ (tx|rx) conn [0-9a-f]+ created$/	{ n[$(NF - 1)]++ }
		/ (tx|rx) conn [0-9a-f]+ destroyed$/	{ n[$(NF - 1)]-- }
		END { for (c in n) if (n[c]) { print c, n[c]; bad = 1 }; exit bad }'
}

# case_end: the namespaces go; then no tlsdev device may be left (the
# backend module unused) and the created/destroyed lines pair up
case_end()
{
	local t1=$SECONDS

	kill_all
	topo_destroy
	ip netns del "$OTHER_NS" 2>/dev/null
	busywait 120000 eval '[ "$(cat /sys/module/tlsdev_emu/refcnt)" = 0 ]' ||
		fail "tlsdev devices left 120 s after their namespaces were deleted" ||
		return 1
	busywait 10000 conns_paired >/dev/null ||
		{ conns_paired; fail "connections created but never destroyed"; }
	echo "torn down in $((SECONDS - t1)) s"
}

setup()
{
	t0=$SECONDS
	topo_create tlsdev tlsdev || return 1
	# orphaned sockets of killed processes must not linger for minutes
	for ns in "$TX_NS" "$RX_NS"; do
		nsx "$ns" sysctl -qw net.ipv4.tcp_fin_timeout=2 \
			net.ipv4.tcp_orphan_retries=1
	done
	start
}

test_down_up()
{
	setup || return 1
	sleep 1
	ip -n "$TX_NS" link set tls0 down
	sleep 1
	ip -n "$TX_NS" link set tls0 up
	ip -n "$TX_NS" addr add "$TX_IP4/24" dev tls0 2>/dev/null
	finish intact
}

test_mtu()
{
	setup || return 1
	ip -n "$TX_NS" link set veth0 mtu 1280
	ip -n "$RX_NS" link set veth1 mtu 1280
	[ "$(ip -n "$TX_NS" -o link show tls0 | grep -o 'mtu [0-9]*')" = "mtu 1280" ] ||
		fail "tls0 did not follow the lower device's MTU" || return 1
	sleep 1
	ip -n "$TX_NS" link set veth0 mtu 9000
	ip -n "$RX_NS" link set veth1 mtu 9000
	ip -n "$TX_NS" link set tls0 mtu 9000
	ip -n "$RX_NS" link set tls1 mtu 9000
	sleep 1
	ip -n "$TX_NS" link set tls0 mtu 1500
	finish intact
}

test_ethtool()
{
	local f

	setup || return 1
	for f in off on off on; do
		nsx "$TX_NS" ethtool -K tls0 tls-hw-tx-offload $f tls-hw-rx-offload $f
		nsx "$RX_NS" ethtool -K tls1 tls-hw-tx-offload $f tls-hw-rx-offload $f
		sleep 0.5
	done
	finish intact
}

# a second path: host routes to the peer's address through it
detour()
{
	local via=$1

	if [ "$via" = on ]; then
		ip -n "$TX_NS" route add "$RX_IP4/32" via 198.18.1.2 dev tls2
		ip -n "$RX_NS" route add "$TX_IP4/32" via 198.18.1.1 dev tls3
	else
		ip -n "$TX_NS" route del "$RX_IP4/32"
		ip -n "$RX_NS" route del "$TX_IP4/32"
	fi
}

# detour_side NS LOWER DEV ADDR: a tlsdev without TLS offload on LOWER.
# A NIC without offload, not a bare veth: veth hands the sender's skb to
# the peer as it is, with the decrypted mark the core's TX fallback leaves
# on its output, and the receiving kTLS would take that ciphertext for
# device-decrypted data. A wire carries no such mark; tlsdev clears it.
detour_side()
{
	ip -n "$1" link set "$2" up
	ip -n "$1" link add link "$2" name "$3" type tlsdev
	nsx "$1" ethtool -K "$3" tls-hw-tx-offload off tls-hw-rx-offload off
	ip -n "$1" addr add "$4/24" dev "$3"
	ip -n "$1" link set "$3" up
}

test_route()
{
	local err0 err1 tx2

	# the detour takes seconds to set up and toggle: longer transfers
	BYTES=24M setup || return 1
	ip -n "$TX_NS" link add veth2 type veth peer name veth3 netns "$RX_NS"
	detour_side "$TX_NS" veth2 tls2 198.18.1.1
	detour_side "$RX_NS" veth3 tls3 198.18.1.2
	err0=$(($(tls_stat "$TX_NS" TlsDecryptError) + $(tls_stat "$RX_NS" TlsDecryptError)))
	detour on
	sleep 2
	detour off
	sleep 1
	detour on
	sleep 1
	detour off
	finish intact || return 1
	tx2=$(nsx "$TX_NS" cat /sys/class/net/tls2/statistics/tx_bytes)
	echo "the detour carried $tx2 bytes from the client"
	[ "$tx2" -gt 65536 ] || fail "the detour carried no data" || return 1
	err1=$(($(tls_stat "$TX_NS" TlsDecryptError) + $(tls_stat "$RX_NS" TlsDecryptError)))
	[ "$err1" -eq "$err0" ] || fail "TlsDecryptError grew by $((err1 - err0))"
}

test_rmmod()
{
	setup || return 1
	! rmmod tlsdev_emu 2>/dev/null || fail "rmmod tlsdev_emu succeeded while in use" ||
		return 1
	! rmmod tlsdev 2>/dev/null || fail "rmmod tlsdev succeeded while in use" ||
		return 1
	finish intact
}

test_del_tlsdev()
{
	XFER_TIMEOUT=10 setup || return 1
	sleep 1
	ip -n "$TX_NS" link del tls0
	finish clean
}

test_del_lower()
{
	XFER_TIMEOUT=10 setup || return 1
	sleep 1
	ip -n "$RX_NS" link del veth1
	! ip -n "$TX_NS" link show tls0 >/dev/null 2>&1 ||
		fail "tls0 outlived its lower device (deleted with its peer)"
	finish clean
}

# move NS DEV: DEV goes from NS to another namespace mid-transfer
move()
{
	XFER_TIMEOUT=10 setup || return 1
	ip netns add "$OTHER_NS"
	sleep 1
	ip -n "$1" link set "$2" netns "$OTHER_NS" || fail "cannot move $2" ||
		return 1
	finish clean
}

test_move_tlsdev() { move "$TX_NS" tls0; }
test_move_lower() { move "$RX_NS" veth1; }

test_del_netns()
{
	setup || return 1
	sleep 1
	kill_all
	ip netns del "$TX_NS"
	ip netns del "$RX_NS"
	finish clean
}

test_kill_in_resync()
{
	setup || return 1
	nsx "$TX_NS" tc qdisc add dev veth0 root netem loss 5%
	nsx "$RX_NS" tc qdisc add dev veth1 root netem loss 5%
	busywait 20000 eval '[ "$(dev_stat "$TX_NS" tls0 tx_tls_ooo)" -gt 0 ] &&
		[ "$(dev_stat "$RX_NS" tls1 rx_tls_resync_req_pkt)" -gt 0 ]' ||
		echo "no resync under way yet; killing anyway"
	kill_all
	finish clean
}

trap cleanup EXIT
[ -w $DYNDBG ] || { echo "1..0 # SKIP no dynamic debug control"; exit 0; }
echo 'module tlsdev +p' >$DYNDBG

TESTS=(down_up mtu ethtool route rmmod del_tlsdev del_lower move_tlsdev
       move_lower del_netns kill_in_resync)
# LIFECYCLE_TESTS="mtu route": only these cases
[ -n "${LIFECYCLE_TESTS:-}" ] && read -ra TESTS <<<"$LIFECYCLE_TESTS"
ksft_plan ${#TESTS[@]}
for t in "${TESTS[@]}"; do
	run_test "lifecycle: ${t//_/ }" eval "test_$t && case_end || { case_end; false; }"
done
ksft_exit
