#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# TCP sequence number wraparound under kTLS TX offload: tx_wrap (kselftest
# harness) builds connections with TCP_REPAIR whose first byte is sent just
# below 2^32 and sends through tls0 to a software kTLS receiver, cleanly
# and under loss (so the device replays records around the wrap), and
# provokes the TX contract counters tx_tls_skip_no_sync_data and
# tx_tls_drop_no_sync_data. This script builds the topology, runs it, and
# checks that tls0 released every context.
#
# TX_WRAP_BACKEND (emu, mlx5) and TX_WRAP_RESYNC (replay, request) choose
# how tls0 is made (tlsdevctl link add ... backend B tx-resync R) for one
# run of every case. Without them (the default run): every case with emu
# in replay mode, then the cases where the mode and the backend matter,
# wraparound under retransmission, in each other combination:
#   emu request    loss at the wrap after the device (software fallback
#                  across 2^32) and before it (resync requests across
#                  2^32), both variants
#   mlx5 replay    the same two, AES-128 IPv4
#   mlx5 request   the same two, AES-128 IPv4
# (null needs a null receiver, which does not survive loss.)

. "$(dirname "$0")/lib.sh"

TX_WRAP=${TX_WRAP:-$SELFTESTS_DIR/tx_wrap}
TLSDEVCTL=${TLSDEVCTL:-$TOP_DIR/user/tlsdevctl}
CTX_RELEASE_TIMEOUT_MS=10000

cleanup()
{
	nsx "$TX_NS" tc qdisc del dev veth0 root 2>/dev/null
	nsx "$TX_NS" tc qdisc del dev tls0 root 2>/dev/null
	topo_destroy
}
trap cleanup EXIT

if [ ! -x "$TX_WRAP" ]; then
	echo "Bail out! $TX_WRAP is not built (make -C selftests)"
	exit 1
fi
topo_create tlsdev plain || { echo "Bail out! topology"; exit 1; }

# run BACKEND RESYNC VARIANTS TESTS: tls0 made for BACKEND in RESYNC mode
# (emu replay: as ip link makes it), then tx_wrap with those variants and
# tests ("": all); its results are named tx_wrap[BACKEND,RESYNC] unless
# emu replay. Returns non-zero if anything failed.
run()
{
	local backend=$1 resync=$2 variants=$3 tests=$4 name=tx_wrap rc=0
	local t0=$SECONDS tag=

	[ "$backend" = emu ] || tag=$backend
	[ "$resync" = replay ] || tag=${tag:+$tag,}$resync
	[ -z "$tag" ] || name="tx_wrap[$tag]"
	if [ -n "$tag" ]; then
		if [ ! -x "$TLSDEVCTL" ]; then
			echo "# SKIP $name: $TLSDEVCTL is not built"
			return 0
		fi
		tlsdev_remake "$TX_NS" tls0 veth0 "$TX_IP4" "$TX_IP6" \
			backend "$backend" tx-resync "$resync" &&
		busywait 30000 nsx "$TX_NS" ping -c1 -W1 -q "$RX_IP4" >/dev/null &&
		busywait 30000 nsx "$TX_NS" ping -c1 -W1 -q "$RX_IP6" >/dev/null || {
			echo "not ok - $name: tls0 made with tlsdevctl link add ... backend $backend tx-resync $resync"
			return 1
		}
	fi
	TX_NS=$TX_NS RX_NS=$RX_NS TLSDEVCTL=$TLSDEVCTL TX_WRAP_NAME=$name \
	TX_WRAP_RESYNC=$resync TX_WRAP_VARIANTS=$variants TX_WRAP_TESTS=$tests \
		"$TX_WRAP" || rc=1

	if busywait $CTX_RELEASE_TIMEOUT_MS dev_ctx_released "$TX_NS" tls0; then
		echo "# $name: tls0 released all its contexts" \
		     "($(dev_stat "$TX_NS" tls0 tx_tls_ctx) added and deleted)"
	else
		echo "# FAIL: $name: tls0 holds contexts after ${CTX_RELEASE_TIMEOUT_MS} ms:" \
		     "tx_tls_ctx $(dev_stat "$TX_NS" tls0 tx_tls_ctx)," \
		     "tx_tls_del $(dev_stat "$TX_NS" tls0 tx_tls_del)"
		rc=1
	fi
	echo "# $name: $((SECONDS - t0)) s"
	return $rc
}

rc=0
if [ -n "${TX_WRAP_BACKEND:-}${TX_WRAP_RESYNC:-}" ]; then
	run "${TX_WRAP_BACKEND:-emu}" "${TX_WRAP_RESYNC:-replay}" "" "" || rc=1
else
	AT_WRAP="tcp_seq_wrap_loss_at_wrap tcp_seq_wrap_loss_before_device"
	run emu replay "" "" || rc=1
	run emu request "" "$AT_WRAP" || rc=1
	run mlx5 replay gcm128_ipv4 "$AT_WRAP" || rc=1
	run mlx5 request gcm128_ipv4 "$AT_WRAP" || rc=1
fi
exit $rc
