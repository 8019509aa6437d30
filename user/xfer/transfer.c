// SPDX-License-Identifier: GPL-2.0
/*
 * Moving and verifying data.  Independent of how the connection got its
 * keys: everything goes through c->io.
 *
 * Protocol: the sender writes its payload, then shutdown(SHUT_WR).  The
 * receiver reads to EOF, hashes (SHA-256) and verifies what it can, then
 * answers with one status line and closes:
 *     OK <bytes> <sha256hex>\n
 *     FAIL <bytes> <sha256hex|-> <reason>\n
 * The sender reads that line up to EOF and compares byte count and SHA-256
 * with what it sent, so both exit codes reflect end-to-end success.
 *
 * With --no-status (the peer is not tlsxfer) there is no status line: the
 * sender drains the peer's side to EOF and reports "unverified"; the
 * receiver verifies locally and, given --bytes N, stops after N bytes.
 *
 * With --echo the client sends chunks of at most 64K and reads each one
 * back before the next (so neither side can block the other), comparing
 * the echoed bytes with what it sent; the server echoes to EOF.
 *
 * "Shutting down the send side" is c->io->shutdown_wr(): with TLS it sends
 * close_notify first.  With TLS, EOF without the peer's close_notify
 * (c->strict_eof) is a truncation and fails the receiver.
 */
#include "xfer.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../lib/hex.h"
#include "../lib/pattern.h"

#define STATUS_MAX XFER_STATUS_MAX
/* Seed perturbation so write sizes are not correlated with the data. */
#define WSIZE_SEED_XOR 0x77726974652d737aULL

/* Record a failure: reason, stderr message, return code. */
static int fail(struct xfer_result *r, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct xfer_result *r, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
	va_end(ap);
	r->ok = false;
	errmsg("%s", r->reason);
	snprintf(r->error, sizeof(r->error), "%s", r->reason);
	return rc;
}

/* A socket I/O error during @what (the transport may have said more). */
static int io_fail(struct xfer_conn *c, struct xfer_result *r,
		   const struct xfer_opts *o, int err, const char *what)
{
	int rc = c->io_rc ? c->io_rc : RC_FAIL;

	if (err == EAGAIN || err == EWOULDBLOCK)
		return fail(r, RC_TIMEOUT, "timeout: no progress for %g s while %s",
			    o->timeout, what);
	if (c->io_err[0])
		return fail(r, rc, "%s: %s", what, c->io_err);
	return fail(r, rc, "%s: %s", what, strerror(err));
}

/* EOF: fine after close_notify, or when the stream is not TLS. */
static bool clean_eof(const struct xfer_conn *c)
{
	return !c->strict_eof || c->peer_close_notify;
}

/* Progress line on stderr (a terminal) for transfers longer than 1 s. */
struct progress {
	bool on, shown;
	double t0, last;
	uint64_t total;         /* 0: unknown */
};

static void progress_init(struct progress *p, const struct xfer_opts *o,
			  uint64_t total)
{
	memset(p, 0, sizeof(*p));
	p->on = o->progress;
	p->t0 = p->last = mono_now();
	p->total = total == UINT64_MAX ? 0 : total;
}

static void progress_update(struct progress *p, uint64_t done)
{
	double now;

	if (!p->on)
		return;
	now = mono_now();
	if (now - p->t0 < XFER_PROGRESS_AFTER || now - p->last < 0.5)
		return;
	p->last = now;
	p->shown = true;
	if (p->total)
		fprintf(stderr, "\r%s: %.1f of %.1f MiB (%.0f%%), %.2f MB/s\033[K",
			prog_name(), done / 1048576.0, p->total / 1048576.0,
			100.0 * (double)done / (double)p->total,
			done / (now - p->t0) / 1e6);
	else
		fprintf(stderr, "\r%s: %.1f MiB, %.2f MB/s\033[K", prog_name(),
			done / 1048576.0, done / (now - p->t0) / 1e6);
	fflush(stderr);
}

static void progress_end(struct progress *p)
{
	if (p->shown) {
		fprintf(stderr, "\r\033[K");
		fflush(stderr);
	}
	p->shown = false;
}

/* How this side moves its data, for the report. */
static const char *data_path(const struct xfer_conn *c,
			     const struct xfer_opts *o, bool sending)
{
	bool ssl = c->io == &xfer_io_ssl;

	if (o->echo && c->role == ROLE_CLIENT)
		return ssl ? "SSL_write+SSL_read" : "write+read";
	if (o->echo)
		return o->use_splice ? (ssl ? "splice+SSL_write" : "splice+write")
				     : (ssl ? "SSL_read+SSL_write" : "read+write");
	if (!sending)
		return o->use_splice ? "splice" : ssl ? "SSL_read" : "read";
	if (o->use_splice)
		return "splice";
	if (o->use_sendfile)
		return ssl ? "SSL_sendfile" : "sendfile";
	return ssl ? "SSL_write" : "write";
}

static void note_first_byte(struct xfer_conn *c, struct xfer_result *r)
{
	if (r->first_byte_s < 0)
		r->first_byte_s = mono_now() - c->t_conn;
}

static int write_all(struct xfer_conn *c, const uint8_t *p, size_t len,
		     struct xfer_result *r)
{
	ssize_t k;

	while (len) {
		k = c->io->write(c, p, len);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return errno;
		}
		if (k == 0)
			return EIO;
		r->io_calls++;
		p += k;
		len -= (size_t)k;
	}
	return 0;
}

/* Read the receiver's status line (up to EOF) into r->peer_status. */
static int read_status(struct xfer_conn *c, char *line, size_t cap,
		       size_t *lenp)
{
	size_t len = 0;
	ssize_t k;
	char junk[256];

	for (;;) {
		if (len < cap - 1)
			k = c->io->read(c, line + len, cap - 1 - len);
		else
			k = c->io->read(c, junk, sizeof(junk));
		if (k < 0) {
			if (errno == EINTR)
				continue;
			line[len] = '\0';
			*lenp = len;
			return errno;
		}
		if (k == 0)
			break;
		if (len < cap - 1)
			len += (size_t)k;
		else
			return EMSGSIZE; /* peer sends far more than a line */
	}
	line[len] = '\0';
	*lenp = len;
	return 0;
}

/* Compare the receiver's status line with what we sent. */
static int check_status(const char *line, size_t len, struct xfer_result *r)
{
	char word[8], sha[SHA256_HEX_LEN + 2];
	const char *nl, *reason;
	uint64_t nbytes;
	int pos = 0;

	nl = memchr(line, '\n', len);
	if (!nl)
		return fail(r, RC_FAIL, len ? "malformed status line from receiver"
					    : "no status line from receiver "
					      "(connection closed early)");
	snprintf(r->peer_status, sizeof(r->peer_status), "%.*s",
		 (int)(nl - line), line);
	if (sscanf(r->peer_status, "%7s %" SCNu64 " %65s %n", word, &nbytes,
		   sha, &pos) < 3)
		return fail(r, RC_FAIL, "malformed status line from receiver");
	if (strcmp(word, "FAIL") == 0) {
		reason = pos ? r->peer_status + pos : "";
		return fail(r, RC_FAIL, "receiver reported failure: %s",
			    *reason ? reason : "(no reason)");
	}
	if (strcmp(word, "OK") != 0)
		return fail(r, RC_FAIL, "malformed status line from receiver");
	if (nbytes != r->bytes)
		return fail(r, RC_FAIL, "receiver got %" PRIu64 " bytes, sent %"
			    PRIu64, nbytes, r->bytes);
	if (!r->sha_valid || strcmp(sha, r->sha256) != 0)
		return fail(r, RC_FAIL, "sha256 mismatch: receiver has %s", sha);
	r->verified = true;
	r->ok = true;
	return RC_OK;
}

struct source {
	int fd;             /* file, or -1 for the pattern */
	bool sendfile;
	bool splice;
	struct pattern pat;
	uint64_t total;     /* bytes to send; UINT64_MAX: until file EOF */
};

static int open_source(const struct xfer_opts *o, struct source *s,
		       struct xfer_result *r)
{
	struct stat st;

	s->fd = -1;
	s->sendfile = o->use_sendfile;
	s->splice = o->use_splice;
	pattern_init(&s->pat, o->seed);
	s->total = o->bytes;
	if (!o->file)
		return RC_OK;
	s->fd = open(o->file, O_RDONLY | O_CLOEXEC);
	if (s->fd < 0)
		return fail(r, RC_SETUP, "%s: %s", o->file, strerror(errno));
	if (fstat(s->fd, &st))
		return fail(r, RC_SETUP, "%s: %s", o->file, strerror(errno));
	if (S_ISDIR(st.st_mode))
		return fail(r, RC_SETUP, "%s: %s", o->file, strerror(EISDIR));
	if (S_ISREG(st.st_mode)) {
		if (!o->bytes_set)
			s->total = (uint64_t)st.st_size;
		else if (o->bytes > (uint64_t)st.st_size)
			return fail(r, RC_SETUP, "%s: file has %jd bytes, "
				    "--bytes asks for %" PRIu64, o->file,
				    (intmax_t)st.st_size, o->bytes);
	} else if (!o->bytes_set) {
		s->total = UINT64_MAX;
	}
	return RC_OK;
}

int xfer_check_source(const struct xfer_opts *o)
{
	struct xfer_result r;
	struct source src;
	int rc;

	memset(&r, 0, sizeof(r));
	rc = open_source(o, &src, &r);
	if (src.fd >= 0)
		close(src.fd);
	return rc;
}

static uint64_t next_size(const struct xfer_opts *o, struct prng *wr)
{
	if (o->wsize_min == o->wsize_max)
		return o->wsize_min;
	return prng_range(wr, o->wsize_min, o->wsize_max);
}

/* pread exactly @len bytes at @off (for hashing what sendfile sent). */
static int pread_full(int fd, uint8_t *buf, size_t len, uint64_t off)
{
	ssize_t k;

	while (len) {
		k = pread(fd, buf, len, (off_t)off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return k < 0 ? errno : EIO;
		buf += k;
		len -= (size_t)k;
		off += (uint64_t)k;
	}
	return 0;
}

/*
 * On a socket error, *@sockerr receives its errno and *@what the step, and
 * nothing is printed yet: the caller may learn more from the peer first
 * (sender_sock_fail).
 */
static int send_payload(struct xfer_conn *c, const struct xfer_opts *o,
			struct source *s, uint8_t *buf, struct sha256 *h,
			struct xfer_result *r, int *sockerr,
			const char **what)
{
	const char *how = s->splice ? "splice" : "sendfile";
	struct progress pg;
	struct prng wr;
	uint64_t sent = 0, n;
	ssize_t k;
	int err;

	prng_init(&wr, o->seed ^ WSIZE_SEED_XOR);
	progress_init(&pg, o, s->total);
	while (sent < s->total) {
		n = next_size(o, &wr);
		if (n > s->total - sent)
			n = s->total - sent;
		if (s->sendfile || s->splice) {
			off_t off = (off_t)sent;

			if (s->splice && !c->io->splice)
				return fail(r, RC_SETUP, "--splice: not possible "
					    "with this transport");
			if (s->sendfile && !c->io->sendfile)
				return fail(r, RC_SETUP, "--sendfile: not "
					    "possible with this transport");
			k = s->splice ? c->io->splice(c, s->fd, &off, (size_t)n)
				      : c->io->sendfile(c, s->fd, &off,
							(size_t)n);
			if (k < 0) {
				err = errno;
				if (err == EINTR)
					continue;
				if (err == EINVAL || err == ESPIPE ||
				    err == EOPNOTSUPP) {
					progress_end(&pg);
					if (c->io_err[0])
						return fail(r, RC_SETUP, "%s from "
							    "%s: %s", how, o->file,
							    c->io_err);
					return fail(r, RC_SETUP, "%s from %s: %s",
						    how, o->file, strerror(err));
				}
				r->bytes = sent;
				*sockerr = err;
				*what = s->splice ? "sending (splice)"
						  : "sending (sendfile)";
				progress_end(&pg);
				return RC_FAIL;
			}
			if (k == 0)
				goto file_eof;
			r->io_calls++;
			err = pread_full(s->fd, buf, (size_t)k, sent);
			if (err)
				return fail(r, RC_SETUP, "%s: %s", o->file,
					    strerror(err));
		} else {
			if (s->fd >= 0) {
				k = read(s->fd, buf, (size_t)n);
				if (k < 0) {
					if (errno == EINTR)
						continue;
					progress_end(&pg);
					return fail(r, RC_SETUP, "%s: %s",
						    o->file, strerror(errno));
				}
				if (k == 0)
					goto file_eof;
			} else {
				pattern_fill(&s->pat, buf, (size_t)n);
				k = (ssize_t)n;
			}
			err = write_all(c, buf, (size_t)k, r);
			if (err) {
				r->bytes = sent;
				*sockerr = err;
				*what = "sending";
				progress_end(&pg);
				return RC_FAIL;
			}
		}
		if (sha256_update(h, buf, (size_t)k))
			return fail(r, RC_FAIL, "SHA-256 update failed");
		sent += (uint64_t)k;
		progress_update(&pg, sent);
	}
	progress_end(&pg);
	r->bytes = sent;
	return RC_OK;

file_eof:
	progress_end(&pg);
	r->bytes = sent;
	if (s->total == UINT64_MAX)
		return RC_OK;
	return fail(r, RC_SETUP, "%s: unexpected end of file after %" PRIu64
		    " bytes", o->file, sent);
}

/*
 * The sender's socket failed during @what.  If the receiver reset the
 * connection, what it sent before may say why: its status line, or a TLS
 * alert (a TLS 1.3 server rejecting our certificate after our side of the
 * handshake completed).  One message either way.
 */
static int sender_sock_fail(struct xfer_conn *c, const struct xfer_opts *o,
			    struct xfer_result *r, int sockerr,
			    const char *what)
{
	char status[STATUS_MAX], *nl;
	char first[sizeof(c->io_err)];
	int first_rc = c->io_rc;
	size_t slen = 0;
	int err;

	if (sockerr != EPIPE && sockerr != ECONNRESET)
		return io_fail(c, r, o, sockerr, what);
	snprintf(first, sizeof(first), "%s", c->io_err);
	c->io_err[0] = '\0';
	c->io_rc = 0;
	err = read_status(c, status, sizeof(status), &slen);
	nl = memchr(status, '\n', slen);
	if (err == 0 && nl) {
		*nl = '\0';
		snprintf(r->peer_status, sizeof(r->peer_status), "%s", status);
		return fail(r, RC_FAIL, "%s: %s; the receiver said: %s", what,
			    strerror(sockerr), r->peer_status);
	}
	if (err && err != EAGAIN && c->io_rc == RC_HANDSHAKE)
		return fail(r, RC_HANDSHAKE, "%s", c->io_err);
	snprintf(c->io_err, sizeof(c->io_err), "%s", first);
	c->io_rc = first_rc;
	return io_fail(c, r, o, sockerr, what);
}

int xfer_send(struct xfer_conn *c, const struct xfer_opts *o,
	      struct xfer_result *r)
{
	struct source src;
	struct sha256 h = { 0 };
	uint8_t digest[SHA256_LEN];
	char status[STATUS_MAX];
	size_t slen = 0;
	uint8_t *buf = NULL;
	size_t bufsize;
	double t0;
	const char *what = "sending";
	int rc, err, sockerr = 0;

	r->sender = true;
	r->data_path = data_path(c, o, true);
	rc = open_source(o, &src, r);
	if (rc)
		goto out;
	bufsize = o->wsize_max < 4096 ? 4096 : (size_t)o->wsize_max;
	buf = malloc(bufsize);
	if (!buf || sha256_init(&h)) {
		rc = fail(r, RC_SETUP, "out of memory");
		goto out;
	}

	t0 = mono_now();
	rc = send_payload(c, o, &src, buf, &h, r, &sockerr, &what);
	if (c->data_done)
		c->data_done(c, r);
	if (rc) {
		if (sockerr)
			rc = sender_sock_fail(c, o, r, sockerr, what);
		r->elapsed_s = mono_now() - t0;
		goto out;
	}
	if (sha256_final(&h, digest)) {
		rc = fail(r, RC_FAIL, "SHA-256 final failed");
		goto out;
	}
	sha256_hex(digest, r->sha256);
	r->sha_valid = true;

	if (c->io->shutdown_wr(c)) {
		rc = sender_sock_fail(c, o, r, errno,
				      "shutting down the send side");
		goto out;
	}
	err = read_status(c, status, sizeof(status), &slen);
	r->elapsed_s = mono_now() - t0;
	if (o->no_status) {
		/* Not a tlsxfer peer: whatever it sent back is not ours to
		 * judge, but it must close without a timeout. */
		if (err == EAGAIN || err == EWOULDBLOCK)
			rc = io_fail(c, r, o, err, "waiting for the receiver "
				     "to close");
		else
			r->ok = true;
	} else if (err == EMSGSIZE) {
		rc = fail(r, RC_FAIL, "receiver sent more than a status line");
	} else if (err && !memchr(status, '\n', slen)) {
		rc = io_fail(c, r, o, err, "waiting for the receiver's status");
	} else {
		rc = check_status(status, slen, r);
	}
out:
	sha256_free(&h);
	free(buf);
	if (src.fd >= 0)
		close(src.fd);
	return rc;
}

static void send_status(struct xfer_conn *c, const struct xfer_opts *o,
			struct xfer_result *r)
{
	char line[STATUS_MAX];
	struct xfer_result dummy;
	char *p;
	int n, err;

	if (r->ok)
		n = snprintf(line, sizeof(line), "OK %" PRIu64 " %s\n",
			     r->bytes, r->sha256);
	else
		n = snprintf(line, sizeof(line), "FAIL %" PRIu64 " %s %s\n",
			     r->bytes, r->sha_valid ? r->sha256 : "-",
			     r->reason);
	if (n < 0)
		return;
	if (o->no_status || o->echo) {
		c->io->shutdown_wr(c);
		return;
	}
	if ((size_t)n >= sizeof(line)) {
		n = sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	for (p = line; p < line + n - 1; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	memset(&dummy, 0, sizeof(dummy));
	err = write_all(c, (const uint8_t *)line, (size_t)n, &dummy);
	if (err && r->ok)
		errmsg("could not send status to the sender: %s", strerror(err));
	c->io->shutdown_wr(c);
}

int xfer_recv(struct xfer_conn *c, const struct xfer_opts *o,
	      struct xfer_result *r)
{
	/* --bytes/--seed describe the pattern, unless a SHA-256 is given:
	 * then --bytes is just the length (e.g. of a file). */
	bool check_pattern = (o->bytes_set || o->seed_set) &&
			     !o->expect_sha_set;
	struct pattern pat;
	struct sha256 h = { 0 };
	uint8_t digest[SHA256_LEN];
	uint8_t *buf = NULL, *scratch = NULL;
	struct progress pg;
	uint64_t total = 0;
	double t0;
	ssize_t n;
	size_t idx;
	int rc = RC_OK;

	r->sender = false;
	r->data_path = data_path(c, o, false);
	pattern_init(&pat, o->seed);
	buf = malloc(XFER_READ_SIZE);
	scratch = check_pattern ? malloc(XFER_READ_SIZE) : NULL;
	if (!buf || (check_pattern && !scratch) || sha256_init(&h)) {
		rc = fail(r, RC_SETUP, "out of memory");
		goto out;
	}

	progress_init(&pg, o, o->bytes_set ? o->bytes : 0);
	t0 = mono_now();
	for (;;) {
		size_t want = XFER_READ_SIZE;

		/* --no-status: a foreign sender may never close; stop at N. */
		if (o->no_status && o->bytes_set) {
			if (total >= o->bytes)
				break;
			if (o->bytes - total < want)
				want = (size_t)(o->bytes - total);
		}
		if (!o->use_splice) {
			n = c->io->read(c, buf, want);
		} else if (c->io->splice_read) {
			n = c->io->splice_read(c, buf, want);
		} else {
			rc = fail(r, RC_SETUP, "--splice: not possible with "
				  "this transport");
			break;
		}
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = io_fail(c, r, o, errno, o->use_splice ?
				     "receiving (splice)" : "receiving");
			break;
		}
		if (n == 0) {
			if (!clean_eof(c))
				rc = fail(r, RC_FAIL, "the peer closed the "
					  "connection without close_notify "
					  "after %" PRIu64 " bytes (truncated)",
					  total);
			break;
		}
		note_first_byte(c, r);
		r->io_calls++;
		if (sha256_update(&h, buf, (size_t)n)) {
			rc = fail(r, RC_FAIL, "SHA-256 update failed");
			break;
		}
		if (o->echo) {
			struct xfer_result dummy;
			int err;

			memset(&dummy, 0, sizeof(dummy));
			err = write_all(c, buf, (size_t)n, &dummy);
			if (err) {
				rc = io_fail(c, r, o, err, "echoing");
				break;
			}
		}
		if (check_pattern && !r->mismatch) {
			idx = pattern_check(&pat, buf, (size_t)n, scratch);
			if (idx < (size_t)n) {
				r->mismatch = true;
				r->mismatch_off = total + idx;
			}
		}
		total += (uint64_t)n;
		progress_update(&pg, total);
	}
	progress_end(&pg);
	r->elapsed_s = mono_now() - t0;
	r->bytes = total;
	if (c->data_done)
		c->data_done(c, r);
	if (sha256_final(&h, digest) == 0) {
		sha256_hex(digest, r->sha256);
		r->sha_valid = true;
	}
	r->verified = check_pattern || o->expect_sha_set;

	if (rc == RC_OK) {
		char exp[SHA256_HEX_LEN + 1];

		r->ok = true;
		if (!r->sha_valid) {
			rc = fail(r, RC_FAIL, "SHA-256 final failed");
		} else if (r->mismatch) {
			rc = fail(r, RC_FAIL, "data mismatch at offset %" PRIu64
				  " (pattern seed %" PRIu64 ")",
				  r->mismatch_off, o->seed);
		} else if (o->bytes_set && total != o->bytes) {
			rc = fail(r, RC_FAIL, "received %" PRIu64
				  " bytes, expected %" PRIu64, total, o->bytes);
		} else if (o->expect_sha_set) {
			sha256_hex(o->expect_sha, exp);
			if (strcmp(exp, r->sha256) != 0)
				rc = fail(r, RC_FAIL, "sha256 mismatch: got %s, "
					  "expected %s", r->sha256, exp);
		}
	}
	send_status(c, o, r);
out:
	sha256_free(&h);
	free(buf);
	free(scratch);
	return rc;
}

/* Read exactly @len echoed bytes. */
static int read_echo(struct xfer_conn *c, const struct xfer_opts *o,
		     uint8_t *p, size_t len, struct xfer_result *r)
{
	size_t got = 0;
	ssize_t k;

	while (got < len) {
		k = c->io->read(c, p + got, len - got);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return io_fail(c, r, o, errno, "receiving the echo");
		}
		if (k == 0)
			return fail(r, RC_FAIL, "the server closed the connection "
				    "while echoing (%zu of %zu bytes of a chunk "
				    "back)", got, len);
		note_first_byte(c, r);
		got += (size_t)k;
	}
	return RC_OK;
}

int xfer_echo_client(struct xfer_conn *c, const struct xfer_opts *o,
		     struct xfer_result *r)
{
	struct source src;
	struct sha256 h = { 0 };
	struct progress pg;
	struct prng wr;
	uint8_t digest[SHA256_LEN];
	uint8_t *buf = NULL, *back = NULL, extra[64];
	uint64_t sent = 0, n, chunks = 0;
	double t0, tc, rtt, rtt_sum = 0;
	size_t bufsize, i;
	ssize_t k;
	int rc, err;

	r->sender = true;
	r->data_path = data_path(c, o, true);
	rc = open_source(o, &src, r);
	if (rc)
		goto out;
	bufsize = o->wsize_max < 4096 ? 4096 : (size_t)o->wsize_max;
	buf = malloc(bufsize);
	back = malloc(bufsize);
	if (!buf || !back || sha256_init(&h)) {
		rc = fail(r, RC_SETUP, "out of memory");
		goto out;
	}
	prng_init(&wr, o->seed ^ WSIZE_SEED_XOR);
	progress_init(&pg, o, src.total);
	t0 = mono_now();
	while (sent < src.total) {
		n = next_size(o, &wr);
		if (n > src.total - sent)
			n = src.total - sent;
		if (src.fd >= 0) {
			k = read(src.fd, buf, (size_t)n);
			if (k < 0 && errno == EINTR)
				continue;
			if (k < 0) {
				rc = fail(r, RC_SETUP, "%s: %s", o->file,
					  strerror(errno));
				break;
			}
			if (k == 0) {
				if (src.total != UINT64_MAX)
					rc = fail(r, RC_SETUP, "%s: unexpected end "
						  "of file after %" PRIu64
						  " bytes", o->file, sent);
				break;
			}
		} else {
			pattern_fill(&src.pat, buf, (size_t)n);
			k = (ssize_t)n;
		}
		tc = mono_now();
		err = write_all(c, buf, (size_t)k, r);
		if (err) {
			rc = io_fail(c, r, o, err, "sending");
			break;
		}
		rc = read_echo(c, o, back, (size_t)k, r);
		if (rc)
			break;
		rtt = mono_now() - tc;
		if (!chunks || rtt < r->rtt_min_s)
			r->rtt_min_s = rtt;
		if (rtt > r->rtt_max_s)
			r->rtt_max_s = rtt;
		rtt_sum += rtt;
		chunks++;
		if (memcmp(buf, back, (size_t)k) != 0) {
			for (i = 0; buf[i] == back[i]; i++)
				;
			r->mismatch = true;
			r->mismatch_off = sent + i;
			rc = fail(r, RC_FAIL, "echoed data differs at offset %"
				  PRIu64, r->mismatch_off);
			break;
		}
		if (sha256_update(&h, buf, (size_t)k)) {
			rc = fail(r, RC_FAIL, "SHA-256 update failed");
			break;
		}
		sent += (uint64_t)k;
		progress_update(&pg, sent);
	}
	progress_end(&pg);
	r->bytes = sent;
	if (chunks)
		r->rtt_avg_s = rtt_sum / (double)chunks;
	if (c->data_done)
		c->data_done(c, r);
	if (rc) {
		r->elapsed_s = mono_now() - t0;
		goto out;
	}
	if (c->io->shutdown_wr(c)) {
		rc = io_fail(c, r, o, errno, "shutting down the send side");
		goto out;
	}
	/* The server closes after echoing everything: nothing more. */
	do {
		k = c->io->read(c, extra, sizeof(extra));
	} while (k < 0 && errno == EINTR);
	r->elapsed_s = mono_now() - t0;
	if (k < 0) {
		rc = io_fail(c, r, o, errno, "waiting for the server to close");
		goto out;
	}
	if (k > 0) {
		rc = fail(r, RC_FAIL, "the server echoed more than was sent");
		goto out;
	}
	if (!clean_eof(c)) {
		rc = fail(r, RC_FAIL, "the server closed the connection without "
			  "close_notify");
		goto out;
	}
	if (sha256_final(&h, digest)) {
		rc = fail(r, RC_FAIL, "SHA-256 final failed");
		goto out;
	}
	sha256_hex(digest, r->sha256);
	r->sha_valid = true;
	r->verified = true;
	r->ok = true;
out:
	sha256_free(&h);
	free(buf);
	free(back);
	if (src.fd >= 0)
		close(src.fd);
	return rc;
}
