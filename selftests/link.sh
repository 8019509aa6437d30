#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The tlsdev link type: creation, refusals, what follows the lower device.

. "$(dirname "$0")/lib.sh"

setup() { topo_create plain plain; }

test_create_default()
{
	ip -n "$TX_NS" link add link veth0 name tls0 type tlsdev || return 1
	ip -n "$TX_NS" -d link show tls0 | grep -q "tlsdev" ||
		fail "link kind not shown"
	nsx "$TX_NS" ethtool -k tls0 | grep -q "tls-hw-tx-offload: on" ||
		fail "tls-hw-tx-offload is not on"
	nsx "$TX_NS" ethtool -i tls0 | grep -q "^driver: tlsdev" ||
		fail "ethtool -i does not name the driver"
	nsx "$TX_NS" ethtool -S tls0 | grep -q "tx_tls_encrypted_packets: 0" ||
		fail "counters missing"
}

test_follows_lower()
{
	local mac

	ip -n "$TX_NS" link set veth0 mtu 1400
	[ "$(nsx "$TX_NS" cat /sys/class/net/tls0/mtu)" = 1400 ] ||
		fail "MTU did not follow the lower device down"
	ip -n "$TX_NS" link set tls0 mtu 1500 2>/dev/null &&
		fail "MTU above the lower device's accepted"
	ip -n "$TX_NS" link set veth0 address 02:00:00:00:00:42
	mac=$(nsx "$TX_NS" cat /sys/class/net/tls0/address)
	[ "$mac" = 02:00:00:00:00:42 ] || fail "MAC did not follow: $mac"
	ip -n "$TX_NS" link set veth0 mtu 1500
}

# expect_refusal DESCRIPTION PATTERN CMD...: CMD fails and says PATTERN
expect_refusal()
{
	local what=$1 pattern=$2 out
	shift 2

	if out=$("$@" 2>&1); then
		fail "$what: accepted"
		return 1
	fi
	echo "$out" | grep -q "$pattern" || fail "$what: said '$out'"
}

test_refusals()
{
	expect_refusal "no lower device" "needs a lower device" \
		ip -n "$TX_NS" link add name bad0 type tlsdev || return 1
	expect_refusal "loopback" "loopback" \
		ip -n "$TX_NS" link add link lo name bad0 type tlsdev || return 1
	expect_refusal "stacked on itself" "tlsdev on a tlsdev" \
		ip -n "$TX_NS" link add link tls0 name bad0 type tlsdev || return 1
	expect_refusal "lower already taken" "busy" \
		ip -n "$TX_NS" link add link veth0 name bad0 type tlsdev || return 1
	ip -n "$TX_NS" link show bad0 >/dev/null 2>&1 &&
		fail "a refused device exists"
	return 0
}

test_lower_delete()
{
	ip -n "$TX_NS" link del veth0 || return 1
	ip -n "$TX_NS" link show tls0 >/dev/null 2>&1 &&
		fail "tls0 survived its lower device"
	return 0
}

test_offload_toggle()
{
	ip -n "$RX_NS" link add link veth1 name tls1 type tlsdev || return 1
	nsx "$RX_NS" ethtool -K tls1 tls-hw-tx-offload off || return 1
	nsx "$RX_NS" ethtool -k tls1 | grep -q "tls-hw-tx-offload: off" ||
		fail "offload did not turn off"
	nsx "$RX_NS" ethtool -K tls1 tls-hw-tx-offload on
	ip -n "$RX_NS" link del tls1
}

trap topo_destroy EXIT
ksft_plan 5
setup || { echo "Bail out! topology"; exit 1; }
run_test "link: create with defaults" test_create_default
run_test "link: MTU and MAC follow the lower device" test_follows_lower
run_test "link: bad lower devices are refused" test_refusals
run_test "link: offload can be toggled with ethtool" test_offload_toggle
run_test "link: deleting the lower device deletes tlsdev" test_lower_delete
ksft_exit
