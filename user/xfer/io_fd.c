// SPDX-License-Identifier: GPL-2.0
/*
 * Data I/O directly on the socket fd: plain TCP, and kernel TLS (the kernel
 * encrypts/decrypts; userspace sees plaintext).
 */
#include "xfer.h"

#include <errno.h>
#include <linux/tls.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef SOL_TLS
#define SOL_TLS 282
#endif

#define TLS_RECORD_ALERT 21
#define TLS_RECORD_APPDATA 23
#define TLS_ALERT_CLOSE_NOTIFY 0

static ssize_t fd_read(struct xfer_conn *c, void *buf, size_t len)
{
	char cbuf[CMSG_SPACE(sizeof(unsigned char))];
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
	};
	struct cmsghdr *cmsg;
	ssize_t n;

	if (!c->rx_keys)
		return read(c->fd, buf, len);

	/*
	 * With kTLS RX, non-data records are returned with a
	 * TLS_GET_RECORD_TYPE cmsg (without cmsg space the kernel fails the
	 * read with EIO).  A close_notify alert is treated as EOF; anything
	 * else that is not application data is an error.
	 */
	msg.msg_control = cbuf;
	msg.msg_controllen = sizeof(cbuf);
	n = recvmsg(c->fd, &msg, 0);
	if (n < 0)
		return n;
	for (cmsg = CMSG_FIRSTHDR(&msg); cmsg; cmsg = CMSG_NXTHDR(&msg, cmsg)) {
		unsigned char type;

		if (cmsg->cmsg_level != SOL_TLS ||
		    cmsg->cmsg_type != TLS_GET_RECORD_TYPE)
			continue;
		type = *CMSG_DATA(cmsg);
		if (type == TLS_RECORD_APPDATA)
			break;
		if (type == TLS_RECORD_ALERT && n >= 2 &&
		    ((unsigned char *)buf)[1] == TLS_ALERT_CLOSE_NOTIFY)
			return 0;
		errno = EPROTO;
		return -1;
	}
	return n;
}

static ssize_t fd_write(struct xfer_conn *c, const void *buf, size_t len)
{
	return write(c->fd, buf, len);
}

static ssize_t fd_sendfile(struct xfer_conn *c, int in_fd, off_t *off,
			   size_t len)
{
	return sendfile(c->fd, in_fd, off, len);
}

static int fd_shutdown_wr(struct xfer_conn *c)
{
	return shutdown(c->fd, SHUT_WR);
}

const struct xfer_io xfer_io_fd = {
	.name = "fd",
	.read = fd_read,
	.write = fd_write,
	.sendfile = fd_sendfile,
	.shutdown_wr = fd_shutdown_wr,
};
