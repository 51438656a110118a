/*
 * internal.h - shared between the files of keys/ only; nothing outside the
 * folder includes it. Passphrase sources (pass.c), key file I/O (file.c),
 * key objects (pkey.c) and the cosign envelope (cosign.c).
 *
 * Calls point one way: keys.c (loading, generating, import and export) on
 * top; below it pkcs11.c, which uses x509.c and p11dl.c (libp11 and p11-kit,
 * opened on first use); then cosign.c and x509.c; then
 * pkey.c, file.c, pass.c and sig.c, which call no other file of keys/.
 */
#ifndef SIGNET_KEYS_INTERNAL_H
#define SIGNET_KEYS_INTERNAL_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <openssl/evp.h>

#include "keys.h"

/* Passphrase buffers are this size, on the stack, wiped on every path. */
#define KEYS_PASS_MAX 1024
/* No key file we read is bigger than this. */
#define KEYS_FILE_MAX (1024 * 1024)
/* PBKDF2-HMAC-SHA256 iterations for signet's encrypted PKCS#8 (OWASP 2023);
 * kept to PBKDF2 so that `openssl pkey` and other PKCS#8 readers open it. */
#define KEYS_PBKDF2_ITER 600000

/* ---- passphrases (pass.c) ---------------------------------------------- */

enum pass_purpose {
	PASS_READ,		/* open a signet/PKCS#8 key: prompt once */
	PASS_READ_COSIGN,	/* open a cosign key: COSIGN_PASSWORD too */
	PASS_NEW,		/* protect a new key: prompt twice, not empty */
	PASS_NEW_COSIGN,	/* protect a new cosign key: may be empty */
};

/* Fill @out (NUL-terminated, length in @outlen) from SIGNET_PASSWORD, then
 * COSIGN_PASSWORD (cosign purposes only), then src->password_file (first
 * line), then /dev/tty with echo off. @path names the key in prompts. On
 * error @out is wiped; the passphrase is never part of a message. */
int keys_pass_get(char out[KEYS_PASS_MAX], size_t *outlen,
		  const struct pass_source *src, enum pass_purpose why,
		  const char *path);

/* From here on the process leaves no core dump and is not dumpable
 * (RLIMIT_CORE 0, PR_SET_DUMPABLE 0): called before a passphrase, PIN or
 * private key comes into memory. keys_pass_get and keys_pin_get call it. */
void keys_no_core_dumps(void);

/* The PIN of a PKCS#11 token: the URI's pin-source (a "file:" URI or an
 * absolute path; first line), else SIGNET_PKCS11_PIN, else /dev/tty with
 * echo off. Never empty. Wiped on error, like keys_pass_get. */
int keys_pin_get(char out[KEYS_PASS_MAX], size_t *outlen,
		 const char *pin_source, const char *token);

/* ---- what a file holds, already read ------------------------------------ */

/* keys_load_public and keys_load_certs of a file's contents @data (@path
 * names it in messages). */
int keys_public_parse(EVP_PKEY **out, const unsigned char *data,
		      size_t len, const char *path);
int keys_certs_parse(X509 ***out, size_t *n, const unsigned char *data,
		     size_t len, const char *path);

/* ---- key files (file.c) ------------------------------------------------- */

/* Read a whole regular file (at most KEYS_FILE_MAX bytes) into a new
 * buffer; free it with keys_file_free (it may hold a secret). With
 * @nofollow a symbolic link is refused. */
int keys_file_read(unsigned char **out, size_t *outlen, const char *path,
		   bool nofollow);
/* keys_file_read of a private key file (never a link), and its mode
 * into @mode. */
int keys_file_read_private(unsigned char **out, size_t *outlen,
			   mode_t *mode, const char *path);
/* 0 when only the owner may read or write a private key file of @mode;
 * else ERR_IO saying which 'chmod' to run, as ssh refuses such keys. */
int keys_file_mode_ok(const char *path, mode_t mode);
void keys_file_free(unsigned char *data, size_t len);

/* ERR_IO "'PATH' exists; use --force to overwrite" when anything (even a
 * dangling link) is at @path. */
int keys_file_absent(const char *path);

/* A file being written: with force into a temporary file beside @path that
 * commit renames over it, else straight to @path with O_EXCL. Links are
 * never followed. abort removes whatever this object created. */
struct keys_out {
	char path[PATH_MAX];
	char tmp[PATH_MAX];
	const char *cur;	/* the file we created, or NULL */
};

int keys_out_write(struct keys_out *o, const char *path, const void *data,
		   size_t len, mode_t mode, bool force);
int keys_out_commit(struct keys_out *o);
void keys_out_abort(struct keys_out *o);

/* ---- key objects (pkey.c) ---------------------------------------------- */

/* Also there, declared in keys.h: keys_check_acceptable, keys_describe,
 * keys_public_pem, keys_fingerprint and keys_spki_sha256. */

/* The NID of an EC key's named curve, NID_undef for none. */
int keys_curve_nid(EVP_PKEY *key);

/* d2i_PUBKEY, faster: a P-256/384/521 key with an uncompressed point
 * is read without an OSSL_DECODER_CTX (EVP_PKEY_fromdata), anything else
 * by d2i_PUBKEY itself. The same key and the same *pp on success. */
EVP_PKEY *keys_d2i_pubkey(const unsigned char **pp, long len);

/* A new key holding only the public half of @key. */
int keys_public_only(EVP_PKEY **out, EVP_PKEY *key);

/* PKCS#8 PrivateKeyInfo DER (nothing after it) into a new key; SEC1 "EC
 * PRIVATE KEY" DER gets its own ERR_FORMAT message. Not yet checked. */
int keys_pkcs8_parse(EVP_PKEY **out, const unsigned char *der, size_t len,
		     const char *path);

/* ---- cosign envelope (cosign.c) ----------------------------------------- */

/* Decrypt the body (base64-decoded PEM data: the JSON envelope) of a cosign
 * key file. ERR_FORMAT for a malformed envelope or non-PKCS#8 plaintext,
 * ERR_CRYPTO for a wrong passphrase. New key; not yet checked. */
int keys_cosign_decrypt(EVP_PKEY **out, const char *path,
			const unsigned char *body, size_t len,
			const char *pw, size_t pwlen);

/* Append the "ENCRYPTED SIGSTORE PRIVATE KEY" PEM of @key to @pem. */
int keys_cosign_encrypt(struct buf *pem, EVP_PKEY *key,
			const char *pw, size_t pwlen);

#endif
