/*
 * trustedroot.c - Sigstore's trusted root
 * (application/vnd.dev.sigstore.trustedroot+json;version=0.1, the
 * TrustedRoot message of sigstore/protobuf-specs in its JSON form): the
 * transparency logs, Fulcio certificate authorities, certificate
 * transparency logs and timestamp authorities a keyless verification
 * trusts, each with the window of time it is trusted for. A file people
 * choose and sometimes write, so it is read like the policy: strictly,
 * and every problem named by its JSON path. Pure: no I/O, no X.509.
 */
#include <stdlib.h>
#include <string.h>

#include "formats.h"

static const char *const root_fields[] = {
	"mediaType", "tlogs", "certificateAuthorities", "ctlogs",
	"timestampAuthorities", NULL
};
static const char *const log_fields[] = {
	"baseUrl", "hashAlgorithm", "publicKey", "logId", "checkpointKeyId",
	"operator", NULL
};
static const char *const key_fields[] = {
	"rawBytes", "keyDetails", "validFor", NULL
};
static const char *const ca_fields[] = {
	"subject", "uri", "certChain", "validFor", "operator", NULL
};
static const char *const window_fields[] = { "start", "end", NULL };
static const char *const keyid_fields[] = { "keyId", NULL };
static const char *const chain_fields[] = { "certificates", NULL };
static const char *const cert_fields[] = { "rawBytes", NULL };
static const char *const subject_fields[] = {
	"organization", "commonName", NULL
};

static const struct {
	const char *name;
	enum tr_key_kind kind;
} key_kinds[] = {
	{ "PKIX_ECDSA_P256_SHA_256", TR_KEY_ECDSA_P256 },
	{ "PKIX_ECDSA_P384_SHA_384", TR_KEY_ECDSA_P384 },
	{ "PKIX_ECDSA_P521_SHA_512", TR_KEY_ECDSA_P521 },
	{ "PKIX_ED25519", TR_KEY_ED25519 },
	{ "PKIX_RSA_PKCS1V15_2048_SHA256", TR_KEY_RSA_PKCS1 },
	{ "PKIX_RSA_PKCS1V15_3072_SHA256", TR_KEY_RSA_PKCS1 },
	{ "PKIX_RSA_PKCS1V15_4096_SHA256", TR_KEY_RSA_PKCS1 },
	{ "PKCS1_RSA_PKCS1V5", TR_KEY_RSA_PKCS1_RAW },
};

bool tr_window_has(const struct tr_window *w, time_t t)
{
	return t >= w->start && (!w->has_end || t <= w->end);
}

/* The base64 member @field of @obj decoded into @out (at most @max
 * bytes); false when absent or malformed (reported). */
static bool get_b64(struct jp_reader *r, const json_t *obj,
		    const char *field, const char *jp, struct buf *out,
		    size_t max)
{
	const char *s = jp_get_str(r, obj, field, jp, true);
	char sub[JP_MAX];

	if (!s)
		return false;
	jp_key(sub, jp, field);
	buf_reset(out);
	if (b64_decode(out, s, strlen(s)) < 0) {
		jp_report(r, ERR_FORMAT, sub, "not standard base64");
		return false;
	}
	if (out->len == 0 || out->len > max) {
		jp_report(r, ERR_FORMAT, sub, "%zu bytes (expected 1 to %zu)",
			  out->len, max);
		return false;
	}
	return true;
}

static bool get_time(struct jp_reader *r, const json_t *obj,
		     const char *field, const char *jp, time_t *out)
{
	const char *s = jp_get_str(r, obj, field, jp, true);
	char sub[JP_MAX];

	if (!s)
		return false;
	if (rfc3339_parse(out, s, 0) < 0) {
		jp_report(r, ERR_FORMAT, jp_key(sub, jp, field),
			  "not an RFC 3339 time");
		return false;
	}
	return true;
}

/* validFor: start required, end optional and not before start. */
static void parse_window(struct jp_reader *r, const json_t *parent,
			 const char *jp, struct tr_window *out)
{
	const json_t *w = jp_get_obj(r, parent, "validFor", jp, true);
	char sub[JP_MAX], end[JP_MAX];

	if (!w)
		return;
	jp_key(sub, jp, "validFor");
	jp_only_fields(r, w, sub, window_fields, "start, end");
	get_time(r, w, "start", sub, &out->start);
	if (!json_object_get(w, "end"))
		return;
	out->has_end = get_time(r, w, "end", sub, &out->end);
	if (out->has_end && out->end < out->start)
		jp_report(r, ERR_FORMAT, jp_key(end, sub, "end"),
			  "before start");
}

static void parse_key_kind(struct jp_reader *r, const json_t *key,
			   const char *jp, enum tr_key_kind *out)
{
	const char *s = jp_get_str(r, key, "keyDetails", jp, true);
	char sub[JP_MAX];
	size_t i;

	if (!s)
		return;
	for (i = 0; i < sizeof(key_kinds) / sizeof(key_kinds[0]); i++) {
		if (strcmp(s, key_kinds[i].name) == 0) {
			*out = key_kinds[i].kind;
			return;
		}
	}
	jp_report(r, ERR_FORMAT, jp_key(sub, jp, "keyDetails"),
		  "key kind '%.64s' not supported", s);
}

/* The hashAlgorithm of a log: SHA2_256, the only one Rekor and CT use. */
static void parse_hash_alg(struct jp_reader *r, const json_t *v,
			   const char *jp)
{
	const char *s = jp_get_str(r, v, "hashAlgorithm", jp, true);
	char sub[JP_MAX];

	if (s && strcmp(s, "SHA2_256") != 0)
		jp_report(r, ERR_FORMAT, jp_key(sub, jp, "hashAlgorithm"),
			  "'%.64s' not supported (known: SHA2_256)", s);
}

static void parse_log_id(struct jp_reader *r, const json_t *v,
			 const char *field, const char *jp, struct buf *out)
{
	const json_t *id = jp_get_obj(r, v, field, jp, out != NULL);
	char sub[JP_MAX];
	struct buf ignored;

	if (!id)
		return;
	jp_key(sub, jp, field);
	jp_only_fields(r, id, sub, keyid_fields, "keyId");
	buf_init(&ignored, 0);
	get_b64(r, id, "keyId", sub, out ? out : &ignored, 64);
	buf_release(&ignored);
}

static void parse_log(struct jp_reader *r, const json_t *v, const char *jp,
		      struct tr_log *out)
{
	const json_t *key;
	char sub[JP_MAX];

	jp_only_fields(r, v, jp, log_fields, "baseUrl, hashAlgorithm, "
		       "publicKey, logId, checkpointKeyId, operator");
	if (json_object_get(v, "baseUrl"))
		out->base_url = jp_get_str(r, v, "baseUrl", jp, false);
	parse_hash_alg(r, v, jp);
	parse_log_id(r, v, "logId", jp, &out->log_id);
	if (json_object_get(v, "checkpointKeyId"))
		parse_log_id(r, v, "checkpointKeyId", jp, NULL);
	if (json_object_get(v, "operator"))
		(void)jp_get_str(r, v, "operator", jp, false);
	if (!(key = jp_get_obj(r, v, "publicKey", jp, true)))
		return;
	jp_key(sub, jp, "publicKey");
	jp_only_fields(r, key, sub, key_fields,
		       "rawBytes, keyDetails, validFor");
	get_b64(r, key, "rawBytes", sub, &out->spki, 16384);
	parse_key_kind(r, key, sub, &out->kind);
	parse_window(r, key, sub, &out->valid);
}

static void parse_subject(struct jp_reader *r, const json_t *v,
			  const char *jp)
{
	const json_t *s = jp_get_obj(r, v, "subject", jp, false);
	char sub[JP_MAX];

	if (!s)
		return;
	jp_key(sub, jp, "subject");
	jp_only_fields(r, s, sub, subject_fields, "organization, commonName");
	if (json_object_get(s, "organization"))
		(void)jp_get_str(r, s, "organization", sub, false);
	if (json_object_get(s, "commonName"))
		(void)jp_get_str(r, s, "commonName", sub, false);
}

static void parse_chain(struct jp_reader *r, const json_t *v, const char *jp,
			struct tr_ca *out)
{
	const json_t *chain = jp_get_obj(r, v, "certChain", jp, true), *certs;
	char sub[JP_MAX], list[JP_MAX], item[JP_MAX];
	size_t i;

	if (!chain)
		return;
	jp_key(sub, jp, "certChain");
	jp_only_fields(r, chain, sub, chain_fields, "certificates");
	certs = json_object_get(chain, "certificates");
	jp_key(list, sub, "certificates");
	if (!json_is_array(certs) || !json_array_size(certs) ||
	    json_array_size(certs) > TR_CHAIN_MAX) {
		jp_report(r, ERR_FORMAT, list, "expected an array of 1 to %d "
			  "certificates", TR_CHAIN_MAX);
		return;
	}
	for (i = 0; i < json_array_size(certs); i++) {
		const json_t *c = json_array_get(certs, i);

		jp_idx(item, list, i);
		if (!json_is_object(c)) {
			jp_report(r, ERR_FORMAT, item, "expected an object");
			continue;
		}
		jp_only_fields(r, c, item, cert_fields, "rawBytes");
		get_b64(r, c, "rawBytes", item, &out->certs[i], 65536);
	}
	out->n_certs = json_array_size(certs);
}

static void parse_ca(struct jp_reader *r, const json_t *v, const char *jp,
		     struct tr_ca *out)
{
	jp_only_fields(r, v, jp, ca_fields, "subject, uri, certChain, "
		       "validFor, operator");
	parse_subject(r, v, jp);
	if (json_object_get(v, "uri"))
		out->uri = jp_get_str(r, v, "uri", jp, false);
	if (json_object_get(v, "operator"))
		(void)jp_get_str(r, v, "operator", jp, false);
	parse_chain(r, v, jp, out);
	parse_window(r, v, jp, &out->valid);
}

/* The array member @name: its items, or NULL with *n 0 when absent or
 * wrong (reported). */
static const json_t *get_list(struct jp_reader *r, const json_t *doc,
			      const char *name, size_t *n)
{
	json_t *v = json_object_get(doc, name);
	char jp[JP_MAX];

	*n = 0;
	if (!v)
		return NULL;
	jp_key(jp, "", name);
	if (!json_is_array(v) || json_array_size(v) > TR_ITEMS_MAX) {
		jp_report(r, ERR_FORMAT, jp, "expected an array of at most "
			  "%d entries", TR_ITEMS_MAX);
		return NULL;
	}
	*n = json_array_size(v);
	return v;
}

static int parse_logs(struct jp_reader *r, const json_t *doc,
		      const char *name, struct tr_log **out, size_t *n)
{
	const json_t *list = get_list(r, doc, name, n);
	char base[JP_MAX], jp[JP_MAX];
	size_t i;

	if (!*n)
		return 0;
	if (!(*out = calloc(*n, sizeof(**out)))) {
		*n = 0;
		return err_set(ERR_NOMEM, "out of memory");
	}
	jp_key(base, "", name);
	for (i = 0; i < *n; i++) {
		const json_t *v = json_array_get(list, i);

		buf_init(&(*out)[i].spki, 0);
		buf_init(&(*out)[i].log_id, 0);
		jp_idx(jp, base, i);
		if (!json_is_object(v))
			jp_report(r, ERR_FORMAT, jp, "expected an object");
		else
			parse_log(r, v, jp, &(*out)[i]);
	}
	return 0;
}

static int parse_cas(struct jp_reader *r, const json_t *doc,
		     const char *name, struct tr_ca **out, size_t *n)
{
	const json_t *list = get_list(r, doc, name, n);
	char base[JP_MAX], jp[JP_MAX];
	size_t i, k;

	if (!*n)
		return 0;
	if (!(*out = calloc(*n, sizeof(**out)))) {
		*n = 0;
		return err_set(ERR_NOMEM, "out of memory");
	}
	jp_key(base, "", name);
	for (i = 0; i < *n; i++) {
		const json_t *v = json_array_get(list, i);

		for (k = 0; k < TR_CHAIN_MAX; k++)
			buf_init(&(*out)[i].certs[k], 0);
		jp_idx(jp, base, i);
		if (!json_is_object(v))
			jp_report(r, ERR_FORMAT, jp, "expected an object");
		else
			parse_ca(r, v, jp, &(*out)[i]);
	}
	return 0;
}

static void parse_media_type(struct jp_reader *r, const json_t *doc)
{
	const char *mt = jp_get_str(r, doc, "mediaType", "", true);

	if (mt && strcmp(mt, MT_TRUSTED_ROOT) != 0)
		jp_report(r, ERR_FORMAT, ".mediaType", "'%.80s' is not a "
			  "trusted root this signet reads (%s)", mt,
			  MT_TRUSTED_ROOT);
}

int trustedroot_parse(struct trustedroot *out, struct jp_reader *r,
		      const void *data, size_t len)
{
	struct jp_reader quiet = { 0 };
	int rc;

	memset(out, 0, sizeof(*out));
	if (!r)
		r = &quiet;
	if (len > TRUSTEDROOT_MAX)
		return err_set(ERR_FORMAT, "trusted root: over %d bytes",
			       TRUSTEDROOT_MAX);
	if ((rc = jp_parse(&out->doc, r, data, len, "trusted root")) < 0)
		return err_set(rc, "%s%s", strncmp(r->first, "trusted root: ",
						   14) ? "trusted root: " : "",
			       r->first);	/* jp_parse may name it */
	if (!json_is_object(out->doc)) {
		jp_report(r, ERR_FORMAT, ".", "expected an object");
		return err_set(ERR_FORMAT, "trusted root: %s", r->first);
	}
	jp_only_fields(r, out->doc, "", root_fields, "mediaType, tlogs, "
		       "certificateAuthorities, ctlogs, timestampAuthorities");
	parse_media_type(r, out->doc);
	if ((rc = parse_logs(r, out->doc, "tlogs", &out->tlogs,
			     &out->n_tlogs)) < 0 ||
	    (rc = parse_logs(r, out->doc, "ctlogs", &out->ctlogs,
			     &out->n_ctlogs)) < 0 ||
	    (rc = parse_cas(r, out->doc, "certificateAuthorities", &out->cas,
			    &out->n_cas)) < 0 ||
	    (rc = parse_cas(r, out->doc, "timestampAuthorities", &out->tsas,
			    &out->n_tsas)) < 0)
		return rc;
	if (r->n_errors)
		return err_set(r->first_rc, "trusted root: %s", r->first);
	return 0;
}

static void release_logs(struct tr_log *logs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		buf_release(&logs[i].spki);
		buf_release(&logs[i].log_id);
	}
	free(logs);
}

static void release_cas(struct tr_ca *cas, size_t n)
{
	size_t i, k;

	for (i = 0; i < n; i++)
		for (k = 0; k < TR_CHAIN_MAX; k++)
			buf_release(&cas[i].certs[k]);
	free(cas);
}

void trustedroot_release(struct trustedroot *t)
{
	if (!t)
		return;
	release_logs(t->tlogs, t->n_tlogs);
	release_logs(t->ctlogs, t->n_ctlogs);
	release_cas(t->cas, t->n_cas);
	release_cas(t->tsas, t->n_tsas);
	json_decref(t->doc);
	memset(t, 0, sizeof(*t));
}
