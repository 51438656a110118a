/*
 * referrer.c - the OCI manifest that stores a signature as a referrer of
 * the image it signs, built and parsed in one place. What is built must
 * match the bytes cosign 3 and notation write (the member order of each
 * is theirs), so a registry and a peer see one kind of manifest.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats.h"

#define ANN_CREATED "org.opencontainers.image.created"

const char *referrer_artifact_type(enum sig_format f)
{
	switch (f) {
	case FORMAT_BUNDLE:
		return MT_SIGSTORE_BUNDLE;
	case FORMAT_NOTATION:
		return MT_NOTARY_SIGNATURE;
	default:
		return NULL;
	}
}

unsigned referrer_formats(const char *artifact_type)
{
	if (!artifact_type || strcmp(artifact_type, MT_OCI_EMPTY) == 0)
		return FORMAT_BIT(FORMAT_BUNDLE) | FORMAT_BIT(FORMAT_NOTATION);
	if (strcmp(artifact_type, MT_SIGSTORE_BUNDLE) == 0)
		return FORMAT_BIT(FORMAT_BUNDLE);
	if (strcmp(artifact_type, MT_NOTARY_SIGNATURE) == 0)
		return FORMAT_BIT(FORMAT_NOTATION);
	return 0;
}

/* ---- building ------------------------------------------------------------ */

/* notation's thumbprint list: a JSON array of hex strings, in a string */
static int thumbprint_list(struct buf *out, const struct referrer_spec *s)
{
	size_t i;
	int rc = buf_appends(out, "[");

	for (i = 0; rc == 0 && i < s->n_thumbprints; i++)
		rc = buf_appendf(out, "%s\"%s\"", i ? "," : "",
				 s->thumbprints[i]);
	return rc < 0 ? rc : buf_appends(out, "]");
}

/* The annotations of the manifest into @out (new reference): its
 * creation time, and what the format's tool adds. */
static int annotations_for(json_t **out, const struct referrer_spec *s)
{
	char created[32];
	struct buf tps;
	int rc;

	if ((rc = rfc3339_format(created, s->created)) < 0)
		return rc;
	if (s->format == FORMAT_BUNDLE) {
		*out = json_pack("{s:s,s:s,s:s}",
				 "dev.sigstore.bundle.content", "dsse-envelope",
				 "dev.sigstore.bundle.predicateType",
				 COSIGN_SIGN_PREDICATE, ANN_CREATED, created);
	} else {
		buf_init(&tps, 1 << 16);
		if ((rc = thumbprint_list(&tps, s)) == 0)
			*out = json_pack("{s:s,s:s}", ANN_NOTARY_THUMBPRINTS,
					 tps.data, ANN_CREATED, created);
		buf_release(&tps);
		if (rc < 0)
			return rc;
	}
	return *out ? 0 : err_set(ERR_NOMEM, "out of memory");
}

/* cosign 3: descriptors as mediaType, size, digest */
static json_t *bundle_manifest(const struct referrer_spec *s,
			       const struct digest *config, json_t *ann)
{
	return json_pack("{s:i,s:s,s:s,s:{s:s,s:i,s:s},"
			 "s:[{s:s,s:I,s:s}],s:{s:s,s:I,s:s},s:O}",
		"schemaVersion", 2, "mediaType", MT_OCI_MANIFEST,
		"artifactType", MT_SIGSTORE_BUNDLE,
		"config", "mediaType", MT_OCI_EMPTY,
		"size", (int)strlen(OCI_EMPTY_JSON), "digest", config->str,
		"layers", "mediaType", MT_SIGSTORE_BUNDLE,
		"size", (json_int_t)s->blob_size, "digest", s->blob.str,
		"subject", "mediaType", s->subject.media_type,
		"size", (json_int_t)s->subject.size,
		"digest", s->subject.digest.str,
		"annotations", ann);
}

/* notation: descriptors as mediaType, digest, size; no artifact type */
static json_t *notation_manifest(const struct referrer_spec *s,
				 const struct digest *config, json_t *ann)
{
	return json_pack("{s:i,s:s,s:{s:s,s:s,s:i},"
			 "s:[{s:s,s:s,s:I}],s:{s:s,s:s,s:I},s:O}",
		"schemaVersion", 2, "mediaType", MT_OCI_MANIFEST,
		"config", "mediaType", MT_NOTARY_SIGNATURE,
		"digest", config->str, "size", (int)strlen(OCI_EMPTY_JSON),
		"layers", "mediaType", JWS_MEDIA_TYPE, "digest", s->blob.str,
		"size", (json_int_t)s->blob_size,
		"subject", "mediaType", s->subject.media_type,
		"digest", s->subject.digest.str,
		"size", (json_int_t)s->subject.size,
		"annotations", ann);
}

int referrer_manifest_build(struct buf *out, json_t **annotations,
			    const struct referrer_spec *spec)
{
	struct digest config;
	json_t *ann = NULL, *m = NULL;
	char *body = NULL;
	int rc;

	*annotations = NULL;
	if (spec->format != FORMAT_BUNDLE && spec->format != FORMAT_NOTATION)
		return err_set(ERR_USAGE, "%s signatures are not referrers",
			       format_name(spec->format));
	if ((rc = annotations_for(&ann, spec)) < 0)
		return rc;
	digest_of(&config, OCI_EMPTY_JSON, strlen(OCI_EMPTY_JSON));
	m = spec->format == FORMAT_BUNDLE ?
		bundle_manifest(spec, &config, ann) :
		notation_manifest(spec, &config, ann);
	body = m ? json_dumps(m, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	rc = body ? buf_appends(out, body) :
		    err_set(ERR_NOMEM, "out of memory");
	if (rc == 0) {
		*annotations = ann;
		ann = NULL;
	}
	free(body);
	json_decref(m);
	json_decref(ann);
	return rc;
}

/* ---- parsing ------------------------------------------------------------- */

int referrer_manifest_parse(struct referrer_manifest *out, const void *data,
			    size_t len, const char *what)
{
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = jx_parse(&out->doc, data, len, what)) < 0)
		return rc;
	out->artifact_type = jx_str(out->doc, "artifactType");
	out->config_type = jx_str(json_object_get(out->doc, "config"),
				  "mediaType");
	return 0;
}

void referrer_manifest_release(struct referrer_manifest *m)
{
	json_decref(m->doc);
	memset(m, 0, sizeof(*m));
}

static bool str_is(const char *s, const char *want)
{
	return s && strcmp(s, want) == 0;
}

bool referrer_manifest_claims(const struct referrer_manifest *m,
			      enum sig_format f, const char *listed)
{
	switch (f) {
	case FORMAT_BUNDLE:
		return str_is(listed, MT_SIGSTORE_BUNDLE) ||
		       str_is(m->artifact_type, MT_SIGSTORE_BUNDLE);
	case FORMAT_NOTATION:
		/* either manifest form notation reads */
		return str_is(m->artifact_type, MT_NOTARY_SIGNATURE) ||
		       str_is(m->config_type, MT_NOTARY_SIGNATURE);
	default:
		return false;
	}
}

/* The one layer of @m, of media type @type, naming @subject. */
static int one_layer(struct referrer_manifest *m, const char *type,
		     const struct digest *subject)
{
	json_t *layers = json_object_get(m->doc, "layers"), *l, *size;
	const char *sd = jx_str(json_object_get(m->doc, "subject"), "digest");
	const char *mt = jx_str(m->doc, "mediaType"), *d;

	if (!str_is(mt, MT_OCI_MANIFEST))
		return err_set(ERR_FORMAT, "referrer is not an OCI manifest");
	if (!str_is(sd, subject->str))
		return err_set(ERR_FORMAT, "referrer's subject is another "
			       "image");
	if (!json_is_array(layers) || json_array_size(layers) != 1)
		return err_set(ERR_FORMAT, "referrer has not exactly one "
			       "layer");
	l = json_array_get(layers, 0);
	size = json_object_get(l, "size");
	d = jx_str(l, "digest");
	m->layer.media_type = jx_str(l, "mediaType");
	if (m->layer.media_type && strcmp(m->layer.media_type, type) != 0) {
		char shown[128];

		str_sanitize(shown, sizeof(shown), m->layer.media_type);
		return err_set(ERR_FORMAT, "signature layer is '%s', not '%s'",
			       shown, type);
	}
	if (!m->layer.media_type || !d ||
	    digest_parse(&m->layer.digest, d) < 0 ||
	    !json_is_integer(size) || json_integer_value(size) < 0)
		return err_set(ERR_FORMAT, "referrer layer is malformed");
	m->layer.size = (size_t)json_integer_value(size);
	return 0;
}

int referrer_manifest_layer(struct referrer_manifest *m, enum sig_format f,
			    const struct digest *subject)
{
	json_t *l0;
	int rc;

	memset(&m->layer, 0, sizeof(m->layer));
	if (f == FORMAT_BUNDLE)
		return one_layer(m, MT_SIGSTORE_BUNDLE, subject);
	if (f != FORMAT_NOTATION)
		return err_set(ERR_USAGE, "%s signatures are not referrers",
			       format_name(f));
	/* the layer's media type tells the two envelopes apart */
	l0 = json_array_get(json_object_get(m->doc, "layers"), 0);
	if ((rc = one_layer(m, str_is(jx_str(l0, "mediaType"),
				      COSE_MEDIA_TYPE) ?
			       COSE_MEDIA_TYPE : JWS_MEDIA_TYPE,
			    subject)) < 0)
		return rc;
	if (m->layer.size > JWS_MAX)
		return err_set(ERR_FORMAT, "envelope is over 32 MiB");
	return 0;
}
