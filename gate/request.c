/*
 * request.c - what dockerd asks the gate: the AuthZReq document, and which
 * API request it carries. Read the way dockerd's own router and JSON
 * decoder would read them, so that the gate never judges one image while
 * dockerd uses another; what cannot be read for sure is refused. Pure.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "gate.h"

/* ---- the AuthZReq document ----------------------------------------------- */

static void copy_str(char *out, size_t outsz, const char *s, bool *cut)
{
	size_t n = strlen(s);

	if (cut)
		*cut = n >= outsz;
	snprintf(out, outsz, "%s", s);
}

/* The Content-Type of the RequestHeaders map (names in any case). */
static void authz_content_type(struct gate_authz *out, const json_t *hdrs)
{
	const char *name;
	json_t *v;

	if (!json_is_object(hdrs))
		return;
	json_object_foreach((json_t *)hdrs, name, v)
		if (strcasecmp(name, "Content-Type") == 0 &&
		    json_is_string(v))
			copy_str(out->content_type, sizeof(out->content_type),
				 json_string_value(v), NULL);
}

static int authz_body(struct gate_authz *out, const json_t *b)
{
	if (!b || json_is_null(b))
		return 0;
	if (!json_is_string(b))
		return err_set(ERR_FORMAT, "AuthZReq: RequestBody is not a "
			       "string");
	if (json_string_length(b) > GATE_API_BODY_MAX / 3 * 4 + 4)
		return err_set(ERR_FORMAT, "AuthZReq: RequestBody is over %u "
			       "bytes", GATE_API_BODY_MAX);
	buf_init(&out->body, GATE_API_BODY_MAX);
	if (b64_decode(&out->body, json_string_value(b),
		       json_string_length(b)) < 0)
		return err_set(ERR_FORMAT, "AuthZReq: RequestBody is not "
			       "base64");
	out->has_body = true;
	return 0;
}

int gate_authz_parse(struct gate_authz *out, const void *json, size_t len)
{
	const char *method, *uri, *user;
	json_t *doc = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = jx_parse(&doc, json, len, "AuthZReq")) < 0)
		return rc;
	rc = ERR_FORMAT;
	method = jx_str(doc, "RequestMethod");
	uri = jx_str(doc, "RequestUri");
	user = jx_str(doc, "User");
	if (!json_is_object(doc) || !method || !uri) {
		err_set(ERR_FORMAT, "AuthZReq: no RequestMethod or RequestUri");
		goto out;
	}
	copy_str(out->method, sizeof(out->method), method, NULL);
	copy_str(out->uri, sizeof(out->uri), uri, &out->uri_cut);
	copy_str(out->user, sizeof(out->user), user ? user : "", NULL);
	authz_content_type(out, json_object_get(doc, "RequestHeaders"));
	rc = authz_body(out, json_object_get(doc, "RequestBody"));
out:
	json_decref(doc);
	return rc;
}

void gate_authz_release(struct gate_authz *a)
{
	if (a)
		buf_release(&a->body);
}

/* ---- the request's path and query ---------------------------------------- */

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Percent-decode @in[0..n) into @out; '+' is a space when @plus (a query).
 * false on a bad escape, a NUL, or no room. */
static bool unescape(char *out, size_t outsz, const char *in, size_t n,
		     bool plus)
{
	size_t i, o = 0;
	int hi, lo;

	for (i = 0; i < n; i++) {
		int c = (unsigned char)in[i];

		if (c == '%') {
			if (i + 2 >= n)
				return false;
			if ((hi = hexval(in[i + 1])) < 0 ||
			    (lo = hexval(in[i + 2])) < 0)
				return false;
			c = hi * 16 + lo;
			i += 2;
		} else if (plus && c == '+') {
			c = ' ';
		}
		if (c == 0 || o + 1 >= outsz)
			return false;
		out[o++] = (char)c;
	}
	out[o] = 0;
	return true;
}

#define PATH_MAX_SEGS 64

/* Collapse "//", drop "." and resolve ".." in place, as a router that
 * cleans paths does; the result starts with '/'. false when it has too
 * many segments to be sure. */
static bool clean_path(char *p)
{
	char *seg[PATH_MAX_SEGS], *tok, *save = NULL, tmp[2048];
	size_t n = 0, i, o = 0;

	snprintf(tmp, sizeof(tmp), "%s", p);
	for (tok = strtok_r(tmp, "/", &save); tok;
	     tok = strtok_r(NULL, "/", &save)) {
		if (strcmp(tok, ".") == 0)
			continue;
		if (strcmp(tok, "..") == 0) {
			n -= n > 0;
			continue;
		}
		if (n == PATH_MAX_SEGS)
			return false;
		seg[n++] = tok;
	}
	for (i = 0; i < n; i++)
		o += (size_t)snprintf(p + o, 2048 - o, "/%s", seg[i]);
	if (!n)
		snprintf(p, 2048, "/");
	return true;
}

/* Skip "/v1.41" (any "/v" and digits and dots) at the start. */
static const char *skip_version(const char *p)
{
	size_t n;

	if (strncmp(p, "/v", 2) != 0)
		return p;
	n = strspn(p + 2, "0123456789.");
	return n && (p[2 + n] == '/' || !p[2 + n]) ? p + 2 + n : p;
}

/* Can the query be read as dockerd reads it? No ';' (refused by Go's
 * parser), no bad or NUL escape. */
static bool query_valid(const char *q)
{
	const char *p;

	if (strchr(q, ';'))
		return false;
	for (p = q; (p = strchr(p, '%')); p += 3)
		if (hexval(p[1]) < 0 || hexval(p[2]) < 0 ||
		    (p[1] == '0' && p[2] == '0'))
			return false;
	return true;
}

/* The first value of @key in query @q, decoded into @out; "" when it has
 * none. false when it does not fit. */
static bool query_get(char *out, size_t outsz, const char *q, const char *key)
{
	const char *p = q, *end, *eq;
	char name[64];

	out[0] = 0;
	for (; *p; p = *end ? end + 1 : end) {
		end = p + strcspn(p, "&");
		eq = memchr(p, '=', (size_t)(end - p));
		if (!unescape(name, sizeof(name), p,
			      (size_t)((eq ? eq : end) - p), true) ||
		    strcmp(name, key) != 0)
			continue;
		return eq ? unescape(out, outsz, eq + 1,
				     (size_t)(end - eq - 1), true) : true;
	}
	return true;
}

/* ---- which request ------------------------------------------------------- */

static void refuse(struct gate_request *out, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void refuse(struct gate_request *out, const char *fmt, ...)
{
	va_list ap;

	out->kind = GATE_REFUSE;
	va_start(ap, fmt);
	vsnprintf(out->reason, sizeof(out->reason), fmt, ap);
	va_end(ap);
}

/* The Image of a container config. dockerd's JSON decoder matches member
 * names in any case and keeps the last: exactly one such member, or it is
 * refused. */
static void create_image(struct gate_request *out, const void *body,
			 size_t len)
{
	const json_t *img = NULL;
	const char *k;
	json_t *doc = NULL, *v;
	size_t n = 0;

	if (!body) {
		refuse(out, "dockerd sent no container config to check "
		       "(over 1 MiB, or not application/json)");
		return;
	}
	if (jx_parse(&doc, body, len, "container config") < 0) {
		refuse(out, "%s", err_msg());
		return;
	}
	if (json_is_object(doc))
		json_object_foreach(doc, k, v)
			if (strcasecmp(k, "Image") == 0 && ++n)
				img = v;
	if (n > 1)
		refuse(out, "the container config names its image %zu times",
		       n);
	else if (!img || !json_is_string(img) || !json_string_length(img))
		refuse(out, "the container config names no image");
	else if (json_string_length(img) >= sizeof(out->image))
		refuse(out, "the container config's image name is too long");
	else {
		out->kind = GATE_CREATE;
		copy_str(out->image, sizeof(out->image),
			 json_string_value(img), NULL);
	}
	json_decref(doc);
}

/* A form body would be read by dockerd for the query's names too. */
static bool is_form(const char *ctype)
{
	static const char form[] = "application/x-www-form-urlencoded";

	if (!ctype)
		return false;
	ctype += strspn(ctype, " \t");
	return strncasecmp(ctype, form, sizeof(form) - 1) == 0;
}

/* The image a pull names: fromImage, with tag= (a tag or a digest) in
 * place of its own tag. Without either, every tag: refused. */
static void pull_image(struct gate_request *out, const char *q,
		       const char *ctype)
{
	char from[GATE_NAME_MAX], tag[REF_TAG_MAX + DIGEST_STR_MAX];
	const char *tail;
	size_t n;

	if (!query_valid(q) || !query_get(from, sizeof(from), q,
					  "fromImage") ||
	    !query_get(tag, sizeof(tag), q, "tag")) {
		refuse(out, "cannot read the pull's query");
		return;
	}
	if (!from[0])
		return;		/* an import: judged when it is run */
	if (is_form(ctype)) {
		refuse(out, "a pull with a form body is refused");
		return;
	}
	tail = strrchr(from, '/');
	tail = tail ? tail + 1 : from;
	n = strchr(from, '@') ? (size_t)(strchr(from, '@') - from) :
	    strchr(tail, ':') ? (size_t)(strchr(tail, ':') - from) :
	    strlen(from);
	if (!tag[0] && n == strlen(from))
		refuse(out, "a pull of every tag of '%.200s' is refused: pull "
		       "one tag or digest", from);
	else if (tag[0] && strchr(from, '@'))
		refuse(out, "a pull naming both a digest and tag '%.100s' is "
		       "refused", tag);
	else if (!tag[0])
		snprintf(out->image, sizeof(out->image), "%s", from);
	else if (snprintf(out->image, sizeof(out->image), "%.*s%c%s", (int)n,
			  from, digest_valid(tag) ? '@' : ':', tag) >=
		 (int)sizeof(out->image))
		refuse(out, "the pull's image name is too long");
	if (out->kind != GATE_REFUSE)
		out->kind = GATE_PULL;
}

/* Does @s end with @suffix? */
static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* "/containers/NAME/start" or ".../restart": NAME. dockerd's route is
 * "/containers/{name:.*}/start": NAME may hold '/', as a legacy link's
 * name does ("web/db" is container db, linked from web). */
static bool start_name(char *out, size_t outsz, const char *p)
{
	const char *name;
	size_t n;

	if (strncmp(p, "/containers/", 12) != 0)
		return false;
	name = p + 12;
	if (ends_with(name, "/start"))
		n = strlen(name) - 6;
	else if (ends_with(name, "/restart"))
		n = strlen(name) - 8;
	else
		return false;
	if (n == 0)
		return false;
	snprintf(out, outsz, "%.*s", (int)n, name);
	return n < outsz;
}

void gate_classify(struct gate_request *out, const char *method,
		   const char *uri, const char *content_type,
		   const void *body, size_t len)
{
	const char *q = strchr(uri, '?'), *p;
	char path[2048];

	memset(out, 0, sizeof(*out));
	out->kind = GATE_PASS;
	if (strcasecmp(method, "POST") != 0)
		return;
	/* dockerd routes "http://h/containers/x/start" (absolute form) by
	 * its path: only a path can be read as its router reads it */
	if (uri[0] != '/') {
		refuse(out, "the request's URI is not a path");
		return;
	}
	if (!unescape(path, sizeof(path), uri,
		      q ? (size_t)(q - uri) : strlen(uri), false) ||
	    !clean_path(path)) {
		refuse(out, "cannot read the request's path");
		return;
	}
	p = skip_version(path);
	if (strcmp(p, "/containers/create") == 0)
		create_image(out, body, len);
	else if (strcmp(p, "/images/create") == 0)
		pull_image(out, q ? q + 1 : "", content_type);
	else if (start_name(out->image, sizeof(out->image), p))
		out->kind = GATE_START;
}

const char *gate_kind_name(enum gate_kind k)
{
	switch (k) {
	case GATE_CREATE:
		return "create";
	case GATE_START:
		return "start";
	case GATE_PULL:
		return "pull";
	case GATE_REFUSE:
		return "refuse";
	default:
		return "pass";
	}
}
