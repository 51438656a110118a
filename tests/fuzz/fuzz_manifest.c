/*
 * fuzz_manifest.c - manifests and indexes as a registry serves them: the
 * bytes go through jx_parse, then through the parsers sigs_get and
 * registry_get_referrers use (sigs_parse_layers for a .sig manifest,
 * referrers_parse_index for a referrers index, with and without an
 * artifact type filter), and each index entry through audit_platform.
 * Properties: what the parsers hand out is what the documents say, within
 * the counts; borrowed pointers stay inside the document.
 */
#include "fuzz.h"
#include "../../formats/formats.h"
#include "../../registry/internal.h"
#include "../../verify/verify.h"

static void check_sig_manifest(json_t *doc)
{
	struct sig_manifest m;
	json_t *layers = json_object_get(doc, "layers");
	size_t i;

	memset(&m, 0, sizeof(m));
	m.doc = json_incref(doc);
	if (sigs_parse_layers(&m, "fuzzed .sig manifest") == 0) {
		FUZZ_CHECK(json_is_array(layers));
		FUZZ_CHECK(m.n_layers == json_array_size(layers));
		for (i = 0; i < m.n_layers; i++) {
			const struct sig_layer *l = &m.layers[i];

			FUZZ_CHECK(l->media_type != NULL);
			FUZZ_CHECK(digest_valid(l->digest.str));
			FUZZ_CHECK(!l->annotations ||
				   json_is_object(l->annotations));
			/* what verify reads from each layer */
			(void)jx_str(l->annotations, ANN_COSIGN_SIGNATURE);
		}
	}
	sig_manifest_release(&m);
}

static void check_index(json_t *doc, const char *artifact_type)
{
	struct referrers r;
	json_t *list = json_object_get(doc, "manifests");
	size_t i;

	memset(&r, 0, sizeof(r));
	r.doc = json_incref(doc);
	if (referrers_parse_index(&r, artifact_type, "fuzzed index") == 0) {
		FUZZ_CHECK(json_is_array(list));
		FUZZ_CHECK(r.n <= json_array_size(list));
		if (!artifact_type)
			FUZZ_CHECK(r.n == json_array_size(list));
		for (i = 0; i < r.n; i++) {
			const struct referrer *e = &r.items[i];
			char type[256];
			enum attach_kind k;

			/* what verify makes of the entry before any fetch:
			 * a type fit to print */
			k = attach_classify(e->artifact_type, e->annotations,
					    type, sizeof(type));
			FUZZ_CHECK(k <= ATTACH_OTHER);
			FUZZ_CHECK(strlen(type) < sizeof(type));
			FUZZ_CHECK(!strpbrk(type, "\x1b\a\n\r"));
			FUZZ_CHECK(e->media_type != NULL);
			FUZZ_CHECK(digest_valid(e->digest.str));
			FUZZ_CHECK(!e->annotations ||
				   json_is_object(e->annotations));
			FUZZ_CHECK(!artifact_type || !e->artifact_type ||
				   strcmp(e->artifact_type,
					  artifact_type) == 0 ||
				   strcmp(e->artifact_type,
					  MT_OCI_EMPTY) == 0);
		}
	}
	referrers_release(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *doc = NULL, *list, *e;
	char platform[64];
	size_t i;

	if (jx_parse(&doc, data, size, "fuzzed manifest") < 0) {
		FUZZ_CHECK(doc == NULL);
		err_clear();
		return 0;
	}
	check_sig_manifest(doc);
	check_index(doc, NULL);
	check_index(doc, MT_NOTARY_SIGNATURE);
	check_index(doc, MT_SIGSTORE_BUNDLE);
	list = json_object_get(doc, "manifests");
	json_array_foreach(list, i, e) {
		audit_platform(platform, sizeof(platform), e);
		FUZZ_CHECK(memchr(platform, '\0', sizeof(platform)));
	}
	json_decref(doc);
	err_clear();
	return 0;
}
