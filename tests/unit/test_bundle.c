/* test_bundle.c - Sigstore bundles (formats/bundle.c, formats/dssebody.c)
 * and their verification in full (verify/keyless.c, verify/entry.c),
 * offline, on real bundles in tests/data/keyless/ (see SOURCE there):
 * each verifies against its trusted root, and each forgery fails with
 * ERR_VERIFY naming the check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>
#include <openssl/evp.h>

#include "../../core/core.h"
#include "../../formats/formats.h"
#include "../../keys/keys.h"
#include "../../verify/verify.h"

#define DATA "tests/data/keyless/"
#define PROD DATA "production_trusted_root.json"
#define STAGE DATA "staging_trusted_root.json"
#define SCAF DATA "scaffolding_trusted_root.json"
#define OTHER DATA "othername.sigstore.json"
#define JS DATA "sigstore.js@2.0.0-provenance.sigstore.json"
#define V2 DATA "staging-rekor-v2.txt.sigstore.json"
#define WHL DATA "bundle_v3_github.whl"
#define TXT DATA "bundle.txt"

static char *slurp(const char *path, size_t *len)
{
	struct buf b;

	buf_init(&b, 0);
	assert_int_equal(file_read(&b, path, 8 << 20, 0, NULL), 0);
	return buf_detach(&b, len);
}

static struct keys_trustroot *load_root(const char *path)
{
	struct trustedroot tr;
	struct keys_trustroot *t = NULL;
	size_t len;
	char *text = slurp(path, &len);

	assert_int_equal(trustedroot_parse(&tr, NULL, text, len), 0);
	assert_int_equal(keys_trustroot_new(&t, &tr), 0);
	trustedroot_release(&tr);
	free(text);
	return t;
}

/* The digest a message-signature bundle names, or a file's. */
static void digest_of_bundle(struct artifact_digest *a, const char *path)
{
	struct bundle b;
	size_t len;
	char *text = slurp(path, &len);

	assert_int_equal(bundle_parse(&b, text, len), 0);
	assert_string_equal(b.md, "sha256");
	memset(a, 0, sizeof(*a));
	memcpy(a->sha256, b.digest, 32);
	a->has_sha256 = true;
	bundle_release(&b);
	free(text);
}

static void digest_of_file(struct artifact_digest *a, const char *path)
{
	size_t len;
	char *text = slurp(path, &len);

	memset(a, 0, sizeof(*a));
	EVP_Digest(text, len, a->sha256, NULL, EVP_sha256(), NULL);
	EVP_Digest(text, len, a->sha512, NULL, EVP_sha512(), NULL);
	a->has_sha256 = a->has_sha512 = true;
	free(text);
}

static void digest_of_js(struct artifact_digest *a)
{
	static const char hex[] = "46d4e2f74c4877316640000a6fdf8a8b59f1e084"
		"7667973e9859f774dd31b8f1e0937813b777fb66a2ac67d50540fe3464096"
		"6eee9fc2ccca387082b4c85cd3c";
	unsigned int byte;
	size_t i;

	memset(a, 0, sizeof(*a));
	for (i = 0; i < 64; i++) {
		assert_int_equal(sscanf(hex + 2 * i, "%2x", &byte), 1);
		a->sha512[i] = (unsigned char)byte;
	}
	a->has_sha512 = true;
}

/* A bundle file, edited by @edit (may be NULL), verified. */
typedef void (*edit_fn)(json_t *doc);

static int verify_edited(struct bundle_verdict *v, const char *path,
			 const char *root, const struct artifact_digest *a,
			 edit_fn edit, const struct fulcio_identity *want)
{
	struct keys_trustroot *t = load_root(root);
	json_t *doc = json_load_file(path, 0, NULL);
	struct bundle b;
	char *text;
	int rc;

	assert_non_null(doc);
	if (edit)
		edit(doc);
	text = json_dumps(doc, JSON_COMPACT);
	assert_non_null(text);
	rc = bundle_parse(&b, text, strlen(text));
	if (rc == 0)
		rc = keyless_verify_bundle(v, t, &b, a, NULL, want, false);
	bundle_release(&b);
	free(text);
	json_decref(doc);
	keys_trustroot_free(t);
	return rc;
}

static void test_vectors_verify(void **state)
{
	static const struct fulcio_identity any = { NULL, ".*", NULL, ".*" };
	static const struct fulcio_identity gha = {
		"https://github.com/trailofbits/rfc8785.py/.github/workflows/"
		"release.yml@refs/tags/v0.1.2", NULL,
		"https://token.actions.githubusercontent.com", NULL };
	struct bundle_verdict v;
	struct artifact_digest a;

	(void)state;
	digest_of_bundle(&a, OTHER);
	assert_int_equal(verify_edited(&v, OTHER, SCAF, &a, NULL, &any), 0);
	assert_true(v.keyless);
	assert_string_equal(v.san, "foo!oidc.local");
	assert_int_equal(v.log_index, 3);
	assert_int_equal(v.logged_at, 1720811189);
	digest_of_js(&a);
	assert_int_equal(verify_edited(&v, JS, PROD, &a, NULL, &any), 0);
	assert_int_equal(v.log_index, 31821305);
	digest_of_bundle(&a, V2);
	assert_int_equal(verify_edited(&v, V2, STAGE, &a, NULL, &any), 0);
	assert_string_equal(v.san, "jku@goto.fi");
	assert_int_equal(v.logged_at, 0);
	assert_true(v.timestamp > 0);
	digest_of_file(&a, WHL);
	assert_int_equal(verify_edited(&v, WHL ".sigstore", PROD, &a, NULL,
				       &gha), 0);
	digest_of_file(&a, TXT);
	assert_int_equal(verify_edited(&v, TXT ".sigstore", STAGE, &a, NULL,
				       &any), 0);
	assert_string_equal(v.san, "a@tny.town");
}

/* ---- forgeries ---------------------------------------------------------- */

static json_t *entry0(json_t *doc)
{
	return json_array_get(json_object_get(json_object_get(doc,
		"verificationMaterial"), "tlogEntries"), 0);
}

/* Replace the base64 string member @key of @obj by its bytes with byte
 * @at flipped. */
static void flip_b64(json_t *obj, const char *key, size_t at)
{
	struct buf b;
	char *s;

	buf_init(&b, 0);
	assert_int_equal(b64_decode(&b, json_string_value(json_object_get(
		obj, key)), strlen(json_string_value(json_object_get(obj,
		key)))), 0);
	assert_true(at < b.len);
	b.data[at] ^= 0x01;
	s = b64_encode(b.data, b.len);
	json_object_set_new(obj, key, json_string(s));
	free(s);
	buf_release(&b);
}

static void flip_sig(json_t *doc)
{
	flip_b64(json_object_get(doc, "messageSignature"), "signature", 40);
}

static void flip_dsse_sig(json_t *doc)
{
	flip_b64(json_array_get(json_object_get(json_object_get(doc,
		"dsseEnvelope"), "signatures"), 0), "sig", 40);
}

static void flip_set(json_t *doc)
{
	flip_b64(json_object_get(entry0(doc), "inclusionPromise"),
		 "signedEntryTimestamp", 40);
}

static void other_body(json_t *doc)
{
	json_t *w = json_load_file(WHL ".sigstore", 0, NULL);

	assert_non_null(w);
	json_object_set(entry0(doc), "canonicalizedBody", json_object_get(
		entry0(w), "canonicalizedBody"));
	json_decref(w);
}

static void flip_proof(json_t *doc)
{
	json_t *p = json_object_get(entry0(doc), "inclusionProof");
	json_t *h = json_object_get(p, "hashes");
	json_t *tmp = json_object();

	json_object_set(tmp, "h", json_array_get(h, 0));
	flip_b64(tmp, "h", 5);
	json_array_set(h, 0, json_object_get(tmp, "h"));
	json_decref(tmp);
}

static void flip_checkpoint(json_t *doc)
{
	json_t *c = json_object_get(json_object_get(json_object_get(entry0(doc),
		"inclusionProof"), "checkpoint"), "envelope");
	char *s = strdup(json_string_value(c));

	assert_non_null(s);
	/* the origin line changes: no longer what the log signed */
	s[0] = s[0] == 'x' ? 'y' : 'x';
	json_string_set(c, s);
	free(s);
}

static void no_timestamps(json_t *doc)
{
	json_object_del(json_object_get(doc, "verificationMaterial"),
			"timestampVerificationData");
}

static void no_tlog(json_t *doc)
{
	json_object_del(json_object_get(doc, "verificationMaterial"),
			"tlogEntries");
}

static void later_time(json_t *doc)
{
	json_object_set_new(entry0(doc), "integratedTime",
			    json_string("1720811190"));
}

struct forgery {
	const char *what, *bundle, *root;
	edit_fn edit;
	int artifact;			/* 0 its own, 1 another */
	const char *identity, *issuer;
	const char *msg;		/* the check the message names */
};

static void test_forgeries(void **state)
{
	static const struct forgery f[] = {
		{ "signature", OTHER, SCAF, flip_sig, 0, NULL, NULL,
		  "signature:" },
		{ "DSSE signature", JS, PROD, flip_dsse_sig, 0, NULL, NULL,
		  "signature:" },
		{ "other artifact", OTHER, SCAF, NULL, 1, NULL, NULL,
		  "artifact digest:" },
		{ "DSSE subject", JS, PROD, NULL, 1, NULL, NULL,
		  "DSSE subject:" },
		{ "SET", OTHER, SCAF, flip_set, 0, NULL, NULL, "SET:" },
		{ "SET of another body", OTHER, SCAF, other_body, 0, NULL,
		  NULL, "log entry:" },
		{ "integrated time", OTHER, SCAF, later_time, 0, NULL, NULL,
		  "SET:" },
		{ "inclusion proof", OTHER, SCAF, flip_proof, 0, NULL, NULL,
		  "inclusion proof:" },
		{ "checkpoint", JS, PROD, flip_checkpoint, 0, NULL, NULL,
		  "checkpoint:" },
		{ "v2 without timestamp", V2, STAGE, no_timestamps, 0, NULL,
		  NULL, "timestamp" },
		{ "keyless without log", OTHER, SCAF, no_tlog, 0, NULL, NULL,
		  "log entry:" },
		{ "wrong identity", OTHER, SCAF, NULL, 0, "bar!oidc.local",
		  NULL, "certificate identity:" },
		{ "wrong issuer", OTHER, SCAF, NULL, 0, NULL,
		  "http://oidc.local:8081", "certificate identity:" },
		{ "prefix regexp", OTHER, SCAF, NULL, 0, "foo", NULL,
		  "certificate identity:" },
		{ "untrusted root", OTHER, PROD, NULL, 0, NULL, NULL, "" },
	};
	struct bundle_verdict v;
	struct artifact_digest a;
	struct fulcio_identity want;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		if (strcmp(f[i].bundle, JS) == 0)
			digest_of_js(&a);
		else
			digest_of_bundle(&a, f[i].bundle);
		if (f[i].artifact)
			a.sha256[0] ^= 1, a.sha512[0] ^= 1;
		want = (struct fulcio_identity){ NULL, ".*", NULL, ".*" };
		if (f[i].identity && strcmp(f[i].identity, "foo") == 0)
			want.identity_re = "foo";
		else if (f[i].identity)
			want = (struct fulcio_identity){ f[i].identity, NULL,
							 NULL, ".*" };
		if (f[i].issuer)
			want = (struct fulcio_identity){ NULL, ".*",
							 f[i].issuer, NULL };
		print_message("forgery: %s\n", f[i].what);
		assert_int_equal(verify_edited(&v, f[i].bundle, f[i].root, &a,
					       f[i].edit, &want), ERR_VERIFY);
		assert_non_null(strstr(err_msg(), f[i].msg));
		err_clear();
	}
}

/* ---- parsing ------------------------------------------------------------ */

static int parse_edited(const char *path, const char *from, const char *to)
{
	struct bundle b;
	size_t len;
	char *text = slurp(path, &len), *at, *out;
	int rc;

	at = strstr(text, from);
	assert_non_null(at);
	out = malloc(len + strlen(to) + 1);
	assert_non_null(out);
	memcpy(out, text, (size_t)(at - text));
	memcpy(out + (at - text), to, strlen(to));
	memcpy(out + (at - text) + strlen(to), at + strlen(from),
	       strlen(at + strlen(from)) + 1);
	rc = bundle_parse(&b, out, strlen(out));
	bundle_release(&b);
	free(out);
	free(text);
	return rc;
}

static void test_parse(void **state)
{
	(void)state;
	assert_int_equal(parse_edited(OTHER, "application/vnd.dev.sigstore."
				      "bundle.v0.3+json", "application/vnd."
				      "dev.sigstore.bundle.v0.9+json"),
			 ERR_FORMAT);
	assert_non_null(strstr(err_msg(), "unknown bundle media type "
			       "'application/vnd.dev.sigstore.bundle.v0.9"));
	assert_int_equal(parse_edited(OTHER, "\"messageSignature\"",
				      "\"extra\":1,\"messageSignature\""),
			 ERR_FORMAT);
	assert_int_equal(parse_edited(OTHER, "\"messageSignature\"",
				      "\"mediaType\":\"x\","
				      "\"messageSignature\""), ERR_FORMAT);
	assert_non_null(strstr(err_msg(), "duplicate"));
	assert_int_equal(parse_edited(OTHER, "\"certificate\"",
				      "\"publicKey\":{},\"certificate\""),
			 ERR_FORMAT);
	assert_non_null(strstr(err_msg(), "exactly one of publicKey"));
	assert_int_equal(parse_edited(OTHER, "\"messageSignature\"",
				      "\"dsseEnvelope\":{},"
				      "\"messageSignature\""), ERR_FORMAT);
	assert_int_equal(parse_edited(OTHER, "SHA2_256", "MD5"), ERR_FORMAT);
	assert_int_equal(parse_edited(JS, "\"keyid\"",
				      "\"x\":1,\"keyid\""), ERR_FORMAT);
	err_clear();
}

/* A key bundle needs its key, and is refused with another. */
static void test_key_bundle(void **state)
{
	struct bundle_verdict v;
	struct bundle b;
	size_t len;
	char *text;
	json_t *doc = json_load_file(OTHER, 0, NULL);

	(void)state;
	json_object_del(json_object_get(doc, "verificationMaterial"),
			"certificate");
	json_object_set_new(json_object_get(doc, "verificationMaterial"),
			    "publicKey", json_object());
	json_object_del(json_object_get(doc, "verificationMaterial"),
			"tlogEntries");
	text = json_dumps(doc, JSON_COMPACT);
	len = strlen(text);
	assert_int_equal(bundle_parse(&b, text, len), 0);
	assert_int_equal(b.n_certs, 0);
	assert_int_equal(keyless_verify_bundle(&v, NULL, &b, NULL, NULL, NULL,
					       false), ERR_VERIFY);
	assert_non_null(strstr(err_msg(), "give the key"));
	err_clear();
	bundle_release(&b);
	free(text);
	/* an empty hint is no hint (protobuf JSON leaves it out anyway) */
	json_object_set_new(json_object_get(json_object_get(
		doc, "verificationMaterial"), "publicKey"), "hint",
		json_string(""));
	text = json_dumps(doc, JSON_COMPACT);
	assert_int_equal(bundle_parse(&b, text, strlen(text)), 0);
	assert_null(b.key_hint);
	bundle_release(&b);
	free(text);
	json_decref(doc);
}

/* The intoto v0.0.2 body of the sigstore.js entry: its payload hash, its
 * signature (twice base64) and the PEM certificate. */
static void test_envelope_body(void **state)
{
	struct logged_envelope e;
	struct bundle b;
	unsigned char h[32];
	size_t len;
	char *text = slurp(JS, &len);

	(void)state;
	assert_int_equal(bundle_parse(&b, text, len), 0);
	assert_int_equal(logged_envelope_parse(&e, b.tlog[0].body.data,
					       b.tlog[0].body.len), 0);
	assert_string_equal(e.kind, "intoto");
	assert_string_equal(e.version, "0.0.2");
	assert_int_equal(e.n_sigs, 1);
	assert_true(e.verifier_is_cert[0]);
	assert_int_equal(e.sig[0].len, b.sig.len);
	assert_memory_equal(e.sig[0].data, b.sig.data, b.sig.len);
	EVP_Digest(b.statement.data, b.statement.len, h, NULL, EVP_sha256(),
		   NULL);
	assert_memory_equal(e.payload_hash, h, 32);
	logged_envelope_release(&e);
	assert_int_equal(logged_envelope_parse(&e, "{\"apiVersion\":\"0.0.1\","
					       "\"kind\":\"rekord\",\"spec\":{}}",
					       50), ERR_FORMAT);
	logged_envelope_release(&e);
	err_clear();
	bundle_release(&b);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors_verify),
		cmocka_unit_test(test_forgeries),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_key_bundle),
		cmocka_unit_test(test_envelope_body),
	};

	jx_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
