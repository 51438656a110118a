/* sign.h - sign images: resolve once, sign the digest, store the signature. */
#ifndef SIGNET_SIGN_H
#define SIGNET_SIGN_H

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "../core/core.h"
#include "../formats/formats.h"
#include "../registry/registry.h"

struct sign_opts {
	enum sig_format format;		/* FORMAT_COSIGN (0) by default */
	bool recursive;			/* an index: sign each manifest too */
	EVP_PKEY *key;			/* borrowed */
	X509 *const *chain;		/* FORMAT_NOTATION: leaf first, its
					 * key matching @key (borrowed) */
	size_t n_chain;
	long expiry;			/* FORMAT_NOTATION: seconds, 0 none */
	const struct kvlist *annotations;
};

struct sign_result {
	char pinned[REF_HOST_MAX + REF_REPO_MAX + DIGEST_STR_MAX + 2];
	bool by_tag;			/* the image was named by tag */
	bool added;			/* false: that signature was there */
	struct digest *children;	/* --recursive: platform manifests
					 * signed too (owned) */
	size_t n_children;
};

void sign_result_release(struct sign_result *r);

/* Resolve @image to its manifest digest once, sign that digest in cosign's
 * simple-signing format and append it to the image's .sig manifest. */
int sign_image(struct registry *reg, const char *image,
	       const struct sign_opts *opts, struct sign_result *out);

#endif
