// SPDX-License-Identifier: GPL-2.0
#include "parse.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

const char *parse_strerror(int err)
{
	switch (err) {
	case PARSE_OK:      return "ok";
	case PARSE_INVALID: return "invalid value";
	case PARSE_RANGE:   return "value out of range";
	}
	return "parse error";
}

static int digitval(char c, unsigned int base)
{
	int v;

	if (c >= '0' && c <= '9')
		v = c - '0';
	else if (c >= 'a' && c <= 'f')
		v = c - 'a' + 10;
	else if (c >= 'A' && c <= 'F')
		v = c - 'A' + 10;
	else
		return -1;
	return (unsigned int)v < base ? v : -1;
}

/*
 * Parse leading digits of @s in @base into *@out; *@end points after them.
 * At least one digit is required.  Overflow gives PARSE_RANGE.
 */
static int parse_digits(const char *s, unsigned int base, uint64_t *out,
			const char **end)
{
	uint64_t v = 0;
	bool any = false, ovf = false;
	int d;

	while ((d = digitval(*s, base)) >= 0) {
		if (v > (UINT64_MAX - (uint64_t)d) / base)
			ovf = true;
		else
			v = v * base + (uint64_t)d;
		any = true;
		s++;
	}
	*end = s;
	if (!any)
		return PARSE_INVALID;
	if (ovf)
		return PARSE_RANGE;
	*out = v;
	return PARSE_OK;
}

int parse_u64(const char *s, uint64_t *out)
{
	unsigned int base = 10;
	const char *end;
	uint64_t v;
	int err;

	if (!s || !*s)
		return PARSE_INVALID;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	err = parse_digits(s, base, &v, &end);
	if (err == PARSE_OK && *end)
		err = PARSE_INVALID;
	if (err == PARSE_RANGE && *end)
		err = PARSE_INVALID;
	if (err)
		return err;
	*out = v;
	return PARSE_OK;
}

int parse_size(const char *s, uint64_t *out)
{
	const char *end;
	unsigned int shift = 0;
	uint64_t v;
	int err;

	if (!s || !*s)
		return PARSE_INVALID;
	err = parse_digits(s, 10, &v, &end);
	if (err == PARSE_INVALID)
		return err;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	case 't': case 'T': shift = 40; end++; break;
	default: break;
	}
	if (shift && *end == 'i')
		end++;
	if (*end == 'B')
		end++;
	if (*end)
		return PARSE_INVALID;
	if (err)
		return err;
	if (shift && v > (UINT64_MAX >> shift))
		return PARSE_RANGE;
	*out = v << shift;
	return PARSE_OK;
}

int parse_size_range(const char *s, uint64_t *min, uint64_t *max)
{
	const char *dash;
	char buf[64];
	uint64_t lo, hi;
	size_t n;
	int err;

	if (!s || !*s)
		return PARSE_INVALID;
	dash = strchr(s, '-');
	if (!dash) {
		err = parse_size(s, &lo);
		if (err)
			return err;
		*min = *max = lo;
		return PARSE_OK;
	}
	n = (size_t)(dash - s);
	if (n == 0 || n >= sizeof(buf))
		return PARSE_INVALID;
	memcpy(buf, s, n);
	buf[n] = '\0';
	err = parse_size(buf, &lo);
	if (err)
		return err;
	err = parse_size(dash + 1, &hi);
	if (err)
		return err;
	if (lo > hi)
		return PARSE_INVALID;
	*min = lo;
	*max = hi;
	return PARSE_OK;
}

int parse_seconds(const char *s, double *out)
{
	const char *p;
	int digits = 0, dots = 0;
	double v;

	if (!s || !*s)
		return PARSE_INVALID;
	for (p = s; *p; p++) {
		if (isdigit((unsigned char)*p))
			digits++;
		else if (*p == '.')
			dots++;
		else
			return PARSE_INVALID;
	}
	if (!digits || dots > 1)
		return PARSE_INVALID;
	v = strtod(s, NULL);
	if (!(v > 0.0) || v > 1e6)
		return PARSE_RANGE;
	*out = v;
	return PARSE_OK;
}

const char *parse_hostport(const char *s, struct hostport *hp)
{
	const char *host, *port, *colon;
	size_t hlen;
	uint64_t pnum;

	memset(hp, 0, sizeof(*hp));
	if (!s || !*s)
		return "empty address";
	if (s[0] == '[') {
		const char *rb = strchr(s, ']');

		if (!rb)
			return "missing ']' after IPv6 address";
		host = s + 1;
		hlen = (size_t)(rb - host);
		if (hlen == 0)
			return "empty IPv6 address in brackets";
		if (rb[1] != ':')
			return rb[1] ? "expected ':' after ']'" : "missing port";
		port = rb + 2;
		hp->bracketed = true;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return "missing port (expected ADDR:PORT)";
		if (memchr(s, ':', (size_t)(colon - s)))
			return "IPv6 address must be in brackets, e.g. [::1]:4433";
		host = s;
		hlen = (size_t)(colon - s);
		port = colon + 1;
	}
	if (hlen >= sizeof(hp->host))
		return "host name too long";
	if (!*port)
		return "missing port";
	if (strlen(port) >= sizeof(hp->port) ||
	    parse_digits(port, 10, &pnum, &colon) != PARSE_OK || *colon ||
	    pnum > 65535)
		return "invalid port";
	memcpy(hp->host, host, hlen);
	hp->host[hlen] = '\0';
	strcpy(hp->port, port);
	hp->port_num = (uint16_t)pnum;
	return NULL;
}
