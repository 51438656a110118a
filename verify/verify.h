/* verify.h - find an image's signatures and check them against keys. */
#ifndef SIGNET_VERIFY_H
#define SIGNET_VERIFY_H

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "../core/core.h"
#include "../formats/formats.h"
#include "../registry/registry.h"

/* ---- the repository a cosign signature names (identity.c) -------------- */

#define SIGNED_IDENTITY_MAX (REF_HOST_MAX + REF_REPO_MAX + 2)

/* Which repository the docker-reference of a cosign simple-signing payload
 * must name (signet-policy(5) "signed-identity"). Sigstore bundles and
 * Notary signatures bind only the digest: this does not apply to them. */
enum signed_identity_type {
	SIGNED_IDENTITY_SAME,		/* the image's own: the default */
	SIGNED_IDENTITY_REPOSITORY,	/* @repository, whatever the image */
	SIGNED_IDENTITY_REMAP,		/* the image's with @prefix replaced
					 * by @signed_prefix; outside @prefix
					 * the image's own */
};

struct signed_identity {
	enum signed_identity_type type;
	char repository[SIGNED_IDENTITY_MAX];	/* "registry/repository" */
	char prefix[SIGNED_IDENTITY_MAX];	/* "host[:port][/path]" */
	char signed_prefix[SIGNED_IDENTITY_MAX];
};

/* The repository ("registry/repository") a signature for an image of
 * @repo must name under @id (NULL: the image's own) into @out. The remap
 * matches whole path components (@prefix, then '/' or the end) and reads
 * the result as docker does ("docker.io/alpine" is
 * docker.io/library/alpine). ERR_VERIFY when the remap gives no valid
 * repository name. Pure. */
int signed_identity_expect(char *out, size_t outsz,
			   const struct signed_identity *id, const char *repo);
/* Is @id the default (the image's own repository)? NULL is. */
bool signed_identity_strict(const struct signed_identity *id);
/* @s as a repository without tag or digest, normalised as image names
 * are ("alpine" is docker.io/library/alpine) into @out; with @expanded,
 * @s must already be written that way. ERR_USAGE saying why not. */
int signed_identity_repository(char *out, size_t outsz, const char *s,
			       bool expanded);

#define FULCIO_NAME_MAX 1024	/* a certificate's identity or issuer */

struct keys_trustroot;
struct keys_trustroot_lazy;
struct fulcio_identity;

struct verify_opts {
	unsigned formats;		/* FORMAT_BIT() set; 0: all */
	EVP_PKEY *const *keys;		/* trusted keys (borrowed) */
	size_t n_keys;
	X509 *const *certs;		/* trust anchors for Notary
					 * signatures (borrowed) */
	size_t n_certs;
	time_t now;			/* 0: the current time */
	const struct kvlist *annotations;	/* all required */
	size_t max_signatures;		/* 0: 100 */
	bool exhaustive;		/* check every format even after a
					 * valid signature (thresholds) */
	bool attachments;		/* also read cosign's .att and .sbom
					 * tags (signet list) */
	const struct signed_identity *identity;	/* the repository cosign
					 * signatures must name; NULL: the
					 * image's own */
	/* keyless (Fulcio certificate) signatures */
	const struct keys_trustroot *trustroot;	/* borrowed: the default
					 * trusted root, for signers without
					 * their own and key signatures' log
					 * entries;
					 * NULL and no signer's own: keyless
					 * signatures are reported, never
					 * valid */
	const struct fulcio_identity *signers;	/* keyless signers accepted:
					 * a certificate matching any one */
	const struct keys_trustroot *const *signer_roots;	/* NULL, or
					 * parallel to signers: each one's
					 * own trusted root (borrowed), NULL
					 * for trustroot */
	size_t n_signers;
	bool require_tlog;		/* a key signature is valid only with
					 * a verified transparency log entry */
	struct keys_trustroot_lazy *tlog_root;	/* without trustroot: the
					 * root a key signature's log entries
					 * are checked with, read only when
					 * one carries any (shared, thread
					 * safe); NULL: they are not checked
					 * (but for require_tlog) */
	X509 *const *tsa_certs;		/* --tsa-cert or a policy rule's
					 * "tsa-certificates": trusted timestamp
					 * authorities for Notary timestamp
					 * countersignatures (borrowed);
					 * none: timestamps are ignored */
	size_t n_tsa_certs;
};

/* One signature found for the image, and what became of it. */
struct sig_report {
	char format[24];		/* its format_name() */
	struct digest payload;		/* cosign: the payload blob's digest;
					 * bundle, notation: the referrer
					 * manifest's */
	char key[80];			/* fingerprint of the key that
					 * verified it, or "" */
	int cert_index;			/* Notary: the trusted certificate
					 * in its chain, or -1 */
	int in_chain[JWS_CERTS_MAX];	/* Notary: every certificate of
					 * opts->certs in its chain, so that
					 * a revoked one is seen whatever
					 * cert_index is */
	size_t n_in_chain;
	char chain_keys[JWS_CERTS_MAX][80];	/* Notary: the key
					 * fingerprint of each certificate of
					 * its chain, leaf first, so that a
					 * key revoked under any name refuses
					 * it */
	size_t n_chain_keys;
	time_t signed_at;		/* Notary: the signing time it states
					 * (the signer's word), or 0 */
	int key_index;			/* that key's index in opts->keys,
					 * or -1 */
	bool claims_ok;			/* verified by a key, and names this
					 * image (digest, repository) */
	char *docker_ref;		/* claimed, or NULL */
	json_t *annotations;		/* claimed annotations, or NULL */
	struct kvlist subject;		/* Notary: the leaf certificate's
					 * subject (C, ST, L, O, OU, CN) */
	bool valid;			/* claims_ok and carries every
					 * required annotation */
	char reason[512];		/* why it does not count */
	/* keyless: signed with a Fulcio certificate's key */
	bool keyless;			/* a certificate, not a key, signs */
	bool keyless_ok;		/* signature, chain, SCT and log entry
					 * (or timestamp) verified against
					 * a trusted root in play (root); the
					 * identity is judged apart
					 * (signer_index) */
	const struct keys_trustroot *root;	/* keyless_ok: the trusted
					 * root it verified against (borrowed
					 * from the verify_opts), else NULL */
	char san[FULCIO_NAME_MAX];	/* the certificate's identity, or "" */
	char issuer[FULCIO_NAME_MAX];	/* its OIDC issuer, or "" */
	int signer_index;		/* first of opts->signers it matches
					 * whose trusted root is root, or -1 */
	int64_t log_index;		/* verified log entry's index, or -1 */
	time_t logged_at;		/* its integrated time, or 0 */
	time_t timestamp;		/* a verified RFC 3161 timestamp's
					 * time, or 0 */
};

/* Something attached to the image that is not a signature: set aside
 * before signatures are counted, shown by signet list. */
struct attachment {
	enum attach_kind kind;		/* never ATTACH_UNKNOWN */
	char where[12];			/* "referrer", ".att", ".sbom" */
	struct digest digest;		/* its manifest (referrer) or layer
					 * (.att, .sbom) */
	char type[256];			/* attestation: its predicate type;
					 * else its artifact or media type;
					 * sanitised, may be "" */
	bool checked;			/* its signature was checked against
					 * the given keys */
	char key[80];			/* checked: the fingerprint of the key
					 * that verified it, or "" */
};

#define VERIFY_WARNINGS_MAX 4

struct verify_result {
	char pinned[REF_HOST_MAX + REF_REPO_MAX + DIGEST_STR_MAX + 2];
	struct digest digest;
	bool by_tag;
	struct sig_report *sigs;
	size_t n_sigs;
	size_t n_valid;
	struct attachment *atts;	/* attachments seen, at most
					 * VERIFY_ATTACH_FACTOR x the
					 * signature cap */
	size_t n_atts;
	size_t n_fetched;		/* referrers fetched that were no
					 * signature (same cap) */
	char warnings[VERIFY_WARNINGS_MAX][1024];	/* sanitised findings
					 * that did not stop verification */
	size_t n_warnings;
	bool hint_recursive;		/* named by digest, an image manifest,
					 * no signature at all: perhaps only
					 * its index was signed */
};

/* Of referrers that turn out to be no signature, how many per signature
 * of the cap are looked at (and recorded) before the rest are skipped
 * with a warning. */
#define VERIFY_ATTACH_FACTOR 10

/* Resolve @image, fetch its signatures and check each. 0 when at least one
 * signature is valid; ERR_VERIFY (message says why) when none is; other
 * codes for errors. With no keys and no keyless signers, reports
 * signatures without judging them (for "signet list") and returns 0. */
int verify_image(struct registry *reg, const char *image,
		 const struct verify_opts *opts, struct verify_result *out);
void verify_result_release(struct verify_result *r);

/* Check one cosign simple-signing signature, no network: @sig_b64 over the
 * exact @payload bytes with one of o->keys, then the payload's claims: the
 * digest is @image, the docker-reference names the repository
 * o->identity expects for @repo ("registry/repo"; by default @repo
 * itself), required annotations. Fills @s; 0 when valid, ERR_VERIFY otherwise. */
int verify_simplesign(const void *payload, size_t payload_len,
		      const char *sig_b64, const struct digest *image,
		      const char *repo, const struct verify_opts *o,
		      struct sig_report *s);

struct keyless_cosign;

/* verify_simplesign of a whole ".sig" layer: @in as keyless.c reads it
 * (in->cert_pem, in->bundle may be NULL; a chain annotation is not
 * used). A signature counts when one of o->keys verifies it and its
 * Rekor bundle, when it carries one whose log the trusted root
 * (o->trustroot, else o->tlog_root) has, verifies and logs it with that
 * key (with o->require_tlog a bundle that does is required, whatever
 * its log), or, carrying a certificate,
 * when keyless_cosign_check passes against a trusted root in play
 * (s->keyless_ok, s->root) and its identity matches one of o->signers
 * whose root that is (s->signer_index); then the claims as for
 * verify_simplesign. The roots tried, each once, first that verifies:
 * those of the signers the certificate's (claimed) identity matches, in
 * their order; when it matches none, o->trustroot (else the first
 * signer's root), so that list and the reason say whether it verified.
 * Without a trusted root or signers a keyless signature is reported
 * (s->san, s->issuer unverified) and never valid. 0 when valid,
 * ERR_VERIFY otherwise, s->reason naming the failed check. */
int verify_cosign_sig(const struct keyless_cosign *in,
		      const struct digest *image, const char *repo,
		      const struct verify_opts *o, struct sig_report *s);

/* ---- trust policy (policy.c; the file format is signet-policy(5)) ------- */

#include <time.h>

#define POLICY_FILE_MAX (1u << 20)	/* bytes of policy JSON */
#define POLICY_KEYS_MAX 256		/* entries of "keys" */
#define POLICY_RULES_MAX 1024
#define POLICY_RULE_KEYS_MAX 64		/* names in one rule's "keys" */
#define POLICY_CERTS_MAX 1000		/* certificates, all files together */

enum policy_action {
	POLICY_SIGNED,			/* threshold of trusted signatures */
	POLICY_REJECT,			/* "reject": never trusted */
	POLICY_ACCEPT_ANYTHING,		/* "insecure-accept-anything" */
};

/* One entry of "keys": a public key, or certificates anchoring Notary
 * signature chains. A key is its public key (keys_fingerprint, over the
 * canonical SubjectPublicKeyInfo): the same key under two names, as a
 * public key or in a certificate, in any encoding, is one key for
 * thresholds and for revocation (policy->pkeys holds it once). */
struct policy_key {
	char *name;
	char *file;			/* resolved against the policy's
					 * folder */
	bool certificate;		/* "certificate", else "public-key" */
	int key_index;			/* public key: in policy->pkeys; -1 */
	char fingerprint[80];		/* public key: keys_fingerprint */
	size_t *cert_index;		/* certificates: in policy->certs */
	size_t n_certs;
	bool revoked;			/* "revoked": true or a time */
	bool revoked_timed;		/* only from revoked_at on */
	time_t revoked_at;
	char revoked_since[32];		/* revoked_at, RFC 3339 UTC, or "" */
	/* "keyless": a Fulcio certificate's identity, not a key. Its
	 * fingerprint is "keyless:" and the SHA-256 of what it matches, so
	 * that two entries naming one signer are one signer */
	bool keyless;
	char *identity, *identity_re;	/* exactly one of each pair */
	char *issuer, *issuer_re;
	char *trusted_root;		/* its "trusted-root", resolved, or
					 * NULL */
	int root;			/* keyless: its trusted root in
					 * policy->roots (its own, else the
					 * default); else -1 */
};

struct policy_rule {
	size_t index;			/* position in "rules" */
	char *scope;			/* glob over "registry/repository" */
	enum policy_action action;
	size_t *keys;			/* trusted: indices in policy->keys */
	size_t n_keys;
	size_t threshold;		/* distinct trusted keys needed, >= 1 */
	struct kvlist annotations;	/* every counted signature carries
					 * all */
	unsigned formats;		/* FORMAT_BIT() set accepted */
	struct kvlist subject;		/* required subject fields (C, ST, L, O,
					 * OU, CN) of a notation signer's
					 * certificate; not checked yet */
	struct signed_identity *identity;	/* "signed-identity", or NULL:
					 * the image's own repository */
	bool require_tlog;		/* "require-tlog": a key signature
					 * counts only with a verified
					 * transparency log entry */
	X509 **tsa_certs;		/* "tsa-certificates": timestamp
					 * authorities trusted for notation
					 * timestamp countersignatures
					 * (owned): give as
					 * verify_opts.tsa_certs */
	size_t n_tsa_certs;
	size_t literals;		/* specificity: see policy_match */
	size_t wildcards;
	size_t globstars;
};

/* A trusted root a policy loaded. */
struct policy_root {
	struct keys_trustroot *root;	/* owned */
	char name[4160];		/* which: keys_trustroot_select */
	char *file;			/* the file named (resolved), or NULL:
					 * $SIGNET_TRUSTED_ROOT or built-in */
};

struct policy {
	char *path;			/* the file it was read from */
	struct policy_key *keys;
	size_t n_keys;
	struct policy_rule *rules;
	size_t n_rules;
	EVP_PKEY **pkeys;		/* distinct public keys (owned): give
					 * as verify_opts.keys */
	size_t n_pkeys;
	X509 **certs;			/* distinct certificates (owned): give
					 * as verify_opts.certs */
	char (*cert_keys)[80];		/* keys_fingerprint of each one's
					 * key, parallel to certs */
	size_t n_certs;
	struct fulcio_identity *signers;	/* every keyless entry, in the
					 * order of keys (strings borrowed from
					 * them): give as verify_opts.signers */
	const struct keys_trustroot **signer_roots;	/* parallel: each
					 * one's trusted root (borrowed from
					 * roots): give as
					 * verify_opts.signer_roots */
	size_t n_signers;
	struct policy_root *roots;	/* the distinct trusted roots the
					 * keyless entries and require-tlog
					 * rules use, each file loaded once */
	size_t n_roots;
	const struct keys_trustroot *trustroot;	/* the default one (in
					 * roots): the policy's
					 * "trusted-root", $SIGNET_TRUSTED_ROOT
					 * or the built-in one, for entries
					 * naming none and for require-tlog;
					 * NULL when nothing uses it */
	char trustroot_name[4160];	/* which: keys_trustroot_select */
	struct keys_trustroot_lazy *tlog_root;	/* no trustroot: the one
					 * key signatures' log entries are
					 * checked with, read when first
					 * needed (owned); give as
					 * verify_opts.tlog_root */
};

/* A problem found in a policy: "JSON-PATH: what is wrong". */
struct policy_diag {
	bool warning;			/* false: an error, the policy is
					 * invalid */
	char msg[512];
};

struct policy_diags {
	struct policy_diag *items;
	size_t n;
	size_t n_errors;
};

void policy_diags_release(struct policy_diags *d);

#define POLICY_SYSTEM "/etc/signet/policy.json"

/* The policy file to use: @given (--policy) when not NULL, else
 * POLICY_SYSTEM when it is locked (policy_system_locked), else
 * $SIGNET_POLICY when set and not empty, else the first of
 * $XDG_CONFIG_HOME/signet/policy.json (~/.config without it) and
 * POLICY_SYSTEM that exists. ERR_NOTFOUND, saying where it looked, when
 * there is none. Reads the environment and, for its lock, POLICY_SYSTEM.
 * Refusing --policy under a lock is the caller's part: policy check FILE
 * may look at any file. */
int policy_locate(char *out, size_t outsz, const char *given);

/* 1 when POLICY_SYSTEM says "locked": true: it is then the one trust
 * policy, whatever $SIGNET_POLICY, the user's policy, --policy or --key
 * say. 0 when it does not or there is none; ERR_IO / ERR_FORMAT when it is
 * there but cannot be read as JSON, since then no one can tell. */
int policy_system_locked(void);

/* Read the policy at @path strictly (unknown fields, duplicate keys and
 * wrong types are errors naming the JSON path) and load every key and
 * certificate file it names, relative to the policy's folder; a symbolic
 * link is refused. When @path is itself a link, the folder is that of the
 * file it resolves to (a config mount's link, a checkout linked into
 * /etc/signet), and that file is what is read. Every problem, and doubts such as rules of equal
 * specificity that overlap, go to @diags (may be NULL). 0 when there is
 * no error; else the code of the first error, whose message is recorded.
 * Nothing is fetched. New policy, NULL on error: policy_free. */
int policy_load(struct policy **out, const char *path,
		struct policy_diags *diags);
/* The same from @len bytes of JSON; @path names the document and its
 * folder is where key files are looked for. */
int policy_parse(struct policy **out, const void *json, size_t len,
		 const char *path, struct policy_diags *diags);
void policy_free(struct policy *p);

/* Does @scope match @repo ("registry/repository")? '*' matches any run
 * of characters other than '/', '**' any run at all; all else is
 * literal. */
bool policy_scope_match(const char *scope, const char *repo);

/* The rule that applies to @repo, or NULL when none matches. Of the
 * rules whose scope matches, the most specific wins: a scope without
 * wildcards; then the most literal characters; then the fewest '**';
 * then the fewest wildcards; then the earliest in the file. Borrowed. */
const struct policy_rule *policy_match(const struct policy *p,
				       const char *repo);

/* Index in p->keys of the entry @name, or -1. */
int policy_key_find(const struct policy *p, const char *name);
/* Is @k revoked at @now? Untimed: always; timed: once now >= revoked_at
 * (cosign signatures carry no trusted time, so the time of verifying is
 * what counts). */
bool policy_key_revoked(const struct policy_key *k, time_t now);
/* Another entry that revokes @k's key (or for a certificate entry, the
 * key of one of its certificates), revoked or to be revoked at some
 * time, or NULL: policy show's "revoked as NAME". Borrowed. */
const struct policy_key *policy_key_revoked_as(const struct policy *p,
					       const struct policy_key *k);
/* Strict RFC 3339 (rfc3339_parse): "2026-01-31T12:00:00Z", fraction and
 * numeric offset allowed ("...T12:00:00.5+01:00"; the fraction is
 * dropped), "t" and "z" too; nothing before 1970. */
int policy_parse_time(time_t *out, const char *s);

/* What the policy made of one signature. */
struct policy_sig {
	bool counted;			/* counted toward the threshold */
	int key;			/* the signer's entry in
					 * policy->keys, or -1 */
	char why[300];			/* why it was not counted, or "" */
};

struct policy_verdict {
	const struct policy_rule *rule;	/* borrowed; NULL: none matched */
	bool trusted;
	size_t counted;			/* distinct keys that counted */
	struct policy_sig *sigs;	/* parallel to the signatures given */
	size_t n_sigs;
	char reason[512];		/* the verdict in words; "" until
					 * evaluated */
};

/* Judge the signatures found for @repo ("registry/repository") by the
 * rule policy_match picks, at time @now. A signature counts when its
 * format is accepted, its key (s->key_index into p->pkeys, or for
 * notation a certificate of s->in_chain in p->certs) belongs to an entry
 * the rule trusts, no entry holding its key (for notation: the key of
 * any certificate of its chain, s->chain_keys and s->in_chain) is
 * revoked at @now (or at s->signed_at when later: a stated time can
 * refuse a signature, never save one), its claims hold (s->claims_ok)
 * and it carries the rule's annotations. Keys count once: a signature
 * counts only when neither its signing key nor the trusted key it counts
 * for (the same, but for notation's anchor) has counted already, so no
 * key counts twice whatever its names (greedy: it may count fewer than
 * could).
 * A keyless signature (s->keyless) counts for a keyless entry the rule
 * trusts when it verified (s->keyless_ok) against that entry's own
 * trusted root (s->root is the entry's in p->roots: a signature of
 * another Sigstore instance never counts for it, whatever its identity),
 * its certificate's identity and issuer (s->san, s->issuer) match the
 * entry (matched again here: several entries may), its claims and the
 * rule's annotations hold, and no keyless entry naming its identity
 * (whatever that entry's root) is revoked at the time it was made: the
 * earliest of s->logged_at and s->timestamp, both verified, else @now.
 * One identity (SAN and issuer) counts once, whatever the root, and so
 * do entries that name the same signer.
 * Pure: no I/O. 0 when trusted; ERR_VERIFY with out->reason (also the
 * recorded message) when not; ERR_NOMEM. */
int policy_evaluate(struct policy_verdict *out, const struct policy *p,
		    const char *repo, const struct sig_report *sigs,
		    size_t n_sigs, time_t now);
void policy_verdict_release(struct policy_verdict *v);

/* Verify @image under @p: the rule is chosen from the name alone, so a
 * rejected or unmatched image is refused without a request; "insecure-
 * accept-anything" only resolves the digest; otherwise verify_image runs
 * with every policy key, every keyless entry as a signer with its
 * trusted root, the policy's default trusted root, the rule's
 * "tsa-certificates" (exhaustive, no annotations) and policy_evaluate
 * judges. Returns as policy_evaluate, or another code for errors. @res
 * and @v are filled as far as it got: release both. */
int policy_verify(struct registry *reg, const char *image,
		  const struct policy *p, time_t now,
		  struct verify_result *res, struct policy_verdict *v);

/* ---- audit (audit.c): every image of a registry ------------------------- */

enum audit_status {
	AUDIT_SIGNED,			/* a valid signature; with a policy:
					 * the policy trusts it */
	AUDIT_UNSIGNED,			/* no signature at all */
	AUDIT_INVALID,			/* signatures, none valid; or refused
					 * by the policy */
	AUDIT_ERROR,			/* could not be checked */
};

/* "signed", "unsigned", "invalid" or "error". */
const char *audit_status_name(enum audit_status s);

/* One image audited: a tag, or a platform manifest an index lists. Every
 * pointer is borrowed for the duration of the callback; strings from the
 * registry are not sanitised. */
struct audit_item {
	enum audit_status status;
	const char *registry;		/* canonical: ref_canonical_host */
	const char *repository;
	const char *tag;		/* NULL: a platform manifest, or a
					 * repository whose tags could not be
					 * listed */
	const struct digest *digest;	/* str[0] == 0: not resolved */
	const char *platform;		/* platform manifest: "os/arch[/v]",
					 * "" when the index does not say;
					 * else NULL */
	const char *index_tag;		/* platform manifest: the tag of the
					 * index that listed it; else NULL */
	const char *reason;		/* why not signed; "" when signed
					 * (with a policy: what an accept-
					 * anything rule said) */
	const char *format;		/* signed: the signature that counted */
	const char *key;		/* and its key's fingerprint; else "" */
	const char *identity, *issuer;	/* or its keyless signer's
					 * certificate identity and issuer
					 * (at most 255 and 127 bytes);
					 * else "" */
	const char *warning;		/* a finding that did not stop the
					 * verification (a foreign referrers
					 * tag); "" or NULL when none */
	bool reused;			/* the verdict of the same digest under
					 * another tag of the repository */
};

struct audit_progress {
	size_t seen;			/* images found so far */
	size_t done;			/* images reported so far */
};

/* Called once per image, one call at a time (any thread), in the order
 * the images are done. */
typedef void (*audit_item_fn)(void *ctx, const struct audit_item *item,
			      const struct audit_progress *p);

struct audit_opts {
	const char *registry;		/* "HOST[:PORT]" */
	const struct registry_opts *ropts;
	const struct verify_opts *verify;	/* keys or keyless signers,
						 * when no policy */
	const struct policy *policy;	/* or NULL: judge with @verify */
	const char *const *repo_globs;	/* repositories to audit, matched
					 * as policy_scope_match; none: all */
	size_t n_repo_globs;
	unsigned jobs;			/* worker threads, 1..64; 0: 8 */
	audit_item_fn on_item;
	void *ctx;
};

struct audit_totals {
	size_t images;			/* reported: the four below */
	size_t n_signed, n_unsigned, n_invalid, n_error;
	size_t repositories;		/* selected by the globs */
	size_t skipped;			/* signature and attachment tags */
	size_t verified;		/* distinct manifests verified */
	unsigned long requests;		/* HTTP requests, every client */
};

/* Walk the catalog of o->registry and the tags of each selected
 * repository (following pagination), and verify every image in o->jobs
 * threads, each with its own registry client; report each through
 * o->on_item. Tags audit_skip_tag names are not images. A digest is
 * verified once per repository (its verdict is forgotten when the
 * repository is done); for an index, each platform manifest it lists is
 * verified and reported too, once per repository. The walker waits while
 * the work queue is full, so memory does not grow with the registry.
 * An image or a repository that cannot be checked is reported as
 * AUDIT_ERROR. Returns < 0 only when the audit could not start or the
 * catalog walk failed (after every image found was reported); fills @out
 * in every case. */
int audit_registry(const struct audit_opts *o, struct audit_totals *out);

/* verify_image for an image named by digest ("REPO@sha256:...") whose
 * manifest @man the caller already fetched: when @man hashes to that
 * digest it is used (borrowed) instead of a second request. @man may be
 * NULL: then it is verify_image. */
int verify_image_manifest(struct registry *reg, const char *image,
			  const struct manifest *man,
			  const struct verify_opts *opts,
			  struct verify_result *out);

/* Is @tag an artifact cosign or notation keeps beside images:
 * "sha256-<64 hex>" (the referrers tag index) or that followed by ".sig",
 * ".att" or ".sbom"? Pure. */
bool audit_skip_tag(const char *tag);
/* Is repository @repo selected by one of @globs ('*' within a path
 * element, '**' across them; all are when n == 0)? Pure. */
bool audit_repo_selected(const char *const *globs, size_t n,
			 const char *repo);
/* "os/architecture[/variant]" from an index entry's "platform", control
 * characters replaced; "" when it has none. Pure. */
void audit_platform(char *out, size_t outsz, const json_t *descriptor);

/* ---- transparency log checks (tlog.c): pure, offline ------------------- */

struct keys_trustroot;

/* RFC 6962 / RFC 9162 2.1.3.2: the root that the audit path @hashes
 * leads to from leaf hash @leaf at @index of a tree of @size leaves,
 * into @out. ERR_VERIFY when the path cannot belong to such a tree (index
 * not below size, too few or too many hashes). */
int tlog_merkle_root(unsigned char out[32], const unsigned char leaf[32],
		     uint64_t index, uint64_t size,
		     const unsigned char (*hashes)[32], size_t n);
/* The entry's Signed Entry Timestamp verifies over rekor_set_payload()
 * with the key of the transparency log of @t that e->log_id names, valid
 * at e->integrated_time. ERR_VERIFY "SET: ..." otherwise (no SET, no
 * such log, key not valid then, signature invalid). */
int tlog_verify_set(const struct keys_trustroot *t,
		    const struct rekor_entry *e);
/* The entry's inclusion proof leads from the leaf hash of its body
 * (SHA-256 of 0x00 || body) to proof.root. ERR_VERIFY "inclusion proof:
 * ..." otherwise. */
int tlog_verify_inclusion(const struct rekor_entry *e);
/* The inclusion proof's checkpoint is a signed note with a signature by
 * the log e->log_id names (valid at @at), whose tree size and root hash
 * are the proof's. ERR_VERIFY "checkpoint: ..." otherwise. */
int tlog_verify_checkpoint(const struct keys_trustroot *t,
			   const struct rekor_entry *e, time_t at);

/* ---- keyless certificates (fulcio.c): pure, offline -------------------- */

/* @leaf chains, through the certificates of a Fulcio certificate
 * authority of @t, to that authority's root, the authority valid (its
 * validFor) at @at and every certificate valid at @at (X509_verify_cert
 * at that time, strict); @leaf itself is valid at @at, not a CA, and has
 * the code signing extended key usage. The chain a signature carries is
 * not used: only the trusted root's. On success *@issuer is the
 * certificate that issued @leaf (new reference: X509_free). ERR_VERIFY
 * "certificate chain: ..." otherwise. */
int fulcio_verify_chain(X509 **issuer, const struct keys_trustroot *t,
			X509 *leaf, time_t at);

/* What a keyless signer must be: exactly one of identity / identity_re,
 * and of issuer / issuer_re. A regexp is POSIX extended and must match
 * the whole string (it is matched as "^(RE)$"). */
struct fulcio_identity {
	const char *identity, *identity_re;
	const char *issuer, *issuer_re;
};

/* The certificate's identity (its first URI subject alternative name,
 * else its first email, else Fulcio's username otherName
 * 1.3.6.1.4.1.57264.1.7) and OIDC issuer (extension
 * 1.3.6.1.4.1.57264.1.8, a DER UTF8String, else the deprecated
 * 1.3.6.1.4.1.57264.1.1, raw bytes). ERR_VERIFY "certificate identity:
 * ..." when absent, duplicated, malformed or with control characters. */
int fulcio_cert_identity(char san[FULCIO_NAME_MAX],
			 char issuer[FULCIO_NAME_MAX], X509 *leaf);
/* 0 when @value is @exact, or (@exact NULL) matches regexp @re over the
 * whole string; ERR_VERIFY "certificate identity: @what ..." when not,
 * ERR_USAGE when @re does not compile or neither is given. */
int fulcio_match(const char *value, const char *exact, const char *re,
		 const char *what);
/* fulcio_cert_identity of @leaf matched against @want. */
int fulcio_verify_identity(X509 *leaf, const struct fulcio_identity *want);
/* At least one SCT embedded in @leaf (issued by @issuer, as
 * fulcio_verify_chain found it) verifies, with OpenSSL's CT code, with a
 * CT log of @t whose key was valid at the SCT's time; SCTs dated after
 * the certificate's notAfter do not count. ERR_VERIFY "SCT: ..."
 * otherwise (none, from an unknown log, signature invalid). */
int fulcio_verify_sct(const struct keys_trustroot *t, X509 *leaf,
		      X509 *issuer);
/* All three for a keyless signing certificate: fulcio_verify_chain at
 * the signing time @at (a verified log entry's integrated time or a
 * verified timestamp), fulcio_verify_sct, fulcio_verify_identity (not
 * when @want is NULL: the caller judges the identity apart). */
int fulcio_verify_cert(const struct keys_trustroot *t, X509 *leaf,
		       time_t at, const struct fulcio_identity *want);

/* ---- does a log entry log this signature (entry.c): pure --------------- */

/* What was signed and by whom, as the verifier found it. */
struct tlog_signed {
	const char *md;			/* sha256, sha384 or sha512 */
	const unsigned char *digest;	/* of the signed bytes */
	size_t digest_len;
	const void *sig;		/* the signature bytes */
	size_t sig_len;
	X509 *cert;			/* signing certificate, or NULL */
	EVP_PKEY *key;			/* else the signing key */
};

/* The hashedrekord body of @e (v0.0.1 or v0.0.2; the entry's own kind
 * and version, when it gives them, the body's) names exactly @s: its
 * digest algorithm and digest, its signature bytes, and its certificate
 * (the same DER) or, without one, its key. ERR_VERIFY "log entry: ..."
 * otherwise, a malformed body included. */
int tlog_check_hashedrekord(const struct rekor_entry *e,
			    const struct tlog_signed *s);

/* The dsse or intoto body of @e (any of dsse v0.0.1, v0.0.2, intoto
 * v0.0.1, v0.0.2; the entry's kind and version are its body's) logs the
 * envelope @s describes: s->md "sha256" and s->digest the SHA-256 of the
 * envelope's payload (its payloadHash), s->sig the envelope's signature
 * among those it logs (intoto v0.0.1 logs none), made with s->cert or
 * s->key. ERR_VERIFY "log entry: ..." otherwise. */
int tlog_check_envelope(const struct rekor_entry *e,
			const struct tlog_signed *s);

/* ---- a keyless cosign signature in full (keyless.c): pure -------------- */

/* A cosign ".sig" layer's payload and annotations: sig_b64 is
 * dev.cosignproject.cosign/signature, cert_pem
 * dev.sigstore.cosign/certificate, bundle dev.sigstore.cosign/bundle
 * (may be NULL: then the check fails). */
struct keyless_cosign {
	const void *payload;		/* the simple-signing payload */
	size_t payload_len;
	const char *sig_b64, *cert_pem, *bundle;
};

/* The signature verifies over the payload with the certificate's key;
 * the Rekor bundle's SET verifies (tlog_verify_set) and its hashedrekord
 * body names this signature, certificate and payload digest
 * (tlog_check_hashedrekord); the certificate passes fulcio_verify_cert
 * at the entry's integrated time, which goes into *@signed_at. The
 * payload's content (digest, docker-reference) is the caller's to check.
 * ERR_VERIFY with the failed check's message ("signature: ...", "SET:
 * ...", "log entry: ...", "certificate chain: ...", "SCT: ...",
 * "certificate identity: ..."); ERR_USAGE for a bad @want. */
int keyless_verify_cosign(time_t *signed_at, const struct keys_trustroot *t,
			  const struct keyless_cosign *in,
			  const struct fulcio_identity *want);

/* What keyless_cosign_check and keyless_cosign_tlog found in the
 * verified log entry. */
struct keyless_found {
	time_t signed_at;		/* its integrated time */
	int64_t log_index;
};

/* keyless_verify_cosign, the entry's index too; @want NULL checks
 * everything but the identity (fulcio_cert_identity and fulcio_match
 * judge it apart). *@out is zero (log_index -1) on failure. */
int keyless_cosign_check(struct keyless_found *out,
			 const struct keys_trustroot *t,
			 const struct keyless_cosign *in,
			 const struct fulcio_identity *want);
/* fulcio_cert_identity of the PEM certificate @cert_pem, unverified
 * (signet list without a trusted root). "" both on failure. */
int keyless_cert_identity(char san[FULCIO_NAME_MAX],
			  char issuer[FULCIO_NAME_MAX], const char *cert_pem);
/* Does @t have the log of @in's Rekor bundle? 1 yes, 0 no (or no
 * bundle); ERR_VERIFY "SET: ..." when the bundle does not parse. */
int keyless_cosign_known_log(const struct keys_trustroot *t,
			     const struct keyless_cosign *in);
/* --require-tlog for a signature made with @key: in->bundle (required)
 * has a SET that verifies with a log of @t, and its hashedrekord body
 * names this signature, @key and the payload's digest. in->cert_pem is
 * not used. ERR_VERIFY "signature: ...", "SET: ...", "log entry: ..."
 * otherwise. */
int keyless_cosign_tlog(struct keyless_found *out,
			const struct keys_trustroot *t,
			const struct keyless_cosign *in, EVP_PKEY *key);

/* What keyless_verify_bundle found. */
struct bundle_verdict {
	bool keyless;			/* a certificate signed, not a key */
	char san[FULCIO_NAME_MAX];	/* keyless: the certificate's identity */
	char issuer[FULCIO_NAME_MAX];	/* and OIDC issuer */
	int64_t log_index;		/* a verified log entry's, or -1 */
	time_t logged_at;		/* an integrated time its SET
					 * covers, or 0 */
	time_t timestamp;		/* a verified RFC 3161 time, or 0 */
};

/* An artifact's digests, as given or computed. */
struct artifact_digest {
	bool has_sha256, has_sha512;
	unsigned char sha256[32], sha512[64];
};

/* A Sigstore bundle @b in full, offline, against the trusted root @t:
 * - the signature: a message signature over @artifact (the bundle's
 *   messageDigest must be its digest of that algorithm), or the DSSE
 *   signature over the envelope's PAE (with @artifact not NULL, a subject
 *   of its in-toto statement must have its sha256 or sha512 digest;
 *   otherwise naming the image is the caller's check); made with the
 *   leaf certificate's key, or for a
 *   key bundle with @key (NULL: refused);
 * - every log entry: its body logs this signature, key or certificate
 *   and digest (entry.c), its SET verifies (then its integrated time is
 *   a signing time) and its inclusion proof and checkpoint verify when
 *   present (a bundle v0.2 or later needs it); an entry without a SET
 *   (Rekor v2) needs the proof and a timestamp;
 * - every RFC 3161 timestamp verifies over the signature (tsa_verify)
 *   and its time is a signing time;
 * - keyless: at least one signing time, the certificate passes the
 *   chain and SCT checks at each, and the identity (@want; NULL: not
 *   judged, only recorded) once; @require_tlog (or keyless): at least
 *   one verified log entry, and a Rekor v2 entry a timestamp too;
 * - a key bundle without @require_tlog: only the log entries of logs @t
 *   has (keys_trustroot_has_log) are checked, the others ignored, and a
 *   timestamp that does not verify is ignored (it only dates a Rekor v2
 *   entry, which then needs another).
 * ERR_VERIFY naming the failed check ("signature: ", "artifact digest:",
 * "DSSE subject:", "log entry:", "SET:", "inclusion proof:",
 * "checkpoint:", "timestamp:", "certificate chain:", "SCT:",
 * "certificate identity:"); ERR_USAGE for a bad @want. Fills @out as far
 * as it got. */
int keyless_verify_bundle(struct bundle_verdict *out,
			  const struct keys_trustroot *t,
			  const struct bundle *b,
			  const struct artifact_digest *artifact, EVP_PKEY *key,
			  const struct fulcio_identity *want,
			  bool require_tlog);

/* notation's rule for the chain of a Notary signature (@chain, leaf
 * first, from @env's x5c), anchored in @o->certs (keys_notary_check_chain):
 * valid at @now; or, with @o->tsa_certs and a timestamp countersignature
 * in @env, valid over the whole time the timestamp states (+- its
 * accuracy) once it verifies (tsa_verify: its imprint covers @env's
 * signature bytes, signed by one of @o->tsa_certs' authorities), as
 * notation checks it: so a certificate that has expired since still
 * verifies, one not valid at the timestamp never does, and a timestamp
 * that does not verify makes the signature not count. Without
 * @o->tsa_certs a timestamp is ignored. 0 with *@timestamp the verified
 * timestamp's time (0: none checked), or ERR_VERIFY with the reason in
 * @why ("timestamp: ..." when the timestamp failed or the chain was not
 * valid at its time). */
int verify_notary_chain(time_t *timestamp, char *why, size_t whysz,
			const struct jws *env, X509 *const *chain,
			size_t n_chain, const struct verify_opts *o,
			time_t now);

/* ---- RFC 3161 timestamps (tsa.c): pure, offline ----------------------- */

#define TSA_TOKEN_MAX (64 * 1024)

/* Verify the RFC 3161 timestamp @tok (DER: a TimeStampResp, status
 * granted or grantedWithMods, or the bare token, a CMS SignedData
 * ContentInfo; at most TSA_TOKEN_MAX bytes, nothing after it) over @data:
 * its message imprint is the SHA-256, -384 or -512 hash of @data, and it
 * is signed by a timestamp authority of @t (its "timestampAuthorities",
 * read as sigstore-go does: the first certificate, unless a CA, is the
 * one signer; the last is the trust anchor; the authority's validFor
 * holds the stated time) or, when @t is NULL, chains to one of @anchors
 * (--tsa-cert; the token's certificates serve as intermediates). Every
 * certificate of the signer's chain valid at the stated time; the signer
 * not a CA, with timeStamping (critical) its only extended key usage.
 * OpenSSL's TS API does the signature, ESS and chain checks. The stated
 * time into *@at (0 on failure). ERR_VERIFY "timestamp: ..." naming the
 * failed check. */
int tsa_verify(time_t *at, const struct keys_trustroot *t,
	       X509 *const *anchors, size_t n_anchors, const void *tok,
	       size_t tok_len, const void *data, size_t data_len);
/* tsa_verify, and the accuracy the token states (whole seconds, rounded
 * up; 0 when it states none) into *@accuracy: the time is stated as
 * *@at +- *@accuracy. */
int tsa_verify_accuracy(time_t *at, time_t *accuracy,
			const struct keys_trustroot *t, X509 *const *anchors,
			size_t n_anchors, const void *tok, size_t tok_len,
			const void *data, size_t data_len);

#endif
