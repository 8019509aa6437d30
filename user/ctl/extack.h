/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The extack message of a netlink answer, with libnl-3's attribute parser.
 * Shared by tlsdevctl and the netlink selftests (nlfuzz, failnth).
 */
#ifndef TLSDEVCTL_EXTACK_H
#define TLSDEVCTL_EXTACK_H

#include <linux/netlink.h>
#include <stddef.h>

/*
 * NLMSGERR_ATTR_MSG of the extack TLVs that start @off bytes into the
 * payload of @nlh (an NLMSG_ERROR or NLMSG_DONE message), into @buf of
 * @len bytes; @buf is left as it is when there is no message.
 */
void nl_extack_msg(const struct nlmsghdr *nlh, size_t off, char *buf,
		   size_t len);

#endif
