/*
 * verify.c - see verify.h. Order matters: a payload's signature is checked
 * over its exact bytes before the payload is parsed, and its claims are
 * checked against what we resolved ourselves, never the other way round.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "verify.h"
#include "../keys/keys.h"

void verify_result_release(struct verify_result *r)
{
	size_t i;

	for (i = 0; i < r->n_sigs; i++) {
		free(r->sigs[i].docker_ref);
		json_decref(r->sigs[i].annotations);
	}
	free(r->sigs);
	memset(r, 0, sizeof(*r));
}

static void reason(struct sig_report *s, const char *why)
{
	s->valid = false;
	str_sanitize(s->reason, sizeof(s->reason), why);
}

/* Is a failure about this one signature (go on) or about us (stop)? */
static bool per_signature(int rc)
{
	return rc == ERR_FORMAT || rc == ERR_INTEGRITY || rc == ERR_NOTFOUND ||
	       rc == ERR_VERIFY;
}

/* Check one simple-signing layer; fills @s. Returns < 0 only for errors
 * that end the whole verification. */
static int check_cosign(struct registry *reg, const struct image_ref *ref,
			const char *repo, const struct digest *image,
			const struct sig_layer *layer,
			const struct verify_opts *o, struct sig_report *s)
{
	const char *sig_b64 = jx_str(layer->annotations, ANN_COSIGN_SIGNATURE);
	struct buf payload, sig;
	struct simplesign p = { 0 };
	char claim[REF_HOST_MAX + REF_REPO_MAX + 2], buf[300];
	const char *missing = NULL;
	size_t k;
	int rc;

	snprintf(s->format, sizeof(s->format), "cosign");
	s->payload = layer->digest;
	buf_init(&payload, SIGBLOB_MAX);
	buf_init(&sig, 16384);
	if (!sig_b64) {
		reason(s, "layer carries no signature annotation");
		rc = 0;
		goto out;
	}
	if ((rc = sigs_get_payload(reg, ref, layer, &payload)) < 0) {
		reason(s, err_msg());
		goto out;
	}
	if ((rc = b64_decode(&sig, sig_b64, strlen(sig_b64))) < 0) {
		reason(s, "signature annotation is not valid base64");
		goto out;
	}
	if (o->n_keys) {
		for (k = 0; k < o->n_keys; k++)
			if (keys_verify_sha256(o->keys[k], payload.data,
					       payload.len, sig.data,
					       sig.len) == 0)
				break;
		if (k == o->n_keys) {
			reason(s, "signature does not verify with any given "
			       "key");
			rc = 0;
			goto out;
		}
		keys_fingerprint(s->key, o->keys[k]);
	}
	if ((rc = simplesign_parse(&p, payload.data, payload.len)) < 0) {
		reason(s, err_msg());
		goto out;
	}
	s->docker_ref = strdup(p.docker_ref);
	if (p.optional)
		s->annotations = json_deep_copy(p.optional);
	if (!digest_eq(&p.image, image)) {
		snprintf(buf, sizeof(buf), "payload is for %s, not this image",
			 p.image.str);
		reason(s, buf);
		goto out;
	}
	if (ref_normalize_repo(claim, sizeof(claim), p.docker_ref) < 0 ||
	    strcmp(claim, repo) != 0) {
		str_sanitize(claim, sizeof(claim), p.docker_ref);
		snprintf(buf, sizeof(buf), "payload is for repository '%.200s'",
			 claim);
		reason(s, buf);
		rc = 0;
		goto out;
	}
	if (o->annotations && !kvlist_matched_by(o->annotations, p.optional,
						 &missing)) {
		snprintf(buf, sizeof(buf), "annotation '%.200s' missing or "
			 "different", missing);
		reason(s, buf);
		goto out;
	}
	s->valid = o->n_keys > 0;
out:
	simplesign_release(&p);
	buf_release(&sig);
	buf_release(&payload);
	if (rc < 0 && per_signature(rc)) {
		err_clear();
		rc = 0;
	}
	return rc;
}

int verify_image(struct registry *reg, const char *image,
		 const struct verify_opts *o, struct verify_result *out)
{
	struct image_ref ref;
	struct manifest man = { 0 };
	struct sig_manifest sm = { 0 };
	char repo[REF_HOST_MAX + REF_REPO_MAX + 2];
	size_t i, max = o->max_signatures ? o->max_signatures : 100;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = ref_parse(&ref, image)) < 0)
		return rc;
	out->by_tag = !ref_has_digest(&ref);
	rc = registry_get_manifest(reg, &ref, out->by_tag ? ref.tag :
				   ref.digest.str, &man);
	if (rc < 0)
		goto out;
	out->digest = man.digest;
	if ((rc = ref_format_repo(repo, sizeof(repo), &ref)) < 0 ||
	    (rc = ref_format_pinned(out->pinned, sizeof(out->pinned), &ref,
				    &man.digest)) < 0)
		goto out;
	rc = sigs_get(reg, &ref, &man.digest, &sm);
	if (rc == ERR_NOTFOUND) {
		rc = o->n_keys ? ERR_VERIFY : 0;
		if (!o->n_keys)
			err_clear();
		goto out;
	}
	if (rc < 0) {
		if (rc == ERR_FORMAT && o->n_keys)
			rc = ERR_VERIFY;
		goto out;
	}
	out->sigs = calloc(sm.n_layers + 1, sizeof(*out->sigs));
	if (!out->sigs) {
		rc = err_set(ERR_NOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < sm.n_layers && out->n_sigs < max; i++) {
		struct sig_report *s = &out->sigs[out->n_sigs];

		if (strcmp(sm.layers[i].media_type, MT_SIMPLESIGNING) != 0)
			continue;	/* an attachment, not a signature */
		out->n_sigs++;
		rc = check_cosign(reg, &ref, repo, &man.digest, &sm.layers[i],
				  o, s);
		if (rc < 0)
			goto out;
		if (s->valid)
			out->n_valid++;
	}
	if (o->n_keys && out->n_valid == 0) {
		if (out->n_sigs == 0)
			rc = err_set(ERR_VERIFY, "no signatures found for '%s'",
				     out->pinned);
		else
			rc = err_set(ERR_VERIFY, "no valid signature for '%s' "
				     "(%zu checked; first: %s)", out->pinned,
				     out->n_sigs, out->sigs[0].reason);
	}
out:
	sig_manifest_release(&sm);
	manifest_release(&man);
	return rc;
}
