/* SPDX-License-Identifier: GPL-2.0 */
/* TCP socket helpers with timeouts.  Functions return -errno on failure. */
#ifndef TLSDEV_NET_H
#define TLSDEV_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

/* "255.255.255.255:65535" or "[v6%scope]:65535" */
#define NET_ADDRSTR_MAX 80

/*
 * Resolve "HOST:PORT" / "[V6]:PORT" / ":PORT" (see parse_hostport()).
 * @family is AF_UNSPEC, AF_INET or AF_INET6 (-4/-6).  @passive: for bind();
 * an empty host then means the wildcard address.  On failure returns -1 and
 * writes a one-line reason to @why.
 */
int net_resolve(const char *spec, int family, bool passive,
		struct sockaddr_storage *ss, socklen_t *len,
		char *why, size_t whylen);

/* Numeric "ADDR:PORT" / "[ADDR]:PORT". */
void net_format_addr(const struct sockaddr *sa, char *buf, size_t len);

/* Local / peer address of @fd formatted as above ("?" on error). */
void net_format_local(int fd, char *buf, size_t len);
void net_format_peer(int fd, char *buf, size_t len);

/*
 * Non-blocking socket + SO_REUSEADDR + bind + listen (use net_accept()).
 * Returns the fd or -errno.
 */
int net_listen(const struct sockaddr *sa, socklen_t len, int backlog);

/*
 * Wait up to @timeout_ms (< 0: forever) for a connection and accept it.
 * Returns a blocking, close-on-exec fd, -ETIMEDOUT, or -errno.
 */
int net_accept(int lfd, int timeout_ms);

/*
 * Connect with a timeout.  Returns a blocking fd, -ETIMEDOUT or -errno.
 */
int net_connect(const struct sockaddr *sa, socklen_t len, int timeout_ms);

/* SO_RCVTIMEO + SO_SNDTIMEO.  Returns 0 or -errno. */
int net_set_io_timeout(int fd, double seconds);

/* Convert seconds to a poll() timeout in ms, clamped to INT_MAX. */
int net_timeout_ms(double seconds);

#endif
