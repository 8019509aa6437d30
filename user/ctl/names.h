/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tlsdevctl: the names of the values of the tls_dev family and the parser
 * of fault rules. Pure (no I/O, no netlink), so that the unit tests
 * (user/tests/unit.c) exercise them.
 */
#ifndef TLSDEV_CTL_NAMES_H
#define TLSDEV_CTL_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tlsdev_genl.h"

/* Names of enum values: "replay", "drop", ... ("?" if unknown). */
const char *ctl_tx_resync_name(uint32_t v);
const char *ctl_rx_resync_name(uint32_t v);
const char *ctl_fault_action_name(uint32_t v);
/* Parse them back: the value, or -1. */
int ctl_tx_resync_parse(const char *s);
int ctl_rx_resync_parse(const char *s);
int ctl_fault_action_parse(const char *s);

/*
 * Name of an RX connection state (enum tlsdev_conn_rx_state): "sync",
 * "search", "confirm", "hint"; a value this tlsdevctl does not know is
 * "state-N", written to @buf.
 */
const char *ctl_rx_state_name(uint32_t v, char *buf, size_t len);

/* The fault rules of a device. */
enum ctl_rule {
	CTL_RULE_TX,
	CTL_RULE_RX,
	CTL_RULE_RX_ASYNC,
	CTL_NR_RULES,
};

/* "tx", "rx", "rx-async"; the rule of a keyword, or -1 */
const char *ctl_rule_name(enum ctl_rule r);
int ctl_rule_parse_name(const char *s);

/* What the kernel accepts for a rule: "drop, dup, delay or replay", ... */
const char *ctl_rule_actions(enum ctl_rule r);

/* A rule as given on the command line. */
struct ctl_rule_arg {
	uint32_t action;	/* enum tlsdev_fault_action */
	uint32_t nth;		/* 0 if not given */
	uint32_t every;
	bool has_nth, has_every;
};

/*
 * Parse "ACTION [nth N] [every M]" (in any order after ACTION) of rule @r
 * from @argc words. ACTION may be any action name: which ones the rule
 * takes is the kernel's to say (with its message). Returns 0, or -1 with
 * a one-line message in @err.
 */
int ctl_rule_parse(enum ctl_rule r, int argc, char **argv,
		   struct ctl_rule_arg *out, char *err, size_t errlen);

#endif
