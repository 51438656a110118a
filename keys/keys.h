/*
 * keys.h - key files, passphrases and raw signatures. The only part of
 * signet that reads passphrases or private key files. Private keys stay
 * inside EVP_PKEY; passphrases are wiped on every path.
 */
#ifndef SIGNET_KEYS_H
#define SIGNET_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <openssl/evp.h>

#include "../core/core.h"

enum key_type {
	KEY_ECDSA_P256,
	KEY_ECDSA_P384,
	KEY_RSA_3072,
	KEY_RSA_4096,
};

/* "ecdsa-p256" ... -> enum; ERR_USAGE naming the bad value. */
int keys_parse_type(enum key_type *out, const char *name);

/* Where a passphrase comes from: SIGNET_PASSWORD (then COSIGN_PASSWORD for
 * cosign key files), else @password_file, else the terminal with echo off. */
struct pass_source {
	const char *password_file;	/* NULL: none given */
	bool no_password;		/* keys generate --no-password */
};

struct keygen_opts {
	enum key_type type;
	bool force;			/* overwrite existing files */
	struct pass_source pass;
};

/* Generate a key pair and write NAME.key (encrypted PKCS#8 PEM, 0600,
 * O_EXCL unless force) and NAME.pub (SPKI PEM). Asks for the passphrase
 * twice on a terminal. Nothing is left behind on failure. */
int keys_generate(const char *name, const struct keygen_opts *opts);

/* Import a cosign key file ("ENCRYPTED SIGSTORE/COSIGN PRIVATE KEY", read
 * with SIGNET_PASSWORD, COSIGN_PASSWORD, the password file or a prompt) as
 * NAME.key and NAME.pub, exactly as keys_generate writes them. NAME.key is
 * encrypted with the same passphrase; when that is empty, a new one is
 * taken from the password file or the terminal (opts->pass.no_password:
 * none). Nothing is left behind on failure. */
int keys_import_cosign(const char *cosign_key_path, const char *name,
		       const struct keygen_opts *opts);

/* Write the private key of @key_path to @out_path as cosign's "ENCRYPTED
 * SIGSTORE PRIVATE KEY" (scrypt N=65536, nacl/secretbox), mode 0600, O_EXCL
 * unless @force. Its passphrase: SIGNET_PASSWORD, COSIGN_PASSWORD (may be
 * empty, as cosign allows), the password file, or the terminal (twice). */
int keys_export_cosign(const char *key_path, const char *out_path,
		       const struct pass_source *pass, bool force);

/* Load a private key: signet's encrypted PKCS#8 PEM, an unencrypted PKCS#8
 * PEM, or cosign's "ENCRYPTED SIGSTORE/COSIGN PRIVATE KEY". New key. */
int keys_load_private(EVP_PKEY **out, const char *path,
		      const struct pass_source *pass);

/* Load a public key: SPKI "PUBLIC KEY", PKCS#1 "RSA PUBLIC KEY", or the
 * key of an X.509 "CERTIFICATE". A private key file is refused (use
 * keys_load_any for "keys show"). New key. */
int keys_load_public(EVP_PKEY **out, const char *path);

/* Public key of any key file: tries public forms first, then private
 * (asking for a passphrase only then). New key. */
int keys_load_any(EVP_PKEY **out, const char *path,
		  const struct pass_source *pass);

/* Only accepted key kinds: EC P-256/P-384/P-521, RSA >= 2048 bits.
 * ERR_CRYPTO naming what is wrong. */
int keys_check_acceptable(EVP_PKEY *key);

/* "ecdsa-p256", "rsa-3072", ... into @out. */
void keys_describe(char *out, size_t outsz, EVP_PKEY *key);
/* "SHA256:<64 hex>" of the DER SubjectPublicKeyInfo. */
int keys_fingerprint(char out[80], EVP_PKEY *key);
/* Raw sha256 of the SPKI DER (cosign's key hint is base64 of this). */
int keys_spki_sha256(unsigned char out[32], EVP_PKEY *key);

/* Sign @data with SHA-256 (cosign's choice for every key type): ECDSA
 * ASN.1 DER or RSA PKCS#1 v1.5. Appends the signature to @sig. */
int keys_sign_sha256(struct buf *sig, EVP_PKEY *key,
		     const void *data, size_t len);
/* 0 when @sig is a valid SHA-256 signature over @data (ECDSA DER, or RSA
 * PKCS#1 v1.5 or PSS), ERR_VERIFY when it is not. */
int keys_verify_sha256(EVP_PKEY *key, const void *data, size_t len,
		       const void *sig, size_t siglen);

#endif
