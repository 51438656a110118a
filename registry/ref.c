/*
 * ref.c - image references parsed by docker's rules (distribution/reference):
 *
 *   reference  := name [ ":" tag ] [ "@" digest ]
 *   name       := [ domain "/" ] path
 *   domain     := host [ ":" port ]      host: DNS name, IPv4, [IPv6]
 *   path       := component ( "/" component )*
 *   component  := [a-z0-9]+ ( ( [._] | "__" | "-"+ ) [a-z0-9]+ )*
 *   tag        := [A-Za-z0-9_] [A-Za-z0-9_.-]{0,127}
 *
 * The first path element is the domain when it holds '.' or ':' or is
 * "localhost"; otherwise the registry is docker.io, where one-element names
 * get "library/". Signature claims are normalised by the same parser so a
 * claim and a command-line reference can never be read differently.
 *
 * The registry host is written one way only (ref_canonical_host): lower
 * case, no ":443", IPv6 as inet_ntop writes it, and Docker Hub's other
 * names (index.docker.io, registry-1.docker.io) as docker.io. Every name
 * signet matches, prints or hands to docker comes from here, so a policy
 * scope cannot be escaped by spelling the host another way.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry.h"

#define NAME_TOTAL_MAX 255	/* docker's NameTotalLengthMax */
#define TAG_LEN_MAX 128

/* What is being parsed, for the error message. */
struct refctx {
	const char *input;
	const char *what;	/* "reference" or "docker-reference claim" */
	int code;		/* returned on any error */
};

static int ref_fail(const struct refctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int ref_fail(const struct refctx *c, const char *fmt, ...)
{
	char shown[160], why[256];
	const char *more;
	va_list ap;

	str_sanitize(shown, sizeof(shown), c->input);
	more = strlen(c->input) >= sizeof(shown) - 1 ? "..." : "";
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return err_set(c->code, "invalid %s '%s%s': %s", c->what, shown, more,
		       why);
}

static bool is_lower_alnum(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
}

static bool is_alnum(char ch)
{
	return is_lower_alnum(ch) || (ch >= 'A' && ch <= 'Z');
}

static bool is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

static bool is_hex(char ch)
{
	return is_digit(ch) || (ch >= 'a' && ch <= 'f') ||
	       (ch >= 'A' && ch <= 'F');
}

static bool is_upper(char ch)
{
	return ch >= 'A' && ch <= 'Z';
}

/* [a-z0-9]+ ( separator [a-z0-9]+ )* over p[0..n). */
static bool component_ok(const char *p, size_t n)
{
	size_t i = 0;

	for (;;) {
		size_t start = i;

		while (i < n && is_lower_alnum(p[i]))
			i++;
		if (i == start)
			return false;
		if (i == n)
			return true;
		if (p[i] == '.') {
			i++;
		} else if (p[i] == '_') {
			i++;
			if (i < n && p[i] == '_')
				i++;
		} else if (p[i] == '-') {
			while (i < n && p[i] == '-')
				i++;
		} else {
			return false;
		}
	}
}

/* label ( "." label )*, label = alnum ( [alnum-]* alnum )? */
static bool hostname_ok(const char *p, size_t n)
{
	size_t i = 0;

	for (;;) {
		size_t start = i;

		while (i < n && (is_alnum(p[i]) || p[i] == '-'))
			i++;
		if (i == start || p[start] == '-' || p[i - 1] == '-')
			return false;
		if (i == n)
			return true;
		if (p[i] != '.')
			return false;
		i++;
	}
}

static bool ipv6_ok(const char *p, size_t n)
{
	char tmp[64];
	unsigned char addr[16];
	size_t i;

	if (n == 0 || n >= sizeof(tmp))
		return false;
	/* docker's grammar: hex digits and colons only (no zone, no dots) */
	for (i = 0; i < n; i++)
		if (!is_hex(p[i]) && p[i] != ':')
			return false;
	memcpy(tmp, p, n);
	tmp[n] = '\0';
	return inet_pton(AF_INET6, tmp, addr) == 1;
}

/* host [":" port]; the reason goes into @why on failure. */
static bool domain_ok(const char *p, size_t n, const char **why)
{
	size_t hlen, i;
	unsigned long port = 0;
	const char *colon;

	if (n && p[0] == '[') {
		const char *close = memchr(p, ']', n);

		if (!close || !ipv6_ok(p + 1, (size_t)(close - p - 1))) {
			*why = "invalid IPv6 address in registry host";
			return false;
		}
		hlen = (size_t)(close - p) + 1;
		if (hlen < n && p[hlen] != ':') {
			*why = "invalid registry host";
			return false;
		}
	} else {
		colon = memchr(p, ':', n);
		hlen = colon ? (size_t)(colon - p) : n;
		if (!hostname_ok(p, hlen)) {
			*why = "invalid registry host";
			return false;
		}
	}
	if (hlen == n)
		return true;
	/* ":port", 1 to 65535 */
	if (n - hlen - 1 == 0 || n - hlen - 1 > 5) {
		*why = "invalid registry port";
		return false;
	}
	for (i = hlen + 1; i < n; i++) {
		if (!is_digit(p[i])) {
			*why = "invalid registry port";
			return false;
		}
		port = port * 10 + (unsigned long)(p[i] - '0');
	}
	if (port == 0 || port > 65535) {
		*why = "invalid registry port";
		return false;
	}
	return true;
}

/* ---- the one spelling of a registry host ------------------------------- */

#define HUB "docker.io"
#define HUB_ENDPOINT "registry-1.docker.io"

/* Docker Hub's other names: the same registry, written docker.io. */
static const char *const hub_aliases[] = { "index.docker.io", HUB_ENDPOINT,
					   NULL };

/* The ':' before the port of @host, or NULL. */
static char *port_colon(char *host)
{
	char *close;

	if (host[0] != '[')
		return strchr(host, ':');
	close = strchr(host, ']');
	return close && close[1] == ':' ? close + 1 : NULL;
}

/* "[0:0::1]" -> "[::1]"; left alone unless inet_ntop's form is one
 * docker's grammar takes (no dotted IPv4 tail). */
static void canonical_ipv6(char *host, size_t hostsz)
{
	char addr[64], text[INET6_ADDRSTRLEN], *close = strchr(host, ']');
	unsigned char bin[16];
	size_t n;

	if (!close || (n = (size_t)(close - host - 1)) >= sizeof(addr))
		return;
	memcpy(addr, host + 1, n);
	addr[n] = '\0';
	if (inet_pton(AF_INET6, addr, bin) != 1 ||
	    !inet_ntop(AF_INET6, bin, text, sizeof(text)) ||
	    strchr(text, '.') ||
	    strlen(text) + 2 + strlen(close + 1) >= hostsz)
		return;
	memmove(host + strlen(text) + 2, close + 1, strlen(close + 1) + 1);
	memcpy(host + 1, text, strlen(text));
	host[strlen(text) + 1] = ']';
}

/* The port without leading zeros, and none at all for 443 (HTTPS, the
 * scheme a registry name stands for). ":80" stays: a name without a
 * port is reached over HTTPS on 443, so "host:80" is another endpoint. */
static void canonical_port(char *host)
{
	char *colon = port_colon(host);
	unsigned long port;
	size_t n;

	if (!colon)
		return;
	n = strlen(colon + 1);
	if (n == 0 || n > 5 || strspn(colon + 1, "0123456789") != n)
		return;		/* a pattern's "*", or not a port */
	port = strtoul(colon + 1, NULL, 10);
	if (port == 443)
		*colon = '\0';
	else if (port > 0 && port <= 65535)
		snprintf(colon + 1, 6, "%lu", port);
}

int ref_canonical_host(char *out, size_t outsz, const char *host)
{
	size_t i, n = strlen(host);

	if (n >= outsz || n >= REF_HOST_MAX)
		return err_set(ERR_FORMAT, "registry host too long");
	for (i = 0; i < n; i++)
		out[i] = is_upper(host[i]) ? (char)(host[i] - 'A' + 'a') :
			 host[i];
	out[n] = '\0';
	canonical_port(out);
	if (out[0] == '[')
		canonical_ipv6(out, outsz);
	for (i = 0; hub_aliases[i]; i++)
		if (strcmp(out, hub_aliases[i]) == 0)
			snprintf(out, outsz, "%s", HUB);
	return 0;
}

const char *ref_endpoint(const char *registry)
{
	/* docker.io names the registry; its API answers elsewhere */
	return strcmp(registry, HUB) == 0 ? HUB_ENDPOINT : registry;
}

static bool tag_ok(const char *p, size_t n)
{
	size_t i;

	if (n == 0 || n > TAG_LEN_MAX || p[0] == '.' || p[0] == '-')
		return false;
	for (i = 0; i < n; i++)
		if (!is_alnum(p[i]) && p[i] != '_' && p[i] != '.' &&
		    p[i] != '-')
			return false;
	return true;
}

/* docker refuses a bare 64-hex name: it reads like an image ID. */
static bool is_image_id(const char *s)
{
	size_t i;

	for (i = 0; i < 64; i++)
		if (!is_digit(s[i]) && !(s[i] >= 'a' && s[i] <= 'f'))
			return false;
	return s[64] == '\0';
}

static int parse_digest(const struct refctx *c, struct digest *out,
			const char *d)
{
	const char *colon = strchr(d, ':');
	size_t i, alen;

	if (!*d)
		return ref_fail(c, "empty digest after '@'");
	if (!colon || colon == d)
		return ref_fail(c, "invalid digest");
	alen = (size_t)(colon - d);
	if (alen != 6 || memcmp(d, "sha256", 6) != 0) {
		/* a well-formed name of an algorithm we do not do */
		for (i = 0; i < alen; i++)
			if (!is_alnum(d[i]) && !strchr("+._-", d[i]))
				return ref_fail(c, "invalid digest");
		return ref_fail(c, "unsupported digest algorithm '%.*s'",
				(int)(alen > 32 ? 32 : alen), d);
	}
	if (digest_parse(out, d) < 0)
		return ref_fail(c, "invalid digest: expected sha256: and 64 "
				"lower-case hex digits");
	return 0;
}

static int parse_path(const struct refctx *c, const char *p, size_t n)
{
	size_t i, start;

	for (i = 0; i < n; i++)
		if (is_upper(p[i]))
			return ref_fail(c, "repository name must be lowercase");
	for (start = 0; start <= n; start = i + 1) {
		const char *slash = memchr(p + start, '/', n - start);

		i = slash ? (size_t)(slash - p) : n;
		if (i == start)
			return ref_fail(c, start == n ?
					"must not end with '/'" :
					"empty path component ('//')");
		if (!component_ok(p + start, i - start)) {
			char raw[65], shown[65];
			size_t len = i - start < 64 ? i - start : 64;

			memcpy(raw, p + start, len);
			raw[len] = '\0';
			str_sanitize(shown, sizeof(shown), raw);
			return ref_fail(c, "invalid repository name component "
					"'%s'", shown);
		}
	}
	return 0;
}

/* What no reference is, whatever its parts: empty, a URL, spaced or
 * with control characters, an image ID. */
static int check_whole(const struct refctx *c, const char *s)
{
	const char *p;

	if (!*s)
		return ref_fail(c, "empty");
	if (strstr(s, "://"))
		return ref_fail(c, "give a reference, not a URL");
	for (p = s; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return ref_fail(c, "contains a space or control "
					"character");
	if (is_image_id(s))
		return ref_fail(c, "a 64-digit hexadecimal name reads as an "
				"image ID");
	return 0;
}

static int parse_fields(struct image_ref *out, const char *s,
			const struct refctx *c)
{
	const char *at, *name, *tag = NULL, *p, *path;
	size_t namelen, pathlen, hostlen, tlen = 0, total;
	char host[REF_HOST_MAX];
	bool library = false;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = check_whole(c, s)) < 0)
		return rc;

	/* name[:tag][@digest]; a name never holds '@' */
	at = strchr(s, '@');
	if (at && (rc = parse_digest(c, &out->digest, at + 1)) < 0)
		return rc;
	name = s;
	namelen = at ? (size_t)(at - s) : strlen(s);

	/* the tag's ':' is the last one after the last '/' */
	for (p = name + namelen; p > name; p--) {
		if (p[-1] == '/')
			break;
		if (p[-1] == ':') {
			tag = p;
			tlen = (size_t)(name + namelen - p);
			namelen = (size_t)(p - 1 - name);
			break;
		}
	}
	if (tag && !tlen)
		return ref_fail(c, "empty tag after ':'");
	if (tag && tlen > TAG_LEN_MAX)
		return ref_fail(c, "tag longer than %d characters",
				TAG_LEN_MAX);
	if (tag && !tag_ok(tag, tlen))
		return ref_fail(c, "invalid tag");
	if (namelen == 0)
		return ref_fail(c, "empty repository name");
	if (namelen > NAME_TOTAL_MAX)
		return ref_fail(c, "name longer than %d characters",
				NAME_TOTAL_MAX);
	if (name[0] == '/')
		return ref_fail(c, "must not start with '/'");

	/* domain or first path component? */
	p = memchr(name, '/', namelen);
	snprintf(host, sizeof(host), "%s", HUB);
	path = name;
	pathlen = namelen;
	if (p) {
		size_t first = (size_t)(p - name);

		if (memchr(name, '.', first) || memchr(name, ':', first) ||
		    name[0] == '[' ||
		    (first == 9 && memcmp(name, "localhost", 9) == 0)) {
			const char *why = NULL;

			if (!domain_ok(name, first, &why))
				return ref_fail(c, "%s", why);
			/* first < namelen <= NAME_TOTAL_MAX: it fits */
			memcpy(host, name, first);
			host[first] = '\0';
			if ((rc = ref_canonical_host(host, sizeof(host),
						     host)) < 0)
				return rc;
			path = p + 1;
			pathlen = namelen - first - 1;
			if (pathlen == 0)
				return ref_fail(c, "must not end with '/'");
		}
	}
	if ((rc = parse_path(c, path, pathlen)) < 0)
		return rc;
	hostlen = strlen(host);
	if (strcmp(host, HUB) == 0 && !memchr(path, '/', pathlen))
		library = true;

	total = hostlen + 1 + (library ? 8 : 0) + pathlen;
	if (total > NAME_TOTAL_MAX)
		return ref_fail(c, "name longer than %d characters once "
				"normalised", NAME_TOTAL_MAX);
	/* total <= 255 keeps both fields within their 256-byte arrays */
	memcpy(out->registry, host, hostlen);
	out->registry[hostlen] = '\0';
	snprintf(out->repository, sizeof(out->repository), "%s%.*s",
		 library ? "library/" : "", (int)pathlen, path);
	if (tag) {
		memcpy(out->tag, tag, tlen);
		out->tag[tlen] = '\0';
	} else if (!at) {
		memcpy(out->tag, "latest", sizeof("latest"));
	}
	return 0;
}

/* All or nothing: @out is zeroed on failure. */
static int parse(struct image_ref *out, const char *s,
		 const struct refctx *c)
{
	int rc = parse_fields(out, s, c);

	if (rc < 0)
		memset(out, 0, sizeof(*out));
	return rc;
}

int ref_parse(struct image_ref *out, const char *s)
{
	struct refctx c = { s ? s : "", "reference", ERR_USAGE };

	return parse(out, c.input, &c);
}

bool ref_has_digest(const struct image_ref *r)
{
	return r->digest.str[0] != '\0';
}

int ref_format_repo(char *out, size_t outsz, const struct image_ref *r)
{
	int n = snprintf(out, outsz, "%s/%s", r->registry, r->repository);

	if (n < 0 || (size_t)n >= outsz)
		return err_set(ERR_FORMAT, "image name too long");
	return 0;
}

int ref_format_pinned(char *out, size_t outsz, const struct image_ref *r,
		      const struct digest *d)
{
	int n;

	if (!d || !digest_valid(d->str))
		return err_set(ERR_FORMAT, "no valid digest to pin '%s/%s' to",
			       r->registry, r->repository);
	n = snprintf(out, outsz, "%s/%s@%s", r->registry, r->repository,
		     d->str);
	if (n < 0 || (size_t)n >= outsz)
		return err_set(ERR_FORMAT, "image name too long");
	return 0;
}

int ref_normalize_repo(char *out, size_t outsz, const char *claim)
{
	/* A claim comes from a signature, not from the user: ERR_FORMAT. */
	struct refctx c = { claim ? claim : "", "docker-reference claim",
			    ERR_FORMAT };
	struct image_ref r;
	int rc;

	if ((rc = parse(&r, c.input, &c)) < 0)
		return rc;
	return ref_format_repo(out, outsz, &r);
}

void sigtag_for(char out[80], const struct digest *d)
{
	snprintf(out, 80, "sha256-%s.sig", digest_hex(d));
}
