// SPDX-License-Identifier: GPL-2.0
/*
 * tlsdev: kTLS device offload on a stacked software netdev.
 * Module init, the backend registry and module parameters.
 */
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/rtnetlink.h>

#include "tlsdev.h"

char *tlsdev_default_backend = "emu";
module_param_named(backend, tlsdev_default_backend, charp, 0444);
MODULE_PARM_DESC(backend, "backend of devices created without one (default emu)");

/* Registered backends; the mutex guards the list and module pinning. */
static LIST_HEAD(tlsdev_backends);
static DEFINE_MUTEX(tlsdev_backend_lock);

static struct tlsdev_backend *tlsdev_backend_find(const char *name)
{
	struct tlsdev_backend *be;

	lockdep_assert_held(&tlsdev_backend_lock);
	list_for_each_entry(be, &tlsdev_backends, list)
		if (!strcmp(be->name, name))
			return be;
	return NULL;
}

int tlsdev_backend_register(struct tlsdev_backend *be)
{
	int err = 0;

	if (!be->name || strlen(be->name) >= TLSDEV_BACKEND_NAME_MAX ||
	    !be->init || !be->free || !be->rec_begin || !be->encrypt ||
	    !be->rec_end)
		return -EINVAL;

	mutex_lock(&tlsdev_backend_lock);
	if (tlsdev_backend_find(be->name))
		err = -EEXIST;
	else
		list_add_tail(&be->list, &tlsdev_backends);
	mutex_unlock(&tlsdev_backend_lock);
	if (!err)
		pr_debug("backend %s registered\n", be->name);
	return err;
}
EXPORT_SYMBOL_NS_GPL(tlsdev_backend_register, TLSDEV);

/* Devices pin the backend's module, so none can use @be any more. */
void tlsdev_backend_unregister(struct tlsdev_backend *be)
{
	mutex_lock(&tlsdev_backend_lock);
	list_del(&be->list);
	mutex_unlock(&tlsdev_backend_lock);
	pr_debug("backend %s unregistered\n", be->name);
}
EXPORT_SYMBOL_NS_GPL(tlsdev_backend_unregister, TLSDEV);

static const struct tlsdev_backend *tlsdev_backend_try_get(const char *name)
{
	struct tlsdev_backend *be;

	mutex_lock(&tlsdev_backend_lock);
	be = tlsdev_backend_find(name);
	if (be && !try_module_get(be->owner))
		be = NULL;
	mutex_unlock(&tlsdev_backend_lock);
	return be;
}

/* Look a backend up by name, loading its module on first use. */
const struct tlsdev_backend *tlsdev_backend_get(const char *name)
{
	const struct tlsdev_backend *be;

	be = tlsdev_backend_try_get(name);
	if (be)
		return be;
	if (request_module("tlsdev-backend-%s", name))
		return NULL;
	return tlsdev_backend_try_get(name);
}

void tlsdev_backend_put(const struct tlsdev_backend *be)
{
	module_put(be->owner);
}

static int __init tlsdev_init(void)
{
	int err;

	err = tlsdev_notifier_init();
	if (err)
		return err;

	err = rtnl_link_register(&tlsdev_link_ops);
	if (err)
		goto err_notifier;

	err = tlsdev_nl_init();
	if (err)
		goto err_link;

	return 0;

err_link:
	rtnl_link_unregister(&tlsdev_link_ops);
err_notifier:
	tlsdev_notifier_exit();
	return err;
}

static void __exit tlsdev_exit(void)
{
	tlsdev_nl_exit();
	rtnl_link_unregister(&tlsdev_link_ops);
	tlsdev_notifier_exit();
	rcu_barrier();
}

module_init(tlsdev_init);
module_exit(tlsdev_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kTLS device offload on a stacked software netdev");
MODULE_ALIAS_RTNL_LINK("tlsdev");
