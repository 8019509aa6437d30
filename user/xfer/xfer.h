/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tlsxfer internals.
 *
 * Layering:
 *   opts.c        command line -> struct xfer_opts (validation, --help)
 *   modes.c       mode table: how a connected TCP socket gets its TLS
 *                 (nothing, static kTLS keys, an OpenSSL handshake with
 *                 userspace TLS, our key hand-off or OpenSSL's own kTLS);
 *                 a mode's setup() installs keys and picks the data I/O ops
 *   static_keys.c static key material -> per-direction ktls_params
 *   tls.c         OpenSSL contexts, the handshake, certificate reporting
 *                 and the SSL_read/SSL_write data I/O (xfer_io_ssl)
 *   handoff.c     finished handshake -> kTLS keys pushed to the socket
 *   keys.c        pure key derivations for handoff.c (keys.h)
 *   io_fd.c       data I/O on the socket fd (plain TCP and kTLS: control
 *                 records, close_notify, sendfile, splice)
 *   transfer.c    sender/receiver/echo: pattern/file data, hashing,
 *                 verification and the end-to-end status line; knows
 *                 nothing about keys
 *   offload.c     why a direction is not offloaded (route, version, ...)
 *   session.c     server/client: listen/accept/connect, mode setup, offload
 *                 reporting, exit code
 *   report.c      human and JSON output
 */
#ifndef TLSXFER_H
#define TLSXFER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <net/if.h>

#include "../lib/common.h"
#include "../lib/digest.h"
#include "../lib/ktls.h"
#include "../lib/net.h"
#include "../lib/tlsdiag.h"

#define XFER_DEFAULT_PORT      "4433"
#define XFER_DEFAULT_TIMEOUT   30.0
#define XFER_DEFAULT_BYTES     (64ULL << 20)
#define XFER_DEFAULT_SEED      1ULL
#define XFER_DEFAULT_WRITE     (64ULL << 10)
#define XFER_MAX_WRITE         (64ULL << 20)
#define XFER_READ_SIZE         (256U << 10)
#define XFER_STATUS_MAX        512 /* receiver status line, incl. newline */
#define XFER_ECHO_MAX_WRITE    (64ULL << 10) /* --echo: bytes in flight */
#define XFER_PROGRESS_AFTER    1.0 /* s before the first progress line */

/* Static-mode defaults (client->server direction; see static_keys.c). */
#define XFER_DEFAULT_KEY  "000102030405060708090a0b0c0d0e0f"
#define XFER_DEFAULT_SALT "a0a1a2a3"
#define XFER_DEFAULT_IV   "0000000000000001"

enum xfer_role {
	ROLE_SERVER,
	ROLE_CLIENT,
};

/* Which offload a user requires (--require-offload). */
enum xfer_require {
	REQUIRE_NONE = 0,
	REQUIRE_TX = 1,
	REQUIRE_RX = 2,
	REQUIRE_BOTH = 3,
};

/* Static key material for the client->server direction. */
struct static_material {
	uint8_t key[KTLS_KEY_MAX];
	size_t key_len;
	uint8_t salt[KTLS_SALT_MAX];
	uint8_t iv[KTLS_IV_MAX];
	uint64_t rec_seq;
};

enum xfer_dirn {
	DIRN_C2S, /* client -> server */
	DIRN_S2C, /* server -> client */
};

struct xfer_mode;

struct xfer_opts {
	enum xfer_role role;
	const struct xfer_mode *mode;
	int family;             /* AF_UNSPEC / AF_INET / AF_INET6 */
	const char *addr;       /* --listen / --connect */
	double timeout;         /* seconds */
	bool json;
	bool reverse;           /* server sends, client receives */
	bool loop;              /* server: serve connections until killed */

	/* data */
	uint64_t bytes;
	bool bytes_set;
	uint64_t seed;
	bool seed_set;
	const char *file;
	bool use_sendfile;
	uint64_t wsize_min, wsize_max;
	bool wsize_set;
	bool use_splice;        /* --splice: sender file -> pipe -> socket,
				 * receiver socket -> pipe -> memory */
	uint8_t expect_sha[SHA256_LEN];
	bool expect_sha_set;
	bool echo;              /* server echoes, client sends and verifies */
	bool no_status;         /* peer is not tlsxfer: no status line */
	bool progress;          /* progress line on stderr (a terminal) */

	/* handshake modes (openssl, ktls, ktls-openssl) */
	const char *cert;       /* PEM certificate (chain) */
	const char *cert_key;   /* PEM private key (default: --cert) */
	const char *ca;         /* CA file or directory to verify the peer */
	bool no_verify;         /* client: do not verify the server */
	const char *sni;        /* client: SNI + name checked; server: required */
	const char *alpn;       /* comma-separated protocol list */
	int tls_min, tls_max;   /* TLS1_2_VERSION / TLS1_3_VERSION */
	const char *ciphers;    /* TLS 1.2 cipher list */
	const char *ciphersuites; /* TLS 1.3 suites */
	bool require_ktls;      /* ktls: fail instead of userspace fallback */
	bool tls_opt_set;       /* any handshake option given */

	/* static mode */
	struct static_material sm;
	bool no_tx_keys, no_rx_keys;
	bool static_opt_set;    /* any of --key/--salt/--iv/--rec-seq/--no-*-keys */

	enum xfer_require require;
};

/* True when this side sends the data. */
static inline bool xfer_is_sender(const struct xfer_opts *o)
{
	return (o->role == ROLE_CLIENT) != o->reverse;
}

struct xfer_conn;
struct xfer_result;

/*
 * Data I/O on an established connection.  read/write follow read(2)/write(2)
 * conventions (-1 + errno; EAGAIN = the socket timeout expired).
 */
struct xfer_io {
	const char *name;
	ssize_t (*read)(struct xfer_conn *c, void *buf, size_t len);
	ssize_t (*write)(struct xfer_conn *c, const void *buf, size_t len);
	/* NULL if the transport cannot take data straight from a file. */
	ssize_t (*sendfile)(struct xfer_conn *c, int in_fd, off_t *off,
			    size_t len);
	/* splice(2) from a file through a pipe; NULL if not possible. */
	ssize_t (*splice)(struct xfer_conn *c, int in_fd, off_t *off,
			  size_t len);
	/* Receive with splice(2): socket -> pipe -> @buf; read() conventions.
	 * NULL if the transport cannot. */
	ssize_t (*splice_read)(struct xfer_conn *c, void *buf, size_t len);
	/* Ends this side's stream: close_notify when TLS is on, then FIN. */
	int (*shutdown_wr)(struct xfer_conn *c);
};

extern const struct xfer_io xfer_io_fd;
extern const struct xfer_io xfer_io_ssl;

/* What the TLS handshake produced (handshake modes), for reporting. */
struct xfer_tls_info {
	bool done;              /* handshake completed */
	double handshake_s;     /* TCP established -> handshake done */
	char protocol[16];      /* "TLSv1.3" */
	char suite[64];         /* OpenSSL cipher name */
	char sni[256];          /* client: sent; server: received ("" none) */
	char alpn[64];          /* selected protocol ("" none) */
	/* peer certificate */
	bool peer_cert;         /* the peer presented one */
	bool verify_checked;    /* we asked OpenSSL to verify it */
	bool verified;          /* ... and it verified (chain, dates, name) */
	char verify_result[128];
	char peer_subject[256];
	char peer_issuer[256];
	/* kTLS */
	char ktls_note[192];    /* why the kernel did not get (all) keys */
	bool ossl_ktls_tx, ossl_ktls_rx; /* ktls-openssl: what OpenSSL did */
	uint64_t tx_seq, rx_seq; /* record sequence numbers handed off */
	bool peer_gone;         /* the peer closed before the hand-off */
};

struct xfer_conn {
	int fd;
	enum xfer_role role;
	const struct xfer_io *io;
	void *io_priv;

	char local[NET_ADDRSTR_MAX];
	char peer[NET_ADDRSTR_MAX];

	/* What setup() did (for reporting). */
	bool tls;               /* a TLS layer is in use */
	uint16_t tls_version;   /* TLS_1_2_VERSION, ... or 0 */
	uint16_t cipher;        /* TLS_CIPHER_* or 0 */
	bool ktls;              /* kernel TLS ULP attached */
	bool tx_keys, rx_keys;  /* kTLS keys installed per direction */
	struct xfer_tls_info ti;
	double t_conn;          /* mono_now() when TCP was established */

	/* Data I/O state (io_fd.c, tls.c). */
	bool strict_eof;        /* EOF without close_notify is an error */
	bool peer_close_notify; /* the peer's close_notify arrived */
	bool sent_close_notify;
	struct {                /* kTLS RX: a control record in progress */
		uint8_t type;
		uint8_t buf[4];
		size_t have;
		uint32_t skip;  /* handshake message bytes left to skip */
	} ctrl;
	uint64_t tickets_skipped; /* TLS 1.3 NewSessionTicket after hand-off */
	int pipefd[2];          /* --splice pipe, -1 when unused */
	size_t pipe_size;       /* its capacity (receiver), 0: not known yet */
	char io_err[192];       /* detail of the last I/O failure */
	int io_rc;              /* RC_* for it (0: RC_FAIL) */

	/*
	 * Called by transfer.c when the data phase ends (sender: before
	 * shutdown(SHUT_WR); receiver: at EOF, before the status line), i.e.
	 * while the socket is still in the established hash table and
	 * sock_diag can find it.  Optional.
	 */
	void (*data_done)(struct xfer_conn *c, struct xfer_result *r);
};

/*
 * A mode: how a connected socket gets its keys.  setup() runs right after
 * connect()/accept() and must set c->io (and the reporting fields).  It
 * returns an RC_* code and prints its own error.
 */
#define MODE_F_STATIC_KEYS 0x1 /* takes --key/--salt/--iv/--rec-seq/--no-*-keys */
#define MODE_F_KTLS        0x2 /* uses kernel TLS (offload state is meaningful) */
#define MODE_F_HANDSHAKE   0x4 /* OpenSSL handshake (takes --cert/--ca/...) */

struct xfer_mode {
	const char *name;
	const char *summary;
	unsigned int flags;     /* MODE_F_* */
	/* Optional, once before any connection: load certificates etc., so
	 * that bad files fail before listen()/connect().  RC_* code. */
	int (*prepare)(const struct xfer_opts *o);
	int (*setup)(struct xfer_conn *c, const struct xfer_opts *o);
	void (*cleanup)(struct xfer_conn *c);
};

/* A mode's setup() may return this from helpers: retry in userspace. */
#define XFER_FALLBACK (-1)

const struct xfer_mode *xfer_mode_find(const char *name);
extern const struct xfer_mode xfer_modes[];
extern const size_t xfer_nmodes;

/* static_keys.c */
void static_material_defaults(struct static_material *sm);
/* Key material for direction @d (the IV's top bit is flipped for S2C). */
int static_params(const struct static_material *sm, enum xfer_dirn d,
		  struct ktls_params *out);
void static_material_cleanse(struct static_material *sm);

/* Result of one connection, filled by session.c and transfer.c. */
struct xfer_result {
	int rc;
	bool sender;
	char error[384];

	double setup_s;         /* connect/accept done -> keys installed */
	double elapsed_s;       /* data phase (sender: until status line) */
	double first_byte_s;    /* TCP established -> first payload byte
				 * received (receiver, echo client); < 0: n/a */
	double cpu_user_s, cpu_sys_s; /* getrusage over the data phase */
	double rtt_min_s, rtt_avg_s, rtt_max_s; /* echo client, per chunk */
	uint64_t bytes;         /* payload bytes sent or received */
	uint64_t io_calls;      /* write()/sendfile()/read() calls */
	const char *data_path;  /* "write", "sendfile", "splice", "SSL_read",
				 * ... (NULL before the data phase) */

	bool sha_valid;
	char sha256[SHA256_HEX_LEN + 1];

	/* receiver */
	bool verified;          /* had something to verify against */
	bool mismatch;
	uint64_t mismatch_off;

	/* sender: the receiver's status line (without newline) */
	char peer_status[XFER_STATUS_MAX];

	bool ok;                /* transfer verdict */
	char reason[160];       /* why not ok */

	bool have_diag;
	bool have_diag_end;
	struct tlsdiag_info diag_start, diag_end;
	bool offload_ok;

	/* Egress route of the socket (kTLS modes; offload.c). */
	bool have_route;
	char route_if[IFNAMSIZ];
	char route_err[128];
	int feat_tx, feat_rx;   /* enum ifroute_feature */
};

/* transfer.c */
/* Sender: check that the data source (--file) can be opened, before any
 * connection exists.  Prints the error; returns an RC_* code. */
int xfer_check_source(const struct xfer_opts *o);
int xfer_send(struct xfer_conn *c, const struct xfer_opts *o,
	      struct xfer_result *r);
int xfer_recv(struct xfer_conn *c, const struct xfer_opts *o,
	      struct xfer_result *r);
/* --echo: the client sends chunks and verifies each echoed chunk; the
 * server runs xfer_recv(), which echoes what it reads (o->echo). */
int xfer_echo_client(struct xfer_conn *c, const struct xfer_opts *o,
		     struct xfer_result *r);

/* io_fd.c */
/* The --splice path for any transport whose fd takes plaintext. */
ssize_t xfer_splice_fd(struct xfer_conn *c, int in_fd, off_t *off,
		       size_t len);
/*
 * Receiving --splice for any transport whose fd yields plaintext: one
 * splice(2) socket -> pipe, then the pipe is read into @buf.  kTLS RX
 * cannot splice a control record (EINVAL): then c->io->read() takes it
 * with its TLS_GET_RECORD_TYPE cmsg.
 */
ssize_t xfer_splice_read_fd(struct xfer_conn *c, void *buf, size_t len);
/* Send a TLS alert through kTLS TX (TLS_SET_RECORD_TYPE). */
int xfer_ktls_send_alert(struct xfer_conn *c, uint8_t level, uint8_t desc);

/* tls.c */
enum tls_flavor {
	TLS_FLAVOR_USER,        /* OpenSSL does the record layer */
	TLS_FLAVOR_HANDOFF,     /* tlsxfer hands the keys to the kernel */
	TLS_FLAVOR_OSSL_KTLS,   /* OpenSSL's own kTLS (SSL_OP_ENABLE_KTLS) */
};
/* Builds the process-wide SSL_CTX from the options.  RC_* (printed). */
int tls_prepare(const struct xfer_opts *o, enum tls_flavor flavor);
/* Runs the handshake on c->fd; fills c->ti.  RC_* (prints its error). */
int tls_handshake(struct xfer_conn *c, const struct xfer_opts *o,
		  enum tls_flavor flavor);
void tls_conn_free(struct xfer_conn *c);
/* Give up on a session still in OpenSSL's hands: send close_notify. */
void tls_close_notify(struct xfer_conn *c);
void tls_global_free(void);
/* ktls-openssl: what OpenSSL enabled (c->ti.ossl_ktls_*, c->ktls, keys). */
void tls_ossl_ktls_state(struct xfer_conn *c);
/* Record a fatal alert from the peer in c->io_err / c->io_rc. */
void tls_note_peer_alert(struct xfer_conn *c, uint8_t desc);
/* Name of a TLS alert description ("unknown ca"). */
const char *tls_alert_name(uint8_t desc);

/* handoff.c */
/*
 * Push the keys of the finished handshake to the kernel: RC_OK,
 * XFER_FALLBACK (nothing was pushed; @why says why userspace TLS must do
 * it) or an RC_* error (printed).
 */
int tls_handoff(struct xfer_conn *c, const struct xfer_opts *o,
		char *why, size_t whylen);

/* offload.c */
/* Look up the socket's egress interface and its TLS features. */
void offload_probe_route(const struct xfer_conn *c, struct xfer_result *r);
/* Why direction @tx of @d is not "hw" ("" when it is, or nothing to say). */
void offload_reason(const struct xfer_conn *c, const struct xfer_result *r,
		    const struct tlsdiag_info *d, bool tx, char *buf,
		    size_t len);

/* session.c */
/* Runs the server or client; wipes o->sm when done with it. */
int xfer_run(struct xfer_opts *o);

/* report.c */
void report_setup(const struct xfer_conn *c, const struct xfer_opts *o,
		  const struct xfer_result *r);
void report_final(const struct xfer_conn *c, const struct xfer_opts *o,
		  const struct xfer_result *r);

/* opts.c */
int xfer_parse_args(int argc, char **argv, struct xfer_opts *o);
void xfer_usage_main(void);

#endif
