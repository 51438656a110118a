/* test_x509.c - Notary JWS algorithms and signatures (raw ECDSA R||S,
 * RSASSA-PSS), notation's chain rule with the Notary certificate
 * requirements, generated code-signing certificates, certificate files.
 * Every certificate here is made by the test with the OpenSSL API. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "../../keys/keys.h"

static char tmpdir[] = "/tmp/signet-test-x509-XXXXXX";

/* Keys are slow to make: one of each, shared by every test. */
enum { RSA1024, RSA2048, RSA3072, RSA4096, P256, P384, P521, ED25519,
       K256, NKEYS };
static EVP_PKEY *keys[NKEYS];

static void assert_msg_has(const char *needle)
{
	if (!strstr(err_msg(), needle))
		fail_msg("message '%s' lacks '%s'", err_msg(), needle);
}

static const char *tpath(const char *name)
{
	static char bufs[16][512];
	static int i;
	char *p = bufs[i++ % 16];

	assert_true(snprintf(p, 512, "%s/%s", tmpdir, name) < 512);
	return p;
}

static void spit(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int group_setup(void **state)
{
	(void)state;
	keys[RSA1024] = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	keys[RSA2048] = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	keys[RSA3072] = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)3072);
	keys[RSA4096] = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)4096);
	keys[P256] = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	keys[P384] = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	keys[P521] = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-521");
	keys[ED25519] = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	keys[K256] = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "secp256k1");
	for (int i = 0; i < NKEYS; i++)
		if (!keys[i])
			return -1;
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	for (int i = 0; i < NKEYS; i++)
		EVP_PKEY_free(keys[i]);
	nftw(tmpdir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
	return 0;
}

/* ---- certificates made to order ------------------------------------------ */

struct spec {
	const char *cn;
	int key;		/* index into keys[] */
	X509 *issuer;		/* NULL: self-signed */
	int issuer_key;
	const char *bc;		/* basicConstraints value or NULL */
	const char *ku;
	const char *eku;
	const EVP_MD *md;	/* NULL: SHA-256 */
	long not_before;	/* seconds from now */
	long not_after;
	bool pss;		/* RSA issuer signs with RSASSA-PSS */
};

#define LEAF_EXT "critical,CA:FALSE", "critical,digitalSignature", \
	"codeSigning"
#define CA_EXT "critical,CA:TRUE", "critical,keyCertSign,cRLSign", NULL
#define VALID NULL, -3600, 86400, false

static void add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;

	if (!value)
		return;
	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	assert_non_null(ext);
	assert_int_equal(X509_add_ext(x, ext, -1), 1);
	X509_EXTENSION_free(ext);
}

static X509 *mkcert(const struct spec *s)
{
	X509 *x = X509_new();
	X509 *issuer = s->issuer ? s->issuer : x;
	EVP_PKEY *ikey = keys[s->issuer ? s->issuer_key : s->key];
	X509_NAME *name = X509_NAME_new();
	uint64_t serial;

	assert_non_null(x);
	assert_int_equal(X509_set_version(x, X509_VERSION_3), 1);
	assert_int_equal(RAND_bytes((unsigned char *)&serial,
				    sizeof(serial)), 1);
	assert_int_equal(ASN1_INTEGER_set_uint64(X509_get_serialNumber(x),
						 serial >> 1), 1);
	assert_int_equal(X509_NAME_add_entry_by_txt(name, "O",
		MBSTRING_UTF8, (const unsigned char *)"Notary", -1, -1, 0), 1);
	assert_int_equal(X509_NAME_add_entry_by_txt(name, "CN",
		MBSTRING_UTF8, (const unsigned char *)s->cn, -1, -1, 0), 1);
	assert_int_equal(X509_set_subject_name(x, name), 1);
	assert_int_equal(X509_set_issuer_name(x,
		X509_get_subject_name(issuer)), 1);
	X509_NAME_free(name);
	assert_non_null(X509_gmtime_adj(X509_getm_notBefore(x),
					s->not_before));
	assert_non_null(X509_gmtime_adj(X509_getm_notAfter(x), s->not_after));
	assert_int_equal(X509_set_pubkey(x, keys[s->key]), 1);
	add_ext(x, issuer, NID_basic_constraints, s->bc);
	add_ext(x, issuer, NID_key_usage, s->ku);
	add_ext(x, issuer, NID_ext_key_usage, s->eku);
	add_ext(x, issuer, NID_subject_key_identifier, "hash");
	if (s->pss) {
		EVP_MD_CTX *ctx = EVP_MD_CTX_new();
		EVP_PKEY_CTX *pctx = NULL;

		assert_int_equal(EVP_DigestSignInit(ctx, &pctx, s->md ? s->md :
			EVP_sha256(), NULL, ikey), 1);
		assert_true(EVP_PKEY_CTX_set_rsa_padding(pctx,
			RSA_PKCS1_PSS_PADDING) > 0);
		assert_true(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx,
			RSA_PSS_SALTLEN_DIGEST) > 0);
		assert_true(X509_sign_ctx(x, ctx) > 0);
		EVP_MD_CTX_free(ctx);
		return x;
	}
	assert_true(X509_sign(x, ikey, s->md ? s->md : EVP_sha256()) > 0);
	return x;
}

static X509 *leaf(const char *cn, int key)
{
	struct spec s = { cn, key, NULL, 0, LEAF_EXT, VALID };

	return mkcert(&s);
}

/* ---- algorithms and signatures ------------------------------------------- */

static void alg_mapping(void **state)
{
	static const struct {
		int key;
		const char *alg;	/* NULL: refused */
	} cases[] = {
		{ RSA2048, "PS256" }, { RSA3072, "PS384" },
		{ RSA4096, "PS512" }, { P256, "ES256" }, { P384, "ES384" },
		{ P521, "ES512" }, { RSA1024, NULL }, { ED25519, NULL },
		{ K256, NULL },
	};
	char alg[8];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = keys_jws_alg(alg, keys[cases[i].key]);

		if (cases[i].alg) {
			assert_int_equal(rc, 0);
			assert_string_equal(alg, cases[i].alg);
		} else {
			assert_int_equal(rc, ERR_CRYPTO);
			assert_msg_has("cannot make Notary signatures");
		}
	}
	assert_int_equal(keys_jws_alg(alg, NULL), ERR_CRYPTO);
}

static void sign_verify_round_trip(void **state)
{
	static const struct {
		int key;
		size_t siglen;
	} cases[] = {
		{ P256, 64 }, { P384, 96 }, { P521, 132 },
		{ RSA2048, 256 }, { RSA3072, 384 }, { RSA4096, 512 },
	};
	static const char data[] = "eyJhbGciOiJFUzI1NiJ9.eyJ4IjoxfQ";
	char alg[8];
	struct buf sig;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		EVP_PKEY *k = keys[cases[i].key];

		buf_init(&sig, 0);
		assert_int_equal(keys_jws_alg(alg, k), 0);
		assert_int_equal(keys_jws_sign(&sig, k, alg, data,
					       strlen(data)), 0);
		assert_int_equal(sig.len, cases[i].siglen);
		assert_int_equal(keys_jws_verify(k, alg, data, strlen(data),
						 sig.data, sig.len), 0);
		/* a changed byte of data, then of the signature */
		assert_int_equal(keys_jws_verify(k, alg, data,
						 strlen(data) - 1, sig.data,
						 sig.len), ERR_VERIFY);
		sig.data[sig.len / 3] ^= 1;
		assert_int_equal(keys_jws_verify(k, alg, data, strlen(data),
						 sig.data, sig.len),
				 ERR_VERIFY);
		assert_int_equal(ERR_peek_error(), 0);
		buf_release(&sig);
		/* the callback jws_build uses signs the same way */
		buf_init(&sig, 0);
		assert_int_equal(keys_jws_signer(k, data, strlen(data), &sig),
				 0);
		assert_int_equal(keys_jws_verify(k, alg, data, strlen(data),
						 sig.data, sig.len), 0);
		buf_release(&sig);
	}
}

static void ecdsa_wrong_length_rejected(void **state)
{
	static const char data[] = "a.b";
	unsigned char big[140];
	struct buf sig;

	(void)state;
	buf_init(&sig, 0);
	assert_int_equal(keys_jws_sign(&sig, keys[P256], "ES256", data, 3),
			 0);
	/* one byte short, one byte long, and the DER form */
	assert_int_equal(keys_jws_verify(keys[P256], "ES256", data, 3,
					 sig.data, 63), ERR_VERIFY);
	assert_msg_has("not 64");
	memset(big, 0, sizeof(big));
	memcpy(big, sig.data, 64);
	assert_int_equal(keys_jws_verify(keys[P256], "ES256", data, 3, big,
					 65), ERR_VERIFY);
	buf_reset(&sig);
	assert_int_equal(keys_sign_sha256(&sig, keys[P256], data, 3), 0);
	assert_int_equal(keys_jws_verify(keys[P256], "ES256", data, 3,
					 sig.data, sig.len), ERR_VERIFY);
	/* all zero R and S */
	assert_int_equal(keys_jws_verify(keys[P256], "ES256", data, 3,
					 (unsigned char[64]){ 0 }, 64),
			 ERR_VERIFY);
	buf_release(&sig);
}

static void alg_must_match_key(void **state)
{
	static const char data[] = "a.b";
	struct buf sig;

	(void)state;
	buf_init(&sig, 0);
	assert_int_equal(keys_jws_sign(&sig, keys[RSA2048], "PS256", data, 3),
			 0);
	assert_int_equal(keys_jws_verify(keys[RSA2048], "PS384", data, 3,
					 sig.data, sig.len), ERR_VERIFY);
	assert_msg_has("alg PS384 does not match the certificate key");
	assert_int_equal(keys_jws_verify(keys[RSA2048], "ES256", data, 3,
					 sig.data, sig.len), ERR_VERIFY);
	assert_int_equal(keys_jws_verify(keys[RSA2048], "none", data, 3,
					 sig.data, sig.len), ERR_VERIFY);
	assert_int_equal(keys_jws_verify(keys[RSA2048], NULL, data, 3,
					 sig.data, sig.len), ERR_VERIFY);
	/* a key Notary does not allow cannot verify either */
	assert_int_equal(keys_jws_verify(keys[RSA1024], "PS256", data, 3,
					 sig.data, sig.len), ERR_VERIFY);
	/* nor sign with the wrong alg */
	assert_int_equal(keys_jws_sign(&sig, keys[P384], "ES256", data, 3),
			 ERR_CRYPTO);
	buf_release(&sig);
}

/* Signers other than us may use another salt length: verify takes any. */
static void pss_any_salt_verifies(void **state)
{
	static const int salts[] = { 0, 20, RSA_PSS_SALTLEN_MAX };
	static const char data[] = "x.y";
	unsigned char sig[256];
	EVP_PKEY_CTX *pctx;
	EVP_MD_CTX *ctx;
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(salts) / sizeof(salts[0]); i++) {
		ctx = EVP_MD_CTX_new();
		assert_int_equal(EVP_DigestSignInit(ctx, &pctx, EVP_sha256(),
						    NULL, keys[RSA2048]), 1);
		assert_true(EVP_PKEY_CTX_set_rsa_padding(pctx,
			RSA_PKCS1_PSS_PADDING) > 0);
		assert_true(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx,
			salts[i]) > 0);
		n = sizeof(sig);
		assert_int_equal(EVP_DigestSign(ctx, sig, &n,
			(const unsigned char *)data, 3), 1);
		EVP_MD_CTX_free(ctx);
		assert_int_equal(keys_jws_verify(keys[RSA2048], "PS256", data,
						 3, sig, n), 0);
	}
	/* PKCS#1 v1.5 is not PSS */
	{
		struct buf v15;

		buf_init(&v15, 0);
		assert_int_equal(keys_sign_sha256(&v15, keys[RSA2048], data,
						  3), 0);
		assert_int_equal(keys_jws_verify(keys[RSA2048], "PS256", data,
						 3, v15.data, v15.len),
				 ERR_VERIFY);
		buf_release(&v15);
	}
}

/* ---- the chain rule ------------------------------------------------------ */

static int check(X509 **chain, size_t n, X509 *trusted, char *why,
		 size_t whysz)
{
	return keys_notary_check_chain(chain, n, &trusted, 1, time(NULL),
				       why, whysz);
}

static void assert_why(int rc, const char *why, const char *needle)
{
	assert_int_equal(rc, ERR_VERIFY);
	if (!strstr(why, needle))
		fail_msg("reason '%s' lacks '%s'", why, needle);
	if (strcmp(why, err_msg()) != 0)
		fail_msg("reason '%s' is not the message '%s'", why,
			 err_msg());
}

/* One self-signed certificate, trusted, checked against the rules. */
struct one_case {
	const char *name;
	struct spec spec;
	const char *why;	/* NULL: passes */
};

static const struct one_case one_cases[] = {
	{ "good rsa", { "good", RSA2048, NULL, 0, LEAF_EXT, VALID }, NULL },
	{ "good p521", { "good", P521, NULL, 0, LEAF_EXT, NULL, -60, 60,
	  false }, NULL },
	{ "no basicConstraints, no eku", { "plain", P256, NULL, 0, NULL,
	  "critical,digitalSignature", NULL, VALID }, NULL },
	{ "nonRepudiation allowed", { "nr", P256, NULL, 0, NULL,
	  "critical,digitalSignature,nonRepudiation", NULL, VALID }, NULL },
	{ "CA leaf", { "ca-leaf", P256, NULL, 0, "critical,CA:TRUE",
	  "critical,digitalSignature", NULL, VALID }, "is a CA" },
	{ "no digitalSignature", { "nods", P256, NULL, 0, NULL,
	  "critical,nonRepudiation", NULL, VALID }, "lacks digitalSignature" },
	{ "no keyUsage", { "noku", P256, NULL, 0, "CA:FALSE", NULL,
	  "codeSigning", VALID }, "lacks a critical keyUsage" },
	{ "keyUsage not critical", { "ncku", P256, NULL, 0, NULL,
	  "digitalSignature", NULL, VALID }, "lacks a critical keyUsage" },
	{ "keyEncipherment", { "ke", RSA2048, NULL, 0, NULL,
	  "critical,digitalSignature,keyEncipherment", NULL, VALID },
	  "more than digitalSignature" },
	{ "keyCertSign", { "kcs", P256, NULL, 0, NULL,
	  "critical,digitalSignature,keyCertSign", NULL, VALID },
	  "more than digitalSignature" },
	{ "serverAuth", { "tls", P256, NULL, 0, NULL,
	  "critical,digitalSignature", "codeSigning,serverAuth", VALID },
	  "serverAuth" },
	{ "timeStamping", { "tsa", P256, NULL, 0, NULL,
	  "critical,digitalSignature", "timeStamping", VALID },
	  "timeStamping" },
	{ "anyExtendedKeyUsage", { "any", P256, NULL, 0, NULL,
	  "critical,digitalSignature", "anyExtendedKeyUsage", VALID },
	  "anyExtendedKeyUsage" },
	{ "rsa 1024", { "weak", RSA1024, NULL, 0, LEAF_EXT, VALID },
	  "1024 bits" },
	{ "secp256k1", { "k1", K256, NULL, 0, LEAF_EXT, VALID },
	  "unsupported ecdsa-secp256k1 key" },
	{ "not yet valid", { "early", P256, NULL, 0, LEAF_EXT, NULL, 3600,
	  7200, false }, "is not valid before" },
	{ "expired", { "old", P256, NULL, 0, LEAF_EXT, NULL, -7200, -3600,
	  false }, "expired on" },
};

static void one_cert_rules(void **state)
{
	char why[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(one_cases) / sizeof(one_cases[0]); i++) {
		const struct one_case *c = &one_cases[i];
		X509 *x = mkcert(&c->spec);
		int rc = check(&x, 1, x, why, sizeof(why));

		if (!c->why && rc != 0)
			fail_msg("%s: %s", c->name, why);
		if (c->why) {
			if (rc != ERR_VERIFY)
				fail_msg("%s: passed", c->name);
			assert_why(rc, why, c->why);
			/* the certificate is named */
			if (!strstr(why, c->spec.cn))
				fail_msg("%s: '%s' does not name it", c->name,
					 why);
		}
		X509_free(x);
	}
}

static void weak_signatures_rejected(void **state)
{
	static const struct {
		const char *name;
		const EVP_MD *(*md)(void);
		const char *sig;
	} cases[] = {
		{ "sha1", EVP_sha1, "sha1WithRSAEncryption" },
		{ "md5", EVP_md5, "md5WithRSAEncryption" },
		{ "sha224", EVP_sha224, "sha224WithRSAEncryption" },
	};
	char why[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct spec s = { cases[i].name, RSA2048, NULL, 0, LEAF_EXT,
				  cases[i].md(), -60, 3600, false };
		X509 *x = mkcert(&s);

		assert_why(check(&x, 1, x, why, sizeof(why)), why,
			   cases[i].sig);
		X509_free(x);
	}
	/* ECDSA with SHA-1 too */
	{
		struct spec s = { "ecsha1", P256, NULL, 0, LEAF_EXT, EVP_sha1(),
				  -60, 3600, false };
		X509 *x = mkcert(&s);

		assert_why(check(&x, 1, x, why, sizeof(why)), why,
			   "ecdsa-with-SHA1");
		X509_free(x);
	}
}

static void untrusted_and_empty(void **state)
{
	X509 *a = leaf("alice", P256), *b = leaf("bob", P256);
	X509 *none[KEYS_CHAIN_MAX + 1];
	char why[512];
	int i;

	(void)state;
	assert_why(check(&a, 1, b, why, sizeof(why)), why,
		   "does not chain to a trusted certificate");
	assert_int_equal(keys_notary_check_chain(&a, 1, NULL, 0, time(NULL),
						 why, sizeof(why)),
			 ERR_VERIFY);
	assert_int_equal(keys_notary_check_chain(&a, 0, &a, 1, time(NULL),
						 why, sizeof(why)),
			 ERR_VERIFY);
	for (i = 0; i <= KEYS_CHAIN_MAX; i++)
		none[i] = a;
	assert_why(keys_notary_check_chain(none, KEYS_CHAIN_MAX + 1, &a, 1,
					   time(NULL), why, sizeof(why)),
		   why, "at most");
	/* @why is optional */
	assert_int_equal(keys_notary_check_chain(&a, 1, &b, 1, time(NULL),
						 NULL, 0), ERR_VERIFY);
	assert_int_equal(keys_notary_check_chain(&a, 1, &a, 1, time(NULL),
						 NULL, 0), 0);
	X509_free(a);
	X509_free(b);
}

static void two_level_chain(void **state)
{
	struct spec rs = { "root", RSA3072, NULL, 0, CA_EXT, VALID };
	struct spec os = { "root", RSA2048, NULL, 0, CA_EXT, VALID };
	X509 *root = mkcert(&rs), *other = mkcert(&os);
	struct spec ls = { "leaf", P384, root, RSA3072, LEAF_EXT, VALID };
	X509 *lf = mkcert(&ls);
	X509 *chain[2] = { lf, root }, *bad[2] = { lf, other };
	X509 *rev[2] = { root, lf };
	char why[512];

	(void)state;
	assert_int_equal(check(chain, 2, root, why, sizeof(why)), 0);
	assert_int_equal(check(chain, 2, lf, why, sizeof(why)), 0);
	/* the leaf alone does not end at a self-signed certificate */
	assert_why(check(chain, 1, lf, why, sizeof(why)), why,
		   "not self-signed");
	/* another root by the same name: a broken link */
	assert_why(check(bad, 2, other, why, sizeof(why)), why,
		   "is not issued by the next one");
	/* wrong order */
	assert_int_equal(check(rev, 2, root, why, sizeof(why)), ERR_VERIFY);
	X509_free(root);
	X509_free(other);
	X509_free(lf);
}

/* RSASSA-PSS certificate signatures, SHA-256 and SHA-1. */
static void pss_signed_certificates(void **state)
{
	struct spec rs = { "root", RSA2048, NULL, 0, CA_EXT, VALID };
	X509 *root = mkcert(&rs);
	struct spec ls = { "leaf", P256, root, RSA2048, LEAF_EXT, NULL,
			   -3600, 86400, true };
	struct spec ws = { "weak", P256, root, RSA2048, LEAF_EXT,
			   EVP_sha1(), -60, 3600, true };
	X509 *lf = mkcert(&ls), *weak = mkcert(&ws);
	X509 *chain[2] = { lf, root }, *wchain[2] = { weak, root };
	char why[512];

	(void)state;
	assert_int_equal(X509_get_signature_nid(lf), NID_rsassaPss);
	assert_int_equal(check(chain, 2, root, why, sizeof(why)), 0);
	assert_why(check(wchain, 2, root, why, sizeof(why)), why,
		   "'CN=weak,O=Notary' is signed with rsassaPss");
	X509_free(root);
	X509_free(lf);
	X509_free(weak);
}

/* notation's own test chains: leaf and root share a name. */
static void leaf_and_root_share_a_name(void **state)
{
	struct spec rs = { "same", RSA2048, NULL, 0, CA_EXT, VALID };
	X509 *root = mkcert(&rs);
	struct spec ls = { "same", RSA2048, root, RSA2048, LEAF_EXT, VALID };
	X509 *lf;
	X509 *chain[2];
	char why[512];

	(void)state;
	/* same name, but the leaf gets its own key */
	ls.key = P256;
	lf = mkcert(&ls);
	chain[0] = lf;
	chain[1] = root;
	assert_int_equal(check(chain, 2, root, why, sizeof(why)), 0);
	X509_free(root);
	X509_free(lf);
}

static void three_level_chain(void **state)
{
	struct spec rs = { "root", P384, NULL, 0, CA_EXT, VALID };
	X509 *root = mkcert(&rs);
	struct spec is = { "inter", P256, root, P384, CA_EXT, VALID };
	X509 *inter = mkcert(&is);
	struct spec ls = { "leaf", RSA2048, inter, P256, LEAF_EXT, VALID };
	X509 *lf = mkcert(&ls);
	struct spec r0 = { "root0", P384, NULL, 0, "critical,CA:TRUE,pathlen:0",
			   "critical,keyCertSign", NULL, VALID };
	X509 *root0 = mkcert(&r0);
	struct spec i0 = { "inter0", P256, root0, P384, CA_EXT, VALID };
	X509 *inter0 = mkcert(&i0);
	struct spec l0 = { "leaf0", RSA2048, inter0, P256, LEAF_EXT, VALID };
	X509 *lf0 = mkcert(&l0);
	struct spec ns = { "notca", P256, root, P384, "critical,CA:FALSE",
			   "critical,keyCertSign", NULL, VALID };
	X509 *notca = mkcert(&ns);
	struct spec ks = { "noks", P256, root, P384, "critical,CA:TRUE",
			   "critical,digitalSignature", NULL, VALID };
	X509 *noks = mkcert(&ks);
	struct spec l1 = { "leaf1", RSA2048, notca, P256, LEAF_EXT, VALID };
	X509 *lf1 = mkcert(&l1);
	struct spec l2 = { "leaf2", RSA2048, noks, P256, LEAF_EXT, VALID };
	X509 *lf2 = mkcert(&l2);
	X509 *chain[3] = { lf, inter, root };
	X509 *chain0[3] = { lf0, inter0, root0 };
	X509 *chain1[3] = { lf1, notca, root };
	X509 *chain2[3] = { lf2, noks, root };
	X509 *skip[2] = { lf, root };
	char why[512];

	(void)state;
	assert_int_equal(check(chain, 3, root, why, sizeof(why)), 0);
	assert_int_equal(check(chain, 3, inter, why, sizeof(why)), 0);
	assert_why(check(chain0, 3, root0, why, sizeof(why)), why,
		   "allows 0 CA certificates below it");
	assert_why(check(chain1, 3, root, why, sizeof(why)), why,
		   "'CN=notca,O=Notary' issues another but is not a CA");
	assert_why(check(chain2, 3, root, why, sizeof(why)), why,
		   "lacks keyCertSign");
	assert_why(check(skip, 2, root, why, sizeof(why)), why,
		   "is not issued by");
	X509_free(root);
	X509_free(inter);
	X509_free(lf);
	X509_free(root0);
	X509_free(inter0);
	X509_free(lf0);
	X509_free(notca);
	X509_free(noks);
	X509_free(lf1);
	X509_free(lf2);
}

/* A self-signed leaf followed by a root it was not issued by. */
static void self_signed_leaf_with_extra_root(void **state)
{
	struct spec rs = { "root", P256, NULL, 0, CA_EXT, VALID };
	X509 *root = mkcert(&rs), *lf = leaf("solo", P256);
	X509 *chain[2] = { lf, root };
	char why[512];

	(void)state;
	assert_why(check(chain, 2, lf, why, sizeof(why)), why,
		   "self-signed but not the last");
	X509_free(root);
	X509_free(lf);
}

static void expired_intermediate(void **state)
{
	struct spec rs = { "root", P256, NULL, 0, CA_EXT, VALID };
	X509 *root = mkcert(&rs);
	struct spec is = { "inter", P256, root, P256, CA_EXT, NULL, -7200,
			   -1800, false };
	X509 *inter = mkcert(&is);
	struct spec ls = { "leaf", P256, inter, P256, LEAF_EXT, VALID };
	X509 *lf = mkcert(&ls);
	X509 *chain[3] = { lf, inter, root };
	char why[512];

	(void)state;
	assert_why(check(chain, 3, root, why, sizeof(why)), why,
		   "'CN=inter,O=Notary' expired on");
	/* valid at a time inside every period */
	assert_int_equal(keys_notary_check_chain(chain, 3, &root, 1,
						 time(NULL) - 3000, why,
						 sizeof(why)), 0);
	X509_free(root);
	X509_free(inter);
	X509_free(lf);
}

/* ---- generating certificates --------------------------------------------- */

static void generate_passes_own_rules(void **state)
{
	static const int ks[] = { P256, P384, P521, RSA2048, RSA3072 };
	char why[512], subject[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ks) / sizeof(ks[0]); i++) {
		X509 *x = NULL;
		const ASN1_INTEGER *sn;
		BIGNUM *bn;

		assert_int_equal(keys_x509_generate(&x, keys[ks[i]],
			"C=US,ST=WA,O=Example,CN=release", 365), 0);
		assert_int_equal(keys_notary_check_chain(&x, 1, &x, 1,
			time(NULL), why, sizeof(why)), 0);
		keys_cert_subject(subject, sizeof(subject), x);
		assert_string_equal(subject,
				    "CN=release,O=Example,ST=WA,C=US");
		sn = X509_get0_serialNumber(x);
		bn = ASN1_INTEGER_to_BN(sn, NULL);
		assert_int_equal(BN_num_bytes(bn), 16);
		assert_false(BN_is_negative(bn));
		BN_free(bn);
		assert_true(X509_get_extended_key_usage(x) & XKU_CODE_SIGN);
		assert_int_equal(X509_get_version(x), X509_VERSION_3);
		assert_non_null(X509_get0_subject_key_id(x));
		assert_int_equal(X509_verify(x, keys[ks[i]]), 1);
		/* one year from now, not before, not after */
		assert_int_equal(keys_notary_check_chain(&x, 1, &x, 1,
			time(NULL) + 364 * 86400, why, sizeof(why)), 0);
		assert_int_equal(keys_notary_check_chain(&x, 1, &x, 1,
			time(NULL) + 366 * 86400, why, sizeof(why)),
			ERR_VERIFY);
		X509_free(x);
	}
}

static void generate_sha_matches_key(void **state)
{
	static const struct {
		int key;
		int md;
	} cases[] = {
		{ P256, NID_sha256 }, { P384, NID_sha384 },
		{ P521, NID_sha512 }, { RSA2048, NID_sha256 },
		{ RSA3072, NID_sha384 }, { RSA4096, NID_sha512 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		X509 *x = NULL;
		int md = 0, pk = 0;

		assert_int_equal(keys_x509_generate(&x, keys[cases[i].key],
						    "CN=a", 1), 0);
		assert_int_equal(X509_get_signature_info(x, &md, &pk, NULL,
							 NULL), 1);
		assert_int_equal(md, cases[i].md);
		X509_free(x);
	}
}

static void generate_rejects_bad_input(void **state)
{
	static const char *const bad[] = {
		"", "CN", "CN=", "=x", "CN=a,", ",CN=a", "CN=a,,O=b",
		"CN=a,CN=b", "XX=a", "C=USA,CN=a", "CN=a+O=b", "CN=a\\,b",
		"CN=a=b", "CN=\x01", "CN=\"q\"", "E=a@b", "CN=#0400",
		"CN=a;O=b",
	};
	X509 *x = NULL;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (keys_x509_generate(&x, keys[P256], bad[i], 10) !=
		    ERR_USAGE)
			fail_msg("subject '%s' accepted", bad[i]);
		assert_null(x);
		assert_msg_has("invalid certificate subject");
	}
	/* spaces around parts are fine */
	assert_int_equal(keys_x509_generate(&x, keys[P256],
		"C=US, ST=WA , O = Example Corp,CN=release #1", 10), 0);
	X509_free(x);
	x = NULL;
	assert_int_equal(keys_x509_generate(&x, keys[P256], "CN=a", 0),
			 ERR_USAGE);
	assert_int_equal(keys_x509_generate(&x, keys[P256], "CN=a", 36501),
			 ERR_USAGE);
	assert_int_equal(keys_x509_generate(&x, keys[RSA1024], "CN=a", 1),
			 ERR_CRYPTO);
	assert_int_equal(keys_x509_generate(&x, keys[ED25519], "CN=a", 1),
			 ERR_CRYPTO);
	assert_null(x);
}

/* ---- files --------------------------------------------------------------- */

static void save_load_thumbprint(void **state)
{
	X509 *x = NULL, *y = NULL, **got = NULL;
	unsigned char *der = NULL, md[32];
	char tp[65], hex[65];
	struct stat st;
	size_t n = 0;
	int len, i;

	(void)state;
	assert_int_equal(keys_x509_generate(&x, keys[P256], "CN=file", 30),
			 0);
	assert_int_equal(keys_save_cert(tpath("a.crt"), x, false), 0);
	assert_int_equal(stat(tpath("a.crt"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_int_equal(keys_save_cert(tpath("a.crt"), x, false), ERR_IO);
	assert_msg_has("--force");
	assert_int_equal(keys_x509_generate(&y, keys[P384], "CN=second", 30),
			 0);
	assert_int_equal(keys_save_cert(tpath("a.crt"), y, true), 0);
	assert_int_equal(symlink(tpath("a.crt"), tpath("link.crt")), 0);
	assert_int_equal(keys_save_cert(tpath("link.crt"), x, false), ERR_IO);

	assert_int_equal(keys_load_certs(&got, &n, tpath("a.crt")), 0);
	assert_int_equal(n, 1);
	assert_int_equal(X509_cmp(got[0], y), 0);
	keys_certs_free(got, n);

	/* thumbprint: SHA-256 of the DER */
	len = i2d_X509(x, &der);
	assert_true(len > 0);
	SHA256(der, (size_t)len, md);
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	assert_int_equal(keys_cert_thumbprint(tp, x), 0);
	assert_string_equal(tp, hex);

	/* DER files, one or two certificates */
	spit(tpath("one.der"), der, (size_t)len);
	assert_int_equal(keys_load_certs(&got, &n, tpath("one.der")), 0);
	assert_int_equal(n, 1);
	assert_int_equal(X509_cmp(got[0], x), 0);
	keys_certs_free(got, n);
	{
		unsigned char two[4096];

		assert_true((size_t)len * 2 <= sizeof(two));
		memcpy(two, der, (size_t)len);
		memcpy(two + len, der, (size_t)len);
		spit(tpath("two.der"), two, (size_t)len * 2);
		assert_int_equal(keys_load_certs(&got, &n, tpath("two.der")),
				 0);
		assert_int_equal(n, 2);
		keys_certs_free(got, n);
		/* trailing junk */
		spit(tpath("junk.der"), two, (size_t)len + 3);
		assert_int_equal(keys_load_certs(&got, &n,
						 tpath("junk.der")),
				 ERR_FORMAT);
		assert_null(got);
	}
	OPENSSL_free(der);
	X509_free(x);
	X509_free(y);
}

static void load_pem_files(void **state)
{
	X509 *a = leaf("a", P256), *b = leaf("b", P384), **got = NULL;
	char *pa, *pb;
	char text[8192];
	BIO *bio;
	size_t n = 0;
	int len;

	(void)state;
	/* two certificates with text around them, as bundles have */
	bio = BIO_new(BIO_s_mem());
	BIO_puts(bio, "# bundle\n");
	PEM_write_bio_X509(bio, a);
	BIO_puts(bio, "subject=b\n");
	PEM_write_bio_X509(bio, b);
	len = BIO_read(bio, text, sizeof(text) - 1);
	assert_true(len > 0);
	BIO_free(bio);
	spit(tpath("bundle.pem"), text, (size_t)len);
	assert_int_equal(keys_load_certs(&got, &n, tpath("bundle.pem")), 0);
	assert_int_equal(n, 2);
	assert_int_equal(X509_cmp(got[0], a), 0);
	assert_int_equal(X509_cmp(got[1], b), 0);
	keys_certs_free(got, n);

	/* a private key among them */
	bio = BIO_new(BIO_s_mem());
	PEM_write_bio_X509(bio, a);
	PEM_write_bio_PrivateKey(bio, keys[P256], NULL, NULL, 0, NULL, NULL);
	len = BIO_read(bio, text, sizeof(text) - 1);
	BIO_free(bio);
	spit(tpath("withkey.pem"), text, (size_t)len);
	assert_int_equal(keys_load_certs(&got, &n, tpath("withkey.pem")),
			 ERR_FORMAT);
	assert_msg_has("PRIVATE KEY");
	assert_msg_has("withkey.pem");
	assert_null(got);
	assert_int_equal(n, 0);

	/* a broken block */
	text[len] = '\0';
	pa = strstr(text, "-----END CERTIFICATE-----");
	assert_non_null(pa);
	spit(tpath("broken.pem"), text, (size_t)(pa - text));
	assert_int_equal(keys_load_certs(&got, &n, tpath("broken.pem")),
			 ERR_FORMAT);
	pb = strstr(text, "MII");
	assert_non_null(pb);
	pb[10] = '*';
	spit(tpath("badb64.pem"), text, (size_t)len);
	assert_int_equal(keys_load_certs(&got, &n, tpath("badb64.pem")),
			 ERR_FORMAT);

	spit(tpath("empty.pem"), "", 0);
	assert_int_equal(keys_load_certs(&got, &n, tpath("empty.pem")),
			 ERR_FORMAT);
	assert_msg_has("empty.pem");
	assert_int_equal(keys_load_certs(&got, &n, tpath("absent.pem")),
			 ERR_IO);
	assert_msg_has("absent.pem");
	assert_int_equal(ERR_peek_error(), 0);
	X509_free(a);
	X509_free(b);
}

static void certs_from_der(void **state)
{
	X509 *a = leaf("a", P256), **got = NULL;
	unsigned char *der = NULL;
	struct buf b[2];
	int len = i2d_X509(a, &der);
	size_t n = 9;

	(void)state;
	buf_init(&b[0], 0);
	buf_init(&b[1], 0);
	assert_int_equal(buf_append(&b[0], der, (size_t)len), 0);
	assert_int_equal(buf_append(&b[1], der, (size_t)len), 0);
	assert_int_equal(keys_certs_from_der(&got, &n, b, 2), 0);
	assert_int_equal(n, 2);
	assert_int_equal(X509_cmp(got[1], a), 0);
	keys_certs_free(got, n);
	/* one byte more, one byte less */
	assert_int_equal(buf_append(&b[1], "", 1), 0);
	assert_int_equal(keys_certs_from_der(&got, &n, b, 2), ERR_FORMAT);
	assert_msg_has("certificate 2");
	assert_null(got);
	assert_int_equal(n, 0);
	b[1].len = (size_t)len - 1;
	assert_int_equal(keys_certs_from_der(&got, &n, b, 2), ERR_FORMAT);
	buf_release(&b[0]);
	buf_release(&b[1]);
	OPENSSL_free(der);
	X509_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(alg_mapping),
		cmocka_unit_test(sign_verify_round_trip),
		cmocka_unit_test(ecdsa_wrong_length_rejected),
		cmocka_unit_test(alg_must_match_key),
		cmocka_unit_test(pss_any_salt_verifies),
		cmocka_unit_test(one_cert_rules),
		cmocka_unit_test(weak_signatures_rejected),
		cmocka_unit_test(untrusted_and_empty),
		cmocka_unit_test(two_level_chain),
		cmocka_unit_test(pss_signed_certificates),
		cmocka_unit_test(leaf_and_root_share_a_name),
		cmocka_unit_test(three_level_chain),
		cmocka_unit_test(self_signed_leaf_with_extra_root),
		cmocka_unit_test(expired_intermediate),
		cmocka_unit_test(generate_passes_own_rules),
		cmocka_unit_test(generate_sha_matches_key),
		cmocka_unit_test(generate_rejects_bad_input),
		cmocka_unit_test(save_load_thumbprint),
		cmocka_unit_test(load_pem_files),
		cmocka_unit_test(certs_from_der),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
