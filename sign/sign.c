/* sign.c - see sign.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sign.h"
#include "../formats/formats.h"
#include "../keys/keys.h"

/* What sigs_append asks: was this existing signature made by our key over
 * the payload we are about to add? */
struct same_ctx {
	EVP_PKEY *key;
	const struct buf *payload;
};

static bool same_signer(void *ctx, const char *sig_b64)
{
	struct same_ctx *c = ctx;
	struct buf sig;
	bool same;

	buf_init(&sig, 16384);
	same = b64_decode(&sig, sig_b64, strlen(sig_b64)) == 0 &&
	       keys_verify_sha256(c->key, c->payload->data, c->payload->len,
				  sig.data, sig.len) == 0;
	buf_release(&sig);
	err_clear();
	return same;
}

static int sign_cosign(struct registry *reg, const struct image_ref *ref,
		       const struct manifest *man, const char *repo,
		       const struct sign_opts *opts, bool *added)
{
	struct buf payload, sig;
	struct same_ctx same = { opts->key, &payload };
	char *sig_b64 = NULL;
	int rc;

	buf_init(&payload, SIGBLOB_MAX);
	buf_init(&sig, 16384);
	if ((rc = simplesign_build(&payload, repo, &man->digest,
				   opts->annotations)) < 0 ||
	    (rc = keys_sign_sha256(&sig, opts->key, payload.data,
				   payload.len)) < 0)
		goto out;
	if (!(sig_b64 = b64_encode(sig.data, sig.len))) {
		rc = err_set(ERR_NOMEM, "out of memory");
		goto out;
	}
	rc = sigs_append(reg, ref, &man->digest, payload.data, payload.len,
			 sig_b64, same_signer, &same, added);
out:
	free(sig_b64);
	buf_release(&sig);
	buf_release(&payload);
	return rc;
}

static int sign_pae(void *ctx, const void *data, size_t len, struct buf *sig)
{
	return keys_sign_sha256(sig, ctx, data, len);
}

/* Push @blob and the manifest that makes it a referrer of @man, as
 * @spec's format writes it. */
static int push_referrer(struct registry *reg, const struct image_ref *ref,
			 const struct manifest *man, struct referrer_spec *spec,
			 const struct buf *blob)
{
	struct buf body;
	struct digest md;
	json_t *ann = NULL;
	int rc;

	buf_init(&body, MANIFEST_MAX);
	spec->subject = (struct oci_desc){ man->media_type, man->digest,
					   man->body.len };
	spec->blob_size = blob->len;
	if ((rc = registry_put_blob(reg, ref, blob->data, blob->len,
				    &spec->blob)) < 0 ||
	    (rc = registry_put_blob(reg, ref, OCI_EMPTY_JSON,
				    strlen(OCI_EMPTY_JSON), NULL)) < 0 ||
	    (rc = referrer_manifest_build(&body, &ann, spec)) < 0)
		goto out;
	rc = registry_put_referrer(reg, ref, &man->digest, MT_OCI_MANIFEST,
				   body.data, body.len,
				   referrer_artifact_type(spec->format), ann,
				   &md);
out:
	json_decref(ann);
	buf_release(&body);
	return rc;
}

/* cosign 3's form: a sigstore bundle pushed as a referrer of the image. */
static int sign_bundle(struct registry *reg, const struct image_ref *ref,
		       const struct manifest *man,
		       const struct sign_opts *opts)
{
	struct referrer_spec spec = { .format = FORMAT_BUNDLE,
				      .created = time(NULL) };
	unsigned char spki[32];
	char *hint = NULL;
	struct buf bundle;
	int rc;

	buf_init(&bundle, SIGBLOB_MAX);
	if ((rc = keys_spki_sha256(spki, opts->key)) < 0)
		goto out;
	if (!(hint = b64_encode(spki, sizeof(spki)))) {
		rc = err_set(ERR_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = bundle_build(&bundle, &man->digest, opts->annotations, hint,
			       sign_pae, opts->key)) < 0)
		goto out;
	rc = push_referrer(reg, ref, man, &spec, &bundle);
out:
	free(hint);
	buf_release(&bundle);
	return rc;
}

void sign_result_release(struct sign_result *r)
{
	free(r->children);
	r->children = NULL;
	r->n_children = 0;
}

static bool is_index(const struct manifest *m)
{
	return strcmp(m->media_type, MT_OCI_INDEX) == 0 ||
	       strcmp(m->media_type, MT_DOCKER_LIST) == 0;
}

/* Will the chain in @opts verify, with its own root standing in as the
 * anchor? Checked before anything is pushed. */
static int notary_check(const struct sign_opts *opts, time_t now)
{
	char why[300];

	if (!opts->n_chain)
		return err_set(ERR_USAGE, "notation signatures need --cert");
	if (EVP_PKEY_eq(X509_get0_pubkey(opts->chain[0]), opts->key) != 1)
		return err_set(ERR_USAGE, "the certificate does not belong "
			       "to the signing key");
	if (keys_notary_check_chain(opts->chain, opts->n_chain,
				    &opts->chain[opts->n_chain - 1], 1, now,
				    why, sizeof(why)) < 0)
		return err_set(ERR_USAGE, "the certificate chain would not "
			       "verify: %s", why);
	return 0;
}

/* Each certificate of the chain as DER into @der, and its thumbprint
 * into @tps. */
static int chain_encode(struct buf *der, char (*tps)[65],
			const struct sign_opts *opts)
{
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < opts->n_chain; i++) {
		unsigned char *p = NULL;
		int n = i2d_X509(opts->chain[i], &p);

		if (n <= 0)
			return err_set_ssl(ERR_CRYPTO, "cannot encode "
					   "certificate");
		rc = buf_append(&der[i], p, (size_t)n);
		OPENSSL_free(p);
		keys_cert_thumbprint(tps[i], opts->chain[i]);
	}
	return rc;
}

/* The Notary Project form: a JWS envelope in the manifest form every
 * released notation reads (config media type = the signature type),
 * pushed as a referrer of the image. */
static int sign_notary(struct registry *reg, const struct image_ref *ref,
		       const struct manifest *man,
		       const struct sign_opts *opts)
{
	time_t now = time(NULL);
	struct referrer_spec spec = { .format = FORMAT_NOTATION,
				      .created = now };
	struct buf payload, env, *der = NULL;
	char alg[8], (*tps)[65] = NULL;
	size_t i;
	int rc;

	buf_init(&payload, 1 << 20);
	buf_init(&env, JWS_MAX);
	if ((rc = notary_check(opts, now)) < 0)
		return rc;
	der = calloc(opts->n_chain, sizeof(*der));
	tps = calloc(opts->n_chain, sizeof(*tps));
	if (!der || !tps) {
		rc = err_set(ERR_NOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < opts->n_chain; i++)
		buf_init(&der[i], 0);
	spec.thumbprints = (const char (*)[65])tps;
	spec.n_thumbprints = opts->n_chain;
	if ((rc = chain_encode(der, tps, opts)) < 0 ||
	    (rc = keys_jws_alg(alg, opts->key)) < 0 ||
	    (rc = notary_payload_build(&payload, man->media_type,
				       &man->digest, man->body.len,
				       opts->annotations)) < 0 ||
	    (rc = jws_build(&env, alg, payload.data, payload.len, der,
			    opts->n_chain, now,
			    opts->expiry ? now + opts->expiry : 0,
			    keys_jws_signer, opts->key)) < 0)
		goto out;
	rc = push_referrer(reg, ref, man, &spec, &env);
out:
	for (i = 0; der && i < opts->n_chain; i++)
		buf_release(&der[i]);
	free(der);
	free(tps);
	buf_release(&env);
	buf_release(&payload);
	return rc;
}

static int sign_manifest(struct registry *reg, const struct image_ref *ref,
			 const struct manifest *man, const char *repo,
			 const struct sign_opts *opts, bool *added)
{
	if (opts->format == FORMAT_BUNDLE) {
		*added = true;
		return sign_bundle(reg, ref, man, opts);
	}
	if (opts->format == FORMAT_NOTATION) {
		*added = true;
		return sign_notary(reg, ref, man, opts);
	}
	return sign_cosign(reg, ref, man, repo, opts, added);
}

/* Sign every manifest an index lists, each fetched by digest (and so
 * checked against it) before it is signed. */
static int sign_children(struct registry *reg, const struct image_ref *ref,
			 const struct manifest *index, const char *repo,
			 const struct sign_opts *opts, struct sign_result *out)
{
	json_t *doc = NULL, *list, *m;
	size_t i;
	int rc;

	if ((rc = jx_parse(&doc, index->body.data, index->body.len,
			   "image index")) < 0)
		return rc;
	list = json_object_get(doc, "manifests");
	if (!json_is_array(list) || json_array_size(list) > 1000) {
		rc = err_set(ERR_FORMAT, "image index lists no manifests");
		goto out;
	}
	out->children = calloc(json_array_size(list) + 1,
			       sizeof(*out->children));
	if (!out->children) {
		rc = err_set(ERR_NOMEM, "out of memory");
		goto out;
	}
	json_array_foreach(list, i, m) {
		struct manifest child = { 0 };
		struct digest d;
		bool added;

		if ((rc = digest_parse(&d, jx_str(m, "digest"))) < 0)
			goto out;
		rc = registry_get_manifest(reg, ref, d.str, &child);
		if (rc == 0)
			rc = sign_manifest(reg, ref, &child, repo, opts,
					   &added);
		manifest_release(&child);
		if (rc < 0)
			goto out;
		out->children[out->n_children++] = d;
	}
out:
	json_decref(doc);
	return rc;
}

int sign_image(struct registry *reg, const char *image,
	       const struct sign_opts *opts, struct sign_result *out)
{
	struct image_ref ref;
	struct manifest man = { 0 };
	char repo[REF_HOST_MAX + REF_REPO_MAX + 2];
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = ref_parse(&ref, image)) < 0)
		return rc;
	out->by_tag = !ref_has_digest(&ref);
	/* The one resolution: everything below uses man.digest. */
	if ((rc = registry_get_manifest(reg, &ref, out->by_tag ? ref.tag :
					ref.digest.str, &man)) < 0)
		goto out;
	if ((rc = ref_format_repo(repo, sizeof(repo), &ref)) < 0 ||
	    (rc = ref_format_pinned(out->pinned, sizeof(out->pinned), &ref,
				    &man.digest)) < 0)
		goto out;
	rc = sign_manifest(reg, &ref, &man, repo, opts, &out->added);
	if (rc == 0 && opts->recursive && is_index(&man))
		rc = sign_children(reg, &ref, &man, repo, opts, out);
	if (rc < 0)
		err_wrap(rc, "cannot store signature for '%s'", out->pinned);
out:
	manifest_release(&man);
	return rc;
}
