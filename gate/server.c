/*
 * server.c - Docker's authorization plugin protocol on a Unix socket:
 * POST /Plugin.Activate, /AuthZPlugin.AuthZReq and /AuthZPlugin.AuthZRes.
 * libmicrohttpd does the HTTP, one thread per connection, on a socket
 * signet creates (mode 0600); each decision is logged as one JSON line.
 * libmicrohttpd is opened when the gate starts, not linked: no other
 * command maps it, nor the GnuTLS it brings.
 */
#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <microhttpd.h>

#include "gate.h"

#define CT_PLUGIN "application/vnd.docker.plugins.v1.2+json"

#ifndef SIGNET_LIBMHD
#define SIGNET_LIBMHD "libmicrohttpd.so.12"
#endif

/* The libmicrohttpd functions the gate calls, from mhd_open. */
static struct {
	__typeof__(MHD_start_daemon) *start_daemon;
	__typeof__(MHD_stop_daemon) *stop_daemon;
	__typeof__(MHD_create_response_from_buffer) *response_from_buffer;
	__typeof__(MHD_add_response_header) *add_response_header;
	__typeof__(MHD_queue_response) *queue_response;
	__typeof__(MHD_destroy_response) *destroy_response;
} mhd;

struct server {
	struct gate *g;
	FILE *log;
	pthread_mutex_t log_lock;
};

/* One request's body, as it arrives. */
struct conn {
	struct buf body;
	bool keep;			/* AuthZReq: its body is read */
	bool over;			/* past GATE_BODY_MAX */
};

/* ---- the log ------------------------------------------------------------- */

char *gate_log_line(const struct gate_authz *a, const struct gate_request *r,
		    const struct gate_verdict *v, time_t now)
{
	char when[RFC3339_MAX] = "", req[sizeof(a->uri) + 20];
	json_t *o;
	char *line;

	rfc3339_format(when, now);
	snprintf(req, sizeof(req), "%s %s", a->method, a->uri);
	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b}",
		      "time", when, "user", a->user, "request", req,
		      "kind", gate_kind_name(r->kind), "image", v->image,
		      "digest", v->digest, "verdict",
		      v->allow ? "allow" : "deny", "reason", v->reason,
		      "cached", v->cached);
	if (!o)
		return NULL;
	/* ASCII only: whatever a client put in a name stays one line */
	line = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII |
			  JSON_PRESERVE_ORDER);
	json_decref(o);
	return line;
}

static void log_decision(struct server *s, const struct gate_authz *a,
			 const struct gate_request *r,
			 const struct gate_verdict *v)
{
	char *line = gate_log_line(a, r, v, time(NULL));

	if (!line)
		return;
	pthread_mutex_lock(&s->log_lock);
	fprintf(s->log, "%s\n", line);
	fflush(s->log);
	pthread_mutex_unlock(&s->log_lock);
	free(line);
}

/* ---- answers ------------------------------------------------------------- */

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status,
			     json_t *doc)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;
	char *text = doc ? json_dumps(doc, JSON_COMPACT | JSON_ENSURE_ASCII) :
		     NULL;

	json_decref(doc);
	if (!text)
		return MHD_NO;
	resp = mhd.response_from_buffer(strlen(text), text,
				       MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(text);
		return MHD_NO;
	}
	mhd.add_response_header(resp, "Content-Type", CT_PLUGIN);
	ret = mhd.queue_response(c, status, resp);
	mhd.destroy_response(resp);
	return ret;
}

static enum MHD_Result reply_err(struct MHD_Connection *c, unsigned status,
				 const char *what, const char *detail)
{
	char tmp[300], msg[300];

	snprintf(tmp, sizeof(tmp), "%s%.200s%s", what, detail,
		 detail[0] ? "'" : "");
	str_sanitize(msg, sizeof(msg), tmp);
	return reply(c, status, json_pack("{s:s}", "Err", msg));
}

/* One AuthZReq: read, classify, decide, log (gated requests), answer. */
static enum MHD_Result authz_req(struct server *s, struct MHD_Connection *c,
				 struct conn *k)
{
	struct gate_authz a = { 0 };
	struct gate_request r = { 0 };
	struct gate_verdict v;

	r.kind = GATE_REFUSE;
	if (k->over)
		snprintf(r.reason, sizeof(r.reason), "the AuthZReq is over %u "
			 "bytes", GATE_BODY_MAX);
	else if (gate_authz_parse(&a, k->body.data, k->body.len) < 0)
		snprintf(r.reason, sizeof(r.reason), "%s", err_msg());
	else if (a.uri_cut && strcasecmp(a.method, "POST") == 0)
		snprintf(r.reason, sizeof(r.reason), "the request's URI is "
			 "too long to check");
	else
		gate_classify(&r, a.method, a.uri, a.content_type,
			      a.has_body ? a.body.data : NULL, a.body.len);
	gate_decide(s->g, &r, &v);
	if (r.kind != GATE_PASS)
		log_decision(s, &a, &r, &v);
	gate_authz_release(&a);
	if (v.allow)
		return reply(c, 200, json_pack("{s:b}", "Allow", 1));
	return reply(c, 200, json_pack("{s:b, s:s}", "Allow", 0, "Msg",
				       v.reason));
}

static enum MHD_Result answer(struct server *s, struct MHD_Connection *c,
			      const char *url, const char *method,
			      struct conn *k)
{
	if (strcmp(method, "POST") != 0)
		return reply_err(c, 405, "only POST is served", "");
	if (strcmp(url, "/Plugin.Activate") == 0)
		return reply(c, 200, json_pack("{s:[s]}", "Implements",
					       "authz"));
	if (strcmp(url, "/AuthZPlugin.AuthZReq") == 0)
		return authz_req(s, c, k);
	if (strcmp(url, "/AuthZPlugin.AuthZRes") == 0)
		return reply(c, 200, json_pack("{s:b}", "Allow", 1));
	return reply_err(c, 404, "unknown endpoint '", url);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
				  const char *url, const char *method,
				  const char *version, const char *data,
				  size_t *data_size, void **con_cls)
{
	struct conn *k = *con_cls;

	(void)version;
	if (!k) {
		if (!(k = calloc(1, sizeof(*k))))
			return MHD_NO;
		buf_init(&k->body, GATE_BODY_MAX);
		k->keep = strcmp(url, "/AuthZPlugin.AuthZReq") == 0;
		*con_cls = k;
		return MHD_YES;
	}
	if (*data_size) {
		/* read on past the cap, keeping nothing, to answer */
		if (k->keep && !k->over &&
		    buf_append(&k->body, data, *data_size) < 0)
			k->over = true;
		*data_size = 0;
		return MHD_YES;
	}
	return answer(cls, c, url, method, k);
}

static void on_done(void *cls, struct MHD_Connection *c, void **con_cls,
		    enum MHD_RequestTerminationCode why)
{
	struct conn *k = *con_cls;

	(void)cls, (void)c, (void)why;
	if (k) {
		buf_release(&k->body);
		free(k);
		*con_cls = NULL;
	}
}

/* ---- the socket ---------------------------------------------------------- */

/* The folders above @path, made 0700 when missing (/run/docker/plugins
 * does not exist before dockerd first runs). */
static int make_parents(const char *path)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char *p;

	snprintf(dir, sizeof(dir), "%s", path);
	for (p = dir + 1; (p = strchr(p, '/')); p++) {
		*p = 0;
		if (mkdir(dir, 0700) < 0 && errno != EEXIST)
			return err_set_errno(ERR_IO, "cannot create '%s'", dir);
		*p = '/';
	}
	return 0;
}

/* A socket left at @path by a gate that is gone is removed; a live one,
 * or anything else there, is an error. */
static int clear_path(const char *path, const struct sockaddr_un *sa)
{
	struct stat st;
	int fd, live;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : err_set_errno(ERR_IO, "cannot "
							   "look at '%s'", path);
	if (!S_ISSOCK(st.st_mode))
		return err_set(ERR_IO, "'%s' exists and is not a socket", path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return err_set_errno(ERR_IO, "cannot create a socket");
	live = connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0;
	close(fd);
	if (live)
		return err_set(ERR_IO, "'%s' is being served already (another "
			       "signet gate?)", path);
	if (unlink(path) < 0)
		return err_set_errno(ERR_IO, "cannot remove the old socket "
				     "'%s'", path);
	return 0;
}

static int listen_unix(int *out, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	mode_t old;
	int fd, rc;

	if (strlen(path) >= sizeof(sa.sun_path))
		return err_set(ERR_USAGE, "socket path too long: '%s'", path);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if ((rc = make_parents(path)) < 0 || (rc = clear_path(path, &sa)) < 0)
		return rc;
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return err_set_errno(ERR_IO, "cannot create a socket");
	old = umask(0177);	/* born 0600: never a moment more open */
	rc = bind(fd, (const struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (rc < 0 || chmod(path, 0600) < 0 || listen(fd, 128) < 0) {
		rc = err_set_errno(ERR_IO, "cannot listen on '%s'", path);
		close(fd);
		return rc;
	}
	*out = fd;
	return 0;
}

/* ---- serving ------------------------------------------------------------- */

/* Open libmicrohttpd and find the functions in mhd; kept open until exit. */
static int mhd_open(void)
{
	void *h = dlopen(SIGNET_LIBMHD, RTLD_NOW | RTLD_LOCAL);

	if (!h)
		return err_set(ERR_IO, "cannot load '%s', which the gate "
			       "needs (Debian: libmicrohttpd12)",
			       SIGNET_LIBMHD);
	*(void **)&mhd.start_daemon = dlsym(h, "MHD_start_daemon");
	*(void **)&mhd.stop_daemon = dlsym(h, "MHD_stop_daemon");
	*(void **)&mhd.response_from_buffer =
		dlsym(h, "MHD_create_response_from_buffer");
	*(void **)&mhd.add_response_header =
		dlsym(h, "MHD_add_response_header");
	*(void **)&mhd.queue_response = dlsym(h, "MHD_queue_response");
	*(void **)&mhd.destroy_response = dlsym(h, "MHD_destroy_response");
	if (!mhd.start_daemon || !mhd.stop_daemon ||
	    !mhd.response_from_buffer || !mhd.add_response_header ||
	    !mhd.queue_response || !mhd.destroy_response) {
		dlclose(h);
		memset(&mhd, 0, sizeof(mhd));
		return err_set(ERR_IO, "'%s' lacks a function the gate "
			       "calls", SIGNET_LIBMHD);
	}
	return 0;
}

static struct MHD_Daemon *start(struct server *s, int fd,
				const struct gate_server_opts *o)
{
	return mhd.start_daemon(MHD_USE_THREAD_PER_CONNECTION |
				MHD_USE_INTERNAL_POLLING_THREAD |
				MHD_USE_POLL | MHD_USE_ERROR_LOG,
				0, NULL, NULL, on_request, s,
				MHD_OPTION_LISTEN_SOCKET, fd,
				MHD_OPTION_CONNECTION_LIMIT,
				o->max_connections ? o->max_connections :
				128u,
				MHD_OPTION_CONNECTION_TIMEOUT,
				o->idle_timeout ? o->idle_timeout : 30u,
				MHD_OPTION_NOTIFY_COMPLETED, on_done, NULL,
				MHD_OPTION_END);
}

int gate_serve(struct gate *g, const struct gate_server_opts *o)
{
	struct server s = { .g = g, .log = o->log ? o->log : stderr };
	struct MHD_Daemon *d;
	sigset_t set, old;
	int fd = -1, sig, rc;

	if ((rc = mhd_open()) < 0)
		return rc;
	/* every thread MHD starts inherits the mask: the signals come
	 * here, to sigwait */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	signal(SIGPIPE, SIG_IGN);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	pthread_mutex_init(&s.log_lock, NULL);
	if ((rc = listen_unix(&fd, o->socket_path)) < 0)
		goto out;
	if (!(d = start(&s, fd, o))) {
		rc = err_set(ERR_IO, "cannot serve on '%s' (libmicrohttpd)",
			     o->socket_path);
		close(fd);
		unlink(o->socket_path);
		goto out;
	}
	sigwait(&set, &sig);
	mhd.stop_daemon(d);	/* closes the listening socket */
	unlink(o->socket_path);
out:
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_mutex_destroy(&s.log_lock);
	return rc;
}
