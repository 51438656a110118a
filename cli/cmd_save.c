/*
 * cmd_save.c - signet save: copy an image and its signatures into an OCI
 * layout folder, for verify --offline.
 */
#include <stdio.h>

#include "cli.h"

const char cmd_save_usage[] = "signet save [options] IMAGE DIR";

int cmd_save(const struct cli_cmd *self, int argc, char **argv)
{
	static const struct option lo[] = { CLI_COMMON_OPTIONS, { 0 } };
	struct cli_common c = { 0 };
	struct registry *reg = NULL;
	struct save_result res;
	int opt, r, rc;

	while ((opt = getopt_long(argc, argv, ":h", lo, NULL)) != -1)
		if ((r = cli_opt_default(self, &c, opt, argv)) >= 0)
			return r;
	if (optind != argc - 2)
		return cli_usage_error(self, "save: give one IMAGE and a DIR%s",
				       NULL);
	if ((rc = registry_new(&reg, &c.ropts)) == 0)
		rc = registry_save_layout(reg, argv[optind], argv[optind + 1],
					  &res);
	registry_free(reg);
	if (rc < 0)
		return cli_fail(rc);
	if (!res.n_manifests)
		fprintf(stderr, "signet: warning: '%s' has no signatures; "
			"saved its manifest alone\n", res.pinned);
	if (res.n_missing)
		fprintf(stderr, "signet: warning: the registry lacks %zu "
			"manifest%s or blob%s that signatures of '%s' name; "
			"those signatures will not verify\n", res.n_missing,
			res.n_missing == 1 ? "" : "s",
			res.n_missing == 1 ? "" : "s", res.pinned);
	printf("%s\n", res.pinned);
	return 0;
}
