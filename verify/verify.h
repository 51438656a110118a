/* verify.h - find an image's signatures and check them against keys. */
#ifndef SIGNET_VERIFY_H
#define SIGNET_VERIFY_H

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "../core/core.h"
#include "../registry/registry.h"

enum verify_format {
	VERIFY_COSIGN = 1,		/* cosign .sig tag, simple signing */
	VERIFY_BUNDLE = 2,		/* cosign 3 sigstore bundle referrer */
	VERIFY_NOTATION = 4,		/* Notary Project JWS referrer */
	VERIFY_ALL = 7,
};


struct verify_opts {
	unsigned formats;		/* enum verify_format bits; 0: all */
	EVP_PKEY *const *keys;		/* trusted keys (borrowed) */
	size_t n_keys;
	X509 *const *certs;		/* trust anchors for Notary
					 * signatures (borrowed) */
	size_t n_certs;
	time_t now;			/* 0: the current time */
	const struct kvlist *annotations;	/* all required */
	size_t max_signatures;		/* 0: 100 */
	bool exhaustive;		/* check every format even after a
					 * valid signature (thresholds) */
};

/* One signature found for the image, and what became of it. */
struct sig_report {
	char format[24];		/* "cosign", "sigstore-bundle",
					 * "notation" */
	struct digest payload;		/* digest of the signed bytes */
	char key[80];			/* fingerprint of the key that
					 * verified it, or "" */
	int cert_index;			/* Notary: the trusted certificate
					 * in its chain, or -1 */
	int key_index;			/* that key's index in opts->keys,
					 * or -1 */
	bool claims_ok;			/* verified by a key, and names this
					 * image (digest, repository) */
	char *docker_ref;		/* claimed, or NULL */
	json_t *annotations;		/* claimed annotations, or NULL */
	bool valid;			/* claims_ok and carries every
					 * required annotation */
	char reason[256];		/* why it does not count */
};

struct verify_result {
	char pinned[REF_HOST_MAX + REF_REPO_MAX + DIGEST_STR_MAX + 2];
	struct digest digest;
	bool by_tag;
	struct sig_report *sigs;
	size_t n_sigs;
	size_t n_valid;
};

/* Resolve @image, fetch its signatures and check each. 0 when at least one
 * signature is valid; ERR_VERIFY (message says why) when none is; other
 * codes for errors. With no keys, reports signatures without judging
 * them (for "signet list") and returns 0. */
int verify_image(struct registry *reg, const char *image,
		 const struct verify_opts *opts, struct verify_result *out);
void verify_result_release(struct verify_result *r);

/* Check one cosign simple-signing signature, no network: @sig_b64 over the
 * exact @payload bytes with one of o->keys, then the payload's claims: the
 * digest is @image, the docker-reference names @repo ("registry/repo"),
 * required annotations. Fills @s; 0 when valid, ERR_VERIFY otherwise. */
int verify_simplesign(const void *payload, size_t payload_len,
		      const char *sig_b64, const struct digest *image,
		      const char *repo, const struct verify_opts *o,
		      struct sig_report *s);

#endif
