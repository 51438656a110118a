/*
 * sigs.c - cosign's tag scheme: signatures of image sha256:X live as layers
 * of the OCI manifest tagged sha256-X.sig, one simple-signing payload blob
 * per layer with the signature in a layer annotation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

void sig_manifest_release(struct sig_manifest *m)
{
	manifest_release(&m->raw);
	json_decref(m->doc);
	free(m->layers);
	memset(m, 0, sizeof(*m));
}

int sigs_parse_layers(struct sig_manifest *m, const char *what)
{
	json_t *layers = json_object_get(m->doc, "layers"), *l;
	size_t i;

	if (!json_is_object(m->doc) || !json_is_array(layers))
		return err_set(ERR_FORMAT, "%s: not an image manifest", what);
	if (json_array_size(layers) > 10000)
		return err_set(ERR_FORMAT, "%s: too many layers", what);
	m->layers = calloc(json_array_size(layers) + 1, sizeof(*m->layers));
	if (!m->layers)
		return err_set(ERR_NOMEM, "out of memory");
	json_array_foreach(layers, i, l) {
		struct sig_layer *s = &m->layers[m->n_layers];
		json_t *size = json_object_get(l, "size");
		json_t *ann = json_object_get(l, "annotations");
		const char *d = jx_str(l, "digest");

		s->media_type = jx_str(l, "mediaType");
		if (!s->media_type || !d || digest_parse(&s->digest, d) < 0 ||
		    !json_is_integer(size) || json_integer_value(size) < 0 ||
		    (ann && !json_is_object(ann)))
			return err_set(ERR_FORMAT, "%s: malformed layer %zu",
				       what, i);
		s->size = (size_t)json_integer_value(size);
		s->annotations = ann;
		m->n_layers++;
	}
	return 0;
}

int sigs_get(struct registry *reg, const struct image_ref *repo,
	     const struct digest *image, struct sig_manifest *out)
{
	char tag[80], what[600];
	int rc;

	memset(out, 0, sizeof(*out));
	sigtag_for(tag, image);
	snprintf(what, sizeof(what), "signatures of '%s/%s@%s'",
		 repo->registry, repo->repository, image->str);
	if (registry_tag_known_absent(reg, repo, tag)) {
		buf_init(&out->raw.body, MANIFEST_MAX);
		rc = ERR_NOTFOUND;
	} else {
		rc = registry_get_manifest(reg, repo, tag, &out->raw);
	}
	if (rc == ERR_NOTFOUND)
		return err_set(rc, "no signatures found for '%s/%s@%s'",
			       repo->registry, repo->repository, image->str);
	if (rc < 0)
		return rc;
	if ((rc = jx_parse(&out->doc, out->raw.body.data, out->raw.body.len,
			   what)) < 0 ||
	    (rc = sigs_parse_layers(out, what)) < 0)
		sig_manifest_release(out);
	return rc;
}

int sigs_get_payload(struct registry *reg, const struct image_ref *repo,
		     const struct sig_layer *layer, struct buf *out)
{
	if (layer->size > SIGBLOB_MAX)
		return err_set(ERR_FORMAT, "signature payload %s is %zu bytes, "
			       "over the %u byte limit", layer->digest.str,
			       layer->size, SIGBLOB_MAX);
	return registry_get_blob(reg, repo, &layer->digest,
				 layer->size ? layer->size : 1, out);
}

static json_t *descriptor(const char *media_type, const struct digest *d,
			  size_t size)
{
	return json_pack("{s:s,s:I,s:s}", "mediaType", media_type,
			 "size", (json_int_t)size, "digest", d->str);
}

/* The config cosign writes: an image config listing payload digests. */
static int build_config(struct buf *out, const json_t *layers)
{
	json_t *diff = json_array(), *l, *cfg;
	size_t i;
	char *s;
	int rc;

	json_array_foreach(layers, i, l)
		json_array_append(diff, json_object_get(l, "digest"));
	cfg = json_pack("{s:s,s:s,s:[{s:s}],s:s,s:{s:s,s:o},s:{}}",
			"architecture", "", "created", "0001-01-01T00:00:00Z",
			"history", "created", "0001-01-01T00:00:00Z",
			"os", "", "rootfs", "type", "layers", "diff_ids", diff,
			"config");
	if (!cfg)
		return err_set(ERR_NOMEM, "cannot build config");
	s = json_dumps(cfg, JSON_COMPACT | JSON_PRESERVE_ORDER);
	rc = s ? buf_appends(out, s) : err_set(ERR_NOMEM, "out of memory");
	free(s);
	json_decref(cfg);
	return rc;
}

/* Is this signature, or one by the same signer over the same payload,
 * already a layer of @layers? */
static bool already_there(const json_t *layers, const struct digest *pd,
			  const char *sig_b64, sigs_same_signer_fn same,
			  void *ctx)
{
	json_t *l;
	size_t i;

	json_array_foreach(layers, i, l) {
		const char *d = jx_str(l, "digest");
		const char *s = jx_str(json_object_get(l, "annotations"),
				       ANN_COSIGN_SIGNATURE);

		if (d && s && strcmp(d, pd->str) == 0 &&
		    (strcmp(s, sig_b64) == 0 || (same && same(ctx, s))))
			return true;
	}
	return false;
}

struct sig_merge {
	struct registry *reg;
	const struct image_ref *repo;
	struct digest pd;		/* payload blob */
	size_t len;
	const char *sig_b64;
	sigs_same_signer_fn same;
	void *same_ctx;
};

/* merge_fn for the .sig manifest: keep every layer, add ours. */
static int sig_merge(void *ctx, const struct manifest *cur, char **body,
		     bool *present)
{
	struct sig_merge *m = ctx;
	struct digest cd;
	struct buf cfg;
	json_t *doc = NULL, *layers, *layer, *man = NULL;
	int rc = 0;

	buf_init(&cfg, MANIFEST_MAX);
	if (cur) {
		if ((rc = jx_parse(&doc, cur->body.data, cur->body.len,
				   "signature manifest")) < 0)
			return rc;
		layers = json_object_get(doc, "layers");
		if (!json_is_array(layers)) {
			json_decref(doc);
			return err_set(ERR_FORMAT, "the .sig tag does not hold "
				       "an image manifest; not overwriting it");
		}
		layers = json_deep_copy(layers);
	} else {
		layers = json_array();
	}
	json_decref(doc);
	if (!layers)
		return err_set(ERR_NOMEM, "out of memory");
	if (already_there(layers, &m->pd, m->sig_b64, m->same, m->same_ctx)) {
		*present = true;
		goto out;
	}
	layer = descriptor(MT_SIMPLESIGNING, &m->pd, m->len);
	if (!layer || json_object_set_new(layer, "annotations",
			json_pack("{s:s}", ANN_COSIGN_SIGNATURE,
				  m->sig_b64)) < 0 ||
	    json_array_append_new(layers, layer) < 0) {
		rc = err_set(ERR_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = build_config(&cfg, layers)) < 0 ||
	    (rc = registry_put_blob(m->reg, m->repo, cfg.data, cfg.len,
				    &cd)) < 0)
		goto out;
	man = json_pack("{s:i,s:s,s:o,s:O}", "schemaVersion", 2,
			"mediaType", MT_OCI_MANIFEST,
			"config", descriptor(MT_OCI_CONFIG, &cd, cfg.len),
			"layers", layers);
	*body = man ? json_dumps(man, JSON_COMPACT | JSON_PRESERVE_ORDER) :
		NULL;
	if (!*body)
		rc = err_set(ERR_NOMEM, "out of memory");
out:
	json_decref(man);
	json_decref(layers);
	buf_release(&cfg);
	return rc;
}

int sigs_append(struct registry *reg, const struct image_ref *repo,
		const struct digest *image, const void *payload, size_t len,
		const char *sig_b64, sigs_same_signer_fn same, void *ctx,
		bool *added)
{
	struct sig_merge m = { reg, repo, { "" }, len, sig_b64, same, ctx };
	char tag[80];
	int rc;

	*added = false;
	if ((rc = registry_put_blob(reg, repo, payload, len, &m.pd)) < 0)
		return rc;
	sigtag_for(tag, image);
	return registry_tag_merge(reg, repo, tag, MT_OCI_MANIFEST, sig_merge,
				  &m, added);
}
