#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/counters.sh [DEV...]: the counters of the current network namespace
# as one JSON object (one process per namespace and snapshot, to keep the
# sampling cheap under TCG): {"dev": {DEV: ethtool -S}, "tcp": the Tcp MIB
# of /proc/net/snmp, "tls": /proc/net/tls_stat}. Run with ip netns exec.
printf '{"dev": {'
sep=
for d in "$@"; do
	printf '%s"%s": ' "$sep" "$d"
	ethtool -S "$d" 2>/dev/null | awk -F': *' '
		BEGIN { printf "{" }
		NF == 2 && $2 ~ /^[0-9]+$/ {
			gsub(/ /, "", $1); printf "%s\"%s\": %s", s, $1, $2; s = ", " }
		END { printf "}" }'
	sep=", "
done
printf '}, "tcp": '
awk '$1 == "Tcp:" { if (!h) { split($0, k); h = 1; next }
	printf "{"; for (i = 2; i <= NF; i++)
		printf "%s\"%s\": %s", (i > 2 ? ", " : ""), k[i], $i
	printf "}" }' /proc/net/snmp
printf ', "tls": '
if [ -r /proc/net/tls_stat ]; then
	awk 'BEGIN { printf "{" } { printf "%s\"%s\": %s", s, $1, $2; s = ", " }
		END { printf "}" }' /proc/net/tls_stat
else
	printf '{}'
fi
printf '}\n'
