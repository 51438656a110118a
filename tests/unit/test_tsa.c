/* test_tsa.c - RFC 3161 timestamps (verify/tsa.c): the real token of
 * Sigstore's staging instance in tests/data/keyless/ (see SOURCE there)
 * against its trusted root, and forgeries that must fail naming the
 * check; the forgeries that need a timestamp authority of their own get
 * one made here with OpenSSL (TS_RESP_CTX, the time set by a callback). */
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
#include <openssl/ts.h>
#include <openssl/x509v3.h>

#include "../../core/core.h"
#include "../../formats/formats.h"
#include "../../keys/keys.h"
#include "../../verify/verify.h"

#define DATA "tests/data/keyless/"
#define STAGING_ROOT DATA "staging_trusted_root.json"
#define STAGING_BUNDLE DATA "staging-rekor-v2.txt.sigstore.json"
#define T_STAGING 1749470258	/* 2025-06-09T11:57:38Z, its genTime */
#define T2020 1577836800
#define T2021 1609459200
#define T2022 1640995200
#define T2030 1893456000

static struct keys_trustroot *load_root(const char *path)
{
	struct trustedroot tr;
	struct keys_trustroot *t = NULL;
	struct buf b;

	buf_init(&b, 0);
	assert_int_equal(file_read(&b, path, 8 << 20, 0, NULL), 0);
	assert_int_equal(trustedroot_parse(&tr, NULL, b.data, b.len), 0);
	assert_int_equal(keys_trustroot_new(&t, &tr), 0);
	trustedroot_release(&tr);
	buf_release(&b);
	return t;
}

/* The staging bundle's token and the signature bytes it covers. */
static void staging(struct buf *tok, struct buf *sig)
{
	json_error_t e;
	json_t *doc = json_load_file(STAGING_BUNDLE, 0, &e);
	const char *t, *s;

	assert_non_null(doc);
	assert_int_equal(json_unpack(doc, "{s:{s:{s:[{s:s}]}}, s:{s:s}}",
				     "verificationMaterial",
				     "timestampVerificationData",
				     "rfc3161Timestamps", "signedTimestamp",
				     &t, "messageSignature", "signature",
				     &s), 0);
	buf_init(tok, 0);
	buf_init(sig, 0);
	assert_int_equal(b64_decode(tok, t, strlen(t)), 0);
	assert_int_equal(b64_decode(sig, s, strlen(s)), 0);
	json_decref(doc);
}

static void expect_fail(const char *what, int rc, const time_t *at)
{
	assert_int_equal(rc, ERR_VERIFY);
	assert_int_equal(*at, 0);
	if (!strstr(err_msg(), what))
		fail_msg("expected '%s' in: %s", what, err_msg());
	assert_int_equal(strncmp(err_msg(), "timestamp: ", 11), 0);
	err_clear();
}

/* ---- the real token ---------------------------------------------------- */

static void test_staging(void **state)
{
	struct keys_trustroot *t = load_root(STAGING_ROOT);
	const struct keys_ca *tsa = &t->tsas[0];
	struct buf tok, sig;
	time_t at = 1;

	(void)state;
	staging(&tok, &sig);
	assert_int_equal(tsa_verify(&at, t, NULL, 0, tok.data, tok.len,
				    sig.data, sig.len), 0);
	assert_int_equal(at, T_STAGING);
	/* The same, its authority's root given as the anchor. */
	at = 0;
	assert_int_equal(tsa_verify(&at, NULL, &tsa->certs[tsa->n_certs - 1],
				    1, tok.data, tok.len, sig.data, sig.len),
			 0);
	assert_int_equal(at, T_STAGING);
	buf_release(&tok);
	buf_release(&sig);
	keys_trustroot_free(t);
}

static void test_staging_forged(void **state)
{
	struct keys_trustroot *t = load_root(STAGING_ROOT);
	struct tr_window *w = &t->tsas[0].valid;
	struct buf tok, sig;
	unsigned char *junk;
	time_t at = 1;

	(void)state;
	staging(&tok, &sig);
	/* Other data. */
	expect_fail("imprint does not match", tsa_verify(&at, t, NULL, 0,
		    tok.data, tok.len, sig.data, sig.len - 1), &at);
	/* The authority's validFor not holding the time. */
	w->start = T_STAGING + 1;
	expect_fail("not valid at that time", tsa_verify(&at, t, NULL, 0,
		    tok.data, tok.len, sig.data, sig.len), &at);
	w->start = 0, w->has_end = true, w->end = T_STAGING - 1;
	expect_fail("not valid at that time", tsa_verify(&at, t, NULL, 0,
		    tok.data, tok.len, sig.data, sig.len), &at);
	w->has_end = false;
	/* Truncated, with junk after it, garbage, too big. */
	expect_fail("not a timestamp token", tsa_verify(&at, t, NULL, 0,
		    tok.data, tok.len - 1, sig.data, sig.len), &at);
	expect_fail("not a timestamp token", tsa_verify(&at, t, NULL, 0,
		    tok.data, tok.len / 2, sig.data, sig.len), &at);
	expect_fail("not a timestamp token", tsa_verify(&at, t, NULL, 0,
		    tok.data, 0, sig.data, sig.len), &at);
	junk = calloc(1, TSA_TOKEN_MAX + 1);
	assert_non_null(junk);
	memcpy(junk, tok.data, tok.len);
	expect_fail("not a timestamp token", tsa_verify(&at, t, NULL, 0,
		    junk, tok.len + 1, sig.data, sig.len), &at);
	expect_fail("more than", tsa_verify(&at, t, NULL, 0, junk,
		    TSA_TOKEN_MAX + 1, sig.data, sig.len), &at);
	memset(junk, 0x30, 64);
	expect_fail("not a timestamp token", tsa_verify(&at, t, NULL, 0,
		    junk, 64, sig.data, sig.len), &at);
	/* The signature's bytes flipped inside the token (its last byte). */
	memcpy(junk, tok.data, tok.len);
	junk[tok.len - 2] ^= 1;
	assert_int_equal(tsa_verify(&at, t, NULL, 0, junk, tok.len,
				    sig.data, sig.len), ERR_VERIFY);
	assert_int_equal(at, 0);
	err_clear();
	/* No authority trusted at all. */
	expect_fail("no timestamp authority", tsa_verify(&at, NULL, NULL, 0,
		    tok.data, tok.len, sig.data, sig.len), &at);
	free(junk);
	buf_release(&tok);
	buf_release(&sig);
	keys_trustroot_free(t);
}

/* ---- an authority of our own -------------------------------------------- */

struct tsa {
	EVP_PKEY *ca_key, *key;
	X509 *ca, *leaf;
};

static X509 *make_cert(EVP_PKEY *key, X509 *ca, EVP_PKEY *ca_key,
		       const char *cn, time_t from, time_t to,
		       const char *const *exts)
{
	X509 *x = X509_new();
	X509V3_CTX ctx;
	char name[64], value[256];
	size_t i;

	assert_non_null(x);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), (long)(from & 0xffff) + 1);
	X509_time_adj_ex(X509_getm_notBefore(x), 0, 0, &from);
	X509_time_adj_ex(X509_getm_notAfter(x), 0, 0, &to);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN",
				   MBSTRING_ASC, (const unsigned char *)cn,
				   -1, -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(ca ? ca : x));
	X509_set_pubkey(x, key);
	X509V3_set_ctx(&ctx, ca ? ca : x, x, NULL, NULL, 0);
	for (i = 0; exts[i]; i++) {
		const char *eq = strchr(exts[i], '=');
		X509_EXTENSION *e;

		snprintf(name, sizeof(name), "%.*s", (int)(eq - exts[i]),
			 exts[i]);
		snprintf(value, sizeof(value), "%s", eq + 1);
		e = X509V3_EXT_nconf(NULL, &ctx, name, value);
		if (!e)
			fail_msg("extension '%s'", exts[i]);
		assert_int_equal(X509_add_ext(x, e, -1), 1);
		X509_EXTENSION_free(e);
	}
	assert_true(X509_sign(x, ca_key ? ca_key : key, EVP_sha256()) > 0);
	return x;
}

static const char *const ca_exts[] = {
	"basicConstraints=critical,CA:TRUE",
	"keyUsage=critical,keyCertSign,cRLSign",
	"subjectKeyIdentifier=hash", NULL
};
static const char *const tsa_exts[] = {
	"keyUsage=critical,digitalSignature",
	"extendedKeyUsage=critical,timeStamping",
	"subjectKeyIdentifier=hash", "authorityKeyIdentifier=keyid", NULL
};

/* A CA valid 2020 to 2030 and a timestamping leaf valid @from to @to. */
static void tsa_new(struct tsa *a, time_t from, time_t to)
{
	a->ca_key = EVP_EC_gen("P-256");
	a->key = EVP_EC_gen("P-256");
	assert_true(a->ca_key && a->key);
	a->ca = make_cert(a->ca_key, NULL, NULL, "test tsa root", T2020,
			  T2030, ca_exts);
	a->leaf = make_cert(a->key, a->ca, a->ca_key, "test tsa", from, to,
			    tsa_exts);
}

static void tsa_free(struct tsa *a)
{
	X509_free(a->ca);
	X509_free(a->leaf);
	EVP_PKEY_free(a->ca_key);
	EVP_PKEY_free(a->key);
}

/* A trusted root holding @a as its one timestamp authority (chain: the
 * leaf, then the CA), valid from @from on. */
static struct keys_trustroot *root_of(const struct tsa *a, time_t from)
{
	struct keys_trustroot *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	t->tsas = calloc(1, sizeof(*t->tsas));
	assert_non_null(t->tsas);
	t->tsas[0].certs = calloc(2, sizeof(X509 *));
	assert_non_null(t->tsas[0].certs);
	/* Fresh copies: a forgery below edits a->leaf in place. */
	t->tsas[0].certs[0] = X509_dup(a->leaf);
	t->tsas[0].certs[1] = X509_dup(a->ca);
	t->tsas[0].n_certs = 2;
	t->tsas[0].valid.start = from;
	t->n_tsas = 1;
	return t;
}

static time_t gen_time;
static long gen_usec;		/* stated with millisecond precision */

static int time_cb(TS_RESP_CTX *ctx, void *data, long *sec, long *usec)
{
	(void)ctx, (void)data;
	*sec = (long)gen_time;
	*usec = gen_usec;
	return 1;
}

/* A TimeStampResp by @a over @data at @at, its imprint hashed with @md;
 * @edit (or NULL) changes the signer's certificate after TS_RESP_CTX
 * accepted it, before the response is made. */
static TS_RESP *stamp_edit(struct tsa *a, const EVP_MD *md, const char *data,
			   time_t at, void (*edit)(struct tsa *))
{
	TS_RESP_CTX *ctx = TS_RESP_CTX_new();
	TS_REQ *req = TS_REQ_new();
	TS_MSG_IMPRINT *mi = TS_MSG_IMPRINT_new();
	X509_ALGOR *alg = X509_ALGOR_new();
	ASN1_OBJECT *policy = OBJ_txt2obj("1.2.3.4", 1);
	unsigned char h[EVP_MAX_MD_SIZE];
	unsigned int hlen;
	BIO *bio = BIO_new(BIO_s_mem());
	TS_RESP *resp;

	assert_true(ctx && req && mi && alg && policy && bio);
	assert_int_equal(EVP_Digest(data, strlen(data), h, &hlen, md, NULL),
			 1);
	X509_ALGOR_set0(alg, OBJ_nid2obj(EVP_MD_get_type(md)), V_ASN1_NULL,
			NULL);
	assert_int_equal(TS_MSG_IMPRINT_set_algo(mi, alg), 1);
	assert_int_equal(TS_MSG_IMPRINT_set_msg(mi, h, (int)hlen), 1);
	TS_REQ_set_version(req, 1);
	assert_int_equal(TS_REQ_set_msg_imprint(req, mi), 1);
	TS_REQ_set_cert_req(req, 1);
	assert_int_equal(i2d_TS_REQ_bio(bio, req), 1);
	assert_int_equal(TS_RESP_CTX_set_signer_cert(ctx, a->leaf), 1);
	assert_int_equal(TS_RESP_CTX_set_signer_key(ctx, a->key), 1);
	if (edit)
		edit(a);
	assert_int_equal(TS_RESP_CTX_set_def_policy(ctx, policy), 1);
	TS_RESP_CTX_add_md(ctx, md);
	TS_RESP_CTX_set_signer_digest(ctx, EVP_sha256());
	TS_RESP_CTX_set_ess_cert_id_digest(ctx, EVP_sha256());
	gen_time = at;
	TS_RESP_CTX_set_time_cb(ctx, time_cb, NULL);
	assert_int_equal(TS_RESP_CTX_set_clock_precision_digits(ctx, 3), 1);
	resp = TS_RESP_create_response(ctx, bio);
	assert_non_null(resp);
	assert_int_equal(ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(
			 TS_RESP_get_status_info(resp))), TS_STATUS_GRANTED);
	BIO_free(bio);
	ASN1_OBJECT_free(policy);
	X509_ALGOR_free(alg);
	TS_MSG_IMPRINT_free(mi);
	TS_REQ_free(req);
	TS_RESP_CTX_free(ctx);
	return resp;
}

static TS_RESP *stamp(struct tsa *a, const EVP_MD *md, const char *data,
		      time_t at)
{
	return stamp_edit(a, md, data, at, NULL);
}

static int check(time_t *at, const struct keys_trustroot *t, X509 *anchor,
		 TS_RESP *resp, bool bare, const char *data)
{
	unsigned char *der = NULL;
	int len = bare ? i2d_PKCS7(TS_RESP_get_token(resp), &der) :
			 i2d_TS_RESP(resp, &der);
	int rc;

	assert_true(len > 0);
	rc = tsa_verify(at, t, anchor ? &anchor : NULL, anchor ? 1 : 0, der,
			(size_t)len, data, strlen(data));
	OPENSSL_free(der);
	return rc;
}

static void test_own(void **state)
{
	struct tsa a;
	struct keys_trustroot *t;
	TS_RESP *resp;
	time_t at = 0;

	(void)state;
	tsa_new(&a, T2021, T2022);
	t = root_of(&a, T2020);
	resp = stamp(&a, EVP_sha256(), "signature", T2021 + 60);
	assert_int_equal(check(&at, t, NULL, resp, false, "signature"), 0);
	assert_int_equal(at, T2021 + 60);
	/* The bare token; and against the CA as --tsa-cert anchor. */
	assert_int_equal(check(&at, t, NULL, resp, true, "signature"), 0);
	assert_int_equal(check(&at, NULL, a.ca, resp, false, "signature"), 0);
	assert_int_equal(check(&at, NULL, a.ca, resp, true, "signature"), 0);
	assert_int_equal(at, T2021 + 60);
	/* A root whose authority lists only its CA: the signer the token
	 * embeds chains to it. Only a leaf: no root, refused. */
	X509_free(t->tsas[0].certs[0]);
	t->tsas[0].certs[0] = t->tsas[0].certs[1];
	t->tsas[0].n_certs = 1;
	assert_int_equal(check(&at, t, NULL, resp, false, "signature"), 0);
	t->tsas[0].certs[1] = t->tsas[0].certs[0];
	t->tsas[0].certs[0] = X509_dup(a.leaf);
	expect_fail("not signed by a trusted timestamp authority",
		    check(&at, t, NULL, resp, false, "signature"), &at);
	t->tsas[0].n_certs = 2;
	TS_RESP_free(resp);
	/* A time with a fraction of a second ("...00.5Z"). */
	gen_usec = 500000;
	resp = stamp(&a, EVP_sha256(), "x", T2021 + 3);
	gen_usec = 0;
	assert_int_equal(check(&at, t, NULL, resp, false, "x"), 0);
	assert_int_equal(at, T2021 + 3);
	TS_RESP_free(resp);
	/* SHA-384 and SHA-512 imprints. */
	resp = stamp(&a, EVP_sha384(), "x", T2021 + 1);
	assert_int_equal(check(&at, t, NULL, resp, false, "x"), 0);
	TS_RESP_free(resp);
	resp = stamp(&a, EVP_sha512(), "x", T2021 + 2);
	assert_int_equal(check(&at, NULL, a.ca, resp, false, "x"), 0);
	assert_int_equal(at, T2021 + 2);
	TS_RESP_free(resp);
	keys_trustroot_free(t);
	tsa_free(&a);
}

static void test_own_forged(void **state)
{
	struct keys_trustroot *staging_root = load_root(STAGING_ROOT), *t;
	struct tsa a, b;
	TS_RESP *resp;
	time_t at = 0;

	(void)state;
	tsa_new(&a, T2021, T2022);
	tsa_new(&b, T2021, T2022);
	t = root_of(&a, T2020);
	resp = stamp(&a, EVP_sha256(), "signature", T2021 + 60);
	/* An authority not in the root; a CA not given as --tsa-cert. */
	expect_fail("not signed by a trusted timestamp authority",
		    check(&at, staging_root, NULL, resp, false, "signature"),
		    &at);
	expect_fail("not signed by a trusted timestamp authority",
		    check(&at, NULL, b.ca, resp, false, "signature"), &at);
	expect_fail("imprint does not match",
		    check(&at, NULL, a.ca, resp, false, "signaturE"), &at);
	TS_RESP_free(resp);
	/* The authority's certificate not valid at the stated time. */
	resp = stamp(&a, EVP_sha256(), "signature", T2022 + 60);
	expect_fail("not valid at", check(&at, t, NULL, resp, false,
		    "signature"), &at);
	expect_fail("not valid at", check(&at, NULL, a.ca, resp, false,
		    "signature"), &at);
	TS_RESP_free(resp);
	/* The authority's validFor starting after the stated time. */
	t->tsas[0].valid.start = T2021 + 61;
	resp = stamp(&a, EVP_sha256(), "signature", T2021 + 60);
	expect_fail("not valid at that time", check(&at, t, NULL, resp, false,
		    "signature"), &at);
	TS_RESP_free(resp);
	/* A SHA-1 imprint. */
	resp = stamp(&a, EVP_sha1(), "signature", T2021 + 60);
	expect_fail("not SHA-256", check(&at, NULL, a.ca, resp, false,
		    "signature"), &at);
	TS_RESP_free(resp);
	keys_trustroot_free(t);
	keys_trustroot_free(staging_root);
	tsa_free(&a);
	tsa_free(&b);
}

/* The signer's certificate without the timeStamping extended key usage,
 * or with it not critical: TS_RESP_CTX refuses such a signer, so the
 * certificate is edited (and signed again by the CA) after it accepted
 * it, before the response is made. */
static void drop_eku(struct tsa *a)
{
	int i = X509_get_ext_by_NID(a->leaf, NID_ext_key_usage, -1);

	assert_true(i >= 0);
	X509_EXTENSION_free(X509_delete_ext(a->leaf, i));
	assert_true(X509_sign(a->leaf, a->ca_key, EVP_sha256()) > 0);
}

static void soft_eku(struct tsa *a)
{
	X509_EXTENSION *e;
	X509V3_CTX v3;

	drop_eku(a);
	X509V3_set_ctx(&v3, a->ca, a->leaf, NULL, NULL, 0);
	e = X509V3_EXT_nconf(NULL, &v3, "extendedKeyUsage", "timeStamping");
	assert_non_null(e);
	assert_int_equal(X509_add_ext(a->leaf, e, -1), 1);
	X509_EXTENSION_free(e);
	assert_true(X509_sign(a->leaf, a->ca_key, EVP_sha256()) > 0);
}

/* The control: signed again, unchanged. */
static void resign(struct tsa *a)
{
	assert_true(X509_sign(a->leaf, a->ca_key, EVP_sha256()) > 0);
}

/* timeStamping and another (unknown) extended key usage. */
static void extra_eku(struct tsa *a)
{
	X509_EXTENSION *e;
	X509V3_CTX v3;

	drop_eku(a);
	X509V3_set_ctx(&v3, a->ca, a->leaf, NULL, NULL, 0);
	e = X509V3_EXT_nconf(NULL, &v3, "extendedKeyUsage",
			     "critical,timeStamping,1.2.3.4");
	assert_non_null(e);
	assert_int_equal(X509_add_ext(a->leaf, e, -1), 1);
	X509_EXTENSION_free(e);
	assert_true(X509_sign(a->leaf, a->ca_key, EVP_sha256()) > 0);
}

/* A signer that is a CA certificate. */
static void ca_signer(struct tsa *a)
{
	X509_EXTENSION *e;
	X509V3_CTX v3;

	X509V3_set_ctx(&v3, a->ca, a->leaf, NULL, NULL, 0);
	e = X509V3_EXT_nconf(NULL, &v3, "basicConstraints", "critical,CA:TRUE");
	assert_non_null(e);
	assert_int_equal(X509_add_ext(a->leaf, e, -1), 1);
	X509_EXTENSION_free(e);
	assert_true(X509_sign(a->leaf, a->ca_key, EVP_sha256()) > 0);
}

static void test_own_signer_refused(void **state)
{
	void (*const edits[])(struct tsa *) = { extra_eku, ca_signer };
	struct tsa a;
	struct keys_trustroot *t;
	TS_RESP *resp;
	time_t at = 0;
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		tsa_new(&a, T2021, T2022);
		resp = stamp_edit(&a, EVP_sha256(), "signature", T2021 + 60,
				  edits[i]);
		t = root_of(&a, T2020);
		expect_fail("besides timeStamping", check(&at, t, NULL, resp,
			    false, "signature"), &at);
		expect_fail("besides timeStamping", check(&at, NULL, a.ca,
			    resp, false, "signature"), &at);
		TS_RESP_free(resp);
		keys_trustroot_free(t);
		tsa_free(&a);
	}
}

/* A trusted root's authority with an intermediate: one without extended
 * key usage or allowing timeStamping chains; one for code signing only
 * does not. */
static void test_own_intermediate(void **state)
{
	static const char *const mid_eku[] = {
		NULL, "extendedKeyUsage=timeStamping",
		"extendedKeyUsage=codeSigning"
	};
	const char *exts[6];
	struct tsa a;
	struct keys_trustroot *t;
	EVP_PKEY *mid_key;
	X509 *mid;
	TS_RESP *resp;
	time_t at = 0;
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		memcpy(exts, ca_exts, sizeof(ca_exts));
		exts[3] = "authorityKeyIdentifier=keyid";
		exts[4] = mid_eku[i];
		exts[5] = NULL;
		tsa_new(&a, T2021, T2022);
		mid_key = EVP_EC_gen("P-256");
		assert_non_null(mid_key);
		mid = make_cert(mid_key, a.ca, a.ca_key, "test tsa mid", T2020,
				T2030, exts);
		X509_free(a.leaf);
		a.leaf = make_cert(a.key, mid, mid_key, "test tsa", T2021,
				   T2022, tsa_exts);
		t = root_of(&a, T2020);
		t->tsas[0].certs = realloc(t->tsas[0].certs,
					   3 * sizeof(X509 *));
		assert_non_null(t->tsas[0].certs);
		t->tsas[0].certs[2] = t->tsas[0].certs[1];
		t->tsas[0].certs[1] = mid;
		t->tsas[0].n_certs = 3;
		resp = stamp(&a, EVP_sha256(), "signature", T2021 + 60);
		if (i < 2)
			assert_int_equal(check(&at, t, NULL, resp, false,
					       "signature"), 0);
		else
			expect_fail("not signed by a trusted timestamp "
				    "authority", check(&at, t, NULL, resp,
				    false, "signature"), &at);
		TS_RESP_free(resp);
		keys_trustroot_free(t);
		EVP_PKEY_free(mid_key);
		tsa_free(&a);
	}
}

static void test_own_no_eku(void **state)
{
	void (*const edits[])(struct tsa *) = { drop_eku, soft_eku };
	struct tsa a;
	struct keys_trustroot *t;
	TS_RESP *resp;
	time_t at = 0;
	size_t i;

	(void)state;
	tsa_new(&a, T2021, T2022);
	resp = stamp_edit(&a, EVP_sha256(), "signature", T2021 + 60, resign);
	t = root_of(&a, T2020);
	assert_int_equal(check(&at, t, NULL, resp, false, "signature"), 0);
	TS_RESP_free(resp);
	keys_trustroot_free(t);
	tsa_free(&a);
	for (i = 0; i < 2; i++) {
		tsa_new(&a, T2021, T2022);
		resp = stamp_edit(&a, EVP_sha256(), "signature", T2021 + 60,
				  edits[i]);
		t = root_of(&a, T2020);
		expect_fail("not signed by a trusted timestamp authority",
			    check(&at, t, NULL, resp, false, "signature"),
			    &at);
		expect_fail("not signed by a trusted timestamp authority",
			    check(&at, NULL, a.ca, resp, false, "signature"),
			    &at);
		TS_RESP_free(resp);
		keys_trustroot_free(t);
		tsa_free(&a);
	}
}

/* A response whose status is not granted: with no token (as RFC 3161
 * has it), and around a token (which OpenSSL refuses to decode). */
static void test_rejection(void **state)
{
	struct tsa a;
	struct keys_trustroot *t;
	TS_RESP *resp = TS_RESP_new();
	TS_STATUS_INFO *si = TS_STATUS_INFO_new();
	time_t at = 0;

	(void)state;
	tsa_new(&a, T2021, T2022);
	t = root_of(&a, T2020);
	assert_true(resp && si);
	TS_STATUS_INFO_set_status(si, TS_STATUS_REJECTION);
	assert_int_equal(TS_RESP_set_status_info(resp, si), 1);
	expect_fail("did not grant", check(&at, t, NULL, resp, false, "x"),
		    &at);
	TS_RESP_free(resp);
	resp = stamp(&a, EVP_sha256(), "x", T2021 + 60);
	TS_STATUS_INFO_set_status(TS_RESP_get_status_info(resp),
				  TS_STATUS_REJECTION);
	expect_fail("not a timestamp token", check(&at, t, NULL, resp, false,
		    "x"), &at);
	TS_RESP_free(resp);
	TS_STATUS_INFO_free(si);
	keys_trustroot_free(t);
	tsa_free(&a);
}

/* ---- Notary Project timestamp countersignatures (real, notation-go) ---- */

#define NDATA "tests/data/notation-timestamp/"
#define T_NOTARY 1718692177	/* jwsWithTimestamp: 2024-06-18T06:29:37Z */
#define T_NOTARY_EXP 1718695302	/* jwsExpiredWithTimestamp: 07:21:42Z */

struct notary {
	struct jws env;
	X509 **chain;
	size_t n_chain;
};

static void notary_load(struct notary *n, const char *name)
{
	struct buf b;

	buf_init(&b, 0);
	assert_int_equal(file_read(&b, name, 1 << 20, 0, NULL), 0);
	assert_int_equal(jws_parse(&n->env, b.data, b.len), 0);
	assert_true(n->env.timestamp.len > 0);
	assert_int_equal(keys_certs_from_der(&n->chain, &n->n_chain,
					     n->env.certs, n->env.n_certs), 0);
	buf_release(&b);
}

static void notary_release(struct notary *n)
{
	jws_release(&n->env);
	keys_certs_free(n->chain, n->n_chain);
}

static X509 *one_cert(const char *path)
{
	X509 **certs = NULL, *x;
	size_t n = 0;

	assert_int_equal(keys_load_certs(&certs, &n, path), 0);
	assert_int_equal(n, 1);
	x = certs[0];
	free(certs);
	return x;
}

static int notary_check(time_t *ts, char *why, const struct notary *n,
			X509 *anchor, X509 *tsa)
{
	struct verify_opts o = { 0 };

	o.certs = &anchor;
	o.n_certs = 1;
	o.tsa_certs = tsa ? &tsa : NULL;
	o.n_tsa_certs = tsa ? 1 : 0;
	why[0] = '\0';
	return verify_notary_chain(ts, why, 300, &n->env, n->chain,
				   n->n_chain, &o, time(NULL));
}

static void expect_why(const char *what, int rc, const char *why)
{
	assert_int_equal(rc, ERR_VERIFY);
	if (!strstr(why, what))
		fail_msg("expected '%s' in: %s", what, why);
	err_clear();
}

static void test_notary(void **state)
{
	X509 *gs = one_cert(NDATA "globalsignRoot.cer");
	X509 *dc = one_cert(NDATA "DigiCertTSARootSHA384.cer");
	X509 *alpine = one_cert(NDATA "TestTimestamp.crt");
	struct notary n = { 0 };
	char why[300];
	time_t ts = 1;

	(void)state;
	/* A certificate valid now: with --tsa-cert the timestamp is
	 * checked and reported; without, ignored. */
	notary_load(&n, NDATA "jwsWithTimestamp.sig");
	assert_int_equal(notary_check(&ts, why, &n, alpine, gs), 0);
	assert_int_equal(ts, T_NOTARY);
	assert_int_equal(notary_check(&ts, why, &n, alpine, NULL), 0);
	assert_int_equal(ts, 0);
	/* ... a TSA root that did not sign it: the signature does not
	 * count, even though its certificate is valid now. */
	expect_why("timestamp: not signed by a trusted timestamp authority",
		   notary_check(&ts, why, &n, alpine, dc), why);
	/* ... the signature bytes changed: the imprint no longer covers
	 * them. */
	n.env.signature.data[0] ^= 1;
	expect_why("timestamp: its message imprint does not match",
		   notary_check(&ts, why, &n, alpine, gs), why);
	notary_release(&n);
	X509_free(alpine);
	memset(&n, 0, sizeof(n));

	/* A certificate that expired ten minutes after it signed: valid
	 * with the timestamp, not without it. */
	notary_load(&n, NDATA "jwsExpiredWithTimestamp.sig");
	assert_int_equal(notary_check(&ts, why, &n, n.chain[0], gs), 0);
	assert_int_equal(ts, T_NOTARY_EXP);
	assert_int_equal(notary_check(&ts, why, &n, n.chain[0], NULL),
			 ERR_VERIFY);
	assert_int_equal(ts, 0);
	err_clear();
	expect_why("timestamp: not signed by a trusted",
		   notary_check(&ts, why, &n, n.chain[0], dc), why);
	n.env.timestamp.len = 0;	/* no timestamp: expired */
	assert_int_equal(notary_check(&ts, why, &n, n.chain[0], gs),
			 ERR_VERIFY);
	err_clear();
	notary_release(&n);
	memset(&n, 0, sizeof(n));

	/* A timestamp before the certificate's notBefore. */
	notary_load(&n, NDATA "timestampBeforeNotBefore.sig");
	expect_why("timestamp: at the time it states (2024-06-19T09:30:14Z",
		   notary_check(&ts, why, &n, n.chain[0], gs), why);
	assert_int_equal(ts, 0);
	notary_release(&n);
	X509_free(gs);
	X509_free(dc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_staging),
		cmocka_unit_test(test_staging_forged),
		cmocka_unit_test(test_own),
		cmocka_unit_test(test_own_forged),
		cmocka_unit_test(test_own_no_eku),
		cmocka_unit_test(test_own_signer_refused),
		cmocka_unit_test(test_own_intermediate),
		cmocka_unit_test(test_rejection),
		cmocka_unit_test(test_notary),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
