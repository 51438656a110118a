/*
 * dssebody.c - the canonicalized body of a Rekor entry that logs a DSSE
 * envelope: kind "dsse" v0.0.1 (spec.payloadHash, spec.envelopeHash,
 * spec.signatures[] {signature: base64, verifier: base64 PEM}) and
 * v0.0.2 (Rekor v2: spec.dsseV002 {payloadHash {algorithm, digest},
 * signatures[] {content, verifier}}), kind "intoto" v0.0.1
 * (spec.content {hash, payloadHash}, spec.publicKey: base64 PEM; no
 * signature logged) and v0.0.2 (spec.content {envelope {payloadType,
 * signatures[] {sig: base64 of the base64 signature, publicKey: base64
 * PEM}}, hash, payloadHash}). What the entry says was signed, so that a
 * verifier can tell an entry for this envelope from one for another.
 * Pure.
 */
#include <string.h>

#include "formats.h"

/* {algorithm: "sha256", value: 64 lower-case hex} at @field into @out;
 * @required or else may be absent (false then). */
static bool hex_hash(struct jp_reader *r, const json_t *obj,
		     const char *field, const char *jp, unsigned char out[32])
{
	static const char *const f[] = { "algorithm", "value", NULL };
	static const char digits[] = "0123456789abcdef";
	const json_t *h = jp_get_obj_only(r, obj, field, jp, f, "algorithm, value");
	const char *alg, *hex;
	char sub[JP_MAX];
	size_t i;

	if (!h)
		return false;
	jp_key(sub, jp, field);
	alg = jp_get_str(r, h, "algorithm", sub, true);
	hex = jp_get_str(r, h, "value", sub, true);
	if (alg && strcmp(alg, "sha256") != 0) {
		jp_report(r, ERR_FORMAT, sub, "algorithm '%.20s' not "
			  "supported (sha256)", alg);
		return false;
	}
	if (!hex)
		return false;
	for (i = 0; strlen(hex) == 64 && i < 32; i++) {
		const char *a = strchr(digits, hex[2 * i]);
		const char *b = strchr(digits, hex[2 * i + 1]);

		if (!a || !b || !*a || !*b)
			break;
		out[i] = (unsigned char)((a - digits) << 4 | (b - digits));
	}
	if (i != 32)
		jp_report(r, ERR_FORMAT, sub, "value: expected 64 lower-case "
			  "hex digits");
	return i == 32;
}

/* The next signature slot, or NULL (reported) when full. */
static size_t next_sig(struct jp_reader *r, struct logged_envelope *out,
		       const char *jp)
{
	if (out->n_sigs >= LOGGED_SIGS_MAX) {
		jp_report(r, ERR_FORMAT, jp, "more than %d signatures",
			  LOGGED_SIGS_MAX);
		return LOGGED_SIGS_MAX;
	}
	return out->n_sigs++;
}

static bool is_pem_cert(const struct buf *b)
{
	return b->len >= 27 &&
	       memcmp(b->data, "-----BEGIN CERTIFICATE-----", 27) == 0;
}

/* The signatures array at @field: each element through @one. */
static const json_t *sig_array(struct jp_reader *r, const json_t *obj,
			       const char *field, const char *jp)
{
	const json_t *a = json_object_get(obj, field);
	char sub[JP_MAX];

	if (!json_is_array(a) || json_array_size(a) == 0) {
		jp_report(r, ERR_FORMAT, jp_key(sub, jp, field),
			  "expected a non-empty array");
		return NULL;
	}
	return a;
}

static void parse_dsse_v1(struct jp_reader *r, const json_t *spec,
			  struct logged_envelope *out)
{
	static const char *const spec_f[] = { "signatures", "envelopeHash",
		"payloadHash", NULL };
	static const char *const sig_f[] = { "signature", "verifier", NULL };
	unsigned char env[32];
	const json_t *a, *s;
	char sub[JP_MAX];
	size_t i, k;

	jp_only_fields(r, spec, ".spec", spec_f, "signatures, envelopeHash, "
		       "payloadHash");
	out->has_payload_hash = hex_hash(r, spec, "payloadHash", ".spec",
					 out->payload_hash);
	(void)hex_hash(r, spec, "envelopeHash", ".spec", env);
	if (!(a = sig_array(r, spec, "signatures", ".spec")))
		return;
	for (i = 0; i < json_array_size(a); i++) {
		s = json_array_get(a, i);
		jp_idx(sub, ".spec.signatures", i);
		if (!json_is_object(s)) {
			jp_report(r, ERR_FORMAT, sub, "expected an object");
			continue;
		}
		jp_only_fields(r, s, sub, sig_f, "signature, verifier");
		if ((k = next_sig(r, out, sub)) == LOGGED_SIGS_MAX)
			return;
		jp_get_b64(r, s, "signature", sub, &out->sig[k]);
		jp_get_b64(r, s, "verifier", sub, &out->verifier[k]);
		out->verifier_is_cert[k] = is_pem_cert(&out->verifier[k]);
	}
}

/* A Rekor v2 verifier {keyDetails, x509Certificate | publicKey
 * {rawBytes}} into slot @k. */
static void parse_v2_verifier(struct jp_reader *r, const json_t *s,
			      const char *jp, struct logged_envelope *out,
			      size_t k)
{
	static const char *const ver_f[] = { "keyDetails", "x509Certificate",
		"publicKey", NULL };
	static const char *const raw_f[] = { "rawBytes", NULL };
	const json_t *v = jp_get_obj_only(r, s, "verifier", jp, ver_f,
				 "keyDetails, x509Certificate, publicKey");
	char sub[JP_MAX], inner[JP_MAX];
	const char *which;

	if (!v)
		return;
	jp_key(sub, jp, "verifier");
	(void)jp_get_str(r, v, "keyDetails", sub, true);
	out->verifier_is_cert[k] = json_object_get(v, "x509Certificate");
	which = out->verifier_is_cert[k] ? "x509Certificate" : "publicKey";
	if (out->verifier_is_cert[k] && json_object_get(v, "publicKey")) {
		jp_report(r, ERR_FORMAT, sub, "both a certificate and a key");
		return;
	}
	if ((v = jp_get_obj_only(r, v, which, sub, raw_f, "rawBytes")))
		jp_get_b64(r, v, "rawBytes", jp_key(inner, sub, which),
			&out->verifier[k]);
}

static void parse_dsse_v2(struct jp_reader *r, const json_t *spec,
			  struct logged_envelope *out)
{
	static const char *const spec_f[] = { "dsseV002", NULL };
	static const char *const v2_f[] = { "payloadHash", "signatures",
		NULL };
	static const char *const hash_f[] = { "algorithm", "digest", NULL };
	static const char *const sig_f[] = { "content", "verifier", NULL };
	const char *jp = ".spec.dsseV002";
	const json_t *d, *h, *a, *s;
	const char *alg;
	char sub[JP_MAX];
	struct buf dig;
	size_t i, k;

	jp_only_fields(r, spec, ".spec", spec_f, "dsseV002");
	if (!(d = jp_get_obj_only(r, spec, "dsseV002", ".spec", v2_f,
			 "payloadHash, signatures")))
		return;
	if ((h = jp_get_obj_only(r, d, "payloadHash", jp, hash_f,
			"algorithm, digest"))) {
		buf_init(&dig, 64);
		alg = jp_get_str(r, h, "algorithm", ".spec.dsseV002."
				 "payloadHash", true);
		jp_get_b64(r, h, "digest", ".spec.dsseV002.payloadHash", &dig);
		if (alg && (strcmp(alg, "SHA2_256") != 0 || dig.len != 32))
			jp_report(r, ERR_FORMAT, ".spec.dsseV002.payloadHash",
				  "not a SHA2_256 digest");
		else if (alg && (out->has_payload_hash = true))
			memcpy(out->payload_hash, dig.data, 32);
		buf_release(&dig);
	}
	if (!(a = sig_array(r, d, "signatures", jp)))
		return;
	for (i = 0; i < json_array_size(a); i++) {
		s = json_array_get(a, i);
		jp_idx(sub, ".spec.dsseV002.signatures", i);
		if (!json_is_object(s)) {
			jp_report(r, ERR_FORMAT, sub, "expected an object");
			continue;
		}
		jp_only_fields(r, s, sub, sig_f, "content, verifier");
		if ((k = next_sig(r, out, sub)) == LOGGED_SIGS_MAX)
			return;
		jp_get_b64(r, s, "content", sub, &out->sig[k]);
		parse_v2_verifier(r, s, sub, out, k);
	}
}

static void parse_intoto_v1(struct jp_reader *r, const json_t *spec,
			    struct logged_envelope *out)
{
	static const char *const spec_f[] = { "content", "publicKey", NULL };
	static const char *const content_f[] = { "hash", "payloadHash",
		NULL };
	unsigned char env[32];
	const json_t *c;
	size_t k;

	jp_only_fields(r, spec, ".spec", spec_f, "content, publicKey");
	if ((c = jp_get_obj_only(r, spec, "content", ".spec", content_f,
			"hash, payloadHash"))) {
		(void)hex_hash(r, c, "hash", ".spec.content", env);
		out->has_payload_hash = hex_hash(r, c, "payloadHash",
						 ".spec.content",
						 out->payload_hash);
	}
	k = next_sig(r, out, ".spec");
	jp_get_b64(r, spec, "publicKey", ".spec", &out->verifier[k]);
	out->verifier_is_cert[k] = is_pem_cert(&out->verifier[k]);
	out->sigs_unlogged = true;
}

/* One signature of an intoto v0.0.2 envelope: sig is the base64 of the
 * envelope's base64 signature. */
static void intoto_v2_sig(struct jp_reader *r, const json_t *s,
			  const char *jp, struct logged_envelope *out)
{
	static const char *const sig_f[] = { "keyid", "sig", "publicKey",
		NULL };
	struct buf inner;
	size_t k;

	if (!json_is_object(s)) {
		jp_report(r, ERR_FORMAT, jp, "expected an object");
		return;
	}
	jp_only_fields(r, s, jp, sig_f, "keyid, sig, publicKey");
	if ((k = next_sig(r, out, jp)) == LOGGED_SIGS_MAX)
		return;
	buf_init(&inner, 64 * 1024);
	jp_get_b64(r, s, "sig", jp, &inner);
	if (inner.len && b64_decode(&out->sig[k], (const char *)inner.data,
				    inner.len) < 0)
		jp_report(r, ERR_FORMAT, jp, "sig: not the base64 of a "
			  "base64 signature");
	buf_release(&inner);
	jp_get_b64(r, s, "publicKey", jp, &out->verifier[k]);
	out->verifier_is_cert[k] = is_pem_cert(&out->verifier[k]);
}

static void parse_intoto_v2(struct jp_reader *r, const json_t *spec,
			    struct logged_envelope *out)
{
	static const char *const spec_f[] = { "content", NULL };
	static const char *const content_f[] = { "envelope", "hash",
		"payloadHash", NULL };
	static const char *const env_f[] = { "payload", "payloadType",
		"signatures", NULL };
	const char *jp = ".spec.content.envelope";
	unsigned char envh[32];
	const json_t *c, *e, *a;
	char sub[JP_MAX];
	size_t i;

	jp_only_fields(r, spec, ".spec", spec_f, "content");
	if (!(c = jp_get_obj_only(r, spec, "content", ".spec", content_f,
			 "envelope, hash, payloadHash")))
		return;
	(void)hex_hash(r, c, "hash", ".spec.content", envh);
	out->has_payload_hash = hex_hash(r, c, "payloadHash", ".spec.content",
					 out->payload_hash);
	if (!(e = jp_get_obj_only(r, c, "envelope", ".spec.content", env_f,
			 "payload, payloadType, signatures")))
		return;
	out->payload_type = jp_get_str(r, e, "payloadType", jp, true);
	if (!(a = sig_array(r, e, "signatures", jp)))
		return;
	for (i = 0; i < json_array_size(a); i++)
		intoto_v2_sig(r, json_array_get(a, i),
			      jp_idx(sub, ".spec.content.envelope.signatures",
				     i), out);
}

static void parse_spec(struct jp_reader *r, const char *kind,
		       const json_t *spec, struct logged_envelope *out)
{
	bool dsse = strcmp(kind, "dsse") == 0;
	const char *v = out->version;

	if (strcmp(v, "0.0.1") == 0)
		(dsse ? parse_dsse_v1 : parse_intoto_v1)(r, spec, out);
	else if (strcmp(v, "0.0.2") == 0)
		(dsse ? parse_dsse_v2 : parse_intoto_v2)(r, spec, out);
	else
		jp_report(r, ERR_FORMAT, ".apiVersion", "'%.20s' not "
			  "supported (known: 0.0.1, 0.0.2)", v);
}

int logged_envelope_parse(struct logged_envelope *out, const void *data,
			  size_t len)
{
	static const char *const top[] = { "apiVersion", "kind", "spec",
		NULL };
	struct jp_reader r = { 0 };
	const json_t *spec;
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < LOGGED_SIGS_MAX; i++) {
		buf_init(&out->sig[i], 64 * 1024);
		buf_init(&out->verifier[i], 1024 * 1024);
	}
	if ((rc = jp_parse(&out->doc, &r, data, len, "rekor body")) < 0)
		return err_set(rc, "rekor body: %s", r.first);
	if (!json_is_object(out->doc))
		return err_set(ERR_FORMAT, "rekor body: not an object");
	jp_only_fields(&r, out->doc, "", top, "apiVersion, kind, spec");
	out->kind = jp_get_str(&r, out->doc, "kind", "", true);
	out->version = jp_get_str(&r, out->doc, "apiVersion", "", true);
	spec = json_object_get(out->doc, "spec");
	if (out->kind && strcmp(out->kind, "dsse") != 0 &&
	    strcmp(out->kind, "intoto") != 0)
		jp_report(&r, ERR_FORMAT, ".kind", "'%.40s' is not dsse or "
			  "intoto", out->kind);
	else if (!json_is_object(spec))
		jp_report(&r, ERR_FORMAT, ".spec", "expected an object");
	else if (out->kind && out->version)
		parse_spec(&r, out->kind, spec, out);
	if (!r.n_errors && !out->has_payload_hash)
		jp_report(&r, ERR_FORMAT, ".spec", "no payload hash");
	for (i = 0; !r.n_errors && i < out->n_sigs; i++)
		if ((!out->sigs_unlogged && !out->sig[i].len) ||
		    !out->verifier[i].len)
			jp_report(&r, ERR_FORMAT, ".spec", "empty signature "
				  "or verifier");
	if (r.n_errors)
		return err_set(r.first_rc, "rekor body: %s", r.first);
	return 0;
}

void logged_envelope_release(struct logged_envelope *e)
{
	size_t i;

	if (!e)
		return;
	for (i = 0; i < LOGGED_SIGS_MAX; i++) {
		buf_release(&e->sig[i]);
		buf_release(&e->verifier[i]);
	}
	json_decref(e->doc);
	memset(e, 0, sizeof(*e));
}
