/*
 * simplesign.c - cosign's "simple signing" payload, built and parsed in one
 * place so the two can never drift apart.
 */
#include <string.h>

#include "formats.h"

int simplesign_build(struct buf *out, const char *docker_ref,
		     const struct digest *image, const struct kvlist *ann)
{
	json_t *doc, *opt;
	char *s;
	size_t i;
	int rc = 0;

	if (ann && ann->n) {
		opt = json_object();
		for (i = 0; opt && i < ann->n; i++)
			if (json_object_set_new(opt, ann->items[i].key,
				json_string(ann->items[i].value)) < 0)
				rc = err_set(ERR_FORMAT, "annotation '%s' is not "
					     "valid UTF-8", ann->items[i].key);
	} else {
		opt = json_null();
	}
	/* member order as cosign writes it */
	doc = json_pack("{s:{s:{s:s},s:{s:s},s:s},s:o}",
			"critical",
			"identity", "docker-reference", docker_ref,
			"image", "docker-manifest-digest", image->str,
			"type", SIMPLESIGN_TYPE,
			"optional", opt);
	if (!doc)
		return rc ? rc : err_set(ERR_NOMEM, "cannot build payload");
	if (rc == 0) {
		s = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
		rc = s ? buf_appends(out, s) :
			 err_set(ERR_NOMEM, "cannot build payload");
		free(s);
	}
	json_decref(doc);
	return rc;
}

int simplesign_parse(struct simplesign *out, const void *data, size_t len)
{
	static const char *const top[] = { "critical", "optional", NULL };
	static const char *const crit[] = { "identity", "image", "type", NULL };
	static const char *const ident[] = { "docker-reference", NULL };
	static const char *const img[] = { "docker-manifest-digest", NULL };
	json_t *c, *id, *im, *opt;
	const char *type, *dig;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = jx_parse(&out->doc, data, len, "signature payload")) < 0)
		return rc;
	c = json_object_get(out->doc, "critical");
	id = json_object_get(c, "identity");
	im = json_object_get(c, "image");
	opt = json_object_get(out->doc, "optional");
	type = jx_str(c, "type");
	if (!json_is_object(out->doc) || !jx_only_members(out->doc, top) ||
	    !json_is_object(c) || !jx_only_members(c, crit) ||
	    !json_is_object(id) || !jx_only_members(id, ident) ||
	    !json_is_object(im) || !jx_only_members(im, img)) {
		rc = err_set(ERR_FORMAT, "signature payload has unexpected "
			     "or missing members");
		goto bad;
	}
	if (!type || strcmp(type, SIMPLESIGN_TYPE) != 0) {
		rc = err_set(ERR_FORMAT, "signature payload has the wrong type");
		goto bad;
	}
	out->docker_ref = jx_str(id, "docker-reference");
	dig = jx_str(im, "docker-manifest-digest");
	if (!out->docker_ref || !dig || digest_parse(&out->image, dig) < 0) {
		rc = err_set(ERR_FORMAT, "signature payload lacks a valid "
			     "reference or digest");
		goto bad;
	}
	if (opt && !json_is_null(opt) && !json_is_object(opt)) {
		rc = err_set(ERR_FORMAT, "signature payload 'optional' is not "
			     "an object");
		goto bad;
	}
	out->optional = json_is_object(opt) ? opt : NULL;
	return 0;
bad:
	simplesign_release(out);
	return rc;
}

void simplesign_release(struct simplesign *p)
{
	json_decref(p->doc);
	memset(p, 0, sizeof(*p));
}
