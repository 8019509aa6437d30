/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which interface a connected socket's traffic leaves through, and whether
 * that interface offers a netdev feature (e.g. "tls-hw-tx-offload").
 * Used to explain why a kTLS direction is not offloaded.
 */
#ifndef TLSDEV_IFROUTE_H
#define TLSDEV_IFROUTE_H

#include <net/if.h>
#include <stddef.h>

/*
 * Output interface of the route from @fd's local address to its peer
 * (RTM_GETROUTE over rtnetlink, in the caller's network namespace;
 * IPv4-mapped IPv6 peers are looked up as IPv4).  @ifname holds IFNAMSIZ
 * bytes.  Returns 0, or -1 with a one-line reason in @err.
 */
int ifroute_egress(int fd, char *ifname, char *err, size_t errlen);

enum ifroute_feature {
	IFF_FEATURE_ERROR = -2,   /* query failed (see @err) */
	IFF_FEATURE_ABSENT = -1,  /* the device does not offer it */
	IFF_FEATURE_OFF = 0,      /* offered, currently off */
	IFF_FEATURE_ON = 1,
};

/*
 * State of the netdev feature called @name (as "ethtool -k" names it) on
 * @ifname, via the SIOCETHTOOL ioctl (ETHTOOL_GSSET_INFO, ETHTOOL_GSTRINGS,
 * ETHTOOL_GFEATURES; no privileges needed).
 */
int ifroute_feature(const char *ifname, const char *name, char *err,
		    size_t errlen);

#endif
