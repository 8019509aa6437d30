// SPDX-License-Identifier: GPL-2.0
/*
 * The OpenSSL side of the handshake modes: one SSL_CTX per process (built
 * from the options on first use), the handshake on a connected socket with
 * clear one-line errors, what it negotiated and whom it authenticated
 * (c->ti), and data I/O through SSL_read/SSL_write (xfer_io_ssl: userspace
 * TLS, or OpenSSL's own kTLS in mode ktls-openssl).
 *
 * Session tickets: the server issues none (SSL_CTX_set_num_tickets(0)).
 * In TLS 1.3 tickets are records under the server's application traffic
 * key sent after the handshake; with none, the record sequence numbers at
 * hand-off are 0 in both directions.  A client facing a server that does
 * send tickets (openssl s_server) hands off first; the kernel then
 * decrypts the tickets and io_fd.c skips them (see there).
 */
#include "tls.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <linux/tls.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../lib/parse.h"

static SSL_CTX *g_ctx;
static int g_idx = -1;
static unsigned char g_alpn[256];
static unsigned int g_alpn_len;

static struct tls_sess *sess_of_ssl(const SSL *ssl)
{
	return g_idx < 0 ? NULL : SSL_get_ex_data(ssl, g_idx);
}

void tls_sess_wipe_secrets(struct tls_sess *ts)
{
	OPENSSL_cleanse(&ts->sec, sizeof(ts->sec));
}

/* First OpenSSL error reason of the queue (and clear the queue). */
static const char *ossl_reason(char *buf, size_t len)
{
	unsigned long e = ERR_peek_error();
	const char *r = e ? ERR_reason_error_string(e) : NULL;

	if (r)
		snprintf(buf, len, "%s", r);
	else if (e)
		snprintf(buf, len, "OpenSSL error 0x%lx", e);
	else
		snprintf(buf, len, "unknown OpenSSL error");
	ERR_clear_error();
	return buf;
}

const char *tls_alert_name(uint8_t desc)
{
	/* OpenSSL 3.0 does not name the TLS 1.3 additions. */
	switch (desc) {
	case 109: return "missing extension";
	case 115: return "unknown PSK identity";
	case 116: return "certificate required";
	case 120: return "no application protocol";
	}
	return SSL_alert_desc_string_long(desc);
}

/* Alert reasons are SSL_AD_REASON_OFFSET + the alert description. */
static bool reason_is_alert(int reason, uint8_t *desc)
{
	if (reason < SSL_AD_REASON_OFFSET || reason > SSL_AD_REASON_OFFSET + 255)
		return false;
	*desc = (uint8_t)(reason - SSL_AD_REASON_OFFSET);
	return true;
}

/* ----- SSL_CTX ----------------------------------------------------- */

static void keylog_cb(const SSL *ssl, const char *line)
{
	struct tls_sess *ts = sess_of_ssl(ssl);

	if (!ts || ts->flavor != TLS_FLAVOR_HANDOFF)
		return;
	if (keys_parse_keylog(line, "CLIENT_TRAFFIC_SECRET_0", NULL,
			      ts->sec.client, sizeof(ts->sec.client),
			      &ts->sec.client_len) != 0)
		return;
	keys_parse_keylog(line, "SERVER_TRAFFIC_SECRET_0", NULL,
			  ts->sec.server, sizeof(ts->sec.server),
			  &ts->sec.server_len);
}

static int verify_cb(int ok, X509_STORE_CTX *xs)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(
		xs, SSL_get_ex_data_X509_STORE_CTX_idx());
	struct tls_sess *ts = ssl ? sess_of_ssl(ssl) : NULL;
	X509 *cert;

	if (!ok && ts && !ts->verify_err) {
		ts->verify_err = X509_STORE_CTX_get_error(xs);
		ts->verify_depth = X509_STORE_CTX_get_error_depth(xs);
		cert = X509_STORE_CTX_get_current_cert(xs);
		if (cert)
			X509_NAME_oneline(X509_get_subject_name(cert),
					  ts->verify_subject,
					  sizeof(ts->verify_subject));
	}
	return ok;
}

/* Called when the server asks for a certificate and none is configured. */
static int client_cert_cb(SSL *ssl, X509 **x509, EVP_PKEY **pkey)
{
	struct tls_sess *ts = sess_of_ssl(ssl);

	(void)x509;
	(void)pkey;
	if (ts)
		ts->cert_requested = true;
	return 0; /* go on without one */
}

static int servername_cb(SSL *ssl, int *al, void *arg)
{
	const struct xfer_opts *o = arg;
	const char *name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
	struct tls_sess *ts = sess_of_ssl(ssl);

	if (!o->sni)
		return SSL_TLSEXT_ERR_OK;
	if (!name || strcasecmp(name, o->sni) != 0) {
		if (ts)
			ts->sni_mismatch = true;
		*al = SSL_AD_UNRECOGNIZED_NAME;
		return SSL_TLSEXT_ERR_ALERT_FATAL;
	}
	return SSL_TLSEXT_ERR_OK;
}

static int alpn_select_cb(SSL *ssl, const unsigned char **out,
			  unsigned char *outlen, const unsigned char *in,
			  unsigned int inlen, void *arg)
{
	(void)ssl;
	(void)arg;
	/* Server preference; no overlap -> no_application_protocol. */
	if (SSL_select_next_proto((unsigned char **)out, outlen, g_alpn,
				  g_alpn_len, in, inlen) !=
	    OPENSSL_NPN_NEGOTIATED)
		return SSL_TLSEXT_ERR_ALERT_FATAL;
	return SSL_TLSEXT_ERR_OK;
}

/* "h2,http/1.1" -> ALPN wire format.  Validated by opts.c already. */
static int alpn_encode(const char *list)
{
	const char *p = list, *e;
	size_t n;

	g_alpn_len = 0;
	while (*p) {
		e = strchr(p, ',');
		n = e ? (size_t)(e - p) : strlen(p);
		if (n == 0 || n > 255 || g_alpn_len + 1 + n > sizeof(g_alpn))
			return -1;
		g_alpn[g_alpn_len++] = (unsigned char)n;
		memcpy(g_alpn + g_alpn_len, p, n);
		g_alpn_len += (unsigned int)n;
		p += n + (e ? 1 : 0);
	}
	return g_alpn_len ? 0 : -1;
}

/* A readable file (or directory for @dir_ok); one-line error. */
static int check_path(const char *opt, const char *path, bool dir_ok)
{
	struct stat st;

	if (stat(path, &st) || (!S_ISDIR(st.st_mode) && access(path, R_OK))) {
		errmsg("%s %s: %s", opt, path, strerror(errno));
		return RC_SETUP;
	}
	if (S_ISDIR(st.st_mode) && !dir_ok) {
		errmsg("%s %s: is a directory", opt, path);
		return RC_SETUP;
	}
	return RC_OK;
}

static int load_ca(SSL_CTX *ctx, const char *ca, bool server)
{
	struct stat st;
	char why[160];
	int ok;

	if (check_path("--ca", ca, true))
		return RC_SETUP;
	if (stat(ca, &st) == 0 && S_ISDIR(st.st_mode))
		ok = SSL_CTX_load_verify_dir(ctx, ca);
	else
		ok = SSL_CTX_load_verify_file(ctx, ca);
	if (!ok) {
		errmsg("--ca %s: %s", ca, ossl_reason(why, sizeof(why)));
		return RC_SETUP;
	}
	if (server && !S_ISDIR(st.st_mode)) {
		/* Tell clients which CAs we accept (CertificateRequest). */
		STACK_OF(X509_NAME) *names = SSL_load_client_CA_file(ca);

		if (names)
			SSL_CTX_set_client_CA_list(ctx, names);
		ERR_clear_error();
	}
	return RC_OK;
}

/* Progress in the words of the kTLS "Hello World" (text output only). */
static void say(const struct xfer_opts *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void say(const struct xfer_opts *o, const char *fmt, ...)
{
	va_list ap;

	if (o->json)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

static int ctx_create(const struct xfer_opts *o, enum tls_flavor flavor)
{
	bool server = o->role == ROLE_SERVER;
	char why[160];
	SSL_CTX *ctx;
	int rc;

	g_idx = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
	ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
	if (!ctx || g_idx < 0) {
		errmsg("SSL_CTX_new: %s", ossl_reason(why, sizeof(why)));
		SSL_CTX_free(ctx);
		return RC_SETUP;
	}
	SSL_CTX_set_min_proto_version(ctx, o->tls_min);
	SSL_CTX_set_max_proto_version(ctx, o->tls_max);
	/* kTLS cannot renegotiate; nor can a hand-off survive one. */
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION);
	/* No TLS 1.3 tickets after the handshake (see the top comment). */
	if (server)
		SSL_CTX_set_num_tickets(ctx, 0);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	/* Never read beyond the current record: nothing may be buffered
	 * in OpenSSL when the kernel takes over. */
	SSL_CTX_set_read_ahead(ctx, 0);
	if (flavor == TLS_FLAVOR_OSSL_KTLS)
		SSL_CTX_set_options(ctx, SSL_OP_ENABLE_KTLS);
	if (flavor == TLS_FLAVOR_HANDOFF)
		SSL_CTX_set_keylog_callback(ctx, keylog_cb);

	if (o->ciphers && !SSL_CTX_set_cipher_list(ctx, o->ciphers)) {
		ERR_clear_error();
		errmsg("--ciphers '%s': no usable TLS 1.2 cipher", o->ciphers);
		rc = RC_USAGE;
		goto fail;
	}
	if (o->ciphersuites && !SSL_CTX_set_ciphersuites(ctx, o->ciphersuites)) {
		ERR_clear_error();
		errmsg("--ciphersuites '%s': no usable TLS 1.3 suite",
		       o->ciphersuites);
		rc = RC_USAGE;
		goto fail;
	}
	if (o->cert) {
		const char *key = o->cert_key ? o->cert_key : o->cert;

		rc = check_path("--cert", o->cert, false);
		if (!rc)
			rc = check_path(o->cert_key ? "--cert-key" : "--cert",
					key, false);
		if (rc)
			goto fail;
		say(o, "Loading %s certificate: %s\n", server ? "server" :
		    "client", o->cert);
		say(o, "Loading %s key: %s\n", server ? "server" : "client",
		    key);
		rc = RC_SETUP;
		if (SSL_CTX_use_certificate_chain_file(ctx, o->cert) != 1) {
			errmsg("--cert %s: %s", o->cert,
			       ossl_reason(why, sizeof(why)));
			goto fail;
		}
		if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) {
			errmsg("%s %s: %s", o->cert_key ? "--cert-key" : "--cert",
			       key, ossl_reason(why, sizeof(why)));
			goto fail;
		}
		if (SSL_CTX_check_private_key(ctx) != 1) {
			errmsg("--cert %s: the private key does not match: %s",
			       o->cert, ossl_reason(why, sizeof(why)));
			goto fail;
		}
	}
	if (server) {
		if (o->ca) {
			say(o, "Loading CA certificate: %s\n", o->ca);
			say(o, "Configuring client certificate verification\n");
			rc = load_ca(ctx, o->ca, true);
			if (rc)
				goto fail;
			SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER |
					   SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
					   verify_cb);
		}
		SSL_CTX_set_tlsext_servername_callback(ctx, servername_cb);
		SSL_CTX_set_tlsext_servername_arg(ctx, (void *)o);
	} else {
		if (!o->cert)
			SSL_CTX_set_client_cert_cb(ctx, client_cert_cb);
	}
	if (!server && !o->no_verify) {
		if (o->ca) {
			say(o, "Loading CA certificate: %s\n", o->ca);
			rc = load_ca(ctx, o->ca, false);
			if (rc)
				goto fail;
		} else if (!SSL_CTX_set_default_verify_paths(ctx)) {
			ERR_clear_error();
		}
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, verify_cb);
	}
	if (o->alpn) {
		if (alpn_encode(o->alpn)) {
			errmsg("--alpn '%s': bad protocol list", o->alpn);
			rc = RC_USAGE;
			goto fail;
		}
		if (server)
			SSL_CTX_set_alpn_select_cb(ctx, alpn_select_cb, NULL);
		else if (SSL_CTX_set_alpn_protos(ctx, g_alpn, g_alpn_len)) {
			errmsg("--alpn: %s", ossl_reason(why, sizeof(why)));
			rc = RC_SETUP;
			goto fail;
		}
	}
	g_ctx = ctx;
	return RC_OK;
fail:
	SSL_CTX_free(ctx);
	return rc;
}

int tls_prepare(const struct xfer_opts *o, enum tls_flavor flavor)
{
	return g_ctx ? RC_OK : ctx_create(o, flavor);
}

void tls_global_free(void)
{
	SSL_CTX_free(g_ctx);
	g_ctx = NULL;
	OPENSSL_cleanse(g_alpn, sizeof(g_alpn));
}

/* ----- handshake ------------------------------------------------------ */

/* kTLS cipher constant of an OpenSSL cipher (0: none that we know). */
uint16_t tls_ktls_cipher(const SSL_CIPHER *cipher)
{
	switch (cipher ? SSL_CIPHER_get_cipher_nid(cipher) : NID_undef) {
	case NID_aes_128_gcm:         return TLS_CIPHER_AES_GCM_128;
	case NID_aes_256_gcm:         return TLS_CIPHER_AES_GCM_256;
	case NID_aes_128_ccm:         return TLS_CIPHER_AES_CCM_128;
	case NID_chacha20_poly1305:   return TLS_CIPHER_CHACHA20_POLY1305;
	}
	return 0;
}

static bool is_ip_literal(const char *host)
{
	unsigned char buf[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, host, buf) == 1 ||
	       inet_pton(AF_INET6, host, buf) == 1;
}

/* Name the client sends as SNI and checks in the server certificate. */
static int client_names(SSL *ssl, const struct xfer_opts *o)
{
	struct hostport hp;
	const char *host;

	if (o->sni) {
		host = o->sni;
	} else {
		if (parse_hostport(o->addr, &hp))
			return 0;
		host = hp.host;
	}
	/* SNI carries DNS names only (RFC 6066 3). */
	if (!is_ip_literal(host) && !SSL_set_tlsext_host_name(ssl, host))
		return -1;
	if (o->no_verify)
		return 0;
	if (is_ip_literal(host))
		return X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl),
						     host) ? 0 : -1;
	SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
	return SSL_set1_host(ssl, host) ? 0 : -1;
}

static int handshake_error(struct xfer_conn *c, const struct xfer_opts *o,
			   struct tls_sess *ts, int ret, int sys)
{
	const char *peer = c->role == ROLE_CLIENT ? "server" : "client";
	int e = SSL_get_error(ts->ssl, ret);
	unsigned long err = ERR_peek_error();
	int reason = err ? ERR_GET_REASON(err) : 0;
	char why[160];
	uint8_t desc;

	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE ||
	    (e == SSL_ERROR_SYSCALL && (sys == EAGAIN || sys == EWOULDBLOCK))) {
		ERR_clear_error();
		errmsg("timeout: TLS handshake with %s: no progress for %g s",
		       c->peer, o->timeout);
		return RC_TIMEOUT;
	}
	if (ts->verify_err) {
		ERR_clear_error();
		errmsg("TLS handshake failed: %s certificate verify failed: %s "
		       "(depth %d: %s)", peer,
		       X509_verify_cert_error_string(ts->verify_err),
		       ts->verify_depth,
		       ts->verify_subject[0] ? ts->verify_subject : "?");
		return RC_HANDSHAKE;
	}
	if (ts->sni_mismatch) {
		const char *name = SSL_get_servername(ts->ssl,
						      TLSEXT_NAMETYPE_host_name);

		ERR_clear_error();
		errmsg("TLS handshake failed: client asked for server name "
		       "'%s', --sni wants '%s'", name ? name : "(none)",
		       o->sni);
		return RC_HANDSHAKE;
	}
	if (e == SSL_ERROR_SYSCALL || reason == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
		ERR_clear_error();
		if (sys && sys != EPIPE)
			errmsg("TLS handshake failed: %s", strerror(sys));
		else
			errmsg("TLS handshake failed: the %s closed the "
			       "connection during the handshake", peer);
		return RC_HANDSHAKE;
	}
	if (reason_is_alert(reason, &desc)) {
		ERR_clear_error();
		errmsg("TLS handshake failed: the %s sent alert '%s'%s", peer,
		       tls_alert_name(desc),
		       ts->cert_requested ?
		       " (it asked for a client certificate: see --cert)" :
		       desc == SSL_AD_UNKNOWN_CA || desc == SSL_AD_BAD_CERTIFICATE ||
		       desc == SSL_AD_CERTIFICATE_EXPIRED ||
		       desc == SSL_AD_CERTIFICATE_UNKNOWN ?
		       " (it rejected our certificate)" :
		       desc == SSL_AD_HANDSHAKE_FAILURE ?
		       " (no common cipher, version or parameters?)" : "");
		return RC_HANDSHAKE;
	}
	switch (reason) {
	case SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE:
		ERR_clear_error();
		errmsg("TLS handshake failed: the client sent no certificate "
		       "(--ca requires one)");
		return RC_HANDSHAKE;
	case SSL_R_NO_SHARED_CIPHER:
		ERR_clear_error();
		errmsg("TLS handshake failed: no shared cipher (see --ciphers, "
		       "--ciphersuites, --tls)");
		return RC_HANDSHAKE;
	case SSL_R_WRONG_VERSION_NUMBER:
	case SSL_R_PACKET_LENGTH_TOO_LONG:
	case SSL_R_RECORD_LENGTH_MISMATCH:
	case SSL_R_HTTP_REQUEST:
	case SSL_R_UNKNOWN_PROTOCOL:
	case SSL_R_UNEXPECTED_MESSAGE:
	case SSL_R_UNEXPECTED_RECORD:
	case SSL_R_LENGTH_MISMATCH:
	case SSL_R_BAD_PACKET_LENGTH:
	case SSL_R_RECORD_TOO_SMALL:
		errmsg("TLS handshake failed: the %s does not speak TLS (%s)",
		       peer, ossl_reason(why, sizeof(why)));
		return RC_HANDSHAKE;
	}
	errmsg("TLS handshake failed: %s", ossl_reason(why, sizeof(why)));
	return RC_HANDSHAKE;
}

static void fill_info(struct xfer_conn *c, const struct xfer_opts *o,
		      struct tls_sess *ts)
{
	struct xfer_tls_info *ti = &c->ti;
	const SSL_CIPHER *cipher = SSL_get_current_cipher(ts->ssl);
	const unsigned char *alpn = NULL;
	unsigned int alpn_len = 0;
	const char *sni;
	X509 *peer;
	long vr;

	ti->done = true;
	snprintf(ti->protocol, sizeof(ti->protocol), "%s",
		 SSL_get_version(ts->ssl));
	snprintf(ti->suite, sizeof(ti->suite), "%s",
		 cipher ? SSL_CIPHER_get_name(cipher) : "?");
	sni = SSL_get_servername(ts->ssl, TLSEXT_NAMETYPE_host_name);
	snprintf(ti->sni, sizeof(ti->sni), "%s", sni ? sni : "");
	SSL_get0_alpn_selected(ts->ssl, &alpn, &alpn_len);
	snprintf(ti->alpn, sizeof(ti->alpn), "%.*s", (int)alpn_len,
		 alpn ? (const char *)alpn : "");

	peer = SSL_get0_peer_certificate(ts->ssl);
	ti->peer_cert = peer != NULL;
	if (peer) {
		X509_NAME_oneline(X509_get_subject_name(peer), ti->peer_subject,
				  sizeof(ti->peer_subject));
		X509_NAME_oneline(X509_get_issuer_name(peer), ti->peer_issuer,
				  sizeof(ti->peer_issuer));
	}
	ti->verify_checked = c->role == ROLE_CLIENT ? !o->no_verify : !!o->ca;
	vr = SSL_get_verify_result(ts->ssl);
	ti->verified = ti->verify_checked && peer && vr == X509_V_OK;
	if (!ti->verify_checked)
		snprintf(ti->verify_result, sizeof(ti->verify_result), "%s",
			 c->role == ROLE_CLIENT ? "not checked: --no-verify"
						: "not requested: no --ca");
	else if (!peer)
		snprintf(ti->verify_result, sizeof(ti->verify_result),
			 "no certificate");
	else
		snprintf(ti->verify_result, sizeof(ti->verify_result), "%s",
			 X509_verify_cert_error_string(vr));

	c->tls = true;
	c->tls_version = SSL_version(ts->ssl) == TLS1_3_VERSION ?
			 TLS_1_3_VERSION : TLS_1_2_VERSION;
	c->cipher = tls_ktls_cipher(cipher);
}

int tls_handshake(struct xfer_conn *c, const struct xfer_opts *o,
		  enum tls_flavor flavor)
{
	struct tls_sess *ts;
	char why[160];
	int rc, ret, sys;

	rc = tls_prepare(o, flavor);
	if (rc)
		return rc;
	ts = calloc(1, sizeof(*ts));
	if (!ts) {
		errmsg("out of memory");
		return RC_SETUP;
	}
	ts->flavor = flavor;
	c->io_priv = ts;
	ts->ssl = SSL_new(g_ctx);
	if (!ts->ssl || !SSL_set_ex_data(ts->ssl, g_idx, ts) ||
	    !SSL_set_fd(ts->ssl, c->fd) ||
	    (o->role == ROLE_CLIENT && client_names(ts->ssl, o))) {
		errmsg("SSL setup: %s", ossl_reason(why, sizeof(why)));
		return RC_SETUP;
	}
	if (o->role == ROLE_CLIENT)
		SSL_set_connect_state(ts->ssl);
	else
		SSL_set_accept_state(ts->ssl);

	ERR_clear_error();
	errno = 0;
	ret = SSL_do_handshake(ts->ssl);
	sys = errno;
	c->ti.handshake_s = mono_now() - c->t_conn;
	if (ret != 1)
		return handshake_error(c, o, ts, ret, sys);
	fill_info(c, o, ts);
	/* A TLS stream ends with close_notify; a bare FIN is truncation. */
	c->strict_eof = true;
	return RC_OK;
}

void tls_close_notify(struct xfer_conn *c)
{
	struct tls_sess *ts = tls_sess_of(c);

	if (ts && ts->ssl && !ts->handed_off && !c->sent_close_notify) {
		SSL_shutdown(ts->ssl);
		ERR_clear_error();
		c->sent_close_notify = true;
	}
}

void tls_conn_free(struct xfer_conn *c)
{
	struct tls_sess *ts = tls_sess_of(c);

	if (!ts)
		return;
	tls_sess_wipe_secrets(ts);
	SSL_free(ts->ssl);
	OPENSSL_cleanse(ts, sizeof(*ts));
	free(ts);
	c->io_priv = NULL;
}

/* ----- data I/O through OpenSSL ----------------------------------------- */

static bool alert_is_handshake(uint8_t desc)
{
	switch (desc) {
	case SSL_AD_HANDSHAKE_FAILURE:
	case SSL_AD_BAD_CERTIFICATE:
	case SSL_AD_UNSUPPORTED_CERTIFICATE:
	case SSL_AD_CERTIFICATE_REVOKED:
	case SSL_AD_CERTIFICATE_EXPIRED:
	case SSL_AD_CERTIFICATE_UNKNOWN:
	case SSL_AD_UNKNOWN_CA:
	case SSL_AD_ACCESS_DENIED:
	case SSL_AD_CERTIFICATE_REQUIRED:
		return true;
	}
	return false;
}

/* Record a fatal alert from the peer in c->io_err / c->io_rc. */
void tls_note_peer_alert(struct xfer_conn *c, uint8_t desc)
{
	snprintf(c->io_err, sizeof(c->io_err), "the peer sent alert '%s'%s",
		 tls_alert_name(desc), alert_is_handshake(desc) ?
		 " (it rejected the handshake after it completed on our "
		 "side: TLS 1.3 client authentication)" : "");
	c->io_rc = alert_is_handshake(desc) ? RC_HANDSHAKE : RC_FAIL;
}

/* Map an SSL I/O failure to read(2)/write(2) conventions. */
static ssize_t ssl_fail(struct xfer_conn *c, int ret, bool reading)
{
	struct tls_sess *ts = tls_sess_of(c);
	int sys = errno;
	int e = SSL_get_error(ts->ssl, ret);
	unsigned long err = ERR_peek_error();
	int reason = err ? ERR_GET_REASON(err) : 0;
	char why[160];
	uint8_t desc;

	switch (e) {
	case SSL_ERROR_ZERO_RETURN:
		ERR_clear_error();
		c->peer_close_notify = true;
		if (reading)
			return 0;
		errno = EPIPE;
		return -1;
	case SSL_ERROR_WANT_READ:
	case SSL_ERROR_WANT_WRITE:
		ERR_clear_error();
		errno = EAGAIN; /* socket timeout on a blocking socket */
		return -1;
	case SSL_ERROR_SYSCALL:
		ERR_clear_error();
		if (sys == 0 && reading)
			return 0; /* EOF without close_notify */
		errno = sys ? sys : EPIPE;
		return -1;
	}
	if (reading && reason == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
		ERR_clear_error();
		return 0; /* the caller checks c->peer_close_notify */
	}
	if (reason_is_alert(reason, &desc)) {
		ERR_clear_error();
		tls_note_peer_alert(c, desc);
	} else {
		snprintf(c->io_err, sizeof(c->io_err), "TLS: %s",
			 ossl_reason(why, sizeof(why)));
	}
	errno = EPROTO;
	return -1;
}

static ssize_t ssl_read(struct xfer_conn *c, void *buf, size_t len)
{
	struct tls_sess *ts = tls_sess_of(c);
	size_t n = 0;
	int ret;

	ERR_clear_error();
	errno = 0;
	ret = SSL_read_ex(ts->ssl, buf, len, &n);
	if (ret == 1)
		return (ssize_t)n;
	return ssl_fail(c, ret, true);
}

static ssize_t ssl_write(struct xfer_conn *c, const void *buf, size_t len)
{
	struct tls_sess *ts = tls_sess_of(c);
	size_t n = 0;
	int ret;

	ERR_clear_error();
	errno = 0;
	ret = SSL_write_ex(ts->ssl, buf, len, &n);
	if (ret == 1)
		return (ssize_t)n;
	return ssl_fail(c, ret, false);
}

static bool ossl_ktls_send(const struct xfer_conn *c)
{
	struct tls_sess *ts = tls_sess_of(c);

	return BIO_get_ktls_send(SSL_get_wbio(ts->ssl)) > 0;
}

/* @what needs kernel TLS in direction @dir, and the session has none. */
static ssize_t no_ktls(struct xfer_conn *c, const char *what,
		       const char *dir)
{
	struct tls_sess *ts = tls_sess_of(c);

	snprintf(c->io_err, sizeof(c->io_err), "%s needs kernel TLS %s, and "
		 "%s", what, dir, ts->flavor == TLS_FLAVOR_OSSL_KTLS ?
		 "OpenSSL did not enable it" :
		 "the session stayed in userspace TLS");
	errno = EOPNOTSUPP;
	return -1;
}

void tls_ossl_ktls_state(struct xfer_conn *c)
{
	struct tls_sess *ts = tls_sess_of(c);

	c->ti.ossl_ktls_tx = BIO_get_ktls_send(SSL_get_wbio(ts->ssl)) > 0;
	c->ti.ossl_ktls_rx = BIO_get_ktls_recv(SSL_get_rbio(ts->ssl)) > 0;
	c->ktls = c->ti.ossl_ktls_tx || c->ti.ossl_ktls_rx;
	c->tx_keys = c->ti.ossl_ktls_tx;
	c->rx_keys = c->ti.ossl_ktls_rx;
}

static ssize_t ssl_sendfile(struct xfer_conn *c, int in_fd, off_t *off,
			    size_t len)
{
	struct tls_sess *ts = tls_sess_of(c);
	ossl_ssize_t n;

	if (!ossl_ktls_send(c))
		return no_ktls(c, "sendfile", "TX");
	ERR_clear_error();
	errno = 0;
	n = SSL_sendfile(ts->ssl, in_fd, *off, len, 0);
	if (n < 0)
		return ssl_fail(c, (int)n, false);
	*off += n;
	return n;
}

static ssize_t ssl_splice(struct xfer_conn *c, int in_fd, off_t *off,
			  size_t len)
{
	if (!ossl_ktls_send(c))
		return no_ktls(c, "splice", "TX");
	return xfer_splice_fd(c, in_fd, off, len);
}

static ssize_t ssl_splice_read(struct xfer_conn *c, void *buf, size_t len)
{
	struct tls_sess *ts = tls_sess_of(c);

	if (BIO_get_ktls_recv(SSL_get_rbio(ts->ssl)) <= 0) {
		c->io_rc = RC_SETUP;
		return no_ktls(c, "splice", "RX");
	}
	/* OpenSSL's kTLS: SSL_read() takes control records (EINVAL). */
	return xfer_splice_read_fd(c, buf, len);
}

static int ssl_shutdown_wr(struct xfer_conn *c)
{
	struct tls_sess *ts = tls_sess_of(c);
	int ret;

	if (!c->sent_close_notify) {
		ERR_clear_error();
		errno = 0;
		ret = SSL_shutdown(ts->ssl);
		if (ret < 0) {
			ssl_fail(c, ret, false);
			return -1;
		}
		c->sent_close_notify = true;
	}
	return shutdown(c->fd, SHUT_WR);
}

const struct xfer_io xfer_io_ssl = {
	.name = "ssl",
	.read = ssl_read,
	.write = ssl_write,
	.sendfile = ssl_sendfile,
	.splice = ssl_splice,
	.splice_read = ssl_splice_read,
	.shutdown_wr = ssl_shutdown_wr,
};
