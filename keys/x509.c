/*
 * x509.c - certificates for Notary Project signatures: reading and
 * writing them, JWS signatures (raw ECDSA R||S, RSASSA-PSS), notation's
 * chain rule with the certificate requirements of the Notary signature
 * specification, and self-signed code-signing certificates.
 *
 * The chain is checked pairwise, as notation does, and not with
 * X509_verify_cert: that rejects some of notation's own chains (leaf and
 * root sharing a name) and honours extensions the specification says to
 * ignore. Nothing is left in the OpenSSL error queue.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "internal.h"

/* ---- reading and writing certificates ------------------------------------ */

void keys_certs_free(X509 **certs, size_t n)
{
	size_t i;

	if (!certs)
		return;
	for (i = 0; i < n; i++)
		X509_free(certs[i]);
	free(certs);
}

/* One DER certificate at the start of @der into @out; *@used is its
 * length. Re-encoding must give the same bytes: notation compares
 * certificates byte for byte, so BER leniency has no place here. */
static int cert_from_der(X509 **out, const unsigned char *der, size_t len,
			 size_t *used)
{
	const unsigned char *p = der;
	unsigned char *re = NULL;
	X509 *x;
	int n;

	*out = NULL;
	if (len > LONG_MAX || !(x = d2i_X509(NULL, &p, (long)len))) {
		ERR_clear_error();
		return ERR_FORMAT;
	}
	*used = (size_t)(p - der);
	n = i2d_X509(x, &re);
	if (n <= 0 || (size_t)n != *used || memcmp(re, der, *used) != 0) {
		OPENSSL_free(re);
		X509_free(x);
		ERR_clear_error();
		return ERR_FORMAT;
	}
	OPENSSL_free(re);
	*out = x;
	return 0;
}

static int certs_push(X509 ***certs, size_t *n, X509 *x)
{
	X509 **p;

	if (*n >= KEYS_CERTS_MAX)
		return ERR_FORMAT;
	if (!(p = realloc(*certs, (*n + 1) * sizeof(*p))))
		return err_set(ERR_NOMEM, "out of memory");
	p[(*n)++] = x;
	*certs = p;
	return 0;
}

static int load_pem(X509 ***certs, size_t *n, const unsigned char *data,
		    size_t len, const char *path)
{
	char *name = NULL, *header = NULL;
	unsigned char *der = NULL;
	long derlen = 0;
	size_t used;
	BIO *bio;
	X509 *x;
	int rc = 0;

	if (!(bio = BIO_new_mem_buf(data, (int)len)))
		return err_set_ssl(ERR_NOMEM, "out of memory");
	while (PEM_read_bio(bio, &name, &header, &der, &derlen) == 1) {
		if (strcmp(name, "CERTIFICATE") != 0 || *header) {
			char shown[64];

			str_sanitize(shown, sizeof(shown), name);
			rc = err_set(ERR_FORMAT, "'%s' holds a '%s' block; "
				     "only certificates belong there", path,
				     shown);
		} else if (cert_from_der(&x, der, (size_t)derlen, &used) < 0 ||
			   used != (size_t)derlen) {
			X509_free(x);
			rc = err_set(ERR_FORMAT, "certificate %zu in '%s' is "
				     "malformed", *n + 1, path);
		} else if ((rc = certs_push(certs, n, x)) < 0) {
			X509_free(x);
			if (rc == ERR_FORMAT)
				err_set(rc, "more than %d certificates in "
					"'%s'", KEYS_CERTS_MAX, path);
		}
		OPENSSL_free(name);
		OPENSSL_free(header);
		OPENSSL_free(der);
		name = header = NULL;
		der = NULL;
		if (rc < 0)
			goto out;
	}
	/* the loop ends at the first byte that is not a PEM block */
	if (ERR_GET_REASON(ERR_peek_last_error()) != PEM_R_NO_START_LINE)
		rc = err_set_ssl(ERR_FORMAT, "'%s' has a malformed PEM block",
				 path);
out:
	ERR_clear_error();
	BIO_free(bio);
	return rc;
}

static int load_der(X509 ***certs, size_t *n, const unsigned char *data,
		    size_t len, const char *path)
{
	size_t off = 0, used;
	X509 *x;
	int rc;

	while (off < len) {
		if (cert_from_der(&x, data + off, len - off, &used) < 0)
			return err_set(ERR_FORMAT, "'%s' holds neither PEM "
				       "nor DER certificates", path);
		if ((rc = certs_push(certs, n, x)) < 0) {
			X509_free(x);
			if (rc == ERR_FORMAT)
				err_set(rc, "more than %d certificates in "
					"'%s'", KEYS_CERTS_MAX, path);
			return rc;
		}
		off += used;
	}
	return 0;
}

int keys_load_certs(X509 ***out, size_t *n, const char *path)
{
	unsigned char *data = NULL;
	size_t len = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = keys_file_read(&data, &len, path, false)) < 0)
		return rc;
	rc = keys_certs_parse(out, n, data, len, path);
	keys_file_free(data, len);
	return rc;
}

int keys_certs_parse(X509 ***out, size_t *n, const unsigned char *data,
		     size_t len, const char *path)
{
	X509 **certs = NULL;
	size_t count = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (memmem(data, len, "-----BEGIN ", 11))
		rc = load_pem(&certs, &count, data, len, path);
	else
		rc = load_der(&certs, &count, data, len, path);
	if (rc == 0 && count == 0)
		rc = err_set(ERR_FORMAT, "no certificate in '%s'", path);
	if (rc < 0) {
		keys_certs_free(certs, count);
		return rc;
	}
	*out = certs;
	*n = count;
	return 0;
}

int keys_certs_from_der(X509 ***out, size_t *n, const struct buf *der,
			size_t count)
{
	X509 **certs;
	size_t i, used;

	*out = NULL;
	*n = 0;
	if (count > KEYS_CERTS_MAX)
		return err_set(ERR_FORMAT, "more than %d certificates",
			       KEYS_CERTS_MAX);
	if (!(certs = calloc(count ? count : 1, sizeof(*certs))))
		return err_set(ERR_NOMEM, "out of memory");
	for (i = 0; i < count; i++) {
		if (cert_from_der(&certs[i], der[i].data, der[i].len,
				  &used) < 0 || used != der[i].len) {
			keys_certs_free(certs, count);
			return err_set(ERR_FORMAT, "certificate %zu of the "
				       "chain is not one DER certificate",
				       i + 1);
		}
	}
	*out = certs;
	*n = count;
	return 0;
}

int keys_save_cert(const char *path, X509 *cert, bool force)
{
	struct keys_out o;
	BUF_MEM *mem = NULL;
	BIO *bio;
	int rc;

	if (!(bio = BIO_new(BIO_s_mem())) ||
	    PEM_write_bio_X509(bio, cert) != 1 ||
	    BIO_get_mem_ptr(bio, &mem) != 1 || !mem) {
		BIO_free(bio);
		return err_set_ssl(ERR_CRYPTO, "cannot encode the "
				   "certificate");
	}
	rc = keys_out_write(&o, path, mem->data, mem->length, 0644, force);
	if (rc == 0)
		rc = keys_out_commit(&o);
	BIO_free(bio);
	return rc;
}

int keys_cert_thumbprint(char out[65], X509 *cert)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char *der = NULL, md[32];
	unsigned int mdlen = 0;
	int n, i, ok;

	out[0] = '\0';
	if (!cert || (n = i2d_X509(cert, &der)) <= 0)
		return err_set_ssl(ERR_CRYPTO, "cannot encode the "
				   "certificate");
	ok = EVP_Digest(der, (size_t)n, md, &mdlen, EVP_sha256(), NULL) == 1;
	OPENSSL_free(der);
	if (!ok || mdlen != 32)
		return err_set_ssl(ERR_CRYPTO, "cannot hash the certificate");
	for (i = 0; i < 32; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = '\0';
	return 0;
}

void keys_cert_subject(char *out, size_t outsz, X509 *cert)
{
	char raw[512];
	BIO *bio;
	int n = -1;

	if (!outsz)
		return;
	raw[0] = '\0';
	/* RFC 2253, UTF-8 kept (str_sanitize deals with what is not text) */
	if (cert && (bio = BIO_new(BIO_s_mem()))) {
		if (X509_NAME_print_ex(bio, X509_get_subject_name(cert), 0,
				       XN_FLAG_RFC2253 &
				       ~ASN1_STRFLGS_ESC_MSB) >= 0)
			n = BIO_read(bio, raw, sizeof(raw) - 1);
		BIO_free(bio);
	}
	raw[n > 0 ? n : 0] = '\0';
	ERR_clear_error();
	str_sanitize(out, outsz, raw);
}

/* ---- JWS signatures ------------------------------------------------------ */

int keys_jws_alg(char out[8], EVP_PKEY *key)
{
	static const struct {
		int type;
		int param;	/* RSA: bits; EC: curve */
		const char *alg;
	} algs[] = {
		{ EVP_PKEY_RSA, 2048, "PS256" },
		{ EVP_PKEY_RSA, 3072, "PS384" },
		{ EVP_PKEY_RSA, 4096, "PS512" },
		{ EVP_PKEY_EC, NID_X9_62_prime256v1, "ES256" },
		{ EVP_PKEY_EC, NID_secp384r1, "ES384" },
		{ EVP_PKEY_EC, NID_secp521r1, "ES512" },
	};
	char desc[64];
	int type, param;
	size_t i;

	out[0] = '\0';
	if (!key)
		return err_set(ERR_CRYPTO, "no key");
	type = EVP_PKEY_get_base_id(key);
	param = type == EVP_PKEY_EC ? keys_curve_nid(key) :
				      EVP_PKEY_get_bits(key);
	for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		if (algs[i].type == type && algs[i].param == param) {
			snprintf(out, 8, "%s", algs[i].alg);
			return 0;
		}
	}
	keys_describe(desc, sizeof(desc), key);
	return err_set(ERR_CRYPTO, "a %s key cannot make Notary signatures "
		       "(use RSA 2048, 3072 or 4096, or ECDSA P-256, P-384 or "
		       "P-521)", desc);
}

/* The digest of a Notary alg, and for ES* the width of R and of S. */
static const EVP_MD *alg_md(const char *alg, size_t *ec_width)
{
	*ec_width = 0;
	if (strcmp(alg + 2, "256") == 0) {
		*ec_width = alg[0] == 'E' ? 32 : 0;
		return EVP_sha256();
	}
	if (strcmp(alg + 2, "384") == 0) {
		*ec_width = alg[0] == 'E' ? 48 : 0;
		return EVP_sha384();
	}
	*ec_width = alg[0] == 'E' ? 66 : 0;
	return EVP_sha512();
}

/* Digest sign or verify context for @alg with the PSS parameters. */
static int md_ctx(EVP_MD_CTX **out, EVP_PKEY *key, const char *alg,
		  bool sign)
{
	EVP_PKEY_CTX *pctx = NULL;
	const EVP_MD *md;
	EVP_MD_CTX *ctx;
	size_t w;

	md = alg_md(alg, &w);
	if (!(ctx = EVP_MD_CTX_new()) ||
	    (sign ? EVP_DigestSignInit(ctx, &pctx, md, NULL, key) :
		    EVP_DigestVerifyInit(ctx, &pctx, md, NULL, key)) != 1 ||
	    (alg[0] == 'P' &&
	     (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) <= 0 ||
	      EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md) <= 0 ||
	      EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, sign ?
					       RSA_PSS_SALTLEN_DIGEST :
					       RSA_PSS_SALTLEN_AUTO) <= 0))) {
		EVP_MD_CTX_free(ctx);
		return err_set_ssl(ERR_CRYPTO, "cannot use the %s key",
				   alg);
	}
	*out = ctx;
	return 0;
}

int keys_jws_sign(struct buf *sig, EVP_PKEY *key, const char *alg,
		  const void *data, size_t len)
{
	EVP_MD_CTX *ctx = NULL;
	ECDSA_SIG *es = NULL;
	unsigned char *raw = NULL, rs[132];
	const unsigned char *p;
	const BIGNUM *r, *s;
	char want[8];
	size_t n = 0, w;
	int rc;

	if ((rc = keys_jws_alg(want, key)) < 0)
		return rc;
	if (!alg || strcmp(alg, want) != 0)
		return err_set(ERR_CRYPTO, "alg %s does not match the key "
			       "(%s)", alg ? alg : "(none)", want);
	alg_md(alg, &w);
	if ((rc = md_ctx(&ctx, key, alg, true)) < 0)
		return rc;
	if (EVP_DigestSign(ctx, NULL, &n, data, len) != 1 ||
	    !(raw = OPENSSL_malloc(n)) ||
	    EVP_DigestSign(ctx, raw, &n, data, len) != 1) {
		rc = err_set_ssl(ERR_CRYPTO, "cannot sign");
		goto out;
	}
	if (!w) {
		rc = buf_append(sig, raw, n);
		goto out;
	}
	/* ECDSA: DER SEQUENCE { r, s } to fixed-width R||S (RFC 7518 3.4) */
	p = raw;
	if (!(es = d2i_ECDSA_SIG(NULL, &p, (long)n))) {
		rc = err_set_ssl(ERR_CRYPTO, "cannot decode the signature");
		goto out;
	}
	ECDSA_SIG_get0(es, &r, &s);
	if (BN_bn2binpad(r, rs, (int)w) < 0 ||
	    BN_bn2binpad(s, rs + w, (int)w) < 0) {
		rc = err_set_ssl(ERR_CRYPTO, "cannot encode the signature");
		goto out;
	}
	rc = buf_append(sig, rs, 2 * w);
out:
	ECDSA_SIG_free(es);
	OPENSSL_free(raw);
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	return rc;
}

int keys_jws_signer(void *key, const void *data, size_t len,
		    struct buf *sig_raw)
{
	char alg[8];
	int rc;

	if ((rc = keys_jws_alg(alg, key)) < 0)
		return rc;
	return keys_jws_sign(sig_raw, key, alg, data, len);
}

/* Raw R||S to the DER OpenSSL verifies; ERR_VERIFY when malformed. */
static int rs_to_der(unsigned char **der, int *derlen,
		     const unsigned char *rs, size_t w)
{
	BIGNUM *r = BN_bin2bn(rs, (int)w, NULL);
	BIGNUM *s = BN_bin2bn(rs + w, (int)w, NULL);
	ECDSA_SIG *es = ECDSA_SIG_new();
	int rc = 0;

	*der = NULL;
	if (!r || !s || !es || ECDSA_SIG_set0(es, r, s) != 1) {
		BN_free(r);
		BN_free(s);
		ECDSA_SIG_free(es);
		return err_set_ssl(ERR_NOMEM, "out of memory");
	}
	if ((*derlen = i2d_ECDSA_SIG(es, der)) <= 0)
		rc = err_set_ssl(ERR_VERIFY, "malformed ECDSA signature");
	ECDSA_SIG_free(es);
	return rc;
}

int keys_jws_verify(EVP_PKEY *key, const char *alg, const void *data,
		    size_t len, const void *sig, size_t siglen)
{
	unsigned char *der = NULL;
	EVP_MD_CTX *ctx = NULL;
	char want[8], shown[16];
	int derlen = 0, rc;
	size_t w;

	if (!key)
		return err_set(ERR_CRYPTO, "no verification key");
	if (keys_jws_alg(want, key) < 0)
		return err_wrap(ERR_VERIFY, "signing certificate");
	if (!alg || strcmp(alg, want) != 0) {
		str_sanitize(shown, sizeof(shown), alg ? alg : "(none)");
		return err_set(ERR_VERIFY, "alg %s does not match the "
			       "certificate key (%s)", shown, want);
	}
	alg_md(alg, &w);
	if (w) {
		if (siglen != 2 * w)
			return err_set(ERR_VERIFY, "%s signature has %zu "
				       "bytes, not %zu", alg, siglen, 2 * w);
		if ((rc = rs_to_der(&der, &derlen, sig, w)) < 0)
			return rc;
		sig = der;
		siglen = (size_t)derlen;
	}
	if ((rc = md_ctx(&ctx, key, alg, false)) < 0)
		goto out;
	if (EVP_DigestVerify(ctx, sig, siglen, data, len) != 1)
		rc = err_set(ERR_VERIFY, "signature does not verify");
out:
	OPENSSL_free(der);
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	return rc;
}

/* ---- notation's chain rule ----------------------------------------------- */

/* Record the reason in @why and as the ERR_VERIFY message. */
__attribute__((format(printf, 3, 4)))
static int reject(char *why, size_t whysz, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (why && whysz)
		snprintf(why, whysz, "%s", msg);
	ERR_clear_error();
	return err_set(ERR_VERIFY, "%s", msg);
}

static bool name_eq(const X509_NAME *a, const X509_NAME *b)
{
	const unsigned char *da, *db;
	size_t la, lb;

	/* the encodings as received, byte for byte, as notation compares */
	return X509_NAME_get0_der(a, &da, &la) == 1 &&
	       X509_NAME_get0_der(b, &db, &lb) == 1 && la == lb &&
	       memcmp(da, db, la) == 0;
}

/* @x names @issuer as its issuer and carries its signature. */
static bool signed_by(X509 *x, X509 *issuer)
{
	EVP_PKEY *k = X509_get0_pubkey(issuer);
	bool ok;

	ok = k && name_eq(X509_get_issuer_name(x),
			  X509_get_subject_name(issuer)) &&
	     X509_verify(x, k) == 1;
	ERR_clear_error();
	return ok;
}

static int cert_time(time_t *out, const ASN1_TIME *t)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (!t || ASN1_TIME_to_tm(t, &tm) != 1)
		return -1;
	*out = timegm(&tm);
	return 0;
}

static const char *time_str(char out[32], time_t t)
{
	if (rfc3339_format(out, t) < 0)
		snprintf(out, 32, "%lld", (long long)t);
	return out;
}

/* Whether extension @nid is present, and critical. */
static bool has_ext(X509 *x, int nid, bool *critical)
{
	int i = X509_get_ext_by_NID(x, nid, -1);

	*critical = i >= 0 &&
		    X509_EXTENSION_get_critical(X509_get_ext(x, i)) == 1;
	return i >= 0;
}

static int sig_rule(X509 *x, const char *name, char *why, size_t whysz)
{
	const char *alg = OBJ_nid2ln(X509_get_signature_nid(x));
	int md = NID_undef, pk = NID_undef;

	if (X509_get_signature_info(x, &md, &pk, NULL, NULL) != 1 ||
	    (md != NID_sha256 && md != NID_sha384 && md != NID_sha512))
		return reject(why, whysz, "certificate '%s' is signed with "
			      "%s; only SHA-256, SHA-384 and SHA-512 "
			      "signatures are allowed (no SHA-1 or MD5)", name,
			      alg ? alg : "an unknown algorithm");
	return 0;
}

static int key_rule(X509 *x, bool leaf, const char *name, char *why,
		    size_t whysz)
{
	EVP_PKEY *k = X509_get0_pubkey(x);
	char desc[64], alg[8];
	int bits;

	if (!k)
		return reject(why, whysz, "certificate '%s' has an unreadable "
			      "public key", name);
	keys_describe(desc, sizeof(desc), k);
	bits = EVP_PKEY_get_bits(k);
	switch (EVP_PKEY_get_base_id(k)) {
	case EVP_PKEY_RSA:
		if (bits < 2048)
			return reject(why, whysz, "certificate '%s' has an "
				      "RSA key of %d bits (at least 2048)",
				      name, bits);
		break;
	case EVP_PKEY_EC:
		if (bits < 256)
			return reject(why, whysz, "certificate '%s' has an "
				      "EC key of %d bits (at least 256)", name,
				      bits);
		/* the curves notation (Go's crypto/x509) can read */
		if (keys_curve_nid(k) != NID_X9_62_prime256v1 &&
		    keys_curve_nid(k) != NID_secp384r1 &&
		    keys_curve_nid(k) != NID_secp521r1)
			return reject(why, whysz, "certificate '%s' has an "
				      "unsupported %s key", name, desc);
		break;
	default:
		return reject(why, whysz, "certificate '%s' has an "
			      "unsupported %s key", name, desc);
	}
	if (leaf && keys_jws_alg(alg, k) < 0)
		return reject(why, whysz, "certificate '%s' has a %s key, "
			      "which cannot make Notary signatures", name,
			      desc);
	return 0;
}

static int leaf_rule(X509 *x, const char *name, char *why, size_t whysz)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} bad_eku[] = {
		{ XKU_SSL_SERVER, "serverAuth" },
		{ XKU_SSL_CLIENT, "clientAuth" },
		{ XKU_SMIME, "emailProtection" },
		{ XKU_TIMESTAMP, "timeStamping" },
		{ XKU_OCSP_SIGN, "OCSPSigning" },
		{ XKU_ANYEKU, "anyExtendedKeyUsage" },
	};
	const uint32_t bad_ku = KU_KEY_ENCIPHERMENT | KU_DATA_ENCIPHERMENT |
				KU_KEY_AGREEMENT | KU_KEY_CERT_SIGN |
				KU_CRL_SIGN | KU_ENCIPHER_ONLY |
				KU_DECIPHER_ONLY;
	uint32_t flags = X509_get_extension_flags(x);
	uint32_t ku = X509_get_key_usage(x);
	uint32_t eku = X509_get_extended_key_usage(x);
	bool crit;
	size_t i;

	if ((flags & EXFLAG_BCONS) && (flags & EXFLAG_CA))
		return reject(why, whysz, "signing certificate '%s' is a CA "
			      "certificate (basicConstraints CA:TRUE)", name);
	if (!has_ext(x, NID_key_usage, &crit) || !crit)
		return reject(why, whysz, "signing certificate '%s' lacks a "
			      "critical keyUsage extension", name);
	if (!(ku & KU_DIGITAL_SIGNATURE))
		return reject(why, whysz, "signing certificate '%s': keyUsage "
			      "lacks digitalSignature", name);
	if (ku & bad_ku)
		return reject(why, whysz, "signing certificate '%s': keyUsage "
			      "allows more than digitalSignature", name);
	if (!(flags & EXFLAG_XKUSAGE))
		return 0;
	for (i = 0; i < sizeof(bad_eku) / sizeof(bad_eku[0]); i++)
		if (eku & bad_eku[i].bit)
			return reject(why, whysz, "signing certificate '%s': "
				      "extendedKeyUsage includes %s", name,
				      bad_eku[i].name);
	return 0;
}

/* @below: how many CA certificates the chain has under this one. */
static int ca_rule(X509 *x, size_t below, const char *name, char *why,
		   size_t whysz)
{
	uint32_t flags = X509_get_extension_flags(x);
	long pathlen = X509_get_pathlen(x);
	bool crit;

	if (!(flags & EXFLAG_BCONS) || !(flags & EXFLAG_CA))
		return reject(why, whysz, "certificate '%s' issues another but "
			      "is not a CA (basicConstraints CA:TRUE)", name);
	if (pathlen >= 0 && (size_t)pathlen < below)
		return reject(why, whysz, "certificate '%s' allows %ld CA "
			      "certificates below it, the chain has %zu", name,
			      pathlen, below);
	if (!has_ext(x, NID_key_usage, &crit) || !crit)
		return reject(why, whysz, "CA certificate '%s' lacks a "
			      "critical keyUsage extension", name);
	if (!(X509_get_key_usage(x) & KU_KEY_CERT_SIGN))
		return reject(why, whysz, "CA certificate '%s': keyUsage "
			      "lacks keyCertSign", name);
	return 0;
}

/* Rules on one certificate by itself, then its link to the next. */
static int cert_rules(X509 *const *chain, size_t n, size_t i, char *why,
		      size_t whysz)
{
	char name[256], next[256];
	X509 *x = chain[i];
	int rc;

	keys_cert_subject(name, sizeof(name), x);
	if (X509_get_extension_flags(x) & EXFLAG_INVALID)
		return reject(why, whysz, "certificate '%s' has malformed "
			      "extensions", name);
	if ((rc = sig_rule(x, name, why, whysz)) < 0 ||
	    (rc = key_rule(x, i == 0, name, why, whysz)) < 0 ||
	    (rc = i == 0 ? leaf_rule(x, name, why, whysz) :
			   ca_rule(x, i - 1, name, why, whysz)) < 0)
		return rc;
	if (i == n - 1) {
		if (!signed_by(x, x))
			return reject(why, whysz, "certificate '%s' ends the "
				      "chain but is not self-signed", name);
		return 0;
	}
	if (signed_by(x, x))
		return reject(why, whysz, "certificate '%s' is self-signed "
			      "but not the last in the chain", name);
	if (!signed_by(x, chain[i + 1])) {
		keys_cert_subject(next, sizeof(next), chain[i + 1]);
		return reject(why, whysz, "certificate '%s' is not issued by "
			      "the next one, '%s'", name, next);
	}
	return 0;
}

static bool der_eq(X509 *a, X509 *b)
{
	unsigned char *da = NULL, *db = NULL;
	int la = i2d_X509(a, &da), lb = i2d_X509(b, &db);
	bool eq = la > 0 && la == lb && memcmp(da, db, (size_t)la) == 0;

	OPENSSL_free(da);
	OPENSSL_free(db);
	return eq;
}

static bool any_trusted(X509 *const *chain, size_t n, X509 *const *trusted,
			size_t n_trusted)
{
	size_t i, k;

	for (i = 0; i < n; i++)
		for (k = 0; k < n_trusted; k++)
			if (trusted[k] && der_eq(chain[i], trusted[k]))
				return true;
	return false;
}

static int valid_at(X509 *x, time_t now, char *why, size_t whysz)
{
	char name[256], ts[32];
	time_t nb, na;

	keys_cert_subject(name, sizeof(name), x);
	if (cert_time(&nb, X509_get0_notBefore(x)) < 0 ||
	    cert_time(&na, X509_get0_notAfter(x)) < 0)
		return reject(why, whysz, "certificate '%s' has a malformed "
			      "validity period", name);
	if (now < nb)
		return reject(why, whysz, "certificate '%s' is not valid "
			      "before %s", name, time_str(ts, nb));
	if (now > na)
		return reject(why, whysz, "certificate '%s' expired on %s",
			      name, time_str(ts, na));
	return 0;
}

int keys_notary_check_chain(X509 *const *chain, size_t n,
			    X509 *const *trusted, size_t n_trusted,
			    time_t now, char *why, size_t whysz)
{
	size_t i;
	int rc;

	if (why && whysz)
		why[0] = '\0';
	if (!chain || n == 0)
		return reject(why, whysz, "the signature has no certificate");
	if (n > KEYS_CHAIN_MAX)
		return reject(why, whysz, "the signature has %zu certificates "
			      "(at most %d)", n, KEYS_CHAIN_MAX);
	for (i = 0; i < n; i++)
		if (!chain[i])
			return reject(why, whysz, "certificate %zu is missing",
				      i + 1);
	for (i = 0; i < n; i++)
		if ((rc = cert_rules(chain, n, i, why, whysz)) < 0)
			return rc;
	if (!any_trusted(chain, n, trusted, n_trusted)) {
		char name[256];

		keys_cert_subject(name, sizeof(name), chain[0]);
		return reject(why, whysz, "certificate '%s' does not chain to "
			      "a trusted certificate", name);
	}
	for (i = 0; i < n; i++)
		if ((rc = valid_at(chain[i], now, why, whysz)) < 0)
			return rc;
	return 0;
}

/* ---- generating a code-signing certificate ------------------------------- */

static int bad_subject(const char *subject, const char *why)
{
	char shown[256];

	str_sanitize(shown, sizeof(shown), subject);
	return err_set(ERR_USAGE, "invalid certificate subject '%s': %s "
		       "(expected e.g. \"C=US,ST=WA,O=Example,CN=release\")",
		       shown, why);
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ')
		s++;
	e = s + strlen(s);
	while (e > s && e[-1] == ' ')
		*--e = '\0';
	return s;
}

/* "C=US,ST=WA,O=Example,CN=release" in that order; no escapes, so none
 * of the RFC 4514 special characters in values (and no leading '#'). */
static int parse_subject(X509_NAME **out, const char *subject)
{
	static const char *const types[] = {
		"C", "ST", "L", "O", "OU", "CN", NULL,
	};
	bool seen[6] = { false };
	char copy[1024], *part, *next, *eq, *type, *value;
	X509_NAME *name;
	size_t i;
	const char *c;

	*out = NULL;
	if (!subject || !*subject)
		return bad_subject("", "empty");
	if (strlen(subject) >= sizeof(copy))
		return bad_subject(subject, "too long");
	for (c = subject; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f ||
		    strchr("+\"\\<>;", *c))
			return bad_subject(subject, "unsupported character");
	snprintf(copy, sizeof(copy), "%s", subject);
	if (!(name = X509_NAME_new()))
		return err_set_ssl(ERR_NOMEM, "out of memory");
	for (part = copy; part; part = next) {
		if ((next = strchr(part, ',')))
			*next++ = '\0';
		if (!(eq = strchr(part, '=')) || strchr(eq + 1, '=')) {
			X509_NAME_free(name);
			return bad_subject(subject, "each part must be "
					   "TYPE=VALUE");
		}
		*eq = '\0';
		type = trim(part);
		value = trim(eq + 1);
		for (i = 0; types[i] && strcmp(type, types[i]) != 0; i++)
			;
		if (!types[i] || !*value || *value == '#' || seen[i]) {
			X509_NAME_free(name);
			return bad_subject(subject, !types[i] ?
				"only C, ST, L, O, OU and CN are supported" :
				!*value ? "empty value" : *value == '#' ?
				"a value cannot start with '#'" :
				"repeated type");
		}
		seen[i] = true;
		if (X509_NAME_add_entry_by_txt(name, type, MBSTRING_UTF8,
					       (const unsigned char *)value,
					       -1, -1, 0) != 1) {
			ERR_clear_error();
			X509_NAME_free(name);
			return bad_subject(subject, strcmp(type, "C") == 0 ?
				"C must be a two-letter country code" :
				"value not accepted");
		}
	}
	*out = name;
	return 0;
}

static int add_ext(X509 *x, X509V3_CTX *ctx, int nid, const char *value)
{
	X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, ctx, nid, value);
	int ok = ext && X509_add_ext(x, ext, -1) == 1;

	X509_EXTENSION_free(ext);
	return ok ? 0 : err_set_ssl(ERR_CRYPTO, "cannot add the %s "
				    "extension", OBJ_nid2sn(nid));
}

int keys_x509_generate(X509 **out, EVP_PKEY *key, const char *subject,
		       int days)
{
	unsigned char serial[16];
	X509_NAME *name = NULL;
	X509V3_CTX ctx;
	BIGNUM *bn = NULL;
	size_t w;
	X509 *x = NULL;
	char alg[8];
	int rc;

	*out = NULL;
	if (days < 1 || days > 36500)
		return err_set(ERR_USAGE, "certificate validity of %d days is "
			       "out of range (1 to 36500)", days);
	if ((rc = keys_jws_alg(alg, key)) < 0 ||
	    (rc = parse_subject(&name, subject)) < 0)
		return rc;
	if (RAND_bytes(serial, sizeof(serial)) != 1) {
		rc = err_set_ssl(ERR_CRYPTO, "cannot make a serial number");
		goto out;
	}
	/* positive and exactly 16 bytes long */
	serial[0] = (unsigned char)((serial[0] & 0x7f) | 0x40);
	if (!(x = X509_new()) || X509_set_version(x, X509_VERSION_3) != 1 ||
	    !(bn = BN_bin2bn(serial, sizeof(serial), NULL)) ||
	    !BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) ||
	    X509_set_subject_name(x, name) != 1 ||
	    X509_set_issuer_name(x, name) != 1 ||
	    !X509_gmtime_adj(X509_getm_notBefore(x), -60) ||
	    !X509_time_adj_ex(X509_getm_notAfter(x), days, 0, NULL) ||
	    X509_set_pubkey(x, key) != 1) {
		rc = err_set_ssl(ERR_CRYPTO, "cannot make the certificate");
		goto out;
	}
	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	if ((rc = add_ext(x, &ctx, NID_basic_constraints,
			  "critical,CA:FALSE")) < 0 ||
	    (rc = add_ext(x, &ctx, NID_key_usage,
			  "critical,digitalSignature")) < 0 ||
	    (rc = add_ext(x, &ctx, NID_ext_key_usage, "codeSigning")) < 0 ||
	    (rc = add_ext(x, &ctx, NID_subject_key_identifier, "hash")) < 0)
		goto out;
	/* RSA keys sign it with PKCS#1 v1.5, ECDSA keys with ECDSA */
	if (X509_sign(x, key, alg_md(alg, &w)) <= 0) {
		rc = err_set_ssl(ERR_CRYPTO, "cannot sign the certificate");
		goto out;
	}
	*out = x;
	x = NULL;
out:
	X509_free(x);
	BN_free(bn);
	X509_NAME_free(name);
	ERR_clear_error();
	return rc;
}
