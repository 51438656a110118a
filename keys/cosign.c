/*
 * cosign.c - cosign's encrypted key files ("ENCRYPTED SIGSTORE PRIVATE
 * KEY", formerly "ENCRYPTED COSIGN PRIVATE KEY"): a JSON envelope
 *   {"kdf":{"name":"scrypt","params":{"N":..,"r":8,"p":1},"salt":b64},
 *    "cipher":{"name":"nacl/secretbox","nonce":b64},"ciphertext":b64}
 * around PKCS#8 DER, sealed with XSalsa20-Poly1305 under scrypt(passphrase).
 * Only the envelope: `keys import --cosign` and `keys export --cosign`
 * live in keys.c, beside the other key file loaders.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <sodium.h>

#include "internal.h"

#define COSIGN_PEM "ENCRYPTED SIGSTORE PRIVATE KEY"
#define SALT_LEN 32
#define KEY_LEN 32
#define WRITE_N 65536
/* 128 * r * N is 64 MiB at N = 2^16; 2^17 needs 128 MiB and a little. */
#define SCRYPT_MAXMEM (256ULL * 1024 * 1024)

static int sodium_ready(void)
{
	static bool done;

	if (!done && sodium_init() < 0)
		return err_set(ERR_CRYPTO, "cannot initialise libsodium");
	done = true;
	return 0;
}

static int scrypt(unsigned char key[KEY_LEN], const char *pw, size_t pwlen,
		  const unsigned char *salt, uint64_t n)
{
	if (EVP_PBE_scrypt(pw, pwlen, salt, SALT_LEN, n, 8, 1, SCRYPT_MAXMEM,
			   key, KEY_LEN) != 1)
		return err_set_ssl(ERR_CRYPTO, "scrypt failed");
	return 0;
}

/* ---- reading ------------------------------------------------------------ */

/* Member @key of @obj, which must be a string of base64 for exactly @want
 * bytes (any length >= 1 when @want is 0). */
static int b64_member(struct buf *out, const json_t *obj, const char *key,
		      size_t want, const char *path)
{
	const char *s = jx_str(obj, key);

	if (!s)
		return err_set(ERR_FORMAT, "'%s': cosign key has no '%s'",
			       path, key);
	if (b64_decode(out, s, strlen(s)) < 0 ||
	    (want && out->len != want) || (!want && !out->len))
		return err_set(ERR_FORMAT, "'%s': invalid '%s' in cosign key",
			       path, key);
	return 0;
}

static bool has_only(const json_t *obj, size_t n)
{
	return json_is_object(obj) && json_object_size(obj) == n;
}

/* The envelope's fields, strictly: nothing unknown, nothing missing. */
struct envelope {
	uint64_t n;
	struct buf salt, nonce, ct;
};

static int parse_envelope(struct envelope *e, const unsigned char *body,
			  size_t len, const char *path)
{
	json_t *doc = NULL, *kdf, *params, *cipher, *v;
	const char *name;
	json_int_t n;
	int rc;

	if ((rc = jx_parse(&doc, body, len, "cosign key")) < 0)
		return err_wrap(rc, "'%s'", path);
	kdf = json_object_get(doc, "kdf");
	cipher = json_object_get(doc, "cipher");
	params = json_object_get(kdf, "params");
	if (!has_only(doc, 3) || !json_object_get(doc, "ciphertext") ||
	    !has_only(kdf, 3) || !has_only(cipher, 2) ||
	    !has_only(params, 3) || !json_object_get(kdf, "salt") ||
	    !json_object_get(cipher, "nonce")) {
		rc = err_set(ERR_FORMAT, "'%s': malformed cosign key envelope",
			     path);
		goto out;
	}
	if (!(name = jx_str(kdf, "name")) || strcmp(name, "scrypt") != 0) {
		rc = err_set(ERR_FORMAT, "'%s': unsupported key derivation "
			     "in cosign key (want scrypt)", path);
		goto out;
	}
	if (!(name = jx_str(cipher, "name")) ||
	    strcmp(name, "nacl/secretbox") != 0) {
		rc = err_set(ERR_FORMAT, "'%s': unsupported cipher in cosign "
			     "key (want nacl/secretbox)", path);
		goto out;
	}
	v = json_object_get(params, "N");
	n = json_is_integer(v) ? json_integer_value(v) : 0;
	if (n != 32768 && n != 65536 && n != 131072) {
		rc = err_set(ERR_FORMAT, "'%s': unsupported scrypt N in cosign "
			     "key (want 32768, 65536 or 131072)", path);
		goto out;
	}
	e->n = (uint64_t)n;
	v = json_object_get(params, "r");
	if (!json_is_integer(v) || json_integer_value(v) != 8 ||
	    !json_is_integer(json_object_get(params, "p")) ||
	    json_integer_value(json_object_get(params, "p")) != 1) {
		rc = err_set(ERR_FORMAT, "'%s': unsupported scrypt parameters "
			     "in cosign key (want r=8, p=1)", path);
		goto out;
	}
	if ((rc = b64_member(&e->salt, kdf, "salt", SALT_LEN, path)) < 0 ||
	    (rc = b64_member(&e->nonce, cipher, "nonce",
			     crypto_secretbox_NONCEBYTES, path)) < 0 ||
	    (rc = b64_member(&e->ct, doc, "ciphertext", 0, path)) < 0)
		goto out;
	if (e->ct.len <= crypto_secretbox_MACBYTES)
		rc = err_set(ERR_FORMAT, "'%s': cosign key ciphertext too "
			     "short", path);
out:
	json_decref(doc);
	return rc;
}

int keys_cosign_decrypt(EVP_PKEY **out, const char *path,
			const unsigned char *body, size_t len,
			const char *pw, size_t pwlen)
{
	struct envelope e = { 0 };
	unsigned char key[KEY_LEN], *plain = NULL;
	size_t plen = 0;
	int rc;

	*out = NULL;
	buf_init(&e.salt, 64);
	buf_init(&e.nonce, 64);
	buf_init(&e.ct, KEYS_FILE_MAX);
	if ((rc = sodium_ready()) < 0 ||
	    (rc = parse_envelope(&e, body, len, path)) < 0 ||
	    (rc = scrypt(key, pw, pwlen, e.salt.data, e.n)) < 0)
		goto out;
	plen = e.ct.len - crypto_secretbox_MACBYTES;
	if (!(plain = malloc(plen))) {
		rc = err_set(ERR_NOMEM, "out of memory");
		goto out;
	}
	if (crypto_secretbox_open_easy(plain, e.ct.data, e.ct.len,
				       e.nonce.data, key) != 0) {
		rc = err_set(ERR_CRYPTO, "wrong passphrase for '%s'", path);
		goto out;
	}
	rc = keys_pkcs8_parse(out, plain, plen, path);
out:
	secure_wipe(key, sizeof(key));
	keys_file_free(plain, plen);
	buf_release(&e.salt);
	buf_release(&e.nonce);
	buf_release(&e.ct);
	return rc;
}

/* ---- writing ------------------------------------------------------------ */

/* The JSON envelope (cosign's field order) as a new string. */
static char *envelope_json(const unsigned char *salt,
			   const unsigned char *nonce,
			   const unsigned char *ct, size_t ctlen)
{
	char *s64 = b64_encode(salt, SALT_LEN);
	char *n64 = b64_encode(nonce, crypto_secretbox_NONCEBYTES);
	char *c64 = b64_encode(ct, ctlen);
	json_t *doc = NULL;
	char *out = NULL;

	if (s64 && n64 && c64)
		doc = json_pack("{s:{s:s,s:{s:i,s:i,s:i},s:s},s:{s:s,s:s},"
				"s:s}",
				"kdf", "name", "scrypt", "params",
				"N", WRITE_N, "r", 8, "p", 1, "salt", s64,
				"cipher", "name", "nacl/secretbox",
				"nonce", n64, "ciphertext", c64);
	if (doc)
		out = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(doc);
	free(s64);
	free(n64);
	free(c64);
	return out;
}

/* PEM armour: base64 in lines of 64, as Go's pem.Encode. */
static int pem_wrap(struct buf *pem, const char *type, const char *body,
		    size_t len)
{
	char *b64 = b64_encode(body, len);
	size_t n, i;
	int rc;

	if (!b64)
		return err_set(ERR_NOMEM, "out of memory");
	n = strlen(b64);
	rc = buf_appendf(pem, "-----BEGIN %s-----\n", type);
	for (i = 0; rc == 0 && i < n; i += 64) {
		rc = buf_append(pem, b64 + i, n - i < 64 ? n - i : 64);
		if (rc == 0)
			rc = buf_appends(pem, "\n");
	}
	if (rc == 0)
		rc = buf_appendf(pem, "-----END %s-----\n", type);
	free(b64);
	return rc;
}

int keys_cosign_encrypt(struct buf *pem, EVP_PKEY *key,
			const char *pw, size_t pwlen)
{
	unsigned char salt[SALT_LEN], nonce[crypto_secretbox_NONCEBYTES];
	unsigned char k[KEY_LEN], *der = NULL, *ct = NULL;
	PKCS8_PRIV_KEY_INFO *p8;
	size_t ctlen = 0;
	char *json = NULL;
	int rc, n = 0;

	if ((rc = sodium_ready()) < 0)
		return rc;
	p8 = EVP_PKEY2PKCS8(key);
	if (!p8 || (n = i2d_PKCS8_PRIV_KEY_INFO(p8, &der)) <= 0) {
		PKCS8_PRIV_KEY_INFO_free(p8);
		return err_set_ssl(ERR_CRYPTO, "cannot encode the private "
				   "key");
	}
	PKCS8_PRIV_KEY_INFO_free(p8);
	randombytes_buf(salt, sizeof(salt));
	randombytes_buf(nonce, sizeof(nonce));
	if ((rc = scrypt(k, pw, pwlen, salt, WRITE_N)) < 0)
		goto out;
	ctlen = (size_t)n + crypto_secretbox_MACBYTES;
	if (!(ct = malloc(ctlen))) {
		rc = err_set(ERR_NOMEM, "out of memory");
		goto out;
	}
	crypto_secretbox_easy(ct, der, (size_t)n, nonce, k);
	if (!(json = envelope_json(salt, nonce, ct, ctlen))) {
		rc = err_set(ERR_NOMEM, "out of memory");
		goto out;
	}
	rc = pem_wrap(pem, COSIGN_PEM, json, strlen(json));
out:
	secure_wipe(k, sizeof(k));
	OPENSSL_clear_free(der, (size_t)n);
	free(ct);
	free(json);
	return rc;
}
