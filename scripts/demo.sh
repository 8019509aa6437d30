#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: inside the VM, send 32 MiB over TLS 1.2 AES-GCM from a socket
# offloaded to a tlsdev device to a software kTLS receiver, and show what
# each side reports. Runs as the guest command of scripts/vm-run.
set -u

. "$(dirname "$0")/../selftests/lib.sh"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

trap topo_destroy EXIT
say "two namespaces joined by veth; tls0 (type tlsdev) on the sender's veth0"
topo_create tlsdev plain || { echo "demo: topology setup failed" >&2; exit 1; }
ip -n "$TX_NS" -d link show tls0
nsx "$TX_NS" ethtool -k tls0 | grep tls-hw

say "receiver (software kTLS) in $RX_NS, sender offloads TX to tls0"
nsx "$RX_NS" "$TLSXFER" server --listen "$RX_IP4:4433" --mode static &
server=$!
busywait 5000 port_listening "$RX_NS" 4433
nsx "$TX_NS" "$TLSXFER" client --connect "$RX_IP4:4433" --mode static \
	--bytes 32M --require-offload tx
rc=$?
wait "$server" || rc=1

say "device counters (ethtool -S tls0)"
nsx "$TX_NS" ethtool -S tls0 | grep tls
say "kernel TLS counters of the sender's namespace (/proc/net/tls_stat)"
nsx "$TX_NS" cat /proc/net/tls_stat

if [ "$rc" -eq 0 ]; then
	say "demo OK: data verified by the receiver, sender TX reported hw"
else
	say "demo FAILED (status $rc)"
fi
exit "$rc"
