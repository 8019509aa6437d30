// SPDX-License-Identifier: GPL-2.0
/* Human-readable and JSON output. */
#include "xfer.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "../lib/ifroute.h"
#include "../lib/json.h"

static const char *role_name(const struct xfer_conn *c)
{
	return c->role == ROLE_SERVER ? "server" : "client";
}

static const char *keys_name(const struct xfer_conn *c)
{
	if (!c->ktls)
		return "none";
	if (c->tx_keys && c->rx_keys)
		return "tx+rx";
	if (c->tx_keys)
		return "tx";
	if (c->rx_keys)
		return "rx";
	return "none";
}

/* Prefer what the kernel reports; fall back to what setup() installed. */
static uint16_t shown_version(const struct xfer_conn *c,
			      const struct xfer_result *r)
{
	if (r->have_diag && r->diag_start.version)
		return r->diag_start.version;
	return c->tls_version;
}

static uint16_t shown_cipher(const struct xfer_conn *c,
			     const struct xfer_result *r)
{
	if (r->have_diag && r->diag_start.cipher)
		return r->diag_start.cipher;
	return c->cipher;
}

static const char *require_name(enum xfer_require req)
{
	switch (req) {
	case REQUIRE_NONE: return NULL;
	case REQUIRE_TX:   return "tx";
	case REQUIRE_RX:   return "rx";
	case REQUIRE_BOTH: return "both";
	}
	return NULL;
}

static double mbps(const struct xfer_result *r)
{
	return r->elapsed_s > 0 ? (double)r->bytes / r->elapsed_s / 1e6 : 0.0;
}

static const char *feat_name(int f)
{
	switch (f) {
	case IFF_FEATURE_ON:     return "on";
	case IFF_FEATURE_OFF:    return "off";
	case IFF_FEATURE_ABSENT: return "not offered";
	}
	return "unknown";
}

/* The handshake in the words of the kTLS "Hello World" example. */
static void human_handshake(const struct xfer_conn *c,
			    const struct xfer_opts *o)
{
	const struct xfer_tls_info *ti = &c->ti;
	const char *whose = c->role == ROLE_CLIENT ? "Server" : "Client";

	printf("TLS handshake completed successfully (%.1f ms)\n",
	       ti->handshake_s * 1e3);
	printf("Protocol: %s\n", ti->protocol);
	printf("Cipher: %s\n", ti->suite);
	printf("SNI: %s\n", ti->sni[0] ? ti->sni : "none");
	if (o->alpn || ti->alpn[0])
		printf("ALPN: %s\n", ti->alpn[0] ? ti->alpn : "none");
	printf("\n=== %s Certificate ===\n", whose);
	if (ti->peer_cert) {
		printf("Subject: %s\n", ti->peer_subject);
		printf("Issuer: %s\n", ti->peer_issuer);
	} else {
		printf("none\n");
	}
	if (ti->verified)
		printf("Certificate verified: YES\n\n");
	else
		printf("Certificate verified: NO (%s)\n\n", ti->verify_result);
	if (strcmp(o->mode->name, "ktls") == 0) {
		if (c->tx_keys && c->rx_keys)
			printf("kTLS: keys handed to the kernel (next record "
			       "tx %llu, rx %llu)\n",
			       (unsigned long long)ti->tx_seq,
			       (unsigned long long)ti->rx_seq);
		else
			printf("kTLS: not used, userspace TLS: %s\n",
			       ti->ktls_note);
	} else if (strcmp(o->mode->name, "ktls-openssl") == 0) {
		printf("kTLS: OpenSSL enabled %s\n",
		       ti->ossl_ktls_tx && ti->ossl_ktls_rx ? "tx+rx" :
		       ti->ossl_ktls_tx ? "tx only" :
		       ti->ossl_ktls_rx ? "rx only" : "nothing");
	}
}

static void human_state(const char *dir, const struct xfer_conn *c,
			const struct xfer_result *r, bool tx)
{
	char why[192];

	offload_reason(c, r, &r->diag_start, tx, why, sizeof(why));
	if (why[0] && c->tls)
		printf("%s: %s (%s)\n", dir, tlsdiag_state(&r->diag_start, tx),
		       why);
	else
		printf("%s: %s\n", dir, tlsdiag_state(&r->diag_start, tx));
}

void report_setup(const struct xfer_conn *c, const struct xfer_opts *o,
		  const struct xfer_result *r)
{
	char vb[16], cb[16];

	if (o->json)
		return;
	printf("mode: %s\n", o->mode->name);
	printf("role: %s, %s\n", role_name(c),
	       !o->echo ? (r->sender ? "sending" : "receiving") :
	       c->role == ROLE_CLIENT ? "sending, verifying the echo" :
	       "echoing");
	printf("local: %s\n", c->local);
	printf("peer: %s\n", c->peer);
	if (c->ti.done)
		human_handshake(c, o);
	if (c->tls)
		printf("tls: %s, cipher: %s, keys: %s\n",
		       ktls_version_name(shown_version(c, r), vb, sizeof(vb)),
		       ktls_cipher_name(shown_cipher(c, r), cb, sizeof(cb)),
		       keys_name(c));
	else
		printf("tls: none\n");
	if (c->ktls) {
		if (r->have_route)
			printf("route: %s (tls-hw-tx-offload %s, "
			       "tls-hw-rx-offload %s)\n", r->route_if,
			       feat_name(r->feat_tx), feat_name(r->feat_rx));
		else
			printf("route: unknown (%s)\n", r->route_err);
	}
	human_state("tx", c, r, true);
	human_state("rx", c, r, false);
	if (c->ktls && r->diag_start.errstr[0])
		printf("offload query: %s\n", r->diag_start.errstr);
	fflush(stdout);
}

static void human_final(const struct xfer_conn *c, const struct xfer_opts *o,
			const struct xfer_result *r)
{
	if (r->have_diag) {
		printf("bytes: %" PRIu64 "\n", r->bytes);
		if (r->data_path)
			printf("data path: %s\n", r->data_path);
		printf("%s: %" PRIu64 "\n", r->sender ? "send calls" : "read calls",
		       r->io_calls);
		printf("elapsed: %.3f s\n", r->elapsed_s);
		printf("throughput: %.2f MB/s\n", mbps(r));
		if (c->ti.done && r->first_byte_s >= 0)
			printf("latency: handshake %.1f ms, first byte %.1f ms\n",
			       c->ti.handshake_s * 1e3, r->first_byte_s * 1e3);
		else if (c->ti.done)
			printf("latency: handshake %.1f ms\n",
			       c->ti.handshake_s * 1e3);
		else if (r->first_byte_s >= 0)
			printf("latency: first byte %.1f ms\n",
			       r->first_byte_s * 1e3);
		if (o->echo && c->role == ROLE_CLIENT && r->rtt_max_s > 0)
			printf("echo rtt: min %.3f ms, avg %.3f ms, max %.3f ms\n",
			       r->rtt_min_s * 1e3, r->rtt_avg_s * 1e3,
			       r->rtt_max_s * 1e3);
		printf("cpu: user %.3f s, sys %.3f s\n", r->cpu_user_s,
		       r->cpu_sys_s);
		if (c->tickets_skipped)
			printf("tickets after hand-off: %llu skipped\n",
			       (unsigned long long)c->tickets_skipped);
		printf("end: tx %s, rx %s\n",
		       tlsdiag_state(&r->diag_end, true),
		       tlsdiag_state(&r->diag_end, false));
		if (r->sha_valid)
			printf("sha256: %s\n", r->sha256);
		if (r->sender && r->peer_status[0])
			printf("receiver status: %s\n", r->peer_status);
		if (!r->sender && r->mismatch)
			printf("first mismatch at offset: %" PRIu64 "\n",
			       r->mismatch_off);
	}
	if (r->rc == RC_OK)
		printf("verdict: OK%s\n", r->verified ? "" : o->no_status &&
		       r->sender ? " (unverified: --no-status, the receiver "
		       "checks)" : " (unverified: nothing to compare against)");
	else if (r->rc == RC_OFFLOAD)
		printf("verdict: OFFLOAD-REQUIREMENT-NOT-MET (transfer OK)\n");
	else
		printf("verdict: FAIL (%s: %s)\n", rc_name(r->rc),
		       r->error[0] ? r->error : r->reason);
	fflush(stdout);
}

static void json_offload(struct json *j, const char *key,
			 const struct tlsdiag_info *d)
{
	json_obj_begin(j, key);
	json_str(j, "tx", tlsdiag_state(d, true));
	json_str(j, "rx", tlsdiag_state(d, false));
	if (d->errstr[0])
		json_str(j, "error", d->errstr);
	json_obj_end(j);
}

static void json_reason(struct json *j, const struct xfer_conn *c,
			const struct xfer_result *r)
{
	char why[192];

	json_obj_begin(j, "offload_reason");
	offload_reason(c, r, &r->diag_start, true, why, sizeof(why));
	json_str(j, "tx", why[0] ? why : NULL);
	offload_reason(c, r, &r->diag_start, false, why, sizeof(why));
	json_str(j, "rx", why[0] ? why : NULL);
	json_obj_end(j);
}

static void json_tls(struct json *j, const struct xfer_conn *c,
		     const struct xfer_opts *o)
{
	const struct xfer_tls_info *ti = &c->ti;

	if (!ti->done) {
		json_null(j, "handshake");
		return;
	}
	json_obj_begin(j, "handshake");
	json_str(j, "protocol", ti->protocol);
	json_str(j, "cipher_suite", ti->suite);
	json_str(j, "sni", ti->sni[0] ? ti->sni : NULL);
	json_str(j, "alpn", ti->alpn[0] ? ti->alpn : NULL);
	json_double(j, "handshake_s", ti->handshake_s, 6);
	json_obj_begin(j, "peer_certificate");
	json_bool(j, "present", ti->peer_cert);
	json_str(j, "subject", ti->peer_cert ? ti->peer_subject : NULL);
	json_str(j, "issuer", ti->peer_cert ? ti->peer_issuer : NULL);
	json_bool(j, "verified", ti->verified);
	json_str(j, "verify_result", ti->verify_result);
	json_obj_end(j);
	json_str(j, "ktls_note", ti->ktls_note[0] ? ti->ktls_note : NULL);
	if (strcmp(o->mode->name, "ktls") == 0 && c->tx_keys) {
		json_u64(j, "tx_rec_seq", ti->tx_seq);
		json_u64(j, "rx_rec_seq", ti->rx_seq);
	}
	if (strcmp(o->mode->name, "ktls-openssl") == 0) {
		json_obj_begin(j, "openssl_ktls");
		json_bool(j, "tx", ti->ossl_ktls_tx);
		json_bool(j, "rx", ti->ossl_ktls_rx);
		json_obj_end(j);
	}
	json_u64(j, "tickets_skipped", c->tickets_skipped);
	json_obj_end(j);
}

static void json_final(const struct xfer_conn *c, const struct xfer_opts *o,
		       const struct xfer_result *r)
{
	struct json j;
	char vb[16], cb[16];

	json_init(&j, stdout);
	json_obj_begin(&j, NULL);
	json_str(&j, "tool", "tlsxfer");
	json_str(&j, "role", role_name(c));
	json_str(&j, "direction", r->sender ? "send" : "receive");
	json_str(&j, "mode", o->mode->name);
	json_str(&j, "local", c->local[0] ? c->local : NULL);
	json_str(&j, "peer", c->peer[0] ? c->peer : NULL);
	json_str(&j, "tls_version", c->tls ? ktls_version_name(
			 shown_version(c, r), vb, sizeof(vb)) : NULL);
	json_str(&j, "cipher", c->tls ? ktls_cipher_name(
			 shown_cipher(c, r), cb, sizeof(cb)) : NULL);
	json_obj_begin(&j, "keys");
	json_bool(&j, "tx", c->tx_keys);
	json_bool(&j, "rx", c->rx_keys);
	json_obj_end(&j);
	json_tls(&j, c, o);
	if (r->have_diag) {
		json_offload(&j, "offload", &r->diag_start);
		json_offload(&j, "offload_end", &r->diag_end);
		json_reason(&j, c, r);
	} else {
		json_null(&j, "offload");
		json_null(&j, "offload_end");
		json_null(&j, "offload_reason");
	}
	if (r->have_route) {
		json_obj_begin(&j, "route");
		json_str(&j, "ifname", r->route_if);
		json_str(&j, "tls_hw_tx_offload", feat_name(r->feat_tx));
		json_str(&j, "tls_hw_rx_offload", feat_name(r->feat_rx));
		json_obj_end(&j);
	} else {
		json_null(&j, "route");
	}
	json_str(&j, "require_offload", require_name(o->require));
	json_bool(&j, "offload_ok", o->require ? r->offload_ok : true);
	json_u64(&j, "bytes", r->bytes);
	json_str(&j, "data_path", r->data_path);
	json_u64(&j, "io_calls", r->io_calls);
	json_double(&j, "setup_s", r->setup_s, 6);
	json_double(&j, "elapsed_s", r->elapsed_s, 6);
	json_double(&j, "mb_per_s", mbps(r), 2);
	if (r->first_byte_s >= 0)
		json_double(&j, "first_byte_s", r->first_byte_s, 6);
	else
		json_null(&j, "first_byte_s");
	json_double(&j, "cpu_user_s", r->cpu_user_s, 6);
	json_double(&j, "cpu_sys_s", r->cpu_sys_s, 6);
	if (o->echo && c->role == ROLE_CLIENT) {
		json_obj_begin(&j, "echo_rtt_s");
		json_double(&j, "min", r->rtt_min_s, 6);
		json_double(&j, "avg", r->rtt_avg_s, 6);
		json_double(&j, "max", r->rtt_max_s, 6);
		json_obj_end(&j);
	}
	json_str(&j, "sha256", r->sha_valid ? r->sha256 : NULL);
	json_bool(&j, "verified", r->verified);
	if (!r->sender) {
		if (r->mismatch)
			json_u64(&j, "mismatch_offset", r->mismatch_off);
		else
			json_null(&j, "mismatch_offset");
	} else {
		json_str(&j, "receiver_status",
			 r->peer_status[0] ? r->peer_status : NULL);
	}
	json_str(&j, "verdict", r->rc == RC_OK || r->rc == RC_OFFLOAD ?
		 "OK" : "FAIL");
	json_str(&j, "error", r->error[0] ? r->error : NULL);
	json_i64(&j, "exit_code", r->rc);
	json_str(&j, "exit_reason", rc_name(r->rc));
	json_obj_end(&j);
	json_finish(&j);
}

void report_final(const struct xfer_conn *c, const struct xfer_opts *o,
		  const struct xfer_result *r)
{
	if (o->json)
		json_final(c, o, r);
	else
		human_final(c, o, r);
}
