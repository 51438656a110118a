/*
 * main.c - the command table and the thin cmd_* layer: parse argv, call the
 * library, print, return an exit status (0 ok, 1 signature missing or
 * invalid, 2 any other error).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <curl/curlver.h>
#include <openssl/crypto.h>

#include "core/core.h"
#include "keys/keys.h"
#include "registry/registry.h"
#include "sign/sign.h"
#include "verify/verify.h"

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
	const char *usage;
};

static const struct cmd *find_cmd(const char *name);

/* ---- shared helpers ------------------------------------------------------ */

static int fail(int code)
{
	fprintf(stderr, "signet: %s\n", err_msg());
	return err_exit_status(code);
}

static int usage_error(const char *cmd, const char *fmt, const char *arg)
{
	const struct cmd *c = find_cmd(cmd);

	fputs("signet: ", stderr);
	fprintf(stderr, fmt, arg ? arg : "");
	fputc('\n', stderr);
	if (c)
		fprintf(stderr, "usage: %s\n", c->usage);
	return 2;
}

/* Options every registry command takes. */
enum {
	OPT_INSECURE = 1000,
	OPT_CA_FILE,
	OPT_TIMEOUT,
	OPT_PASSWORD_FILE,
	OPT_JSON,
	OPT_FORCE,
	OPT_NO_PASSWORD,
	OPT_TYPE,
	OPT_COSIGN,
	OPT_FORMAT,
	OPT_CERT,
	OPT_EXPIRY,
	OPT_X509,
	OPT_SUBJECT,
	OPT_DAYS,
};

/* "90s", "30m", "24h", "7d" (a bare number is seconds) -> seconds. */
static int parse_duration(long *out, const char *s)
{
	char *end;
	long v = strtol(s, &end, 10), mul = 1;

	if (end == s || v <= 0)
		return -1;
	switch (*end) {
	case '\0': case 's': mul = 1; break;
	case 'm': mul = 60; break;
	case 'h': mul = 3600; break;
	case 'd': mul = 86400; break;
	default: return -1;
	}
	if (*end && end[1])
		return -1;
	if (v > 100L * 365 * 86400 / mul)
		return -1;
	*out = v * mul;
	return 0;
}

#define COMMON_OPTIONS \
	{ "insecure-registry", required_argument, NULL, OPT_INSECURE }, \
	{ "ca-file", required_argument, NULL, OPT_CA_FILE }, \
	{ "timeout", required_argument, NULL, OPT_TIMEOUT }, \
	{ "password-file", required_argument, NULL, OPT_PASSWORD_FILE }, \
	{ "help", no_argument, NULL, 'h' }

struct common {
	const char *insecure[32];
	struct registry_opts ropts;
	struct pass_source pass;
};

/* 1 when handled, 0 when not a common option, 2 on a bad value. */
static int common_opt(struct common *c, int opt, const char *arg)
{
	char *end;
	long v;

	switch (opt) {
	case OPT_INSECURE:
		if (c->ropts.n_insecure == 32) {
			fprintf(stderr, "signet: too many --insecure-registry\n");
			return 2;
		}
		c->insecure[c->ropts.n_insecure++] = arg;
		c->ropts.insecure = c->insecure;
		return 1;
	case OPT_CA_FILE:
		c->ropts.ca_file = arg;
		return 1;
	case OPT_TIMEOUT:
		v = strtol(arg, &end, 10);
		if (*end || v <= 0 || v > 86400) {
			fprintf(stderr, "signet: invalid --timeout '%s': give "
				"seconds, 1 to 86400\n", arg);
			return 2;
		}
		c->ropts.timeout = v;
		if (v < 10)
			c->ropts.connect_timeout = v;
		return 1;
	case OPT_PASSWORD_FILE:
		c->pass.password_file = arg;
		return 1;
	}
	return 0;
}

static void print_help(const struct cmd *c)
{
	printf("usage: %s\n", c->usage);
}

/* Standard getopt loop tail: common options, help, unknown. Returns -1 to
 * go on, or the exit status to return. */
static int opt_default(const char *cmd, struct common *c, int opt,
		       char **argv)
{
	int r = common_opt(c, opt, optarg);

	if (r == 1)
		return -1;
	if (r == 2)
		return 2;
	if (opt == 'h') {
		print_help(find_cmd(cmd));
		return 0;
	}
	if (opt == ':')
		return usage_error(cmd, "option '%s' needs a value",
				   argv[optind - 1]);
	return usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
}

/* A --key file holding certificates also makes them Notary trust
 * anchors (its first certificate's key is the cosign key). */
static int add_anchors(X509 ***certs, size_t *n, const char *path)
{
	X509 **got = NULL, **all;
	size_t n_got = 0, i;
	char head[8192];
	FILE *f = fopen(path, "r");
	size_t len;
	int rc;

	if (!f)
		return 0;	/* keys_load_public reports it */
	len = fread(head, 1, sizeof(head) - 1, f);
	fclose(f);
	head[len] = '\0';
	if (!strstr(head, "-----BEGIN CERTIFICATE-----"))
		return 0;
	if ((rc = keys_load_certs(&got, &n_got, path)) < 0)
		return rc;
	all = realloc(*certs, (*n + n_got) * sizeof(*all));
	if (!all) {
		keys_certs_free(got, n_got);
		return err_set(ERR_NOMEM, "out of memory");
	}
	for (i = 0; i < n_got; i++)
		all[(*n)++] = got[i];
	free(got);
	*certs = all;
	return 0;
}

static void free_keys(EVP_PKEY **keys, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		EVP_PKEY_free(keys[i]);
}

/* Print a registry-supplied string safely. */
static void put_safe(FILE *f, const char *s)
{
	char clean[1024];

	str_sanitize(clean, sizeof(clean), s);
	fputs(clean, f);
}

/* ---- keys ---------------------------------------------------------------- */

static int keys_generate_cmd(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "type", required_argument, NULL, OPT_TYPE },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "no-password", no_argument, NULL, OPT_NO_PASSWORD },
		{ "x509", no_argument, NULL, OPT_X509 },
		{ "subject", required_argument, NULL, OPT_SUBJECT },
		{ "days", required_argument, NULL, OPT_DAYS },
		COMMON_OPTIONS, { 0 }
	};
	const char *subject = NULL;
	long days = 365;
	bool x509 = false;
	struct keygen_opts ko = { .type = KEY_ECDSA_P256 };
	struct common c = { 0 };
	int opt, r, rc;

	while ((opt = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
		switch (opt) {
		case OPT_TYPE:
			if ((rc = keys_parse_type(&ko.type, optarg)) < 0)
				return usage_error("keys", "%s", err_msg());
			break;
		case OPT_FORCE:
			ko.force = true;
			break;
		case OPT_NO_PASSWORD:
			c.pass.no_password = true;
			break;
		case OPT_X509:
			x509 = true;
			break;
		case OPT_SUBJECT:
			subject = optarg;
			break;
		case OPT_DAYS: {
			char *end;

			days = strtol(optarg, &end, 10);
			if (*end || days < 1 || days > 36500)
				return usage_error("keys", "invalid --days "
						   "'%s': 1 to 36500", optarg);
			break;
		}
		default:
			if ((r = opt_default("keys", &c, opt, argv)) >= 0)
				return r;
		}
	}
	if (optind != argc - 1)
		return usage_error("keys", "keys generate: give one NAME%s",
				   NULL);
	if ((subject || days != 365) && !x509)
		return usage_error("keys", "--subject goes with --x509%s",
				   NULL);
	ko.pass = c.pass;
	if (x509) {
		ko.x509_subject = subject ? subject : "CN=signet";
		ko.x509_days = (int)days;
	}
	if ((rc = keys_generate(argv[optind], &ko)) < 0)
		return fail(rc);
	printf("wrote %s.key (private, keep it secret), %s.pub%s%s%s\n"
	       "hand this to the people who verify your images:\n"
	       "  signet verify --key %s.%s IMAGE\n",
	       argv[optind], argv[optind], x509 ? " and " : "",
	       x509 ? argv[optind] : "", x509 ? ".crt" : "", argv[optind],
	       x509 ? "crt" : "pub");
	if (x509)
		printf("sign with: signet sign --format notation --key %s.key "
		       "--cert %s.crt IMAGE\n", argv[optind], argv[optind]);
	return 0;
}

static int keys_show_cmd(int argc, char **argv)
{
	static const struct option lo[] = { COMMON_OPTIONS, { 0 } };
	struct common c = { 0 };
	EVP_PKEY *key = NULL;
	char desc[64], fpr[80];
	int opt, r, rc, status = 0, i;

	while ((opt = getopt_long(argc, argv, ":h", lo, NULL)) != -1)
		if ((r = opt_default("keys", &c, opt, argv)) >= 0)
			return r;
	if (optind >= argc)
		return usage_error("keys", "keys show: give a key FILE%s",
				   NULL);
	for (i = optind; i < argc; i++) {
		if ((rc = keys_load_any(&key, argv[i], &c.pass)) < 0) {
			status = fail(rc);
			continue;
		}
		keys_describe(desc, sizeof(desc), key);
		keys_fingerprint(fpr, key);
		printf("%s: %s %s\n", argv[i], desc, fpr);
		EVP_PKEY_free(key);
		key = NULL;
	}
	return status;
}

static int keys_import_export_cmd(int argc, char **argv, bool import)
{
	static const struct option lo[] = {
		{ "cosign", no_argument, NULL, OPT_COSIGN },
		{ "force", no_argument, NULL, OPT_FORCE },
		COMMON_OPTIONS, { 0 }
	};
	struct keygen_opts ko = { .type = KEY_ECDSA_P256 };
	struct common c = { 0 };
	bool cosign = false;
	int opt, r, rc;

	while ((opt = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
		switch (opt) {
		case OPT_COSIGN:
			cosign = true;
			break;
		case OPT_FORCE:
			ko.force = true;
			break;
		default:
			if ((r = opt_default("keys", &c, opt, argv)) >= 0)
				return r;
		}
	}
	if (!cosign)
		return usage_error("keys", "keys %s: only --cosign key files "
				   "are supported", import ? "import" :
				   "export");
	if (optind != argc - 2)
		return usage_error("keys", "keys %s: give two file names",
				   import ? "import" : "export");
	ko.pass = c.pass;
	if (import) {
		if ((rc = keys_import_cosign(argv[optind], argv[optind + 1],
					     &ko)) < 0)
			return fail(rc);
		printf("wrote %s.key and %s.pub\n", argv[optind + 1],
		       argv[optind + 1]);
	} else {
		if ((rc = keys_export_cosign(argv[optind], argv[optind + 1],
					     &c.pass, ko.force)) < 0)
			return fail(rc);
		printf("wrote %s (cosign format)\n", argv[optind + 1]);
	}
	return 0;
}

static int cmd_keys(int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : "";

	if (strcmp(sub, "generate") == 0)
		return keys_generate_cmd(argc - 1, argv + 1);
	if (strcmp(sub, "show") == 0)
		return keys_show_cmd(argc - 1, argv + 1);
	if (strcmp(sub, "import") == 0)
		return keys_import_export_cmd(argc - 1, argv + 1, true);
	if (strcmp(sub, "export") == 0)
		return keys_import_export_cmd(argc - 1, argv + 1, false);
	if (strcmp(sub, "-h") == 0 || strcmp(sub, "--help") == 0) {
		print_help(find_cmd("keys"));
		return 0;
	}
	return usage_error("keys", "unknown keys command '%s'", sub);
}

/* ---- sign ---------------------------------------------------------------- */

static int cmd_sign(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "annotation", required_argument, NULL, 'a' },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "recursive", no_argument, NULL, 'r' },
		{ "cert", required_argument, NULL, OPT_CERT },
		{ "expiry", required_argument, NULL, OPT_EXPIRY },
		COMMON_OPTIONS, { 0 }
	};
	X509 **chain = NULL;
	size_t n_chain = 0;
	struct common c = { 0 };
	struct kvlist ann = { 0 };
	const char *keyfile = NULL;
	struct registry *reg = NULL;
	struct sign_opts so = { 0 };
	EVP_PKEY *key = NULL;
	int opt, r, rc, status = 0, i;

	while ((opt = getopt_long(argc, argv, ":hrk:a:", lo, NULL)) != -1) {
		switch (opt) {
		case 'r':
			so.recursive = true;
			break;
		case 'k':
			if (keyfile) {
				status = usage_error("sign", "give one --key%s",
						     NULL);
				goto out;
			}
			keyfile = optarg;
			break;
		case 'a':
			if ((rc = kvlist_add_arg(&ann, optarg)) < 0) {
				status = usage_error("sign", "%s", err_msg());
				goto out;
			}
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "cosign") == 0) {
				so.format = SIGN_COSIGN;
			} else if (strcmp(optarg, "sigstore-bundle") == 0) {
				so.format = SIGN_BUNDLE;
			} else if (strcmp(optarg, "notation") == 0) {
				so.format = SIGN_NOTATION;
			} else {
				status = usage_error("sign", "unknown --format "
						     "'%s': use cosign, "
						     "sigstore-bundle or "
						     "notation", optarg);
				goto out;
			}
			break;
		case OPT_CERT:
			keys_certs_free(chain, n_chain);
			chain = NULL;
			n_chain = 0;
			if ((rc = keys_load_certs(&chain, &n_chain,
						  optarg)) < 0) {
				status = fail(rc);
				goto out;
			}
			break;
		case OPT_EXPIRY:
			if (parse_duration(&so.expiry, optarg) < 0) {
				status = usage_error("sign", "invalid --expiry "
						     "'%s': give e.g. 90m, "
						     "24h or 365d", optarg);
				goto out;
			}
			break;
		default:
			if ((r = opt_default("sign", &c, opt, argv)) >= 0) {
				status = r;
				goto out;
			}
		}
	}
	if (!keyfile || optind >= argc) {
		status = usage_error("sign", "sign: give --key FILE and at "
				     "least one IMAGE%s", NULL);
		goto out;
	}
	if ((so.format == SIGN_NOTATION) != (n_chain > 0) ||
	    (so.expiry && so.format != SIGN_NOTATION)) {
		status = usage_error("sign", "--cert and --expiry go with "
				     "--format notation, which needs --cert%s",
				     NULL);
		goto out;
	}
	so.chain = chain;
	so.n_chain = n_chain;
	if ((rc = keys_load_private(&key, keyfile, &c.pass)) < 0 ||
	    (rc = registry_new(&reg, &c.ropts)) < 0) {
		status = fail(rc);
		goto out;
	}
	so.key = key;
	so.annotations = &ann;
	for (i = optind; i < argc; i++) {
		struct sign_result res;

		if ((rc = sign_image(reg, argv[i], &so, &res)) < 0) {
			int s = fail(rc);

			status = s > status ? s : status;
			sign_result_release(&res);
			continue;
		}
		if (res.by_tag)
			fprintf(stderr, "signet: warning: '%s' is a tag; signed "
				"the digest it names now, %s\n", argv[i],
				strchr(res.pinned, '@') + 1);
		if (!res.added)
			fprintf(stderr, "signet: '%s' already carries this "
				"signature\n", res.pinned);
		printf("%s\n", res.pinned);
		for (size_t j = 0; j < res.n_children; j++)
			printf("%.*s@%s\n", (int)(strchr(res.pinned, '@') -
						  res.pinned), res.pinned,
			       res.children[j].str);
		fflush(stdout);
		sign_result_release(&res);
	}
out:
	/* the private key goes as soon as the last signature is made */
	EVP_PKEY_free(key);
	keys_certs_free(chain, n_chain);
	registry_free(reg);
	kvlist_release(&ann);
	return status;
}

/* ---- verify and list ----------------------------------------------------- */

static json_t *report_json(const struct verify_result *res, int rc,
			   bool judged)
{
	json_t *sigs = json_array(), *o;
	size_t i;

	for (i = 0; i < res->n_sigs; i++) {
		const struct sig_report *s = &res->sigs[i];

		o = json_pack("{s:s,s:s,s:b}", "format", s->format,
			      "payloadDigest", s->payload.str,
			      "valid", s->valid);
		if (!o)
			continue;
		if (s->key[0])
			json_object_set_new(o, "key", json_string(s->key));
		if (s->docker_ref)
			json_object_set_new(o, "dockerReference",
					    json_string(s->docker_ref));
		json_object_set(o, "annotations", s->annotations ?
				s->annotations : json_null());
		if (s->reason[0])
			json_object_set_new(o, "reason",
					    json_string(s->reason));
		json_array_append_new(sigs, o);
	}
	o = json_pack("{s:s,s:s,s:o}", "image", res->pinned,
		      "digest", res->digest.str, "signatures", sigs);
	if (o && judged)
		json_object_set_new(o, "verified", json_boolean(rc == 0));
	if (o && rc < 0)
		json_object_set_new(o, "error", json_string(err_msg()));
	return o;
}

static int verify_or_list(int argc, char **argv, bool list)
{
	static const struct option lo[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "annotation", required_argument, NULL, 'a' },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "format", required_argument, NULL, OPT_FORMAT },
		COMMON_OPTIONS, { 0 }
	};
	const char *name = list ? "list" : "verify";
	struct common c = { 0 };
	struct kvlist ann = { 0 };
	EVP_PKEY *keys[64];
	size_t n_keys = 0, n_certs = 0;
	X509 **certs = NULL;
	struct registry *reg = NULL;
	struct verify_opts vo = { 0 };
	json_t *all = json_array();
	bool as_json = false;
	int opt, r, rc, status = 0, i;

	while ((opt = getopt_long(argc, argv, ":hk:a:", lo, NULL)) != -1) {
		switch (opt) {
		case 'k':
			if (n_keys == 64) {
				status = usage_error(name, "too many --key%s",
						     NULL);
				goto out;
			}
			if ((rc = keys_load_public(&keys[n_keys], optarg)) < 0) {
				status = fail(rc);
				goto out;
			}
			n_keys++;
			if ((rc = add_anchors(&certs, &n_certs, optarg)) < 0) {
				status = fail(rc);
				goto out;
			}
			break;
		case 'a':
			if ((rc = kvlist_add_arg(&ann, optarg)) < 0) {
				status = usage_error(name, "%s", err_msg());
				goto out;
			}
			break;
		case OPT_JSON:
			as_json = true;
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "cosign") == 0) {
				vo.formats |= VERIFY_COSIGN;
			} else if (strcmp(optarg, "sigstore-bundle") == 0) {
				vo.formats |= VERIFY_BUNDLE;
			} else if (strcmp(optarg, "notation") == 0) {
				vo.formats |= VERIFY_NOTATION;
			} else {
				status = usage_error(name, "unknown --format "
						     "'%s': use cosign or "
						     "sigstore-bundle", optarg);
				goto out;
			}
			break;
		default:
			if ((r = opt_default(name, &c, opt, argv)) >= 0) {
				status = r;
				goto out;
			}
		}
	}
	if ((!list && n_keys == 0) || optind >= argc) {
		status = usage_error(name, list ?
				     "list: give an IMAGE%s" :
				     "verify: give --key FILE and at least "
				     "one IMAGE%s", NULL);
		goto out;
	}
	if ((rc = registry_new(&reg, &c.ropts)) < 0) {
		status = fail(rc);
		goto out;
	}
	vo.keys = keys;
	vo.n_keys = n_keys;
	vo.certs = certs;
	vo.n_certs = n_certs;
	vo.annotations = &ann;
	for (i = optind; i < argc; i++) {
		struct verify_result res;
		int s = 0;
		size_t j;

		rc = verify_image(reg, argv[i], &vo, &res);
		if (rc < 0)
			s = err_exit_status(rc);
		if (rc < 0 && !(as_json && res.pinned[0]))
			fprintf(stderr, "signet: %s\n", err_msg());
		if (as_json && res.pinned[0])
			json_array_append_new(all, report_json(&res, rc,
								   n_keys > 0));
		else if (!as_json && list && rc == 0) {
			if (res.n_sigs == 0)
				printf("%s: no signatures\n", res.pinned);
			for (j = 0; j < res.n_sigs; j++) {
				const struct sig_report *sr = &res.sigs[j];
				char *a = sr->annotations ?
					jx_dump(sr->annotations) : NULL;

				printf("%s\t%s\t%s\t", res.pinned, sr->format,
				       sr->key[0] ? sr->key : "-");
				put_safe(stdout, a ? a : "{}");
				if (sr->reason[0]) {
					fputs("\t", stdout);
					put_safe(stdout, sr->reason);
				}
				fputc('\n', stdout);
				free(a);
			}
		} else if (!as_json && rc == 0) {
			printf("%s\n", res.pinned);
		}
		fflush(stdout);
		verify_result_release(&res);
		status = s > status ? s : status;
	}
	if (as_json) {
		char *s = json_dumps(all, JSON_INDENT(2));

		if (s)
			puts(s);
		free(s);
	}
out:
	json_decref(all);
	keys_certs_free(certs, n_certs);
	free_keys(keys, n_keys);
	registry_free(reg);
	kvlist_release(&ann);
	return status;
}

static int cmd_verify(int argc, char **argv)
{
	return verify_or_list(argc, argv, false);
}

static int cmd_list(int argc, char **argv)
{
	return verify_or_list(argc, argv, true);
}

/* ---- misc ---------------------------------------------------------------- */

static int cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("signet %s (OpenSSL %s, libcurl %s, jansson %s)\n",
	       SIGNET_VERSION, OpenSSL_version(OPENSSL_VERSION_STRING),
	       LIBCURL_VERSION, jansson_version_str());
	return 0;
}

static int cmd_help(int argc, char **argv);

static const struct cmd commands[] = {
	{ "keys", cmd_keys, "generate, show, import and export key pairs",
	  "signet keys generate [--type ecdsa-p256|ecdsa-p384|rsa-3072|"
	  "rsa-4096] [--force] [--no-password] [--password-file FILE] "
	  "[--x509 [--subject DN] [--days N]] NAME\n"
	  "       signet keys show FILE...\n"
	  "       signet keys import --cosign COSIGN.key NAME\n"
	  "       signet keys export --cosign NAME.key OUT" },
	{ "sign", cmd_sign, "sign images by digest",
	  "signet sign --key FILE [-a KEY=VALUE]... [--recursive] "
	  "[--format cosign|sigstore-bundle|notation] [--cert FILE] "
	  "[--expiry DURATION] [options] IMAGE..." },
	{ "verify", cmd_verify, "verify images, print them pinned by digest",
	  "signet verify --key FILE [--key FILE]... [-a KEY=VALUE]... "
	  "[--format F]... [--json] [options] IMAGE..." },
	{ "list", cmd_list, "list the signatures attached to an image",
	  "signet list [--key FILE]... [--json] [options] IMAGE" },
	{ "version", cmd_version, "print versions", "signet version" },
	{ "help", cmd_help, "show commands or one command's usage",
	  "signet help [COMMAND]" },
};

static const struct cmd *find_cmd(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static int cmd_help(int argc, char **argv)
{
	const struct cmd *c;
	size_t i;

	if (argc > 1) {
		if (!(c = find_cmd(argv[1])))
			return usage_error("help", "unknown command '%s'",
					   argv[1]);
		print_help(c);
		return 0;
	}
	printf("usage: signet COMMAND [options]\n\ncommands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		printf("  %-8s %s\n", commands[i].name, commands[i].summary);
	printf("\nregistry options: --insecure-registry HOST[:PORT], "
	       "--ca-file FILE, --timeout SECONDS\n"
	       "exit status: 0 ok, 1 signature missing or invalid, "
	       "2 other error\nsee signet(1)\n");
	return 0;
}

int main(int argc, char **argv)
{
	const struct cmd *c;

	debugf("start");
	opterr = 0;	/* we name bad options ourselves, once */
	if (argc < 2) {
		cmd_help(1, argv);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		return cmd_help(1, argv);
	if (strcmp(argv[1], "--version") == 0)
		return cmd_version(1, argv);
	if (!(c = find_cmd(argv[1]))) {
		fprintf(stderr, "signet: unknown command '%s'; see 'signet "
			"help'\n", argv[1]);
		return 2;
	}
	return c->fn(argc - 1, argv + 1);
}
