/*
 * cmd_version.c - signet version: this signet and the libraries it runs
 * with.
 */
#include <stdio.h>
#include <string.h>
#include <openssl/crypto.h>

#include "cli.h"

const char cmd_version_usage[] = "signet version";

int cmd_version(const struct cli_cmd *self, int argc, char **argv)
{
	if (argc > 1 && (strcmp(argv[1], "-h") == 0 ||
			 strcmp(argv[1], "--help") == 0)) {
		cli_print_help(self);
		return 0;
	}
	/* the libraries this process runs with, not those it was built on */
	printf("signet %s (OpenSSL %s, libcurl %s, jansson %s)\n",
	       SIGNET_VERSION, OpenSSL_version(OPENSSL_VERSION_STRING),
	       registry_curl_version(), jansson_version_str());
	/* what keyless signatures are checked against without
	 * --trusted-root or $SIGNET_TRUSTED_ROOT (not parsed here: start-up
	 * stays at its floor) */
	printf("trusted root: built in, Sigstore public-good instance, "
	       "newest entry %s (sha256:%.12s)\n",
	       KEYS_TRUSTROOT_BUILTIN_DATE, KEYS_TRUSTROOT_BUILTIN_SHA256);
	return 0;
}
