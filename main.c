/*
 * main.c - the command table and the thin cmd_* layer: parse argv, call the
 * library, print, return an exit status (0 ok, 1 signature missing or
 * invalid, 2 any other error).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <openssl/crypto.h>

#include "core/core.h"
#include "core/docker.h"
#include "formats/formats.h"
#include "keys/keys.h"
#include "registry/registry.h"
#include "sign/sign.h"
#include "verify/verify.h"

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
	const char *usage;	/* its man page's SYNOPSIS, word for word */
	const char *man;	/* that page */
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
	OPT_POLICY,
	OPT_OFFLINE,
	OPT_PKCS11,
	OPT_PEM,
	OPT_DEADLINE,
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
	{ "deadline", required_argument, NULL, OPT_DEADLINE }, \
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
			fprintf(stderr, "signet: too many --insecure-registry: "
				"32 at most\n");
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
	case OPT_DEADLINE:
		if (parse_duration(&v, arg) < 0 || v > 7 * 86400) {
			fprintf(stderr, "signet: invalid --deadline '%s': give "
				"seconds, or e.g. 90s, 10m, 2h; at most 7d\n",
				arg);
			return 2;
		}
		c->ropts.deadline = v;
		return 1;
	case OPT_PASSWORD_FILE:
		c->pass.password_file = arg;
		return 1;
	}
	return 0;
}

static void print_help(const struct cmd *c)
{
	printf("usage: %s\n\nsee %s\n", c->usage, c->man);
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

/* A --json document on stdout: indented, ASCII only. */
static void put_json(const json_t *doc)
{
	char *s = json_dumps(doc, JSON_INDENT(2) | JSON_ENSURE_ASCII);

	if (s)
		puts(s);
	free(s);
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
		{ "pkcs11", required_argument, NULL, OPT_PKCS11 },
		COMMON_OPTIONS, { 0 }
	};
	const char *subject = NULL, *uri = NULL;
	char used[1024];
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
		case OPT_PKCS11:
			if (!keys_is_pkcs11(optarg))
				return usage_error("keys", "--pkcs11 takes a "
						   "'pkcs11:' URI, not '%s'",
						   optarg);
			uri = optarg;
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
		return usage_error("keys", "--subject and --days go with "
				   "--x509%s", NULL);
	if (uri && (c.pass.no_password || c.pass.password_file))
		return usage_error("keys", "--pkcs11 keys have no passphrase; "
				   "the token's PIN protects them%s", NULL);
	ko.pass = c.pass;
	if (x509) {
		ko.x509_subject = subject ? subject : "CN=signet";
		ko.x509_days = (int)days;
	}
	if (uri) {
		if ((rc = keys_pkcs11_generate(uri, argv[optind], &ko, used,
					       sizeof(used))) < 0)
			return fail(rc);
		printf("made the key pair on the token: %s\n"
		       "wrote %s.pub%s%s%s\n"
		       "hand this to the people who verify your images:\n"
		       "  signet verify --key %s.%s IMAGE\n",
		       used, argv[optind], x509 ? " and " : "",
		       x509 ? argv[optind] : "", x509 ? ".crt" : "",
		       argv[optind], x509 ? "crt" : "pub");
		return 0;
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
	static const struct option lo[] = {
		{ "pem", no_argument, NULL, OPT_PEM },
		COMMON_OPTIONS, { 0 }
	};
	struct common c = { 0 };
	EVP_PKEY *key = NULL;
	char desc[64], fpr[80];
	bool pem = false;
	struct buf out;
	int opt, r, rc, status = 0, i;

	while ((opt = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
		if (opt == OPT_PEM)
			pem = true;
		else if ((r = opt_default("keys", &c, opt, argv)) >= 0)
			return r;
	}
	if (optind >= argc)
		return usage_error("keys", "keys show: give a key FILE%s",
				   NULL);
	for (i = optind; i < argc; i++) {
		if ((rc = keys_load_any(&key, argv[i], &c.pass)) < 0) {
			status = fail(rc);
			continue;
		}
		if (pem) {
			/* the public key alone, ready for verify --key */
			buf_init(&out, 0);
			if ((rc = keys_public_pem(&out, key)) < 0)
				status = fail(rc);
			else
				fwrite(out.data, 1, out.len, stdout);
			buf_release(&out);
			EVP_PKEY_free(key);
			key = NULL;
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
	return usage_error("keys", *sub ? "unknown keys command '%s'" :
			   "keys: give generate, show, import or export%s",
			   sub);
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
			if (!format_by_name(&so.format, optarg)) {
				status = usage_error("sign", "unknown --format "
						     "'%s': use " FORMAT_NAMES,
						     optarg);
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
	if ((so.format == FORMAT_NOTATION) != (n_chain > 0) ||
	    (so.expiry && so.format != FORMAT_NOTATION)) {
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

/* ---- trust policy -------------------------------------------------------- */

static const char *action_name(enum policy_action a)
{
	return a == POLICY_REJECT ? "reject" : a == POLICY_ACCEPT_ANYTHING ?
	       "insecure-accept-anything" : "signed";
}

/* Add the policy's verdict to an image's JSON report @o. */
static void policy_json(json_t *o, const struct policy *p,
			const struct policy_verdict *v)
{
	json_t *sigs = json_object_get(o, "signatures"), *rule = NULL, *keys;
	const struct policy_rule *r = v->rule;
	size_t i;

	json_object_set_new(o, "policy", json_string(p->path));
	if (r && (rule = json_pack("{s:I,s:s,s:s}", "index",
				   (json_int_t)r->index, "scope", r->scope,
				   "action", action_name(r->action))) &&
	    r->action == POLICY_SIGNED) {
		keys = json_array();
		for (i = 0; i < r->n_keys; i++)
			json_array_append_new(keys, json_string(
				p->keys[r->keys[i]].name));
		json_object_set_new(rule, "keys", keys);
		json_object_set_new(rule, "threshold",
				    json_integer((json_int_t)r->threshold));
	}
	json_object_set_new(o, "rule", rule ? rule : json_null());
	json_object_set_new(o, "counted", json_integer((json_int_t)v->counted));
	json_object_set_new(o, "verified", json_boolean(v->trusted));
	json_object_set_new(o, "reason", json_string(v->reason));
	for (i = 0; i < v->n_sigs && i < json_array_size(sigs); i++) {
		const struct policy_sig *ps = &v->sigs[i];
		json_t *s = json_array_get(sigs, i);

		json_object_set_new(s, "counted", json_boolean(ps->counted));
		if (ps->key >= 0)
			json_object_set_new(s, "keyName",
					    json_string(p->keys[ps->key].name));
		if (!ps->counted)
			json_object_set_new(s, "whyNotCounted",
					    json_string(ps->why));
	}
}

/* Say so when the policy let @res through without looking. */
static void warn_accepted_anything(const struct verify_result *res,
				   const struct policy_verdict *v)
{
	if (v->rule && v->rule->action == POLICY_ACCEPT_ANYTHING)
		fprintf(stderr, "signet: warning: '%s' accepted without "
			"checking signatures: policy rule rules[%zu] "
			"(scope '%s') is insecure-accept-anything\n",
			res->pinned, v->rule->index, v->rule->scope);
}

/* verify without --key: every image under the policy's rule for it. */
static int verify_with_policy(struct common *c, const char *file,
			      bool as_json, char **images, int n)
{
	char path[4096];
	struct policy *pol = NULL;
	struct registry *reg = NULL;
	json_t *all = json_array();
	time_t now = time(NULL);
	int rc, status = 0, i;

	/* the whole policy, key files included, before any request */
	if ((rc = policy_locate(path, sizeof(path), file)) < 0 ||
	    (rc = policy_load(&pol, path, NULL)) < 0 ||
	    (rc = registry_new(&reg, &c->ropts)) < 0) {
		status = fail(rc);
		goto out;
	}
	for (i = 0; i < n; i++) {
		struct verify_result res;
		struct policy_verdict v;
		json_t *o = NULL;
		int s = 0;

		rc = policy_verify(reg, images[i], pol, now, &res, &v);
		if (rc < 0)
			s = err_exit_status(rc);
		if (as_json && v.reason[0])
			o = res.pinned[0] ? report_json(&res, rc, true) :
			    json_pack("{s:s,s:[]}", "image", images[i],
				      "signatures");
		if (o) {
			policy_json(o, pol, &v);
			if (rc < 0 && !json_object_get(o, "error"))
				json_object_set_new(o, "error",
						    json_string(err_msg()));
			json_array_append_new(all, o);
		} else if (rc < 0) {
			fprintf(stderr, "signet: %s\n", err_msg());
		} else if (!as_json) {
			printf("%s\n", res.pinned);
		}
		if (rc == 0)
			warn_accepted_anything(&res, &v);
		fflush(stdout);
		policy_verdict_release(&v);
		verify_result_release(&res);
		status = s > status ? s : status;
	}
	if (as_json)
		put_json(all);
out:
	json_decref(all);
	registry_free(reg);
	policy_free(pol);
	return status;
}

static int policy_check_cmd(int argc, char **argv)
{
	static const struct option lo[] = { COMMON_OPTIONS, { 0 } };
	struct policy_diags d = { 0 };
	struct policy *pol = NULL;
	struct common c = { 0 };
	char path[4096];
	size_t i, warnings;
	int opt, r, rc;

	while ((opt = getopt_long(argc, argv, ":h", lo, NULL)) != -1)
		if ((r = opt_default("policy", &c, opt, argv)) >= 0)
			return r;
	if (argc - optind > 1)
		return usage_error("policy", "policy check: give one FILE at "
				   "most%s", NULL);
	if ((rc = policy_locate(path, sizeof(path), optind < argc ?
				argv[optind] : NULL)) < 0)
		return fail(rc);
	rc = policy_load(&pol, path, &d);
	for (i = 0; i < d.n; i++) {
		fprintf(stderr, "signet: %s%s: ", d.items[i].warning ?
			"warning: " : "", path);
		put_safe(stderr, d.items[i].msg);
		fputc('\n', stderr);
	}
	warnings = d.n - d.n_errors;
	if (rc < 0 && d.n_errors == 0)
		fail(rc);	/* not a problem of the policy's own */
	if (rc == 0)
		printf("%s: ok: %zu key%s, %zu rule%s", path, pol->n_keys,
		       pol->n_keys == 1 ? "" : "s", pol->n_rules,
		       pol->n_rules == 1 ? "" : "s");
	if (rc == 0 && warnings)
		printf(", %zu warning%s", warnings, warnings == 1 ? "" : "s");
	if (rc == 0)
		printf("\n");
	policy_diags_release(&d);
	policy_free(pol);
	return rc < 0 ? 2 : 0;
}

/* What policy_show prints for one key entry. */
static void show_key(const struct policy *p, const struct policy_key *k,
		     time_t now)
{
	char desc[64];

	if (k->certificate) {
		printf("  certificate: %s, %zu in %s", k->name, k->n_certs,
		       k->file);
	} else {
		keys_describe(desc, sizeof(desc), p->pkeys[k->key_index]);
		printf("  key:         %s, %s %s", k->name, desc,
		       k->fingerprint);
	}
	if (k->revoked && !k->revoked_timed)
		printf(", revoked");
	else if (k->revoked && policy_key_revoked(k, now))
		printf(", revoked since %s", k->revoked_since);
	else if (k->revoked)
		printf(", to be revoked at %s", k->revoked_since);
	printf("\n");
}

static void show_kv(const char *label, const struct kvlist *l,
		    const char *sep)
{
	size_t i;

	if (!l->n)
		return;
	printf("  %-12s ", label);
	for (i = 0; i < l->n; i++) {
		printf("%s", i ? sep : "");
		put_safe(stdout, l->items[i].key);
		printf("=");
		put_safe(stdout, l->items[i].value);
	}
	printf("\n");
}

static int policy_show_cmd(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "policy", required_argument, NULL, OPT_POLICY },
		COMMON_OPTIONS, { 0 }
	};
	char path[4096], repo[REF_HOST_MAX + REF_REPO_MAX + 2], fmts[64];
	const char *file = NULL;
	struct policy *pol = NULL;
	struct common c = { 0 };
	time_t now = time(NULL);
	int opt, r, rc, status = 0, i;
	size_t j;

	while ((opt = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
		if (opt == OPT_POLICY)
			file = optarg;
		else if ((r = opt_default("policy", &c, opt, argv)) >= 0)
			return r;
	}
	if (optind >= argc)
		return usage_error("policy", "policy show: give at least one "
				   "IMAGE%s", NULL);
	if ((rc = policy_locate(path, sizeof(path), file)) < 0 ||
	    (rc = policy_load(&pol, path, NULL)) < 0)
		return fail(rc);
	for (i = optind; i < argc; i++) {
		const struct policy_rule *ru;
		struct image_ref ref;

		if ((rc = ref_parse(&ref, argv[i])) < 0 ||
		    (rc = ref_format_repo(repo, sizeof(repo), &ref)) < 0) {
			status = fail(rc);
			continue;
		}
		ru = policy_match(pol, repo);
		printf("%s%s\n  policy:      %s\n", i > optind ? "\n" : "",
		       repo, pol->path);
		if (!ru) {
			printf("  rule:        none matches: rejected\n");
			continue;
		}
		printf("  rule:        rules[%zu] '%s'\n", ru->index, ru->scope);
		if (ru->action == POLICY_REJECT) {
			printf("  requires:    nothing: rejected (reject)\n");
			continue;
		}
		if (ru->action == POLICY_ACCEPT_ANYTHING) {
			printf("  requires:    nothing: accepted without "
			       "checking signatures "
			       "(insecure-accept-anything)\n");
			continue;
		}
		printf("  requires:    signatures by %zu distinct key%s of "
		       "%zu\n", ru->threshold, ru->threshold == 1 ? "" : "s",
		       ru->n_keys);
		for (j = 0; j < ru->n_keys; j++)
			show_key(pol, &pol->keys[ru->keys[j]], now);
		format_list(fmts, sizeof(fmts), ru->formats);
		printf("  formats:     %s\n", fmts);
		show_kv("annotations:", &ru->annotations, ", ");
		show_kv("subject:", &ru->subject, ", ");
	}
	fflush(stdout);
	policy_free(pol);
	return status;
}

static int cmd_policy(int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : "";

	if (strcmp(sub, "check") == 0)
		return policy_check_cmd(argc - 1, argv + 1);
	if (strcmp(sub, "show") == 0)
		return policy_show_cmd(argc - 1, argv + 1);
	if (strcmp(sub, "-h") == 0 || strcmp(sub, "--help") == 0) {
		print_help(find_cmd("policy"));
		return 0;
	}
	return usage_error("policy", *sub ? "unknown policy command '%s'" :
			   "policy: give check or show%s", sub);
}

/* ---- verify's options: verify, list and run ------------------------------ */

enum verify_mode { MODE_VERIFY, MODE_LIST, MODE_RUN };

/* --key PATH: its public key into @keys (at most 64), and its
 * certificates, if any, into the trust anchors. -1 to go on, else the
 * exit status. */
static int add_trusted(const char *cmd, EVP_PKEY **keys, size_t *n_keys,
		       X509 ***certs, size_t *n_certs, const char *path)
{
	int rc;

	if (*n_keys == 64)
		return usage_error(cmd, "too many --key (at most 64)%s", NULL);
	if ((rc = keys_load_public(&keys[*n_keys], path)) < 0)
		return fail(rc);
	(*n_keys)++;
	if ((rc = add_anchors(certs, n_certs, path)) < 0)
		return fail(rc);
	return -1;
}

struct verify_args {
	struct common c;
	struct kvlist ann;
	EVP_PKEY *keys[64];
	size_t n_keys;
	X509 **certs;
	size_t n_certs;
	struct verify_opts vo;		/* points at the above */
	const char *policy_file;	/* --policy */
	bool as_json;
	char **images;			/* the operands; run: docker's argv */
	int n_images;
	char saved[REF_HOST_MAX + REF_REPO_MAX + REF_TAG_MAX +
		   DIGEST_STR_MAX];	/* --offline without IMAGE */
	char *saved_ptr;
};

static void verify_args_release(struct verify_args *va)
{
	keys_certs_free(va->certs, va->n_certs);
	va->certs = NULL;
	va->n_certs = 0;
	free_keys(va->keys, va->n_keys);
	va->n_keys = 0;
	kvlist_release(&va->ann);
}

/* Parse verify's options for @mode; run stops at its first operand,
 * docker's command line. -1 to go on, else the exit status (release
 * @va either way). */
static int verify_args_parse(struct verify_args *va, enum verify_mode mode,
			     int argc, char **argv)
{
	static const struct option lo[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "annotation", required_argument, NULL, 'a' },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "policy", required_argument, NULL, OPT_POLICY },
		{ "offline", required_argument, NULL, OPT_OFFLINE },
		COMMON_OPTIONS, { 0 }
	};
	const char *name = mode == MODE_LIST ? "list" :
			   mode == MODE_RUN ? "run" : "verify";
	enum sig_format f;
	int opt, r, rc;

	while ((opt = getopt_long(argc, argv, mode == MODE_RUN ? "+:hk:a:" :
				  ":hk:a:", lo, NULL)) != -1) {
		switch (opt) {
		case 'k':
			if ((r = add_trusted(name, va->keys, &va->n_keys,
					     &va->certs, &va->n_certs,
					     optarg)) >= 0)
				return r;
			break;
		case 'a':
			if ((rc = kvlist_add_arg(&va->ann, optarg)) < 0)
				return usage_error(name, "%s", err_msg());
			break;
		case OPT_JSON:
			va->as_json = true;
			break;
		case OPT_POLICY:
			va->policy_file = optarg;
			break;
		case OPT_OFFLINE:
			va->c.ropts.layout = optarg;
			break;
		case OPT_FORMAT:
			if (!format_by_name(&f, optarg))
				return usage_error(name, "unknown --format "
						   "'%s': use " FORMAT_NAMES,
						   optarg);
			va->vo.formats |= FORMAT_BIT(f);
			break;
		default:
			if ((r = opt_default(name, &va->c, opt, argv)) >= 0)
				return r;
		}
	}
	va->images = argv + optind;
	va->n_images = argc - optind;
	va->vo.keys = va->keys;
	va->vo.n_keys = va->n_keys;
	va->vo.certs = va->certs;
	va->vo.n_certs = va->n_certs;
	va->vo.annotations = &va->ann;
	if (va->policy_file && (mode == MODE_LIST || va->n_keys))
		return usage_error(name, mode == MODE_LIST ? "%s: --policy is "
				   "for verify" : "%s: give --key or --policy, "
				   "not both", name);
	if (mode != MODE_LIST && !va->n_keys && (va->ann.n || va->vo.formats))
		return usage_error(name, "%s: -a and --format go with --key; "
				   "under a policy its rule sets them", name);
	if (mode == MODE_RUN && va->as_json)
		return usage_error(name, "run: --json is for verify%s", NULL);
	if (va->c.ropts.layout && !va->n_images && mode == MODE_VERIFY &&
	    !va->n_keys)
		/* under a policy the name picks the rule: it must come from
		 * the caller, never from the (untrusted) layout */
		return usage_error(name, "verify --offline: give the IMAGE "
				   "name when a policy decides%s", NULL);
	if (va->c.ropts.layout && !va->n_images && mode != MODE_RUN) {
		/* the image the layout was saved from */
		if ((rc = registry_layout_name(va->saved, sizeof(va->saved),
					       va->c.ropts.layout)) < 0)
			return rc == ERR_USAGE ?
				usage_error(name, "%s", err_msg()) : fail(rc);
		va->saved_ptr = va->saved;
		va->images = &va->saved_ptr;
		va->n_images = 1;
	}
	if (!va->n_images)
		return usage_error(name, mode == MODE_LIST ? "list: give an "
				   "IMAGE%s" : mode == MODE_RUN ? "run: give "
				   "-- docker run|create|pull ... IMAGE%s" :
				   "verify: give at least one IMAGE%s", NULL);
	return -1;
}

static int verify_or_list(int argc, char **argv, bool list)
{
	struct verify_args va = { 0 };
	struct registry *reg = NULL;
	json_t *all = json_array();
	int rc, status = 0, i;

	if ((status = verify_args_parse(&va, list ? MODE_LIST : MODE_VERIFY,
					argc, argv)) >= 0)
		goto out;
	status = 0;
	if (!list && va.n_keys == 0) {
		/* no --key: the trust policy decides, and only it */
		status = verify_with_policy(&va.c, va.policy_file, va.as_json,
					    va.images, va.n_images);
		goto out;
	}
	if ((rc = registry_new(&reg, &va.c.ropts)) < 0) {
		status = fail(rc);
		goto out;
	}
	va.vo.exhaustive = list;	/* list shows every signature */
	for (i = 0; i < va.n_images; i++) {
		struct verify_result res;
		int s = 0;
		size_t j;

		rc = verify_image(reg, va.images[i], &va.vo, &res);
		if (rc < 0)
			s = err_exit_status(rc);
		if (rc < 0 && !(va.as_json && res.pinned[0]))
			fprintf(stderr, "signet: %s\n", err_msg());
		if (va.as_json && res.pinned[0])
			json_array_append_new(all, report_json(
				&res, rc, va.n_keys > 0));
		else if (!va.as_json && list && rc == 0) {
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
		} else if (!va.as_json && rc == 0) {
			printf("%s\n", res.pinned);
		}
		fflush(stdout);
		verify_result_release(&res);
		status = s > status ? s : status;
	}
	if (va.as_json)
		put_json(all);
out:
	json_decref(all);
	registry_free(reg);
	verify_args_release(&va);
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

/* ---- run and save -------------------------------------------------------- */

/* Verify @image as verify does, by --key or else the trust policy; say
 * why not on failure. The digest verified goes to @pinned. Returns the
 * exit status. */
static int run_verify(struct verify_args *va, const char *image,
		      char *pinned, size_t pinned_sz)
{
	char path[4096];
	struct policy *pol = NULL;
	struct registry *reg = NULL;
	struct verify_result res = { 0 };
	struct policy_verdict v = { 0 };
	int rc;

	if (!va->n_keys && ((rc = policy_locate(path, sizeof(path),
						va->policy_file)) < 0 ||
			    (rc = policy_load(&pol, path, NULL)) < 0))
		goto out;
	if ((rc = registry_new(&reg, &va->c.ropts)) < 0)
		goto out;
	rc = pol ? policy_verify(reg, image, pol, time(NULL), &res, &v) :
		   verify_image(reg, image, &va->vo, &res);
	if (rc == 0 && pol)
		warn_accepted_anything(&res, &v);
	if (rc == 0)
		snprintf(pinned, pinned_sz, "%s", res.pinned);
	if (pol)
		policy_verdict_release(&v);
	verify_result_release(&res);
out:
	registry_free(reg);
	policy_free(pol);
	return rc < 0 ? fail(rc) : 0;
}

static int cmd_run(int argc, char **argv)
{
	char pinned[sizeof(((struct verify_result *)0)->pinned)];
	struct verify_args va = { 0 };
	size_t at;
	int status;

	if ((status = verify_args_parse(&va, MODE_RUN, argc, argv)) >= 0)
		goto out;
	if (docker_find_image(&at, va.n_images, va.images) < 0) {
		status = usage_error("run", "%s", err_msg());
		goto out;
	}
	if ((status = run_verify(&va, va.images[at], pinned,
				 sizeof(pinned))) != 0)
		goto out;
	verify_args_release(&va);
	/* docker gets the digest that was verified, never the tag: a tag
	 * moved between here and the pull cannot slip in */
	va.images[at] = pinned;
	fflush(NULL);
	execvp(va.images[0], va.images);
	fprintf(stderr, "signet: cannot run '%s': %s\n", va.images[0],
		strerror(errno));
	return 2;
out:
	verify_args_release(&va);
	return status;
}

static int cmd_save(int argc, char **argv)
{
	static const struct option lo[] = { COMMON_OPTIONS, { 0 } };
	struct common c = { 0 };
	struct registry *reg = NULL;
	struct save_result res;
	int opt, r, rc;

	while ((opt = getopt_long(argc, argv, ":h", lo, NULL)) != -1)
		if ((r = opt_default("save", &c, opt, argv)) >= 0)
			return r;
	if (optind != argc - 2)
		return usage_error("save", "save: give one IMAGE and a DIR%s",
				   NULL);
	if ((rc = registry_new(&reg, &c.ropts)) == 0)
		rc = registry_save_layout(reg, argv[optind], argv[optind + 1],
					  &res);
	registry_free(reg);
	if (rc < 0)
		return fail(rc);
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

/* ---- audit --------------------------------------------------------------- */

/* Options of audit alone, apart from the shared enum. */
enum {
	AUDIT_OPT_POLICY = 2000,
	AUDIT_OPT_JOBS,
	AUDIT_OPT_REPO,
};

struct audit_out {
	bool json;
	bool progress;			/* a status line on stderr */
	bool shown;			/* it is on the screen now */
	bool stdout_tty;
	struct timespec t0, last;
};

static double seconds_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) +
	       (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Rewrite the progress line, at most ten times a second. */
static void audit_progress(struct audit_out *ao,
			   const struct audit_progress *p)
{
	double dt;

	if (!ao->progress || seconds_since(&ao->last) < 0.1)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ao->last);
	dt = seconds_since(&ao->t0);
	fprintf(stderr, "\raudit: %zu/%zu images, %.0f/s\033[K", p->done,
		p->seen, dt > 0 ? (double)p->done / dt : 0.0);
	fflush(stderr);
	ao->shown = true;
}

static void audit_print(void *ctx, const struct audit_item *it,
			const struct audit_progress *p)
{
	struct audit_out *ao = ctx;
	char repo[REF_REPO_MAX], tag[REF_TAG_MAX], plat[128], why[1024];
	char name[REF_HOST_MAX + REF_REPO_MAX + DIGEST_STR_MAX + 200];
	const char *st = audit_status_name(it->status);
	const char *dg = it->digest->str;

	str_sanitize(repo, sizeof(repo), it->repository);
	str_sanitize(tag, sizeof(tag), it->tag ? it->tag : "");
	str_sanitize(plat, sizeof(plat), it->platform ? it->platform : "");
	str_sanitize(why, sizeof(why), it->reason);
	if (it->tag)
		snprintf(name, sizeof(name), "%s/%s:%s", it->registry, repo,
			 tag);
	else if (dg[0])
		snprintf(name, sizeof(name), "%s/%s@%s", it->registry, repo,
			 dg);
	else
		snprintf(name, sizeof(name), "%s/%s", it->registry, repo);
	if (ao->shown && ao->stdout_tty) {
		fputs("\r\033[K", stderr);
		ao->shown = false;
		clock_gettime(CLOCK_MONOTONIC, &ao->last);
		ao->last.tv_sec--;	/* redraw right after this line */
	}
	if (ao->json) {
		char full[REF_HOST_MAX + REF_REPO_MAX + REF_TAG_MAX + 2];
		json_t *o;
		char *s;

		snprintf(full, sizeof(full), "%s/%s", it->registry, repo);
		o = json_pack("{s:s,s:s,s:s,s:b}", "status", st, "image", name,
			      "repository", full, "reused", it->reused);

		if (o && it->tag)
			json_object_set_new(o, "tag", json_string(tag));
		if (o && dg[0])
			json_object_set_new(o, "digest", json_string(dg));
		if (o && it->platform)
			json_object_set_new(o, "platform", json_string(plat));
		if (o && it->index_tag) {
			str_sanitize(tag, sizeof(tag), it->index_tag);
			snprintf(full, sizeof(full), "%s/%s:%s", it->registry,
				 repo, tag);
			json_object_set_new(o, "index", json_string(full));
		}
		if (o && why[0])
			json_object_set_new(o, "reason", json_string(why));
		if (o && it->key[0]) {
			json_object_set_new(o, "format",
					    json_string(it->format));
			json_object_set_new(o, "key", json_string(it->key));
		}
		s = o ? json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
		if (s)
			puts(s);
		free(s);
		json_decref(o);
	} else {
		printf("%s\t%s%s%s%s\t%s\t%s\n", st, name,
		       it->platform ? " (" : "", plat, it->platform ? ")" : "",
		       dg[0] ? dg : "-", why[0] ? why : "-");
	}
	fflush(stdout);
	audit_progress(ao, p);
}

static int cmd_audit(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "policy", required_argument, NULL, AUDIT_OPT_POLICY },
		{ "jobs", required_argument, NULL, AUDIT_OPT_JOBS },
		{ "repo", required_argument, NULL, AUDIT_OPT_REPO },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "quiet", no_argument, NULL, 'q' },
		COMMON_OPTIONS, { 0 }
	};
	const char *policy_file = NULL, *globs[64];
	char path[4096];
	struct common c = { 0 };
	struct audit_out ao = { 0 };
	struct audit_opts o = { 0 };
	struct audit_totals t;
	struct verify_opts vo = { 0 };
	struct policy *pol = NULL;
	EVP_PKEY *keys[64];
	X509 **certs = NULL;
	size_t n_keys = 0, n_certs = 0, n_globs = 0;
	bool quiet = false;
	long jobs = 8;
	char *end;
	double dt;
	int opt, r, rc, status = 0;

	while ((opt = getopt_long(argc, argv, ":hqk:", lo, NULL)) != -1) {
		switch (opt) {
		case 'k':
			if ((r = add_trusted("audit", keys, &n_keys, &certs,
					     &n_certs, optarg)) >= 0) {
				status = r;
				goto out;
			}
			break;
		case AUDIT_OPT_POLICY:
			policy_file = optarg;
			break;
		case AUDIT_OPT_JOBS:
			jobs = strtol(optarg, &end, 10);
			if (*end || end == optarg || jobs < 1 || jobs > 64) {
				status = usage_error("audit", "invalid --jobs "
						     "'%s': give 1 to 64",
						     optarg);
				goto out;
			}
			break;
		case AUDIT_OPT_REPO:
			if (n_globs == 64) {
				status = usage_error("audit", "too many "
						     "--repo%s", NULL);
				goto out;
			}
			globs[n_globs++] = optarg;
			break;
		case OPT_JSON:
			ao.json = true;
			break;
		case 'q':
			quiet = true;
			break;
		default:
			if ((r = opt_default("audit", &c, opt, argv)) >= 0) {
				status = r;
				goto out;
			}
		}
	}
	if (optind != argc - 1) {
		status = usage_error("audit", "audit: give one REGISTRY "
				     "(HOST[:PORT])%s", NULL);
		goto out;
	}
	if (policy_file && n_keys) {
		status = usage_error("audit", "audit: give --key or --policy, "
				     "not both%s", NULL);
		goto out;
	}
	/* no --key: the trust policy decides, loaded whole before any
	 * request */
	if (!n_keys && ((rc = policy_locate(path, sizeof(path),
					    policy_file)) < 0 ||
			(rc = policy_load(&pol, path, NULL)) < 0)) {
		status = fail(rc);
		goto out;
	}
	vo.keys = keys;
	vo.n_keys = n_keys;
	vo.certs = certs;
	vo.n_certs = n_certs;
	o.registry = argv[optind];
	o.ropts = &c.ropts;
	o.verify = &vo;
	o.policy = pol;
	o.repo_globs = globs;
	o.n_repo_globs = n_globs;
	o.jobs = (unsigned)jobs;
	o.on_item = audit_print;
	o.ctx = &ao;
	/* the one escape sequence signet writes: not to a dumb terminal */
	ao.progress = !quiet && isatty(STDERR_FILENO) &&
		      (!getenv("TERM") || strcmp(getenv("TERM"), "dumb") != 0);
	ao.stdout_tty = isatty(STDOUT_FILENO);
	clock_gettime(CLOCK_MONOTONIC, &ao.t0);
	rc = audit_registry(&o, &t);
	if (rc == ERR_USAGE) {
		status = usage_error("audit", "%s", err_msg());
		goto out;
	}
	if (ao.shown)
		fputs("\r\033[K", stderr);
	dt = seconds_since(&ao.t0);
	if (ao.json)
		printf("{\"totals\":{\"images\":%zu,\"signed\":%zu,"
		       "\"unsigned\":%zu,\"invalid\":%zu,\"error\":%zu,"
		       "\"repositories\":%zu,\"skipped\":%zu,\"verified\":%zu,"
		       "\"requests\":%lu,\"seconds\":%.3f,\"complete\":%s}}\n",
		       t.images, t.n_signed, t.n_unsigned, t.n_invalid,
		       t.n_error, t.repositories, t.skipped, t.verified,
		       t.requests, dt, rc < 0 ? "false" : "true");
	else
		printf("%zu image%s in %zu repositor%s: %zu signed, "
		       "%zu unsigned, %zu invalid, %zu error; %zu signature "
		       "tag%s skipped, %zu manifest%s verified, %lu requests, "
		       "%.1f s, %.0f images/s\n", t.images,
		       t.images == 1 ? "" : "s", t.repositories,
		       t.repositories == 1 ? "y" : "ies", t.n_signed,
		       t.n_unsigned, t.n_invalid, t.n_error, t.skipped,
		       t.skipped == 1 ? "" : "s", t.verified,
		       t.verified == 1 ? "" : "s", t.requests, dt,
		       dt > 0 ? (double)t.images / dt : 0.0);
	fflush(stdout);
	if (rc < 0)
		status = fail(rc);
	else if (t.n_error)
		status = 2;
	else if (t.n_unsigned || t.n_invalid)
		status = 1;
out:
	policy_free(pol);
	keys_certs_free(certs, n_certs);
	free_keys(keys, n_keys);
	return status;
}

/* ---- misc ---------------------------------------------------------------- */

static int cmd_version(int argc, char **argv)
{
	if (argc > 1 && (strcmp(argv[1], "-h") == 0 ||
			 strcmp(argv[1], "--help") == 0)) {
		print_help(find_cmd("version"));
		return 0;
	}
	/* the libraries this process runs with, not those it was built on */
	printf("signet %s (OpenSSL %s, libcurl %s, jansson %s)\n",
	       SIGNET_VERSION, OpenSSL_version(OPENSSL_VERSION_STRING),
	       registry_curl_version(), jansson_version_str());
	return 0;
}

/* The completion script asks "signet help" for the commands, their
 * options and the values those take, so it cannot drift from them. */
static const char completion_bash[] =
	"# bash completion for signet(1), from 'signet completion bash'.\n"
	"# Commands, options and their values are read from 'signet help', so\n"
	"# they always match the signet being completed.\n"
	"_signet_commands()\n"
	"{\n"
	"\t\"$1\" help 2>/dev/null |\n"
	"\t\tsed -n 's/^  \\([a-z][a-z0-9-]*\\)  *.*/\\1/p'\n"
	"}\n"
	"\n"
	"_signet()\n"
	"{\n"
	"\tlocal cur=${COMP_WORDS[COMP_CWORD]-}\n"
	"\tlocal prev=${COMP_WORDS[COMP_CWORD-1]-}\n"
	"\tlocal bin=${COMP_WORDS[0]} cmd=${COMP_WORDS[1]-}\n"
	"\tlocal sub= arg= text= w i\n"
	"\tlocal -a ws lines\n"
	"\tCOMPREPLY=()\n"
	"\tcase $bin in \"~/\"*) bin=$HOME/${bin#\"~/\"} ;; esac\n"
	"\tcommand -v \"$bin\" >/dev/null 2>&1 || return\n"
	"\tif [ \"$COMP_CWORD\" -eq 1 ]; then\n"
	"\t\tw=\"--help --version $(_signet_commands \"$bin\")\"\n"
	"\t\tmapfile -t COMPREPLY < <(compgen -W \"$w\" -- \"$cur\")\n"
	"\t\treturn\n"
	"\tfi\n"
	"\tfor ((i = 2; i < COMP_CWORD; i++)); do\n"
	"\t\t[ \"${COMP_WORDS[i]}\" = -- ] && return\t# docker's words\n"
	"\tdone\n"
	"\tif [ \"$cmd\" = help ]; then\n"
	"\t\t[ \"$COMP_CWORD\" -eq 2 ] || return\n"
	"\t\tw=$(_signet_commands \"$bin\")\n"
	"\t\tmapfile -t COMPREPLY < <(compgen -W \"$w\" -- \"$cur\")\n"
	"\t\treturn\n"
	"\tfi\n"
	"\t# the usage lines of this command, \"signet CMD ...\" each\n"
	"\tmapfile -t lines < <(\"$bin\" help \"$cmd\" 2>/dev/null |\n"
	"\t\tsed -n 's/^\\(usage:\\)\\{0,1\\}  *signet /signet /p')\n"
	"\t[ \"${#lines[@]}\" -gt 0 ] || return\n"
	"\t# keys, policy, completion: a subcommand first\n"
	"\tfor w in \"${lines[@]}\"; do\n"
	"\t\tread -r -a ws <<<\"$w\"\n"
	"\t\tcase ${ws[2]-} in [a-z]*) sub=\"$sub ${ws[2]}\" ;; esac\n"
	"\tdone\n"
	"\tif [ -n \"$sub\" ]; then\n"
	"\t\tif [ \"$COMP_CWORD\" -eq 2 ]; then\n"
	"\t\t\tmapfile -t COMPREPLY < <(compgen -W \"$sub\" -- \"$cur\")\n"
	"\t\t\treturn\n"
	"\t\tfi\n"
	"\t\tfor w in \"${lines[@]}\"; do\n"
	"\t\t\tread -r -a ws <<<\"$w\"\n"
	"\t\t\t[ \"${ws[2]-}\" = \"${COMP_WORDS[2]}\" ] && text=\"$text $w\"\n"
	"\t\tdone\n"
	"\t\tsub=${COMP_WORDS[2]}\n"
	"\telse\n"
	"\t\ttext=\"${lines[*]}\"\n"
	"\tfi\n"
	"\tcase $text in *\"[options]\"*)\n"
	"\t\tw=$(\"$bin\" help 2>/dev/null |\n"
	"\t\t\tsed -n '/^common options: /{N;s/^common options: //;p;}')\n"
	"\t\ttext=\"$text ${w//,/}\" ;;\n"
	"\tesac\n"
	"\tread -r -a ws <<<\"$text\"\n"
	"\tcase $prev in -k) prev=--key ;; esac\n"
	"\tfor ((i = 0; i + 1 < ${#ws[@]}; i++)); do\n"
	"\t\tif [ \"${ws[i]#[}\" = \"$prev\" ]; then\n"
	"\t\t\targ=${ws[i+1]%%]*}\n"
	"\t\t\tbreak\n"
	"\t\tfi\n"
	"\tdone\n"
	"\tcase $arg in\n"
	"\t\"\" | -* | \"[\"*) ;;\n"
	"\t*pkcs11:* | FILE) if [ \"$prev\" = --key ]; then\n"
	"\t\tcompopt -o filenames 2>/dev/null\n"
	"\t\twhile IFS= read -r w; do\n"
	"\t\t\tcase $w in *.key | *.pub | *.crt) COMPREPLY+=(\"$w\") ;; *)\n"
	"\t\t\t\t[ -d \"$w\" ] && COMPREPLY+=(\"$w\") ;; esac\n"
	"\t\tdone < <(compgen -f -- \"$cur\")\n"
	"\t\tcase $arg in *pkcs11:*) case pkcs11: in \"$cur\"*)\n"
	"\t\t\tCOMPREPLY+=(pkcs11:) ;; esac ;; esac\n"
	"\t\t[ \"${COMPREPLY[*]}\" = pkcs11: ] &&\n"
	"\t\t\tcompopt -o nospace 2>/dev/null\n"
	"\t\treturn\n"
	"\tfi ;;&\n"
	"\t*FILE)\n"
	"\t\tcompopt -o filenames 2>/dev/null\n"
	"\t\tmapfile -t COMPREPLY < <(compgen -f -- \"$cur\")\n"
	"\t\treturn ;;\n"
	"\tDIR)\n"
	"\t\tcompopt -o filenames 2>/dev/null\n"
	"\t\tmapfile -t COMPREPLY < <(compgen -d -- \"$cur\")\n"
	"\t\treturn ;;\n"
	"\t*\"|\"*)\n"
	"\t\tmapfile -t COMPREPLY < <(compgen -W \"${arg//|/ }\" -- \"$cur\")\n"
	"\t\treturn ;;\n"
	"\t*)\n"
	"\t\treturn ;;\t# a value to type: KEY=VALUE, N, URI, ...\n"
	"\tesac\n"
	"\tcase $cur in\n"
	"\t-*)\n"
	"\t\tw=$(grep -o -- '--[a-z0-9][a-z0-9-]*' <<<\"$text --help\" |\n"
	"\t\t\tsort -u)\n"
	"\t\tmapfile -t COMPREPLY < <(compgen -W \"$w\" -- \"$cur\") ;;\n"
	"\t*)\n"
	"\t\t# operands: files for keys and policy, nothing for images\n"
	"\t\tcase \"$cmd $sub\" in \"keys show\" | \"keys import\" | \\\n"
	"\t\t\t\t     \"keys export\" | \"policy check\")\n"
	"\t\t\tcompopt -o filenames 2>/dev/null\n"
	"\t\t\tmapfile -t COMPREPLY < <(compgen -f -- \"$cur\") ;;\n"
	"\t\tesac ;;\n"
	"\tesac\n"
	"}\n"
	"complete -F _signet signet\n";

static int cmd_completion(int argc, char **argv)
{
	const char *shell = argc > 1 ? argv[1] : "";

	if (strcmp(shell, "-h") == 0 || strcmp(shell, "--help") == 0) {
		print_help(find_cmd("completion"));
		return 0;
	}
	if (argc != 2 || strcmp(shell, "bash") != 0)
		return usage_error("completion", argc > 2 ? "completion: give "
				   "one shell%s" : "completion: unknown shell "
				   "'%s'; only bash is supported", shell);
	fputs(completion_bash, stdout);
	return 0;
}

static int cmd_help(int argc, char **argv);

static const struct cmd commands[] = {
	{ "keys", cmd_keys, "generate, show, import and export key pairs",
	  "signet keys generate [--type ecdsa-p256|ecdsa-p384|rsa-3072|"
	  "rsa-4096] [--force] [--no-password] [--password-file FILE] "
	  "[--pkcs11 URI] [--x509 [--subject DN] [--days N]] NAME\n"
	  "       signet keys show [--pem] [--password-file FILE] "
	  "FILE|pkcs11:URI...\n"
	  "       signet keys import --cosign [--force] [--password-file FILE] "
	  "COSIGN.key NAME\n"
	  "       signet keys export --cosign [--force] [--password-file FILE] "
	  "NAME.key OUT", "signet-keys(1)" },
	{ "sign", cmd_sign, "sign images by digest",
	  "signet sign --key FILE|pkcs11:URI [-a KEY=VALUE]... [--recursive] "
	  "[--format cosign|sigstore-bundle|notation] [--cert FILE] "
	  "[--expiry DURATION] [options] IMAGE...", "signet-sign(1)" },
	{ "verify", cmd_verify, "verify images, print them pinned by digest",
	  "signet verify --key FILE [--key FILE]... [-a KEY=VALUE]... "
	  "[--format cosign|sigstore-bundle|notation]... [--json] [options] "
	  "IMAGE...\n"
	  "       signet verify [--policy FILE] [--json] [options] IMAGE...\n"
	  "       signet verify --offline DIR [--key FILE]... "
	  "[-a KEY=VALUE]... [--format cosign|sigstore-bundle|notation]... "
	  "[--policy FILE] [--json] [IMAGE]",
	  "signet-verify(1)" },
	{ "policy", cmd_policy, "check a trust policy; show an image's rule",
	  "signet policy check [FILE]\n"
	  "       signet policy show [--policy FILE] IMAGE...",
	  "signet-policy(1)" },
	{ "list", cmd_list, "list the signatures attached to an image",
	  "signet list [--key FILE]... [--json] [options] IMAGE...\n"
	  "       signet list --offline DIR [--key FILE]... [--json] [IMAGE]",
	  "signet-list(1)" },
	{ "run", cmd_run, "verify an image, then run docker on its digest",
	  "signet run [--key FILE]... [-a KEY=VALUE]... "
	  "[--format cosign|sigstore-bundle|notation]... [--policy FILE] "
	  "[options] -- docker run|create|pull [DOCKER-OPTIONS] IMAGE [ARG...]",
	  "signet-run(1)" },
	{ "save", cmd_save, "copy an image's signatures into a folder",
	  "signet save [options] IMAGE DIR", "signet-save(1)" },
	{ "audit", cmd_audit, "verify every image of a registry",
	  "signet audit --key FILE [--key FILE]... [--repo GLOB]... [--jobs N] "
	  "[--json] [--quiet] [options] REGISTRY\n"
	  "       signet audit [--policy FILE] [--repo GLOB]... [--jobs N] "
	  "[--json] [--quiet] [options] REGISTRY", "signet-audit(1)" },
	{ "completion", cmd_completion, "print the bash completion script",
	  "signet completion bash", "signet(1)" },
	{ "version", cmd_version, "print versions", "signet version",
	  "signet(1)" },
	{ "help", cmd_help, "show commands or one command's usage",
	  "signet help [COMMAND]", "signet(1)" },
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

	if (argc > 1 && (strcmp(argv[1], "-h") == 0 ||
			 strcmp(argv[1], "--help") == 0))
		argv[1] = "help";
	if (argc > 1) {
		if (!(c = find_cmd(argv[1])))
			return usage_error("help", "unknown command '%s'",
					   argv[1]);
		print_help(c);
		return 0;
	}
	printf("usage: signet COMMAND [options]\n\ncommands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		printf("  %-10s %s\n", commands[i].name, commands[i].summary);
	printf("\ncommon options: --insecure-registry HOST[:PORT], "
	       "--ca-file FILE,\n"
	       "    --timeout SECONDS, --deadline SECONDS, --password-file FILE, "
	       "--help\n"
	       "exit status: 0 ok, 1 signature missing or invalid, "
	       "2 other error\nsee signet(1) and signet-COMMAND(1)\n");
	return 0;
}

/* Called as docker's CLI plugin (installed as docker-signet)? */
static bool is_docker_plugin(const char *argv0)
{
	const char *base = strrchr(argv0, '/');

	return strcmp(base ? base + 1 : argv0, "docker-signet") == 0;
}

int main(int argc, char **argv)
{
	const struct cmd *c;
	int rc;

	debugf("start");
	jx_init();
	opterr = 0;	/* we name bad options ourselves, once */
	if (is_docker_plugin(argv[0])) {
		/* docker asks what we are, then calls us as
		 * "docker-signet signet COMMAND ..." */
		if (argc == 2 && strcmp(argv[1], "docker-cli-plugin-metadata")
		    == 0) {
			printf("{\"SchemaVersion\":\"0.1.0\",\"Vendor\":"
			       "\"signet\",\"Version\":\"%s\","
			       "\"ShortDescription\":\"Sign and verify images "
			       "(cosign, Notary)\"}\n", SIGNET_VERSION);
			return 0;
		}
		if (argc >= 2 && strcmp(argv[1], "signet") == 0) {
			argv[1] = argv[0];
			argv++;
			argc--;
		}
	}
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
	rc = c->fn(argc - 1, argv + 1);
	keys_pkcs11_release();
	return rc;
}
