// SPDX-License-Identifier: GPL-2.0
#include "common.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static const char *g_prog = "tls_dev";
static char g_last[512];

void prog_set_name(const char *name)
{
	g_prog = name;
}

const char *prog_name(void)
{
	return g_prog;
}

void errmsg(const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	vsnprintf(g_last, sizeof(g_last), fmt, ap);
	va_end(ap);
	for (p = g_last; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	fflush(stdout);
	fprintf(stderr, "%s: %s\n", g_prog, g_last);
}

const char *errmsg_last(void)
{
	return g_last;
}

void errmsg_clear(void)
{
	g_last[0] = '\0';
}

const char *rc_name(int rc)
{
	switch (rc) {
	case RC_OK:      return "ok";
	case RC_FAIL:    return "fail";
	case RC_USAGE:   return "usage";
	case RC_SETUP:   return "setup";
	case RC_OFFLOAD: return "offload";
	case RC_TIMEOUT: return "timeout";
	case RC_HANDSHAKE: return "handshake";
	}
	return "unknown";
}

double mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
