/*
 * decide.c - what the gate allows. An image runs when the daemon's own
 * record of it (GET /images/NAME/json: its RepoDigests) holds a registry
 * manifest digest of the repository it is run as, and that digest
 * verifies under the trust policy. Verdicts are remembered per digest for
 * cache_ttl seconds; one verification runs at a time per digest, the
 * other requests for it wait for its verdict. Denials because something
 * could not be checked are never remembered.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gate.h"

#define ENGINE_BODY_MAX (4u << 20)
#define REPO_DIGESTS_MAX 32

struct gate_cache_entry {
	bool used;
	bool pending;			/* being verified */
	char key[GATE_NAME_MAX];	/* "registry/repository@sha256:..." */
	time_t at;
	bool allow;
	char reason[sizeof(((struct gate_verdict *)0)->reason)];
};

int gate_init(struct gate *g, const struct policy *policy,
	      const struct registry_opts *ropts, const char *engine_socket,
	      long cache_ttl)
{
	memset(g, 0, sizeof(*g));
	g->policy = policy;
	g->ropts = *ropts;
	g->engine_socket = engine_socket;
	g->cache_ttl = cache_ttl;
	g->n_cache = GATE_CACHE_MAX;
	if (!(g->cache = calloc(g->n_cache, sizeof(*g->cache))))
		return err_set(ERR_NOMEM, "out of memory");
	pthread_mutex_init(&g->lock, NULL);
	pthread_cond_init(&g->done, NULL);
	/* libcurl starts before the threads that use it */
	return registry_global_init();
}

void gate_release(struct gate *g)
{
	if (!g->cache)
		return;
	free(g->cache);
	g->cache = NULL;
	pthread_mutex_destroy(&g->lock);
	pthread_cond_destroy(&g->done);
}

static void say(struct gate_verdict *out, bool allow, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void say(struct gate_verdict *out, bool allow, const char *fmt, ...)
{
	char tmp[sizeof(out->reason)];
	va_list ap;

	out->allow = allow;
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	str_sanitize(out->reason, sizeof(out->reason), tmp);
}

/* ---- one verification ---------------------------------------------------- */

/* Verify @image under the policy; fill @out (digest: what was verified). */
static void verify_once(struct gate *g, const char *image,
			struct gate_verdict *out)
{
	struct verify_result res = { 0 };
	struct policy_verdict v = { 0 };
	struct registry *reg = NULL;
	int rc;

	pthread_mutex_lock(&g->lock);
	g->verifications++;
	pthread_mutex_unlock(&g->lock);
	if ((rc = registry_new(&reg, &g->ropts)) == 0)
		rc = policy_verify(reg, image, g->policy, time(NULL), &res, &v);
	if (res.pinned[0])
		snprintf(out->digest, sizeof(out->digest), "%s", res.pinned);
	if (rc == 0 && v.rule && v.rule->action == POLICY_ACCEPT_ANYTHING)
		say(out, true, "accepted without checking signatures: policy "
		    "rule rules[%zu] (scope '%.120s') is "
		    "insecure-accept-anything", v.rule->index, v.rule->scope);
	else if (rc == 0)
		say(out, true, "verified under policy rule rules[%zu] (scope "
		    "'%.120s')", v.rule ? v.rule->index : 0,
		    v.rule ? v.rule->scope : "");
	else
		say(out, false, "%s", err_msg());
	out->error = rc < 0 && rc != ERR_VERIFY;
	policy_verdict_release(&v);
	verify_result_release(&res);
	registry_free(reg);
}

/* ---- the verdict cache (callers hold g->lock) ---------------------------- */

static struct gate_cache_entry *cache_find(struct gate *g, const char *key)
{
	size_t i;

	for (i = 0; i < g->n_cache; i++)
		if (g->cache[i].used && strcmp(g->cache[i].key, key) == 0)
			return &g->cache[i];
	return NULL;
}

/* A free entry for @key, else the oldest settled one; NULL when every
 * entry is being verified. */
static struct gate_cache_entry *cache_add(struct gate *g, const char *key,
					  bool pending)
{
	struct gate_cache_entry *e = NULL;
	size_t i;

	for (i = 0; i < g->n_cache && (!e || e->used); i++)
		if (!g->cache[i].used ||
		    (!g->cache[i].pending && (!e || g->cache[i].at < e->at)))
			e = &g->cache[i];
	if (!e)
		return NULL;
	memset(e, 0, sizeof(*e));
	e->used = true;
	e->pending = pending;
	snprintf(e->key, sizeof(e->key), "%s", key);
	return e;
}

static void cache_settle(struct gate *g, struct gate_cache_entry *e,
			 const struct gate_verdict *v)
{
	if (!e)
		return;
	if (v->error || !g->cache_ttl) {
		e->used = false;
		return;
	}
	e->pending = false;
	e->at = time(NULL);
	e->allow = v->allow;
	snprintf(e->reason, sizeof(e->reason), "%s", v->reason);
}

/* A remembered verdict for @key into @out: true when there was one. Waits
 * while another request verifies @key; with @claim, a miss leaves a
 * pending entry in *@claim for the caller to settle. */
static bool cache_get(struct gate *g, const char *key,
		      struct gate_verdict *out, struct gate_cache_entry **claim)
{
	struct gate_cache_entry *e;
	time_t now;

	*claim = NULL;
	if (!g->cache_ttl)
		return false;
	pthread_mutex_lock(&g->lock);
	while ((e = cache_find(g, key)) && e->pending)
		pthread_cond_wait(&g->done, &g->lock);
	now = time(NULL);
	if (e && now - e->at < g->cache_ttl && now >= e->at) {
		out->allow = e->allow;
		out->cached = true;
		snprintf(out->reason, sizeof(out->reason), "%s", e->reason);
		pthread_mutex_unlock(&g->lock);
		return true;
	}
	if (e)
		e->used = false;
	*claim = cache_add(g, key, true);
	pthread_mutex_unlock(&g->lock);
	return false;
}

/* Judge the repository digest @pinned ("registry/repository@sha256:..."),
 * remembered or verified. */
static void judge_digest(struct gate *g, const char *pinned,
			 struct gate_verdict *out)
{
	struct gate_cache_entry *e;

	snprintf(out->digest, sizeof(out->digest), "%s", pinned);
	if (cache_get(g, pinned, out, &e))
		return;
	verify_once(g, pinned, out);
	pthread_mutex_lock(&g->lock);
	cache_settle(g, e, out);
	pthread_cond_broadcast(&g->done);
	pthread_mutex_unlock(&g->lock);
}

/* After a pull's verification of a tag: remember the digest's verdict. */
static void remember(struct gate *g, const struct gate_verdict *v)
{
	struct gate_cache_entry *e;

	if (!g->cache_ttl || v->error || !v->digest[0])
		return;
	pthread_mutex_lock(&g->lock);
	if (!(e = cache_find(g, v->digest)))
		e = cache_add(g, v->digest, false);
	else if (e->pending)
		e = NULL;	/* its verifier settles it */
	cache_settle(g, e, v);
	pthread_mutex_unlock(&g->lock);
}

/* ---- the daemon's records ------------------------------------------------ */

/* GET /@what/@name/json from dockerd: *@doc (NULL on 404). */
static int engine_inspect(struct gate *g, const char *what, const char *name,
			  json_t **doc)
{
	struct buf body;
	char path[GATE_NAME_MAX + 32];
	long status;
	int rc;

	*doc = NULL;
	buf_init(&body, ENGINE_BODY_MAX);
	if (snprintf(path, sizeof(path), "/%s/%s/json", what, name) >=
	    (int)sizeof(path))
		return err_set(ERR_USAGE, "name too long: '%.100s...'", name);
	if ((rc = registry_engine_get(&body, &status, g->engine_socket, path,
				      g->ropts.timeout)) < 0)
		goto out;
	if (status == 404)
		goto out;
	if (status != 200)
		rc = err_set(ERR_NET, "the docker engine answered HTTP %ld for "
			     "'%s'", status, path);
	else
		rc = jx_parse(doc, body.data, body.len, "docker engine answer");
	if (rc == 0 && !json_is_object(*doc))
		rc = err_set(ERR_FORMAT, "the docker engine's answer for '%s' "
			     "is not an object", path);
out:
	buf_release(&body);
	return rc;
}

/* Is @name an image ID, or a prefix of @img's ID? Then the daemon found
 * the image by ID and no repository is implied. */
static bool names_by_id(const char *name, const json_t *img)
{
	const char *id = jx_str(img, "Id");
	size_t n = strlen(name);

	if (strncmp(name, "sha256:", 7) == 0)
		return true;
	if (!id || strncmp(id, "sha256:", 7) != 0 || !n || n > 64 ||
	    strspn(name, "0123456789abcdef") != n)
		return false;
	return strncmp(id + 7, name, n) == 0;
}

/* @digest_ref of RepoDigests as "registry/repository@sha256:..." into
 * @pinned, when its repository is @repo (any: NULL). */
static bool repo_digest(char *pinned, size_t sz, const char *digest_ref,
			const char *repo)
{
	char r[REF_HOST_MAX + REF_REPO_MAX + 2];
	struct image_ref ref;

	if (ref_parse(&ref, digest_ref) < 0 || !ref_has_digest(&ref) ||
	    ref_format_repo(r, sizeof(r), &ref) < 0 ||
	    (repo && strcmp(r, repo) != 0))
		return false;
	return ref_format_pinned(pinned, sz, &ref, &ref.digest) == 0;
}

/* No registry digest of @repo: only an accept-anything rule lets it run. */
static void no_digest(struct gate *g, const char *name, const char *repo,
		      struct gate_verdict *out)
{
	const struct policy_rule *r = repo ? policy_match(g->policy, repo) :
				      NULL;

	if (r && r->action == POLICY_ACCEPT_ANYTHING)
		say(out, true, "accepted without a registry digest: policy "
		    "rule rules[%zu] (scope '%.120s') is "
		    "insecure-accept-anything", r->index, r->scope);
	else
		say(out, false, "'%.200s' has no registry digest%s%.200s in "
		    "the daemon's records: built, loaded, imported or "
		    "retagged locally, it is not a signed image", name,
		    repo ? " of " : "", repo ? repo : "");
}

/* Judge image record @img, run as @name: allowed when one of its
 * RepoDigests in @name's repository verifies. */
static void judge_record(struct gate *g, const char *name, const json_t *img,
			 struct gate_verdict *out)
{
	char repo[REF_HOST_MAX + REF_REPO_MAX + 2], pinned[GATE_NAME_MAX];
	const json_t *rd = json_object_get(img, "RepoDigests");
	struct gate_verdict first = { 0 };
	struct image_ref ref;
	size_t i, seen = 0;
	bool by_id = names_by_id(name, img);

	if (!by_id && (ref_parse(&ref, name) < 0 ||
		       ref_format_repo(repo, sizeof(repo), &ref) < 0)) {
		say(out, false, "%s", err_msg());
		out->error = true;
		return;
	}
	for (i = 0; i < json_array_size(rd) && i < REPO_DIGESTS_MAX; i++) {
		if (!json_is_string(json_array_get(rd, i)) ||
		    !repo_digest(pinned, sizeof(pinned),
				 json_string_value(json_array_get(rd, i)),
				 by_id ? NULL : repo))
			continue;
		memset(out, 0, sizeof(*out));
		judge_digest(g, pinned, out);
		if (out->allow)
			return;
		if (!seen++)
			first = *out;
	}
	if (seen)
		*out = first;
	else
		no_digest(g, name, by_id ? NULL : repo, out);
}

/* ---- the requests -------------------------------------------------------- */

static void decide_create(struct gate *g, const char *name,
			  struct gate_verdict *out)
{
	json_t *img;

	if (engine_inspect(g, "images", name, &img) < 0) {
		say(out, false, "cannot ask the docker engine about '%.200s': "
		    "%s", name, err_msg());
		out->error = true;
		return;
	}
	if (!img)	/* dockerd answers "No such image"; start is checked */
		say(out, true, "'%.200s' is not in the daemon's records: "
		    "nothing to run yet", name);
	else
		judge_record(g, name, img, out);
	json_decref(img);
}

/* Is @container still the container @cid? dockerd looks the name up
 * again after the gate answers: a rename while the image was judged
 * would have it start another container than the one judged. */
static bool same_container(struct gate *g, const char *container,
			   const char *cid)
{
	json_t *ctr = NULL;
	const char *now;
	bool same;

	if (!cid || engine_inspect(g, "containers", container, &ctr) < 0 ||
	    !ctr)
		same = false;
	else
		same = (now = jx_str(ctr, "Id")) && strcmp(now, cid) == 0;
	json_decref(ctr);
	return same;
}

/* A container's image is fixed by ID when it is created: judge that
 * image as the name it was created with. */
static void decide_start(struct gate *g, const char *container,
			 char *image, size_t image_sz, struct gate_verdict *out)
{
	const char *id = NULL, *name = NULL;
	json_t *ctr = NULL, *img = NULL;

	if (engine_inspect(g, "containers", container, &ctr) < 0)
		goto error;
	if (!ctr) {
		/* dockerd would say so too, unless a rename made one
		 * appear since: that one was never judged */
		say(out, false, "no container '%.200s'", container);
		return;
	}
	id = jx_str(ctr, "Image");
	name = jx_str(json_object_get(ctr, "Config"), "Image");
	if (!id || !name || !digest_valid(id)) {
		err_set(ERR_FORMAT, "the container's record names no image");
		goto error;
	}
	snprintf(image, image_sz, "%s", name);
	if (engine_inspect(g, "images", id, &img) < 0)
		goto error;
	if (!img)
		say(out, false, "the image of container '%.200s' is gone",
		    container);
	else
		judge_record(g, name, img, out);
	if (out->allow && !same_container(g, container, jx_str(ctr, "Id")))
		say(out, false, "container '%.200s' changed while it was "
		    "being checked: start it again", container);
	goto out;
error:
	say(out, false, "cannot ask the docker engine about container "
	    "'%.200s': %s", container, err_msg());
	out->error = true;
out:
	json_decref(img);
	json_decref(ctr);
}

static void decide_pull(struct gate *g, const char *image,
			struct gate_verdict *out)
{
	char pinned[GATE_NAME_MAX];
	struct image_ref ref;

	if (ref_parse(&ref, image) < 0) {
		say(out, false, "%s", err_msg());
		out->error = true;
		return;
	}
	if (ref_has_digest(&ref) &&
	    ref_format_pinned(pinned, sizeof(pinned), &ref, &ref.digest) == 0) {
		judge_digest(g, pinned, out);
		return;
	}
	/* by tag: resolved anew each time, as the tag may have moved */
	verify_once(g, image, out);
	remember(g, out);
}

void gate_decide(struct gate *g, const struct gate_request *req,
		 struct gate_verdict *out)
{
	char image[GATE_NAME_MAX];

	memset(out, 0, sizeof(*out));
	snprintf(image, sizeof(image), "%s", req->image);
	switch (req->kind) {
	case GATE_PASS:
		say(out, true, "not gated");
		break;
	case GATE_REFUSE:
		say(out, false, "%s", req->reason);
		break;
	case GATE_CREATE:
		decide_create(g, req->image, out);
		break;
	case GATE_START:
		decide_start(g, req->image, image, sizeof(image), out);
		break;
	case GATE_PULL:
		decide_pull(g, req->image, out);
		break;
	}
	snprintf(out->image, sizeof(out->image), "%s", image);
}
