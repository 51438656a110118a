/*
 * keyless.c - a keyless cosign signature as cosign stores it on a ".sig"
 * manifest's layer, checked in full offline against a trusted root: the
 * signature over the payload with the Fulcio certificate's key, the Rekor
 * bundle's SET (the log's promise, and the signing time), the log entry
 * naming this signature, certificate and payload digest (entry.c), and
 * the certificate at that time: chain, SCT, identity (fulcio.c). Pure:
 * which payload and digest the image needs stays with the caller.
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
