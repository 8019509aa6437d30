#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# TCP sequence number wraparound under kTLS TX offload: tx_wrap (kselftest
# harness) builds connections with TCP_REPAIR whose first byte is sent just
# below 2^32 and sends through tls0 to a software kTLS receiver, cleanly
# and under loss (so the device replays records around the wrap). This
# script builds the topology, runs it, and checks that tls0 released every
# context.

. "$(dirname "$0")/lib.sh"

TX_WRAP=${TX_WRAP:-$SELFTESTS_DIR/tx_wrap}
CTX_RELEASE_TIMEOUT_MS=10000

cleanup()
{
	nsx "$TX_NS" tc qdisc del dev veth0 root 2>/dev/null
	topo_destroy
}
trap cleanup EXIT

if [ ! -x "$TX_WRAP" ]; then
	echo "Bail out! $TX_WRAP is not built (make -C selftests)"
	exit 1
fi
topo_create tlsdev plain || { echo "Bail out! topology"; exit 1; }

TX_NS=$TX_NS RX_NS=$RX_NS "$TX_WRAP"
rc=$?

if busywait $CTX_RELEASE_TIMEOUT_MS dev_ctx_released "$TX_NS" tls0; then
	echo "# tls0 released all its contexts" \
	     "($(dev_stat "$TX_NS" tls0 tx_tls_ctx) added and deleted)"
else
	echo "# FAIL: tls0 holds contexts after ${CTX_RELEASE_TIMEOUT_MS} ms:" \
	     "tx_tls_ctx $(dev_stat "$TX_NS" tls0 tx_tls_ctx)," \
	     "tx_tls_del $(dev_stat "$TX_NS" tls0 tx_tls_del)"
	[ "$rc" -ne 0 ] || rc=1
fi
exit $rc
