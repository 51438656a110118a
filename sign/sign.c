/* sign.c - see sign.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sign.h"
#include "../keys/keys.h"

int sign_image(struct registry *reg, const char *image,
	       const struct sign_opts *opts, struct sign_result *out)
{
	struct image_ref ref;
	struct manifest man = { 0 };
	struct buf payload, sig;
	char repo[REF_HOST_MAX + REF_REPO_MAX + 2], *sig_b64 = NULL;
	const char *reference;
	int rc;

	memset(out, 0, sizeof(*out));
	buf_init(&payload, SIGBLOB_MAX);
	buf_init(&sig, 4096);
	if ((rc = ref_parse(&ref, image)) < 0)
		return rc;
	out->by_tag = !ref_has_digest(&ref);
	reference = out->by_tag ? ref.tag : ref.digest.str;
	/* The one resolution: everything below uses man.digest. */
	if ((rc = registry_get_manifest(reg, &ref, reference, &man)) < 0)
		goto out;
	if ((rc = ref_format_repo(repo, sizeof(repo), &ref)) < 0 ||
	    (rc = ref_format_pinned(out->pinned, sizeof(out->pinned), &ref,
				    &man.digest)) < 0)
		goto out;
	if ((rc = simplesign_build(&payload, repo, &man.digest,
				   opts->annotations)) < 0)
		goto out;
	if ((rc = keys_sign_sha256(&sig, opts->key, payload.data,
				   payload.len)) < 0)
		goto out;
	if (!(sig_b64 = b64_encode(sig.data, sig.len))) {
		rc = err_set(ERR_NOMEM, "out of memory");
		goto out;
	}
	rc = sigs_append(reg, &ref, &man.digest, payload.data, payload.len,
			 sig_b64, &out->added);
	if (rc < 0)
		err_wrap(rc, "cannot store signature for '%s'", out->pinned);
out:
	free(sig_b64);
	buf_release(&sig);
	buf_release(&payload);
	manifest_release(&man);
	return rc;
}
