// SPDX-License-Identifier: GPL-2.0
/*
 * tlsdevctl: names of the tls_dev family's values, and the fault rule
 * parser (see names.h).
 */
#include "names.h"

#include <stdio.h>
#include <string.h>

#include "common.h"
#include "parse.h"

static const char *const tx_resync_names[] = {
	[TLSDEV_TX_RESYNC_REPLAY] = "replay",
	[TLSDEV_TX_RESYNC_REQUEST] = "request",
};

static const char *const rx_resync_names[] = {
	[TLSDEV_RX_RESYNC_REQUEST] = "request",
	[TLSDEV_RX_RESYNC_HINT] = "hint",
	[TLSDEV_RX_RESYNC_ASYNC] = "async",
};

static const char *const fault_action_names[] = {
	[TLSDEV_FAULT_ACT_NONE] = "none",
	[TLSDEV_FAULT_ACT_DROP] = "drop",
	[TLSDEV_FAULT_ACT_DUP] = "dup",
	[TLSDEV_FAULT_ACT_DELAY] = "delay",
	[TLSDEV_FAULT_ACT_REPLAY] = "replay",
	[TLSDEV_FAULT_ACT_CORRUPT] = "corrupt",
	[TLSDEV_FAULT_ACT_DESYNC] = "desync",
	[TLSDEV_FAULT_ACT_HOLD] = "hold",
};

static const char *const rx_state_names[] = {
	[TLSDEV_CONN_RX_STATE_SYNC] = "sync",
	[TLSDEV_CONN_RX_STATE_SEARCH] = "search",
	[TLSDEV_CONN_RX_STATE_CONFIRM] = "confirm",
	[TLSDEV_CONN_RX_STATE_HINT] = "hint",
};

static const char *const rule_names[CTL_NR_RULES] = {
	[CTL_RULE_TX] = "tx",
	[CTL_RULE_RX] = "rx",
	[CTL_RULE_RX_ASYNC] = "rx-async",
};

/* as the kernel takes them (kmod/netlink.c, tlsdev_nl_rules) */
static const char *const rule_actions[CTL_NR_RULES] = {
	[CTL_RULE_TX] = "drop, dup, delay, replay or hold",
	[CTL_RULE_RX] = "drop, delay, corrupt or desync",
	[CTL_RULE_RX_ASYNC] = "drop or delay",
};

static const char *enum_name(const char *const *names, size_t n, uint32_t v)
{
	return v < n && names[v] ? names[v] : "?";
}

static int enum_parse(const char *const *names, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (names[i] && !strcmp(names[i], s))
			return (int)i;
	return -1;
}

const char *ctl_tx_resync_name(uint32_t v)
{
	return enum_name(tx_resync_names, ARRAY_SIZE(tx_resync_names), v);
}

const char *ctl_rx_resync_name(uint32_t v)
{
	return enum_name(rx_resync_names, ARRAY_SIZE(rx_resync_names), v);
}

const char *ctl_fault_action_name(uint32_t v)
{
	return enum_name(fault_action_names, ARRAY_SIZE(fault_action_names), v);
}

int ctl_tx_resync_parse(const char *s)
{
	return enum_parse(tx_resync_names, ARRAY_SIZE(tx_resync_names), s);
}

int ctl_rx_resync_parse(const char *s)
{
	return enum_parse(rx_resync_names, ARRAY_SIZE(rx_resync_names), s);
}

int ctl_fault_action_parse(const char *s)
{
	return enum_parse(fault_action_names, ARRAY_SIZE(fault_action_names), s);
}

const char *ctl_rx_state_name(uint32_t v, char *buf, size_t len)
{
	if (v < ARRAY_SIZE(rx_state_names) && rx_state_names[v])
		return rx_state_names[v];
	snprintf(buf, len, "state-%u", v);
	return buf;
}

const char *ctl_rule_name(enum ctl_rule r)
{
	return enum_name(rule_names, ARRAY_SIZE(rule_names), (uint32_t)r);
}

int ctl_rule_parse_name(const char *s)
{
	return enum_parse(rule_names, ARRAY_SIZE(rule_names), s);
}

const char *ctl_rule_actions(enum ctl_rule r)
{
	return enum_name(rule_actions, ARRAY_SIZE(rule_actions), (uint32_t)r);
}

static int rule_u32(const char *kw, const char *s, uint32_t min, uint32_t *out,
		    char *err, size_t errlen)
{
	uint64_t v;

	if (parse_u64(s, &v) || v > UINT32_MAX) {
		snprintf(err, errlen, "%s: not a 32-bit unsigned number: '%s'",
			 kw, s);
		return -1;
	}
	if (v < min) {
		snprintf(err, errlen, "%s: must be at least %u", kw, min);
		return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

int ctl_rule_parse(enum ctl_rule r, int argc, char **argv,
		   struct ctl_rule_arg *out, char *err, size_t errlen)
{
	const char *name = ctl_rule_name(r);
	int action, i;

	memset(out, 0, sizeof(*out));
	if (argc < 1) {
		snprintf(err, errlen, "%s needs an action: %s, or none", name,
			 ctl_rule_actions(r));
		return -1;
	}
	action = ctl_fault_action_parse(argv[0]);
	if (action < 0) {
		snprintf(err, errlen, "%s: '%s' is not %s, or none", name,
			 argv[0], ctl_rule_actions(r));
		return -1;
	}
	out->action = (uint32_t)action;
	for (i = 1; i < argc; i += 2) {
		bool nth = !strcmp(argv[i], "nth");

		if (!nth && strcmp(argv[i], "every")) {
			snprintf(err, errlen, "unknown argument '%s'", argv[i]);
			return -1;
		}
		if (nth ? out->has_nth : out->has_every) {
			snprintf(err, errlen, "'%s' given twice", argv[i]);
			return -1;
		}
		if (i + 1 >= argc) {
			snprintf(err, errlen, "'%s' needs a value", argv[i]);
			return -1;
		}
		if (nth) {
			if (rule_u32("nth", argv[i + 1], 1, &out->nth, err, errlen))
				return -1;
			out->has_nth = true;
		} else {
			if (rule_u32("every", argv[i + 1], 0, &out->every, err, errlen))
				return -1;
			out->has_every = true;
		}
	}
	if (out->action == TLSDEV_FAULT_ACT_NONE) {
		if (out->has_nth || out->has_every) {
			snprintf(err, errlen, "%s none takes no nth or every", name);
			return -1;
		}
		return 0;
	}
	if (!out->has_nth) {
		snprintf(err, errlen, "%s %s needs 'nth N'", name, argv[0]);
		return -1;
	}
	return 0;
}
