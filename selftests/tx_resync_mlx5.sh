#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tx_resync.sh through the mlx5 model backend: the same loss, reordering,
# duplication, byte-exactness and fault cases, in both TX resync modes.
TX_RESYNC_BACKEND=mlx5 exec "$(dirname "$0")/tx_resync.sh" "$@"
