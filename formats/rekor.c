/*
 * rekor.c - Rekor transparency log entries as signatures carry them: the
 * TransparencyLogEntry of a Sigstore bundle (protobuf-specs, in its JSON
 * form) and cosign's "dev.sigstore.cosign/bundle" annotation on a .sig
 * layer; the payload a Signed Entry Timestamp (SET) signs; and the
 * checkpoint, a signed note, an inclusion proof leads to. Pure: no I/O,
 * no crypto; verify/tlog.c checks what is parsed here.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats.h"

static const char *const entry_fields[] = {
	"logIndex", "logId", "kindVersion", "integratedTime",
	"inclusionPromise", "inclusionProof", "canonicalizedBody", NULL
};
static const char *const proof_fields[] = {
	"logIndex", "rootHash", "treeSize", "hashes", "checkpoint", NULL
};
static const char *const cosign_fields[] = {
	"SignedEntryTimestamp", "Payload", NULL
};
static const char *const payload_fields[] = {
	"body", "integratedTime", "logIndex", "logID", NULL
};
static const char *const keyid_fields[] = { "keyId", NULL };
static const char *const kv_fields[] = { "kind", "version", NULL };
static const char *const promise_fields[] = { "signedEntryTimestamp", NULL };
static const char *const envelope_fields[] = { "envelope", NULL };

/* The object member @field, or NULL: absent or null (reported when
 * @required), or not an object (reported). */
static const json_t *member_obj(struct jp_reader *r, const json_t *obj,
				const char *field, const char *jp,
				bool required)
{
	char sub[JP_MAX];

	/* null stands for absent here */
	if (!json_is_null(json_object_get(obj, field)))
		return jp_get_obj(r, obj, field, jp, required);
	if (required) {
		jp_key(sub, jp, field);
		jp_report(r, ERR_FORMAT, sub, "missing");
	}
	return NULL;
}

/* A base64 member decoded into @out: at least @min and at most @max
 * bytes. Absent is 0 bytes (an error when @min). */
static void member_b64(struct jp_reader *r, const json_t *obj,
		       const char *field, const char *jp, struct buf *out,
		       size_t min, size_t max)
{
	const char *s;
	char sub[JP_MAX];

	if (!json_object_get(obj, field) && !min)
		return;
	if (!(s = jp_get_str(r, obj, field, jp, true)))
		return;
	jp_key(sub, jp, field);
	buf_reset(out);
	if (b64_decode(out, s, strlen(s)) < 0)
		jp_report(r, ERR_FORMAT, sub, "not standard base64");
	else if (out->len < min || out->len > max)
		jp_report(r, ERR_FORMAT, sub, "%zu bytes (expected %zu to "
			  "%zu)", out->len, min, max);
}

/* A non-negative 64-bit integer: a JSON integer, or (protobuf JSON) a
 * string of decimal digits without a sign or leading zero. Absent: 0,
 * an error when @required. */
static int64_t member_i64(struct jp_reader *r, const json_t *obj,
			  const char *field, const char *jp, bool required)
{
	json_t *v = json_object_get(obj, field);
	char sub[JP_MAX], *end;
	const char *s;
	long long n;

	jp_key(sub, jp, field);
	if (!v) {
		if (required)
			jp_report(r, ERR_FORMAT, sub, "missing");
		return 0;
	}
	if (json_is_integer(v) && json_integer_value(v) >= 0)
		return json_integer_value(v);
	s = json_is_string(v) ? json_string_value(v) : "";
	if (json_is_string(v) && s[0] >= '0' && s[0] <= '9' &&
	    (s[0] != '0' || !s[1]) && strlen(s) <= 19 &&
	    strlen(s) == json_string_length(v)) {
		errno = 0;
		n = strtoll(s, &end, 10);
		if (!*end && n >= 0 && errno != ERANGE)
			return n;
	}
	jp_report(r, ERR_FORMAT, sub, "expected a non-negative integer");
	return 0;
}

static void parse_log_id(struct jp_reader *r, const json_t *tle,
			 struct rekor_entry *out)
{
	const json_t *id = member_obj(r, tle, "logId", "", true);

	if (!id)
		return;
	jp_only_fields(r, id, ".logId", keyid_fields, "keyId");
	member_b64(r, id, "keyId", ".logId", &out->log_id, 1, 64);
}

static void parse_kind(struct jp_reader *r, const json_t *tle,
		       struct rekor_entry *out)
{
	const json_t *kv = member_obj(r, tle, "kindVersion", "", true);

	if (!kv)
		return;
	jp_only_fields(r, kv, ".kindVersion", kv_fields, "kind, version");
	out->kind = jp_get_str(r, kv, "kind", ".kindVersion", true);
	out->version = jp_get_str(r, kv, "version", ".kindVersion", true);
}

static void parse_hashes(struct jp_reader *r, const json_t *proof,
			 struct rekor_proof *out)
{
	json_t *hashes = json_object_get(proof, "hashes");
	const char *jp = ".inclusionProof.hashes";
	char item[JP_MAX];
	struct buf b;
	size_t i;

	if (!hashes)
		return;		/* a tree of one leaf: no hashes */
	if (!json_is_array(hashes) ||
	    json_array_size(hashes) > REKOR_PROOF_MAX) {
		jp_report(r, ERR_FORMAT, jp, "expected an array of at most "
			  "%d hashes", REKOR_PROOF_MAX);
		return;
	}
	buf_init(&b, 64);
	for (i = 0; i < json_array_size(hashes); i++) {
		json_t *h = json_array_get(hashes, i);

		jp_idx(item, jp, i);
		buf_reset(&b);
		if (!json_is_string(h) ||
		    b64_decode(&b, json_string_value(h),
			       json_string_length(h)) < 0 || b.len != 32) {
			jp_report(r, ERR_FORMAT, item, "not 32 bytes of "
				  "base64");
			continue;
		}
		memcpy(out->hashes[i], b.data, 32);
	}
	out->n_hashes = json_array_size(hashes);
	buf_release(&b);
}

static void parse_proof(struct jp_reader *r, const json_t *tle,
			struct rekor_entry *out)
{
	const char *jp = ".inclusionProof";
	const json_t *p = member_obj(r, tle, "inclusionProof", "", false);
	const json_t *cp;
	struct buf root;

	if (!p)
		return;
	out->has_proof = true;
	jp_only_fields(r, p, jp, proof_fields, "logIndex, rootHash, "
		       "treeSize, hashes, checkpoint");
	out->proof.log_index = member_i64(r, p, "logIndex", jp, false);
	out->proof.tree_size = member_i64(r, p, "treeSize", jp, true);
	buf_init(&root, 64);
	member_b64(r, p, "rootHash", jp, &root, 32, 32);
	if (root.len == 32)
		memcpy(out->proof.root, root.data, 32);
	buf_release(&root);
	parse_hashes(r, p, &out->proof);
	if (!(cp = member_obj(r, p, "checkpoint", jp, true)))
		return;
	jp_only_fields(r, cp, ".inclusionProof.checkpoint", envelope_fields,
		       "envelope");
	out->proof.checkpoint = jp_get_str(r, cp, "envelope",
					   ".inclusionProof.checkpoint", true);
}

static void entry_init(struct rekor_entry *out)
{
	memset(out, 0, sizeof(*out));
	buf_init(&out->log_id, 0);
	buf_init(&out->set, 0);
	buf_init(&out->body, REKOR_BODY_MAX);
}

int rekor_entry_from_json(struct rekor_entry *out, json_t *tle)
{
	struct jp_reader r = { 0 };
	const json_t *promise;

	entry_init(out);
	out->doc = json_incref(tle);
	if (!json_is_object(tle))
		return err_set(ERR_FORMAT, "tlog entry: not an object");
	jp_only_fields(&r, tle, "", entry_fields, "logIndex, logId, "
		       "kindVersion, integratedTime, inclusionPromise, "
		       "inclusionProof, canonicalizedBody");
	out->log_index = member_i64(&r, tle, "logIndex", "", false);
	out->integrated_time = member_i64(&r, tle, "integratedTime", "",
					  false);
	parse_log_id(&r, tle, out);
	parse_kind(&r, tle, out);
	member_b64(&r, tle, "canonicalizedBody", "", &out->body, 1,
		   REKOR_BODY_MAX);
	if ((promise = member_obj(&r, tle, "inclusionPromise", "", false))) {
		jp_only_fields(&r, promise, ".inclusionPromise",
			       promise_fields, "signedEntryTimestamp");
		member_b64(&r, promise, "signedEntryTimestamp",
			   ".inclusionPromise", &out->set, 1, 1024);
	}
	parse_proof(&r, tle, out);
	if (r.n_errors)
		return err_set(r.first_rc, "tlog entry: %s", r.first);
	return 0;
}

int rekor_entry_parse(struct rekor_entry *out, const void *data,
		      size_t len)
{
	struct jp_reader r = { 0 };
	json_t *doc;
	int rc;

	entry_init(out);
	if ((rc = jp_parse(&doc, &r, data, len, "tlog entry")) < 0)
		return err_set(rc, "tlog entry: %s", r.first);
	rc = rekor_entry_from_json(out, doc);
	json_decref(doc);
	return rc;
}

/* logID: 64 lower- or upper-case hex digits, into @out. */
static void parse_hex_id(struct jp_reader *r, const json_t *payload,
			 struct buf *out)
{
	const char *s = jp_get_str(r, payload, "logID", ".Payload", true);
	unsigned char b[32];
	size_t i;

	if (!s)
		return;
	for (i = 0; i < 32; i++) {
		unsigned v;

		if (strlen(s) != 64 || sscanf(s + 2 * i, "%2x", &v) != 1 ||
		    !strchr("0123456789abcdefABCDEF", s[2 * i]) ||
		    !strchr("0123456789abcdefABCDEF", s[2 * i + 1])) {
			jp_report(r, ERR_FORMAT, ".Payload.logID",
				  "expected 64 hex digits");
			return;
		}
		b[i] = (unsigned char)v;
	}
	if (buf_append(out, b, sizeof(b)) < 0)
		jp_report(r, ERR_NOMEM, NULL, "out of memory");
}

int rekor_entry_parse_cosign(struct rekor_entry *out, const void *data,
			     size_t len)
{
	struct jp_reader r = { 0 };
	const json_t *p;
	int rc;

	entry_init(out);
	if ((rc = jp_parse(&out->doc, &r, data, len, "rekor bundle")) < 0)
		return err_set(rc, "rekor bundle: %s", r.first);
	if (!json_is_object(out->doc))
		return err_set(ERR_FORMAT, "rekor bundle: not an object");
	jp_only_fields(&r, out->doc, "", cosign_fields,
		       "SignedEntryTimestamp, Payload");
	member_b64(&r, out->doc, "SignedEntryTimestamp", "", &out->set, 1,
		   1024);
	if ((p = member_obj(&r, out->doc, "Payload", "", true))) {
		jp_only_fields(&r, p, ".Payload", payload_fields,
			       "body, integratedTime, logIndex, logID");
		member_b64(&r, p, "body", ".Payload", &out->body, 1,
			   REKOR_BODY_MAX);
		out->integrated_time = member_i64(&r, p, "integratedTime",
						  ".Payload", true);
		out->log_index = member_i64(&r, p, "logIndex", ".Payload",
					    true);
		parse_hex_id(&r, p, &out->log_id);
	}
	if (r.n_errors)
		return err_set(r.first_rc, "rekor bundle: %s", r.first);
	return 0;
}

void rekor_entry_release(struct rekor_entry *e)
{
	if (!e)
		return;
	buf_release(&e->log_id);
	buf_release(&e->set);
	buf_release(&e->body);
	json_decref(e->doc);
	memset(e, 0, sizeof(*e));
}

int rekor_set_payload(struct buf *out, const struct rekor_entry *e)
{
	char hex[129], *body = b64_encode(e->body.data, e->body.len), *s;
	json_t *v;
	size_t i;
	int rc;

	for (i = 0; i < e->log_id.len && i < 64; i++)
		snprintf(hex + 2 * i, 3, "%02x", e->log_id.data[i]);
	hex[2 * i] = '\0';
	v = body ? json_pack("{s:s, s:I, s:s, s:I}", "body", body,
			     "integratedTime",
			     (json_int_t)e->integrated_time, "logID", hex,
			     "logIndex", (json_int_t)e->log_index) : NULL;
	free(body);
	if (!v || !(s = jx_dump(v))) {
		json_decref(v);
		return err_set(ERR_NOMEM, "out of memory");
	}
	rc = buf_appends(out, s);
	free(s);
	json_decref(v);
	return rc;
}
