/*
 * internal.h - what the files of verify/ share among themselves; nothing
 * outside verify/ includes it (verify.h is the public header).
 */
#ifndef SIGNET_VERIFY_INTERNAL_H
#define SIGNET_VERIFY_INTERNAL_H

#include "verify.h"

/* ---- scopes (scope.c) ---------------------------------------------------- */

/* Can some repository name match both scopes (policy_scope_match's
 * globs)? Pure. */
bool scope_overlap(const char *a, const char *b);
/* @scope with its host part (before the first '/') written as
 * ref_canonical_host writes registry hosts, wildcards left alone. New;
 * NULL when out of memory. */
char *scope_canonical(const char *scope);
/* Does @scope name one registry host, without a wildcard? */
bool scope_host_literal(const char *scope);
/* Can @catchall, whose host part has a wildcard, match a repository of
 * @specific under another host name? Pure. */
bool scope_other_hosts(const char *catchall, const char *specific);

/* ---- signed identity (identity.c) ---------------------------------------- */

/* Read a rule's "signed-identity" object @v at JSON path @jp into @out,
 * reporting every problem to @r, and doubts given the rule's @scope (may
 * be NULL). 0, or ERR_FORMAT after an error. */
int signed_identity_read(struct signed_identity *out, struct jp_reader *r,
			 const json_t *v, const char *jp, const char *scope);

/* ---- the image (resolve.c, verify.c) ------------------------------------ */

/* Fetch the manifest @ref names into @man, or use @given (borrowed:
 * *@borrowed, not to be released) when @ref names it by its digest; then
 * fill out->by_tag, out->digest and out->pinned. Release @man unless
 * borrowed, even on error. */
int verify_resolve(struct manifest *man, bool *borrowed,
		   struct registry *reg, const struct image_ref *ref,
		   const struct manifest *given, struct verify_result *out);

/* verify_image_manifest of an image reference already parsed (@given
 * may be NULL). */
int verify_image_ref(struct registry *reg, const struct image_ref *ref,
		     const struct manifest *given,
		     const struct verify_opts *o, struct verify_result *out);

/* policy_verify of an image reference already parsed; @man as for
 * verify_image_ref. */
int policy_verify_ref(struct registry *reg, const struct image_ref *ref,
		      const struct manifest *man, const struct policy *p,
		      time_t now, struct verify_result *res,
		      struct policy_verdict *v);

/* ---- which trusted root judges a keyless signature (roots.c) ------------ */

/* Signer @i's trusted root: its own (o->signer_roots), else
 * o->trustroot; NULL when neither. */
const struct keys_trustroot *verify_signer_root(const struct verify_opts *o,
						size_t i);

/* Checks a keyless signature in full (but for its identity) against
 * trusted root @t: 0, or < 0 with the failed check's message. */
typedef int (*keyless_check_fn)(void *arg, const struct keys_trustroot *t);

enum keyless_outcome {
	KL_NO_ROOT,		/* no trusted root to check it with */
	KL_FAILED,		/* it did not verify: @why says why */
	KL_VERIFIED,		/* verified (s->root), but no signer names
				 * it: @why says why */
	KL_SIGNER,		/* verified, and s->signer_index names it */
};

/* Judge the keyless signature whose claimed identity and issuer are
 * s->san and s->issuer: @check runs against the trusted roots of the
 * signers of @o that name that identity, in their order, each distinct
 * root once, until one passes (s->keyless_ok, s->root, s->signer_index:
 * the first signer naming it whose root that is). When no signer names
 * it, against o->trustroot (else the first signer's own root) alone, so
 * that whether it verified can be told. */
enum keyless_outcome verify_keyless_roots(const struct verify_opts *o,
					  struct sig_report *s,
					  keyless_check_fn check, void *arg,
					  char *why, size_t whysz);

/* ---- attachments and warnings (attach.c) -------------------------------- */

/* Add a warning (sanitised) to @out; past VERIFY_WARNINGS_MAX it is
 * dropped. */
__attribute__((format(printf, 2, 3)))
void verify_warn(struct verify_result *out, const char *fmt, ...);
/* May one more referrer that is no signature be looked at (fetched)?
 * When not, a warning says so, once. */
bool attach_budget(struct verify_result *out, const struct verify_opts *o);
/* Record @a (copied) unless the cap is reached. 0 or ERR_NOMEM. */
int attach_add(struct verify_result *out, const struct attachment *a,
	       const struct verify_opts *o);
/* Is the referrer manifest @m no signature of ours: not @claimed as one
 * in the format asked about, or an attestation by its own artifact type
 * and annotations? Then @a (already naming the referrer) says what it
 * is. */
bool attach_from_manifest(struct attachment *a,
			  const struct referrer_manifest *m, bool claimed);
/* signet list: cosign's .att and .sbom tags of @image, each layer
 * recorded as an attachment. A tag that is absent is none; one that
 * holds no image manifest is a warning. < 0 only for errors that end
 * the whole verification. */
int attach_cosign_tags(struct registry *reg, const struct image_ref *ref,
		       const struct digest *image,
		       const struct verify_opts *o, struct verify_result *out);

#endif
