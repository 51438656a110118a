/*
 * prefetch.c - the lookups that verifying an image begins with, asked for
 * all at once (registry_prefetch): http.c sends them beside the first of
 * them that is asked for, and keeps each answer for its request.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

/* A GET of @path from @repo with @accept, into the batch; a path too long
 * for a request is left out (its lookup will say why). */
static int add(struct registry *reg, const struct image_ref *repo,
	       const char *path, const char *const *accept)
{
	struct http_req req = {
		.method = "GET",
		.host = repo->registry,
		.path = path,
		.repo = repo->repository,
		.headers = accept,
		.follow = true,
	};

	return http_prefetch_add(reg, &req, MANIFEST_MAX);
}

/* The manifest of @repo tagged or pinned @reference, as
 * registry_get_manifest asks for it. */
static int add_manifest(struct registry *reg, const struct image_ref *repo,
			const char *reference)
{
	char path[1024];
	int w = snprintf(path, sizeof(path), "/v2/%s/manifests/%s",
			 repo->repository, reference);

	if (!registry_reference_ok(reference) || w < 0 ||
	    (size_t)w >= sizeof(path))
		return 0;
	return add(reg, repo, path, registry_manifest_accept);
}

int registry_prefetch(struct registry *reg, const struct image_ref *repo,
		      const struct digest *d, unsigned what)
{
	char tag[80], path[1024];
	int rc = 0;

	http_prefetch_begin(reg);
	/* what audit knows answers some of these without a request */
	if (http_known(reg, repo))
		return 0;
	if (what & PREFETCH_MANIFEST)
		rc = add_manifest(reg, repo, d->str);
	sigtag_for(tag, d);
	if (rc == 0 && (what & PREFETCH_SIG))
		rc = add_manifest(reg, repo, tag);
	/* as registry_get_referrers asks the API first */
	if (rc == 0 && (what & PREFETCH_REFERRERS) &&
	    snprintf(path, sizeof(path), "/v2/%s/referrers/%s",
		     repo->repository, d->str) < (int)sizeof(path))
		rc = add(reg, repo, path, registry_index_accept);
	return rc;
}
