/*
 * sigstore_instance.c - a private, offline Sigstore instance for signet's
 * tests (test code, not part of signet): a Fulcio-like certificate
 * authority, a CT log key, a Rekor log key and a timestamp authority,
 * the trusted root naming them, and keyless signatures made with them,
 * honest or forged one check at a time. Sigstore's own "scaffolding"
 * does the same with real services; this does it with files.
 *
 *   sigstore_instance init DIR
 *	New P-256 keys and certificates in DIR (created if missing):
 *	  root.{key,pem}       Fulcio root CA (self-signed)
 *	  inter.{key,pem}      Fulcio intermediate (CA:TRUE, keyCertSign)
 *	  ctlog.key rekor.key  the CT log's and the Rekor log's keys
 *	  tsa-root.{key,pem}   TSA root; tsa.{key,pem} TSA leaf (EKU
 *	                       timeStamping, critical)
 *	  u-*                  the same set again, untrusted (for forgeries)
 *	  trusted_root.json    Sigstore's trusted root naming the trusted set
 *	                       (every window starts 2020-01-01, no end)
 *	  trusted_root-rekor-expired.json   the same, but the Rekor key's
 *	                       window ends 2021-01-01 (the "log key outside
 *	                       its validity window" forgery)
 *	  trusted_root-untrusted.json       a root naming only the u-* set
 *	Certificates are valid 2020-01-01 to 2040-01-01.
 *
 *   sigstore_instance cosign DIR --payload FILE --identity SAN
 *		--issuer URL [--time UNIX] [--log-index N] [--forge KIND]...
 *	A keyless cosign signature of FILE's bytes (a simple-signing
 *	payload): an ephemeral P-256 key, a leaf certificate from
 *	inter.pem valid from --time (default now) for 600 s, with the SAN
 *	(a URI when it contains "://", else an email), the issuer in the
 *	Fulcio extensions 1.3.6.1.4.1.57264.1.8 and .1.1, and an embedded
 *	SCT from ctlog.key; the ECDSA-SHA256 signature; a hashedrekord
 *	v0.0.1 log entry integrated at --time with a SET from rekor.key.
 *	Prints one JSON object: the layer annotations cosign writes,
 *	"dev.cosignproject.cosign/signature", "dev.sigstore.cosign/
 *	certificate", "dev.sigstore.cosign/chain", "dev.sigstore.cosign/
 *	bundle".
 *
 *   sigstore_instance bundle DIR (--artifact FILE | --statement FILE)
 *		--identity SAN --issuer URL [--tsa] [--time UNIX]
 *		[--log-index N] [--forge KIND]...
 *	A Sigstore bundle v0.3 (application/vnd.dev.sigstore.bundle.v0.3+json)
 *	on stdout: the leaf as above in verificationMaterial.certificate;
 *	with --artifact a messageSignature over FILE (its SHA-256 and the
 *	ECDSA signature) and a hashedrekord 0.0.1 entry; with --statement a
 *	dsseEnvelope of FILE (an in-toto statement, payloadType
 *	application/vnd.in-toto+json, signed over the DSSE PAE) and a dsse
 *	0.0.1 entry. The one tlogEntry has the SET (inclusionPromise) and an
 *	RFC 6962 inclusion proof of the body as leaf N of a tree of N + 3
 *	leaves, with a checkpoint signed by rekor.key (C2SP signed note,
 *	key name "rekor.test", hint = the first 4 bytes of the key id).
 *	--tsa adds timestampVerificationData.rfc3161Timestamps: a
 *	TimeStampResp from tsa.pem over the signature bytes, at --time.
 *
 *   --key FILE (cosign, bundle; then --identity and --issuer are not
 *	needed): a key signature instead, made with the PEM private key
 *	FILE: no certificate; the log entry names the public key (PEM);
 *	cosign prints only the signature and bundle annotations, bundle
 *	has verificationMaterial.publicKey {"hint": "k"}.
 *
 *   --forge KIND (repeatable), each breaking one check:
 *	wrong-ca            the leaf (and chain) from the untrusted CA
 *	expired             integrated 60 s after the leaf's notAfter
 *	no-sct              no embedded SCT
 *	sct-unknown-log     the SCT from the untrusted CT log key
 *	bad-set             the SET made with the untrusted Rekor key
 *	body-other-sig      the log entry's body names another signature
 *	sig-other-payload   the signature is over other bytes (the log
 *	                    entry names that signature)
 *	proof-tampered      (bundle) the proof does not lead to the root
 *	                    hash, which the checkpoint signs
 *	checkpoint-tampered (bundle) the checkpoint's tree size changed
 *	                    after it was signed
 *	tsa-untrusted       (bundle --tsa) the timestamp from the untrusted
 *	                    TSA
 *	no-bundle           (cosign) no dev.sigstore.cosign/bundle
 *	                    annotation: nothing logged
 *	no-identity         the leaf's only SAN is a DNS name: no URI,
 *	                    email or otherName identity
 *	The log-key window forgery is a trusted root, not a signature:
 *	verify against trusted_root-rekor-expired.json.
 *
 * Exit 0, or 1 with a message on stderr.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>
#include <openssl/bn.h>
#include <openssl/ct.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ts.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#define T_2020 1577836800L	/* 2020-01-01T00:00:00Z */
#define T_2021 1609459200L
#define T_2040 2208988800L
#define OID_ISSUER_V1 "1.3.6.1.4.1.57264.1.1"
#define OID_ISSUER_V2 "1.3.6.1.4.1.57264.1.8"

static const char *g_dir;

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "sigstore_instance: ");
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	ERR_print_errors_fp(stderr);
	exit(1);
}

static void *need(void *p, const char *what)
{
	if (!p)
		die("%s failed", what);
	return p;
}

static void ok(int rc, const char *what)
{
	if (rc != 1)
		die("%s failed", what);
}

static const char *path_of(const char *name)
{
	static char buf[8][4096];
	static int i;
	char *p = buf[i++ % 8];

	if (snprintf(p, 4096, "%s/%s", g_dir, name) >= 4096)
		die("path too long");
	return p;
}

/* ---- small helpers ------------------------------------------------------- */

static char *b64(const unsigned char *d, size_t n)
{
	char *out = need(malloc(4 * ((n + 2) / 3) + 1), "malloc");

	EVP_EncodeBlock((unsigned char *)out, d, (int)n);
	return out;
}

static char *hex(const unsigned char *d, size_t n)
{
	char *out = need(malloc(2 * n + 1), "malloc");
	size_t i;

	for (i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
	return out;
}

static void sha256(unsigned char md[32], const void *d, size_t n)
{
	ok(EVP_Digest(d, n, md, NULL, EVP_sha256(), NULL), "SHA-256");
}

static unsigned char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *d = NULL;
	size_t cap = 0, n = 0, r;

	if (!f)
		die("cannot open '%s'", path);
	do {
		if (n == cap)
			d = need(realloc(d, cap = cap * 2 + 4096), "realloc");
		r = fread(d + n, 1, cap - n, f);
		n += r;
	} while (r > 0);
	fclose(f);
	*len = n;
	return d;
}

static EVP_PKEY *new_key(void)
{
	return need(EVP_EC_gen("P-256"), "P-256 key generation");
}

static void save_key(EVP_PKEY *k, const char *name)
{
	FILE *f = fopen(path_of(name), "w");

	if (!f || PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL) != 1)
		die("cannot write '%s'", path_of(name));
	fclose(f);
}

static EVP_PKEY *load_key(const char *name)
{
	FILE *f = fopen(path_of(name), "r");
	EVP_PKEY *k;

	if (!f)
		die("cannot open '%s' (run init first)", path_of(name));
	k = need(PEM_read_PrivateKey(f, NULL, NULL, NULL), name);
	fclose(f);
	return k;
}

static void save_cert(X509 *x, const char *name)
{
	FILE *f = fopen(path_of(name), "w");

	if (!f || PEM_write_X509(f, x) != 1)
		die("cannot write '%s'", path_of(name));
	fclose(f);
}

static X509 *load_cert(const char *name)
{
	FILE *f = fopen(path_of(name), "r");
	X509 *x;

	if (!f)
		die("cannot open '%s' (run init first)", path_of(name));
	x = need(PEM_read_X509(f, NULL, NULL, NULL), name);
	fclose(f);
	return x;
}

static char *cert_pem(X509 *x)
{
	BIO *b = need(BIO_new(BIO_s_mem()), "BIO");
	char *d, *out;
	long n;

	ok(PEM_write_bio_X509(b, x), "PEM");
	n = BIO_get_mem_data(b, &d);
	out = need(malloc((size_t)n + 1), "malloc");
	memcpy(out, d, (size_t)n);
	out[n] = '\0';
	BIO_free(b);
	return out;
}

/* DER SubjectPublicKeyInfo of @k, its length into *@len. */
static unsigned char *spki(EVP_PKEY *k, size_t *len)
{
	unsigned char *der = NULL;
	int n = i2d_PUBKEY(k, &der);

	if (n <= 0)
		die("SPKI encoding failed");
	*len = (size_t)n;
	return der;
}

static void key_id(unsigned char md[32], EVP_PKEY *k)
{
	size_t n;
	unsigned char *der = spki(k, &n);

	sha256(md, der, n);
	OPENSSL_free(der);
}

/* ECDSA-SHA256 (DER) of @d with @k. */
static unsigned char *sign(EVP_PKEY *k, const void *d, size_t n, size_t *len)
{
	EVP_MD_CTX *c = need(EVP_MD_CTX_new(), "EVP_MD_CTX");
	unsigned char *sig;

	ok(EVP_DigestSignInit(c, NULL, EVP_sha256(), NULL, k), "sign init");
	ok(EVP_DigestSign(c, NULL, len, d, n), "sign");
	sig = need(OPENSSL_malloc(*len), "malloc");
	ok(EVP_DigestSign(c, sig, len, d, n), "sign");
	EVP_MD_CTX_free(c);
	return sig;
}

static char *rfc3339(time_t t)
{
	static char buf[4][32];
	static int i;
	char *p = buf[i++ % 4];
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(p, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return p;
}

/* ---- certificates -------------------------------------------------------- */

struct cert_spec {
	const char *cn;			/* subject CN; NULL: empty subject */
	X509 *issuer;			/* NULL: self-signed */
	EVP_PKEY *issuer_key, *key;
	bool ca;
	const char *ku, *eku;		/* X509v3 config values, or NULL */
	time_t from, to;
};

static void add_ext(X509 *x, X509V3_CTX *ctx, int nid, const char *value)
{
	X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, ctx, nid, value);

	if (!e || X509_add_ext(x, e, -1) != 1)
		die("extension %s = %s", OBJ_nid2sn(nid), value);
	X509_EXTENSION_free(e);
}

static void add_raw_ext(X509 *x, const char *oid, const void *d, size_t n)
{
	ASN1_OBJECT *o = need(OBJ_txt2obj(oid, 1), "OID");
	ASN1_OCTET_STRING *os = need(ASN1_OCTET_STRING_new(), "octets");
	X509_EXTENSION *e;

	ok(ASN1_OCTET_STRING_set(os, d, (int)n), "octets");
	e = need(X509_EXTENSION_create_by_OBJ(NULL, o, 0, os), "extension");
	ok(X509_add_ext(x, e, -1), "add extension");
	X509_EXTENSION_free(e);
	ASN1_OCTET_STRING_free(os);
	ASN1_OBJECT_free(o);
}

static void set_serial(X509 *x)
{
	BIGNUM *bn = need(BN_new(), "BN");

	ok(BN_rand(bn, 127, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY), "BN_rand");
	need(BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)), "serial");
	BN_free(bn);
}

/* An unsigned certificate of @s (the caller adds more, then signs). */
static X509 *cert_start(const struct cert_spec *s, X509V3_CTX *ctx)
{
	X509 *x = need(X509_new(), "X509_new");
	X509_NAME *n = X509_get_subject_name(x);

	ok(X509_set_version(x, 2), "version");
	set_serial(x);
	if (s->cn)
		ok(X509_NAME_add_entry_by_txt(n, "O", MBSTRING_ASC,
			(const unsigned char *)"signet-test", -1, -1, 0), "O");
	if (s->cn)
		ok(X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
			(const unsigned char *)s->cn, -1, -1, 0), "CN");
	ok(X509_set_issuer_name(x, s->issuer ? X509_get_subject_name(
			s->issuer) : n), "issuer");
	need(ASN1_TIME_set(X509_getm_notBefore(x), s->from), "notBefore");
	need(ASN1_TIME_set(X509_getm_notAfter(x), s->to), "notAfter");
	ok(X509_set_pubkey(x, s->key), "pubkey");
	X509V3_set_ctx(ctx, s->issuer ? s->issuer : x, x, NULL, NULL, 0);
	add_ext(x, ctx, NID_basic_constraints, s->ca ? "critical,CA:TRUE" :
		"critical,CA:FALSE");
	if (s->ku)
		add_ext(x, ctx, NID_key_usage, s->ku);
	if (s->eku)
		add_ext(x, ctx, NID_ext_key_usage, s->eku);
	add_ext(x, ctx, NID_subject_key_identifier, "hash");
	if (s->issuer)
		add_ext(x, ctx, NID_authority_key_identifier, "keyid:always");
	return x;
}

static void cert_sign(X509 *x, EVP_PKEY *k)
{
	if (X509_sign(x, k, EVP_sha256()) <= 0)
		die("certificate signing failed");
}

static X509 *make_cert(const struct cert_spec *s)
{
	X509V3_CTX ctx;
	X509 *x = cert_start(s, &ctx);

	cert_sign(x, s->issuer_key ? s->issuer_key : s->key);
	return x;
}

/* ---- init ---------------------------------------------------------------- */

/* One set of keys and certificates, names prefixed with @p ("" or "u-"). */
static void init_set(const char *p)
{
	char name[64];
	EVP_PKEY *rk = new_key(), *ik = new_key(), *trk = new_key(),
		 *tk = new_key();
	struct cert_spec s = { NULL, NULL, NULL, rk, true,
			       "critical,keyCertSign,cRLSign", NULL, T_2020,
			       T_2040 };
	X509 *root, *inter, *troot, *tsa;

	snprintf(name, sizeof(name), "%ssigstore root", p);
	s.cn = name;
	root = make_cert(&s);
	s = (struct cert_spec){ "sigstore-intermediate", root, rk, ik, true,
				"critical,keyCertSign,cRLSign",
				"codeSigning", T_2020, T_2040 };
	inter = make_cert(&s);
	s = (struct cert_spec){ "tsa root", NULL, NULL, trk, true,
				"critical,keyCertSign,cRLSign", NULL, T_2020,
				T_2040 };
	troot = make_cert(&s);
	s = (struct cert_spec){ "tsa", troot, trk, tk, false,
				"critical,digitalSignature",
				"critical,timeStamping", T_2020, T_2040 };
	tsa = make_cert(&s);
#define SAVE(fn, obj, base) \
	do { snprintf(name, sizeof(name), "%s" base, p); fn(obj, name); } \
	while (0)
	SAVE(save_key, rk, "root.key");
	SAVE(save_cert, root, "root.pem");
	SAVE(save_key, ik, "inter.key");
	SAVE(save_cert, inter, "inter.pem");
	SAVE(save_key, trk, "tsa-root.key");
	SAVE(save_cert, troot, "tsa-root.pem");
	SAVE(save_key, tk, "tsa.key");
	SAVE(save_cert, tsa, "tsa.pem");
	SAVE(save_key, new_key(), "ctlog.key");
	SAVE(save_key, new_key(), "rekor.key");
#undef SAVE
}

static json_t *window(time_t start, time_t end)
{
	json_t *w = json_pack("{s:s}", "start", rfc3339(start));

	if (end)
		json_object_set_new(w, "end", json_string(rfc3339(end)));
	return w;
}

static json_t *log_json(EVP_PKEY *k, const char *url, time_t end)
{
	unsigned char md[32];
	size_t n;
	unsigned char *der = spki(k, &n);
	char *raw = b64(der, n), *id;
	json_t *j;

	sha256(md, der, n);
	id = b64(md, 32);
	j = json_pack("{s:s,s:s,s:{s:s,s:s,s:o},s:{s:s}}", "baseUrl", url,
		      "hashAlgorithm", "SHA2_256", "publicKey", "rawBytes",
		      raw, "keyDetails", "PKIX_ECDSA_P256_SHA_256",
		      "validFor", window(T_2020, end), "logId", "keyId", id);
	free(raw);
	free(id);
	OPENSSL_free(der);
	return need(j, "log JSON");
}

static json_t *cert_json(X509 *x)
{
	unsigned char *der = NULL;
	int n = i2d_X509(x, &der);
	char *s;
	json_t *j;

	if (n <= 0)
		die("certificate encoding failed");
	s = b64(der, (size_t)n);
	j = json_pack("{s:s}", "rawBytes", s);
	free(s);
	OPENSSL_free(der);
	return j;
}

static json_t *ca_json(X509 *leaf, X509 *root, const char *org,
		       const char *url)
{
	return need(json_pack("{s:{s:s,s:s},s:s,s:{s:[o,o]},s:o}", "subject",
			      "organization", org, "commonName", org, "uri",
			      url, "certChain", "certificates",
			      cert_json(leaf), cert_json(root), "validFor",
			      window(T_2020, 0)), "CA JSON");
}

/* The trusted root of the set @p, the Rekor key's window ending at
 * @rekor_end (0: open), into @file. */
static void write_root(const char *p, time_t rekor_end, const char *file)
{
	char n[8][64];
	json_t *j;
	int i;
	static const char *const base[] = { "rekor.key", "ctlog.key",
		"inter.pem", "root.pem", "tsa.pem", "tsa-root.pem" };

	for (i = 0; i < 6; i++)
		snprintf(n[i], sizeof(n[i]), "%s%s", p, base[i]);
	j = json_pack("{s:s,s:[o],s:[o],s:[o],s:[o]}", "mediaType",
		      "application/vnd.dev.sigstore.trustedroot+json;"
		      "version=0.1",
		      "tlogs", log_json(load_key(n[0]), "https://rekor.test",
					rekor_end),
		      "certificateAuthorities", ca_json(load_cert(n[2]),
			load_cert(n[3]), "signet-test", "https://fulcio.test"),
		      "ctlogs", log_json(load_key(n[1]), "https://ctfe.test",
					 0),
		      "timestampAuthorities", ca_json(load_cert(n[4]),
			load_cert(n[5]), "signet-test-tsa",
			"https://tsa.test"));
	if (!j || json_dump_file(j, path_of(file), JSON_INDENT(2)) != 0)
		die("cannot write '%s'", path_of(file));
	json_decref(j);
}

static int cmd_init(int argc, char **argv)
{
	if (argc != 3)
		die("usage: init DIR");
	g_dir = argv[2];
	if (mkdir(g_dir, 0700) != 0 && access(g_dir, W_OK) != 0)
		die("cannot create '%s'", g_dir);
	init_set("");
	init_set("u-");
	write_root("", 0, "trusted_root.json");
	write_root("", T_2021, "trusted_root-rekor-expired.json");
	write_root("u-", 0, "trusted_root-untrusted.json");
	return 0;
}

/* ---- signing: certificate, signature, log entry ------------------------- */

enum {
	F_WRONG_CA = 1 << 0, F_EXPIRED = 1 << 1, F_NO_SCT = 1 << 2,
	F_SCT_UNKNOWN = 1 << 3, F_BAD_SET = 1 << 4, F_BODY_OTHER = 1 << 5,
	F_SIG_OTHER = 1 << 6, F_PROOF_TAMPERED = 1 << 7,
	F_CHECKPOINT_TAMPERED = 1 << 8, F_TSA_UNTRUSTED = 1 << 9,
	F_NO_BUNDLE = 1 << 10, F_NO_IDENTITY = 1 << 11,
};

static const struct {
	const char *name;
	unsigned flag;
} forges[] = {
	{ "wrong-ca", F_WRONG_CA }, { "expired", F_EXPIRED },
	{ "no-sct", F_NO_SCT }, { "sct-unknown-log", F_SCT_UNKNOWN },
	{ "bad-set", F_BAD_SET }, { "body-other-sig", F_BODY_OTHER },
	{ "sig-other-payload", F_SIG_OTHER },
	{ "proof-tampered", F_PROOF_TAMPERED },
	{ "checkpoint-tampered", F_CHECKPOINT_TAMPERED },
	{ "tsa-untrusted", F_TSA_UNTRUSTED }, { "no-bundle", F_NO_BUNDLE },
	{ "no-identity", F_NO_IDENTITY },
};

struct sign_opts {
	const char *payload, *statement, *identity, *issuer;
	const char *key;		/* --key: a key signature */
	time_t time;
	long long log_index;
	unsigned forge;
	bool tsa;
};

static void put_u(unsigned char **p, uint64_t v, int bytes)
{
	while (bytes-- > 0)
		*(*p)++ = (unsigned char)(v >> (8 * bytes));
}

/* RFC 6962 3.2: the SCT over the precertificate entry of @x (signed
 * already, so that its TBS is final but for the SCT list), by @ct, then
 * the SCT list extension added. The caller signs @x again. */
static void add_sct(X509 *x, X509 *issuer, EVP_PKEY *ct, time_t t)
{
	unsigned char *tbs = NULL, ikh[32], id[32], *buf, *p, *sig;
	int n = i2d_re_X509_tbs(x, &tbs);
	size_t siglen;
	uint64_t ms = (uint64_t)t * 1000;
	SCT *sct = need(SCT_new(), "SCT_new");
	STACK_OF(SCT) *list = need(sk_SCT_new_null(), "SCT list");

	if (n <= 0)
		die("TBS encoding failed");
	key_id(ikh, X509_get0_pubkey(issuer));
	key_id(id, ct);
	p = buf = need(malloc((size_t)n + 64), "malloc");
	put_u(&p, 0, 1);		/* version v1 */
	put_u(&p, 0, 1);		/* certificate_timestamp */
	put_u(&p, ms, 8);
	put_u(&p, 1, 2);		/* precert_entry */
	memcpy(p, ikh, 32);
	p += 32;
	put_u(&p, (uint64_t)n, 3);
	memcpy(p, tbs, (size_t)n);
	p += n;
	put_u(&p, 0, 2);		/* no extensions */
	sig = sign(ct, buf, (size_t)(p - buf), &siglen);
	ok(SCT_set_version(sct, SCT_VERSION_V1), "SCT version");
	ok(SCT_set_log_entry_type(sct, CT_LOG_ENTRY_TYPE_PRECERT), "SCT type");
	ok(SCT_set1_log_id(sct, id, 32), "SCT log id");
	SCT_set_timestamp(sct, ms);
	ok(SCT_set_signature_nid(sct, NID_ecdsa_with_SHA256), "SCT alg");
	ok(SCT_set1_signature(sct, sig, siglen), "SCT signature");
	if (!sk_SCT_push(list, sct))
		die("SCT list");
	ok(X509_add1_ext_i2d(x, NID_ct_precert_scts, list, 0,
			     X509V3_ADD_APPEND), "SCT list extension");
	SCT_LIST_free(list);
	OPENSSL_free(sig);
	OPENSSL_free(tbs);
	free(buf);
}

/* The Fulcio-like leaf for @key, issued by @inter/@ik. */
static X509 *make_leaf(const struct sign_opts *o, EVP_PKEY *key, X509 *inter,
		       EVP_PKEY *ik, EVP_PKEY *ct)
{
	struct cert_spec s = { NULL, inter, ik, key, false,
			       "critical,digitalSignature", "codeSigning",
			       o->time, o->time + 600 };
	X509V3_CTX ctx;
	X509 *x = cert_start(&s, &ctx);
	ASN1_UTF8STRING *u = need(ASN1_UTF8STRING_new(), "UTF8String");
	unsigned char *der = NULL;
	char san[1100];
	int n;

	if (o->forge & F_NO_IDENTITY)	/* a name, but no identity kind */
		snprintf(san, sizeof(san), "critical,DNS:signer.example");
	else
		snprintf(san, sizeof(san), "critical,%s:%s",
			 strstr(o->identity, "://") ? "URI" : "email",
			 o->identity);
	add_ext(x, &ctx, NID_subject_alt_name, san);
	add_raw_ext(x, OID_ISSUER_V1, o->issuer, strlen(o->issuer));
	ok(ASN1_STRING_set(u, o->issuer, (int)strlen(o->issuer)), "UTF8");
	if ((n = i2d_ASN1_UTF8STRING(u, &der)) <= 0)
		die("UTF8String encoding failed");
	add_raw_ext(x, OID_ISSUER_V2, der, (size_t)n);
	OPENSSL_free(der);
	ASN1_UTF8STRING_free(u);
	cert_sign(x, ik);
	if (!(o->forge & F_NO_SCT)) {
		add_sct(x, inter, ct, o->time);
		cert_sign(x, ik);
	}
	return x;
}

static char *canonical(json_t *j)
{
	char *s = need(json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS), "JSON");

	json_decref(j);
	return s;
}

/* The hashedrekord v0.0.1 body, canonical JSON (keys sorted, compact). */
static char *hashedrekord(const unsigned char md[32], const char *sig_b64,
			  const char *pem_b64)
{
	char *h = hex(md, 32), *out;

	out = canonical(json_pack("{s:s,s:s,s:{s:{s:{s:s,s:s}},s:{s:s,s:{s:s}"
				  "}}}", "apiVersion", "0.0.1", "kind",
				  "hashedrekord", "spec", "data", "hash",
				  "algorithm", "sha256", "value", h,
				  "signature", "content", sig_b64,
				  "publicKey", "content", pem_b64));
	free(h);
	return out;
}

/* The dsse v0.0.1 body of @envelope (canonical JSON). */
static char *dsse_body(const char *envelope, const void *payload, size_t n,
		       const char *sig_b64, const char *pem_b64)
{
	unsigned char eh[32], ph[32];
	char *e, *p, *out;

	sha256(eh, envelope, strlen(envelope));
	sha256(ph, payload, n);
	e = hex(eh, 32);
	p = hex(ph, 32);
	out = canonical(json_pack("{s:s,s:s,s:{s:{s:s,s:s},s:{s:s,s:s},s:[{s:s,"
				  "s:s}]}}", "apiVersion", "0.0.1", "kind",
				  "dsse", "spec", "envelopeHash", "algorithm",
				  "sha256", "value", e, "payloadHash",
				  "algorithm", "sha256", "value", p,
				  "signatures", "signature", sig_b64,
				  "verifier", pem_b64));
	free(e);
	free(p);
	return out;
}

/* What was signed, by which certificate, and how the log saw it. */
struct signed_thing {
	X509 *leaf, *inter, *root;
	unsigned char *sig, md[32];	/* md: of the payload / artifact */
	size_t siglen;
	char *sig_b64, *body, *envelope;	/* envelope: DSSE or NULL */
	char *body_b64, *id_b64, *id_hex, *set_b64;
	json_int_t integrated;
};

/* The DSSE envelope of the statement (sig over PAE), into @s. */
static char *sign_dsse(struct signed_thing *s, const struct sign_opts *o,
		       EVP_PKEY *key, const char *pem_b64)
{
	static const char type[] = "application/vnd.in-toto+json";
	size_t n, paelen;
	unsigned char *stmt = read_all(o->statement, &n);
	char *pae = need(malloc(n + 128), "malloc"), *stmt_b64, *other, *body;
	size_t otherlen;
	unsigned char *osig;

	paelen = (size_t)snprintf(pae, 128, "DSSEv1 %zu %s %zu ",
				  strlen(type), type, n);
	memcpy(pae + paelen, stmt, n);
	paelen += n;
	sha256(s->md, stmt, n);
	s->sig = o->forge & F_SIG_OTHER ? sign(key, "other bytes", 11,
					       &s->siglen) :
		 sign(key, pae, paelen, &s->siglen);
	s->sig_b64 = b64(s->sig, s->siglen);
	stmt_b64 = b64(stmt, n);
	s->envelope = canonical(json_pack("{s:s,s:s,s:[{s:s,s:s}]}",
					  "payload", stmt_b64, "payloadType",
					  type, "signatures", "keyid", "",
					  "sig", s->sig_b64));
	osig = sign(key, "another signature", 17, &otherlen);
	other = b64(osig, otherlen);
	body = dsse_body(s->envelope, stmt, n, o->forge & F_BODY_OTHER ?
			 other : s->sig_b64, pem_b64);
	free(other);
	OPENSSL_free(osig);
	free(stmt_b64);
	free(stmt);
	free(pae);
	return body;
}

/* A hashedrekord signature of the payload (artifact), into @s. */
static char *sign_plain(struct signed_thing *s, const struct sign_opts *o,
			EVP_PKEY *key, const char *pem_b64)
{
	size_t n, otherlen;
	unsigned char *payload = read_all(o->payload, &n), *osig;
	char *other, *body;

	sha256(s->md, payload, n);
	s->sig = o->forge & F_SIG_OTHER ? sign(key, "other bytes", 11,
					       &s->siglen) :
		 sign(key, payload, n, &s->siglen);
	s->sig_b64 = b64(s->sig, s->siglen);
	osig = sign(key, "another signature", 17, &otherlen);
	other = b64(osig, otherlen);
	body = hashedrekord(s->md, o->forge & F_BODY_OTHER ? other :
			    s->sig_b64, pem_b64);
	free(other);
	OPENSSL_free(osig);
	free(payload);
	return body;
}

/* The log's view: body, log id, integrated time and its SET. */
static void log_entry(struct signed_thing *s, const struct sign_opts *o)
{
	EVP_PKEY *rk = load_key("rekor.key");
	EVP_PKEY *setk = load_key(o->forge & F_BAD_SET ? "u-rekor.key" :
				  "rekor.key");
	unsigned char id[32], *sig;
	size_t siglen;
	char *payload;

	s->integrated = (json_int_t)o->time + (o->forge & F_EXPIRED ? 660 : 0);
	s->body_b64 = b64((const unsigned char *)s->body, strlen(s->body));
	key_id(id, rk);
	s->id_hex = hex(id, 32);
	s->id_b64 = b64(id, 32);
	payload = canonical(json_pack("{s:s,s:I,s:s,s:I}", "body",
				      s->body_b64, "integratedTime",
				      s->integrated, "logID", s->id_hex,
				      "logIndex", (json_int_t)o->log_index));
	sig = sign(setk, payload, strlen(payload), &siglen);
	s->set_b64 = b64(sig, siglen);
	OPENSSL_free(sig);
	free(payload);
	EVP_PKEY_free(rk);
	EVP_PKEY_free(setk);
}

/* The PEM of @k's public key, NUL-terminated. */
static char *pubkey_pem(EVP_PKEY *k)
{
	BIO *b = need(BIO_new(BIO_s_mem()), "BIO");
	char *d, *out;
	long n;

	ok(PEM_write_bio_PUBKEY(b, k), "PEM");
	n = BIO_get_mem_data(b, &d);
	out = need(malloc((size_t)n + 1), "malloc");
	memcpy(out, d, (size_t)n);
	out[n] = '\0';
	BIO_free(b);
	return out;
}

/* --key: signed with the key in o->key, logged with its public key. */
static void sign_with_key(struct signed_thing *s, const struct sign_opts *o)
{
	FILE *f = fopen(o->key, "r");
	EVP_PKEY *key;
	char *pem, *pem_b64;

	if (!f)
		die("cannot open '%s'", o->key);
	key = need(PEM_read_PrivateKey(f, NULL, NULL, NULL), o->key);
	fclose(f);
	memset(s, 0, sizeof(*s));
	pem = pubkey_pem(key);
	pem_b64 = b64((const unsigned char *)pem, strlen(pem));
	s->body = o->statement ? sign_dsse(s, o, key, pem_b64) :
		  sign_plain(s, o, key, pem_b64);
	log_entry(s, o);
	free(pem);
	free(pem_b64);
	EVP_PKEY_free(key);
}

static void sign_thing(struct signed_thing *s, const struct sign_opts *o)
{
	const char *u = o->forge & F_WRONG_CA ? "u-" : "";
	char n[3][32], *pem, *pem_b64;
	EVP_PKEY *key, *ik, *ct;

	if (o->key) {
		sign_with_key(s, o);
		return;
	}
	key = new_key();
	memset(s, 0, sizeof(*s));
	snprintf(n[0], sizeof(n[0]), "%sinter.key", u);
	snprintf(n[1], sizeof(n[1]), "%sinter.pem", u);
	snprintf(n[2], sizeof(n[2]), "%sroot.pem", u);
	ik = load_key(n[0]);
	s->inter = load_cert(n[1]);
	s->root = load_cert(n[2]);
	ct = load_key(o->forge & F_SCT_UNKNOWN ? "u-ctlog.key" : "ctlog.key");
	s->leaf = make_leaf(o, key, s->inter, ik, ct);
	pem = cert_pem(s->leaf);
	pem_b64 = b64((const unsigned char *)pem, strlen(pem));
	s->body = o->statement ? sign_dsse(s, o, key, pem_b64) :
		  sign_plain(s, o, key, pem_b64);
	log_entry(s, o);
	free(pem);
	free(pem_b64);
	EVP_PKEY_free(key);
	EVP_PKEY_free(ik);
	EVP_PKEY_free(ct);
}

static void parse_sign_opts(struct sign_opts *o, int argc, char **argv)
{
	int i;
	size_t k;

	*o = (struct sign_opts){ .time = time(NULL), .log_index = 1 };
	for (i = 3; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--tsa") == 0) {
			o->tsa = true;
			continue;
		}
		if (!v)
			die("%s: needs a value", a);
		i++;
		if (strcmp(a, "--payload") == 0 || strcmp(a, "--artifact") == 0)
			o->payload = v;
		else if (strcmp(a, "--statement") == 0)
			o->statement = v;
		else if (strcmp(a, "--identity") == 0)
			o->identity = v;
		else if (strcmp(a, "--issuer") == 0)
			o->issuer = v;
		else if (strcmp(a, "--key") == 0)
			o->key = v;
		else if (strcmp(a, "--time") == 0)
			o->time = (time_t)strtoll(v, NULL, 10);
		else if (strcmp(a, "--log-index") == 0)
			o->log_index = strtoll(v, NULL, 10);
		else if (strcmp(a, "--forge") == 0) {
			for (k = 0; k < sizeof(forges) / sizeof(forges[0]); k++)
				if (strcmp(v, forges[k].name) == 0)
					break;
			if (k == sizeof(forges) / sizeof(forges[0]))
				die("--forge %s: unknown", v);
			o->forge |= forges[k].flag;
		} else
			die("unknown option '%s'", a);
	}
	if ((!o->payload && !o->statement) ||
	    (!o->key && (!o->identity || !o->issuer)))
		die("needs --payload, --artifact or --statement, --identity "
		    "and --issuer");
	if (o->log_index < 0 || o->log_index > 100000)
		die("--log-index: 0 to 100000");
}

/* ---- cosign -------------------------------------------------------------- */

static int cmd_cosign(int argc, char **argv)
{
	struct sign_opts o;
	struct signed_thing s;
	char *leaf, *chain, *bundle;
	json_t *j;

	if (argc < 3)
		die("usage: cosign DIR --payload FILE --identity SAN "
		    "--issuer URL [--time UNIX] [--forge KIND]...");
	g_dir = argv[2];
	parse_sign_opts(&o, argc, argv);
	if (o.statement || !o.payload)
		die("cosign: --payload FILE (a simple-signing payload)");
	sign_thing(&s, &o);
	leaf = s.leaf ? cert_pem(s.leaf) : NULL;
	chain = need(malloc(8192), "malloc");
	if (s.leaf)
		snprintf(chain, 8192, "%s%s", cert_pem(s.inter),
			 cert_pem(s.root));
	bundle = need(json_dumps(json_pack("{s:s,s:{s:s,s:I,s:I,s:s}}",
		"SignedEntryTimestamp", s.set_b64, "Payload", "body",
		s.body_b64, "integratedTime", s.integrated, "logIndex",
		(json_int_t)o.log_index, "logID", s.id_hex), JSON_COMPACT),
		"bundle JSON");
	j = leaf ? json_pack("{s:s,s:s,s:s}",
			     "dev.cosignproject.cosign/signature", s.sig_b64,
			     "dev.sigstore.cosign/certificate", leaf,
			     "dev.sigstore.cosign/chain", chain) :
	    json_pack("{s:s}", "dev.cosignproject.cosign/signature",
		      s.sig_b64);
	if (j && !(o.forge & F_NO_BUNDLE))
		json_object_set_new(j, "dev.sigstore.cosign/bundle",
				    json_string(bundle));
	if (!j || json_dumpf(j, stdout, JSON_COMPACT) != 0)
		die("cannot print the annotations");
	printf("\n");
	json_decref(j);
	return 0;
}

/* ---- bundle: inclusion proof, checkpoint, timestamp ---------------------- */

/* RFC 6962 2.1: the Merkle tree hash of @n leaf hashes. */
static void mth(unsigned char out[32], unsigned char (*leaves)[32], size_t n)
{
	unsigned char buf[65];
	size_t k = 1;

	if (n == 1) {
		memcpy(out, leaves[0], 32);
		return;
	}
	while (k * 2 < n)
		k *= 2;
	buf[0] = 0x01;
	mth(buf + 1, leaves, k);
	mth(buf + 33, leaves + k, n - k);
	sha256(out, buf, 65);
}

/* RFC 6962 2.1.1: the audit path of leaf @m of @n, leaf to root,
 * appended to @path (base64 strings). */
static void audit_path(json_t *path, size_t m, unsigned char (*leaves)[32],
		       size_t n)
{
	unsigned char h[32];
	size_t k = 1;
	char *b;

	if (n <= 1)
		return;
	while (k * 2 < n)
		k *= 2;
	if (m < k) {
		audit_path(path, m, leaves, k);
		mth(h, leaves + k, n - k);
	} else {
		audit_path(path, m - k, leaves + k, n - k);
		mth(h, leaves, k);
	}
	b = b64(h, 32);
	json_array_append_new(path, json_string(b));
	free(b);
}

/* A Rekor v1 checkpoint (C2SP signed note) of @root over @size leaves,
 * signed by @rk: key hint = the first 4 bytes of its key id. Tampered:
 * the tree size changed after signing. */
static char *checkpoint(const unsigned char root[32], size_t size,
			EVP_PKEY *rk, bool tamper)
{
	static const char origin[] = "rekor.test - 1234567890";
	char text[512], *root_b64 = b64(root, 32), *sig_b64, *out;
	unsigned char id[32], *sig, *hs;
	size_t siglen, n;

	n = (size_t)snprintf(text, sizeof(text), "%s\n%zu\n%s\n", origin,
			     size, root_b64);
	sig = sign(rk, text, n, &siglen);
	key_id(id, rk);
	hs = need(malloc(siglen + 4), "malloc");
	memcpy(hs, id, 4);
	memcpy(hs + 4, sig, siglen);
	sig_b64 = b64(hs, siglen + 4);
	if (tamper)
		n = (size_t)snprintf(text, sizeof(text), "%s\n%zu\n%s\n",
				     origin, size + 1, root_b64);
	n += strlen(sig_b64) + sizeof(origin) + 16;
	out = need(malloc(n), "malloc");
	/* the key name has no spaces; the origin is "NAME - TREE_ID" */
	snprintf(out, n, "%s\n\xe2\x80\x94 rekor.test %s\n", text, sig_b64);
	free(root_b64);
	free(sig_b64);
	free(hs);
	OPENSSL_free(sig);
	return out;
}

/* The inclusion proof of @s's body as leaf log_index of a tree of
 * log_index + 3 leaves (the others random), with its checkpoint. */
static json_t *inclusion_proof(const struct sign_opts *o,
			       const struct signed_thing *s)
{
	size_t n = (size_t)o->log_index + 3, m = (size_t)o->log_index, i;
	size_t blen = strlen(s->body);
	unsigned char (*leaves)[32] = need(calloc(n, 32), "calloc"), root[32];
	unsigned char *lb = need(malloc(blen + 1), "malloc");
	EVP_PKEY *rk = load_key("rekor.key");
	json_t *path = json_array(), *j;
	char *root_b64, *cp, idx[32], size[32];

	lb[0] = 0x00;
	memcpy(lb + 1, s->body, blen);
	for (i = 0; i < n; i++)
		if (i == m)
			sha256(leaves[i], lb, blen + 1);
		else
			ok(RAND_bytes(leaves[i], 32), "RAND_bytes");
	mth(root, leaves, n);
	audit_path(path, m, leaves, n);
	if (o->forge & F_PROOF_TAMPERED) {	/* root of another leaf */
		leaves[m][0] ^= 1;
		mth(root, leaves, n);
	}
	cp = checkpoint(root, n, rk, o->forge & F_CHECKPOINT_TAMPERED);
	root_b64 = b64(root, 32);
	snprintf(idx, sizeof(idx), "%lld", o->log_index);
	snprintf(size, sizeof(size), "%zu", n);
	j = json_pack("{s:s,s:s,s:s,s:o,s:{s:s}}", "logIndex", idx,
		      "rootHash", root_b64, "treeSize", size, "hashes", path,
		      "checkpoint", "envelope", cp);
	free(root_b64);
	free(cp);
	free(lb);
	free(leaves);
	EVP_PKEY_free(rk);
	return need(j, "inclusion proof JSON");
}

static int tsa_time(TS_RESP_CTX *ctx, void *data, long *sec, long *usec)
{
	(void)ctx;
	*sec = (long)*(const time_t *)data;
	*usec = 0;
	return 1;
}

/* An RFC 3161 TimeStampResp over @d (SHA-256), base64. */
static char *tsa_token(const struct sign_opts *o, const void *d, size_t n)
{
	const bool u = o->forge & F_TSA_UNTRUSTED;
	EVP_PKEY *k = load_key(u ? "u-tsa.key" : "tsa.key");
	X509 *c = load_cert(u ? "u-tsa.pem" : "tsa.pem");
	TS_RESP_CTX *ctx = need(TS_RESP_CTX_new(), "TS_RESP_CTX");
	TS_REQ *req = need(TS_REQ_new(), "TS_REQ");
	TS_MSG_IMPRINT *mi = need(TS_MSG_IMPRINT_new(), "imprint");
	X509_ALGOR *alg = need(X509_ALGOR_new(), "X509_ALGOR");
	ASN1_OBJECT *policy = need(OBJ_txt2obj("1.3.6.1.4.1.57264.2", 1), "OID");
	BIO *b = need(BIO_new(BIO_s_mem()), "BIO");
	unsigned char md[32], *der = NULL;
	TS_RESP *resp;
	int len;
	char *out;

	sha256(md, d, n);
	ok(X509_ALGOR_set0(alg, OBJ_nid2obj(NID_sha256), V_ASN1_NULL, NULL),
	   "algorithm");
	ok(TS_MSG_IMPRINT_set_algo(mi, alg), "imprint algorithm");
	ok(TS_MSG_IMPRINT_set_msg(mi, md, 32), "imprint");
	ok(TS_REQ_set_version(req, 1), "TS version");
	ok(TS_REQ_set_msg_imprint(req, mi), "TS imprint");
	ok(TS_REQ_set_cert_req(req, 1), "TS cert_req");
	ok(i2d_TS_REQ_bio(b, req), "TS request");
	ok(TS_RESP_CTX_set_signer_cert(ctx, c), "TSA certificate");
	ok(TS_RESP_CTX_set_signer_key(ctx, k), "TSA key");
	ok(TS_RESP_CTX_set_def_policy(ctx, policy), "TSA policy");
	ok(TS_RESP_CTX_add_md(ctx, EVP_sha256()), "TSA digest");
	ok(TS_RESP_CTX_set_signer_digest(ctx, EVP_sha256()), "TSA digest");
	TS_RESP_CTX_set_time_cb(ctx, tsa_time, (void *)&o->time);
	resp = need(TS_RESP_create_response(ctx, b), "TS response");
	if (ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(
			TS_RESP_get_status_info(resp))) != 0)
		die("the TSA refused the request");
	if ((len = i2d_TS_RESP(resp, &der)) <= 0)
		die("TS response encoding");
	out = b64(der, (size_t)len);
	OPENSSL_free(der);
	TS_RESP_free(resp);
	BIO_free(b);
	ASN1_OBJECT_free(policy);
	X509_ALGOR_free(alg);
	TS_MSG_IMPRINT_free(mi);
	TS_REQ_free(req);
	TS_RESP_CTX_free(ctx);
	X509_free(c);
	EVP_PKEY_free(k);
	return out;
}

static json_t *tlog_entry(const struct sign_opts *o,
			  const struct signed_thing *s)
{
	char idx[32], t[32];

	snprintf(idx, sizeof(idx), "%lld", o->log_index);
	snprintf(t, sizeof(t), "%lld", (long long)s->integrated);
	return need(json_pack("{s:s,s:{s:s},s:{s:s,s:s},s:s,s:{s:s},s:o,s:s}",
			      "logIndex", idx, "logId", "keyId", s->id_b64,
			      "kindVersion", "kind", s->envelope ? "dsse" :
			      "hashedrekord", "version", "0.0.1",
			      "integratedTime", t, "inclusionPromise",
			      "signedEntryTimestamp", s->set_b64,
			      "inclusionProof", inclusion_proof(o, s),
			      "canonicalizedBody", s->body_b64), "tlog entry");
}

static int cmd_bundle(int argc, char **argv)
{
	struct sign_opts o;
	struct signed_thing s;
	unsigned char *der = NULL;
	int len;
	char *cert, *digest;
	json_t *vm, *j;

	if (argc < 3)
		die("usage: bundle DIR (--artifact FILE | --statement FILE) "
		    "--identity SAN --issuer URL [--tsa] [--forge KIND]...");
	g_dir = argv[2];
	parse_sign_opts(&o, argc, argv);
	sign_thing(&s, &o);
	if (!s.leaf) {
		vm = json_pack("{s:{s:s},s:[o]}", "publicKey", "hint", "k",
			       "tlogEntries", tlog_entry(&o, &s));
	} else {
		if ((len = i2d_X509(s.leaf, &der)) <= 0)
			die("certificate encoding");
		cert = b64(der, (size_t)len);
		vm = json_pack("{s:{s:s},s:[o]}", "certificate", "rawBytes",
			       cert, "tlogEntries", tlog_entry(&o, &s));
	}
	if (o.tsa)
		json_object_set_new(vm, "timestampVerificationData", json_pack(
			"{s:[{s:s}]}", "rfc3161Timestamps", "signedTimestamp",
			tsa_token(&o, s.sig, s.siglen)));
	digest = b64(s.md, 32);
	j = json_pack("{s:s,s:o}", "mediaType",
		      "application/vnd.dev.sigstore.bundle.v0.3+json",
		      "verificationMaterial", vm);
	if (s.envelope)
		json_object_set_new(j, "dsseEnvelope", json_loads(s.envelope,
								  0, NULL));
	else
		json_object_set_new(j, "messageSignature", json_pack(
			"{s:{s:s,s:s},s:s}", "messageDigest", "algorithm",
			"SHA2_256", "digest", digest, "signature",
			s.sig_b64));
	if (json_dumpf(j, stdout, JSON_INDENT(2)) != 0)
		die("cannot print the bundle");
	printf("\n");
	json_decref(j);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "init") == 0)
		return cmd_init(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "cosign") == 0)
		return cmd_cosign(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "bundle") == 0)
		return cmd_bundle(argc, argv);
	fprintf(stderr, "usage: sigstore_instance init DIR\n"
		"       sigstore_instance cosign DIR --payload FILE "
		"--identity SAN --issuer URL [--time UNIX] [--log-index N] "
		"[--forge KIND]...\n"
		"       sigstore_instance bundle DIR (--artifact FILE | "
		"--statement FILE) --identity SAN --issuer URL [--tsa] "
		"[--time UNIX] [--log-index N] [--forge KIND]...\n");
	return 1;
}
