/*
 * identity.c - which repository a cosign signature's docker-reference must
 * name: the image's own (the default), one given repository (a copy of an
 * image, or the same registry under another name), or the image's name
 * with a prefix replaced (a mirror of many repositories). This only
 * changes the name expected; the payload must still sign the image's
 * digest, which verify.c checks first. Pure: no I/O.
 */
#include <stdio.h>
#include <string.h>

#include "verify.h"
#include "internal.h"

/* Is @s "HOST[:PORT][/PATH]" without tag or digest, the registry written
 * as signet writes it? The parser decides, on @s + "/x", so that a prefix
 * and an image name can never be read differently. ERR_USAGE when not. */
static int check_prefix(const char *s)
{
	char probe[SIGNED_IDENTITY_MAX + 3];
	struct image_ref r;
	size_t host = strcspn(s, "/");
	int n;

	if (!*s || s[strlen(s) - 1] == '/' || strchr(s, '@') ||
	    strchr(s + host, ':') || strchr(s, '*'))
		return err_set(ERR_USAGE, "'%.200s' is not a registry host "
			       "with an optional path, without wildcards, "
			       "tag or digest", s);
	n = snprintf(probe, sizeof(probe), "%s/x", s);
	if (n < 0 || (size_t)n >= sizeof(probe))
		return err_set(ERR_USAGE, "'%.200s...' is too long", s);
	if (ref_parse(&r, probe) < 0 || strlen(r.registry) != host ||
	    strncmp(r.registry, s, host) != 0)
		return err_set(ERR_USAGE, "'%.200s' does not begin with a "
			       "registry host as signet writes it (like "
			       "'docker.io' or 'localhost:5000'), or its path "
			       "is not a valid repository path", s);
	return 0;
}

int signed_identity_repository(char *out, size_t outsz, const char *s,
			       bool expanded)
{
	const char *last = strrchr(s, '/');
	struct image_ref r;
	int rc;

	if (strchr(s, '@') || strchr(last ? last : s, ':'))
		return err_set(ERR_USAGE, "'%.200s' is not a repository: give "
			       "it without tag or digest", s);
	if ((rc = ref_parse(&r, s)) < 0 ||
	    (rc = ref_format_repo(out, outsz, &r)) < 0)
		return rc;
	if (expanded && strcmp(out, s) != 0)
		return err_set(ERR_USAGE, "write repository '%.200s' in full, "
			       "as '%.200s'", s, out);
	return 0;
}

int signed_identity_expect(char *out, size_t outsz,
			   const struct signed_identity *id, const char *repo)
{
	char mapped[2 * SIGNED_IDENTITY_MAX];
	const char *want = repo;
	struct image_ref r;
	size_t n;
	int len;

	if (id && id->type == SIGNED_IDENTITY_REPOSITORY)
		want = id->repository;
	if (id && id->type == SIGNED_IDENTITY_REMAP) {
		n = strlen(id->prefix);
		if (strncmp(repo, id->prefix, n) != 0 ||
		    (repo[n] != '\0' && repo[n] != '/'))
			goto copy;	/* outside the prefix: its own name */
		if (!repo[n] && !strchr(id->signed_prefix, '/'))
			return err_set(ERR_VERIFY, "remapping '%.200s' to "
				       "'%.200s' names no repository", repo,
				       id->signed_prefix);
		len = snprintf(mapped, sizeof(mapped), "%s%s",
			       id->signed_prefix, repo + n);
		/* docker's reading: "docker.io/alpine" is library/alpine */
		if (len < 0 || (size_t)len >= sizeof(mapped) ||
		    ref_parse(&r, mapped) < 0)
			return err_set(ERR_VERIFY, "remapping '%.200s' gives "
				       "no valid repository name", repo);
		return ref_format_repo(out, outsz, &r);
	}
copy:
	len = snprintf(out, outsz, "%s", want);
	if (len < 0 || (size_t)len >= outsz)
		return err_set(ERR_FORMAT, "image name too long");
	return 0;
}

bool signed_identity_strict(const struct signed_identity *id)
{
	return !id || id->type == SIGNED_IDENTITY_SAME;
}

/* ---- the policy's "signed-identity" -------------------------------------- */

/* The string member @field of @v into @out, vetted as a repository
 * (@prefix false) or a prefix. false after an error. */
static bool read_name(struct jp_reader *r, const json_t *v, const char *jp,
		      const char *field, bool prefix, char *out, size_t outsz)
{
	const char *s = jp_get_str(r, v, field, jp, true);
	char sub[JP_MAX];
	int n;

	if (!s)
		return false;
	jp_key(sub, jp, field);
	if (prefix ? check_prefix(s) < 0 :
	    signed_identity_repository(out, outsz, s, true) < 0) {
		jp_report(r, ERR_FORMAT, sub, "%s", err_msg());
		err_clear();
		return false;
	}
	n = snprintf(out, outsz, "%s", s);
	if (n < 0 || (size_t)n >= outsz) {
		jp_report(r, ERR_FORMAT, sub, "too long");
		return false;
	}
	return true;
}

/* Doubts about an identity that parsed, given the rule's @scope. */
static void identity_doubts(struct jp_reader *r, const char *jp,
			    const struct signed_identity *id,
			    const char *scope)
{
	size_t n = strlen(id->prefix);

	if (!scope)
		return;
	if (id->type == SIGNED_IDENTITY_REPOSITORY && strchr(scope, '*'))
		jp_report(r, 0, jp, "signatures for '%s' count for every image "
			  "scope '%s' matches", id->repository, scope);
	if (id->type == SIGNED_IDENTITY_REMAP &&
	    (strncmp(scope, id->prefix, n) != 0 ||
	     (scope[n] != '\0' && scope[n] != '/')))
		jp_report(r, 0, jp, "scope '%s' matches images outside prefix "
			  "'%s'; their signatures must name their own "
			  "repository", scope, id->prefix);
}

int signed_identity_read(struct signed_identity *out, struct jp_reader *r,
			 const json_t *v, const char *jp, const char *scope)
{
	static const char *const fields[] = { "type", "repository", "prefix",
					      "signed-prefix", NULL };
	static const char *const types[] = { "same-repository",
					     "exact-repository", "remap" };
	const char *type;
	size_t errors = r->n_errors, i;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(v)) {
		jp_report(r, ERR_FORMAT, jp, "expected an object with "
			  "\"type\"");
		return ERR_FORMAT;
	}
	jp_only_fields(r, v, jp, fields, "type, repository, prefix, "
		       "signed-prefix");
	if (!(type = jp_get_str(r, v, "type", jp, true)))
		return ERR_FORMAT;
	for (i = 0; i < 3 && strcmp(type, types[i]) != 0; i++)
		;
	if (i == 3) {
		char sub[JP_MAX];

		jp_report(r, ERR_FORMAT, jp_key(sub, jp, "type"), "unknown "
			  "type '%s' (known: same-repository, "
			  "exact-repository, remap)", type);
		return ERR_FORMAT;
	}
	out->type = (enum signed_identity_type)i;
	for (i = 1; i < 4; i++)
		if (json_object_get(v, fields[i]) &&
		    out->type != (i == 1 ? SIGNED_IDENTITY_REPOSITORY :
				  SIGNED_IDENTITY_REMAP))
			jp_report(r, ERR_FORMAT, jp, "type '%s' takes no "
				  "\"%s\"", type, fields[i]);
	if (out->type == SIGNED_IDENTITY_REPOSITORY)
		read_name(r, v, jp, "repository", false, out->repository,
			  sizeof(out->repository));
	if (out->type == SIGNED_IDENTITY_REMAP) {
		read_name(r, v, jp, "prefix", true, out->prefix,
			  sizeof(out->prefix));
		read_name(r, v, jp, "signed-prefix", true, out->signed_prefix,
			  sizeof(out->signed_prefix));
	}
	if (r->n_errors != errors)
		return ERR_FORMAT;
	identity_doubts(r, jp, out, scope);
	return 0;
}
