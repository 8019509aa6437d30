// SPDX-License-Identifier: GPL-2.0
/*
 * tlsxfer - kTLS traffic generator / verifier for tls_dev.
 * See "tlsxfer --help" and xfer.h for the structure.
 */
#include "xfer.h"

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	struct xfer_opts o;
	int rc;

	prog_set_name("tlsxfer");
	if (argc < 2) {
		errmsg("missing command: server or client (see 'tlsxfer --help')");
		return RC_USAGE;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		xfer_usage_main();
		return RC_OK;
	}
	rc = xfer_parse_args(argc - 1, argv + 1, &o);
	if (rc < 0) {
		rc = RC_OK; /* --help */
	} else if (rc == RC_OK) {
		rc = xfer_run(&o);
	}
	static_material_cleanse(&o.sm);
	return rc;
}
