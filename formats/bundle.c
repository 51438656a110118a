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

/* Media types of the bundle versions read, and their minor version. */
static const struct {
	const char *mt;
	int minor;
} bundle_versions[] = {
	{ MT_SIGSTORE_BUNDLE_V01, 1 },
	{ MT_SIGSTORE_BUNDLE_V02, 2 },
	{ MT_SIGSTORE_BUNDLE, 3 },
	{ "application/vnd.dev.sigstore.bundle+json;version=0.3", 3 },
};

/* A member of @obj, NULL when absent or JSON null (protobuf's "not
 * set"). */
static const json_t *member(const json_t *obj, const char *field)
{
	const json_t *v = json_object_get(obj, field);

	return json_is_null(v) ? NULL : v;
}

/* The object member @field of @obj, NULL when absent; a path error when
 * it is no object. Its members must be among @allowed. */
static const json_t *obj_member(struct jp_reader *r, const json_t *obj,
				const char *field, const char *jp,
				const char *const *allowed, const char *list)
{
	const json_t *v = member(obj, field);
	char sub[JP_MAX];

	if (!v)
		return NULL;
	jp_key(sub, jp, field);
	if (!json_is_object(v)) {
		jp_report(r, ERR_FORMAT, sub, "expected an object");
		return NULL;
	}
	jp_only_fields(r, v, sub, allowed, list);
	return v;
}

/* {rawBytes: base64 DER} into the next certificate of @out. */
static void raw_cert(struct jp_reader *r, const json_t *c, const char *jp,
		     struct bundle *out)
{
	static const char *const raw_f[] = { "rawBytes", NULL };

	if (!json_is_object(c)) {
		jp_report(r, ERR_FORMAT, jp, "expected an object");
		return;
	}
	jp_only_fields(r, c, jp, raw_f, "rawBytes");
	if (out->n_certs >= BUNDLE_CERTS_MAX) {
		jp_report(r, ERR_FORMAT, jp, "more than %d certificates",
			  BUNDLE_CERTS_MAX);
		return;
	}
	jp_get_b64(r, c, "rawBytes", jp, &out->certs[out->n_certs++]);
}

/* Exactly one of publicKey, x509CertificateChain, certificate. */
static void parse_material_key(struct jp_reader *r, const json_t *vm,
			       struct bundle *out)
{
	static const char *const key_f[] = { "hint", NULL };
	static const char *const chain_f[] = { "certificates", NULL };
	static const char *const cert_f[] = { "rawBytes", NULL };
	const char *jp = ".verificationMaterial";
	const json_t *k, *ch, *c, *list;
	char sub[JP_MAX];
	size_t i;

	k = obj_member(r, vm, "publicKey", jp, key_f, "hint");
	ch = obj_member(r, vm, "x509CertificateChain", jp, chain_f,
			"certificates");
	c = obj_member(r, vm, "certificate", jp, cert_f, "rawBytes");
	if (!!k + !!ch + !!c != 1) {
		jp_report(r, ERR_FORMAT, jp, "needs exactly one of publicKey, "
			  "x509CertificateChain, certificate");
		return;
	}
	/* the hint is optional (the Sigstore bundle spec); "" is none */
	if (k && member(k, "hint") &&
	    !(json_is_string(member(k, "hint")) &&
	      !*json_string_value(member(k, "hint"))))
		out->key_hint = jp_get_str(r, k, "hint",
					   ".verificationMaterial.publicKey",
					   false);
	if (c)
		raw_cert(r, c, ".verificationMaterial.certificate", out);
	if (!ch)
		return;
	list = member(ch, "certificates");
	if (!json_is_array(list) || json_array_size(list) == 0) {
		jp_report(r, ERR_FORMAT, ".verificationMaterial."
			  "x509CertificateChain.certificates", "expected a "
			  "non-empty array");
		return;
	}
	for (i = 0; i < json_array_size(list); i++)
		raw_cert(r, json_array_get(list, i), jp_idx(sub,
			 ".verificationMaterial.x509CertificateChain."
			 "certificates", i), out);
}

/* tlogEntries[]: each a Rekor entry (rekor_entry_from_json). */
static void parse_tlog(struct jp_reader *r, const json_t *vm,
		       struct bundle *out)
{
	const json_t *list = member(vm, "tlogEntries");
	char sub[JP_MAX];
	size_t i;

	if (!list)
		return;
	if (!json_is_array(list) || json_array_size(list) > BUNDLE_TLOG_MAX) {
		jp_report(r, ERR_FORMAT, ".verificationMaterial.tlogEntries",
			  "expected an array of at most %d entries",
			  BUNDLE_TLOG_MAX);
		return;
	}
	for (i = 0; i < json_array_size(list); i++) {
		jp_idx(sub, ".verificationMaterial.tlogEntries", i);
		if (rekor_entry_from_json(&out->tlog[out->n_tlog++],
					  json_array_get(list, i)) < 0) {
			jp_report(r, ERR_FORMAT, sub, "%s", err_msg());
			err_clear();
		}
	}
}

/* timestampVerificationData.rfc3161Timestamps[].signedTimestamp. */
static void parse_tsa(struct jp_reader *r, const json_t *vm,
		      struct bundle *out)
{
	static const char *const tvd_f[] = { "rfc3161Timestamps", NULL };
	static const char *const ts_f[] = { "signedTimestamp", NULL };
	const char *jp = ".verificationMaterial.timestampVerificationData";
	const json_t *tvd, *list, *ts;
	char sub[JP_MAX], lp[JP_MAX];
	size_t i;

	if (!(tvd = obj_member(r, vm, "timestampVerificationData",
			       ".verificationMaterial", tvd_f,
			       "rfc3161Timestamps")) ||
	    !(list = member(tvd, "rfc3161Timestamps")))
		return;
	jp_key(lp, jp, "rfc3161Timestamps");
	if (!json_is_array(list) || json_array_size(list) > BUNDLE_TSA_MAX) {
		jp_report(r, ERR_FORMAT, lp, "expected an array of at most %d "
			  "timestamps", BUNDLE_TSA_MAX);
		return;
	}
	for (i = 0; i < json_array_size(list); i++) {
		ts = json_array_get(list, i);
		jp_idx(sub, lp, i);
		if (!json_is_object(ts)) {
			jp_report(r, ERR_FORMAT, sub, "expected an object");
			continue;
		}
		jp_only_fields(r, ts, sub, ts_f, "signedTimestamp");
		jp_get_b64(r, ts, "signedTimestamp", sub,
			   &out->tsa[out->n_tsa++]);
	}
}

/* @name of messageDigest.algorithm: its OpenSSL name and length. */
static size_t digest_alg(const char **md, const char *name)
{
	static const struct {
		const char *name, *md;
		size_t len;
	} algs[] = {
		{ "SHA2_256", "sha256", 32 },
		{ "SHA2_384", "sha384", 48 },
		{ "SHA2_512", "sha512", 64 },
	};
	size_t i;

	for (i = 0; name && i < sizeof(algs) / sizeof(algs[0]); i++)
		if (strcmp(name, algs[i].name) == 0) {
			*md = algs[i].md;
			return algs[i].len;
		}
	return 0;
}

static void parse_message(struct jp_reader *r, const json_t *ms,
			  struct bundle *out)
{
	static const char *const md_f[] = { "algorithm", "digest", NULL };
	const char *jp = ".messageSignature.messageDigest";
	const json_t *md;
	const char *alg;
	struct buf d;
	size_t n;

	jp_get_b64(r, ms, "signature", ".messageSignature", &out->sig);
	if (!(md = obj_member(r, ms, "messageDigest", ".messageSignature",
			      md_f, "algorithm, digest"))) {
		jp_report(r, ERR_FORMAT, jp, "missing");
		return;
	}
	alg = jp_get_str(r, md, "algorithm", jp, true);
	buf_init(&d, 64);
	jp_get_b64(r, md, "digest", jp, &d);
	if (alg && !(n = digest_alg(&out->md, alg)))
		jp_report(r, ERR_FORMAT, ".messageSignature.messageDigest."
			  "algorithm", "'%.20s' not supported (SHA2_256, "
			  "SHA2_384, SHA2_512)", alg);
	else if (alg && d.len != n)
		jp_report(r, ERR_FORMAT, ".messageSignature.messageDigest."
			  "digest", "not %zu bytes", n);
	else if (alg)
		memcpy(out->digest, d.data, out->digest_len = n);
	buf_release(&d);
}

static void parse_envelope(struct jp_reader *r, const json_t *e,
			   struct bundle *out)
{
	static const char *const sig_f[] = { "sig", "keyid", NULL };
	const json_t *sigs = member(e, "signatures");
	const json_t *s0 = json_array_get(sigs, 0);
	const char *jp = ".dsseEnvelope.signatures[0]";

	out->dsse = true;
	out->payload_type = jp_get_str(r, e, "payloadType", ".dsseEnvelope",
				       true);
	jp_get_b64(r, e, "payload", ".dsseEnvelope", &out->statement);
	if (!json_is_array(sigs) || json_array_size(sigs) != 1 ||
	    !json_is_object(s0)) {
		jp_report(r, ERR_FORMAT, ".dsseEnvelope.signatures",
			  "expected exactly one signature");
		return;
	}
	jp_only_fields(r, s0, jp, sig_f, "sig, keyid");
	if (member(s0, "keyid") && !json_is_string(member(s0, "keyid")))
		jp_report(r, ERR_FORMAT, ".dsseEnvelope.signatures[0].keyid",
			  "expected a string");
	jp_get_b64(r, s0, "sig", jp, &out->sig);
	if (out->payload_type && strcmp(out->payload_type,
					DSSE_TYPE_INTOTO) != 0)
		jp_report(r, ERR_FORMAT, ".dsseEnvelope.payloadType",
			  "'%.60s' is not in-toto (%s)", out->payload_type,
			  DSSE_TYPE_INTOTO);
}

static void parse_media_type(struct jp_reader *r, struct bundle *out)
{
	const char *mt = jp_get_str(r, out->doc, "mediaType", "", true);
	size_t i;

	for (i = 0; mt && i < sizeof(bundle_versions) /
		    sizeof(bundle_versions[0]); i++)
		if (strcmp(mt, bundle_versions[i].mt) == 0)
			out->minor = bundle_versions[i].minor;
	if (mt && !out->minor)
		jp_report(r, ERR_FORMAT, ".mediaType", "unknown bundle media "
			  "type '%.100s' (known: Sigstore bundle v0.1, v0.2, "
			  "v0.3)", mt);
}

static void bundle_bufs_init(struct bundle *out)
{
	size_t i;

	memset(out, 0, sizeof(*out));
	buf_init(&out->pae, (32u << 20));
	buf_init(&out->sig, 16384);
	buf_init(&out->statement, (32u << 20));
	for (i = 0; i < BUNDLE_CERTS_MAX; i++)
		buf_init(&out->certs[i], 64 * 1024);
	for (i = 0; i < BUNDLE_TSA_MAX; i++)
		buf_init(&out->tsa[i], 64 * 1024);
}

int bundle_parse(struct bundle *out, const void *data, size_t len)
{
	static const char *const top[] = { "mediaType", "verificationMaterial",
		"dsseEnvelope", "messageSignature", NULL };
	static const char *const vm_f[] = { "publicKey", "x509CertificateChain",
		"certificate", "tlogEntries", "timestampVerificationData",
		NULL };
	static const char *const env_f[] = { "payload", "payloadType",
		"signatures", NULL };
	static const char *const ms_f[] = { "messageDigest", "signature",
		NULL };
	struct jp_reader r = { 0 };
	const json_t *vm, *e, *ms;
	int rc;

	bundle_bufs_init(out);
	if ((rc = jp_parse(&out->doc, &r, data, len, "sigstore bundle")) < 0) {
		rc = err_set(rc, "sigstore bundle: %s", r.first);
		goto bad;
	}
	if (!json_is_object(out->doc)) {
		rc = err_set(ERR_FORMAT, "sigstore bundle: not an object");
		goto bad;
	}
	jp_only_fields(&r, out->doc, "", top, "mediaType, verificationMaterial"
		       ", dsseEnvelope, messageSignature");
	parse_media_type(&r, out);
	if (!(vm = obj_member(&r, out->doc, "verificationMaterial", "", vm_f,
			      "publicKey, x509CertificateChain, certificate, "
			      "tlogEntries, timestampVerificationData")))
		jp_report(&r, ERR_FORMAT, ".verificationMaterial", "missing");
	else {
		parse_material_key(&r, vm, out);
		parse_tlog(&r, vm, out);
		parse_tsa(&r, vm, out);
	}
	e = obj_member(&r, out->doc, "dsseEnvelope", "", env_f,
		       "payload, payloadType, signatures");
	ms = obj_member(&r, out->doc, "messageSignature", "", ms_f,
			"messageDigest, signature");
	if (!e == !ms)
		jp_report(&r, ERR_FORMAT, "", "needs exactly one of "
			  "dsseEnvelope, messageSignature");
	else if (e)
		parse_envelope(&r, e, out);
	else
		parse_message(&r, ms, out);
	if (!r.n_errors && out->dsse &&
	    dsse_pae(&out->pae, out->payload_type, out->statement.data,
		     out->statement.len) < 0)
		jp_report(&r, ERR_FORMAT, ".dsseEnvelope", "too large");
	if (r.n_errors) {
		rc = err_set(r.first_rc, "sigstore bundle: %s", r.first);
		goto bad;
	}
	return 0;
bad:
	bundle_release(out);
	return rc;
}

void bundle_release(struct bundle *b)
{
	size_t i;

	json_decref(b->doc);
	buf_release(&b->pae);
	buf_release(&b->sig);
	buf_release(&b->statement);
	for (i = 0; i < BUNDLE_CERTS_MAX; i++)
		buf_release(&b->certs[i]);
	for (i = 0; i < BUNDLE_TSA_MAX; i++)
		buf_release(&b->tsa[i]);
	for (i = 0; i < b->n_tlog; i++)
		rekor_entry_release(&b->tlog[i]);
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

int statement_has_subject(const void *data, size_t len, const char *alg,
			  const char *hex)
{
	static const char prefix[] = "https://in-toto.io/Statement/";
	const json_t *subj, *s;
	const char *t, *d;
	json_t *doc = NULL;
	size_t i;
	int rc;

	if ((rc = jx_parse(&doc, data, len, "in-toto statement")) < 0)
		return rc;
	subj = json_object_get(doc, "subject");
	t = jx_str(doc, "_type");
	if (!t || strncmp(t, prefix, strlen(prefix)) != 0 ||
	    !json_is_array(subj)) {
		json_decref(doc);
		return err_set(ERR_FORMAT, "not an in-toto statement with "
			       "subjects");
	}
	for (i = 0, rc = 0; rc == 0 && i < json_array_size(subj); i++) {
		s = json_array_get(subj, i);
		d = jx_str(json_object_get(s, "digest"), alg);
		rc = d && strcmp(d, hex) == 0;
	}
	json_decref(doc);
	return rc;
}
