/* SPDX-License-Identifier: GPL-2.0 */
/* Pure command-line value parsers (no I/O, no allocation). */
#ifndef TLSDEV_PARSE_H
#define TLSDEV_PARSE_H

#include <stdbool.h>
#include <stdint.h>

enum parse_err {
	PARSE_OK = 0,
	PARSE_INVALID = -1, /* malformed */
	PARSE_RANGE = -2,   /* well formed but out of range / overflow */
};

const char *parse_strerror(int err);

/* Unsigned 64-bit integer: decimal, or hex with a 0x prefix. */
int parse_u64(const char *s, uint64_t *out);

/*
 * Byte count with an optional binary suffix: K, M, G, T (x1024^n, case
 * insensitive), optionally followed by "B" or "iB" ("64M", "2GiB", "4k").
 */
int parse_size(const char *s, uint64_t *out);

/*
 * "N" (min = max = N) or "MIN-MAX", each a parse_size() value.  MIN must not
 * exceed MAX.
 */
int parse_size_range(const char *s, uint64_t *min, uint64_t *max);

/* Positive decimal seconds ("30", "0.5"), at most 1e6. */
int parse_seconds(const char *s, double *out);

#define HOSTPORT_HOST_MAX 256

struct hostport {
	char host[HOSTPORT_HOST_MAX]; /* without brackets; may be empty */
	char port[8];                 /* decimal digits */
	uint16_t port_num;
	bool bracketed;               /* host was given as [v6] */
};

/*
 * Split "HOST:PORT" / "[V6ADDR]:PORT" / ":PORT" into host and port.
 * Unbracketed IPv6 literals are rejected (ambiguous).  Returns NULL on
 * success or a static description of the problem.
 */
const char *parse_hostport(const char *s, struct hostport *hp);

#endif
