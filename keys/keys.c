/*
 * keys.c - the top of keys/: where a key comes from. Reads key files (PEM:
 * PKCS#8, SPKI, PKCS#1 public, X.509, and cosign's envelope via cosign.c),
 * hands "pkcs11:" URIs to pkcs11.c, generates key pairs, and imports and
 * exports cosign key files. Private keys go from file to EVP_PKEY without a
 * stop in between. The files below (pkey.c, cosign.c, pkcs11.c, x509.c,
 * file.c, pass.c) never call up into this one.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "internal.h"

static const struct {
	const char *name;
	enum key_type type;
} key_types[] = {
	{ "ecdsa-p256", KEY_ECDSA_P256 },
	{ "ecdsa-p384", KEY_ECDSA_P384 },
	{ "rsa-3072", KEY_RSA_3072 },
	{ "rsa-4096", KEY_RSA_4096 },
};

int keys_parse_type(enum key_type *out, const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(key_types) / sizeof(key_types[0]); i++) {
		if (strcmp(name, key_types[i].name) == 0) {
			*out = key_types[i].type;
			return 0;
		}
	}
	return err_set(ERR_USAGE, "unknown key type '%s' (use ecdsa-p256, "
		       "ecdsa-p384, rsa-3072 or rsa-4096)", name);
}

/* "NAME.key" and "NAME.pub" into the two buffers; ERR_USAGE when too long. */
static int pair_paths(char keypath[PATH_MAX], char pubpath[PATH_MAX],
		      const char *name)
{
	int a, b;

	if (!name || !*name)
		return err_set(ERR_USAGE, "empty key name");
	a = snprintf(keypath, PATH_MAX, "%s.key", name);
	b = snprintf(pubpath, PATH_MAX, "%s.pub", name);
	if (a < 0 || b < 0 || a >= PATH_MAX - 8 || b >= PATH_MAX - 8)
		return err_set(ERR_USAGE, "key name '%s' is too long", name);
	return 0;
}

/* ---- reading PEM ------------------------------------------------------- */

struct pem {
	char *name;
	char *header;
	unsigned char *data;
	long len;
};

static void pem_release(struct pem *p)
{
	OPENSSL_secure_free(p->name);
	OPENSSL_secure_free(p->header);
	if (p->data)
		OPENSSL_secure_clear_free(p->data, (size_t)p->len);
	memset(p, 0, sizeof(*p));
}

/* The first PEM block of @file (skipping "EC PARAMETERS", which openssl
 * ecparam writes before the key). */
static int pem_first(struct pem *p, const unsigned char *file, size_t len,
		     const char *path)
{
	unsigned long e;
	BIO *bio;
	int rc = 0;

	memset(p, 0, sizeof(*p));
	if (!(bio = BIO_new_mem_buf(file, (int)len)))
		return err_set_ssl(ERR_NOMEM, "out of memory");
	for (;;) {
		if (!PEM_read_bio_ex(bio, &p->name, &p->header, &p->data,
				     &p->len, PEM_FLAG_SECURE |
				     PEM_FLAG_EAY_COMPATIBLE)) {
			memset(p, 0, sizeof(*p));
			e = ERR_peek_last_error();
			if (ERR_GET_LIB(e) == ERR_LIB_PEM &&
			    ERR_GET_REASON(e) == PEM_R_NO_START_LINE) {
				ERR_clear_error();
				rc = err_set(ERR_FORMAT, "'%s' is not a PEM "
					     "key file", path);
			} else {
				rc = err_set_ssl(ERR_FORMAT, "'%s' is "
						 "truncated or corrupt", path);
			}
			break;
		}
		if (strcmp(p->name, "EC PARAMETERS") != 0)
			break;
		pem_release(p);
	}
	BIO_free(bio);
	return rc;
}

static bool is_public_pem(const char *name)
{
	return strcmp(name, "PUBLIC KEY") == 0 ||
	       strcmp(name, "RSA PUBLIC KEY") == 0 ||
	       strcmp(name, "CERTIFICATE") == 0;
}

static bool is_cosign_pem(const char *name)
{
	return strcmp(name, "ENCRYPTED SIGSTORE PRIVATE KEY") == 0 ||
	       strcmp(name, "ENCRYPTED COSIGN PRIVATE KEY") == 0;
}

static bool is_private_pem(const char *name)
{
	return strstr(name, "PRIVATE KEY") != NULL;
}

static int unsupported_pem(const struct pem *p, const char *path)
{
	char clean[80];

	str_sanitize(clean, sizeof(clean), p->name);
	if (strcmp(p->name, "EC PRIVATE KEY") == 0 ||
	    strcmp(p->name, "RSA PRIVATE KEY") == 0)
		return err_set(ERR_FORMAT, "'%s' is a traditional '%s' file; "
			       "convert it to PKCS#8 with 'openssl pkcs8 "
			       "-topk8'", path, clean);
	return err_set(ERR_FORMAT, "'%s': unsupported PEM type '%s'", path,
		       clean);
}

/* ---- private keys ------------------------------------------------------ */

/* Reason of a failed decryption that a passphrase cannot fix, or NULL. */
static const char *pbe_unsupported(void)
{
	unsigned long e;

	while ((e = ERR_get_error())) {
		if (ERR_GET_LIB(e) != ERR_LIB_EVP)
			continue;
		switch (ERR_GET_REASON(e)) {
		case EVP_R_MEMORY_LIMIT_EXCEEDED:
		case EVP_R_UNSUPPORTED_CIPHER:
		case EVP_R_UNSUPPORTED_KEY_DERIVATION_FUNCTION:
		case EVP_R_UNSUPPORTED_KEYLENGTH:
		case EVP_R_UNSUPPORTED_PRF:
		case EVP_R_UNKNOWN_PBE_ALGORITHM:
		case EVP_R_UNSUPPORTED_ALGORITHM:
			ERR_clear_error();
			return ERR_reason_error_string(e);
		}
	}
	return NULL;
}

/* The work an encrypted PKCS#8 file asks of us is the file's to choose:
 * cap it, so that a planted key file cannot make signet spin for days.
 * Only PBES2 with PBKDF2 (up to 10 million iterations) or scrypt (up to
 * N = 2^20, r = 32, p = 16) is accepted. */
#define PBKDF2_ITER_MAX 10000000L

static int pbe_within_limits(const X509_SIG *sig, const char *path)
{
	const X509_ALGOR *alg = NULL;
	PBE2PARAM *pbe2 = NULL;
	PBKDF2PARAM *kdf = NULL;
	SCRYPT_PARAMS *sp = NULL;
	const char *why = NULL;
	long iter;

	X509_SIG_get0(sig, &alg, NULL);
	if (!alg || OBJ_obj2nid(alg->algorithm) != NID_pbes2) {
		why = "an old encryption scheme (re-encrypt it with "
		      "'openssl pkcs8 -topk8 -v2 aes-256-cbc')";
		goto out;
	}
	pbe2 = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBE2PARAM),
					 alg->parameter);
	if (!pbe2 || !pbe2->keyfunc) {
		why = "malformed encryption parameters";
		goto out;
	}
	switch (OBJ_obj2nid(pbe2->keyfunc->algorithm)) {
	case NID_id_pbkdf2:
		kdf = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBKDF2PARAM),
						pbe2->keyfunc->parameter);
		iter = kdf ? ASN1_INTEGER_get(kdf->iter) : -1;
		if (iter < 1 || iter > PBKDF2_ITER_MAX)
			why = "a PBKDF2 iteration count out of bounds";
		break;
	case NID_id_scrypt:
		sp = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(SCRYPT_PARAMS),
					       pbe2->keyfunc->parameter);
		if (!sp || ASN1_INTEGER_get(sp->costParameter) < 2 ||
		    ASN1_INTEGER_get(sp->costParameter) > (1L << 20) ||
		    ASN1_INTEGER_get(sp->blockSize) < 1 ||
		    ASN1_INTEGER_get(sp->blockSize) > 32 ||
		    ASN1_INTEGER_get(sp->parallelizationParameter) < 1 ||
		    ASN1_INTEGER_get(sp->parallelizationParameter) > 16)
			why = "scrypt parameters out of bounds";
		break;
	default:
		why = "an unknown key derivation function";
	}
out:
	SCRYPT_PARAMS_free(sp);
	PBKDF2PARAM_free(kdf);
	PBE2PARAM_free(pbe2);
	ERR_clear_error();
	if (why)
		return err_set(ERR_FORMAT, "'%s' is encrypted with %s", path,
			       why);
	return 0;
}

static int decrypt_pkcs8(EVP_PKEY **out, const struct pem *pem,
			 const char *pw, size_t pwlen, const char *path)
{
	const unsigned char *p = pem->data;
	PKCS8_PRIV_KEY_INFO *p8 = NULL;
	unsigned char *der = NULL;
	X509_SIG *sig;
	const char *why;
	int rc, n;

	sig = d2i_X509_SIG(NULL, &p, pem->len);
	if (!sig || p != pem->data + pem->len) {
		X509_SIG_free(sig);
		return err_set_ssl(ERR_FORMAT, "'%s' is not a valid encrypted "
				   "PKCS#8 key", path);
	}
	if ((rc = pbe_within_limits(sig, path)) < 0) {
		X509_SIG_free(sig);
		return rc;
	}
	p8 = PKCS8_decrypt(sig, pw, (int)pwlen);
	X509_SIG_free(sig);
	if (!p8) {
		if ((why = pbe_unsupported()))
			return err_set(ERR_CRYPTO, "cannot decrypt '%s': %s",
				       path, why);
		ERR_clear_error();
		return err_set(ERR_CRYPTO, "wrong passphrase for '%s'", path);
	}
	/* through DER so that SEC1 inside gets the same message */
	n = i2d_PKCS8_PRIV_KEY_INFO(p8, &der);
	PKCS8_PRIV_KEY_INFO_free(p8);
	if (n <= 0)
		return err_set_ssl(ERR_FORMAT, "'%s': invalid private key",
				   path);
	rc = keys_pkcs8_parse(out, der, (size_t)n, path);
	OPENSSL_clear_free(der, (size_t)n);
	return rc;
}

/* keys_load_private of a file that also hands back the passphrase it used:
 * @had_pw is false when the file needed none (then @pw is empty). */
static int load_private_pw(EVP_PKEY **out, const char *path,
			   const struct pass_source *pass,
			   char pw[KEYS_PASS_MAX], size_t *pwlen, bool *had_pw)
{
	unsigned char *file = NULL;
	struct pem pem = { 0 };
	EVP_PKEY *key = NULL;
	size_t flen = 0;
	mode_t mode = 0;
	int rc;

	*out = NULL;
	*pwlen = 0;
	*had_pw = false;
	pw[0] = '\0';
	keys_no_core_dumps();
	if ((rc = keys_file_read_private(&file, &flen, &mode, path)) < 0)
		return rc;
	if ((rc = pem_first(&pem, file, flen, path)) < 0)
		goto out;
	/* before any passphrase is asked for; a key we cannot read anyway
	 * (public, SEC1) gets its own message below */
	if ((strcmp(pem.name, "ENCRYPTED PRIVATE KEY") == 0 ||
	     strcmp(pem.name, "PRIVATE KEY") == 0 || is_cosign_pem(pem.name)) &&
	    (rc = keys_file_mode_ok(path, mode)) < 0)
		goto out;
	if (strcmp(pem.name, "ENCRYPTED PRIVATE KEY") == 0) {
		*had_pw = true;
		if ((rc = keys_pass_get(pw, pwlen, pass, PASS_READ, path)) < 0)
			goto out;
		rc = decrypt_pkcs8(&key, &pem, pw, *pwlen, path);
	} else if (strcmp(pem.name, "PRIVATE KEY") == 0) {
		rc = keys_pkcs8_parse(&key, pem.data, (size_t)pem.len, path);
	} else if (is_cosign_pem(pem.name)) {
		*had_pw = true;
		if ((rc = keys_pass_get(pw, pwlen, pass, PASS_READ_COSIGN,
					path)) < 0)
			goto out;
		rc = keys_cosign_decrypt(&key, path, pem.data,
					 (size_t)pem.len, pw, *pwlen);
	} else if (is_public_pem(pem.name)) {
		rc = err_set(ERR_USAGE, "'%s' is a public key; give the "
			     "private key (.key)", path);
	} else {
		rc = unsupported_pem(&pem, path);
	}
	if (rc == 0 && (rc = keys_check_acceptable(key)) < 0)
		err_wrap(rc, "'%s'", path);
out:
	/* decoders may leave noise behind even when they succeed */
	ERR_clear_error();
	if (rc < 0) {
		EVP_PKEY_free(key);
		key = NULL;
		secure_wipe(pw, KEYS_PASS_MAX);
		*pwlen = 0;
		*had_pw = false;
	}
	*out = key;
	pem_release(&pem);
	keys_file_free(file, flen);
	return rc;
}

int keys_load_private(EVP_PKEY **out, const char *path,
		      const struct pass_source *pass)
{
	char pw[KEYS_PASS_MAX];
	size_t pwlen = 0;
	bool had_pw;
	int rc;

	if (keys_is_pkcs11(path))
		return keys_pkcs11_load_private(out, path);
	rc = load_private_pw(out, path, pass, pw, &pwlen, &had_pw);
	secure_wipe(pw, sizeof(pw));
	return rc;
}

/* ---- public keys ------------------------------------------------------- */

static int parse_public(EVP_PKEY **out, const struct pem *pem,
			const char *path)
{
	const unsigned char *p = pem->data;
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	int rc;

	*out = NULL;
	if (strcmp(pem->name, "PUBLIC KEY") == 0) {
		key = keys_d2i_pubkey(&p, pem->len);
	} else if (strcmp(pem->name, "RSA PUBLIC KEY") == 0) {
		key = d2i_PublicKey(EVP_PKEY_RSA, NULL, &p, pem->len);
	} else {
		cert = d2i_X509(NULL, &p, pem->len);
		if (cert)
			key = X509_get_pubkey(cert);
		X509_free(cert);
	}
	if (!key || p != pem->data + pem->len) {
		EVP_PKEY_free(key);
		return err_set_ssl(ERR_FORMAT, "'%s' does not hold a valid "
				   "public key", path);
	}
	if ((rc = keys_check_acceptable(key)) < 0) {
		EVP_PKEY_free(key);
		return err_wrap(rc, "'%s'", path);
	}
	*out = key;
	return 0;
}

/* Read @path's first PEM block; public keys may be links (config mounts). */
static int read_pem(struct pem *pem, const char *path)
{
	unsigned char *file = NULL;
	size_t flen = 0;
	int rc;

	memset(pem, 0, sizeof(*pem));
	if ((rc = keys_file_read(&file, &flen, path, false)) < 0)
		return rc;
	rc = pem_first(pem, file, flen, path);
	keys_file_free(file, flen);
	return rc;
}

int keys_load_public(EVP_PKEY **out, const char *path)
{
	unsigned char *file = NULL;
	size_t flen = 0;
	int rc;

	*out = NULL;
	if (keys_is_pkcs11(path))
		return err_set(ERR_USAGE, "a verifying key is a file: write "
			       "the token key's public half with 'signet keys "
			       "show --pem URI > KEY.pub' and give that");
	if ((rc = keys_file_read(&file, &flen, path, false)) < 0)
		return rc;
	rc = keys_public_parse(out, file, flen, path);
	keys_file_free(file, flen);
	return rc;
}

int keys_public_parse(EVP_PKEY **out, const unsigned char *data,
		      size_t len, const char *path)
{
	struct pem pem;
	int rc;

	*out = NULL;
	memset(&pem, 0, sizeof(pem));
	if ((rc = pem_first(&pem, data, len, path)) < 0)
		return rc;
	if (is_public_pem(pem.name))
		rc = parse_public(out, &pem, path);
	else if (is_private_pem(pem.name))
		rc = err_set(ERR_USAGE, "'%s' is a private key; give the "
			     "public key (.pub)", path);
	else
		rc = unsupported_pem(&pem, path);
	pem_release(&pem);
	ERR_clear_error();
	return rc;
}

int keys_load_any(EVP_PKEY **out, const char *path,
		  const struct pass_source *pass)
{
	EVP_PKEY *priv = NULL;
	struct pem pem;
	bool private;
	int rc;

	*out = NULL;
	if (keys_is_pkcs11(path)) {
		/* a plain copy, free of the token */
		if ((rc = keys_pkcs11_load_public(&priv, path)) < 0)
			return rc;
		rc = keys_public_only(out, priv);
		EVP_PKEY_free(priv);
		return rc;
	}
	if ((rc = read_pem(&pem, path)) < 0)
		return rc;
	private = is_private_pem(pem.name);
	if (is_public_pem(pem.name))
		rc = parse_public(out, &pem, path);
	else if (!private)
		rc = unsupported_pem(&pem, path);
	pem_release(&pem);
	if (rc < 0 || !private) {
		ERR_clear_error();
		return rc;
	}
	if ((rc = keys_load_private(&priv, path, pass)) < 0)
		return rc;
	rc = keys_public_only(out, priv);
	EVP_PKEY_free(priv);
	ERR_clear_error();
	return rc;
}

/* ---- writing key pairs ------------------------------------------------- */

static int generate(EVP_PKEY **out, enum key_type type)
{
	switch (type) {
	case KEY_ECDSA_P256:
		*out = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
		break;
	case KEY_ECDSA_P384:
		*out = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
		break;
	case KEY_RSA_3072:
		*out = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)3072);
		break;
	case KEY_RSA_4096:
		*out = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)4096);
		break;
	default:
		*out = NULL;
		return err_set(ERR_USAGE, "unknown key type");
	}
	if (!*out)
		return err_set_ssl(ERR_CRYPTO, "cannot generate the key");
	return 0;
}

/* PKCS#8 PEM of @key into a secure-heap BIO: encrypted with PBES2
 * (PBKDF2-HMAC-SHA256, AES-256-CBC) when @pw is given. */
static int private_pem(BIO **out, EVP_PKEY *key, const char *pw,
		       size_t pwlen)
{
	PKCS8_PRIV_KEY_INFO *p8inf;
	unsigned char salt[16];
	X509_SIG *p8 = NULL;
	BIO *bio;
	int ok = 0;

	*out = NULL;
	if (pwlen > INT_MAX)
		return err_set(ERR_USAGE, "passphrase too long");
	bio = BIO_new(BIO_s_secmem());
	p8inf = EVP_PKEY2PKCS8(key);
	if (bio && p8inf && !pw) {
		ok = PEM_write_bio_PKCS8_PRIV_KEY_INFO(bio, p8inf);
	} else if (bio && p8inf && RAND_bytes(salt, sizeof(salt)) == 1) {
		p8 = PKCS8_encrypt(-1, EVP_aes_256_cbc(), pw, (int)pwlen,
				   salt, sizeof(salt), KEYS_PBKDF2_ITER,
				   p8inf);
		ok = p8 && PEM_write_bio_PKCS8(bio, p8);
	}
	X509_SIG_free(p8);
	PKCS8_PRIV_KEY_INFO_free(p8inf);
	if (!ok) {
		BIO_free(bio);
		return err_set_ssl(ERR_CRYPTO, "cannot encode the private "
				   "key");
	}
	*out = bio;
	return 0;
}

/* Write @keypath (PKCS#8 PEM, encrypted with @pw unless @pw is NULL, 0600)
 * and @pubpath (SPKI PEM, 0644), both or neither. */
static int write_pair(const char *keypath, const char *pubpath, EVP_PKEY *key,
		      const char *pw, size_t pwlen, bool force)
{
	struct keys_out ko = { 0 }, po = { 0 };
	BIO *priv = NULL, *pub = NULL;
	char *pd = NULL, *ud = NULL;
	long pl, ul;
	int rc;

	if ((rc = private_pem(&priv, key, pw, pwlen)) < 0)
		return rc;
	if (!(pub = BIO_new(BIO_s_mem())) || !PEM_write_bio_PUBKEY(pub, key)) {
		rc = err_set_ssl(ERR_CRYPTO, "cannot encode the public key");
		goto out;
	}
	pl = BIO_get_mem_data(priv, &pd);
	ul = BIO_get_mem_data(pub, &ud);
	if (pl <= 0 || ul <= 0) {
		rc = err_set(ERR_CRYPTO, "cannot encode the key pair");
		goto out;
	}
	/* both files staged before either replaces anything */
	if ((rc = keys_out_write(&ko, keypath, pd, (size_t)pl, 0600,
				 force)) == 0 &&
	    (rc = keys_out_write(&po, pubpath, ud, (size_t)ul, 0644,
				 force)) == 0 &&
	    (rc = keys_out_commit(&ko)) == 0)
		rc = keys_out_commit(&po);
out:
	if (rc < 0) {
		keys_out_abort(&po);
		keys_out_abort(&ko);
	}
	BIO_free(priv);
	BIO_free(pub);
	return rc;
}

int keys_generate(const char *name, const struct keygen_opts *opts)
{
	char keypath[PATH_MAX], pubpath[PATH_MAX], crtpath[PATH_MAX];
	char pw[KEYS_PASS_MAX];
	bool encrypt = !opts->pass.no_password;
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	size_t pwlen = 0;
	int rc;

	pw[0] = '\0';
	keys_no_core_dumps();
	if ((rc = pair_paths(keypath, pubpath, name)) < 0)
		return rc;
	if (snprintf(crtpath, sizeof(crtpath), "%s.crt", name) >=
	    (int)sizeof(crtpath))
		return err_set(ERR_USAGE, "key name too long");
	if (!opts->force && ((rc = keys_file_absent(keypath)) < 0 ||
			     (rc = keys_file_absent(pubpath)) < 0 ||
			     (opts->x509_subject &&
			      (rc = keys_file_absent(crtpath)) < 0)))
		return rc;
	if (encrypt && (rc = keys_pass_get(pw, &pwlen, &opts->pass, PASS_NEW,
					   keypath)) < 0)
		goto out;
	if ((rc = generate(&key, opts->type)) < 0)
		goto out;
	/* the certificate is made before anything is written, so a bad
	 * subject leaves no files */
	if (opts->x509_subject &&
	    (rc = keys_x509_generate(&cert, key, opts->x509_subject,
				     opts->x509_days ? opts->x509_days :
				     365)) < 0)
		goto out;
	rc = write_pair(keypath, pubpath, key, encrypt ? pw : NULL, pwlen,
			opts->force);
	if (rc == 0 && cert &&
	    (rc = keys_save_cert(crtpath, cert, opts->force)) < 0) {
		unlink(keypath);
		unlink(pubpath);
	}
out:
	secure_wipe(pw, sizeof(pw));
	X509_free(cert);
	EVP_PKEY_free(key);
	return rc;
}

/* ---- cosign key files: import / export --------------------------------- */

int keys_import_cosign(const char *cosign_key_path, const char *name,
		       const struct keygen_opts *opts)
{
	char keypath[PATH_MAX], pubpath[PATH_MAX], pw[KEYS_PASS_MAX];
	bool encrypt = !opts->pass.no_password, had_pw = false;
	EVP_PKEY *key = NULL;
	size_t pwlen = 0;
	int rc;

	pw[0] = '\0';
	if ((rc = pair_paths(keypath, pubpath, name)) < 0)
		return rc;
	if (!opts->force && ((rc = keys_file_absent(keypath)) < 0 ||
			     (rc = keys_file_absent(pubpath)) < 0))
		return rc;
	if ((rc = load_private_pw(&key, cosign_key_path, &opts->pass,
				  pw, &pwlen, &had_pw)) < 0)
		goto out;
	/* cosign allows an empty passphrase (or none); signet files get one */
	if (encrypt && pwlen == 0 &&
	    (rc = keys_pass_get(pw, &pwlen, &opts->pass, PASS_NEW,
				keypath)) < 0)
		goto out;
	rc = write_pair(keypath, pubpath, key, encrypt ? pw : NULL, pwlen,
			opts->force);
out:
	secure_wipe(pw, sizeof(pw));
	EVP_PKEY_free(key);
	return rc;
}

int keys_export_cosign(const char *key_path, const char *out_path,
		       const struct pass_source *pass, bool force)
{
	char pw[KEYS_PASS_MAX];
	struct keys_out o = { 0 };
	EVP_PKEY *key = NULL;
	struct buf pem;
	size_t pwlen = 0;
	int rc;

	pw[0] = '\0';
	buf_init(&pem, 0);
	if (keys_is_pkcs11(key_path))
		return err_set(ERR_USAGE, "a token key cannot be exported; "
			       "its private half never leaves the token");
	if (!force && (rc = keys_file_absent(out_path)) < 0)
		return rc;
	if ((rc = keys_load_private(&key, key_path, pass)) < 0 ||
	    (rc = keys_pass_get(pw, &pwlen, pass, PASS_NEW_COSIGN,
				out_path)) < 0 ||
	    (rc = keys_cosign_encrypt(&pem, key, pw, pwlen)) < 0)
		goto out;
	EVP_PKEY_free(key);
	key = NULL;
	if ((rc = keys_out_write(&o, out_path, pem.data, pem.len, 0600,
				 force)) == 0)
		rc = keys_out_commit(&o);
out:
	secure_wipe(pw, sizeof(pw));
	EVP_PKEY_free(key);
	buf_release(&pem);
	return rc;
}
