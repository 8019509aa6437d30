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

/* A socket I/O error during @what. */
static int io_fail(struct xfer_result *r, const struct xfer_opts *o, int err,
		   const char *what)
{
	if (err == EAGAIN || err == EWOULDBLOCK)
		return fail(r, RC_TIMEOUT, "timeout: no progress for %g s while %s",
			    o->timeout, what);
	return fail(r, RC_FAIL, "%s: %s", what, strerror(err));
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
	struct pattern pat;
	uint64_t total;     /* bytes to send; UINT64_MAX: until file EOF */
};

static int open_source(const struct xfer_opts *o, struct source *s,
		       struct xfer_result *r)
{
	struct stat st;

	s->fd = -1;
	s->sendfile = o->use_sendfile;
	pattern_init(&s->pat, o->seed);
	s->total = o->bytes;
	if (!o->file)
		return RC_OK;
	s->fd = open(o->file, O_RDONLY | O_CLOEXEC);
	if (s->fd < 0)
		return fail(r, RC_SETUP, "%s: %s", o->file, strerror(errno));
	if (fstat(s->fd, &st))
		return fail(r, RC_SETUP, "%s: %s", o->file, strerror(errno));
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

/* On a socket error, *@sockerr receives its errno. */
static int send_payload(struct xfer_conn *c, const struct xfer_opts *o,
			struct source *s, uint8_t *buf, struct sha256 *h,
			struct xfer_result *r, int *sockerr)
{
	struct prng wr;
	uint64_t sent = 0, n;
	ssize_t k;
	int err;

	prng_init(&wr, o->seed ^ WSIZE_SEED_XOR);
	while (sent < s->total) {
		n = next_size(o, &wr);
		if (n > s->total - sent)
			n = s->total - sent;
		if (s->sendfile) {
			off_t off = (off_t)sent;

			k = c->io->sendfile(c, s->fd, &off, (size_t)n);
			if (k < 0) {
				err = errno;
				if (err == EINTR)
					continue;
				if (err == EINVAL || err == ESPIPE)
					return fail(r, RC_SETUP, "sendfile from %s: %s",
						    o->file, strerror(err));
				r->bytes = sent;
				*sockerr = err;
				return io_fail(r, o, err, "sending (sendfile)");
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
				return io_fail(r, o, err, "sending");
			}
		}
		if (sha256_update(h, buf, (size_t)k))
			return fail(r, RC_FAIL, "SHA-256 update failed");
		sent += (uint64_t)k;
	}
	r->bytes = sent;
	return RC_OK;

file_eof:
	r->bytes = sent;
	if (s->total == UINT64_MAX)
		return RC_OK;
	return fail(r, RC_SETUP, "%s: unexpected end of file after %" PRIu64
		    " bytes", o->file, sent);
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
	int rc, err, sockerr = 0;

	r->sender = true;
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
	rc = send_payload(c, o, &src, buf, &h, r, &sockerr);
	if (c->data_done)
		c->data_done(c, r);
	if (rc) {
		/* If the receiver bailed out, its status line may say why. */
		if ((sockerr == EPIPE || sockerr == ECONNRESET) &&
		    read_status(c, status, sizeof(status), &slen) == 0 &&
		    memchr(status, '\n', slen)) {
			char *nl = memchr(status, '\n', slen);

			*nl = '\0';
			snprintf(r->peer_status, sizeof(r->peer_status), "%s",
				 status);
			errmsg("receiver said: %s", r->peer_status);
		}
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
		rc = io_fail(r, o, errno, "shutting down the send side");
		goto out;
	}
	err = read_status(c, status, sizeof(status), &slen);
	r->elapsed_s = mono_now() - t0;
	if (err == EMSGSIZE)
		rc = fail(r, RC_FAIL, "receiver sent more than a status line");
	else if (err && !memchr(status, '\n', slen))
		rc = io_fail(r, o, err, "waiting for the receiver's status");
	else
		rc = check_status(status, slen, r);
out:
	sha256_free(&h);
	free(buf);
	if (src.fd >= 0)
		close(src.fd);
	return rc;
}

static void send_status(struct xfer_conn *c, struct xfer_result *r)
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
	bool check_pattern = o->bytes_set || o->seed_set;
	struct pattern pat;
	struct sha256 h = { 0 };
	uint8_t digest[SHA256_LEN];
	uint8_t *buf = NULL, *scratch = NULL;
	uint64_t total = 0;
	double t0;
	ssize_t n;
	size_t idx;
	int rc = RC_OK;

	r->sender = false;
	pattern_init(&pat, o->seed);
	buf = malloc(XFER_READ_SIZE);
	scratch = check_pattern ? malloc(XFER_READ_SIZE) : NULL;
	if (!buf || (check_pattern && !scratch) || sha256_init(&h)) {
		rc = fail(r, RC_SETUP, "out of memory");
		goto out;
	}

	t0 = mono_now();
	for (;;) {
		n = c->io->read(c, buf, XFER_READ_SIZE);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = io_fail(r, o, errno, "receiving");
			break;
		}
		if (n == 0)
			break;
		r->io_calls++;
		if (sha256_update(&h, buf, (size_t)n)) {
			rc = fail(r, RC_FAIL, "SHA-256 update failed");
			break;
		}
		if (check_pattern && !r->mismatch) {
			idx = pattern_check(&pat, buf, (size_t)n, scratch);
			if (idx < (size_t)n) {
				r->mismatch = true;
				r->mismatch_off = total + idx;
			}
		}
		total += (uint64_t)n;
	}
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
	send_status(c, r);
out:
	sha256_free(&h);
	free(buf);
	free(scratch);
	return rc;
}
