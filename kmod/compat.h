/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers the kernel headers provide from some version on, for the
 * headers that lack them. Each TLSDEV_HAVE_* is probed in Kbuild.
 */
#ifndef _TLSDEV_COMPAT_H
#define _TLSDEV_COMPAT_H

#include <net/tls.h>

#ifndef TLSDEV_HAVE_RX_RESYNC_ASYNC_CANCEL
/*
 * Added by the 2025 fixes of the async RX resync (Debian's 6.1.0-57
 * headers have it): withdraw a request so that the core stops logging
 * headers for it. Its body is what the core itself does to end one.
 */
static inline void
tls_offload_rx_resync_async_request_cancel(struct tls_offload_resync_async *resync_async)
{
	atomic64_set(&resync_async->req, 0);
}
#endif

#endif /* _TLSDEV_COMPAT_H */
