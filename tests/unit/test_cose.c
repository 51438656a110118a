/* test_cose.c - Notary Project COSE envelopes: real notation output
 * (tests/data/notation/cose, see SOURCE there) parsed and verified, and
 * strict parsing of envelopes re-encoded from it with one thing changed.
 * The tests build CBOR with libcbor, like the parser reads it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>
#include <cbor.h>
#include <openssl/x509.h>

#include "../../formats/formats.h"
#include "../../keys/keys.h"

#define CV "tests/data/notation/cose/"

/* ---- helpers ------------------------------------------------------------- */

static void slurp(struct buf *out, const char *path)
{
	char chunk[4096];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		fail_msg("cannot open '%s'", path);
	buf_init(out, 0);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		assert_int_equal(buf_append(out, chunk, n), 0);
	fclose(f);
}

static void assert_msg_has(const char *needle)
{
	if (!strstr(err_msg(), needle))
		fail_msg("message '%s' lacks '%s'", err_msg(), needle);
}

/* Parse @path, check the signature with the leaf's key and the chain to
 * the trusted certificate in @anchor at @now: 0 or the first failure. */
static int verify_file(struct jws *env, const char *path, const char *anchor,
		       time_t now)
{
	X509 **chain = NULL, **trusted = NULL;
	size_t n = 0, nt = 0;
	struct buf b;
	char why[512];
	int rc;

	slurp(&b, path);
	rc = cose_parse(env, b.data, b.len);
	buf_release(&b);
	if (rc < 0)
		return rc;
	assert_int_equal(keys_certs_from_der(&chain, &n, env->certs,
					     env->n_certs), 0);
	rc = keys_jws_verify(X509_get0_pubkey(chain[0]), env->alg,
			     env->signing_input.data, env->signing_input.len,
			     env->signature.data, env->signature.len);
	if (rc == 0) {
		assert_int_equal(keys_load_certs(&trusted, &nt, anchor), 0);
		rc = keys_notary_check_chain(chain, n, trusted, nt, now, why,
					     sizeof(why));
	}
	keys_certs_free(chain, n);
	keys_certs_free(trusted, nt);
	return rc;
}

/* The image the vectors sign: its digest, size and media type. */
static void image_of(struct digest *d, size_t *size)
{
	struct buf img;

	slurp(&img, CV "image.json");
	digest_of(d, img.data, img.len);
	*size = img.len;
	buf_release(&img);
}

/* ---- real notation output ------------------------------------------------ */

static void es256_chain(void **state)
{
	struct notary_target t;
	struct digest d;
	struct jws env;
	size_t size;

	(void)state;
	assert_int_equal(verify_file(&env, CV "es256-chain.cose",
				     CV "root.crt", time(NULL)), 0);
	assert_string_equal(env.alg, "ES256");
	assert_string_equal(env.cty, NOTARY_PAYLOAD_TYPE);
	assert_int_equal(env.scheme, JWS_SCHEME_X509);
	assert_false(env.has_authentic_signing_time);
	assert_false(env.has_expiry);
	assert_int_equal(env.n_certs, 2);
	assert_int_equal(env.signature.len, 64);
	assert_non_null(env.signing_agent);
	assert_non_null(strstr(env.signing_agent, "notation"));
	assert_true(env.signing_time > 1700000000);
	assert_int_equal(env.timestamp.len, 0);
	/* the payload names the image, with notation's -m annotation */
	assert_int_equal(notary_payload_parse(&t, env.payload.data,
					      env.payload.len), 0);
	image_of(&d, &size);
	assert_string_equal(t.digest.str, d.str);
	assert_int_equal(t.size, size);
	assert_string_equal(t.media_type, MT_OCI_MANIFEST);
	assert_string_equal(jx_str(t.annotations, "team"), "x");
	notary_target_release(&t);
	jws_release(&env);
}

static void ps256_expiry(void **state)
{
	struct jws env;

	(void)state;
	assert_int_equal(verify_file(&env, CV "ps256-expiry.cose",
				     CV "rsa.crt", time(NULL)), 0);
	assert_string_equal(env.alg, "PS256");
	assert_int_equal(env.n_certs, 1);
	assert_int_equal(env.signature.len, 256);
	assert_true(env.has_expiry);
	assert_true(env.expiry > env.signing_time);
	jws_release(&env);
}

/* A certificate not in the chain is no anchor. */
static void untrusted_chain(void **state)
{
	struct jws env;

	(void)state;
	assert_int_equal(verify_file(&env, CV "es256-chain.cose",
				     CV "rsa.crt", time(NULL)), ERR_VERIFY);
	jws_release(&env);
}

/* One byte of the payload or of the signature changed: still an
 * envelope, no longer a signature. */
static void tampered(void **state)
{
	static const char needle[] = "sha256:";
	struct buf b;
	struct jws env;
	X509 **chain = NULL;
	size_t n = 0;
	int pass;

	(void)state;
	for (pass = 0; pass < 2; pass++) {
		unsigned char *p;

		slurp(&b, CV "es256-chain.cose");
		if (pass == 0) {	/* a digit of the signed digest */
			p = memmem(b.data, b.len, needle, strlen(needle));
			assert_non_null(p);
			p[strlen(needle)] ^= 0x01;
		} else {		/* the signature's last bit */
			b.data[b.len - 1] ^= 0x01;
		}
		assert_int_equal(cose_parse(&env, b.data, b.len), 0);
		assert_int_equal(keys_certs_from_der(&chain, &n, env.certs,
						     env.n_certs), 0);
		assert_int_equal(keys_jws_verify(X509_get0_pubkey(chain[0]),
			env.alg, env.signing_input.data,
			env.signing_input.len, env.signature.data,
			env.signature.len), ERR_VERIFY);
		keys_certs_free(chain, n);
		jws_release(&env);
		buf_release(&b);
	}
}

/* ---- re-encoded with one thing changed ----------------------------------- */

/* The envelope, taken apart. */
struct parts {
	uint64_t tag;		/* 18 */
	bool untagged;
	cbor_item_t *prot;	/* the decoded protected map */
	cbor_item_t *unprot;
	cbor_item_t *payload;
	cbor_item_t *sig;
	cbor_item_t *extra;	/* a fifth element, or NULL */
};

static void parts_load(struct parts *p, const char *path)
{
	struct cbor_load_result res;
	cbor_item_t *a, *raw;
	struct buf b;

	memset(p, 0, sizeof(*p));
	slurp(&b, path);
	/* tag 18, which libcbor 0.8 does not read in this form */
	assert_int_equal(b.data[0], 0xd2);
	p->tag = 18;
	a = cbor_load(b.data + 1, b.len - 1, &res);
	assert_non_null(a);
	assert_int_equal(res.read, b.len - 1);
	assert_int_equal(cbor_array_size(a), 4);
	raw = cbor_array_get(a, 0);
	p->prot = cbor_load(cbor_bytestring_handle(raw),
			    cbor_bytestring_length(raw), &res);
	assert_non_null(p->prot);
	cbor_decref(&raw);
	p->unprot = cbor_array_get(a, 1);
	p->payload = cbor_array_get(a, 2);
	p->sig = cbor_array_get(a, 3);
	cbor_decref(&a);
	buf_release(&b);
}

static void parts_release(struct parts *p)
{
	cbor_item_t **all[] = { &p->prot, &p->unprot, &p->payload, &p->sig,
				&p->extra };
	size_t i;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (*all[i])
			cbor_decref(all[i]);
}

static void append_item(struct buf *out, const cbor_item_t *it)
{
	unsigned char *enc = NULL;
	size_t cap = 0, n = cbor_serialize_alloc(it, &enc, &cap);

	assert_true(n > 0);
	assert_int_equal(buf_append(out, enc, n), 0);
	free(enc);
}

static void parts_encode(struct buf *out, const struct parts *p)
{
	cbor_item_t *a = cbor_new_definite_array(p->extra ? 5 : 4), *top;
	struct buf prot;

	buf_init(&prot, 0);
	append_item(&prot, p->prot);
	assert_true(cbor_array_push(a, cbor_move(cbor_build_bytestring(
						 prot.data, prot.len))));
	assert_true(cbor_array_push(a, p->unprot));
	assert_true(cbor_array_push(a, p->payload));
	assert_true(cbor_array_push(a, p->sig));
	if (p->extra)
		assert_true(cbor_array_push(a, p->extra));
	buf_init(out, 0);
	if (p->untagged) {
		append_item(out, a);
	} else {
		top = cbor_build_tag(p->tag, a);
		append_item(out, top);
		cbor_decref(&top);
	}
	cbor_decref(&a);
	buf_release(&prot);
}

static bool same_key(const cbor_item_t *a, const cbor_item_t *b)
{
	if (cbor_typeof(a) != cbor_typeof(b))
		return false;
	if (cbor_isa_string(a))
		return cbor_string_length(a) == cbor_string_length(b) &&
		       memcmp(cbor_string_handle(a), cbor_string_handle(b),
			      cbor_string_length(a)) == 0;
	return (cbor_isa_uint(a) || cbor_isa_negint(a)) &&
	       cbor_get_int(a) == cbor_get_int(b);
}

/* *@m without the entry keyed @drop (may be NULL), plus @key: @value
 * when @key is not NULL; takes @drop, @key and @value over. */
static void map_edit(cbor_item_t **m, cbor_item_t *drop, cbor_item_t *key,
		     cbor_item_t *value)
{
	struct cbor_pair *p = cbor_map_handle(*m);
	size_t i, n = cbor_map_size(*m);
	cbor_item_t *out = cbor_new_definite_map(n + 1);

	for (i = 0; i < n; i++)
		if (!drop || !same_key(p[i].key, drop))
			assert_true(cbor_map_add(out, p[i]));
	if (key)
		assert_true(cbor_map_add(out, (struct cbor_pair){
			.key = cbor_move(key), .value = cbor_move(value) }));
	if (drop)
		cbor_decref(&drop);
	cbor_decref(m);
	*m = out;
}

static cbor_item_t *text(const char *s)
{
	return cbor_build_string(s);
}

static cbor_item_t *label(int64_t v)
{
	return v >= 0 ? cbor_build_uint8((uint8_t)v) :
			cbor_build_negint8((uint8_t)(-1 - v));
}

/* A crit array of the given names (NULL-terminated), as text. */
static cbor_item_t *crit_of(const char *const *names)
{
	size_t i, n = 0;
	cbor_item_t *a;

	while (names[n])
		n++;
	a = cbor_new_definite_array(n);
	for (i = 0; i < n; i++)
		assert_true(cbor_array_push(a, cbor_move(text(names[i]))));
	return a;
}

#define SCHEME "io.cncf.notary.signingScheme"
#define STIME "io.cncf.notary.signingTime"
#define EXPIRY "io.cncf.notary.expiry"
#define AGENT "io.cncf.notary.signingAgent"

static void m_untagged(struct parts *p) { p->untagged = true; }
static void m_tag98(struct parts *p) { p->tag = 98; }
static void m_five(struct parts *p) { p->extra = cbor_build_uint8(0); }

static void m_crit_unknown(struct parts *p)
{
	static const char *const c[] = { SCHEME, "io.example.unknown", NULL };

	map_edit(&p->prot, NULL, text("io.example.unknown"), text("x"));
	map_edit(&p->prot, label(2), label(2), crit_of(c));
}

static void m_crit_int(struct parts *p)
{
	cbor_item_t *c = cbor_new_definite_array(2);

	assert_true(cbor_array_push(c, cbor_move(text(SCHEME))));
	assert_true(cbor_array_push(c, cbor_move(label(4))));
	map_edit(&p->prot, label(2), label(2), c);
}

static void m_crit_absent(struct parts *p)
{
	static const char *const c[] = { SCHEME, EXPIRY, NULL };

	map_edit(&p->prot, label(2), label(2), crit_of(c));
}

static void m_crit_twice(struct parts *p)
{
	static const char *const c[] = { SCHEME, SCHEME, NULL };

	map_edit(&p->prot, label(2), label(2), crit_of(c));
}

static void m_crit_empty(struct parts *p)
{
	static const char *const c[] = { NULL };

	map_edit(&p->prot, label(2), label(2), crit_of(c));
}

static void m_scheme_not_crit(struct parts *p)
{
	static const char *const c[] = { EXPIRY, NULL };

	map_edit(&p->prot, NULL, text(EXPIRY), cbor_build_tag(1,
		 cbor_move(cbor_build_uint64(4102444800))));
	map_edit(&p->prot, label(2), label(2), crit_of(c));
}

static void m_expiry_not_crit(struct parts *p)
{
	map_edit(&p->prot, NULL, text(EXPIRY), cbor_build_tag(1,
		 cbor_move(cbor_build_uint64(4102444800))));
}

static void m_expiry_early(struct parts *p)
{
	static const char *const c[] = { SCHEME, EXPIRY, NULL };

	map_edit(&p->prot, NULL, text(EXPIRY), cbor_build_tag(1,
		 cbor_move(cbor_build_uint64(1000))));
	map_edit(&p->prot, label(2), label(2), crit_of(c));
}

static void m_dup_prot(struct parts *p)
{
	/* a second alg; libcbor keeps both */
	map_edit(&p->prot, NULL, label(1), label(-7));
}

static void m_dup_unprot(struct parts *p)
{
	map_edit(&p->unprot, NULL, text(AGENT), text("again"));
}

static void m_unprot_kid(struct parts *p)
{
	map_edit(&p->unprot, NULL, label(4), cbor_build_bytestring(
		 (cbor_data)"k", 1));
}

static void m_both_buckets(struct parts *p)
{
	map_edit(&p->prot, NULL, text(AGENT), text("notation"));
}

static void m_no_x5chain(struct parts *p)
{
	map_edit(&p->unprot, label(33), NULL, NULL);
}

static void m_x5chain_empty(struct parts *p)
{
	map_edit(&p->unprot, label(33), label(33),
		 cbor_new_definite_array(0));
}

static void m_x5chain_bstr(struct parts *p)
{
	map_edit(&p->unprot, label(33), label(33), cbor_build_bytestring(
		 (cbor_data)"\x30\x00", 2));
}

static void m_x5chain_many(struct parts *p)
{
	cbor_item_t *a = cbor_new_definite_array(JWS_CERTS_MAX + 1);
	size_t i;

	for (i = 0; i < JWS_CERTS_MAX + 1; i++)
		assert_true(cbor_array_push(a, cbor_move(
			cbor_build_bytestring((cbor_data)"\x30\x00", 2))));
	map_edit(&p->unprot, label(33), label(33), a);
}

static void m_time_untagged(struct parts *p)
{
	map_edit(&p->prot, text(STIME), text(STIME),
		 cbor_build_uint64(1700000000));
}

static void m_time_float(struct parts *p)
{
	map_edit(&p->prot, text(STIME), text(STIME), cbor_build_tag(1,
		 cbor_move(cbor_build_float8(1700000000.5))));
}

static void m_time_tag0(struct parts *p)
{
	map_edit(&p->prot, text(STIME), text(STIME), cbor_build_tag(0,
		 cbor_move(text("2023-11-14T22:13:20Z"))));
}

static void m_no_time(struct parts *p)
{
	map_edit(&p->prot, text(STIME), NULL, NULL);
}

static void m_alg_eddsa(struct parts *p)
{
	map_edit(&p->prot, label(1), label(1), label(-8));
}

static void m_alg_text(struct parts *p)
{
	map_edit(&p->prot, label(1), label(1), text("ES256"));
}

static void m_cty(struct parts *p)
{
	map_edit(&p->prot, label(3), label(3), text("application/json"));
}

static void m_scheme(struct parts *p)
{
	map_edit(&p->prot, text(SCHEME), text(SCHEME), text("notary.x"));
}

static void m_scheme_sa(struct parts *p)
{
	/* signingAuthority needs authenticSigningTime, not signingTime */
	map_edit(&p->prot, text(SCHEME), text(SCHEME),
		 text("notary.x509.signingAuthority"));
}

static void m_payload_empty(struct parts *p)
{
	cbor_decref(&p->payload);
	p->payload = cbor_new_definite_bytestring();
}

static void m_payload_nil(struct parts *p)
{
	cbor_decref(&p->payload);
	p->payload = cbor_new_null();
}

static void m_unprot_array(struct parts *p)
{
	cbor_decref(&p->unprot);
	p->unprot = cbor_new_definite_array(0);
}

static void m_indefinite(struct parts *p)
{
	cbor_item_t *a = cbor_new_indefinite_array();

	assert_true(cbor_array_push(a, cbor_move(label(1))));
	map_edit(&p->unprot, NULL, text("io.example.indef"), a);
}

struct mutation {
	const char *name;
	void (*edit)(struct parts *p);
	const char *why;		/* a part of the message */
};

static void mutations(void **state)
{
	static const struct mutation cases[] = {
		{ "untagged", m_untagged, "is not a tagged COSE_Sign1" },
		{ "tag 98", m_tag98, "is not a tagged COSE_Sign1" },
		{ "five elements", m_five, "not an array of four" },
		{ "unknown crit", m_crit_unknown,
		  "unknown critical header 'io.example.unknown'" },
		{ "crit int", m_crit_int, "with an integer label" },
		{ "crit absent", m_crit_absent, "'" EXPIRY "' is not present" },
		{ "crit twice", m_crit_twice, "lists '" SCHEME "' twice" },
		{ "crit empty", m_crit_empty, "not a non-empty array" },
		{ "scheme not crit", m_scheme_not_crit,
		  "'" SCHEME "' is not marked critical" },
		{ "expiry not crit", m_expiry_not_crit,
		  "'" EXPIRY "' is not marked critical" },
		{ "expiry early", m_expiry_early, "expiry is not after" },
		{ "dup protected", m_dup_prot, "duplicate map key" },
		{ "dup unprotected", m_dup_unprot, "duplicate map key" },
		{ "kid", m_unprot_kid, "unexpected unprotected header" },
		{ "both buckets", m_both_buckets, "both protected and "
		  "unprotected" },
		{ "no x5chain", m_no_x5chain, "x5chain (label 33) is missing" },
		{ "x5chain empty", m_x5chain_empty, "x5chain (label 33) is "
		  "missing" },
		{ "x5chain bstr", m_x5chain_bstr, "x5chain (label 33) is "
		  "missing" },
		{ "x5chain 11", m_x5chain_many, "more than 10 certificates" },
		{ "time untagged", m_time_untagged, "is not a tag 1" },
		{ "time float", m_time_float, "not whole seconds" },
		{ "time tag 0", m_time_tag0, "is not a tag 1" },
		{ "no time", m_no_time, "needs '" STIME "'" },
		{ "EdDSA", m_alg_eddsa, "unsupported alg" },
		{ "alg text", m_alg_text, "unsupported alg" },
		{ "cty", m_cty, "unsupported content type" },
		{ "scheme", m_scheme, "unsupported signing scheme "
		  "'notary.x'" },
		{ "scheme sa", m_scheme_sa, "needs "
		  "'io.cncf.notary.authenticSigningTime'" },
		{ "payload empty", m_payload_empty, "payload is not a "
		  "non-empty byte string" },
		{ "payload nil", m_payload_nil, "payload is not a non-empty "
		  "byte string" },
		{ "unprotected array", m_unprot_array, "unprotected header is "
		  "not a map" },
		{ "indefinite", m_indefinite, "indefinite lengths" },
	};
	struct parts p;
	struct jws env;
	struct buf b;
	size_t i;

	(void)state;
	/* unchanged, the re-encoding parses */
	parts_load(&p, CV "es256-chain.cose");
	parts_encode(&b, &p);
	assert_int_equal(cose_parse(&env, b.data, b.len), 0);
	jws_release(&env);
	buf_release(&b);
	parts_release(&p);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc;

		parts_load(&p, CV "es256-chain.cose");
		cases[i].edit(&p);
		parts_encode(&b, &p);
		rc = cose_parse(&env, b.data, b.len);
		if (rc != ERR_FORMAT || !strstr(err_msg(), cases[i].why))
			fail_msg("case '%s': got %d '%s', want '%s'",
				 cases[i].name, rc, err_msg(), cases[i].why);
		jws_release(&env);
		buf_release(&b);
		parts_release(&p);
		err_clear();
	}
}

/* ---- bytes libcbor must never be handed ---------------------------------- */

static void bounds(void **state)
{
	struct buf b, big;
	struct jws env;
	size_t i;
	int rc;

	(void)state;
	slurp(&b, CV "es256-chain.cose");
	/* trailing, truncated */
	assert_int_equal(buf_append(&b, "", 1), 0);
	assert_int_equal(cose_parse(&env, b.data, b.len), ERR_FORMAT);
	assert_msg_has("1 trailing bytes");
	jws_release(&env);
	assert_int_equal(cose_parse(&env, b.data, b.len - 2), ERR_FORMAT);
	assert_msg_has("is truncated");
	jws_release(&env);
	assert_int_equal(cose_parse(&env, b.data, 1), ERR_FORMAT);
	assert_msg_has("is truncated");
	jws_release(&env);
	assert_int_equal(cose_parse(&env, b.data, 0), ERR_FORMAT);
	assert_msg_has("is not a tagged COSE_Sign1");
	jws_release(&env);
	buf_release(&b);
	/* a count of 2^64-1 in ten bytes; 2^32 map pairs */
	assert_int_equal(cose_parse(&env, "\xd2\x9b\xff\xff\xff\xff\xff\xff"
				    "\xff\xff", 10), ERR_FORMAT);
	assert_msg_has("a count is larger than the input");
	jws_release(&env);
	assert_int_equal(cose_parse(&env, "\xd2\xbb\x00\x00\x00\x01\x00\x00"
				    "\x00\x00\x00", 11), ERR_FORMAT);
	assert_msg_has("a count is larger than the input");
	jws_release(&env);
	/* a byte string longer than the input */
	assert_int_equal(cose_parse(&env, "\xd2\x5a\x7f\xff\xff\xff", 6),
			 ERR_FORMAT);
	assert_msg_has("is truncated");
	jws_release(&env);
	/* deep nesting, many items, indefinite at the top, reserved head */
	buf_init(&big, 0);
	assert_int_equal(buf_append(&big, "\xd2", 1), 0);
	for (i = 0; i < 40; i++)
		assert_int_equal(buf_append(&big, "\x81", 1), 0);
	assert_int_equal(buf_append(&big, "\x00", 1), 0);
	assert_int_equal(cose_parse(&env, big.data, big.len), ERR_FORMAT);
	assert_msg_has("nested too deeply");
	jws_release(&env);
	buf_release(&big);
	buf_init(&big, 0);
	assert_int_equal(buf_append(&big, "\xd2\x99\x27\x10", 4), 0);
	for (i = 0; i < 10000; i++)
		assert_int_equal(buf_append(&big, "\x00", 1), 0);
	assert_int_equal(cose_parse(&env, big.data, big.len), ERR_FORMAT);
	assert_msg_has("too many items");
	jws_release(&env);
	buf_release(&big);
	rc = cose_parse(&env, "\xd2\x9f\x00\xff", 4);
	assert_int_equal(rc, ERR_FORMAT);
	assert_msg_has("indefinite lengths");
	jws_release(&env);
	assert_int_equal(cose_parse(&env, "\xd2\x1c", 2), ERR_FORMAT);
	assert_msg_has("is not CBOR");
	jws_release(&env);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(es256_chain),
		cmocka_unit_test(ps256_expiry),
		cmocka_unit_test(untrusted_chain),
		cmocka_unit_test(tampered),
		cmocka_unit_test(mutations),
		cmocka_unit_test(bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
