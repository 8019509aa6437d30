/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tlsdevctl: control and inspect tlsdev devices over rtnetlink (link
 * creation) and the "tls_dev" generic netlink family (everything else).
 *
 * The command groups (link.c, conn.c, stats.c, fault.c) each export a
 * table of commands; main.c dispatches on it and generates --help from it.
 * nl.c has the one netlink request routine, dev.c what several groups
 * share about devices, names.c the names of values and the fault rule
 * parser (pure, unit-tested).
 */
#ifndef TLSDEV_CTL_H
#define TLSDEV_CTL_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "common.h"
#include "json.h"
#include "names.h"

#include "tlsdev_genl.h"

struct nl_sock;
struct nl_msg;

/* Exit codes of tlsdevctl (see tlsdevctl --help). */
enum ctl_rc {
	CTL_OK = 0,		/* success */
	CTL_FAIL = 1,		/* the operation failed or the kernel refused it */
	CTL_USAGE = 2,		/* bad command line */
	CTL_NOTAVAIL = 3,	/* the tls_dev family / tlsdev link type is missing */
};

struct ctl {
	bool json;		/* -j */
	const char *what;	/* "link add", for error messages */
	struct nl_sock *genl;	/* opened on first use */
	int family;		/* id of the tls_dev family */
	struct nl_sock *rtnl;	/* opened on first use */
};

struct ctl_cmd {
	const char *name;	/* "add" */
	const char *args;	/* synopsis of the arguments */
	const char *help;	/* what it does (lines of at most 72 columns) */
	int (*run)(struct ctl *ctl, int argc, char **argv);
};

struct ctl_group {
	const char *name;	/* "link" */
	const char *help;
	const struct ctl_cmd *cmds;	/* ends with a NULL name */
};

extern const struct ctl_group ctl_link_group;
extern const struct ctl_group ctl_conn_group;
extern const struct ctl_group ctl_stats_group;
extern const struct ctl_group ctl_fault_group;

/* --- arguments (main.c) ------------------------------------------------- */

/* "tlsdevctl: <what>: <message>", exit code CTL_USAGE. */
int ctl_usage(struct ctl *ctl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The value after keyword argv[*i]; advances *i. NULL (and a usage error
 * printed) if there is none. */
const char *ctl_arg_value(struct ctl *ctl, int argc, char **argv, int *i);

/* A u32 value of keyword @kw, at least @min. Returns CTL_OK or CTL_USAGE. */
int ctl_arg_u32(struct ctl *ctl, const char *kw, const char *s, uint32_t min,
		uint32_t *out);

/* A device name that fits IFNAMSIZ. Returns CTL_OK or CTL_USAGE. */
int ctl_arg_ifname(struct ctl *ctl, const char *kw, const char *s);

/* --- netlink (nl.c) ------------------------------------------------------ */

/* Outcome of one request. */
struct nl_reply {
	int err;		/* 0 or -errno (from the kernel, or local) */
	char msg[256];		/* the kernel's extack message, or "" */
	bool intr;		/* a dump was interrupted (NLM_F_DUMP_INTR) */
	bool local;		/* @msg is ours (socket error), not the kernel's */
};

/* Called for each reply message; returns 0 or -errno (stops the request). */
typedef int (*nl_parse_fn)(struct nl_msg *msg, void *arg);

/*
 * Send @msg on @sk, hand every reply to @parse (may be NULL) and wait for
 * the ACK, the error or the end of the dump. Returns r->err.
 */
int nl_request(struct nl_sock *sk, struct nl_msg *msg, nl_parse_fn parse,
	       void *arg, struct nl_reply *r);

/* Open the sockets; CTL_OK, or an error printed and its exit code. */
int ctl_genl_open(struct ctl *ctl);
int ctl_rtnl_open(struct ctl *ctl);
void ctl_close(struct ctl *ctl);

/* A tls_dev request for @cmd (NLM_F_DUMP in @flags for a dump), or NULL. */
struct nl_msg *ctl_genl_msg(struct ctl *ctl, uint8_t cmd, int flags);

/*
 * Report a failed request: "tlsdevctl: <what>[: <subject>]: <extack>
 * (<strerror>)". Returns CTL_FAIL.
 */
int ctl_fail(struct ctl *ctl, const char *subject, const struct nl_reply *r);

/* Note an interrupted dump on stderr. */
void ctl_warn_intr(struct ctl *ctl, const struct nl_reply *r);

/* --- devices (dev.c) ----------------------------------------------------- */

/* A fault rule as the kernel reports it. */
struct ctl_fault_rule {
	uint32_t action;	/* enum tlsdev_fault_action */
	uint32_t nth;
	uint32_t every;
	uint32_t count;
};

struct ctl_fault {
	struct ctl_fault_rule rule[CTL_NR_RULES];	/* enum ctl_rule */
	uint32_t add_fail;
	uint32_t ctx_limit;
};

struct ctl_dev {
	uint32_t ifindex;
	char name[IFNAMSIZ];
	uint32_t lower_ifindex;
	char lower[IFNAMSIZ];
	char backend[32];
	uint32_t tx_resync;	/* enum tlsdev_tx_resync */
	uint32_t rx_resync;	/* enum tlsdev_rx_resync */
	uint32_t nr_conns;	/* TX */
	uint32_t nr_rx_conns;
	struct ctl_fault fault;
};

struct ctl_devs {
	struct ctl_dev *v;
	unsigned int n;
};

/*
 * DEV_GET of @name, or a dump of every tlsdev if @name is NULL, into
 * @devs (free with free(devs->v)). Returns CTL_OK or an exit code; errors
 * are printed.
 */
int ctl_dev_get(struct ctl *ctl, const char *name, struct ctl_devs *devs);

/* Put the device attribute (TLSDEV_A_IFNAME) of @name on @msg. */
int ctl_put_dev(struct nl_msg *msg, const char *name);

/* The attributes of fault rule @r: TLSDEV_A_FAULT_{TX,RX,RX_ASYNC}_* */
struct ctl_rule_attrs {
	int action, nth, every, count;
};
extern const struct ctl_rule_attrs ctl_rule_attrs[CTL_NR_RULES];

#endif
