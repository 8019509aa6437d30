// SPDX-License-Identifier: GPL-2.0
/*
 * Data I/O directly on the socket fd: plain TCP, and kernel TLS (the kernel
 * encrypts/decrypts; userspace sees plaintext).
 *
 * kTLS RX hands non-data records to userspace one at a time, tagged with a
 * TLS_GET_RECORD_TYPE cmsg (a read without room for the cmsg fails with
 * EIO); a record may come in several reads when the buffer is short.
 * fd_read() consumes them here:
 *   alert close_notify         -> EOF (0), c->peer_close_notify
 *   alert user_canceled        -> ignored (a warning)
 *   other alerts               -> EPROTO, c->io_err names the alert
 *   handshake NewSessionTicket -> skipped (TLS 1.3 tickets from a server
 *                                 that sends them after our hand-off)
 *   other handshake messages   -> EPROTO (KeyUpdate, renegotiation: the
 *                                 kernel cannot rekey)
 * kTLS TX ends the stream with a close_notify alert record
 * (TLS_SET_RECORD_TYPE), then FIN.
 *
 * --splice: the sender moves file -> pipe -> socket, the receiver socket ->
 * pipe -> its buffer (the kernel TLS splice_read path).  kTLS RX refuses to
 * splice a control record (EINVAL, the record stays queued); the receiver
 * then takes that one record with fd_read() and its cmsg.
 */
#include "xfer.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/tls.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef SOL_TLS
#define SOL_TLS 282
#endif

#define TLS_RECORD_ALERT 21
#define TLS_RECORD_HANDSHAKE 22
#define TLS_RECORD_APPDATA 23
#define TLS_ALERT_WARNING 1
#define TLS_ALERT_CLOSE_NOTIFY 0
#define TLS_ALERT_USER_CANCELED 90
#define TLS_HS_NEW_SESSION_TICKET 4
#define TLS_HS_KEY_UPDATE 24
#define TLS_HS_HELLO_REQUEST 0

static int ctrl_error(struct xfer_conn *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int ctrl_error(struct xfer_conn *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->io_err, sizeof(c->io_err), fmt, ap);
	va_end(ap);
	c->io_rc = RC_FAIL;
	errno = EPROTO;
	return -1;
}

/*
 * Consume @n bytes of a control record of @type.  Returns 1 at
 * close_notify, 0 to keep reading, -1 on a fatal record (errno, io_err).
 */
static int ctrl_consume(struct xfer_conn *c, uint8_t type, const uint8_t *p,
			size_t n)
{
	if (c->ctrl.have && c->ctrl.type != type)
		return ctrl_error(c, "TLS record type %u inside a fragmented "
				  "control message", type);
	c->ctrl.type = type;
	while (n) {
		if (type == TLS_RECORD_HANDSHAKE && c->ctrl.skip) {
			size_t k = n < c->ctrl.skip ? n : c->ctrl.skip;

			c->ctrl.skip -= (uint32_t)k;
			p += k;
			n -= k;
			continue;
		}
		c->ctrl.buf[c->ctrl.have++] = *p++;
		n--;
		if (type == TLS_RECORD_ALERT && c->ctrl.have == 2) {
			uint8_t level = c->ctrl.buf[0], desc = c->ctrl.buf[1];

			c->ctrl.have = 0;
			if (desc == TLS_ALERT_CLOSE_NOTIFY) {
				c->peer_close_notify = true;
				return 1;
			}
			if (level == TLS_ALERT_WARNING &&
			    desc == TLS_ALERT_USER_CANCELED)
				continue;
			tls_note_peer_alert(c, desc);
			errno = EPROTO;
			return -1;
		}
		if (type == TLS_RECORD_HANDSHAKE && c->ctrl.have == 4) {
			uint8_t msg = c->ctrl.buf[0];

			c->ctrl.have = 0;
			c->ctrl.skip = (uint32_t)c->ctrl.buf[1] << 16 |
				       (uint32_t)c->ctrl.buf[2] << 8 |
				       c->ctrl.buf[3];
			if (msg == TLS_HS_NEW_SESSION_TICKET) {
				c->tickets_skipped++;
				continue;
			}
			if (msg == TLS_HS_KEY_UPDATE)
				return ctrl_error(c, "the peer sent KeyUpdate; "
						  "kernel TLS cannot rekey");
			if (msg == TLS_HS_HELLO_REQUEST)
				return ctrl_error(c, "the peer asked for "
						  "renegotiation");
			return ctrl_error(c, "unexpected handshake message %u "
					  "after the hand-off", msg);
		}
		if (type != TLS_RECORD_ALERT && type != TLS_RECORD_HANDSHAKE)
			return ctrl_error(c, "unexpected TLS record type %u",
					  type);
	}
	return 0;
}

static ssize_t fd_read(struct xfer_conn *c, void *buf, size_t len)
{
	char cbuf[CMSG_SPACE(sizeof(unsigned char))];
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr msg;
	struct cmsghdr *cmsg;
	unsigned char type;
	ssize_t n;
	int k;

	if (!c->rx_keys)
		return read(c->fd, buf, len);
	for (;;) {
		memset(&msg, 0, sizeof(msg));
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = cbuf;
		msg.msg_controllen = sizeof(cbuf);
		n = recvmsg(c->fd, &msg, 0);
		if (n <= 0) {
			if (n < 0 && errno == EBADMSG)
				snprintf(c->io_err, sizeof(c->io_err),
					 "%s (EBADMSG: kernel TLS could not "
					 "decrypt a record: wrong keys or record "
					 "sequence number, or corrupted data)",
					 strerror(EBADMSG));
			return n;
		}
		type = TLS_RECORD_APPDATA;
		for (cmsg = CMSG_FIRSTHDR(&msg); cmsg;
		     cmsg = CMSG_NXTHDR(&msg, cmsg))
			if (cmsg->cmsg_level == SOL_TLS &&
			    cmsg->cmsg_type == TLS_GET_RECORD_TYPE)
				type = *CMSG_DATA(cmsg);
		if (type == TLS_RECORD_APPDATA)
			return n;
		k = ctrl_consume(c, type, buf, (size_t)n);
		if (k > 0)
			return 0;
		if (k < 0)
			return -1;
	}
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

static void pipe_drop(struct xfer_conn *c)
{
	close(c->pipefd[0]);
	close(c->pipefd[1]);
	c->pipefd[0] = c->pipefd[1] = -1;
	c->pipe_size = 0;
}

ssize_t xfer_splice_fd(struct xfer_conn *c, int in_fd, off_t *off,
		       size_t len)
{
	loff_t loff = *off;
	ssize_t in, out;
	size_t left;

	if (c->pipefd[0] < 0 && pipe2(c->pipefd, O_CLOEXEC))
		return -1;
	in = splice(in_fd, &loff, c->pipefd[1], NULL, len, SPLICE_F_MOVE);
	if (in <= 0)
		return in;
	for (left = (size_t)in; left; left -= (size_t)out) {
		out = splice(c->pipefd[0], NULL, c->fd, NULL, left,
			     SPLICE_F_MOVE);
		if (out < 0 && errno == EINTR) {
			out = 0;
			continue;
		}
		if (out <= 0) {
			/* The pipe holds data now: it cannot be reused. */
			pipe_drop(c);
			if (out == 0)
				errno = EPIPE;
			return -1;
		}
	}
	*off = loff;
	return in;
}

ssize_t xfer_splice_read_fd(struct xfer_conn *c, void *buf, size_t len)
{
	size_t got = 0;
	ssize_t in, k;
	int sz;

	if (c->pipefd[0] < 0 && pipe2(c->pipefd, O_CLOEXEC))
		return -1;
	if (!c->pipe_size) {
		/* Room for a read's worth; the default (64K) if refused. */
		fcntl(c->pipefd[1], F_SETPIPE_SZ, (int)XFER_READ_SIZE);
		sz = fcntl(c->pipefd[1], F_GETPIPE_SZ);
		c->pipe_size = sz > 0 ? (size_t)sz : 4096;
	}
	if (len > c->pipe_size)
		len = c->pipe_size;
	in = splice(c->fd, NULL, c->pipefd[1], NULL, len, SPLICE_F_MOVE);
	if (in < 0 && errno == EINVAL && c->rx_keys)
		return c->io->read(c, buf, len);
	if (in <= 0)
		return in;
	while (got < (size_t)in) {
		k = read(c->pipefd[0], (uint8_t *)buf + got, (size_t)in - got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			/* Data left in the pipe would come out of order. */
			pipe_drop(c);
			if (k == 0)
				errno = EIO;
			return -1;
		}
		got += (size_t)k;
	}
	return in;
}

int xfer_ktls_send_alert(struct xfer_conn *c, uint8_t level, uint8_t desc)
{
	char cbuf[CMSG_SPACE(sizeof(unsigned char))];
	uint8_t alert[2] = { level, desc };
	struct iovec iov = { .iov_base = alert, .iov_len = sizeof(alert) };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = cbuf,
		.msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
	ssize_t n;

	memset(cbuf, 0, sizeof(cbuf));
	cmsg->cmsg_level = SOL_TLS;
	cmsg->cmsg_type = TLS_SET_RECORD_TYPE;
	cmsg->cmsg_len = CMSG_LEN(sizeof(unsigned char));
	*CMSG_DATA(cmsg) = TLS_RECORD_ALERT;
	n = sendmsg(c->fd, &msg, 0);
	if (n < 0)
		return -1;
	if (n != sizeof(alert)) {
		errno = EIO;
		return -1;
	}
	return 0;
}

static int fd_shutdown_wr(struct xfer_conn *c)
{
	if (c->tx_keys && !c->sent_close_notify) {
		if (xfer_ktls_send_alert(c, TLS_ALERT_WARNING,
					 TLS_ALERT_CLOSE_NOTIFY))
			return -1;
		c->sent_close_notify = true;
	}
	return shutdown(c->fd, SHUT_WR);
}

const struct xfer_io xfer_io_fd = {
	.name = "fd",
	.read = fd_read,
	.write = fd_write,
	.sendfile = fd_sendfile,
	.splice = xfer_splice_fd,
	.splice_read = xfer_splice_read_fd,
	.shutdown_wr = fd_shutdown_wr,
};
