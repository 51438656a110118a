/* test_vectors_cosign.c - verify_simplesign() against real cosign and
 * containers/image signatures (tests/data/cosign/, see SOURCE there).
 *
 * Each dir-img-* folder is containers/image's "dir:" layout: the image
 * digest is the digest of manifest.json's bytes, and each signature-N is
 * "\0sigstore-json\n" + {mimeType, payload (base64), annotations}. The test
 * does what `signet verify` does per .sig layer: skip layers that are not
 * simple signing, check the others. The expected repository of each
 * fixture is written out here, not taken from the payload under test. */
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
#include "../../registry/registry.h"
#include "../../verify/verify.h"

#define DATA "tests/data/cosign/"
#define MT_SIMPLESIGN "application/vnd.dev.cosign.simplesigning.v1+json"
#define ANN_SIG "dev.cosignproject.cosign/signature"
#define SIG_MAGIC "\0sigstore-json\n"
#define SIG_MAGIC_LEN (sizeof(SIG_MAGIC) - 1)

/* What the fixtures were made for (their payloads' docker-reference,
 * normalised by hand: tag dropped). */
#define REPO_SINGLE "192.168.64.2:5000/cosign-signed-single-sample"
#define REPO_SKOPEO "192.168.64.2:5000/skopeo-signed"
#define REPO_KEY1 "192.168.64.2:5000/cosign-signed/key-1"

/* ---- helpers ------------------------------------------------------------ */

static EVP_PKEY *key_cosign, *key_cosign2;

static int group_setup(void **state)
{
	(void)state;
	if (keys_load_public(&key_cosign, DATA "cosign.pub") < 0 ||
	    keys_load_public(&key_cosign2, DATA "cosign2.pub") < 0) {
		fprintf(stderr, "cannot load %s{cosign,cosign2}.pub: %s "
			"(run from the top of the tree)\n", DATA, err_msg());
		return -1;
	}
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	EVP_PKEY_free(key_cosign);
	EVP_PKEY_free(key_cosign2);
	return 0;
}

static EVP_PKEY *key_named(const char *name)
{
	if (!name)
		return NULL;
	if (strcmp(name, "cosign.pub") == 0)
		return key_cosign;
	if (strcmp(name, "cosign2.pub") == 0)
		return key_cosign2;
	fail_msg("unknown key '%s'", name);
	return NULL;
}

/* Whole file into @b; false when it does not exist. */
static bool slurp(struct buf *b, const char *path)
{
	unsigned char chunk[4096];
	FILE *f = fopen(path, "rb");
	size_t n;

	buf_init(b, 0);
	if (!f)
		return false;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		assert_int_equal(buf_append(b, chunk, n), 0);
	assert_false(ferror(f));
	fclose(f);
	return true;
}

static void must_slurp(struct buf *b, const char *path)
{
	if (!slurp(b, path))
		fail_msg("cannot read %s", path);
}

/* The image digest a dir: folder stands for: sha256 of manifest.json. */
static void image_digest(struct digest *d, const char *dir)
{
	char path[512];
	struct buf m;

	snprintf(path, sizeof(path), DATA "%s/manifest.json", dir);
	must_slurp(&m, path);
	digest_of(d, m.data, m.len);
	buf_release(&m);
}

/* One containers/image signature file. */
struct sigfile {
	json_t *doc;		/* owns the strings below */
	const char *mime;
	const char *sig_b64;	/* NULL when the annotation is absent */
	struct buf payload;	/* decoded payload bytes */
};

static bool sigfile_load(struct sigfile *sf, const char *path)
{
	struct buf raw;
	const char *b64;

	memset(sf, 0, sizeof(*sf));
	buf_init(&sf->payload, 0);
	if (!slurp(&raw, path)) {
		buf_release(&raw);
		return false;
	}
	assert_true(raw.len > SIG_MAGIC_LEN);
	assert_memory_equal(raw.data, SIG_MAGIC, SIG_MAGIC_LEN);
	if (jx_parse(&sf->doc, raw.data + SIG_MAGIC_LEN,
		     raw.len - SIG_MAGIC_LEN, path) < 0)
		fail_msg("%s: %s", path, err_msg());
	buf_release(&raw);
	sf->mime = jx_str(sf->doc, "mimeType");
	assert_non_null(sf->mime);
	sf->sig_b64 = jx_str(json_object_get(sf->doc, "annotations"),
			     ANN_SIG);
	b64 = jx_str(sf->doc, "payload");
	assert_non_null(b64);
	assert_int_equal(b64_decode(&sf->payload, b64, strlen(b64)), 0);
	return true;
}

static void sigfile_release(struct sigfile *sf)
{
	json_decref(sf->doc);
	buf_release(&sf->payload);
}

static void report_release(struct sig_report *s)
{
	free(s->docker_ref);
	json_decref(s->annotations);
	memset(s, 0, sizeof(*s));
}

static void fingerprint(char out[80], EVP_PKEY *k)
{
	assert_int_equal(keys_fingerprint(out, k), 0);
}

/* What `signet verify` does with one image's .sig layers, on a dir:
 * folder: every signature-N whose mimeType is simple signing is checked;
 * others are skipped. Counts checked and valid signatures. */
static void verify_dir(const char *dir, const char *repo, EVP_PKEY *key,
		       size_t *checked, size_t *valid)
{
	EVP_PKEY *keys[1] = { key };
	struct verify_opts o = { .formats = FORMAT_BIT(FORMAT_COSIGN),
				 .keys = keys, .n_keys = 1 };
	struct digest image;
	char path[512];
	int n;

	*checked = *valid = 0;
	image_digest(&image, dir);
	for (n = 1;; n++) {
		struct sigfile sf;
		struct sig_report s = { 0 };

		snprintf(path, sizeof(path), DATA "%s/signature-%d", dir, n);
		if (!sigfile_load(&sf, path))
			break;
		if (strcmp(sf.mime, MT_SIMPLESIGN) == 0) {
			(*checked)++;
			if (verify_simplesign(sf.payload.data, sf.payload.len,
					      sf.sig_b64, &image, repo, &o,
					      &s) == 0)
				(*valid)++;
			report_release(&s);
		}
		sigfile_release(&sf);
	}
	assert_true(n > 1);	/* the folder had at least signature-1 */
}

/* ---- the table ----------------------------------------------------------- */

struct vec_case {
	const char *name;
	const char *image;	/* dir-img-* whose manifest.json is the image */
	const char *sig;	/* signature file, relative to DATA */
	const char *key1, *key2;	/* trusted keys (key2 may be NULL) */
	const char *repo;	/* the repository being verified */
	const char *ann;	/* required "KEY=VALUE", or NULL */
	int rc;
	const char *signer;	/* rc 0: the key whose fingerprint is reported */
	const char *why;	/* rc != 0: in the reason */
};

#define VALID "dir-img-cosign-valid"
#define VALID_SIG VALID "/signature-1"
#define TAGGED "dir-img-cosign-valid-with-tag"
#define REKOR "dir-img-cosign-key-rekor-valid"

static const struct vec_case cases[] = {
	/* positives, per SOURCE */
	{ "valid", VALID, VALID_SIG, "cosign.pub", NULL, REPO_SINGLE, NULL,
	  0, "cosign.pub", NULL },
	{ "valid-2, signature 1", "dir-img-cosign-valid-2",
	  "dir-img-cosign-valid-2/signature-1", "cosign.pub", NULL,
	  REPO_SINGLE, NULL, 0, "cosign.pub", NULL },
	{ "valid-2, signature 2", "dir-img-cosign-valid-2",
	  "dir-img-cosign-valid-2/signature-2", "cosign.pub", NULL,
	  REPO_SINGLE, NULL, 0, "cosign.pub", NULL },
	{ "valid-with-tag (tag in the claim is ignored)", TAGGED,
	  TAGGED "/signature-1", "cosign.pub", NULL, REPO_SKOPEO, NULL, 0,
	  "cosign.pub", NULL },
	{ "valid-with-tag, required creator present", TAGGED,
	  TAGGED "/signature-1", "cosign.pub", NULL, REPO_SKOPEO,
	  "creator=containers/image 5.21.2-dev", 0, "cosign.pub", NULL },
	{ "key-rekor-valid with cosign2.pub", REKOR, REKOR "/signature-1",
	  "cosign2.pub", NULL, REPO_KEY1, NULL, 0, "cosign2.pub", NULL },
	{ "valid with both keys trusted", VALID, VALID_SIG, "cosign2.pub",
	  "cosign.pub", REPO_SINGLE, NULL, 0, "cosign.pub", NULL },
	{ "key-rekor-valid with both keys trusted", REKOR,
	  REKOR "/signature-1", "cosign.pub", "cosign2.pub", REPO_KEY1, NULL,
	  0, "cosign2.pub", NULL },

	/* the signature is good, the claims are not */
	{ "modified-manifest", "dir-img-cosign-modified-manifest",
	  "dir-img-cosign-modified-manifest/signature-1", "cosign.pub", NULL,
	  REPO_SINGLE, NULL, ERR_VERIFY, NULL, "not this image" },
	{ "manifest-digest-error", "dir-img-cosign-manifest-digest-error",
	  "dir-img-cosign-manifest-digest-error/signature-1", "cosign.pub",
	  NULL, REPO_SINGLE, NULL, ERR_VERIFY, NULL, "not this image" },
	{ "valid, verified for another repository", VALID, VALID_SIG,
	  "cosign.pub", NULL, "192.168.64.2:5000/other", NULL, ERR_VERIFY,
	  NULL, "repository" },
	{ "valid, same repository on another registry", VALID, VALID_SIG,
	  "cosign.pub", NULL, "192.168.64.3:5000/cosign-signed-single-sample",
	  NULL, ERR_VERIFY, NULL, "repository" },
	{ "valid-with-tag, verified for the tag-less repo of another", TAGGED,
	  TAGGED "/signature-1", "cosign.pub", NULL, REPO_SINGLE, NULL,
	  ERR_VERIFY, NULL, "repository" },
	{ "valid, required annotation absent (optional null)", VALID,
	  VALID_SIG, "cosign.pub", NULL, REPO_SINGLE, "env=prod", ERR_VERIFY,
	  NULL, "annotation 'env'" },
	{ "valid-with-tag, required annotation absent", TAGGED,
	  TAGGED "/signature-1", "cosign.pub", NULL, REPO_SKOPEO, "env=prod",
	  ERR_VERIFY, NULL, "annotation 'env'" },
	{ "valid-with-tag, required annotation differs", TAGGED,
	  TAGGED "/signature-1", "cosign.pub", NULL, REPO_SKOPEO,
	  "creator=someone else", ERR_VERIFY, NULL, "annotation 'creator'" },

	/* the wrong key */
	{ "valid with cosign2.pub", VALID, VALID_SIG, "cosign2.pub", NULL,
	  REPO_SINGLE, NULL, ERR_VERIFY, NULL, "does not verify" },
	{ "key-rekor-valid with cosign.pub", REKOR, REKOR "/signature-1",
	  "cosign.pub", NULL, REPO_KEY1, NULL, ERR_VERIFY, NULL,
	  "does not verify" },
	{ "unknown-cosign-key with cosign.pub", VALID,
	  "unknown-cosign-key.signature", "cosign.pub", NULL, REPO_SINGLE,
	  NULL, ERR_VERIFY, NULL, "does not verify" },
	{ "unknown-cosign-key with cosign2.pub", VALID,
	  "unknown-cosign-key.signature", "cosign2.pub", NULL, REPO_SINGLE,
	  NULL, ERR_VERIFY, NULL, "does not verify" },
	{ "unknown-cosign-key with both keys", VALID,
	  "unknown-cosign-key.signature", "cosign.pub", "cosign2.pub",
	  REPO_SINGLE, NULL, ERR_VERIFY, NULL, "does not verify" },
	/* a non-signature attachment, checked anyway: still nothing */
	{ "other-attachment, if it were checked", "dir-img-cosign-other-attachment",
	  "dir-img-cosign-other-attachment/signature-1", "cosign.pub",
	  "cosign2.pub", REPO_SINGLE, NULL, ERR_VERIFY, NULL, NULL },
};

static void run_case(const struct vec_case *c)
{
	EVP_PKEY *keys[2];
	struct kvlist ann = { 0 };
	struct verify_opts o = { .formats = FORMAT_BIT(FORMAT_COSIGN),
				 .keys = keys };
	struct sig_report s = { 0 };
	struct sigfile sf;
	struct digest image, pd;
	char path[512], want_fpr[80];
	int rc;

	keys[o.n_keys++] = key_named(c->key1);
	if (c->key2)
		keys[o.n_keys++] = key_named(c->key2);
	if (c->ann) {
		assert_int_equal(kvlist_add_arg(&ann, c->ann), 0);
		o.annotations = &ann;
	}
	image_digest(&image, c->image);
	snprintf(path, sizeof(path), DATA "%s", c->sig);
	if (!sigfile_load(&sf, path))
		fail_msg("%s: cannot read %s", c->name, path);

	rc = verify_simplesign(sf.payload.data, sf.payload.len, sf.sig_b64,
			       &image, c->repo, &o, &s);
	if (rc != c->rc)
		fail_msg("%s: rc %d, expected %d (reason: '%s')", c->name, rc,
			 c->rc, s.reason);
	assert_int_equal(s.valid, c->rc == 0);
	assert_string_equal(s.format, "cosign");
	digest_of(&pd, sf.payload.data, sf.payload.len);
	assert_string_equal(s.payload.str, pd.str);
	if (c->rc == 0) {
		fingerprint(want_fpr, key_named(c->signer));
		if (strcmp(s.key, want_fpr) != 0)
			fail_msg("%s: key '%s', expected %s's '%s'", c->name,
				 s.key, c->signer, want_fpr);
		assert_non_null(s.docker_ref);
	} else {
		if (s.reason[0] == '\0')
			fail_msg("%s: refused without a reason", c->name);
		if (c->why && !strstr(s.reason, c->why))
			fail_msg("%s: reason '%s' lacks '%s'", c->name,
				 s.reason, c->why);
	}
	report_release(&s);
	sigfile_release(&sf);
	kvlist_release(&ann);
}

static void test_vector_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i]);
}

/* ---- whole folders, as verify counts them ------------------------------- */

static void test_dirs_count(void **state)
{
	static const struct {
		const char *dir, *repo, *key;
		size_t checked, valid;
	} dirs[] = {
		{ VALID, REPO_SINGLE, "cosign.pub", 1, 1 },
		{ "dir-img-cosign-valid-2", REPO_SINGLE, "cosign.pub", 2, 2 },
		{ TAGGED, REPO_SKOPEO, "cosign.pub", 1, 1 },
		{ REKOR, REPO_KEY1, "cosign2.pub", 1, 1 },
		{ "dir-img-cosign-modified-manifest", REPO_SINGLE, "cosign.pub",
		  1, 0 },
		{ "dir-img-cosign-manifest-digest-error", REPO_SINGLE,
		  "cosign.pub", 1, 0 },
		/* not simple signing: skipped, so nothing counts */
		{ "dir-img-cosign-other-attachment", REPO_SINGLE, "cosign.pub",
		  0, 0 },
		{ "dir-img-cosign-other-attachment", REPO_SINGLE,
		  "cosign2.pub", 0, 0 },
	};
	size_t i, checked, valid;

	(void)state;
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		verify_dir(dirs[i].dir, dirs[i].repo, key_named(dirs[i].key),
			   &checked, &valid);
		if (checked != dirs[i].checked || valid != dirs[i].valid)
			fail_msg("%s with %s: %zu checked, %zu valid; expected "
				 "%zu, %zu", dirs[i].dir, dirs[i].key, checked,
				 valid, dirs[i].checked, dirs[i].valid);
	}
}

/* The hard-coded repositories are what the payloads claim, once
 * normalised (a tag dropped): the table above tests the fixtures as made. */
static void test_fixture_claims(void **state)
{
	static const struct {
		const char *sig, *repo;
	} claims[] = {
		{ VALID_SIG, REPO_SINGLE },
		{ "dir-img-cosign-valid-2/signature-2", REPO_SINGLE },
		{ TAGGED "/signature-1", REPO_SKOPEO },
		{ REKOR "/signature-1", REPO_KEY1 },
		{ "unknown-cosign-key.signature", REPO_SINGLE },
	};
	char path[512], norm[REF_HOST_MAX + REF_REPO_MAX + 2];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(claims) / sizeof(claims[0]); i++) {
		struct sigfile sf;
		struct simplesign p;

		snprintf(path, sizeof(path), DATA "%s", claims[i].sig);
		assert_true(sigfile_load(&sf, path));
		assert_string_equal(sf.mime, MT_SIMPLESIGN);
		assert_int_equal(simplesign_parse(&p, sf.payload.data,
						  sf.payload.len), 0);
		assert_int_equal(ref_normalize_repo(norm, sizeof(norm),
						    p.docker_ref), 0);
		assert_string_equal(norm, claims[i].repo);
		simplesign_release(&p);
		sigfile_release(&sf);
	}
}

/* ---- forgeries built from the valid vector ------------------------------ */

/* Run verify_simplesign on the valid vector's image with cosign.pub. */
static int check_valid_with(const void *payload, size_t len,
			    const char *sig_b64, size_t n_keys,
			    struct sig_report *s)
{
	EVP_PKEY *keys[1] = { key_cosign };
	struct verify_opts o = { .formats = FORMAT_BIT(FORMAT_COSIGN),
				 .keys = keys, .n_keys = n_keys };
	struct digest image;

	image_digest(&image, VALID);
	memset(s, 0, sizeof(*s));
	return verify_simplesign(payload, len, sig_b64, &image, REPO_SINGLE,
				 &o, s);
}

static void test_forgeries(void **state)
{
	struct sigfile sf;
	struct sig_report s;
	struct buf p;
	json_t *doc;
	char *re, *sig, *nl;
	size_t n;

	(void)state;
	assert_true(sigfile_load(&sf, DATA VALID_SIG));
	/* baseline */
	assert_int_equal(check_valid_with(sf.payload.data, sf.payload.len,
					  sf.sig_b64, 1, &s), 0);
	report_release(&s);

	/* no keys given: reported, never valid */
	assert_int_equal(check_valid_with(sf.payload.data, sf.payload.len,
					  sf.sig_b64, 0, &s), ERR_VERIFY);
	assert_false(s.valid);
	report_release(&s);

	/* no signature annotation */
	assert_int_equal(check_valid_with(sf.payload.data, sf.payload.len,
					  NULL, 1, &s), ERR_VERIFY);
	assert_true(s.reason[0] != '\0');
	report_release(&s);

	/* signature is not base64 */
	assert_int_equal(check_valid_with(sf.payload.data, sf.payload.len,
					  "not base64!", 1, &s), ERR_VERIFY);
	report_release(&s);

	/* one payload byte changed (the repository claim) */
	buf_init(&p, 0);
	assert_int_equal(buf_append(&p, sf.payload.data, sf.payload.len), 0);
	re = strstr((char *)p.data, "single-sample");
	assert_non_null(re);
	re[0] = 'S';
	assert_int_equal(check_valid_with(p.data, p.len, sf.sig_b64, 1, &s),
			 ERR_VERIFY);
	assert_non_null(strstr(s.reason, "does not verify"));
	report_release(&s);
	buf_release(&p);

	/* the same document re-serialised (whitespace and key order): the
	 * signature is over the exact bytes */
	assert_int_equal(jx_parse(&doc, sf.payload.data, sf.payload.len,
				  "payload"), 0);
	re = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS);
	assert_non_null(re);
	assert_int_equal(check_valid_with(re, strlen(re), sf.sig_b64, 1, &s),
			 ERR_VERIFY);
	report_release(&s);
	free(re);
	json_decref(doc);

	/* a trailing newline added to the payload */
	buf_init(&p, 0);
	assert_int_equal(buf_append(&p, sf.payload.data, sf.payload.len), 0);
	assert_int_equal(buf_append(&p, "\n", 1), 0);
	assert_int_equal(check_valid_with(p.data, p.len, sf.sig_b64, 1, &s),
			 ERR_VERIFY);
	report_release(&s);
	buf_release(&p);

	/* one signature byte changed (kept valid base64) */
	sig = strdup(sf.sig_b64);
	assert_non_null(sig);
	n = strlen(sig);
	assert_true(n > 40);
	sig[30] = sig[30] == 'A' ? 'B' : 'A';
	assert_int_equal(check_valid_with(sf.payload.data, sf.payload.len,
					  sig, 1, &s), ERR_VERIFY);
	report_release(&s);
	free(sig);
	sigfile_release(&sf);

	/* valid-2: two signatures (ECDSA, so different) over the same
	 * payload bytes; each verifies them, and nothing but them */
	{
		struct sigfile a, b;

		assert_true(sigfile_load(&a, DATA
				"dir-img-cosign-valid-2/signature-1"));
		assert_true(sigfile_load(&b, DATA
				"dir-img-cosign-valid-2/signature-2"));
		assert_int_equal(a.payload.len, b.payload.len);
		assert_memory_equal(a.payload.data, b.payload.data,
				    a.payload.len);
		assert_string_not_equal(a.sig_b64, b.sig_b64);
		assert_int_equal(check_valid_with(a.payload.data,
			a.payload.len, b.sig_b64, 1, &s), 0);
		report_release(&s);
		/* a space after the JSON: not the signed bytes */
		buf_init(&p, 0);
		assert_int_equal(buf_append(&p, a.payload.data,
					    a.payload.len), 0);
		nl = (char *)p.data + p.len - 1;
		assert_int_equal(*nl, '}');
		assert_int_equal(buf_append(&p, " ", 1), 0);
		assert_int_equal(check_valid_with(p.data, p.len, a.sig_b64, 1,
						  &s), ERR_VERIFY);
		report_release(&s);
		buf_release(&p);
		sigfile_release(&a);
		sigfile_release(&b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture_claims),
		cmocka_unit_test(test_vector_table),
		cmocka_unit_test(test_dirs_count),
		cmocka_unit_test(test_forgeries),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
