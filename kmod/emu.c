// SPDX-License-Identifier: GPL-2.0
/*
 * emu: a software model of a TLS offload engine.
 *
 * The engine is the core's streaming AES-GCM (gcm.c), built from the
 * kernel crypto API's "ctr(aes)" and "ghash": no limits, no latency, and
 * output byte for byte what software kTLS produces for the same keys and
 * records. This module only registers it as the backend "emu".
 */
#include <linux/module.h>

#include "backend.h"
#include "gcm.h"

static struct tlsdev_backend emu_backend = {
	.name		= "emu",
	.owner		= THIS_MODULE,
	.key_size	= sizeof(struct tlsdev_gcm_key),
	.stream_size	= sizeof(struct tlsdev_gcm_stream),
	.init		= tlsdev_gcm_init,
	.free		= tlsdev_gcm_free,
	.rec_begin	= tlsdev_gcm_rec_begin,
	.encrypt	= tlsdev_gcm_encrypt,
	.decrypt	= tlsdev_gcm_decrypt,
	.rec_end	= tlsdev_gcm_rec_end,
};

static int __init emu_module_init(void)
{
	return tlsdev_backend_register(&emu_backend);
}

static void __exit emu_module_exit(void)
{
	tlsdev_backend_unregister(&emu_backend);
}

module_init(emu_module_init);
module_exit(emu_module_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("tlsdev emu backend: AES-GCM engine on the kernel crypto API");
MODULE_ALIAS("tlsdev-backend-emu");
MODULE_IMPORT_NS(TLSDEV);
