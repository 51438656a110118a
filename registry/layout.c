/*
 * layout.c - an OCI image layout folder answering in place of a registry,
 * for verifying with no network (save.c writes one).
 *
 * layout_do is a transport under http_do: GET and HEAD of manifests by tag
 * or digest and of blobs, answered from the folder; referrers are 404, so
 * readers take the tag schema path; writes are refused. Every file is
 * checked against the digest that names it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

struct layout {
	char *dir;
	json_t *index;			/* index.json */
	struct image_ref *names;	/* images it says it holds */
	size_t n_names;
};

/* ---- files -------------------------------------------------------------- */

/* Read a regular file (never a link, FIFO or device) into @out, which
 * caps it. ERR_NOTFOUND when absent. */
static int read_file(struct buf *out, const char *path)
{
	return file_read(out, path, out->max - out->len, 0, NULL);
}

static int blob_path(char *out, size_t n, const char *dir,
		     const struct digest *d)
{
	if (snprintf(out, n, "%s/blobs/sha256/%s", dir, digest_hex(d)) >=
	    (int)n)
		return err_set(ERR_IO, "path too long in '%s'", dir);
	return 0;
}

/* ---- reading a layout --------------------------------------------------- */

void layout_free(struct layout *l)
{
	if (!l)
		return;
	free(l->dir);
	json_decref(l->index);
	free(l->names);
	free(l);
}

/* Check index.json's entries and collect the image names they record. */
static int index_check(struct layout *l)
{
	json_t *list = json_object_get(l->index, "manifests"), *m;
	size_t i;

	if (!json_is_object(l->index) || !json_is_array(list))
		return err_set(ERR_FORMAT, "'%s/index.json' is not an image "
			       "index", l->dir);
	l->names = calloc(json_array_size(list) + 1, sizeof(*l->names));
	if (!l->names)
		return err_set(ERR_NOMEM, "out of memory");
	json_array_foreach(list, i, m) {
		json_t *ann = json_object_get(m, "annotations");
		json_t *name = json_object_get(ann, ANN_IMAGE_NAME);
		struct digest d;
		const char *ds = jx_str(m, "digest");

		if (!jx_str(m, "mediaType") || !ds ||
		    digest_parse(&d, ds) < 0 || (ann && !json_is_object(ann)) ||
		    (json_object_get(ann, ANN_REF_NAME) &&
		     !jx_str(ann, ANN_REF_NAME)) ||
		    (name && !json_is_string(name)))
			return err_set(ERR_FORMAT, "'%s/index.json': malformed "
				       "entry %zu", l->dir, i);
		if (name && ref_parse(&l->names[l->n_names++],
				      json_string_value(name)) < 0)
			return err_wrap(ERR_FORMAT, "'%s/index.json'", l->dir);
	}
	return 0;
}

int layout_open(struct layout **out, const char *dir)
{
	struct layout *l;
	struct buf b;
	json_t *doc = NULL;
	char path[PATH_MAX_LEN];
	const char *v;
	int rc;

	*out = NULL;
	if (!(l = calloc(1, sizeof(*l))) || !(l->dir = strdup(dir))) {
		free(l);
		return err_set(ERR_NOMEM, "out of memory");
	}
	buf_init(&b, 65536);
	snprintf(path, sizeof(path), "%s/oci-layout", dir);
	if ((rc = read_file(&b, path)) < 0) {
		if (rc == ERR_NOTFOUND)
			rc = err_set(ERR_IO, "'%s' is not an OCI image layout "
				     "(no oci-layout file); make one with "
				     "signet save", dir);
		goto out;
	}
	if ((rc = jx_parse(&doc, b.data, b.len, path)) < 0)
		goto out;
	v = jx_str(doc, "imageLayoutVersion");
	if (!v || strncmp(v, "1.", 2) != 0) {
		rc = err_set(ERR_FORMAT, "'%s': unknown layout version", path);
		goto out;
	}
	buf_release(&b);
	buf_init(&b, MANIFEST_MAX);
	snprintf(path, sizeof(path), "%s/index.json", dir);
	if ((rc = read_file(&b, path)) < 0 ||
	    (rc = jx_parse(&l->index, b.data, b.len, path)) < 0 ||
	    (rc = index_check(l)) < 0)
		goto out;
	*out = l;
	l = NULL;
out:
	layout_free(l);
	json_decref(doc);
	buf_release(&b);
	return rc;
}

int registry_layout_name(char *out, size_t outsz, const char *dir)
{
	struct layout *l = NULL;
	json_t *m;
	const char *name = NULL, *n;
	size_t i;
	int rc;

	if ((rc = layout_open(&l, dir)) < 0)
		return rc;
	json_array_foreach(json_object_get(l->index, "manifests"), i, m) {
		n = jx_str(json_object_get(m, "annotations"), ANN_IMAGE_NAME);
		if (n && name && strcmp(n, name) != 0) {
			rc = err_set(ERR_USAGE, "the layout '%s' holds several "
				     "images: name one", dir);
			goto out;
		}
		if (n)
			name = n;
	}
	if (!name)
		rc = err_set(ERR_USAGE, "the layout '%s' does not say which "
			     "image it holds: name it", dir);
	else if (snprintf(out, outsz, "%s", name) >= (int)outsz)
		rc = err_set(ERR_FORMAT, "image name too long");
out:
	layout_free(l);
	return rc;
}

bool layout_names_image(const struct layout *l, const char *name)
{
	const char *n;
	json_t *m;
	size_t i;

	json_array_foreach(json_object_get(l->index, "manifests"), i, m) {
		n = jx_str(json_object_get(m, "annotations"), ANN_IMAGE_NAME);
		if (n && strcmp(n, name) == 0)
			return true;
	}
	return false;
}

/* Does the layout hold @host/@repo? Any, when it names no image. */
static bool layout_holds(const struct layout *l, const char *host,
			 const char *repo)
{
	size_t i;

	for (i = 0; i < l->n_names; i++)
		if (strcmp(l->names[i].registry, host) == 0 &&
		    strcmp(l->names[i].repository, repo) == 0)
			return true;
	return l->n_names == 0;
}

/* The index.json entry tagged @tag, or the first for digest @d. */
static const json_t *find_entry(const struct layout *l, const char *tag,
				const struct digest *d)
{
	json_t *m;
	size_t i;

	json_array_foreach(json_object_get(l->index, "manifests"), i, m) {
		const char *name = jx_str(json_object_get(m, "annotations"),
					  ANN_REF_NAME);
		const char *ds = jx_str(m, "digest");

		if (tag ? (name && strcmp(name, tag) == 0) :
			  strcmp(ds, d->str) == 0)
			return m;
	}
	return NULL;
}

static int not_found(const struct layout *l, const struct http_req *req,
		     struct http_resp *resp)
{
	resp->status = 404;
	if (req->ok_404)
		return 0;
	return err_set(ERR_NOTFOUND, "%s not found in the layout '%s'",
		       req->what, l->dir);
}

/* Answer from blobs/sha256/<hex>, checked against its name. */
static int serve_blob(const struct layout *l, const struct http_req *req,
		      const struct digest *d, struct http_resp *resp)
{
	char path[PATH_MAX_LEN];
	struct digest got;
	int rc;

	if ((rc = blob_path(path, sizeof(path), l->dir, d)) < 0)
		return rc;
	rc = read_file(&resp->body, path);
	if (rc == ERR_NOTFOUND) {
		err_clear();
		return not_found(l, req, resp);
	}
	if (rc < 0)
		return rc;
	digest_of(&got, resp->body.data, resp->body.len);
	if (!digest_eq(&got, d))
		return err_set(ERR_INTEGRITY, "%s: the layout '%s' holds "
			       "content with digest %s", req->what, l->dir,
			       got.str);
	resp->status = 200;
	if (strcmp(req->method, "HEAD") == 0)
		buf_reset(&resp->body);
	return 0;
}

int layout_do(const struct layout *l, const struct http_req *req,
	      struct http_resp *resp)
{
	const json_t *e = NULL;
	const char *rest, *mt;
	struct digest d;
	size_t n;

	buf_reset(&resp->body);
	resp->status = 0;
	resp->content_type[0] = resp->location[0] = resp->www_auth[0] = '\0';
	resp->link[0] = '\0';
	resp->oci_subject = false;
	if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0)
		return err_set(ERR_USAGE, "%s %s: the layout '%s' is read-only",
			       req->method, req->what, l->dir);
	n = req->repo ? strlen(req->repo) : 0;
	if (req->catalog || !n || strncmp(req->path, "/v2/", 4) != 0 ||
	    strncmp(req->path + 4, req->repo, n) != 0 ||
	    req->path[4 + n] != '/')
		return err_set(ERR_USAGE, "%s: not available offline",
			       req->what);
	if (!layout_holds(l, req->host, req->repo))
		return err_set(ERR_NOTFOUND, "the layout '%s' does not hold "
			       "'%s/%s'", l->dir, req->host, req->repo);
	rest = req->path + 4 + n + 1;
	if (strncmp(rest, "manifests/", 10) == 0) {
		rest += 10;
		if (digest_parse(&d, rest) == 0) {
			e = find_entry(l, NULL, &d);
		} else {
			err_clear();
			if (!(e = find_entry(l, rest, NULL)))
				return not_found(l, req, resp);
			digest_parse(&d, jx_str(e, "digest"));
		}
		if (e && (mt = jx_str(e, "mediaType")))
			snprintf(resp->content_type,
				 sizeof(resp->content_type), "%s", mt);
		return serve_blob(l, req, &d, resp);
	}
	if (strncmp(rest, "blobs/", 6) == 0) {
		if (digest_parse(&d, rest + 6) < 0)
			return err_set(ERR_FORMAT, "%s: not a digest",
				       req->what);
		return serve_blob(l, req, &d, resp);
	}
	if (strncmp(rest, "referrers/", 10) == 0)
		return not_found(l, req, resp);	/* the tag schema answers */
	return err_set(ERR_USAGE, "%s: not available offline", req->what);
}
