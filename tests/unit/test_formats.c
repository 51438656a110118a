/* test_formats.c - the format names and the referrer manifest: the bytes
 * built (which peers read), and the checks made on what a registry
 * serves. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../../formats/formats.h"

#define D1 "sha256:0123456789abcdef0123456789abcdef" \
	   "0123456789abcdef0123456789abcdef"
#define D2 "sha256:fedcba9876543210fedcba9876543210" \
	   "fedcba9876543210fedcba9876543210"
#define EMPTY "sha256:44136fa355b3678a1146ad16f7e8649e" \
	      "94fb4fc21fe77e8310c060f61caaff8a"
#define OCI "\"application/vnd.oci.image.manifest.v1+json\""

static void names_round_trip(void **state)
{
	enum sig_format f;
	char list[64];

	(void)state;
	assert_string_equal(format_name(FORMAT_COSIGN), "cosign");
	assert_string_equal(format_name(FORMAT_BUNDLE), "sigstore-bundle");
	assert_string_equal(format_name(FORMAT_NOTATION), "notation");
	assert_string_equal(format_name(FORMAT_COUNT), "?");
	for (f = 0; f < FORMAT_COUNT; f++) {
		enum sig_format back = FORMAT_COUNT;

		assert_true(format_by_name(&back, format_name(f)));
		assert_int_equal(back, f);
	}
	assert_false(format_by_name(&f, "Cosign"));
	assert_false(format_by_name(&f, ""));
	assert_false(format_by_name(&f, NULL));
	format_list(list, sizeof(list), FORMAT_ALL);
	assert_string_equal(list, "cosign, sigstore-bundle, notation");
	format_list(list, sizeof(list), FORMAT_BIT(FORMAT_COSIGN) |
			    FORMAT_BIT(FORMAT_NOTATION));
	assert_string_equal(list, "cosign, notation");
	format_list(list, sizeof(list), 0);
	assert_string_equal(list, "");
	format_list(list, 10, FORMAT_ALL);
	assert_string_equal(list, "cosign, s");
}

static void spec_for(struct referrer_spec *s, enum sig_format f)
{
	static const char tps[2][65] = { "aa", "bb" };

	memset(s, 0, sizeof(*s));
	s->format = f;
	s->subject.media_type = MT_OCI_MANIFEST;
	assert_int_equal(digest_parse(&s->subject.digest, D1), 0);
	s->subject.size = 517;
	assert_int_equal(digest_parse(&s->blob, D2), 0);
	s->blob_size = 2070;
	s->created = 1687843833;	/* 2023-06-27T05:30:33Z */
	s->thumbprints = tps;
	s->n_thumbprints = 2;
}

/* exactly what cosign 3 writes (member order included) */
static void build_bundle_bytes(void **state)
{
	struct referrer_spec s;
	struct buf b;
	json_t *ann = NULL;

	(void)state;
	buf_init(&b, 0);
	spec_for(&s, FORMAT_BUNDLE);
	assert_int_equal(referrer_manifest_build(&b, &ann, &s), 0);
	assert_string_equal((char *)b.data,
		"{\"schemaVersion\":2,\"mediaType\":" OCI ","
		"\"artifactType\":\"" MT_SIGSTORE_BUNDLE "\","
		"\"config\":{\"mediaType\":\"" MT_OCI_EMPTY "\",\"size\":2,"
		"\"digest\":\"" EMPTY "\"},"
		"\"layers\":[{\"mediaType\":\"" MT_SIGSTORE_BUNDLE "\","
		"\"size\":2070,\"digest\":\"" D2 "\"}],"
		"\"subject\":{\"mediaType\":" OCI ",\"size\":517,"
		"\"digest\":\"" D1 "\"},"
		"\"annotations\":{\"dev.sigstore.bundle.content\":"
		"\"dsse-envelope\",\"dev.sigstore.bundle.predicateType\":"
		"\"https://sigstore.dev/cosign/sign/v1\","
		"\"org.opencontainers.image.created\":"
		"\"2023-06-27T05:30:33Z\"}}");
	assert_int_equal(json_object_size(ann), 3);
	assert_string_equal(referrer_artifact_type(FORMAT_BUNDLE),
			    MT_SIGSTORE_BUNDLE);
	json_decref(ann);
	buf_release(&b);
}

/* exactly what notation writes (member order included) */
static void build_notation_bytes(void **state)
{
	struct referrer_spec s;
	struct buf b;
	json_t *ann = NULL;

	(void)state;
	buf_init(&b, 0);
	spec_for(&s, FORMAT_NOTATION);
	assert_int_equal(referrer_manifest_build(&b, &ann, &s), 0);
	assert_string_equal((char *)b.data,
		"{\"schemaVersion\":2,\"mediaType\":" OCI ","
		"\"config\":{\"mediaType\":\"" MT_NOTARY_SIGNATURE "\","
		"\"digest\":\"" EMPTY "\",\"size\":2},"
		"\"layers\":[{\"mediaType\":\"" JWS_MEDIA_TYPE "\","
		"\"digest\":\"" D2 "\",\"size\":2070}],"
		"\"subject\":{\"mediaType\":" OCI ",\"digest\":\"" D1 "\","
		"\"size\":517},"
		"\"annotations\":{\"" ANN_NOTARY_THUMBPRINTS "\":"
		"\"[\\\"aa\\\",\\\"bb\\\"]\","
		"\"org.opencontainers.image.created\":"
		"\"2023-06-27T05:30:33Z\"}}");
	assert_string_equal(jx_str(ann, ANN_NOTARY_THUMBPRINTS),
			    "[\"aa\",\"bb\"]");
	json_decref(ann);
	buf_release(&b);
}

static void build_parse_round_trip(void **state)
{
	struct referrer_manifest m;
	struct referrer_spec s;
	struct digest other;
	enum sig_format f;
	struct buf b;
	json_t *ann;

	(void)state;
	digest_parse(&other, D2);
	for (f = FORMAT_BUNDLE; f <= FORMAT_NOTATION; f++) {
		buf_init(&b, 0);
		spec_for(&s, f);
		assert_int_equal(referrer_manifest_build(&b, &ann, &s), 0);
		assert_int_equal(referrer_manifest_parse(&m, b.data, b.len,
							 "built"), 0);
		assert_true(referrer_manifest_claims(&m, f, NULL));
		assert_false(referrer_manifest_claims(&m, f == FORMAT_BUNDLE ?
			     FORMAT_NOTATION : FORMAT_BUNDLE, NULL));
		assert_int_equal(referrer_manifest_layer(&m, f,
							 &s.subject.digest), 0);
		assert_true(digest_eq(&m.layer.digest, &s.blob));
		assert_int_equal(m.layer.size, 2070);
		assert_int_equal(referrer_manifest_layer(&m, f, &other),
				 ERR_FORMAT);
		assert_string_equal(err_msg(), "referrer's subject is another "
				    "image");
		referrer_manifest_release(&m);
		json_decref(ann);
		buf_release(&b);
	}
	spec_for(&s, FORMAT_COSIGN);
	buf_init(&b, 0);
	assert_int_equal(referrer_manifest_build(&b, &ann, &s), ERR_USAGE);
	assert_null(ann);
	buf_release(&b);
}

static void listed_types(void **state)
{
	const unsigned both = FORMAT_BIT(FORMAT_BUNDLE) |
			      FORMAT_BIT(FORMAT_NOTATION);

	(void)state;
	assert_int_equal(referrer_formats(NULL), both);
	assert_int_equal(referrer_formats(MT_OCI_EMPTY), both);
	assert_int_equal(referrer_formats(MT_SIGSTORE_BUNDLE),
			 FORMAT_BIT(FORMAT_BUNDLE));
	assert_int_equal(referrer_formats(MT_NOTARY_SIGNATURE),
			 FORMAT_BIT(FORMAT_NOTATION));
	assert_int_equal(referrer_formats("application/spdx+json"), 0);
	assert_null(referrer_artifact_type(FORMAT_COSIGN));
}

struct layer_case {
	const char *name;
	enum sig_format format;
	const char *json;
	const char *why;		/* NULL: accepted */
};

#define NOTARY_CFG "\"config\":{\"mediaType\":\"" MT_NOTARY_SIGNATURE "\"}"
#define SUBJ "\"subject\":{\"digest\":\"" D1 "\"}"
#define JWS_LAYER(size) "\"layers\":[{\"mediaType\":\"" JWS_MEDIA_TYPE \
	"\",\"digest\":\"" D2 "\",\"size\":" size "}]"
#define COSE_LAYER(size) "\"layers\":[{\"mediaType\":\"" COSE_MEDIA_TYPE \
	"\",\"digest\":\"" D2 "\",\"size\":" size "}]"

static void layer_table(void **state)
{
	static const struct layer_case cases[] = {
		{ "notation", FORMAT_NOTATION, "{\"mediaType\":" OCI ","
		  NOTARY_CFG "," SUBJ "," JWS_LAYER("9") "}", NULL },
		{ "cose", FORMAT_NOTATION, "{\"mediaType\":" OCI ","
		  NOTARY_CFG "," SUBJ "," COSE_LAYER("9") "}", NULL },
		{ "cose over 32 MiB", FORMAT_NOTATION, "{\"mediaType\":" OCI
		  "," SUBJ "," COSE_LAYER("33554433") "}",
		  "envelope is over 32 MiB" },
		{ "cose bundle", FORMAT_BUNDLE, "{\"mediaType\":" OCI ","
		  SUBJ "," COSE_LAYER("9") "}", "signature layer is '"
		  COSE_MEDIA_TYPE "', not '" MT_SIGSTORE_BUNDLE "'" },
		{ "docker", FORMAT_NOTATION, "{\"mediaType\":\""
		  MT_DOCKER_MANIFEST "\"," SUBJ "," JWS_LAYER("9") "}",
		  "referrer is not an OCI manifest" },
		{ "no subject", FORMAT_NOTATION, "{\"mediaType\":" OCI ","
		  JWS_LAYER("9") "}", "referrer's subject is another image" },
		{ "two layers", FORMAT_NOTATION, "{\"mediaType\":" OCI ","
		  SUBJ ",\"layers\":[{},{}]}",
		  "referrer has not exactly one layer" },
		{ "wrong type", FORMAT_BUNDLE, "{\"mediaType\":" OCI ","
		  SUBJ "," JWS_LAYER("9") "}", "signature layer is '"
		  JWS_MEDIA_TYPE "', not '" MT_SIGSTORE_BUNDLE "'" },
		{ "negative", FORMAT_NOTATION, "{\"mediaType\":" OCI ","
		  SUBJ "," JWS_LAYER("-1") "}", "referrer layer is malformed" },
		{ "over 32 MiB", FORMAT_NOTATION, "{\"mediaType\":" OCI ","
		  SUBJ "," JWS_LAYER("33554433") "}",
		  "envelope is over 32 MiB" },
		{ "32 MiB", FORMAT_NOTATION, "{\"mediaType\":" OCI ","
		  SUBJ "," JWS_LAYER("33554432") "}", NULL },
	};
	struct referrer_manifest m;
	struct digest subject;
	size_t i;

	(void)state;
	digest_parse(&subject, D1);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct layer_case *c = &cases[i];
		int rc;

		assert_int_equal(referrer_manifest_parse(&m, c->json,
			strlen(c->json), c->name), 0);
		rc = referrer_manifest_layer(&m, c->format, &subject);
		if (c->why && (rc != ERR_FORMAT ||
			       strcmp(err_msg(), c->why) != 0))
			fail_msg("case '%s': got %d '%s', want '%s'", c->name,
				 rc, err_msg(), c->why);
		if (!c->why && rc != 0)
			fail_msg("case '%s': refused: %s", c->name, err_msg());
		referrer_manifest_release(&m);
	}
}

/* attach_classify: what a referrer is from its listed type and
 * annotations alone. */
static void classify_table(void **state)
{
	static const struct {
		const char *type, *ann, *want_type;
		enum attach_kind want;
	} t[] = {
		/* cosign 3: the predicate type annotation decides */
		{ MT_SIGSTORE_BUNDLE, "{\"" ANN_BUNDLE_PREDICATE "\":"
		  "\"https://slsa.dev/provenance/v1\"}",
		  "https://slsa.dev/provenance/v1", ATTACH_ATTESTATION },
		{ MT_SIGSTORE_BUNDLE, "{\"" ANN_BUNDLE_PREDICATE "\":\""
		  COSIGN_SIGN_PREDICATE "\"}", "", ATTACH_UNKNOWN },
		{ MT_SIGSTORE_BUNDLE, NULL, "", ATTACH_UNKNOWN },
		/* go-containerregistry lists the config's type */
		{ MT_OCI_EMPTY, "{\"" ANN_BUNDLE_PREDICATE "\":\"x\"}", "x",
		  ATTACH_ATTESTATION },
		{ NULL, "{\"" ANN_BUNDLE_PREDICATE "\":\"x\"}", "x",
		  ATTACH_ATTESTATION },
		{ NULL, NULL, "", ATTACH_UNKNOWN },
		{ MT_OCI_EMPTY, NULL, "", ATTACH_UNKNOWN },
		/* a notary signature is never set aside by an annotation */
		{ MT_NOTARY_SIGNATURE, "{\"" ANN_BUNDLE_PREDICATE "\":\"x\"}",
		  "", ATTACH_UNKNOWN },
		{ "application/spdx+json", NULL, "application/spdx+json",
		  ATTACH_SBOM },
		{ "application/vnd.cyclonedx+json", NULL,
		  "application/vnd.cyclonedx+json", ATTACH_SBOM },
		{ "application/vnd.in-toto+json", NULL,
		  "application/vnd.in-toto+json", ATTACH_ATTESTATION },
		{ "application/vnd.example.readme", NULL,
		  "application/vnd.example.readme", ATTACH_OTHER },
		/* control characters never reach a terminal */
		{ "application/x\033[2J", NULL, "application/x?[2J",
		  ATTACH_OTHER },
	};
	char type[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		json_t *ann = t[i].ann ? json_loads(t[i].ann, 0, NULL) : NULL;

		assert_int_equal(attach_classify(t[i].type, ann, type,
						 sizeof(type)), t[i].want);
		if (t[i].want != ATTACH_UNKNOWN)
			assert_string_equal(type, t[i].want_type);
		json_decref(ann);
	}
}

/* statement_predicate_type: in-toto v1 and v0.1, nothing else. */
static void predicate_types(void **state)
{
	static const char v1[] = "{\"_type\":\"https://in-toto.io/"
		"Statement/v1\",\"predicateType\":\"p\"}";
	static const char v01[] = "{\"_type\":\"https://in-toto.io/"
		"Statement/v0.1\",\"predicateType\":\"q\"}";
	static const char other[] = "{\"_type\":\"x\",\"predicateType\":"
		"\"p\"}";
	static const char dup[] = "{\"_type\":\"https://in-toto.io/"
		"Statement/v1\",\"predicateType\":\"p\",\"predicateType\":"
		"\"q\"}";
	char pt[64];

	(void)state;
	assert_true(statement_predicate_type(pt, sizeof(pt), v1,
					     strlen(v1)));
	assert_string_equal(pt, "p");
	assert_true(statement_predicate_type(pt, sizeof(pt), v01,
					     strlen(v01)));
	assert_string_equal(pt, "q");
	assert_false(statement_predicate_type(pt, sizeof(pt), other,
					      strlen(other)));
	assert_false(statement_predicate_type(pt, sizeof(pt), dup,
					      strlen(dup)));
	assert_false(statement_predicate_type(pt, sizeof(pt), "[", 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names_round_trip),
		cmocka_unit_test(build_bundle_bytes),
		cmocka_unit_test(build_notation_bytes),
		cmocka_unit_test(build_parse_round_trip),
		cmocka_unit_test(listed_types),
		cmocka_unit_test(layer_table),
		cmocka_unit_test(classify_table),
		cmocka_unit_test(predicate_types),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
