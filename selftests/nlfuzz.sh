#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Hostile input for the tls_dev generic netlink family, through
# selftests/nlfuzz (nlfuzz --help; Documentation/testing.rst):
#  - random requests for every command: each answered (ACK, error or
#    NLMSG_DONE, nothing after it) within the timeout, every request the
#    strict policies refuse refused, valid ones accepted, and the family
#    still answering correctly after them;
#  - dumps closed after their first datagram or before any, many times,
#    with 200 offloaded connections and several devices to list;
#  - dumps started and left unread while devices and connections come and
#    go, then read to the end: each ends cleanly, lists nothing twice;
#  - afterwards: every context released, the family answers.
# Permissions (EPERM without CAP_NET_ADMIN) are ctl.sh's.
#
# NLFUZZ_SEED (default 1) and NLFUZZ_ITERATIONS (default 3000) change
# the run; the same seed sends the same requests.

. "$(dirname "$0")/lib.sh"

NLFUZZ=${NLFUZZ:-$SELFTESTS_DIR/nlfuzz}
SEED=${NLFUZZ_SEED:-1}
ITERATIONS=${NLFUZZ_ITERATIONS:-3000}
PORT=4433
NCONNS=100
WORK=$(mktemp -d)
holder=

cleanup()
{
	local pid

	touch "$WORK/stop"
	for pid in $(jobs -p); do
		kill "$pid" 2>/dev/null
	done
	wait 2>/dev/null
	topo_destroy
	rm -rf "$WORK"
}

# the listener and the N kTLS sockets offloaded through tls0
KTLS_SOCKS=$SELFTESTS_DIR/ktls_socks.py

ctl_conns()
{
	nsx "$TX_NS" "$TOP_DIR/user/tlsdevctl" -j conn show dev tls0 | jq length
}

conns_are() { [ "$(ctl_conns)" -eq "$1" ]; }

fuzz() { nsx "$TX_NS" "$NLFUZZ" --seed "$SEED" "$@"; }

test_setup()
{
	local rc=0

	ip -n "$TX_NS" link add veth2 type veth peer name veth3 || return 1
	ip -n "$TX_NS" link add veth4 type veth peer name veth5 || return 1
	ip -n "$TX_NS" link add link veth2 name tls2 type tlsdev || return 1
	ip netns exec "$RX_NS" python3 "$KTLS_SOCKS" listen $RX_IP4 $PORT &
	busywait 20000 port_listening "$RX_NS" $PORT ||
		{ fail "the listener did not start"; return 1; }
	ip netns exec "$TX_NS" python3 "$KTLS_SOCKS" connect $RX_IP4 $PORT $NCONNS \
		>"$WORK/hold.out" 2>&1 &
	holder=$!
	busywait 120000 grep -q ready "$WORK/hold.out" ||
		{ fail "connections not set up: $(cat "$WORK/hold.out")"; rc=1; }
	busywait 20000 conns_are $((2 * NCONNS)) ||
		{ fail "tls0 lists $(ctl_conns) connections, not $((2 * NCONNS))"; rc=1; }
	echo "tls0 offloads $(ctl_conns) connections (TX and RX); tls2 none"
	return $rc
}

test_fuzz()
{
	local before after

	before=$(dmesg | wc -l)
	fuzz --iterations "$ITERATIONS" --phase fuzz || return 1
	after=$(dmesg | wc -l)
	echo "kernel log: $((after - before)) new lines (the netlink core's ratelimited notes)"
	dmesg | tail -n $((after - before)) | sort | uniq -c | sort -rn | head -5
}

test_close() { fuzz --closes 400 --phase close; }

# Devices and connections come and go until $WORK/stop appears.
churn()
{
	local i=0 pid

	while [ ! -e "$WORK/stop" ]; do
		ip -n "$TX_NS" link add link veth4 name "tlsc$((i % 3))" type tlsdev
		ip netns exec "$TX_NS" python3 "$KTLS_SOCKS" connect $RX_IP4 $PORT 10 \
			>/dev/null 2>&1 &
		pid=$!
		sleep 0.$((RANDOM % 5 + 1))
		ip -n "$TX_NS" link del "tlsc$((i % 3))"
		kill $pid
		wait $pid 2>/dev/null
		i=$((i + 1))
	done
	echo "$i rounds of churn"
}

test_stall()
{
	local rc=0 pid

	rm -f "$WORK/stop"
	churn &
	pid=$!
	fuzz --stalls 25 --phase stall --no-compare || rc=1
	touch "$WORK/stop"
	wait $pid
	return $rc
}

test_after()
{
	local rc=0

	kill "$holder" 2>/dev/null	# the connections of test_setup
	busywait 60000 conns_are 0 ||
		{ fail "tls0 still lists $(ctl_conns) connections"; rc=1; }
	busywait 20000 dev_ctx_released "$TX_NS" tls0 || { fail "TX contexts left"; rc=1; }
	[ "$(dev_stat "$TX_NS" tls0 rx_tls_ctx)" = "$(dev_stat "$TX_NS" tls0 rx_tls_del)" ] ||
		{ fail "RX contexts left"; rc=1; }
	ip -n "$TX_NS" link show | grep -q tlsc && { fail "a churn device is left"; rc=1; }
	fuzz --phase check || rc=1
	return $rc
}

trap cleanup EXIT
ksft_plan 5
[ -x "$NLFUZZ" ] || { echo "Bail out! $NLFUZZ not built"; exit 1; }
topo_create tlsdev plain || { echo "Bail out! topology"; exit 1; }
echo "# seed $SEED, $ITERATIONS requests"
run_test "nlfuzz: $NCONNS sockets offloaded both ways through tls0, tls2 idle" test_setup
run_test "nlfuzz: random requests answered, policy violations refused, family intact" test_fuzz
run_test "nlfuzz: dumps closed after their first datagram or before, 400 times" test_close
run_test "nlfuzz: dumps left unread while devices and connections change" test_stall
run_test "nlfuzz: contexts released, the family answers" test_after
ksft_exit
