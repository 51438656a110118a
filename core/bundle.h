/*
 * bundle.h - cosign 3's signature format: a Sigstore bundle v0.3 holding a
 * DSSE envelope around an in-toto statement whose subject is the image.
 * Built and parsed in bundle.c only.
 */
#ifndef SIGNET_BUNDLE_H
#define SIGNET_BUNDLE_H

#include "core.h"

#define MT_SIGSTORE_BUNDLE "application/vnd.dev.sigstore.bundle.v0.3+json"
#define DSSE_TYPE_INTOTO "application/vnd.in-toto+json"
#define INTOTO_STATEMENT_V1 "https://in-toto.io/Statement/v1"
#define COSIGN_SIGN_PREDICATE "https://sigstore.dev/cosign/sign/v1"

/* DSSE pre-authentication encoding: what is really signed. */
int dsse_pae(struct buf *out, const char *type, const void *body, size_t len);

/* Signs @len bytes at @data (here: the PAE) into @sig. */
typedef int (*bundle_sign_fn)(void *ctx, const void *data, size_t len,
			      struct buf *sig);

/* Build the bundle cosign writes for `cosign sign --key`: statement with
 * one subject (the image digest and @ann), predicate type cosign sign v1,
 * public key hint = base64(sha256(SPKI DER)) given as @key_hint. */
int bundle_build(struct buf *out, const struct digest *image,
		 const struct kvlist *ann, const char *key_hint,
		 bundle_sign_fn sign, void *ctx);

struct bundle {
	json_t *doc;
	struct buf pae;		/* the signed bytes */
	struct buf sig;		/* the one DSSE signature */
	struct buf statement;	/* the payload, decoded */
	const char *key_hint;	/* borrowed; may be NULL */
};

/* Strict parse of a bundle with a DSSE envelope carrying exactly one
 * signature over an in-toto payload. The statement is not parsed here:
 * callers check the signature over @pae first. */
int bundle_parse(struct bundle *out, const void *data, size_t len);
void bundle_release(struct bundle *b);

struct statement {
	json_t *doc;
	struct digest subject;		/* the one subject's sha256 */
	const json_t *annotations;	/* object or NULL */
};

/* Parse a cosign sign statement: _type Statement v1, exactly one subject
 * with a sha256 digest, predicateType cosign sign v1. */
int statement_parse(struct statement *out, const void *data, size_t len);
void statement_release(struct statement *s);

#endif
