# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Helpers for the tlsdev shell selftests: TAP output, a two-namespace
# topology joined by veth, busywait and cleanup. Source it; do not run it.
#
#   ns $TX_NS                               ns $RX_NS
#   tls0 (tlsdev on veth0)                  [tls1 (tlsdev on veth1)]
#   veth0 ------------------------------- veth1
#   198.18.0.1/24 2001:db8::1/64           198.18.0.2/24 2001:db8::2/64
#
# Addresses sit on the tlsdev when a side has one, else on the veth.

SELFTESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP_DIR=$(cd "$SELFTESTS_DIR/.." && pwd)
TLSXFER=${TLSXFER:-$TOP_DIR/user/tlsxfer}

TX_NS=tlsdev-tx-$$
RX_NS=tlsdev-rx-$$
TX_IP4=198.18.0.1
RX_IP4=198.18.0.2
TX_IP6=2001:db8::1
RX_IP6=2001:db8::2

ksft_pass=0
ksft_fail=0
ksft_skip=0
ksft_num=0

ksft_plan() { echo "TAP version 13"; echo "1..$1"; }

# ksft_result STATUS NAME [DETAIL]: STATUS 0 = pass, 4 = skip, else fail
ksft_result()
{
	ksft_num=$((ksft_num + 1))
	case $1 in
	0) ksft_pass=$((ksft_pass + 1)); echo "ok $ksft_num $2" ;;
	4) ksft_skip=$((ksft_skip + 1)); echo "ok $ksft_num $2 # SKIP ${3:-}" ;;
	*) ksft_fail=$((ksft_fail + 1)); echo "not ok $ksft_num $2${3:+ # $3}" ;;
	esac
}

# run_test NAME FUNCTION [ARGS...]: one TAP line for a test function;
# the function's output goes to the TAP stream as diagnostics, and its
# duration after the result.
run_test()
{
	local name=$1 rc start=$SECONDS
	shift
	"$@" > >(sed 's/^/# /') 2>&1
	rc=$?
	ksft_result "$rc" "$name"
	echo "# $name: $((SECONDS - start)) s"
}

ksft_exit()
{
	echo "# $ksft_pass passed, $ksft_fail failed, $ksft_skip skipped"
	[ "$ksft_fail" -eq 0 ]
}

fail() { echo "FAIL: $*"; return 1; }

# busywait TIMEOUT_MS CMD...: retry CMD until it succeeds or time runs out
busywait()
{
	local deadline=$(($(date +%s%3N) + $1))
	shift
	until "$@"; do
		[ "$(date +%s%3N)" -lt "$deadline" ] || return 1
		sleep 0.05
	done
}

nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# topo_create TX_SIDE RX_SIDE: each side is "tlsdev" or "plain"
# Load kTLS and instantiate gcm(aes) once per boot, in the root netns:
# on 6.1, two sockets whose setsockopt(TLS_TX) race to instantiate
# gcm(aes) (one asking for a synchronous one, as the device fallback does)
# can get ENOENT.
ktls_warmup()
{
	local stamp=/run/tlsdev-ktls-warm port=9 srv

	[ -e $stamp ] && return 0
	modprobe -q -a tls gcm ctr ghash_generic aesni_intel 2>/dev/null
	"$TLSXFER" server --listen 127.0.0.1:$port >/dev/null 2>&1 &
	srv=$!
	busywait 5000 port_listening "" $port &&
	"$TLSXFER" client --connect 127.0.0.1:$port --bytes 1 >/dev/null &&
	wait $srv && touch $stamp
}

# mib_stat NS FILE SECTION FIELD: a counter of NS's /proc/net/snmp or
# /proc/net/netstat (FILE), from SECTION's header and value lines
mib_stat()
{
	nsx "$1" awk -v sec="$3:" -v f="$4" '$1 == sec { if (!n) {
		for (i = 1; i <= NF; i++) if ($i == f) n = i } else print $n }' "$2"
}

# tcp_retrans NS: the TCP segments NS has retransmitted since it was made
tcp_retrans() { mib_stat "$1" /proc/net/snmp Tcp RetransSegs; }

# tcp_ofo NS: the segments NS's TCP receivers queued out of order
tcp_ofo() { mib_stat "$1" /proc/net/netstat TcpExt TCPOFOQueue; }

# rps_cpus NS MASK DEV...: NS's DEVs steer received packets to the CPUs
# of MASK (hex)
rps_cpus()
{
	nsx "$1" sh -c 'mask=$1; shift; for d; do
		echo "$mask" >"/sys/class/net/$d/queues/rx-0/rps_cpus" || exit 1
	done' sh "${@:2}"
}

# in_order NS DEV: DEV delivers each flow's packets in the order they were
# sent, as a NIC's receive queue does. veth hands a packet to the backlog
# of the CPU that sent it, and TCP sends a flow's segments from the
# sender's process on one CPU and from ACK processing on another, so two
# backlogs race and a receiving device sees gaps that are not losses (a
# debug kernel, whose backlogs are long, lost RX sync hundreds of times
# on a lossless 16 MiB transfer). RPS over all CPUs keeps a flow on one
# backlog.
in_order() { rps_cpus "$1" "$(printf %x $(((1 << $(nproc)) - 1)))" "$2"; }

# no_time_wait NS: closed TCP sockets of NS skip TIME_WAIT. On 6.1, a
# namespace deleted while a TIME_WAIT socket's timer fires trips
# WARN_ON_ONCE in tcp_sk_exit_batch and "refcount_t: decrement hit 0"
# (inet_twsk_kill racing tcp_twsk_purge; a kernel bug, not ours), and a
# kernel warning fails the VM run. The tests use fresh ports; TIME_WAIT
# protects nothing here.
no_time_wait()
{
	nsx "$1" sysctl -qw net.ipv4.tcp_max_tw_buckets=0
}

topo_create()
{
	local tx_side=$1 rx_side=$2

	ktls_warmup || return 1
	ip netns add "$TX_NS" || return 1
	ip netns add "$RX_NS" || return 1
	ip -n "$TX_NS" link add veth0 type veth peer name veth1 netns "$RX_NS" ||
		return 1
	nsx "$TX_NS" sysctl -qw net.ipv6.conf.all.accept_dad=0
	nsx "$RX_NS" sysctl -qw net.ipv6.conf.all.accept_dad=0
	no_time_wait "$TX_NS"
	no_time_wait "$RX_NS"
	topo_side "$TX_NS" veth0 tls0 "$tx_side" $TX_IP4 $TX_IP6 || return 1
	topo_side "$RX_NS" veth1 tls1 "$rx_side" $RX_IP4 $RX_IP6 || return 1
	busywait 5000 nsx "$TX_NS" ping -c1 -W1 -q $RX_IP4 >/dev/null &&
	busywait 5000 nsx "$TX_NS" ping -c1 -W1 -q $RX_IP6 >/dev/null
}

topo_side()
{
	local ns=$1 lower=$2 upper=$3 kind=$4 ip4=$5 ip6=$6 dev=$2

	ip -n "$ns" link set lo up
	ip -n "$ns" link set "$lower" up
	in_order "$ns" "$lower" || return 1
	if [ "$kind" = tlsdev ]; then
		ip -n "$ns" link add link "$lower" name "$upper" type tlsdev ||
			return 1
		ip -n "$ns" link set "$upper" up
		dev=$upper
	fi
	ip -n "$ns" addr add "$ip4/24" dev "$dev"
	ip -n "$ns" addr add "$ip6/64" dev "$dev" nodad
}

topo_destroy()
{
	ip netns del "$TX_NS" 2>/dev/null
	ip netns del "$RX_NS" 2>/dev/null
	true
}

# tls_stat NS NAME: a counter of /proc/net/tls_stat in NS
tls_stat() { nsx "$1" awk -v k="$2" '$1 == k { print $2 }' /proc/net/tls_stat; }

# dev_stat NS DEV NAME: an ethtool -S counter
dev_stat()
{
	nsx "$1" ethtool -S "$2" | awk -v k="$3:" '$1 == k { print $2 }'
}

# dev_snap NS DEV FILE: save the ethtool -S counters of DEV to FILE
dev_snap()
{
	nsx "$1" ethtool -S "$2" |
		awk -F': *' 'NF == 2 { gsub(/ /, "", $1); print $1, $2 }' >"$3"
}

# snap_delta BEFORE AFTER NAME: how much counter NAME grew between snapshots
snap_delta()
{
	local a b

	a=$(awk -v k="$3" '$1 == k { print $2 }' "$1")
	b=$(awk -v k="$3" '$1 == k { print $2 }' "$2")
	echo $((b - a))
}

# deltas_load FROM TO: D[NAME] = how much counter NAME grew from snapshot
# file FROM to TO ("NAME VALUE" lines, as dev_snap writes them). In bash:
# under TCG a process costs up to a second, and tests read dozens.
declare -A D
# shellcheck disable=SC2034 # D is read by the sourcing test
deltas_load()
{
	local -A b
	local k v

	D=()
	while read -r k v; do b[$k]=$v; done <"$1"
	while read -r k v; do D[$k]=$((v - ${b[$k]:-0})); done <"$2"
}

# want EXPR MESSAGE: an arithmetic assertion (on counter deltas)
want() { (($1)) || fail "$2 ($1)"; }

# snap_before: the test's own snap FILE (a snapshot of its counters that
# fails while tls0 holds contexts) into $WORK/before
snap_before()
{
	busywait 30000 snap "$WORK/before" ||
		{ fail "tls0 holds contexts from an earlier transfer"; return 1; }
}

# All contexts a device added have been deleted.
dev_ctx_released()
{
	local ns=$1 dev=$2
	[ "$(dev_stat "$ns" "$dev" tx_tls_ctx)" = \
	  "$(dev_stat "$ns" "$dev" tx_tls_del)" ]
}

# port_listening NS PORT: a TCP listener on PORT in NS ("" for this netns)
port_listening()
{
	if [ -n "$1" ]; then
		nsx "$1" ss -Htln "sport = :$2" | grep -q .
	else
		ss -Htln "sport = :$2" | grep -q .
	fi
}

# tlsdev_remake NS DEV LOWER IP4 IP6 [TLSDEVCTL_LINK_ARGS...]: DEV made
# again on LOWER in NS, by tlsdevctl with these arguments (backend,
# tx-resync, ...; $TLSDEVCTL) or by ip link without, up and addressed
# (the peer must answer pings again). DEV must hold no context.
tlsdev_remake()
{
	local ns=$1 dev=$2 lower=$3 ip4=$4 ip6=$5
	local ctl=${TLSDEVCTL:-$TOP_DIR/user/tlsdevctl}
	shift 5

	busywait 30000 dev_ctx_released "$ns" "$dev" || return 1
	ip -n "$ns" link del "$dev" || return 1
	if [ $# -gt 0 ]; then
		nsx "$ns" "$ctl" link add "$dev" link "$lower" "$@" || return 1
	else
		ip -n "$ns" link add link "$lower" name "$dev" type tlsdev ||
			return 1
	fi
	ip -n "$ns" link set "$dev" up
	ip -n "$ns" addr add "$ip4/24" dev "$dev"
	ip -n "$ns" addr add "$ip6/64" dev "$dev" nodad
}
