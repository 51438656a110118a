/*
 * verifier.c - how verify, list and run check images: by --key or
 * keyless signers, or else by the trust policy and only it; each image
 * under its own deadline unless --deadline is given.
 *
 * Several images of one verify or list are checked at once:
 * a few worker threads, each with a registry client of its own (a client
 * is not for two threads: one libcurl handle, its token and prefetch
 * caches), and the calling thread reporting each image in argument order
 * as soon as it and those before it are done. The policy, the keys and
 * the keyless signers are shared read-only, as audit's workers share them.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

bool cli_verify_by_args(const struct cli_verify_args *va)
{
	return va->trust.n_keys || cli_keyless_given(&va->kl);
}

/* ---- one image ----------------------------------------------------------- */

void cli_verifier_ropts(struct registry_opts *out,
			const struct cli_verify_args *va)
{
	*out = va->c.ropts;
	/* a deploy gate: a sick registry holds no image for long */
	if (!out->deadline)
		out->deadline = out->timeout > REGISTRY_IMAGE_DEADLINE ?
				out->timeout : REGISTRY_IMAGE_DEADLINE;
}

int cli_verifier_open(struct cli_verifier *out,
		      const struct cli_verify_args *va)
{
	struct registry_opts ropts;
	int rc;

	memset(out, 0, sizeof(*out));
	out->vo = &va->vo;
	/* no --key: the whole policy, key files included, before any
	 * request */
	if (!cli_verify_by_args(va) && va->mode != CLI_MODE_LIST &&
	    (rc = cli_policy_load(&out->pol, NULL, 0, va->policy_file,
				  NULL)) < 0)
		return rc;
	out->per_image = !va->c.ropts.deadline;
	cli_verifier_ropts(&ropts, va);
	return registry_new(&out->reg, &ropts);
}

void cli_verifier_warn(const struct verify_result *res,
		       const struct policy_verdict *v)
{
	if (v->rule && v->rule->action == POLICY_ACCEPT_ANYTHING)
		fprintf(stderr, "signet: warning: '%s' accepted without "
			"checking signatures: policy rule rules[%zu] "
			"(scope '%s') is insecure-accept-anything\n",
			res->pinned, v->rule->index, v->rule->scope);
}

int cli_verifier_check(struct cli_verifier *vr, const char *image,
		       struct verify_result *res, struct policy_verdict *v)
{
	memset(v, 0, sizeof(*v));
	if (vr->per_image)
		registry_deadline_restart(vr->reg);
	if (!vr->pol)
		return verify_image(vr->reg, image, vr->vo, res);
	return policy_verify(vr->reg, image, vr->pol, time(NULL), res, v);
}

void cli_verifier_close(struct cli_verifier *vr)
{
	registry_free(vr->reg);
	policy_free(vr->pol);
	vr->reg = NULL;
	vr->pol = NULL;
}

/* ---- several images at once ------------------------------------------- */

/* One image being checked: in slot i % window of the ring. */
struct slot {
	struct verify_result res;
	struct policy_verdict v;
	int rc;
	char msg[1024];			/* the worker's message when rc < 0 */
	bool done;
};

struct pool {
	char **images;
	size_t n, next;			/* next image to claim */
	size_t reported;		/* images reported, all before it too */
	size_t window;			/* slots: at most this many images
					 * checked and not yet reported */
	struct slot *slots;
	pthread_mutex_t lock;
	pthread_cond_t cv;
};

struct worker {
	struct pool *p;
	struct cli_verifier vr;		/* the caller's, with its own client */
	pthread_t thread;
	bool started;
};

/* The next image to check, or -1 when none is left: waits while the
 * workers are a whole window ahead of the report. */
static long pool_claim(struct pool *p)
{
	long i = -1;

	pthread_mutex_lock(&p->lock);
	while (p->next < p->n && p->next >= p->reported + p->window)
		pthread_cond_wait(&p->cv, &p->lock);
	if (p->next < p->n)
		i = (long)p->next++;
	pthread_mutex_unlock(&p->lock);
	return i;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct pool *p = w->p;
	struct slot *s;
	long i;

	while ((i = pool_claim(p)) >= 0) {
		s = &p->slots[(size_t)i % p->window];
		s->rc = cli_verifier_check(&w->vr, p->images[i], &s->res,
					   &s->v);
		if (s->rc < 0)
			snprintf(s->msg, sizeof(s->msg), "%s", err_msg());
		err_clear();
		pthread_mutex_lock(&p->lock);
		s->done = true;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->lock);
	}
	return NULL;
}

/* Wait for image @i, report it, free its slot. */
static int pool_report(struct pool *p, size_t i, cli_report_fn report,
		       void *ctx)
{
	struct slot *s = &p->slots[i % p->window];
	int status;

	pthread_mutex_lock(&p->lock);
	while (!s->done)
		pthread_cond_wait(&p->cv, &p->lock);
	pthread_mutex_unlock(&p->lock);
	err_clear();
	if (s->rc < 0)
		err_set(s->rc, "%s", s->msg);
	status = report(ctx, p->images[i], s->rc, &s->res, &s->v);
	policy_verdict_release(&s->v);
	verify_result_release(&s->res);
	pthread_mutex_lock(&p->lock);
	memset(s, 0, sizeof(*s));
	p->reported = i + 1;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->lock);
	return status;
}

/* Workers 1.. get clients of their own; worker 0 takes @vr's. */
static int workers_open(struct worker *w, size_t n, struct pool *p,
			const struct cli_verifier *vr,
			const struct cli_verify_args *va)
{
	struct registry_opts ropts;
	size_t i;
	int rc;

	cli_verifier_ropts(&ropts, va);
	for (i = 0; i < n; i++) {
		w[i].p = p;
		w[i].vr = *vr;
		if (i && (rc = registry_new(&w[i].vr.reg, &ropts)) < 0)
			return rc;
	}
	return 0;
}

static void workers_close(struct worker *w, size_t n)
{
	size_t i;

	for (i = 1; i < n; i++)
		registry_free(w[i].vr.reg);
	free(w);
}

/* Run the pool: the exit status, the highest of the reports'. */
static int pool_run(struct pool *p, struct worker *w, size_t n_workers,
		    cli_report_fn report, void *ctx)
{
	size_t i, started = 0;
	int s, status = 0;

	for (i = 0; i < n_workers; i++) {
		if (pthread_create(&w[i].thread, NULL, worker_main, &w[i]))
			break;
		w[i].started = true;
		started++;
	}
	if (!started)
		return -1;
	for (i = 0; i < p->n; i++) {
		s = pool_report(p, i, report, ctx);
		status = s > status ? s : status;
	}
	for (i = 0; i < n_workers; i++)
		if (w[i].started)
			pthread_join(w[i].thread, NULL);
	return status;
}

int cli_verify_many(struct cli_verifier *vr, const struct cli_verify_args *va,
		    cli_report_fn report, void *ctx)
{
	size_t jobs = va->jobs ? (size_t)va->jobs : CLI_VERIFY_JOBS;
	struct pool p = { .images = va->images, .n = (size_t)va->n_images };
	struct worker *w = NULL;
	int rc, status = -1;

	if (jobs > p.n)
		jobs = p.n;
	/* a slow image ahead holds up the report, not the workers, until
	 * they are this far ahead of it */
	p.window = 2 * jobs < p.n ? 2 * jobs : p.n;
	if (!(p.slots = calloc(p.window, sizeof(*p.slots))) ||
	    !(w = calloc(jobs, sizeof(*w)))) {
		free(p.slots);
		free(w);
		return cli_fail(err_set(ERR_NOMEM, "out of memory"));
	}
	pthread_mutex_init(&p.lock, NULL);
	pthread_cond_init(&p.cv, NULL);
	/* jansson seeds its hash on the first object, with atomics; seeded
	 * here, before the workers, no thread races for it (helgrind) */
	json_object_seed(0);
	if ((rc = workers_open(w, jobs, &p, vr, va)) < 0)
		status = cli_fail(rc);
	else if ((status = pool_run(&p, w, jobs, report, ctx)) < 0)
		status = cli_fail(err_set(ERR_NOMEM, "cannot start a "
					  "thread"));
	workers_close(w, jobs);
	pthread_cond_destroy(&p.cv);
	pthread_mutex_destroy(&p.lock);
	free(p.slots);
	return status;
}
