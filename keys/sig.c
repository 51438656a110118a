/*
 * sig.c - raw signatures over SHA-256, the digest cosign uses for every
 * key type: ECDSA (ASN.1 DER) and RSA (PKCS#1 v1.5 to sign; v1.5 or PSS
 * to verify). Nothing is left in the OpenSSL error queue.
 */
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "internal.h"

int keys_sign_sha256(struct buf *sig, EVP_PKEY *key,
		     const void *data, size_t len)
{
	EVP_MD_CTX *ctx = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	unsigned char *out = NULL;
	size_t n = 0;
	int rc = 0;

	if (!key)
		return err_set(ERR_CRYPTO, "no signing key");
	if (!(ctx = EVP_MD_CTX_new()) ||
	    EVP_DigestSignInit(ctx, &pctx, EVP_sha256(), NULL, key) != 1 ||
	    (EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA &&
	     EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) <= 0) ||
	    EVP_DigestSign(ctx, NULL, &n, data, len) != 1) {
		rc = err_set_ssl(ERR_CRYPTO, "cannot sign");
		goto out;
	}
	if (!(out = OPENSSL_malloc(n))) {
		rc = err_set(ERR_NOMEM, "out of memory");
		goto out;
	}
	if (EVP_DigestSign(ctx, out, &n, data, len) != 1) {
		rc = err_set_ssl(ERR_CRYPTO, "cannot sign");
		goto out;
	}
	rc = buf_append(sig, out, n);
out:
	OPENSSL_free(out);
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	return rc;
}

/* 1: valid; 0: not; negative: the key cannot verify (message set). */
static int verify_with(EVP_PKEY *key, bool pss, const void *data,
		       size_t len, const void *sig, size_t siglen)
{
	EVP_PKEY_CTX *pctx = NULL;
	EVP_MD_CTX *ctx;
	int r;

	if (!(ctx = EVP_MD_CTX_new()) ||
	    EVP_DigestVerifyInit(ctx, &pctx, EVP_sha256(), NULL, key) != 1 ||
	    (pss && (EVP_PKEY_CTX_set_rsa_padding(pctx,
						  RSA_PKCS1_PSS_PADDING) <= 0 ||
		     EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx,
						      RSA_PSS_SALTLEN_AUTO)
		     <= 0))) {
		EVP_MD_CTX_free(ctx);
		return err_set_ssl(ERR_CRYPTO, "cannot verify with this key");
	}
	r = EVP_DigestVerify(ctx, sig, siglen, data, len) == 1;
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	return r;
}

int keys_verify_sha256(EVP_PKEY *key, const void *data, size_t len,
		       const void *sig, size_t siglen)
{
	int r;

	if (!key)
		return err_set(ERR_CRYPTO, "no verification key");
	if (!sig || !siglen)
		return err_set(ERR_VERIFY, "signature does not verify");
	r = verify_with(key, false, data, len, sig, siglen);
	if (r == 0 && EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA)
		r = verify_with(key, true, data, len, sig, siglen);
	if (r < 0)
		return r;
	if (r == 0)
		return err_set(ERR_VERIFY, "signature does not verify");
	return 0;
}
