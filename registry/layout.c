/*
 * layout.c - an image's signatures in an OCI image layout folder, for
 * verifying with no network.
 *
 * Writing (registry_save_layout) copies from a registry what verify reads:
 * the image manifest, cosign's .sig manifest with its config and payload
 * blobs, and the referrers (the API's answer or the tag schema's index)
 * with each referrer manifest and its blobs. index.json tags them as a
 * registry does: the image under its tag, the .sig manifest under
 * sha256-<hex>.sig, the referrers index under sha256-<hex>; the image's
 * entry records where it came from (io.containerd.image.name, as docker
 * save writes it).
 *
 * Reading (layout_do) is a transport under http_do: GET and HEAD of
 * manifests by tag or digest and of blobs, answered from the folder;
 * referrers are 404, so readers take the tag schema path; writes are
 * refused. Every file is checked against the digest that names it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

#define ANN_REF_NAME "org.opencontainers.image.ref.name"
#define ANN_IMAGE_NAME "io.containerd.image.name"
#define OCI_LAYOUT "{\"imageLayoutVersion\":\"1.0.0\"}"
#define PATH_MAX_LEN 4096

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

/* Write @name in @dir through a temporary file and a rename, so a reader
 * never sees half a file. Mode 0644: nothing in a layout is secret. */
static int write_file(const char *dir, const char *name, const void *data,
		      size_t len)
{
	char tmp[PATH_MAX_LEN], path[PATH_MAX_LEN];
	const unsigned char *p = data;
	int fd, rc = 0;

	if (snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, name) >=
	    (int)sizeof(tmp) ||
	    snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    (int)sizeof(path))
		return err_set(ERR_IO, "path too long in '%s'", dir);
	if ((fd = mkstemp(tmp)) < 0)
		return err_set_errno(ERR_IO, "cannot create a file in '%s'",
				     dir);
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = err_set_errno(ERR_IO, "cannot write '%s'", path);
			break;
		}
		p += n;
		len -= (size_t)n;
	}
	if (rc == 0 && fchmod(fd, 0644) < 0)
		rc = err_set_errno(ERR_IO, "cannot chmod '%s'", path);
	if (close(fd) < 0 && rc == 0)
		rc = err_set_errno(ERR_IO, "cannot write '%s'", path);
	if (rc == 0 && rename(tmp, path) < 0)
		rc = err_set_errno(ERR_IO, "cannot write '%s'", path);
	if (rc < 0)
		unlink(tmp);
	return rc;
}

/* Append @doc serialised compactly, in its own member order. */
static int buf_appends_json(struct buf *b, const json_t *doc)
{
	char *s = json_dumps(doc, JSON_COMPACT);
	int rc = s ? buf_appends(b, s) : err_set(ERR_NOMEM, "out of memory");

	free(s);
	return rc;
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

/* ---- writing a layout --------------------------------------------------- */

struct saver {
	struct registry *reg;
	const struct image_ref *ref;
	const char *dir;
	char blobs[PATH_MAX_LEN];	/* dir/blobs/sha256 */
	json_t *manifests;		/* index.json's entries */
	json_t *seen;			/* digests written: {digest: true} */
	struct save_result *res;
};

/* Use @dir when it is new, empty, or an earlier save of @name. */
static int prepare_dir(struct saver *s, const char *name)
{
	struct layout *l = NULL;
	char path[PATH_MAX_LEN];
	struct dirent *de;
	bool empty = true;
	DIR *d;
	size_t i;

	if (mkdir(s->dir, 0755) < 0 && errno != EEXIST)
		return err_set_errno(ERR_IO, "cannot create '%s'", s->dir);
	if (!(d = opendir(s->dir)))
		return err_set_errno(ERR_IO, "cannot open '%s'", s->dir);
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			empty = false;
	closedir(d);
	if (!empty) {
		json_t *m;
		bool same = false;

		if (layout_open(&l, s->dir) == 0)
			json_array_foreach(json_object_get(l->index,
							   "manifests"), i, m) {
				const char *n = jx_str(json_object_get(m,
					"annotations"), ANN_IMAGE_NAME);

				if (n && strcmp(n, name) == 0)
					same = true;
			}
		layout_free(l);
		err_clear();
		if (!same)
			return err_set(ERR_USAGE, "'%s' is not empty and holds "
				       "no earlier save of '%s': give a new or "
				       "empty folder", s->dir, name);
	}
	snprintf(path, sizeof(path), "%s/blobs", s->dir);
	if (snprintf(s->blobs, sizeof(s->blobs), "%s/blobs/sha256", s->dir) >=
	    (int)sizeof(s->blobs))
		return err_set(ERR_IO, "path too long: '%s'", s->dir);
	if ((mkdir(path, 0755) < 0 && errno != EEXIST) ||
	    (mkdir(s->blobs, 0755) < 0 && errno != EEXIST))
		return err_set_errno(ERR_IO, "cannot create '%s'", s->blobs);
	return 0;
}

static int put_blob(struct saver *s, const struct digest *d, const void *data,
		    size_t len)
{
	int rc;

	if (json_object_get(s->seen, d->str))
		return 0;
	if ((rc = write_file(s->blobs, digest_hex(d), data, len)) < 0)
		return rc;
	s->res->n_blobs++;
	return json_object_set_new(s->seen, d->str, json_true()) < 0 ?
		err_set(ERR_NOMEM, "out of memory") : 0;
}

/* Copy the blob a descriptor names. One the registry lacks or serves
 * wrong is counted and left out: verify then finds what it would find
 * online, a signature that does not check out. */
static int save_descriptor(struct saver *s, const json_t *desc)
{
	const char *ds = jx_str(desc, "digest");
	json_t *size = json_object_get(desc, "size");
	struct digest d;
	struct buf b;
	size_t max;
	int rc;

	if (!ds || digest_parse(&d, ds) < 0 || !json_is_integer(size) ||
	    json_integer_value(size) < 0) {
		err_clear();
		return 0;		/* verify rejects it too */
	}
	if (json_object_get(s->seen, d.str))
		return 0;
	if (json_integer_value(size) > SIGBLOB_MAX)
		return err_set(ERR_FORMAT, "blob %s is %lld bytes, over the %u "
			       "byte limit", d.str,
			       (long long)json_integer_value(size),
			       SIGBLOB_MAX);
	max = (size_t)json_integer_value(size);
	buf_init(&b, max ? max : 1);
	rc = registry_get_blob(s->reg, s->ref, &d, max ? max : 1, &b);
	if (rc == ERR_NOTFOUND || rc == ERR_INTEGRITY) {
		err_clear();
		s->res->n_missing++;
		rc = 0;
	} else if (rc == 0) {
		rc = put_blob(s, &d, b.data, b.len);
	}
	buf_release(&b);
	return rc;
}

/* Save a manifest and list it in index.json, tagged @tag and recording
 * the image @name when not NULL. A signature manifest (@sig) brings the
 * blobs it names, its config and layers; the image brings none of its
 * layers: verifying needs only its manifest. */
static int save_manifest(struct saver *s, const struct manifest *m,
			 const char *tag, const char *name, bool sig)
{
	json_t *doc = NULL, *entry, *ann, *l;
	const char *mt = m->media_type[0] ? m->media_type : MT_OCI_MANIFEST;
	const char *at;
	size_t i;
	int rc;

	if ((rc = put_blob(s, &m->digest, m->body.data, m->body.len)) < 0)
		return rc;
	entry = json_pack("{s:s,s:s,s:I}", "mediaType", mt,
			  "digest", m->digest.str,
			  "size", (json_int_t)m->body.len);
	ann = json_object();
	if (!entry || !ann || json_array_append_new(s->manifests, entry) < 0) {
		json_decref(ann);
		return err_set(ERR_NOMEM, "out of memory");
	}
	if (tag)
		json_object_set_new(ann, ANN_REF_NAME, json_string(tag));
	if (name)
		json_object_set_new(ann, ANN_IMAGE_NAME, json_string(name));
	if (json_object_size(ann))
		json_object_set_new(entry, "annotations", ann);
	else
		json_decref(ann);
	if (jx_parse(&doc, m->body.data, m->body.len, "manifest") < 0) {
		err_clear();
		return 0;		/* kept as served; verify judges */
	}
	if ((at = jx_str(doc, "artifactType")))
		json_object_set_new(entry, "artifactType", json_string(at));
	if (!sig)
		goto out;
	s->res->n_manifests++;
	if (json_is_object(json_object_get(doc, "config")) &&
	    (rc = save_descriptor(s, json_object_get(doc, "config"))) < 0)
		goto out;
	json_array_foreach(json_object_get(doc, "layers"), i, l)
		if ((rc = save_descriptor(s, l)) < 0)
			goto out;
out:
	json_decref(doc);
	return rc;
}

/* Fetch @reference and save it as a signature manifest; absent is fine. */
static int save_signature(struct saver *s, const char *reference,
			  const char *tag)
{
	struct manifest m = { 0 };
	int rc;

	rc = registry_get_manifest(s->reg, s->ref, reference, &m);
	if (rc == ERR_NOTFOUND || rc == ERR_INTEGRITY) {
		err_clear();
		if (!tag)
			s->res->n_missing++;	/* listed, not there */
		rc = 0;
	} else if (rc == 0) {
		rc = save_manifest(s, &m, tag, NULL, true);
	}
	manifest_release(&m);
	return rc;
}

static int save_referrers(struct saver *s, const struct digest *image)
{
	struct referrers refs = { 0 };
	struct manifest idx = { 0 };
	char tag[80];
	size_t i;
	int rc;

	if ((rc = registry_get_referrers(s->reg, s->ref, image, NULL,
					 &refs)) < 0 || !refs.doc)
		goto out;
	/* stored under the tag schema's name, whichever way it came */
	snprintf(tag, sizeof(tag), "sha256-%s", digest_hex(image));
	snprintf(idx.media_type, sizeof(idx.media_type), "%s", MT_OCI_INDEX);
	buf_init(&idx.body, MANIFEST_MAX);
	if ((rc = buf_appends_json(&idx.body, refs.doc)) < 0)
		goto out;
	digest_of(&idx.digest, idx.body.data, idx.body.len);
	if ((rc = save_manifest(s, &idx, tag, NULL, false)) < 0)
		goto out;
	for (i = 0; i < refs.n && rc == 0; i++)
		rc = save_signature(s, refs.items[i].digest.str, NULL);
out:
	manifest_release(&idx);
	referrers_release(&refs);
	return rc;
}

int registry_save_layout(struct registry *reg, const char *image,
			 const char *dir, struct save_result *out)
{
	struct image_ref ref;
	struct manifest man = { 0 };
	struct saver s = { reg, &ref, dir, "", NULL, NULL, out };
	char name[REF_HOST_MAX + REF_REPO_MAX + REF_TAG_MAX + DIGEST_STR_MAX];
	char tag[80];
	json_t *index = NULL;
	struct buf body;
	size_t n;
	int rc;

	memset(out, 0, sizeof(*out));
	buf_init(&body, MANIFEST_MAX);
	if ((rc = ref_parse(&ref, image)) < 0 ||
	    (rc = ref_format_repo(name, sizeof(name), &ref)) < 0)
		return rc;
	n = strlen(name);
	snprintf(name + n, sizeof(name) - n, "%s%s%s%s", ref.tag[0] ? ":" : "",
		 ref.tag, ref_has_digest(&ref) ? "@" : "",
		 ref.digest.str);
	rc = registry_get_manifest(reg, &ref, ref_has_digest(&ref) ?
				   ref.digest.str : ref.tag, &man);
	if (rc < 0 ||
	    (rc = ref_format_pinned(out->pinned, sizeof(out->pinned), &ref,
				    &man.digest)) < 0)
		goto out;
	s.manifests = json_array();
	s.seen = json_object();
	if (!s.manifests || !s.seen) {
		rc = err_set(ERR_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = prepare_dir(&s, name)) < 0 ||
	    (rc = save_manifest(&s, &man, ref.tag[0] ? ref.tag : NULL,
				name, false)) < 0)
		goto out;
	sigtag_for(tag, &man.digest);
	if ((rc = save_signature(&s, tag, tag)) < 0 ||
	    (rc = save_referrers(&s, &man.digest)) < 0)
		goto out;
	/* index.json last: until it is written the folder says what it said
	 * before */
	index = json_pack("{s:i,s:s,s:O}", "schemaVersion", 2,
			  "mediaType", MT_OCI_INDEX, "manifests", s.manifests);
	if (!index) {
		rc = err_set(ERR_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = buf_appends_json(&body, index)) < 0 ||
	    (rc = write_file(dir, "oci-layout", OCI_LAYOUT,
			     strlen(OCI_LAYOUT))) < 0)
		goto out;
	rc = write_file(dir, "index.json", body.data, body.len);
out:
	buf_release(&body);
	json_decref(index);
	json_decref(s.manifests);
	json_decref(s.seen);
	manifest_release(&man);
	return rc;
}
