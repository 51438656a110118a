/* internal.h - shared between the files of registry/ only. */
#ifndef SIGNET_REGISTRY_INTERNAL_H
#define SIGNET_REGISTRY_INTERNAL_H

#include "registry.h"

struct http_req {
	const char *method;		/* GET HEAD PUT POST PATCH DELETE */
	const char *host;		/* registry host[:port] */
	const char *path;		/* "/v2/..." with query */
	const char *repo;		/* for the auth scope */
	bool catalog;			/* needs registry:catalog:* scope */
	const char *const *headers;	/* NULL-terminated, or NULL */
	const void *body;
	size_t body_len;
	const char *what;		/* names the object in errors */
	bool follow;			/* follow redirects (GET/HEAD) */
	bool ok_404;			/* 404 is an answer, not an error */
	bool idempotent;		/* a PUT that may be sent again: see
					 * may_repeat() in http.c */
};

/* The Accept headers of a manifest GET (ops.c) and of a referrers API
 * GET (referrers.c), NULL-terminated. */
extern const char *const registry_manifest_accept[];
extern const char *const registry_index_accept[];
/* A tag as the distribution spec allows it, or a digest. Registry-
 * supplied tag names pass through here before they reach a URL. ops.c. */
bool registry_reference_ok(const char *s);

struct http_resp {
	long status;
	struct buf body;
	char content_type[128];
	char location[2048];
	char www_auth[1024];
	char link[1024];
	char retry_after[32];
	bool oci_subject;
};

void http_resp_init(struct http_resp *r, size_t max);
void http_resp_release(struct http_resp *r);
/* Send @req with auth, redirects and scheme handling. Non-2xx statuses
 * become errors (ERR_NOTFOUND for 404 unless ok_404, ERR_AUTH for
 * 401/403, ERR_NET otherwise). */
int http_do(struct registry *reg, const struct http_req *req,
	    struct http_resp *resp);

/* The prefetch batch (see http.c): begin one (dropping the last), then
 * add the GET requests whose answers the caller will certainly ask for
 * next; the first of them sent carries the others along, and each
 * answer is kept for the same request once. A request that cannot be
 * added (a full batch, an offline layout) is left out: 0 all the same.
 * @req->headers must have static storage. */
void http_prefetch_begin(struct registry *reg);
int http_prefetch_add(struct registry *reg, const struct http_req *req,
		      size_t max);

/* Whether the last exchange failed in a way worth another try: the
 * connection broke or timed out, or the registry answered 429 or 5xx.
 * False once the deadline has passed. */
bool http_transient(const struct registry *reg);
/* Whether that failure was a timeout: the request's own limit, or an
 * answer that did not begin, stopped, or came too slowly. Such a request
 * is sent again once at most. */
bool http_timed_out(const struct registry *reg);
/* Tries after the first that a failed request gets (registry_opts). */
int http_retries(const struct registry *reg);
/* Milliseconds to wait before try @attempt + 1 (@attempt >= 1): the
 * Retry-After of the last 429 or 503 answer (capped at 30 s), else capped
 * exponential backoff with full jitter. */
long http_backoff(const struct registry *reg, int attempt);
/* Sleep @ms, unless waking up would leave no time before the command's
 * deadline: then fail at once with ERR_NET, "@why; gave up after N s
 * ...". Every wait in registry/ goes through here. */
int http_pause(struct registry *reg, long ms, const char *why);

/* The routes of SIGNET_TEST_CONNECT_TO (tests only; testroute.c) for
 * CURLOPT_CONNECT_TO, new, or NULL when unset or SIGNET_DEBUG is off.
 * ERR_USAGE when malformed or leading off loopback. */
struct curl_slist;
int http_test_routes(struct curl_slist **out);

/* What the caller of @reg knows of @repo (registry_set_known), or NULL
 * when nothing. Borrowed. */
const struct registry_known *http_known(const struct registry *reg,
					const struct image_ref *repo);
/* Is signature tag @tag of @repo known to be absent? Then a lookup
 * answers ERR_NOTFOUND without a request. ops.c. */
bool registry_tag_known_absent(struct registry *reg,
			       const struct image_ref *repo, const char *tag);

/* Credentials from docker's config for one registry host. */
struct cred {
	char *basic;		/* base64("user:pass"), wiped on release */
};

/* Look up @host in $DOCKER_CONFIG/config.json or ~/.docker/config.json:
 * its credHelpers helper, else credsStore, else auths. A helper gets at
 * most @limit_ms (and never over 30 s). Absent config or entry: 0 with
 * cred->basic NULL. */
int cred_lookup(struct cred *cred, const char *host, long limit_ms);
void cred_release(struct cred *cred);

/* Given the tag's current manifest (@cur NULL when the tag is absent):
 * set @present when our entry is already in it, else return in @body a
 * new manifest (malloc'd string) holding everything in @cur plus ours. */
typedef int (*merge_fn)(void *ctx, const struct manifest *cur, char **body,
			bool *present);

/* Add an entry to @tag under concurrent writers; see merge.c for the
 * protocol. @added is false when the entry was there already. */
int registry_tag_merge(struct registry *reg, const struct image_ref *repo,
		       const char *tag, const char *media_type,
		       merge_fn merge, void *ctx, bool *added);

/* An OCI image layout answering in place of a registry (layout.c):
 * registry_new opens it when registry_opts.layout is set, and http_do
 * hands every request to layout_do. save.c writes one. */
struct layout;

/* index.json: an entry's tag, and the image it came from (as docker save) */
#define ANN_REF_NAME "org.opencontainers.image.ref.name"
#define ANN_IMAGE_NAME "io.containerd.image.name"
#define PATH_MAX_LEN 4096

int layout_open(struct layout **out, const char *dir);
void layout_free(struct layout *l);
int layout_do(const struct layout *l, const struct http_req *req,
	      struct http_resp *resp);
/* Whether an entry of the layout's index.json records image @name. */
bool layout_names_image(const struct layout *l, const char *name);

/* ---- parsers of registry-supplied text (pure; fuzzed in tests/fuzz) ----- */

/* Find param @name (case-insensitive) of a WWW-Authenticate challenge like
 * 'Bearer realm="x",service="y"' and copy its value, unquoted, into @out
 * (NUL-terminated). false when absent, malformed, or longer than @outsz - 1
 * bytes; @out means nothing then. http.c. */
bool http_challenge_param(const char *challenge, const char *name, char *out,
			  size_t outsz);

/* Fill m->layers from the .sig manifest already parsed into m->doc: every
 * layer needs a mediaType, a sha256 digest and a size. ERR_FORMAT naming
 * @what otherwise; sig_manifest_release either way. sigs.c. */
int sigs_parse_layers(struct sig_manifest *m, const char *what);

/* Fill out->items from the image index already parsed into out->doc,
 * dropping entries of another artifact type than @artifact_type (when
 * not NULL; see registry_get_referrers). ERR_FORMAT naming @what
 * otherwise; referrers_release either way. referrers.c. */
int referrers_parse_index(struct referrers *out, const char *artifact_type,
			  const char *what);

#endif
