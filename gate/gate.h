/*
 * gate.h - signet gate: Docker's authorization plugin protocol, deciding
 * under the trust policy which images dockerd may pull and run.
 *
 * request.c reads what dockerd sends (pure, no I/O); decide.c judges an
 * image by the daemon's own records and the registry, with a verdict
 * cache; server.c serves the protocol on a Unix socket (libmicrohttpd)
 * and logs each decision as one JSON line.
 */
#ifndef SIGNET_GATE_H
#define SIGNET_GATE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "../core/core.h"
#include "../registry/registry.h"
#include "../verify/verify.h"

/* ---- what dockerd asks (request.c) -------------------------------------- */

#define GATE_BODY_MAX (4u << 20)	/* an AuthZReq or AuthZRes body */
#define GATE_API_BODY_MAX (2u << 20)	/* the API request body it carries
					 * (dockerd sends at most 1 MiB) */
#define GATE_NAME_MAX (REF_HOST_MAX + REF_REPO_MAX + DIGEST_STR_MAX + 2)

/* One AuthZReq, as far as the gate reads it. */
struct gate_authz {
	char user[256];			/* "" without authentication */
	char method[16];
	char uri[2048];			/* RequestUri, cut to fit */
	bool uri_cut;			/* it did not fit */
	char content_type[128];		/* RequestHeaders' Content-Type */
	struct buf body;		/* RequestBody, decoded */
	bool has_body;
};

/* Parse an AuthZReq document. ERR_FORMAT with a message for anything
 * that is not one. Release with gate_authz_release. */
int gate_authz_parse(struct gate_authz *out, const void *json, size_t len);
void gate_authz_release(struct gate_authz *a);

enum gate_kind {
	GATE_PASS,			/* not the gate's business */
	GATE_CREATE,			/* POST /containers/create */
	GATE_START,			/* POST /containers/ID/start|restart */
	GATE_PULL,			/* POST /images/create?fromImage= */
	GATE_REFUSE,			/* gated, but unreadable: deny */
};

struct gate_request {
	enum gate_kind kind;
	char image[GATE_NAME_MAX];	/* create: Image; pull: NAME:TAG or
					 * NAME@DIGEST; start: the
					 * container's ID or name */
	char reason[256];		/* GATE_REFUSE: why */
};

/* Which request @method @uri (RequestUri: "/v1.41/containers/create?
 * name=x", percent-escapes and dot segments read as dockerd's router
 * reads them) is, with @body (NULL when dockerd sent none: too large,
 * or not JSON) sent as @content_type (may be NULL). Pure. */
void gate_classify(struct gate_request *out, const char *method,
		   const char *uri, const char *content_type,
		   const void *body, size_t len);
/* "create", "start", "pull", "pass" or "refuse". */
const char *gate_kind_name(enum gate_kind k);

/* ---- deciding (decide.c) ------------------------------------------------ */

#define GATE_CACHE_MAX 4096		/* verdicts remembered */

struct gate_cache_entry;

struct gate {
	const struct policy *policy;	/* borrowed */
	struct registry_opts ropts;	/* for each verification */
	const char *engine_socket;	/* dockerd's API socket */
	long cache_ttl;			/* seconds; 0: no cache */
	pthread_mutex_t lock;
	pthread_cond_t done;
	struct gate_cache_entry *cache;
	size_t n_cache;
	unsigned long verifications;	/* run so far */
};

/* @g's borrowed pointers must outlive it. */
int gate_init(struct gate *g, const struct policy *policy,
	      const struct registry_opts *ropts, const char *engine_socket,
	      long cache_ttl);
void gate_release(struct gate *g);

struct gate_verdict {
	bool allow;
	bool cached;			/* decided by a remembered verdict */
	bool error;			/* denied because something could not
					 * be checked */
	char image[GATE_NAME_MAX];	/* what was judged */
	char digest[GATE_NAME_MAX];	/* the repository digest, or "" */
	char reason[600];		/* one line */
};

/* Decide @req. Never fails: whatever cannot be checked is a denial
 * saying why (out->error). */
void gate_decide(struct gate *g, const struct gate_request *req,
		 struct gate_verdict *out);

/* ---- serving (server.c) ------------------------------------------------- */

struct gate_server_opts {
	const char *socket_path;	/* created mode 0600 */
	FILE *log;			/* one JSON line per decision */
	unsigned max_connections;	/* 0: 128 */
	unsigned idle_timeout;		/* seconds; 0: 30 */
};

/* The decision log line for @v (new string, no newline). */
char *gate_log_line(const struct gate_authz *a, const struct gate_request *r,
		    const struct gate_verdict *v, time_t now);

/* Serve until SIGTERM or SIGINT, then remove the socket. 0, or the code
 * of what stopped it from starting (message recorded). */
int gate_serve(struct gate *g, const struct gate_server_opts *o);

#endif
