/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The interface between the tlsdev core and the engines behind it.
 *
 * A backend is the "silicon" of a tlsdev device: the core parses the TLS
 * record stream (tracker.c), keeps per-connection sequence state and moves
 * packets; the backend only holds keys and transforms record payloads.
 * Backends live in their own modules and register themselves by name.
 */
#ifndef _TLSDEV_BACKEND_H
#define _TLSDEV_BACKEND_H

#include <linux/list.h>
#include <linux/module.h>
#include <linux/types.h>

#define TLSDEV_KEY_MAX		32
#define TLSDEV_SALT_SIZE	4
#define TLSDEV_NONCE_SIZE	12
#define TLSDEV_TAG_SIZE		16

/* Key material of one direction of one connection; wiped by the core. */
struct tlsdev_key {
	u16 cipher_type;		/* TLS_CIPHER_AES_GCM_128 or _256 */
	u8 key_len;
	u8 key[TLSDEV_KEY_MAX];
	u8 salt[TLSDEV_SALT_SIZE];
};

/**
 * struct tlsdev_backend - an offload engine
 * @name: what users select it by (``tlsdevctl link add ... backend NAME``)
 * @owner: the module holding the code; pinned while a device uses it
 * @key_size: bytes of per-connection key state the core allocates
 * @stream_size: bytes of per-stream state: the running state of one
 *	record in progress. A connection has two streams (the device's own
 *	and a scratch one to rebuild a retransmitted segment), which the core
 *	swaps; a stream may point into the key state, never into itself.
 * @init: prepare @key for @k; process context, may sleep
 * @free: release what @init set up; must wipe key-derived data
 * @rec_begin: start a record on @stream: @nonce is salt || explicit nonce,
 *	@aad the TLS 1.2 additional data (sequence, type, version, length)
 * @encrypt: encrypt the next @len payload bytes of the record in place
 * @decrypt: decrypt them in place, authenticating the ciphertext; NULL if
 *	the backend does no RX
 * @rec_end: after the last payload byte, write the record's tag to @tag
 * @rx_resync: how a device with this backend regains RX sync unless its
 *	creator chooses (enum tlsdev_rx_resync; 0 is request mode)
 * @list: entry in the backend list, under the registry mutex
 *
 * @rec_begin, @encrypt and @rec_end run in softirq context under the
 * connection's lock and must not sleep. A failure from them leaves the
 * connection in the core's software fallback for good.
 */
struct tlsdev_backend {
	const char *name;
	struct module *owner;
	unsigned int key_size;
	unsigned int stream_size;
	int (*init)(void *key, const struct tlsdev_key *k);
	void (*free)(void *key);
	int (*rec_begin)(void *key, void *stream, const u8 *nonce,
			 const u8 *aad, unsigned int aad_len);
	int (*encrypt)(void *key, void *stream, u8 *buf, unsigned int len);
	int (*decrypt)(void *key, void *stream, u8 *buf, unsigned int len);
	int (*rec_end)(void *key, void *stream, u8 *tag);
	u8 rx_resync;
	struct list_head list;
};

int tlsdev_backend_register(struct tlsdev_backend *be);
void tlsdev_backend_unregister(struct tlsdev_backend *be);

#endif /* _TLSDEV_BACKEND_H */
