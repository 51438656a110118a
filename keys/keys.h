/*
 * keys.h - key files, passphrases and raw signatures. The only part of
 * signet that reads passphrases or private key files. Private keys stay
 * inside EVP_PKEY; passphrases are wiped on every path.
 */
#ifndef SIGNET_KEYS_H
#define SIGNET_KEYS_H

#include <pthread.h>
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
	const char *x509_subject;	/* also write NAME.crt, a self-signed
					 * code-signing certificate */
	int x509_days;			/* its validity; 0: 365 */
};

/* Generate a key pair and write NAME.key (encrypted PKCS#8 PEM, 0600,
 * O_EXCL unless force) and NAME.pub (SPKI PEM), and with x509_subject
 * NAME.crt (keys_x509_generate). Asks for the passphrase twice on a
 * terminal. Nothing is left behind on failure. */
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
/* Append the "PUBLIC KEY" PEM (SubjectPublicKeyInfo) of @key to @out. */
int keys_public_pem(struct buf *out, EVP_PKEY *key);
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

/* ---- keys on PKCS#11 tokens (pkcs11.c) --------------------------------- */

/* @ref is an RFC 7512 "pkcs11:" URI rather than a file. */
bool keys_is_pkcs11(const char *ref);

/* The private key a URI names (object= and/or id=, type=private or none)
 * on the one token it matches, logged in with the PIN from the URI's
 * pin-source, SIGNET_PKCS11_PIN or the terminal; pin-value is refused.
 * The module: module-path=, module-name= (registered with p11-kit),
 * SIGNET_PKCS11_MODULE, else p11-kit's proxy. The key never leaves the
 * token: the EVP_PKEY signs through it, and must be freed before exit. */
int keys_pkcs11_load_private(EVP_PKEY **out, const char *uri);
/* The public key of the key a URI names: its public object, else (after
 * login) the private one's public half. */
int keys_pkcs11_load_public(EVP_PKEY **out, const char *uri);
/* Generate opts->type on the token as object=LABEL (id= as given, else 16
 * random bytes; a label or id the token already has is refused), private
 * half sensitive and not extractable, then write NAME.pub and, with
 * opts->x509_subject, NAME.crt signed by the token. Into @used: the URI
 * that names the new key. Nothing is left on the token or on disk on
 * failure. */
int keys_pkcs11_generate(const char *uri, const char *name,
			 const struct keygen_opts *opts, char *used,
			 size_t usedsz);

/* Log out and unload the module; call it once every token key is freed.
 * Also run at exit. */
void keys_pkcs11_release(void);

/* ---- X.509 certificates and Notary JWS signatures (x509.c) ------------ */

#include <time.h>
#include <openssl/x509.h>

#define KEYS_CERTS_MAX 100	/* certificates read from one file */
#define KEYS_CHAIN_MAX 10	/* certificates in a signature's chain */

/* Every certificate of a PEM file (only CERTIFICATE blocks; anything else
 * is ERR_FORMAT) or, without PEM, of concatenated DER, as notation reads a
 * trust store file. At most KEYS_CERTS_MAX. ERR_IO / ERR_FORMAT naming the
 * file. New array of new certificates: keys_certs_free. */
int keys_load_certs(X509 ***out, size_t *n, const char *path);
/* A --key file, read once: its public key (as keys_load_public) and the
 * certificates it holds, which verify trusts as Notary anchors: none
 * when its first 8 KiB name no certificate, else as keys_load_certs. New
 * key, new array of new certificates; nothing on error. */
int keys_load_trusted(EVP_PKEY **key, X509 ***certs, size_t *n,
		      const char *path);
/* The @count DER certificates of an envelope (x5c), each strictly one
 * DER certificate, into @out and @n. ERR_FORMAT naming the position.
 * New, as above. */
int keys_certs_from_der(X509 ***out, size_t *n, const struct buf *der,
			size_t count);
void keys_certs_free(X509 **certs, size_t n);

/* Write @cert as PEM, mode 0644, O_EXCL|O_NOFOLLOW unless @force. */
int keys_save_cert(const char *path, X509 *cert, bool force);
/* Lower-case hex SHA-256 of the DER certificate (notation's thumbprint). */
int keys_cert_thumbprint(char out[65], X509 *cert);
/* RFC 2253 subject ("CN=e2e,O=Notary,L=Seattle,ST=WA,C=US"), sanitized
 * for printing. */
void keys_cert_subject(char *out, size_t outsz, X509 *cert);

/* The JWS alg a key signs Notary signatures with: RSA 2048/3072/4096 ->
 * PS256/PS384/PS512, ECDSA P-256/P-384/P-521 -> ES256/ES384/ES512; any
 * other key is ERR_CRYPTO. */
int keys_jws_alg(char out[8], EVP_PKEY *key);
/* Sign @data with @alg, which must be keys_jws_alg(@key): ES* as raw
 * fixed-width R||S, PS* as RSASSA-PSS (MGF1 same hash, salt = hash
 * length). Appends to @sig. */
int keys_jws_sign(struct buf *sig, EVP_PKEY *key, const char *alg,
		  const void *data, size_t len);
/* jws_sign_fn for jws_build: @key is the EVP_PKEY, alg from its type. */
int keys_jws_signer(void *key, const void *data, size_t len,
		    struct buf *sig_raw);
/* 0 when @sig is a valid @alg signature over @data by @key. @alg must be
 * keys_jws_alg(@key); ES* signatures are exactly 2 x 32/48/66 bytes;
 * PS* accept any salt length. ERR_VERIFY otherwise. */
int keys_jws_verify(EVP_PKEY *key, const char *alg, const void *data,
		    size_t len, const void *sig, size_t siglen);

/* notation's trust rule for a signature's chain (leaf first): each
 * certificate issued and signed by the next, the last self-signed; the
 * Notary certificate requirements (leaf: keyUsage digitalSignature only
 * and critical, not a CA, no server/client/email/timestamp/OCSP/any EKU,
 * a key with a JWS alg; CAs: CA:TRUE, path length, critical keyUsage
 * keyCertSign; RSA >= 2048, EC >= 256; only SHA-256/384/512 signatures);
 * some certificate byte-equal to one of @trusted; every certificate
 * valid at @now. ERR_VERIFY with the reason, naming the certificate, in
 * the message and in @why (may be NULL). Not X509_verify_cert. */
int keys_notary_check_chain(X509 *const *chain, size_t n,
			    X509 *const *trusted, size_t n_trusted,
			    time_t now, char *why, size_t whysz);

/* A new self-signed code-signing certificate for @key that passes
 * keys_notary_check_chain as its own chain and anchor: @subject like
 * "C=US,ST=WA,O=Example,CN=release" (C, ST, L, O, OU, CN; ERR_USAGE
 * naming a malformed one), random 16-byte serial, CA:FALSE, critical
 * keyUsage digitalSignature, EKU codeSigning, subjectKeyIdentifier,
 * valid from a minute ago for @days days (1 to 36500). */
int keys_x509_generate(X509 **out, EVP_PKEY *key, const char *subject,
		       int days);

/* ---- Sigstore trust material (trustroot.c) ----------------------------- */

#include "../formats/formats.h"

/* A transparency log or CT log of a trusted root, as a key. */
struct keys_log {
	EVP_PKEY *key;
	enum tr_key_kind kind;
	unsigned char id[64];		/* logId.keyId: for Rekor v1 and CT
					 * logs the SHA-256 of the SPKI */
	size_t id_len;
	unsigned char spki_sha256[32];
	struct tr_window valid;
	char base_url[256];		/* "" when the root names none */
};

/* A certificate authority or timestamp authority: its chain as the
 * trusted root lists it (leaf-most first, root last). */
struct keys_ca {
	X509 **certs;
	size_t n_certs;
	struct tr_window valid;
	char uri[256];
};

struct keys_trustroot {
	struct keys_log *tlogs, *ctlogs;
	size_t n_tlogs, n_ctlogs;
	struct keys_ca *cas, *tsas;
	size_t n_cas, n_tsas;
};

/* The OpenSSL objects of a parsed trusted root: each rawBytes strictly
 * one DER SubjectPublicKeyInfo of the kind its keyDetails names (RSA of
 * 2048 bits or more), each chain certificate strictly one DER
 * certificate. ERR_FORMAT naming the JSON path of the first that is not
 * (".tlogs[1].publicKey.rawBytes: ..."). New: keys_trustroot_free. */
int keys_trustroot_new(struct keys_trustroot **out,
		       const struct trustedroot *tr);
void keys_trustroot_free(struct keys_trustroot *t);

/* ---- which trusted root (rootfile.c) ----------------------------------- */

/* The name of the root built into signet, and what `signet version` says
 * of it: Sigstore's public-good instance, from sigstore/root-signing
 * (tests/data/keyless/SOURCE); its newest entry is valid from the date
 * given (test_keyless checks both against the bytes). */
#define KEYS_TRUSTROOT_BUILTIN "the built-in Sigstore public-good root"
#define KEYS_TRUSTROOT_BUILTIN_SHA256 \
	"6494e21ea73fa7ee769f85f57d5a3e6a08725eae1e38c755fc3517c9e6bc0b66"
#define KEYS_TRUSTROOT_BUILTIN_DATE "2025-09-23"

/* A trusted root from @len bytes of JSON (trustedroot_parse, then
 * keys_trustroot_new); errors say "trusted root @what: JSON-PATH: ...". */
int keys_trustroot_parse(struct keys_trustroot **out, const void *data,
			 size_t len, const char *what);
/* The built-in root's bytes (not NUL-terminated). */
void keys_trustroot_builtin_bytes(const void **data, size_t *len);
/* The trusted root to use: the file @given (--trusted-root, or a
 * policy's), else $SIGNET_TRUSTED_ROOT when set and not empty, else the
 * built-in one; what it is ("FILE", "FILE ($SIGNET_TRUSTED_ROOT)" or
 * KEYS_TRUSTROOT_BUILTIN) into @which. ERR_NOTFOUND / ERR_IO when the
 * file cannot be read, ERR_FORMAT with the JSON path when it is
 * malformed: never a verification failure. */
int keys_trustroot_select(struct keys_trustroot **out, char *which,
			  size_t which_sz, const char *given);
/* A trusted root chosen by keys_trustroot_select's rule (or, @builtin,
 * always the built-in one) but read only when first asked for: most
 * verifications never need one. Safe to share between threads. */
struct keys_trustroot_lazy {
	const char *given;		/* keys_trustroot_select's @given */
	bool builtin;			/* the built-in root, whatever
					 * $SIGNET_TRUSTED_ROOT says (a
					 * locked policy) */
	pthread_mutex_t lock;
	bool tried;
	int rc;				/* the load's result */
	char msg[1024];			/* its error message */
	struct keys_trustroot *root;
	char which[4160];
};

void keys_trustroot_lazy_init(struct keys_trustroot_lazy *l,
			      const char *given, bool builtin);
/* The root, loaded on the first call (once, whichever thread asks
 * first), borrowed into *@out; what the load failed with on every call
 * when it did (keys_trustroot_select's codes and message). */
int keys_trustroot_lazy_get(const struct keys_trustroot **out,
			    struct keys_trustroot_lazy *l);
/* Has keys_trustroot_lazy_get been called (the load tried)? */
bool keys_trustroot_lazy_tried(struct keys_trustroot_lazy *l);
void keys_trustroot_lazy_release(struct keys_trustroot_lazy *l);
/* Has @t the transparency log (@ct: CT log) whose logId.keyId is @id,
 * whatever its validity window? */
bool keys_trustroot_has_log(const struct keys_trustroot *t, bool ct,
			    const void *id, size_t id_len);
/* The transparency log (@ct: the CT log) whose logId.keyId is @id and
 * whose key was valid at @at, borrowed into @out. ERR_VERIFY "no
 * transparency log with key id HEX in the trusted root" or "... key id
 * HEX was not valid at TIME (valid from ... to ...)" otherwise. */
int keys_trustroot_log(const struct keys_log **out,
		       const struct keys_trustroot *t, bool ct,
		       const void *id, size_t id_len, time_t at);
/* The certificate authorities (@tsa: timestamp authorities) valid at
 * @at, borrowed into @out (at most @max); returns how many. */
size_t keys_trustroot_cas_at(const struct keys_ca **out, size_t max,
			     const struct keys_trustroot *t, bool tsa,
			     time_t at);
/* 0 when @sig is @log's signature over @data: ECDSA (ASN.1 DER) with
 * SHA-256, SHA-384 or SHA-512 by curve (P-256, P-384, P-521), Ed25519
 * over the bytes, RSA PKCS#1 v1.5 with SHA-256; ERR_VERIFY otherwise. */
int keys_log_verify(const struct keys_log *log, const void *data,
		    size_t len, const void *sig, size_t siglen);

#endif
