// SPDX-License-Identifier: GPL-2.0
/* Human-readable and JSON output. */
#include "xfer.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

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

void report_setup(const struct xfer_conn *c, const struct xfer_opts *o,
		  const struct xfer_result *r)
{
	char vb[16], cb[16];

	if (o->json)
		return;
	printf("mode: %s\n", o->mode->name);
	printf("role: %s, %s\n", role_name(c), r->sender ? "sending" : "receiving");
	printf("local: %s\n", c->local);
	printf("peer: %s\n", c->peer);
	if (c->tls)
		printf("tls: %s, cipher: %s, keys: %s\n",
		       ktls_version_name(shown_version(c, r), vb, sizeof(vb)),
		       ktls_cipher_name(shown_cipher(c, r), cb, sizeof(cb)),
		       keys_name(c));
	else
		printf("tls: none\n");
	printf("tx: %s\n", tlsdiag_state(&r->diag_start, true));
	printf("rx: %s\n", tlsdiag_state(&r->diag_start, false));
	if (c->ktls && r->diag_start.errstr[0])
		printf("offload query: %s\n", r->diag_start.errstr);
	fflush(stdout);
}

static void human_final(const struct xfer_conn *c, const struct xfer_opts *o,
			const struct xfer_result *r)
{
	if (r->have_diag) {
		printf("bytes: %" PRIu64 "\n", r->bytes);
		printf("%s: %" PRIu64 "\n", r->sender ? "send calls" : "read calls",
		       r->io_calls);
		printf("elapsed: %.3f s\n", r->elapsed_s);
		printf("throughput: %.2f MB/s\n", mbps(r));
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
		printf("verdict: OK%s\n", r->verified ? "" :
		       " (unverified: nothing to compare against)");
	else if (r->rc == RC_OFFLOAD)
		printf("verdict: OFFLOAD-REQUIREMENT-NOT-MET (transfer OK)\n");
	else
		printf("verdict: FAIL (%s: %s)\n", rc_name(r->rc),
		       r->error[0] ? r->error : r->reason);
	(void)c;
	(void)o;
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
	if (r->have_diag) {
		json_offload(&j, "offload", &r->diag_start);
		json_offload(&j, "offload_end", &r->diag_end);
	} else {
		json_null(&j, "offload");
		json_null(&j, "offload_end");
	}
	json_str(&j, "require_offload", require_name(o->require));
	json_bool(&j, "offload_ok", o->require ? r->offload_ok : true);
	json_u64(&j, "bytes", r->bytes);
	json_u64(&j, "io_calls", r->io_calls);
	json_double(&j, "setup_s", r->setup_s, 6);
	json_double(&j, "elapsed_s", r->elapsed_s, 6);
	json_double(&j, "mb_per_s", mbps(r), 2);
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
