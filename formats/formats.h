/*
 * formats.h - the byte formats signatures travel in, each built and parsed
 * in one file so the two can never drift apart: cosign's simple-signing
 * payload (simplesign.c), the Notary Project JWS envelope and its payload
 * (jws.c) and its COSE envelope (cose.c), the DSSE envelope in a Sigstore
 * bundle (bundle.c), the OCI manifest that stores the last two as
 * referrers of an image (referrer.c), what else a referrer may be
 * (attach.c: attestations, SBOMs, other artifacts), and the names of the
 * three (names.c). Pure functions: no network, no
 * files, no X.509 parsing (keys/ does that); signing goes through
 * callbacks.
 */
#ifndef SIGNET_FORMATS_H
#define SIGNET_FORMATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <jansson.h>

#include "../core/core.h"

/* ---- media types ------------------------------------------------------- */

#define MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define MT_DOCKER_MANIFEST \
	"application/vnd.docker.distribution.manifest.v2+json"
#define MT_DOCKER_LIST \
	"application/vnd.docker.distribution.manifest.list.v2+json"
#define MT_OCI_CONFIG "application/vnd.oci.image.config.v1+json"
#define MT_OCI_EMPTY "application/vnd.oci.empty.v1+json"
#define MT_NOTARY_SIGNATURE "application/vnd.cncf.notary.signature"
#define ANN_NOTARY_THUMBPRINTS "io.cncf.notary.x509chain.thumbprint#S256"

/* ---- the signature formats, by name (names.c) ---------------------------- */

/* The formats signet signs in and verifies. FORMAT_COSIGN is 0, so a
 * zeroed options struct signs in cosign's format. */
enum sig_format {
	FORMAT_COSIGN,		/* "cosign": .sig tag, simple signing */
	FORMAT_BUNDLE,		/* "sigstore-bundle": cosign 3's bundle
				 * referrer */
	FORMAT_NOTATION,	/* "notation": Notary Project JWS referrer */
	FORMAT_COUNT
};

/* A set of formats, one bit each. */
#define FORMAT_BIT(f) (1u << (f))
#define FORMAT_ALL (FORMAT_BIT(FORMAT_COUNT) - 1)
/* For messages that list the choices. */
#define FORMAT_NAMES "cosign, sigstore-bundle or notation"

/* "cosign", "sigstore-bundle" or "notation" (static); "?" for no format. */
const char *format_name(enum sig_format f);
/* The format called @name into @out; false when there is none (nothing
 * recorded: the command line and the policy each say so their way). */
bool format_by_name(enum sig_format *out, const char *name);
/* The names of the formats in @set, in enum order, joined by ", " (""
 * for none), truncated to @outsz. */
void format_list(char *out, size_t outsz, unsigned set);

/* ---- cosign simple-signing payload (simplesign.c) ----------------------- */

#define SIMPLESIGN_TYPE "cosign container image signature"

/* Build the payload cosign writes: critical identity/image/type, and
 * optional = null or the annotations. Appends to @out. */
int simplesign_build(struct buf *out, const char *docker_ref,
		     const struct digest *image, const struct kvlist *ann);

struct simplesign {
	json_t *doc;		/* owns everything below */
	const char *docker_ref;	/* as claimed */
	struct digest image;
	const json_t *optional;	/* object or NULL */
};

/* Strict parse: exactly the members containers/image accepts, the right
 * type string, a valid digest; optional is null or an object. Callers
 * verify the signature over the bytes first. */
int simplesign_parse(struct simplesign *out, const void *data, size_t len);
void simplesign_release(struct simplesign *p);

/* ---- Notary Project signatures, notation's (jws.c) ---------------------- */

#define JWS_MEDIA_TYPE "application/jose+json"
#define NOTARY_PAYLOAD_TYPE "application/vnd.cncf.notary.payload.v1+json"
/* The most envelope bytes we look at (notation's own limit). */
#define JWS_MAX (32 * 1024 * 1024)
/* The most certificates we accept in x5c. */
#define JWS_CERTS_MAX 10

enum jws_scheme {
	JWS_SCHEME_X509,		/* "notary.x509" */
	JWS_SCHEME_SIGNING_AUTHORITY,	/* "notary.x509.signingAuthority" */
};

/* A parsed envelope, JWS or COSE (cose_parse fills it too). Nothing in it
 * is trusted until the signature over signing_input verifies with the key
 * of certs[0] and the chain does. */
struct jws {
	json_t *doc;			/* the envelope; owns the strings */
	json_t *protected_header;	/* decoded "protected" object */
	struct buf signing_input;	/* ASCII protected "." payload */
	struct buf payload;		/* decoded payload bytes */
	struct buf signature;		/* decoded signature bytes */
	char alg[8];			/* "PS256" ... "ES512" */
	const char *cty;		/* NOTARY_PAYLOAD_TYPE (borrowed) */
	enum jws_scheme scheme;
	time_t signing_time;		/* signingTime, authenticSigningTime */
	bool has_expiry;
	time_t expiry;
	bool has_authentic_signing_time; /* then signing_time is that */
	const char *signing_agent;	/* unprotected, or NULL (borrowed) */
	struct buf timestamp;		/* RFC 3161 token, unverified; len 0
					   when absent */
	struct buf certs[JWS_CERTS_MAX]; /* x5c as DER, leaf first */
	size_t n_certs;			/* 1 ... JWS_CERTS_MAX */
};

/* Strict parse of a flattened JWS JSON envelope as notation writes it:
 * exactly payload, protected, header and signature; base64url without
 * padding; x5c standard base64; a protected header with alg (one of the
 * six Notary algorithms), cty, crit and the Notary members, where crit
 * lists only headers we understand and that are present. ERR_FORMAT with
 * the reason otherwise. Release @out with jws_release even on error. */
int jws_parse(struct jws *out, const void *data, size_t len);
void jws_release(struct jws *j);

/* ---- Notary Project signatures in COSE (cose.c) ------------------------- */

#define COSE_MEDIA_TYPE "application/cose"

/* Strict parse of a COSE_Sign1_Tagged envelope as notation writes it
 * (`notation sign --signature-format cose`) into the struct a JWS
 * envelope fills, so that one verifier judges both: alg by its JWS name,
 * the same signing scheme, times, crit and certificate rules, and
 * signing_input = the encoded Sig_structure ["Signature1", protected,
 * h'', payload]. Definite lengths only, no duplicate map keys, no
 * trailing bytes, no unprotected header but x5chain (label 33), the
 * signing agent and the timestamp. ERR_FORMAT with the reason otherwise.
 * Release @out with jws_release even on error. */
int cose_parse(struct jws *out, const void *data, size_t len);

/* Produce the raw signature over @data (for ES* fixed-width R||S) and
 * append it to @sig_raw. Returns 0 or an error code (message set). */
typedef int (*jws_sign_fn)(void *ctx, const void *data, size_t len,
			   struct buf *sig_raw);

/* Append a notary.x509 envelope to @out: protected header with @alg, cty,
 * crit, signingScheme, signingTime (and expiry unless @expiry is 0, then
 * it must be later than @signing_time), @payload, x5c from the DER @certs
 * (leaf first) and signingAgent "signet/<version>". @sign is called once
 * with the signing input. */
int jws_build(struct buf *out, const char *alg, const void *payload,
	      size_t len, const struct buf *certs, size_t n,
	      time_t signing_time, time_t expiry, jws_sign_fn sign, void *ctx);

/* rfc3339_parse and rfc3339_format (core.h), by their Notary names. */
int jws_time_parse(time_t *out, const char *s);
int jws_time_format(char out[32], time_t t);

/* ---- the Notary payload -------------------------------------------------- */

/* {"targetArtifact":{"mediaType","digest","size"(,"annotations")
 * (,"artifactType")}} */
struct notary_target {
	json_t *doc;			/* owns the strings below */
	const char *media_type;
	struct digest digest;
	uint64_t size;
	const json_t *annotations;	/* object of strings, or NULL */
	const char *artifact_type;	/* or NULL */
};

/* Strict: exactly targetArtifact, whose members are mediaType (non-empty
 * string), digest (sha256), size (integer >= 0) and optionally annotations
 * (object of strings) and artifactType (string). ERR_FORMAT otherwise.
 * Callers verify the envelope first. */
int notary_payload_parse(struct notary_target *out, const void *data,
			 size_t len);
void notary_target_release(struct notary_target *t);

/* Append the payload as notation writes it: compact, keys sorted,
 * annotations omitted when @annotations is NULL or empty. ERR_USAGE for a
 * duplicate annotation key or an empty media type. */
int notary_payload_build(struct buf *out, const char *media_type,
			 const struct digest *d, size_t size,
			 const struct kvlist *annotations);

/* ---- Rekor transparency log entries and checkpoints (rekor.c) ----------- */

#define REKOR_BODY_MAX (4 * 1024 * 1024)	/* canonicalized body */
#define REKOR_PROOF_MAX 64	/* hashes of an inclusion proof */
#define NOTE_MAX 65536		/* a checkpoint's signed note */
#define NOTE_SIGS_MAX 16	/* signature lines of one note */
#define ANN_COSIGN_BUNDLE "dev.sigstore.cosign/bundle"
#define ANN_COSIGN_CERT "dev.sigstore.cosign/certificate"
#define ANN_COSIGN_CHAIN "dev.sigstore.cosign/chain"

/* An RFC 6962 inclusion proof, as a Sigstore bundle carries it. */
struct rekor_proof {
	int64_t log_index;		/* the leaf's index in this tree */
	int64_t tree_size;
	unsigned char root[32];
	unsigned char hashes[REKOR_PROOF_MAX][32];
	size_t n_hashes;
	const char *checkpoint;		/* checkpoint.envelope (borrowed) */
};

/* One transparency log entry. Nothing in it is trusted until its SET or
 * its inclusion proof and checkpoint verify with a log's key (verify/
 * tlog.c). */
struct rekor_entry {
	json_t *doc;			/* owns the strings */
	int64_t log_index;
	struct buf log_id;		/* logId.keyId / logID, raw bytes */
	const char *kind, *version;	/* kindVersion; NULL from cosign's
					 * annotation */
	int64_t integrated_time;	/* 0 when absent (Rekor v2) */
	struct buf set;			/* signedEntryTimestamp; len 0 when
					 * the entry has none */
	struct buf body;		/* the canonicalized body's bytes */
	bool has_proof;
	struct rekor_proof proof;
};

/* Strict parse of a TransparencyLogEntry of a Sigstore bundle
 * (verificationMaterial.tlogEntries[i], protobuf-specs JSON: 64-bit
 * integers as a string or a number, null for an absent message): only
 * known members, canonicalizedBody and logId required, an inclusion
 * proof complete with its checkpoint. ERR_FORMAT naming the JSON path
 * ("tlog entry: .inclusionProof.rootHash: ..."). Takes a reference on
 * @tle. Release @out even on error. */
int rekor_entry_from_json(struct rekor_entry *out, json_t *tle);
/* The same from JSON bytes. */
int rekor_entry_parse(struct rekor_entry *out, const void *data,
		      size_t len);
/* Strict parse of cosign's ANN_COSIGN_BUNDLE annotation:
 * {"SignedEntryTimestamp": base64, "Payload": {"body": base64,
 * "integratedTime", "logIndex", "logID": 64 hex}}. No kind, no proof. */
int rekor_entry_parse_cosign(struct rekor_entry *out, const void *data,
			     size_t len);
void rekor_entry_release(struct rekor_entry *e);
/* Append the bytes a SET signs: the canonical JSON of {body (base64),
 * integratedTime, logID (hex), logIndex} of @e. */
int rekor_set_payload(struct buf *out, const struct rekor_entry *e);

/* ---- cosign 3: a Sigstore bundle (bundle.c) ------------------------------ */

/* A Sigstore bundle: cosign 3 writes v0.3 with a DSSE envelope around an
 * in-toto statement whose subject is the image; sign-blob and other
 * clients write v0.1 to v0.3, with a message signature or an envelope. */

#define MT_SIGSTORE_BUNDLE "application/vnd.dev.sigstore.bundle.v0.3+json"
#define MT_SIGSTORE_BUNDLE_V01 \
	"application/vnd.dev.sigstore.bundle+json;version=0.1"
#define MT_SIGSTORE_BUNDLE_V02 \
	"application/vnd.dev.sigstore.bundle+json;version=0.2"
#define DSSE_TYPE_INTOTO "application/vnd.in-toto+json"
#define INTOTO_STATEMENT_V1 "https://in-toto.io/Statement/v1"
#define COSIGN_SIGN_PREDICATE "https://sigstore.dev/cosign/sign/v1"

/* DSSE pre-authentication encoding: what is really signed. */
int dsse_pae(struct buf *out, const char *type, const void *body, size_t len);

/* Signs @len bytes at @data (here: the PAE) into @sig. */
typedef int (*bundle_sign_fn)(void *ctx, const void *data, size_t len,
			      struct buf *sig);

/* Build the bundle cosign writes for `cosign sign --key`: statement with
 * one subject (the image digest and @ann), predicate type cosign sign v1,
 * public key hint = base64(sha256(SPKI DER)) given as @key_hint. */
int bundle_build(struct buf *out, const struct digest *image,
		 const struct kvlist *ann, const char *key_hint,
		 bundle_sign_fn sign, void *ctx);

#define BUNDLE_CERTS_MAX 10	/* of an x509CertificateChain */
#define BUNDLE_TLOG_MAX 8	/* tlogEntries */
#define BUNDLE_TSA_MAX 8	/* rfc3161Timestamps */

struct bundle {
	json_t *doc;
	int minor;		/* bundle version 0.<minor>: 1, 2 or 3 */
	/* verificationMaterial: a key (n_certs 0) or certificates */
	const char *key_hint;	/* publicKey.hint (borrowed); may be NULL */
	struct buf certs[BUNDLE_CERTS_MAX];	/* DER, the leaf first */
	size_t n_certs;
	struct rekor_entry tlog[BUNDLE_TLOG_MAX];	/* unverified */
	size_t n_tlog;
	struct buf tsa[BUNDLE_TSA_MAX];	/* RFC 3161 signedTimestamp DER */
	size_t n_tsa;
	/* content: a DSSE envelope, or a message signature */
	bool dsse;
	const char *payload_type;	/* DSSE: always DSSE_TYPE_INTOTO */
	struct buf pae;		/* DSSE: the signed bytes */
	struct buf sig;		/* the one signature */
	struct buf statement;	/* DSSE: the payload, decoded */
	const char *md;		/* message: "sha256", "sha384", "sha512" */
	unsigned char digest[64];	/* message: the artifact's digest */
	size_t digest_len;
};

/* Strict parse of a Sigstore bundle v0.1, v0.2 or v0.3 (an unknown media
 * type is refused naming it): verificationMaterial with exactly one of
 * publicKey, x509CertificateChain, certificate; tlogEntries
 * (rekor_entry_from_json) and RFC 3161 timestamps; exactly one of a DSSE
 * envelope (one signature, an in-toto payload) and a messageSignature.
 * Unknown members and duplicate keys are refused; JSON null is an absent
 * member, as protobuf JSON writes it. ERR_FORMAT "sigstore bundle: JP:
 * ..." otherwise. Nothing is verified; the statement is not parsed:
 * callers check the signature first. Release @out even on error. */
int bundle_parse(struct bundle *out, const void *data, size_t len);
void bundle_release(struct bundle *b);

struct statement {
	json_t *doc;
	struct digest subject;		/* the one subject's sha256 */
	const json_t *annotations;	/* object or NULL */
};

/* Parse a cosign sign statement: _type Statement v1, exactly one subject
 * with a sha256 digest, predicateType cosign sign v1. */
int statement_parse(struct statement *out, const void *data, size_t len);
void statement_release(struct statement *s);

/* 1 when a subject of the in-toto statement @data (Statement v0.1 or
 * v1) has the digest @hex (lower-case hex) under @alg ("sha256",
 * "sha512"), 0 when none has; ERR_FORMAT when @data is no statement with
 * a subject array. */
int statement_has_subject(const void *data, size_t len, const char *alg,
			  const char *hex);

/* The predicate type of the in-toto statement @data into @out
 * (sanitised); false when @data is no statement with one. Unverified:
 * only for telling an attestation from a signature. */
bool statement_predicate_type(char *out, size_t outsz, const void *data,
			      size_t len);

/* ---- what else is attached to an image (attach.c) ------------------------ */

/* cosign 3 annotates each bundle referrer with the predicate type of its
 * statement: COSIGN_SIGN_PREDICATE for a signature, anything else for an
 * attestation (cosign attest). */
#define ANN_BUNDLE_PREDICATE "dev.sigstore.bundle.predicateType"

enum attach_kind {
	ATTACH_UNKNOWN,			/* may be a signature: look at it */
	ATTACH_ATTESTATION,		/* an in-toto attestation */
	ATTACH_SBOM,			/* SPDX, CycloneDX, syft */
	ATTACH_OTHER,			/* any other artifact */
};

/* "signature" (ATTACH_UNKNOWN), "attestation", "sbom", "artifact". */
const char *attach_kind_name(enum attach_kind k);

/* What a referrer is, from its @artifact_type (may be NULL) and
 * @annotations (object or NULL) as the referrers index or its manifest
 * give them: an attestation when a bundle's predicate type annotation is
 * not cosign's signature predicate, or the type is in-toto's or DSSE's;
 * an SBOM or another artifact by its type; ATTACH_UNKNOWN when it may be
 * a signature in one of our formats (no type, the empty config's, ours).
 * @type gets the predicate type or the artifact type, sanitised. Pure. */
enum attach_kind attach_classify(const char *artifact_type,
				 const json_t *annotations, char *type,
				 size_t typesz);
/* The same for a layer of cosign's .att or .sbom tag manifest: an
 * attestation by its "predicateType" annotation or media type, an SBOM
 * by its media type; never ATTACH_UNKNOWN. */
enum attach_kind attach_classify_layer(const char *media_type,
				       const json_t *annotations, char *type,
				       size_t typesz);

/* ---- the referrer manifest (referrer.c) --------------------------------- */

/* A signature stored beside an image, not in it (OCI 1.1): an image
 * manifest whose subject is the image and whose one layer is the
 * signature blob. FORMAT_BUNDLE and FORMAT_NOTATION travel this way. */

/* The config of such a manifest: OCI's empty JSON, pushed as a blob. */
#define OCI_EMPTY_JSON "{}"

/* An OCI descriptor: what a manifest says of the bytes it names. */
struct oci_desc {
	const char *media_type;		/* borrowed */
	struct digest digest;
	size_t size;
};

/* The artifact type a referrer in format @f is listed under in the
 * referrers index (static), or NULL for FORMAT_COSIGN. */
const char *referrer_artifact_type(enum sig_format f);

/* The formats (FORMAT_BIT() set) a referrer listed under @artifact_type
 * may be in: ours by its artifact type; either, when the type is missing
 * or the empty config's (some registries list that; the manifest itself
 * says); none for any other artifact. */
unsigned referrer_formats(const char *artifact_type);

/* What a signature referrer is made of. */
struct referrer_spec {
	enum sig_format format;		/* FORMAT_BUNDLE or FORMAT_NOTATION */
	struct oci_desc subject;	/* the signed manifest */
	struct digest blob;		/* the bundle or the JWS envelope */
	size_t blob_size;
	time_t created;			/* org.opencontainers.image.created */
	const char (*thumbprints)[65];	/* FORMAT_NOTATION: each chain
					 * certificate's SHA-256, in hex,
					 * leaf first */
	size_t n_thumbprints;
};

/* Append the manifest that makes @spec's blob a referrer of its subject,
 * byte for byte as the format's own tool writes it: cosign 3's (artifact
 * type, OCI_EMPTY_JSON config) for a bundle; for notation, the form every
 * released notation reads (the config's media type names the signature).
 * @annotations gets the manifest's annotations (new reference), which
 * the referrers tag index repeats. ERR_USAGE for another format. */
int referrer_manifest_build(struct buf *out, json_t **annotations,
			    const struct referrer_spec *spec);

/* A referrer manifest as parsed; nothing in it is checked until
 * referrer_manifest_layer says so. */
struct referrer_manifest {
	json_t *doc;			/* owns the strings below */
	const char *artifact_type;	/* or NULL */
	const char *config_type;	/* the config's media type, or NULL */
	struct oci_desc layer;		/* the signature blob: set by
					 * referrer_manifest_layer */
};

/* JSON only (duplicate keys rejected); @what names the document in the
 * error. Release @out with referrer_manifest_release even on error. */
int referrer_manifest_parse(struct referrer_manifest *out, const void *data,
			    size_t len, const char *what);
void referrer_manifest_release(struct referrer_manifest *m);

/* Is @m a signature in format @f? A bundle when the manifest's artifact
 * type says so or the index listed it as one (@listed: its artifact type
 * there, or NULL); a Notary signature only when the manifest says so, by
 * artifact type or by config media type (notation reads either form). */
bool referrer_manifest_claims(const struct referrer_manifest *m,
			      enum sig_format f, const char *listed);

/* Check that @m is an OCI image manifest whose subject is @subject and
 * whose one layer is a signature blob of format @f (a valid digest, a
 * size; for notation a JWS or COSE envelope, by its media type, of at
 * most JWS_MAX bytes), and set m->layer. ERR_FORMAT saying what is wrong
 * otherwise. */
int referrer_manifest_layer(struct referrer_manifest *m, enum sig_format f,
			    const struct digest *subject);

/* ---- Sigstore trusted root (trustedroot.c) ------------------------------ */

#define MT_TRUSTED_ROOT \
	"application/vnd.dev.sigstore.trustedroot+json;version=0.1"
/* The most bytes of a trusted root we read, entries of one list we
 * accept, and certificates of one chain. */
#define TRUSTEDROOT_MAX (4 * 1024 * 1024)
#define TR_ITEMS_MAX 64
#define TR_CHAIN_MAX 10

/* The key kinds a trusted root names in keyDetails that signet accepts. */
enum tr_key_kind {
	TR_KEY_ECDSA_P256,	/* PKIX_ECDSA_P256_SHA_256 */
	TR_KEY_ECDSA_P384,	/* PKIX_ECDSA_P384_SHA_384 */
	TR_KEY_ECDSA_P521,	/* PKIX_ECDSA_P521_SHA_512 */
	TR_KEY_ED25519,		/* PKIX_ED25519 */
	TR_KEY_RSA_PKCS1,	/* PKIX_RSA_PKCS1V15_{2048,3072,4096}_SHA256 */
	TR_KEY_RSA_PKCS1_RAW,	/* PKCS1_RSA_PKCS1V5 (deprecated, still in
				 * the staging root): rawBytes is a PKCS#1
				 * RSAPublicKey, not an SPKI */
};

/* A validity window: from start on, up to and including end when
 * has_end (an open end otherwise). */
struct tr_window {
	time_t start;
	time_t end;
	bool has_end;
};

/* A transparency log or a certificate transparency log. */
struct tr_log {
	const char *base_url;		/* borrowed from doc; may be NULL */
	enum tr_key_kind kind;
	struct buf spki;		/* DER SubjectPublicKeyInfo (PKCS#1
					 * for TR_KEY_RSA_PKCS1_RAW) */
	struct tr_window valid;		/* publicKey.validFor */
	struct buf log_id;		/* logId.keyId, 1 to 64 bytes */
};

/* A certificate authority (Fulcio) or a timestamp authority. */
struct tr_ca {
	const char *uri;		/* borrowed; may be NULL */
	struct buf certs[TR_CHAIN_MAX];	/* DER, as listed (leaf first) */
	size_t n_certs;			/* 1 ... TR_CHAIN_MAX */
	struct tr_window valid;		/* validFor */
};

struct trustedroot {
	json_t *doc;			/* owns the strings above */
	struct tr_log *tlogs, *ctlogs;
	size_t n_tlogs, n_ctlogs;
	struct tr_ca *cas, *tsas;	/* certificateAuthorities,
					 * timestampAuthorities */
	size_t n_cas, n_tsas;
};

/* Strict parse of a Sigstore trusted root (MT_TRUSTED_ROOT): every
 * member known (protobuf-specs' TrustedRoot), duplicate keys refused,
 * base64 and RFC 3339 times strict, hashAlgorithm SHA2_256, a key kind
 * of enum tr_key_kind, validFor.start present, end not before start.
 * Each problem is reported to @r (NULL: none but the first) with its
 * JSON path (".tlogs[0].publicKey.validFor.start: ..."); the first one
 * is also the recorded message, returned as ERR_FORMAT. No X.509 or key
 * parsing here (keys/ does that). Release @out even on error. */
int trustedroot_parse(struct trustedroot *out, struct jp_reader *r,
		      const void *data, size_t len);
void trustedroot_release(struct trustedroot *t);
/* Is @t within @w? */
bool tr_window_has(const struct tr_window *w, time_t t);

/* ---- checkpoints in signed notes (checkpoint.c) ----------------------- */

/* One signature line of a signed note: "— NAME BASE64(hint || sig)". */
struct note_sig {
	char name[128];
	unsigned char hint[4];		/* key hint, big-endian as written */
	struct buf sig;
};

/* A checkpoint (C2SP tlog-checkpoint) in a signed note (C2SP
 * signed-note). */
struct checkpoint {
	struct buf text;		/* the signed text, through its last
					 * newline (what signatures cover) */
	char origin[256];		/* first line */
	int64_t tree_size;		/* second line */
	unsigned char root[32];		/* third line, base64 */
	struct note_sig sigs[NOTE_SIGS_MAX];
	size_t n_sigs;			/* 1 ... NOTE_SIGS_MAX */
};

/* Strict parse of a signed note holding a checkpoint: the text (no
 * control characters but newlines), one blank line, then one or more
 * signature lines, each ending in a newline. ERR_FORMAT saying which
 * line is wrong. Release @out even on error. */
int checkpoint_parse(struct checkpoint *out, const void *data, size_t len);
void checkpoint_release(struct checkpoint *c);

/* ---- the body of a hashedrekord log entry (hashedrekord.c) -------------- */

/* What a hashedrekord entry (v0.0.1, Rekor v1; v0.0.2, Rekor v2) says
 * was signed: a digest, the signature, and the key or certificate that
 * verifies it. A verifier compares these with the signature it holds;
 * nothing here is checked against anything. */
struct hashedrekord {
	json_t *doc;			/* owns the strings */
	const char *version;		/* "0.0.1" or "0.0.2" (borrowed) */
	const char *md;			/* "sha256", "sha384" or "sha512" */
	unsigned char digest[64];
	size_t digest_len;		/* 32, 48 or 64 */
	struct buf sig;			/* the signature bytes */
	struct buf verifier;		/* v0.0.1: the PEM (certificate or
					 * public key); v0.0.2: the DER */
	bool verifier_is_cert;		/* a certificate, not a bare key */
};

/* Strict parse of a hashedrekord canonicalized body (apiVersion, kind,
 * spec, each with exactly the members of its schema). ERR_FORMAT naming
 * the JSON path ("rekor body: .spec.data.hash.value: ...") otherwise, or
 * when the body is another kind. Release @out even on error. */
int hashedrekord_parse(struct hashedrekord *out, const void *data,
		       size_t len);
void hashedrekord_release(struct hashedrekord *h);

/* ---- the body of a dsse or intoto log entry (dssebody.c) -------------- */

#define LOGGED_SIGS_MAX 8

/* What a "dsse" (v0.0.1, v0.0.2) or "intoto" (v0.0.1, v0.0.2) entry says
 * was logged: the SHA-256 of the envelope's payload, and its signatures
 * with the key or certificate of each (intoto v0.0.1 logs the key only:
 * sigs_unlogged). Nothing here is checked against anything. */
struct logged_envelope {
	json_t *doc;			/* owns the strings */
	const char *kind, *version;	/* "dsse" / "intoto"; "0.0.1" ... */
	const char *payload_type;	/* intoto v0.0.2, else NULL */
	bool has_payload_hash;		/* always after a parse */
	unsigned char payload_hash[32];	/* SHA-256 of the payload */
	size_t n_sigs;
	bool sigs_unlogged;		/* sig[] empty: only verifier[0] */
	struct buf sig[LOGGED_SIGS_MAX];	/* signature bytes */
	struct buf verifier[LOGGED_SIGS_MAX];	/* PEM (v0.0.1, intoto
					 * v0.0.2) or DER (dsse v0.0.2) */
	bool verifier_is_cert[LOGGED_SIGS_MAX];
};

/* Strict parse of a dsse or intoto canonicalized body, each object with
 * exactly the members of its schema. ERR_FORMAT "rekor body: JP: ..."
 * otherwise. Release @out even on error. */
int logged_envelope_parse(struct logged_envelope *out, const void *data,
			  size_t len);
void logged_envelope_release(struct logged_envelope *e);

#endif
