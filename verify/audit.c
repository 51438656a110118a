/*
 * audit.c - see verify.h. One walker (the calling thread) lists the
 * catalog and each repository's tags and feeds a bounded queue; a fixed
 * pool of workers, each with its own registry client, resolves each tag,
 * verifies each digest once per repository and reports through the
 * caller's callback, one call at a time.
 *
 * Locks: a->lock guards the queue, the repositories' reference counts and
 * their digest maps; a->out_lock guards the callback and the counters.
 * Nothing holds both, and nothing waits for a network reply under either.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "verify.h"
#include "internal.h"

#define JOBS_DEFAULT 8
#define JOBS_MAX 64
#define INDEX_MAX 1000		/* manifests of one index we look at */

/* ---- pure helpers ------------------------------------------------------- */

bool audit_skip_tag(const char *tag)
{
	static const char *const suffix[] = { "", ".sig", ".att", ".sbom" };
	size_t i;

	if (strncmp(tag, "sha256-", 7) != 0)
		return false;
	for (i = 7; i < 7 + 64; i++)
		if (!((tag[i] >= '0' && tag[i] <= '9') ||
		      (tag[i] >= 'a' && tag[i] <= 'f')))
			return false;
	for (i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++)
		if (strcmp(tag + 7 + 64, suffix[i]) == 0)
			return true;
	return false;
}

bool audit_repo_selected(const char *const *globs, size_t n,
			 const char *repo)
{
	size_t i;

	if (n == 0)
		return true;
	for (i = 0; i < n; i++)
		if (policy_scope_match(globs[i], repo))
			return true;
	return false;
}

void audit_platform(char *out, size_t outsz, const json_t *descriptor)
{
	const json_t *p = json_object_get(descriptor, "platform");
	const char *os = jx_str(p, "os"), *arch = jx_str(p, "architecture");
	const char *var = jx_str(p, "variant");
	char raw[256];

	out[0] = '\0';
	if (!os || !arch)
		return;
	snprintf(raw, sizeof(raw), "%.80s/%.80s%s%.80s", os, arch,
		 var ? "/" : "", var ? var : "");
	str_sanitize(out, outsz, raw);
}

const char *audit_status_name(enum audit_status s)
{
	switch (s) {
	case AUDIT_SIGNED: return "signed";
	case AUDIT_UNSIGNED: return "unsigned";
	case AUDIT_INVALID: return "invalid";
	case AUDIT_ERROR: break;
	}
	return "error";
}

/* ---- per-repository digest map ------------------------------------------ */

/* What became of one digest: kept until the repository is done, so every
 * tag naming it gets the same answer without a second verification. */
struct verdict {
	enum audit_status status;
	char reason[512];
	char format[24];
	char key[80];
	char identity[256];		/* or the keyless signer's
					 * (truncated: kept per digest) */
	char issuer[128];
	char warning[256];		/* the first of verify's warnings */
};

/* A tag that resolved to a digest still being verified: reported by
 * whoever verifies it. */
struct waiter {
	struct waiter *next;
	char tag[REF_TAG_MAX];
};

struct entry {
	struct digest digest;
	bool done;
	struct verdict v;
	struct waiter *waiters;
};

struct dmap {
	struct entry **slots;		/* open addressing, linear probing */
	size_t cap;			/* a power of two, or 0 */
	size_t n;
};

static size_t dmap_hash(const struct digest *d)
{
	const char *h = digest_hex(d);
	size_t v = 0;
	int i;

	for (i = 0; i < 16 && h[i]; i++)
		v = v * 16 + (size_t)(h[i] <= '9' ? h[i] - '0' :
				      h[i] - 'a' + 10);
	return v;
}

static struct entry *dmap_get(const struct dmap *m, const struct digest *d)
{
	size_t i;

	if (!m->cap)
		return NULL;
	for (i = dmap_hash(d) & (m->cap - 1); m->slots[i];
	     i = (i + 1) & (m->cap - 1))
		if (digest_eq(&m->slots[i]->digest, d))
			return m->slots[i];
	return NULL;
}

static int dmap_grow(struct dmap *m)
{
	size_t cap = m->cap ? m->cap * 2 : 64, i, j;
	struct entry **s = calloc(cap, sizeof(*s));

	if (!s)
		return ERR_NOMEM;
	for (i = 0; i < m->cap; i++) {
		if (!m->slots[i])
			continue;
		for (j = dmap_hash(&m->slots[i]->digest) & (cap - 1); s[j];
		     j = (j + 1) & (cap - 1))
			;
		s[j] = m->slots[i];
	}
	free(m->slots);
	m->slots = s;
	m->cap = cap;
	return 0;
}

/* A new pending entry for @d (not present); NULL when out of memory. */
static struct entry *dmap_add(struct dmap *m, const struct digest *d)
{
	struct entry *e;
	size_t i;

	if ((m->n + 1) * 2 > m->cap && dmap_grow(m) < 0)
		return NULL;
	if (!(e = calloc(1, sizeof(*e))))
		return NULL;
	e->digest = *d;
	for (i = dmap_hash(d) & (m->cap - 1); m->slots[i];
	     i = (i + 1) & (m->cap - 1))
		;
	m->slots[i] = e;
	m->n++;
	return e;
}

static void dmap_release(struct dmap *m)
{
	struct waiter *w;
	size_t i;

	for (i = 0; i < m->cap; i++) {
		if (!m->slots[i])
			continue;
		while ((w = m->slots[i]->waiters)) {
			m->slots[i]->waiters = w->next;
			free(w);
		}
		free(m->slots[i]);
	}
	free(m->slots);
	memset(m, 0, sizeof(*m));
}

/* ---- a repository's signature tags, as its tag list names them ---------- */

/* "sha256-<hex>.sig" (kind 's') or "sha256-<hex>" (kind 'i'). */
struct sigtag {
	char hex[64];
	char kind;
};

/* @tag as a sigtag, or false when it is neither form. */
static bool sigtag_parse(struct sigtag *out, const char *tag)
{
	if (!audit_skip_tag(tag))
		return false;
	if (strcmp(tag + 7 + 64, ".sig") == 0)
		out->kind = 's';
	else if (tag[7 + 64] == '\0')
		out->kind = 'i';
	else
		return false;
	memcpy(out->hex, tag + 7, 64);
	return true;
}

static int sigtag_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct sigtag));
}

/* ---- the audit ---------------------------------------------------------- */

/* Tags of one repository held back until its list is read whole (so its
 * signature tags are all known), at most this many. */
#define HELD_MAX 100000

struct repo {
	struct image_ref ref;		/* tag: "" */
	size_t refs;			/* the walker's, one per task */
	struct dmap map;
	/* Its signature tags, sorted, once the tag list was read whole;
	 * written by the walker before the first task is queued, read
	 * only after. known.tag_absent is NULL when not read whole. */
	struct sigtag *sigtags;
	size_t n_sigtags;
	struct registry_known known;
};

struct task {
	struct repo *repo;
	char tag[REF_TAG_MAX];
};

struct audit {
	const struct audit_opts *o;
	time_t now;

	pthread_mutex_t lock;
	pthread_cond_t not_full, not_empty;
	struct task *q;
	size_t cap, head, n;
	bool walk_done;

	pthread_mutex_t out_lock;
	struct audit_totals t;
	size_t seen;

	int referrers_api;		/* enum referrers_api, atomic */
};

struct worker {
	struct audit *a;
	struct registry *reg;
	pthread_t thread;
	bool started;
};

static void repo_put(struct audit *a, struct repo *r)
{
	bool last;

	pthread_mutex_lock(&a->lock);
	last = --r->refs == 0;
	pthread_mutex_unlock(&a->lock);
	if (last) {
		dmap_release(&r->map);
		free(r->sigtags);
		free(r);
	}
}

static void add_seen(struct audit *a, size_t n)
{
	pthread_mutex_lock(&a->out_lock);
	a->seen += n;
	pthread_mutex_unlock(&a->out_lock);
}

static void emit(struct audit *a, struct audit_item *it)
{
	struct audit_progress p;

	if (!it->reason)
		it->reason = "";
	if (!it->format)
		it->format = "";
	if (!it->key)
		it->key = "";
	it->registry = a->o->registry;
	pthread_mutex_lock(&a->out_lock);
	switch (it->status) {
	case AUDIT_SIGNED: a->t.n_signed++; break;
	case AUDIT_UNSIGNED: a->t.n_unsigned++; break;
	case AUDIT_INVALID: a->t.n_invalid++; break;
	case AUDIT_ERROR: a->t.n_error++; break;
	}
	a->t.images++;
	if (a->seen < a->t.images)
		a->seen = a->t.images;
	p.seen = a->seen;
	p.done = a->t.images;
	if (a->o->on_item)
		a->o->on_item(a->o->ctx, it, &p);
	pthread_mutex_unlock(&a->out_lock);
}

/* An error about a repository or a tag, before any digest is known. */
static void emit_error(struct audit *a, const char *repository,
		       const char *tag, const char *why)
{
	static const struct digest none = { { 0 } };
	struct audit_item it = { 0 };

	it.status = AUDIT_ERROR;
	it.repository = repository;
	it.tag = tag;
	it.digest = &none;
	it.reason = why;
	emit(a, &it);
}

static void emit_verdict(struct audit *a, const struct repo *r,
			 const char *tag, const struct digest *d,
			 const char *platform, const char *index_tag,
			 const struct verdict *v, bool reused)
{
	struct audit_item it = { 0 };

	it.status = v->status;
	it.repository = r->ref.repository;
	it.tag = tag;
	it.digest = d;
	it.platform = platform;
	it.index_tag = index_tag;
	it.reason = v->reason;
	it.format = v->format;
	it.key = v->key;
	it.identity = v->identity;
	it.issuer = v->issuer;
	it.warning = v->warning;
	it.reused = reused;
	emit(a, &it);
}

/* The signature that tells most about a failure: one a given key made
 * or a keyless one verified but for its identity, else the first. */
static const struct sig_report *telling(const struct verify_result *res)
{
	size_t i;

	for (i = 0; i < res->n_sigs; i++)
		if (res->sigs[i].key[0] || res->sigs[i].keyless_ok)
			return &res->sigs[i];
	return res->n_sigs ? &res->sigs[0] : NULL;
}

static void signer(struct verdict *v, const struct verify_result *res,
		   const struct policy_verdict *pv)
{
	size_t i;

	for (i = 0; i < res->n_sigs; i++) {
		const struct sig_report *s = &res->sigs[i];

		if (pv ? (i < pv->n_sigs && pv->sigs[i].counted) : s->valid) {
			snprintf(v->format, sizeof(v->format), "%s", s->format);
			snprintf(v->key, sizeof(v->key), "%s", s->key);
			if (!s->key[0] && s->keyless_ok &&
			    s->signer_index >= 0) {
				snprintf(v->identity, sizeof(v->identity),
					 "%.255s", s->san);
				snprintf(v->issuer, sizeof(v->issuer),
					 "%.127s", s->issuer);
			}
			return;
		}
	}
}

/* Verify @d of @r with the keys or the policy: never fails, the verdict
 * says what happened. @man, when not NULL, is @d's manifest, already
 * fetched. */
static void judge(struct worker *w, const struct repo *r,
		  const struct digest *d, const struct manifest *man,
		  struct verdict *v)
{
	const struct audit_opts *o = w->a->o;
	struct image_ref ref = r->ref;	/* parsed once, by the walker */
	struct verify_result res = { 0 };
	struct policy_verdict pv = { 0 };
	const struct sig_report *tell;
	int rc;

	memset(v, 0, sizeof(*v));
	ref.tag[0] = '\0';
	ref.digest = *d;
	if (o->policy)
		rc = policy_verify_ref(w->reg, &ref, man, o->policy,
				       w->a->now, &res, &pv);
	else
		rc = verify_image_ref(w->reg, &ref, man, o->verify, &res);
	if (rc == 0) {
		v->status = AUDIT_SIGNED;
		signer(v, &res, o->policy ? &pv : NULL);
		/* "insecure-accept-anything" must not read as checked */
		if (pv.rule && pv.rule->action == POLICY_ACCEPT_ANYTHING)
			str_sanitize(v->reason, sizeof(v->reason), pv.reason);
	} else if (rc == ERR_VERIFY && res.n_sigs == 0 &&
		   (!o->policy || (pv.rule &&
				   pv.rule->action == POLICY_SIGNED))) {
		v->status = AUDIT_UNSIGNED;
		snprintf(v->reason, sizeof(v->reason), "no signatures");
	} else if (rc == ERR_VERIFY) {
		v->status = AUDIT_INVALID;
		if (o->policy) {
			str_sanitize(v->reason, sizeof(v->reason), pv.reason);
		} else {
			char why[400];

			tell = telling(&res);
			snprintf(why, sizeof(why), "%zu signature%s, none "
				 "valid: %.300s", res.n_sigs,
				 res.n_sigs == 1 ? "" : "s",
				 tell ? tell->reason : "");
			str_sanitize(v->reason, sizeof(v->reason), why);
		}
	} else {
		v->status = AUDIT_ERROR;
		str_sanitize(v->reason, sizeof(v->reason), err_msg());
	}
	if (res.n_warnings)
		snprintf(v->warning, sizeof(v->warning), "%.255s",
			 res.warnings[0]);
	err_clear();
	policy_verdict_release(&pv);
	verify_result_release(&res);
}

/* Claim @d in @r's map. Returns the new pending entry to verify, or NULL
 * when it is known or being verified: then @done_v holds the verdict
 * (returns NULL, *known true), or @tag was queued as a waiter (*known
 * false). On allocation failure the verdict says so (*known true). */
static struct entry *claim(struct audit *a, struct repo *r,
			   const struct digest *d, const char *tag,
			   struct verdict *done_v, bool *known)
{
	struct entry *e;
	struct waiter *wt, **pp;

	*known = false;
	pthread_mutex_lock(&a->lock);
	e = dmap_get(&r->map, d);
	if (e && e->done) {
		*done_v = e->v;
		*known = true;
		e = NULL;
	} else if (e) {
		if (tag && (wt = calloc(1, sizeof(*wt)))) {
			/* keep the order the tags came in */
			snprintf(wt->tag, sizeof(wt->tag), "%s", tag);
			for (pp = &e->waiters; *pp; pp = &(*pp)->next)
				;
			*pp = wt;
		} else if (tag) {
			memset(done_v, 0, sizeof(*done_v));
			done_v->status = AUDIT_ERROR;
			snprintf(done_v->reason, sizeof(done_v->reason),
				 "out of memory");
			*known = true;
		}
		e = NULL;
	} else if (!(e = dmap_add(&r->map, d))) {
		memset(done_v, 0, sizeof(*done_v));
		done_v->status = AUDIT_ERROR;
		snprintf(done_v->reason, sizeof(done_v->reason),
			 "out of memory");
		*known = true;
	}
	pthread_mutex_unlock(&a->lock);
	return e;
}

/* Record @v for @e and report it, for @tag and every tag that waited. */
static void settle(struct audit *a, struct repo *r, struct entry *e,
		   const struct verdict *v, const char *tag,
		   const char *platform, const char *index_tag)
{
	struct waiter *w;

	pthread_mutex_lock(&a->lock);
	e->v = *v;
	e->done = true;
	w = e->waiters;
	e->waiters = NULL;
	pthread_mutex_unlock(&a->lock);
	pthread_mutex_lock(&a->out_lock);
	a->t.verified++;
	pthread_mutex_unlock(&a->out_lock);
	emit_verdict(a, r, tag, &e->digest, platform, index_tag, v, false);
	while (w) {
		struct waiter *next = w->next;

		emit_verdict(a, r, w->tag, &e->digest, NULL, NULL, v, true);
		free(w);
		w = next;
	}
}

static bool is_index(const struct manifest *m)
{
	return strcmp(m->media_type, MT_OCI_INDEX) == 0 ||
	       strcmp(m->media_type, MT_DOCKER_LIST) == 0;
}

/* Verify and report each platform manifest @index lists that this
 * repository has not seen yet. */
static void audit_children(struct worker *w, struct repo *r,
			   const struct manifest *index, const char *tag)
{
	struct audit *a = w->a;
	json_t *doc = NULL, *list, *m;
	char platform[128];
	size_t i;

	if (jx_parse(&doc, index->body.data, index->body.len,
		     "image index") < 0 ||
	    !json_is_array(list = json_object_get(doc, "manifests"))) {
		char why[600];

		snprintf(why, sizeof(why), "index: %s", doc ? "no manifests "
			 "list" : err_msg());
		err_clear();
		emit_error(a, r->ref.repository, tag, why);
		goto out;
	}
	json_array_foreach(list, i, m) {
		struct verdict v;
		struct entry *e;
		struct digest d;
		bool known;

		if (i == INDEX_MAX)
			break;
		/* buildx's provenance and SBOM manifests are not images */
		if (jx_str(json_object_get(m, "annotations"),
			   "vnd.docker.reference.type"))
			continue;
		if (digest_parse(&d, jx_str(m, "digest")) < 0) {
			err_clear();
			add_seen(a, 1);
			emit_error(a, r->ref.repository, tag, "index lists "
				   "a manifest without a valid digest");
			continue;
		}
		e = claim(a, r, &d, NULL, &v, &known);
		if (!e)
			continue;	/* reported, or being reported */
		add_seen(a, 1);
		audit_platform(platform, sizeof(platform), m);
		judge(w, r, &d, NULL, &v);
		settle(a, r, e, &v, NULL, platform, tag);
	}
out:
	json_decref(doc);
}

static void audit_tag(struct worker *w, struct task *t)
{
	struct audit *a = w->a;
	struct repo *r = t->repo;
	struct image_ref ref = r->ref;
	struct manifest man = { 0 };
	struct verdict v;
	struct entry *e;
	bool known;

	snprintf(ref.tag, sizeof(ref.tag), "%s", t->tag);
	registry_set_known(w->reg, &r->known);
	if (registry_get_manifest(w->reg, &ref, t->tag, &man) < 0) {
		char why[1024];

		str_sanitize(why, sizeof(why), err_msg());
		err_clear();
		emit_error(a, r->ref.repository, t->tag, why);
		goto out;
	}
	e = claim(a, r, &man.digest, t->tag, &v, &known);
	if (!e) {
		if (known)
			emit_verdict(a, r, t->tag, &man.digest, NULL, NULL,
				     &v, true);
		goto out;
	}
	judge(w, r, &man.digest, &man, &v);
	settle(a, r, e, &v, t->tag, NULL, NULL);
	if (is_index(&man))
		audit_children(w, r, &man, t->tag);
out:
	registry_set_known(w->reg, NULL);
	manifest_release(&man);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct audit *a = w->a;
	struct task t;

	for (;;) {
		pthread_mutex_lock(&a->lock);
		while (a->n == 0 && !a->walk_done)
			pthread_cond_wait(&a->not_empty, &a->lock);
		if (a->n == 0) {
			pthread_mutex_unlock(&a->lock);
			break;
		}
		t = a->q[a->head];
		a->head = (a->head + 1) % a->cap;
		a->n--;
		pthread_cond_signal(&a->not_full);
		pthread_mutex_unlock(&a->lock);
		audit_tag(w, &t);
		repo_put(a, t.repo);
	}
	return NULL;
}

/* ---- the walker --------------------------------------------------------- */

struct walk {
	struct audit *a;
	struct registry *reg;		/* for tag lists */
	struct repo *repo;		/* the one being listed */
	bool holding;			/* tags held until the list ends */
	char **held;
	size_t n_held, cap_held, cap_sigtags;
};

static void enqueue(struct audit *a, struct repo *r, const char *tag)
{
	struct task *t;

	pthread_mutex_lock(&a->lock);
	while (a->n == a->cap)		/* memory stays flat: wait */
		pthread_cond_wait(&a->not_full, &a->lock);
	t = &a->q[(a->head + a->n) % a->cap];
	t->repo = r;
	snprintf(t->tag, sizeof(t->tag), "%s", tag);
	a->n++;
	r->refs++;
	pthread_cond_signal(&a->not_empty);
	pthread_mutex_unlock(&a->lock);
}

/* Queue the tags held so far and hold no more: what the list named
 * after them is queued as it comes. */
static void release_held(struct walk *wk)
{
	size_t i;

	for (i = 0; i < wk->n_held; i++) {
		enqueue(wk->a, wk->repo, wk->held[i]);
		free(wk->held[i]);
	}
	free(wk->held);
	wk->held = NULL;
	wk->n_held = wk->cap_held = 0;
	wk->holding = false;
}

/* Keep @p (of @n, room for @cap) one bigger; false when it cannot. */
static bool grow(void **p, size_t *cap, size_t n, size_t size)
{
	void *q;

	if (n < *cap)
		return true;
	if (n + 1 > HELD_MAX ||
	    !(q = realloc(*p, (*cap ? *cap * 2 : 64) * size)))
		return false;
	*p = q;
	*cap = *cap ? *cap * 2 : 64;
	return true;
}

/* Note signature tag @tag of the repository being listed. */
static void note_sigtag(struct walk *wk, const char *tag)
{
	struct repo *r = wk->repo;
	struct sigtag st;

	if (!wk->holding || !sigtag_parse(&st, tag))
		return;
	if (!grow((void **)&r->sigtags, &wk->cap_sigtags, r->n_sigtags,
		  sizeof(*r->sigtags))) {
		release_held(wk);	/* too many: look each one up */
		return;
	}
	r->sigtags[r->n_sigtags++] = st;
}

static int walk_tag(void *ctx, const char *tag)
{
	struct walk *wk = ctx;
	struct audit *a = wk->a;
	char *copy = NULL;

	if (audit_skip_tag(tag)) {
		pthread_mutex_lock(&a->out_lock);
		a->t.skipped++;
		pthread_mutex_unlock(&a->out_lock);
		note_sigtag(wk, tag);
		return 0;
	}
	if (strlen(tag) >= REF_TAG_MAX) {
		char shown[80];

		str_sanitize(shown, sizeof(shown), tag);
		add_seen(a, 1);
		emit_error(a, wk->repo->ref.repository, shown,
			   "invalid tag: too long");
		return 0;
	}
	add_seen(a, 1);
	if (wk->holding &&
	    (!grow((void **)&wk->held, &wk->cap_held, wk->n_held,
		   sizeof(*wk->held)) || !(copy = strdup(tag))))
		release_held(wk);	/* too many: look each one up */
	if (wk->holding)
		wk->held[wk->n_held++] = copy;
	else
		enqueue(a, wk->repo, tag);
	return 0;
}

static bool repo_tag_absent(void *ctx, const char *tag)
{
	const struct repo *r = ctx;
	struct sigtag st;

	/* registry data: absence only ever means "no signature there" */
	return sigtag_parse(&st, tag) &&
	       (!r->n_sigtags || !bsearch(&st, r->sigtags, r->n_sigtags,
					  sizeof(st), sigtag_cmp));
}

/* List @r's tags; its images are queued once the list is read whole,
 * with its signature tags known. */
static int list_repo(struct walk *wk, struct repo *r)
{
	struct audit *a = wk->a;
	int rc;

	wk->repo = r;
	wk->holding = true;
	wk->cap_sigtags = 0;
	r->known.registry = r->ref.registry;
	r->known.repository = r->ref.repository;
	r->known.referrers_api = &a->referrers_api;
	rc = registry_list_tags(wk->reg, &r->ref, walk_tag, wk);
	if (rc == 0 && wk->holding) {
		if (r->n_sigtags)
			qsort(r->sigtags, r->n_sigtags, sizeof(*r->sigtags),
			      sigtag_cmp);
		r->known.tag_absent = repo_tag_absent;
		r->known.ctx = r;
	}
	release_held(wk);
	wk->repo = NULL;
	return rc;
}

static int walk_repo(void *ctx, const char *name)
{
	struct walk *wk = ctx;
	struct audit *a = wk->a;
	char full[REF_HOST_MAX + REF_REPO_MAX + 2], shown[REF_REPO_MAX];
	char why[1024];
	struct repo *r;
	int rc = 0;

	if (!audit_repo_selected(a->o->repo_globs, a->o->n_repo_globs, name))
		return 0;
	pthread_mutex_lock(&a->out_lock);
	a->t.repositories++;
	pthread_mutex_unlock(&a->out_lock);
	str_sanitize(shown, sizeof(shown), name);
	if (!(r = calloc(1, sizeof(*r))))
		return err_set(ERR_NOMEM, "out of memory");
	r->refs = 1;
	/* a registry-supplied name goes through the reference rules before
	 * it reaches a URL */
	snprintf(full, sizeof(full), "%s/%s", a->o->registry, name);
	if (ref_parse(&r->ref, full) < 0 ||
	    strcmp(r->ref.repository, name) != 0 ||
	    strcmp(r->ref.registry, a->o->registry) != 0) {
		err_clear();
		add_seen(a, 1);
		emit_error(a, shown, NULL, "invalid repository name in the "
			   "catalog");
		goto out;
	}
	r->ref.tag[0] = '\0';
	rc = list_repo(wk, r);
	if (rc == ERR_NOMEM)
		goto out;
	if (rc < 0) {
		str_sanitize(why, sizeof(why), err_msg());
		err_clear();
		add_seen(a, 1);
		emit_error(a, r->ref.repository, NULL, why);
		rc = 0;
	}
out:
	repo_put(a, r);
	return rc == ERR_NOMEM ? rc : 0;
}

/* @registry as a host, written as every reference writes it, into
 * @host; ERR_USAGE when it is no registry host. */
static int audit_host(char host[REF_HOST_MAX], const char *registry)
{
	struct image_ref probe;
	char full[REF_HOST_MAX + 8], shown[REF_HOST_MAX];

	snprintf(full, sizeof(full), "%s/x", registry);
	if (strlen(registry) < REF_HOST_MAX && ref_parse(&probe, full) == 0 &&
	    ref_canonical_host(host, REF_HOST_MAX, registry) == 0 &&
	    strcmp(probe.registry, host) == 0)
		return 0;
	err_clear();
	str_sanitize(shown, sizeof(shown), registry);
	return err_set(ERR_USAGE, "'%s' is not a registry: give "
		       "HOST[:PORT], e.g. 127.0.0.1:5000 or "
		       "reg.example.com", shown);
}

int audit_registry(const struct audit_opts *o, struct audit_totals *out)
{
	struct audit a;
	struct worker *w = NULL;
	struct walk wk = { .a = &a };
	struct registry *cat = NULL;
	struct registry_opts ropts = { 0 };
	struct audit_opts co = *o;	/* o with the registry canonical */
	char host[REF_HOST_MAX], msg[1024] = "";
	unsigned jobs = o->jobs ? o->jobs : JOBS_DEFAULT, i, started = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&a, 0, sizeof(a));
	a.o = &co;
	a.now = time(NULL);
	if (jobs > JOBS_MAX)
		return err_set(ERR_USAGE, "at most %d jobs", JOBS_MAX);
	if (!o->policy && (!o->verify || (!o->verify->n_keys &&
					  !o->verify->n_signers)))
		return err_set(ERR_USAGE, "give keys or a policy (or keyless "
			       "signers)");
	if ((rc = audit_host(host, o->registry)) < 0)
		return rc;
	co.registry = host;
	a.cap = jobs * 4 < 16 ? 16 : jobs * 4;
	if (!(a.q = calloc(a.cap, sizeof(*a.q))) ||
	    !(w = calloc(jobs, sizeof(*w)))) {
		free(a.q);
		return err_set(ERR_NOMEM, "out of memory");
	}
	pthread_mutex_init(&a.lock, NULL);
	pthread_mutex_init(&a.out_lock, NULL);
	pthread_cond_init(&a.not_full, NULL);
	pthread_cond_init(&a.not_empty, NULL);
	/* a registry-wide walk may rightly take hours: no deadline unless
	 * the caller gives one */
	if (o->ropts)
		ropts = *o->ropts;
	if (!ropts.deadline)
		ropts.deadline = -1;
	if ((rc = registry_new(&cat, &ropts)) < 0 ||
	    (rc = registry_new(&wk.reg, &ropts)) < 0)
		goto out;
	for (i = 0; i < jobs; i++) {
		w[i].a = &a;
		if ((rc = registry_new(&w[i].reg, &ropts)) < 0)
			goto out;
	}
	for (i = 0; i < jobs; i++) {
		if (pthread_create(&w[i].thread, NULL, worker_main, &w[i]))
			break;
		w[i].started = true;
		started++;
	}
	if (!started) {
		rc = err_set(ERR_NOMEM, "cannot start a thread");
		goto out;
	}
	rc = registry_catalog(cat, co.registry, walk_repo, &wk);
	if (rc < 0)
		snprintf(msg, sizeof(msg), "%s", err_msg());
out:
	pthread_mutex_lock(&a.lock);
	a.walk_done = true;
	pthread_cond_broadcast(&a.not_empty);
	pthread_mutex_unlock(&a.lock);
	for (i = 0; i < jobs; i++)
		if (w[i].started)
			pthread_join(w[i].thread, NULL);
	a.t.requests = (cat ? registry_request_count(cat) : 0) +
		       (wk.reg ? registry_request_count(wk.reg) : 0);
	for (i = 0; i < jobs; i++) {
		if (w[i].reg)
			a.t.requests += registry_request_count(w[i].reg);
		registry_free(w[i].reg);
	}
	registry_free(cat);
	registry_free(wk.reg);
	pthread_cond_destroy(&a.not_empty);
	pthread_cond_destroy(&a.not_full);
	pthread_mutex_destroy(&a.out_lock);
	pthread_mutex_destroy(&a.lock);
	free(a.q);
	free(w);
	*out = a.t;
	if (msg[0])
		err_set(rc, "%s", msg);
	return rc;
}
