/*
 * tsa.c - RFC 3161 timestamps, verified offline with OpenSSL's TS API
 * against the timestamp authorities the caller trusts.
 *
 * As Sigstore's client specification and sigstore-go have it: the token's
 * message imprint is the hash of the signed bytes; the token is signed by
 * the leaf certificate of a timestamp authority of the trusted root, whose
 * chain (leaf first, the last certificate the only trust anchor) verifies
 * at the time the token states, the leaf having the (critical, sole)
 * timeStamping extended key usage (OpenSSL's timestamp-signing purpose);
 * and the authority's validFor holds that time. With anchors (--tsa-cert,
 * the Notary Project) the signer chains to one of them at that time, the
 * certificates in the token serving as untrusted intermediates.
 */
#include <stdio.h>
#include <string.h>
#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pkcs7.h>
#include <openssl/ts.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "../keys/keys.h"
#include "verify.h"

/* The parsed token: its SignedData and what its TSTInfo states. */
struct tsa_token {
	PKCS7 *p7;
	TS_TST_INFO *info;
	time_t at;				/* genTime */
	time_t accuracy;			/* seconds, rounded up */
	unsigned char imprint[EVP_MAX_MD_SIZE];	/* hash of the data */
	unsigned int imprint_len;
};

static void token_release(struct tsa_token *k)
{
	PKCS7_free(k->p7);
	TS_TST_INFO_free(k->info);
}

/* The SignedData of @tok: a TimeStampResp (PKIStatusInfo first, a
 * SEQUENCE) whose status grants a token, or the bare token (ContentInfo:
 * an OID first). One definite-length DER value, nothing after it. */
static int token_unwrap(PKCS7 **out, const unsigned char *tok, size_t len)
{
	const unsigned char *p = tok, *q;
	long n, status;
	int tag, cls, inner;
	TS_RESP *resp = NULL;

	*out = NULL;
	if (ASN1_get_object(&p, &n, &tag, &cls, (long)len) & 0x80 ||
	    tag != V_ASN1_SEQUENCE || p + n != tok + len)
		goto bad;
	q = p;
	if (ASN1_get_object(&q, &n, &inner, &cls, (long)(tok + len - p)) &
	    0x80)
		goto bad;
	p = tok;
	if (inner == V_ASN1_OBJECT) {
		*out = d2i_PKCS7(NULL, &p, (long)len);
		if (*out && p == tok + len)
			return 0;
		goto bad;
	}
	if (!(resp = d2i_TS_RESP(NULL, &p, (long)len)) || p != tok + len)
		goto bad;
	status = ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(
			TS_RESP_get_status_info(resp)));
	if (status != TS_STATUS_GRANTED &&
	    status != TS_STATUS_GRANTED_WITH_MODS) {
		TS_RESP_free(resp);
		ERR_clear_error();
		return err_set(ERR_VERIFY, "timestamp: the authority did not "
			       "grant it (status %ld)", status);
	}
	if (TS_RESP_get_token(resp) &&
	    (*out = PKCS7_dup(TS_RESP_get_token(resp)))) {
		TS_RESP_free(resp);
		return 0;
	}
bad:
	TS_RESP_free(resp);
	PKCS7_free(*out);
	*out = NULL;
	ERR_clear_error();
	return err_set(ERR_VERIFY, "timestamp: not a timestamp token "
		       "(RFC 3161 TimeStampResp or SignedData, DER)");
}

/* The accuracy in whole seconds, rounded up (RFC 3161: millis and
 * micros 1 to 999 when present). */
static time_t accuracy_of(const TS_ACCURACY *a)
{
	const ASN1_INTEGER *sec, *ms, *us;
	long s = 0;

	if (!a)
		return 0;
	sec = TS_ACCURACY_get_seconds(a);
	ms = TS_ACCURACY_get_millis(a);
	us = TS_ACCURACY_get_micros(a);
	/* ASN1_INTEGER_get: -1 for a value too large for a long; an
	 * accuracy over a day is no time at all: -1, refused */
	if (sec && ((s = ASN1_INTEGER_get(sec)) < 0 || s > 86400))
		return -1;
	if ((ms && ASN1_INTEGER_get(ms) != 0) ||
	    (us && ASN1_INTEGER_get(us) != 0))
		s++;
	return (time_t)s;
}

/* Parse @tok, and hash @data with the token's algorithm. */
static int token_parse(struct tsa_token *k, const void *tok, size_t tok_len,
		       const void *data, size_t data_len)
{
	const X509_ALGOR *alg;
	const EVP_MD *md = NULL;
	struct tm tm;
	int rc;

	memset(k, 0, sizeof(*k));
	if (tok_len > TSA_TOKEN_MAX)
		return err_set(ERR_VERIFY, "timestamp: %zu bytes, more than "
			       "the %d allowed", tok_len, TSA_TOKEN_MAX);
	if ((rc = token_unwrap(&k->p7, tok, tok_len)) < 0)
		return rc;
	if (!PKCS7_type_is_signed(k->p7) ||
	    !(k->info = PKCS7_to_TS_TST_INFO(k->p7)) ||
	    ASN1_TIME_to_tm(TS_TST_INFO_get_time(k->info), &tm) != 1) {
		ERR_clear_error();
		return err_set(ERR_VERIFY, "timestamp: not a timestamp token "
			       "(no signed TSTInfo with a time)");
	}
	k->at = timegm(&tm);
	if ((k->accuracy = accuracy_of(TS_TST_INFO_get_accuracy(
		     k->info))) < 0)
		return err_set(ERR_VERIFY, "timestamp: its accuracy is more "
			       "than a day");
	alg = TS_MSG_IMPRINT_get_algo(TS_TST_INFO_get_msg_imprint(k->info));
	switch (OBJ_obj2nid(alg->algorithm)) {
	case NID_sha256: md = EVP_sha256(); break;
	case NID_sha384: md = EVP_sha384(); break;
	case NID_sha512: md = EVP_sha512(); break;
	default:
		return err_set(ERR_VERIFY, "timestamp: the message imprint's "
			       "hash is not SHA-256, SHA-384 or SHA-512");
	}
	if (EVP_Digest(data, data_len, k->imprint, &k->imprint_len, md,
		       NULL) != 1)
		return err_set_ssl(ERR_CRYPTO, "timestamp: cannot hash");
	return 0;
}

static bool push_certs(STACK_OF(X509) *sk, X509 *const *certs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!sk_X509_push(sk, certs[i]))
			return false;
		X509_up_ref(certs[i]);
	}
	return true;
}

/* What OpenSSL's timestamp-signing purpose lets through and sigstore's
 * timestamp-authority (RFC 3161 2.3) does not: a signer that is a CA, or
 * has extended key usages besides timeStamping (unknown ones count). */
static bool signer_ok(X509 *signer)
{
	EXTENDED_KEY_USAGE *eku = X509_get_ext_d2i(signer, NID_ext_key_usage,
						   NULL, NULL);
	bool ok = eku && sk_ASN1_OBJECT_num(eku) == 1 &&
		  OBJ_obj2nid(sk_ASN1_OBJECT_value(eku, 0)) == NID_time_stamp;

	EXTENDED_KEY_USAGE_free(eku);
	return ok && !(X509_get_extension_flags(signer) & EXFLAG_CA);
}

/* An intermediate of a trusted root's authority: no extended key usage
 * (unrestricted), or one allowing timestamping, as sigstore-go's
 * verifier chains them. */
static bool intermediate_ok(X509 *x)
{
	int crit = 0, i;
	EXTENDED_KEY_USAGE *eku = X509_get_ext_d2i(x, NID_ext_key_usage,
						   &crit, NULL);
	bool ok = !eku && crit == -1;

	for (i = 0; eku && i < sk_ASN1_OBJECT_num(eku); i++) {
		int nid = OBJ_obj2nid(sk_ASN1_OBJECT_value(eku, i));

		ok = ok || nid == NID_time_stamp ||
		     nid == NID_anyExtendedKeyUsage;
	}
	EXTENDED_KEY_USAGE_free(eku);
	return ok;
}

#define SIGNER_REFUSED 1

/* TS_RESP_verify_token: the signature, the version, the imprint, the
 * signer's chain (timestamp-signing purpose) to one of @trusted (each a
 * trust anchor, root or not) through @mid and the token's certificates,
 * every certificate valid at the token's time. With @signer, the token
 * must be signed by exactly that certificate. 0, or ERR_VERIFY (no
 * message), ERR_NOMEM; SIGNER_REFUSED when all that holds but the signer
 * fails signer_ok. */
static int verify_with(const struct tsa_token *k, X509 *const *trusted,
		       size_t n_trusted, X509 *const *mid, size_t n_mid,
		       X509 *signer)
{
	TS_VERIFY_CTX *ctx = TS_VERIFY_CTX_new();
	X509_STORE *store = X509_STORE_new();
	STACK_OF(X509) *untrusted = sk_X509_new_null(), *signers = NULL;
	unsigned char *imprint = OPENSSL_memdup(k->imprint, k->imprint_len);
	bool owned = false;
	size_t i;
	int rc = ERR_NOMEM;

	if (!ctx || !store || !untrusted || !imprint ||
	    !push_certs(untrusted, mid, n_mid))
		goto out;
	for (i = 0; i < n_trusted; i++)
		if (X509_STORE_add_cert(store, trusted[i]) != 1)
			goto out;
	X509_STORE_set_flags(store, X509_V_FLAG_PARTIAL_CHAIN |
			     X509_V_FLAG_X509_STRICT);
	X509_VERIFY_PARAM_set_time(X509_STORE_get0_param(store), k->at);
	TS_VERIFY_CTX_set_flags(ctx, TS_VFY_SIGNATURE | TS_VFY_VERSION |
				TS_VFY_IMPRINT);
	TS_VERIFY_CTX_set_imprint(ctx, imprint, k->imprint_len);
	TS_VERIFY_CTX_set_store(ctx, store);
	TS_VERIFY_CTX_set_certs(ctx, untrusted);
	imprint = NULL, store = NULL, owned = true;	/* ctx owns them */
	rc = ERR_VERIFY;
	if (TS_RESP_verify_token(ctx, k->p7) != 1)
		goto out;
	signers = PKCS7_get0_signers(k->p7, untrusted, 0);
	if (sk_X509_num(signers) != 1 ||
	    (signer && X509_cmp(sk_X509_value(signers, 0), signer) != 0))
		goto out;
	rc = signer_ok(sk_X509_value(signers, 0)) ? 0 : SIGNER_REFUSED;
out:
	if (!owned)
		sk_X509_pop_free(untrusted, X509_free);
	sk_X509_free(signers);
	OPENSSL_free(imprint);
	X509_STORE_free(store);
	TS_VERIFY_CTX_free(ctx);
	ERR_clear_error();
	return rc;
}

static int signer_refused(void)
{
	return err_set(ERR_VERIFY, "timestamp: the timestamp authority's "
		       "certificate is a CA certificate, or has extended key "
		       "usages besides timeStamping");
}

/* A timestamp authority of @t signed @k and was valid at its time. Its
 * chain as sigstore-go reads it: the first certificate, unless a CA, is
 * the one signer (the chain then needs a root after it); the last is the
 * root, the trust anchor; those between are intermediates (which the
 * token's own certificates may stand in for when there is no signer). */
static int verify_trustroot(const struct tsa_token *k,
			    const struct keys_trustroot *t)
{
	char when[RFC3339_MAX];
	const struct keys_ca *ca;
	bool outside = false, pin;
	size_t i, j;
	int rc;

	for (i = 0; i < t->n_tsas; i++) {
		ca = &t->tsas[i];
		for (j = 1; j + 1 < ca->n_certs; j++)
			if (!intermediate_ok(ca->certs[j]))
				break;
		pin = !(X509_get_extension_flags(ca->certs[0]) & EXFLAG_CA);
		if (j + 1 < ca->n_certs || (pin && ca->n_certs == 1))
			continue;	/* not an authority for timestamps */
		rc = verify_with(k, &ca->certs[ca->n_certs - 1], 1, ca->certs,
				 ca->n_certs - 1, pin ? ca->certs[0] : NULL);
		if (rc == ERR_NOMEM)
			return err_set(rc, "out of memory");
		if (rc == SIGNER_REFUSED)
			return signer_refused();
		if (rc < 0)
			continue;
		if (tr_window_has(&ca->valid, k->at))
			return 0;
		outside = true;
	}
	(void)rfc3339_format(when, k->at);
	if (outside)
		return err_set(ERR_VERIFY, "timestamp: the timestamp authority "
			       "was not valid at that time (%s; validFor in "
			       "the trusted root)", when);
	return err_set(ERR_VERIFY, "timestamp: not signed by a trusted "
		       "timestamp authority (or its certificate was not valid "
		       "at %s)", when);
}

static int verify_anchors(const struct tsa_token *k, X509 *const *anchors,
			  size_t n_anchors)
{
	char when[RFC3339_MAX];
	int rc = verify_with(k, anchors, n_anchors, NULL, 0, NULL);

	if (rc == ERR_NOMEM)
		return err_set(rc, "out of memory");
	if (rc == SIGNER_REFUSED)
		return signer_refused();
	if (rc < 0) {
		(void)rfc3339_format(when, k->at);
		return err_set(ERR_VERIFY, "timestamp: not signed by a trusted "
			       "timestamp authority (--tsa-cert), or its "
			       "certificate was not valid at %s", when);
	}
	return 0;
}

int tsa_verify_accuracy(time_t *at, time_t *accuracy,
			const struct keys_trustroot *t, X509 *const *anchors,
			size_t n_anchors, const void *tok, size_t tok_len,
			const void *data, size_t data_len)
{
	struct tsa_token k;
	const ASN1_OCTET_STRING *stated;
	int rc;

	*at = 0;
	*accuracy = 0;
	if ((rc = token_parse(&k, tok, tok_len, data, data_len)) < 0)
		goto out;
	stated = TS_MSG_IMPRINT_get_msg(TS_TST_INFO_get_msg_imprint(k.info));
	if ((size_t)ASN1_STRING_length(stated) != k.imprint_len ||
	    memcmp(ASN1_STRING_get0_data(stated), k.imprint,
		   k.imprint_len) != 0) {
		rc = err_set(ERR_VERIFY, "timestamp: its message imprint does "
			     "not match the signature it timestamps");
		goto out;
	}
	if (t)
		rc = verify_trustroot(&k, t);
	else if (n_anchors)
		rc = verify_anchors(&k, anchors, n_anchors);
	else
		rc = err_set(ERR_VERIFY, "timestamp: no timestamp authority "
			     "is trusted");
	if (rc == 0)
		*at = k.at, *accuracy = k.accuracy;
out:
	token_release(&k);
	return rc;
}

int tsa_verify(time_t *at, const struct keys_trustroot *t,
	       X509 *const *anchors, size_t n_anchors, const void *tok,
	       size_t tok_len, const void *data, size_t data_len)
{
	time_t accuracy;

	return tsa_verify_accuracy(at, &accuracy, t, anchors, n_anchors, tok,
				   tok_len, data, data_len);
}
