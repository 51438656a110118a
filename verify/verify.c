/*
 * verify.c - see verify.h. Order matters: a payload's signature is checked
 * over its exact bytes before the payload is parsed, and its claims are
 * checked against what we resolved ourselves, never the other way round.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/err.h>

#include "verify.h"
#include "internal.h"
#include "../formats/formats.h"
#include "../keys/keys.h"

void verify_result_release(struct verify_result *r)
{
	size_t i;

	for (i = 0; i < r->n_sigs; i++) {
		free(r->sigs[i].docker_ref);
		json_decref(r->sigs[i].annotations);
		kvlist_release(&r->sigs[i].subject);
	}
	free(r->sigs);
	free(r->atts);
	memset(r, 0, sizeof(*r));
}

/* The format @s is a signature in, by name. */
static void report_as(struct sig_report *s, enum sig_format f)
{
	snprintf(s->format, sizeof(s->format), "%s", format_name(f));
}

static void reason(struct sig_report *s, const char *why)
{
	s->valid = false;
	str_sanitize(s->reason, sizeof(s->reason), why);
}

/* reason() with a format. */
__attribute__((format(printf, 2, 3)))
static void reasonf(struct sig_report *s, const char *fmt, ...)
{
	char why[sizeof(s->reason)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	reason(s, why);
}

/* Do a signature's @signed annotations hold every -a KEY=VALUE asked
 * for? If not, the reason names the first one missing. */
static bool annotations_ok(const struct verify_opts *o,
			   const json_t *signed_ann, struct sig_report *s)
{
	const char *missing;

	if (!o->annotations ||
	    kvlist_matched_by(o->annotations, signed_ann, &missing))
		return true;
	reasonf(s, "annotation '%.200s' missing or different", missing);
	return false;
}

/* Is a failure about this one signature (go on) or about us (stop)? */
static bool per_signature(int rc)
{
	return rc == ERR_FORMAT || rc == ERR_INTEGRITY || rc == ERR_NOTFOUND ||
	       rc == ERR_VERIFY || rc == ERR_CRYPTO;
}

/* Does any trusted key verify @sig over @data? Fills s->key. */
static bool key_verifies(const struct verify_opts *o, const struct buf *data,
			 const struct buf *sig, struct sig_report *s)
{
	size_t k;

	for (k = 0; k < o->n_keys; k++)
		if (keys_verify_sha256(o->keys[k], data->data, data->len,
				       sig->data, sig->len) == 0) {
			keys_fingerprint(s->key, o->keys[k]);
			s->key_index = (int)k;
			return true;
		}
	return false;
}

/* Does the payload's docker-reference @claim name the repository that
 * o->identity expects for @repo? If not, the reason says which it names
 * and, by default, how to accept a copy. */
static bool identity_ok(const struct verify_opts *o, const char *claim,
			const char *repo, struct sig_report *s)
{
	char want[SIGNED_IDENTITY_MAX], got[SIGNED_IDENTITY_MAX];

	if (signed_identity_expect(want, sizeof(want), o->identity,
				   repo) < 0) {
		reason(s, err_msg());
		return false;
	}
	if (ref_normalize_repo(got, sizeof(got), claim) == 0 &&
	    strcmp(got, want) == 0)
		return true;
	str_sanitize(got, sizeof(got), claim);
	if (signed_identity_strict(o->identity))
		reasonf(s, "payload is for repository '%.180s', not '%.180s' "
			"(for a copy or mirror, name the repository it was "
			"signed for: --signed-identity, or \"signed-identity\" "
			"in a policy rule)", got, want);
	else
		reasonf(s, "payload is for repository '%.180s', not '%.180s' "
			"as the signed identity requires", got, want);
	return false;
}

/* Is there anyone to judge signatures by: a key or a keyless signer?
 * Without, signatures are listed, never valid. */
static bool judging(const struct verify_opts *o)
{
	return o->n_keys || o->n_signers;
}

/* The trusted root a key signature's log entries are checked with:
 * o->trustroot, else o->tlog_root, read now (the first time); *@out NULL
 * when there is none. < 0 when it cannot be read: root_failure() then
 * ends the verification. */
static int key_root(const struct keys_trustroot **out,
		    const struct verify_opts *o)
{
	*out = o->trustroot;
	if (*out || !o->tlog_root)
		return 0;
	return keys_trustroot_lazy_get(out, o->tlog_root);
}

/* A trusted root that a key signature's log entry needed and that
 * cannot be read ends the whole verification, as a malformed root
 * always does (exit 2), rather than only that signature. */
static int root_failure(const struct verify_opts *o)
{
	const struct keys_trustroot *t;

	if (o->trustroot || !o->tlog_root ||
	    !keys_trustroot_lazy_tried(o->tlog_root))
		return 0;
	return keys_trustroot_lazy_get(&t, o->tlog_root);
}

/* Key s->key_index verifies the signature: its Rekor bundle, when the
 * trusted root has that bundle's log (any with o->require_tlog, which
 * requires one), must verify and log it. When not, the key does not
 * count (s->key cleared) and the reason says why. */
static bool key_logged(const struct keyless_cosign *in,
		       const struct verify_opts *o, struct sig_report *s)
{
	const struct keys_trustroot *t = NULL;
	struct keyless_found f;
	int rc;

	if (!o->require_tlog && !in->bundle)
		return true;		/* nothing logged, nothing asked */
	if ((rc = key_root(&t, o)) == 0 && !t && !o->require_tlog)
		return true;		/* no root to check it with */
	if (rc == 0 && !t)
		rc = err_set(ERR_VERIFY, "no trusted root to check its log "
			     "entry with");
	else if (rc == 0 && !o->require_tlog &&
		 (rc = keyless_cosign_known_log(t, in)) == 0)
		return true;		/* a log the root does not have */
	if (rc >= 0)
		rc = keyless_cosign_tlog(&f, t, in, o->keys[s->key_index]);
	if (rc == 0) {
		s->log_index = f.log_index;
		s->logged_at = f.signed_at;
		return true;
	}
	if (o->require_tlog)
		reasonf(s, "key %.80s verifies it, but a transparency log "
			"entry is required (--require-tlog): %.300s", s->key,
			err_msg());
	else
		reasonf(s, "key %.80s verifies it, but its transparency log "
			"entry does not: %.300s", s->key, err_msg());
	err_clear();
	s->key[0] = '\0';
	s->key_index = -1;
	return false;
}

/* keyless_cosign_check of one layer against one trusted root. */
struct cosign_try {
	const struct keyless_cosign *in;
	struct keyless_found found;
};

static int cosign_try(void *arg, const struct keys_trustroot *t)
{
	struct cosign_try *c = arg;

	return keyless_cosign_check(&c->found, t, c->in, NULL);
}

/* A keyless signature (in->cert_pem) against the trusted roots in play
 * (verify_keyless_roots): fills s->san, s->issuer, and when the
 * signature, log entry, chain and SCT verify, s->keyless_ok, s->root,
 * s->log_index, s->logged_at; s->signer_index the signer of that root
 * its identity matches. True when there is one; else s->reason says
 * why. */
static bool keyless_judge(const struct keyless_cosign *in,
			  const struct verify_opts *o, struct sig_report *s)
{
	struct cosign_try c = { in, { 0, -1 } };
	char why[sizeof(s->reason)];
	enum keyless_outcome r;

	/* what it claims, for list; judged below only once verified */
	if (keyless_cert_identity(s->san, s->issuer, in->cert_pem) < 0) {
		/* never matched as "" */
		reasonf(s, "keyless signature: %s", err_msg());
		err_clear();
		return false;
	}
	r = verify_keyless_roots(o, s, cosign_try, &c, why, sizeof(why));
	if (r == KL_NO_ROOT) {
		reason(s, "keyless signature, nothing verified: give "
		       "--certificate-identity and --certificate-oidc-issuer");
		return false;
	}
	if (r == KL_FAILED) {
		reasonf(s, "keyless signature: %s", why);
		return false;
	}
	s->log_index = c.found.log_index;
	s->logged_at = c.found.signed_at;
	if (!o->n_signers) {
		reason(s, "keyless signature, identity not checked: give "
		       "--certificate-identity and --certificate-oidc-issuer");
		return false;
	}
	if (r == KL_VERIFIED) {
		reasonf(s, "keyless signature: %s", why);
		return false;
	}
	return true;
}

/* Who made @sig over @data: a given key (its log entry verified when
 * key_logged says so), else a keyless signer; *@trusted when one counts.
 * False (stop: the reason says why) when judging and none does. */
static bool signed_by(bool *trusted, const struct keyless_cosign *in,
		      const struct buf *data, const struct buf *sig,
		      const struct verify_opts *o, struct sig_report *s)
{
	*trusted = false;
	if (o->n_keys && key_verifies(o, data, sig, s) &&
	    key_logged(in, o, s))
		return *trusted = true;
	if (s->keyless && o->n_keys && !o->n_signers) {
		/* judged by keys alone: say what else it may be */
		keyless_cert_identity(s->san, s->issuer, in->cert_pem);
		err_clear();
		if (!s->reason[0])
			reason(s, "keyless signature, not signed by any given "
			       "key: give --certificate-identity and "
			       "--certificate-oidc-issuer");
		return false;
	}
	if (s->keyless) {
		/* --key and keyless signers: either may satisfy */
		*trusted = keyless_judge(in, o, s);
		return *trusted || !judging(o);
	}
	if (!judging(o))
		return true;
	if (!s->reason[0])
		reason(s, o->n_keys ? "signature does not verify with any "
		       "given key" : "signed with a key, not by a keyless "
		       "signer: give --key");
	return false;
}

int verify_cosign_sig(const struct keyless_cosign *in,
		      const struct digest *image, const char *repo,
		      const struct verify_opts *o, struct sig_report *s)
{
	struct buf data = { (unsigned char *)in->payload, in->payload_len,
			    0, 0 };
	struct buf sig;
	struct simplesign p = { 0 };
	bool trusted;

	report_as(s, FORMAT_COSIGN);
	digest_of(&s->payload, in->payload, in->payload_len);
	s->key_index = s->cert_index = -1;	/* no key has spoken yet */
	s->signer_index = -1;
	s->log_index = -1;
	s->keyless = in->cert_pem != NULL;
	buf_init(&sig, 16384);
	if (!in->sig_b64) {
		reason(s, "layer carries no signature annotation");
		goto out;
	}
	if (b64_decode(&sig, in->sig_b64, strlen(in->sig_b64)) < 0) {
		reason(s, "signature annotation is not valid base64");
		goto out;
	}
	/* the signature over the exact bytes first, then the claims */
	if (!signed_by(&trusted, in, &data, &sig, o, s))
		goto out;
	if (simplesign_parse(&p, in->payload, in->payload_len) < 0) {
		reason(s, err_msg());
		goto out;
	}
	s->docker_ref = strdup(p.docker_ref);
	if (p.optional)
		s->annotations = json_deep_copy(p.optional);
	if (!digest_eq(&p.image, image)) {
		reasonf(s, "payload is for %s, not this image", p.image.str);
		goto out;
	}
	if (!identity_ok(o, p.docker_ref, repo, s))
		goto out;
	s->claims_ok = trusted;
	if (!annotations_ok(o, p.optional, s))
		goto out;
	s->valid = trusted;
out:
	simplesign_release(&p);
	buf_release(&sig);
	err_clear();
	return s->valid ? 0 : ERR_VERIFY;
}

int verify_simplesign(const void *payload, size_t payload_len,
		      const char *sig_b64, const struct digest *image,
		      const char *repo, const struct verify_opts *o,
		      struct sig_report *s)
{
	struct keyless_cosign in = { payload, payload_len, sig_b64, NULL,
				     NULL };

	return verify_cosign_sig(&in, image, repo, o, s);
}

/* Fetch and check one simple-signing layer; fills @s. Returns < 0 only
 * for errors that end the whole verification. */
static int check_cosign(struct registry *reg, const struct image_ref *ref,
			const char *repo, const struct digest *image,
			const struct sig_layer *layer,
			const struct verify_opts *o, struct sig_report *s)
{
	struct buf payload;
	int rc;

	report_as(s, FORMAT_COSIGN);
	s->payload = layer->digest;
	buf_init(&payload, SIGBLOB_MAX);
	rc = sigs_get_payload(reg, ref, layer, &payload);
	if (rc == 0) {
		struct keyless_cosign in = {
			payload.data, payload.len,
			jx_str(layer->annotations, ANN_COSIGN_SIGNATURE),
			jx_str(layer->annotations, ANN_COSIGN_CERT),
			jx_str(layer->annotations, ANN_COSIGN_BUNDLE),
		};

		verify_cosign_sig(&in, image, repo, o, s);
	}
	else if (per_signature(rc))
		reason(s, err_msg());
	buf_release(&payload);
	if (rc < 0 && per_signature(rc)) {
		err_clear();
		rc = 0;
	}
	return rc;
}

/* The end of one referrer's check: a failure about this signature becomes
 * its reason and verification goes on (0); any other ends it. */
static int settle(struct sig_report *s, int rc)
{
	if (rc >= 0)
		return rc;
	reason(s, err_msg());
	if (!per_signature(rc))
		return rc;
	err_clear();
	return 0;
}

/* signet list --key: are attestations' signatures checked too? */
static bool attestations_checked(const struct verify_opts *o)
{
	return o->attachments && o->n_keys;
}

/* Fetch referrer @r and, when it is a signature in format @f whose one
 * layer names @image, the signature blob into @blob; *@cose (when not
 * NULL) says whether that layer is a COSE envelope. 1 when it is not
 * such a signature: then @att says what it is. With @attestations, an
 * attestation in a bundle is fetched too, for its signature's sake. */
static int fetch_referrer(struct registry *reg, const struct image_ref *ref,
			  const struct digest *image, const struct referrer *r,
			  enum sig_format f, struct buf *blob, bool *cose,
			  struct attachment *att, bool attestations)
{
	struct manifest man = { 0 };
	struct referrer_manifest m = { 0 };
	struct sig_layer layer = { 0 };
	int rc;

	if ((rc = registry_get_manifest(reg, ref, r->digest.str, &man)) < 0 ||
	    (rc = referrer_manifest_parse(&m, man.body.data, man.body.len,
					  f == FORMAT_BUNDLE ?
					  "bundle manifest" :
					  "signature manifest")) < 0)
		goto out;
	if (attach_from_manifest(att, &m, referrer_manifest_claims(
					 &m, f, r->artifact_type)) &&
	    !(attestations && f == FORMAT_BUNDLE &&
	      att->kind == ATTACH_ATTESTATION)) {
		rc = 1;		/* another kind of referrer */
		goto out;
	}
	if ((rc = referrer_manifest_layer(&m, f, image)) < 0)
		goto out;
	layer.digest = m.layer.digest;
	layer.size = m.layer.size;
	layer.media_type = m.layer.media_type;
	if (cose)
		*cose = strcmp(m.layer.media_type, COSE_MEDIA_TYPE) == 0;
	rc = sigs_get_payload(reg, ref, &layer, blob);
out:
	referrer_manifest_release(&m);
	manifest_release(&man);
	return rc;
}

/* Is the bundle @b an attestation (cosign attest), not a signature? Its
 * manifest said so (@att), or its statement's predicate type does,
 * unverified: a signature's cannot be changed without breaking it. Then
 * @att says so and, with keys, which verifies it. */
static bool attestation(const struct bundle *b, const struct verify_opts *o,
			struct sig_report *s, struct attachment *att)
{
	char pt[sizeof(att->type)];

	if (att->kind != ATTACH_ATTESTATION) {
		if (!statement_predicate_type(pt, sizeof(pt),
					      b->statement.data,
					      b->statement.len) ||
		    strcmp(pt, COSIGN_SIGN_PREDICATE) == 0)
			return false;
		att->kind = ATTACH_ATTESTATION;
		snprintf(att->type, sizeof(att->type), "%s", pt);
	}
	att->checked = o->n_keys > 0;
	if (o->n_keys && key_verifies(o, &b->pae, &b->sig, s))
		snprintf(att->key, sizeof(att->key), "%s", s->key);
	return true;
}

/* signet list --key: does a given key verify the attestation referrer
 * @r (a bundle whose one layer names @image)? Fills att->checked and
 * att->key; what goes wrong leaves it unverified, or ends the whole
 * listing (< 0) when it is not about this attestation. */
static int check_attestation(struct registry *reg,
			     const struct image_ref *ref,
			     const struct digest *image,
			     const struct referrer *r,
			     const struct verify_opts *o,
			     struct attachment *att)
{
	struct manifest man = { 0 };
	struct referrer_manifest m = { 0 };
	struct sig_layer layer = { 0 };
	struct sig_report s = { .key_index = -1, .cert_index = -1,
				.signer_index = -1, .log_index = -1 };
	struct bundle b = { 0 };
	struct buf blob;
	int rc;

	buf_init(&blob, SIGBLOB_MAX);
	if ((rc = registry_get_manifest(reg, ref, r->digest.str, &man)) < 0 ||
	    (rc = referrer_manifest_parse(&m, man.body.data, man.body.len,
					  "attestation manifest")) < 0 ||
	    (rc = referrer_manifest_layer(&m, FORMAT_BUNDLE, image)) < 0)
		goto out;
	layer.digest = m.layer.digest;
	layer.size = m.layer.size;
	if ((rc = sigs_get_payload(reg, ref, &layer, &blob)) < 0 ||
	    (rc = bundle_parse(&b, blob.data, blob.len)) < 0)
		goto out;
	att->checked = true;
	if (key_verifies(o, &b.pae, &b.sig, &s))
		snprintf(att->key, sizeof(att->key), "%s", s.key);
out:
	if (rc < 0 && per_signature(rc)) {
		att->checked = true;	/* checked: not verified */
		err_clear();
		rc = 0;
	}
	bundle_release(&b);
	buf_release(&blob);
	referrer_manifest_release(&m);
	manifest_release(&man);
	return rc;
}

/* keyless_verify_bundle of one bundle against one trusted root. */
struct bundle_try {
	const struct bundle *b;
	struct bundle_verdict v;
};

static int bundle_try(void *arg, const struct keys_trustroot *t)
{
	struct bundle_try *c = arg;

	return keyless_verify_bundle(&c->v, t, c->b, NULL, NULL, NULL, false);
}

/* A keyless bundle: keyless_verify_bundle against the trusted roots in
 * play (verify_keyless_roots; the statement's subject is checked by the
 * caller), then which signer it is. Fills the keyless fields of @s; true
 * when a signer is matched. */
static bool bundle_keyless(const struct bundle *b,
			   const struct verify_opts *o, struct sig_report *s)
{
	struct bundle_try c = { b, { 0 } };
	const unsigned char *p = b->certs[0].data;
	char why[sizeof(s->reason)];
	enum keyless_outcome r;
	X509 *leaf;

	s->keyless = true;
	/* what it claims: judged below only once verified */
	if ((leaf = d2i_X509(NULL, &p, (long)b->certs[0].len)) &&
	    fulcio_cert_identity(s->san, s->issuer, leaf) < 0)
		err_clear();
	X509_free(leaf);
	ERR_clear_error();
	r = verify_keyless_roots(o, s, bundle_try, &c, why, sizeof(why));
	if (r == KL_NO_ROOT) {
		reason(s, "keyless signature: give --certificate-identity and "
		       "--certificate-oidc-issuer to judge it");
		return false;
	}
	if (r == KL_FAILED) {
		reason(s, why);
		return false;
	}
	snprintf(s->san, sizeof(s->san), "%s", c.v.san);
	snprintf(s->issuer, sizeof(s->issuer), "%s", c.v.issuer);
	s->log_index = c.v.log_index;
	s->logged_at = c.v.logged_at;
	s->timestamp = c.v.timestamp;
	if (r == KL_VERIFIED) {
		reasonf(s, "certificate identity: '%.200s' (issuer '%.200s') "
			"is no keyless signer given", s->san, s->issuer);
		return false;
	}
	return true;
}

/* Who signed bundle @b: a given key, its log entries verified as
 * keyless_verify_bundle says (those of logs the trusted root has; with
 * o->require_tlog every one, and one at least), or a keyless signer. */
static bool bundle_signed(const struct bundle *b, const struct verify_opts *o,
			  struct sig_report *s)
{
	const struct keys_trustroot *t = NULL;
	struct bundle_verdict v;

	if (b->n_certs)
		return bundle_keyless(b, o, s);
	if (!key_verifies(o, &b->pae, &b->sig, s)) {
		reason(s, "signature does not verify with any given key");
		return false;
	}
	if (!o->require_tlog && !b->n_tlog)
		return true;		/* nothing logged, nothing asked */
	if (key_root(&t, o) < 0 ||
	    keyless_verify_bundle(&v, t, b, NULL, o->keys[s->key_index],
				  NULL, o->require_tlog) < 0) {
		reasonf(s, "key %.80s verifies it, but %s: %.300s", s->key,
			o->require_tlog ? "a transparency log entry is "
			"required (--require-tlog)" : "its transparency log "
			"entry does not verify", err_msg());
		err_clear();
		s->key[0] = '\0';
		s->key_index = -1;
		return false;
	}
	s->log_index = v.log_index;
	s->logged_at = v.logged_at;
	s->timestamp = v.timestamp;
	return true;
}

/* Check one cosign 3 bundle referrer; fills @s. < 0 only for errors that
 * end the whole verification; 1 when the referrer is not a bundle
 * signature: then @att says what it is. */
static int check_bundle(struct registry *reg, const struct image_ref *ref,
			const struct digest *image, const struct referrer *r,
			const struct verify_opts *o, struct sig_report *s,
			struct attachment *att)
{
	struct buf blob;
	struct bundle b = { 0 };
	struct statement st = { 0 };
	int rc;

	report_as(s, FORMAT_BUNDLE);
	s->payload = r->digest;
	buf_init(&blob, SIGBLOB_MAX);
	if ((rc = fetch_referrer(reg, ref, image, r, FORMAT_BUNDLE,
				 &blob, NULL, att,
				 attestations_checked(o))) != 0 ||
	    (rc = bundle_parse(&b, blob.data, blob.len)) < 0)
		goto out;
	if (attestation(&b, o, s, att)) {
		rc = 1;
		goto out;
	}
	if (!b.dsse) {
		rc = err_set(ERR_FORMAT, "bundle holds a message signature, "
			     "not a statement naming the image");
		goto out;
	}
	if ((o->n_keys || b.n_certs) && !bundle_signed(&b, o, s) &&
	    (o->n_keys || o->n_signers))
		goto out;
	if ((rc = statement_parse(&st, b.statement.data,
				  b.statement.len)) < 0)
		goto out;
	if (st.annotations)
		s->annotations = json_deep_copy(st.annotations);
	if (!digest_eq(&st.subject, image)) {
		reasonf(s, "statement is for %s, not this image",
			st.subject.str);
		goto out;
	}
	s->claims_ok = s->key_index >= 0 ||
		       (s->keyless_ok && s->signer_index >= 0);
	if (annotations_ok(o, st.annotations, s))
		s->valid = s->claims_ok;
out:
	if (rc < 0 && att->kind == ATTACH_ATTESTATION && per_signature(rc)) {
		att->checked = true;	/* a broken attestation: unverified */
		err_clear();
		rc = 1;
	}
	rc = settle(s, rc);
	statement_release(&st);
	bundle_release(&b);
	buf_release(&blob);
	return rc;
}

/* Could this signature's chain contain a trusted certificate? The
 * thumbprint annotation is registry data: it only lets us skip a
 * signature early, never accept one. */
static bool thumbprints_may_match(const struct referrer *r,
				  const struct verify_opts *o)
{
	const char *list = jx_str(r->annotations, ANN_NOTARY_THUMBPRINTS);
	char tp[65];
	size_t i;

	if (!list)
		return true;	/* not announced: look at the envelope */
	for (i = 0; i < o->n_certs; i++)
		if (keys_cert_thumbprint(tp, o->certs[i]) == 0 &&
		    strstr(list, tp))
			return true;
	return false;
}

/* The subject fields a policy may require, from @cert into @out. */
static void subject_fields(struct kvlist *out, X509 *cert)
{
	static const struct { int nid; const char *name; } f[] = {
		{ NID_countryName, "C" }, { NID_stateOrProvinceName, "ST" },
		{ NID_localityName, "L" }, { NID_organizationName, "O" },
		{ NID_organizationalUnitName, "OU" }, { NID_commonName, "CN" },
	};
	X509_NAME *name = X509_get_subject_name(cert);
	char value[256], pair[300];
	size_t i;

	for (i = 0; name && i < sizeof(f) / sizeof(f[0]); i++) {
		int n = X509_NAME_get_text_by_NID(name, f[i].nid, value,
						  sizeof(value));

		if (n <= 0 || (size_t)n >= sizeof(value))
			continue;
		snprintf(pair, sizeof(pair), "%s=%s", f[i].name, value);
		kvlist_add_arg(out, pair);
	}
	err_clear();
}

/* Which trusted certificates appear in @chain (byte-equal): all of
 * them into s->in_chain, for counting and revocation; the first in
 * o->certs into s->cert_index (-1: none). The key of every certificate
 * into s->chain_keys: a key revoked under any name refuses the chain. */
static void trusted_in_chain(X509 *const *chain, size_t n,
			     const struct verify_opts *o,
			     struct sig_report *s)
{
	EVP_PKEY *key;
	size_t i, j;

	s->cert_index = -1;
	s->n_in_chain = 0;
	for (i = s->n_chain_keys = 0; i < n && i < JWS_CERTS_MAX; i++) {
		key = X509_get0_pubkey(chain[i]);
		if (!key || keys_fingerprint(s->chain_keys[i], key) < 0) {
			err_clear();	/* a key we cannot name: */
			return;		/* trusted by none */
		}
		s->n_chain_keys++;
	}
	for (j = 0; j < o->n_certs; j++)
		for (i = 0; i < n; i++)
			if (X509_cmp(chain[i], o->certs[j]) == 0 &&
			    s->n_in_chain < JWS_CERTS_MAX) {
				if (s->cert_index < 0)
					s->cert_index = (int)j;
				s->in_chain[s->n_in_chain++] = (int)j;
				break;
			}
}

/* A Notary Project signature as fetched: the envelope and its chain. */
struct notary_sig {
	struct jws env;
	X509 **chain;			/* x5c, leaf first */
	size_t n_chain;
};

/* Listing, not judging: what the signature claims, unverified. */
static void notary_list(const struct notary_sig *n, struct sig_report *s)
{
	struct notary_target t = { 0 };

	if (notary_payload_parse(&t, n->env.payload.data,
				 n->env.payload.len) == 0 && t.annotations)
		s->annotations = json_deep_copy(t.annotations);
	notary_target_release(&t);
	err_clear();
}

int verify_notary_chain(time_t *timestamp, char *why, size_t whysz,
			const struct jws *env, X509 *const *chain,
			size_t n_chain, const struct verify_opts *o,
			time_t now)
{
	char when[RFC3339_MAX], at_why[256];
	time_t at = 0, acc = 0;

	*timestamp = 0;
	if (o->n_tsa_certs && env->timestamp.len &&
	    tsa_verify_accuracy(&at, &acc, NULL, o->tsa_certs,
				o->n_tsa_certs, env->timestamp.data,
				env->timestamp.len, env->signature.data,
				env->signature.len) < 0) {
		snprintf(why, whysz, "%s", err_msg());
		return ERR_VERIFY;
	}
	if (!at)
		return keys_notary_check_chain(chain, n_chain, o->certs,
					       o->n_certs, now, why, whysz);
	if (keys_notary_check_chain(chain, n_chain, o->certs, o->n_certs,
				    at - acc, at_why, sizeof(at_why)) < 0 ||
	    keys_notary_check_chain(chain, n_chain, o->certs, o->n_certs,
				    at + acc, at_why, sizeof(at_why)) < 0) {
		(void)rfc3339_format(when, at);
		snprintf(why, whysz, "timestamp: at the time it states (%s "
			 "+- %llds): %s", when, (long long)acc, at_why);
		return ERR_VERIFY;
	}
	*timestamp = at;
	return 0;
}

/* Judge a fetched Notary signature at @now: its signature by the leaf
 * key, the chain to a trusted certificate, expiry, then the claims. 0
 * with s->reason for a signature that does not count; < 0 for errors. */
static int notary_judge(const struct notary_sig *n,
			const struct manifest *image, time_t now,
			const struct verify_opts *o, struct sig_report *s)
{
	struct notary_target t = { 0 };
	EVP_PKEY *leaf = X509_get0_pubkey(n->chain[0]);
	char why[300], when[32];
	int rc;

	/* the signature over the exact bytes, by the leaf's key */
	if (!leaf)
		return err_set(ERR_CRYPTO, "leaf certificate has no usable "
			       "key");
	if ((rc = keys_jws_verify(leaf, n->env.alg, n->env.signing_input.data,
				  n->env.signing_input.len,
				  n->env.signature.data,
				  n->env.signature.len)) < 0)
		return rc;
	/* the chain: notation's rule, anchored in a certificate we were
	 * given, never in one the registry sent */
	if (verify_notary_chain(&s->timestamp, why, sizeof(why), &n->env,
				n->chain, n->n_chain, o, now) < 0) {
		reason(s, why);
		return 0;
	}
	trusted_in_chain(n->chain, n->n_chain, o, s);
	s->signed_at = n->env.signing_time;
	keys_fingerprint(s->key, leaf);
	subject_fields(&s->subject, n->chain[0]);
	if (n->env.has_expiry && now > n->env.expiry) {
		jws_time_format(when, n->env.expiry);
		reasonf(s, "signature expired at %s", when);
		return 0;
	}
	if ((rc = notary_payload_parse(&t, n->env.payload.data,
				       n->env.payload.len)) < 0)
		return rc;
	if (t.annotations)
		s->annotations = json_deep_copy(t.annotations);
	if (!digest_eq(&t.digest, &image->digest) ||
	    t.size != image->body.len ||
	    strcmp(t.media_type, image->media_type) != 0) {
		reasonf(s, "payload names %s (%s, %llu bytes), not this image",
			t.digest.str, t.media_type,
			(unsigned long long)t.size);
	} else {
		s->claims_ok = s->cert_index >= 0;
		if (annotations_ok(o, t.annotations, s))
			s->valid = s->claims_ok;
	}
	notary_target_release(&t);
	return 0;
}

/* A Notary Project envelope, JWS or COSE by its layer's media type,
 * into the one struct both fill. */
static int notary_parse(struct jws *out, bool cose, const struct buf *blob)
{
	if (cose)
		return cose_parse(out, blob->data, blob->len);
	return jws_parse(out, blob->data, blob->len);
}

/* Check one Notary Project signature referrer; fills @s. < 0 only for
 * errors that end the whole verification; 1 when not a Notary
 * signature: then @att says what it is. */
static int check_notary(struct registry *reg, const struct image_ref *ref,
			const struct manifest *image, const struct referrer *r,
			const struct verify_opts *o, struct sig_report *s,
			struct attachment *att)
{
	struct notary_sig n = { 0 };
	struct buf blob;
	time_t now = o->now ? o->now : time(NULL);
	bool cose = false;
	int rc = 0;

	report_as(s, FORMAT_NOTATION);
	s->payload = r->digest;
	buf_init(&blob, JWS_MAX);
	if (o->n_keys + o->n_certs && !thumbprints_may_match(r, o)) {
		reason(s, "no trusted certificate in its chain");
		goto out;
	}
	if ((rc = fetch_referrer(reg, ref, &image->digest, r,
				 FORMAT_NOTATION, &blob, &cose, att,
				 false)) != 0 ||
	    (rc = notary_parse(&n.env, cose, &blob)) < 0 ||
	    (rc = keys_certs_from_der(&n.chain, &n.n_chain, n.env.certs,
				      n.env.n_certs)) < 0)
		goto out;
	if (!o->n_keys && !o->n_certs)
		notary_list(&n, s);
	else
		rc = notary_judge(&n, image, now, o, s);
out:
	rc = settle(s, rc);
	jws_release(&n.env);
	keys_certs_free(n.chain, n.n_chain);
	buf_release(&blob);
	return rc;
}

/* Grow the report array by one; NULL when out of memory. */
static struct sig_report *new_report(struct verify_result *out)
{
	struct sig_report *p = realloc(out->sigs,
				       (out->n_sigs + 1) * sizeof(*p));

	if (!p)
		return NULL;
	out->sigs = p;
	memset(&p[out->n_sigs], 0, sizeof(*p));
	p[out->n_sigs].key_index = -1;
	p[out->n_sigs].cert_index = -1;
	p[out->n_sigs].signer_index = -1;
	p[out->n_sigs].log_index = -1;
	return &p[out->n_sigs++];
}

/* How many signatures of an image we look at. */
static size_t max_signatures(const struct verify_opts *o)
{
	return o->max_signatures ? o->max_signatures : 100;
}

/* cosign's .sig tag: a report for each simple-signing layer. */
static int check_sig_tag(struct registry *reg, const struct image_ref *ref,
			 const char *repo, const struct digest *image,
			 const struct verify_opts *o, struct verify_result *out)
{
	struct sig_manifest sm = { 0 };
	struct sig_report *s;
	size_t i;
	int rc = sigs_get(reg, ref, image, &sm);

	if (rc == ERR_NOTFOUND) {
		err_clear();
		rc = 0;
	} else if (per_signature(rc) && (s = new_report(out))) {
		/* a broken .sig manifest: its signatures are invalid,
		 * others may still count */
		report_as(s, FORMAT_COSIGN);
		reason(s, err_msg());
		err_clear();
		rc = 0;
	} else if (per_signature(rc)) {
		rc = err_set(ERR_NOMEM, "out of memory");
	}
	for (i = 0; rc == 0 && i < sm.n_layers &&
		    out->n_sigs < max_signatures(o); i++) {
		if (strcmp(sm.layers[i].media_type, MT_SIMPLESIGNING) != 0)
			continue;	/* an attachment, not a signature */
		if (!(s = new_report(out))) {
			rc = err_set(ERR_NOMEM, "out of memory");
			break;
		}
		rc = check_cosign(reg, ref, repo, image, &sm.layers[i], o, s);
		if (rc == 0)
			rc = root_failure(o);
		if (rc == 0 && s->valid)
			out->n_valid++;
	}
	sig_manifest_release(&sm);
	return rc;
}

/* One referrer, tried as each format it may be in and @formats allows;
 * no report when it is none of ours. An attachment its index entry names
 * as one is recorded without a request; one that takes fetching to tell
 * counts toward the attachment cap, never the signature cap. */
static int check_referrer(struct registry *reg, const struct image_ref *ref,
			  const struct manifest *man, const struct referrer *r,
			  unsigned formats, const struct verify_opts *o,
			  struct verify_result *out)
{
	unsigned may = referrer_formats(r->artifact_type) & formats;
	struct attachment a = { .digest = r->digest, .where = "referrer" };
	struct sig_report *s;
	int rc = 1, failed;

	a.kind = attach_classify(r->artifact_type, r->annotations, a.type,
				 sizeof(a.type));
	/* list --key says which attestations the keys verify, within
	 * the attachment budget */
	if (a.kind == ATTACH_ATTESTATION && attestations_checked(o) &&
	    (referrer_formats(r->artifact_type) &
	     FORMAT_BIT(FORMAT_BUNDLE)) && attach_budget(out, o)) {
		out->n_fetched++;
		if ((rc = check_attestation(reg, ref, &man->digest, r, o,
					    &a)) < 0)
			return rc;
	}
	if (a.kind != ATTACH_UNKNOWN)
		return attach_add(out, &a, o);
	if (!may || !attach_budget(out, o))
		return 0;
	if (!(s = new_report(out)))
		return err_set(ERR_NOMEM, "out of memory");
	if (may & FORMAT_BIT(FORMAT_NOTATION))
		rc = check_notary(reg, ref, man, r, o, s, &a);
	if (rc == 1 && (a.kind != ATTACH_ATTESTATION ||
			attestations_checked(o)) &&
	    (may & FORMAT_BIT(FORMAT_BUNDLE))) {
		memset(s, 0, sizeof(*s));
		s->key_index = s->cert_index = s->signer_index = -1;
		s->log_index = -1;
		rc = check_bundle(reg, ref, &man->digest, r, o, s, &a);
		if (rc >= 0 && (failed = root_failure(o)) < 0)
			return failed;
	}
	if (rc == 1) {		/* not a signature of ours */
		out->n_sigs--;
		out->n_fetched++;
		return a.kind == ATTACH_UNKNOWN ? 0 : attach_add(out, &a, o);
	}
	if (rc == 0 && s->valid)
		out->n_valid++;
	return rc;
}

/* The image's referrers: a report for each signature among them. */
static int check_referrers(struct registry *reg, const struct image_ref *ref,
			   const struct manifest *man, unsigned formats,
			   const struct verify_opts *o,
			   struct verify_result *out)
{
	struct referrers refs = { 0 };
	size_t i;
	int rc;

	rc = registry_get_referrers(reg, ref, &man->digest, NULL, &refs);
	if (rc == 0 && refs.warning[0])
		verify_warn(out, "%s", refs.warning);
	for (i = 0; rc == 0 && i < refs.n &&
		    out->n_sigs < max_signatures(o); i++)
		rc = check_referrer(reg, ref, man, &refs.items[i], formats, o,
				    out);
	referrers_release(&refs);
	return rc;
}

/* None valid: ERR_VERIFY with the most telling reason, from a signature
 * one of our keys made, or a keyless one that verified but for its
 * identity, when there is one. */
static int none_valid(const struct verify_result *out)
{
	const struct sig_report *tell = out->sigs;
	size_t i;

	for (i = 0; i < out->n_sigs; i++)
		if (out->sigs[i].key[0] || out->sigs[i].keyless_ok) {
			tell = &out->sigs[i];
			break;
		}
	if (out->n_sigs == 0)
		return err_set(ERR_VERIFY, "no signatures found for '%s'",
			       out->pinned);
	return err_set(ERR_VERIFY, "no valid signature for '%s' (%zu checked; "
		       "%s)", out->pinned, out->n_sigs, tell->reason[0] ?
		       tell->reason : "none verified by a given key or "
		       "keyless signer");
}

/* Ask at once for what verify_with will certainly read of image @d: its
 * manifest (@manifest), the .sig tag, and the referrers when no valid
 * .sig signature can settle it. A batch of one is sent as it comes. */
static int prefetch(struct registry *reg, const struct image_ref *ref,
		    const struct digest *d, bool manifest, unsigned formats,
		    const struct verify_opts *o)
{
	unsigned what = manifest ? PREFETCH_MANIFEST : 0;
	bool cosign = formats & FORMAT_BIT(FORMAT_COSIGN);

	if (cosign)
		what |= PREFETCH_SIG;
	if ((formats & (FORMAT_BIT(FORMAT_BUNDLE) |
			FORMAT_BIT(FORMAT_NOTATION))) &&
	    (!judging(o) || o->exhaustive || !cosign))
		what |= PREFETCH_REFERRERS;
	return what & (what - 1) ? registry_prefetch(reg, ref, d, what) : 0;
}

/* verify_image, or verify_image_manifest when @given is not NULL, of the
 * image @ref names. */
static int verify_with(struct registry *reg, const struct image_ref *ref,
		       const struct manifest *given,
		       const struct verify_opts *o, struct verify_result *out)
{
	static const unsigned referred = FORMAT_BIT(FORMAT_BUNDLE) |
					 FORMAT_BIT(FORMAT_NOTATION);
	struct manifest man = { 0 };
	bool borrowed = false;
	char repo[REF_HOST_MAX + REF_REPO_MAX + 2];
	unsigned formats = o->formats ? o->formats : FORMAT_ALL;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((ref_has_digest(ref) &&
	     (rc = prefetch(reg, ref, &ref->digest, !given ||
			    !digest_eq(&given->digest, &ref->digest),
			    formats, o)) < 0) ||
	    (rc = verify_resolve(&man, &borrowed, reg, ref, given, out)) < 0 ||
	    (!ref_has_digest(ref) &&
	     (rc = prefetch(reg, ref, &man.digest, false, formats, o)) < 0) ||
	    (rc = ref_format_repo(repo, sizeof(repo), ref)) < 0)
		goto out;
	/* cosign's .sig tag first: one request answers for most images */
	if ((formats & FORMAT_BIT(FORMAT_COSIGN)) &&
	    (rc = check_sig_tag(reg, ref, repo, &man.digest, o, out)) < 0)
		goto out;
	/* then referrers, unless a valid signature already settled it */
	if ((formats & referred) &&
	    (!judging(o) || !out->n_valid || o->exhaustive) &&
	    (rc = check_referrers(reg, ref, &man, formats, o, out)) < 0)
		goto out;
	if (o->attachments &&
	    (rc = attach_cosign_tags(reg, ref, &man.digest, o, out)) < 0)
		goto out;
	/* a platform manifest of an index signed without --recursive */
	out->hint_recursive = out->n_sigs == 0 && ref_has_digest(ref) &&
			      (strcmp(man.media_type, MT_OCI_MANIFEST) == 0 ||
			       strcmp(man.media_type,
				      MT_DOCKER_MANIFEST) == 0);
	if (judging(o) && out->n_valid == 0)
		rc = none_valid(out);
out:
	if (!borrowed)
		manifest_release(&man);
	return rc;
}

int verify_image(struct registry *reg, const char *image,
		 const struct verify_opts *o, struct verify_result *out)
{
	return verify_image_manifest(reg, image, NULL, o, out);
}

int verify_image_ref(struct registry *reg, const struct image_ref *ref,
		     const struct manifest *given,
		     const struct verify_opts *o, struct verify_result *out)
{
	return verify_with(reg, ref, given, o, out);
}

int verify_image_manifest(struct registry *reg, const char *image,
			  const struct manifest *man,
			  const struct verify_opts *o,
			  struct verify_result *out)
{
	struct image_ref ref;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = ref_parse(&ref, image)) < 0)
		return rc;
	return verify_with(reg, &ref, man, o, out);
}
