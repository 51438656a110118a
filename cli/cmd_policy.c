/*
 * cmd_policy.c - signet policy check|show: is a trust policy valid, and
 * what does it require of an image.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"

const char cmd_policy_usage[] =
	"signet policy check [FILE]\n"
	"       signet policy show [--policy FILE] IMAGE...";

/* ---- check --------------------------------------------------------------- */

static int policy_check_cmd(const struct cli_cmd *self, int argc,
			    char **argv)
{
	static const struct option lo[] = { CLI_COMMON_OPTIONS, { 0 } };
	struct policy_diags d = { 0 };
	struct policy *pol = NULL;
	struct cli_common c = { 0 };
	char path[4096];
	size_t i, warnings;
	int opt, r, rc;

	while ((opt = getopt_long(argc, argv, ":h", lo, NULL)) != -1)
		if ((r = cli_opt_default(self, &c, opt, argv)) >= 0)
			return r;
	if (argc - optind > 1)
		return cli_usage_error(self, "policy check: give one FILE at "
				       "most%s", NULL);
	rc = cli_policy_load(&pol, path, sizeof(path), optind < argc ?
			     argv[optind] : NULL, &d);
	for (i = 0; i < d.n; i++) {
		fprintf(stderr, "signet: %s%s: ", d.items[i].warning ?
			"warning: " : "", path);
		cli_put_safe(stderr, d.items[i].msg);
		fputc('\n', stderr);
	}
	warnings = d.n - d.n_errors;
	if (rc < 0 && d.n_errors == 0)
		cli_fail(rc);	/* not a problem of the policy's own */
	if (rc == 0)
		printf("%s: ok: %zu key%s, %zu rule%s", path, pol->n_keys,
		       pol->n_keys == 1 ? "" : "s", pol->n_rules,
		       pol->n_rules == 1 ? "" : "s");
	if (rc == 0 && warnings)
		printf(", %zu warning%s", warnings, warnings == 1 ? "" : "s");
	if (rc == 0)
		printf("\n");
	policy_diags_release(&d);
	policy_free(pol);
	return rc < 0 ? 2 : 0;
}

/* ---- show ---------------------------------------------------------------- */

/* What policy show prints for one keyless entry; @o another entry
 * naming the same signer that revokes it, or NULL. */
static void show_keyless(const struct policy_key *k,
			 const struct policy_key *o)
{
	printf("  keyless:     %s, identity %s'", k->name, k->identity ?
	       "" : "matching ");
	cli_put_safe(stdout, k->identity ? k->identity : k->identity_re);
	printf("', issuer %s'", k->issuer ? "" : "matching ");
	cli_put_safe(stdout, k->issuer ? k->issuer : k->issuer_re);
	printf("'");
	/* judged at the time the log or a timestamp vouches for */
	if (k->revoked && !k->revoked_timed)
		printf(", revoked");
	else if (k->revoked)
		printf(", revoked for signatures made from %s on",
		       k->revoked_since);
	else if (o && !o->revoked_timed)
		printf(", revoked as %s", o->name);
	else if (o)
		printf(", revoked as %s for signatures made from %s on",
		       o->name, o->revoked_since);
	printf("\n");
}

/* What policy show prints for one key entry. */
static void show_key(const struct policy *p, const struct policy_key *k,
		     time_t now)
{
	const struct policy_key *o = policy_key_revoked_as(p, k);
	char desc[64];

	if (k->keyless) {
		show_keyless(k, o);
		return;
	}
	if (k->certificate) {
		printf("  certificate: %s, %zu in %s", k->name, k->n_certs,
		       k->file);
	} else {
		keys_describe(desc, sizeof(desc), p->pkeys[k->key_index]);
		printf("  key:         %s, %s %s", k->name, desc,
		       k->fingerprint);
	}
	if (k->revoked && !k->revoked_timed)
		printf(", revoked");
	else if (k->revoked && policy_key_revoked(k, now))
		printf(", revoked since %s", k->revoked_since);
	else if (k->revoked)
		printf(", to be revoked at %s", k->revoked_since);
	/* one key, many names: revoked under one, revoked under all */
	else if (o && !o->revoked_timed)
		printf(", revoked as %s", o->name);
	else if (o && policy_key_revoked(o, now))
		printf(", revoked as %s since %s", o->name, o->revoked_since);
	else if (o)
		printf(", to be revoked as %s at %s", o->name,
		       o->revoked_since);
	printf("\n");
}

static void show_kv(const char *label, const struct kvlist *l,
		    const char *sep)
{
	size_t i;

	if (!l->n)
		return;
	printf("  %-12s ", label);
	for (i = 0; i < l->n; i++) {
		printf("%s", i ? sep : "");
		cli_put_safe(stdout, l->items[i].key);
		printf("=");
		cli_put_safe(stdout, l->items[i].value);
	}
	printf("\n");
}

/* The repository cosign signatures for @repo must name under @ru, when a
 * "signed-identity" makes it another than @repo's own. */
static void show_identity(const struct policy_rule *ru, const char *repo)
{
	char want[SIGNED_IDENTITY_MAX];

	if (signed_identity_strict(ru->identity))
		return;
	if (signed_identity_expect(want, sizeof(want), ru->identity,
				   repo) < 0) {
		printf("  signed for:  none: %s\n", err_msg());
		err_clear();
	} else {
		printf("  signed for:  %s (cosign signatures; "
		       "signed-identity)\n", want);
	}
}

/* Does rule @ru use trusted root @i of @p: for a keyless entry it
 * trusts, or for its log entries (require-tlog)? */
static bool root_used(const struct policy *p, const struct policy_rule *ru,
		      size_t i)
{
	size_t j;

	if (ru->require_tlog && p->roots[i].root == p->trustroot)
		return true;
	for (j = 0; j < ru->n_keys; j++)
		if (p->keys[ru->keys[j]].keyless &&
		    p->keys[ru->keys[j]].root == (int)i)
			return true;
	return false;
}

/* The trusted roots rule @ru uses: each on a line, and when there are
 * several, what each anchors. */
static void show_roots(const struct policy *p, const struct policy_rule *ru)
{
	size_t i, j, n = 0;
	const char *sep;

	for (i = 0; i < p->n_roots; i++)
		n += root_used(p, ru, i);
	for (i = 0; i < p->n_roots; i++) {
		if (!root_used(p, ru, i))
			continue;
		printf("  trusted root: ");
		cli_put_safe(stdout, p->roots[i].name);
		for (j = 0, sep = ", for "; n > 1 && j < ru->n_keys; j++)
			if (p->keys[ru->keys[j]].keyless &&
			    p->keys[ru->keys[j]].root == (int)i) {
				printf("%s%s", sep, p->keys[ru->keys[j]].name);
				sep = ", ";
			}
		if (n > 1 && ru->require_tlog && p->roots[i].root ==
		    p->trustroot)
			printf("%slog entries (require-tlog)", sep);
		printf("\n");
	}
}

/* What rule @ru requires of @repo. */
static void show_rule(const struct policy *pol, const struct policy_rule *ru,
		      const char *repo, time_t now)
{
	char fmts[64];
	size_t j;

	if (!ru) {
		printf("  rule:        none matches: rejected\n");
		return;
	}
	printf("  rule:        rules[%zu] '%s'\n", ru->index, ru->scope);
	if (ru->action == POLICY_REJECT) {
		printf("  requires:    nothing: rejected (reject)\n");
		return;
	}
	if (ru->action == POLICY_ACCEPT_ANYTHING) {
		printf("  requires:    nothing: accepted without checking "
		       "signatures (insecure-accept-anything)\n");
		return;
	}
	printf("  requires:    signatures by %zu distinct key%s of %zu\n",
	       ru->threshold, ru->threshold == 1 ? "" : "s", ru->n_keys);
	for (j = 0; j < ru->n_keys; j++)
		show_key(pol, &pol->keys[ru->keys[j]], now);
	show_roots(pol, ru);
	format_list(fmts, sizeof(fmts), ru->formats);
	printf("  formats:     %s\n", fmts);
	if (ru->require_tlog)
		printf("  log entry:   required (require-tlog)\n");
	if (ru->n_tsa_certs)
		printf("  timestamps:  %zu timestamp authorit%s trusted for "
		       "notation (tsa-certificates)\n", ru->n_tsa_certs,
		       ru->n_tsa_certs == 1 ? "y" : "ies");
	show_kv("annotations:", &ru->annotations, ", ");
	show_kv("subject:", &ru->subject, ", ");
	show_identity(ru, repo);
}

static int policy_show_cmd(const struct cli_cmd *self, int argc,
			   char **argv)
{
	static const struct option lo[] = {
		{ "policy", required_argument, NULL, OPT_POLICY },
		CLI_COMMON_OPTIONS, { 0 }
	};
	char repo[REF_HOST_MAX + REF_REPO_MAX + 2];
	const char *file = NULL;
	struct policy *pol = NULL;
	struct cli_common c = { 0 };
	time_t now = time(NULL);
	int opt, r, rc, status = 0, i;

	while ((opt = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
		if (opt == OPT_POLICY)
			file = optarg;
		else if ((r = cli_opt_default(self, &c, opt, argv)) >= 0)
			return r;
	}
	if (optind >= argc)
		return cli_usage_error(self, "policy show: give at least one "
				       "IMAGE%s", NULL);
	if ((r = cli_policy_lock_check(false, file)) >= 0)
		return r;
	if ((rc = cli_policy_load(&pol, NULL, 0, file, NULL)) < 0)
		return cli_fail(rc);
	for (i = optind; i < argc; i++) {
		struct image_ref ref;

		if ((rc = ref_parse(&ref, argv[i])) < 0 ||
		    (rc = ref_format_repo(repo, sizeof(repo), &ref)) < 0) {
			status = cli_fail(rc);
			continue;
		}
		printf("%s%s\n  policy:      %s\n", i > optind ? "\n" : "",
		       repo, pol->path);
		show_rule(pol, policy_match(pol, repo), repo, now);
	}
	fflush(stdout);
	policy_free(pol);
	return status;
}

int cmd_policy(const struct cli_cmd *self, int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : "";

	if (strcmp(sub, "check") == 0)
		return policy_check_cmd(self, argc - 1, argv + 1);
	if (strcmp(sub, "show") == 0)
		return policy_show_cmd(self, argc - 1, argv + 1);
	if (strcmp(sub, "-h") == 0 || strcmp(sub, "--help") == 0) {
		cli_print_help(self);
		return 0;
	}
	return cli_usage_error(self, *sub ? "unknown policy command '%s'" :
			       "policy: give check or show%s", sub);
}
