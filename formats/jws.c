/*
 * jws.c - Notary Project signatures: the flattened JWS JSON envelope
 * (specs/signature-envelope-jws.md) and the notary payload it carries,
 * built and parsed in one place. The parser is strict where notation is
 * lenient (Go's encoding/json): duplicate keys, unknown envelope or
 * unprotected members, padded or non-canonical base64 and unknown
 * critical headers are refused rather than guessed at.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats.h"

#ifndef SIGNET_VERSION
#define SIGNET_VERSION "unknown"
#endif

#define H_ALG "alg"
#define H_CTY "cty"
#define H_CRIT "crit"
#define H_SCHEME "io.cncf.notary.signingScheme"
#define H_TIME "io.cncf.notary.signingTime"
#define H_EXPIRY "io.cncf.notary.expiry"
#define H_AUTH_TIME "io.cncf.notary.authenticSigningTime"
#define H_X5C "x5c"
#define H_AGENT "io.cncf.notary.signingAgent"
#define H_TSA "io.cncf.notary.timestampSignature"

#define SCHEME_X509 "notary.x509"
#define SCHEME_SA "notary.x509.signingAuthority"

static const char *const jws_algs[] = {
	"PS256", "PS384", "PS512", "ES256", "ES384", "ES512", NULL,
};

/* The critical headers we understand; anything else in crit is refused. */
static const char *const known_crit[] = {
	H_SCHEME, H_EXPIRY, H_AUTH_TIME, NULL,
};

static bool in_list(const char *s, const char *const *list)
{
	size_t i;

	for (i = 0; list[i]; i++)
		if (strcmp(s, list[i]) == 0)
			return true;
	return false;
}

/* ERR_FORMAT naming the first member of @obj that is not in @allowed. */
static int only_members(const json_t *obj, const char *const *allowed,
			const char *what)
{
	char name[128];
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)obj, key, v) {
		if (in_list(key, allowed))
			continue;
		str_sanitize(name, sizeof(name), key);
		return err_set(ERR_FORMAT, "%s: unexpected member '%s'", what,
			       name);
	}
	return 0;
}

/* ---- RFC 3339 ------------------------------------------------------------ */

int jws_time_parse(time_t *out, const char *s)
{
	return rfc3339_parse(out, s, 0);
}

int jws_time_format(char out[32], time_t t)
{
	return rfc3339_format(out, t);
}

/* ---- parsing the envelope ------------------------------------------------ */

/* Decode the base64url string member @key of @obj into @out. */
static int member_b64url(struct buf *out, const json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	if (!json_is_string(v))
		return err_set(ERR_FORMAT, "signature envelope: '%s' is "
			       "missing or not a string", key);
	if (b64url_decode(out, json_string_value(v),
			  json_string_length(v)) < 0)
		return err_set(ERR_FORMAT, "signature envelope: '%s' is not "
			       "base64url without padding", key);
	if (out->len == 0)
		return err_set(ERR_FORMAT, "signature envelope: '%s' is empty",
			       key);
	return 0;
}

/* The time member @key of @hdr into @out; *@present says whether it was
 * there at all. */
static int header_time(time_t *out, bool *present, const json_t *hdr,
		       const char *key)
{
	json_t *v = json_object_get(hdr, key);

	*present = v != NULL;
	if (!v)
		return 0;
	if (!json_is_string(v))
		return err_set(ERR_FORMAT, "signature envelope: protected "
			       "header '%s' is not a string", key);
	if (jws_time_parse(out, json_string_value(v)) < 0)
		return err_wrap(ERR_FORMAT, "signature envelope: protected "
				"header '%s'", key);
	return 0;
}

static bool crit_lists(const json_t *crit, const char *name)
{
	size_t i;
	json_t *v;

	json_array_foreach(crit, i, v)
		if (strcmp(json_string_value(v), name) == 0)
			return true;
	return false;
}

/* crit: a non-empty array of distinct strings, each a critical header we
 * understand and that is present in @hdr. */
static int check_crit(const json_t *hdr, const json_t *crit)
{
	char name[128];
	size_t i, k;
	json_t *v;

	if (!json_is_array(crit) || json_array_size(crit) == 0)
		return err_set(ERR_FORMAT, "signature envelope: protected "
			       "header 'crit' is missing or not a non-empty "
			       "array");
	json_array_foreach(crit, i, v) {
		if (!json_is_string(v))
			return err_set(ERR_FORMAT, "signature envelope: 'crit' "
				       "holds a non-string");
		str_sanitize(name, sizeof(name), json_string_value(v));
		if (!in_list(json_string_value(v), known_crit))
			return err_set(ERR_FORMAT, "signature envelope: "
				       "unknown critical header '%s'", name);
		if (!json_object_get(hdr, json_string_value(v)))
			return err_set(ERR_FORMAT, "signature envelope: "
				       "critical header '%s' is not present",
				       name);
		for (k = 0; k < i; k++)
			if (strcmp(json_string_value(json_array_get(crit, k)),
				   json_string_value(v)) == 0)
				return err_set(ERR_FORMAT, "signature "
					       "envelope: 'crit' lists '%s' "
					       "twice", name);
	}
	return 0;
}

static int parse_protected(struct jws *j, const struct buf *raw)
{
	json_t *hdr, *crit;
	const char *alg, *scheme;
	bool has_time, has_auth;
	time_t auth = 0;
	char shown[64];
	int rc;

	if ((rc = jx_parse(&j->protected_header, raw->data, raw->len,
			   "signature envelope: protected header")) < 0)
		return rc;
	hdr = j->protected_header;
	if (!json_is_object(hdr))
		return err_set(ERR_FORMAT, "signature envelope: protected "
			       "header is not a JSON object");
	alg = jx_str(hdr, H_ALG);
	if (!alg)
		return err_set(ERR_FORMAT, "signature envelope: protected "
			       "header lacks 'alg'");
	if (!in_list(alg, jws_algs)) {
		str_sanitize(shown, sizeof(shown), alg);
		return err_set(ERR_FORMAT, "signature envelope: unsupported "
			       "alg '%s'", shown);
	}
	snprintf(j->alg, sizeof(j->alg), "%s", alg);
	j->cty = jx_str(hdr, H_CTY);
	if (!j->cty || strcmp(j->cty, NOTARY_PAYLOAD_TYPE) != 0) {
		str_sanitize(shown, sizeof(shown), j->cty ? j->cty : "");
		return err_set(ERR_FORMAT, "signature envelope: unsupported "
			       "content type '%s'", shown);
	}
	crit = json_object_get(hdr, H_CRIT);
	if ((rc = check_crit(hdr, crit)) < 0)
		return rc;
	scheme = jx_str(hdr, H_SCHEME);
	if (!scheme)
		return err_set(ERR_FORMAT, "signature envelope: protected "
			       "header lacks '%s'", H_SCHEME);
	if (strcmp(scheme, SCHEME_X509) == 0) {
		j->scheme = JWS_SCHEME_X509;
	} else if (strcmp(scheme, SCHEME_SA) == 0) {
		j->scheme = JWS_SCHEME_SIGNING_AUTHORITY;
	} else {
		str_sanitize(shown, sizeof(shown), scheme);
		return err_set(ERR_FORMAT, "signature envelope: unsupported "
			       "signing scheme '%s'", shown);
	}
	/* check_crit left crit an array of strings, each present */
	if (!crit_lists(crit, H_SCHEME))
		return err_set(ERR_FORMAT, "signature envelope: '%s' is not "
			       "marked critical", H_SCHEME);
	if ((rc = header_time(&j->signing_time, &has_time, hdr,
			      H_TIME)) < 0 ||
	    (rc = header_time(&auth, &has_auth, hdr, H_AUTH_TIME)) < 0 ||
	    (rc = header_time(&j->expiry, &j->has_expiry, hdr,
			      H_EXPIRY)) < 0)
		return rc;
	if (j->has_expiry && !crit_lists(crit, H_EXPIRY))
		return err_set(ERR_FORMAT, "signature envelope: '%s' is not "
			       "marked critical", H_EXPIRY);
	if (has_auth && !crit_lists(crit, H_AUTH_TIME))
		return err_set(ERR_FORMAT, "signature envelope: '%s' is not "
			       "marked critical", H_AUTH_TIME);
	if (j->scheme == JWS_SCHEME_X509 && (!has_time || has_auth))
		return err_set(ERR_FORMAT, "signature envelope: scheme %s "
			       "needs '%s' and no '%s'", SCHEME_X509, H_TIME,
			       H_AUTH_TIME);
	if (j->scheme == JWS_SCHEME_SIGNING_AUTHORITY &&
	    (!has_auth || has_time))
		return err_set(ERR_FORMAT, "signature envelope: scheme %s "
			       "needs '%s' and no '%s'", SCHEME_SA,
			       H_AUTH_TIME, H_TIME);
	if (has_auth) {
		j->signing_time = auth;
		j->has_authentic_signing_time = true;
	}
	if (j->has_expiry && j->expiry <= j->signing_time)
		return err_set(ERR_FORMAT, "signature envelope: expiry is not "
			       "after the signing time");
	return 0;
}

static int parse_unprotected(struct jws *j, const json_t *hdr)
{
	static const char *const allowed[] = { H_X5C, H_AGENT, H_TSA, NULL };
	json_t *x5c, *v;
	const char *key;
	size_t i;
	int rc;

	if (!json_is_object(hdr))
		return err_set(ERR_FORMAT, "signature envelope: 'header' is "
			       "missing or not an object");
	if ((rc = only_members(hdr, allowed,
			       "signature envelope: header")) < 0)
		return rc;
	/* RFC 7515 section 7.2.1: the two header sets are disjoint */
	json_object_foreach((json_t *)hdr, key, v)
		if (json_object_get(j->protected_header, key))
			return err_set(ERR_FORMAT, "signature envelope: '%s' "
				       "is both protected and unprotected",
				       key);
	x5c = json_object_get(hdr, H_X5C);
	if (!json_is_array(x5c) || json_array_size(x5c) == 0)
		return err_set(ERR_FORMAT, "signature envelope: 'x5c' is "
			       "missing or empty");
	if (json_array_size(x5c) > JWS_CERTS_MAX)
		return err_set(ERR_FORMAT, "signature envelope: more than %d "
			       "certificates in 'x5c'", JWS_CERTS_MAX);
	json_array_foreach(x5c, i, v) {
		buf_init(&j->certs[i], JWS_MAX);
		j->n_certs = i + 1;
		if (!json_is_string(v) ||
		    b64_decode(&j->certs[i], json_string_value(v),
			       json_string_length(v)) < 0 ||
		    j->certs[i].len == 0)
			return err_set(ERR_FORMAT, "signature envelope: "
				       "certificate %zu in 'x5c' is not "
				       "base64", i + 1);
	}
	v = json_object_get(hdr, H_AGENT);
	if (v && !json_is_string(v))
		return err_set(ERR_FORMAT, "signature envelope: '%s' is not a "
			       "string", H_AGENT);
	j->signing_agent = v ? json_string_value(v) : NULL;
	v = json_object_get(hdr, H_TSA);
	if (v && (!json_is_string(v) ||
		  b64_decode(&j->timestamp, json_string_value(v),
			     json_string_length(v)) < 0 ||
		  j->timestamp.len == 0))
		return err_set(ERR_FORMAT, "signature envelope: '%s' is not "
			       "base64", H_TSA);
	return 0;
}

int jws_parse(struct jws *out, const void *data, size_t len)
{
	static const char *const top[] = {
		"payload", "protected", "header", "signature", NULL,
	};
	struct buf hdr;
	int rc;

	memset(out, 0, sizeof(*out));
	buf_init(&out->signing_input, JWS_MAX * 2);
	buf_init(&out->payload, JWS_MAX);
	buf_init(&out->signature, JWS_MAX);
	buf_init(&out->timestamp, JWS_MAX);
	buf_init(&hdr, JWS_MAX);
	if (len > JWS_MAX)
		return err_set(ERR_FORMAT, "signature envelope is larger than "
			       "%d bytes", JWS_MAX);
	if ((rc = jx_parse(&out->doc, data, len, "signature envelope")) < 0)
		return rc;
	if (!json_is_object(out->doc))
		return err_set(ERR_FORMAT, "signature envelope is not a JSON "
			       "object");
	/* member_b64url leaves protected and payload known to be strings */
	if ((rc = only_members(out->doc, top, "signature envelope")) < 0 ||
	    (rc = member_b64url(&hdr, out->doc, "protected")) < 0 ||
	    (rc = member_b64url(&out->payload, out->doc, "payload")) < 0 ||
	    (rc = member_b64url(&out->signature, out->doc, "signature")) < 0 ||
	    (rc = buf_appends(&out->signing_input,
			      jx_str(out->doc, "protected"))) < 0 ||
	    (rc = buf_append(&out->signing_input, ".", 1)) < 0 ||
	    (rc = buf_appends(&out->signing_input,
			      jx_str(out->doc, "payload"))) < 0 ||
	    (rc = parse_protected(out, &hdr)) < 0)
		goto out;
	rc = parse_unprotected(out, json_object_get(out->doc, "header"));
out:
	buf_release(&hdr);
	return rc;
}

void jws_release(struct jws *j)
{
	size_t i;

	if (!j)
		return;
	json_decref(j->doc);
	json_decref(j->protected_header);
	buf_release(&j->signing_input);
	buf_release(&j->payload);
	buf_release(&j->signature);
	buf_release(&j->timestamp);
	for (i = 0; i < j->n_certs; i++)
		buf_release(&j->certs[i]);
	memset(j, 0, sizeof(*j));
}

/* ---- building the envelope ----------------------------------------------- */

/* The protected header as notation writes it: compact, keys sorted. */
static int protected_header(char **out, const char *alg, time_t signing_time,
			    time_t expiry)
{
	char ts[32], es[32];
	json_t *hdr, *crit;
	int rc;

	*out = NULL;
	if ((rc = jws_time_format(ts, signing_time)) < 0 ||
	    (expiry && (rc = jws_time_format(es, expiry)) < 0))
		return rc;
	crit = json_pack("[s]", H_SCHEME);
	if (crit && expiry &&
	    json_array_append_new(crit, json_string(H_EXPIRY)) < 0) {
		json_decref(crit);
		crit = NULL;
	}
	/* "o" hands crit over, even on failure */
	hdr = json_pack("{s:s,s:o,s:s,s:s,s:s}", H_ALG, alg, H_CRIT, crit,
			H_CTY, NOTARY_PAYLOAD_TYPE, H_SCHEME, SCHEME_X509,
			H_TIME, ts);
	if (hdr && (!expiry || json_object_set_new(hdr, H_EXPIRY,
						   json_string(es)) == 0))
		*out = json_dumps(hdr, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(hdr);
	if (!*out)
		return err_set(ERR_NOMEM, "cannot build the protected header");
	return 0;
}

static json_t *x5c_array(const struct buf *certs, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a && i < n; i++) {
		char *s = b64_encode(certs[i].data, certs[i].len);

		if (!s || json_array_append_new(a, json_string(s)) < 0) {
			json_decref(a);
			a = NULL;
		}
		free(s);
	}
	return a;
}

int jws_build(struct buf *out, const char *alg, const void *payload,
	      size_t len, const struct buf *certs, size_t n,
	      time_t signing_time, time_t expiry, jws_sign_fn sign, void *ctx)
{
	char *hdr = NULL, *p64 = NULL, *pl64 = NULL, *sig64 = NULL;
	char *s = NULL;
	struct buf input, sig;
	json_t *env = NULL;
	size_t i;
	int rc = 0;

	buf_init(&input, JWS_MAX * 2);
	buf_init(&sig, JWS_MAX);
	if (!alg || !in_list(alg, jws_algs))
		return err_set(ERR_USAGE, "unsupported JWS algorithm '%s'",
			       alg ? alg : "");
	if (n == 0 || n > JWS_CERTS_MAX)
		return err_set(ERR_USAGE, "need 1 to %d certificates, not %zu",
			       JWS_CERTS_MAX, n);
	for (i = 0; i < n; i++)
		if (!certs[i].len)
			return err_set(ERR_USAGE, "certificate %zu is empty",
				       i + 1);
	if (!len || len > JWS_MAX)
		return err_set(ERR_USAGE, "payload of %zu bytes cannot be "
			       "signed", len);
	if (expiry && expiry <= signing_time)
		return err_set(ERR_USAGE, "expiry is not after the signing "
			       "time");
	if ((rc = protected_header(&hdr, alg, signing_time, expiry)) < 0)
		goto out;
	p64 = b64url_encode(hdr, strlen(hdr));
	pl64 = b64url_encode(payload, len);
	if (!p64 || !pl64) {
		rc = err_set(ERR_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = buf_appends(&input, p64)) < 0 ||
	    (rc = buf_append(&input, ".", 1)) < 0 ||
	    (rc = buf_appends(&input, pl64)) < 0 ||
	    (rc = sign(ctx, input.data, input.len, &sig)) < 0)
		goto out;
	if (!sig.len) {
		rc = err_set(ERR_CRYPTO, "the signer returned no signature");
		goto out;
	}
	if (!(sig64 = b64url_encode(sig.data, sig.len))) {
		rc = err_set(ERR_NOMEM, "out of memory");
		goto out;
	}
	/* member order as notation writes it */
	env = json_pack("{s:s,s:s,s:{s:o,s:s},s:s}", "payload", pl64,
			"protected", p64, "header", H_X5C, x5c_array(certs, n),
			H_AGENT, "signet/" SIGNET_VERSION, "signature", sig64);
	if (!env || !(s = json_dumps(env, JSON_COMPACT))) {
		rc = err_set(ERR_NOMEM, "cannot build the signature envelope");
		goto out;
	}
	rc = buf_appends(out, s);
out:
	free(s);
	json_decref(env);
	free(sig64);
	free(pl64);
	free(p64);
	free(hdr);
	buf_release(&sig);
	buf_release(&input);
	return rc;
}

/* ---- the Notary payload -------------------------------------------------- */

int notary_payload_parse(struct notary_target *out, const void *data,
			 size_t len)
{
	static const char *const top[] = { "targetArtifact", NULL };
	static const char *const desc[] = {
		"mediaType", "digest", "size", "annotations", "artifactType",
		NULL,
	};
	json_t *t, *v, *ann;
	const char *dig, *key;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = jx_parse(&out->doc, data, len, "signature payload")) < 0)
		return rc;
	t = json_object_get(out->doc, "targetArtifact");
	if (!json_is_object(out->doc) || !json_is_object(t)) {
		rc = err_set(ERR_FORMAT, "signature payload lacks a "
			     "'targetArtifact' object");
		goto bad;
	}
	if ((rc = only_members(out->doc, top, "signature payload")) < 0 ||
	    (rc = only_members(t, desc, "signature payload")) < 0)
		goto bad;
	out->media_type = jx_str(t, "mediaType");
	if (!out->media_type || !*out->media_type) {
		rc = err_set(ERR_FORMAT, "signature payload lacks a media "
			     "type");
		goto bad;
	}
	dig = jx_str(t, "digest");
	if (!dig || digest_parse(&out->digest, dig) < 0) {
		rc = err_set(ERR_FORMAT, "signature payload lacks a valid "
			     "sha256 digest");
		goto bad;
	}
	v = json_object_get(t, "size");
	if (!json_is_integer(v) || json_integer_value(v) < 0) {
		rc = err_set(ERR_FORMAT, "signature payload lacks a valid "
			     "size");
		goto bad;
	}
	out->size = (uint64_t)json_integer_value(v);
	ann = json_object_get(t, "annotations");
	if (ann) {
		if (!json_is_object(ann)) {
			rc = err_set(ERR_FORMAT, "signature payload "
				     "annotations are not an object");
			goto bad;
		}
		json_object_foreach(ann, key, v)
			if (!json_is_string(v)) {
				rc = err_set(ERR_FORMAT, "signature payload "
					     "annotation values must be "
					     "strings");
				goto bad;
			}
		out->annotations = ann;
	}
	v = json_object_get(t, "artifactType");
	if (v && !json_is_string(v)) {
		rc = err_set(ERR_FORMAT, "signature payload artifactType is "
			     "not a string");
		goto bad;
	}
	out->artifact_type = v ? json_string_value(v) : NULL;
	return 0;
bad:
	notary_target_release(out);
	return rc;
}

void notary_target_release(struct notary_target *t)
{
	if (!t)
		return;
	json_decref(t->doc);
	memset(t, 0, sizeof(*t));
}

int notary_payload_build(struct buf *out, const char *media_type,
			 const struct digest *d, size_t size,
			 const struct kvlist *annotations)
{
	json_t *doc, *t, *ann = NULL;
	char *s = NULL;
	size_t i;
	int rc = 0;

	if (!media_type || !*media_type)
		return err_set(ERR_USAGE, "empty media type");
	if ((uint64_t)size > (uint64_t)INT64_MAX)
		return err_set(ERR_USAGE, "size %zu is too large", size);
	if (annotations && annotations->n) {
		if (!(ann = json_object()))
			return err_set(ERR_NOMEM, "out of memory");
		for (i = 0; i < annotations->n; i++) {
			const struct kv *kv = &annotations->items[i];

			if (json_object_get(ann, kv->key)) {
				rc = err_set(ERR_USAGE, "annotation '%s' given "
					     "twice", kv->key);
				break;
			}
			if (json_object_set_new(ann, kv->key,
						json_string(kv->value)) < 0) {
				rc = err_set(ERR_USAGE, "annotation '%s' is "
					     "not valid UTF-8", kv->key);
				break;
			}
		}
		if (rc < 0) {
			json_decref(ann);
			return rc;
		}
	}
	t = json_pack("{s:s,s:s,s:I}", "mediaType", media_type,
		      "digest", d->str, "size", (json_int_t)size);
	if (t && ann && json_object_set_new(t, "annotations", ann) < 0) {
		json_decref(t);
		t = NULL;
	} else if (!t) {
		json_decref(ann);
	}
	doc = t ? json_pack("{s:o}", "targetArtifact", t) : NULL;
	if (!doc || !(s = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS)))
		rc = err_set(ERR_USAGE, "cannot build the signature payload "
			     "(media type not valid UTF-8?)");
	else
		rc = buf_appends(out, s);
	free(s);
	json_decref(doc);
	return rc;
}
