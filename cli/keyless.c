/*
 * keyless.c - the options that name a keyless signer (cosign's spellings:
 * --certificate-identity[-regexp], --certificate-oidc-issuer[-regexp]),
 * the trusted root that anchors it, and --require-tlog.
 */
#include <regex.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

bool cli_keyless_opt(struct cli_keyless *k, int opt, const char *arg)
{
	switch (opt) {
	case OPT_CERT_IDENTITY:
		k->signer.identity = arg;
		return true;
	case OPT_CERT_IDENTITY_RE:
		k->signer.identity_re = arg;
		return true;
	case OPT_CERT_ISSUER:
		k->signer.issuer = arg;
		return true;
	case OPT_CERT_ISSUER_RE:
		k->signer.issuer_re = arg;
		return true;
	case OPT_TRUSTED_ROOT:
		k->root_file = arg;
		return true;
	case OPT_REQUIRE_TLOG:
		k->require_tlog = true;
		return true;
	}
	return false;
}

bool cli_keyless_given(const struct cli_keyless *k)
{
	return k->signer.identity || k->signer.identity_re ||
	       k->signer.issuer || k->signer.issuer_re;
}

/* A regexp option that does not compile: the usage error, else -1. */
static int check_re(const struct cli_cmd *self, const char *opt,
		    const char *re)
{
	char msg[256], why[128];
	regex_t r;
	int e;

	if (!re)
		return -1;
	if ((e = regcomp(&r, re, REG_EXTENDED | REG_NOSUB)) == 0) {
		regfree(&r);
		return -1;
	}
	regerror(e, &r, why, sizeof(why));
	snprintf(msg, sizeof(msg), "--%s: not a POSIX extended regular "
		 "expression (%s): %%s", opt, why);
	return cli_usage_error(self, msg, re);
}

/* The identity options that do not go together: the exit status, or
 * -1. */
static int check_signer(const struct cli_cmd *self,
			const struct fulcio_identity *s)
{
	int rc;

	if (s->identity && s->identity_re)
		return cli_usage_error(self, "give --certificate-identity or "
				       "--certificate-identity-regexp, not "
				       "both%s", "");
	if (s->issuer && s->issuer_re)
		return cli_usage_error(self, "give --certificate-oidc-issuer "
				       "or --certificate-oidc-issuer-regexp, "
				       "not both%s", "");
	if (!s->identity && !s->identity_re)
		return cli_usage_error(self, "a keyless signer needs "
				       "--certificate-identity or "
				       "--certificate-identity-regexp%s", "");
	if (!s->issuer && !s->issuer_re)
		return cli_usage_error(self, "a keyless signer needs "
				       "--certificate-oidc-issuer or "
				       "--certificate-oidc-issuer-regexp%s",
				       "");
	if ((rc = check_re(self, "certificate-identity-regexp",
			   s->identity_re)) >= 0)
		return rc;
	return check_re(self, "certificate-oidc-issuer-regexp", s->issuer_re);
}

int cli_keyless_ready(const struct cli_cmd *self, struct cli_keyless *k,
		      struct verify_opts *vo, bool load_always)
{
	bool given = cli_keyless_given(k);
	int rc;

	if (given && (rc = check_signer(self, &k->signer)) >= 0)
		return rc;
	if (!given && !load_always) {
		keys_trustroot_lazy_init(&k->lazy, k->root_file, false);
		k->lazy_set = true;
		vo->tlog_root = &k->lazy;
		return -1;
	}
	if ((rc = keys_trustroot_select(&k->root, k->root_name,
					sizeof(k->root_name),
					k->root_file)) < 0)
		return cli_fail(rc);
	vo->trustroot = k->root;
	vo->signers = given ? &k->signer : NULL;
	vo->n_signers = given ? 1 : 0;
	vo->require_tlog = k->require_tlog;
	return -1;
}

void cli_keyless_release(struct cli_keyless *k)
{
	keys_trustroot_free(k->root);
	k->root = NULL;
	if (k->lazy_set)
		keys_trustroot_lazy_release(&k->lazy);
	k->lazy_set = false;
}
