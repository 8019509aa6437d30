#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Allocation failures, injected with the kernel's fault injection
# (CONFIG_FAILSLAB, CONFIG_FAIL_PAGE_ALLOC, debugfs knobs): the debug
# kernel of `make debug-kernel` has it, Debian's does not (all skipped).
#
# Process context, exact (failnth.c, /proc/thread-self/fail-nth): every
# allocation of tls_dev_add TX and RX (through setsockopt TLS_TX/TLS_RX),
# of each tls_dev netlink request and of a tlsdev's creation fails in
# turn; each must be handled. The kmem tracepoints, filtered on failed
# allocations, with stack traces in the trace buffer (not on the console),
# prove that failures landed in the module's own code.
#
# Datapath (softirq): atomic allocations fail at random during an
# offloaded transfer (TX and RX); the data arrives intact or the transfer
# fails cleanly, and the device's no-memory paths ran (tx_tls_drop_no_mem,
# rx_tls_err).
#
# Then every context is released, and the modules must unload (run.sh).

. "$(dirname "$0")/lib.sh"

FAILNTH=$SELFTESTS_DIR/failnth
DBG=/sys/kernel/debug
TRACE=/sys/kernel/tracing
PORT=4433
WORK=$(mktemp -d)
FI_ATTRS="probability interval times space verbose task-filter ignore-gfp-wait"
# datapath: percentage of atomic allocations failing, and bytes moved
DP_PROB=${FAILNTH_DP_PROB:-10}
DP_BYTES=${FAILNTH_DP_BYTES:-2M}

# Leave the knobs as they were, and no fault armed.
fi_save()
{
	local a d

	for d in failslab fail_page_alloc; do
		for a in $FI_ATTRS; do
			echo "$d $a $(cat "$DBG/$d/$a")"
		done
	done >"$WORK/fi.saved"
}

fi_restore()
{
	local d a v

	[ -s "$WORK/fi.saved" ] || return 0
	# probability first: nothing fails while the rest is put back
	echo 0 >"$DBG/failslab/probability"
	echo 0 >"$DBG/fail_page_alloc/probability"
	while read -r d a v; do
		echo "$v" >"$DBG/$d/$a"
	done <"$WORK/fi.saved"
}

# fi_set ATTR VALUE: on both failslab and fail_page_alloc
fi_set()
{
	echo "$2" >"$DBG/failslab/$1" && echo "$2" >"$DBG/fail_page_alloc/$1"
}

trace_off()
{
	[ -d "$TRACE/events/kmem" ] || return 0
	echo 0 >"$TRACE/tracing_on"
	echo 0 >"$TRACE/events/kmem/kmalloc/enable"
	echo 0 >"$TRACE/events/kmem/kmem_cache_alloc/enable"
	echo 0 >"$TRACE/options/stacktrace"
	echo >"$TRACE/trace"
}

# Injected failures make the core dump stacks of its own (warn_alloc's
# "page allocation failure", "sysctl could not get directory"): vm-run
# accepts a bare "Call Trace:" between these two lines of the kernel log,
# and nothing else (BUG, WARNING, KASAN, lockdep, leaks still fail the run).
FI_ARMED="tlsdev-selftest: fault injection armed"
FI_DISARMED="tlsdev-selftest: fault injection disarmed"

cleanup()
{
	fi_restore
	echo "$FI_DISARMED" >/dev/kmsg
	trace_off
	topo_destroy
	rm -rf "$WORK"
}

skip_all()
{
	echo "TAP version 13"
	echo "1..0 # SKIP $*"
	rm -rf "$WORK"
	exit 0
}

# Failed allocations only (ptr == 0), each with its stack, in the trace
# buffer: the console never sees them.
trace_failed_allocs()
{
	local e

	echo 0 >"$TRACE/tracing_on"
	echo >"$TRACE/trace"
	for e in kmalloc kmem_cache_alloc; do
		echo 'ptr == 0' >"$TRACE/events/kmem/$e/filter" || return 1
		echo 1 >"$TRACE/events/kmem/$e/enable" || return 1
	done
	echo 1 >"$TRACE/options/stacktrace" &&
	echo 1 >"$TRACE/tracing_on"
}

# in_module PATTERN: print the module's functions among the stacks of the
# failed allocations traced; fail unless one matches PATTERN
in_module()
{
	local fns

	echo 0 >"$TRACE/tracing_on"
	fns=$(grep -oE '(=> |call_site=)tlsdev_[a-z0-9_]+' "$TRACE/trace" |
	      sed 's/.* //; s/call_site=//' | sort | uniq -c | sort -rn)
	echo "failed allocations with the module on the stack:" \
	     "$(echo "$fns" | awk 'NF { printf "%s%s x%s", s, $2, $1; s = ", " }')"
	echo "$fns" | grep -qE " $1\$" ||
		fail "no injected failure with $1 on the stack"
}

# Process context: the task's fail-nth only; every allocation counts.
fi_nth_mode()
{
	fi_set probability 0 &&
	fi_set interval 1 &&
	fi_set times -1 &&
	fi_set space 0 &&
	fi_set verbose 1 &&
	fi_set task-filter N &&
	fi_set ignore-gfp-wait N
}

ctx_released()
{
	[ "$(dev_stat "$TX_NS" tls0 tx_tls_ctx)" = "$(dev_stat "$TX_NS" tls0 tx_tls_del)" ] &&
	[ "$(dev_stat "$TX_NS" tls0 rx_tls_ctx)" = "$(dev_stat "$TX_NS" tls0 rx_tls_del)" ] &&
	[ "$(dev_stat "$RX_NS" tls1 tx_tls_ctx)" = "$(dev_stat "$RX_NS" tls1 tx_tls_del)" ] &&
	[ "$(dev_stat "$RX_NS" tls1 rx_tls_ctx)" = "$(dev_stat "$RX_NS" tls1 rx_tls_del)" ]
}

# failnth MODE ARGS...: run failnth.c with the fault knobs for it
failnth()
{
	local rc

	fi_nth_mode || { fail "cannot set the fault injection knobs"; return 1; }
	trace_failed_allocs || { fail "cannot trace failed allocations"; return 1; }
	TX_NS=$TX_NS RX_NS=$RX_NS "$FAILNTH" "$@" | tee "$WORK/failnth.out"
	rc=${PIPESTATUS[0]}
	fi_set verbose 0
	[ $rc -eq 0 ] || fail "failnth $* exited with $rc"
}

test_tx()
{
	failnth tx || return 1
	in_module 'tlsdev_(tx_add|tls_dev_add|gcm_init|stream_alloc)'
}

test_rx()
{
	failnth rx --port 4501 || return 1
	in_module 'tlsdev_(rx_add|tls_dev_add|gcm_init|stream_alloc)'
}

test_netlink()
{
	failnth netlink --port 4502 || return 1
	in_module 'tlsdev_nl_[a-z_]+'
}

test_link()
{
	ip -n "$TX_NS" link add fnveth0 type veth peer name fnveth1 || return 1
	ip -n "$TX_NS" link set fnveth0 up
	failnth link --lower fnveth0 || return 1
	in_module 'tlsdev_(newlink|init)'
	# the core's EINVAL (see failnth.c) only where it comes from
	if grep -q 'EINVAL (netdev_register_kobject)' "$WORK/failnth.out" &&
	   ! grep -q '=> netdev_register_kobject' "$TRACE/trace"; then
		fail "EINVAL without a failed allocation in netdev_register_kobject"
	fi
	ip -n "$TX_NS" -o link show type tlsdev | grep -q fnlink0 &&
		fail "fnlink0 left behind"
	ip -n "$TX_NS" link del fnveth0
}

# Softirq: atomic allocations fail at random while data moves through
# both devices (the client's TX offloaded to tls0, the server's RX to tls1).
test_datapath()
{
	local server rc=0 srv_rc d

	dev_snap "$TX_NS" tls0 "$WORK/tx.before"
	dev_snap "$RX_NS" tls1 "$WORK/rx.before"
	ip netns exec "$RX_NS" "$TLSXFER" server --listen "$RX_IP4:$PORT" \
		--bytes "$DP_BYTES" --timeout 60 >"$WORK/dp.server" 2>&1 &
	server=$!
	busywait 30000 port_listening "$RX_NS" $PORT ||
		{ kill $server; fail "server did not start"; return 1; }

	fi_set verbose 0 &&
	fi_set task-filter N &&
	fi_set ignore-gfp-wait Y &&
	fi_set interval 1 &&
	fi_set times -1 &&
	fi_set space 0 &&
	fi_set probability "$DP_PROB" || { fail "cannot arm the faults"; return 1; }
	nsx "$TX_NS" "$TLSXFER" client --connect "$RX_IP4:$PORT" \
		--bytes "$DP_BYTES" --timeout 60 >"$WORK/dp.client" 2>&1 || rc=$?
	fi_set probability 0
	wait $server
	srv_rc=$?

	sed 's/^/[client] /' "$WORK/dp.client"
	sed 's/^/[server] /' "$WORK/dp.server"
	dev_snap "$TX_NS" tls0 "$WORK/tx.after"
	dev_snap "$RX_NS" tls1 "$WORK/rx.after"
	for d in tx_tls_encrypted_packets tx_tls_drop_no_mem tx_tls_ooo \
		 tx_tls_dump_packets tx_tls_drop_engine; do
		echo "tls0 $d +$(snap_delta "$WORK/tx.before" "$WORK/tx.after" $d)"
	done
	for d in rx_tls_decrypted_packets rx_tls_err rx_tls_ooo \
		 rx_tls_sync_lost rx_tls_resync_res_ok; do
		echo "tls1 $d +$(snap_delta "$WORK/rx.before" "$WORK/rx.after" $d)"
	done

	# intact, or a clean failure: never data the receiver took for good
	if [ $rc -ne 0 ] || [ $srv_rc -ne 0 ]; then
		echo "the transfer failed (client $rc, server $srv_rc)"
		grep -qiE 'mismatch|differ|EBADMSG|Bad message' "$WORK/dp.server" \
			"$WORK/dp.client" && fail "corrupted data"
		[ $rc -eq 5 ] || [ $rc -eq 1 ] ||
			fail "client exit $rc is not a transfer failure or timeout"
	else
		grep -q "tx: hw" "$WORK/dp.client" || fail "client TX is not hw"
		grep -q "rx: hw" "$WORK/dp.server" || fail "server RX is not hw"
	fi
	[ "$(snap_delta "$WORK/tx.before" "$WORK/tx.after" tx_tls_drop_no_mem)" -gt 0 ] ||
		fail "tx_tls_drop_no_mem did not grow: the TX no-memory path never ran"
	[ "$(snap_delta "$WORK/rx.before" "$WORK/rx.after" rx_tls_err)" -gt 0 ] ||
		fail "rx_tls_err did not grow: the RX no-memory path never ran"
	[ "$(tls_stat "$RX_NS" TlsDecryptError)" -eq 0 ] ||
		fail "TlsDecryptError: $(tls_stat "$RX_NS" TlsDecryptError)"
}

test_released()
{
	busywait 30000 ctx_released || {
		fail "contexts left:" \
		     "$(nsx "$TX_NS" ethtool -S tls0 | grep -E '_tls_(ctx|del):')" \
		     "$(nsx "$RX_NS" ethtool -S tls1 | grep -E '_tls_(ctx|del):')"
		return 1
	}
	[ "$(tls_stat "$TX_NS" TlsCurrTxDevice)" -eq 0 ] &&
	[ "$(tls_stat "$RX_NS" TlsCurrRxDevice)" -eq 0 ] ||
		fail "TlsCurrTxDevice/TlsCurrRxDevice not back to 0"
}

[ -x "$FAILNTH" ] || { echo "Bail out! $FAILNTH not built"; exit 1; }
[ -e /proc/thread-self/fail-nth ] && [ -d "$DBG/failslab" ] &&
[ -d "$DBG/fail_page_alloc" ] ||
	skip_all "no fault injection (CONFIG_FAULT_INJECTION_DEBUG_FS, FAILSLAB, FAIL_PAGE_ALLOC)"
[ -d "$TRACE/events/kmem/kmalloc" ] ||
	skip_all "no kmem tracepoints in $TRACE to attribute the failures"

trap cleanup EXIT
fi_save
echo "$FI_ARMED" >/dev/kmsg
ksft_plan 6
topo_create tlsdev tlsdev || { echo "Bail out! topology"; exit 1; }
run_test "failnth: TLS_TX, each allocation failed in turn" test_tx
run_test "failnth: TLS_RX, each allocation failed in turn" test_rx
run_test "failnth: tls_dev netlink requests, each allocation failed in turn" test_netlink
run_test "failnth: tlsdev link creation, each allocation failed in turn" test_link
run_test "failnth: ${DP_PROB}% of atomic allocations failing during an offloaded transfer" test_datapath
run_test "failnth: every context released" test_released
ksft_exit
