/*
 * engine.c - a GET to the Docker engine's API over its Unix socket (the
 * gate asks the daemon what an image is). libcurl stays in registry/.
 */
#include <stdio.h>
#include <string.h>
#include <curl/curl.h>

#include "registry.h"

struct engine_sink {
	struct buf *body;
	bool overflow;
};

static size_t on_engine_body(char *data, size_t size, size_t n, void *ctx)
{
	struct engine_sink *s = ctx;
	size_t len = size * n;

	if (buf_append(s->body, data, len) < 0) {
		s->overflow = true;
		return 0;	/* curl aborts the transfer */
	}
	return len;
}

/* Only what image names, IDs and container names are made of: the path
 * is never anything the engine would read as a second segment or a
 * query. */
static bool engine_path_ok(const char *path)
{
	const char *p;

	if (path[0] != '/' || strstr(path, "..") || strstr(path, "//"))
		return false;
	for (p = path; *p; p++)
		if (!strchr("abcdefghijklmnopqrstuvwxyz"
			    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:/@-", *p))
			return false;
	return true;
}

int registry_engine_get(struct buf *out, long *status, const char *socket,
			const char *path, long timeout)
{
	struct engine_sink sink = { out, false };
	char url[1024], errbuf[CURL_ERROR_SIZE] = "";
	CURL *c;
	CURLcode cc;
	int rc = 0;

	*status = 0;
	if (!engine_path_ok(path) ||
	    snprintf(url, sizeof(url), "http://docker%s", path) >=
	    (int)sizeof(url))
		return err_set(ERR_USAGE, "not a name the docker engine knows: "
			       "'%.200s'", path);
	if (registry_global_init() < 0)
		return ERR_NET;
	if (!(c = curl_easy_init()))
		return err_set(ERR_NOMEM, "out of memory");
	curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, socket);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http");
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, timeout > 0 ? timeout : 30L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "signet/" SIGNET_VERSION);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_engine_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
	cc = curl_easy_perform(c);
	if (sink.overflow)
		rc = err_set(ERR_FORMAT, "the docker engine's answer for '%s' "
			     "is over %zu bytes", path, out->max);
	else if (cc != CURLE_OK)
		rc = err_set(ERR_NET, "cannot reach the docker engine at '%s': "
			     "%s", socket, errbuf[0] ? errbuf :
			     curl_easy_strerror(cc));
	else
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	curl_easy_cleanup(c);
	return rc;
}
