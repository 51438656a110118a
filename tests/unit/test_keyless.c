/* test_keyless.c - the foundation of keyless verification, offline:
 * Sigstore trusted roots (formats/trustedroot.c, keys/trustroot.c),
 * Rekor entries and checkpoints (formats/rekor.c, formats/checkpoint.c)
 * and the transparency log checks (verify/tlog.c), against real
 * public-good data in tests/data/keyless/ (see SOURCE there): each check
 * passes on the real vector and fails, naming itself, on a forgery. */
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
#define PROD_ROOT DATA "production_trusted_root.json"
#define SIGSTORE_JS DATA "sigstore.js@2.0.0-provenance.sigstore.json"
#define T2022 1656633600	/* 2022-07-01T00:00:00Z */
#define T2024 1717200000	/* 2024-06-01T00:00:00Z */
#define T2020 1577836800	/* 2020-01-01T00:00:00Z */
#define T2026 1767225600	/* 2026-01-01T00:00:00Z */

static char *slurp(const char *path, size_t *len)
{
	struct buf b;

	buf_init(&b, 0);
	assert_int_equal(file_read(&b, path, 8 << 20, 0, NULL), 0);
	return buf_detach(&b, len);
}

/* @s with the first @from replaced by @to (new string). */
static char *mutate(const char *s, const char *from, const char *to)
{
	const char *at = strstr(s, from);
	size_t n;
	char *out;

	assert_non_null(at);
	n = strlen(s) - strlen(from) + strlen(to);
	out = malloc(n + 1);
	assert_non_null(out);
	memcpy(out, s, (size_t)(at - s));
	memcpy(out + (at - s), to, strlen(to));
	memcpy(out + (at - s) + strlen(to), at + strlen(from),
	       strlen(at + strlen(from)) + 1);
	return out;
}

static struct keys_trustroot *load_root_text(const char *text)
{
	struct trustedroot tr;
	struct keys_trustroot *t = NULL;

	assert_int_equal(trustedroot_parse(&tr, NULL, text, strlen(text)), 0);
	assert_int_equal(keys_trustroot_new(&t, &tr), 0);
	trustedroot_release(&tr);
	return t;
}

static struct keys_trustroot *load_root(const char *path)
{
	size_t len;
	char *text = slurp(path, &len);
	struct keys_trustroot *t = load_root_text(text);

	free(text);
	return t;
}

/* ---- trusted roots -------------------------------------------------- */

static void test_production_root(void **state)
{
	struct trustedroot tr;
	struct keys_trustroot *t;
	const struct keys_log *log;
	const struct keys_ca *cas[4];
	size_t len;
	char *text = slurp(PROD_ROOT, &len);

	(void)state;
	assert_int_equal(trustedroot_parse(&tr, NULL, text, len), 0);
	assert_int_equal(tr.n_tlogs, 2);
	assert_int_equal(tr.n_cas, 2);
	assert_int_equal(tr.n_ctlogs, 2);
	assert_int_equal(tr.n_tsas, 1);
	assert_string_equal(tr.tlogs[0].base_url, "https://rekor.sigstore.dev");
	assert_int_equal(tr.tlogs[1].kind, TR_KEY_ED25519);
	assert_true(tr.cas[0].valid.has_end);
	assert_false(tr.tlogs[0].valid.has_end);
	assert_int_equal(keys_trustroot_new(&t, &tr), 0);
	/* Rekor v1: the log id is the SHA-256 of the key's SPKI */
	assert_int_equal(t->tlogs[0].id_len, 32);
	assert_memory_equal(t->tlogs[0].id, t->tlogs[0].spki_sha256, 32);
	assert_int_equal(keys_trustroot_log(&log, t, false, t->tlogs[0].id,
					    32, T2022), 0);
	assert_ptr_equal(log, &t->tlogs[0]);
	assert_int_equal(keys_trustroot_log(&log, t, false, t->tlogs[0].id,
					    32, T2020), ERR_VERIFY);
	assert_non_null(strstr(err_msg(), "was not valid at "
			       "2020-01-01T00:00:00Z"));
	assert_int_equal(keys_trustroot_log(&log, t, true, t->tlogs[0].id, 32,
					    T2022), ERR_VERIFY);
	assert_non_null(strstr(err_msg(), "no certificate transparency log"));
	/* the first Fulcio CA ended with 2022, the second began then */
	assert_int_equal(keys_trustroot_cas_at(cas, 4, t, false, T2022), 2);
	assert_int_equal(keys_trustroot_cas_at(cas, 4, t, false, T2024), 1);
	assert_ptr_equal(cas[0], &t->cas[1]);
	assert_int_equal(keys_trustroot_cas_at(cas, 4, t, false, T2020), 0);
	assert_int_equal(keys_trustroot_cas_at(cas, 4, t, true, T2024), 0);
	assert_int_equal(keys_trustroot_cas_at(cas, 4, t, true, T2026), 1);
	keys_trustroot_free(t);
	trustedroot_release(&tr);
	free(text);
	keys_trustroot_free(load_root(DATA "scaffolding_trusted_root.json"));
}

static const struct {
	const char *from, *to, *want;
} bad_roots[] = {
	{ "\"start\": \"2021-01-12T11:53:27Z\"", "\"start\": \"yesterday\"",
	  ".tlogs[0].publicKey.validFor.start: not an RFC 3339 time" },
	{ "\"hashAlgorithm\": \"SHA2_256\"", "\"hashAlgorithm\": \"SHA1\"",
	  ".tlogs[0].hashAlgorithm: 'SHA1' not supported" },
	{ "PKIX_ECDSA_P256_SHA_256", "PKIX_DSA",
	  ".tlogs[0].publicKey.keyDetails: key kind 'PKIX_DSA' not "
	  "supported" },
	{ "\"rawBytes\": \"MFkw", "\"rawBytes\": \"!MFkw",
	  ".tlogs[0].publicKey.rawBytes: not standard base64" },
	{ "\"baseUrl\"", "\"baseURL\"", ".tlogs[0].baseURL: unknown field" },
	{ "\"keyId\": \"wNI9", "\"keyID\": \"wNI9",
	  ".tlogs[0].logId.keyID: unknown field" },
	{ "trustedroot+json;version=0.1", "trustedroot+json;version=0.9",
	  ".mediaType: 'application/vnd.dev.sigstore.trustedroot+json;"
	  "version=0.9' is not a trusted root" },
	{ "\"end\": \"2022-12-31T23:59:59.999Z\"",
	  "\"end\": \"2020-12-31T23:59:59.999Z\"",
	  ".certificateAuthorities[0].validFor.end: before start" },
	{ "\"validFor\": {\n          \"start\": \"2021-01-12T11:53:27Z\"\n"
	  "        }", "\"validFor\": {}",
	  ".tlogs[0].publicKey.validFor.start: missing" },
	{ "\"mediaType\":", "\"mediaType\": \"x\", \"mediaType\":",
	  ".mediaType: duplicate key" },
	{ "\"commonName\": \"sigstore\"",
	  "\"commonName\": \"sigstore\", \"commonName\": \"x\"",
	  ".certificateAuthorities[0].subject.commonName: duplicate key" },
};

#define MT "{\"mediaType\": \"" MT_TRUSTED_ROOT "\", "

static const struct {
	const char *json, *want;
} small[] = {
	{ MT "\"tlogs\": 3}",
	  "trusted root: .tlogs: expected an array of at most 64 entries" },
	{ MT "\"certificateAuthorities\": [{\"certChain\": {\"certificates\""
	  ": []}, \"validFor\": {\"start\": \"2021-01-01T00:00:00Z\"}}]}",
	  "trusted root: .certificateAuthorities[0].certChain.certificates: "
	  "expected an array of 1 to 10 certificates" },
	{ MT "\"ctlogs\": [{}]}", "trusted root: .ctlogs[0].hashAlgorithm: "
	  "missing" },
	{ "{}", "trusted root: .mediaType: missing" },
};

static void test_bad_roots(void **state)
{
	struct trustedroot tr;
	size_t len, i;
	char *text = slurp(PROD_ROOT, &len);

	(void)state;
	for (i = 0; i < sizeof(bad_roots) / sizeof(bad_roots[0]); i++) {
		char *bad = mutate(text, bad_roots[i].from, bad_roots[i].to);
		int rc = trustedroot_parse(&tr, NULL, bad, strlen(bad));

		if (rc != ERR_FORMAT || !strstr(err_msg(), bad_roots[i].want))
			fail_msg("case %zu: rc %d, message '%s'", i, rc,
				 err_msg());
		assert_int_equal(strncmp(err_msg(), "trusted root: ", 14), 0);
		trustedroot_release(&tr);
		free(bad);
	}
	for (i = 0; i < sizeof(small) / sizeof(small[0]); i++) {
		assert_int_equal(trustedroot_parse(&tr, NULL, small[i].json,
						   strlen(small[i].json)),
				 ERR_FORMAT);
		assert_string_equal(err_msg(), small[i].want);
		trustedroot_release(&tr);
	}
	assert_int_equal(trustedroot_parse(&tr, NULL, "[]", 2), ERR_FORMAT);
	trustedroot_release(&tr);
	assert_int_equal(trustedroot_parse(&tr, NULL, "{", 1), ERR_FORMAT);
	trustedroot_release(&tr);
	free(text);
}

/* What the keys/ side refuses though the JSON is well formed. */
static void test_bad_root_keys(void **state)
{
	static const struct {
		const char *from, *to, *want;
	} cases[] = {
		{ "\"rawBytes\": \"MFkw", "\"rawBytes\": \"AAAAMFkw",
		  ".tlogs[0].publicKey.rawBytes: not one DER public key" },
		{ "PKIX_ECDSA_P256_SHA_256", "PKIX_ED25519",
		  ".tlogs[0].publicKey.rawBytes: not the kind of key" },
		{ "PKIX_ED25519", "PKIX_ECDSA_P384_SHA_384",
		  ".tlogs[1].publicKey.rawBytes: not the kind of key" },
		{ "\"rawBytes\": \"MIIB+DCC", "\"rawBytes\": \"AAAA",
		  ".certificateAuthorities[0].certChain: certificate 1 of "
		  "the chain is not one DER certificate" },
	};
	struct trustedroot tr;
	struct keys_trustroot *t;
	size_t len, i;
	char *text = slurp(PROD_ROOT, &len);

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *bad = mutate(text, cases[i].from, cases[i].to);

		assert_int_equal(trustedroot_parse(&tr, NULL, bad,
						   strlen(bad)), 0);
		if (keys_trustroot_new(&t, &tr) != ERR_FORMAT ||
		    !strstr(err_msg(), cases[i].want))
			fail_msg("case %zu: '%s'", i, err_msg());
		assert_null(t);
		trustedroot_release(&tr);
		free(bad);
	}
	free(text);
}

/* ---- Rekor entries and the SET ----------------------------------------- */

/* The cosign annotation of a real public-good keyless signature. */
static void cosign_entry(struct rekor_entry *e)
{
	size_t len;
	char *text = slurp(DATA "rekor-set", &len);

	assert_int_equal(rekor_entry_parse_cosign(e, text, len), 0);
	free(text);
}

/* tlogEntries[0] of a Sigstore bundle. */
static void bundle_entry(struct rekor_entry *e, const char *path)
{
	size_t len;
	char *text = slurp(path, &len);
	json_t *doc, *tle;

	assert_int_equal(jx_parse(&doc, text, len, "bundle"), 0);
	tle = json_array_get(json_object_get(json_object_get(doc,
		"verificationMaterial"), "tlogEntries"), 0);
	assert_int_equal(rekor_entry_from_json(e, tle), 0);
	json_decref(doc);
	free(text);
}

static void test_cosign_annotation(void **state)
{
	struct rekor_entry e;
	struct buf p;

	(void)state;
	cosign_entry(&e);
	assert_int_equal(e.integrated_time, 1670870899);
	assert_int_equal(e.log_index, 8949589);
	assert_int_equal(e.log_id.len, 32);
	assert_int_equal(e.log_id.data[0], 0xc0);
	assert_null(e.kind);
	assert_false(e.has_proof);
	assert_non_null(memmem(e.body.data, e.body.len, "hashedrekord", 12));
	buf_init(&p, 0);
	assert_int_equal(rekor_set_payload(&p, &e), 0);
	assert_int_equal(strncmp((char *)p.data, "{\"body\":\"eyJhcGlW", 16),
			 0);
	assert_non_null(strstr((char *)p.data, "\",\"integratedTime\":"
			       "1670870899,\"logID\":\"c0d23d6ad406973f9559f3ba"
			       "2d1ca01f84147d8ffc5b8445c224f98b9591801d\","
			       "\"logIndex\":8949589}"));
	buf_release(&p);
	rekor_entry_release(&e);
}

static void test_set(void **state)
{
	struct keys_trustroot *t = load_root(PROD_ROOT);
	struct rekor_entry e;

	(void)state;
	cosign_entry(&e);
	assert_int_equal(tlog_verify_set(t, &e), 0);
	/* forgeries: each names the SET check */
	e.body.data[10] ^= 1;
	assert_int_equal(tlog_verify_set(t, &e), ERR_VERIFY);
	assert_non_null(strstr(err_msg(), "SET: signature does not verify"));
	e.body.data[10] ^= 1;
	e.integrated_time++;
	assert_int_equal(tlog_verify_set(t, &e), ERR_VERIFY);
	e.integrated_time--;
	e.log_index++;
	assert_int_equal(tlog_verify_set(t, &e), ERR_VERIFY);
	e.log_index--;
	e.set.data[e.set.len - 1] ^= 1;
	assert_int_equal(tlog_verify_set(t, &e), ERR_VERIFY);
	assert_non_null(strstr(err_msg(), "SET: "));
	e.set.data[e.set.len - 1] ^= 1;
	e.log_id.data[0] ^= 1;
	assert_int_equal(tlog_verify_set(t, &e), ERR_VERIFY);
	assert_non_null(strstr(err_msg(), "SET: no transparency log with "
			       "key id c1d2"));
	e.log_id.data[0] ^= 1;
	assert_int_equal(tlog_verify_set(t, &e), 0);
	e.set.len = 0;
	assert_int_equal(tlog_verify_set(t, &e), ERR_VERIFY);
	assert_string_equal(err_msg(), "SET: the log entry has none");
	rekor_entry_release(&e);
	keys_trustroot_free(t);
}

/* The log key's validity window decides, not only its signature. */
static void test_set_key_window(void **state)
{
	size_t len;
	char *text = slurp(PROD_ROOT, &len);
	char *late = mutate(text, "\"start\": \"2021-01-12T11:53:27Z\"",
			    "\"start\": \"2023-01-01T00:00:00Z\"");
	char *ended = mutate(text, "\"start\": \"2021-01-12T11:53:27Z\"",
			     "\"start\": \"2021-01-12T11:53:27Z\", "
			     "\"end\": \"2022-01-01T00:00:00Z\"");
	struct keys_trustroot *t1 = load_root_text(late);
	struct keys_trustroot *t2 = load_root_text(ended);
	struct rekor_entry e;

	(void)state;
	cosign_entry(&e);
	assert_int_equal(tlog_verify_set(t1, &e), ERR_VERIFY);
	assert_non_null(strstr(err_msg(), "SET: the key of transparency log "
			       "c0d23d6a"));
	assert_non_null(strstr(err_msg(), "was not valid at "
			       "2022-12-12T18:48:19Z"));
	assert_int_equal(tlog_verify_set(t2, &e), ERR_VERIFY);
	assert_non_null(strstr(err_msg(), "to 2022-01-01T00:00:00Z"));
	rekor_entry_release(&e);
	keys_trustroot_free(t1);
	keys_trustroot_free(t2);
	free(late);
	free(ended);
	free(text);
}

/* The SET of the layer annotation of the image signature in
 * dir-img-cosign-fulcio-rekor-valid. */
static void test_set_image_signature(void **state)
{
	struct keys_trustroot *t = load_root(PROD_ROOT);
	struct rekor_entry e;
	size_t len;
	char *text = slurp(DATA "dir-img-cosign-fulcio-rekor-valid/"
			   "signature-1", &len);
	json_t *doc;
	const char *ann;

	(void)state;
	assert_true(len > 15);
	assert_int_equal(jx_parse(&doc, text + 15, len - 15, "sig"), 0);
	ann = jx_str(json_object_get(doc, "annotations"), ANN_COSIGN_BUNDLE);
	assert_non_null(ann);
	assert_int_equal(rekor_entry_parse_cosign(&e, ann, strlen(ann)), 0);
	assert_int_equal(tlog_verify_set(t, &e), 0);
	rekor_entry_release(&e);
	json_decref(doc);
	free(text);
	keys_trustroot_free(t);
}

/* ---- inclusion proofs and checkpoints ----------------------------------- */

static void test_bundle_entry(void **state)
{
	struct keys_trustroot *t = load_root(PROD_ROOT);
	struct rekor_entry e;

	(void)state;
	bundle_entry(&e, SIGSTORE_JS);
	assert_string_equal(e.kind, "intoto");
	assert_string_equal(e.version, "0.0.2");
	assert_int_equal(e.log_index, 31821305);
	assert_int_equal(e.integrated_time, 1692374735);
	assert_true(e.has_proof);
	assert_int_equal(e.proof.log_index, 27657874);
	assert_int_equal(e.proof.tree_size, 27657875);
	assert_int_equal(e.proof.n_hashes, 10);
	assert_int_equal(tlog_verify_set(t, &e), 0);
	assert_int_equal(tlog_verify_inclusion(&e), 0);
	assert_int_equal(tlog_verify_checkpoint(t, &e,
						(time_t)e.integrated_time), 0);
	rekor_entry_release(&e);
	keys_trustroot_free(t);
}

static void test_inclusion_forgeries(void **state)
{
	struct rekor_entry e;

	(void)state;
	bundle_entry(&e, SIGSTORE_JS);
	e.body.data[e.body.len / 2] ^= 1;
	assert_int_equal(tlog_verify_inclusion(&e), ERR_VERIFY);
	assert_string_equal(err_msg(), "inclusion proof: does not lead to "
			    "the root hash");
	e.body.data[e.body.len / 2] ^= 1;
	e.proof.hashes[3][7] ^= 0x80;
	assert_int_equal(tlog_verify_inclusion(&e), ERR_VERIFY);
	e.proof.hashes[3][7] ^= 0x80;
	e.proof.log_index ^= 1;
	assert_int_equal(tlog_verify_inclusion(&e), ERR_VERIFY);
	e.proof.log_index ^= 1;
	e.proof.tree_size = e.proof.log_index;
	assert_int_equal(tlog_verify_inclusion(&e), ERR_VERIFY);
	assert_non_null(strstr(err_msg(), "inclusion proof: leaf index"));
	e.proof.tree_size = 27657875;
	e.proof.n_hashes--;
	assert_int_equal(tlog_verify_inclusion(&e), ERR_VERIFY);
	assert_non_null(strstr(err_msg(), "inclusion proof: fewer hashes"));
	e.proof.n_hashes++;
	assert_int_equal(tlog_verify_inclusion(&e), 0);
	e.has_proof = false;
	assert_int_equal(tlog_verify_inclusion(&e), ERR_VERIFY);
	rekor_entry_release(&e);
}

static void test_checkpoint_forgeries(void **state)
{
	struct keys_trustroot *t = load_root(PROD_ROOT);
	struct rekor_entry e;
	const char *orig;
	char *bad;

	(void)state;
	bundle_entry(&e, SIGSTORE_JS);
	orig = e.proof.checkpoint;
	/* a root hash or size that the signed checkpoint does not carry */
	e.proof.root[0] ^= 1;
	assert_int_equal(tlog_verify_checkpoint(t, &e, T2024), ERR_VERIFY);
	assert_string_equal(err_msg(), "checkpoint: root hash is not the "
			    "inclusion proof's");
	e.proof.root[0] ^= 1;
	e.proof.tree_size++;
	assert_int_equal(tlog_verify_checkpoint(t, &e, T2024), ERR_VERIFY);
	assert_non_null(strstr(err_msg(), "checkpoint: tree size 27657875"));
	e.proof.tree_size--;
	/* the signed text changed */
	bad = mutate(orig, "\n27657875\n", "\n27657876\n");
	e.proof.checkpoint = bad;
	assert_int_equal(tlog_verify_checkpoint(t, &e, T2024), ERR_VERIFY);
	assert_string_equal(err_msg(), "checkpoint: signature does not "
			    "verify with the log's key");
	free(bad);
	/* the signature changed */
	bad = mutate(orig, "wNI9ajBEAiAz", "wNI9ajBEAiAy");
	e.proof.checkpoint = bad;
	assert_int_equal(tlog_verify_checkpoint(t, &e, T2024), ERR_VERIFY);
	assert_string_equal(err_msg(), "checkpoint: signature does not "
			    "verify with the log's key");
	free(bad);
	/* signed by some other key */
	bad = mutate(orig, "wNI9ajBEAiAz", "AAAAajBEAiAz");
	e.proof.checkpoint = bad;
	assert_int_equal(tlog_verify_checkpoint(t, &e, T2024), ERR_VERIFY);
	assert_string_equal(err_msg(), "checkpoint: no signature by the "
			    "log's key");
	free(bad);
	/* not a signed note */
	e.proof.checkpoint = "rekor.sigstore.dev\n1\nAAAA\n";
	assert_int_equal(tlog_verify_checkpoint(t, &e, T2024), ERR_VERIFY);
	assert_non_null(strstr(err_msg(), "checkpoint: no blank line"));
	/* the log's key not valid then */
	e.proof.checkpoint = orig;
	assert_int_equal(tlog_verify_checkpoint(t, &e, T2020), ERR_VERIFY);
	assert_non_null(strstr(err_msg(), "checkpoint: the key of "
			       "transparency log"));
	assert_int_equal(tlog_verify_checkpoint(t, &e, T2024), 0);
	rekor_entry_release(&e);
	keys_trustroot_free(t);
}

/* A private Sigstore instance's bundle (v0.3), with its own root. */
static void test_scaffolding_bundle(void **state)
{
	struct keys_trustroot *t =
		load_root(DATA "scaffolding_trusted_root.json");
	struct keys_trustroot *prod = load_root(PROD_ROOT);
	struct rekor_entry e;

	(void)state;
	bundle_entry(&e, DATA "othername.sigstore.json");
	assert_string_equal(e.kind, "hashedrekord");
	assert_int_equal(tlog_verify_set(t, &e), 0);
	assert_int_equal(tlog_verify_inclusion(&e), 0);
	assert_int_equal(tlog_verify_checkpoint(t, &e,
						(time_t)e.integrated_time), 0);
	/* and not with the public-good root */
	assert_int_equal(tlog_verify_set(prod, &e), ERR_VERIFY);
	assert_int_equal(tlog_verify_checkpoint(prod, &e,
						(time_t)e.integrated_time),
			 ERR_VERIFY);
	rekor_entry_release(&e);
	keys_trustroot_free(t);
	keys_trustroot_free(prod);
}

/* A Rekor v2 entry (staging, Ed25519 log): no SET, no integrated time;
 * its inclusion proof and checkpoint are what count. The time is the
 * bundle's RFC 3161 timestamp (2025-06-09T11:57:38Z). */
static void test_rekor_v2(void **state)
{
	struct keys_trustroot *t = load_root(DATA "staging_trusted_root.json");
	struct rekor_entry e;
	const char *orig;
	char *bad;

	(void)state;
	/* its first CT log is a deprecated PKCS#1 RSA key */
	assert_int_equal(t->ctlogs[0].kind, TR_KEY_RSA_PKCS1_RAW);
	assert_int_equal(t->tlogs[1].kind, TR_KEY_ED25519);
	bundle_entry(&e, DATA "staging-rekor-v2.txt.sigstore.json");
	assert_int_equal(e.integrated_time, 0);
	assert_int_equal(e.set.len, 0);
	assert_string_equal(e.version, "0.0.2");
	assert_int_equal(tlog_verify_set(t, &e), ERR_VERIFY);
	assert_string_equal(err_msg(), "SET: the log entry has none");
	assert_int_equal(tlog_verify_inclusion(&e), 0);
	assert_int_equal(tlog_verify_checkpoint(t, &e, 1749470258), 0);
	/* the log began 2025-04-16 */
	assert_int_equal(tlog_verify_checkpoint(t, &e, 1744761599),
			 ERR_VERIFY);
	orig = e.proof.checkpoint;
	bad = mutate(orig, "\n646\n", "\n647\n");
	e.proof.checkpoint = bad;
	assert_int_equal(tlog_verify_checkpoint(t, &e, 1749470258),
			 ERR_VERIFY);
	assert_string_equal(err_msg(), "checkpoint: signature does not "
			    "verify with the log's key");
	free(bad);
	e.proof.checkpoint = orig;
	e.body.data[0] ^= 1;
	assert_int_equal(tlog_verify_inclusion(&e), ERR_VERIFY);
	rekor_entry_release(&e);
	keys_trustroot_free(t);
}

/* ---- what a hashedrekord entry says was signed -------------------------- */

static void b64_file(struct buf *out, const char *path)
{
	size_t len;
	char *text = slurp(path, &len);

	while (len && (text[len - 1] == '\n' || text[len - 1] == '\r'))
		len--;
	buf_init(out, 0);
	assert_int_equal(b64_decode(out, text, len), 0);
	free(text);
}

static void test_hashedrekord(void **state)
{
	struct rekor_entry e;
	struct hashedrekord h;
	struct buf sig, want;
	struct digest d;
	size_t len;
	char *payload = slurp(DATA "rekor-payload", &len);
	char *cert, hex[65];
	size_t i;

	(void)state;
	/* v0.0.1: the digest of the payload, its signature, the cert */
	cosign_entry(&e);
	assert_int_equal(hashedrekord_parse(&h, e.body.data, e.body.len), 0);
	assert_string_equal(h.version, "0.0.1");
	assert_string_equal(h.md, "sha256");
	digest_of(&d, payload, len);
	assert_int_equal(h.digest_len, 32);
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", h.digest[i]);
	assert_string_equal(hex, digest_hex(&d));
	assert_string_equal(hex, "0fd1e9832cc5a5f502e800fe9cdeefbd31362df1"
			    "6fe8c2250d308aea3fb1fc69");
	b64_file(&sig, DATA "rekor-sig");
	assert_int_equal(h.sig.len, sig.len);
	assert_memory_equal(h.sig.data, sig.data, sig.len);
	cert = slurp(DATA "fulcio-cert", &len);
	assert_true(h.verifier_is_cert);
	assert_int_equal(h.verifier.len, len);
	assert_memory_equal(h.verifier.data, cert, len);
	free(cert);
	buf_release(&sig);
	hashedrekord_release(&h);
	rekor_entry_release(&e);
	free(payload);
	/* v0.0.2 (Rekor v2): the bundle's digest, signature and cert */
	bundle_entry(&e, DATA "staging-rekor-v2.txt.sigstore.json");
	assert_int_equal(hashedrekord_parse(&h, e.body.data, e.body.len), 0);
	assert_string_equal(h.version, "0.0.2");
	assert_true(h.verifier_is_cert);
	buf_init(&want, 0);
	assert_int_equal(b64_decode(&want, "FfZyRhFZIbt8HeDn6eknXIAW3CVKDACY"
				    "iJRLftNkSqo=", 44), 0);
	assert_int_equal(h.digest_len, 32);
	assert_memory_equal(h.digest, want.data, 32);
	assert_int_equal(h.verifier.data[0], 0x30);	/* DER */
	buf_release(&want);
	hashedrekord_release(&h);
	rekor_entry_release(&e);
	/* another kind is refused, by name */
	bundle_entry(&e, SIGSTORE_JS);
	assert_int_equal(hashedrekord_parse(&h, e.body.data, e.body.len),
			 ERR_FORMAT);
	assert_string_equal(err_msg(), "rekor body: .kind: 'intoto' is not "
			    "hashedrekord");
	hashedrekord_release(&h);
	rekor_entry_release(&e);
}

static void test_hashedrekord_bad(void **state)
{
	static const struct {
		const char *json, *want;
	} bad[] = {
		{ "{\"apiVersion\":\"0.0.1\",\"kind\":\"hashedrekord\","
		  "\"spec\":{\"data\":{\"hash\":{\"algorithm\":\"sha256\","
		  "\"value\":\"AB\"}},\"signature\":{\"content\":\"AA==\","
		  "\"publicKey\":{\"content\":\"AA==\"}}}}",
		  ".spec.data.hash.value: expected 64 lower-case hex" },
		{ "{\"apiVersion\":\"0.0.1\",\"kind\":\"hashedrekord\","
		  "\"spec\":{\"data\":{\"hash\":{\"algorithm\":\"md5\","
		  "\"value\":\"AB\"}},\"signature\":{\"content\":\"AA==\","
		  "\"publicKey\":{\"content\":\"AA==\",\"x\":1}}}}",
		  ".spec.data.hash.algorithm: 'md5' not supported" },
		{ "{\"apiVersion\":\"0.0.3\",\"kind\":\"hashedrekord\","
		  "\"spec\":{}}", ".apiVersion: '0.0.3' not supported" },
		{ "{\"apiVersion\":\"0.0.2\",\"kind\":\"hashedrekord\","
		  "\"spec\":{\"hashedRekordV002\":{\"data\":{\"algorithm\":"
		  "\"SHA2_256\",\"digest\":\"AA==\"}}}}",
		  ".spec.hashedRekordV002.data.digest: not 32 bytes" },
	};
	struct hashedrekord h;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(hashedrekord_parse(&h, bad[i].json,
						    strlen(bad[i].json)),
				 ERR_FORMAT);
		if (!strstr(err_msg(), bad[i].want))
			fail_msg("case %zu: '%s'", i, err_msg());
		hashedrekord_release(&h);
	}
}

/* ---- the Merkle path against RFC 6962's own definitions ------------------ */

static void leaf_hash(unsigned char out[32], unsigned i)
{
	unsigned char in[5] = { 0, (unsigned char)i, 'l', 'e', 'f' };

	EVP_Digest(in, sizeof(in), out, NULL, EVP_sha256(), NULL);
}

static void node_hash(unsigned char out[32], const unsigned char l[32],
		      const unsigned char r[32])
{
	unsigned char in[65];

	in[0] = 1;
	memcpy(in + 1, l, 32);
	memcpy(in + 33, r, 32);
	EVP_Digest(in, sizeof(in), out, NULL, EVP_sha256(), NULL);
}

static unsigned split(unsigned n)
{
	unsigned k = 1;

	while (k * 2 < n)
		k *= 2;
	return k;
}

/* RFC 6962 2.1: MTH(D[lo:lo+n]). */
static void mth(unsigned char out[32], unsigned lo, unsigned n)
{
	unsigned char a[32], b[32];
	unsigned k;

	if (n == 1) {
		leaf_hash(out, lo);
		return;
	}
	k = split(n);
	mth(a, lo, k);
	mth(b, lo + k, n - k);
	node_hash(out, a, b);
}

/* RFC 6962 2.1.1: PATH(m, D[lo:lo+n]), appended to @p. */
static void path(unsigned char (*p)[32], size_t *np, unsigned m, unsigned lo,
		 unsigned n)
{
	unsigned k;

	if (n == 1)
		return;
	k = split(n);
	if (m < k) {
		path(p, np, m, lo, k);
		mth(p[(*np)++], lo + k, n - k);
	} else {
		path(p, np, m - k, lo + k, n - k);
		mth(p[(*np)++], lo, k);
	}
}

static void test_merkle_rfc6962(void **state)
{
	unsigned char root[32], got[32], leaf[32], p[64][32];
	unsigned n, m;
	size_t np;

	(void)state;
	for (n = 1; n <= 33; n++) {
		mth(root, 0, n);
		for (m = 0; m < n; m++) {
			np = 0;
			path(p, &np, m, 0, n);
			leaf_hash(leaf, m);
			assert_int_equal(tlog_merkle_root(got, leaf, m, n,
					(const unsigned char (*)[32])p, np),
					 0);
			assert_memory_equal(got, root, 32);
			/* one hash short or one too many never passes */
			if (np)
				assert_int_equal(tlog_merkle_root(got, leaf, m,
					n, (const unsigned char (*)[32])p,
					np - 1) == 0 &&
					memcmp(got, root, 32) == 0, 0);
			assert_int_equal(tlog_merkle_root(got, leaf, m, n,
					(const unsigned char (*)[32])p,
					np + 1), ERR_VERIFY);
		}
		leaf_hash(leaf, 0);
		assert_int_equal(tlog_merkle_root(got, leaf, n, n,
				(const unsigned char (*)[32])p, 0),
				 ERR_VERIFY);
	}
}

/* ---- parsers' refusals -------------------------------------------------- */

static void test_checkpoint_parse(void **state)
{
	static const struct {
		const char *note, *want;
	} bad[] = {
		{ "o\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n",
		  "no signature line" },
		{ "o\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n"
		  "\xe2\x80\x94 name AAAAAAA=",
		  "the last does not end in a newline" },
		{ "o\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n"
		  "- name AAAAAAA=\n", "signature line 1 is not" },
		{ "o\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n"
		  "\xe2\x80\x94 name AAAA\n",
		  "signature line 1: not a base64" },
		{ "o\n01\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n"
		  "\xe2\x80\x94 name AAAAAAA=\n", "line 2 is not a tree size" },
		{ "o\n1\nAAAA\n\n\xe2\x80\x94 name AAAAAAA=\n",
		  "line 3 is not a base64 SHA-256 root hash" },
		{ "o\x01\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n"
		  "\xe2\x80\x94 name AAAAAAA=\n", "control characters" },
		{ "\n\n\xe2\x80\x94 name AAAAAAA=\n", "no origin line" },
		/* past INT64_MAX: not read as INT64_MAX */
		{ "o\n9999999999999999999\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
		  "AAAAAAAA=\n\n\xe2\x80\x94 name AAAAAAA=\n",
		  "line 2 is not a tree size" },
	};
	struct checkpoint c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(checkpoint_parse(&c, bad[i].note,
						  strlen(bad[i].note)),
				 ERR_FORMAT);
		if (!strstr(err_msg(), bad[i].want))
			fail_msg("case %zu: '%s'", i, err_msg());
		checkpoint_release(&c);
	}
	assert_int_equal(checkpoint_parse(&c, "o\n1\nAAAAAAAAAAAAAAAAAAAAAAAA"
		"AAAAAAAAAAAAAAAAAAA=\next\n\n\xe2\x80\x94 a AAAAAAA=\n"
		"\xe2\x80\x94 b BBBBBBA=\n", 84), 0);
	assert_int_equal(c.n_sigs, 2);
	assert_string_equal(c.sigs[1].name, "b");
	assert_int_equal(c.text.len, 53);
	checkpoint_release(&c);
}

static void test_entry_parse(void **state)
{
	static const struct {
		const char *json, *want;
	} bad[] = {
		{ "{\"logId\":{\"keyId\":\"AA==\"},\"kindVersion\":{\"kind\":"
		  "\"k\",\"version\":\"v\"}}", ".canonicalizedBody: missing" },
		{ "{\"logId\":{\"keyId\":\"AA==\"},\"kindVersion\":{\"kind\":"
		  "\"k\",\"version\":\"v\"},\"canonicalizedBody\":\"AA==\","
		  "\"logIndex\":\"-1\"}",
		  ".logIndex: expected a non-negative" },
		{ "{\"logId\":{\"keyId\":\"AA==\"},\"kindVersion\":{\"kind\":"
		  "\"k\",\"version\":\"v\"},\"canonicalizedBody\":\"AA==\","
		  "\"logIndex\":\"9999999999999999999\"}",
		  ".logIndex: expected a non-negative" },
		{ "{\"logId\":{\"keyId\":\"AA==\"},\"kindVersion\":{\"kind\":"
		  "\"k\",\"version\":\"v\"},\"canonicalizedBody\":\"AA==\","
		  "\"inclusionProof\":{\"treeSize\":\"2\",\"rootHash\":\"AA==\""
		  ",\"checkpoint\":{\"envelope\":\"x\"}}}",
		  ".inclusionProof.rootHash: 1 bytes" },
		{ "{\"logId\":{\"keyId\":\"AA==\"},\"kindVersion\":{\"kind\":"
		  "\"k\",\"version\":\"v\"},\"canonicalizedBody\":\"AA==\","
		  "\"extra\":1}", ".extra: unknown field" },
		{ "{\"logId\":{\"keyId\":\"AA==\"},\"logId\":{}}",
		  ".logId: duplicate key" },
	};
	struct rekor_entry e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(rekor_entry_parse(&e, bad[i].json,
						   strlen(bad[i].json)),
				 ERR_FORMAT);
		if (!strstr(err_msg(), bad[i].want))
			fail_msg("case %zu: '%s'", i, err_msg());
		rekor_entry_release(&e);
	}
	assert_int_equal(rekor_entry_parse_cosign(&e, "{\"Payload\":{}}", 14),
			 ERR_FORMAT);
	assert_non_null(strstr(err_msg(), "rekor bundle: .SignedEntryTimestamp"
			       ": missing"));
	rekor_entry_release(&e);
}

/* The root built into signet is the one its constants describe, and
 * selecting it (no file, no $SIGNET_TRUSTED_ROOT) loads it. */
static void test_builtin_root(void **state)
{
	static const char *const lists[] = { "tlogs", "ctlogs",
		"certificateAuthorities", "timestampAuthorities" };
	const void *data;
	size_t len, i, j;
	unsigned char md[32];
	char hex[65], newest[32] = "", which[256];
	struct keys_trustroot *t = NULL;
	json_t *doc;

	(void)state;
	keys_trustroot_builtin_bytes(&data, &len);
	assert_true(len > 1000);
	assert_int_equal(EVP_Digest(data, len, md, NULL, EVP_sha256(), NULL),
			 1);
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	assert_string_equal(hex, KEYS_TRUSTROOT_BUILTIN_SHA256);
	doc = json_loadb(data, len, 0, NULL);
	assert_non_null(doc);
	for (i = 0; i < 4; i++) {
		json_t *a = json_object_get(doc, lists[i]), *e;

		json_array_foreach(a, j, e) {
			json_t *v = json_object_get(e, "validFor");
			const char *st;

			if (!v)
				v = json_object_get(json_object_get(
					e, "publicKey"), "validFor");
			st = json_string_value(json_object_get(v, "start"));
			assert_non_null(st);
			if (strcmp(st, newest) > 0)
				snprintf(newest, sizeof(newest), "%s", st);
		}
	}
	json_decref(doc);
	assert_memory_equal(newest, KEYS_TRUSTROOT_BUILTIN_DATE, 10);
	unsetenv("SIGNET_TRUSTED_ROOT");
	assert_int_equal(keys_trustroot_select(&t, which, sizeof(which),
					       NULL), 0);
	assert_string_equal(which, KEYS_TRUSTROOT_BUILTIN);
	assert_true(t->n_tlogs >= 1 && t->n_cas >= 1);
	keys_trustroot_free(t);
	/* a file that is no trusted root: an error naming it, never the
	 * built-in one in its place */
	setenv("SIGNET_TRUSTED_ROOT", DATA "rekor.pub", 1);
	assert_int_equal(keys_trustroot_select(&t, which, sizeof(which),
					       NULL), ERR_FORMAT);
	assert_null(t);
	assert_non_null(strstr(err_msg(), "($SIGNET_TRUSTED_ROOT)"));
	unsetenv("SIGNET_TRUSTED_ROOT");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_production_root),
		cmocka_unit_test(test_builtin_root),
		cmocka_unit_test(test_bad_roots),
		cmocka_unit_test(test_bad_root_keys),
		cmocka_unit_test(test_cosign_annotation),
		cmocka_unit_test(test_set),
		cmocka_unit_test(test_set_key_window),
		cmocka_unit_test(test_set_image_signature),
		cmocka_unit_test(test_bundle_entry),
		cmocka_unit_test(test_inclusion_forgeries),
		cmocka_unit_test(test_checkpoint_forgeries),
		cmocka_unit_test(test_scaffolding_bundle),
		cmocka_unit_test(test_rekor_v2),
		cmocka_unit_test(test_hashedrekord),
		cmocka_unit_test(test_hashedrekord_bad),
		cmocka_unit_test(test_merkle_rfc6962),
		cmocka_unit_test(test_checkpoint_parse),
		cmocka_unit_test(test_entry_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
