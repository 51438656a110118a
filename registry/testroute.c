/*
 * testroute.c - SIGNET_TEST_CONNECT_TO, for the tests only: send the
 * connections for a registry name to a registry on loopback, so that
 * names like registry-1.docker.io can be tested without the internet.
 *
 * It is libcurl's CURLOPT_CONNECT_TO: only where the connection goes
 * changes. The URL, the Host header and the TLS name check stay those of
 * the name, so a test registry must still show a certificate for that
 * name from a CA signet trusts (--ca-file): the route cannot weaken TLS.
 * It is ignored unless SIGNET_DEBUG is on too (every request is then
 * traced on stderr), and it may lead to loopback addresses only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <curl/curl.h>

#include "internal.h"

#define ROUTES_MAX 4

static bool debug_on(void)
{
	const char *e = getenv("SIGNET_DEBUG");

	return e && *e && strcmp(e, "0") != 0;
}

static bool port_ok(const char *p, size_t n)
{
	return n > 0 && n <= 5 && strspn(p, "0123456789") >= n;
}

/* "HOST:PORT:ADDR:PORT", ADDR on loopback (127.0.0.0/8). */
static bool route_ok(const char *r)
{
	char addr[INET_ADDRSTRLEN];
	const char *c1 = strchr(r, ':'), *c2, *c3;
	struct in_addr a4;

	if (!c1 || c1 == r || !(c2 = strchr(c1 + 1, ':')) ||
	    !(c3 = strchr(c2 + 1, ':')) || strchr(c3 + 1, ':') ||
	    !port_ok(c1 + 1, (size_t)(c2 - c1 - 1)) ||
	    !port_ok(c3 + 1, strlen(c3 + 1)) ||
	    (size_t)(c3 - c2 - 1) >= sizeof(addr))
		return false;
	memcpy(addr, c2 + 1, (size_t)(c3 - c2 - 1));
	addr[c3 - c2 - 1] = '\0';
	return inet_pton(AF_INET, addr, &a4) == 1 &&
	       (ntohl(a4.s_addr) >> 24) == 127;
}

int http_test_routes(struct curl_slist **out)
{
	const char *env = getenv("SIGNET_TEST_CONNECT_TO");
	struct curl_slist *list = NULL, *tmp;
	char one[REF_HOST_MAX + 32];
	const char *p, *e;
	size_t n = 0;

	*out = NULL;
	if (!env || !*env || !debug_on())
		return 0;
	for (p = env; *p; p = *e ? e + 1 : e) {
		e = strchr(p, ',');
		if (!e)
			e = p + strlen(p);
		if ((size_t)(e - p) >= sizeof(one) || ++n > ROUTES_MAX)
			goto bad;
		memcpy(one, p, (size_t)(e - p));
		one[e - p] = '\0';
		if (!route_ok(one))
			goto bad;
		if (!(tmp = curl_slist_append(list, one))) {
			curl_slist_free_all(list);
			return err_set(ERR_NOMEM, "out of memory");
		}
		list = tmp;
		debugf("test route (SIGNET_TEST_CONNECT_TO): %s", one);
	}
	*out = list;
	return 0;
bad:
	curl_slist_free_all(list);
	return err_set(ERR_USAGE, "SIGNET_TEST_CONNECT_TO: expected up to %d "
		       "HOST:PORT:127.x.x.x:PORT, comma-separated (for tests "
		       "only)", ROUTES_MAX);
}
