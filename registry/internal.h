/* internal.h - shared between the files of registry/ only. */
#ifndef SIGNET_REGISTRY_INTERNAL_H
#define SIGNET_REGISTRY_INTERNAL_H

#include "registry.h"

struct http_req {
	const char *method;		/* GET HEAD PUT POST PATCH DELETE */
	const char *host;		/* registry host[:port] */
	const char *path;		/* "/v2/..." with query */
	const char *repo;		/* for the auth scope */
	bool catalog;			/* needs registry:catalog:* scope */
	const char *const *headers;	/* NULL-terminated, or NULL */
	const void *body;
	size_t body_len;
	const char *what;		/* names the object in errors */
	bool follow;			/* follow redirects (GET/HEAD) */
	bool ok_404;			/* 404 is an answer, not an error */
};

struct http_resp {
	long status;
	struct buf body;
	char content_type[128];
	char location[2048];
	char www_auth[1024];
	char link[1024];
	bool oci_subject;
};

void http_resp_init(struct http_resp *r, size_t max);
void http_resp_release(struct http_resp *r);
/* Send @req with auth, redirects and scheme handling. Non-2xx statuses
 * become errors (ERR_NOTFOUND for 404 unless ok_404, ERR_AUTH for
 * 401/403, ERR_NET otherwise). */
int http_do(struct registry *reg, const struct http_req *req,
	    struct http_resp *resp);

/* Credentials from docker's config for one registry host. */
struct cred {
	char *basic;		/* base64("user:pass"), wiped on release */
};

/* Look up @host in $DOCKER_CONFIG/config.json or ~/.docker/config.json.
 * Absent config or entry: 0 with cred->basic NULL. */
int cred_lookup(struct cred *cred, const char *host);
void cred_release(struct cred *cred);

#endif
