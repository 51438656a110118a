/*
 * pkey.c - what keys/ asks of a key object itself, below every key source
 * (files, cosign's envelope, PKCS#11 tokens, certificates): which kinds
 * signet accepts and what they are called, the public half and its
 * fingerprints, and PKCS#8 DER into a key.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <openssl/asn1t.h>
#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "internal.h"

/* ---- naming keys ------------------------------------------------------- */

int keys_curve_nid(EVP_PKEY *key)
{
	char name[80];
	size_t len = 0;
	int nid;

	if (EVP_PKEY_get_group_name(key, name, sizeof(name), &len) != 1) {
		ERR_clear_error();
		return NID_undef;
	}
	nid = OBJ_sn2nid(name);
	if (nid == NID_undef)
		nid = EC_curve_nist2nid(name);
	return nid;
}

static const char *p_curve(int nid)
{
	switch (nid) {
	case NID_X9_62_prime256v1:
		return "p256";
	case NID_secp384r1:
		return "p384";
	case NID_secp521r1:
		return "p521";
	}
	return NULL;
}

/* Lower-case name of the key's algorithm ("ed25519", "rsa-pss", ...). */
static void type_name(char *out, size_t outsz, EVP_PKEY *key)
{
	const char *n = EVP_PKEY_get0_type_name(key);
	size_t i;

	if (!n)
		n = OBJ_nid2sn(EVP_PKEY_get_base_id(key));
	str_sanitize(out, outsz, n && *n ? n : "unknown");
	for (i = 0; out[i]; i++)
		out[i] = (char)tolower((unsigned char)out[i]);
}

int keys_check_acceptable(EVP_PKEY *key)
{
	char name[64];
	int bits;

	if (!key)
		return err_set(ERR_CRYPTO, "no key");
	switch (EVP_PKEY_get_base_id(key)) {
	case EVP_PKEY_EC:
		if (p_curve(keys_curve_nid(key)))
			return 0;
		if (EVP_PKEY_get_group_name(key, name, sizeof(name),
					    NULL) != 1) {
			ERR_clear_error();
			return err_set(ERR_CRYPTO, "unsupported EC key without "
				       "a named curve");
		}
		return err_set(ERR_CRYPTO, "unsupported EC curve '%s' (use "
			       "P-256, P-384 or P-521)", name);
	case EVP_PKEY_RSA:
		bits = EVP_PKEY_get_bits(key);
		if (bits >= 2048)
			return 0;
		return err_set(ERR_CRYPTO, "RSA key of %d bits is too small "
			       "(at least 2048)", bits);
	}
	type_name(name, sizeof(name), key);
	return err_set(ERR_CRYPTO, "unsupported key type '%s'", name);
}

void keys_describe(char *out, size_t outsz, EVP_PKEY *key)
{
	char name[64];
	const char *c;

	if (!outsz)
		return;
	if (!key) {
		snprintf(out, outsz, "none");
		return;
	}
	switch (EVP_PKEY_get_base_id(key)) {
	case EVP_PKEY_EC:
		if ((c = p_curve(keys_curve_nid(key)))) {
			snprintf(out, outsz, "ecdsa-%s", c);
			return;
		}
		if (EVP_PKEY_get_group_name(key, name, sizeof(name),
					    NULL) != 1) {
			ERR_clear_error();
			snprintf(out, outsz, "ecdsa-explicit");
			return;
		}
		str_sanitize(out, outsz, "ecdsa-");
		str_sanitize(out + strlen(out), outsz - strlen(out), name);
		return;
	case EVP_PKEY_RSA:
		snprintf(out, outsz, "rsa-%d", EVP_PKEY_get_bits(key));
		return;
	}
	type_name(out, outsz, key);
}

/* An EC key's SPKI as everyone writes it, whatever form it came in: the
 * curve by name, the point uncompressed. A point may be sent compressed,
 * and a curve spelt out as parameters; one key must have one encoding,
 * or it would have two fingerprints (two identities in a policy). @der
 * is replaced when the key re-encodes. */
static int ec_canonical(unsigned char **der, int n)
{
	static const char *form = OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT;
	static const char *unc =
		OSSL_PKEY_EC_POINT_CONVERSION_FORMAT_UNCOMPRESSED;
	const unsigned char *p = *der;
	unsigned char *again = NULL;
	EVP_PKEY *copy = d2i_PUBKEY(NULL, &p, n);
	int m = -1;

	/* a curve without a name stays as it is: keys_check_acceptable
	 * refuses it for use anyway */
	if (copy && EVP_PKEY_set_utf8_string_param(copy, form, unc) == 1 &&
	    (keys_curve_nid(copy) == NID_undef ||
	     EVP_PKEY_set_utf8_string_param(copy, OSSL_PKEY_PARAM_EC_ENCODING,
					    OSSL_PKEY_EC_ENCODING_GROUP) == 1))
		m = i2d_PUBKEY(copy, &again);
	EVP_PKEY_free(copy);
	if (m <= 0) {
		OPENSSL_free(again);
		return -1;
	}
	OPENSSL_free(*der);
	*der = again;
	return m;
}

/* @key's curve if its own encoding is already ec_canonical's, a named
 * curve and an uncompressed point (the copy ec_canonical makes would
 * re-encode to the same bytes), else NID_undef. */
static int ec_canonical_nid(EVP_PKEY *key)
{
	char v[32];
	int nid = keys_curve_nid(key);

	if (nid == NID_undef)
		return NID_undef;
	if (EVP_PKEY_get_utf8_string_param(key,
			OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT, v,
			sizeof(v), NULL) != 1 ||
	    strcmp(v, OSSL_PKEY_EC_POINT_CONVERSION_FORMAT_UNCOMPRESSED) ||
	    EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_EC_ENCODING,
					   v, sizeof(v), NULL) != 1 ||
	    strcmp(v, OSSL_PKEY_EC_ENCODING_GROUP)) {
		ERR_clear_error();
		return NID_undef;
	}
	return nid;
}

/* The SubjectPublicKeyInfo of a canonical EC key on curve @nid, put
 * together with OpenSSL's ASN.1 from the curve and the point: the bytes
 * i2d_PUBKEY writes (id-ecPublicKey, the curve's OID, the uncompressed
 * point), without the encoder context OpenSSL 3.0 builds for each
 * i2d_PUBKEY from every provider's encoders (~3 M instructions the
 * first time, ~0.4 M after). -1 when the point is not at hand. */
static int ec_spki(unsigned char **der, EVP_PKEY *key, int nid)
{
	const char *pub = OSSL_PKEY_PARAM_PUB_KEY;
	X509_PUBKEY *xp = X509_PUBKEY_new();
	const unsigned char *held = NULL;
	unsigned char *pt = NULL;
	size_t len = 0;
	int n = -1, ok, held_len = 0;

	if (!xp || EVP_PKEY_get_octet_string_param(key, pub, NULL, 0,
						   &len) != 1 ||
	    len < 2 || len > 1024 || !(pt = OPENSSL_malloc(len)) ||
	    EVP_PKEY_get_octet_string_param(key, pub, pt, len, &len) != 1 ||
	    len < 2 || pt[0] != 0x04)
		goto out;
	ok = X509_PUBKEY_set0_param(xp,
			OBJ_nid2obj(NID_X9_62_id_ecPublicKey), V_ASN1_OBJECT,
			OBJ_nid2obj(nid), pt, (int)len);
	/* the point is xp's once set, whatever the result */
	if (X509_PUBKEY_get0_param(NULL, &held, &held_len, NULL, xp) == 1 &&
	    held == pt)
		pt = NULL;
	if (ok == 1)
		n = i2d_X509_PUBKEY(xp, der);
out:
	ERR_clear_error();
	OPENSSL_free(pt);
	X509_PUBKEY_free(xp);
	return n;
}

/* The DER SubjectPublicKeyInfo of @key, canonical (ec_canonical): what
 * fingerprints and key identity are computed over. */
static int spki_der(unsigned char **der, size_t *len, EVP_PKEY *key)
{
	bool ec = key && EVP_PKEY_get_base_id(key) == EVP_PKEY_EC;
	int nid = ec ? ec_canonical_nid(key) : NID_undef;
	int n = -1;

	*der = NULL;
	if (nid != NID_undef && (n = ec_spki(der, key, nid)) <= 0) {
		OPENSSL_free(*der);
		*der = NULL;
	}
	if (n <= 0 && key)
		n = i2d_PUBKEY(key, der);
	if (n > 0 && ec && nid == NID_undef)
		n = ec_canonical(der, n);
	if (n <= 0) {
		OPENSSL_free(*der);
		*der = NULL;
		return err_set_ssl(ERR_CRYPTO, "cannot encode the public key");
	}
	*len = (size_t)n;
	return 0;
}

int keys_spki_sha256(unsigned char out[32], EVP_PKEY *key)
{
	unsigned char *der;
	unsigned int n = 0;
	size_t len = 0;
	int rc, ok;

	if ((rc = spki_der(&der, &len, key)) < 0)
		return rc;
	ok = EVP_Digest(der, len, out, &n, EVP_sha256(), NULL) == 1 &&
	     n == 32;
	OPENSSL_free(der);
	if (!ok)
		return err_set_ssl(ERR_CRYPTO, "cannot hash the public key");
	return 0;
}

int keys_public_pem(struct buf *out, EVP_PKEY *key)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *pem;
	long len;
	int rc = 0;

	if (!bio || !PEM_write_bio_PUBKEY(bio, key) ||
	    (len = BIO_get_mem_data(bio, &pem)) <= 0)
		rc = err_set_ssl(ERR_CRYPTO, "cannot encode the public key");
	else if (buf_append(out, pem, (size_t)len) < 0)
		rc = err_set(ERR_NOMEM, "out of memory");
	BIO_free(bio);
	return rc;
}

int keys_fingerprint(char out[80], EVP_PKEY *key)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[32];
	size_t i;
	int rc;

	out[0] = '\0';
	if ((rc = keys_spki_sha256(md, key)) < 0)
		return rc;
	memcpy(out, "SHA256:", 7);
	for (i = 0; i < sizeof(md); i++) {
		out[7 + 2 * i] = hex[md[i] >> 4];
		out[8 + 2 * i] = hex[md[i] & 15];
	}
	out[7 + 2 * sizeof(md)] = '\0';
	return 0;
}

/* ---- reading public keys ---------------------------------------------- */

/* A SubjectPublicKeyInfo's two fields as they stand. OpenSSL's own
 * X509_PUBKEY turns its key into an EVP_PKEY while it parses, through an
 * OSSL_DECODER_CTX that OpenSSL 3.0 assembles from every provider's key
 * managers and decoders (~2 M instructions, a third of a verify's own). */
typedef struct {
	X509_ALGOR *alg;
	ASN1_BIT_STRING *pub;
} SPKI_FIELDS;

ASN1_SEQUENCE(SPKI_FIELDS) = {
	ASN1_SIMPLE(SPKI_FIELDS, alg, X509_ALGOR),
	ASN1_SIMPLE(SPKI_FIELDS, pub, ASN1_BIT_STRING),
} static_ASN1_SEQUENCE_END(SPKI_FIELDS)

/* @f as a key when it is the one EC form signet writes and accepts: the
 * algorithm id-ecPublicKey, a named curve signet accepts (p_curve), no
 * unused bits, an uncompressed point. EVP_PKEY_fromdata decodes the
 * point with EC_POINT_oct2point, which refuses a point off the curve or
 * of the wrong length, as d2i_PUBKEY does. NULL for anything else. */
static EVP_PKEY *ec_from_fields(const SPKI_FIELDS *f)
{
	const ASN1_OBJECT *alg;
	const void *param;
	const unsigned char *pt;
	OSSL_PARAM ps[3];
	EVP_PKEY_CTX *ctx;
	EVP_PKEY *key = NULL;
	int ptype, nid, len;

	X509_ALGOR_get0(&alg, &ptype, &param, f->alg);
	if (OBJ_obj2nid(alg) != NID_X9_62_id_ecPublicKey ||
	    ptype != V_ASN1_OBJECT)
		return NULL;
	nid = OBJ_obj2nid(param);
	pt = ASN1_STRING_get0_data(f->pub);
	len = ASN1_STRING_length(f->pub);
	if (!p_curve(nid) || (f->pub->flags & 0x07) || len < 3 ||
	    pt[0] != 0x04)
		return NULL;
	ps[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME,
			(char *)OBJ_nid2sn(nid), 0);
	ps[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY,
			(void *)pt, (size_t)len);
	ps[2] = OSSL_PARAM_construct_end();
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	if (!ctx || EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, ps) != 1) {
		EVP_PKEY_free(key);
		key = NULL;
	}
	EVP_PKEY_CTX_free(ctx);
	return key;
}

EVP_PKEY *keys_d2i_pubkey(const unsigned char **pp, long len)
{
	const unsigned char *p = *pp;
	SPKI_FIELDS *f;
	EVP_PKEY *key = NULL;

	ERR_set_mark();
	f = (SPKI_FIELDS *)ASN1_item_d2i(NULL, &p, len,
					 ASN1_ITEM_rptr(SPKI_FIELDS));
	if (f)
		key = ec_from_fields(f);
	ASN1_item_free((ASN1_VALUE *)f, ASN1_ITEM_rptr(SPKI_FIELDS));
	ERR_pop_to_mark();
	if (key) {
		*pp = p;
		return key;
	}
	return d2i_PUBKEY(NULL, pp, len);
}

/* A new key holding only the public half of @key. */
int keys_public_only(EVP_PKEY **out, EVP_PKEY *key)
{
	unsigned char *der = NULL;
	const unsigned char *p;
	size_t len = 0;
	int rc;

	*out = NULL;
	if ((rc = spki_der(&der, &len, key)) < 0)
		return rc;
	p = der;
	*out = keys_d2i_pubkey(&p, (long)len);
	OPENSSL_free(der);
	if (!*out)
		return err_set_ssl(ERR_CRYPTO, "cannot copy the public key");
	return 0;
}

/* ---- private keys ------------------------------------------------------ */

/* DER SEQUENCE { INTEGER 1, OCTET STRING ... }: RFC 5915 ECPrivateKey.
 * (PKCS#8 has an AlgorithmIdentifier SEQUENCE after its version.) */
static bool looks_sec1(const unsigned char *d, size_t len)
{
	size_t i = 2;

	if (len < 8 || d[0] != 0x30)
		return false;
	if (d[1] & 0x80)
		i += d[1] & 0x7f;
	return i + 4 <= len && d[i] == 0x02 && d[i + 1] == 0x01 &&
	       d[i + 2] == 0x01 && d[i + 3] == 0x04;
}

int keys_pkcs8_parse(EVP_PKEY **out, const unsigned char *der, size_t len,
		     const char *path)
{
	const unsigned char *p = der;
	PKCS8_PRIV_KEY_INFO *p8;
	EVP_PKEY *key = NULL;

	*out = NULL;
	if (looks_sec1(der, len))
		return err_set(ERR_FORMAT, "'%s' holds a SEC1 'EC PRIVATE "
			       "KEY', not PKCS#8; re-create it with a current "
			       "cosign or 'signet keys generate'", path);
	if (len > KEYS_FILE_MAX)
		return err_set(ERR_FORMAT, "'%s': private key too large", path);
	p8 = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, (long)len);
	if (p8 && p == der + len)
		key = EVP_PKCS82PKEY(p8);
	PKCS8_PRIV_KEY_INFO_free(p8);
	if (!key)
		return err_set_ssl(ERR_FORMAT, "'%s' does not hold a valid "
				   "PKCS#8 private key", path);
	*out = key;
	return 0;
}
