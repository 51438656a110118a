/*
 * referrers.c - OCI 1.1 referrers. Reading asks the referrers API and falls
 * back to the tag schema (an image index tagged sha256-<hex>) when the
 * registry has no API; writing pushes the manifest by digest and, when the
 * registry does not say OCI-Subject, maintains the tag index too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define MAX_REFERRERS 10000

const char *const registry_index_accept[] = {
	"Accept: " MT_OCI_INDEX, NULL,
};

void referrers_release(struct referrers *r)
{
	json_decref(r->doc);
	free(r->items);
	memset(r, 0, sizeof(*r));
}

static void index_tag(char out[80], const struct digest *d)
{
	snprintf(out, 80, "sha256-%s", digest_hex(d));
}

int referrers_parse_index(struct referrers *out, const char *artifact_type,
			  const char *what)
{
	json_t *list = json_object_get(out->doc, "manifests"), *m;
	size_t i;

	if (!json_is_object(out->doc) || !json_is_array(list))
		return err_set(ERR_FORMAT, "%s: not an image index", what);
	if (json_array_size(list) > MAX_REFERRERS)
		return err_set(ERR_FORMAT, "%s: more than %d referrers", what,
			       MAX_REFERRERS);
	out->items = calloc(json_array_size(list) + 1, sizeof(*out->items));
	if (!out->items)
		return err_set(ERR_NOMEM, "out of memory");
	json_array_foreach(list, i, m) {
		struct referrer *r = &out->items[out->n];
		json_t *size = json_object_get(m, "size");
		json_t *ann = json_object_get(m, "annotations");
		const char *d = jx_str(m, "digest");

		r->media_type = jx_str(m, "mediaType");
		r->artifact_type = jx_str(m, "artifactType");
		if (!r->media_type || !d || digest_parse(&r->digest, d) < 0 ||
		    !json_is_integer(size) || json_integer_value(size) < 0 ||
		    (ann && !json_is_object(ann)))
			return err_set(ERR_FORMAT, "%s: malformed entry %zu",
				       what, i);
		/* Some registries report the config media type as the
		 * artifact type (go-containerregistry's does); an entry
		 * whose type is missing or the empty config's stays, and
		 * the caller decides on the manifest itself. */
		if (artifact_type && r->artifact_type &&
		    strcmp(r->artifact_type, artifact_type) != 0 &&
		    strcmp(r->artifact_type, MT_OCI_EMPTY) != 0)
			continue;
		r->size = (size_t)json_integer_value(size);
		r->annotations = ann;
		out->n++;
	}
	return 0;
}

/* Has this registry shown it has no referrers API (registry_known)? */
static bool api_known_absent(struct registry *reg,
			     const struct image_ref *repo)
{
	const struct registry_known *k = http_known(reg, repo);

	if (!k || !k->referrers_api ||
	    __atomic_load_n(k->referrers_api, __ATOMIC_RELAXED) !=
	    REFERRERS_API_ABSENT)
		return false;
	debugf("GET /v2/%s/referrers/... skipped: the registry has no "
	       "referrers API", repo->repository);
	return true;
}

/* Remember what the API's answer @status showed: the first answer
 * decides, except that one 200 makes it present for good. */
static void api_learn(struct registry *reg, const struct image_ref *repo,
		      long status)
{
	const struct registry_known *k = http_known(reg, repo);
	int unknown = REFERRERS_API_UNKNOWN;

	if (!k || !k->referrers_api)
		return;
	if (status == 200)
		__atomic_store_n(k->referrers_api, REFERRERS_API_PRESENT,
				 __ATOMIC_RELAXED);
	else if (status == 404)
		__atomic_compare_exchange_n(k->referrers_api, &unknown,
					    REFERRERS_API_ABSENT, false,
					    __ATOMIC_RELAXED,
					    __ATOMIC_RELAXED);
}

/* The referrers tag @tag holds something other than a referrers index
 * (cosign copy writes the image manifest there) or a malformed one: a
 * finding for the caller to report, with the recorded message, not a
 * reason to stop reading the image's other signature locations. */
static int foreign_tag(struct referrers *out, const char *tag)
{
	char why[880];

	str_sanitize(why, sizeof(why), err_msg());
	err_clear();
	json_decref(out->doc);
	free(out->items);
	out->doc = NULL;
	out->items = NULL;
	out->n = 0;
	snprintf(out->warning, sizeof(out->warning), "the referrers tag "
		 "'%.71s' is not a usable referrers index, ignored: %s", tag,
		 why);
	return 0;
}

int registry_get_referrers(struct registry *reg, const struct image_ref *repo,
			   const struct digest *subject,
			   const char *artifact_type, struct referrers *out)
{
	char path[1024], what[700], tag[80];
	struct http_req req = { 0 };
	struct http_resp resp;
	struct manifest idx = { 0 };
	int rc;

	memset(out, 0, sizeof(*out));
	snprintf(what, sizeof(what), "referrers of '%s/%s@%s'",
		 repo->registry, repo->repository, subject->str);
	if (snprintf(path, sizeof(path), "/v2/%s/referrers/%s",
		     repo->repository, subject->str) >= (int)sizeof(path))
		return err_set(ERR_FORMAT, "reference too long");
	req = (struct http_req){
		.method = "GET",
		.host = repo->registry,
		.path = path,
		.repo = repo->repository,
		.headers = registry_index_accept,
		.what = what,
		.follow = true,
		.ok_404 = true,
	};
	http_resp_init(&resp, MANIFEST_MAX);
	if (api_known_absent(reg, repo)) {
		resp.status = 404;
	} else {
		if ((rc = http_do(reg, &req, &resp)) < 0)
			goto out;
		api_learn(reg, repo, resp.status);
	}
	if (resp.status == 200) {
		out->via_api = true;
		if ((rc = jx_parse(&out->doc, resp.body.data, resp.body.len,
				   what)) < 0)
			goto out;
		rc = referrers_parse_index(out, artifact_type, what);
		goto out;
	}
	/* 404: no referrers API here; the tag schema stands in */
	index_tag(tag, subject);
	rc = registry_tag_known_absent(reg, repo, tag) ? ERR_NOTFOUND :
		registry_get_manifest(reg, repo, tag, &idx);
	if (rc == ERR_NOTFOUND) {
		err_clear();
		rc = 0;
		goto out;
	}
	if (rc < 0)
		goto out;
	if ((rc = jx_parse(&out->doc, idx.body.data, idx.body.len,
			   what)) == 0)
		rc = referrers_parse_index(out, artifact_type, what);
	if (rc == ERR_FORMAT)
		rc = foreign_tag(out, tag);
out:
	if (rc < 0)
		referrers_release(out);
	manifest_release(&idx);
	http_resp_release(&resp);
	return rc;
}

/* merge_fn for the referrers tag index: keep every entry, add ours. */
static int index_merge(void *ctx, const struct manifest *cur, char **body,
		       bool *present)
{
	json_t *desc = ctx, *doc = NULL, *list, *m;
	const char *want = jx_str(desc, "digest");
	size_t i;
	int rc = 0;

	if (cur) {
		rc = jx_parse(&doc, cur->body.data, cur->body.len,
			      "referrers tag index");
		if (rc == 0 && (!json_is_object(doc) ||
		    !json_is_array(json_object_get(doc, "manifests"))))
			rc = err_set(ERR_FORMAT, "the referrers tag does not "
				     "hold an image index; not overwriting it");
	} else {
		doc = json_pack("{s:i,s:s,s:[]}", "schemaVersion", 2,
				"mediaType", MT_OCI_INDEX, "manifests");
		if (!doc)
			rc = err_set(ERR_NOMEM, "out of memory");
	}
	if (rc < 0)
		goto out;
	list = json_object_get(doc, "manifests");
	json_array_foreach(list, i, m) {
		const char *d = jx_str(m, "digest");

		if (d && strcmp(d, want) == 0) {
			*present = true;
			goto out;
		}
	}
	if (json_array_append(list, desc) < 0 ||
	    !(*body = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER)))
		rc = err_set(ERR_NOMEM, "out of memory");
out:
	json_decref(doc);
	return rc;
}

/* Add @desc to the sha256-<hex> index of @subject unless it is there. */
static int tag_index_add(struct registry *reg, const struct image_ref *repo,
			 const struct digest *subject, json_t *desc)
{
	char tag[80];
	bool added;

	index_tag(tag, subject);
	return registry_tag_merge(reg, repo, tag, MT_OCI_INDEX, index_merge,
				  desc, &added);
}

int registry_put_referrer(struct registry *reg, const struct image_ref *repo,
			  const struct digest *subject, const char *media_type,
			  const void *manifest, size_t len,
			  const char *artifact_type, const json_t *annotations,
			  struct digest *out)
{
	json_t *desc;
	bool subject_seen = false;
	int rc;

	digest_of(out, manifest, len);
	rc = registry_put_manifest(reg, repo, out->str, media_type, manifest,
				   len, &subject_seen);
	if (rc < 0 || subject_seen)
		return rc;
	desc = json_pack("{s:s,s:I,s:s}", "mediaType", media_type,
			 "size", (json_int_t)len, "digest", out->str);
	if (!desc)
		return err_set(ERR_NOMEM, "out of memory");
	if (artifact_type)
		json_object_set_new(desc, "artifactType",
				    json_string(artifact_type));
	if (annotations && json_object_size(annotations))
		json_object_set(desc, "annotations", (json_t *)annotations);
	rc = tag_index_add(reg, repo, subject, desc);
	json_decref(desc);
	return rc;
}
