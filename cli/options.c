/*
 * options.c - what the commands share: the registry options, usage
 * errors and --help, the one --key loader, the one --policy loader and
 * the one --json printer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cli_fail(int code)
{
	fprintf(stderr, "signet: %s\n", err_msg());
	return err_exit_status(code);
}

int cli_usage_error(const struct cli_cmd *self, const char *fmt,
		    const char *arg)
{
	fputs("signet: ", stderr);
	fprintf(stderr, fmt, arg ? arg : "");
	fputc('\n', stderr);
	if (self)
		fprintf(stderr, "usage: %s\n", self->usage);
	return 2;
}

void cli_print_help(const struct cli_cmd *self)
{
	printf("usage: %s\n\nsee %s\n", self->usage, self->man);
}

int cli_parse_duration(long *out, const char *s)
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

static int set_timeout(struct cli_common *c, const char *arg)
{
	char *end;
	long v = strtol(arg, &end, 10);

	if (*end || v <= 0 || v > 86400) {
		fprintf(stderr, "signet: invalid --timeout '%s': give "
			"seconds, 1 to 86400\n", arg);
		return 2;
	}
	c->ropts.timeout = v;
	if (v < 10)
		c->ropts.connect_timeout = v;
	return 1;
}

/* 1 when handled, 0 when not a common option, 2 on a bad value. */
static int common_opt(struct cli_common *c, int opt, const char *arg)
{
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
		return set_timeout(c, arg);
	case OPT_DEADLINE:
		if (cli_parse_duration(&v, arg) < 0 || v > 7 * 86400) {
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

int cli_opt_default(const struct cli_cmd *self, struct cli_common *c,
		    int opt, char **argv)
{
	int r = common_opt(c, opt, optarg);

	if (r == 1)
		return -1;
	if (r == 2)
		return 2;
	if (opt == 'h') {
		cli_print_help(self);
		return 0;
	}
	if (opt == ':')
		return cli_usage_error(self, "option '%s' needs a value",
				       argv[optind - 1]);
	return cli_usage_error(self, "unknown option '%s'", argv[optind - 1]);
}

void cli_put_safe(FILE *f, const char *s)
{
	char clean[1024];

	str_sanitize(clean, sizeof(clean), s);
	fputs(clean, f);
}

/* The only reals are seconds, rounded to milliseconds by the caller: 15
 * significant digits print them as they are, without binary noise. */
void cli_put_json(const json_t *doc, bool one_line)
{
	size_t flags = JSON_ENSURE_ASCII | JSON_REAL_PRECISION(15) |
		       (one_line ? JSON_COMPACT : JSON_INDENT(2));
	char *s = json_dumps(doc, flags);

	if (s)
		puts(s);
	free(s);
}

/* Append @got (@n_got certificates, taken over) to @t's anchors. */
static int trust_add_anchors(struct cli_trust *t, X509 **got, size_t n_got)
{
	X509 **all;
	size_t i;

	if (!n_got)
		return 0;
	all = realloc(t->certs, (t->n_certs + n_got) * sizeof(*all));
	if (!all) {
		keys_certs_free(got, n_got);
		return err_set(ERR_NOMEM, "out of memory");
	}
	for (i = 0; i < n_got; i++) {
		size_t j;

		for (j = 0; j < t->n_certs && X509_cmp(all[j], got[i]); j++)
			;
		if (j < t->n_certs)
			X509_free(got[i]);	/* that certificate again */
		else
			all[t->n_certs++] = got[i];
	}
	free(got);
	t->certs = all;
	return 0;
}

/* Is @key one of @t's already, by its fingerprint (keys_fingerprint: the
 * same key in any encoding, or from a certificate, is the same key)? */
static bool trust_has_key(const struct cli_trust *t, EVP_PKEY *key)
{
	char fp[80], have[80];
	size_t i;

	if (keys_fingerprint(fp, key) < 0)
		return false;
	for (i = 0; i < t->n_keys; i++)
		if (keys_fingerprint(have, t->keys[i]) == 0 &&
		    strcmp(fp, have) == 0)
			return true;
	return false;
}

/* The key and the anchors come from one read of the file: one parse, and
 * no file changed between two reads. A key given twice (in any encoding,
 * or in a certificate) is kept once. */
int cli_trust_add(const struct cli_cmd *self, struct cli_trust *t,
		  const char *path)
{
	EVP_PKEY *key = NULL;
	X509 **got = NULL;
	size_t n_got = 0;
	int rc;

	if ((rc = keys_load_trusted(&key, &got, &n_got, path)) < 0)
		return cli_fail(rc);
	if (trust_has_key(t, key)) {
		EVP_PKEY_free(key);	/* one key, given twice */
	} else if (t->n_keys == 64) {
		EVP_PKEY_free(key);
		keys_certs_free(got, n_got);
		return cli_usage_error(self, "too many --key (at most 64 "
				       "distinct keys)%s", NULL);
	} else {
		t->keys[t->n_keys++] = key;
	}
	if ((rc = trust_add_anchors(t, got, n_got)) < 0)
		return cli_fail(rc);
	return -1;
}

void cli_trust_release(struct cli_trust *t)
{
	size_t i;

	keys_certs_free(t->certs, t->n_certs);
	t->certs = NULL;
	t->n_certs = 0;
	for (i = 0; i < t->n_keys; i++)
		EVP_PKEY_free(t->keys[i]);
	t->n_keys = 0;
}

int cli_policy_lock_check(bool by_key, const char *policy_file)
{
	int rc;

	if (!by_key && !policy_file)
		return -1;
	if ((rc = policy_system_locked()) < 0)
		return cli_fail(rc);
	if (rc == 0)
		return -1;
	/* root too: root changes the file itself; the lock is there so
	 * that no command line, environment or home folder can */
	fprintf(stderr, "signet: %s is locked: images are verified by it "
		"alone, so %s is refused (see signet-policy(5))\n",
		POLICY_SYSTEM, by_key ? "--key (or a keyless signer)" :
		"--policy");
	return 2;
}

int cli_policy_load(struct policy **out, char *path, size_t path_sz,
		    const char *file, struct policy_diags *diags)
{
	char here[4096];
	int rc;

	*out = NULL;
	if (!path) {
		path = here;
		path_sz = sizeof(here);
	}
	if ((rc = policy_locate(path, path_sz, file)) < 0)
		return rc;
	return policy_load(out, path, diags);
}
