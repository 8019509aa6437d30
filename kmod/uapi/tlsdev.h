/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * tlsdev userspace API: rtnetlink link attributes (IFLA_INFO_DATA of
 * link kind "tlsdev").
 */
#ifndef _UAPI_LINUX_TLSDEV_H
#define _UAPI_LINUX_TLSDEV_H

#define TLSDEV_LINK_KIND	"tlsdev"
#define TLSDEV_BACKEND_NAME_MAX	16	/* including the terminating NUL */

enum {
	IFLA_TLSDEV_UNSPEC,
	IFLA_TLSDEV_BACKEND,		/* string: emu, ... */
	__IFLA_TLSDEV_MAX,
};

#define IFLA_TLSDEV_MAX (__IFLA_TLSDEV_MAX - 1)

#endif /* _UAPI_LINUX_TLSDEV_H */
