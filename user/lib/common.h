/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared helpers for the tls_dev userspace tools: program name, one-line
 * error messages, the common exit-code convention and a monotonic clock.
 */
#ifndef TLSDEV_COMMON_H
#define TLSDEV_COMMON_H

#include <stddef.h>

/*
 * Exit codes shared by all tls_dev tools.  Keep in sync with the --help
 * texts of the tools.
 */
enum rc_code {
	RC_OK      = 0, /* success */
	RC_FAIL    = 1, /* transfer or verification failed */
	RC_USAGE   = 2, /* bad command line */
	RC_SETUP   = 3, /* resolve/connect/listen/ULP/setsockopt/file error */
	RC_OFFLOAD = 4, /* offload requirement not met */
	RC_TIMEOUT = 5, /* a blocking step timed out */
	RC_HANDSHAKE = 6, /* TLS handshake failed or was rejected by the peer */
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

void prog_set_name(const char *name);
const char *prog_name(void);

/*
 * Print "<prog>: <message>\n" on stderr.  Newlines inside the message are
 * replaced so that every error is exactly one line.  The text is also kept
 * and can be fetched with errmsg_last() (e.g. for JSON output).
 */
void errmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *errmsg_last(void);
void errmsg_clear(void);

/* Short name of an rc_code ("ok", "fail", "usage", ...). */
const char *rc_name(int rc);

/* Seconds from CLOCK_MONOTONIC. */
double mono_now(void);

#endif
