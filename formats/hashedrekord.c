/*
 * hashedrekord.c - the canonicalized body of a Rekor "hashedrekord"
 * entry: v0.0.1 (Rekor v1: spec.data.hash {algorithm, value hex},
 * spec.signature {content, publicKey.content: base64 PEM}) and v0.0.2
 * (Rekor v2: spec.hashedRekordV002.data {algorithm SHA2_*, digest},
 * .signature {content, verifier {keyDetails, x509Certificate | publicKey
 * {rawBytes}}}). What the log entry says was signed, so that a verifier
 * can tell an entry for this signature from an entry for another. Pure.
 */
#include <string.h>

#include "formats.h"

static const char *const top_fields[] = {
	"apiVersion", "kind", "spec", NULL
};

/* @md by name into out->md, and the digest length it has. */
static size_t md_len(struct hashedrekord *out, const char *name, bool v2)
{
	static const struct {
		const char *v1, *v2, *md;
		size_t len;
	} mds[] = {
		{ "sha256", "SHA2_256", "sha256", 32 },
		{ "sha384", "SHA2_384", "sha384", 48 },
		{ "sha512", "SHA2_512", "sha512", 64 },
	};
	size_t i;

	for (i = 0; name && i < sizeof(mds) / sizeof(mds[0]); i++) {
		if (strcmp(name, v2 ? mds[i].v2 : mds[i].v1) == 0) {
			out->md = mds[i].md;
			return mds[i].len;
		}
	}
	return 0;
}

static void hex_digest(struct jp_reader *r, const char *hex, size_t n,
		       const char *jp, struct hashedrekord *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	if (!hex)
		return;
	if (strlen(hex) != 2 * n) {
		jp_report(r, ERR_FORMAT, jp, "expected %zu lower-case hex "
			  "digits", 2 * n);
		return;
	}
	for (i = 0; i < n; i++) {
		const char *a = strchr(digits, hex[2 * i]);
		const char *b = strchr(digits, hex[2 * i + 1]);

		if (!a || !b || !*a || !*b) {
			jp_report(r, ERR_FORMAT, jp, "expected %zu lower-case "
				  "hex digits", 2 * n);
			return;
		}
		out->digest[i] = (unsigned char)((a - digits) << 4 |
						 (b - digits));
	}
	out->digest_len = n;
}

static void parse_v1(struct jp_reader *r, const json_t *spec,
		     struct hashedrekord *out)
{
	static const char *const spec_f[] = { "data", "signature", NULL };
	static const char *const data_f[] = { "hash", NULL };
	static const char *const hash_f[] = { "algorithm", "value", NULL };
	static const char *const sig_f[] = { "content", "publicKey", NULL };
	static const char *const key_f[] = { "content", NULL };
	const json_t *data, *hash, *sig, *key;
	size_t n;

	jp_only_fields(r, spec, ".spec", spec_f, "data, signature");
	if ((data = jp_get_obj_only(r, spec, "data", ".spec", data_f, "hash")) &&
	    (hash = jp_get_obj_only(r, data, "hash", ".spec.data", hash_f,
			   "algorithm, value"))) {
		const char *alg = jp_get_str(r, hash, "algorithm",
					     ".spec.data.hash", true);

		if (alg && !(n = md_len(out, alg, false)))
			jp_report(r, ERR_FORMAT, ".spec.data.hash.algorithm",
				  "'%.20s' not supported", alg);
		else if (alg)
			hex_digest(r, jp_get_str(r, hash, "value",
						 ".spec.data.hash", true), n,
				   ".spec.data.hash.value", out);
	}
	if (!(sig = jp_get_obj_only(r, spec, "signature", ".spec", sig_f,
			   "content, publicKey")))
		return;
	jp_get_b64(r, sig, "content", ".spec.signature", &out->sig);
	if ((key = jp_get_obj_only(r, sig, "publicKey", ".spec.signature", key_f,
			  "content")))
		jp_get_b64(r, key, "content", ".spec.signature.publicKey",
			&out->verifier);
	out->verifier_is_cert = out->verifier.len >= 27 &&
		memcmp(out->verifier.data, "-----BEGIN CERTIFICATE-----",
		       27) == 0;
}

static void parse_verifier(struct jp_reader *r, const json_t *sig,
			   const char *jp, struct hashedrekord *out)
{
	static const char *const ver_f[] = {
		"keyDetails", "x509Certificate", "publicKey", NULL
	};
	static const char *const raw_f[] = { "rawBytes", NULL };
	const json_t *v = jp_get_obj_only(r, sig, "verifier", jp, ver_f,
				 "keyDetails, x509Certificate, publicKey");
	const char *which;
	char sub[JP_MAX], inner[JP_MAX];

	if (!v)
		return;
	jp_key(sub, jp, "verifier");
	(void)jp_get_str(r, v, "keyDetails", sub, true);
	out->verifier_is_cert = json_object_get(v, "x509Certificate") != NULL;
	which = out->verifier_is_cert ? "x509Certificate" : "publicKey";
	if (out->verifier_is_cert && json_object_get(v, "publicKey")) {
		jp_report(r, ERR_FORMAT, sub, "both a certificate and a key");
		return;
	}
	if ((v = jp_get_obj_only(r, v, which, sub, raw_f, "rawBytes")))
		jp_get_b64(r, v, "rawBytes", jp_key(inner, sub, which),
			&out->verifier);
}

static void parse_v2(struct jp_reader *r, const json_t *spec,
		     struct hashedrekord *out)
{
	static const char *const spec_f[] = { "hashedRekordV002", NULL };
	static const char *const v2_f[] = { "data", "signature", NULL };
	static const char *const data_f[] = { "algorithm", "digest", NULL };
	static const char *const sig_f[] = { "content", "verifier", NULL };
	const char *jp = ".spec.hashedRekordV002";
	const json_t *hr, *data, *sig;
	struct buf d;
	size_t n = 0;

	jp_only_fields(r, spec, ".spec", spec_f, "hashedRekordV002");
	if (!(hr = jp_get_obj_only(r, spec, "hashedRekordV002", ".spec", v2_f,
			  "data, signature")))
		return;
	if ((data = jp_get_obj_only(r, hr, "data", jp, data_f, "algorithm, digest"))) {
		const char *alg = jp_get_str(r, data, "algorithm",
					     ".spec.hashedRekordV002.data",
					     true);

		buf_init(&d, 64);
		jp_get_b64(r, data, "digest", ".spec.hashedRekordV002.data", &d);
		if (alg && !(n = md_len(out, alg, true)))
			jp_report(r, ERR_FORMAT, ".spec.hashedRekordV002.data"
				  ".algorithm", "'%.20s' not supported", alg);
		else if (alg && d.len != n)
			jp_report(r, ERR_FORMAT, ".spec.hashedRekordV002.data"
				  ".digest", "not %zu bytes", n);
		else if (alg)
			memcpy(out->digest, d.data, out->digest_len = n);
		buf_release(&d);
	}
	if ((sig = jp_get_obj_only(r, hr, "signature", jp, sig_f,
			  "content, verifier"))) {
		jp_get_b64(r, sig, "content", ".spec.hashedRekordV002.signature",
			&out->sig);
		parse_verifier(r, sig, ".spec.hashedRekordV002.signature",
			       out);
	}
}

int hashedrekord_parse(struct hashedrekord *out, const void *data,
		       size_t len)
{
	struct jp_reader r = { 0 };
	const char *kind;
	json_t *spec;
	int rc;

	memset(out, 0, sizeof(*out));
	buf_init(&out->sig, 64 * 1024);
	buf_init(&out->verifier, 1024 * 1024);
	if ((rc = jp_parse(&out->doc, &r, data, len, "rekor body")) < 0)
		return err_set(rc, "rekor body: %s", r.first);
	if (!json_is_object(out->doc))
		return err_set(ERR_FORMAT, "rekor body: not an object");
	jp_only_fields(&r, out->doc, "", top_fields, "apiVersion, kind, spec");
	kind = jp_get_str(&r, out->doc, "kind", "", true);
	out->version = jp_get_str(&r, out->doc, "apiVersion", "", true);
	spec = json_object_get(out->doc, "spec");
	if (kind && strcmp(kind, "hashedrekord") != 0)
		jp_report(&r, ERR_FORMAT, ".kind", "'%.40s' is not "
			  "hashedrekord", kind);
	else if (!json_is_object(spec))
		jp_report(&r, ERR_FORMAT, ".spec", "expected an object");
	else if (out->version && strcmp(out->version, "0.0.1") == 0)
		parse_v1(&r, spec, out);
	else if (out->version && strcmp(out->version, "0.0.2") == 0)
		parse_v2(&r, spec, out);
	else if (out->version)
		jp_report(&r, ERR_FORMAT, ".apiVersion", "'%.20s' not "
			  "supported (known: 0.0.1, 0.0.2)", out->version);
	if (!r.n_errors && (!out->sig.len || !out->verifier.len ||
			    !out->digest_len))
		jp_report(&r, ERR_FORMAT, ".spec", "empty signature, key or "
			  "digest");
	if (r.n_errors)
		return err_set(r.first_rc, "rekor body: %s", r.first);
	return 0;
}

void hashedrekord_release(struct hashedrekord *h)
{
	if (!h)
		return;
	buf_release(&h->sig);
	buf_release(&h->verifier);
	json_decref(h->doc);
	memset(h, 0, sizeof(*h));
}
