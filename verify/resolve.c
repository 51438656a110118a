/*
 * resolve.c - from an image reference to the manifest it names: the
 * first step of verifying, shared by verify_image and the policy (whose
 * accept-anything rule does only this).
 */
#include <string.h>

#include "internal.h"

int verify_resolve(struct manifest *man, bool *borrowed,
		   struct registry *reg, const struct image_ref *ref,
		   const struct manifest *given, struct verify_result *out)
{
	int rc = 0;

	*borrowed = false;
	out->by_tag = !ref_has_digest(ref);
	/* the caller's copy only when it is what the digest names */
	if (given && !out->by_tag && digest_eq(&given->digest, &ref->digest)) {
		*man = *given;
		*borrowed = true;
	} else {
		rc = registry_get_manifest(reg, ref, out->by_tag ? ref->tag :
					   ref->digest.str, man);
	}
	if (rc < 0)
		return rc;
	out->digest = man->digest;
	return ref_format_pinned(out->pinned, sizeof(out->pinned), ref,
				 &man->digest);
}
