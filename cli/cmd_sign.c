/*
 * cmd_sign.c - signet sign: sign images by digest.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "../sign/sign.h"

const char cmd_sign_usage[] =
	"signet sign --key FILE|pkcs11:URI [-a KEY=VALUE]... [--recursive] "
	"[--format cosign|sigstore-bundle|notation] [--cert FILE] "
	"[--expiry DURATION] [options] IMAGE...";

struct sign_args {
	struct cli_common c;
	struct kvlist ann;
	struct sign_opts so;
	const char *keyfile;
	X509 **chain;
	size_t n_chain;
};

static void sign_args_release(struct sign_args *sa)
{
	keys_certs_free(sa->chain, sa->n_chain);
	sa->chain = NULL;
	sa->n_chain = 0;
	kvlist_release(&sa->ann);
}

/* One option of sign: -1 to go on, else the exit status. */
static int sign_opt(const struct cli_cmd *self, struct sign_args *sa,
		    int opt, char **argv)
{
	int rc;

	switch (opt) {
	case 'r':
		sa->so.recursive = true;
		return -1;
	case 'k':
		if (sa->keyfile)
			return cli_usage_error(self, "give one --key%s", NULL);
		sa->keyfile = optarg;
		return -1;
	case 'a':
		if (kvlist_add_arg(&sa->ann, optarg) < 0)
			return cli_usage_error(self, "%s", err_msg());
		return -1;
	case OPT_FORMAT:
		if (!format_by_name(&sa->so.format, optarg))
			return cli_usage_error(self, "unknown --format '%s': "
					       "use " FORMAT_NAMES, optarg);
		return -1;
	case OPT_CERT:
		keys_certs_free(sa->chain, sa->n_chain);
		sa->chain = NULL;
		sa->n_chain = 0;
		if ((rc = keys_load_certs(&sa->chain, &sa->n_chain,
					  optarg)) < 0)
			return cli_fail(rc);
		return -1;
	case OPT_EXPIRY:
		if (cli_parse_duration(&sa->so.expiry, optarg) < 0)
			return cli_usage_error(self, "invalid --expiry '%s': "
					       "give e.g. 90m, 24h or 365d",
					       optarg);
		return -1;
	}
	return cli_opt_default(self, &sa->c, opt, argv);
}

/* -1 to go on, else the exit status. */
static int sign_parse(const struct cli_cmd *self, struct sign_args *sa,
		      int argc, char **argv)
{
	static const struct option lo[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "annotation", required_argument, NULL, 'a' },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "recursive", no_argument, NULL, 'r' },
		{ "cert", required_argument, NULL, OPT_CERT },
		{ "expiry", required_argument, NULL, OPT_EXPIRY },
		CLI_COMMON_OPTIONS, { 0 }
	};
	int opt, r;

	while ((opt = getopt_long(argc, argv, ":hrk:a:", lo, NULL)) != -1)
		if ((r = sign_opt(self, sa, opt, argv)) >= 0)
			return r;
	if (!sa->keyfile || optind >= argc)
		return cli_usage_error(self, "sign: give --key FILE and at "
				       "least one IMAGE%s", NULL);
	if ((sa->so.format == FORMAT_NOTATION) != (sa->n_chain > 0) ||
	    (sa->so.expiry && sa->so.format != FORMAT_NOTATION))
		return cli_usage_error(self, "--cert and --expiry go with "
				       "--format notation, which needs "
				       "--cert%s", NULL);
	sa->so.chain = sa->chain;
	sa->so.n_chain = sa->n_chain;
	sa->so.annotations = &sa->ann;
	return -1;
}

/* Sign @image and print what was signed; the exit status. */
static int sign_one(struct registry *reg, const char *image,
		    const struct sign_opts *so)
{
	struct sign_result res;
	size_t j;
	int rc, repo_len;

	if ((rc = sign_image(reg, image, so, &res)) < 0) {
		rc = cli_fail(rc);
		sign_result_release(&res);
		return rc;
	}
	if (res.by_tag)
		fprintf(stderr, "signet: warning: '%s' is a tag; signed the "
			"digest it names now, %s\n", image,
			strchr(res.pinned, '@') + 1);
	if (!res.added)
		fprintf(stderr, "signet: '%s' already carries this "
			"signature\n", res.pinned);
	printf("%s\n", res.pinned);
	repo_len = (int)(strchr(res.pinned, '@') - res.pinned);
	for (j = 0; j < res.n_children; j++)
		printf("%.*s@%s\n", repo_len, res.pinned,
		       res.children[j].str);
	fflush(stdout);
	sign_result_release(&res);
	return 0;
}

int cmd_sign(const struct cli_cmd *self, int argc, char **argv)
{
	struct sign_args sa = { 0 };
	struct registry *reg = NULL;
	EVP_PKEY *key = NULL;
	int r, rc, status, i;

	if ((status = sign_parse(self, &sa, argc, argv)) >= 0)
		goto out;
	status = 0;
	if ((rc = keys_load_private(&key, sa.keyfile, &sa.c.pass)) < 0 ||
	    (rc = registry_new(&reg, &sa.c.ropts)) < 0) {
		status = cli_fail(rc);
		goto out;
	}
	sa.so.key = key;
	for (i = optind; i < argc; i++) {
		r = sign_one(reg, argv[i], &sa.so);
		status = r > status ? r : status;
	}
out:
	/* the private key goes as soon as the last signature is made */
	EVP_PKEY_free(key);
	registry_free(reg);
	sign_args_release(&sa);
	return status;
}
