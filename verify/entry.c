/*
 * entry.c - does a transparency log entry log *this* signature? A SET or
 * an inclusion proof (tlog.c) only proves that the log holds the entry's
 * body; the body must then name the signature being verified, the
 * certificate or key that made it, and the digest it signs, or any
 * logged entry could vouch for any signature. Pure: the entry comes
 * parsed (formats/rekor.c, formats/hashedrekord.c), nothing is fetched.
 */
#include <stdio.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "verify.h"

/* A logged verifier: the key or certificate an entry names, PEM (v0.0.1)
 * or DER (v0.0.2). */
struct logged_verifier {
	const struct buf *v;
	bool is_cert;
};

/* The verifier @h as a certificate. */
static X509 *body_cert(const struct logged_verifier *h)
{
	const unsigned char *p = h->v->data;
	X509 *x = NULL;
	BIO *b;

	if (h->v->len > 0 && p[0] == 0x30) {
		x = d2i_X509(NULL, &p, (long)h->v->len);
		if (x && p != h->v->data + h->v->len) {
			X509_free(x);
			x = NULL;
		}
	} else if ((b = BIO_new_mem_buf(p, (int)h->v->len))) {
		x = PEM_read_bio_X509(b, NULL, NULL, NULL);
		BIO_free(b);
	}
	ERR_clear_error();
	return x;
}

/* The verifier of @h as a public key (PEM or DER SubjectPublicKeyInfo,
 * or the key of its certificate). */
static EVP_PKEY *body_key(const struct logged_verifier *h)
{
	const unsigned char *p = h->v->data;
	EVP_PKEY *k = NULL;
	X509 *x;
	BIO *b;

	if (h->is_cert) {
		if ((x = body_cert(h)))
			k = X509_get_pubkey(x);
		X509_free(x);
	} else if (h->v->len > 0 && p[0] == 0x30) {
		k = d2i_PUBKEY(NULL, &p, (long)h->v->len);
		if (k && p != h->v->data + h->v->len) {
			EVP_PKEY_free(k);
			k = NULL;
		}
	} else if ((b = BIO_new_mem_buf(p, (int)h->v->len))) {
		k = PEM_read_bio_PUBKEY(b, NULL, NULL, NULL);
		BIO_free(b);
	}
	ERR_clear_error();
	return k;
}

/* Same DER encoding. */
static bool same_cert(X509 *a, X509 *b)
{
	unsigned char *da = NULL, *db = NULL;
	int la = i2d_X509(a, &da), lb = i2d_X509(b, &db);
	bool same = la > 0 && la == lb && memcmp(da, db, (size_t)la) == 0;

	OPENSSL_free(da);
	OPENSSL_free(db);
	return same;
}

static int check_verifier(const struct logged_verifier *h,
			  const struct tlog_signed *s)
{
	X509 *x;
	EVP_PKEY *k;
	bool same;

	if (s->cert) {
		if (!h->is_cert)
			return err_set(ERR_VERIFY, "log entry: names a public "
				       "key, not the signing certificate");
		x = body_cert(h);
		same = x && same_cert(x, s->cert);
		X509_free(x);
		return same ? 0 : err_set(ERR_VERIFY, "log entry: its "
					  "certificate is not the signing "
					  "certificate");
	}
	k = body_key(h);
	same = k && s->key && EVP_PKEY_eq(k, s->key) == 1;
	EVP_PKEY_free(k);
	return same ? 0 : err_set(ERR_VERIFY, "log entry: its key is not the "
				  "signing key");
}

int tlog_check_hashedrekord(const struct rekor_entry *e,
			    const struct tlog_signed *s)
{
	struct hashedrekord h;
	char why[JP_MSG_MAX];
	int rc;

	if (e->kind && strcmp(e->kind, "hashedrekord") != 0)
		return err_set(ERR_VERIFY, "log entry: kind '%.40s' is not "
			       "hashedrekord", e->kind);
	if ((rc = hashedrekord_parse(&h, e->body.data, e->body.len)) < 0) {
		snprintf(why, sizeof(why), "%s", err_msg());
		rc = err_set(ERR_VERIFY, "log entry: %s", why);
	} else if (e->version && strcmp(e->version, h.version) != 0) {
		rc = err_set(ERR_VERIFY, "log entry: version '%.20s' is not "
			     "its body's '%.20s'", e->version, h.version);
	} else if (strcmp(h.md, s->md) != 0 ||
		   h.digest_len != s->digest_len ||
		   CRYPTO_memcmp(h.digest, s->digest, h.digest_len) != 0) {
		rc = err_set(ERR_VERIFY, "log entry: its digest is not the "
			     "signed %s digest", s->md);
	} else if (h.sig.len != s->sig_len ||
		   memcmp(h.sig.data, s->sig, s->sig_len) != 0) {
		rc = err_set(ERR_VERIFY, "log entry: its signature is not this "
			     "signature");
	} else {
		rc = check_verifier(&(struct logged_verifier){
					    &h.verifier, h.verifier_is_cert },
				    s);
	}
	hashedrekord_release(&h);
	return rc;
}

/* One of the signatures @b logs is @s's, with @s's key or certificate. */
static int check_logged_sigs(const struct logged_envelope *b,
			     const struct tlog_signed *s)
{
	struct logged_verifier v;
	size_t i;

	for (i = 0; i < b->n_sigs; i++) {
		if (!b->sigs_unlogged && (b->sig[i].len != s->sig_len ||
		    memcmp(b->sig[i].data, s->sig, s->sig_len) != 0))
			continue;
		v = (struct logged_verifier){ &b->verifier[i],
					      b->verifier_is_cert[i] };
		return check_verifier(&v, s);
	}
	return err_set(ERR_VERIFY, "log entry: its signature is not this "
		       "signature");
}

int tlog_check_envelope(const struct rekor_entry *e,
			const struct tlog_signed *s)
{
	struct logged_envelope b;
	char why[JP_MSG_MAX];
	int rc;

	if (!e->kind || (strcmp(e->kind, "dsse") != 0 &&
			 strcmp(e->kind, "intoto") != 0))
		return err_set(ERR_VERIFY, "log entry: kind '%.40s' is not "
			       "dsse or intoto", e->kind ? e->kind : "");
	if ((rc = logged_envelope_parse(&b, e->body.data, e->body.len)) < 0) {
		snprintf(why, sizeof(why), "%s", err_msg());
		rc = err_set(ERR_VERIFY, "log entry: %s", why);
	} else if (strcmp(e->kind, b.kind) != 0 ||
		   (e->version && strcmp(e->version, b.version) != 0)) {
		rc = err_set(ERR_VERIFY, "log entry: kind %.20s %.20s is not "
			     "its body's (%.20s %.20s)", e->kind,
			     e->version ? e->version : "", b.kind, b.version);
	} else if (strcmp(s->md, "sha256") != 0 || s->digest_len != 32 ||
		   CRYPTO_memcmp(b.payload_hash, s->digest, 32) != 0) {
		rc = err_set(ERR_VERIFY, "log entry: its payload hash is not "
			     "the envelope's payload's");
	} else if (b.payload_type && strcmp(b.payload_type,
					    DSSE_TYPE_INTOTO) != 0) {
		rc = err_set(ERR_VERIFY, "log entry: payload type '%.60s' is "
			     "not in-toto", b.payload_type);
	} else {
		rc = check_logged_sigs(&b, s);
	}
	logged_envelope_release(&b);
	return rc;
}
