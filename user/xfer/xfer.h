/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tlsxfer internals.
 *
 * Layering:
 *   opts.c        command line -> struct xfer_opts (validation, --help)
 *   modes.c       mode table: how a connected TCP socket gets its TLS
 *                 (nothing, static kTLS keys, later OpenSSL handshakes);
 *                 a mode's setup() installs keys and picks the data I/O ops
 *   static_keys.c static key material -> per-direction ktls_params
 *   io_fd.c       data I/O on the socket fd (plain TCP and kTLS)
 *   transfer.c    sender/receiver: pattern/file data, hashing, verification
 *                 and the end-to-end status line; knows nothing about keys
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
	uint8_t expect_sha[SHA256_LEN];
	bool expect_sha_set;

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
	int (*shutdown_wr)(struct xfer_conn *c);
};

extern const struct xfer_io xfer_io_fd;

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

struct xfer_mode {
	const char *name;
	const char *summary;
	unsigned int flags;     /* MODE_F_* */
	int (*setup)(struct xfer_conn *c, const struct xfer_opts *o);
	void (*cleanup)(struct xfer_conn *c);
};

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
	char error[256];

	double setup_s;         /* connect/accept done -> keys installed */
	double elapsed_s;       /* data phase (sender: until status line) */
	uint64_t bytes;         /* payload bytes sent or received */
	uint64_t io_calls;      /* write()/sendfile()/read() calls */

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
};

/* transfer.c */
/* Sender: check that the data source (--file) can be opened, before any
 * connection exists.  Prints the error; returns an RC_* code. */
int xfer_check_source(const struct xfer_opts *o);
int xfer_send(struct xfer_conn *c, const struct xfer_opts *o,
	      struct xfer_result *r);
int xfer_recv(struct xfer_conn *c, const struct xfer_opts *o,
	      struct xfer_result *r);

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
