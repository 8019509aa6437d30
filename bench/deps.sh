#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/deps.sh: what make bench needs beyond make deps (make check never
# runs this): gnuplot (Debian gnuplot-nox) for the plots. Installs it with
# apt-get when missing; no-op otherwise.
set -eu

command -v gnuplot >/dev/null && exit 0
[ "$(id -u)" = 0 ] || { echo "bench: gnuplot missing; install gnuplot-nox (as root)" >&2; exit 1; }
echo "bench: installing gnuplot-nox" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends gnuplot-nox >&2
