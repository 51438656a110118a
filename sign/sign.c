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

/* cosign 3's form: a sigstore bundle pushed as a referrer of the image. */
static int sign_bundle(struct registry *reg, const struct image_ref *ref,
		       const struct manifest *man,
		       const struct sign_opts *opts)
{
	static const char empty[] = "{}";
	unsigned char spki[32];
	char *hint = NULL, *body = NULL, created[32];
	struct buf bundle;
	struct digest bd, cd, md;
	json_t *m = NULL, *ann = NULL;
	time_t now = time(NULL);
	struct tm tm;
	int rc;

	buf_init(&bundle, SIGBLOB_MAX);
	if ((rc = keys_spki_sha256(spki, opts->key)) < 0)
		goto out;
	if (!(hint = b64_encode(spki, sizeof(spki)))) {
		rc = err_set(ERR_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = bundle_build(&bundle, &man->digest, opts->annotations, hint,
			       sign_pae, opts->key)) < 0 ||
	    (rc = registry_put_blob(reg, ref, bundle.data, bundle.len,
				    &bd)) < 0 ||
	    (rc = registry_put_blob(reg, ref, empty, 2, &cd)) < 0)
		goto out;
	gmtime_r(&now, &tm);
	strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%SZ", &tm);
	ann = json_pack("{s:s,s:s,s:s}",
			"dev.sigstore.bundle.content", "dsse-envelope",
			"dev.sigstore.bundle.predicateType",
			COSIGN_SIGN_PREDICATE,
			"org.opencontainers.image.created", created);
	m = ann ? json_pack("{s:i,s:s,s:s,s:{s:s,s:i,s:s},"
			    "s:[{s:s,s:I,s:s}],s:{s:s,s:I,s:s},s:O}",
		"schemaVersion", 2, "mediaType", MT_OCI_MANIFEST,
		"artifactType", MT_SIGSTORE_BUNDLE,
		"config", "mediaType", MT_OCI_EMPTY, "size", 2,
		"digest", cd.str,
		"layers", "mediaType", MT_SIGSTORE_BUNDLE,
		"size", (json_int_t)bundle.len, "digest", bd.str,
		"subject", "mediaType", man->media_type,
		"size", (json_int_t)man->body.len, "digest", man->digest.str,
		"annotations", ann) : NULL;
	body = m ? json_dumps(m, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	if (!body) {
		rc = err_set(ERR_NOMEM, "out of memory");
		goto out;
	}
	rc = registry_put_referrer(reg, ref, &man->digest, MT_OCI_MANIFEST,
				   body, strlen(body), MT_SIGSTORE_BUNDLE, ann,
				   &md);
out:
	free(body);
	free(hint);
	json_decref(m);
	json_decref(ann);
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

/* The Notary Project form: a JWS envelope in the manifest form every
 * released notation reads (config media type = the signature type),
 * pushed as a referrer of the image. */
static int sign_notary(struct registry *reg, const struct image_ref *ref,
		       const struct manifest *man,
		       const struct sign_opts *opts)
{
	static const char empty[] = "{}";
	struct buf payload, env, *der = NULL, tps;
	struct digest ed, cd, md;
	char alg[8], created[32], tp[65];
	json_t *m = NULL, *ann = NULL;
	time_t now = time(NULL);
	char *body = NULL;
	size_t i;
	int rc;

	buf_init(&payload, 1 << 20);
	buf_init(&env, JWS_MAX);
	buf_init(&tps, 1 << 16);
	if (!opts->n_chain)
		return err_set(ERR_USAGE, "notation signatures need --cert");
	if (EVP_PKEY_eq(X509_get0_pubkey(opts->chain[0]), opts->key) != 1)
		return err_set(ERR_USAGE, "the certificate does not belong "
			       "to the signing key");
	/* what verifiers will hold against it, before anything is pushed:
	 * the chain ends at its own root, which stands in as the anchor */
	{
		char why[300];

		if (keys_notary_check_chain(opts->chain, opts->n_chain,
					    &opts->chain[opts->n_chain - 1], 1,
					    now, why, sizeof(why)) < 0)
			return err_set(ERR_USAGE, "the certificate chain would "
				       "not verify: %s", why);
	}
	if (!(der = calloc(opts->n_chain, sizeof(*der))))
		return err_set(ERR_NOMEM, "out of memory");
	for (i = 0; i < opts->n_chain; i++) {
		unsigned char *p = NULL;
		int n = i2d_X509(opts->chain[i], &p);

		buf_init(&der[i], 0);
		if (n <= 0) {
			rc = err_set_ssl(ERR_CRYPTO, "cannot encode certificate");
			goto out;
		}
		rc = buf_append(&der[i], p, (size_t)n);
		OPENSSL_free(p);
		if (rc < 0)
			goto out;
		keys_cert_thumbprint(tp, opts->chain[i]);
		if ((rc = buf_appendf(&tps, "%s\"%s\"", i ? "," : "[",
				      tp)) < 0)
			goto out;
	}
	if ((rc = buf_appends(&tps, "]")) < 0 ||
	    (rc = keys_jws_alg(alg, opts->key)) < 0 ||
	    (rc = notary_payload_build(&payload, man->media_type,
				       &man->digest, man->body.len,
				       opts->annotations)) < 0 ||
	    (rc = jws_build(&env, alg, payload.data, payload.len, der,
			    opts->n_chain, now,
			    opts->expiry ? now + opts->expiry : 0,
			    keys_jws_signer, opts->key)) < 0 ||
	    (rc = registry_put_blob(reg, ref, env.data, env.len, &ed)) < 0 ||
	    (rc = registry_put_blob(reg, ref, empty, 2, &cd)) < 0)
		goto out;
	jws_time_format(created, now);
	ann = json_pack("{s:s,s:s}", ANN_NOTARY_THUMBPRINTS, tps.data,
			"org.opencontainers.image.created", created);
	m = ann ? json_pack("{s:i,s:s,s:{s:s,s:s,s:i},"
			    "s:[{s:s,s:s,s:I}],s:{s:s,s:s,s:I},s:O}",
		"schemaVersion", 2, "mediaType", MT_OCI_MANIFEST,
		"config", "mediaType", MT_NOTARY_SIGNATURE, "digest", cd.str,
		"size", 2,
		"layers", "mediaType", JWS_MEDIA_TYPE, "digest", ed.str,
		"size", (json_int_t)env.len,
		"subject", "mediaType", man->media_type,
		"digest", man->digest.str, "size", (json_int_t)man->body.len,
		"annotations", ann) : NULL;
	body = m ? json_dumps(m, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	if (!body) {
		rc = err_set(ERR_NOMEM, "out of memory");
		goto out;
	}
	rc = registry_put_referrer(reg, ref, &man->digest, MT_OCI_MANIFEST,
				   body, strlen(body), MT_NOTARY_SIGNATURE,
				   ann, &md);
out:
	for (i = 0; der && i < opts->n_chain; i++)
		buf_release(&der[i]);
	free(der);
	free(body);
	json_decref(m);
	json_decref(ann);
	buf_release(&tps);
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
