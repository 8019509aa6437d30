// SPDX-License-Identifier: GPL-2.0
/* The extack message of a netlink answer (extack.h). */
/* libnl's headers need POSIX's struct addrinfo */
#define _POSIX_C_SOURCE 200809L

#include "extack.h"

#include <netlink/attr.h>
#include <netlink/msg.h>

void nl_extack_msg(const struct nlmsghdr *nlh, size_t off, char *buf,
		   size_t len)
{
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	size_t plen = nlh->nlmsg_len - NLMSG_HDRLEN;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || off >= plen)
		return;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX,
		      (struct nlattr *)((char *)nlmsg_data(nlh) + off),
		      (int)(plen - off), NULL) < 0)
		return;
	if (tb[NLMSGERR_ATTR_MSG])
		nla_strlcpy(buf, tb[NLMSGERR_ATTR_MSG], len);
}
