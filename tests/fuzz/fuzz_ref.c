/*
 * fuzz_ref.c - image references (registry/ref.c): ref_parse,
 * ref_format_repo, ref_format_pinned and ref_normalize_repo on any string.
 * Properties: a parsed reference's fields are NUL-terminated strings in
 * their arrays; a failed parse leaves @out zeroed; pinning a parsed
 * reference and parsing that gives the same registry, repository and
 * digest; ref_normalize_repo agrees with ref_parse and is idempotent.
 */
#include "fuzz.h"
#include "../../registry/registry.h"

#define PINNED_MAX (REF_HOST_MAX + REF_REPO_MAX + DIGEST_STR_MAX + 2)
#define REPO_MAX (REF_HOST_MAX + REF_REPO_MAX + 2)

static bool terminated(const char *s, size_t n)
{
	return memchr(s, '\0', n) != NULL;
}

static bool all_zero(const void *p, size_t n)
{
	const unsigned char *c = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (c[i])
			return false;
	return true;
}

static void check_parsed(const struct image_ref *r, const char *s)
{
	char repo[REPO_MAX], norm[REPO_MAX], again[REPO_MAX];
	char pinned[PINNED_MAX], small[24];
	struct image_ref p;
	struct digest d;

	FUZZ_CHECK(terminated(r->registry, sizeof(r->registry)));
	FUZZ_CHECK(terminated(r->repository, sizeof(r->repository)));
	FUZZ_CHECK(terminated(r->tag, sizeof(r->tag)));
	FUZZ_CHECK(r->registry[0] && r->repository[0]);
	FUZZ_CHECK(r->tag[0] || ref_has_digest(r));
	if (ref_has_digest(r))
		FUZZ_CHECK(digest_valid(r->digest.str));

	FUZZ_CHECK(ref_format_repo(repo, sizeof(repo), r) == 0);
	FUZZ_CHECK(ref_normalize_repo(norm, sizeof(norm), s) == 0);
	FUZZ_CHECK(strcmp(norm, repo) == 0);
	FUZZ_CHECK(ref_normalize_repo(again, sizeof(again), norm) == 0);
	FUZZ_CHECK(strcmp(again, norm) == 0);

	if (ref_has_digest(r))
		d = r->digest;
	else
		digest_of(&d, s, strlen(s));
	FUZZ_CHECK(ref_format_pinned(pinned, sizeof(pinned), r, &d) == 0);
	FUZZ_CHECK(ref_parse(&p, pinned) == 0);
	FUZZ_CHECK(strcmp(p.registry, r->registry) == 0);
	FUZZ_CHECK(strcmp(p.repository, r->repository) == 0);
	FUZZ_CHECK(digest_eq(&p.digest, &d));
	FUZZ_CHECK(p.tag[0] == '\0');

	/* too small: an error, never a cut-off name taken for a whole one */
	FUZZ_CHECK(ref_format_pinned(small, sizeof(small), r, &d) < 0);
	FUZZ_CHECK(terminated(small, sizeof(small)));
	memset(&d, 0, sizeof(d));
	FUZZ_CHECK(ref_format_pinned(pinned, sizeof(pinned), r, &d) < 0);
	FUZZ_CHECK(ref_format_pinned(pinned, sizeof(pinned), r, NULL) < 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct image_ref r;
	char norm[REPO_MAX], tiny[8];
	char *s = fuzz_cstr(data, size);

	if (!s)
		return 0;
	memset(&r, 0xa5, sizeof(r));
	if (ref_parse(&r, s) == 0)
		check_parsed(&r, s);
	else
		FUZZ_CHECK(all_zero(&r, sizeof(r)));
	if (ref_normalize_repo(norm, sizeof(norm), s) == 0)
		FUZZ_CHECK(terminated(norm, sizeof(norm)));
	if (ref_normalize_repo(tiny, sizeof(tiny), s) == 0)
		FUZZ_CHECK(strlen(tiny) < sizeof(tiny));
	err_clear();
	free(s);
	return 0;
}
