// SPDX-License-Identifier: GPL-2.0
#include "net.h"
#include "parse.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

int net_resolve(const char *spec, int family, bool passive,
		struct sockaddr_storage *ss, socklen_t *len,
		char *why, size_t whylen)
{
	struct addrinfo hints, *res = NULL;
	struct hostport hp;
	const char *perr;
	int err;

	perr = parse_hostport(spec, &hp);
	if (perr) {
		snprintf(why, whylen, "%s", perr);
		return -1;
	}
	if (hp.bracketed) {
		if (family == AF_INET) {
			snprintf(why, whylen, "IPv6 address given with -4");
			return -1;
		}
		family = AF_INET6;
	}
	if (!hp.host[0] && !passive) {
		snprintf(why, whylen, "missing host");
		return -1;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = family;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_protocol = IPPROTO_TCP;
	hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0) |
			 (hp.bracketed ? AI_NUMERICHOST : 0);
	err = getaddrinfo(hp.host[0] ? hp.host : NULL, hp.port, &hints, &res);
	if (err) {
		snprintf(why, whylen, "cannot resolve '%s': %s",
			 hp.host[0] ? hp.host : "*", gai_strerror(err));
		return -1;
	}
	if (!res || res->ai_addrlen > sizeof(*ss)) {
		freeaddrinfo(res);
		snprintf(why, whylen, "cannot resolve '%s'", hp.host);
		return -1;
	}
	memset(ss, 0, sizeof(*ss));
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

void net_format_addr(const struct sockaddr *sa, char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN];

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)sa;

		inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
		snprintf(buf, len, "%s:%u", host, ntohs(in->sin_port));
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)sa;

		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
		if (in6->sin6_scope_id)
			snprintf(buf, len, "[%s%%%u]:%u", host,
				 in6->sin6_scope_id, ntohs(in6->sin6_port));
		else
			snprintf(buf, len, "[%s]:%u", host,
				 ntohs(in6->sin6_port));
	} else {
		snprintf(buf, len, "?");
	}
}

void net_format_local(int fd, char *buf, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
		net_format_addr((struct sockaddr *)&ss, buf, len);
	else
		snprintf(buf, len, "?");
}

void net_format_peer(int fd, char *buf, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);

	if (getpeername(fd, (struct sockaddr *)&ss, &sl) == 0)
		net_format_addr((struct sockaddr *)&ss, buf, len);
	else
		snprintf(buf, len, "?");
}

int net_listen(const struct sockaddr *sa, socklen_t len, int backlog)
{
	int fd, one = 1, err;

	/* Non-blocking listener: accept() after poll() can never hang. */
	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
		    IPPROTO_TCP);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, sa, len) || listen(fd, backlog)) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

int net_accept(int lfd, int timeout_ms)
{
	struct pollfd pfd = { .fd = lfd, .events = POLLIN };
	double deadline = 0;
	int fd, n;

	if (timeout_ms >= 0) {
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		deadline = ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6 + timeout_ms;
	}
	for (;;) {
		int wait_ms = -1;

		if (timeout_ms >= 0) {
			struct timespec ts;
			double left;

			clock_gettime(CLOCK_MONOTONIC, &ts);
			left = deadline - (ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6);
			if (left <= 0)
				return -ETIMEDOUT;
			wait_ms = left > INT_MAX ? INT_MAX : (int)left + 1;
		}
		n = poll(&pfd, 1, wait_ms);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			continue; /* deadline re-checked above */
		/* The listener is non-blocking; the new fd is blocking. */
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == EINTR || errno == ECONNABORTED)
				continue;
			return -errno;
		}
		return fd;
	}
}

int net_connect(const struct sockaddr *sa, socklen_t len, int timeout_ms)
{
	struct pollfd pfd;
	socklen_t sl;
	int fd, err, n, soerr = 0;

	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
		    IPPROTO_TCP);
	if (fd < 0)
		return -errno;
	if (connect(fd, sa, len) == 0)
		goto connected;
	if (errno != EINPROGRESS) {
		err = -errno;
		goto fail;
	}
	pfd.fd = fd;
	pfd.events = POLLOUT;
	do {
		n = poll(&pfd, 1, timeout_ms);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		err = -errno;
		goto fail;
	}
	if (n == 0) {
		err = -ETIMEDOUT;
		goto fail;
	}
	sl = sizeof(soerr);
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl)) {
		err = -errno;
		goto fail;
	}
	if (soerr) {
		err = -soerr;
		goto fail;
	}
connected:
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)) {
		err = -errno;
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return err;
}

int net_set_io_timeout(int fd, double seconds)
{
	struct timeval tv;

	tv.tv_sec = (time_t)seconds;
	tv.tv_usec = (suseconds_t)((seconds - (double)tv.tv_sec) * 1e6);
	if (tv.tv_sec == 0 && tv.tv_usec == 0)
		tv.tv_usec = 1; /* 0 would mean "no timeout" */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)))
		return -errno;
	return 0;
}

int net_timeout_ms(double seconds)
{
	double ms = seconds * 1000.0;

	if (ms < 0)
		return -1;
	if (ms >= (double)INT_MAX)
		return INT_MAX;
	return ms < 1.0 ? 1 : (int)ms;
}
