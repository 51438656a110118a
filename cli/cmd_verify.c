/*
 * cmd_verify.c - signet verify and signet list, and the path every image
 * takes to be verified (run's too): by --key, or else by the trust policy
 * and only it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

const char cmd_verify_usage[] =
	"signet verify --key FILE [--key FILE]... [-a KEY=VALUE]... "
	"[--format cosign|sigstore-bundle|notation]... "
	"[--signed-identity REPO] [--tsa-cert FILE]... [--require-tlog] "
	"[--trusted-root FILE] [--json] [--jobs N] [options] IMAGE...\n"
	"       signet verify {--certificate-identity ID | "
	"--certificate-identity-regexp RE} {--certificate-oidc-issuer URL | "
	"--certificate-oidc-issuer-regexp RE} [--trusted-root FILE] "
	"[--key FILE]... [-a KEY=VALUE]... "
	"[--format cosign|sigstore-bundle|notation]... "
	"[--signed-identity REPO] [--json] [--jobs N] [options] IMAGE...\n"
	"       signet verify [--policy FILE] [--json] [--jobs N] [options] "
	"IMAGE...\n"
	"       signet verify --offline DIR [--key FILE]... "
	"[-a KEY=VALUE]... [--format cosign|sigstore-bundle|notation]... "
	"[--signed-identity REPO] [--tsa-cert FILE]... [--policy FILE] "
	"[--json] [IMAGE]";

const char cmd_list_usage[] =
	"signet list [--key FILE]... [--certificate-identity ID | "
	"--certificate-identity-regexp RE] [--certificate-oidc-issuer URL | "
	"--certificate-oidc-issuer-regexp RE] [--trusted-root FILE] "
	"[--json] [--jobs N] [options] IMAGE...\n"
	"       signet list --offline DIR [--key FILE]... [--json] [IMAGE]";

/* ---- the options of verify, list and run --------------------------------- */

/* --tsa-cert FILE: the PEM certificates of timestamp authorities trusted
 * for Notary timestamp countersignatures, added to those given before.
 * -1 to go on, else the exit status. */
static int verify_tsa_cert(struct cli_verify_args *va, const char *path)
{
	X509 **got = NULL, **all;
	size_t n_got = 0, i;
	int rc;

	if ((rc = keys_load_certs(&got, &n_got, path)) < 0)
		return cli_fail(rc);
	all = realloc(va->tsa_certs, (va->n_tsa_certs + n_got) *
		      sizeof(*all));
	if (!all) {
		keys_certs_free(got, n_got);
		return cli_fail(err_set(ERR_NOMEM, "out of memory"));
	}
	for (i = 0; i < n_got; i++)
		all[va->n_tsa_certs++] = got[i];
	free(got);
	va->tsa_certs = all;
	va->vo.tsa_certs = va->tsa_certs;
	va->vo.n_tsa_certs = va->n_tsa_certs;
	return -1;
}

/* One option: -1 to go on, else the exit status. */
static int verify_opt(const struct cli_cmd *self, struct cli_verify_args *va,
		      int opt, char **argv)
{
	enum sig_format f;
	char *end;

	if (cli_keyless_opt(&va->kl, opt, optarg))
		return -1;
	switch (opt) {
	case 'k':
		return cli_trust_add(self, &va->trust, optarg);
	case OPT_TSA_CERT:
		return verify_tsa_cert(va, optarg);
	case 'a':
		if (kvlist_add_arg(&va->ann, optarg) < 0)
			return cli_usage_error(self, "%s", err_msg());
		return -1;
	case OPT_JSON:
		va->as_json = true;
		return -1;
	case OPT_POLICY:
		va->policy_file = optarg;
		return -1;
	case OPT_OFFLINE:
		va->c.ropts.layout = optarg;
		return -1;
	case OPT_SIGNED_IDENTITY:
		if (signed_identity_repository(va->identity.repository,
					       sizeof(va->identity.repository),
					       optarg, false) < 0)
			return cli_usage_error(self, "--signed-identity: %s",
					       err_msg());
		va->identity.type = SIGNED_IDENTITY_REPOSITORY;
		va->vo.identity = &va->identity;
		return -1;
	case OPT_JOBS:
		va->jobs = strtol(optarg, &end, 10);
		if (*end || end == optarg || va->jobs < 1 ||
		    va->jobs > CLI_VERIFY_JOBS_MAX)
			return cli_usage_error(self, "invalid --jobs '%s': "
					       "give 1 to 16", optarg);
		return -1;
	case OPT_FORMAT:
		if (!format_by_name(&f, optarg))
			return cli_usage_error(self, "unknown --format '%s': "
					       "use " FORMAT_NAMES, optarg);
		va->vo.formats |= FORMAT_BIT(f);
		return -1;
	}
	return cli_opt_default(self, &va->c, opt, argv);
}

/* The options that do not go together. -1 when they do, else the exit
 * status. */
static int verify_check(const struct cli_cmd *self,
			const struct cli_verify_args *va,
			enum cli_verify_mode mode)
{
	const char *name = self->name;
	bool n_keys = cli_verify_by_args(va);	/* keys or keyless signers */

	if (va->policy_file && (mode == CLI_MODE_LIST || n_keys))
		return cli_usage_error(self, mode == CLI_MODE_LIST ?
				       "%s: --policy is for verify" :
				       "%s: give --key (or a keyless signer) "
				       "or --policy, not both", name);
	if (mode != CLI_MODE_LIST && !n_keys &&
	    (va->kl.root_file || va->kl.require_tlog))
		return cli_usage_error(self, "%s: --trusted-root and "
				       "--require-tlog go with --key or "
				       "--certificate-identity; under a "
				       "policy its rule sets them", name);
	if (mode != CLI_MODE_LIST && !n_keys &&
	    (va->ann.n || va->vo.formats))
		return cli_usage_error(self, "%s: -a and --format go with "
				       "--key; under a policy its rule sets "
				       "them", name);
	if (va->vo.identity && (mode == CLI_MODE_LIST || !n_keys))
		return cli_usage_error(self, mode == CLI_MODE_LIST ?
				       "%s: --signed-identity is for verify "
				       "and run" : "%s: --signed-identity goes "
				       "with --key; under a policy the rule's "
				       "\"signed-identity\" says it", name);
	if (mode == CLI_MODE_RUN && va->as_json)
		return cli_usage_error(self, "run: --json is for verify%s",
				       NULL);
	if (mode == CLI_MODE_RUN && va->jobs)
		return cli_usage_error(self, "run: --jobs is for verify and "
				       "list%s", NULL);
	if (va->c.ropts.layout && !va->n_images && mode == CLI_MODE_VERIFY &&
	    !n_keys)
		/* under a policy the name picks the rule: it must come from
		 * the caller, never from the (untrusted) layout */
		return cli_usage_error(self, "verify --offline: give the IMAGE "
				       "name when a policy decides%s", NULL);
	if (mode != CLI_MODE_LIST)
		return cli_policy_lock_check(n_keys, va->policy_file);
	return -1;
}

/* --offline DIR without IMAGE: the image the layout was saved from. -1 to
 * go on, else the exit status. */
static int verify_saved_image(const struct cli_cmd *self,
			      struct cli_verify_args *va)
{
	int rc;

	if ((rc = registry_layout_name(va->saved, sizeof(va->saved),
				       va->c.ropts.layout)) < 0)
		return rc == ERR_USAGE ? cli_usage_error(self, "%s",
							 err_msg()) :
		       cli_fail(rc);
	va->saved_ptr = va->saved;
	va->images = &va->saved_ptr;
	va->n_images = 1;
	return -1;
}

int cli_verify_args_parse(struct cli_verify_args *va,
			  const struct cli_cmd *self,
			  enum cli_verify_mode mode, int argc, char **argv)
{
	static const struct option lo[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "annotation", required_argument, NULL, 'a' },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "policy", required_argument, NULL, OPT_POLICY },
		{ "offline", required_argument, NULL, OPT_OFFLINE },
		{ "signed-identity", required_argument, NULL,
		  OPT_SIGNED_IDENTITY },
		CLI_KEYLESS_OPTIONS,
		{ "tsa-cert", required_argument, NULL, OPT_TSA_CERT },
		{ "jobs", required_argument, NULL, OPT_JOBS },
		CLI_COMMON_OPTIONS, { 0 }
	};
	int opt, r;

	va->mode = mode;
	while ((opt = getopt_long(argc, argv, mode == CLI_MODE_RUN ?
				  "+:hk:a:" : ":hk:a:", lo, NULL)) != -1)
		if ((r = verify_opt(self, va, opt, argv)) >= 0)
			return r;
	va->images = argv + optind;
	va->n_images = argc - optind;
	va->vo.keys = va->trust.keys;
	va->vo.n_keys = va->trust.n_keys;
	va->vo.certs = va->trust.certs;
	va->vo.n_certs = va->trust.n_certs;
	va->vo.annotations = &va->ann;
	if ((r = verify_check(self, va, mode)) >= 0 ||
	    (r = cli_keyless_ready(self, &va->kl, &va->vo,
				   va->kl.root_file ||
				   va->kl.require_tlog)) >= 0)
		return r;
	if (va->n_tsa_certs && (!va->trust.n_keys || mode == CLI_MODE_LIST))
		return cli_usage_error(self, mode == CLI_MODE_LIST ?
				       "%s: --tsa-cert is for verify and run" :
				       "%s: --tsa-cert goes with --key (Notary "
				       "certificates); under a policy the "
				       "rule's \"tsa-certificates\" names "
				       "them", self->name);
	if (va->c.ropts.layout && !va->n_images && mode != CLI_MODE_RUN &&
	    (r = verify_saved_image(self, va)) >= 0)
		return r;
	if (!va->n_images)
		return cli_usage_error(self, mode == CLI_MODE_LIST ? "list: "
				       "give an IMAGE%s" :
				       mode == CLI_MODE_RUN ? "run: give -- "
				       "docker run|create|pull ... IMAGE%s" :
				       "verify: give at least one IMAGE%s",
				       NULL);
	return -1;
}

void cli_verify_args_release(struct cli_verify_args *va)
{
	cli_trust_release(&va->trust);
	cli_keyless_release(&va->kl);
	kvlist_release(&va->ann);
	keys_certs_free(va->tsa_certs, va->n_tsa_certs);
	va->tsa_certs = NULL;
	va->n_tsa_certs = 0;
}

/* ---- what verify and list print ------------------------------------------ */

/* Verified by a trusted key, or by a keyless signer given, whatever it
 * claims. */
static bool sig_verified(const struct sig_report *s)
{
	return s->key[0] || (s->keyless_ok && s->signer_index >= 0);
}

/* @t as RFC 3339 UTC into @out, or "-" when 0. */
static void time_text(char out[RFC3339_MAX], time_t t)
{
	if (!t || rfc3339_format(out, t) < 0)
		snprintf(out, RFC3339_MAX, "-");
}

/* A keyless signature's certificate identity and issuer (verified only
 * with keyless_ok) and its verified log entry, or a key signature's
 * verified log entry (--require-tlog), added to @o. */
static void keyless_json(json_t *o, const struct sig_report *s)
{
	char when[RFC3339_MAX];

	if (!s->keyless && s->log_index < 0)
		return;
	if (s->keyless) {
		json_object_set_new(o, "keyless", json_true());
		json_object_set_new(o, "identity", json_string(s->san));
		json_object_set_new(o, "issuer", json_string(s->issuer));
	}
	json_object_set_new(o, "log_index", s->log_index < 0 ? json_null() :
			    json_integer((json_int_t)s->log_index));
	time_text(when, s->logged_at);
	json_object_set_new(o, "integrated_time", s->logged_at ?
			    json_string(when) : json_null());
}

/* "timestamp": the time a verified RFC 3161 timestamp states. */
static void json_timestamp(json_t *o, const struct sig_report *s)
{
	char when[RFC3339_MAX];

	if (s->timestamp && rfc3339_format(when, s->timestamp) == 0)
		json_object_set_new(o, "timestamp", json_string(when));
}

static json_t *report_json(const struct verify_result *res, int rc,
			   bool judged)
{
	json_t *sigs = json_array(), *o;
	size_t i;

	for (i = 0; i < res->n_sigs; i++) {
		const struct sig_report *s = &res->sigs[i];

		o = json_pack("{s:s,s:s,s:b}", "format", s->format,
			      "payloadDigest", s->payload.str,
			      "valid", s->valid);
		if (!o)
			continue;
		/* verified: by a trusted key, whatever it claims; counted:
		 * toward the verdict (a policy's overrides it) */
		json_object_set_new(o, "verified",
				    json_boolean(sig_verified(s)));
		json_object_set_new(o, "counted", json_boolean(s->valid));
		if (s->key[0])
			json_object_set_new(o, "key", json_string(s->key));
		keyless_json(o, s);
		if (s->docker_ref)
			json_object_set_new(o, "dockerReference",
					    json_string(s->docker_ref));
		json_object_set(o, "annotations", s->annotations ?
				s->annotations : json_null());
		if (s->reason[0])
			json_object_set_new(o, "reason",
					    json_string(s->reason));
		json_timestamp(o, s);
		json_array_append_new(sigs, o);
	}
	o = json_pack("{s:s,s:s,s:o}", "image", res->pinned,
		      "digest", res->digest.str, "signatures", sigs);
	if (o) {
		json_object_set_new(o, "attachments",
				    cli_attachments_json(res, judged));
		json_object_set_new(o, "warnings", cli_warnings_json(res));
	}
	if (o && judged)
		json_object_set_new(o, "verified", json_boolean(rc == 0));
	if (o && rc < 0)
		json_object_set_new(o, "error", json_string(err_msg()));
	return o;
}

static const char *action_name(enum policy_action a)
{
	return a == POLICY_REJECT ? "reject" : a == POLICY_ACCEPT_ANYTHING ?
	       "insecure-accept-anything" : "signed";
}

/* The rule @r as the JSON report shows it, or NULL. */
static json_t *rule_json(const struct policy *p, const struct policy_rule *r)
{
	json_t *rule, *keys;
	size_t i;

	if (!r || !(rule = json_pack("{s:I,s:s,s:s}", "index",
				     (json_int_t)r->index, "scope", r->scope,
				     "action", action_name(r->action))))
		return NULL;
	if (r->action != POLICY_SIGNED)
		return rule;
	keys = json_array();
	for (i = 0; i < r->n_keys; i++)
		json_array_append_new(keys, json_string(
			p->keys[r->keys[i]].name));
	json_object_set_new(rule, "keys", keys);
	json_object_set_new(rule, "threshold",
			    json_integer((json_int_t)r->threshold));
	return rule;
}

/* Add the policy's verdict to an image's JSON report @o. */
static void policy_json(json_t *o, const struct policy *p,
			const struct policy_verdict *v)
{
	json_t *sigs = json_object_get(o, "signatures"), *rule;
	size_t i;

	json_object_set_new(o, "policy", json_string(p->path));
	rule = rule_json(p, v->rule);
	json_object_set_new(o, "rule", rule ? rule : json_null());
	json_object_set_new(o, "counted", json_integer((json_int_t)v->counted));
	json_object_set_new(o, "verified", json_boolean(v->trusted));
	json_object_set_new(o, "reason", json_string(v->reason));
	for (i = 0; i < v->n_sigs && i < json_array_size(sigs); i++) {
		const struct policy_sig *ps = &v->sigs[i];
		json_t *s = json_array_get(sigs, i);

		/* under a policy, valid is counted: a signature by a
		 * revoked or untrusted key is not valid, though verified */
		json_object_set_new(s, "counted", json_boolean(ps->counted));
		json_object_set_new(s, "valid", json_boolean(ps->counted));
		if (ps->key >= 0)
			json_object_set_new(s, "keyName",
					    json_string(p->keys[ps->key].name));
		if (!ps->counted) {
			json_object_set_new(s, "reason", json_string(ps->why));
			json_object_set_new(s, "whyNotCounted",
					    json_string(ps->why));
		} else {
			json_object_del(s, "reason");
		}
	}
}

/* An image's --json report, or NULL when there is none to give (the
 * error, if any, then goes to stderr). */
static json_t *image_json(const struct cli_verifier *vr, const char *image,
			  const struct verify_result *res,
			  const struct policy_verdict *v, int rc)
{
	json_t *o;

	if (!vr->pol)
		return res->pinned[0] ? report_json(res, rc,
						     vr->vo->n_keys ||
						     vr->vo->n_signers) :
		       NULL;
	if (!v->reason[0])
		return NULL;
	o = res->pinned[0] ? report_json(res, rc, true) :
	    json_pack("{s:s,s:[]}", "image", image, "signatures");
	if (!o)
		return NULL;
	policy_json(o, vr->pol, v);
	if (rc < 0 && !json_object_get(o, "error"))
		json_object_set_new(o, "error", json_string(err_msg()));
	return o;
}

/* list's signer field for a keyless signature: its identity, issuer
 * and log entry ("log -" when none was verified). */
static void print_keyless(const struct sig_report *s)
{
	char when[RFC3339_MAX];

	fputs("identity=", stdout);
	cli_put_safe(stdout, s->san[0] ? s->san : "?");
	fputs(" issuer=", stdout);
	cli_put_safe(stdout, s->issuer[0] ? s->issuer : "?");
	time_text(when, s->logged_at);
	if (s->log_index >= 0)
		printf(" log=%lld@%s", (long long)s->log_index, when);
	else
		fputs(" log=-", stdout);
}

/* list's line for each signature of @res, then the rest attached. */
static void print_list(const struct verify_result *res, bool keys)
{
	size_t j;

	if (res->n_sigs == 0)
		printf("%s: no signatures\n", res->pinned);
	for (j = 0; j < res->n_sigs; j++) {
		const struct sig_report *sr = &res->sigs[j];
		char *a = sr->annotations ? jx_dump(sr->annotations) : NULL;

		printf("%s\t%s\t", res->pinned, sr->format);
		if (sr->keyless && !sr->key[0])
			print_keyless(sr);
		else
			fputs(sr->key[0] ? sr->key : "-", stdout);
		fputc('\t', stdout);
		cli_put_safe(stdout, a ? a : "{}");
		if (sr->reason[0]) {
			fputs("\t", stdout);
			cli_put_safe(stdout, sr->reason);
		}
		fputc('\n', stdout);
		free(a);
	}
	cli_print_attachments(res, keys);
}

/* What reporting an image needs. */
struct report_ctx {
	const struct cli_verifier *vr;
	bool list, as_json;
	json_t *all;
};

/* Report one image checked (@rc, its message in err_msg()): to @all with
 * --json, else on stdout. The exit status. */
static int verify_report(void *ctx, const char *image, int rc,
			 const struct verify_result *res,
			 const struct policy_verdict *v)
{
	const struct report_ctx *c = ctx;
	json_t *o = NULL;

	if (!c->list || c->as_json || rc < 0)	/* else lines of the list */
		cli_print_warnings(res);
	if (c->as_json)
		o = image_json(c->vr, image, res, v, rc);
	if (o)
		json_array_append_new(c->all, o);
	else if (rc < 0)
		fprintf(stderr, "signet: %s\n", err_msg());
	else if (!c->as_json && c->list)
		print_list(res, c->vr->vo->n_keys > 0);
	else if (!c->as_json)
		printf("%s\n", res->pinned);
	if (rc == 0)
		cli_verifier_warn(res, v);
	cli_print_hint(res, rc);
	fflush(stdout);
	fflush(stderr);
	return err_exit_status(rc);
}

/* Check and report the images one after the other. The exit status. */
static int verify_each(struct cli_verifier *vr,
		       const struct cli_verify_args *va, struct report_ctx *c)
{
	struct verify_result res;
	struct policy_verdict v;
	int i, rc, s, status = 0;

	for (i = 0; i < va->n_images; i++) {
		rc = cli_verifier_check(vr, va->images[i], &res, &v);
		s = verify_report(c, va->images[i], rc, &res, &v);
		status = s > status ? s : status;
		policy_verdict_release(&v);
		verify_result_release(&res);
	}
	return status;
}

static int verify_or_list(const struct cli_cmd *self, int argc, char **argv,
			  bool list)
{
	struct cli_verify_args va = { 0 };
	struct cli_verifier vr = { 0 };
	json_t *all = json_array();
	struct report_ctx c = { .vr = &vr, .list = list, .all = all };
	int rc, status;

	if ((status = cli_verify_args_parse(&va, self, list ? CLI_MODE_LIST :
					    CLI_MODE_VERIFY, argc,
					    argv)) >= 0)
		goto out;
	status = 0;
	va.vo.exhaustive = list;	/* list shows every signature */
	va.vo.attachments = list;	/* and everything else attached */
	if ((rc = cli_verifier_open(&vr, &va)) < 0) {
		status = cli_fail(rc);
		goto out;
	}
	c.as_json = va.as_json;
	/* an image layout is one folder read from disk: nothing to
	 * overlap */
	if (va.n_images > 1 && va.jobs != 1 && !va.c.ropts.layout)
		status = cli_verify_many(&vr, &va, verify_report, &c);
	else
		status = verify_each(&vr, &va, &c);
	if (va.as_json)
		cli_put_json(all, false);
out:
	json_decref(all);
	cli_verifier_close(&vr);
	cli_verify_args_release(&va);
	return status;
}

int cmd_verify(const struct cli_cmd *self, int argc, char **argv)
{
	return verify_or_list(self, argc, argv, false);
}

int cmd_list(const struct cli_cmd *self, int argc, char **argv)
{
	return verify_or_list(self, argc, argv, true);
}
