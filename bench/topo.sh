# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The benchmark's topology (sourced by bench/guest.sh): two namespaces, the
# sender's and the receiver's, joined by one veth pair per path, so that
# every mode runs in the same boot and the modes can be interleaved. The
# destination address picks the path:
#
#   path   sender ($B_TX)                 receiver ($B_RX)        subnet
#   plain  vethp0                         vethp1                  198.18.1.0/24
#   emu    tle0 (tlsdev emu) on vethe0    tle1 (tlsdev emu)       198.18.2.0/24
#   mlx5   tlm0 (tlsdev mlx5) on vethm0   vethm1                  198.18.3.0/24
#   null   tln0 (tlsdev null) on vethn0   tln1 (tlsdev null)      198.18.4.0/24
#
# The sender is .1, the receiver .2. emu and null offload both directions
# on both ends (TLS_HW TX and RX); the mlx5 model has TX offload only, its
# receiver is software kTLS. Needs selftests/lib.sh (nsx, busywait).
#
# Two hosts, one CPU each: with BENCH_PIN=1 (the default on two or more
# vCPUs) the sender's namespace is a host on CPU 0 and the receiver's one
# on CPU 1. Each side's veths steer the packets they receive to their
# host's CPU (RPS), and the transfers run their processes there (B_CPU).
# Without it, veth delivers on the sending CPU, so a receiving device
# decrypts on the sender's CPU, where the sender's device has just
# encrypted: in one VM, offload in both directions would serialise work
# that two machines do in parallel.

B_TX=bench-tx
B_RX=bench-rx
if [ "$(nproc)" -ge 2 ]; then B_PIN=${BENCH_PIN:-1}; else B_PIN=0; fi
declare -A B_CPU=([$B_TX]=0 [$B_RX]=1)
# per namespace, the prefix of a command that runs on its CPU (unquoted)
declare -A B_RUN=([$B_TX]="" [$B_RX]="")
[ "$B_PIN" != 1 ] ||
	B_RUN=([$B_TX]="taskset -c ${B_CPU[$B_TX]}" [$B_RX]="taskset -c ${B_CPU[$B_RX]}")
PATHS="plain emu mlx5 null"

declare -A P_NET=([plain]=1 [emu]=2 [mlx5]=3 [null]=4)
declare -A P_LOW=([plain]=vethp [emu]=vethe [mlx5]=vethm [null]=vethn)
# the tlsdev backend on each end ("" = the address sits on the veth)
declare -A P_TXDEV=([plain]="" [emu]=emu [mlx5]=mlx5 [null]=null)
declare -A P_RXDEV=([plain]="" [emu]=emu [mlx5]="" [null]=null)
declare -A P_UP=([plain]=tlp [emu]=tle [mlx5]=tlm [null]=tln)

path_tx_ip() { echo "198.18.${P_NET[$1]}.1"; }
path_rx_ip() { echo "198.18.${P_NET[$1]}.2"; }
# the device the sender's (0) or the receiver's (1) address sits on
path_dev()
{
	local be

	if [ "$2" = 0 ]; then be=${P_TXDEV[$1]}; else be=${P_RXDEV[$1]}; fi
	if [ -n "$be" ]; then echo "${P_UP[$1]}$2"; else echo "${P_LOW[$1]}$2"; fi
}
# the lower (veth) device of a side
path_low() { echo "${P_LOW[$1]}$2"; }

topo_side_up()
{
	local ns=$1 path=$2 side=$3 be=$4 ip=$5 low dev

	low=$(path_low "$path" "$side")
	ip -n "$ns" link set "$low" up || return 1
	dev=$low
	if [ -n "$be" ]; then
		dev=${P_UP[$path]}$side
		nsx "$ns" "$TLSDEVCTL" link add "$dev" link "$low" \
			backend "$be" >/dev/null || return 1
		ip -n "$ns" link set "$dev" up || return 1
	fi
	ip -n "$ns" addr add "$ip/24" dev "$dev"
}

# topo_rps NS SIDE: NS's veths deliver on NS's CPU (B_CPU)
topo_rps()
{
	local ns=$1 side=$2 p devs=()

	for p in $PATHS; do devs+=("$(path_low "$p" "$side")"); done
	rps_cpus "$ns" "$(printf %x $((1 << B_CPU[$ns])))" "${devs[@]}"
}

bench_topo_create()
{
	local p

	ip netns add $B_TX || return 1
	ip netns add $B_RX || return 1
	ip -n $B_TX link set lo up
	ip -n $B_RX link set lo up
	# no TIME_WAIT: see no_time_wait in selftests/lib.sh (a 6.1 netns
	# exit race warns, and a kernel warning fails the VM run)
	ip netns exec $B_TX sysctl -qw net.ipv4.tcp_max_tw_buckets=0
	ip netns exec $B_RX sysctl -qw net.ipv4.tcp_max_tw_buckets=0
	for p in $PATHS; do
		ip -n $B_TX link add "$(path_low "$p" 0)" type veth peer \
			name "$(path_low "$p" 1)" netns $B_RX || return 1
		topo_side_up $B_TX "$p" 0 "${P_TXDEV[$p]}" "$(path_tx_ip "$p")" ||
			return 1
		topo_side_up $B_RX "$p" 1 "${P_RXDEV[$p]}" "$(path_rx_ip "$p")" ||
			return 1
	done
	if [ "$B_PIN" = 1 ]; then
		topo_rps $B_TX 0 || return 1
		topo_rps $B_RX 1 || return 1
	fi
	# many connections from one address (tlsinstall): ports and backlog
	nsx $B_TX sysctl -qw net.ipv4.ip_local_port_range="1024 65535"
	nsx $B_RX sysctl -qw net.core.somaxconn=65535
	nsx $B_RX sysctl -qw net.ipv4.tcp_max_syn_backlog=65535
	for p in $PATHS; do
		busywait 5000 nsx $B_TX ping -c1 -W1 -q "$(path_rx_ip "$p")" \
			>/dev/null || { echo "bench: no route on path $p" >&2; return 1; }
	done
}

bench_topo_destroy()
{
	ip netns del $B_TX 2>/dev/null
	ip netns del $B_RX 2>/dev/null
	true
}
