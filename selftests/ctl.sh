#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# user/tlsdevctl and the tls_dev generic netlink family
# (Documentation/netlink.rst, Documentation/tlsdevctl.rst):
#  - usage errors, link creation with each option (backend, tx-resync,
#    rx-resync), agreement with ip and ethtool, refusals with the kernel's
#    extack message and exit codes;
#  - conn show on live IPv4 and IPv6 connections, TX and RX, and nothing
#    once they ended; RX connections with tlsdev on both ends, their
#    sequence numbers against the sender's;
#  - fault injection observed in the counters with the data intact: TX
#    drop, dup, delay, replay; add-fail and ctx-limit in both directions;
#    the RX rules (drop, delay, corrupt, desync, rx-async) set, shown,
#    refused for actions of the other direction, and observed in traffic
#    once the RX datapath applies them (SKIP until then);
#  - fault-set refused without CAP_NET_ADMIN, reads allowed;
#  - hand-made malformed requests each refused with an extack message and
#    nothing in the kernel log;
#  - no key byte in any listing, trace or log, and key material wiped
#    before the module frees it (kprobes on kfree and kfree_sensitive).
# tls0 (tlsdev on veth0) in TX_NS sends to a software kTLS tlsxfer server
# in RX_NS; the RX tests put tls1 (tlsdev on veth1) under RX_NS's
# addresses, and take it away again.

. "$(dirname "$0")/lib.sh"

CTL=${TLSDEVCTL:-$TOP_DIR/user/tlsdevctl}
PORT=4433
PORT2=4434
KEY256=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
WORK=$(mktemp -d)

cleanup()
{
	local pid

	for pid in $(jobs -p); do
		kill -CONT "$pid" 2>/dev/null
		kill "$pid" 2>/dev/null
	done
	topo_destroy
	rm -rf "$WORK"
}

ctl() { nsx "$TX_NS" "$CTL" "$@"; }

# expect RC PATTERN CMD...: CMD exits with RC and says PATTERN (stderr
# included); the output is kept in $out
expect()
{
	local want=$1 pattern=$2 rc=0
	shift 2

	out=$("$@" 2>&1) || rc=$?
	if [ "$rc" -ne "$want" ]; then
		fail "'${*##*/}' exited $rc, not $want: $out"
		return 1
	fi
	if [ -n "$pattern" ] && ! grep -q -- "$pattern" <<<"$out"; then
		fail "'${*##*/}' did not say '$pattern': $out"
		return 1
	fi
}

# field DEV JQ: a field of DEV in tlsdevctl -j link show
field() { ctl -j link show "$1" | jq -r ".[0].$2"; }

# Start a tlsxfer server on PORT in RX_NS, in the background: $server is
# its pid (not through nsx: kill -STOP must reach tlsxfer itself).
server_start()
{
	local name=$1 port=$2
	shift 2

	ip netns exec "$RX_NS" "$TLSXFER" server --listen "${SRV_ADDR:-$RX_IP4}:$port" \
		--timeout 60 "$@" >"$WORK/$name.server" 2>&1 &
	server=$!
	busywait 5000 port_listening "$RX_NS" "$port" && return 0
	kill "$server" 2>/dev/null
	fail "$name: server did not start"
}

# xfer NAME PORT BYTES [CLIENT_ARGS...]: one verified transfer of BYTES
# from TX_NS; both ends must succeed. The client's output is $WORK/NAME.
# $SRV_ARGS: more server arguments.
xfer()
{
	local name=$1 port=$2 bytes=$3 rc=0 srv_rc server
	shift 3

	# shellcheck disable=SC2086 # words
	server_start "$name" "$port" --bytes "$bytes" $SRV_ARGS ||
		return 1
	nsx "$TX_NS" "$TLSXFER" client --connect "${CLI_ADDR:-$RX_IP4}:$port" \
		--bytes "$bytes" --timeout 60 "$@" >"$WORK/$name" 2>&1 || rc=$?
	wait "$server"
	srv_rc=$?
	grep -E "^(tx|end):" "$WORK/$name" | sed "s/^/[$name] /"
	if [ "$rc" -ne 0 ] || [ "$srv_rc" -ne 0 ]; then
		sed "s/^/[$name client] /" "$WORK/$name"
		sed "s/^/[$name server] /" "$WORK/$name.server"
		fail "$name: client exited $rc, server exited $srv_rc"
		return 1
	fi
}

# run_test_why NAME WHY FUNCTION [ARGS...]: run_test, with WHY as the
# reason given when FUNCTION skips (returns 4)
run_test_why()
{
	local name=$1 why=$2 rc
	shift 2
	"$@" > >(sed 's/^/# /') 2>&1
	rc=$?
	if [ $rc -eq 4 ]; then
		ksft_result 4 "$name" "$why"
	else
		ksft_result $rc "$name"
	fi
}

# conns N [DIR]: tlsdevctl conn show lists N connections (of direction DIR)
conns()
{
	[ "$(ctl -j conn show | jq "[.[] | select(\"${2:-}\" == \"\" or .dir == \"${2:-}\")] | length")" -eq "$1" ]
}

# in_file FILE HEX: the bytes HEX stand for occur in FILE, as raw bytes or
# as hex text in either case, packed or one byte per word
in_file()
{
	local raw spaced

	raw=$(printf '%s' "$2" | sed 's/../\\x&/g')
	spaced=$(sed 's/../& /g; s/ $//' <<<"$2")
	LC_ALL=C grep -qaF "$(printf "$raw")" "$1" ||
	LC_ALL=C grep -qaiF -e "$2" -e "$spaced" "$1"
}

# No key byte anywhere the device shows its state or logs: every tlsdevctl
# listing (netlink replies, JSON and text), ethtool, debugfs, the kernel's
# tls tracepoints and the kernel log with the module's debug lines on, for
# a live connection offloaded both ways with a key and salt used nowhere
# else (issue: keys never appear in logs, dumps or netlink replies).
test_no_keys()
{
	local key=8f3c5b2e9d417a6c0e1f2a3b4c5d6e7f salt=b7c6d5e4 rc=0
	local dump=$WORK/keys.dump tr=/sys/kernel/tracing s c

	mountpoint -q /sys/kernel/debug ||
		mount -t debugfs debugfs /sys/kernel/debug || return 1
	mountpoint -q $tr || mount -t tracefs nodev $tr || return 1
	echo 1 >$tr/events/tls/enable
	echo >$tr/trace
	echo 'module tlsdev +p' >/sys/kernel/debug/dynamic_debug/control
	server_start keys $PORT --bytes 1M --key $key --salt $salt || return 1
	s=$server
	kill -STOP "$s"
	client_start keys "$RX_IP4:$PORT" --bytes 1M --key $key --salt $salt \
		--require-offload tx
	c=$client
	busywait 20000 conns 1 tx || { fail "the connection was not listed"; rc=1; }
	busywait 20000 conns 1 rx || { fail "its RX was not listed"; rc=1; }
	{
		ctl -j conn show; ctl conn show; ctl -j link show; ctl link show
		ctl -j stats show dev tls0; ctl fault clear dev tls0
		nsx "$TX_NS" ethtool -S tls0
		find /sys/kernel/debug -path '*tlsdev*' -type f -exec cat {} + 2>/dev/null
	} >"$dump" 2>&1
	kill -CONT "$s"
	wait "$c" || { fail "the client failed"; rc=1; }
	wait "$s" || { fail "the server failed"; rc=1; }
	cat $tr/trace >>"$dump"
	dmesg >>"$dump"
	echo 0 >$tr/events/tls/enable
	echo 'module tlsdev -p' >/sys/kernel/debug/dynamic_debug/control
	grep -q "tls_device" "$dump" || { fail "no tls tracepoint fired"; rc=1; }
	grep -q "conn .* created" "$dump" || { fail "no debug line logged"; rc=1; }
	grep -q "aes-gcm-128" "$dump" || { fail "no connection in the dump"; rc=1; }
	echo "looked through $(wc -c <"$dump") bytes of replies, traces and logs"
	! in_file "$dump" $key || { fail "the key appears"; rc=1; }
	! in_file "$dump" $salt || { fail "the salt appears"; rc=1; }
	return $rc
}

# Key material is wiped before its memory is freed. kprobes record every
# slab object kfree() frees, at __kmem_cache_free(cache, object, caller):
# its address, kfree's caller, the cache's object_size and the object's
# first 2048 bytes (all of a TX connection, the largest of the module's
# objects), in two records of 1024 bytes (the text of a record must fit in
# a page); and every kfree_sensitive() call, with the object before its
# wipe. kfree_sensitive wipes then calls kfree, so the __kmem_cache_free
# records show what stays in freed memory. The probes sit on the first
# instruction after the __fentry__ call, with kprobe optimisation off: such
# int3 probes run with interrupts off, so no free by an interrupt or a
# softirq landing in a probe handler is missed (ftrace-based probes at +0
# miss those). wipe.py reads the trace: no freed object holds the key or
# the salt within its object_size, except objects the TLS core (tls.ko)
# frees, which it counts (its IV and nonce buffers keep the salt: the
# kernel's, not the module's); and it proves it saw our objects: the
# module's kfree_sensitive calls with the salt in the object before the
# wipe, objects with the key before the wipe (the crypto API's key
# schedules), each followed by the free of the same object, and the RX
# connection tlsdev_rx_conn_free_rcu frees.
cat >"$WORK/wipe.py" <<'EOF'
import re, struct, sys

path, key, salt = sys.argv[1], bytes.fromhex(sys.argv[2]), bytes.fromhex(sys.argv[3])
ev_re = re.compile(r'\[(\d+)\][^:]*:\s+(wipe_\w+): \([^)]*\)(.*)$')
arr_re = re.compile(r'd(\d)=\{([^}]*)\}')
HALVES = {'wipe_free_b': 'wipe_free', 'wipe_sens_b': 'wipe_sens'}
bad, kernel, events, half = [], [], [], {}
for line in open(path, errors='replace'):
    m = ev_re.search(line)
    if not m:
        continue
    cpu, name, rest = int(m.group(1)), m.group(2), m.group(3)
    ev = {'cpu': cpu, 'name': name, 'line': line[:160].rstrip()}
    p = re.search(r'(ptr|head)=0x([0-9a-f]+)', rest)
    if p:
        ev['ptr'] = int(p.group(2), 16)
    if name in ('wipe_free', 'wipe_sens') or name in HALVES:
        arrs = dict(arr_re.findall(rest))
        if len(arrs) != 4 or not rest.rstrip().endswith('}'):
            bad.append('unreadable record: ' + ev['line'])
            continue
        words = [int(w, 16) for i in sorted(arrs) for w in arrs[i].split(',')]
        ev['data'] = struct.pack('<%dQ' % len(words), *words)
        c = re.search(r'caller=(.*?) (size|d0)=', rest)
        ev['caller'] = c.group(1) if c else '?'
        size = re.search(r'size=(\d+)', rest)
        ev['size'] = int(size.group(1)) if size else None
        ev['base'] = HALVES.get(name, name)
        # the two halves of one call: adjacent on their CPU, in either
        # order (the kprobes on one address run newest first)
        h = half.pop(cpu, None)
        if not h:
            half[cpu] = ev
            continue
        if h['base'] != ev['base'] or h['ptr'] != ev['ptr'] or h['name'] == ev['name']:
            bad.append('a half record without the other: ' + h['line'])
            half[cpu] = ev
            continue
        a, b = (h, ev) if h['name'] == h['base'] else (ev, h)
        a['data'] += b['data']
        events.append(a)
        continue
    if name == 'wipe_dev_del':
        ev['dir'] = int(re.search(r'dir=(\d+)', rest).group(1))
    events.append(ev)
for ev in half.values():
    bad.append('a half record without the other: ' + ev['line'])

n = {'free': 0, 'long': 0, 'sens': 0, 'ours': 0, 'ours_salt': 0, 'key_before': 0,
     'rx': 0}
rx_pending, sens_pending, rx_objs, deltas, dirs = {}, {}, set(), set(), set()
for ev in events:
    name, cpu = ev['name'], ev['cpu']
    if name == 'wipe_dev_del':
        dirs.add(ev['dir'])
        continue
    if name == 'wipe_rx_free':
        n['rx'] += 1
        rx_pending[cpu] = [ev['ptr'], 8]
        continue
    if cpu in rx_pending:
        # tlsdev_rx_conn_free_rcu frees its connection next on this CPU
        # (an interrupt's free may come first)
        head = rx_pending[cpu][0]
        if 0 < head - ev['ptr'] < 2048:
            rx_objs.add(ev['ptr'])
            deltas.add(head - ev['ptr'])
            del rx_pending[cpu]
        else:
            rx_pending[cpu][1] -= 1
            if not rx_pending[cpu][1]:
                bad.append('tlsdev_rx_conn_free_rcu(%#x) freed nothing near' % head)
                del rx_pending[cpu]
    if name == 'wipe_sens':
        if ev['ptr'] > 16:      # not NULL or ZERO_SIZE_PTR, which kfree ignores
            sens_pending[(cpu, ev['ptr'])] = ev
        continue
    # a slab object freed: what stays in it, within its object_size
    n['free'] += 1
    size = ev['size']
    n['long'] += size > len(ev['data'])
    data = ev['data'][:size]
    where = '%#x (%d bytes) freed by %s%s' % (
        ev['ptr'], size, ev['caller'], ', an RX connection' if ev['ptr'] in rx_objs else '')
    s = sens_pending.pop((cpu, ev['ptr']), None)
    if s:
        # kfree_sensitive calls kfree last: the same caller when it is a
        # tail call, else kfree_sensitive itself
        n['sens'] += 1
        before = s['data'][:size]
        ours = '[tlsdev' in s['caller']
        n['ours'] += ours
        n['ours_salt'] += ours and salt in before
        n['key_before'] += key in before
        if ev['caller'] != s['caller'] and not ev['caller'].startswith('kfree_sensitive+'):
            bad.append('kfree_sensitive(%#x) by %s, then freed by %s' %
                       (s['ptr'], s['caller'], ev['caller']))
    for what, secret in (('the key', key), ('the salt', salt)):
        off = data.find(secret)
        if off < 0:
            continue
        msg = '%s at offset %d of %s' % (what, off, where)
        (kernel if '[tls]' in ev['caller'] else bad).append(msg)
for head, _ in rx_pending.values():
    bad.append('tlsdev_rx_conn_free_rcu(%#x) freed nothing after it' % head)
for ev in sens_pending.values():
    # a large kmalloc goes to the page allocator, unseen here: only ours count
    msg = 'kfree_sensitive(%#x) by %s, its object not seen freed' % (ev['ptr'], ev['caller'])
    if '[tlsdev' in ev['caller']:
        bad.append(msg)
    else:
        print('note: ' + msg)

print('%d freed slab objects scanned (%d of them over 2048 bytes, scanned in part); '
      '%d after kfree_sensitive, %d of those by tlsdev'
      % (n['free'], n['long'], n['sens'], n['ours']))
print("before the wipe: the salt in %d of tlsdev's objects, the key in %d objects"
      % (n['ours_salt'], n['key_before']))
print('tls_dev_del for directions %s; %d RX connections freed after RCU, at %s'
      % (sorted(dirs), n['rx'], ', '.join('head - %d' % d for d in sorted(deltas))))
print('objects the TLS core (tls.ko) freed without wiping them: %d (the kernel\'s, not tlsdev\'s)'
      % len(kernel))
for k in sorted(set(re.sub(r'of 0x[0-9a-f]+ ', 'of ', k) for k in kernel)):
    print('  ' + k)
if dirs != {0, 1}:
    bad.append('tls_dev_del was not seen for TX and RX')
if not n['rx'] or not rx_objs:
    bad.append('no RX connection freed by tlsdev_rx_conn_free_rcu was seen')
if not n['ours_salt']:
    bad.append("no tlsdev object with the salt was seen before its wipe")
if not n['key_before']:
    bad.append('no object with the key was seen before its wipe')
for b in bad[:20]:
    print('FAIL: ' + b)
sys.exit(1 if bad else 0)
EOF

# probe_hits EVENT: hits of a kprobe event so far
probe_hits()
{
	awk -v e="$1" '$1 == e { print $2 }' /sys/kernel/tracing/kprobe_profile
}

# wipe_seen: the teardown the test waits for has been traced
wipe_seen()
{
	[ "$(probe_hits wipe_dev_del)" -ge 2 ] && [ "$(probe_hits wipe_rx_free)" -ge 1 ]
}

# wipe_probe NAME FUNC ARGS...: kprobe NAME with fetch ARGS on FUNC's
# first instruction after the __fentry__ call, where the arguments are
# still in their registers (at the offsets $WIPE_OFFS, test_key_wipe)
wipe_probe()
{
	local name=$1 func=$2 off
	shift 2

	for off in $WIPE_OFFS; do
		echo "p:tlsdev_wipe/$name $func+$off $*" \
			>>/sys/kernel/tracing/kprobe_events 2>/dev/null && return 0
	done
	fail "no kprobe on $func"
}

# wipe_bytes REG FROM: fetch args for the 1024 bytes from byte FROM of the
# object REG points to
wipe_bytes()
{
	local i

	for i in 0 1 2 3; do
		printf ' d%d=+%d(%s):x64[32]' $i $(($2 + i * 256)) "$1"
	done
}

test_key_wipe()
{
	local key=5a1e0f93c47b28d6e3a9017f4cb2d85e salt=c3e17a59 rc=0 s c a i
	local tr=/sys/kernel/tracing g=tlsdev_wipe st optim
	local opt=/proc/sys/debug/kprobes-optimization
	# __kmem_cache_free(s, x, caller); struct kmem_cache (SLUB): object_size
	# at 28
	local free="ptr=%si:x64 caller=%dx:symbol size=+28(%di):u32"
	local sens="ptr=%di:x64 caller=\$stack0:symbol"

	mountpoint -q $tr || mount -t tracefs nodev $tr || return 1
	[ -e $tr/kprobe_events ] || { echo "no kprobe events in this kernel"; return 4; }
	grep -q "^CONFIG_SLUB=y" "/boot/config-$(uname -r)" 2>/dev/null ||
		[ -e /sys/kernel/slab ] || { echo "not SLUB"; return 4; }
	# the first instruction after the __fentry__ call: +5, or +9 behind
	# an endbr64; a kernel without function tracing (the debug kernel)
	# has no such call, and its probes at +0 are int3 probes too
	WIPE_OFFS=0
	grep -qw __fentry__ /proc/kallsyms && WIPE_OFFS="5 9"
	optim=$(cat $opt)
	echo 0 >$opt
	echo 0 >$tr/tracing_on
	echo 32768 >$tr/buffer_size_kb
	wipe_probe wipe_free __kmem_cache_free "$free$(wipe_bytes %si 0)" &&
	wipe_probe wipe_free_b __kmem_cache_free "$free$(wipe_bytes %si 1024)" &&
	wipe_probe wipe_sens kfree_sensitive "$sens$(wipe_bytes %di 0)" &&
	wipe_probe wipe_sens_b kfree_sensitive "$sens$(wipe_bytes %di 1024)" &&
	wipe_probe wipe_rx_free tlsdev:tlsdev_rx_conn_free_rcu "head=%di:x64" &&
	wipe_probe wipe_dev_del tlsdev:tlsdev_tls_dev_del "dir=%dx:u32" || rc=1
	grep "$g/" $tr/kprobe_events | cut -c1-72

	if [ $rc -eq 0 ]; then
		server_start wipe $PORT --bytes 1M --key $key --salt $salt || rc=1
		s=$server
		kill -STOP "$s"
		client_start wipe "$RX_IP4:$PORT" --bytes 1M --key $key --salt $salt \
			--require-offload tx
		c=$client
		busywait 20000 conns 1 tx || { fail "the connection was not listed"; rc=1; }
		busywait 20000 conns 1 rx || { fail "its RX was not listed"; rc=1; }
		# trace from here to the end of the connection
		echo >$tr/trace
		echo 1 >$tr/events/$g/enable
		echo 1 >$tr/tracing_on
		kill -CONT "$s"
		wait "$c" || { fail "the client failed: $(cat "$WORK/wipe")"; rc=1; }
		wait "$s" || { fail "the server failed: $(cat "$WORK/wipe.server")"; rc=1; }
		busywait 20000 wipe_seen || {
			fail "tls_dev_del $(probe_hits wipe_dev_del) times," \
			     "RX free $(probe_hits wipe_rx_free) times"
			rc=1
		}
		echo 0 >$tr/tracing_on
		echo 0 >$tr/events/$g/enable
		grep wipe_ $tr/kprobe_profile
		# no record lost: no overrun, no dropped event, no missed probe hit
		for st in $tr/per_cpu/cpu*/stats; do
			a=$(awk -F': *' '$1 == "overrun" || $1 == "commit overrun" ||
				$1 == "dropped events" { n += $2 } END { print n + 0 }' "$st")
			[ "$a" -eq 0 ] || { fail "$st: $a records lost: $(tr '\n' ' ' <"$st")"; rc=1; }
		done
		a=$(awk '$1 ~ /^wipe_/ { n += $3 } END { print n + 0 }' $tr/kprobe_profile)
		[ "$a" -eq 0 ] || { fail "$a probe hits missed"; rc=1; }
		cat $tr/trace >"$WORK/wipe.trace"
		echo "$(grep -c ': wipe_' "$WORK/wipe.trace") records," \
		     "$(wc -c <"$WORK/wipe.trace") bytes of trace"
		python3 "$WORK/wipe.py" "$WORK/wipe.trace" $key $salt || rc=1
	fi
	echo 0 >$tr/events/$g/enable 2>/dev/null
	for i in wipe_free wipe_free_b wipe_sens wipe_sens_b wipe_rx_free wipe_dev_del; do
		echo "-:$g/$i" >>$tr/kprobe_events 2>/dev/null
	done
	echo >$tr/trace
	echo 1408 >$tr/buffer_size_kb
	echo 1 >$tr/tracing_on
	echo "$optim" >$opt
	return $rc
}

# rx_released NS DEV: every RX context DEV added was deleted
rx_released()
{
	[ "$(dev_stat "$1" "$2" rx_tls_ctx)" = "$(dev_stat "$1" "$2" rx_tls_del)" ]
}

snap() { dev_snap "$TX_NS" tls0 "$WORK/$1"; }
d() { snap_delta "$WORK/before" "$WORK/after" "$1"; }

# A connection stays up as long as wanted when its receiver is stopped
# (SIGSTOP) before it connects: the kernel accepts it, fills the receive
# buffer, and the sender waits for window with the connection offloaded.
# SIGCONT lets the transfer finish and be verified.

# ------------------------------------------------------------------------

test_usage()
{
	local g

	expect 0 "link add NAME link LOWER" "$CTL" --help || return 1
	for g in link conn stats fault; do
		expect 0 "tlsdevctl \[-j\] $g " "$CTL" "$g" --help || return 1
	done
	expect 0 "rx-resync" "$CTL" link add --help || return 1
	expect 2 "unknown command" "$CTL" frobnicate || return 1
	expect 2 "missing command" "$CTL" link || return 1
	expect 2 "missing 'link LOWER'" "$CTL" link add bad0 || return 1
	expect 2 "'bogus' is not replay or request" \
		"$CTL" link add bad0 link veth0 tx-resync bogus || return 1
	expect 2 "not request, hint or async" \
		"$CTL" link add bad0 link veth0 rx-resync sideways || return 1
	expect 2 "'rx-resync' needs a value" \
		"$CTL" link add bad0 link veth0 rx-resync || return 1
	expect 0 "rx-async drop|delay nth N" "$CTL" fault --help || return 1
	expect 2 "needs 'nth N'" "$CTL" fault set dev tls0 tx drop || return 1
	expect 2 "at least 1" "$CTL" fault set dev tls0 tx drop nth 0 || return 1
	expect 2 "rx drop needs 'nth N'" "$CTL" fault set dev tls0 rx drop || return 1
	expect 2 "rx-async needs an action: drop or delay, or none" \
		"$CTL" fault set dev tls0 rx-async || return 1
	expect 2 "rx: 'bogus' is not drop, delay, corrupt or desync, or none" \
		"$CTL" fault set dev tls0 rx bogus nth 1 || return 1
	expect 2 "'nth' given twice" "$CTL" fault set dev tls0 rx corrupt nth 1 nth 2 ||
		return 1
	expect 2 "rx-async none takes no nth or every" \
		"$CTL" fault set dev tls0 rx-async none every 1 || return 1
	expect 2 "not a 32-bit" "$CTL" fault set dev tls0 add-fail -1 || return 1
	expect 2 "expected 'dev NAME'" "$CTL" stats show tls0 || return 1
	# every line of an error is one line
	[ "$(wc -l <<<"$out")" -eq 1 ] || { fail "error on several lines: $out"; return 1; }
}

# A tlsdev made by tlsdevctl with options, as tlsdevctl, ip and ethtool see it.
link_check()
{
	local backend=$1 mode=$2 rx=$3 rc=0

	ctl link add tlsx link veth2 backend "$backend" tx-resync "$mode" \
		rx-resync "$rx" || return 1
	[ "$(field tlsx backend)" = "$backend" ] ||
		{ fail "link show: backend $(field tlsx backend), not $backend"; rc=1; }
	[ "$(field tlsx tx_resync)" = "$mode" ] ||
		{ fail "link show: tx-resync $(field tlsx tx_resync), not $mode"; rc=1; }
	[ "$(field tlsx rx_resync)" = "$rx" ] ||
		{ fail "link show: rx-resync $(field tlsx rx_resync), not $rx"; rc=1; }
	[ "$(field tlsx lower)" = veth2 ] || { fail "link show: lower not veth2"; rc=1; }
	[ "$(field tlsx tx_conns)/$(field tlsx rx_conns)" = 0/0 ] ||
		{ fail "link show: conns on a new device"; rc=1; }
	[ "$(field tlsx ifindex)" = "$(nsx "$TX_NS" cat /sys/class/net/tlsx/ifindex)" ] ||
		{ fail "link show: wrong ifindex"; rc=1; }
	[ "$(field tlsx lower_ifindex)" = "$(nsx "$TX_NS" cat /sys/class/net/veth2/ifindex)" ] ||
		{ fail "link show: wrong lower ifindex"; rc=1; }
	ctl link show tlsx |
		grep -q "^tlsx: lower veth2 backend $backend tx-resync $mode rx-resync $rx tx-conns 0 rx-conns 0$" ||
		{ fail "link show text: $(ctl link show tlsx)"; rc=1; }
	[ "$(ip -n "$TX_NS" -d -j link show tlsx | jq -r '.[0].linkinfo.info_kind')" = tlsdev ] ||
		{ fail "ip -d link show: not a tlsdev"; rc=1; }
	# tlsdev is an upper device of its lower one (ip shows no @LOWER:
	# the device has no ndo_get_iflink)
	nsx "$TX_NS" test -e /sys/class/net/tlsx/lower_veth2 ||
		{ fail "sysfs: tlsx is not an upper device of veth2"; rc=1; }
	nsx "$TX_NS" ethtool -i tlsx | grep -q "^firmware-version: $backend$" ||
		{ fail "ethtool -i: backend is not $backend"; rc=1; }
	ctl link del tlsx || rc=1
	! ip -n "$TX_NS" link show tlsx >/dev/null 2>&1 ||
		{ fail "tlsx survived link del"; rc=1; }
	return $rc
}

test_link_add()
{
	local b backends=emu

	ip -n "$TX_NS" link add veth2 type veth peer name veth3 || return 1
	# default options
	ctl link add tlsx link veth2 || return 1
	[ "$(field tlsx backend)/$(field tlsx tx_resync)/$(field tlsx rx_resync)" = \
	  emu/replay/request ] || { fail "defaults: $(ctl link show tlsx)"; return 1; }
	ctl link del tlsx || return 1
	# ip-style name keyword
	ctl link add link veth2 name tlsx || return 1
	ctl link del tlsx || return 1
	for b in mlx5 null; do
		[ -d "/sys/module/tlsdev_$b" ] && backends+=" $b"
	done
	echo "backends: $backends"
	for b in $backends; do
		link_check "$b" replay hint || return 1
		link_check "$b" request request || return 1
	done
	ctl link show | grep -q "^tls0: lower veth0 backend emu tx-resync replay rx-resync request " ||
		{ fail "link show of all devices: $(ctl link show)"; return 1; }
}

# rx-resync async: taken by a module whose RX datapath has async resync
test_link_async()
{
	local rc=0

	if ! ctl link add tlsx link veth2 rx-resync async >"$WORK/async" 2>&1; then
		if grep -q "integer out of range" "$WORK/async"; then
			echo "tlsdev.ko refuses rx-resync async: $(cat "$WORK/async")"
			return 4
		fi
		fail "link add rx-resync async: $(cat "$WORK/async")"
		return 1
	fi
	[ "$(field tlsx rx_resync)" = async ] ||
		{ fail "link show: rx-resync $(field tlsx rx_resync), not async"; rc=1; }
	ctl link show tlsx | grep -q "^tlsx: .* rx-resync async " ||
		{ fail "link show text: $(ctl link show tlsx)"; rc=1; }
	ctl link del tlsx || rc=1
	return $rc
}

test_refusals()
{
	expect 1 "unknown backend" ctl link add tlsx link veth2 backend nope ||
		return 1
	expect 1 "lower device not found" ctl link add tlsx link nosuch0 ||
		return 1
	expect 1 "busy" ctl link add tlsx link veth0 || return 1
	expect 1 "File exists" ctl link add tls0 link veth2 || return 1
	expect 1 "tlsdev on a tlsdev" ctl link add tlsx link tls0 || return 1
	ip -n "$TX_NS" link show tlsx >/dev/null 2>&1 && { fail "a refused device exists"; return 1; }
	expect 1 "veth2: not a tlsdev device" ctl stats show dev veth2 || return 1
	expect 1 "veth2: not a tlsdev device" ctl conn show dev veth2 || return 1
	expect 1 "veth2: not a tlsdev device" ctl fault set dev veth2 add-fail 1 ||
		return 1
	expect 1 "veth2: not a tlsdev device" ctl link show veth2 || return 1
	expect 1 "veth2: not a tlsdev device" ctl link del veth2 || return 1
	ip -n "$TX_NS" link show veth2 >/dev/null || { fail "link del removed a veth"; return 1; }
	expect 1 "nosuch0: no such device" ctl stats show dev nosuch0 || return 1
	expect 1 "nosuch0: no such device" ctl fault clear dev nosuch0 || return 1
	# the other netns has no tls0
	expect 1 "no such device" nsx "$RX_NS" "$CTL" stats show dev tls0 || return 1
	[ -z "$(nsx "$RX_NS" "$CTL" link show)" ] || { fail "devices of another netns listed"; return 1; }
}

# conn_of ADDR PORT [DIR [NS DEV]]: the connection to ADDR:PORT in conn
# show -j (of DIR, default tx; of DEV in NS, default tls0 in TX_NS)
conn_of()
{
	nsx "${4:-$TX_NS}" "$CTL" -j conn show dev "${5:-tls0}" |
		jq -c ".[] | select(.dport == $2 and .daddr == \"$1\" and .dir == \"${3:-tx}\")"
}

# conn_check JSON KEY VALUE...: fields of a conn show -j entry
conn_check()
{
	local json=$1 k v got
	shift

	while [ $# -gt 0 ]; do
		k=$1 v=$2
		shift 2
		got=$(jq -r ".$k" <<<"$json")
		[ "$got" = "$v" ] || { fail "conn show: $k is $got, not $v: $json"; return 1; }
	done
}

# client_start NAME ADDR:PORT [ARGS...]: a tlsxfer client in TX_NS in the
# background, $client its pid
client_start()
{
	local name=$1 to=$2
	shift 2

	ip netns exec "$TX_NS" "$TLSXFER" client --connect "$to" --timeout 60 \
		"$@" >"$WORK/$name" 2>&1 &
	client=$!
}

test_conn_live()
{
	local a b c4 c6 rc=0 s4 s6

	server_start live4 $PORT --bytes 4M || return 1
	s4=$server
	SRV_ADDR="[$RX_IP6]" server_start live6 $PORT2 --bytes 4M --key $KEY256 ||
		return 1
	s6=$server
	kill -STOP "$s4" "$s6"
	client_start live4 "$RX_IP4:$PORT" --bytes 4M --require-offload tx
	a=$client
	client_start live6 "[$RX_IP6]:$PORT2" --bytes 4M --key $KEY256 \
		--require-offload tx
	b=$client
	busywait 20000 conns 2 tx || { fail "conn show never listed 2 connections"; rc=1; }
	# the clients' RX (the status line the server sends) is offloaded too
	busywait 20000 conns 2 rx || { fail "conn show never listed 2 RX connections"; rc=1; }
	ctl conn show
	c4=$(conn_of $RX_IP4 $PORT)
	c6=$(conn_of $RX_IP6 $PORT2)
	conn_check "$c4" dev tls0 dir tx family inet saddr $TX_IP4 cipher aes-gcm-128 \
		synced true || rc=1
	conn_check "$c6" dev tls0 dir tx family inet6 saddr $TX_IP6 cipher aes-gcm-256 \
		synced true || rc=1
	[ "$(jq .sport <<<"$c4")" -gt 0 ] 2>/dev/null || { fail "no source port"; rc=1; }
	# the device encrypted what the receiver took before it stopped
	[ "$(jq '.tcp_seq - .start_seq' <<<"$c4")" -gt 0 ] 2>/dev/null ||
		{ fail "the device's stream did not move: $c4"; rc=1; }
	ctl conn show | grep -q "^tls0 tx $TX_IP4:[0-9]* $RX_IP4:$PORT aes-gcm-128 " ||
		{ fail "conn show text"; rc=1; }
	ctl conn show | grep -q "^tls0 tx \[$TX_IP6\]:[0-9]* \[$RX_IP6\]:$PORT2 aes-gcm-256 " ||
		{ fail "conn show text (IPv6)"; rc=1; }
	# the RX side of the same sockets: same addresses and ports
	conn_check "$(conn_of $RX_IP4 $PORT rx)" dev tls0 dir rx family inet \
		saddr $TX_IP4 sport "$(jq .sport <<<"$c4")" cipher aes-gcm-128 \
		state sync synced true ooo 0 resyncs 0 || rc=1
	conn_check "$(conn_of $RX_IP6 $PORT2 rx)" dir rx family inet6 saddr $TX_IP6 \
		sport "$(jq .sport <<<"$c6")" cipher aes-gcm-256 state sync || rc=1
	ctl conn show | grep -q "^tls0 rx $TX_IP4:[0-9]* $RX_IP4:$PORT aes-gcm-128 tcp-seq [0-9]* rec-seq 0 state sync ooo 0 resyncs 0$" ||
		{ fail "conn show text (RX)"; rc=1; }
	[ "$(field tls0 tx_conns)/$(field tls0 rx_conns)" = 2/2 ] ||
		{ fail "link show: conns $(field tls0 tx_conns)/$(field tls0 rx_conns)"; rc=1; }
	kill -CONT "$s4" "$s6"

	wait "$a" || { fail "IPv4 client failed"; rc=1; }
	wait "$b" || { fail "IPv6 client failed"; rc=1; }
	wait "$s4" || { fail "IPv4 server failed"; rc=1; }
	wait "$s6" || { fail "IPv6 server failed"; rc=1; }
	[ $rc -eq 0 ] || { cat "$WORK/live4" "$WORK/live6"; return 1; }
	# deletion is asynchronous (the TLS core's destruct work)
	busywait 10000 conns 0 || { fail "conn show still lists: $(ctl conn show)"; return 1; }
	[ "$(field tls0 tx_conns)/$(field tls0 rx_conns)" = 0/0 ] ||
		fail "link show: conns $(field tls0 tx_conns)/$(field tls0 rx_conns)"
}

# Many kTLS sockets at once, and the conn-get dump read in parts: see
# ktls_socks.py.
KTLS_SOCKS=$SELFTESTS_DIR/ktls_socks.py

test_conn_many()
{
	local n=40 lst cli rc=0 json c p u

	ip netns exec "$RX_NS" python3 "$KTLS_SOCKS" listen $RX_IP4 $PORT &
	lst=$!
	busywait 20000 port_listening "$RX_NS" $PORT ||
		{ kill $lst; fail "python listener did not start"; return 1; }
	ip netns exec "$TX_NS" python3 "$KTLS_SOCKS" connect $RX_IP4 $PORT $n \
		>"$WORK/many.out" 2>&1 &
	cli=$!
	busywait 30000 grep -q ready "$WORK/many.out" ||
		{ fail "sockets not set up: $(cat "$WORK/many.out")"; rc=1; }
	# ~150 bytes a connection, each listed for TX and for RX: the dump
	# takes several messages
	json=$(ctl -j conn show)
	[ "$(jq length <<<"$json")" -eq $((2 * n)) ] ||
		{ fail "conn show listed $(jq length <<<"$json") of $((2 * n))"; rc=1; }
	[ "$(jq '[.[] | [.dir, .sport]] | unique | length' <<<"$json")" -eq $((2 * n)) ] ||
		{ fail "conn show listed a connection twice"; rc=1; }
	[ "$(jq '[.[] | select(.dir == "rx")] | length' <<<"$json")" -eq $n ] ||
		{ fail "conn show did not list $n RX connections"; rc=1; }
	[ "$(ctl -j conn show dev tls0 | jq length)" -eq $((2 * n)) ] ||
		{ fail "conn show dev tls0 did not list $((2 * n))"; rc=1; }
	[ "$(field tls0 tx_conns)/$(field tls0 rx_conns)" = $n/$n ] ||
		{ fail "link show: conns $(field tls0 tx_conns)/$(field tls0 rx_conns)"; rc=1; }
	read -r c p u < <(nsx "$TX_NS" python3 "$KTLS_SOCKS" dump - 0)
	echo "raw dump: $c connections in $p reads, $u distinct"
	if [ "$c/$u" != "$((2 * n))/$((2 * n))" ] || [ "$p" -lt 2 ]; then
		fail "dump in several parts: $c connections, $p reads, $u distinct"
		rc=1
	fi
	kill $cli $lst
	wait $cli $lst 2>/dev/null
	busywait 20000 conns 0 || { fail "conn show still lists $(ctl -j conn show | jq length)"; rc=1; }
	return $rc
}

# rx_side_tlsdev [LINK_ADD_ARGS...]: tls1 (tlsdev on veth1, made by
# tlsdevctl with these arguments) takes RX_NS's addresses; rx_side_plain
# gives them back to veth1 and deletes tls1
rx_side_tlsdev()
{
	ip -n "$RX_NS" addr flush dev veth1
	nsx "$RX_NS" "$CTL" link add tls1 link veth1 "$@" || return 1
	ip -n "$RX_NS" link set tls1 up
	ip -n "$RX_NS" addr add "$RX_IP4/24" dev tls1
	ip -n "$RX_NS" addr add "$RX_IP6/64" dev tls1 nodad
	busywait 5000 nsx "$TX_NS" ping -c1 -W1 -q "$RX_IP4" >/dev/null &&
	busywait 5000 nsx "$TX_NS" ping -c1 -W1 -q "$RX_IP6" >/dev/null
}

rx_side_plain()
{
	local rc=0

	busywait 10000 dev_ctx_released "$RX_NS" tls1 || { fail "tls1: TX contexts left"; rc=1; }
	busywait 10000 rx_released "$RX_NS" tls1 || { fail "tls1: RX contexts left"; rc=1; }
	nsx "$RX_NS" "$CTL" link del tls1 || rc=1
	ip -n "$RX_NS" addr add "$RX_IP4/24" dev veth1
	ip -n "$RX_NS" addr add "$RX_IP6/64" dev veth1 nodad
	busywait 5000 nsx "$TX_NS" ping -c1 -W1 -q "$RX_IP4" >/dev/null || rc=1
	return $rc
}

# rx_conn_check ADDR RX_ADDR: with tlsdev on both ends, a receiver in
# RX_NS that holds its RX-offloaded socket and a sender in TX_NS that sent
# 10 records: tls1 lists the RX connection where the device expects the
# byte after the sender's last one, with the record count of tls0's TX one
rx_conn_check()
{
	local addr=$1 raddr=$2 rcv snd rc=0 rx tx sport

	rm -f "$WORK/go"
	ip netns exec "$RX_NS" python3 "$KTLS_SOCKS" rxhold "$raddr" $PORT \
		>"$WORK/rxhold.out" 2>&1 &
	rcv=$!
	busywait 20000 port_listening "$RX_NS" $PORT ||
		{ kill $rcv; fail "receiver did not start"; return 1; }
	ip netns exec "$TX_NS" python3 "$KTLS_SOCKS" txsend "$raddr" $PORT 10 "$WORK/go" \
		>"$WORK/txsend.out" 2>&1 &
	snd=$!
	# the receiver's keys before the first record
	busywait 20000 grep -q ready "$WORK/rxhold.out" ||
		{ fail "receiver not set up: $(cat "$WORK/rxhold.out")"; rc=1; }
	touch "$WORK/go"
	busywait 20000 grep -q sent "$WORK/txsend.out" ||
		{ fail "sender did not send: $(cat "$WORK/txsend.out")"; rc=1; }
	# the device decrypts as records arrive; the receiver reads none
	sport=$(ctl -j conn show dev tls0 | jq ".[] | select(.dir == \"tx\" and .dport == $PORT) | .sport")
	rx_seen() { rx=$(conn_of "$addr" "$sport" rx "$RX_NS" tls1) && [ "$(jq .rec_seq <<<"$rx")" = 10 ]; }
	busywait 20000 rx_seen ||
		{ fail "tls1 never listed the RX connection at record 10: $(nsx "$RX_NS" "$CTL" conn show)"; rc=1; }
	tx=$(conn_of "$raddr" $PORT tx)
	nsx "$RX_NS" "$CTL" conn show dev tls1
	ctl conn show dev tls0
	conn_check "$rx" dev tls1 dir rx saddr "$raddr" sport $PORT cipher aes-gcm-128 \
		state sync state_num 0 synced true ooo 0 resyncs 0 rec_seq 10 || rc=1
	conn_check "$tx" rec_seq 10 || rc=1
	[ "$(jq .tcp_seq <<<"$rx")" = "$(jq .tcp_seq <<<"$tx")" ] ||
		{ fail "RX expects tcp-seq $(jq .tcp_seq <<<"$rx"), the sender is at $(jq .tcp_seq <<<"$tx")"; rc=1; }
	nsx "$RX_NS" "$CTL" conn show dev tls1 |
		grep -q "^tls1 rx .*:$PORT .*:$sport aes-gcm-128 tcp-seq [0-9]* rec-seq 10 state sync ooo 0 resyncs 0$" ||
		{ fail "conn show text (RX)"; rc=1; }
	[ "$(nsx "$RX_NS" "$CTL" -j link show tls1 | jq .[0].rx_conns)" = 1 ] ||
		{ fail "tls1: rx_conns not 1"; rc=1; }
	kill $snd $rcv
	wait $snd $rcv 2>/dev/null
	return $rc
}

test_conn_rx()
{
	local rc=0

	rx_side_tlsdev rx-resync hint || return 1
	[ "$(nsx "$RX_NS" "$CTL" -j link show tls1 | jq -r .[0].rx_resync)" = hint ] ||
		{ fail "tls1 is not in rx-resync hint"; rc=1; }
	rx_conn_check "$TX_IP4" "$RX_IP4" || rc=1
	rx_conn_check "$TX_IP6" "$RX_IP6" || rc=1
	busywait 20000 conns 0 || { fail "tls0 still lists: $(ctl conn show)"; rc=1; }
	rx_side_plain || rc=1
	return $rc
}

# fault_xfer ACTION NTH [EVERY]: a transfer with ACTION on the NTH segment
fault_xfer()
{
	local action=$1 nth=$2 every=${3:-0} rc=0 c

	busywait 10000 dev_ctx_released "$TX_NS" tls0 || return 1
	snap before
	ctl fault set dev tls0 tx "$action" nth "$nth" every "$every" || return 1
	[ "$(field tls0 fault.tx_action)/$(field tls0 fault.tx_nth)/$(field tls0 fault.tx_every)" = \
	  "$action/$nth/$every" ] || { fail "link show: $(ctl -j link show tls0)"; rc=1; }
	xfer "fault-$action" $PORT 1M --require-offload tx || rc=1
	[ "$(field tls0 fault.tx_count)" -ge "$nth" ] ||
		{ fail "tx_count $(field tls0 fault.tx_count) < $nth"; rc=1; }
	ctl fault clear dev tls0 || rc=1
	[ "$(field tls0 fault.tx_action)" = none ] || { fail "fault clear"; rc=1; }
	snap after
	for c in fault_$action tx_tls_ooo tx_tls_dump_packets tx_tls_encrypted_packets; do
		echo "$c +$(d "$c")"
	done
	return $rc
}

test_fault_drop()
{
	fault_xfer drop 5 || return 1
	[ "$(d fault_drop)" -eq 1 ] || { fail "fault_drop +$(d fault_drop), not 1"; return 1; }
	[ "$(d tx_tls_ooo)" -gt 0 ] || { fail "no out-of-sequence segment after a drop"; return 1; }
}

test_fault_dup()
{
	fault_xfer dup 5 || return 1
	[ "$(d fault_dup)" -eq 1 ] || { fail "fault_dup +$(d fault_dup), not 1"; return 1; }
}

test_fault_delay()
{
	fault_xfer delay 5 || return 1
	[ "$(d fault_delay)" -eq 1 ] || { fail "fault_delay +$(d fault_delay), not 1"; return 1; }
}

test_fault_replay()
{
	fault_xfer replay 5 10 || return 1
	[ "$(d fault_replay)" -ge 1 ] || { fail "fault_replay +$(d fault_replay)"; return 1; }
	[ "$(d tx_tls_dump_packets)" -ge "$(d fault_replay)" ] ||
		{ fail "tx_tls_dump_packets +$(d tx_tls_dump_packets) < fault_replay"; return 1; }
	# the counters of stats show are those of ethtool -S
	[ "$(ctl -j stats show dev tls0 | jq .stats.fault_replay)" = \
	  "$(dev_stat "$TX_NS" tls0 fault_replay)" ] || { fail "stats show and ethtool -S differ"; return 1; }
}

test_fault_add_fail()
{
	busywait 10000 dev_ctx_released "$TX_NS" tls0 || return 1
	snap before
	ctl fault set dev tls0 add-fail 1 || return 1
	[ "$(field tls0 fault.add_fail)" = 1 ] || { fail "link show: add_fail not 1"; return 1; }
	# TX keys only: one tls_dev_add, which add-fail makes fail
	SRV_ARGS=--no-tx-keys xfer add-fail1 $PORT 256K --no-rx-keys || return 1
	grep -q "^tx: sw" "$WORK/add-fail1" || { fail "the failed add did not give tx: sw"; return 1; }
	[ "$(field tls0 fault.add_fail)" = 0 ] || { fail "add_fail not used up"; return 1; }
	xfer add-fail2 $PORT 256K --require-offload tx || return 1
	# RX keys only: the add that fails is an RX one
	ctl fault set dev tls0 add-fail 1 || return 1
	SRV_ARGS=--no-rx-keys xfer add-fail3 $PORT 256K --no-tx-keys || return 1
	grep -q "^rx: sw" "$WORK/add-fail3" || { fail "the failed RX add did not give rx: sw"; return 1; }
	[ "$(field tls0 fault.add_fail)" = 0 ] || { fail "add_fail not used up by RX"; return 1; }
	snap after
	[ "$(d fault_add_fail)" -eq 2 ] || { fail "fault_add_fail +$(d fault_add_fail), not 2"; return 1; }
	[ "$(d rx_tls_ctx)" -eq 1 ] || { fail "rx_tls_ctx +$(d rx_tls_ctx), not 1 (add-fail2 only)"; return 1; }
}

test_fault_ctx_limit()
{
	local a c rc=0

	busywait 10000 dev_ctx_released "$TX_NS" tls0 || return 1
	snap before
	ctl fault set dev tls0 ctx-limit 1 || return 1
	[ "$(field tls0 fault.ctx_limit)" = 1 ] || { fail "link show: ctx_limit not 1"; rc=1; }
	server_start limit1 $PORT --bytes 2M || return 1
	a=$server
	kill -STOP "$a"
	client_start limit1 "$RX_IP4:$PORT" --bytes 2M
	c=$client
	# TX and RX share the limit: the first socket's TX takes the one
	# context, its RX and the second socket's TX and RX are refused
	busywait 20000 conns 1 tx || { fail "first connection not offloaded"; rc=1; }
	conns 1 || { fail "conn show: $(ctl conn show)"; rc=1; }
	xfer limit2 $PORT2 64K || rc=1
	kill -CONT "$a"
	wait "$c" || { fail "first client failed"; rc=1; }
	wait "$a" || { fail "first server failed"; rc=1; }
	ctl fault clear dev tls0 || rc=1
	snap after
	grep "^tx:" "$WORK/limit1" | sed "s/^/[limit1] /"
	grep -q "^tx: hw" "$WORK/limit1" || { fail "first connection not hw"; rc=1; }
	grep -q "^tx: sw" "$WORK/limit2" || { fail "second connection not sw"; rc=1; }
	grep -q "^rx: sw" "$WORK/limit1" || { fail "first connection's RX not sw"; rc=1; }
	[ "$(d tx_tls_ctx_refused)" -eq 1 ] ||
		{ fail "tx_tls_ctx_refused +$(d tx_tls_ctx_refused), not 1"; rc=1; }
	[ "$(d rx_tls_ctx_refused)" -eq 2 ] ||
		{ fail "rx_tls_ctx_refused +$(d rx_tls_ctx_refused), not 2"; rc=1; }
	[ "$(d rx_tls_ctx)" -eq 0 ] || { fail "rx_tls_ctx +$(d rx_tls_ctx) over the limit"; rc=1; }
	return $rc
}

# rule_is DEV PREFIX ACTION NTH EVERY COUNT: link show -j of DEV in TX_NS
rule_is()
{
	local got

	got=$(ctl -j link show "$1" |
	      jq -r ".[0].fault | [.$2_action, .$2_nth, .$2_every, .$2_count] | map(tostring) | join(\"/\")")
	[ "$got" = "$3/$4/$5/$6" ] || { fail "$2 rule is $got, not $3/$4/$5/$6"; return 1; }
}

# The RX rules are set, shown and cleared on their own (no traffic)
test_fault_rx_set()
{
	local rc=0

	ctl fault set dev tls0 tx drop nth 100 || return 1
	ctl fault set dev tls0 rx corrupt nth 3 every 7 || return 1
	rule_is tls0 rx corrupt 3 7 0 || rc=1
	rule_is tls0 tx drop 100 0 0 || rc=1
	rule_is tls0 rx_async none 0 0 0 || rc=1
	for a in drop delay desync; do
		ctl fault set dev tls0 rx $a nth 2 || rc=1
		rule_is tls0 rx $a 2 0 0 || rc=1
	done
	ctl fault set dev tls0 rx-async delay nth 2 every 5 || rc=1
	rule_is tls0 rx_async delay 2 5 0 || rc=1
	ctl fault set dev tls0 rx-async drop nth 1 || rc=1
	rule_is tls0 rx_async drop 1 0 0 || rc=1
	rule_is tls0 rx desync 2 0 0 || rc=1
	ctl link show tls0 |
		grep -q "^    fault: tx drop nth 100 every 0 (0 segments seen) rx desync nth 2 every 0 (0 segments seen) rx-async drop nth 1 every 0 (0 answers seen)$" ||
		{ fail "link show text: $(ctl link show tls0)"; rc=1; }
	ctl fault set dev tls0 rx none || rc=1
	rule_is tls0 rx none 0 0 0 || rc=1
	rule_is tls0 rx_async drop 1 0 0 || rc=1
	ctl fault clear dev tls0 || rc=1
	rule_is tls0 tx none 0 0 0 || rc=1
	rule_is tls0 rx_async none 0 0 0 || rc=1
	ctl link show tls0 | grep -q "fault:" && { fail "fault line after clear"; rc=1; }
	return $rc
}

# An action of the other direction is refused by the kernel, whose message
# tlsdevctl prints; nothing is set
test_fault_rx_refused()
{
	local a rc=0

	for a in dup replay hold; do
		expect 1 "tls0: an rx action is none, drop, delay, corrupt or desync (Invalid argument)" \
			ctl fault set dev tls0 rx $a nth 1 || rc=1
	done
	for a in corrupt desync; do
		expect 1 "tls0: a tx action is none, drop, dup, delay, replay or hold (Invalid argument)" \
			ctl fault set dev tls0 tx $a nth 1 || rc=1
	done
	for a in corrupt desync dup replay hold; do
		expect 1 "tls0: an rx-async action is none, drop or delay (Invalid argument)" \
			ctl fault set dev tls0 rx-async $a nth 1 || rc=1
	done
	[ "$(wc -l <<<"$out")" -eq 1 ] || { fail "error on several lines: $out"; rc=1; }
	rule_is tls0 tx none 0 0 0 || rc=1
	rule_is tls0 rx none 0 0 0 || rc=1
	rule_is tls0 rx_async none 0 0 0 || rc=1
	return $rc
}

# rx_fault_xfer RULE ACTION NTH EVERY EXPECT [LINK_ADD_ARGS...]: with tls1
# receiving (tlsdev on both ends), a 1 MiB transfer with RULE ACTION on
# tls1; EXPECT is "ok" (data intact) or "badmsg" (the receiver gets
# EBADMSG). Returns 4 (SKIP) if the rule saw no event: the RX datapath
# does not call tlsdev_fault_rx/_rx_async yet.
rx_fault_xfer()
{
	local rule=$1 action=$2 nth=$3 every=$4 expect=$5 key rc=0 xrc=0 n c
	shift 5

	rx_side_tlsdev "$@" || return 1
	dev_snap "$RX_NS" tls1 "$WORK/before"
	nsx "$RX_NS" "$CTL" fault set dev tls1 "$rule" "$action" nth "$nth" every "$every" ||
		{ rx_side_plain; return 1; }
	key=${rule//-/_}
	[ "$(nsx "$RX_NS" "$CTL" -j link show tls1 | jq -r ".[0].fault.${key}_action")" = "$action" ] ||
		{ fail "tls1: $rule action not set"; rc=1; }
	if [ -n "${RX_EXTRA_FAULT:-}" ]; then
		# shellcheck disable=SC2086 # words
		nsx "$RX_NS" "$CTL" fault set dev tls1 $RX_EXTRA_FAULT || rc=1
	fi
	xfer "rx-$rule-$action" $PORT 1M --require-offload tx >"$WORK/rx-xfer" 2>&1 || xrc=1
	n=$(nsx "$RX_NS" "$CTL" -j link show tls1 | jq ".[0].fault.${key}_count")
	nsx "$RX_NS" "$CTL" fault clear dev tls1 || rc=1
	dev_snap "$RX_NS" tls1 "$WORK/after"
	echo "$rule $action nth $nth every $every: $n events seen, transfer rc $xrc"
	for c in "fault_$action" rx_tls_ooo rx_tls_sync_lost rx_tls_decrypted_packets \
		 rx_tls_resync_res_ok rx_tls_auth_fail; do
		grep -q "^$c " "$WORK/after" && echo "tls1 $c +$(d "$c")"
	done
	if [ "$n" = 0 ]; then
		rx_side_plain || rc=1
		if [ $xrc -ne 0 ]; then
			cat "$WORK/rx-xfer"
			fail "the transfer failed and the $rule rule saw no event"
			return 1
		fi
		[ $rc -eq 0 ] || return 1
		echo "the RX datapath does not apply the $rule rule (no event counted)"
		return 4
	fi
	[ "$n" -ge "$nth" ] || { fail "$rule count $n < nth $nth"; rc=1; }
	case $expect in
	ok)
		[ $xrc -eq 0 ] || { cat "$WORK/rx-xfer"; fail "the transfer failed with $rule $action"; rc=1; }
		;;
	badmsg)
		[ $xrc -ne 0 ] || { fail "the transfer succeeded with corrupt ciphertext"; rc=1; }
		grep -q EBADMSG "$WORK/rx-$rule-$action.server" ||
			{ fail "the receiver did not get EBADMSG: $(cat "$WORK/rx-$rule-$action.server")"; rc=1; }
		;;
	esac
	# a fault the device counts under its name is counted once at least
	if grep -q "^fault_$action " "$WORK/after" && [ "$(d "fault_$action")" -lt 1 ]; then
		fail "fault_$action +$(d "fault_$action")"
		rc=1
	fi
	rx_side_plain || rc=1
	return $rc
}

test_fault_rx_drop() { rx_fault_xfer rx drop 5 0 ok; }
test_fault_rx_delay() { rx_fault_xfer rx delay 5 20 ok; }
test_fault_rx_desync() { rx_fault_xfer rx desync 10 0 ok; }
test_fault_rx_corrupt() { rx_fault_xfer rx corrupt 5 0 badmsg; }

# rx-async drop: on a device in rx-resync async mode, made to lose its
# sync now and then (rx desync) so that it answers the core's queries
test_fault_rx_async()
{
	if ! ctl link add tlsx link veth2 rx-resync async >/dev/null 2>&1; then
		echo "tlsdev.ko refuses rx-resync async"
		return 4
	fi
	ctl link del tlsx || return 1
	RX_EXTRA_FAULT="rx desync nth 10 every 50" \
		rx_fault_xfer rx-async drop 1 0 ok rx-resync async
}

# run_unprivileged CMD...: CMD without CAP_NET_ADMIN, in TX_NS
run_unprivileged()
{
	if command -v capsh >/dev/null; then
		nsx "$TX_NS" capsh --drop=cap_net_admin -- -c '"$@"' -- "$@"
	else
		nsx "$TX_NS" setpriv --inh-caps=-all --bounding-set=-net_admin -- "$@"
	fi
}

test_eperm()
{
	if ! command -v capsh >/dev/null && ! command -v setpriv >/dev/null; then
		return 4
	fi
	expect 1 "Operation not permitted" \
		run_unprivileged "$CTL" fault set dev tls0 add-fail 1 || return 1
	[ "$(field tls0 fault.add_fail)" = 0 ] || { fail "an unprivileged fault set took effect"; return 1; }
	expect 1 "Operation not permitted" \
		run_unprivileged "$CTL" fault set dev tls0 rx drop nth 1 || return 1
	expect 1 "Operation not permitted" \
		run_unprivileged "$CTL" fault set dev tls0 rx-async delay nth 1 || return 1
	rule_is tls0 rx none 0 0 0 || return 1
	rule_is tls0 rx_async none 0 0 0 || return 1
	expect 1 "Operation not permitted" \
		run_unprivileged "$CTL" fault clear dev tls0 || return 1
	expect 0 "^tls0: " run_unprivileged "$CTL" link show || return 1
	expect 0 "tx_tls_ctx" run_unprivileged "$CTL" stats show dev tls0 || return 1
	expect 0 "" run_unprivileged "$CTL" conn show
}

# Malformed requests, each to be refused with this errno and message.
cat >"$WORK/nlfuzz.py" <<'EOF'
import errno, os, socket, struct, sys

SOL_NETLINK, NETLINK_EXT_ACK, NETLINK_CAP_ACK = 270, 11, 10
F_REQUEST, F_ACK, F_DUMP = 1, 4, 0x300
F_CAPPED, F_ACK_TLVS = 0x100, 0x200
NESTED = 0x8000
ERROR, DONE = 2, 3

tls0, veth = int(sys.argv[1]), int(sys.argv[2])

def attr(t, data):
    a = struct.pack('=HH', 4 + len(data), t) + data
    return a + b'\0' * (-len(a) % 4)

def u32(t, v): return attr(t, struct.pack('=I', v))
def u8(t, v): return attr(t, struct.pack('=B', v))
def string(t, s): return attr(t, s.encode() + b'\0')

class Sock:
    def __init__(self, proto):
        self.s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, proto)
        self.s.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        self.s.setsockopt(SOL_NETLINK, NETLINK_CAP_ACK, 1)
        self.s.bind((0, 0))
        self.seq = 0

    def request(self, mtype, flags, payload):
        """Send; return (errno, extack message, replies) of the answer."""
        self.seq += 1
        self.s.send(struct.pack('=IHHII', 16 + len(payload), mtype,
                                flags | F_REQUEST | F_ACK, self.seq, 0) + payload)
        replies = []
        while True:
            buf = self.s.recv(65536)
            while buf:
                ln, t, fl, seq, _ = struct.unpack('=IHHII', buf[:16])
                body, buf = buf[16:ln], buf[(ln + 3) & ~3:]
                if t == ERROR:
                    err = struct.unpack('=i', body[:4])[0]
                    return -err, extack(fl, body[20:]), replies
                if t == DONE:
                    err = struct.unpack('=i', body[:4])[0]
                    return -err, extack(fl, body[4:]), replies
                replies.append(body)

def extack(flags, tlvs):
    if not flags & F_ACK_TLVS:
        return ''
    while len(tlvs) >= 4:
        ln, t = struct.unpack('=HH', tlvs[:4])
        if t == 1:
            return tlvs[4:ln].rstrip(b'\0').decode()
        tlvs = tlvs[(ln + 3) & ~3:]
    return ''

genl = Sock(16)
err, _, replies = genl.request(0x10, 0, struct.pack('=BBH', 3, 1, 0) +
                               string(2, 'tls_dev'))
assert err == 0 and replies, 'tls_dev family not found'
body = replies[0][4:]
family = None
while body:
    ln, t = struct.unpack('=HH', body[:4])
    if t == 1:
        family = struct.unpack('=H', body[4:6])[0]
    body = body[(ln + 3) & ~3:]

DEV_GET, CONN_GET, STATS_GET, FAULT_SET = 1, 2, 3, 4
A_IFINDEX, A_IFNAME, A_LOWER_IFINDEX, A_FAULT, A_RX_RESYNC = 1, 2, 3, 8, 11
F_ACTION, F_NTH, F_EVERY, F_COUNT, F_ADD_FAIL = 1, 2, 3, 4, 5
F_RX_ACTION, F_RX_NTH, F_RX_EVERY, F_RX_COUNT = 7, 8, 9, 10
F_AS_ACTION, F_AS_NTH, F_AS_EVERY, F_AS_COUNT = 11, 12, 13, 14
DROP, DUP, DELAY, REPLAY, CORRUPT, DESYNC, HOLD = 1, 2, 3, 4, 5, 6, 7

def g(cmd, attrs, flags=0):
    return genl.request(family, flags, struct.pack('=BBH', cmd, 1, 0) + attrs)

def fault(*attrs):
    return u32(A_IFINDEX, tls0) + attr(A_FAULT | NESTED, b''.join(attrs))

cases = [
    ('no device', g(DEV_GET, b''),
     errno.EINVAL, 'no device given'),
    ('over-long name', g(DEV_GET, string(A_IFNAME, 'x' * 20)),
     errno.EINVAL, 'Attribute failed policy validation'),
    ('name without NUL', g(DEV_GET, attr(A_IFNAME, b'tls0')),
     errno.EINVAL, 'Attribute failed policy validation'),
    ('u32 flagged nested', g(DEV_GET, attr(A_IFINDEX | NESTED, struct.pack('=I', tls0))),
     errno.EINVAL, 'NLA_F_NESTED not expected'),
    ('nest not flagged', g(FAULT_SET, u32(A_IFINDEX, tls0) + u32(A_FAULT, 1)),
     errno.EINVAL, 'NLA_F_NESTED is missing'),
    ('unknown attribute', g(DEV_GET, u32(99, 1)),
     errno.EINVAL, 'Unknown attribute type'),
    ('reply-only attribute', g(FAULT_SET, u32(A_LOWER_IFINDEX, 1) + fault(u32(F_ACTION, 0))),
     errno.EINVAL, 'Unsupported attribute'),
    ('ifindex 0', g(DEV_GET, u32(A_IFINDEX, 0)),
     errno.ERANGE, 'integer out of range'),
    ('ifindex and name differ', g(DEV_GET, u32(A_IFINDEX, tls0) + string(A_IFNAME, 'lo')),
     errno.EINVAL, 'different devices'),
    ('not a tlsdev', g(STATS_GET, u32(A_IFINDEX, veth)),
     errno.EOPNOTSUPP, 'not a tlsdev device'),
    ('not a tlsdev, dump', g(CONN_GET, u32(A_IFINDEX, veth), F_DUMP),
     errno.EOPNOTSUPP, 'not a tlsdev device'),
    ('device in a dev dump', g(DEV_GET, u32(A_IFINDEX, tls0), F_DUMP),
     errno.EINVAL, 'takes no device'),
    ('nth 0', g(FAULT_SET, fault(u32(F_ACTION, 1), u32(F_NTH, 0))),
     errno.ERANGE, 'integer out of range'),
    ('action out of range', g(FAULT_SET, fault(u32(F_ACTION, 99), u32(F_NTH, 1))),
     errno.ERANGE, 'integer out of range'),
    ('action without nth', g(FAULT_SET, fault(u32(F_ACTION, 1))),
     errno.EINVAL, 'an action other than none needs nth'),
    ('nth without action', g(FAULT_SET, fault(u32(F_NTH, 3))),
     errno.EINVAL, 'nth and every need an action other than none'),
    ('every with none', g(FAULT_SET, fault(u32(F_ACTION, 0), u32(F_EVERY, 3))),
     errno.EINVAL, 'nth and every need an action other than none'),
    ('read-only tx-count', g(FAULT_SET, fault(u32(F_COUNT, 0))),
     errno.EINVAL, 'tx-count is read-only'),
    ('tx corrupt', g(FAULT_SET, fault(u32(F_ACTION, CORRUPT), u32(F_NTH, 1))),
     errno.EINVAL, 'a tx action is none, drop, dup, delay, replay or hold'),
    ('tx desync', g(FAULT_SET, fault(u32(F_ACTION, DESYNC), u32(F_NTH, 1))),
     errno.EINVAL, 'a tx action is none, drop, dup, delay, replay or hold'),
    ('rx dup', g(FAULT_SET, fault(u32(F_RX_ACTION, DUP), u32(F_RX_NTH, 1))),
     errno.EINVAL, 'an rx action is none, drop, delay, corrupt or desync'),
    ('rx replay', g(FAULT_SET, fault(u32(F_RX_ACTION, REPLAY), u32(F_RX_NTH, 1))),
     errno.EINVAL, 'an rx action is none, drop, delay, corrupt or desync'),
    ('rx-async corrupt', g(FAULT_SET, fault(u32(F_AS_ACTION, CORRUPT), u32(F_AS_NTH, 1))),
     errno.EINVAL, 'an rx-async action is none, drop or delay'),
    ('rx-async desync', g(FAULT_SET, fault(u32(F_AS_ACTION, DESYNC), u32(F_AS_NTH, 1))),
     errno.EINVAL, 'an rx-async action is none, drop or delay'),
    ('rx-async dup', g(FAULT_SET, fault(u32(F_AS_ACTION, DUP), u32(F_AS_NTH, 1))),
     errno.EINVAL, 'an rx-async action is none, drop or delay'),
    ('rx hold', g(FAULT_SET, fault(u32(F_RX_ACTION, HOLD), u32(F_RX_NTH, 1))),
     errno.EINVAL, 'an rx action is none, drop, delay, corrupt or desync'),
    ('rx action out of range', g(FAULT_SET, fault(u32(F_RX_ACTION, 99), u32(F_RX_NTH, 1))),
     errno.ERANGE, 'integer out of range'),
    ('rx nth 0', g(FAULT_SET, fault(u32(F_RX_ACTION, DROP), u32(F_RX_NTH, 0))),
     errno.ERANGE, 'integer out of range'),
    ('rx-async nth 0', g(FAULT_SET, fault(u32(F_AS_ACTION, DROP), u32(F_AS_NTH, 0))),
     errno.ERANGE, 'integer out of range'),
    ('rx action without nth', g(FAULT_SET, fault(u32(F_RX_ACTION, CORRUPT))),
     errno.EINVAL, 'an action other than none needs nth'),
    ('rx-async action without nth', g(FAULT_SET, fault(u32(F_AS_ACTION, DELAY))),
     errno.EINVAL, 'an action other than none needs nth'),
    ('rx nth without action', g(FAULT_SET, fault(u32(F_RX_NTH, 3))),
     errno.EINVAL, 'nth and every need an action other than none'),
    ('rx-async every with none', g(FAULT_SET, fault(u32(F_AS_ACTION, 0), u32(F_AS_EVERY, 2))),
     errno.EINVAL, 'nth and every need an action other than none'),
    ('read-only rx-count', g(FAULT_SET, fault(u32(F_RX_COUNT, 0))),
     errno.EINVAL, 'rx-count is read-only'),
    ('read-only rx-async-count', g(FAULT_SET, fault(u32(F_AS_COUNT, 0))),
     errno.EINVAL, 'rx-async-count is read-only'),
    ('a bad rx rule sets no tx rule', g(FAULT_SET, fault(u32(F_ACTION, DROP), u32(F_NTH, 1),
                                                          u32(F_RX_ACTION, DUP), u32(F_RX_NTH, 1))),
     errno.EINVAL, 'an rx action is'),
    ('rx-resync in fault-set', g(FAULT_SET, u32(A_RX_RESYNC, 0) + fault(u32(F_RX_ACTION, 0))),
     errno.EINVAL, 'Unknown attribute type'),
    ('add-fail over INT_MAX', g(FAULT_SET, fault(u32(F_ADD_FAIL, 1 << 31))),
     errno.ERANGE, 'integer out of range'),
    ('empty fault', g(FAULT_SET, fault()),
     errno.EINVAL, 'no fault setting given'),
    ('no fault', g(FAULT_SET, u32(A_IFINDEX, tls0)),
     errno.EINVAL, 'no fault settings given'),
]

# rtnetlink: tlsdev link attributes out of their policy
rt = Sock(0)
def newlink(data):
    ifi = struct.pack('=BBHiII', 0, 0, 0, 0, 0, 0)
    info = string(1, 'tlsdev') + attr(2 | NESTED, data)
    return rt.request(16, 0x400 | 0x200,
                      ifi + string(3, 'bad0') + u32(5, veth) + attr(18 | NESTED, info))
cases += [
    ('tx-resync out of range', newlink(u8(2, 7)),
     errno.ERANGE, 'integer out of range'),
    ('rx-resync out of range', newlink(u8(3, 7)),
     errno.ERANGE, 'integer out of range'),
    ('over-long backend', newlink(string(1, 'b' * 20)),
     errno.EINVAL, 'Attribute failed policy validation'),
]

bad = 0
for name, (err, msg, _), want_err, want_msg in cases:
    ok = err == want_err and want_msg in msg
    print('%s %s: %s "%s"' % ('ok  ' if ok else 'FAIL', name,
                             errno.errorcode.get(err, err), msg))
    bad += not ok
sys.exit(1 if bad else 0)
EOF

test_fuzz()
{
	local before after

	before=$(dmesg | wc -l)
	nsx "$TX_NS" python3 "$WORK/nlfuzz.py" \
		"$(nsx "$TX_NS" cat /sys/class/net/tls0/ifindex)" \
		"$(nsx "$TX_NS" cat /sys/class/net/veth2/ifindex)" || return 1
	ip -n "$TX_NS" link show bad0 >/dev/null 2>&1 && { fail "bad0 was created"; return 1; }
	rule_is tls0 tx none 0 0 0 || return 1
	after=$(dmesg | wc -l)
	[ "$after" -eq "$before" ] || { fail "kernel log: $(dmesg | tail -n $((after - before)))"; return 1; }
}

test_released()
{
	busywait 10000 dev_ctx_released "$TX_NS" tls0 || {
		fail "tx_tls_ctx $(dev_stat "$TX_NS" tls0 tx_tls_ctx) !=" \
		     "tx_tls_del $(dev_stat "$TX_NS" tls0 tx_tls_del)"
		return 1
	}
	busywait 10000 rx_released "$TX_NS" tls0 || {
		fail "rx_tls_ctx $(dev_stat "$TX_NS" tls0 rx_tls_ctx) !=" \
		     "rx_tls_del $(dev_stat "$TX_NS" tls0 rx_tls_del)"
		return 1
	}
	conns 0 || { fail "conn show: $(ctl conn show)"; return 1; }
	ip -n "$TX_NS" link del veth2
}

trap cleanup EXIT
ksft_plan 26
[ -x "$CTL" ] || { echo "Bail out! $CTL not built"; exit 1; }
topo_create tlsdev plain || { echo "Bail out! topology"; exit 1; }
run_test "ctl: help and usage errors" test_usage
run_test "ctl: link add with each option; link show, ip and ethtool agree" test_link_add
run_test_why "ctl: link add rx-resync async, shown by link show" \
	"tlsdev.ko does not take rx-resync async" test_link_async
run_test "ctl: refusals carry the kernel's message" test_refusals
run_test "ctl: conn show lists live IPv4 and IPv6 connections, then none" test_conn_live
run_test "ctl: conn show of 40 connections, TX and RX, spans messages, each once" test_conn_many
run_test "ctl: conn show of RX connections, tlsdev on both ends, IPv4 and IPv6" test_conn_rx
run_test "ctl: fault tx drop nth 5: one drop, resynced, data intact" test_fault_drop
run_test "ctl: fault tx dup nth 5: one duplicate, data intact" test_fault_dup
run_test "ctl: fault tx delay nth 5: one reordering, data intact" test_fault_delay
run_test "ctl: fault tx replay nth 5 every 10: replays, data intact" test_fault_replay
run_test "ctl: fault add-fail 1: the next connection is sw, TX or RX" test_fault_add_fail
run_test "ctl: fault ctx-limit 1: one context in all, TX and RX" test_fault_ctx_limit
run_test "ctl: fault rx and rx-async rules set, shown, cleared" test_fault_rx_set
run_test "ctl: fault rules refuse the actions of another direction (extack)" test_fault_rx_refused
run_test_why "ctl: fault rx drop nth 5: data intact" \
	"the RX datapath does not apply RX fault rules (the rule counted no event)" test_fault_rx_drop
run_test_why "ctl: fault rx delay nth 5 every 20: data intact" \
	"the RX datapath does not apply RX fault rules (the rule counted no event)" test_fault_rx_delay
run_test_why "ctl: fault rx desync nth 10: data intact" \
	"the RX datapath does not apply RX fault rules (the rule counted no event)" test_fault_rx_desync
run_test_why "ctl: fault rx corrupt nth 5: EBADMSG, no corrupt byte delivered" \
	"the RX datapath does not apply RX fault rules (the rule counted no event)" test_fault_rx_corrupt
run_test_why "ctl: fault rx-async drop nth 1 in rx-resync async: data intact" \
	"no rx-resync async, or the RX datapath does not apply the rx-async rule" \
	test_fault_rx_async
run_test "ctl: fault set needs CAP_NET_ADMIN, reads do not" test_eperm
run_test "ctl: no key byte in netlink replies, debugfs, traces or the log" test_no_keys
run_test "ctl: key material wiped before its memory is freed (kprobes on the frees)" test_key_wipe
run_test "ctl: malformed requests refused with extack, quiet log" test_fuzz
run_test "ctl: every context is released" test_released
run_test "ctl: link del of the last device" ctl link del tls0
ksft_exit
