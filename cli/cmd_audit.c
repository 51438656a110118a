/*
 * cmd_audit.c - signet audit: verify every image of a registry, one line
 * (or one JSON object) per image as it is done, a progress line on a
 * terminal, and the totals last.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

const char cmd_audit_usage[] =
	"signet audit --key FILE [--key FILE]... [--require-tlog] "
	"[--trusted-root FILE] [--repo GLOB]... [--jobs N] "
	"[--json] [--quiet] [options] REGISTRY\n"
	"       signet audit {--certificate-identity ID | "
	"--certificate-identity-regexp RE} {--certificate-oidc-issuer URL | "
	"--certificate-oidc-issuer-regexp RE} [--trusted-root FILE] "
	"[--key FILE]... [--repo GLOB]... [--jobs N] [--json] [--quiet] "
	"[options] REGISTRY\n"
	"       signet audit [--policy FILE] [--repo GLOB]... [--jobs N] "
	"[--json] [--quiet] [options] REGISTRY";

struct audit_args {
	struct cli_common c;
	struct cli_trust trust;
	struct cli_keyless kl;
	const char *policy_file;
	const char *globs[64];
	size_t n_globs;
	long jobs;
	bool json;
	bool quiet;
};

/* ---- the screen ---------------------------------------------------------- */

struct audit_out {
	bool json;
	bool progress;			/* a status line on stderr */
	bool shown;			/* it is on the screen now */
	bool stdout_tty;
	struct timespec t0, last;
};

static double seconds_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) +
	       (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Rewrite the progress line, at most ten times a second. */
static void audit_progress(struct audit_out *ao,
			   const struct audit_progress *p)
{
	double dt;

	if (!ao->progress || seconds_since(&ao->last) < 0.1)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ao->last);
	dt = seconds_since(&ao->t0);
	fprintf(stderr, "\raudit: %zu/%zu images, %.0f/s\033[K", p->done,
		p->seen, dt > 0 ? (double)p->done / dt : 0.0);
	fflush(stderr);
	ao->shown = true;
}

/* An item's strings, control characters stripped, and its name. */
struct item_text {
	char repo[REF_REPO_MAX], tag[REF_TAG_MAX], plat[128], why[1024];
	char name[REF_HOST_MAX + REF_REPO_MAX + DIGEST_STR_MAX + 200];
};

static void item_text(struct item_text *t, const struct audit_item *it)
{
	const char *dg = it->digest->str;

	str_sanitize(t->repo, sizeof(t->repo), it->repository);
	str_sanitize(t->tag, sizeof(t->tag), it->tag ? it->tag : "");
	str_sanitize(t->plat, sizeof(t->plat),
		     it->platform ? it->platform : "");
	str_sanitize(t->why, sizeof(t->why), it->reason);
	if (it->tag)
		snprintf(t->name, sizeof(t->name), "%s/%s:%s", it->registry,
			 t->repo, t->tag);
	else if (dg[0])
		snprintf(t->name, sizeof(t->name), "%s/%s@%s", it->registry,
			 t->repo, dg);
	else
		snprintf(t->name, sizeof(t->name), "%s/%s", it->registry,
			 t->repo);
}

/* An item's --json line. New, or NULL. */
static json_t *item_json(const struct audit_item *it,
			 const struct item_text *t)
{
	char full[REF_HOST_MAX + REF_REPO_MAX + REF_TAG_MAX + 2];
	char tag[REF_TAG_MAX];
	const char *dg = it->digest->str;
	json_t *o;

	snprintf(full, sizeof(full), "%s/%s", it->registry, t->repo);
	o = json_pack("{s:s,s:s,s:s,s:b}", "status",
		      audit_status_name(it->status), "image", t->name,
		      "repository", full, "reused", it->reused);
	if (!o)
		return NULL;
	if (it->tag)
		json_object_set_new(o, "tag", json_string(t->tag));
	if (dg[0])
		json_object_set_new(o, "digest", json_string(dg));
	if (it->platform)
		json_object_set_new(o, "platform", json_string(t->plat));
	if (it->index_tag) {
		str_sanitize(tag, sizeof(tag), it->index_tag);
		snprintf(full, sizeof(full), "%s/%s:%s", it->registry,
			 t->repo, tag);
		json_object_set_new(o, "index", json_string(full));
	}
	if (t->why[0])
		json_object_set_new(o, "reason", json_string(t->why));
	if (it->warning && it->warning[0])
		json_object_set_new(o, "warning", json_string(it->warning));
	if (it->key[0] || (it->identity && it->identity[0]))
		json_object_set_new(o, "format", json_string(it->format));
	if (it->key[0])
		json_object_set_new(o, "key", json_string(it->key));
	if (it->identity && it->identity[0]) {
		json_object_set_new(o, "keyless", json_true());
		json_object_set_new(o, "identity", json_string(it->identity));
		json_object_set_new(o, "issuer", json_string(it->issuer));
	}
	return o;
}

/* audit_registry's on_item: one line per image. */
static void audit_print(void *ctx, const struct audit_item *it,
			const struct audit_progress *p)
{
	struct audit_out *ao = ctx;
	struct item_text t;
	const char *dg = it->digest->str;
	json_t *o;

	item_text(&t, it);
	if (ao->shown && ao->stdout_tty) {
		fputs("\r\033[K", stderr);
		ao->shown = false;
		clock_gettime(CLOCK_MONOTONIC, &ao->last);
		ao->last.tv_sec--;	/* redraw right after this line */
	}
	if (ao->json) {
		if ((o = item_json(it, &t)))
			cli_put_json(o, true);
		json_decref(o);
	} else {
		printf("%s\t%s%s%s%s\t%s\t%s", audit_status_name(it->status),
		       t.name, it->platform ? " (" : "", t.plat,
		       it->platform ? ")" : "", dg[0] ? dg : "-",
		       t.why[0] ? t.why : it->warning && it->warning[0] ?
		       "" : "-");
		/* the warning ends the reason field: still four fields */
		if (it->warning && it->warning[0]) {
			printf("%swarning: ", t.why[0] ? "; " : "");
			cli_put_safe(stdout, it->warning);
		}
		fputc('\n', stdout);
	}
	fflush(stdout);
	audit_progress(ao, p);
}

/* The totals, last: @rc is audit_registry's, @dt the seconds it took. */
static void print_totals(const struct audit_out *ao,
			 const struct audit_totals *t, int rc, double dt)
{
	json_t *o;

	if (!ao->json) {
		printf("%zu image%s in %zu repositor%s: %zu signed, "
		       "%zu unsigned, %zu invalid, %zu error; %zu signature "
		       "tag%s skipped, %zu manifest%s verified, %lu requests, "
		       "%.1f s, %.0f images/s\n", t->images,
		       t->images == 1 ? "" : "s", t->repositories,
		       t->repositories == 1 ? "y" : "ies", t->n_signed,
		       t->n_unsigned, t->n_invalid, t->n_error, t->skipped,
		       t->skipped == 1 ? "" : "s", t->verified,
		       t->verified == 1 ? "" : "s", t->requests, dt,
		       dt > 0 ? (double)t->images / dt : 0.0);
		return;
	}
	/* milliseconds, as the seconds are given */
	dt = (double)(long long)(dt * 1000 + 0.5) / 1000;
	o = json_pack("{s:{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:f,s:b}}",
		      "totals", "images", (json_int_t)t->images,
		      "signed", (json_int_t)t->n_signed,
		      "unsigned", (json_int_t)t->n_unsigned,
		      "invalid", (json_int_t)t->n_invalid,
		      "error", (json_int_t)t->n_error,
		      "repositories", (json_int_t)t->repositories,
		      "skipped", (json_int_t)t->skipped,
		      "verified", (json_int_t)t->verified,
		      "requests", (json_int_t)t->requests,
		      "seconds", dt, "complete", rc >= 0);
	if (o)
		cli_put_json(o, true);
	json_decref(o);
}

/* ---- the options --------------------------------------------------------- */

/* One option: -1 to go on, else the exit status. */
static int audit_opt(const struct cli_cmd *self, struct audit_args *aa,
		     int opt, char **argv)
{
	char *end;

	if (cli_keyless_opt(&aa->kl, opt, optarg))
		return -1;
	switch (opt) {
	case 'k':
		return cli_trust_add(self, &aa->trust, optarg);
	case OPT_POLICY:
		aa->policy_file = optarg;
		return -1;
	case OPT_JOBS:
		aa->jobs = strtol(optarg, &end, 10);
		if (*end || end == optarg || aa->jobs < 1 || aa->jobs > 64)
			return cli_usage_error(self, "invalid --jobs '%s': "
					       "give 1 to 64", optarg);
		return -1;
	case OPT_REPO:
		if (aa->n_globs == 64)
			return cli_usage_error(self, "too many --repo%s",
					       NULL);
		aa->globs[aa->n_globs++] = optarg;
		return -1;
	case OPT_JSON:
		aa->json = true;
		return -1;
	case 'q':
		aa->quiet = true;
		return -1;
	}
	return cli_opt_default(self, &aa->c, opt, argv);
}

/* -1 to go on, else the exit status. */
static int audit_parse(const struct cli_cmd *self, struct audit_args *aa,
		       int argc, char **argv)
{
	static const struct option lo[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "policy", required_argument, NULL, OPT_POLICY },
		{ "jobs", required_argument, NULL, OPT_JOBS },
		{ "repo", required_argument, NULL, OPT_REPO },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "quiet", no_argument, NULL, 'q' },
		CLI_KEYLESS_OPTIONS,
		CLI_COMMON_OPTIONS, { 0 }
	};
	int opt, r;
	bool by_args;

	while ((opt = getopt_long(argc, argv, ":hqk:", lo, NULL)) != -1)
		if ((r = audit_opt(self, aa, opt, argv)) >= 0)
			return r;
	if (optind != argc - 1)
		return cli_usage_error(self, "audit: give one REGISTRY "
				       "(HOST[:PORT])%s", NULL);
	by_args = aa->trust.n_keys || cli_keyless_given(&aa->kl);
	if (aa->policy_file && by_args)
		return cli_usage_error(self, "audit: give --key (or a keyless "
				       "signer) or --policy, not both%s",
				       NULL);
	if (!by_args && (aa->kl.root_file || aa->kl.require_tlog))
		return cli_usage_error(self, "audit: --trusted-root and "
				       "--require-tlog go with --key or "
				       "--certificate-identity%s", NULL);
	return cli_policy_lock_check(by_args, aa->policy_file);
}

/* ---- the command --------------------------------------------------------- */

/* Audit with @o; print the totals; the exit status. */
static int audit_run(const struct cli_cmd *self, struct audit_opts *o,
		     bool json, bool quiet)
{
	struct audit_out ao = { .json = json };
	struct audit_totals t;
	const char *term = getenv("TERM");
	int rc;

	o->on_item = audit_print;
	o->ctx = &ao;
	/* the one escape sequence signet writes: not to a dumb terminal */
	ao.progress = !quiet && isatty(STDERR_FILENO) &&
		      (!term || strcmp(term, "dumb") != 0);
	ao.stdout_tty = isatty(STDOUT_FILENO);
	clock_gettime(CLOCK_MONOTONIC, &ao.t0);
	rc = audit_registry(o, &t);
	if (rc == ERR_USAGE)
		return cli_usage_error(self, "%s", err_msg());
	if (ao.shown)
		fputs("\r\033[K", stderr);
	print_totals(&ao, &t, rc, seconds_since(&ao.t0));
	fflush(stdout);
	if (rc < 0)
		return cli_fail(rc);
	if (t.n_error)
		return 2;
	if (t.n_unsigned || t.n_invalid)
		return 1;
	return 0;
}

int cmd_audit(const struct cli_cmd *self, int argc, char **argv)
{
	struct audit_args aa = { .jobs = 8 };
	struct verify_opts vo = { 0 };
	struct policy *pol = NULL;
	struct audit_opts o = { 0 };
	int rc, status;

	if ((status = audit_parse(self, &aa, argc, argv)) >= 0 ||
	    (status = cli_keyless_ready(self, &aa.kl, &vo,
					aa.kl.root_file ||
					aa.kl.require_tlog)) >= 0)
		goto out;
	status = 0;
	/* no --key nor keyless signer: the trust policy decides, loaded
	 * whole before any request */
	if (!aa.trust.n_keys && !vo.n_signers &&
	    (rc = cli_policy_load(&pol, NULL, 0, aa.policy_file, NULL)) < 0) {
		status = cli_fail(rc);
		goto out;
	}
	vo.keys = aa.trust.keys;
	vo.n_keys = aa.trust.n_keys;
	vo.certs = aa.trust.certs;
	vo.n_certs = aa.trust.n_certs;
	o.registry = argv[optind];
	o.ropts = &aa.c.ropts;
	o.verify = &vo;
	o.policy = pol;
	o.repo_globs = aa.globs;
	o.n_repo_globs = aa.n_globs;
	o.jobs = (unsigned)aa.jobs;
	status = audit_run(self, &o, aa.json, aa.quiet);
out:
	policy_free(pol);
	cli_trust_release(&aa.trust);
	cli_keyless_release(&aa.kl);
	return status;
}
