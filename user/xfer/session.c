// SPDX-License-Identifier: GPL-2.0
/*
 * One tlsxfer run: establish the TCP connection(s), let the mode install
 * keys, report the kTLS offload state, move the data, decide the exit code.
 */
#include "xfer.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static void query_diag(const struct xfer_conn *c, struct tlsdiag_info *d)
{
	if (!c->ktls) {
		/* No ULP: nothing to ask the kernel. */
		memset(d, 0, sizeof(*d));
		d->status = TLSDIAG_OK;
		return;
	}
	tlsdiag_query(c->fd, d);
}

static void data_done(struct xfer_conn *c, struct xfer_result *r)
{
	query_diag(c, &r->diag_end);
	r->have_diag_end = true;
}

static bool is_hw(const struct tlsdiag_info *d, bool tx)
{
	return strcmp(tlsdiag_state(d, tx), "hw") == 0;
}

/* --require-offload: the direction must be "hw" before and after. */
static bool offload_met(const struct xfer_conn *c, const struct xfer_opts *o,
			const struct xfer_result *r, char *why, size_t len)
{
	static const struct { enum xfer_require bit; bool tx; } dirs[] = {
		{ REQUIRE_TX, true }, { REQUIRE_RX, false },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(dirs); i++) {
		const struct tlsdiag_info *bad = NULL;

		if (!(o->require & dirs[i].bit))
			continue;
		if (!is_hw(&r->diag_start, dirs[i].tx))
			bad = &r->diag_start;
		else if (!is_hw(&r->diag_end, dirs[i].tx))
			bad = &r->diag_end;
		if (bad) {
			char reason[192];

			offload_reason(c, r, bad, dirs[i].tx, reason,
				       sizeof(reason));
			snprintf(why, len, "offload requirement not met: %s is "
				 "%s%s%s%s", dirs[i].tx ? "tx" : "rx",
				 tlsdiag_state(bad, dirs[i].tx),
				 bad == &r->diag_end ? " at the end" : "",
				 reason[0] ? ": " : "", reason);
			return false;
		}
	}
	return true;
}

static double tv_s(const struct timeval *tv)
{
	return (double)tv->tv_sec + (double)tv->tv_usec / 1e6;
}

static void conn_close(struct xfer_conn *c, const struct xfer_opts *o)
{
	if (o->mode->cleanup)
		o->mode->cleanup(c);
	if (c->pipefd[0] >= 0) {
		close(c->pipefd[0]);
		close(c->pipefd[1]);
	}
	close(c->fd);
}

/* @t_conn: mono_now() when the TCP connection was established. */
static int serve_conn(int fd, struct xfer_opts *o, double t_conn)
{
	struct xfer_conn c;
	struct xfer_result r;
	struct rusage ru0, ru1;
	char why[384];
	double t0;
	int rc, err;

	memset(&c, 0, sizeof(c));
	memset(&r, 0, sizeof(r));
	c.fd = fd;
	c.role = o->role;
	c.io = &xfer_io_fd;
	c.t_conn = t_conn;
	c.pipefd[0] = c.pipefd[1] = -1;
	r.first_byte_s = -1;
	r.sender = xfer_is_sender(o);
	net_format_local(fd, c.local, sizeof(c.local));
	net_format_peer(fd, c.peer, sizeof(c.peer));
	errmsg_clear();

	/* Inactivity timeout for everything from here on (setup included). */
	err = net_set_io_timeout(fd, o->timeout);
	if (err) {
		errmsg("setting socket timeouts: %s", strerror(-err));
		rc = RC_SETUP;
		goto fail_setup;
	}
	t0 = mono_now();
	rc = o->mode->setup(&c, o);
	r.setup_s = mono_now() - t0;
	/* Static keys are not needed again unless more connections follow. */
	if (!o->loop)
		static_material_cleanse(&o->sm);
	if (rc)
		goto fail_setup;

	query_diag(&c, &r.diag_start);
	r.have_diag = true;
	offload_probe_route(&c, &r);
	report_setup(&c, o, &r);
	c.data_done = data_done;

	getrusage(RUSAGE_SELF, &ru0);
	if (o->echo && o->role == ROLE_CLIENT)
		rc = xfer_echo_client(&c, o, &r);
	else if (r.sender)
		rc = xfer_send(&c, o, &r);
	else
		rc = xfer_recv(&c, o, &r);
	getrusage(RUSAGE_SELF, &ru1);
	r.cpu_user_s = tv_s(&ru1.ru_utime) - tv_s(&ru0.ru_utime);
	r.cpu_sys_s = tv_s(&ru1.ru_stime) - tv_s(&ru0.ru_stime);

	if (!r.have_diag_end)
		data_done(&c, &r);
	r.offload_ok = offload_met(&c, o, &r, why, sizeof(why));
	if (rc == RC_OK && o->require && !r.offload_ok) {
		errmsg("%s", why);
		snprintf(r.error, sizeof(r.error), "%s", why);
		rc = RC_OFFLOAD;
	}
	r.rc = rc;
	report_final(&c, o, &r);
	conn_close(&c, o);
	return rc;

fail_setup:
	r.rc = rc;
	snprintf(r.error, sizeof(r.error), "%s", errmsg_last());
	snprintf(r.reason, sizeof(r.reason), "%s", errmsg_last());
	report_final(&c, o, &r);
	conn_close(&c, o);
	return rc;
}

/* Report an error that happened before there was a connection. */
static int early_fail(const struct xfer_opts *o, int rc)
{
	struct xfer_conn c;
	struct xfer_result r;

	memset(&c, 0, sizeof(c));
	memset(&r, 0, sizeof(r));
	c.fd = -1;
	c.role = o->role;
	r.rc = rc;
	r.sender = xfer_is_sender(o);
	snprintf(r.error, sizeof(r.error), "%s", errmsg_last());
	snprintf(r.reason, sizeof(r.reason), "%s", errmsg_last());
	report_final(&c, o, &r);
	return rc;
}

static int run_server(struct xfer_opts *o)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	char why[256], addr[NET_ADDRSTR_MAX];
	int lfd, fd, rc;

	if (net_resolve(o->addr, o->family, true, &ss, &sl, why, sizeof(why))) {
		errmsg("--listen %s: %s", o->addr, why);
		return early_fail(o, RC_SETUP);
	}
	lfd = net_listen((struct sockaddr *)&ss, sl, 16);
	if (lfd < 0) {
		net_format_addr((struct sockaddr *)&ss, addr, sizeof(addr));
		errmsg("listen on %s: %s", addr, strerror(-lfd));
		return early_fail(o, RC_SETUP);
	}
	net_format_local(lfd, addr, sizeof(addr));
	/* Keep stdout a single JSON document in --json mode. */
	fprintf(o->json ? stderr : stdout, "listening on %s\n", addr);
	fflush(o->json ? stderr : stdout);

	do {
		fd = net_accept(lfd, o->loop ? -1 : net_timeout_ms(o->timeout));
		if (fd == -ETIMEDOUT) {
			errmsg("timeout: no connection within %g s", o->timeout);
			rc = early_fail(o, RC_TIMEOUT);
			break;
		}
		if (fd < 0) {
			errmsg("accept: %s", strerror(-fd));
			rc = early_fail(o, RC_SETUP);
			break;
		}
		rc = serve_conn(fd, o, mono_now());
	} while (o->loop);
	close(lfd);
	return rc;
}

static int run_client(struct xfer_opts *o)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	char why[256], addr[NET_ADDRSTR_MAX];
	int fd;

	if (net_resolve(o->addr, o->family, false, &ss, &sl, why,
			sizeof(why))) {
		errmsg("--connect %s: %s", o->addr, why);
		return early_fail(o, RC_SETUP);
	}
	fd = net_connect((struct sockaddr *)&ss, sl, net_timeout_ms(o->timeout));
	if (fd < 0) {
		net_format_addr((struct sockaddr *)&ss, addr, sizeof(addr));
		if (fd == -ETIMEDOUT) {
			errmsg("timeout: connect to %s: no answer within %g s",
			       addr, o->timeout);
			return early_fail(o, RC_TIMEOUT);
		}
		errmsg("connect to %s: %s", addr, strerror(-fd));
		return early_fail(o, RC_SETUP);
	}
	return serve_conn(fd, o, mono_now());
}

int xfer_run(struct xfer_opts *o)
{
	int rc;

	/* Peer resets must surface as EPIPE, not kill us. */
	signal(SIGPIPE, SIG_IGN);
	if (xfer_is_sender(o)) {
		rc = xfer_check_source(o);
		if (rc)
			return early_fail(o, rc);
	}
	if (o->mode->prepare) {
		rc = o->mode->prepare(o);
		if (rc) {
			early_fail(o, rc);
			tls_global_free();
			return rc;
		}
	}
	rc = o->role == ROLE_SERVER ? run_server(o) : run_client(o);
	tls_global_free();
	return rc;
}
