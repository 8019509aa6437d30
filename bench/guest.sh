#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench, inside the VM (the guest command of scripts/vm-run; see
# Documentation/bench.rst). Measures and writes raw records only, one JSON
# object a line, under $BENCH_OUT/raw/; bench/report.py on the host turns
# them into the table, the JSON summary and the plots.
#
# Environment (set by bench/run.sh):
#   BENCH_OUT        results directory (in the project tree)
#   BENCH_SIZES      transfer sizes in MiB, e.g. "10 100 1024"
#   BENCH_REPS       repetitions of every point
#   BENCH_LOSS       netem loss levels in %, e.g. "0 0.1 1 2 5"
#   BENCH_LOSS_MB    transfer size of the loss sweep (MiB)
#   BENCH_LOSS_REPS  repetitions of every loss point
#   BENCH_INSTALL_N  connections of the installation-rate test
#   BENCH_CONC_N     connections of the concurrency test
#   BENCH_PAR_MB     size of each stream of the parallel (device) test
#   BENCH_SECTIONS   subset of "limits matrix loss install conc parallel"
#   BENCH_MODES      subset of the modes of the matrix (default: all)
#   BENCH_PIN        1: sender on CPU 0, receiver on CPU 1 (bench/topo.sh;
#                    default with 2+ vCPUs), 0: left to the scheduler
set -u

BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
. "$BENCH_DIR/../selftests/lib.sh"
. "$BENCH_DIR/topo.sh"

TLSDEVCTL=$TOP_DIR/user/tlsdevctl
TLSINSTALL=$BENCH_DIR/tlsinstall
OUT=${BENCH_OUT:?BENCH_OUT is not set}
RAW=$OUT/raw
SIZES=${BENCH_SIZES:-10}
REPS=${BENCH_REPS:-3}
LOSS=${BENCH_LOSS:-0 0.1 1 2 5}
LOSS_MB=${BENCH_LOSS_MB:-8}
LOSS_REPS=${BENCH_LOSS_REPS:-1}
INSTALL_N=${BENCH_INSTALL_N:-1024}
CONC_N=${BENCH_CONC_N:-4096}
PAR_MB=${BENCH_PAR_MB:-10}
SECTIONS=${BENCH_SECTIONS:-limits matrix loss install conc parallel}
TIMEOUT=180
MODES=${BENCH_MODES:-tcp openssl ktls-sw ktls-openssl emu mlx5 null}
WORK=$(mktemp -d)
PKI=$WORK/pki
PORT=5000
failures=0	# runs that failed (recorded, and counted in the table)
errors=0	# sections that could not run

log() { printf "bench: %(%T)T %s\n" -1 "$*" >&2; }

cleanup()
{
	local pid

	for pid in $(jobs -p); do
		kill -CONT "$pid" 2>/dev/null
		kill "$pid" 2>/dev/null
	done
	wait 2>/dev/null
	bench_topo_destroy
	rm -rf "$WORK"
}

# Under TCG on a shared machine every fork+exec in the guest costs up to a
# second: the per-transfer path below forks only for the two tlsxfer ends
# (and counters.sh where counters are needed); everything else is builtins.
exec {SLEEP_FD}<> <(:)
nap() { read -rt "${1:-0.05}" -u "$SLEEP_FD" _; }

# wait_for MS CMD...: retry the (fork-free) CMD until it succeeds
wait_for()
{
	local end=$((${EPOCHREALTIME/./} + $1 * 1000))
	shift
	until "$@"; do
		[ "${EPOCHREALTIME/./}" -lt "$end" ] || return 1
		nap
	done
	return 0
}

# says_listening FILE: tlsxfer's "listening on" line is in FILE
says_listening()
{
	local line

	[ -r "$1" ] || return 1
	while read -r line; do
		[[ $line == *listening* ]] && return 0
	done <"$1"
	return 1
}

# us_to_s VAR US: microseconds as seconds, into VAR
us_to_s() { printf -v "$1" '%d.%06d' $(($2 / 1000000)) $(($2 % 1000000)); }

# cpu_json VAR: the whole VM's aggregate CPU line of /proc/stat (USER_HZ
# ticks) as JSON, into VAR
cpu_json()
{
	local cpu u n sy id io irq sirq st rest

	read -r cpu u n sy id io irq sirq st rest </proc/stat
	printf -v "$1" '{"user": %s, "nice": %s, "system": %s, "idle": %s, "iowait": %s, "irq": %s, "softirq": %s, "steal": %s}' \
		"$u" "$n" "$sy" "$id" "$io" "$irq" "$sirq" "$st"
}

# emit SECTION JSON: append one record (one line)
emit() { local j=${2//$'\n'/ }; printf '%s\n' "$j" >>"$RAW/$1.jsonl"; }

# json_of VAR FILE: the file's JSON object, or null when it has none, into VAR
json_of()
{
	local first=

	[ -r "$2" ] && read -r first <"$2"
	if [[ $first == "{"* ]]; then
		mapfile -t _lines <"$2"
		printf -v "$1" '%s ' "${_lines[@]}"
	else
		printf -v "$1" null
	fi
}

jstr() { local v=${1//\\/\\\\}; printf '"%s"' "${v//\"/\\\"}"; }

# counters of both ends of a path: {"tx": ..., "rx": ...} of counters.sh,
# with the path's tlsdev devices (none on a plain path)
path_counters()
{
	local p=$1 d0= d1=

	[ -z "${P_TXDEV[$p]}" ] || d0=${P_UP[$p]}0
	[ -z "${P_RXDEV[$p]}" ] || d1=${P_UP[$p]}1
	printf '{"tx": %s, "rx": %s}' \
		"$(ip netns exec $B_TX "$BENCH_DIR/counters.sh" $d0)" \
		"$(ip netns exec $B_RX "$BENCH_DIR/counters.sh" $d1)"
}

# The arguments of each mode, into MODE_ARGS. Handshake modes: TLS 1.2
# (the only version 6.1 offloads) with AES-128-GCM (the only cipher 6.1
# offloads), for all.
HS_SRV=() HS_CLI=() MODE_ARGS=()
mode_args()
{
	local mode=$1 side=$2 hs=()

	if [ "$side" = server ]; then hs=("${HS_SRV[@]}"); else hs=("${HS_CLI[@]}"); fi
	case $mode in
	tcp)		MODE_ARGS=(--mode tcp) ;;
	openssl)	MODE_ARGS=(--mode openssl "${hs[@]}") ;;
	ktls-openssl)	MODE_ARGS=(--mode ktls-openssl --require-ktls "${hs[@]}") ;;
	ktls-sw|emu|mlx5)
			MODE_ARGS=(--mode ktls --require-ktls "${hs[@]}") ;;
	null)		MODE_ARGS=(--mode static) ;;
	esac
}

mode_path()
{
	case $1 in
	emu|mlx5|null) MODE_PATH=$1 ;;
	*) MODE_PATH=plain ;;
	esac
}

rx_ctx_grew() { [ "$(dev_stat $B_RX tln1 rx_tls_ctx)" -gt "$1" ]; }

# xfer SECTION KEY MODE IO BYTES FILE SHA [EXTRA JSON]: one transfer from
# the sender's namespace to the receiver's, recorded in raw/SECTION.jsonl
# with the whole VM's CPU before and after, and with COUNTERS=1 both ends'
# counters (bench/counters.sh) before and after.
#   null: the receiver's RX context must exist before the first record
#   arrives (software cannot read null records), so the roles turn: the
#   server (in $B_TX, stopped once it listens) sends with --reverse, the
#   client receives and installs its keys, then the server goes on.
xfer()
{
	local section=$1 key=$2 mode=$3 io=$4 bytes=$5 file=$6 sha=$7
	local extra=${8:-} path srv_ns cli_ns srv_ip cli_args srv_args
	local send_args recv_args spid cpid src=0 crc=0 before=null after=null
	local cpu0 cpu1 t0 t1 s_out c_out rctx sender receiver rec wall

	mode_path "$mode"
	path=$MODE_PATH
	PORT=$((PORT + 1))
	send_args=(--file "$file" --bytes "$bytes" --timeout $TIMEOUT)
	[ "$io" = sendfile ] && send_args+=(--sendfile)
	recv_args=(--expect-sha256 "$sha" --timeout $TIMEOUT)
	case $mode in
	emu)  send_args+=(--require-offload tx); recv_args+=(--require-offload rx) ;;
	mlx5) send_args+=(--require-offload tx) ;;
	null) send_args+=(--require-offload tx); recv_args+=(--require-offload rx) ;;
	esac
	mode_args "$mode" server
	srv_args=("${MODE_ARGS[@]}")
	mode_args "$mode" client
	cli_args=("${MODE_ARGS[@]}")
	s_out=$WORK/srv.json c_out=$WORK/cli.json
	rm -f "$s_out" "$c_out" "$WORK/srv.err" "$WORK/cli.err"
	[ -z "${COUNTERS:-}" ] || before=$(path_counters "$path")
	if [ "$mode" = null ]; then
		srv_ns=$B_TX cli_ns=$B_RX srv_ip=198.18.${P_NET[$path]}.1
		srv_args+=(--reverse "${send_args[@]}")
		cli_args+=(--reverse "${recv_args[@]}")
		rctx=$(dev_stat $B_RX tln1 rx_tls_ctx)
	else
		srv_ns=$B_RX cli_ns=$B_TX srv_ip=198.18.${P_NET[$path]}.2
		srv_args+=("${recv_args[@]}")
		cli_args+=("${send_args[@]}")
	fi
	cpu_json cpu0
	t0=${EPOCHREALTIME/./}
	ip netns exec $srv_ns ${B_RUN[$srv_ns]} "$TLSXFER" server --listen "$srv_ip:$PORT" --json \
		"${srv_args[@]}" >"$s_out" 2>"$WORK/srv.err" &
	spid=$!
	wait_for 30000 says_listening "$WORK/srv.err" ||
		{ log "$key: server did not listen"; kill $spid; wait $spid; return 1; }
	[ "$mode" != null ] || kill -STOP $spid
	ip netns exec $cli_ns ${B_RUN[$cli_ns]} "$TLSXFER" client --connect "$srv_ip:$PORT" --json \
		"${cli_args[@]}" >"$c_out" 2>"$WORK/cli.err" &
	cpid=$!
	if [ "$mode" = null ]; then
		busywait 30000 rx_ctx_grew "$rctx" || log "$key: no RX context"
		kill -CONT $spid
	fi
	wait $cpid || crc=$?
	wait $spid || src=$?
	t1=${EPOCHREALTIME/./}
	cpu_json cpu1
	[ -z "${COUNTERS:-}" ] || after=$(path_counters "$path")
	if [ "$mode" = null ]; then
		json_of sender "$s_out"
		json_of receiver "$c_out"
	else
		json_of sender "$c_out"
		json_of receiver "$s_out"
	fi
	if [ $src -ne 0 ] || [ $crc -ne 0 ]; then
		failures=$((failures + 1))
		log "$key: FAILED (server $src, client $crc): $(<"$WORK/srv.err") $(<"$WORK/cli.err")"
	fi
	rec="{\"section\": \"$section\", \"key\": \"$key\", \"mode\": \"$mode\","
	rec+=" \"path\": \"$path\", \"io\": \"$io\", \"bytes\": $bytes,"
	rec+=" \"rc_server\": $src, \"rc_client\": $crc, ${extra:+$extra, }"
	us_to_s wall $((t1 - t0))
	rec+=" \"wall_s\": $wall,"
	rec+=" \"cpu_before\": $cpu0, \"cpu_after\": $cpu1,"
	rec+=" \"counters_before\": $before, \"counters_after\": $after,"
	rec+=" \"sender\": $sender, \"receiver\": $receiver}"
	emit "$section" "$rec"
}

# data FILE of SIZE MiB (random, in the guest's tmpfs) and its SHA-256
declare -A DATA_SHA
make_data()
{
	local mb=$1 f=$WORK/data-$1M

	[ -e "$f" ] && return 0
	head -c "$((mb << 20))" /dev/urandom >"$f" || return 1
	DATA_SHA[$mb]=$(sha256sum "$f" | cut -d' ' -f1)
}

# rotate N WORDS...: the words, starting at the (N mod count)th
rotate()
{
	local n=$1 w
	shift
	w=("$@")
	n=$((n % ${#w[@]}))
	echo "${w[@]:n}" "${w[@]:0:n}"
}

# crypto_drivers: the highest-priority driver of gcm(aes) (software kTLS)
# and the synchronous ones of ctr(aes), __ctr(aes) and ghash (shash): the
# emu engine's (kmod/gcm.c), as instantiated so far ("" if not)
crypto_drivers()
{
	awk -v RS= -F '\n' '
	{
		split("", f)
		for (i = 1; i <= NF; i++) {
			k = $i; sub(/ *:.*/, "", k)
			v = $i; sub(/^[^:]*: /, "", v)
			f[k] = v
		}
		n = f["name"]
		if (n == "ghash" && f["type"] != "shash") next
		if (n ~ /^(__)?ctr\(aes\)$/ && f["async"] != "no") next
		if (!(n in bp) || f["priority"] + 0 > bp[n]) {
			bp[n] = f["priority"] + 0; bd[n] = f["driver"]
		}
	}
	END { printf "{\"gcm(aes)\": \"%s\", \"ctr(aes)\": \"%s\", \"__ctr(aes)\": \"%s\", \"ghash\": \"%s\"}\n",
		bd["gcm(aes)"], bd["ctr(aes)"], bd["__ctr(aes)"], bd["ghash"] }' /proc/crypto
}

section_limits()
{
	local drv aes sha rec

	log "limits: openssl speed, /proc/crypto"
	aes=$(openssl speed -seconds 2 -bytes 16384 -evp aes-128-gcm 2>/dev/null |
		awk '$1 == "AES-128-GCM" { sub(/k$/, "", $2); print $2 * 1000 }')
	sha=$(openssl speed -seconds 2 -bytes 16384 -evp sha256 2>/dev/null |
		awk '$1 == "sha256" || $1 == "SHA256" { sub(/k$/, "", $2); print $2 * 1000 }')
	drv=$(crypto_drivers)
	rec="{\"openssl_aes_128_gcm_Bps\": ${aes:-null},"
	rec+=" \"openssl_sha256_Bps\": ${sha:-null},"
	rec+=" \"kernel_crypto_drivers\": $drv,"
	rec+=" \"pinned\": $([ "$B_PIN" = 1 ] && echo true || echo false),"
	rec+=" \"openssl_version\": $(jstr "$(openssl version)"),"
	rec+=" \"kernel\": $(jstr "$(uname -r)"), \"cpus\": $(nproc),"
	rec+=" \"cpu_model\": $(jstr "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"),"
	rec+=" \"mem_kb\": $(awk '/^MemTotal/ { print $2 }' /proc/meminfo),"
	rec+=" \"user_hz\": $(getconf CLK_TCK)}"
	emit limits "$rec"
}

section_matrix()
{
	local rep mb io mode

	for mb in $SIZES; do make_data "$mb" || return 1; done
	for rep in $(seq 1 "$REPS"); do
		for mb in $SIZES; do
			for io in write sendfile; do
				# shellcheck disable=SC2046
				for mode in $(rotate "$rep" $MODES); do
					# userspace TLS cannot sendfile
					[ "$mode.$io" = openssl.sendfile ] && continue
					log "matrix: rep $rep/$REPS ${mb}M $io $mode"
					xfer matrix "$mode/$io/$mb" "$mode" "$io" \
						$((mb << 20)) "$WORK/data-${mb}M" \
						"${DATA_SHA[$mb]}" "\"rep\": $rep"
				done
			done
		done
	done
}

# netem on the sender's veth, on single segments: with TSO/GSO on, netem
# would drop whole 64 KB GSO packets (four records at once), which no NIC
# sees; so the sweep turns segmentation offloads off on the sender's
# devices, for every loss level alike (0 % included). One ip-netns-exec per
# path and change: each process costs under TCG.
loss_setup()
{
	local p=$1 on=$2 dev low

	dev=$(path_dev "$p" 0) low=$(path_low "$p" 0)
	if [ "$on" = on ]; then
		nsx $B_TX sh -c "ethtool -K $dev tso off gso off; ethtool -K $low tso off gso off; tc qdisc replace dev $low root netem loss 0%" 2>/dev/null
	else
		nsx $B_TX sh -c "tc qdisc del dev $low root; ethtool -K $dev tso on gso on; ethtool -K $low tso on gso on" 2>/dev/null
	fi
}

# null is left out: a record the receiving device cannot take after a
# loss goes to software kTLS, which cannot read a null record.
section_loss()
{
	local rep pct mode path

	make_data "$LOSS_MB" || return 1
	for path in plain emu mlx5; do loss_setup $path on; done
	for rep in $(seq 1 "$LOSS_REPS"); do
		for pct in $LOSS; do
			for mode in $(rotate "$rep" tcp ktls-sw emu mlx5); do
				mode_path "$mode"
				path=$MODE_PATH
				log "loss: rep $rep/$LOSS_REPS $pct% $mode"
				nsx $B_TX tc qdisc change dev "$(path_low "$path" 0)" \
					root netem loss "$pct%"
				COUNTERS=1 xfer loss "$mode/$pct" "$mode" write \
					$((LOSS_MB << 20)) "$WORK/data-${LOSS_MB}M" \
					"${DATA_SHA[$LOSS_MB]}" \
					"\"rep\": $rep, \"loss_pct\": $pct"
			done
		done
	done
	for path in plain emu mlx5; do loss_setup $path off; done
}

# install SECTION PATH N [PORTS]: tlsinstall over PATH with N connections
install_run()
{
	local section=$1 path=$2 n=$3 ports=${4:-1} spid rc=0 out ip

	PORT=$((PORT + 100))
	ip=$(path_rx_ip "$path")
	rm -f "$WORK/inst.err"
	nsx $B_RX "$TLSINSTALL" serve --listen "$ip" --port $PORT \
		--ports "$ports" --count "$n" 2>"$WORK/inst.err" &
	spid=$!
	wait_for 30000 says_listening "$WORK/inst.err" ||
		{ log "tlsinstall serve did not start"; kill $spid; return 1; }
	out=$(nsx $B_TX "$TLSINSTALL" connect --connect "$ip" --port $PORT \
		--ports "$ports" --count "$n") || rc=$?
	kill $spid
	wait $spid
	[ $rc -eq 0 ] || { failures=$((failures + 1)); log "tlsinstall $path: status $rc"; }
	[ -n "$out" ] || out=null
	emit "$section" "{\"path\": \"$path\", \"n\": $n, \"rc\": $rc, \"result\": $out}"
}

# a backend's install latency knob, at its default (mlx5: install_usec)
section_install()
{
	local rep path

	for rep in $(seq 1 "$REPS"); do
		for path in $(rotate "$rep" $PATHS); do
			log "install: rep $rep/$REPS $path, $INSTALL_N connections"
			install_run install "$path" "$INSTALL_N"
		done
	done
}

# The most connections at once: emu (no limit of its own) and the mlx5
# model (its context pool: pool_size), all in this VM's memory.
section_conc()
{
	local path

	rm -f "$WORK"/data-*
	sysctl -qw fs.file-max=1048576 fs.nr_open=1048576
	for path in emu mlx5; do
		log "concurrency: $path, $CONC_N connections"
		install_run conc "$path" "$CONC_N" $(( (CONC_N + 60000) / 60000 ))
	done
}

# The device's total crypto throughput: two streams at once (one per vCPU)
# through each path, against one stream in the matrix.
section_parallel()
{
	local mode pids i n=2 t0 t1 f rec wall

	make_data "$PAR_MB" || return 1
	for mode in ktls-sw emu mlx5; do
		log "parallel: $n streams, $mode"
		t0=${EPOCHREALTIME/./}
		pids=()
		for i in $(seq 1 $n); do
			(
				WORK=$WORK/par$i
				mkdir -p "$WORK"
				PORT=$((PORT + 1000 * i))
				RAW=$WORK
				f0=$failures
				xfer parallel "$mode/$i" "$mode" write \
					$((PAR_MB << 20)) "$(dirname "$WORK")/data-${PAR_MB}M" \
					"${DATA_SHA[$PAR_MB]}" "\"streams\": $n, \"stream\": $i"
				exit $((failures - f0))
			) &
			pids+=($!)
		done
		for i in "${pids[@]}"; do
			wait "$i" || failures=$((failures + 1))
		done
		t1=${EPOCHREALTIME/./}
		us_to_s wall $((t1 - t0))
		for f in "$WORK"/par*/parallel.jsonl; do
			while read -r rec; do
				emit parallel "{\"group_wall_s\": $wall, ${rec#\{}"
			done <"$f"
			rm -f "$f"
		done
	done
}

trap cleanup EXIT
mkdir -p "$RAW" || exit 1
rm -f "$RAW"/*.jsonl
ktls_warmup || { log "kTLS warm-up failed"; exit 1; }
"$TOP_DIR/scripts/mkcerts.sh" "$PKI" >/dev/null || { log "mkcerts failed"; exit 1; }
HS_SRV=(--cert "$PKI/server-cert.pem" --cert-key "$PKI/server-key.pem"
	--tls 1.2 --ciphers ECDHE-ECDSA-AES128-GCM-SHA256)
HS_CLI=(--ca "$PKI/ca-cert.pem" --sni localhost --tls 1.2
	--ciphers ECDHE-ECDSA-AES128-GCM-SHA256)
bench_topo_create || { log "topology setup failed"; exit 1; }
start=$(date +%s)
for s in $SECTIONS; do
	t=$(date +%s)
	"section_$s" || { log "section $s failed"; errors=$((errors + 1)); }
	echo "{\"section\": \"$s\", \"seconds\": $(($(date +%s) - t))}" >>"$RAW/timing.jsonl"
done
# after every path has made connections: the drivers they instantiated
emit drivers "$(crypto_drivers)"
log "done in $(($(date +%s) - start)) s, $failures failed run(s), $errors section error(s)"
# failed runs are results (the table counts them): only a section that
# could not run fails make bench
[ $errors -eq 0 ]
