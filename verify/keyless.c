/*
 * keyless.c - a keyless cosign signature as cosign stores it on a ".sig"
 * manifest's layer, checked in full offline against a trusted root: the
 * signature over the payload with the Fulcio certificate's key, the Rekor
 * bundle's SET (the log's promise, and the signing time), the log entry
 * naming this signature, certificate and payload digest (entry.c), and
 * the certificate at that time: chain, SCT, identity (fulcio.c). And a
 * Sigstore bundle (keyless_verify_bundle): its message signature or DSSE
 * envelope, every log entry (SET, inclusion proof, checkpoint; Rekor v2
 * with a timestamp), every RFC 3161 timestamp (tsa.c), and the
 * certificate at each signing time they establish. Pure: which payload
 * and digest the image needs stays with the caller.
 */
#include <stdio.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "../keys/keys.h"
#include "verify.h"

static int pem_cert(X509 **out, const char *pem)
{
	BIO *b = BIO_new_mem_buf(pem, -1);

	*out = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
	BIO_free(b);
	ERR_clear_error();
	return *out ? 0 : err_set(ERR_VERIFY, "certificate: not a PEM "
				  "certificate");
}

int keyless_cert_identity(char san[FULCIO_NAME_MAX],
			  char issuer[FULCIO_NAME_MAX], const char *cert_pem)
{
	X509 *leaf = NULL;
	int rc;

	san[0] = issuer[0] = '\0';
	if ((rc = pem_cert(&leaf, cert_pem)) == 0)
		rc = fulcio_cert_identity(san, issuer, leaf);
	X509_free(leaf);
	return rc;
}

/* The signature over the payload with @leaf's key (or, without a
 * certificate, @key), then the log entry's SET and body. */
static int check_logged(const struct keys_trustroot *t, X509 *leaf,
			EVP_PKEY *key, const struct keyless_cosign *in,
			struct buf *sig, struct rekor_entry *e)
{
	unsigned char md[32];
	struct tlog_signed s;
	char why[JP_MSG_MAX];
	int rc;

	if (!in->sig_b64 || b64_decode(sig, in->sig_b64,
				       strlen(in->sig_b64)) < 0)
		return err_set(ERR_VERIFY, "signature: not base64");
	if (keys_verify_sha256(leaf ? X509_get0_pubkey(leaf) : key,
			       in->payload, in->payload_len, sig->data,
			       sig->len) < 0)
		return err_set(ERR_VERIFY, "signature: does not verify with "
			       "the %s", leaf ? "certificate's key" : "key");
	if (!in->bundle)
		return err_set(ERR_VERIFY, "SET: the signature has no Rekor "
			       "bundle");
	if (rekor_entry_parse_cosign(e, in->bundle, strlen(in->bundle)) < 0) {
		snprintf(why, sizeof(why), "%s", err_msg());
		return err_set(ERR_VERIFY, "SET: %s", why);
	}
	if ((rc = tlog_verify_set(t, e)) < 0)
		return rc;
	if (EVP_Digest(in->payload, in->payload_len, md, NULL, EVP_sha256(),
		       NULL) != 1)
		return err_set_ssl(ERR_CRYPTO, "cannot hash the payload");
	s = (struct tlog_signed){ "sha256", md, 32, sig->data, sig->len, leaf,
				  leaf ? NULL : key };
	return tlog_check_hashedrekord(e, &s);
}

/* The whole check: with @leaf_pem, a keyless signature (its certificate
 * at the entry's time too, and @want unless NULL); else one by @key. */
static int check(struct keyless_found *out, const struct keys_trustroot *t,
		 const struct keyless_cosign *in, const char *leaf_pem,
		 EVP_PKEY *key, const struct fulcio_identity *want)
{
	struct rekor_entry e;
	struct buf sig;
	X509 *leaf = NULL;
	int rc;

	out->signed_at = 0;
	out->log_index = -1;
	memset(&e, 0, sizeof(e));
	buf_init(&sig, 64 * 1024);
	/* Only the certificate: a chain annotation
	 * (dev.sigstore.cosign/chain) is ignored, not even taken as
	 * untrusted intermediates; fulcio_verify_chain builds the chain
	 * from the trusted root's certificate authorities alone. */
	if (leaf_pem && (rc = pem_cert(&leaf, leaf_pem)) < 0)
		goto out;
	if ((rc = check_logged(t, leaf, key, in, &sig, &e)) < 0 ||
	    (leaf && (rc = fulcio_verify_cert(t, leaf,
					      (time_t)e.integrated_time,
					      want)) < 0))
		goto out;
	out->signed_at = (time_t)e.integrated_time;
	out->log_index = e.log_index;
out:
	X509_free(leaf);
	buf_release(&sig);
	rekor_entry_release(&e);
	return rc;
}

int keyless_cosign_check(struct keyless_found *out,
			 const struct keys_trustroot *t,
			 const struct keyless_cosign *in,
			 const struct fulcio_identity *want)
{
	if (!in->cert_pem) {
		out->signed_at = 0;
		out->log_index = -1;
		return err_set(ERR_VERIFY, "certificate: the signature has "
			       "none");
	}
	return check(out, t, in, in->cert_pem, NULL, want);
}

int keyless_cosign_known_log(const struct keys_trustroot *t,
			     const struct keyless_cosign *in)
{
	struct rekor_entry e;
	char why[JP_MSG_MAX];
	int rc;

	if (!in->bundle)
		return 0;
	memset(&e, 0, sizeof(e));
	if (rekor_entry_parse_cosign(&e, in->bundle, strlen(in->bundle)) < 0) {
		snprintf(why, sizeof(why), "%s", err_msg());
		rc = err_set(ERR_VERIFY, "SET: %s", why);
	} else {
		rc = keys_trustroot_has_log(t, false, e.log_id.data,
					    e.log_id.len);
	}
	rekor_entry_release(&e);
	return rc;
}

int keyless_cosign_tlog(struct keyless_found *out,
			const struct keys_trustroot *t,
			const struct keyless_cosign *in, EVP_PKEY *key)
{
	return check(out, t, in, NULL, key, NULL);
}

int keyless_verify_cosign(time_t *signed_at, const struct keys_trustroot *t,
			  const struct keyless_cosign *in,
			  const struct fulcio_identity *want)
{
	struct keyless_found f;
	int rc = keyless_cosign_check(&f, t, in, want);

	*signed_at = f.signed_at;
	return rc;
}

/* ---- Sigstore bundles ---------------------------------------------------- */

#define BUNDLE_TIMES_MAX (BUNDLE_TLOG_MAX + BUNDLE_TSA_MAX)

/* What was established so far, and the signing times found. */
struct bundle_check {
	const struct keys_trustroot *t;
	const struct bundle *b;
	struct bundle_verdict *out;
	X509 *leaf;			/* keyless, else NULL */
	EVP_PKEY *key;			/* the signing key (borrowed) */
	unsigned char payload_sha256[32];	/* DSSE */
	unsigned char pae_sha256[32];	/* DSSE: what a hashedrekord entry
					 * of the envelope (Rekor v2) names */
	time_t times[BUNDLE_TIMES_MAX];
	size_t n_times;
	size_t n_logged;		/* log entries verified */
	bool known_only;		/* a key bundle, no log entry
					 * required: those of logs t does not
					 * have are ignored, and timestamps
					 * that do not verify */
};

static int der_cert(X509 **out, const struct buf *der)
{
	const unsigned char *p = der->data;

	*out = d2i_X509(NULL, &p, (long)der->len);
	if (*out && p != der->data + der->len) {
		X509_free(*out);
		*out = NULL;
	}
	ERR_clear_error();
	return *out ? 0 : err_set(ERR_VERIFY, "certificate: the bundle's "
				  "leaf is not a DER certificate");
}

/* A signature over a digest already computed (@md names it). */
static int verify_prehashed(EVP_PKEY *key, const char *md,
			    const unsigned char *digest, size_t len,
			    const struct buf *sig)
{
	EVP_PKEY_CTX *ctx;
	int ok = 0;

	if (EVP_PKEY_get_base_id(key) == EVP_PKEY_ED25519)
		return err_set(ERR_VERIFY, "signature: an Ed25519 message "
			       "signature needs the artifact's bytes, not "
			       "its digest (not supported)");
	ctx = EVP_PKEY_CTX_new(key, NULL);
	if (ctx && EVP_PKEY_verify_init(ctx) == 1 &&
	    EVP_PKEY_CTX_set_signature_md(ctx, EVP_get_digestbyname(md)) == 1)
		ok = EVP_PKEY_verify(ctx, sig->data, sig->len, digest,
				     len) == 1;
	EVP_PKEY_CTX_free(ctx);
	ERR_clear_error();
	return ok ? 0 : err_set(ERR_VERIFY, "signature: does not verify "
				"over the artifact digest with the %s",
				"signing key");
}

static void hex_of(char *out, const unsigned char *d, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* A subject of the DSSE statement is @art. */
static int check_subject(const struct bundle *b,
			 const struct artifact_digest *art)
{
	char hex[129];
	int rc = 0;

	if (art->has_sha256) {
		hex_of(hex, art->sha256, 32);
		rc = statement_has_subject(b->statement.data, b->statement.len,
					   "sha256", hex);
	}
	if (rc == 0 && art->has_sha512) {
		hex_of(hex, art->sha512, 64);
		rc = statement_has_subject(b->statement.data, b->statement.len,
					   "sha512", hex);
	}
	if (rc < 0)
		return err_set(ERR_VERIFY, "DSSE subject: the payload is not "
			       "an in-toto statement with subjects");
	if (rc == 0 && art->has_sha256)
		hex_of(hex, art->sha256, 32);
	return rc == 1 ? 0 : err_set(ERR_VERIFY, "DSSE subject: no subject "
				     "of the statement is the artifact "
				     "(%s:%.64s)", art->has_sha256 ? "sha256" :
				     "sha512", hex);
}

/* The message digest is @art's of the same algorithm. */
static bool same_digest(const struct bundle *b,
			const struct artifact_digest *art)
{
	if (strcmp(b->md, "sha256") == 0 && art->has_sha256)
		return memcmp(b->digest, art->sha256, 32) == 0;
	if (strcmp(b->md, "sha512") == 0 && art->has_sha512)
		return memcmp(b->digest, art->sha512, 64) == 0;
	return false;
}

/* The signature, and what it signs names the artifact. */
static int check_content(struct bundle_check *c,
			 const struct artifact_digest *art)
{
	const struct bundle *b = c->b;

	if (!b->dsse) {
		if (art && !same_digest(b, art))
			return err_set(ERR_VERIFY, "artifact digest: the "
				       "bundle signs another artifact (its "
				       "%s messageDigest differs)", b->md);
		return verify_prehashed(c->key, b->md, b->digest,
					b->digest_len, &b->sig);
	}
	if (keys_verify_sha256(c->key, b->pae.data, b->pae.len, b->sig.data,
			       b->sig.len) < 0)
		return err_set(ERR_VERIFY, "signature: the DSSE signature does "
			       "not verify with the signing key");
	if (EVP_Digest(b->statement.data, b->statement.len, c->payload_sha256,
		       NULL, EVP_sha256(), NULL) != 1 ||
	    EVP_Digest(b->pae.data, b->pae.len, c->pae_sha256, NULL,
		       EVP_sha256(), NULL) != 1)
		return err_set_ssl(ERR_CRYPTO, "cannot hash the payload");
	return art ? check_subject(b, art) : 0;
}

static void add_time(struct bundle_check *c, time_t at)
{
	if (c->n_times < BUNDLE_TIMES_MAX)
		c->times[c->n_times++] = at;
}

/* Every RFC 3161 timestamp verifies over the signature bytes. */
static int check_timestamps(struct bundle_check *c)
{
	const struct bundle *b = c->b;
	time_t at;
	size_t i;
	int rc;

	for (i = 0; i < b->n_tsa; i++) {
		if ((rc = tsa_verify(&at, c->t, NULL, 0, b->tsa[i].data,
				     b->tsa[i].len, b->sig.data,
				     b->sig.len)) < 0 && c->known_only) {
			err_clear();
			continue;
		}
		if (rc < 0)
			return rc;
		add_time(c, at);
		if (!c->out->timestamp)
			c->out->timestamp = at;
	}
	return 0;
}

/* The entry's body logs this signature. */
static int check_body(struct bundle_check *c, const struct rekor_entry *e)
{
	const struct bundle *b = c->b;
	struct tlog_signed s = { 0 };

	s.sig = b->sig.data;
	s.sig_len = b->sig.len;
	s.cert = c->leaf;
	s.key = c->leaf ? NULL : c->key;
	if (!b->dsse) {
		s.md = b->md;
		s.digest = b->digest;
		s.digest_len = b->digest_len;
		return tlog_check_hashedrekord(e, &s);
	}
	s.md = "sha256";
	s.digest_len = 32;
	if (e->kind && strcmp(e->kind, "hashedrekord") == 0) {
		/* Rekor v2 logs an envelope as a hashedrekord of its PAE */
		s.digest = c->pae_sha256;
		return tlog_check_hashedrekord(e, &s);
	}
	s.digest = c->payload_sha256;
	return tlog_check_envelope(e, &s);
}

/* One log entry: its body, then its SET and/or inclusion proof. */
static int check_entry(struct bundle_check *c, const struct rekor_entry *e)
{
	time_t at = (time_t)e->integrated_time;
	int rc;

	if ((rc = check_body(c, e)) < 0)
		return rc;
	if (e->set.len && (rc = tlog_verify_set(c->t, e)) < 0)
		return rc;
	if (!e->set.len && !e->has_proof)
		return err_set(ERR_VERIFY, "log entry: neither a SET nor an "
			       "inclusion proof");
	if (!e->has_proof && c->b->minor >= 2)
		return err_set(ERR_VERIFY, "inclusion proof: a bundle v0.%d "
			       "log entry needs one", c->b->minor);
	if (!e->set.len && !c->out->timestamp)
		return err_set(ERR_VERIFY, "log entry: an entry without a SET "
			       "(Rekor v2) needs a verified RFC 3161 "
			       "timestamp");
	/* without a SET nothing signs integratedTime: the log key's window
	 * is judged at the verified timestamp's time, never at a time the
	 * bundle merely states */
	if (!e->set.len)
		at = c->out->timestamp;
	if (e->has_proof && ((rc = tlog_verify_inclusion(e)) < 0 ||
			     (rc = tlog_verify_checkpoint(c->t, e, at)) < 0))
		return rc;
	if (e->set.len) {
		add_time(c, (time_t)e->integrated_time);
		if (!c->out->logged_at)
			c->out->logged_at = (time_t)e->integrated_time;
	}
	if (c->out->log_index < 0)	/* the SET covers logIndex; else the
					 * proof's is the one verified */
		c->out->log_index = e->set.len ? e->log_index :
				    e->proof.log_index;
	c->n_logged++;
	return 0;
}

/* The certificate at every signing time, then the identity once. */
static int check_cert(struct bundle_check *c,
		      const struct fulcio_identity *want)
{
	X509 *issuer;
	size_t i;
	int rc;

	if (!c->n_times)
		return err_set(ERR_VERIFY, "signing time: the bundle has no "
			       "verified log entry time nor timestamp");
	for (i = 0; i < c->n_times; i++) {
		if ((rc = fulcio_verify_chain(&issuer, c->t, c->leaf,
					      c->times[i])) < 0)
			return rc;
		rc = fulcio_verify_sct(c->t, c->leaf, issuer);
		X509_free(issuer);
		if (rc < 0)
			return rc;
	}
	if ((rc = fulcio_cert_identity(c->out->san, c->out->issuer,
				       c->leaf)) < 0)
		return rc;
	return want ? fulcio_verify_identity(c->leaf, want) : 0;
}

static int check_bundle_all(struct bundle_check *c,
			    const struct artifact_digest *art,
			    const struct fulcio_identity *want,
			    bool require_tlog)
{
	size_t i;
	int rc;

	if ((rc = check_content(c, art)) < 0 ||
	    (rc = check_timestamps(c)) < 0)
		return rc;
	for (i = 0; i < c->b->n_tlog; i++) {
		const struct rekor_entry *e = &c->b->tlog[i];

		if (c->known_only &&
		    !keys_trustroot_has_log(c->t, false, e->log_id.data,
					    e->log_id.len))
			continue;
		if ((rc = check_entry(c, e)) < 0)
			return rc;
	}
	if ((require_tlog || c->leaf) && !c->n_logged)
		return err_set(ERR_VERIFY, "log entry: the bundle has no "
			       "transparency log entry");
	return c->leaf ? check_cert(c, want) : 0;
}

int keyless_verify_bundle(struct bundle_verdict *out,
			  const struct keys_trustroot *t,
			  const struct bundle *b,
			  const struct artifact_digest *artifact,
			  EVP_PKEY *key, const struct fulcio_identity *want,
			  bool require_tlog)
{
	struct bundle_check c = { .t = t, .b = b, .out = out,
				  .known_only = !b->n_certs &&
						!require_tlog };
	int rc;

	memset(out, 0, sizeof(*out));
	out->log_index = -1;
	out->keyless = b->n_certs > 0;
	if (out->keyless) {
		if ((rc = der_cert(&c.leaf, &b->certs[0])) < 0)
			return rc;
		c.key = X509_get0_pubkey(c.leaf);
	} else if (!(c.key = key)) {
		return err_set(ERR_VERIFY, "signature: the bundle names a key, "
			       "not a certificate: give the key (--key)");
	}
	if (!c.key)
		rc = err_set(ERR_VERIFY, "certificate: no usable public key");
	else if (!t && (out->keyless || require_tlog))
		rc = err_set(ERR_VERIFY, "log entry: no trusted root to "
			     "check it against");
	else if (!t)		/* a key bundle, its log entries unjudged */
		rc = check_content(&c, artifact);
	else
		rc = check_bundle_all(&c, artifact, want, require_tlog);
	X509_free(c.leaf);
	return rc;
}
