/*
 * cose.c - Notary Project signatures in a COSE_Sign1_Tagged envelope
 * (specs/signature-envelope-cose.md, RFC 9052), parsed into the same
 * struct jws a JWS envelope fills, so both are judged by one verifier.
 *
 * libcbor decodes; nothing here reads CBOR heads by hand but the one byte
 * of the COSE_Sign1 tag (see sign1_array). Before libcbor builds a tree,
 * a pass with its streaming decoder bounds the input: definite lengths
 * only, at most COSE_DEPTH_MAX levels and COSE_ITEMS_MAX
 * items, no count larger than the bytes left to fill it, exactly one item
 * and no trailing bytes. libcbor itself accepts duplicate map keys; they
 * are refused here, as are unknown critical headers and any unprotected
 * header notation does not write.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cbor.h>

#include "formats.h"

#define COSE_SIGN1_TAGGED 0xd2	/* tag 18, COSE_Sign1 */
#define COSE_TAG_EPOCH 1	/* RFC 8949 epoch-based date/time */
#define L_ALG 1
#define L_CRIT 2
#define L_CTY 3
#define L_X5CHAIN 33

#define H_SCHEME "io.cncf.notary.signingScheme"
#define H_TIME "io.cncf.notary.signingTime"
#define H_EXPIRY "io.cncf.notary.expiry"
#define H_AUTH_TIME "io.cncf.notary.authenticSigningTime"
#define H_AGENT "io.cncf.notary.signingAgent"
#define H_TSA "io.cncf.notary.timestampSignature"
#define SCHEME_X509 "notary.x509"
#define SCHEME_SA "notary.x509.signingAuthority"

/* The most nesting and items an envelope may have: notation's hold about
 * twenty items three levels deep. */
#define COSE_DEPTH_MAX 16
#define COSE_ITEMS_MAX 4096

#define WHAT "COSE envelope"

/* COSE algorithm identifiers (IANA) and their JWS names. */
static const struct { int64_t id; const char *name; } cose_algs[] = {
	{ -37, "PS256" }, { -38, "PS384" }, { -39, "PS512" },
	{ -7, "ES256" }, { -35, "ES384" }, { -36, "ES512" },
};

/* The critical headers we understand; anything else in crit is refused. */
static const char *const known_crit[] = {
	H_SCHEME, H_EXPIRY, H_AUTH_TIME, NULL,
};

/* ---- bounding the input before libcbor builds it ------------------------ */

struct scan {
	size_t left[COSE_DEPTH_MAX];	/* items still due at each level */
	size_t depth;
	size_t items;
	const char *bad;		/* why the input is refused */
};

/* One head that @children items follow (2 per map entry, 1 for a tag). */
static void scan_head(struct scan *s, size_t children)
{
	if (s->bad)
		return;
	if (++s->items > COSE_ITEMS_MAX) {
		s->bad = "too many items";
		return;
	}
	if (s->depth)
		s->left[s->depth - 1]--;
	if (children) {
		/* scan_bounds checks it against the bytes left */
		if (s->depth == COSE_DEPTH_MAX) {
			s->bad = "nested too deeply";
			return;
		}
		s->left[s->depth++] = children;
		return;
	}
	while (s->depth && s->left[s->depth - 1] == 0)
		s->depth--;
}

static void on_leaf(void *ctx)
{
	scan_head(ctx, 0);
}

static void on_u8(void *ctx, uint8_t v)
{
	(void)v;
	scan_head(ctx, 0);
}

static void on_u16(void *ctx, uint16_t v)
{
	(void)v;
	scan_head(ctx, 0);
}

static void on_u32(void *ctx, uint32_t v)
{
	(void)v;
	scan_head(ctx, 0);
}

static void on_u64(void *ctx, uint64_t v)
{
	(void)v;
	scan_head(ctx, 0);
}

static void on_string(void *ctx, cbor_data d, size_t n)
{
	(void)d;
	(void)n;
	scan_head(ctx, 0);
}

static void on_float(void *ctx, float f)
{
	(void)f;
	scan_head(ctx, 0);
}

static void on_double(void *ctx, double f)
{
	(void)f;
	scan_head(ctx, 0);
}

static void on_bool(void *ctx, bool b)
{
	(void)b;
	scan_head(ctx, 0);
}

static void on_array(void *ctx, size_t n)
{
	scan_head(ctx, n);
}

static void on_map(void *ctx, size_t n)
{
	struct scan *s = ctx;

	if (n > SIZE_MAX / 2)
		s->bad = "a count is larger than the input";
	else
		scan_head(s, 2 * n);
}

static void on_tag(void *ctx, uint64_t v)
{
	(void)v;
	scan_head(ctx, 1);
}

static void on_indefinite(void *ctx)
{
	struct scan *s = ctx;

	s->bad = "indefinite lengths are not allowed";
}

static const struct cbor_callbacks scan_callbacks = {
	.uint8 = on_u8, .uint16 = on_u16, .uint32 = on_u32, .uint64 = on_u64,
	.negint8 = on_u8, .negint16 = on_u16, .negint32 = on_u32,
	.negint64 = on_u64,
	.byte_string = on_string, .byte_string_start = on_indefinite,
	.string = on_string, .string_start = on_indefinite,
	.array_start = on_array, .indef_array_start = on_indefinite,
	.map_start = on_map, .indef_map_start = on_indefinite,
	.tag = on_tag,
	.float2 = on_float, .float4 = on_float, .float8 = on_double,
	.undefined = on_leaf, .null = on_leaf, .boolean = on_bool,
	.indef_break = on_indefinite,
};

/* Is @data exactly one well-bounded CBOR item? */
static int scan_bounds(const unsigned char *data, size_t len,
		       const char *what)
{
	struct scan s = { 0 };
	size_t pos = 0;

	do {
		struct cbor_decoder_result r;

		if (pos == len)
			return err_set(ERR_FORMAT, "%s is truncated", what);
		r = cbor_stream_decode(data + pos, len - pos, &scan_callbacks,
				       &s);
		if (r.status == CBOR_DECODER_NEDATA)
			return err_set(ERR_FORMAT, "%s is truncated", what);
		if (r.status != CBOR_DECODER_FINISHED || r.read == 0)
			return err_set(ERR_FORMAT, "%s is not CBOR", what);
		pos += r.read;
		/* each item still due takes a byte at least: a count that
		 * the rest cannot hold is refused before libcbor allocates
		 * for it */
		if (!s.bad && s.depth && s.left[s.depth - 1] > len - pos)
			s.bad = "a count is larger than the input";
		if (s.bad)
			return err_set(ERR_FORMAT, "%s: %s", what, s.bad);
	} while (s.depth);
	if (pos != len)
		return err_set(ERR_FORMAT, "%s has %zu trailing bytes", what,
			       len - pos);
	return 0;
}

/* ---- strict maps --------------------------------------------------------- */

static bool key_eq(const cbor_item_t *a, const cbor_item_t *b)
{
	if (cbor_typeof(a) != cbor_typeof(b))
		return false;
	if (cbor_isa_uint(a) || cbor_isa_negint(a))
		return cbor_get_int(a) == cbor_get_int(b);
	if (cbor_isa_string(a))
		return cbor_string_length(a) == cbor_string_length(b) &&
		       memcmp(cbor_string_handle(a), cbor_string_handle(b),
			      cbor_string_length(a)) == 0;
	return cbor_isa_bytestring(a) &&
	       cbor_bytestring_length(a) == cbor_bytestring_length(b) &&
	       memcmp(cbor_bytestring_handle(a), cbor_bytestring_handle(b),
		      cbor_bytestring_length(a)) == 0;
}

/* Every map in @it has distinct integer or string keys. The depth is
 * bounded by scan_bounds. */
static int check_maps(const cbor_item_t *it, const char *what)
{
	struct cbor_pair *p;
	size_t i, j, n;
	int rc;

	if (cbor_isa_tag(it))
		return check_maps(cbor_move(cbor_tag_item(it)), what);
	if (cbor_isa_array(it)) {
		for (i = 0; i < cbor_array_size(it); i++)
			if ((rc = check_maps(cbor_array_handle(it)[i],
					     what)) < 0)
				return rc;
		return 0;
	}
	if (!cbor_isa_map(it))
		return 0;
	p = cbor_map_handle(it);
	n = cbor_map_size(it);
	for (i = 0; i < n; i++) {
		if (!cbor_isa_uint(p[i].key) && !cbor_isa_negint(p[i].key) &&
		    !cbor_isa_string(p[i].key) &&
		    !cbor_isa_bytestring(p[i].key))
			return err_set(ERR_FORMAT, "%s: a map key is not an "
				       "integer or a string", what);
		for (j = 0; j < i; j++)
			if (key_eq(p[i].key, p[j].key))
				return err_set(ERR_FORMAT, "%s: duplicate map "
					       "key", what);
		if ((rc = check_maps(p[i].value, what)) < 0)
			return rc;
	}
	return 0;
}

/* Decode @data, exactly one CBOR item, into @out (new reference). */
static int load_strict(cbor_item_t **out, const unsigned char *data,
		       size_t len, const char *what)
{
	struct cbor_load_result res;
	int rc;

	*out = NULL;
	if ((rc = scan_bounds(data, len, what)) < 0)
		return rc;
	*out = cbor_load(data, len, &res);
	if (!*out || res.error.code != CBOR_ERR_NONE || res.read != len) {
		if (*out)
			cbor_decref(out);
		return err_set(res.error.code == CBOR_ERR_MEMERROR ?
			       ERR_NOMEM : ERR_FORMAT, "%s is not valid CBOR",
			       what);
	}
	if ((rc = check_maps(*out, what)) < 0)
		cbor_decref(out);
	return rc;
}

/* ---- headers ------------------------------------------------------------- */

/* Is @key the integer @label? */
static bool is_label(const cbor_item_t *key, int64_t label)
{
	uint64_t v;

	if (cbor_isa_uint(key))
		return label >= 0 && cbor_get_int(key) == (uint64_t)label;
	if (!cbor_isa_negint(key))
		return false;
	v = cbor_get_int(key);		/* the value is -1 - v */
	return label < 0 && v == (uint64_t)(-(label + 1));
}

/* Is @it the text string @s? */
static bool is_text(const cbor_item_t *it, const char *s)
{
	size_t n = strlen(s);

	return cbor_isa_string(it) && cbor_string_length(it) == n &&
	       memcmp(cbor_string_handle(it), s, n) == 0;
}

/* The value of header @name (text label), or of @label when @name is
 * NULL, in map @hdr (borrowed); NULL when absent. */
static const cbor_item_t *hdr_get(const cbor_item_t *hdr, const char *name,
				  int64_t label)
{
	struct cbor_pair *p = cbor_map_handle(hdr);
	size_t i;

	for (i = 0; i < cbor_map_size(hdr); i++)
		if (name ? is_text(p[i].key, name) : is_label(p[i].key, label))
			return p[i].value;
	return NULL;
}

/* Text string @it, truncated and stripped of control characters, for a
 * message. */
static void text_shown(char *out, size_t outsz, const cbor_item_t *it)
{
	char raw[128];
	size_t n = cbor_string_length(it);

	if (n >= sizeof(raw))
		n = sizeof(raw) - 1;
	memcpy(raw, cbor_string_handle(it), n);
	raw[n] = '\0';
	str_sanitize(out, outsz, raw);
}

/* The text value of header @name as a new NUL-free C string in @out. */
static int hdr_text(char *out, size_t outsz, const cbor_item_t *v,
		    const char *name)
{
	size_t n;

	if (!cbor_isa_string(v))
		return err_set(ERR_FORMAT, WHAT ": header '%s' is not a text "
			       "string", name);
	n = cbor_string_length(v);
	if (n >= outsz || memchr(cbor_string_handle(v), '\0', n))
		return err_set(ERR_FORMAT, WHAT ": header '%s' is too long or "
			       "holds NUL", name);
	memcpy(out, cbor_string_handle(v), n);
	out[n] = '\0';
	return 0;
}

/* Header @name of @hdr, a tag 1 epoch time in whole seconds, into @out;
 * *@present says whether it was there at all. */
static int hdr_time(time_t *out, bool *present, const cbor_item_t *hdr,
		    const char *name)
{
	const cbor_item_t *v = hdr_get(hdr, name, 0);
	cbor_item_t *t;
	uint64_t secs;

	*present = v != NULL;
	if (!v)
		return 0;
	if (!cbor_isa_tag(v) || cbor_tag_value(v) != COSE_TAG_EPOCH)
		return err_set(ERR_FORMAT, WHAT ": header '%s' is not a tag 1 "
			       "date/time", name);
	t = cbor_move(cbor_tag_item(v));
	if (!cbor_isa_uint(t))
		return err_set(ERR_FORMAT, WHAT ": header '%s' is not whole "
			       "seconds after 1970", name);
	secs = cbor_get_int(t);
	/* 9999-12-31, as far as RFC 3339 goes */
	if (secs > 253402300799ULL)
		return err_set(ERR_FORMAT, WHAT ": header '%s' is out of "
			       "range", name);
	*out = (time_t)secs;
	return 0;
}

static int parse_alg(struct jws *j, const cbor_item_t *hdr)
{
	const cbor_item_t *v = hdr_get(hdr, NULL, L_ALG);
	size_t i;

	if (!v)
		return err_set(ERR_FORMAT, WHAT ": protected header lacks "
			       "'alg'");
	for (i = 0; i < sizeof(cose_algs) / sizeof(cose_algs[0]); i++)
		if (is_label(v, cose_algs[i].id)) {
			snprintf(j->alg, sizeof(j->alg), "%s",
				 cose_algs[i].name);
			return 0;
		}
	return err_set(ERR_FORMAT, WHAT ": unsupported alg");
}

static bool in_list(const cbor_item_t *it, const char *const *list)
{
	size_t i;

	for (i = 0; list[i]; i++)
		if (is_text(it, list[i]))
			return true;
	return false;
}

/* Does crit (checked by check_crit) list @name? */
static bool crit_lists(const cbor_item_t *crit, const char *name)
{
	size_t i;

	for (i = 0; i < cbor_array_size(crit); i++)
		if (is_text(cbor_array_handle(crit)[i], name))
			return true;
	return false;
}

/* crit: a non-empty array of distinct text labels, each a critical header
 * we understand and that is present in @hdr. */
static int check_crit(const cbor_item_t *hdr, const cbor_item_t *crit)
{
	cbor_item_t **c;
	char name[128];
	size_t i, k, n;

	if (!crit || !cbor_isa_array(crit) || cbor_array_size(crit) == 0)
		return err_set(ERR_FORMAT, WHAT ": protected header 'crit' is "
			       "missing or not a non-empty array");
	c = cbor_array_handle(crit);
	n = cbor_array_size(crit);
	for (i = 0; i < n; i++) {
		if (!cbor_isa_string(c[i]))
			return err_set(ERR_FORMAT, WHAT ": unknown critical "
				       "header with an integer label");
		text_shown(name, sizeof(name), c[i]);
		if (!in_list(c[i], known_crit))
			return err_set(ERR_FORMAT, WHAT ": unknown critical "
				       "header '%s'", name);
		/* a known name: shown whole */
		if (!hdr_get(hdr, name, 0))
			return err_set(ERR_FORMAT, WHAT ": critical header "
				       "'%s' is not present", name);
		for (k = 0; k < i; k++)
			if (key_eq(c[k], c[i]))
				return err_set(ERR_FORMAT, WHAT ": 'crit' lists "
					       "'%s' twice", name);
	}
	return 0;
}

/* The signing scheme, the times and what crit must say of them: the
 * rules of the JWS envelope, in COSE's encoding. */
static int parse_times(struct jws *j, const cbor_item_t *hdr,
		       const cbor_item_t *crit)
{
	bool has_time, has_auth;
	time_t auth = 0;
	int rc;

	if ((rc = hdr_time(&j->signing_time, &has_time, hdr, H_TIME)) < 0 ||
	    (rc = hdr_time(&auth, &has_auth, hdr, H_AUTH_TIME)) < 0 ||
	    (rc = hdr_time(&j->expiry, &j->has_expiry, hdr, H_EXPIRY)) < 0)
		return rc;
	if (j->has_expiry && !crit_lists(crit, H_EXPIRY))
		return err_set(ERR_FORMAT, WHAT ": '%s' is not marked "
			       "critical", H_EXPIRY);
	if (has_auth && !crit_lists(crit, H_AUTH_TIME))
		return err_set(ERR_FORMAT, WHAT ": '%s' is not marked "
			       "critical", H_AUTH_TIME);
	if (j->scheme == JWS_SCHEME_X509 && (!has_time || has_auth))
		return err_set(ERR_FORMAT, WHAT ": scheme %s needs '%s' and "
			       "no '%s'", SCHEME_X509, H_TIME, H_AUTH_TIME);
	if (j->scheme == JWS_SCHEME_SIGNING_AUTHORITY &&
	    (!has_auth || has_time))
		return err_set(ERR_FORMAT, WHAT ": scheme %s needs '%s' and "
			       "no '%s'", SCHEME_SA, H_AUTH_TIME, H_TIME);
	if (has_auth) {
		j->signing_time = auth;
		j->has_authentic_signing_time = true;
	}
	if (j->has_expiry && j->expiry <= j->signing_time)
		return err_set(ERR_FORMAT, WHAT ": expiry is not after the "
			       "signing time");
	return 0;
}

static int parse_protected(struct jws *j, const cbor_item_t *hdr)
{
	const cbor_item_t *crit, *cty, *scheme;
	char s[64];
	int rc;

	if (!cbor_isa_map(hdr))
		return err_set(ERR_FORMAT, WHAT ": protected header is not a "
			       "map");
	if ((rc = parse_alg(j, hdr)) < 0)
		return rc;
	cty = hdr_get(hdr, NULL, L_CTY);
	if (!cty || !is_text(cty, NOTARY_PAYLOAD_TYPE))
		return err_set(ERR_FORMAT, WHAT ": unsupported content type");
	j->cty = NOTARY_PAYLOAD_TYPE;
	crit = hdr_get(hdr, NULL, L_CRIT);
	if ((rc = check_crit(hdr, crit)) < 0)
		return rc;
	scheme = hdr_get(hdr, H_SCHEME, 0);
	if (!scheme)
		return err_set(ERR_FORMAT, WHAT ": protected header lacks "
			       "'%s'", H_SCHEME);
	if (is_text(scheme, SCHEME_X509)) {
		j->scheme = JWS_SCHEME_X509;
	} else if (is_text(scheme, SCHEME_SA)) {
		j->scheme = JWS_SCHEME_SIGNING_AUTHORITY;
	} else {
		if (cbor_isa_string(scheme))
			text_shown(s, sizeof(s), scheme);
		else
			snprintf(s, sizeof(s), "(not text)");
		return err_set(ERR_FORMAT, WHAT ": unsupported signing scheme "
			       "'%s'", s);
	}
	if (!crit_lists(crit, H_SCHEME))
		return err_set(ERR_FORMAT, WHAT ": '%s' is not marked "
			       "critical", H_SCHEME);
	return parse_times(j, hdr, crit);
}

/* x5chain: an array of 1 ... JWS_CERTS_MAX non-empty DER byte strings. */
static int parse_x5chain(struct jws *j, const cbor_item_t *v)
{
	size_t i;
	int rc;

	if (!v || !cbor_isa_array(v) || cbor_array_size(v) == 0)
		return err_set(ERR_FORMAT, WHAT ": x5chain (label 33) is "
			       "missing or not a non-empty array");
	if (cbor_array_size(v) > JWS_CERTS_MAX)
		return err_set(ERR_FORMAT, WHAT ": more than %d certificates "
			       "in x5chain", JWS_CERTS_MAX);
	for (i = 0; i < cbor_array_size(v); i++) {
		const cbor_item_t *c = cbor_array_handle(v)[i];

		buf_init(&j->certs[i], JWS_MAX);
		j->n_certs = i + 1;
		if (!cbor_isa_bytestring(c) || cbor_bytestring_length(c) == 0)
			return err_set(ERR_FORMAT, WHAT ": certificate %zu in "
				       "x5chain is not a byte string", i + 1);
		if ((rc = buf_append(&j->certs[i], cbor_bytestring_handle(c),
				     cbor_bytestring_length(c))) < 0)
			return rc;
	}
	return 0;
}

/* Does map @m have a key equal to @key? */
static bool map_has(const cbor_item_t *m, const cbor_item_t *key)
{
	struct cbor_pair *p = cbor_map_handle(m);
	size_t i;

	for (i = 0; i < cbor_map_size(m); i++)
		if (key_eq(p[i].key, key))
			return true;
	return false;
}

static int parse_agent(struct jws *j, const cbor_item_t *v)
{
	char agent[256];
	int rc;

	if ((rc = hdr_text(agent, sizeof(agent), v, H_AGENT)) < 0)
		return rc;
	/* doc owns the strings jws_release frees */
	if (!(j->doc = json_pack("{s:s}", H_AGENT, agent)))
		return err_set(ERR_FORMAT, WHAT ": '%s' is not UTF-8",
			       H_AGENT);
	j->signing_agent = jx_str(j->doc, H_AGENT);
	return 0;
}

/* The unprotected header: x5chain, and optionally the signing agent and
 * a timestamp; nothing else, and nothing the protected header has. */
static int parse_unprotected(struct jws *j, const cbor_item_t *hdr,
			     const cbor_item_t *prot)
{
	struct cbor_pair *p;
	const cbor_item_t *v;
	size_t i;
	int rc;

	if (!cbor_isa_map(hdr))
		return err_set(ERR_FORMAT, WHAT ": unprotected header is not a "
			       "map");
	p = cbor_map_handle(hdr);
	for (i = 0; i < cbor_map_size(hdr); i++) {
		if (!is_label(p[i].key, L_X5CHAIN) &&
		    !is_text(p[i].key, H_AGENT) && !is_text(p[i].key, H_TSA))
			return err_set(ERR_FORMAT, WHAT ": unexpected "
				       "unprotected header");
		/* RFC 9052 section 3: the two buckets are disjoint */
		if (map_has(prot, p[i].key))
			return err_set(ERR_FORMAT, WHAT ": a header is both "
				       "protected and unprotected");
	}
	if ((rc = parse_x5chain(j, hdr_get(hdr, NULL, L_X5CHAIN))) < 0)
		return rc;
	if ((v = hdr_get(hdr, H_AGENT, 0)) && (rc = parse_agent(j, v)) < 0)
		return rc;
	if (!(v = hdr_get(hdr, H_TSA, 0)))
		return 0;
	if (!cbor_isa_bytestring(v) || cbor_bytestring_length(v) == 0)
		return err_set(ERR_FORMAT, WHAT ": '%s' is not a non-empty "
			       "byte string", H_TSA);
	return buf_append(&j->timestamp, cbor_bytestring_handle(v),
			  cbor_bytestring_length(v));
}

/* ---- the signed bytes ---------------------------------------------------- */

/* Sig_structure for COSE_Sign1 (RFC 9052 section 4.4), encoded by
 * libcbor: ["Signature1", protected, external_aad = h'', payload]. */
static int sig_structure(struct buf *out, const void *prot, size_t plen,
			 const void *payload, size_t len)
{
	cbor_item_t *a = cbor_new_definite_array(4), *it[4];
	unsigned char *enc = NULL;
	size_t i, n = 0, cap = 0;
	bool ok = a != NULL;
	int rc;

	it[0] = cbor_build_string("Signature1");
	it[1] = cbor_build_bytestring(prot, plen);
	it[2] = cbor_new_definite_bytestring();	/* h'' */
	it[3] = cbor_build_bytestring(payload, len);
	for (i = 0; i < 4; i++)
		ok = ok && it[i] && cbor_array_push(a, it[i]);
	if (ok)
		n = cbor_serialize_alloc(a, &enc, &cap);
	for (i = 0; i < 4; i++)
		if (it[i])
			cbor_decref(&it[i]);
	if (a)
		cbor_decref(&a);
	if (!ok || n == 0) {
		free(enc);
		return err_set(ERR_NOMEM, "cannot encode the COSE "
			       "Sig_structure");
	}
	rc = buf_append(out, enc, n);
	free(enc);
	return rc;
}

/* ---- the envelope -------------------------------------------------------- */

/* A non-empty byte string, element @i of COSE_Sign1 @a, into @out. */
static int member_bytes(struct buf *out, const cbor_item_t *a, size_t i,
			const char *name)
{
	const cbor_item_t *v = cbor_array_handle(a)[i];

	if (!cbor_isa_bytestring(v) || cbor_bytestring_length(v) == 0)
		return err_set(ERR_FORMAT, WHAT ": %s is not a non-empty byte "
			       "string", name);
	return buf_append(out, cbor_bytestring_handle(v),
			  cbor_bytestring_length(v));
}

/* COSE_Sign1_Tagged is tag 18 around [protected, unprotected, payload,
 * signature], and tag 18 is the one byte 0xd2, a prefix go-cose checks
 * as such. libcbor 0.8 (Debian 12) refuses the one-byte tags 6 to 20, so
 * it gets the array after that byte. */
static int sign1_array(cbor_item_t **out, const unsigned char *data,
		       size_t len)
{
	int rc;

	*out = NULL;
	if (len == 0 || data[0] != COSE_SIGN1_TAGGED)
		return err_set(ERR_FORMAT, WHAT " is not a tagged COSE_Sign1");
	if ((rc = load_strict(out, data + 1, len - 1, WHAT)) < 0)
		return rc;
	if (!cbor_isa_array(*out) || cbor_array_size(*out) != 4)
		return err_set(ERR_FORMAT, WHAT ": COSE_Sign1 is not an array "
			       "of four");
	return 0;
}

int cose_parse(struct jws *out, const void *data, size_t len)
{
	cbor_item_t *a = NULL, *prot = NULL;
	struct buf raw;
	int rc;

	memset(out, 0, sizeof(*out));
	buf_init(&out->signing_input, JWS_MAX * 2);
	buf_init(&out->payload, JWS_MAX);
	buf_init(&out->signature, JWS_MAX);
	buf_init(&out->timestamp, JWS_MAX);
	buf_init(&raw, JWS_MAX);
	if (len > JWS_MAX)
		return err_set(ERR_FORMAT, WHAT " is larger than %d bytes",
			       JWS_MAX);
	if ((rc = sign1_array(&a, data, len)) < 0 ||
	    (rc = member_bytes(&raw, a, 0, "protected header")) < 0 ||
	    (rc = member_bytes(&out->payload, a, 2, "payload")) < 0 ||
	    (rc = member_bytes(&out->signature, a, 3, "signature")) < 0 ||
	    (rc = load_strict(&prot, raw.data, raw.len,
			      WHAT ": protected header")) < 0 ||
	    (rc = parse_protected(out, prot)) < 0 ||
	    (rc = parse_unprotected(out, cbor_array_handle(a)[1], prot)) < 0)
		goto out;
	rc = sig_structure(&out->signing_input, raw.data, raw.len,
			   out->payload.data, out->payload.len);
out:
	if (prot)
		cbor_decref(&prot);
	if (a)
		cbor_decref(&a);
	buf_release(&raw);
	return rc;
}
