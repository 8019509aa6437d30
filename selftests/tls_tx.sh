#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The kTLS TX offload datapath: tls_tx (kselftest harness) sends through
# a tlsdev to a plain software-kTLS receiver. This script builds the
# topology, runs it, and at the end checks that tls0 released every
# context it was given.

. "$(dirname "$0")/lib.sh"

TLS_TX=${TLS_TX:-$SELFTESTS_DIR/tls_tx}
CTX_RELEASE_TIMEOUT_MS=10000

trap topo_destroy EXIT

if [ ! -x "$TLS_TX" ]; then
	echo "Bail out! $TLS_TX is not built (make -C selftests)"
	exit 1
fi
topo_create tlsdev plain || { echo "Bail out! topology"; exit 1; }

TX_NS=$TX_NS RX_NS=$RX_NS "$TLS_TX"
rc=$?

# tls_dev_del runs from a work item once the sockets are destroyed.
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
