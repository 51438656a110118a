/*
 * http.c - the HTTP side of the registry client: one curl handle for the
 * whole process (so connections are reused), scheme choice, auth
 * challenges, redirects that never carry credentials to another host,
 * capped response bodies, retries, and one deadline for everything.
 *
 * Time: each request has its own limit (registry_opts.timeout, and
 * connect_timeout to connect) and the client has one deadline for all of
 * them (registry_opts.deadline). No request, retry, backoff or settle wait
 * runs past it: a request gets at most the time left, and a wait that
 * would leave none is not started. Once the deadline has passed, every
 * request fails at once with the same message.
 *
 * Pace: a request that stalls or trickles ends long before its own limit
 * (pace_check): no byte may move either way for ANSWER_WAIT_MS (before
 * the answer or within it), and after its first RATE_GRACE_MS the answer
 * must average MIN_RATE bytes a second: bytes so far against the time
 * since the first. The grace lets a registry send its headers and then
 * open the blob it streams. A request that times out (by its limit or by
 * pace) is sent again once at most.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <curl/curl.h>
#include <openssl/rand.h>

#include "registry.h"
#include "internal.h"

#define MAX_HOSTS 8
#define MAX_TOKENS 16
#define MAX_REDIRECTS 5
#define MIN_RATE 1024		/* bytes a second an answer must average */
#define RATE_GRACE_MS 3000	/* after the first byte, before MIN_RATE */
#define ANSWER_WAIT_MS 20000	/* longest silence, the first byte's too */
#define TIMEOUT_RETRIES 1	/* a timed-out request is sent again once */
#define URL_MAX 4096

enum scheme { SCHEME_UNKNOWN, SCHEME_HTTPS, SCHEME_HTTP };

struct token {
	char host[REF_HOST_MAX];
	char scope[512];
	char *value;		/* bearer token, wiped on free */
};

struct host {
	char name[REF_HOST_MAX];
	enum scheme scheme;
	bool plain_ok;		/* loopback or --insecure-registry */
	bool answered;		/* gave an answer (2xx, 404) once: its scheme
				 * and whether it wants credentials are known */
	bool h2;		/* its last answer came over HTTP/2 */
	char ca_file[600];	/* per-host CA from /etc/docker/certs.d */
	bool use_basic;		/* the registry asked for basic auth */
	struct cred cred;	/* from docker's config; loaded once */
	bool cred_loaded;
};

struct pf_member;

struct registry {
	CURL *curl;
	CURLM *multi;		/* runs every transfer: one connection cache */
	bool lead_done;		/* reg->curl's transfer in multi has ended */
	CURLcode lead_cc;	/* and how */
	bool last_h2;		/* the last answer came over HTTP/2 */
	struct pf_member *pf;	/* the prefetch batch (see http_prefetch_add) */
	size_t n_pf;
	struct registry_opts opts;
	char errbuf[CURL_ERROR_SIZE];
	unsigned long nreq;
	struct host hosts[MAX_HOSTS];
	size_t n_hosts;
	struct token tokens[MAX_TOKENS];
	size_t n_tokens;
	struct layout *layout;	/* offline: answers every request */
	long start_ms;		/* when the client was made */
	long end_ms;		/* start_ms + deadline; 0: no deadline */
	bool expired;		/* the deadline has passed: send nothing */
	char expired_msg[768];	/* what was going on when it passed */
	bool last_transient;	/* see http_transient */
	bool last_timed_out;	/* see http_timed_out */
	long hint_ms;		/* Retry-After of the last 429/503, or -1 */
	struct curl_slist *routes;	/* SIGNET_TEST_CONNECT_TO, or NULL */
	const struct registry_known *known;	/* borrowed, or NULL */
};

/* ---- small helpers ----------------------------------------------------- */

static long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Milliseconds before the deadline; LONG_MAX when there is none. */
static long left_ms(const struct registry *reg)
{
	return reg->end_ms ? reg->end_ms - now_ms() : LONG_MAX;
}

/* The deadline has passed, or a wait would pass it (@early): record why,
 * once, so that every later request fails with the same message. */
static int deadline_exceeded(struct registry *reg, const char *why,
			     bool early)
{
	long s = (now_ms() - reg->start_ms + 500) / 1000;

	if (!reg->expired) {
		reg->expired = true;
		if (early)
			snprintf(reg->expired_msg, sizeof(reg->expired_msg),
				 "%s; gave up after %ld s: another try would "
				 "pass the deadline (--deadline %ld)", why, s,
				 reg->opts.deadline);
		else
			snprintf(reg->expired_msg, sizeof(reg->expired_msg),
				 "%s; gave up after %ld s (--deadline %ld)",
				 why, s, reg->opts.deadline);
	}
	reg->last_transient = false;
	reg->last_timed_out = false;
	return err_set(ERR_NET, "%s", reg->expired_msg);
}

static bool host_is_loopback(const char *hostport)
{
	char host[REF_HOST_MAX];
	const char *end;
	struct in_addr a4;
	size_t n;

	if (hostport[0] == '[') {
		end = strchr(hostport, ']');
		if (!end)
			return false;
		n = (size_t)(end - hostport - 1);
		return n == 3 && strncmp(hostport + 1, "::1", 3) == 0;
	}
	end = strchr(hostport, ':');
	n = end ? (size_t)(end - hostport) : strlen(hostport);
	if (n >= sizeof(host))
		return false;
	memcpy(host, hostport, n);
	host[n] = '\0';
	if (strcasecmp(host, "localhost") == 0)
		return true;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	return false;
}

/* May @name be reached over plain HTTP: loopback or --insecure-registry
 * (both sides compared as ref_canonical_host writes them). */
static bool host_plain_ok(const struct registry *reg, const char *name)
{
	char want[REF_HOST_MAX], have[REF_HOST_MAX];
	size_t i;

	if (host_is_loopback(name))
		return true;
	if (strlen(name) >= sizeof(have))
		return false;
	ref_canonical_host(have, sizeof(have), name);
	for (i = 0; i < reg->opts.n_insecure; i++)
		if (strlen(reg->opts.insecure[i]) < sizeof(want) &&
		    ref_canonical_host(want, sizeof(want),
				       reg->opts.insecure[i]) == 0 &&
		    strcmp(want, have) == 0)
			return true;
	return false;
}

/* Does "host[:port]" @name give a port? */
static bool host_has_port(const char *name)
{
	const char *close = name[0] == '[' ? strchr(name, ']') : NULL;

	return close ? close[1] == ':' : strchr(name, ':') != NULL;
}

/* The cache entry of registry host @name, made when missing. Making one
 * may recycle the oldest and moves the others, so a pointer from here is
 * good until the next call only: http_do makes one call per request, at
 * its start; redirect targets and token realms never enter the cache. */
static struct host *host_get(struct registry *reg, const char *name)
{
	struct host *h;
	size_t i;
	char path[600];
	struct stat st;

	for (i = 0; i < reg->n_hosts; i++)
		if (strcmp(reg->hosts[i].name, name) == 0)
			return &reg->hosts[i];
	if (reg->n_hosts == MAX_HOSTS) {
		/* recycle the oldest; a process talks to very few hosts */
		cred_release(&reg->hosts[0].cred);
		memmove(&reg->hosts[0], &reg->hosts[1],
			(MAX_HOSTS - 1) * sizeof(reg->hosts[0]));
		reg->n_hosts--;
	}
	h = &reg->hosts[reg->n_hosts++];
	memset(h, 0, sizeof(*h));
	snprintf(h->name, sizeof(h->name), "%s", name);
	h->plain_ok = host_plain_ok(reg, name);
	if (snprintf(path, sizeof(path), "/etc/docker/certs.d/%s/ca.crt",
		     name) < (int)sizeof(path) &&
	    stat(path, &st) == 0 && S_ISREG(st.st_mode))
		snprintf(h->ca_file, sizeof(h->ca_file), "%s", path);
	h->scheme = h->plain_ok ? SCHEME_UNKNOWN : SCHEME_HTTPS;
	return h;
}

static const char *token_find(struct registry *reg, const char *host,
			      const char *scope)
{
	size_t i;

	for (i = 0; i < reg->n_tokens; i++)
		if (strcmp(reg->tokens[i].host, host) == 0 &&
		    strcmp(reg->tokens[i].scope, scope) == 0)
			return reg->tokens[i].value;
	return NULL;
}

static void token_free(struct token *t)
{
	if (t->value) {
		secure_wipe(t->value, strlen(t->value));
		free(t->value);
	}
	t->value = NULL;
}

static int token_store(struct registry *reg, const char *host,
		       const char *scope, const char *value)
{
	struct token *t = NULL;
	size_t i;

	for (i = 0; i < reg->n_tokens; i++)
		if (strcmp(reg->tokens[i].host, host) == 0 &&
		    strcmp(reg->tokens[i].scope, scope) == 0)
			t = &reg->tokens[i];
	if (!t) {
		if (reg->n_tokens == MAX_TOKENS) {
			token_free(&reg->tokens[0]);
			memmove(&reg->tokens[0], &reg->tokens[1],
				(MAX_TOKENS - 1) * sizeof(reg->tokens[0]));
			reg->n_tokens--;
		}
		t = &reg->tokens[reg->n_tokens++];
		memset(t, 0, sizeof(*t));
	}
	token_free(t);
	snprintf(t->host, sizeof(t->host), "%s", host);
	snprintf(t->scope, sizeof(t->scope), "%s", scope);
	t->value = strdup(value);
	return t->value ? 0 : err_set(ERR_NOMEM, "out of memory");
}

/* ---- client lifetime ---------------------------------------------------- */

static void prefetch_clear(struct registry *reg);
static void prefetch_free(struct registry *reg);

static CURLcode global_rc;

static void global_init(void)
{
	global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

int registry_global_init(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, global_init);
	if (global_rc != CURLE_OK)
		return err_set(ERR_NET, "cannot initialise libcurl");
	return 0;
}

/* Clients may live in several threads (audit); each has its own handle. */
int registry_new(struct registry **out, const struct registry_opts *opts)
{
	struct registry *reg;
	int rc;

	*out = NULL;
	if (registry_global_init() < 0)
		return ERR_NET;
	reg = calloc(1, sizeof(*reg));
	if (!reg)
		return err_set(ERR_NOMEM, "out of memory");
	if (opts)
		reg->opts = *opts;
	if (!reg->opts.connect_timeout)
		reg->opts.connect_timeout = 10;
	if (!reg->opts.timeout)
		reg->opts.timeout = 120;
	if (reg->opts.retries < 0)
		reg->opts.retries = 0;
	else if (!reg->opts.retries)
		reg->opts.retries = 4;
	if (!reg->opts.deadline)
		reg->opts.deadline = reg->opts.timeout > REGISTRY_DEADLINE ?
				     reg->opts.timeout : REGISTRY_DEADLINE;
	reg->start_ms = now_ms();
	if (reg->opts.deadline > 0)
		reg->end_ms = reg->start_ms + reg->opts.deadline * 1000;
	reg->hint_ms = -1;
	reg->curl = curl_easy_init();
	reg->multi = curl_multi_init();
	if (!reg->curl || !reg->multi) {
		registry_free(reg);
		return err_set(ERR_NET, "cannot create a curl handle");
	}
	/* a small pool per host when the registry does not multiplex */
	curl_multi_setopt(reg->multi, CURLMOPT_MAX_HOST_CONNECTIONS, 4L);
	if ((rc = http_test_routes(&reg->routes)) < 0) {
		registry_free(reg);
		return rc;
	}
	if (reg->opts.layout) {
		rc = layout_open(&reg->layout, reg->opts.layout);
		if (rc < 0) {
			registry_free(reg);
			return rc;
		}
	}
	*out = reg;
	debugf("client ready");
	return 0;
}

void registry_free(struct registry *reg)
{
	size_t i;

	if (!reg)
		return;
	for (i = 0; i < reg->n_tokens; i++)
		token_free(&reg->tokens[i]);
	for (i = 0; i < reg->n_hosts; i++)
		cred_release(&reg->hosts[i].cred);
	layout_free(reg->layout);
	curl_slist_free_all(reg->routes);
	prefetch_free(reg);
	if (reg->multi)
		curl_multi_cleanup(reg->multi);
	curl_easy_cleanup(reg->curl);
	free(reg);
}

void registry_set_known(struct registry *reg, const struct registry_known *k)
{
	reg->known = k;
}

const struct registry_known *http_known(const struct registry *reg,
					const struct image_ref *repo)
{
	const struct registry_known *k = reg->known;

	if (!k || strcmp(k->registry, repo->registry) != 0 ||
	    strcmp(k->repository, repo->repository) != 0)
		return NULL;
	return k;
}

unsigned long registry_request_count(const struct registry *reg)
{
	return reg->nreq;
}

void http_resp_init(struct http_resp *r, size_t max)
{
	memset(r, 0, sizeof(*r));
	buf_init(&r->body, max);
}

void http_resp_release(struct http_resp *r)
{
	buf_release(&r->body);
}

/* ---- curl callbacks ------------------------------------------------------ */

enum pace { PACE_OK, PACE_SILENT, PACE_SLOW };

/* Where one exchange's answer goes, and how fast it comes (pace_check). */
struct sink {
	struct http_resp *resp;
	bool overflow;
	bool head;
	enum pace pace;		/* why pace_check ended the transfer */
	long first_ms;		/* the answer began; 0: not yet */
	long last_ms;		/* a byte last moved, either way */
	curl_off_t got;		/* answer bytes, headers included */
	curl_off_t sent;	/* bytes of the request body sent */
};

/* A byte of the answer came (@len of them). */
static void sink_got(struct sink *s, size_t len)
{
	long now = now_ms();

	if (!s->first_ms)
		s->first_ms = now;
	s->last_ms = now;
	s->got += (curl_off_t)len;
}

/* libcurl's progress callback, called at least once a second: end an
 * exchange whose answer does not begin, stops, or trickles (see the top
 * of this file). The per-request limit and the deadline are libcurl's. */
static int pace_check(void *ctx, curl_off_t dltotal, curl_off_t dlnow,
		      curl_off_t ultotal, curl_off_t ulnow)
{
	struct sink *s = ctx;
	long now = now_ms(), since;

	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	if (ulnow > s->sent) {
		s->sent = ulnow;
		s->last_ms = now;
	}
	if (now - s->last_ms > ANSWER_WAIT_MS) {
		s->pace = PACE_SILENT;
		return 1;
	}
	since = s->first_ms ? now - s->first_ms : 0;
	if (since > RATE_GRACE_MS &&
	    s->got < (curl_off_t)(since - RATE_GRACE_MS) * MIN_RATE / 1000) {
		s->pace = PACE_SLOW;
		return 1;
	}
	return 0;
}

static size_t on_body(char *data, size_t size, size_t n, void *ctx)
{
	struct sink *s = ctx;
	size_t len = size * n;

	sink_got(s, len);
	if (s->head)
		return len;
	if (len > s->resp->body.max - s->resp->body.len) {
		s->overflow = true;
		return 0;	/* makes curl abort the transfer */
	}
	if (buf_append(&s->resp->body, data, len) < 0)
		return 0;
	return len;
}

/* Copy a header value, trimmed, into @out if the line is "name: value". */
static bool header_value(const char *line, size_t len, const char *name,
			 char *out, size_t outsz)
{
	size_t nl = strlen(name), i, end;

	if (len <= nl || strncasecmp(line, name, nl) != 0 || line[nl] != ':')
		return false;
	i = nl + 1;
	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	end = len;
	while (end > i && (line[end - 1] == '\r' || line[end - 1] == '\n' ||
			   line[end - 1] == ' '))
		end--;
	if (end - i >= outsz)
		end = i + outsz - 1;
	memcpy(out, line + i, end - i);
	out[end - i] = '\0';
	return true;
}

static size_t on_header(char *data, size_t size, size_t n, void *ctx)
{
	struct sink *s = ctx;
	struct http_resp *r = s->resp;
	size_t len = size * n;
	char tmp[32];

	sink_got(s, len);
	/* a body that cannot fit is not waited for */
	if (!s->head && header_value(data, len, "Content-Length", tmp,
				     sizeof(tmp)) &&
	    strtoull(tmp, NULL, 10) > r->body.max) {
		s->overflow = true;
		return 0;
	}

	/* a new status line (after a 100 Continue) starts over */
	if (len > 5 && strncmp(data, "HTTP/", 5) == 0) {
		r->content_type[0] = r->location[0] = r->www_auth[0] = '\0';
		r->link[0] = r->retry_after[0] = '\0';
		r->oci_subject = false;
		return len;
	}
	header_value(data, len, "Content-Type", r->content_type,
		     sizeof(r->content_type));
	header_value(data, len, "Location", r->location, sizeof(r->location));
	header_value(data, len, "WWW-Authenticate", r->www_auth,
		     sizeof(r->www_auth));
	header_value(data, len, "Link", r->link, sizeof(r->link));
	header_value(data, len, "Retry-After", r->retry_after,
		     sizeof(r->retry_after));
	if (header_value(data, len, "OCI-Subject", tmp, sizeof(tmp)))
		r->oci_subject = true;
	return len;
}

/* ---- one exchange --------------------------------------------------------- */

/* Split "scheme://host/path" into its host and path; false when not such
 * a URL. @host gets "host[:port]". */
static bool url_split(const char *url, enum scheme *scheme, char *host,
		      size_t hostsz, const char **path)
{
	const char *p, *slash;
	size_t n;

	if (strncasecmp(url, "https://", 8) == 0) {
		*scheme = SCHEME_HTTPS;
		p = url + 8;
	} else if (strncasecmp(url, "http://", 7) == 0) {
		*scheme = SCHEME_HTTP;
		p = url + 7;
	} else {
		return false;
	}
	slash = strchr(p, '/');
	n = slash ? (size_t)(slash - p) : strlen(p);
	if (n == 0 || n >= hostsz || memchr(p, '@', n))
		return false;
	memcpy(host, p, n);
	host[n] = '\0';
	*path = slash ? slash : "/";
	return true;
}

/* Transient failures worth another try: the connection broke or timed
 * out, or the registry said it is overloaded or failing. Whether the
 * request is sent again is may_repeat()'s decision. */
static bool transient(int rc, CURLcode cc, long status)
{
	if (rc == ERR_NET)
		return cc == CURLE_COULDNT_CONNECT || cc == CURLE_RECV_ERROR ||
		       cc == CURLE_SEND_ERROR || cc == CURLE_GOT_NOTHING ||
		       cc == CURLE_OPERATION_TIMEDOUT || cc == CURLE_PARTIAL_FILE;
	return rc == 0 && (status == 429 || status == 500 || status == 502 ||
			   status == 503 || status == 504);
}

/* Seconds from a Retry-After header (delta form only), capped. */
static long retry_after_ms(const char *v)
{
	char *end;
	long s;

	if (!v || !*v)
		return -1;
	s = strtol(v, &end, 10);
	if (*end || s < 0)
		return -1;
	return s > 30 ? 30000 : s * 1000;
}

/* Which requests are sent again after a transient failure. A request is
 * repeated only when sending it twice, at any moment, leaves the registry
 * as sending it once would, even when other clients write in between:
 *  - GET and HEAD: always.
 *  - PUT of a manifest by digest (req->idempotent): content-addressed,
 *    so a late duplicate writes the same bytes under the same name.
 *  - PUT of a manifest by tag: never here. A duplicate that arrives late
 *    would put back what we read before another signer's write, and drop
 *    that signature; registry_tag_merge reads the tag again and merges
 *    afresh instead (merge.c).
 *  - POST starting a blob upload, and the PUT finishing it: never here.
 *    A repeated POST only opens another session (the registry purges
 *    abandoned ones), but the finishing PUT of a session that did commit
 *    fails as unknown; registry_put_blob starts the whole upload over
 *    instead, from the HEAD that finds a blob already stored (ops.c).
 * We send no PATCH or DELETE. Requests that may not be repeated go on a
 * new connection, so that libcurl does not repeat them either. */
static bool may_repeat(const struct http_req *req)
{
	return strcmp(req->method, "GET") == 0 ||
	       strcmp(req->method, "HEAD") == 0 ||
	       (strcmp(req->method, "PUT") == 0 && req->idempotent);
}

struct attempt {
	enum scheme scheme;
	const char *host;
	const char *path;
	const char *auth;	/* full "Authorization: ..." header or NULL */
	const char *ca_file;
	bool batch;		/* may carry the prefetch batch along: sent to
				 * the registry's own host, whose scheme and
				 * credentials are settled or being probed */
};

/* The request's own headers, its credentials, and none of libcurl's
 * "Expect: 100-continue" round trips on uploads. */
static int request_headers(struct curl_slist **out, const struct http_req *req,
			   const struct attempt *at)
{
	struct curl_slist *hdrs = NULL, *tmp;
	size_t i;

	*out = NULL;
	for (i = 0; req->headers && req->headers[i]; i++) {
		if (!(tmp = curl_slist_append(hdrs, req->headers[i])))
			goto nomem;
		hdrs = tmp;
	}
	if (at->auth) {
		if (!(tmp = curl_slist_append(hdrs, at->auth)))
			goto nomem;
		hdrs = tmp;
	}
	if (!(tmp = curl_slist_append(hdrs, "Expect:")))
		goto nomem;
	*out = tmp;
	return 0;
nomem:
	curl_slist_free_all(hdrs);
	return err_set(ERR_NOMEM, "out of memory");
}

/* Set the handle up for one exchange: @url within @t_ms (@c_ms to
 * connect), the answer into @sink. */
static void perform_setup(struct registry *reg, CURL *c, char *errbuf,
			  const struct http_req *req, const struct attempt *at,
			  const char *url, struct sink *sink, long t_ms,
			  long c_ms)
{
	curl_easy_reset(c);
	errbuf[0] = '\0';
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, c_ms);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, t_ms);
	/* a drip-fed answer is a stalled answer */
	sink->last_ms = now_ms();
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, pace_check);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, sink);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "signet/" SIGNET_VERSION);
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	if (at->ca_file && *at->ca_file)
		curl_easy_setopt(c, CURLOPT_CAINFO, at->ca_file);
	if (reg->routes)	/* tests only: see testroute.c */
		curl_easy_setopt(c, CURLOPT_CONNECT_TO, reg->routes);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, sink);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, sink);
	/* libcurl sends a request again by itself when a reused connection
	 * turns out dead before any answer: never one we would not repeat */
	if (!may_repeat(req))
		curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, 1L);
	if (strcmp(req->method, "HEAD") == 0) {
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
		sink->head = true;
	} else if (strcmp(req->method, "GET") != 0) {
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req->method);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS,
				 req->body ? (const char *)req->body : "");
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
				 (curl_off_t)req->body_len);
	}
}

/* The error of an exchange pace_check ended. */
static int pace_error(const struct http_req *req, const struct attempt *at,
		      const struct sink *s)
{
	long now = now_ms();

	if (s->pace == PACE_SLOW)
		return err_set(ERR_NET, "%s %s: timed out: '%s' sent %lld "
			       "bytes in %ld ms, under the minimum of %d "
			       "bytes/s", req->method, req->what, at->host,
			       (long long)s->got, now - s->first_ms,
			       MIN_RATE);
	if (!s->first_ms)
		return err_set(ERR_NET, "%s %s: timed out: no answer from "
			       "'%s' in %d s", req->method, req->what,
			       at->host, ANSWER_WAIT_MS / 1000);
	return err_set(ERR_NET, "%s %s: timed out: '%s' stopped sending "
		       "for %d s", req->method, req->what, at->host,
		       ANSWER_WAIT_MS / 1000);
}

/* What the exchange that just ended means: an error for a body over its
 * cap, a deadline that cut it short, or a transport failure; and whether
 * it is worth another try (http_transient, http_backoff). */
static int perform_outcome(struct registry *reg, const struct http_req *req,
			   const struct attempt *at, const struct sink *sink,
			   CURLcode cc)
{
	struct http_resp *resp = sink->resp;
	char why[1024];
	int rc = 0;

	if (sink->overflow) {
		rc = err_set(ERR_FORMAT, "response from '%s' exceeds %zu bytes",
			     at->host, resp->body.max);
	} else if (cc == CURLE_ABORTED_BY_CALLBACK && sink->pace) {
		rc = pace_error(req, at, sink);
	} else if (cc == CURLE_OPERATION_TIMEDOUT && left_ms(reg) < 100) {
		/* cut short by the deadline, not by its own limit */
		snprintf(why, sizeof(why), "%s %s: no answer from '%s'",
			 req->method, req->what, at->host);
		rc = deadline_exceeded(reg, why, false);
	} else if (cc != CURLE_OK) {
		rc = err_set(ERR_NET, "cannot reach '%s': %s", at->host,
			     reg->errbuf[0] ? reg->errbuf :
			     curl_easy_strerror(cc));
	}
	if (!reg->expired) {
		reg->last_timed_out = cc == CURLE_OPERATION_TIMEDOUT ||
				      (cc == CURLE_ABORTED_BY_CALLBACK &&
				       sink->pace);
		reg->last_transient = reg->last_timed_out ||
				      transient(rc, cc, resp->status);
		if (resp->status == 429 || resp->status == 503)
			reg->hint_ms = retry_after_ms(resp->retry_after);
	}
	return rc;
}

/* Cut @url's query and fragment for the debug trace: a pre-signed
 * storage URL carries its credentials there (X-Amz-Signature, sig=...),
 * an upload location its state, a token realm whatever it was given. */
static void url_redact(char *url)
{
	static const char mark[] = "?<redacted>";
	size_t n = strcspn(url, "?#");

	if (url[n] && n + sizeof(mark) <= URL_MAX)
		memcpy(url + n, mark, sizeof(mark));
	else
		url[n] = '\0';
}

/* ---- transfers and the prefetch batch ------------------------------------ */

/*
 * Every transfer runs in the client's multi handle, so that all of them
 * share one connection cache (HTTP/2 multiplexes them on one connection
 * where the registry offers it; else a pool of MAX_HOST_CONNECTIONS).
 *
 * The prefetch batch (http_prefetch_add) holds GET requests whose answers
 * a caller will certainly ask for next, independent of each other: an
 * image's manifest by digest and its signature lookups. When the first of
 * them is sent, the others go out beside it, with the same scheme, host
 * and credentials; each answer is kept, as it came, until the caller
 * sends that very request (same URL, Accept headers and credentials) and
 * gets it then in place of a new exchange, once. http_do judges a kept
 * answer exactly as a fresh one: status, auth challenge, redirect, scheme
 * probe, retries. Only complete answers are kept: a transfer that broke,
 * stalled or overflowed its cap is dropped and its request is sent again
 * when asked for, as if never prefetched. The batch is dropped by the
 * next http_prefetch_add batch, by any request that writes, and by
 * registry_deadline_restart (the next image).
 */

#define BATCH_MAX 4

enum pf_state {
	PF_IDLE,	/* not sent yet */
	PF_FLIGHT,	/* on its way */
	PF_DONE,	/* answered; the answer kept for its caller */
	PF_OFF,		/* sent by its caller, or its answer dropped */
};

struct pf_member {
	enum pf_state state;
	char host[REF_HOST_MAX];	/* as attempt.host */
	char path[1024];
	char repo[REF_REPO_MAX];
	const char *const *headers;	/* static storage of the caller */
	size_t max;
	/* PF_FLIGHT, PF_DONE: what it was sent as */
	char url[URL_MAX];
	char *auth;			/* copy, wiped on release */
	CURL *curl;
	struct curl_slist *hdrs;
	char errbuf[CURL_ERROR_SIZE];
	struct sink sink;
	struct http_resp resp;
	bool h2;			/* answered over HTTP/2 */
};

static bool headers_equal(const char *const *a, const char *const *b)
{
	size_t i;

	for (i = 0; a && b && a[i] && b[i]; i++)
		if (strcmp(a[i], b[i]) != 0)
			return false;
	return (!a || !a[i]) && (!b || !b[i]);
}

static bool auth_equal(const char *a, const char *b)
{
	return a && b ? strcmp(a, b) == 0 : a == b;
}

/* Leave the member unsent, its answer (if any) dropped. */
static void pf_reset(struct registry *reg, struct pf_member *m,
		     enum pf_state to)
{
	if (m->state == PF_FLIGHT)
		curl_multi_remove_handle(reg->multi, m->curl);
	curl_slist_free_all(m->hdrs);
	m->hdrs = NULL;
	if (m->auth) {
		secure_wipe(m->auth, strlen(m->auth));
		free(m->auth);
		m->auth = NULL;
	}
	buf_reset(&m->resp.body);
	m->state = to;
}

static void prefetch_clear(struct registry *reg)
{
	size_t i;

	for (i = 0; i < reg->n_pf; i++)
		pf_reset(reg, &reg->pf[i], PF_OFF);
	reg->n_pf = 0;
}

static void prefetch_free(struct registry *reg)
{
	size_t i;

	if (!reg->pf)
		return;
	prefetch_clear(reg);
	for (i = 0; i < BATCH_MAX; i++) {
		http_resp_release(&reg->pf[i].resp);
		if (reg->pf[i].curl)
			curl_easy_cleanup(reg->pf[i].curl);
	}
	free(reg->pf);
}

void http_prefetch_begin(struct registry *reg)
{
	prefetch_clear(reg);
}

int http_prefetch_add(struct registry *reg, const struct http_req *req,
		      size_t max)
{
	struct pf_member *m;
	size_t i;

	if (reg->layout || strcmp(req->method, "GET") != 0 || req->catalog ||
	    reg->n_pf == BATCH_MAX)
		return 0;
	if (!reg->pf) {
		reg->pf = calloc(BATCH_MAX, sizeof(*reg->pf));
		if (!reg->pf)
			return err_set(ERR_NOMEM, "out of memory");
		for (i = 0; i < BATCH_MAX; i++)
			http_resp_init(&reg->pf[i].resp, MANIFEST_MAX);
	}
	m = &reg->pf[reg->n_pf];
	if (!m->curl && !(m->curl = curl_easy_init()))
		return err_set(ERR_NET, "cannot create a curl handle");
	if (snprintf(m->host, sizeof(m->host), "%s",
		     ref_endpoint(req->host)) >= (int)sizeof(m->host) ||
	    snprintf(m->path, sizeof(m->path), "%s", req->path) >=
	    (int)sizeof(m->path) ||
	    snprintf(m->repo, sizeof(m->repo), "%s", req->repo) >=
	    (int)sizeof(m->repo))
		return 0;	/* too long to be ours: not prefetched */
	m->headers = req->headers;
	m->max = max;
	m->resp.body.max = max;
	m->state = PF_IDLE;
	reg->n_pf++;
	return 0;
}

/* The batch member that request @req sent as @at would be, or NULL. */
static struct pf_member *pf_find(struct registry *reg,
				 const struct http_req *req,
				 const struct attempt *at,
				 const struct http_resp *resp)
{
	struct pf_member *m;
	size_t i;

	if (!at->batch || strcmp(req->method, "GET") != 0 || req->catalog)
		return NULL;
	for (i = 0; i < reg->n_pf; i++) {
		m = &reg->pf[i];
		if (strcmp(m->path, at->path) == 0 &&
		    strcmp(m->host, at->host) == 0 &&
		    strcmp(m->repo, req->repo) == 0 && m->max == resp->body.max &&
		    headers_equal(m->headers, req->headers))
			return m;
	}
	return NULL;
}

/* Trace a finished exchange as make bench and the tests read it:
 * "METHOD URL -> STATUS (T ms)" (the URL without its query). */
static void trace_exchange(const char *method, const char *url_in,
			   CURL *c, long status, CURLcode cc, const char *tag)
{
	char url[URL_MAX];
	curl_off_t took_us = 0;

	snprintf(url, sizeof(url), "%s", url_in);
	url_redact(url);
	curl_easy_getinfo(c, CURLINFO_TOTAL_TIME_T, &took_us);
	debugf("%s%s %s -> %ld%s (%.2f ms)", tag, method, url, status,
	       cc ? " (transport error)" : "", (double)took_us / 1e3);
}

static bool over_h2(CURL *c)
{
	long v = 0;

	curl_easy_getinfo(c, CURLINFO_HTTP_VERSION, &v);
	return v == CURL_HTTP_VERSION_2_0;
}

/* A member's transfer ended: keep a complete answer, drop the rest. */
static void pf_finish(struct registry *reg, struct pf_member *m,
		      CURLcode cc)
{
	curl_multi_remove_handle(reg->multi, m->curl);
	curl_easy_getinfo(m->curl, CURLINFO_RESPONSE_CODE, &m->resp.status);
	m->h2 = over_h2(m->curl);
	trace_exchange("GET", m->url, m->curl, m->resp.status, cc,
		       "prefetch: ");
	curl_slist_free_all(m->hdrs);
	m->hdrs = NULL;
	m->state = PF_DONE;
	if (cc != CURLE_OK || m->sink.overflow || m->sink.pace)
		pf_reset(reg, m, PF_OFF);
}

/* Run the multi handle until @m's transfer ends (@m NULL: reg->curl's).
 * The others in flight move on meanwhile; those that end are recorded. */
static CURLcode drive(struct registry *reg, struct pf_member *m)
{
	CURLMsg *msg;
	CURLMcode mc;
	int running, left;
	size_t i;

	for (;;) {
		mc = curl_multi_perform(reg->multi, &running);
		while ((msg = curl_multi_info_read(reg->multi, &left))) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			if (msg->easy_handle == reg->curl) {
				reg->lead_done = true;
				reg->lead_cc = msg->data.result;
				continue;
			}
			for (i = 0; i < reg->n_pf; i++)
				if (reg->pf[i].state == PF_FLIGHT &&
				    reg->pf[i].curl == msg->easy_handle)
					pf_finish(reg, &reg->pf[i],
						  msg->data.result);
		}
		if (m ? m->state != PF_FLIGHT : reg->lead_done)
			return m ? CURLE_OK : reg->lead_cc;
		if (mc != CURLM_OK || !running ||
		    curl_multi_poll(reg->multi, NULL, 0, 1000, NULL) !=
		    CURLM_OK)
			return CURLE_FAILED_INIT;	/* cannot happen */
	}
}

/* Send member @m beside the request going out as @at. */
static void pf_launch(struct registry *reg, struct pf_member *m,
		      const struct http_req *lead, const struct attempt *at,
		      long t_ms, long c_ms)
{
	struct attempt mat = *at;
	struct http_req req = *lead;

	pf_reset(reg, m, PF_IDLE);
	mat.path = m->path;
	req.path = m->path;
	req.headers = m->headers;
	if (snprintf(m->url, sizeof(m->url), "%s://%s%s",
		     at->scheme == SCHEME_HTTP ? "http" : "https", at->host,
		     m->path) >= (int)sizeof(m->url) ||
	    (at->auth && !(m->auth = strdup(at->auth))) ||
	    request_headers(&m->hdrs, &req, &mat) < 0) {
		err_clear();
		pf_reset(reg, m, PF_OFF);
		return;
	}
	memset(&m->sink, 0, sizeof(m->sink));
	m->sink.resp = &m->resp;
	m->resp.status = 0;
	m->resp.content_type[0] = m->resp.location[0] = '\0';
	m->resp.www_auth[0] = m->resp.link[0] = '\0';
	m->resp.retry_after[0] = '\0';
	m->resp.oci_subject = false;
	perform_setup(reg, m->curl, m->errbuf, &req, &mat, m->url, &m->sink,
		      t_ms, c_ms);
	curl_easy_setopt(m->curl, CURLOPT_HTTPHEADER, m->hdrs);
	/* over TLS, wait for the lead's connection: HTTP/2 multiplexes
	 * on it. Plain HTTP/1.1 (no h2c here) learns that it cannot only
	 * from the lead's answer, so waiting would make it sequential. */
	if (at->scheme == SCHEME_HTTPS)
		curl_easy_setopt(m->curl, CURLOPT_PIPEWAIT, 1L);
	if (curl_multi_add_handle(reg->multi, m->curl) != CURLM_OK) {
		pf_reset(reg, m, PF_OFF);
		return;
	}
	m->state = PF_FLIGHT;
	reg->nreq++;
}

/* @lead (a batch member, sent as @at) goes out now: the members not yet
 * sent as such go with it. */
static void pf_launch_all(struct registry *reg, struct pf_member *lead,
			  const struct http_req *req, const struct attempt *at,
			  const char *url, long t_ms, long c_ms)
{
	struct pf_member *m;
	char murl[URL_MAX];
	size_t i;

	pf_reset(reg, lead, PF_OFF);
	for (i = 0; i < reg->n_pf; i++) {
		m = &reg->pf[i];
		if (m == lead || m->state == PF_OFF)
			continue;
		/* answered, or on its way, as it would be sent now */
		snprintf(murl, sizeof(murl), "%.*s%s",
			 (int)(strlen(url) - strlen(at->path)), url, m->path);
		if (m->state != PF_IDLE && strcmp(m->url, murl) == 0 &&
		    auth_equal(m->auth, at->auth))
			continue;
		pf_launch(reg, m, req, at, t_ms, c_ms);
	}
}

/* The kept answer of @m, when it was sent as @url with @at's credentials:
 * 1 when @resp has it (and @m is done with), 0 when there is none. */
static int pf_answer(struct registry *reg, struct pf_member *m,
		     const struct attempt *at, const char *url,
		     struct http_resp *resp)
{
	if (m->state == PF_IDLE || m->state == PF_OFF ||
	    strcmp(m->url, url) != 0 || !auth_equal(m->auth, at->auth))
		return 0;
	if (m->state == PF_FLIGHT)
		drive(reg, m);
	if (m->state != PF_DONE)
		return 0;
	if (buf_append(&resp->body, m->resp.body.data, m->resp.body.len) < 0) {
		err_clear();
		pf_reset(reg, m, PF_OFF);
		return 0;
	}
	resp->status = m->resp.status;
	memcpy(resp->content_type, m->resp.content_type,
	       sizeof(resp->content_type));
	memcpy(resp->location, m->resp.location, sizeof(resp->location));
	memcpy(resp->www_auth, m->resp.www_auth, sizeof(resp->www_auth));
	memcpy(resp->link, m->resp.link, sizeof(resp->link));
	memcpy(resp->retry_after, m->resp.retry_after,
	       sizeof(resp->retry_after));
	resp->oci_subject = m->resp.oci_subject;
	reg->last_h2 = m->h2;
	pf_reset(reg, m, PF_OFF);
	return 1;
}

/* Send the request set up on reg->curl, and with it the batch members
 * (when it is one of them) that go beside it. */
static CURLcode transfer(struct registry *reg, struct pf_member *lead,
			 const struct http_req *req, const struct attempt *at,
			 const char *url, long t_ms, long c_ms)
{
	CURLcode cc;

	reg->lead_done = false;
	if (curl_multi_add_handle(reg->multi, reg->curl) != CURLM_OK)
		return CURLE_OUT_OF_MEMORY;
	if (lead)
		pf_launch_all(reg, lead, req, at, url, t_ms, c_ms);
	cc = drive(reg, NULL);
	curl_multi_remove_handle(reg->multi, reg->curl);
	return cc;
}

static int perform(struct registry *reg, const struct http_req *req,
		   const struct attempt *at, struct http_resp *resp,
		   CURLcode *ccode)
{
	struct curl_slist *hdrs = NULL;
	struct sink sink = { .resp = resp };
	struct pf_member *m;
	char url[URL_MAX], why[1024];
	long left = left_ms(reg), t_ms, c_ms;
	int rc;

	*ccode = CURLE_OK;
	reg->last_transient = false;
	reg->last_timed_out = false;
	reg->hint_ms = -1;
	if (reg->expired || left <= 0) {
		snprintf(why, sizeof(why), "%s %s", req->method, req->what);
		return deadline_exceeded(reg, why, false);
	}
	/* a write makes what was read before it stale */
	if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0)
		prefetch_clear(reg);
	/* each request gets its own limits, but never more than is left */
	t_ms = reg->opts.timeout * 1000;
	c_ms = reg->opts.connect_timeout * 1000;
	if (t_ms > left)
		t_ms = left;
	if (c_ms > left)
		c_ms = left;
	if (snprintf(url, sizeof(url), "%s://%s%s",
		     at->scheme == SCHEME_HTTP ? "http" : "https", at->host,
		     at->path) >= (int)sizeof(url))
		return err_set(ERR_FORMAT, "URL too long");
	buf_reset(&resp->body);
	resp->status = 0;
	m = pf_find(reg, req, at, resp);
	if (m && pf_answer(reg, m, at, url, resp)) {
		url_redact(url);
		debugf("%s %s: answered by the prefetch", req->method, url);
		return perform_outcome(reg, req, at, &sink, CURLE_OK);
	}
	perform_setup(reg, reg->curl, reg->errbuf, req, at, url, &sink, t_ms,
		      c_ms);
	if ((rc = request_headers(&hdrs, req, at)) < 0)
		return rc;
	curl_easy_setopt(reg->curl, CURLOPT_HTTPHEADER, hdrs);

	reg->nreq++;
	*ccode = transfer(reg, m, req, at, url, t_ms, c_ms);
	curl_easy_getinfo(reg->curl, CURLINFO_RESPONSE_CODE, &resp->status);
	reg->last_h2 = over_h2(reg->curl);
	/* the time it took, so that a trace shows which requests overlap
	 * (make bench counts sequential round trips by it) */
	trace_exchange(req->method, url, reg->curl, resp->status, *ccode, "");
	rc = perform_outcome(reg, req, at, &sink, *ccode);
	curl_slist_free_all(hdrs);
	return rc;
}

bool http_transient(const struct registry *reg)
{
	return reg->last_transient;
}

bool http_timed_out(const struct registry *reg)
{
	return reg->last_timed_out;
}

void registry_deadline_restart(struct registry *reg)
{
	prefetch_clear(reg);
	reg->start_ms = now_ms();
	reg->end_ms = reg->opts.deadline > 0 ?
		      reg->start_ms + reg->opts.deadline * 1000 : 0;
	reg->expired = false;
	reg->expired_msg[0] = '\0';
}

int http_retries(const struct registry *reg)
{
	return reg->opts.retries;
}

long http_backoff(const struct registry *reg, int attempt)
{
	long cap = 200L << (attempt < 5 ? attempt : 5);
	unsigned int r = 0;

	if (reg->hint_ms >= 0)
		return reg->hint_ms;
	if (cap > 5000)
		cap = 5000;
	RAND_bytes((unsigned char *)&r, sizeof(r));
	return (long)(r % (unsigned long)cap);
}

int http_pause(struct registry *reg, long ms, const char *why)
{
	struct timespec t;

	if (reg->expired)
		return err_set(ERR_NET, "%s", reg->expired_msg);
	if (ms >= left_ms(reg))
		return deadline_exceeded(reg, why, true);
	t.tv_sec = ms / 1000;
	t.tv_nsec = (ms % 1000) * 1000000;
	while (nanosleep(&t, &t) != 0)
		;
	return 0;
}

static int status_error(const struct http_req *req,
			const struct http_resp *resp);

/* perform() again after transient failures, when the request may be
 * repeated: capped exponential backoff with full jitter, Retry-After
 * honoured (up to 30 s), all within the deadline. A timeout is tried
 * again TIMEOUT_RETRIES times at most: a registry that did not answer in
 * time twice will not in the third. */
static int perform_retry(struct registry *reg, const struct http_req *req,
			 const struct attempt *at, struct http_resp *resp,
			 CURLcode *cc)
{
	char why[768];
	int attempt, rc, timeouts = 0;

	for (attempt = 0;; attempt++) {
		rc = perform(reg, req, at, resp, cc);
		if (!reg->last_transient || !may_repeat(req) ||
		    attempt >= reg->opts.retries)
			return rc;
		if (reg->last_timed_out && ++timeouts > TIMEOUT_RETRIES)
			return rc;
		if (rc == 0)
			status_error(req, resp);	/* names the failure */
		snprintf(why, sizeof(why), "%s", err_msg());
		debugf("retrying %s (attempt %d)", req->what, attempt + 2);
		if ((rc = http_pause(reg, http_backoff(reg, attempt + 1),
				     why)) < 0)
			return rc;
		err_clear();
	}
}

/* The scope a request needs: "repository:NAME:pull" or ":pull,push". */
static void scope_of(char *out, size_t n, const struct http_req *req)
{
	bool write = strcmp(req->method, "GET") != 0 &&
		     strcmp(req->method, "HEAD") != 0;

	if (req->catalog)
		snprintf(out, n, "registry:catalog:*");
	else
		snprintf(out, n, "repository:%s:%s", req->repo,
			 write ? "pull,push" : "pull");
}

static int fetch_token(struct registry *reg, struct host *h,
		       const char *challenge, const char *scope);

/* Credentials go to the registry itself and to a token realm on the same
 * host only (plus Docker Hub's own auth host). */
static bool realm_may_get_credentials(const char *registry_host,
				      const char *realm_host)
{
	if (strcasecmp(registry_host, realm_host) == 0)
		return true;
	return strcmp(registry_host, "docker.io") == 0 &&
	       strcasecmp(realm_host, "auth.docker.io") == 0;
}

static int status_error(const struct http_req *req,
			const struct http_resp *resp)
{
	char msg[256] = "";
	json_t *doc = NULL;

	/* registries explain errors as {"errors":[{"code","message"}]} */
	if (resp->body.len && resp->body.len < 65536 &&
	    jx_parse(&doc, resp->body.data, resp->body.len, "error") == 0) {
		json_t *e = json_array_get(json_object_get(doc, "errors"), 0);
		const char *m = jx_str(e, "message");
		const char *code = jx_str(e, "code");

		if (m || code)
			str_sanitize(msg, sizeof(msg), m ? m : code);
	}
	json_decref(doc);
	err_clear();
	if (resp->status == 401 || resp->status == 403)
		return err_set(ERR_AUTH,
			       "%s %s: HTTP %ld: authentication failed%s%s",
			       req->method, req->what, resp->status,
			       msg[0] ? ": " : "", msg);
	if (resp->status == 404)
		return err_set(ERR_NOTFOUND, "%s not found%s%s", req->what,
			       msg[0] ? ": " : "", msg);
	return err_set(ERR_NET, "%s %s: HTTP %ld%s%s", req->method, req->what,
		       resp->status, msg[0] ? ": " : "", msg);
}

/* Where one http_do stands: at the registry's own host, or (@away) at
 * the host a redirect sent it to, which never gets our credentials. */
struct exchange {
	struct host *h;		/* the registry's; see host_get */
	struct attempt at;
	bool away;
	bool authed;		/* a challenge was answered already */
	int redirects;
	char path[2048];
	char host[REF_HOST_MAX];	/* at.host when away */
	char scope[512];
	char auth[4096];	/* wiped when done */
};

enum { AGAIN = 1 };		/* send the request (again) from the top */

/* A host we may reach over plain HTTP is tried that way first: the first
 * request carries no credentials (those follow a challenge), and a
 * loopback registry then costs no TLS set-up. A registry that speaks TLS
 * refuses plain HTTP with a 400 or drops the connection; then we switch
 * to HTTPS for good. AGAIN when the request is to be sent again. */
static int scheme_probe(struct registry *reg, const struct http_req *req,
			struct host *h, int rc, CURLcode cc,
			const struct http_resp *resp)
{
	char why[768];
	/* a name without a port is HTTPS's port 443 (ref_canonical_host
	 * drops ":443"): nothing on HTTP's 80 sends us there */
	bool tls_hint = rc == ERR_NET ?
		(cc == CURLE_GOT_NOTHING || cc == CURLE_RECV_ERROR ||
		 cc == CURLE_SEND_ERROR ||
		 (cc == CURLE_COULDNT_CONNECT && !host_has_port(h->name))) :
		rc == 0 && resp->status == 400;

	if (tls_hint) {
		debugf("'%s' refuses plain HTTP; using HTTPS", h->name);
		h->scheme = SCHEME_HTTPS;
		return AGAIN;
	}
	if (rc < 0)
		return rc;
	/* an HTTP answer: plain HTTP it is; one that asks us to come back
	 * later is retried like any other */
	h->scheme = SCHEME_HTTP;
	if (!reg->last_transient || !may_repeat(req))
		return 0;
	status_error(req, resp);
	snprintf(why, sizeof(why), "%s", err_msg());
	if ((rc = http_pause(reg, http_backoff(reg, 1), why)) < 0)
		return rc;
	err_clear();
	return AGAIN;
}

/* May a request to @h carry the prefetch batch along? On a first contact
 * that probes the scheme (a loopback registry: a second plain connection
 * costs next to nothing), and once the host's credentials are settled
 * (never into an HTTPS registry's first challenge). Over TLS only when
 * the host answered over HTTP/2, where the batch shares the connection:
 * a second HTTP/1.1 connection costs a TLS handshake, more than the
 * round trip it would save. */
static bool batch_ok(const struct host *h, bool auth)
{
	if (h->scheme == SCHEME_UNKNOWN)
		return true;
	if (!h->answered && !auth)
		return false;
	return h->scheme == SCHEME_HTTP || h->h2;
}

/* Send the request to the registry's own host, with the token or basic
 * credentials it has asked for. No retries while we find out which
 * scheme the host speaks. */
static int send_home(struct registry *reg, const struct http_req *req,
		     struct exchange *x, struct http_resp *resp)
{
	struct host *h = x->h;
	const char *tok = token_find(reg, h->name, x->scope);
	CURLcode cc;
	int rc;

	x->at.scheme = h->scheme == SCHEME_HTTPS ? SCHEME_HTTPS : SCHEME_HTTP;
	x->at.auth = NULL;
	if (tok) {
		snprintf(x->auth, sizeof(x->auth), "Authorization: Bearer %s",
			 tok);
		x->at.auth = x->auth;
	} else if (h->use_basic && h->cred.basic) {
		snprintf(x->auth, sizeof(x->auth), "Authorization: Basic %s",
			 h->cred.basic);
		x->at.auth = x->auth;
	}
	x->at.batch = batch_ok(h, x->at.auth != NULL);
	if (h->scheme != SCHEME_UNKNOWN) {
		rc = perform_retry(reg, req, &x->at, resp, &cc);
	} else {
		rc = perform(reg, req, &x->at, resp, &cc);
		rc = scheme_probe(reg, req, h, rc, cc, resp);
	}
	if (resp->status)
		h->h2 = reg->last_h2;
	return rc;
}

/* A 401 from the registry, the first: load its credentials, then fetch
 * a token (Bearer) or send them (Basic). AGAIN when we have something
 * new to send; 0 leaves the 401 to be reported. */
static int auth_challenge(struct registry *reg, struct exchange *x,
			  const struct http_resp *resp)
{
	struct host *h = x->h;
	long left;
	int rc;

	if (resp->status != 401 || x->authed || x->away || !resp->www_auth[0])
		return 0;
	x->authed = true;
	if (!h->cred_loaded) {
		h->cred_loaded = true;
		left = left_ms(reg);
		if ((rc = cred_lookup(&h->cred, h->name,
				      left > 1 ? left : 1)) < 0)
			return rc;
	}
	if (strncasecmp(resp->www_auth, "Bearer ", 7) == 0) {
		if ((rc = fetch_token(reg, h, resp->www_auth, x->scope)) < 0)
			return rc;
		return AGAIN;
	}
	if (strncasecmp(resp->www_auth, "Basic", 5) == 0 && h->cred.basic) {
		h->use_basic = true;
		return AGAIN;
	}
	return 0;
}

/* Follow a redirect to another host @rhost: once, with no credentials
 * and no redirect further on. */
static int redirect_away(struct registry *reg, const struct http_req *req,
			 struct exchange *x, enum scheme ns, const char *rhost,
			 struct http_resp *resp)
{
	CURLcode cc;
	int rc;

	snprintf(x->host, sizeof(x->host), "%s", rhost);
	x->away = true;
	x->at = (struct attempt){
		.scheme = ns,
		.host = x->host,
		.path = x->path,
		.auth = NULL,
		.ca_file = reg->opts.ca_file,
	};
	if (ns == SCHEME_HTTP && !host_plain_ok(reg, x->host))
		return err_set(ERR_NET, "%s: refusing plain HTTP redirect to "
			       "'%s'", req->what, x->host);
	if ((rc = perform_retry(reg, req, &x->at, resp, &cc)) < 0)
		return rc;
	if (resp->status >= 300 && resp->status < 400)
		return err_set(ERR_NET, "%s: redirect chain leaves the "
			       "registry", req->what);
	return 0;
}

/* A redirect from the registry, when the request follows them: AGAIN for
 * another path on the same host; another host gets the request here. */
static int redirect_follow(struct registry *reg, const struct http_req *req,
			   struct exchange *x, struct http_resp *resp)
{
	char rhost[REF_HOST_MAX];
	const char *npath;
	enum scheme ns;

	if (resp->status < 300 || resp->status >= 400 ||
	    resp->status == 304 || !req->follow || x->away)
		return 0;
	if (++x->redirects > MAX_REDIRECTS)
		return err_set(ERR_NET, "%s: too many redirects", req->what);
	if (!resp->location[0])
		return err_set(ERR_NET, "%s: redirect without Location",
			       req->what);
	if (resp->location[0] == '/') {
		snprintf(x->path, sizeof(x->path), "%s", resp->location);
		return AGAIN;
	}
	if (!url_split(resp->location, &ns, rhost, sizeof(rhost), &npath))
		return err_set(ERR_NET, "%s: unusable redirect", req->what);
	if (ns == SCHEME_HTTP && x->at.scheme == SCHEME_HTTPS)
		return err_set(ERR_NET, "%s: refusing redirect from HTTPS to "
			       "HTTP", req->what);
	snprintf(x->path, sizeof(x->path), "%s", npath);
	if (strcmp(rhost, ref_endpoint(x->h->name)) == 0)
		return AGAIN;
	return redirect_away(reg, req, x, ns, rhost, resp);
}

int http_do(struct registry *reg, const struct http_req *req,
	    struct http_resp *resp)
{
	struct exchange x = { 0 };
	int rc;

	if (reg->layout) {
		reg->nreq++;
		return layout_do(reg->layout, req, resp);
	}
	x.h = host_get(reg, req->host);
	snprintf(x.path, sizeof(x.path), "%s", req->path);
	scope_of(x.scope, sizeof(x.scope), req);
	x.at.host = ref_endpoint(x.h->name);	/* Hub: registry-1 */
	x.at.path = x.path;
	x.at.ca_file = reg->opts.ca_file ? reg->opts.ca_file : x.h->ca_file;
	do {
		rc = send_home(reg, req, &x, resp);
		if (rc == 0)
			rc = auth_challenge(reg, &x, resp);
		if (rc == 0)
			rc = redirect_follow(reg, req, &x, resp);
	} while (rc == AGAIN);
	if (rc == 0 && !x.away && ((resp->status >= 200 &&
	    resp->status < 300) || resp->status == 404))
		x.h->answered = true;
	if (rc == 0 && (resp->status < 200 || resp->status >= 300) &&
	    !(req->ok_404 && resp->status == 404))
		rc = status_error(req, resp);
	secure_wipe(x.auth, sizeof(x.auth));
	return rc;
}

/* ---- WWW-Authenticate and tokens ----------------------------------------- */

bool http_challenge_param(const char *ch, const char *name, char *out,
			  size_t outsz)
{
	const char *p = ch;
	size_t nl = strlen(name);

	if (!outsz)
		return false;
	while (*p && *p != ' ')
		p++;
	while (*p) {
		const char *key;
		size_t klen, o = 0;
		bool quoted, want;

		while (*p == ' ' || *p == ',')
			p++;
		key = p;
		while (*p && *p != '=' && *p != ',' && *p != ' ')
			p++;
		klen = (size_t)(p - key);
		if (*p != '=')
			return false;
		p++;
		want = klen == nl && strncasecmp(key, name, nl) == 0;
		quoted = *p == '"';
		if (quoted)
			p++;
		/* only the value asked for must fit: a long scope before
		 * the service is no reason to lose the service */
		while (*p && (quoted ? *p != '"' : (*p != ',' && *p != ' '))) {
			char c = *p;

			if (quoted && c == '\\' && p[1])
				c = *++p;
			if (want && o + 1 >= outsz)
				return false;
			if (want)
				out[o++] = c;
			p++;
		}
		if (quoted) {
			if (*p != '"')
				return false;
			p++;
		}
		if (want) {
			out[o] = '\0';
			return true;
		}
	}
	return false;
}

/* Percent-encode for a query value. */
static int query_escape(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	int rc = 0;

	for (; *s && rc == 0; s++) {
		unsigned char c = (unsigned char)*s;

		if (isalnum(c) || strchr("-._~", c))
			rc = buf_append(b, s, 1);
		else
			rc = buf_appendf(b, "%%%c%c", hex[c >> 4], hex[c & 15]);
	}
	return rc;
}

static int fetch_token(struct registry *reg, struct host *h,
		       const char *challenge, const char *scope)
{
	char realm[1024], service[256], rhost[REF_HOST_MAX], auth[1024];
	const char *rpath, *tok;
	enum scheme rs;
	struct http_resp resp;
	struct http_req treq = { 0 };
	struct attempt at = { 0 };
	struct buf path;
	json_t *doc = NULL;
	CURLcode cc;
	int rc;

	if (!http_challenge_param(challenge, "realm", realm, sizeof(realm)) ||
	    !url_split(realm, &rs, rhost, sizeof(rhost), &rpath))
		return err_set(ERR_AUTH, "registry '%s' sent an unusable "
			       "authentication challenge", h->name);
	if (rs == SCHEME_HTTP && !host_plain_ok(reg, rhost))
		return err_set(ERR_AUTH, "registry '%s' asks for a token over "
			       "plain HTTP from '%s'; refusing", h->name,
			       rhost);
	buf_init(&path, 8192);
	rc = buf_appends(&path, rpath);
	if (rc == 0)
		rc = buf_appends(&path, strchr(rpath, '?') ? "&" : "?");
	if (rc == 0 && http_challenge_param(challenge, "service", service,
					    sizeof(service))) {
		rc = buf_appends(&path, "service=");
		if (rc == 0)
			rc = query_escape(&path, service);
		if (rc == 0)
			rc = buf_appends(&path, "&");
	}
	if (rc == 0)
		rc = buf_appends(&path, "scope=");
	if (rc == 0)
		rc = query_escape(&path, scope);
	if (rc < 0)
		goto out;

	at.scheme = rs;
	at.host = rhost;
	at.path = (const char *)path.data;
	at.ca_file = reg->opts.ca_file ? reg->opts.ca_file : h->ca_file;
	if (h->cred.basic && realm_may_get_credentials(h->name, rhost)) {
		snprintf(auth, sizeof(auth), "Authorization: Basic %s",
			 h->cred.basic);
		at.auth = auth;
	}
	treq.method = "GET";
	treq.what = "token";
	http_resp_init(&resp, 1 << 20);
	rc = perform(reg, &treq, &at, &resp, &cc);
	secure_wipe(auth, sizeof(auth));
	if (rc < 0)
		goto out_resp;
	if (resp.status != 200) {
		rc = err_set(ERR_AUTH, "token service '%s' refused access to "
			     "'%s' (HTTP %ld)%s", rhost, scope, resp.status,
			     h->cred.basic ? "" :
			     "; log in with docker login");
		goto out_resp;
	}
	if ((rc = jx_parse(&doc, resp.body.data, resp.body.len,
			   "token response")) < 0)
		goto out_resp;
	tok = jx_str(doc, "token");
	if (!tok)
		tok = jx_str(doc, "access_token");
	if (!tok || !*tok || strlen(tok) > 3000 || strpbrk(tok, "\r\n")) {
		rc = err_set(ERR_AUTH, "token service '%s' sent no usable "
			     "token", rhost);
		goto out_resp;
	}
	rc = token_store(reg, h->name, scope, tok);
out_resp:
	if (doc) {
		/* the token lives on in our cache only */
		json_decref(doc);
	}
	buf_release_secret(&resp.body);
out:
	buf_release(&path);
	return rc;
}
