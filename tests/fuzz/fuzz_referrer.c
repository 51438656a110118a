/*
 * fuzz_referrer.c - the manifest that stores a signature as a referrer of
 * an image, as a registry serves it: referrer_manifest_parse on the
 * input, then referrer_manifest_claims and referrer_manifest_layer for
 * each referrer format, against the subject the manifest names (so the
 * accepting path is reached) and against another image.
 * Properties: an accepted layer has a valid digest and the format's media
 * type (a notation envelope, JWS or COSE, within JWS_MAX); what was
 * accepted, built again with referrer_manifest_build, parses back to the
 * same layer (as JWS, the one envelope signet writes) and claims its
 * format; another subject is refused.
 */
#include "fuzz.h"
#include "../../formats/formats.h"

static const struct digest other = {
	"sha256:00000000000000000000000000000000"
	"00000000000000000000000000000000"
};

/* Build a manifest from what @m was accepted with, and read it back. */
static void check_round_trip(const struct referrer_manifest *m,
			     enum sig_format f, const struct digest *subject)
{
	static const char tps[1][65] = { "e38aea13f2b051f7183cca64a51ee676"
					 "f4d4456f41d9fecf15eb367efc7343b9" };
	struct referrer_spec spec = {
		.format = f,
		.subject = { MT_OCI_MANIFEST, *subject, 517 },
		.blob = m->layer.digest,
		.blob_size = m->layer.size,
		.created = 1687843833,
		.thumbprints = tps,
		.n_thumbprints = 1,
	};
	struct referrer_manifest back;
	struct buf b;
	json_t *ann = NULL;

	buf_init(&b, 0);
	FUZZ_CHECK(referrer_manifest_build(&b, &ann, &spec) == 0);
	FUZZ_CHECK(json_is_object(ann));
	FUZZ_CHECK(referrer_manifest_parse(&back, b.data, b.len, "built") == 0);
	FUZZ_CHECK(referrer_manifest_claims(&back, f, NULL));
	FUZZ_CHECK(referrer_manifest_layer(&back, f, subject) == 0);
	FUZZ_CHECK(digest_eq(&back.layer.digest, &m->layer.digest));
	FUZZ_CHECK(back.layer.size == m->layer.size);
	/* signet writes Notary signatures as JWS only */
	FUZZ_CHECK(strcmp(back.layer.media_type, m->layer.media_type) == 0 ||
		   (f == FORMAT_NOTATION &&
		    strcmp(m->layer.media_type, COSE_MEDIA_TYPE) == 0));
	FUZZ_CHECK(referrer_manifest_layer(&back, f, &other) < 0 ||
		   digest_eq(subject, &other));
	referrer_manifest_release(&back);
	json_decref(ann);
	buf_release(&b);
}

static void check_format(struct referrer_manifest *m, enum sig_format f,
			 const struct digest *subject)
{
	const char *at = referrer_artifact_type(f);

	FUZZ_CHECK(at != NULL);
	(void)referrer_manifest_claims(m, f, NULL);
	FUZZ_CHECK(referrer_manifest_claims(m, f, at) ||
		   f == FORMAT_NOTATION);
	if (referrer_manifest_layer(m, f, subject) < 0) {
		err_clear();
		return;
	}
	FUZZ_CHECK(digest_valid(m->layer.digest.str));
	FUZZ_CHECK(m->layer.media_type != NULL);
	FUZZ_CHECK(strcmp(m->layer.media_type, f == FORMAT_BUNDLE ?
			  MT_SIGSTORE_BUNDLE : JWS_MEDIA_TYPE) == 0 ||
		   (f == FORMAT_NOTATION &&
		    strcmp(m->layer.media_type, COSE_MEDIA_TYPE) == 0));
	FUZZ_CHECK(f != FORMAT_NOTATION || m->layer.size <= JWS_MAX);
	check_round_trip(m, f, subject);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct referrer_manifest m;
	struct digest subject = other;
	const char *sd;
	unsigned may;

	if (referrer_manifest_parse(&m, data, size, "fuzzed referrer") < 0) {
		FUZZ_CHECK(m.doc == NULL);
		err_clear();
		return 0;
	}
	may = referrer_formats(m.artifact_type);
	FUZZ_CHECK((may & ~(FORMAT_BIT(FORMAT_BUNDLE) |
			    FORMAT_BIT(FORMAT_NOTATION))) == 0);
	sd = jx_str(json_object_get(m.doc, "subject"), "digest");
	if (sd && digest_parse(&subject, sd) < 0)
		subject = other;
	check_format(&m, FORMAT_BUNDLE, &subject);
	check_format(&m, FORMAT_NOTATION, &subject);
	FUZZ_CHECK(referrer_manifest_layer(&m, FORMAT_COSIGN, &subject) < 0);
	referrer_manifest_release(&m);
	err_clear();
	return 0;
}
