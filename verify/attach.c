/*
 * attach.c - what is attached to an image besides its signatures, and
 * the findings that do not stop a verification. Attestations, SBOMs and
 * other artifacts are recorded here (formats/attach.c tells them apart)
 * so that they never count toward the signature cap; how many of them
 * are looked at has its own cap, so a registry cannot make us fetch
 * without end.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

void verify_warn(struct verify_result *out, const char *fmt, ...)
{
	char msg[sizeof(out->warnings[0])];
	va_list ap;

	if (out->n_warnings >= VERIFY_WARNINGS_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	str_sanitize(out->warnings[out->n_warnings++],
		     sizeof(out->warnings[0]), msg);
}

/* How many non-signatures are looked at for @o. */
static size_t attach_cap(const struct verify_opts *o)
{
	return (o->max_signatures ? o->max_signatures : 100) *
	       VERIFY_ATTACH_FACTOR;
}

/* The one warning that the cap was reached. */
static void over_cap(struct verify_result *out, const struct verify_opts *o)
{
	size_t i;
	char msg[200];

	snprintf(msg, sizeof(msg), "more than %zu attachments that are no "
		 "signature; the rest were not looked at", attach_cap(o));
	for (i = 0; i < out->n_warnings; i++)
		if (strcmp(out->warnings[i], msg) == 0)
			return;
	verify_warn(out, "%s", msg);
}

bool attach_budget(struct verify_result *out, const struct verify_opts *o)
{
	if (out->n_fetched < attach_cap(o))
		return true;
	over_cap(out, o);
	return false;
}

int attach_add(struct verify_result *out, const struct attachment *a,
	       const struct verify_opts *o)
{
	struct attachment *p;

	if (out->n_atts >= attach_cap(o)) {
		over_cap(out, o);
		return 0;
	}
	p = realloc(out->atts, (out->n_atts + 1) * sizeof(*p));
	if (!p)
		return err_set(ERR_NOMEM, "out of memory");
	out->atts = p;
	p[out->n_atts++] = *a;
	return 0;
}

bool attach_from_manifest(struct attachment *a,
			  const struct referrer_manifest *m, bool claimed)
{
	const char *type = m->artifact_type;
	enum attach_kind k;

	if (!type && m->config_type && strcmp(m->config_type,
					      MT_OCI_EMPTY) != 0)
		type = m->config_type;
	k = attach_classify(type, json_object_get(m->doc, "annotations"),
			    a->type, sizeof(a->type));
	if (claimed && k != ATTACH_ATTESTATION)
		return false;
	if (k == ATTACH_UNKNOWN) {
		k = ATTACH_OTHER;
		str_sanitize(a->type, sizeof(a->type), type ? type : "");
	}
	a->kind = k;
	return true;
}

/* Each layer of the manifest @m of cosign's tag @suffix, recorded. */
static int tag_layers(const struct manifest *m, const char *suffix,
		      const struct verify_opts *o, struct verify_result *out)
{
	json_t *doc = NULL, *layers, *l;
	size_t i;
	int rc = jx_parse(&doc, m->body.data, m->body.len, suffix);

	layers = json_object_get(doc, "layers");
	if (rc < 0 || !json_is_array(layers)) {
		verify_warn(out, "cosign's '%s' tag holds no image manifest, "
			    "ignored%s%s", suffix, rc < 0 ? ": " : "",
			    rc < 0 ? err_msg() : "");
		err_clear();
		json_decref(doc);
		return 0;
	}
	json_array_foreach(layers, i, l) {
		struct attachment a = { 0 };
		const char *d = jx_str(l, "digest");

		a.kind = attach_classify_layer(jx_str(l, "mediaType"),
					       json_object_get(l,
							       "annotations"),
					       a.type, sizeof(a.type));
		snprintf(a.where, sizeof(a.where), "%s", suffix);
		if (d && digest_parse(&a.digest, d) < 0)
			err_clear();
		if ((rc = attach_add(out, &a, o)) < 0)
			break;
	}
	json_decref(doc);
	return rc;
}

int attach_cosign_tags(struct registry *reg, const struct image_ref *ref,
		       const struct digest *image,
		       const struct verify_opts *o, struct verify_result *out)
{
	static const char *const suffix[] = { ".att", ".sbom" };
	struct manifest m = { 0 };
	char tag[90];
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		snprintf(tag, sizeof(tag), "sha256-%s%s", digest_hex(image),
			 suffix[i]);
		rc = registry_get_manifest(reg, ref, tag, &m);
		if (rc == ERR_NOTFOUND || rc == ERR_FORMAT) {
			if (rc == ERR_FORMAT)
				verify_warn(out, "cosign's '%s' tag: %s",
					    suffix[i], err_msg());
			err_clear();
			rc = 0;
		} else if (rc == 0) {
			rc = tag_layers(&m, suffix[i], o, out);
		}
		manifest_release(&m);
	}
	return rc;
}
