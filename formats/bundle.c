/* bundle.c - cosign 3 signatures, DSSE in a Sigstore bundle; see formats.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats.h"

int dsse_pae(struct buf *out, const char *type, const void *body, size_t len)
{
	int rc = buf_appendf(out, "DSSEv1 %zu %s %zu ", strlen(type), type,
			     len);

	return rc < 0 ? rc : buf_append(out, body, len);
}

int bundle_build(struct buf *out, const struct digest *image,
		 const struct kvlist *ann, const char *key_hint,
		 bundle_sign_fn sign, void *ctx)
{
	json_t *subj, *stmt = NULL, *doc = NULL, *a;
	struct buf pae, sig;
	char *st = NULL, *st64 = NULL, *sig64 = NULL, *s = NULL;
	size_t i;
	int rc;

	buf_init(&pae, 0);
	buf_init(&sig, 0);
	subj = json_pack("{s:{s:s}}", "digest", "sha256", digest_hex(image));
	if (subj && ann && ann->n) {
		a = json_object();
		for (i = 0; a && i < ann->n; i++)
			json_object_set_new(a, ann->items[i].key,
					    json_string(ann->items[i].value));
		json_object_set_new(subj, "annotations", a);
	}
	stmt = subj ? json_pack("{s:s,s:[o],s:s,s:{}}", "_type",
				INTOTO_STATEMENT_V1, "subject", subj,
				"predicateType", COSIGN_SIGN_PREDICATE,
				"predicate") : NULL;
	st = stmt ? json_dumps(stmt, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	if (!st) {
		rc = err_set(ERR_NOMEM, "cannot build statement");
		goto out;
	}
	if ((rc = dsse_pae(&pae, DSSE_TYPE_INTOTO, st, strlen(st))) < 0 ||
	    (rc = sign(ctx, pae.data, pae.len, &sig)) < 0)
		goto out;
	st64 = b64_encode(st, strlen(st));
	sig64 = b64_encode(sig.data, sig.len);
	doc = st64 && sig64 ? json_pack(
		"{s:s,s:{s:{s:s}},s:{s:s,s:s,s:[{s:s}]}}",
		"mediaType", MT_SIGSTORE_BUNDLE,
		"verificationMaterial", "publicKey", "hint", key_hint,
		"dsseEnvelope", "payload", st64, "payloadType",
		DSSE_TYPE_INTOTO, "signatures", "sig", sig64) : NULL;
	s = doc ? json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	rc = s ? buf_appends(out, s) : err_set(ERR_NOMEM, "out of memory");
out:
	free(s);
	free(sig64);
	free(st64);
	free(st);
	json_decref(doc);
	json_decref(stmt);
	buf_release(&sig);
	buf_release(&pae);
	return rc;
}

int bundle_parse(struct bundle *out, const void *data, size_t len)
{
	static const char *const top[] = { "mediaType", "verificationMaterial",
		"dsseEnvelope", NULL };
	static const char *const vm[] = { "publicKey", "tlogEntries",
		"timestampVerificationData", NULL };
	static const char *const env[] = { "payload", "payloadType",
		"signatures", NULL };
	static const char *const sigm[] = { "sig", "keyid", NULL };
	json_t *v, *e, *sigs, *s0;
	const char *mt, *pt, *p64, *s64;
	int rc;

	memset(out, 0, sizeof(*out));
	buf_init(&out->pae, (32u << 20));
	buf_init(&out->sig, 16384);
	buf_init(&out->statement, (32u << 20));
	if ((rc = jx_parse(&out->doc, data, len, "sigstore bundle")) < 0)
		goto bad;
	v = json_object_get(out->doc, "verificationMaterial");
	e = json_object_get(out->doc, "dsseEnvelope");
	sigs = json_object_get(e, "signatures");
	s0 = json_array_get(sigs, 0);
	mt = jx_str(out->doc, "mediaType");
	pt = jx_str(e, "payloadType");
	p64 = jx_str(e, "payload");
	s64 = jx_str(s0, "sig");
	if (!jx_only_members(out->doc, top) || !mt ||
	    strcmp(mt, MT_SIGSTORE_BUNDLE) != 0) {
		rc = err_set(ERR_FORMAT, "not a sigstore bundle v0.3 with a "
			     "DSSE envelope");
		goto bad;
	}
	if (!jx_only_members(v, vm) || !json_is_object(
		json_object_get(v, "publicKey"))) {
		rc = err_set(ERR_FORMAT, "bundle is not key-based (certificate "
			     "or unknown verification material)");
		goto bad;
	}
	if (!jx_only_members(e, env) || !pt || !p64 || !json_is_array(sigs) ||
	    json_array_size(sigs) != 1 || !jx_only_members(s0, sigm) || !s64) {
		rc = err_set(ERR_FORMAT, "malformed DSSE envelope in bundle");
		goto bad;
	}
	if (strcmp(pt, DSSE_TYPE_INTOTO) != 0) {
		rc = err_set(ERR_FORMAT, "DSSE payload type is not in-toto");
		goto bad;
	}
	out->key_hint = jx_str(json_object_get(v, "publicKey"), "hint");
	if ((rc = b64_decode(&out->statement, p64, strlen(p64))) < 0 ||
	    (rc = b64_decode(&out->sig, s64, strlen(s64))) < 0) {
		err_wrap(rc, "bundle");
		goto bad;
	}
	if ((rc = dsse_pae(&out->pae, pt, out->statement.data,
			   out->statement.len)) < 0)
		goto bad;
	return 0;
bad:
	bundle_release(out);
	return rc;
}

void bundle_release(struct bundle *b)
{
	json_decref(b->doc);
	buf_release(&b->pae);
	buf_release(&b->sig);
	buf_release(&b->statement);
	memset(b, 0, sizeof(*b));
}

int statement_parse(struct statement *out, const void *data, size_t len)
{
	static const char *const top[] = { "_type", "subject", "predicateType",
		"predicate", NULL };
	static const char *const subm[] = { "digest", "annotations", "name",
		NULL };
	json_t *subj, *s0, *dig, *ann;
	const char *t, *pt, *hex;
	char d[DIGEST_STR_MAX];
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = jx_parse(&out->doc, data, len, "in-toto statement")) < 0)
		return rc;
	subj = json_object_get(out->doc, "subject");
	s0 = json_array_get(subj, 0);
	dig = json_object_get(s0, "digest");
	ann = json_object_get(s0, "annotations");
	t = jx_str(out->doc, "_type");
	pt = jx_str(out->doc, "predicateType");
	hex = jx_str(dig, "sha256");
	if (!jx_only_members(out->doc, top) || !t ||
	    strcmp(t, INTOTO_STATEMENT_V1) != 0 || !pt ||
	    strcmp(pt, COSIGN_SIGN_PREDICATE) != 0) {
		rc = err_set(ERR_FORMAT, "statement is not a cosign image "
			     "signature");
		goto bad;
	}
	if (!json_is_array(subj) || json_array_size(subj) != 1 ||
	    !jx_only_members(s0, subm) || !hex ||
	    (ann && !json_is_object(ann)) ||
	    snprintf(d, sizeof(d), "sha256:%s", hex) >= (int)sizeof(d) ||
	    digest_parse(&out->subject, d) < 0) {
		rc = err_set(ERR_FORMAT, "statement needs exactly one subject "
			     "with a sha256 digest");
		goto bad;
	}
	out->annotations = ann;
	return 0;
bad:
	statement_release(out);
	return rc;
}

void statement_release(struct statement *s)
{
	json_decref(s->doc);
	memset(s, 0, sizeof(*s));
}

bool statement_predicate_type(char *out, size_t outsz, const void *data,
			      size_t len)
{
	json_t *doc = NULL;
	const char *pt;
	const char *t;
	bool ok;

	out[0] = '\0';
	if (jx_parse(&doc, data, len, "in-toto statement") < 0) {
		err_clear();
		return false;
	}
	pt = jx_str(doc, "predicateType");
	t = jx_str(doc, "_type");
	/* v1 and v0.1 alike: cosign attest has written both */
	ok = pt && t && strncmp(t, "https://in-toto.io/Statement/",
				strlen("https://in-toto.io/Statement/")) == 0;
	if (ok)
		str_sanitize(out, outsz, pt);
	json_decref(doc);
	return ok;
}
