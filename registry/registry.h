/*
 * registry.h - OCI distribution client. The only code that includes
 * libcurl. Every manifest and blob is checked against its digest before it
 * is handed out; bodies are capped; JSON is parsed strictly by callers.
 */
#ifndef SIGNET_REGISTRY_H
#define SIGNET_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>

#include "../core/core.h"
#include "../formats/formats.h"	/* the media types (MT_*) */

/* ---- image references (docker's rules) --------------------------------- */

#define REF_HOST_MAX 256
#define REF_REPO_MAX 256
#define REF_TAG_MAX 129

struct image_ref {
	char registry[REF_HOST_MAX];	/* "docker.io", "127.0.0.1:5000" */
	char repository[REF_REPO_MAX];	/* "library/ubuntu" */
	char tag[REF_TAG_MAX];		/* "" when none given */
	struct digest digest;		/* str[0] == 0 when none given */
};

/* Parse like docker: "ubuntu" -> docker.io/library/ubuntu:latest (tag
 * "latest" only when no digest), "host:port/a/b:tag", "...@sha256:...".
 * ERR_USAGE with a message saying what is wrong. */
int ref_parse(struct image_ref *out, const char *s);
bool ref_has_digest(const struct image_ref *r);
/* "registry/repository" */
int ref_format_repo(char *out, size_t outsz, const struct image_ref *r);
/* "registry/repository@sha256:..." for digest @d */
int ref_format_pinned(char *out, size_t outsz, const struct image_ref *r,
		      const struct digest *d);
/* Normalise "index.docker.io/x", "docker.io/x" (adds library/) and tags off
 * a docker-reference claim for comparison with ref_format_repo(). */
int ref_normalize_repo(char *out, size_t outsz, const char *claim);
/* The one spelling of registry host @host ("HOST[:PORT]") into @out (may
 * be @host itself): lower case, the port without leading zeros and
 * dropped when 443, an IPv6 address as inet_ntop writes it, Docker Hub's
 * aliases (index.docker.io, registry-1.docker.io) as "docker.io".
 * ref_parse writes every registry this way. A scope pattern's host part
 * may go through it too: wildcards are left as they are. ERR_FORMAT when
 * @host does not fit. */
int ref_canonical_host(char *out, size_t outsz, const char *host);
/* The host the registry API of @registry (canonical) answers on:
 * "registry-1.docker.io" for "docker.io", else @registry. Borrowed. */
const char *ref_endpoint(const char *registry);

/* ---- client ----------------------------------------------------------- */

#define MANIFEST_MAX (4u << 20)
#define SIGBLOB_MAX (32u << 20)

struct registry_opts {
	const char *const *insecure;	/* HOST[:PORT] allowed over HTTP */
	size_t n_insecure;
	const char *ca_file;		/* extra CA bundle, or NULL */
	long connect_timeout;		/* seconds; 0: 10 */
	long timeout;			/* seconds per request; 0: 120 */
	long deadline;			/* seconds for everything the client
					 * does, retries, backoff and settle
					 * waits included, counted from
					 * registry_new; 0: the longer of
					 * REGISTRY_DEADLINE and timeout,
					 * negative: none */
	int retries;			/* on transient failures; 0: 4,
					 * negative: none */
	const char *layout;		/* answer from this OCI image layout
					 * folder, not the network: reads
					 * only (see registry_save_layout) */
};

#define REGISTRY_DEADLINE 600
/* What verify, list and run give one image when no --deadline is given
 * (or the --timeout, when longer): a deploy gate does not hang on a sick
 * registry. */
#define REGISTRY_IMAGE_DEADLINE 60

struct registry;

/* libcurl's global set-up, once per process (registry_new does it):
 * call it before threads start. ERR_NET when libcurl cannot start. */
int registry_global_init(void);

/* GET @path ("/images/NAME/json") from the Docker engine listening on
 * the Unix socket @socket: the body into @out (its cap applies), the
 * HTTP status into @status. @path must be made of the characters of
 * image and container names only (ERR_USAGE). ERR_NET when the engine
 * cannot be reached within @timeout seconds (0: 30). */
int registry_engine_get(struct buf *out, long *status, const char *socket,
			const char *path, long timeout);

/* One client per process: one curl handle, connections reused. New. */
int registry_new(struct registry **out, const struct registry_opts *opts);
void registry_free(struct registry *reg);
/* Count the deadline from now on, as for a new client: the next image's
 * own REGISTRY_IMAGE_DEADLINE. */
void registry_deadline_restart(struct registry *reg);
/* Number of HTTP requests sent so far (token fetches included). */
unsigned long registry_request_count(const struct registry *reg);

struct manifest {
	struct buf body;		/* exact bytes as served */
	char media_type[128];		/* from the body or Content-Type */
	struct digest digest;		/* computed from body */
};

void manifest_release(struct manifest *m);

/* GET a manifest by tag or digest (@reference). When @reference is a
 * digest the body must hash to it (ERR_INTEGRITY). ERR_NOTFOUND on 404. */
int registry_get_manifest(struct registry *reg, const struct image_ref *repo,
			  const char *reference, struct manifest *out);
/* PUT a manifest under a tag or its digest. @subject_seen is set when the
 * registry answered with an OCI-Subject header (may be NULL). */
int registry_put_manifest(struct registry *reg, const struct image_ref *repo,
			  const char *reference, const char *media_type,
			  const void *body, size_t len, bool *subject_seen);
/* GET a blob, capped at @max bytes, verified against @d. */
int registry_get_blob(struct registry *reg, const struct image_ref *repo,
		      const struct digest *d, size_t max, struct buf *out);
/* Upload a blob unless the registry has it; @out_digest may be NULL. */
int registry_put_blob(struct registry *reg, const struct image_ref *repo,
		      const void *data, size_t len, struct digest *out_digest);

/* Tag list and catalog, following Link pagination. The callback returns 0
 * to go on, anything else stops the walk and is returned. */
typedef int (*registry_name_cb)(void *ctx, const char *name);
int registry_list_tags(struct registry *reg, const struct image_ref *repo,
		       registry_name_cb cb, void *ctx);
int registry_catalog(struct registry *reg, const char *registry_host,
		     registry_name_cb cb, void *ctx);

/* ---- asking ahead ------------------------------------------------------- */

#define PREFETCH_MANIFEST 1u	/* the manifest of @d itself */
#define PREFETCH_SIG 2u		/* its cosign .sig manifest */
#define PREFETCH_REFERRERS 4u	/* its referrers (the API) */

/* Send the lookups of image @d of @repo that @what names all at once,
 * when the first of them is asked for (registry_get_manifest,
 * sigs_get, registry_get_referrers): one round trip instead of one
 * each. Name only lookups the caller will certainly make next, or they
 * are requests for nothing. Each answer is judged as if it had been
 * fetched when asked for, and no check changes; an answer is used once,
 * and dropped when the next image's batch begins, when a request writes,
 * or at registry_deadline_restart. Nothing is prefetched for a
 * repository registry_set_known describes. Failure is ERR_NOMEM or
 * ERR_NET (no curl handle); nothing has been sent then. */
int registry_prefetch(struct registry *reg, const struct image_ref *repo,
		      const struct digest *d, unsigned what);

/* ---- what a caller knows already (audit) -------------------------------- */

/* The referrers API of a registry, as its answers showed it. */
enum referrers_api {
	REFERRERS_API_UNKNOWN,
	REFERRERS_API_ABSENT,		/* it answered 404 first */
	REFERRERS_API_PRESENT,		/* it answered 200 once */
};

/* What a caller learnt from the registry itself that answers some
 * lookups before they are sent: audit lists every tag of a repository
 * before it verifies the images in it. It is registry data, like the
 * answers it stands for, so it may only ever answer "not there" (what
 * the registry could have said itself), never supply content. */
struct registry_known {
	const char *registry;		/* canonical host */
	const char *repository;
	/* Is signature tag @tag ("sha256-<hex>.sig" or "sha256-<hex>")
	 * known to be absent from the repository? NULL: nothing known. */
	bool (*tag_absent)(void *ctx, const char *tag);
	void *ctx;
	/* The registry's referrers API, shared by the clients of one audit
	 * (read and written atomically; enum referrers_api), or NULL. Once
	 * ABSENT, the tag schema is read without asking the API; a 404
	 * after a 200 changes nothing. */
	int *referrers_api;
};

/* Use @k (borrowed; NULL: nothing known) for the lookups that follow,
 * in its repository only. */
void registry_set_known(struct registry *reg, const struct registry_known *k);

/* ---- an image's signatures in an OCI image layout (save.c, layout.c) --- */

struct save_result {
	char pinned[REF_HOST_MAX + REF_REPO_MAX + DIGEST_STR_MAX + 2];
	size_t n_manifests;		/* signature manifests saved: .sig,
					 * referrers */
	size_t n_blobs;			/* files written under blobs/ */
	size_t n_missing;		/* manifests or blobs they name that
					 * the registry lacks */
};

/* Save into folder @dir (new, empty, or an earlier save of the same
 * @image: ERR_USAGE otherwise) what verifying @image reads: its manifest,
 * its .sig manifest and referrers, each with the blobs it names, as an
 * OCI image layout whose index.json records the image's name. A layout
 * is read back through registry_opts.layout. */
int registry_save_layout(struct registry *reg, const char *image,
			 const char *dir, struct save_result *out);
/* The image the layout @dir says it holds, as saved ("reg/repo:tag").
 * ERR_USAGE when it names none or several. */
int registry_layout_name(char *out, size_t outsz, const char *dir);

/* ---- where signatures live (cosign's tag scheme) ------------------------ */

#define MT_SIMPLESIGNING "application/vnd.dev.cosign.simplesigning.v1+json"
#define ANN_COSIGN_SIGNATURE "dev.cosignproject.cosign/signature"

/* "sha256-<hex>.sig" for the image digest. */
void sigtag_for(char out[80], const struct digest *d);

struct sig_layer {
	struct digest digest;		/* the payload blob */
	size_t size;
	const char *media_type;		/* borrowed from the manifest */
	const json_t *annotations;	/* borrowed; object or NULL */
};

struct sig_manifest {
	struct manifest raw;
	json_t *doc;
	struct sig_layer *layers;
	size_t n_layers;
};

/* Fetch and strictly parse the .sig manifest of @image. ERR_NOTFOUND when
 * the image has none. */
int sigs_get(struct registry *reg, const struct image_ref *repo,
	     const struct digest *image, struct sig_manifest *out);
void sig_manifest_release(struct sig_manifest *m);

/* Fetch a layer's payload (capped at SIGBLOB_MAX, digest-checked). */
int sigs_get_payload(struct registry *reg, const struct image_ref *repo,
		     const struct sig_layer *layer, struct buf *out);

/* Says whether an existing signature (base64) over the same payload was
 * made by the signer at hand, so signing twice adds nothing. */
typedef bool (*sigs_same_signer_fn)(void *ctx, const char *sig_b64);

/* Add one simple-signing signature to the .sig manifest of @image, keeping
 * every signature already there. @added is false when a layer with the
 * same payload was already signed by the same signer (@same may be NULL:
 * then only a byte-identical signature counts as present). */
int sigs_append(struct registry *reg, const struct image_ref *repo,
		const struct digest *image, const void *payload, size_t len,
		const char *sig_b64, sigs_same_signer_fn same, void *ctx,
		bool *added);

/* ---- OCI 1.1 referrers: the API, else the referrers tag schema ---------- */

struct referrer {
	struct digest digest;		/* the referring manifest */
	size_t size;
	const char *media_type;		/* borrowed */
	const char *artifact_type;	/* borrowed; may be NULL */
	const json_t *annotations;	/* borrowed; object or NULL */
};

struct referrers {
	json_t *doc;
	struct referrer *items;
	size_t n;
	bool via_api;			/* from /referrers/, not the tag */
	char warning[1024];		/* "" or why the sha256-<hex> tag was
					 * ignored (then n == 0) */
};

/* The manifests whose subject is @subject: GET /v2/<repo>/referrers/<d>;
 * on 404 the image index tagged sha256-<hex> (the tag schema). None at
 * all is not an error (n == 0). A tag that holds no image index, or a
 * malformed one, is not either: out->warning says so (sanitised) and n is
 * 0; a malformed answer of the API is ERR_FORMAT. When @artifact_type is non-NULL, entries
 * of another artifact type are dropped; entries without one, or with the
 * empty config's, are kept: callers check the manifest itself. */
int registry_get_referrers(struct registry *reg, const struct image_ref *repo,
			   const struct digest *subject,
			   const char *artifact_type, struct referrers *out);
void referrers_release(struct referrers *r);

/* Push @manifest (which names @subject) by its digest. When the registry
 * does not answer with OCI-Subject, also add it to the sha256-<hex> tag
 * index, keeping every entry already there. */
int registry_put_referrer(struct registry *reg, const struct image_ref *repo,
			  const struct digest *subject, const char *media_type,
			  const void *manifest, size_t len,
			  const char *artifact_type, const json_t *annotations,
			  struct digest *out);

/* The version of the libcurl this process runs with ("7.88.1"). */
const char *registry_curl_version(void);

#endif
