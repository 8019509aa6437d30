#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/run.sh: the host side of make bench (Documentation/bench.rst).
# Boots the VM once with the modules loaded, runs bench/guest.sh in it
# (which writes raw records under OUT/raw/), then summarises them
# (bench/report.py: OUT/table.txt, OUT/results.json) and plots them
# (bench/plots.gp: OUT/*.png).
#
#   bench/run.sh [--profile quick|medium|full] [--big] [--out DIR]
#
# Profiles (sizes MiB / repetitions / loss sweep MiB x reps / installation
# N / concurrent N / VM memory):
#   quick   10 / 3 / 4 x 1 / 512 / 8192 / 2 GiB      (make bench QUICK=1)
#   medium  10 100 / 3 / 16 x 2 / 1024 / 65536 / 2 GiB
#   full    10 100 1024 / 5 / 64 x 3 / 4096 / 65536 / 4 GiB (the default)
# --big adds 2048 MiB (and 6 GiB of VM memory: the files live in the
# guest's tmpfs). Any BENCH_* variable of guest.sh set in the environment
# overrides the profile's. VMFLAGS (e.g. --kvm) goes to scripts/vm-run;
# NICE (default 10) is the VM's nice level, as the machine is shared.
set -u

TOP=$(cd "$(dirname "$0")/.." && pwd)
PROFILE=full BIG= OUT=

usage() { sed -n '3,22p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
	case $1 in
	--profile) PROFILE=${2:-}; shift 2 ;;
	--big) BIG=1; shift ;;
	--out) OUT=${2:-}; shift 2 ;;
	-h|--help) usage; exit 0 ;;
	*) echo "bench: unknown argument '$1' (see --help)" >&2; exit 2 ;;
	esac
done

case $PROFILE in
quick)	sizes="10" reps=3 loss_mb=4 loss_reps=1 inst=512 conc=8192 par=4
	mem=2048 timeout=1800 ;;
medium)	sizes="10 100" reps=3 loss_mb=16 loss_reps=2 inst=1024 conc=65536 par=32
	mem=2048 timeout=10800 ;;
full)	sizes="10 100 1024" reps=5 loss_mb=64 loss_reps=3 inst=4096 conc=65536
	par=100 mem=4096 timeout=43200 ;;
*)	echo "bench: unknown profile '$PROFILE' (quick, medium, full)" >&2; exit 2 ;;
esac
[ -z "$BIG" ] || { sizes="$sizes 2048"; mem=6144; }
OUT=${OUT:-$TOP/results/bench-$PROFILE-$(date -u +%Y%m%d-%H%M%S)}
mkdir -p "$OUT" && OUT=$(cd "$OUT" && pwd) || exit 1
case $OUT/ in
"$TOP"/*) ;;
*) echo "bench: OUT must be inside the project tree (the VM sees only that): $OUT" >&2
   exit 2 ;;
esac

"$TOP/bench/deps.sh" || exit 1

envs=(
	BENCH_OUT="$OUT" BENCH_SIZES="${BENCH_SIZES:-$sizes}"
	BENCH_REPS="${BENCH_REPS:-$reps}" BENCH_LOSS="${BENCH_LOSS:-0 0.1 1 2 5}"
	BENCH_LOSS_MB="${BENCH_LOSS_MB:-$loss_mb}"
	BENCH_LOSS_REPS="${BENCH_LOSS_REPS:-$loss_reps}"
	BENCH_INSTALL_N="${BENCH_INSTALL_N:-$inst}"
	BENCH_CONC_N="${BENCH_CONC_N:-$conc}" BENCH_PAR_MB="${BENCH_PAR_MB:-$par}"
)
[ -z "${BENCH_SECTIONS:-}" ] || envs+=(BENCH_SECTIONS="$BENCH_SECTIONS")
[ -z "${BENCH_MODES:-}" ] || envs+=(BENCH_MODES="$BENCH_MODES")
[ -z "${BENCH_PIN:-}" ] || envs+=(BENCH_PIN="$BENCH_PIN")
vmargs=(--mem "${BENCH_MEM:-$mem}" --timeout "$timeout" --quiet --keep-log
	--log "$OUT/console.log")
for m in tlsdev tlsdev_emu tlsdev_mlx5 tlsdev_null; do
	vmargs+=(--insmod "$TOP/kmod/$m.ko")
done
for e in "${envs[@]}"; do vmargs+=(--env "$e"); done

cat >"$OUT/meta.json" <<EOT
{"profile": "$PROFILE", "date": "$(date -u +%FT%TZ)",
 "commit": "$(git -C "$TOP" describe --always --dirty 2>/dev/null)",
 "host_cpus": $(nproc), "host_load": "$(cut -d' ' -f1-3 /proc/loadavg)",
 "vm_mem_mb": ${BENCH_MEM:-$mem},
 "env": {$(for e in "${envs[@]}"; do printf '%s"%s": "%s"' "${sep:-}" "${e%%=*}" "${e#*=}"; sep=", "; done)}}
EOT

echo "bench: profile $PROFILE, results in $OUT (guest progress: $OUT/console.log)" >&2
t0=$(date +%s)
# shellcheck disable=SC2086
nice -n "${NICE:-10}" "$TOP/scripts/vm-run" "${vmargs[@]}" ${VMFLAGS:-} -- \
	"$TOP/bench/guest.sh"
rc=$?
t1=$(date +%s)
echo "bench: VM run took $((t1 - t0)) s (status $rc)" >&2
python3 - "$OUT/meta.json" $((t1 - t0)) $rc <<'EOT'
import json, sys
m = json.load(open(sys.argv[1]))
m["vm_run_s"], m["vm_status"] = int(sys.argv[2]), int(sys.argv[3])
json.dump(m, open(sys.argv[1], "w"), indent=1)
EOT
[ -d "$OUT/raw" ] || { echo "bench: no results (VM status $rc)" >&2; exit 1; }
python3 "$TOP/bench/report.py" "$OUT" || exit 1
gnuplot -e "dir='$OUT'" "$TOP/bench/plots.gp" || { echo "bench: gnuplot failed" >&2; exit 1; }
echo "bench: $OUT/table.txt, $OUT/results.json, $OUT/*.png" >&2
exit $rc
