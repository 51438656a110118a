/*
 * cmd_keys.c - signet keys generate|show|import|export.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

const char cmd_keys_usage[] =
	"signet keys generate [--type ecdsa-p256|ecdsa-p384|rsa-3072|"
	"rsa-4096] [--force] [--no-password] [--password-file FILE] "
	"[--pkcs11 URI] [--x509 [--subject DN] [--days N]] NAME\n"
	"       signet keys show [--pem] [--password-file FILE] "
	"FILE|pkcs11:URI...\n"
	"       signet keys import --cosign [--force] [--password-file FILE] "
	"COSIGN.key NAME\n"
	"       signet keys export --cosign [--force] [--password-file FILE] "
	"NAME.key OUT";

/* ---- generate ------------------------------------------------------------ */

struct gen_args {
	struct keygen_opts ko;
	struct cli_common c;
	const char *subject, *uri, *name;
	long days;
	bool x509;
};

/* One option of keys generate: -1 to go on, else the exit status. */
static int gen_opt(const struct cli_cmd *self, struct gen_args *ga, int opt,
		   char **argv)
{
	char *end;

	switch (opt) {
	case OPT_TYPE:
		if (keys_parse_type(&ga->ko.type, optarg) < 0)
			return cli_usage_error(self, "%s", err_msg());
		return -1;
	case OPT_FORCE:
		ga->ko.force = true;
		return -1;
	case OPT_NO_PASSWORD:
		ga->c.pass.no_password = true;
		return -1;
	case OPT_X509:
		ga->x509 = true;
		return -1;
	case OPT_SUBJECT:
		ga->subject = optarg;
		return -1;
	case OPT_PKCS11:
		if (!keys_is_pkcs11(optarg))
			return cli_usage_error(self, "--pkcs11 takes a "
					       "'pkcs11:' URI, not '%s'",
					       optarg);
		ga->uri = optarg;
		return -1;
	case OPT_DAYS:
		ga->days = strtol(optarg, &end, 10);
		if (*end || ga->days < 1 || ga->days > 36500)
			return cli_usage_error(self, "invalid --days '%s': 1 "
					       "to 36500", optarg);
		return -1;
	}
	return cli_opt_default(self, &ga->c, opt, argv);
}

/* -1 to go on, else the exit status. */
static int gen_parse(const struct cli_cmd *self, struct gen_args *ga,
		     int argc, char **argv)
{
	static const struct option lo[] = {
		{ "type", required_argument, NULL, OPT_TYPE },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "no-password", no_argument, NULL, OPT_NO_PASSWORD },
		{ "x509", no_argument, NULL, OPT_X509 },
		{ "subject", required_argument, NULL, OPT_SUBJECT },
		{ "days", required_argument, NULL, OPT_DAYS },
		{ "pkcs11", required_argument, NULL, OPT_PKCS11 },
		CLI_COMMON_OPTIONS, { 0 }
	};
	int opt, r;

	while ((opt = getopt_long(argc, argv, ":h", lo, NULL)) != -1)
		if ((r = gen_opt(self, ga, opt, argv)) >= 0)
			return r;
	if (optind != argc - 1)
		return cli_usage_error(self, "keys generate: give one NAME%s",
				       NULL);
	if ((ga->subject || ga->days != 365) && !ga->x509)
		return cli_usage_error(self, "--subject and --days go with "
				       "--x509%s", NULL);
	if (ga->uri && (ga->c.pass.no_password || ga->c.pass.password_file))
		return cli_usage_error(self, "--pkcs11 keys have no "
				       "passphrase; the token's PIN protects "
				       "them%s", NULL);
	ga->name = argv[optind];
	ga->ko.pass = ga->c.pass;
	if (ga->x509) {
		ga->ko.x509_subject = ga->subject ? ga->subject : "CN=signet";
		ga->ko.x509_days = (int)ga->days;
	}
	return -1;
}

static int keys_generate_cmd(const struct cli_cmd *self, int argc,
			     char **argv)
{
	struct gen_args ga = { .ko.type = KEY_ECDSA_P256, .days = 365 };
	const char *name;
	char used[1024];
	bool x509;
	int r, rc;

	if ((r = gen_parse(self, &ga, argc, argv)) >= 0)
		return r;
	name = ga.name;
	x509 = ga.x509;
	if (ga.uri) {
		if ((rc = keys_pkcs11_generate(ga.uri, name, &ga.ko, used,
					       sizeof(used))) < 0)
			return cli_fail(rc);
		printf("made the key pair on the token: %s\n"
		       "wrote %s.pub%s%s%s\n"
		       "hand this to the people who verify your images:\n"
		       "  signet verify --key %s.%s IMAGE\n",
		       used, name, x509 ? " and " : "", x509 ? name : "",
		       x509 ? ".crt" : "", name, x509 ? "crt" : "pub");
		return 0;
	}
	if ((rc = keys_generate(name, &ga.ko)) < 0)
		return cli_fail(rc);
	printf("wrote %s.key (private, keep it secret), %s.pub%s%s%s\n"
	       "hand this to the people who verify your images:\n"
	       "  signet verify --key %s.%s IMAGE\n",
	       name, name, x509 ? " and " : "", x509 ? name : "",
	       x509 ? ".crt" : "", name, x509 ? "crt" : "pub");
	if (x509)
		printf("sign with: signet sign --format notation --key %s.key "
		       "--cert %s.crt IMAGE\n", name, name);
	return 0;
}

/* ---- show ---------------------------------------------------------------- */

/* Print one key file as keys show does; the exit status. */
static int show_one(const char *file, struct pass_source *pass, bool pem)
{
	EVP_PKEY *key = NULL;
	char desc[64], fpr[80];
	struct buf out;
	int rc, status = 0;

	if ((rc = keys_load_any(&key, file, pass)) < 0)
		return cli_fail(rc);
	if (pem) {
		/* the public key alone, ready for verify --key */
		buf_init(&out, 0);
		if ((rc = keys_public_pem(&out, key)) < 0)
			status = cli_fail(rc);
		else
			fwrite(out.data, 1, out.len, stdout);
		buf_release(&out);
	} else {
		keys_describe(desc, sizeof(desc), key);
		keys_fingerprint(fpr, key);
		printf("%s: %s %s\n", file, desc, fpr);
	}
	EVP_PKEY_free(key);
	return status;
}

static int keys_show_cmd(const struct cli_cmd *self, int argc, char **argv)
{
	static const struct option lo[] = {
		{ "pem", no_argument, NULL, OPT_PEM },
		CLI_COMMON_OPTIONS, { 0 }
	};
	struct cli_common c = { 0 };
	bool pem = false;
	int opt, r, status = 0, i;

	while ((opt = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
		if (opt == OPT_PEM)
			pem = true;
		else if ((r = cli_opt_default(self, &c, opt, argv)) >= 0)
			return r;
	}
	if (optind >= argc)
		return cli_usage_error(self, "keys show: give a key FILE%s",
				       NULL);
	for (i = optind; i < argc; i++)
		if ((r = show_one(argv[i], &c.pass, pem)) != 0)
			status = r;
	return status;
}

/* ---- import and export --------------------------------------------------- */

static int keys_import_export_cmd(const struct cli_cmd *self, int argc,
				  char **argv, bool import)
{
	static const struct option lo[] = {
		{ "cosign", no_argument, NULL, OPT_COSIGN },
		{ "force", no_argument, NULL, OPT_FORCE },
		CLI_COMMON_OPTIONS, { 0 }
	};
	struct keygen_opts ko = { .type = KEY_ECDSA_P256 };
	struct cli_common c = { 0 };
	const char *verb = import ? "import" : "export";
	bool cosign = false;
	int opt, r, rc;

	while ((opt = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
		if (opt == OPT_COSIGN)
			cosign = true;
		else if (opt == OPT_FORCE)
			ko.force = true;
		else if ((r = cli_opt_default(self, &c, opt, argv)) >= 0)
			return r;
	}
	if (!cosign)
		return cli_usage_error(self, "keys %s: only --cosign key files "
				       "are supported", verb);
	if (optind != argc - 2)
		return cli_usage_error(self, "keys %s: give two file names",
				       verb);
	ko.pass = c.pass;
	if (import) {
		if ((rc = keys_import_cosign(argv[optind], argv[optind + 1],
					     &ko)) < 0)
			return cli_fail(rc);
		printf("wrote %s.key and %s.pub\n", argv[optind + 1],
		       argv[optind + 1]);
	} else {
		if ((rc = keys_export_cosign(argv[optind], argv[optind + 1],
					     &c.pass, ko.force)) < 0)
			return cli_fail(rc);
		printf("wrote %s (cosign format)\n", argv[optind + 1]);
	}
	return 0;
}

int cmd_keys(const struct cli_cmd *self, int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : "";

	if (strcmp(sub, "generate") == 0)
		return keys_generate_cmd(self, argc - 1, argv + 1);
	if (strcmp(sub, "show") == 0)
		return keys_show_cmd(self, argc - 1, argv + 1);
	if (strcmp(sub, "import") == 0)
		return keys_import_export_cmd(self, argc - 1, argv + 1, true);
	if (strcmp(sub, "export") == 0)
		return keys_import_export_cmd(self, argc - 1, argv + 1, false);
	if (strcmp(sub, "-h") == 0 || strcmp(sub, "--help") == 0) {
		cli_print_help(self);
		return 0;
	}
	return cli_usage_error(self, *sub ? "unknown keys command '%s'" :
			       "keys: give generate, show, import or "
			       "export%s", sub);
}
