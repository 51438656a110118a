/*
 * rootfile.c - which Sigstore trusted root a keyless verification uses:
 * a file the user names, else $SIGNET_TRUSTED_ROOT, else the public-good
 * instance's root built into signet. Nothing is ever fetched.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys.h"

/* The root built in (keys/production_trusted_root.json, from Sigstore's
 * root-signing repository: see tests/data/keyless/SOURCE), placed in the
 * binary by the assembler so that no build tool has to turn it into C. */
__asm__(".section .rodata\n"
	".balign 16\n"
	"signet_builtin_root:\n"
	".incbin \"keys/production_trusted_root.json\"\n"
	"signet_builtin_root_end:\n"
	".byte 0\n"
	".previous\n");

extern const char signet_builtin_root[], signet_builtin_root_end[];

int keys_trustroot_parse(struct keys_trustroot **out, const void *data,
			 size_t len, const char *what)
{
	struct trustedroot tr;
	int rc;

	*out = NULL;
	if ((rc = trustedroot_parse(&tr, NULL, data, len)) == 0)
		rc = keys_trustroot_new(out, &tr);
	trustedroot_release(&tr);
	if (rc < 0)
		return err_wrap(rc, "trusted root %s", what);
	return 0;
}

void keys_trustroot_builtin_bytes(const void **data, size_t *len)
{
	*data = signet_builtin_root;
	*len = (size_t)(signet_builtin_root_end - signet_builtin_root);
}

int keys_trustroot_select(struct keys_trustroot **out, char *which,
			  size_t which_sz, const char *given)
{
	const char *env = getenv("SIGNET_TRUSTED_ROOT");
	const char *path = given && *given ? given :
			   env && *env ? env : NULL;
	struct buf b;
	const void *data;
	size_t len;
	int rc;

	*out = NULL;
	if (!path) {
		snprintf(which, which_sz, "%s", KEYS_TRUSTROOT_BUILTIN);
		keys_trustroot_builtin_bytes(&data, &len);
		return keys_trustroot_parse(out, data, len, which);
	}
	snprintf(which, which_sz, "%s%s", path,
		 path == given ? "" : " ($SIGNET_TRUSTED_ROOT)");
	buf_init(&b, TRUSTEDROOT_MAX);
	if ((rc = file_read(&b, path, TRUSTEDROOT_MAX, FILE_FOLLOW,
			    "trusted root")) == 0)
		rc = keys_trustroot_parse(out, b.data, b.len, which);
	buf_release(&b);
	return rc;
}
