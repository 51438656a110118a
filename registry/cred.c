/*
 * cred.c - registry credentials from docker's config.json ("auths" only;
 * credential helpers are not run). The secret is kept base64-encoded as
 * the Basic scheme wants it and wiped when released.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "internal.h"

#define CONFIG_MAX (1u << 20)

static int read_config(struct buf *out, const char *path)
{
	char chunk[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return errno == ENOENT ? 1 :
		       err_set_errno(ERR_IO, "cannot read '%s'", path);
	while ((n = read(fd, chunk, sizeof(chunk))) > 0) {
		if (buf_append(out, chunk, (size_t)n) < 0) {
			close(fd);
			secure_wipe(chunk, sizeof(chunk));
			return err_set(ERR_IO, "'%s' is too large", path);
		}
	}
	secure_wipe(chunk, sizeof(chunk));
	close(fd);
	if (n < 0)
		return err_set_errno(ERR_IO, "cannot read '%s'", path);
	return 0;
}

/* Does an "auths" key name @host? Keys may be bare hosts or URLs. */
static bool key_matches(const char *key, const char *host)
{
	size_t n;

	if (strncasecmp(key, "https://", 8) == 0)
		key += 8;
	else if (strncasecmp(key, "http://", 7) == 0)
		key += 7;
	n = strcspn(key, "/");
	if (strlen(host) == n && strncasecmp(key, host, n) == 0)
		return true;
	/* Docker Hub is stored under index.docker.io */
	return strcmp(host, "docker.io") == 0 && n == 15 &&
	       strncasecmp(key, "index.docker.io", 15) == 0;
}

int cred_lookup(struct cred *cred, const char *host)
{
	const char *dir = getenv("DOCKER_CONFIG"), *home = getenv("HOME");
	char path[4096];
	struct buf raw;
	json_t *doc = NULL, *auths, *entry;
	const char *key;
	int rc;

	cred->basic = NULL;
	if (dir && *dir)
		rc = snprintf(path, sizeof(path), "%s/config.json", dir);
	else if (home && *home)
		rc = snprintf(path, sizeof(path), "%s/.docker/config.json",
			      home);
	else
		return 0;
	if (rc < 0 || rc >= (int)sizeof(path))
		return err_set(ERR_IO, "docker config path too long");
	buf_init(&raw, CONFIG_MAX);
	rc = read_config(&raw, path);
	if (rc != 0)
		goto out;
	rc = jx_parse(&doc, raw.data, raw.len, path);
	if (rc < 0)
		goto out;
	auths = json_object_get(doc, "auths");
	json_object_foreach(auths, key, entry) {
		const char *a = jx_str(entry, "auth");

		if (!a || !*a || !key_matches(key, host))
			continue;
		/* must decode to "user:pass" to be worth sending */
		{
			struct buf dec;
			bool ok;

			buf_init(&dec, 4096);
			ok = b64_decode(&dec, a, strlen(a)) == 0 &&
			     memchr(dec.data, ':', dec.len) != NULL;
			buf_release_secret(&dec);
			if (!ok) {
				rc = err_set(ERR_AUTH, "malformed credentials "
					     "for '%s' in '%s'", host, path);
				goto out;
			}
		}
		cred->basic = strdup(a);
		if (!cred->basic)
			rc = err_set(ERR_NOMEM, "out of memory");
		break;
	}
out:
	/* the parsed document holds the secret too */
	if (doc) {
		json_object_foreach(json_object_get(doc, "auths"), key, entry) {
			json_t *a = json_object_get(entry, "auth");

			if (json_is_string(a))
				secure_wipe((char *)json_string_value(a),
					    json_string_length(a));
		}
		json_decref(doc);
	}
	buf_release_secret(&raw);
	return rc == 1 ? 0 : rc;
}

void cred_release(struct cred *cred)
{
	if (cred->basic) {
		secure_wipe(cred->basic, strlen(cred->basic));
		free(cred->basic);
		cred->basic = NULL;
	}
}
