/*
 * fuzz_rekor.c - Rekor entries and checkpoints: the input as a bundle's
 * tlog entry (rekor_entry_parse), as cosign's bundle annotation
 * (rekor_entry_parse_cosign), as a signed note (checkpoint_parse) and
 * as a hashedrekord body and as a dsse or intoto body; what parses goes through the checks of
 * verify/tlog.c against the public-good Rekor v1 log.
 * Properties: a parsed entry's SET payload is JSON that reads back to
 * the entry's values; a parsed note has 1 to NOTE_SIGS_MAX signatures and
 * a text that ends in a newline; nothing verifies against the log's key
 * unless its signature does (the corpus holds real ones, so both ways are
 * reached).
 */
#include "fuzz.h"
#include "../../formats/formats.h"
#include "../../keys/keys.h"
#include "../../verify/verify.h"

/* tlogs[0] of tests/data/keyless/production_trusted_root.json */
static const char root_json[] =
	"{\"mediaType\": \"" MT_TRUSTED_ROOT "\", \"tlogs\": [{"
	"\"baseUrl\": \"https://rekor.sigstore.dev\", "
	"\"hashAlgorithm\": \"SHA2_256\", \"publicKey\": {\"rawBytes\": "
	"\"MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE2G2Y+2tabdTV5BcGiBIx0a9fAFwr"
	"kBbmLSGtks4L3qX6yYY0zufBnhC8Ur/iy55GhWP/9A/bY2LhC30M9+RYtw==\", "
	"\"keyDetails\": \"PKIX_ECDSA_P256_SHA_256\", \"validFor\": "
	"{\"start\": \"2021-01-12T11:53:27Z\"}}, \"logId\": {\"keyId\": "
	"\"wNI9atQGlz+VWfO6LRygH4QUfY/8W4RFwiT5i5WRgB0=\"}}]}";

static struct keys_trustroot *root;

static void init(void)
{
	struct trustedroot tr;

	if (root)
		return;
	FUZZ_CHECK(trustedroot_parse(&tr, NULL, root_json,
				     strlen(root_json)) == 0);
	FUZZ_CHECK(keys_trustroot_new(&root, &tr) == 0);
	trustedroot_release(&tr);
}

/* A hashedrekord body: a digest of its algorithm's length, a signature
 * and a verifier. */
static void check_body(const void *data, size_t size)
{
	struct hashedrekord h;

	if (hashedrekord_parse(&h, data, size) == 0) {
		FUZZ_CHECK(h.digest_len == 32 || h.digest_len == 48 ||
			   h.digest_len == 64);
		FUZZ_CHECK(h.sig.len > 0 && h.verifier.len > 0);
	}
	hashedrekord_release(&h);
}

/* A dsse or intoto body: a payload hash, 1 to LOGGED_SIGS_MAX
 * signatures, each with a verifier and (but intoto v0.0.1) bytes. */
static void check_envelope_body(const void *data, size_t size)
{
	struct logged_envelope b;
	size_t i;

	if (logged_envelope_parse(&b, data, size) == 0) {
		FUZZ_CHECK(b.has_payload_hash);
		FUZZ_CHECK(b.n_sigs >= 1 && b.n_sigs <= LOGGED_SIGS_MAX);
		for (i = 0; i < b.n_sigs; i++)
			FUZZ_CHECK(b.verifier[i].len > 0 &&
				   (b.sigs_unlogged || b.sig[i].len > 0));
	}
	logged_envelope_release(&b);
}

static void check_entry(const struct rekor_entry *e)
{
	struct buf p;
	json_t *v;

	buf_init(&p, 0);
	FUZZ_CHECK(rekor_set_payload(&p, e) == 0);
	FUZZ_CHECK(jx_parse(&v, p.data, p.len, "payload") == 0);
	FUZZ_CHECK(json_integer_value(json_object_get(v, "logIndex")) ==
		   e->log_index);
	FUZZ_CHECK(json_integer_value(json_object_get(v, "integratedTime")) ==
		   e->integrated_time);
	FUZZ_CHECK(strlen(jx_str(v, "logID")) == 2 * e->log_id.len);
	json_decref(v);
	buf_release(&p);
	check_body(e->body.data, e->body.len);
	(void)tlog_verify_set(root, e);
	if (e->has_proof) {
		(void)tlog_verify_inclusion(e);
		(void)tlog_verify_checkpoint(root, e, e->integrated_time);
	}
}

static void check_note(const void *data, size_t size)
{
	struct checkpoint c;

	if (checkpoint_parse(&c, data, size) == 0) {
		FUZZ_CHECK(c.n_sigs >= 1 && c.n_sigs <= NOTE_SIGS_MAX);
		FUZZ_CHECK(c.text.len < size &&
			   c.text.data[c.text.len - 1] == '\n');
		FUZZ_CHECK(memcmp(c.text.data, data, c.text.len) == 0);
	}
	checkpoint_release(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rekor_entry e;

	init();
	if (rekor_entry_parse(&e, data, size) == 0)
		check_entry(&e);
	rekor_entry_release(&e);
	if (rekor_entry_parse_cosign(&e, data, size) == 0) {
		FUZZ_CHECK(!e.has_proof && e.set.len > 0);
		check_entry(&e);
	}
	rekor_entry_release(&e);
	check_note(data, size);
	check_body(data, size);
	check_envelope_body(data, size);
	err_clear();
	return 0;
}
