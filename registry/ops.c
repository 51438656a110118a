/*
 * ops.c - distribution API operations: manifests, blobs, tag lists and the
 * catalog. Content is checked against its digest before anyone parses it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <curl/curl.h>

#include "internal.h"

const char *const registry_manifest_accept[] = {
	"Accept: " MT_OCI_MANIFEST ", " MT_OCI_INDEX ", " MT_DOCKER_MANIFEST
	", " MT_DOCKER_LIST,
	NULL,
};

bool registry_reference_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (digest_valid(s))
		return true;
	if (n == 0 || n > 128)
		return false;
	for (i = 0; i < n; i++) {
		char c = s[i];
		bool word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			    (c >= '0' && c <= '9') || c == '_';

		if (!word && (i == 0 || (c != '.' && c != '-')))
			return false;
	}
	return true;
}

static int repo_path(char *out, size_t n, const struct image_ref *repo,
		     const char *kind, const char *reference)
{
	int w = snprintf(out, n, "/v2/%s/%s/%s", repo->repository, kind,
			 reference);

	if (w < 0 || (size_t)w >= n)
		return err_set(ERR_FORMAT, "reference too long");
	return 0;
}

void manifest_release(struct manifest *m)
{
	buf_release(&m->body);
}

/* The media type a manifest declares, else the Content-Type header. */
static void manifest_media_type(struct manifest *m, const char *ctype)
{
	json_t *doc = NULL;
	const char *mt;
	size_t n;

	m->media_type[0] = '\0';
	if (jx_parse(&doc, m->body.data, m->body.len, "manifest") == 0 &&
	    (mt = jx_str(doc, "mediaType")) != NULL) {
		snprintf(m->media_type, sizeof(m->media_type), "%s", mt);
	} else {
		n = strcspn(ctype, ";");
		if (n >= sizeof(m->media_type))
			n = sizeof(m->media_type) - 1;
		memcpy(m->media_type, ctype, n);
		m->media_type[n] = '\0';
	}
	json_decref(doc);
	err_clear();
}

int registry_get_manifest(struct registry *reg, const struct image_ref *repo,
			  const char *reference, struct manifest *out)
{
	char path[1024], what[1024], shown[200];
	struct http_req req = { 0 };
	struct http_resp resp;
	int rc;

	buf_init(&out->body, MANIFEST_MAX);
	out->media_type[0] = '\0';
	out->digest.str[0] = '\0';
	str_sanitize(shown, sizeof(shown), reference);
	if (!registry_reference_ok(reference))
		return err_set(ERR_FORMAT, "invalid tag '%s'", shown);
	if ((rc = repo_path(path, sizeof(path), repo, "manifests",
			    reference)) < 0)
		return rc;
	snprintf(what, sizeof(what), "manifest '%s/%s%s%s'", repo->registry,
		 repo->repository, digest_valid(reference) ? "@" : ":", shown);
	req = (struct http_req){
		.method = "GET",
		.host = repo->registry,
		.path = path,
		.repo = repo->repository,
		.headers = registry_manifest_accept,
		.what = what,
		.follow = true,
	};
	http_resp_init(&resp, MANIFEST_MAX);
	rc = http_do(reg, &req, &resp);
	if (rc < 0) {
		if (rc == ERR_FORMAT)
			err_wrap(rc, "%s", what);
		goto out;
	}
	digest_of(&out->digest, resp.body.data, resp.body.len);
	if (digest_valid(reference)) {
		struct digest want;

		digest_parse(&want, reference);
		if (!digest_eq(&want, &out->digest)) {
			rc = err_set(ERR_INTEGRITY, "%s: registry sent content "
				     "with digest %s", what, out->digest.str);
			goto out;
		}
	}
	buf_release(&out->body);
	out->body = resp.body;
	buf_init(&resp.body, MANIFEST_MAX);
	manifest_media_type(out, resp.content_type);
out:
	http_resp_release(&resp);
	return rc;
}

bool registry_tag_known_absent(struct registry *reg,
			       const struct image_ref *repo, const char *tag)
{
	const struct registry_known *k = http_known(reg, repo);

	if (!k || !k->tag_absent || !k->tag_absent(k->ctx, tag))
		return false;
	/* no " -> ": the trace counts requests by that */
	debugf("GET /v2/%s/manifests/%s skipped: not in the tag list",
	       repo->repository, tag);
	return true;
}

int registry_put_manifest(struct registry *reg, const struct image_ref *repo,
			  const char *reference, const char *media_type,
			  const void *body, size_t len, bool *subject_seen)
{
	char path[1024], what[1024], ctype[200];
	const char *hdrs[] = { ctype, NULL };
	struct http_req req = { 0 };
	struct http_resp resp;
	int rc, attempt;

	if (!registry_reference_ok(reference))
		return err_set(ERR_FORMAT, "invalid tag");
	if (len > MANIFEST_MAX)
		return err_set(ERR_FORMAT, "manifest exceeds %u bytes",
			       MANIFEST_MAX);
	if ((rc = repo_path(path, sizeof(path), repo, "manifests",
			    reference)) < 0)
		return rc;
	snprintf(what, sizeof(what), "manifest '%s/%s%s%s'", repo->registry,
		 repo->repository, digest_valid(reference) ? "@" : ":",
		 reference);
	snprintf(ctype, sizeof(ctype), "Content-Type: %s", media_type);
	req = (struct http_req){
		.method = "PUT",
		.host = repo->registry,
		.path = path,
		.repo = repo->repository,
		.headers = hdrs,
		.body = body,
		.body_len = len,
		.what = what,
		/* by digest, a late duplicate writes the same bytes; by
		 * tag it may undo another client's write, and the caller
		 * merges again */
		.idempotent = digest_valid(reference),
	};
	http_resp_init(&resp, 1 << 20);
	for (attempt = 0; attempt < 5; attempt++) {
		char why[1024];

		rc = http_do(reg, &req, &resp);
		/* docker-registry answers 400 DIGEST_INVALID or
		 * MANIFEST_BLOB_UNKNOWN while another client is still
		 * committing a blob the manifest names (signers all upload
		 * the same empty config): that passes, so try again */
		if (rc != ERR_NET || resp.status != 400 || !resp.body.data ||
		    (!strstr((char *)resp.body.data, "DIGEST_INVALID") &&
		     !strstr((char *)resp.body.data, "BLOB_UNKNOWN")))
			break;
		debugf("%s: %s; trying again", what, err_msg());
		snprintf(why, sizeof(why), "%s", err_msg());
		if ((rc = http_pause(reg, (attempt + 1) * 100L, why)) < 0)
			break;
	}
	if (rc == 0 && subject_seen)
		*subject_seen = resp.oci_subject;
	http_resp_release(&resp);
	return rc;
}

int registry_get_blob(struct registry *reg, const struct image_ref *repo,
		      const struct digest *d, size_t max, struct buf *out)
{
	char path[1024], what[1024];
	struct http_req req = { 0 };
	struct http_resp resp;
	int rc;

	if ((rc = repo_path(path, sizeof(path), repo, "blobs", d->str)) < 0)
		return rc;
	snprintf(what, sizeof(what), "blob '%s' in '%s/%s'", d->str,
		 repo->registry, repo->repository);
	req = (struct http_req){
		.method = "GET",
		.host = repo->registry,
		.path = path,
		.repo = repo->repository,
		.what = what,
		.follow = true,
	};
	http_resp_init(&resp, max);
	rc = http_do(reg, &req, &resp);
	if (rc < 0) {
		if (rc == ERR_FORMAT)
			err_wrap(rc, "%s", what);
		goto out;
	}
	if ((rc = digest_check(d, resp.body.data, resp.body.len)) < 0) {
		err_wrap(rc, "%s", what);
		goto out;
	}
	buf_release(out);
	*out = resp.body;
	buf_init(&resp.body, max);
out:
	http_resp_release(&resp);
	return rc;
}

/* Does the registry hold @d in @repo? */
static int blob_exists(struct registry *reg, const struct image_ref *repo,
		       const struct digest *d, bool *exists)
{
	char path[1024];
	struct http_req req = { 0 };
	struct http_resp resp;
	int rc;

	if ((rc = repo_path(path, sizeof(path), repo, "blobs", d->str)) < 0)
		return rc;
	req = (struct http_req){
		.method = "HEAD",
		.host = repo->registry,
		.path = path,
		.repo = repo->repository,
		.what = "blob",
		.follow = true,
		.ok_404 = true,
	};
	http_resp_init(&resp, 1 << 16);
	rc = http_do(reg, &req, &resp);
	*exists = rc == 0 && resp.status == 200;
	http_resp_release(&resp);
	return rc;
}

/* One upload: HEAD, then POST to start a session and PUT to finish it.
 * @restart is set when the POST or PUT failed transiently: the upload
 * may then be started over (see may_repeat in http.c). */
static int put_blob_once(struct registry *reg, const struct image_ref *repo,
			 const void *data, size_t len, const struct digest *dp,
			 bool *restart)
{
	static const char *const octet[] = {
		"Content-Type: application/octet-stream", NULL
	};
	char path[1024], what[1024];
	struct http_req req = { 0 };
	struct http_resp resp;
	struct digest d = *dp;
	struct buf loc;
	bool exists;
	int rc;

	*restart = false;
	if ((rc = blob_exists(reg, repo, &d, &exists)) < 0 || exists)
		return rc;

	snprintf(what, sizeof(what), "upload to '%s/%s'", repo->registry,
		 repo->repository);
	if ((rc = repo_path(path, sizeof(path), repo, "blobs",
			    "uploads/")) < 0)
		return rc;
	req = (struct http_req){
		.method = "POST",
		.host = repo->registry,
		.path = path,
		.repo = repo->repository,
		.what = what,
	};
	http_resp_init(&resp, 1 << 16);
	buf_init(&loc, 8192);
	if ((rc = http_do(reg, &req, &resp)) < 0)
		goto out;
	if (resp.status != 202 || !resp.location[0]) {
		rc = err_set(ERR_NET, "%s: registry did not start an upload "
			     "(HTTP %ld)", what, resp.status);
		goto out;
	}
	/* The upload URL is ours to finish; it must stay on this registry. */
	if (resp.location[0] != '/') {
		const char *p = strstr(resp.location, "://");
		const char *ep = ref_endpoint(repo->registry);
		size_t hl = strlen(ep);

		if (!p || strncasecmp(p + 3, ep, hl) != 0 ||
		    p[3 + hl] != '/') {
			rc = err_set(ERR_NET, "%s: upload location on another "
				     "host", what);
			goto out;
		}
		rc = buf_appends(&loc, p + 3 + hl);
	} else {
		rc = buf_appends(&loc, resp.location);
	}
	if (rc == 0)
		rc = buf_appendf(&loc, "%sdigest=%s",
				 strchr((char *)loc.data, '?') ? "&" : "?",
				 d.str);
	if (rc < 0)
		goto out;
	req.method = "PUT";
	req.path = (const char *)loc.data;
	req.headers = octet;
	req.body = data;
	req.body_len = len;
	rc = http_do(reg, &req, &resp);
	if (rc == 0 && resp.status != 201)
		rc = err_set(ERR_NET, "%s: unexpected HTTP %ld", what,
			     resp.status);
	/* a session unknown at its end: a PUT that did commit was sent
	 * again (by something between us and the registry); what counts
	 * is whether the blob is there */
	if (rc == ERR_NOTFOUND) {
		char why[1024];
		int rc2;

		snprintf(why, sizeof(why), "%s", err_msg());
		rc2 = blob_exists(reg, repo, &d, &exists);
		if (rc2 == 0 && exists)
			rc = 0;
		else if (rc2 == 0)
			err_set(rc, "%s", why);
		else
			rc = rc2;
	}
out:
	*restart = rc == ERR_NET && http_transient(reg);
	buf_release(&loc);
	http_resp_release(&resp);
	return rc;
}

int registry_put_blob(struct registry *reg, const struct image_ref *repo,
		      const void *data, size_t len, struct digest *out_digest)
{
	char why[1024];
	struct digest d;
	bool restart;
	int rc, attempt, timeouts = 0;

	digest_of(&d, data, len);
	if (out_digest)
		*out_digest = d;
	for (attempt = 0;; attempt++) {
		rc = put_blob_once(reg, repo, data, len, &d, &restart);
		if (!restart || attempt >= http_retries(reg))
			return rc;
		/* as http.c does for one request: one more try at most */
		if (http_timed_out(reg) && timeouts++)
			return rc;
		snprintf(why, sizeof(why), "%s", err_msg());
		debugf("%s; starting the upload over", why);
		if ((rc = http_pause(reg, http_backoff(reg, attempt + 1),
				     why)) < 0)
			return rc;
		err_clear();
	}
}

/* Next page from a Link header: <"/v2/...?last=x&n=y">; rel="next".
 * Only same-registry paths are followed. */
static int next_link(char *out, size_t n, const char *link)
{
	const char *lt = strchr(link, '<'), *gt;

	out[0] = '\0';
	if (!lt || !strstr(link, "rel=\"next\""))
		return 0;
	gt = strchr(lt, '>');
	if (!gt || gt - lt - 1 <= 0 || (size_t)(gt - lt - 1) >= n)
		return err_set(ERR_FORMAT, "malformed Link header");
	if (strncmp(lt + 1, "/v2/", 4) != 0)
		return err_set(ERR_FORMAT, "Link header leaves the registry");
	memcpy(out, lt + 1, (size_t)(gt - lt - 1));
	out[gt - lt - 1] = '\0';
	return 0;
}

/* Walk a paginated list ("tags" or "repositories"), calling @cb per name. */
static int walk_list(struct registry *reg, struct http_req *req,
		     const char *member, registry_name_cb cb, void *ctx)
{
	char path[2048];
	struct http_resp resp;
	unsigned pages = 0;
	int rc = 0;

	snprintf(path, sizeof(path), "%s", req->path);
	http_resp_init(&resp, MANIFEST_MAX);
	while (path[0]) {
		json_t *doc = NULL, *arr, *v;
		size_t i, n_names;

		if (++pages > 100000) {
			rc = err_set(ERR_FORMAT, "%s: too many pages",
				     req->what);
			break;
		}
		req->path = path;
		if ((rc = http_do(reg, req, &resp)) < 0)
			break;
		if ((rc = jx_parse(&doc, resp.body.data, resp.body.len,
				   req->what)) < 0)
			break;
		arr = json_object_get(doc, member);
		if (!json_is_array(arr) && !json_is_null(arr)) {
			json_decref(doc);
			rc = err_set(ERR_FORMAT, "%s: no '%s' list", req->what,
				     member);
			break;
		}
		n_names = json_array_size(arr);
		json_array_foreach(arr, i, v) {
			if (!json_is_string(v))
				continue;
			if ((rc = cb(ctx, json_string_value(v))) != 0)
				break;
		}
		json_decref(doc);
		if (rc != 0)
			break;
		{
			char prev[sizeof(path)];

			memcpy(prev, path, sizeof(prev));
			if ((rc = next_link(path, sizeof(path),
					    resp.link)) < 0)
				break;
			/* a next page that is this page, or an empty page
			 * that still points on, is a loop */
			if (path[0] && (strcmp(path, prev) == 0 ||
					n_names == 0)) {
				rc = err_set(ERR_FORMAT, "%s: the registry's "
					     "pagination does not advance",
					     req->what);
				break;
			}
		}
	}
	http_resp_release(&resp);
	return rc;
}

int registry_list_tags(struct registry *reg, const struct image_ref *repo,
		       registry_name_cb cb, void *ctx)
{
	char path[1024], what[600];
	struct http_req req = { 0 };
	int rc;

	if ((rc = repo_path(path, sizeof(path), repo, "tags",
			    "list?n=1000")) < 0)
		return rc;
	snprintf(what, sizeof(what), "tags of '%s/%s'", repo->registry,
		 repo->repository);
	req = (struct http_req){
		.method = "GET",
		.host = repo->registry,
		.path = path,
		.repo = repo->repository,
		.what = what,
		.follow = true,
	};
	return walk_list(reg, &req, "tags", cb, ctx);
}

int registry_catalog(struct registry *reg, const char *registry_host,
		     registry_name_cb cb, void *ctx)
{
	char what[600];
	struct http_req req = { 0 };

	snprintf(what, sizeof(what), "catalog of '%s'", registry_host);
	req = (struct http_req){
		.method = "GET",
		.host = registry_host,
		.path = "/v2/_catalog?n=1000",
		.catalog = true,
		.what = what,
		.follow = true,
	};
	return walk_list(reg, &req, "repositories", cb, ctx);
}

const char *registry_curl_version(void)
{
	return curl_version_info(CURLVERSION_NOW)->version;
}
