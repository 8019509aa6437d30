#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/counters.sh [DEV]: the counters of the current network namespace
# as one JSON object: {"dev": {DEV: ethtool -S DEV}, "tcp": the Tcp MIB of
# /proc/net/snmp, "tls": /proc/net/tls_stat}. Run with ip netns exec. One
# ethtool and one awk: under TCG on a shared machine each process the
# guest starts costs up to a second.
tls=/proc/net/tls_stat
[ -r $tls ] || tls=/dev/null
{ [ -z "${1:-}" ] || ethtool -S "$1" 2>/dev/null; } |
awk -v dev="${1:-}" -v tlsf="$tls" '
	FILENAME == "-" {
		if (NF == 2 && $2 ~ /^[0-9]+$/) {
			sub(/:$/, "", $1)
			d = d sep "\"" $1 "\": " $2; sep = ", "
		}
		next
	}
	FILENAME == "/proc/net/snmp" && $1 == "Tcp:" {
		if (!h) { split($0, k); h = 1; next }
		for (i = 2; i <= NF; i++)
			t = t (i > 2 ? ", " : "") "\"" k[i] "\": " $i
		next
	}
	FILENAME == tlsf { s = s ssep "\"" $1 "\": " $2; ssep = ", " }
	END {
		printf "{\"dev\": {"
		if (dev != "")
			printf "\"%s\": {%s}", dev, d
		printf "}, \"tcp\": {%s}, \"tls\": {%s}}\n", t, s
	}' - /proc/net/snmp "$tls"
