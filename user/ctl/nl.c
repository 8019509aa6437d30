// SPDX-License-Identifier: GPL-2.0
/*
 * The netlink side of tlsdevctl: the two sockets (NETLINK_ROUTE for link
 * creation and deletion, generic netlink for the tls_dev family) and the
 * one request routine both use, which reports the kernel's extack message.
 */
#include "ctl.h"
#include "extack.h"

#include <errno.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

struct nl_req {
	struct nl_reply *r;
	nl_parse_fn parse;
	void *arg;
	bool done;
};

static int nl_on_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);
	struct nl_req *q = arg;
	size_t off = sizeof(*e);

	(void)nla;
	/* unless capped, the error echoes the request after the header */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED) && e->msg.nlmsg_len >= NLMSG_HDRLEN)
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	q->r->err = e->error < 0 ? e->error : -EPROTO;
	nl_extack_msg(nlh, off, q->r->msg, sizeof(q->r->msg));
	q->done = true;
	return NL_STOP;
}

static int nl_on_ack(struct nl_msg *msg, void *arg)
{
	struct nl_req *q = arg;

	(void)msg;
	q->done = true;
	return NL_STOP;
}

/* End of a dump: its payload is the dump's status, then extack TLVs. */
static int nl_on_finish(struct nl_msg *msg, void *arg)
{
	const struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct nl_req *q = arg;
	int status;

	q->done = true;
	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(status))
		return NL_STOP;
	memcpy(&status, nlmsg_data(nlh), sizeof(status));
	if (status < 0) {
		q->r->err = status;
		nl_extack_msg(nlh, sizeof(status), q->r->msg,
			      sizeof(q->r->msg));
	}
	return NL_STOP;
}

static int nl_on_valid(struct nl_msg *msg, void *arg)
{
	struct nl_req *q = arg;
	int err;

	if (!q->parse)
		return NL_OK;
	err = q->parse(msg, q->arg);
	if (err) {
		q->r->err = err;
		q->done = true;
		return NL_STOP;
	}
	return NL_OK;
}

static int nl_on_intr(struct nl_msg *msg, void *arg)
{
	struct nl_req *q = arg;

	(void)msg;
	q->r->intr = true;
	return NL_OK;
}

int nl_request(struct nl_sock *sk, struct nl_msg *msg, nl_parse_fn parse,
	       void *arg, struct nl_reply *r)
{
	struct nl_req q = { .r = r, .parse = parse, .arg = arg };
	struct nl_cb *cb;
	int err;

	memset(r, 0, sizeof(*r));
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb) {
		r->err = -ENOMEM;
		goto out;
	}
	nl_cb_err(cb, NL_CB_CUSTOM, nl_on_error, &q);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, nl_on_ack, &q);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, nl_on_finish, &q);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, nl_on_valid, &q);
	nl_cb_set(cb, NL_CB_DUMP_INTR, NL_CB_CUSTOM, nl_on_intr, &q);

	err = nl_send_auto(sk, msg);
	if (err < 0) {
		r->err = -EIO;
		r->local = true;
		snprintf(r->msg, sizeof(r->msg), "send: %s", nl_geterror(err));
		goto out;
	}
	while (!q.done) {
		err = nl_recvmsgs(sk, cb);
		if (err < 0 && !q.done) {
			r->err = -EIO;
			r->local = true;
			snprintf(r->msg, sizeof(r->msg), "receive: %s",
				 nl_geterror(err));
			break;
		}
	}
out:
	nl_cb_put(cb);
	nlmsg_free(msg);
	return r->err;
}

/* Extended ACKs (the kernel's messages), errors without the request. */
static void nl_sock_opts(struct nl_sock *sk)
{
	int one = 1, fd = nl_socket_get_fd(sk);

	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
}

int ctl_genl_open(struct ctl *ctl)
{
	int err;

	if (ctl->genl)
		return CTL_OK;
	ctl->genl = nl_socket_alloc();
	if (!ctl->genl) {
		errmsg("out of memory");
		return CTL_FAIL;
	}
	err = genl_connect(ctl->genl);
	if (err < 0) {
		errmsg("generic netlink: %s", nl_geterror(err));
		goto err_free;
	}
	nl_sock_opts(ctl->genl);
	ctl->family = genl_ctrl_resolve(ctl->genl, TLSDEV_FAMILY_NAME);
	if (ctl->family < 0) {
		errmsg("generic netlink family \"%s\" not found: is tlsdev.ko loaded?",
		       TLSDEV_FAMILY_NAME);
		nl_socket_free(ctl->genl);
		ctl->genl = NULL;
		return CTL_NOTAVAIL;
	}
	return CTL_OK;

err_free:
	nl_socket_free(ctl->genl);
	ctl->genl = NULL;
	return CTL_FAIL;
}

int ctl_rtnl_open(struct ctl *ctl)
{
	int err;

	if (ctl->rtnl)
		return CTL_OK;
	ctl->rtnl = nl_socket_alloc();
	if (!ctl->rtnl) {
		errmsg("out of memory");
		return CTL_FAIL;
	}
	err = nl_connect(ctl->rtnl, NETLINK_ROUTE);
	if (err < 0) {
		errmsg("rtnetlink: %s", nl_geterror(err));
		nl_socket_free(ctl->rtnl);
		ctl->rtnl = NULL;
		return CTL_FAIL;
	}
	nl_sock_opts(ctl->rtnl);
	return CTL_OK;
}

void ctl_close(struct ctl *ctl)
{
	if (ctl->genl)
		nl_socket_free(ctl->genl);
	if (ctl->rtnl)
		nl_socket_free(ctl->rtnl);
	ctl->genl = NULL;
	ctl->rtnl = NULL;
}

struct nl_msg *ctl_genl_msg(struct ctl *ctl, uint8_t cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, ctl->family, 0, flags,
			 cmd, TLSDEV_FAMILY_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

int ctl_fail(struct ctl *ctl, const char *subject, const struct nl_reply *r)
{
	const char *sep = subject ? ": " : "";

	if (!subject)
		subject = "";
	if (r->msg[0] && r->local)
		errmsg("%s%s%s: %s", ctl->what, sep, subject, r->msg);
	else if (r->msg[0])
		errmsg("%s%s%s: %s (%s)", ctl->what, sep, subject, r->msg,
		       strerror(-r->err));
	else
		errmsg("%s%s%s: %s", ctl->what, sep, subject, strerror(-r->err));
	return CTL_FAIL;
}

void ctl_warn_intr(struct ctl *ctl, const struct nl_reply *r)
{
	if (r->intr) {
		fflush(stdout);
		fprintf(stderr, "%s: %s: warning: devices changed during the dump, the list may be inconsistent\n",
			prog_name(), ctl->what);
	}
}
