/*
 * jws.h - Notary Project signatures (notation): the JWS envelope and the
 * payload it carries, built and parsed in one place (core/jws.c) so the
 * two can never drift apart. Pure functions: no network, no files, no
 * X.509 parsing (keys/ does that); signing goes through a callback.
 */
#ifndef SIGNET_JWS_H
#define SIGNET_JWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <jansson.h>

#include "core.h"

#define JWS_MEDIA_TYPE "application/jose+json"
#define NOTARY_PAYLOAD_TYPE "application/vnd.cncf.notary.payload.v1+json"
/* The most envelope bytes we look at (notation's own limit). */
#define JWS_MAX (32 * 1024 * 1024)
/* The most certificates we accept in x5c. */
#define JWS_CERTS_MAX 10

enum jws_scheme {
	JWS_SCHEME_X509,		/* "notary.x509" */
	JWS_SCHEME_SIGNING_AUTHORITY,	/* "notary.x509.signingAuthority" */
};

/* A parsed envelope. Nothing in it is trusted until the signature over
 * signing_input verifies with the key of certs[0] and the chain does. */
struct jws {
	json_t *doc;			/* the envelope; owns the strings */
	json_t *protected_header;	/* decoded "protected" object */
	struct buf signing_input;	/* ASCII protected "." payload */
	struct buf payload;		/* decoded payload bytes */
	struct buf signature;		/* decoded signature bytes */
	char alg[8];			/* "PS256" ... "ES512" */
	const char *cty;		/* NOTARY_PAYLOAD_TYPE (borrowed) */
	enum jws_scheme scheme;
	time_t signing_time;		/* signingTime, authenticSigningTime */
	bool has_expiry;
	time_t expiry;
	bool has_authentic_signing_time; /* then signing_time is that */
	const char *signing_agent;	/* unprotected, or NULL (borrowed) */
	struct buf timestamp;		/* RFC 3161 token, unverified; len 0
					   when absent */
	struct buf certs[JWS_CERTS_MAX]; /* x5c as DER, leaf first */
	size_t n_certs;			/* 1 ... JWS_CERTS_MAX */
};

/* Strict parse of a flattened JWS JSON envelope as notation writes it:
 * exactly payload, protected, header and signature; base64url without
 * padding; x5c standard base64; a protected header with alg (one of the
 * six Notary algorithms), cty, crit and the Notary members, where crit
 * lists only headers we understand and that are present. ERR_FORMAT with
 * the reason otherwise. Release @out with jws_release even on error. */
int jws_parse(struct jws *out, const void *data, size_t len);
void jws_release(struct jws *j);

/* Produce the raw signature over @data (for ES* fixed-width R||S) and
 * append it to @sig_raw. Returns 0 or an error code (message set). */
typedef int (*jws_sign_fn)(void *ctx, const void *data, size_t len,
			   struct buf *sig_raw);

/* Append a notary.x509 envelope to @out: protected header with @alg, cty,
 * crit, signingScheme, signingTime (and expiry unless @expiry is 0, then
 * it must be later than @signing_time), @payload, x5c from the DER @certs
 * (leaf first) and signingAgent "signet/<version>". @sign is called once
 * with the signing input. */
int jws_build(struct buf *out, const char *alg, const void *payload,
	      size_t len, const struct buf *certs, size_t n,
	      time_t signing_time, time_t expiry, jws_sign_fn sign, void *ctx);

/* rfc3339_parse and rfc3339_format (core.h), by their Notary names. */
int jws_time_parse(time_t *out, const char *s);
int jws_time_format(char out[32], time_t t);

/* ---- the Notary payload -------------------------------------------------- */

/* {"targetArtifact":{"mediaType","digest","size"(,"annotations")
 * (,"artifactType")}} */
struct notary_target {
	json_t *doc;			/* owns the strings below */
	const char *media_type;
	struct digest digest;
	uint64_t size;
	const json_t *annotations;	/* object of strings, or NULL */
	const char *artifact_type;	/* or NULL */
};

/* Strict: exactly targetArtifact, whose members are mediaType (non-empty
 * string), digest (sha256), size (integer >= 0) and optionally annotations
 * (object of strings) and artifactType (string). ERR_FORMAT otherwise.
 * Callers verify the envelope first. */
int notary_payload_parse(struct notary_target *out, const void *data,
			 size_t len);
void notary_target_release(struct notary_target *t);

/* Append the payload as notation writes it: compact, keys sorted,
 * annotations omitted when @annotations is NULL or empty. ERR_USAGE for a
 * duplicate annotation key or an empty media type. */
int notary_payload_build(struct buf *out, const char *media_type,
			 const struct digest *d, size_t size,
			 const struct kvlist *annotations);

#endif
