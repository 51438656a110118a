/*
 * rootfile.c - which Sigstore trusted root a keyless verification uses:
 * a file the user names, else $SIGNET_TRUSTED_ROOT, else the public-good
 * instance's root built into signet. Nothing is ever fetched.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
	if (rc < 0) {
		/* "trusted root: JSON-PATH: ..." becomes "trusted root WHAT:
		 * JSON-PATH: ..." */
		const char *m = err_msg();
		char msg[1024];

		if (!strncmp(m, "trusted root: ", 14))
			m += 14;
		snprintf(msg, sizeof(msg), "%s", m);
		return err_set(rc, "trusted root %s: %s", what, msg);
	}
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

void keys_trustroot_lazy_init(struct keys_trustroot_lazy *l,
			      const char *given, bool builtin)
{
	memset(l, 0, sizeof(*l));
	l->given = given;
	l->builtin = builtin;
	pthread_mutex_init(&l->lock, NULL);
}

/* The load itself, timed for SIGNET_DEBUG. */
static void lazy_load(struct keys_trustroot_lazy *l)
{
	struct timespec t0, t1;
	const void *data;
	size_t len;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (l->builtin) {
		snprintf(l->which, sizeof(l->which), "%s",
			 KEYS_TRUSTROOT_BUILTIN);
		keys_trustroot_builtin_bytes(&data, &len);
		l->rc = keys_trustroot_parse(&l->root, data, len, l->which);
	} else {
		l->rc = keys_trustroot_select(&l->root, l->which,
					      sizeof(l->which), l->given);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (l->rc < 0) {
		snprintf(l->msg, sizeof(l->msg), "%s", err_msg());
		return;
	}
	debugf("trusted root %s loaded for a log entry in %ld us", l->which,
	       (long)((t1.tv_sec - t0.tv_sec) * 1000000 +
		      (t1.tv_nsec - t0.tv_nsec) / 1000));
}

int keys_trustroot_lazy_get(const struct keys_trustroot **out,
			    struct keys_trustroot_lazy *l)
{
	int rc;

	pthread_mutex_lock(&l->lock);
	if (!l->tried) {
		l->tried = true;
		lazy_load(l);
	}
	rc = l->rc;
	*out = l->root;
	pthread_mutex_unlock(&l->lock);
	return rc < 0 ? err_set(rc, "%s", l->msg) : 0;
}

bool keys_trustroot_lazy_tried(struct keys_trustroot_lazy *l)
{
	bool tried;

	pthread_mutex_lock(&l->lock);
	tried = l->tried;
	pthread_mutex_unlock(&l->lock);
	return tried;
}

void keys_trustroot_lazy_release(struct keys_trustroot_lazy *l)
{
	if (!l)
		return;
	keys_trustroot_free(l->root);
	l->root = NULL;
	pthread_mutex_destroy(&l->lock);
}
