/* test_fulcio.c - the checks on a keyless signing certificate
 * (verify/fulcio.c) and on what its log entry says was signed
 * (verify/entry.c), offline against real public-good data in
 * tests/data/keyless/ (see SOURCE there): the Fulcio chain at the signing
 * time, the identity and OIDC issuer, the embedded SCTs. Each passes on
 * the real certificate and fails, naming itself, on a forgery; forgeries
 * that need a certificate of their own are made here with OpenSSL. */
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
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "../../core/core.h"
#include "../../formats/formats.h"
#include "../../keys/keys.h"
#include "../../verify/verify.h"

#define DATA "tests/data/keyless/"
#define PROD_ROOT DATA "production_trusted_root.json"
#define SIGSTORE_JS DATA "sigstore.js@2.0.0-provenance.sigstore.json"
#define OTHERNAME DATA "othername.sigstore.json"
#define T_SIGNED 1670870899	/* rekor-set's integrated time */
#define T_ENDED 1670871498	/* fulcio-cert's notAfter */
#define T2020 1577836800
#define T_OTHER 1720811189	/* othername's integrated time */

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

static X509 *pem_cert(const char *pem, size_t len)
{
	BIO *b = BIO_new_mem_buf(pem, (int)len);
	X509 *x = PEM_read_bio_X509(b, NULL, NULL, NULL);

	BIO_free(b);
	assert_non_null(x);
	return x;
}

static X509 *file_cert(const char *path)
{
	size_t len;
	char *pem = slurp(path, &len);
	X509 *x = pem_cert(pem, len);

	free(pem);
	return x;
}

/* The leaf of a Sigstore bundle (v0.1 chain or v0.3 certificate). */
static X509 *bundle_cert(const char *path)
{
	size_t len;
	char *text = slurp(path, &len);
	json_t *doc, *vm, *c;
	struct buf der;
	const unsigned char *p;
	X509 *x;

	assert_int_equal(jx_parse(&doc, text, len, "bundle"), 0);
	vm = json_object_get(doc, "verificationMaterial");
	c = json_object_get(vm, "certificate");
	if (!c)
		c = json_array_get(json_object_get(json_object_get(vm,
			"x509CertificateChain"), "certificates"), 0);
	c = json_object_get(c, "rawBytes");
	assert_non_null(c);
	buf_init(&der, 0);
	assert_int_equal(b64_decode(&der, json_string_value(c),
				    strlen(json_string_value(c))), 0);
	p = der.data;
	x = d2i_X509(NULL, &p, (long)der.len);
	assert_non_null(x);
	buf_release(&der);
	json_decref(doc);
	free(text);
	return x;
}

/* The certificate of the image signature in dir-img-*: its annotation. */
static X509 *image_cert(void)
{
	size_t len;
	char *text = slurp(DATA "dir-img-cosign-fulcio-rekor-valid/"
			   "signature-1", &len);
	json_t *doc;
	const char *pem;
	X509 *x;

	assert_int_equal(jx_parse(&doc, text + 15, len - 15, "sig"), 0);
	pem = jx_str(json_object_get(doc, "annotations"),
		     "dev.sigstore.cosign/certificate");
	assert_non_null(pem);
	x = pem_cert(pem, strlen(pem));
	json_decref(doc);
	free(text);
	return x;
}

/* ---- certificates made here: a CA of our own, and leaves ---------------- */

static EVP_PKEY *new_key(void)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");

	assert_non_null(k);
	return k;
}

/* A certificate for @key named @cn, signed by @ca / @ca_key (self-signed
 * when NULL), valid from @from to @to, with extensions "name=value"
 * (X509V3_EXT_nconf syntax), NULL-terminated. */
static X509 *make_cert(EVP_PKEY *key, X509 *ca, EVP_PKEY *ca_key,
		       const char *cn, time_t from, time_t to,
		       const char *const *exts)
{
	X509 *x = X509_new();
	X509V3_CTX ctx;
	char name[64], value[512];
	size_t i;

	assert_non_null(x);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), (long)from & 0xffff);
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

		assert_non_null(eq);
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

#define LEAF_COMMON "keyUsage=critical,digitalSignature", \
	"subjectKeyIdentifier=hash", "authorityKeyIdentifier=keyid"

/* A trusted root holding one certificate authority: @ca, valid from
 * @from (to forever). */
static struct keys_trustroot *root_of(X509 *ca, time_t from)
{
	struct keys_trustroot *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	t->cas = calloc(1, sizeof(*t->cas));
	t->cas[0].certs = calloc(1, sizeof(X509 *));
	assert_non_null(t->cas[0].certs);
	X509_up_ref(ca);
	t->cas[0].certs[0] = ca;
	t->cas[0].n_certs = 1;
	t->cas[0].valid.start = from;
	t->n_cas = 1;
	return t;
}

/* ---- the chain ---------------------------------------------------------- */

static void test_chain(void **state)
{
	struct keys_trustroot *t = load_root(PROD_ROOT);
	X509 *leaf = file_cert(DATA "fulcio-cert"), *img = image_cert();
	X509 *issuer;
	char cn[64];

	(void)state;
	assert_int_equal(fulcio_verify_chain(&issuer, t, leaf, T_SIGNED), 0);
	X509_NAME_get_text_by_NID(X509_get_subject_name(issuer),
				  NID_commonName, cn, sizeof(cn));
	assert_string_equal(cn, "sigstore-intermediate");
	X509_free(issuer);
	assert_int_equal(fulcio_verify_chain(&issuer, t, img, 1674247893), 0);
	X509_free(issuer);
	/* signed after the certificate expired */
	assert_int_equal(fulcio_verify_chain(&issuer, t, leaf, T_ENDED + 1),
			 ERR_VERIFY);
	assert_null(issuer);
	assert_string_equal(err_msg(), "certificate chain: the certificate was "
			    "not valid at the signing time 2022-12-12T18:58:19Z"
			    " (valid from 2022-12-12T18:48:18Z to "
			    "2022-12-12T18:58:18Z)");
	assert_int_equal(fulcio_verify_chain(&issuer, t, leaf, T_ENDED - 1), 0);
	X509_free(issuer);
	/* signed before it was issued */
	assert_int_equal(fulcio_verify_chain(&issuer, t, leaf, T_SIGNED - 2),
			 ERR_VERIFY);
	assert_non_null(strstr(err_msg(), "was not valid at the signing"));
	X509_free(leaf);
	X509_free(img);
	keys_trustroot_free(t);
}

/* Certificates from a CA the trusted root does not hold. */
static void test_chain_untrusted(void **state)
{
	struct keys_trustroot *prod = load_root(PROD_ROOT);
	struct keys_trustroot *scaf =
		load_root(DATA "scaffolding_trusted_root.json");
	X509 *leaf = file_cert(DATA "fulcio-cert");
	X509 *other = bundle_cert(OTHERNAME);
	X509 *issuer;
	struct keys_trustroot *mid, *top;

	(void)state;
	/* the public-good certificate against a private instance's root */
	assert_int_equal(fulcio_verify_chain(&issuer, scaf, leaf, T_SIGNED),
			 ERR_VERIFY);
	assert_non_null(strstr(err_msg(), "certificate chain: "));
	/* and a private instance's certificate against public good */
	assert_int_equal(fulcio_verify_chain(&issuer, prod, other,
					     T_OTHER), ERR_VERIFY);
	assert_non_null(strstr(err_msg(), "certificate chain: does not lead "
			       "to a certificate authority"));
	assert_int_equal(fulcio_verify_chain(&issuer, scaf, other,
					     T_OTHER), 0);
	X509_free(issuer);
	/* no authority of the root was valid then */
	assert_int_equal(fulcio_verify_chain(&issuer, prod, leaf, T2020),
			 ERR_VERIFY);
	/* an authority listed as its intermediate alone is its anchor; as
	 * its root alone it lacks the intermediate (the signature's own
	 * chain is never used) */
	mid = root_of(prod->cas[1].certs[0], T2020);
	top = root_of(prod->cas[1].certs[prod->cas[1].n_certs - 1], T2020);
	assert_int_equal(prod->cas[1].n_certs, 2);
	assert_int_equal(fulcio_verify_chain(&issuer, mid, leaf, T_SIGNED), 0);
	X509_free(issuer);
	assert_int_equal(fulcio_verify_chain(&issuer, top, leaf, T_SIGNED),
			 ERR_VERIFY);
	keys_trustroot_free(mid);
	keys_trustroot_free(top);
	X509_free(leaf);
	X509_free(other);
	keys_trustroot_free(prod);
	keys_trustroot_free(scaf);
}

/* A CA of our own: its leaves verify only when it is trusted, and then
 * only for code signing, and only inside the CA's validFor. */
static void test_chain_own_ca(void **state)
{
	static const char *const good[] = {
		LEAF_COMMON, "extendedKeyUsage=codeSigning",
		"subjectAltName=critical,email:mitr@redhat.com", NULL
	};
	static const char *const no_eku[] = {
		LEAF_COMMON, "subjectAltName=email:mitr@redhat.com", NULL
	};
	static const char *const tls[] = {
		LEAF_COMMON, "extendedKeyUsage=serverAuth", NULL
	};
	struct keys_trustroot *prod = load_root(PROD_ROOT);
	time_t now = time(NULL);
	EVP_PKEY *cak = new_key(), *k = new_key();
	X509 *ca = make_cert(cak, NULL, NULL, "evil", now - 3600, now + 3600,
			     ca_exts);
	X509 *leaf = make_cert(k, ca, cak, "leaf", now - 60, now + 600, good);
	X509 *bad1 = make_cert(k, ca, cak, "l", now - 60, now + 600, no_eku);
	X509 *bad2 = make_cert(k, ca, cak, "l", now - 60, now + 600, tls);
	struct keys_trustroot *own = root_of(ca, now - 3600);
	X509 *issuer;

	(void)state;
	assert_int_equal(fulcio_verify_chain(&issuer, prod, leaf, now),
			 ERR_VERIFY);
	assert_non_null(strstr(err_msg(), "certificate chain: does not lead"));
	assert_int_equal(fulcio_verify_chain(&issuer, own, leaf, now), 0);
	assert_ptr_equal(issuer, ca);
	X509_free(issuer);
	assert_int_equal(fulcio_verify_chain(&issuer, own, bad1, now),
			 ERR_VERIFY);
	assert_string_equal(err_msg(), "certificate chain: the certificate is "
			    "not for code signing (extended key usage)");
	assert_int_equal(fulcio_verify_chain(&issuer, own, bad2, now),
			 ERR_VERIFY);
	/* the CA certificate itself is no signing certificate */
	assert_int_equal(fulcio_verify_chain(&issuer, own, ca, now),
			 ERR_VERIFY);
	/* the authority's validFor decides too */
	own->cas[0].valid.start = now + 1;
	assert_int_equal(fulcio_verify_chain(&issuer, own, leaf, now),
			 ERR_VERIFY);
	assert_non_null(strstr(err_msg(), "certificate chain: no certificate "
			       "authority of the trusted root was valid"));
	X509_free(ca);
	X509_free(leaf);
	X509_free(bad1);
	X509_free(bad2);
	EVP_PKEY_free(cak);
	EVP_PKEY_free(k);
	keys_trustroot_free(own);
	keys_trustroot_free(prod);
}

/* ---- identity and issuer ------------------------------------------------ */

static void test_identity(void **state)
{
	X509 *leaf = file_cert(DATA "fulcio-cert");
	X509 *js = bundle_cert(SIGSTORE_JS), *other = bundle_cert(OTHERNAME);
	char san[FULCIO_NAME_MAX], iss[FULCIO_NAME_MAX];

	(void)state;
	/* the deprecated issuer extension, an email */
	assert_int_equal(fulcio_cert_identity(san, iss, leaf), 0);
	assert_string_equal(san, "mitr@redhat.com");
	assert_string_equal(iss, "https://github.com/login/oauth");
	/* the UTF8String issuer extension, a URI */
	assert_int_equal(fulcio_cert_identity(san, iss, js), 0);
	assert_string_equal(san, "https://github.com/sigstore/sigstore-js/"
			    ".github/workflows/release.yml@refs/heads/main");
	assert_string_equal(iss, "https://token.actions.githubusercontent.com");
	/* Fulcio's username otherName */
	assert_int_equal(fulcio_cert_identity(san, iss, other), 0);
	assert_string_equal(san, "foo!oidc.local");
	X509_free(leaf);
	X509_free(js);
	X509_free(other);
}

static void test_identity_match(void **state)
{
	static const struct {
		struct fulcio_identity want;
		int rc;
		const char *msg;
	} cases[] = {
		{ { "mitr@redhat.com", NULL, "https://github.com/login/oauth",
		    NULL }, 0, NULL },
		{ { NULL, ".*@redhat\\.com", NULL, "https://github\\.com/.*" },
		  0, NULL },
		{ { NULL, "mitr@(redhat|example)\\.com", NULL,
		    "https://github.com/login/oauth" }, 0, NULL },
		{ { "mitr@redhat.co", NULL, "https://github.com/login/oauth",
		    NULL }, ERR_VERIFY, "certificate identity: identity "
		  "'mitr@redhat.com' is not 'mitr@redhat.co'" },
		{ { "other@redhat.com", NULL,
		    "https://github.com/login/oauth", NULL }, ERR_VERIFY,
		  "certificate identity: identity" },
		{ { "mitr@redhat.com", NULL, "https://accounts.google.com",
		    NULL }, ERR_VERIFY, "certificate identity: OIDC issuer "
		  "'https://github.com/login/oauth' is not" },
		/* a regexp that matches only a prefix, or only a suffix */
		{ { NULL, "mitr@redhat", "https://github.com/login/oauth",
		    NULL }, ERR_VERIFY, "certificate identity: identity "
		  "'mitr@redhat.com' does not match the regexp 'mitr@redhat'" },
		{ { NULL, "redhat\\.com", "https://github.com/login/oauth",
		    NULL }, ERR_VERIFY, "does not match" },
		{ { "mitr@redhat.com", NULL, NULL, "https://github\\.com" },
		  ERR_VERIFY, "certificate identity: OIDC issuer" },
		/* alternation cannot escape the anchors; a regexp that
		 * compiles only once wrapped in them is refused ("x)|(.*"
		 * would match anything) */
		{ { NULL, "x|mitr", "https://github.com/login/oauth", NULL },
		  ERR_VERIFY, "does not match" },
		{ { NULL, "mitr@redhat)|(x", "https://github.com/login/oauth",
		    NULL }, ERR_USAGE, "invalid identity regexp" },
		{ { NULL, "x)|(.*", "https://github.com/login/oauth",
		    NULL }, ERR_USAGE, "invalid identity regexp" },
		{ { "mitr@redhat.com", NULL, NULL,
		    "https://github.com)|(x" }, ERR_USAGE,
		  "invalid OIDC issuer regexp" },
		{ { NULL, "mitr@redhat\\.com|mitr", NULL, "https://.*" }, 0,
		  NULL },
		{ { NULL, "(", "https://github.com/login/oauth", NULL },
		  ERR_USAGE, "certificate identity: invalid identity regexp" },
		{ { NULL, NULL, "https://github.com/login/oauth", NULL },
		  ERR_USAGE, "certificate identity: no identity to match" },
	};
	X509 *leaf = file_cert(DATA "fulcio-cert");
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rc = fulcio_verify_identity(leaf, &cases[i].want);
		if (rc != cases[i].rc ||
		    (cases[i].msg && !strstr(err_msg(), cases[i].msg)))
			fail_msg("case %zu: rc %d '%s'", i, rc, err_msg());
	}
	X509_free(leaf);
}

/* Certificates of our own with malformed Fulcio extensions. */
static void test_identity_forged(void **state)
{
	static const struct {
		const char *san, *ext, *ext2, *msg;
	} cases[] = {
		{ "subjectAltName=email:a@b.c",
		  "1.3.6.1.4.1.57264.1.8=ASN1:IA5STRING:https://x",
		  NULL, "issuer extension is not one DER UTF8String" },
		{ "subjectAltName=email:a@b.c",
		  "1.3.6.1.4.1.57264.1.8=DER:0c0368747400",
		  NULL, "issuer extension is not one DER UTF8String" },
		{ "subjectAltName=email:a@b.c",
		  "1.3.6.1.4.1.57264.1.1=DER:68740a74",
		  NULL, "the OIDC issuer has control characters" },
		{ "subjectAltName=email:a@b.c",
		  "1.3.6.1.4.1.57264.1.1=DER:6874",
		  "1.3.6.1.4.1.57264.1.1=DER:6874", "appears twice" },
		{ "subjectAltName=DNS:a.example",
		  "1.3.6.1.4.1.57264.1.1=DER:6874", NULL,
		  "no URI, email or username subject alternative name" },
		{ "subjectAltName=otherName:1.2.3.4;UTF8:mitr@redhat.com",
		  "1.3.6.1.4.1.57264.1.1=DER:6874", NULL,
		  "no URI, email or username" },
		{ "subjectAltName=email:a@b.c", "keyUsage=digitalSignature",
		  NULL, "no OIDC issuer extension" },
		/* which of two a verifier would take differs: refused */
		{ "subjectAltName=URI:https://x.example/wf,email:a@b.c",
		  "1.3.6.1.4.1.57264.1.1=DER:6874", NULL,
		  "2 identities in the subject alternative names" },
		{ "subjectAltName=email:a@b.c,email:d@e.f",
		  "1.3.6.1.4.1.57264.1.1=DER:6874", NULL,
		  "2 identities" },
	};
	time_t now = time(NULL);
	EVP_PKEY *k = new_key();
	char san[FULCIO_NAME_MAX], iss[FULCIO_NAME_MAX];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *exts[] = { cases[i].san, cases[i].ext,
				       cases[i].ext2, NULL };
		X509 *x = make_cert(k, NULL, NULL, "x", now, now + 60, exts);

		if (fulcio_cert_identity(san, iss, x) != ERR_VERIFY ||
		    !strstr(err_msg(), cases[i].msg))
			fail_msg("case %zu: '%s'", i, err_msg());
		assert_int_equal(strncmp(err_msg(), "certificate identity: ",
					 22), 0);
		X509_free(x);
	}
	EVP_PKEY_free(k);
}

/* ---- certificate transparency ------------------------------------------- */

/* fulcio_verify_sct of @leaf at @at, its issuer from the chain. */
static int sct_of(const struct keys_trustroot *t, X509 *leaf, time_t at)
{
	struct keys_trustroot *prod = load_root(PROD_ROOT);
	X509 *issuer;
	int rc;

	if (fulcio_verify_chain(&issuer, prod, leaf, at) < 0 &&
	    fulcio_verify_chain(&issuer, t, leaf, at) < 0)
		fail_msg("chain: %s", err_msg());
	rc = fulcio_verify_sct(t, leaf, issuer);
	X509_free(issuer);
	keys_trustroot_free(prod);
	return rc;
}

static void test_sct(void **state)
{
	struct keys_trustroot *t = load_root(PROD_ROOT);
	X509 *leaf = file_cert(DATA "fulcio-cert"), *img = image_cert();
	X509 *js = bundle_cert(SIGSTORE_JS);

	(void)state;
	assert_int_equal(sct_of(t, leaf, T_SIGNED), 0);
	assert_int_equal(sct_of(t, img, 1674247893), 0);
	assert_int_equal(sct_of(t, js, 1692374735), 0);
	/* the wrong issuer: the SCT signs the issuer's key hash */
	assert_int_equal(fulcio_verify_sct(t, leaf, img), ERR_VERIFY);
	assert_string_equal(err_msg(), "SCT: no embedded SCT verifies with a "
			    "CT log of the trusted root (its signature does "
			    "not verify)");
	X509_free(leaf);
	X509_free(img);
	X509_free(js);
	keys_trustroot_free(t);
}

static void test_sct_forged(void **state)
{
	static const char *const plain[] = {
		LEAF_COMMON, "extendedKeyUsage=codeSigning",
		"subjectAltName=email:mitr@redhat.com", NULL
	};
	struct keys_trustroot *prod = load_root(PROD_ROOT);
	struct keys_trustroot *staging =
		load_root(DATA "staging_trusted_root.json");
	X509 *leaf = file_cert(DATA "fulcio-cert"), *issuer;
	time_t now = time(NULL);
	EVP_PKEY *cak = new_key(), *k = new_key();
	X509 *ca = make_cert(cak, NULL, NULL, "ca", now - 60, now + 600,
			     ca_exts);
	X509 *own = make_cert(k, ca, cak, "l", now - 60, now + 600, plain);
	size_t n;

	(void)state;
	/* no SCT at all */
	assert_int_equal(fulcio_verify_sct(prod, own, ca), ERR_VERIFY);
	assert_string_equal(err_msg(), "SCT: the certificate has no embedded "
			    "SCT");
	/* the real SCT copied into a certificate of our own */
	X509_add_ext(own, X509_get_ext(leaf, X509_get_ext_by_NID(leaf,
			NID_ct_precert_scts, -1)), -1);
	X509_sign(own, cak, EVP_sha256());
	assert_int_equal(fulcio_verify_sct(prod, own, ca), ERR_VERIFY);
	assert_non_null(strstr(err_msg(), "its signature does not verify"));
	/* an SCT from a log the trusted root does not hold */
	assert_int_equal(fulcio_verify_chain(&issuer, prod, leaf, T_SIGNED),
			 0);
	assert_int_equal(fulcio_verify_sct(staging, leaf, issuer), ERR_VERIFY);
	assert_string_equal(err_msg(), "SCT: no embedded SCT verifies with a "
			    "CT log of the trusted root (from a log not in the "
			    "trusted root)");
	/* a trusted root without CT logs */
	n = prod->n_ctlogs;
	prod->n_ctlogs = 0;
	assert_int_equal(fulcio_verify_sct(prod, leaf, issuer), ERR_VERIFY);
	assert_string_equal(err_msg(), "SCT: the trusted root has no CT log");
	/* the CT log's key was not yet valid when the SCT was issued */
	prod->n_ctlogs = n;
	prod->ctlogs[0].valid.start = T_SIGNED;
	prod->ctlogs[1].valid.start = T_SIGNED;
	assert_int_equal(fulcio_verify_sct(prod, leaf, issuer), ERR_VERIFY);
	assert_non_null(strstr(err_msg(), "was not valid at "
			       "2022-12-12T18:48:18Z"));
	X509_free(issuer);
	X509_free(leaf);
	X509_free(own);
	X509_free(ca);
	EVP_PKEY_free(cak);
	EVP_PKEY_free(k);
	keys_trustroot_free(prod);
	keys_trustroot_free(staging);
}

/* ---- all three, on each real certificate -------------------------------- */

static void test_cert(void **state)
{
	static const struct {
		const char *root, *cert;
		time_t at;
		struct fulcio_identity want;
	} ok[] = {
		{ PROD_ROOT, DATA "fulcio-cert", T_SIGNED,
		  { "mitr@redhat.com", NULL, "https://github.com/login/oauth",
		    NULL } },
		{ PROD_ROOT, SIGSTORE_JS, 1692374735,
		  { NULL, "https://github\\.com/sigstore/sigstore-js/"
		    "\\.github/workflows/release\\.yml@refs/heads/main", NULL,
		    "https://token\\.actions\\.githubusercontent\\.com" } },
		/* Rekor v2: the time is the bundle's RFC 3161 timestamp */
		{ DATA "staging_trusted_root.json",
		  DATA "staging-rekor-v2.txt.sigstore.json", 1749470258,
		  { "jku@goto.fi", NULL, "https://github.com/login/oauth",
		    NULL } },
		{ DATA "scaffolding_trusted_root.json", OTHERNAME, T_OTHER,
		  { "foo!oidc.local", NULL, NULL, ".*" } },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct keys_trustroot *t = load_root(ok[i].root);
		X509 *x = strstr(ok[i].cert, ".json") ?
			  bundle_cert(ok[i].cert) : file_cert(ok[i].cert);
		struct fulcio_identity other = ok[i].want;

		if (fulcio_verify_cert(t, x, ok[i].at, &ok[i].want) < 0)
			fail_msg("case %zu: %s", i, err_msg());
		other.identity = "someone@example.com";
		other.identity_re = NULL;
		assert_int_equal(fulcio_verify_cert(t, x, ok[i].at, &other),
				 ERR_VERIFY);
		assert_non_null(strstr(err_msg(), "certificate identity: "));
		assert_int_equal(fulcio_verify_cert(t, x, ok[i].at + 3600,
						    &ok[i].want), ERR_VERIFY);
		assert_non_null(strstr(err_msg(), "certificate chain: "));
		X509_free(x);
		keys_trustroot_free(t);
	}
}

/* ---- the log entry names this signature --------------------------------- */

static void cosign_entry(struct rekor_entry *e, const char *text)
{
	assert_int_equal(rekor_entry_parse_cosign(e, text, strlen(text)), 0);
}

/* tlogEntries[0] of a Sigstore bundle; its message signature into @sig
 * and @digest when they are not NULL. */
static void bundle_entry(struct rekor_entry *e, const char *path,
			 struct buf *sig, struct buf *digest)
{
	size_t len;
	char *text = slurp(path, &len);
	json_t *doc, *ms;
	const char *s;

	assert_int_equal(jx_parse(&doc, text, len, "bundle"), 0);
	assert_int_equal(rekor_entry_from_json(e, json_array_get(
		json_object_get(json_object_get(doc, "verificationMaterial"),
				"tlogEntries"), 0)), 0);
	ms = json_object_get(doc, "messageSignature");
	if (sig) {
		s = jx_str(ms, "signature");
		buf_init(sig, 0);
		assert_int_equal(b64_decode(sig, s, strlen(s)), 0);
	}
	if (digest) {
		s = jx_str(json_object_get(ms, "messageDigest"), "digest");
		buf_init(digest, 0);
		assert_int_equal(b64_decode(digest, s, strlen(s)), 0);
	}
	json_decref(doc);
	free(text);
}

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

static void test_entry_v1(void **state)
{
	struct rekor_entry e, img;
	struct buf sig;
	struct tlog_signed s;
	unsigned char md[32];
	size_t len;
	char *payload = slurp(DATA "rekor-payload", &len);
	char *set = slurp(DATA "rekor-set", &len);
	char *doc = slurp(DATA "dir-img-cosign-fulcio-rekor-valid/signature-1",
			  &len);
	X509 *leaf = file_cert(DATA "fulcio-cert"), *other = image_cert();
	json_t *j;

	(void)state;
	EVP_Digest(payload, strlen(payload), md, NULL, EVP_sha256(), NULL);
	b64_file(&sig, DATA "rekor-sig");
	s = (struct tlog_signed){ "sha256", md, 32, sig.data, sig.len, leaf,
				  NULL };
	cosign_entry(&e, set);
	assert_int_equal(tlog_check_hashedrekord(&e, &s), 0);
	/* the body of the log entry for another signature */
	assert_int_equal(jx_parse(&j, doc + 15, len - 15, "sig"), 0);
	cosign_entry(&img, jx_str(json_object_get(j, "annotations"),
				  "dev.sigstore.cosign/bundle"));
	assert_int_equal(tlog_check_hashedrekord(&img, &s), ERR_VERIFY);
	assert_string_equal(err_msg(), "log entry: its digest is not the "
			    "signed sha256 digest");
	/* another signature over the same digest, another certificate */
	sig.data[sig.len - 1] ^= 1;
	assert_int_equal(tlog_check_hashedrekord(&e, &s), ERR_VERIFY);
	assert_string_equal(err_msg(), "log entry: its signature is not this "
			    "signature");
	sig.data[sig.len - 1] ^= 1;
	s.cert = other;
	assert_int_equal(tlog_check_hashedrekord(&e, &s), ERR_VERIFY);
	assert_string_equal(err_msg(), "log entry: its certificate is not "
			    "the signing certificate");
	/* a key signer: the key of the certificate matches, another not */
	s.cert = NULL;
	s.key = X509_get0_pubkey(leaf);
	assert_int_equal(tlog_check_hashedrekord(&e, &s), 0);
	s.key = X509_get0_pubkey(other);
	assert_int_equal(tlog_check_hashedrekord(&e, &s), ERR_VERIFY);
	assert_string_equal(err_msg(), "log entry: its key is not the "
			    "signing key");
	s.cert = leaf;
	s.md = "sha512";
	assert_int_equal(tlog_check_hashedrekord(&e, &s), ERR_VERIFY);
	md[0] ^= 1;
	s.md = "sha256";
	assert_int_equal(tlog_check_hashedrekord(&e, &s), ERR_VERIFY);
	md[0] ^= 1;
	e.body.data[e.body.len / 2] = '!';
	assert_int_equal(tlog_check_hashedrekord(&e, &s), ERR_VERIFY);
	assert_int_equal(strncmp(err_msg(), "log entry: rekor body: ", 23), 0);
	json_decref(j);
	rekor_entry_release(&e);
	rekor_entry_release(&img);
	buf_release(&sig);
	X509_free(leaf);
	X509_free(other);
	free(payload);
	free(set);
	free(doc);
}

/* Rekor v2 (hashedrekord 0.0.2): the bundle's own signature and digest;
 * an entry of another kind is refused. */
static void test_entry_v2(void **state)
{
	const char *v2 = DATA "staging-rekor-v2.txt.sigstore.json";
	struct rekor_entry e;
	struct buf sig, digest;
	struct tlog_signed s;
	X509 *leaf = bundle_cert(v2);
	const char *orig;

	(void)state;
	bundle_entry(&e, v2, &sig, &digest);
	s = (struct tlog_signed){ "sha256", digest.data, digest.len, sig.data,
				  sig.len, leaf, NULL };
	assert_int_equal(tlog_check_hashedrekord(&e, &s), 0);
	digest.data[31] ^= 1;
	assert_int_equal(tlog_check_hashedrekord(&e, &s), ERR_VERIFY);
	digest.data[31] ^= 1;
	orig = e.version;
	e.version = "0.0.1";
	assert_int_equal(tlog_check_hashedrekord(&e, &s), ERR_VERIFY);
	assert_non_null(strstr(err_msg(), "log entry: version '0.0.1' is not"));
	e.version = orig;
	rekor_entry_release(&e);
	bundle_entry(&e, SIGSTORE_JS, NULL, NULL);
	assert_int_equal(tlog_check_hashedrekord(&e, &s), ERR_VERIFY);
	assert_string_equal(err_msg(), "log entry: kind 'intoto' is not "
			    "hashedrekord");
	rekor_entry_release(&e);
	buf_release(&sig);
	buf_release(&digest);
	X509_free(leaf);
}

/* ---- a keyless cosign image signature in full --------------------------- */

struct sig_doc {
	json_t *doc;
	struct buf payload;
	struct keyless_cosign in;
};

static void sig_doc_load(struct sig_doc *d)
{
	size_t len;
	char *text = slurp(DATA "dir-img-cosign-fulcio-rekor-valid/"
			   "signature-1", &len);
	json_t *ann;
	const char *p;

	assert_int_equal(jx_parse(&d->doc, text + 15, len - 15, "sig"), 0);
	free(text);
	ann = json_object_get(d->doc, "annotations");
	p = jx_str(d->doc, "payload");
	buf_init(&d->payload, 0);
	assert_int_equal(b64_decode(&d->payload, p, strlen(p)), 0);
	d->in = (struct keyless_cosign){
		d->payload.data, d->payload.len,
		jx_str(ann, "dev.cosignproject.cosign/signature"),
		jx_str(ann, "dev.sigstore.cosign/certificate"),
		jx_str(ann, "dev.sigstore.cosign/bundle"),
	};
}

static void test_cosign_keyless(void **state)
{
	static const struct fulcio_identity mitr = {
		"mitr@redhat.com", NULL, "https://github.com/login/oauth", NULL
	};
	static const struct fulcio_identity other = {
		"mitr@redhat.com", NULL, "https://accounts.google.com", NULL
	};
	struct keys_trustroot *t = load_root(PROD_ROOT);
	struct sig_doc d;
	struct keyless_cosign in;
	size_t len;
	char *set = slurp(DATA "rekor-set", &len);
	char *cert = slurp(DATA "fulcio-cert", &len);
	time_t at;

	(void)state;
	sig_doc_load(&d);
	assert_int_equal(keyless_verify_cosign(&at, t, &d.in, &mitr), 0);
	assert_int_equal(at, 1674247893);
	assert_int_equal(keyless_verify_cosign(&at, t, &d.in, &other),
			 ERR_VERIFY);
	assert_non_null(strstr(err_msg(), "certificate identity: OIDC "));
	assert_int_equal(at, 0);
	/* the Rekor bundle of another signature */
	in = d.in;
	in.bundle = set;
	assert_int_equal(keyless_verify_cosign(&at, t, &in, &mitr),
			 ERR_VERIFY);
	assert_non_null(strstr(err_msg(), "log entry: "));
	in.bundle = NULL;
	assert_int_equal(keyless_verify_cosign(&at, t, &in, &mitr),
			 ERR_VERIFY);
	assert_string_equal(err_msg(), "SET: the signature has no Rekor "
			    "bundle");
	/* another certificate: the signature does not verify with it */
	in = d.in;
	in.cert_pem = cert;
	assert_int_equal(keyless_verify_cosign(&at, t, &in, &mitr),
			 ERR_VERIFY);
	assert_string_equal(err_msg(), "signature: does not verify with the "
			    "certificate's key");
	/* another payload */
	in = d.in;
	in.payload_len--;
	assert_int_equal(keyless_verify_cosign(&at, t, &in, &mitr),
			 ERR_VERIFY);
	/* a root whose Rekor key differs: the SET fails */
	keys_trustroot_free(t);
	t = load_root(DATA "scaffolding_trusted_root.json");
	assert_int_equal(keyless_verify_cosign(&at, t, &d.in, &mitr),
			 ERR_VERIFY);
	assert_non_null(strstr(err_msg(), "SET: "));
	keys_trustroot_free(t);
	json_decref(d.doc);
	buf_release(&d.payload);
	free(set);
	free(cert);
}

/* The same signature as a ".sig" layer through verify_cosign_sig, as
 * signet verify checks it, against the built-in public-good root. */
static struct sig_report layer_check(int *rc, const struct sig_doc *d,
				     const struct verify_opts *o)
{
	static const char repo[] =
		"192.168.64.2:5000/cosign-signed/fulcio-rekor-1";
	struct sig_report s;
	struct digest image;

	memset(&s, 0, sizeof(s));
	assert_int_equal(digest_parse(&image, "sha256:0489474da8ea22426ece86"
				      "ace6c1c0026ab2fd3cdfbbd62b7e94650266"
				      "c37d9a"), 0);
	*rc = verify_cosign_sig(&d->in, &image, repo, o, &s);
	return s;
}

static void report_free(struct sig_report *s)
{
	free(s->docker_ref);
	json_decref(s->annotations);
	kvlist_release(&s->subject);
}

/* Wrong identity, wrong issuer, a regexp matching a prefix only: each
 * fails naming the identity check, the rest verified. */
static void layer_forged_identity(const struct sig_doc *d,
				  struct verify_opts *o)
{
	static const struct fulcio_identity bad[] = {
		{ "mitr@redhat.co", NULL, "https://github.com/login/oauth",
		  NULL },
		{ "mitr@redhat.com", NULL, "https://accounts.google.com",
		  NULL },
		{ NULL, "mitr@redhat", "https://github.com/login/oauth", NULL },
		{ "mitr@redhat.com", NULL, NULL, "https://github.com" },
	};
	struct sig_report s;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		o->signers = &bad[i];
		o->n_signers = 1;
		s = layer_check(&rc, d, o);
		assert_int_equal(rc, ERR_VERIFY);
		assert_true(s.keyless && s.keyless_ok && !s.valid &&
			    !s.claims_ok);
		assert_int_equal(s.signer_index, -1);
		assert_non_null(strstr(s.reason, "keyless signature: "
				       "certificate identity: "));
		assert_non_null(strstr(s.reason, i == 1 || i == 3 ?
				       "OIDC issuer" : "identity '"));
		report_free(&s);
	}
}

/* The certificate's key given as --key: it verifies the signature; with
 * --require-tlog the signature's Rekor bundle must log it with that key,
 * and the entry names the certificate: hashedrekord compares keys. */
static void test_cosign_layer_key(void **state)
{
	struct keys_trustroot *t = NULL;
	struct verify_opts o = { 0 };
	struct sig_report s;
	struct sig_doc d;
	X509 *leaf;
	EVP_PKEY *key;
	char which[4096];
	int rc;

	(void)state;
	unsetenv("SIGNET_TRUSTED_ROOT");
	assert_int_equal(keys_trustroot_select(&t, which, sizeof(which),
					       NULL), 0);
	sig_doc_load(&d);
	leaf = pem_cert(d.in.cert_pem, strlen(d.in.cert_pem));
	key = X509_get0_pubkey(leaf);
	o.keys = &key;
	o.n_keys = 1;
	s = layer_check(&rc, &d, &o);
	assert_int_equal(rc, 0);
	assert_true(s.valid && s.key_index == 0 && s.log_index == -1);
	report_free(&s);
	o.require_tlog = true;		/* no root to check the entry with */
	s = layer_check(&rc, &d, &o);
	assert_int_equal(rc, ERR_VERIFY);
	assert_non_null(strstr(s.reason, "--require-tlog"));
	assert_int_equal(s.key_index, -1);
	report_free(&s);
	o.trustroot = t;
	s = layer_check(&rc, &d, &o);
	assert_int_equal(rc, 0);
	assert_true(s.valid && s.key_index == 0);
	assert_int_equal(s.log_index, 11605770);
	assert_int_equal(s.logged_at, 1674247893);
	report_free(&s);
	d.in.bundle = NULL;		/* no entry at all */
	s = layer_check(&rc, &d, &o);
	assert_int_equal(rc, ERR_VERIFY);
	assert_non_null(strstr(s.reason, "SET: the signature has no Rekor "
			       "bundle"));
	report_free(&s);
	X509_free(leaf);
	keys_trustroot_free(t);
	json_decref(d.doc);
	buf_release(&d.payload);
}

/* A copy of @s with the first @from replaced by @to (new: free). */
static char *replaced(const char *s, const char *from, const char *to)
{
	const char *at = strstr(s, from);
	size_t n = strlen(s) + strlen(to) + 1;
	char *out = malloc(n);

	assert_non_null(at);
	assert_non_null(out);
	snprintf(out, n, "%.*s%s%s", (int)(at - s), s, to, at + strlen(from));
	return out;
}

/* Without --require-tlog, a key signature's Rekor bundle is checked when
 * the trusted root (read lazily, here the built-in public-good one) has
 * its log: the real entry verifies (its index reported), a SET that
 * does not verify and an entry logging another signature refuse the
 * key; against a root without that log (staging) the bundle is ignored,
 * but for --require-tlog. */
static void test_cosign_layer_key_logged(void **state)
{
	struct keys_trustroot_lazy prod, staging;
	struct verify_opts o = { 0 };
	struct sig_report s;
	struct sig_doc d;
	struct keyless_cosign honest;
	size_t len;
	char *other = slurp(DATA "rekor-set", &len), *bad_set;
	X509 *leaf;
	EVP_PKEY *key;
	int rc;

	(void)state;
	unsetenv("SIGNET_TRUSTED_ROOT");
	keys_trustroot_lazy_init(&prod, NULL, false);
	keys_trustroot_lazy_init(&staging, DATA "staging_trusted_root.json",
				 false);
	sig_doc_load(&d);
	honest = d.in;
	leaf = pem_cert(d.in.cert_pem, strlen(d.in.cert_pem));
	key = X509_get0_pubkey(leaf);
	o.keys = &key;
	o.n_keys = 1;
	o.tlog_root = &prod;
	d.in.bundle = NULL;		/* nothing logged: the root is not read */
	s = layer_check(&rc, &d, &o);
	assert_int_equal(rc, 0);
	assert_false(keys_trustroot_lazy_tried(&prod));
	report_free(&s);
	d.in = honest;
	s = layer_check(&rc, &d, &o);
	assert_int_equal(rc, 0);
	assert_true(s.valid && s.key_index == 0);
	assert_int_equal(s.log_index, 11605770);
	assert_int_equal(s.logged_at, 1674247893);
	assert_true(keys_trustroot_lazy_tried(&prod));
	report_free(&s);
	bad_set = replaced(honest.bundle, "\"logIndex\":11605770",
			   "\"logIndex\":11605771");
	d.in.bundle = bad_set;
	s = layer_check(&rc, &d, &o);
	assert_int_equal(rc, ERR_VERIFY);
	assert_true(!s.valid && s.key_index == -1 && !s.key[0]);
	assert_non_null(strstr(s.reason, "transparency log entry does not: "
			       "SET: "));
	report_free(&s);
	d.in.bundle = other;		/* logs another signature */
	s = layer_check(&rc, &d, &o);
	assert_int_equal(rc, ERR_VERIFY);
	assert_non_null(strstr(s.reason, "log entry: "));
	report_free(&s);
	o.tlog_root = &staging;		/* a root without that log */
	s = layer_check(&rc, &d, &o);
	assert_int_equal(rc, 0);
	assert_int_equal(s.log_index, -1);
	report_free(&s);
	o.require_tlog = true;
	d.in = honest;
	s = layer_check(&rc, &d, &o);
	assert_int_equal(rc, ERR_VERIFY);
	assert_non_null(strstr(s.reason, "--require-tlog"));
	report_free(&s);
	free(bad_set);
	free(other);
	X509_free(leaf);
	keys_trustroot_lazy_release(&prod);
	keys_trustroot_lazy_release(&staging);
	json_decref(d.doc);
	buf_release(&d.payload);
}

/* Signers with trusted roots of their own (a policy's entries): the
 * signature counts for a signer only when that signer's root verifies it
 * (the production root here, never the staging one), s->root says which;
 * a signature no signer names is still checked against the default. */
static void test_cosign_layer_roots(void **state)
{
	static const struct fulcio_identity signers[] = {
		{ "mitr@redhat.com", NULL, "https://github.com/login/oauth",
		  NULL },
		{ NULL, "mitr@redhat\\.com", "https://github.com/login/oauth",
		  NULL },
	};
	static const struct fulcio_identity other = {
		"someone@example.com", NULL, "https://github.com/login/oauth",
		NULL
	};
	struct keys_trustroot *prod = load_root(PROD_ROOT);
	struct keys_trustroot *staging =
		load_root(DATA "staging_trusted_root.json");
	const struct keys_trustroot *roots[2];
	struct verify_opts o = { 0 };
	struct sig_report s;
	struct sig_doc d;
	int rc;

	(void)state;
	sig_doc_load(&d);
	o.signers = signers;
	o.n_signers = 2;
	o.signer_roots = roots;
	/* the first signer's root is the wrong instance: the second's */
	roots[0] = staging;
	roots[1] = prod;
	s = layer_check(&rc, &d, &o);
	assert_int_equal(rc, 0);
	assert_true(s.valid && s.keyless_ok);
	assert_ptr_equal(s.root, prod);
	assert_int_equal(s.signer_index, 1);
	report_free(&s);
	/* both signers of the wrong instance: not verified */
	roots[1] = staging;
	s = layer_check(&rc, &d, &o);
	assert_int_equal(rc, ERR_VERIFY);
	assert_true(!s.valid && !s.keyless_ok && s.root == NULL);
	assert_int_equal(s.signer_index, -1);
	assert_non_null(strstr(s.reason, "keyless signature: "));
	report_free(&s);
	/* no root of its own: the default, for the second signer */
	roots[1] = NULL;
	o.trustroot = prod;
	s = layer_check(&rc, &d, &o);
	assert_int_equal(rc, 0);
	assert_ptr_equal(s.root, prod);
	assert_int_equal(s.signer_index, 1);
	report_free(&s);
	/* no signer names it: checked against the default, no signer */
	o.signers = &other;
	o.n_signers = 1;
	roots[0] = staging;
	s = layer_check(&rc, &d, &o);
	assert_int_equal(rc, ERR_VERIFY);
	assert_true(s.keyless_ok && !s.valid);
	assert_ptr_equal(s.root, prod);
	assert_int_equal(s.signer_index, -1);
	assert_non_null(strstr(s.reason, "certificate identity: "));
	report_free(&s);
	keys_trustroot_free(prod);
	keys_trustroot_free(staging);
	json_decref(d.doc);
	buf_release(&d.payload);
}

static void test_cosign_layer(void **state)
{
	static const struct fulcio_identity signers[] = {
		{ "someone@example.com", NULL, "https://github.com/login/oauth",
		  NULL },
		{ NULL, "mitr@redhat\\.com", "https://github.com/login/oauth",
		  NULL },
	};
	struct keys_trustroot *t = NULL;
	struct verify_opts o = { 0 };
	struct sig_report s;
	struct sig_doc d;
	char which[4096];
	int rc;

	(void)state;
	unsetenv("SIGNET_TRUSTED_ROOT");
	assert_int_equal(keys_trustroot_select(&t, which, sizeof(which),
					       NULL), 0);
	sig_doc_load(&d);
	/* no signer, no root: listed, never valid */
	s = layer_check(&rc, &d, &o);
	assert_int_equal(rc, ERR_VERIFY);
	assert_true(s.keyless && !s.keyless_ok && !s.valid);
	assert_string_equal(s.san, "mitr@redhat.com");
	assert_string_equal(s.issuer, "https://github.com/login/oauth");
	assert_non_null(strstr(s.reason, "nothing verified"));
	assert_non_null(s.docker_ref);	/* the claims, for list */
	report_free(&s);
	/* a root but no signer: verified but for the identity, not valid */
	o.trustroot = t;
	s = layer_check(&rc, &d, &o);
	assert_int_equal(rc, ERR_VERIFY);
	assert_true(s.keyless_ok && !s.valid && !s.claims_ok);
	assert_int_equal(s.log_index, 11605770);
	assert_non_null(strstr(s.reason, "identity not checked"));
	report_free(&s);
	/* the second signer matches, by a whole-string regexp */
	o.signers = signers;
	o.n_signers = 2;
	s = layer_check(&rc, &d, &o);
	assert_int_equal(rc, 0);
	assert_true(s.valid && s.claims_ok && s.keyless_ok);
	assert_int_equal(s.signer_index, 1);
	assert_int_equal(s.logged_at, 1674247893);
	assert_string_equal(s.reason, "");
	report_free(&s);
	layer_forged_identity(&d, &o);
	/* the signature's Rekor bundle gone: the SET check names itself */
	o.signers = &signers[1];
	o.n_signers = 1;
	d.in.bundle = NULL;
	s = layer_check(&rc, &d, &o);
	assert_int_equal(rc, ERR_VERIFY);
	assert_false(s.keyless_ok);
	assert_string_equal(s.reason, "keyless signature: SET: the signature "
			    "has no Rekor bundle");
	report_free(&s);
	keys_trustroot_free(t);
	json_decref(d.doc);
	buf_release(&d.payload);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chain),
		cmocka_unit_test(test_chain_untrusted),
		cmocka_unit_test(test_chain_own_ca),
		cmocka_unit_test(test_identity),
		cmocka_unit_test(test_identity_match),
		cmocka_unit_test(test_identity_forged),
		cmocka_unit_test(test_sct),
		cmocka_unit_test(test_sct_forged),
		cmocka_unit_test(test_cert),
		cmocka_unit_test(test_entry_v1),
		cmocka_unit_test(test_entry_v2),
		cmocka_unit_test(test_cosign_keyless),
		cmocka_unit_test(test_cosign_layer),
		cmocka_unit_test(test_cosign_layer_key),
		cmocka_unit_test(test_cosign_layer_key_logged),
		cmocka_unit_test(test_cosign_layer_roots),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
