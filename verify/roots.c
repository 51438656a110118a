/*
 * roots.c - which trusted root judges a keyless signature when the
 * signers have trusted roots of their own (a policy's private Sigstore
 * instance beside the public-good one). Each root is tried at most once,
 * and with one root in play exactly once: as cheap as before.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "verify.h"
#include "internal.h"

const struct keys_trustroot *verify_signer_root(const struct verify_opts *o,
						size_t i)
{
	if (o->signer_roots && o->signer_roots[i])
		return o->signer_roots[i];
	return o->trustroot;
}

/* Does signer @i name the identity and issuer @s claims? The first
 * refusal's reason into @why when it is still empty. */
static bool signer_names(const struct verify_opts *o, size_t i,
			 const struct sig_report *s, char *why, size_t whysz)
{
	const struct fulcio_identity *w = &o->signers[i];
	bool ok = fulcio_match(s->san, w->identity, w->identity_re,
			       "identity") == 0 &&
		  fulcio_match(s->issuer, w->issuer, w->issuer_re,
			       "OIDC issuer") == 0;

	if (!ok && !why[0])
		snprintf(why, whysz, "%s", err_msg());
	err_clear();
	return ok;
}

/* @t checked already: one of the @n in @tried? */
static bool tried_already(const struct keys_trustroot *const *tried,
			  size_t n, const struct keys_trustroot *t)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (tried[i] == t)
			return true;
	return false;
}

/* The root to verify with when no signer names the identity: the
 * default, else the first signer's own. */
static const struct keys_trustroot *report_root(const struct verify_opts *o)
{
	size_t i;

	if (o->trustroot)
		return o->trustroot;
	for (i = 0; o->signer_roots && i < o->n_signers; i++)
		if (o->signer_roots[i])
			return o->signer_roots[i];
	return NULL;
}

/* The check against @t of the first root that does; KL_FAILED with the
 * first failure's reason otherwise. */
static enum keyless_outcome try_root(const struct keys_trustroot *t,
				     keyless_check_fn check, void *arg,
				     struct sig_report *s, char *why,
				     size_t whysz)
{
	if (check(arg, t) == 0) {
		s->keyless_ok = true;
		s->root = t;
		return KL_VERIFIED;
	}
	if (!why[0])
		snprintf(why, whysz, "%s", err_msg());
	err_clear();
	return KL_FAILED;
}

enum keyless_outcome verify_keyless_roots(const struct verify_opts *o,
					  struct sig_report *s,
					  keyless_check_fn check, void *arg,
					  char *why, size_t whysz)
{
	const struct keys_trustroot **tried = NULL, *t;
	char ident[512] = "";
	size_t i, n = 0;
	bool named = false;

	why[0] = '\0';
	s->signer_index = -1;
	if (o->n_signers && !(tried = calloc(o->n_signers,
					     sizeof(*tried)))) {
		snprintf(why, whysz, "out of memory");
		return KL_FAILED;
	}
	for (i = 0; i < o->n_signers; i++) {
		if (!signer_names(o, i, s, ident, sizeof(ident)))
			continue;
		named = true;
		t = verify_signer_root(o, i);
		if (!t || tried_already(tried, n, t))
			continue;
		tried[n++] = t;
		if (try_root(t, check, arg, s, why, whysz) == KL_VERIFIED) {
			free(tried);
			s->signer_index = (int)i;
			return KL_SIGNER;
		}
	}
	free(tried);
	if (named)
		return n ? KL_FAILED : KL_NO_ROOT;
	/* no signer names it: verified or not, for list and the reason */
	if (!(t = report_root(o)))
		return KL_NO_ROOT;
	if (try_root(t, check, arg, s, why, whysz) == KL_FAILED)
		return KL_FAILED;
	snprintf(why, whysz, "%s", ident);
	return KL_VERIFIED;
}
