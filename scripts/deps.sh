#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/deps.sh - install and cache everything the build and the tests need
# (called by `make deps`).
#
#  1. Installs the Debian packages below when any of them is missing
#     (one `apt-get update`, then one `apt-get install`).
#  2. Picks KVER, the ABI name of the kernel whose headers linux-headers-amd64
#     depends on (never `uname -r`: the build host's kernel is irrelevant).
#     Override with KVER=... in the environment.
#  3. Downloads linux-image-$KVER of exactly the installed headers' version,
#     unpacks it to .cache/kernel/$KVER/ and runs depmod on it: this is the
#     kernel and module tree scripts/vm-run boots.
#  4. Extracts a few files (checkpatch, kselftest headers) from the
#     linux-source tarball into .cache/linux-src/.
#  5. Checks that the headers tree builds an external module and writes
#     .cache/config.mk for the Makefile.
#
# Idempotent: every step is skipped when its result is already present, so a
# second run only costs a dpkg-query.

set -Eeuo pipefail

START=$(date +%s.%N)
ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
CACHE=$ROOT/.cache

PKGS=(linux-headers-amd64 linux-source-6.1 qemu-system-x86 busybox-static
      libssl-dev libnl-3-dev libnl-genl-3-dev libnl-route-3-dev ethtool kmod
      cpio sparse iproute2 tcpdump openssl xz-utils clang libclang-rt-14-dev
      pkg-config make gcc bc flex bison libelf-dev python3 perl procps
      iputils-ping python3-cryptography)
LINUX_SRC_TARBALL=/usr/src/linux-source-6.1.tar.xz
LINUX_SRC_FILES=(scripts/checkpatch.pl scripts/spelling.txt
                 scripts/const_structs.checkpatch
                 tools/testing/selftests/kselftest_harness.h
                 tools/testing/selftests/kselftest.h)

die() { echo "deps: error: $*" >&2; exit 1; }
log() { echo "deps: $*" >&2; }
trap 'die "command failed (line $LINENO, status $?): $BASH_COMMAND"' ERR

export DEBIAN_FRONTEND=noninteractive
SUDO=()
if [ "$(id -u)" != 0 ]; then
	command -v sudo >/dev/null && SUDO=(sudo --preserve-env=DEBIAN_FRONTEND)
fi

# Prints the packages of "$@" that are not fully installed.
missing_pkgs() {
	local installed
	installed=$(dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' "$@" \
			2>/dev/null | awk '$1 == "ii" { print $2 }') || true
	local p
	for p in "$@"; do
		grep -qxF -- "$p" <<<"$installed" || echo "$p"
	done
}

APT_UPDATED=
apt_install() {
	[ "$(id -u)" = 0 ] || [ ${#SUDO[@]} -gt 0 ] ||
		die "need root (or sudo) to install: $*"
	if [ -z "$APT_UPDATED" ]; then
		log "apt-get update"
		"${SUDO[@]}" apt-get update -qq >&2 || die "apt-get update failed"
		APT_UPDATED=1
	fi
	log "installing: $*"
	"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "$@" >&2 ||
		die "apt-get install failed: $*"
}

mkdir -p "$CACHE"
# Serialise concurrent runs (two `make deps` at once).
exec 9>"$CACHE/.deps.lock"
flock 9

# --- 1. Debian packages -----------------------------------------------------
mapfile -t MISSING < <(missing_pkgs "${PKGS[@]}")
[ ${#MISSING[@]} -eq 0 ] || apt_install "${MISSING[@]}"

# --- 2. kernel ABI name and package version --------------------------------
if [ -z "${KVER:-}" ]; then
	# Depends: linux-headers-6.1.0-56-amd64 (= 6.1.192-2)
	KVER=$(dpkg-query -W -f='${Depends}' linux-headers-amd64 |
	       sed -n 's/^.*linux-headers-\([^ ,(]*\).*$/\1/p')
	[ -n "$KVER" ] || die "cannot find the headers linux-headers-amd64 depends on"
fi
HDR_PKG=linux-headers-$KVER
[ -z "$(missing_pkgs "$HDR_PKG")" ] || apt_install "$HDR_PKG"
KPKG_VERSION=$(dpkg-query -W -f='${Version}' "$HDR_PKG")
KDIR=/usr/src/linux-headers-$KVER

# --- 3. kernel image + modules for the VM ----------------------------------
KCACHE=$CACHE/kernel/$KVER
KSTAMP=$KCACHE/.stamp
if [ "$(cat "$KSTAMP" 2>/dev/null)" != "$KPKG_VERSION" ]; then
	IMG_PKG=linux-image-$KVER
	DL=$CACHE/dl
	rm -rf "$DL" "$KCACHE.tmp"
	mkdir -p "$CACHE/kernel"
	mkdir -p "$DL"
	# As root, apt drops privileges to _apt for downloads, which cannot
	# write into this directory: download as root instead (no warning).
	APT_OPTS=()
	[ "$(id -u)" != 0 ] || APT_OPTS=(-o APT::Sandbox::User=root)
	log "downloading $IMG_PKG=$KPKG_VERSION"
	if ! (cd "$DL" && apt-get download -qq "${APT_OPTS[@]}" \
			"$IMG_PKG=$KPKG_VERSION" >&2); then
		# Stale or empty package lists: refresh once and retry.
		"${SUDO[@]}" apt-get update -qq >&2 || die "apt-get update failed"
		(cd "$DL" && apt-get download -qq "${APT_OPTS[@]}" \
			"$IMG_PKG=$KPKG_VERSION" >&2) ||
			die "cannot download $IMG_PKG=$KPKG_VERSION (not in the apt archive?)"
	fi
	DEB=$(find "$DL" -maxdepth 1 -name "${IMG_PKG}_*.deb" -print -quit)
	[ -n "$DEB" ] || die "apt-get download produced no ${IMG_PKG}_*.deb"
	[ "$(dpkg-deb -f "$DEB" Version)" = "$KPKG_VERSION" ] ||
		die "$DEB: version is not $KPKG_VERSION"
	dpkg-deb -x "$DEB" "$KCACHE.tmp"
	{ [ -f "$KCACHE.tmp/boot/vmlinuz-$KVER" ] && [ -d "$KCACHE.tmp/lib/modules/$KVER" ]; } ||
		die "$DEB: no boot/vmlinuz-$KVER or lib/modules/$KVER"
	depmod -b "$KCACHE.tmp" "$KVER"
	rm -rf "$KCACHE" "$DL"
	mv "$KCACHE.tmp" "$KCACHE"
	echo "$KPKG_VERSION" >"$KSTAMP"
fi
VM_KERNEL=$KCACHE/boot/vmlinuz-$KVER
VM_MODULES=$KCACHE/lib/modules/$KVER

# --- 4. files from the kernel source tarball --------------------------------
LINUX_SRC=$CACHE/linux-src
need_src=
for f in "${LINUX_SRC_FILES[@]}"; do
	[ -f "$LINUX_SRC/$f" ] || need_src=1
done
if [ -n "$need_src" ]; then
	[ -f "$LINUX_SRC_TARBALL" ] || die "$LINUX_SRC_TARBALL missing (linux-source-6.1)"
	log "extracting ${#LINUX_SRC_FILES[@]} files from $LINUX_SRC_TARBALL"
	rm -rf "$LINUX_SRC.tmp"
	mkdir -p "$LINUX_SRC.tmp"
	# The tarball is multi-block: xz -T0 decompresses it in parallel.
	xz -T0 -dc "$LINUX_SRC_TARBALL" |
		tar -x --strip-components=1 -C "$LINUX_SRC.tmp" \
		    "${LINUX_SRC_FILES[@]/#/linux-source-6.1/}"
	rm -rf "$LINUX_SRC"
	mv "$LINUX_SRC.tmp" "$LINUX_SRC"
fi

# --- 5. the headers tree must build an external module ----------------------
{ [ -f "$KDIR/Makefile" ] && [ -f "$KDIR/.config" ] && [ -f "$KDIR/Module.symvers" ]; } ||
	die "$KDIR is not a kbuild tree (is $HDR_PKG installed?)"
KDIR_STAMP=$CACHE/.kdir-ok
if [ "$(cat "$KDIR_STAMP" 2>/dev/null)" != "$KDIR $KPKG_VERSION" ]; then
	T=$(mktemp -d "$CACHE/kbuild-test.XXXXXX")
	cat >"$T/probe.c" <<-'EOF'
	#include <linux/module.h>
	static int __init probe_init(void) { return 0; }
	module_init(probe_init);
	MODULE_LICENSE("GPL");
	EOF
	echo 'obj-m := probe.o' >"$T/Kbuild"
	if ! make -s -C "$KDIR" M="$T" modules >"$T/build.log" 2>&1 || [ ! -f "$T/probe.ko" ]; then
		cat "$T/build.log" >&2
		rm -rf "$T"
		die "cannot build an external module against $KDIR"
	fi
	rm -rf "$T"
	echo "$KDIR $KPKG_VERSION" >"$KDIR_STAMP"
fi

# --- 6. .cache/config.mk (rewritten only when it changes) -------------------
CFG=$CACHE/config.mk
cat >"$CFG.tmp" <<EOF
# Generated by scripts/deps.sh - do not edit.
KVER := $KVER
KPKG_VERSION := $KPKG_VERSION
KDIR := $KDIR
VM_KERNEL := $VM_KERNEL
VM_MODULES := $VM_MODULES
LINUX_SRC := $LINUX_SRC
EOF
if cmp -s "$CFG.tmp" "$CFG"; then rm -f "$CFG.tmp"; else mv "$CFG.tmp" "$CFG"; fi

END=$(date +%s.%N)
awk -v s="$START" -v e="$END" -v k="$KVER" -v v="$KPKG_VERSION" -v d="$KDIR" -v c="${KCACHE#"$ROOT"/}" \
	'BEGIN { printf "deps: ok: KVER=%s (%s) KDIR=%s VM kernel in %s (%.1fs)\n", k, v, d, c, e - s }'
