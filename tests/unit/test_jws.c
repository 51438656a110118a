/* test_jws.c - Notary Project JWS envelopes and payloads: real notation
 * output (tests/data/notation, see SOURCE there), strict parsing of
 * mutated envelopes, RFC 3339 times, and build/parse round trips signed
 * with generated keys and certificates. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "../../formats/formats.h"
#include "../../keys/keys.h"

#define NV "tests/data/notation/"
#define E2E_DIGEST "sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc6" \
		   "1482d5ae4c831f8af9"
#define MT_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MT_NOTARY "application/vnd.cncf.notary.signature"

/* ---- helpers ------------------------------------------------------------- */

static void assert_msg_has(const char *needle)
{
	if (!strstr(err_msg(), needle))
		fail_msg("message '%s' lacks '%s'", err_msg(), needle);
}

static void slurp(struct buf *out, const char *path)
{
	char chunk[4096];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		fail_msg("cannot open '%s'", path);
	buf_init(out, 0);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		assert_int_equal(buf_append(out, chunk, n), 0);
	fclose(f);
}

/* Blob @digest of @layout, checked against its digest before use. */
static void blob(struct buf *out, const char *layout, const char *digest)
{
	struct digest d;
	char path[512];

	assert_int_equal(digest_parse(&d, digest), 0);
	assert_true(snprintf(path, sizeof(path), NV "%s/blobs/sha256/%s",
			     layout, digest_hex(&d)) < (int)sizeof(path));
	slurp(out, path);
	assert_int_equal(digest_check(&d, out->data, out->len), 0);
}

static json_t *blob_json(const char *layout, const char *digest)
{
	struct buf b;
	json_t *v;

	blob(&b, layout, digest);
	assert_int_equal(jx_parse(&v, b.data, b.len, digest), 0);
	buf_release(&b);
	return v;
}

static json_t *index_json(const char *layout)
{
	char path[512];
	struct buf b;
	json_t *v;

	snprintf(path, sizeof(path), NV "%s/index.json", layout);
	slurp(&b, path);
	assert_int_equal(jx_parse(&v, b.data, b.len, path), 0);
	buf_release(&b);
	return v;
}

/* The descriptor tagged @tag in the layout's index (new reference). */
static json_t *tagged(const char *layout, const char *tag)
{
	json_t *idx = index_json(layout), *d, *found = NULL;
	size_t i;

	json_array_foreach(json_object_get(idx, "manifests"), i, d) {
		const char *name = jx_str(json_object_get(d, "annotations"),
					  "org.opencontainers.image.ref.name");

		if (name && strcmp(name, tag) == 0)
			found = json_deep_copy(d);
	}
	json_decref(idx);
	assert_non_null(found);
	return found;
}

/* The Notary signature manifests in the layout (those with a subject and
 * the Notary config or artifact type), as an array of new references. */
static size_t sig_manifests(json_t *out[], size_t max, const char *layout)
{
	json_t *idx = index_json(layout), *d;
	size_t i, n = 0;

	json_array_foreach(json_object_get(idx, "manifests"), i, d) {
		const char *mt = jx_str(d, "mediaType"), *cfg, *at;
		json_t *m;

		if (!mt || strcmp(mt, MT_MANIFEST) != 0)
			continue;
		m = blob_json(layout, jx_str(d, "digest"));
		cfg = jx_str(json_object_get(m, "config"), "mediaType");
		at = jx_str(m, "artifactType");
		if (json_object_get(m, "subject") &&
		    ((cfg && strcmp(cfg, MT_NOTARY) == 0) ||
		     (at && strcmp(at, MT_NOTARY) == 0))) {
			assert_true(n < max);
			out[n++] = m;
		} else {
			json_decref(m);
		}
	}
	json_decref(idx);
	return n;
}

/* The single layer of the layout's single signature manifest. */
static json_t *only_layer(const char *layout, json_t **manifest)
{
	json_t *m[4], *layers, *l;

	assert_int_equal(sig_manifests(m, 4, layout), 1);
	layers = json_object_get(m[0], "layers");
	assert_int_equal(json_array_size(layers), 1);
	l = json_deep_copy(json_array_get(layers, 0));
	if (manifest)
		*manifest = m[0];
	else
		json_decref(m[0]);
	return l;
}

/* The envelope bytes of @layout (a jose+json layer). */
static void envelope(struct buf *out, const char *layout, json_t **manifest)
{
	json_t *l = only_layer(layout, manifest);

	assert_string_equal(jx_str(l, "mediaType"), JWS_MEDIA_TYPE);
	blob(out, layout, jx_str(l, "digest"));
	json_decref(l);
}

/* Parse, then check the signature with the leaf's key: its rc. */
static int verify_env(const struct jws *env, X509 ***chain, size_t *n)
{
	assert_int_equal(keys_certs_from_der(chain, n, env->certs,
					     env->n_certs), 0);
	return keys_jws_verify(X509_get0_pubkey((*chain)[0]), env->alg,
			       env->signing_input.data,
			       env->signing_input.len, env->signature.data,
			       env->signature.len);
}

static void load_trusted(X509 ***out, size_t *n, const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), NV "certs/%s", name);
	assert_int_equal(keys_load_certs(out, n, path), 0);
}

/* ---- real notation output ------------------------------------------------ */

static void valid_signature(void **state)
{
	json_t *image = tagged("e2e-valid-signature", "v1"), *man = NULL;
	struct notary_target t;
	struct jws env;
	struct buf b, rebuilt;
	struct digest d;
	X509 **chain = NULL, **trusted = NULL;
	size_t n = 0, nt = 0;
	char tp[65], why[512], list[80];

	(void)state;
	envelope(&b, "e2e-valid-signature", &man);
	assert_int_equal(jws_parse(&env, b.data, b.len), 0);
	assert_string_equal(env.alg, "PS256");
	assert_string_equal(env.cty, NOTARY_PAYLOAD_TYPE);
	assert_int_equal(env.scheme, JWS_SCHEME_X509);
	/* "2023-06-27T13:30:33+08:00" */
	assert_int_equal(env.signing_time, 1687843833);
	assert_false(env.has_expiry);
	assert_false(env.has_authentic_signing_time);
	assert_string_equal(env.signing_agent, "Notation/1.0.0");
	assert_int_equal(env.timestamp.len, 0);
	assert_int_equal(env.n_certs, 1);
	/* the signing input is the envelope's own text */
	assert_non_null(strstr((char *)b.data, "\"protected\":\""));
	assert_int_equal(env.signature.len, 256);

	/* the payload names the image tagged v1 */
	assert_int_equal(notary_payload_parse(&t, env.payload.data,
					      env.payload.len), 0);
	assert_string_equal(t.digest.str, jx_str(image, "digest"));
	assert_int_equal(t.size, json_integer_value(json_object_get(image,
								    "size")));
	assert_string_equal(t.media_type, jx_str(image, "mediaType"));
	assert_null(t.annotations);
	assert_null(t.artifact_type);
	/* and we write those very bytes */
	buf_init(&rebuilt, 0);
	assert_int_equal(digest_parse(&d, E2E_DIGEST), 0);
	assert_int_equal(notary_payload_build(&rebuilt, MT_MANIFEST, &d, 517,
					      NULL), 0);
	assert_int_equal(rebuilt.len, env.payload.len);
	assert_memory_equal(rebuilt.data, env.payload.data, rebuilt.len);

	/* signed by the leaf, which chains to e2e.crt */
	assert_int_equal(verify_env(&env, &chain, &n), 0);
	load_trusted(&trusted, &nt, "e2e.crt");
	assert_int_equal(keys_notary_check_chain(chain, n, trusted, nt,
						 time(NULL), why,
						 sizeof(why)), 0);
	/* the manifest announces the chain's thumbprints */
	assert_int_equal(keys_cert_thumbprint(tp, chain[0]), 0);
	snprintf(list, sizeof(list), "[\"%s\"]", tp);
	assert_string_equal(jx_str(json_object_get(man, "annotations"),
				   "io.cncf.notary.x509chain.thumbprint#S256"),
			    list);

	keys_certs_free(chain, n);
	keys_certs_free(trusted, nt);
	notary_target_release(&t);
	jws_release(&env);
	buf_release(&rebuilt);
	buf_release(&b);
	json_decref(man);
	json_decref(image);
}

static void multiple_signatures(void **state)
{
	json_t *m[4];
	X509 **trusted = NULL;
	size_t i, k, n, nt = 0, ok = 0;
	char why[512];

	(void)state;
	load_trusted(&trusted, &nt, "e2e.crt");
	n = sig_manifests(m, 4, "e2e-valid-multiple-signatures");
	assert_int_equal(n, 2);
	for (i = 0; i < n; i++) {
		json_t *l = json_array_get(json_object_get(m[i], "layers"), 0);
		X509 **chain = NULL;
		struct jws env;
		struct buf b;
		size_t nc = 0;
		char subject[256];
		int rc;

		blob(&b, "e2e-valid-multiple-signatures", jx_str(l, "digest"));
		assert_int_equal(jws_parse(&env, b.data, b.len), 0);
		assert_int_equal(verify_env(&env, &chain, &nc), 0);
		rc = keys_notary_check_chain(chain, nc, trusted, nt, time(NULL),
					     why, sizeof(why));
		keys_cert_subject(subject, sizeof(subject), chain[0]);
		if (strstr(subject, "CN=e2e,")) {
			assert_int_equal(rc, 0);
			ok++;
		} else {
			/* testcert11: not e2e.crt, and valid for a day */
			assert_int_equal(rc, ERR_VERIFY);
			assert_non_null(strstr(why, "does not chain to a "
					       "trusted certificate"));
			rc = keys_notary_check_chain(chain, nc, chain, 1,
						     time(NULL), why,
						     sizeof(why));
			assert_int_equal(rc, ERR_VERIFY);
			assert_non_null(strstr(why, "CN=testcert11"));
			assert_non_null(strstr(why, "expired on "
					       "2025-02-18T08:15:49Z"));
			assert_int_equal(jws_time_parse(&env.expiry,
				"2025-02-17T12:00:00Z"), 0);
			assert_int_equal(keys_notary_check_chain(chain, nc,
				chain, 1, env.expiry, why, sizeof(why)), 0);
			for (k = 0; k < nc; k++)
				assert_int_equal(X509_cmp(chain[k], trusted[0])
						 != 0, 1);
		}
		keys_certs_free(chain, nc);
		jws_release(&env);
		buf_release(&b);
		json_decref(m[i]);
	}
	assert_int_equal(ok, 1);
	keys_certs_free(trusted, nt);
}

static void expired_signature(void **state)
{
	X509 **chain = NULL;
	struct jws env;
	struct buf b;
	size_t n = 0;

	(void)state;
	envelope(&b, "e2e-expired-signature", NULL);
	assert_int_equal(jws_parse(&env, b.data, b.len), 0);
	assert_true(env.has_expiry);
	/* "2023-06-27T13:21:21+08:00", a minute after signing */
	assert_int_equal(env.expiry, 1687843281);
	assert_int_equal(env.signing_time, 1687843221);
	assert_true(env.expiry < time(NULL));
	/* the signature itself is fine: expiry is the verifier's call */
	assert_int_equal(verify_env(&env, &chain, &n), 0);
	keys_certs_free(chain, n);
	jws_release(&env);
	buf_release(&b);
}

static void invalid_signature(void **state)
{
	json_t *l = only_layer("e2e-invalid-signature", NULL);
	struct jws env;
	struct buf b;

	(void)state;
	/* not a JWS layer at all, and its bytes are no envelope */
	assert_string_not_equal(jx_str(l, "mediaType"), JWS_MEDIA_TYPE);
	blob(&b, "e2e-invalid-signature", jx_str(l, "digest"));
	assert_int_equal(jws_parse(&env, b.data, b.len), ERR_FORMAT);
	jws_release(&env);
	buf_release(&b);
	json_decref(l);
}

static void expired_certificate(void **state)
{
	X509 **chain = NULL, **trusted = NULL;
	struct jws env;
	struct buf b;
	size_t n = 0, nt = 0;
	char why[512];
	time_t then;

	(void)state;
	envelope(&b, "e2e-with-expired-cert", NULL);
	assert_int_equal(jws_parse(&env, b.data, b.len), 0);
	assert_int_equal(verify_env(&env, &chain, &n), 0);
	load_trusted(&trusted, &nt, "expired_e2e.crt");
	assert_int_equal(keys_notary_check_chain(chain, n, trusted, nt,
						 time(NULL), why,
						 sizeof(why)), ERR_VERIFY);
	assert_non_null(strstr(why, "expired on 2023-06-27T06:10:00Z"));
	assert_non_null(strstr(why, "'C=AU,ST=Some-State,O=Internet Widgits "
			       "Pty Ltd'"));
	assert_msg_has("expired on");
	/* it was fine when it was signed */
	assert_int_equal(then = env.signing_time, 1687846046);
	assert_int_equal(keys_notary_check_chain(chain, n, trusted, nt, then,
						 why, sizeof(why)), 0);
	/* and e2e.crt does not vouch for it */
	keys_certs_free(trusted, nt);
	load_trusted(&trusted, &nt, "e2e.crt");
	assert_int_equal(keys_notary_check_chain(chain, n, trusted, nt, then,
						 why, sizeof(why)), ERR_VERIFY);
	keys_certs_free(trusted, nt);
	keys_certs_free(chain, n);
	jws_release(&env);
	buf_release(&b);
}

/* ---- mutations of the valid envelope ------------------------------------- */

enum part {
	TOP,		/* the envelope text */
	PROT,		/* the decoded protected header */
	PAY,		/* the decoded payload */
	SET,		/* set member @from to the JSON @to ("$CERT": the
			   leaf's x5c string), or delete it when NULL */
};

struct mut {
	const char *name;
	enum part part;
	const char *from, *to;		/* NULL from: no change */
	const char *from2, *to2;	/* a second edit, or NULL */
	int parse_rc;
	int verify_rc;			/* when it parses */
	const char *msg;		/* in the message, or NULL */
};

#define CRIT "\"crit\":[\"io.cncf.notary.signingScheme\"]"
#define ST "\"io.cncf.notary.signingTime\":\"2023-06-27T13:30:33+08:00\""
#define EXP(t) ",\"io.cncf.notary.expiry\":\"" t "\""
#define CRIT_EXP "\"crit\":[\"io.cncf.notary.signingScheme\"," \
		 "\"io.cncf.notary.expiry\"]"
#define SA "\"io.cncf.notary.authenticSigningTime\""
#define TEN "\"$CERT\",\"$CERT\",\"$CERT\",\"$CERT\",\"$CERT\","

static const struct mut muts[] = {
	{ "unchanged", TOP, NULL, NULL, NULL, NULL, 0, 0, NULL },
	{ "extra top-level member", TOP, "{\"payload\"",
	  "{\"extra\":1,\"payload\"", NULL, NULL, ERR_FORMAT, 0,
	  "unexpected member 'extra'" },
	{ "duplicate top-level member", TOP, "{\"payload\"",
	  "{\"signature\":\"AA\",\"payload\"", NULL, NULL, ERR_FORMAT, 0,
	  "duplicate" },
	{ "no header", TOP, "\"header\":", "\"headers\":", NULL, NULL,
	  ERR_FORMAT, 0, "unexpected member 'headers'" },
	{ "padding in payload", TOP, "\",\"protected\"",
	  "=\",\"protected\"", NULL, NULL, ERR_FORMAT, 0,
	  "'payload' is not base64url" },
	{ "standard base64 signature", TOP, "8-SVh7", "8+SVh7", NULL, NULL,
	  ERR_FORMAT, 0, "'signature' is not base64url" },
	{ "empty signature", SET, "signature", "\"\"", NULL, NULL,
	  ERR_FORMAT, 0, "'signature' is empty" },
	{ "no signature", SET, "signature", NULL, NULL, NULL, ERR_FORMAT, 0,
	  "'signature' is missing" },
	{ "payload not a string", SET, "payload", "1", NULL, NULL,
	  ERR_FORMAT, 0, "'payload' is missing or not a string" },
	{ "empty payload", SET, "payload", "\"\"", NULL, NULL, ERR_FORMAT,
	  0, "'payload' is empty" },
	{ "no protected header", SET, "protected", NULL, NULL, NULL,
	  ERR_FORMAT, 0, "'protected' is missing" },
	{ "duplicate protected member", PROT, "{\"alg\":\"PS256\",",
	  "{\"alg\":\"PS256\",\"alg\":\"PS256\",", NULL, NULL, ERR_FORMAT, 0,
	  "duplicate" },
	{ "protected not an object", PROT, "{\"alg\"", "[{\"alg\"", "}",
	  "}]", ERR_FORMAT, 0, "not a JSON object" },
	{ "unknown critical header", PROT, CRIT,
	  "\"crit\":[\"io.cncf.notary.signingScheme\","
	  "\"io.cncf.notary.verificationPlugin\"],"
	  "\"io.cncf.notary.verificationPlugin\":\"x\"", NULL, NULL,
	  ERR_FORMAT, 0,
	  "unknown critical header 'io.cncf.notary.verificationPlugin'" },
	{ "critical alg", PROT, CRIT,
	  "\"crit\":[\"io.cncf.notary.signingScheme\",\"alg\"]", NULL, NULL,
	  ERR_FORMAT, 0, "unknown critical header 'alg'" },
	{ "critical header absent", PROT, CRIT, CRIT_EXP, NULL, NULL,
	  ERR_FORMAT, 0, "critical header 'io.cncf.notary.expiry' is not "
	  "present" },
	{ "critical header twice", PROT, CRIT,
	  "\"crit\":[\"io.cncf.notary.signingScheme\","
	  "\"io.cncf.notary.signingScheme\"]", NULL, NULL, ERR_FORMAT, 0,
	  "twice" },
	{ "crit empty", PROT, CRIT, "\"crit\":[]", NULL, NULL, ERR_FORMAT, 0,
	  "'crit'" },
	{ "crit not an array", PROT, CRIT,
	  "\"crit\":\"io.cncf.notary.signingScheme\"", NULL, NULL,
	  ERR_FORMAT, 0, "'crit'" },
	{ "crit missing", PROT, CRIT ",", "", NULL, NULL, ERR_FORMAT, 0,
	  "'crit'" },
	{ "crit holds a number", PROT, CRIT,
	  "\"crit\":[\"io.cncf.notary.signingScheme\",1]", NULL, NULL,
	  ERR_FORMAT, 0, NULL },
	{ "signingScheme not critical", PROT, CRIT,
	  "\"crit\":[\"io.cncf.notary.expiry\"]", ST,
	  ST EXP("2123-01-01T00:00:00Z"), ERR_FORMAT, 0,
	  "'io.cncf.notary.signingScheme' is not marked critical" },
	{ "expiry not critical", PROT, ST, ST EXP("2123-01-01T00:00:00Z"),
	  NULL, NULL, ERR_FORMAT, 0,
	  "'io.cncf.notary.expiry' is not marked critical" },
	{ "expiry", PROT, CRIT, CRIT_EXP, ST, ST EXP("2123-01-01T00:00:00Z"),
	  0, ERR_VERIFY, NULL },
	{ "expiry before signing", PROT, CRIT, CRIT_EXP, ST,
	  ST EXP("2023-06-27T05:30:33Z"), ERR_FORMAT, 0, "not after" },
	{ "expiry not a time", PROT, CRIT, CRIT_EXP, ST,
	  ST EXP("tomorrow"), ERR_FORMAT, 0, "invalid RFC 3339 time" },
	{ "alg ES256", PROT, "\"PS256\"", "\"ES256\"", NULL, NULL, 0,
	  ERR_VERIFY, "alg ES256 does not match the certificate key" },
	{ "alg PS512", PROT, "\"PS256\"", "\"PS512\"", NULL, NULL, 0,
	  ERR_VERIFY, "does not match" },
	{ "alg none", PROT, "\"PS256\"", "\"none\"", NULL, NULL, ERR_FORMAT,
	  0, "unsupported alg 'none'" },
	{ "alg HS256", PROT, "\"PS256\"", "\"HS256\"", NULL, NULL,
	  ERR_FORMAT, 0, "unsupported alg" },
	{ "alg lower case", PROT, "\"PS256\"", "\"ps256\"", NULL, NULL,
	  ERR_FORMAT, 0, "unsupported alg" },
	{ "alg missing", PROT, "\"alg\":\"PS256\",", "", NULL, NULL,
	  ERR_FORMAT, 0, "lacks 'alg'" },
	{ "wrong cty", PROT, NOTARY_PAYLOAD_TYPE, "application/json", NULL,
	  NULL, ERR_FORMAT, 0, "unsupported content type" },
	{ "unknown scheme", PROT, "\"notary.x509\"", "\"notary.x510\"", NULL,
	  NULL, ERR_FORMAT, 0, "unsupported signing scheme" },
	{ "missing signingTime", PROT, "," ST, "", NULL, NULL, ERR_FORMAT, 0,
	  "needs 'io.cncf.notary.signingTime'" },
	{ "signingTime a number", PROT, "\"2023-06-27T13:30:33+08:00\"",
	  "1687843833", NULL, NULL, ERR_FORMAT, 0, "not a string" },
	{ "bad RFC 3339 time", PROT, "2023-06-27T13:30:33+08:00",
	  "2023-06-27 13:30:33+08:00", NULL, NULL, ERR_FORMAT, 0,
	  "invalid RFC 3339 time '2023-06-27 13:30:33+08:00'" },
	{ "UTC signing time", PROT, "2023-06-27T13:30:33+08:00",
	  "2023-06-27T05:30:33Z", NULL, NULL, 0, ERR_VERIFY, NULL },
	{ "authenticSigningTime under notary.x509", PROT, CRIT,
	  "\"crit\":[\"io.cncf.notary.signingScheme\"," SA "]", ST,
	  ST "," SA ":\"2023-06-27T05:30:33Z\"", ERR_FORMAT, 0, "needs" },
	{ "signingAuthority", PROT, CRIT,
	  "\"crit\":[\"io.cncf.notary.signingScheme\"," SA "]",
	  "\"notary.x509\",\"io.cncf.notary.signingTime\"",
	  "\"notary.x509.signingAuthority\"," SA, 0, ERR_VERIFY, NULL },
	{ "signingAuthority with signingTime", PROT, "\"notary.x509\"",
	  "\"notary.x509.signingAuthority\"", NULL, NULL, ERR_FORMAT, 0,
	  "needs 'io.cncf.notary.authenticSigningTime'" },
	{ "authenticSigningTime not critical", PROT,
	  "\"notary.x509\",\"io.cncf.notary.signingTime\"",
	  "\"notary.x509.signingAuthority\"," SA, NULL, NULL, ERR_FORMAT, 0,
	  "'io.cncf.notary.authenticSigningTime' is not marked critical" },
	{ "unknown non-critical member", PROT, ST, ST ",\"io.example\":{}",
	  NULL, NULL, 0, ERR_VERIFY, NULL },
	{ "x5c in both headers", PROT, ST, ST ",\"x5c\":[]", NULL, NULL,
	  ERR_FORMAT, 0, "'x5c' is both protected and unprotected" },
	{ "tampered payload", PAY, "517", "518", NULL, NULL, 0, ERR_VERIFY,
	  "signature does not verify" },
	{ "payload is not JSON", PAY, "{", "", NULL, NULL, 0, ERR_VERIFY,
	  NULL },
	{ "header as notation writes it", SET, "header",
	  "{\"x5c\":[\"$CERT\"],\"io.cncf.notary.signingAgent\":"
	  "\"Notation/1.0.0\"}", NULL, NULL, 0, 0, NULL },
	{ "no signing agent", SET, "header", "{\"x5c\":[\"$CERT\"]}", NULL,
	  NULL, 0, 0, NULL },
	{ "timestamp token kept", SET, "header", "{\"x5c\":[\"$CERT\"],"
	  "\"io.cncf.notary.timestampSignature\":\"MAA=\"}", NULL, NULL, 0,
	  0, NULL },
	{ "x5c empty", SET, "header", "{\"x5c\":[]}", NULL, NULL, ERR_FORMAT, 0,
	  "'x5c' is missing or empty" },
	{ "x5c missing", SET, "header", "{}", NULL, NULL, ERR_FORMAT, 0,
	  "'x5c' is missing or empty" },
	{ "x5c not an array", SET, "header", "{\"x5c\":\"$CERT\"}", NULL, NULL,
	  ERR_FORMAT, 0, NULL },
	{ "x5c empty string", SET, "header", "{\"x5c\":[\"$CERT\",\"\"]}", NULL,
	  NULL, ERR_FORMAT, 0, "certificate 2 in 'x5c'" },
	{ "x5c base64url", SET, "header", "{\"x5c\":[\"MIID_-\"]}", NULL, NULL,
	  ERR_FORMAT, 0, "certificate 1 in 'x5c' is not base64" },
	{ "x5c eleven", SET, "header", "{\"x5c\":[" TEN TEN "\"$CERT\"]}", NULL,
	  NULL, ERR_FORMAT, 0, "more than 10" },
	{ "unknown unprotected member", SET, "header",
	  "{\"x5c\":[\"$CERT\"],\"kid\":\"x\"}", NULL, NULL, ERR_FORMAT, 0,
	  "unexpected member 'kid'" },
	{ "signing agent a number", SET, "header",
	  "{\"x5c\":[\"$CERT\"],\"io.cncf.notary.signingAgent\":1}", NULL,
	  NULL, ERR_FORMAT, 0, NULL },
	{ "header an array", SET, "header", "[]", NULL, NULL, ERR_FORMAT, 0,
	  "'header'" },
};

/* Replace the first @from in @s (which must be there) by @to; new. */
static char *replace(const char *s, const char *from, const char *to)
{
	const char *at = strstr(s, from);
	size_t n;
	char *out;

	if (!at)
		fail_msg("'%s' is not in '%s'", from, s);
	n = strlen(s) - strlen(from) + strlen(to) + 1;
	out = malloc(n);
	assert_non_null(out);
	snprintf(out, n, "%.*s%s%s", (int)(at - s), s, to, at + strlen(from));
	return out;
}

static char *replace_all(const char *s, const char *from, const char *to)
{
	char *cur = strdup(s), *next;

	while (strstr(cur, from)) {
		next = replace(cur, from, to);
		free(cur);
		cur = next;
	}
	return cur;
}

/* Edit the base64url member @key of @env as text. */
static void edit_b64(json_t *env, const char *key, const struct mut *m)
{
	const char *v = jx_str(env, key);
	char *text, *edited, *enc;
	struct buf raw;

	buf_init(&raw, 0);
	assert_int_equal(b64url_decode(&raw, v, strlen(v)), 0);
	text = (char *)raw.data;
	edited = replace(text, m->from, m->to);
	if (m->from2) {
		char *again = replace(edited, m->from2, m->to2);

		free(edited);
		edited = again;
	}
	enc = b64url_encode(edited, strlen(edited));
	json_object_set_new(env, key, json_string(enc));
	free(enc);
	free(edited);
	buf_release(&raw);
}

static char *mutate(const char *orig, const struct mut *m)
{
	json_t *env, *v;
	char *out, *text;

	if (!m->from)
		return strdup(orig);
	if (m->part == TOP)
		return replace(orig, m->from, m->to);
	assert_int_equal(jx_parse(&env, orig, strlen(orig), "test"), 0);
	if (m->part == PROT)
		edit_b64(env, "protected", m);
	else if (m->part == PAY)
		edit_b64(env, "payload", m);
	else if (!m->to)
		json_object_del(env, m->from);
	else {
		const char *cert = json_string_value(json_array_get(
			json_object_get(json_object_get(env, "header"), "x5c"),
			0));

		text = replace_all(m->to, "$CERT", cert);
		v = json_loads(text, JSON_DECODE_ANY, NULL);
		assert_non_null(v);
		json_object_set_new(env, m->from, v);
		free(text);
	}
	out = json_dumps(env, JSON_COMPACT);
	json_decref(env);
	return out;
}

static void mutations(void **state)
{
	struct buf b;
	size_t i;

	(void)state;
	envelope(&b, "e2e-valid-signature", NULL);
	for (i = 0; i < sizeof(muts) / sizeof(muts[0]); i++) {
		const struct mut *m = &muts[i];
		char *text = mutate((char *)b.data, m);
		X509 **chain = NULL;
		struct jws env;
		size_t n = 0;
		int rc;

		err_clear();
		rc = jws_parse(&env, text, strlen(text));
		if (rc != m->parse_rc)
			fail_msg("%s: parse gave %d, not %d (%s)", m->name, rc,
				 m->parse_rc, err_msg());
		if (rc == 0) {
			rc = verify_env(&env, &chain, &n);
			if (rc != m->verify_rc)
				fail_msg("%s: verify gave %d, not %d (%s)",
					 m->name, rc, m->verify_rc, err_msg());
		}
		if (m->msg && !strstr(err_msg(), m->msg))
			fail_msg("%s: message '%s' lacks '%s'", m->name,
				 err_msg(), m->msg);
		keys_certs_free(chain, n);
		jws_release(&env);
		free(text);
	}
	buf_release(&b);
}

static void not_envelopes(void **state)
{
	static const char *const bad[] = {
		"", "null", "[]", "{}", "\"x\"",
		"{\"payload\":\"e30\",\"protected\":\"e30\",\"header\":{},"
		"\"signature\":\"AA\"}",
		"{\"payload\":\"e30\"} trailing",
		"invalid signature\n",
	};
	struct jws env;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (jws_parse(&env, bad[i], strlen(bad[i])) != ERR_FORMAT)
			fail_msg("'%s' parsed", bad[i]);
		jws_release(&env);
	}
	/* a NUL byte, and the size cap (checked before reading) */
	assert_int_equal(jws_parse(&env, "{\0}", 3), ERR_FORMAT);
	jws_release(&env);
	assert_int_equal(jws_parse(&env, "{}", (size_t)JWS_MAX + 1),
			 ERR_FORMAT);
	assert_msg_has("larger than");
	jws_release(&env);
	jws_release(NULL);
}

/* ---- times --------------------------------------------------------------- */

static void rfc3339_times(void **state)
{
	static const struct {
		const char *s;
		int rc;
		long long t;
	} cases[] = {
		{ "2023-06-27T05:30:33Z", 0, 1687843833 },
		{ "2023-06-27T13:30:33+08:00", 0, 1687843833 },
		{ "2023-06-26T23:00:33-06:30", 0, 1687843833 },
		{ "2023-06-27T05:30:33.999999999Z", 0, 1687843833 },
		{ "2023-06-27T05:30:33.5+00:00", 0, 1687843833 },
		{ "1970-01-01T00:00:00Z", 0, 0 },
		{ "1969-12-31T23:59:59Z", 0, -1 },
		{ "2024-02-29T00:00:00Z", 0, 1709164800 },
		{ "2000-02-29T12:00:00Z", 0, 951825600 },
		{ "2122-12-19T02:43:39Z", 0, 4827091419LL },
		{ "9999-12-31T23:59:59Z", 0, 253402300799LL },
		{ "2023-02-29T00:00:00Z", ERR_FORMAT, 0 },
		{ "1900-02-29T00:00:00Z", ERR_FORMAT, 0 },
		{ "2023-04-31T00:00:00Z", ERR_FORMAT, 0 },
		{ "2023-13-01T00:00:00Z", ERR_FORMAT, 0 },
		{ "2023-00-01T00:00:00Z", ERR_FORMAT, 0 },
		{ "2023-01-00T00:00:00Z", ERR_FORMAT, 0 },
		{ "2023-06-27T24:00:00Z", ERR_FORMAT, 0 },
		{ "2023-06-27T23:60:00Z", ERR_FORMAT, 0 },
		{ "2016-12-31T23:59:60Z", ERR_FORMAT, 0 },
		{ "2023-06-27t05:30:33Z", ERR_FORMAT, 0 },
		{ "2023-06-27T05:30:33z", ERR_FORMAT, 0 },
		{ "2023-06-27 05:30:33Z", ERR_FORMAT, 0 },
		{ "2023-06-27T05:30:33", ERR_FORMAT, 0 },
		{ "2023-06-27T05:30Z", ERR_FORMAT, 0 },
		{ "2023-06-27T05:30:33+0800", ERR_FORMAT, 0 },
		{ "2023-06-27T05:30:33+08", ERR_FORMAT, 0 },
		{ "2023-06-27T05:30:33+24:00", ERR_FORMAT, 0 },
		{ "2023-06-27T05:30:33+08:60", ERR_FORMAT, 0 },
		{ "2023-06-27T05:30:33.Z", ERR_FORMAT, 0 },
		{ "2023-06-27T05:30:33.1234567890Z", ERR_FORMAT, 0 },
		{ "2023-06-27T05:30:33,5Z", ERR_FORMAT, 0 },
		{ "2023-6-27T05:30:33Z", ERR_FORMAT, 0 },
		{ "+2023-06-27T05:30:33Z", ERR_FORMAT, 0 },
		{ " 2023-06-27T05:30:33Z", ERR_FORMAT, 0 },
		{ "2023-06-27T05:30:33Z ", ERR_FORMAT, 0 },
		{ "2023-06-27T05:30:33ZZ", ERR_FORMAT, 0 },
		{ "", ERR_FORMAT, 0 },
	};
	char out[32];
	time_t t;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = jws_time_parse(&t, cases[i].s);

		if (rc != cases[i].rc)
			fail_msg("'%s': %d, not %d", cases[i].s, rc,
				 cases[i].rc);
		if (rc == 0 && (long long)t != cases[i].t)
			fail_msg("'%s': %lld, not %lld", cases[i].s,
				 (long long)t, cases[i].t);
	}
	assert_int_equal(jws_time_parse(&t, NULL), ERR_FORMAT);
	assert_int_equal(jws_time_format(out, 1687843833), 0);
	assert_string_equal(out, "2023-06-27T05:30:33Z");
	assert_int_equal(jws_time_format(out, 0), 0);
	assert_string_equal(out, "1970-01-01T00:00:00Z");
	assert_int_equal(jws_time_format(out, 253402300800LL), ERR_USAGE);
	/* format and parse agree */
	for (t = -86400 * 400; t < 86400LL * 365 * 200; t += 86400 * 37 + 61) {
		time_t back;

		assert_int_equal(jws_time_format(out, t), 0);
		assert_int_equal(jws_time_parse(&back, out), 0);
		assert_int_equal(back, t);
	}
}

/* ---- the payload --------------------------------------------------------- */

#define TA(members) "{\"targetArtifact\":{" members "}}"
#define DG "\"digest\":\"" E2E_DIGEST "\""
#define MT "\"mediaType\":\"" MT_MANIFEST "\""

static void payload_parse_table(void **state)
{
	static const struct {
		const char *json;
		int rc;
	} cases[] = {
		{ TA(DG "," MT ",\"size\":517"), 0 },
		{ TA(MT ",\"size\":517," DG), 0 },
		{ TA(DG "," MT ",\"size\":0,\"annotations\":{}"), 0 },
		{ TA(DG "," MT ",\"size\":517,\"annotations\":{\"a\":\"b\"},"
		     "\"artifactType\":\"application/x\""), 0 },
		{ TA(DG "," MT), ERR_FORMAT },
		{ TA(DG ",\"size\":517"), ERR_FORMAT },
		{ TA(MT ",\"size\":517"), ERR_FORMAT },
		{ TA(DG ",\"mediaType\":\"\",\"size\":517"), ERR_FORMAT },
		{ TA(DG "," MT ",\"size\":-1"), ERR_FORMAT },
		{ TA(DG "," MT ",\"size\":517.0"), ERR_FORMAT },
		{ TA(DG "," MT ",\"size\":\"517\""), ERR_FORMAT },
		{ TA(DG "," MT ",\"size\":99999999999999999999"), ERR_FORMAT },
		{ TA(DG "," MT ",\"size\":517,\"urls\":[]"), ERR_FORMAT },
		{ TA(DG "," MT ",\"size\":517,\"annotations\":[]"),
		  ERR_FORMAT },
		{ TA(DG "," MT ",\"size\":517,\"annotations\":{\"a\":1}"),
		  ERR_FORMAT },
		{ TA(DG "," MT ",\"size\":517,\"artifactType\":1"),
		  ERR_FORMAT },
		{ TA(DG "," DG "," MT ",\"size\":517"), ERR_FORMAT },
		{ TA("\"digest\":\"sha256:B8479DE3F88FB259A0A9EA82A5B2A052A1EF"
		     "3C4EBBCFC61482D5AE4C831F8AF9\"," MT ",\"size\":517"),
		  ERR_FORMAT },
		{ TA("\"digest\":\"sha512:00\"," MT ",\"size\":517"),
		  ERR_FORMAT },
		{ "{\"targetArtifact\":{" DG "," MT ",\"size\":517},\"x\":1}",
		  ERR_FORMAT },
		{ "{\"targetArtifact\":[]}", ERR_FORMAT },
		{ "{}", ERR_FORMAT },
		{ "[]", ERR_FORMAT },
		{ "", ERR_FORMAT },
	};
	struct notary_target t;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = notary_payload_parse(&t, cases[i].json,
					      strlen(cases[i].json));

		if (rc != cases[i].rc)
			fail_msg("'%s': %d, not %d (%s)", cases[i].json, rc,
				 cases[i].rc, err_msg());
		if (rc == 0) {
			assert_string_equal(t.digest.str, E2E_DIGEST);
			assert_string_equal(t.media_type, MT_MANIFEST);
		}
		notary_target_release(&t);
	}
}

static void payload_build(void **state)
{
	struct kvlist ann = { 0 };
	struct notary_target t;
	const char *missing;
	struct digest d;
	struct buf b;

	(void)state;
	buf_init(&b, 0);
	assert_int_equal(digest_parse(&d, E2E_DIGEST), 0);
	assert_int_equal(kvlist_add_arg(&ann, "org.example.z=last"), 0);
	assert_int_equal(kvlist_add_arg(&ann, "a=b&c"), 0);
	assert_int_equal(notary_payload_build(&b, MT_MANIFEST, &d, 517, &ann),
			 0);
	/* keys sorted at every level, compact */
	assert_string_equal((char *)b.data,
		"{\"targetArtifact\":{\"annotations\":{\"a\":\"b&c\","
		"\"org.example.z\":\"last\"},\"digest\":\"" E2E_DIGEST "\","
		"\"mediaType\":\"" MT_MANIFEST "\",\"size\":517}}");
	assert_int_equal(notary_payload_parse(&t, b.data, b.len), 0);
	assert_int_equal(t.size, 517);
	assert_true(digest_eq(&t.digest, &d));
	assert_true(kvlist_matched_by(&ann, t.annotations, &missing));
	notary_target_release(&t);
	notary_target_release(NULL);

	/* refused */
	buf_reset(&b);
	assert_int_equal(kvlist_add_arg(&ann, "a=again"), 0);
	assert_int_equal(notary_payload_build(&b, MT_MANIFEST, &d, 517, &ann),
			 ERR_USAGE);
	assert_msg_has("'a' given twice");
	assert_int_equal(notary_payload_build(&b, "", &d, 517, NULL),
			 ERR_USAGE);
	assert_int_equal(notary_payload_build(&b, "bad\xff", &d, 517, NULL),
			 ERR_USAGE);
	assert_int_equal(b.len, 0);
	kvlist_release(&ann);
	buf_release(&b);
}

/* ---- build and parse ----------------------------------------------------- */

struct failing_signer {
	int rc;
};

static int fail_sign(void *ctx, const void *data, size_t len,
		     struct buf *sig)
{
	struct failing_signer *f = ctx;

	(void)data;
	(void)len;
	(void)sig;
	return f->rc ? err_set(f->rc, "signer failed") : 0;
}

static void round_trip(EVP_PKEY *key, const char *want_alg, time_t expiry,
		       const char *want_protected)
{
	const time_t signed_at = 1700000000;	/* 2023-11-14T22:13:20Z */
	X509 *cert = NULL, **chain = NULL;
	struct kvlist ann = { 0 };
	struct notary_target t;
	struct buf der, payload, out, prot;
	unsigned char *p = NULL;
	struct digest d;
	struct jws env;
	char alg[8], why[512];
	size_t n = 0;
	int len;

	assert_int_equal(keys_jws_alg(alg, key), 0);
	assert_string_equal(alg, want_alg);
	assert_int_equal(keys_x509_generate(&cert, key,
		"C=US,ST=WA,O=Example,CN=release", 30), 0);
	len = i2d_X509(cert, &p);
	assert_true(len > 0);
	buf_init(&der, 0);
	assert_int_equal(buf_append(&der, p, (size_t)len), 0);
	OPENSSL_free(p);

	buf_init(&payload, 0);
	buf_init(&out, 0);
	assert_int_equal(digest_parse(&d, E2E_DIGEST), 0);
	assert_int_equal(kvlist_add_arg(&ann, "build=42"), 0);
	assert_int_equal(notary_payload_build(&payload, MT_MANIFEST, &d, 517,
					      &ann), 0);
	assert_int_equal(jws_build(&out, alg, payload.data, payload.len, &der,
				   1, signed_at, expiry, keys_jws_signer,
				   key), 0);
	assert_true(strncmp((char *)out.data, "{\"payload\":\"", 12) == 0);
	assert_non_null(strstr((char *)out.data,
			       "\"io.cncf.notary.signingAgent\":\"signet/"));

	assert_int_equal(jws_parse(&env, out.data, out.len), 0);
	buf_init(&prot, 0);
	assert_int_equal(b64url_decode(&prot,
		jx_str(env.doc, "protected"),
		strlen(jx_str(env.doc, "protected"))), 0);
	assert_string_equal((char *)prot.data, want_protected);
	assert_string_equal(env.alg, want_alg);
	assert_int_equal(env.scheme, JWS_SCHEME_X509);
	assert_int_equal(env.signing_time, signed_at);
	assert_int_equal(env.has_expiry, expiry != 0);
	if (expiry)
		assert_int_equal(env.expiry, expiry);
	assert_string_equal(env.signing_agent, "signet/" SIGNET_VERSION);
	assert_int_equal(env.n_certs, 1);
	assert_int_equal(env.certs[0].len, der.len);
	assert_memory_equal(env.certs[0].data, der.data, der.len);
	assert_int_equal(env.payload.len, payload.len);
	assert_memory_equal(env.payload.data, payload.data, payload.len);

	assert_int_equal(verify_env(&env, &chain, &n), 0);
	assert_int_equal(keys_notary_check_chain(chain, n, &cert, 1,
						 time(NULL), why,
						 sizeof(why)), 0);
	assert_int_equal(notary_payload_parse(&t, env.payload.data,
					      env.payload.len), 0);
	assert_string_equal(jx_str(t.annotations, "build"), "42");
	notary_target_release(&t);

	/* a flipped signature byte no longer verifies */
	env.signature.data[3] ^= 0x40;
	assert_int_equal(keys_jws_verify(X509_get0_pubkey(chain[0]), env.alg,
					 env.signing_input.data,
					 env.signing_input.len,
					 env.signature.data,
					 env.signature.len), ERR_VERIFY);

	keys_certs_free(chain, n);
	jws_release(&env);
	kvlist_release(&ann);
	buf_release(&prot);
	buf_release(&payload);
	buf_release(&out);
	buf_release(&der);
	X509_free(cert);
}

#define PROT_HEAD(alg) "{\"alg\":\"" alg "\",\"crit\":[\"io.cncf.notary." \
	"signingScheme\""
#define PROT_TAIL ",\"cty\":\"application/vnd.cncf.notary.payload.v1+json\""

static void build_p256_with_expiry(void **state)
{
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");

	(void)state;
	assert_non_null(key);
	round_trip(key, "ES256", 1700000000 + 86400,
		   PROT_HEAD("ES256") ",\"io.cncf.notary.expiry\"]" PROT_TAIL
		   ",\"io.cncf.notary.expiry\":\"2023-11-15T22:13:20Z\","
		   "\"io.cncf.notary.signingScheme\":\"notary.x509\","
		   "\"io.cncf.notary.signingTime\":\"2023-11-14T22:13:20Z\"}");
	EVP_PKEY_free(key);
}

static void build_rsa3072(void **state)
{
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)3072);

	(void)state;
	assert_non_null(key);
	round_trip(key, "PS384", 0,
		   PROT_HEAD("PS384") "]" PROT_TAIL
		   ",\"io.cncf.notary.signingScheme\":\"notary.x509\","
		   "\"io.cncf.notary.signingTime\":\"2023-11-14T22:13:20Z\"}");
	EVP_PKEY_free(key);
}

static void build_refuses(void **state)
{
	struct failing_signer f = { ERR_CRYPTO };
	struct buf cert, out;

	(void)state;
	buf_init(&cert, 0);
	buf_init(&out, 0);
	assert_int_equal(buf_appends(&cert, "not really DER"), 0);
	assert_int_equal(jws_build(&out, "PS256", "{}", 2, &cert, 1, 1000, 0,
				   fail_sign, &f), ERR_CRYPTO);
	assert_msg_has("signer failed");
	f.rc = 0;	/* returns no signature */
	assert_int_equal(jws_build(&out, "PS256", "{}", 2, &cert, 1, 1000, 0,
				   fail_sign, &f), ERR_CRYPTO);
	assert_int_equal(jws_build(&out, "RS256", "{}", 2, &cert, 1, 1000, 0,
				   fail_sign, &f), ERR_USAGE);
	assert_int_equal(jws_build(&out, "PS256", "{}", 2, &cert, 0, 1000, 0,
				   fail_sign, &f), ERR_USAGE);
	assert_int_equal(jws_build(&out, "PS256", "{}", 2, &cert,
				   JWS_CERTS_MAX + 1, 1000, 0, fail_sign, &f),
			 ERR_USAGE);
	assert_int_equal(jws_build(&out, "PS256", "", 0, &cert, 1, 1000, 0,
				   fail_sign, &f), ERR_USAGE);
	assert_int_equal(jws_build(&out, "PS256", "{}", 2, &cert, 1, 1000,
				   1000, fail_sign, &f), ERR_USAGE);
	assert_int_equal(jws_build(&out, "PS256", "{}", 2, &cert, 1,
				   253402300800LL, 0, fail_sign, &f),
			 ERR_USAGE);
	assert_int_equal(out.len, 0);
	buf_release(&cert);
	buf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(valid_signature),
		cmocka_unit_test(multiple_signatures),
		cmocka_unit_test(expired_signature),
		cmocka_unit_test(invalid_signature),
		cmocka_unit_test(expired_certificate),
		cmocka_unit_test(mutations),
		cmocka_unit_test(not_envelopes),
		cmocka_unit_test(rfc3339_times),
		cmocka_unit_test(payload_parse_table),
		cmocka_unit_test(payload_build),
		cmocka_unit_test(build_p256_with_expiry),
		cmocka_unit_test(build_rsa3072),
		cmocka_unit_test(build_refuses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
